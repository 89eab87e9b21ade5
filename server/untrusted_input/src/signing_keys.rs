//! Keys that sign session tokens, generated on first start and kept in the data folder.
//!
//! Each key is a file `<kid>.key` holding 32 random bytes in base64, readable by the server's user
//! only (0600). The newest key signs; older ones still verify until removed, which is how keys
//! rotate. Several instances share keys by sharing this folder (or a secret mount).

use std::{
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::{TryRngCore, rngs::OsRng};

#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("the key folder {0} cannot be used: {1}")]
    Folder(PathBuf, std::io::Error),
    #[error("the key file {0} can be read by other users; run `chmod 600 {0}`")]
    TooOpen(PathBuf),
    #[error("the key file {0} is not a valid key")]
    Invalid(PathBuf),
}

#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct SigningKeys {
    /// Newest first.
    keys: Vec<SigningKey>,
}

impl SigningKeys {
    /// Loads every key in the folder, creating the first one if there is none.
    pub fn load_or_create(folder: &Path) -> Result<SigningKeys, SigningKeyError> {
        let folder_error = |error| SigningKeyError::Folder(folder.to_owned(), error);
        if !folder.exists() {
            fs::create_dir_all(folder).map_err(folder_error)?;
            // Only a folder we created: a mounted secret volume may be read-only.
            fs::set_permissions(folder, fs::Permissions::from_mode(0o700)).map_err(folder_error)?;
        }
        let mut keys = read_keys(folder)?;
        if keys.is_empty() {
            create_key(folder)?;
            keys = read_keys(folder)?;
        }
        Ok(SigningKeys { keys })
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> &SigningKey {
        &self.keys[0]
    }

    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|key| key.kid == kid)
    }
}

fn read_keys(folder: &Path) -> Result<Vec<SigningKey>, SigningKeyError> {
    let folder_error = |error| SigningKeyError::Folder(folder.to_owned(), error);
    let mut found = Vec::new();
    for entry in fs::read_dir(folder).map_err(folder_error)? {
        let path = entry.map_err(folder_error)?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("key") {
            continue;
        }
        let metadata = fs::metadata(&path).map_err(folder_error)?;
        if metadata.permissions().mode() & 0o077 != 0 {
            return Err(SigningKeyError::TooOpen(path));
        }
        let kid = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = fs::read_to_string(&path).map_err(folder_error)?;
        let secret = STANDARD
            .decode(text.trim())
            .map_err(|_| SigningKeyError::Invalid(path.clone()))?;
        if secret.len() < 32 || kid.is_empty() {
            return Err(SigningKeyError::Invalid(path));
        }
        found.push((metadata.modified().ok(), SigningKey { kid, secret }));
    }
    // Newest first; the kid (a timestamp) breaks ties between files written in the same second.
    found.sort_by(|a, b| (b.0, &b.1.kid).cmp(&(a.0, &a.1.kid)));
    Ok(found.into_iter().map(|(_, key)| key).collect())
}

fn create_key(folder: &Path) -> Result<(), SigningKeyError> {
    let mut secret = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut secret)
        .expect("the operating system's random generator is unavailable");
    let kid = format!("{}", chrono::Utc::now().format("%Y%m%dT%H%M%S"));
    let path = folder.join(format!("{kid}.key"));
    // create_new: when two instances start at once, one writes and the other reads its key.
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(mut file) => file
            .write_all(STANDARD.encode(secret).as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|error| SigningKeyError::Folder(folder.to_owned(), error)),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(SigningKeyError::Folder(folder.to_owned(), error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_creates_a_private_key_that_later_starts_reuse() {
        let folder = tempfile::tempdir().unwrap();
        let keys_dir = folder.path().join("keys");
        let first = SigningKeys::load_or_create(&keys_dir).unwrap();
        let file = keys_dir.join(format!("{}.key", first.current().kid));
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(first.current().secret.len(), 32);

        let again = SigningKeys::load_or_create(&keys_dir).unwrap();
        assert_eq!(again.current().secret, first.current().secret);
        assert!(again.find(&first.current().kid).is_some());
    }

    #[test]
    fn a_key_readable_by_others_stops_start_up() {
        let folder = tempfile::tempdir().unwrap();
        let keys = SigningKeys::load_or_create(folder.path()).unwrap();
        let file = folder.path().join(format!("{}.key", keys.current().kid));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let error = SigningKeys::load_or_create(folder.path()).unwrap_err();
        assert!(matches!(error, SigningKeyError::TooOpen(_)), "{error}");
    }

    #[test]
    fn debug_hides_the_secret() {
        let key = SigningKey {
            kid: "k1".into(),
            secret: vec![42; 32],
        };
        assert!(!format!("{key:?}").contains("42"));
    }
}
