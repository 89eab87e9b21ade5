//! Keyed hashes (HMAC-SHA256) for values that must be compared but never stored in clear:
//! client addresses in the audit log, identifiers in attempt throttles. Without the key, which
//! stays in the data folder, a stolen database does not give the addresses back by brute force.

use std::{
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::Path,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::{TryRngCore, rngs::OsRng};
use sha2::Sha256;

#[derive(Clone)]
pub struct KeyedHasher {
    secret: Vec<u8>,
}

impl std::fmt::Debug for KeyedHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedHasher([redacted])")
    }
}

impl KeyedHasher {
    pub fn new(secret: Vec<u8>) -> KeyedHasher {
        KeyedHasher { secret }
    }

    /// Reads the key file, creating it (0600, 32 random bytes) on first start. Instances that
    /// start together race on `create_new`: one writes, the others read its key.
    pub fn load_or_create(file: &Path) -> std::io::Result<KeyedHasher> {
        if let Some(folder) = file.parent() {
            fs::create_dir_all(folder)?;
        }
        let mut secret = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut secret)
            .expect("the operating system's random generator is unavailable");
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(file)
        {
            Ok(mut created) => {
                created.write_all(STANDARD.encode(secret).as_bytes())?;
                created.sync_all()?;
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
        if fs::metadata(file)?.permissions().mode() & 0o077 != 0 {
            return Err(std::io::Error::other(format!(
                "{} can be read by other users; run `chmod 600` on it",
                file.display()
            )));
        }
        let text = fs::read_to_string(file)?;
        let secret = STANDARD
            .decode(text.trim())
            .ok()
            .filter(|secret| secret.len() >= 32)
            .ok_or_else(|| {
                std::io::Error::other(format!("{} is not a valid key", file.display()))
            })?;
        Ok(KeyedHasher { secret })
    }

    /// Hex of the first 16 bytes of HMAC(key, domain ‖ 0 ‖ value); `domain` keeps hashes of
    /// different kinds of values apart.
    pub fn hash(&self, domain: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key");
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes()[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_key_domain_and_value() {
        let one = KeyedHasher::new(vec![1; 32]);
        let other = KeyedHasher::new(vec![2; 32]);
        assert_eq!(one.hash("ip", "192.0.2.1"), one.hash("ip", "192.0.2.1"));
        assert_ne!(one.hash("ip", "192.0.2.1"), other.hash("ip", "192.0.2.1"));
        assert_ne!(one.hash("ip", "192.0.2.1"), one.hash("id", "192.0.2.1"));
        assert_eq!(one.hash("ip", "x").len(), 32);
    }

    #[test]
    fn the_key_file_is_private_and_reused() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("keys/audit-hash.secret");
        let first = KeyedHasher::load_or_create(&file).unwrap();
        let again = KeyedHasher::load_or_create(&file).unwrap();
        assert_eq!(first.hash("ip", "a"), again.hash("ip", "a"));
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
