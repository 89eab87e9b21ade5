//! Documents are encrypted at rest, each with its own key.
//!
//! A fresh 256-bit data key per document encrypts its content with AES-256-GCM in 64 KiB
//! segments (the STREAM construction: each segment's nonce carries its number and whether it is
//! the last, so segments cannot be reordered, dropped or cut off unnoticed). The data key is
//! stored beside the document's row, wrapped by a master key (AES-256-GCM, bound to the document
//! id) and labelled with the master key's id, so master keys rotate: new documents use the newest
//! key and older keys stay to unwrap older documents. Memory stays at one segment per direction
//! whatever the file size.

use aes_gcm::{
    Aes256Gcm, Key, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use rand::{TryRngCore, rngs::OsRng};
use uuid::Uuid;

use crate::signing_keys::SigningKeys;

/// Plaintext bytes per segment.
pub const SEGMENT: usize = 64 * 1024;
const TAG: usize = 16;
const MAGIC: &[u8; 4] = b"EUD1";
const PREFIX: usize = 7;
/// Magic and nonce prefix, at the start of every stored object.
pub const HEADER: usize = MAGIC.len() + PREFIX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncryptionError {
    #[error("no master key has the id the document was stored with")]
    UnknownMasterKey,
    #[error("the stored document or its key failed authentication")]
    Tampered,
    #[error("the system's random number generator failed")]
    Random,
}

/// The master keys, from the `document-keys` folder: the newest wraps, all unwrap.
#[derive(Clone)]
pub struct MasterKeys {
    keys: SigningKeys,
}

impl std::fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKeys")
            .field("current", &self.keys.current().kid)
            .finish_non_exhaustive()
    }
}

/// A document's data key as stored in its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub master_key_id: String,
    /// Base64 of nonce, encrypted key and tag.
    pub wrapped: String,
}

pub struct DataKey([u8; 32]);

impl DataKey {
    /// A key that lives in memory only, for a file that lives no longer than the request that
    /// wrote it (an idempotent push's spooled body).
    pub fn ephemeral() -> Result<DataKey, EncryptionError> {
        let mut key = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut key)
            .map_err(|_| EncryptionError::Random)?;
        Ok(DataKey(key))
    }
}

impl MasterKeys {
    pub fn new(keys: SigningKeys) -> MasterKeys {
        MasterKeys { keys }
    }

    fn cipher(secret: &[u8]) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&secret[..32]))
    }

    fn binding(document_id: Uuid) -> Vec<u8> {
        format!("espace-usager document key v1 {document_id}").into_bytes()
    }

    /// A fresh data key for a new document, and its wrapped form for the row.
    pub fn new_data_key(
        &self,
        document_id: Uuid,
    ) -> Result<(DataKey, WrappedKey), EncryptionError> {
        let mut key = [0u8; 32];
        let mut nonce = [0u8; 12];
        OsRng
            .try_fill_bytes(&mut key)
            .and_then(|()| OsRng.try_fill_bytes(&mut nonce))
            .map_err(|_| EncryptionError::Random)?;
        let master = self.keys.current();
        let sealed = Self::cipher(&master.secret)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &key,
                    aad: &Self::binding(document_id),
                },
            )
            .map_err(|_| EncryptionError::Tampered)?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        Ok((
            DataKey(key),
            WrappedKey {
                master_key_id: master.kid.clone(),
                wrapped: STANDARD.encode(stored),
            },
        ))
    }

    pub fn unwrap_key(
        &self,
        document_id: Uuid,
        wrapped: &WrappedKey,
    ) -> Result<DataKey, EncryptionError> {
        let master = self
            .keys
            .find(&wrapped.master_key_id)
            .ok_or(EncryptionError::UnknownMasterKey)?;
        let stored = STANDARD
            .decode(&wrapped.wrapped)
            .map_err(|_| EncryptionError::Tampered)?;
        if stored.len() != 12 + 32 + TAG {
            return Err(EncryptionError::Tampered);
        }
        let plain = Self::cipher(&master.secret)
            .decrypt(
                Nonce::from_slice(&stored[..12]),
                Payload {
                    msg: &stored[12..],
                    aad: &Self::binding(document_id),
                },
            )
            .map_err(|_| EncryptionError::Tampered)?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&plain);
        Ok(DataKey(key))
    }
}

fn segment_nonce(prefix: &[u8; PREFIX], counter: u32, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[..PREFIX].copy_from_slice(prefix);
    nonce[PREFIX..PREFIX + 4].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// Turns plaintext pushed in any pieces into the stored object's bytes.
pub struct Encryptor {
    cipher: Aes256Gcm,
    prefix: [u8; PREFIX],
    counter: u32,
    pending: Vec<u8>,
    header_written: bool,
}

impl Encryptor {
    pub fn new(key: &DataKey) -> Result<Encryptor, EncryptionError> {
        let mut prefix = [0u8; PREFIX];
        OsRng
            .try_fill_bytes(&mut prefix)
            .map_err(|_| EncryptionError::Random)?;
        Ok(Encryptor {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key.0)),
            prefix,
            counter: 0,
            pending: Vec::with_capacity(SEGMENT + 1),
            header_written: false,
        })
    }

    fn seal(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), EncryptionError> {
        if !self.header_written {
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&self.prefix);
            self.header_written = true;
        }
        let nonce = segment_nonce(&self.prefix, self.counter, last);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| EncryptionError::Tampered)?;
        out.extend_from_slice(&sealed);
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or(EncryptionError::Tampered)?;
        Ok(())
    }

    /// Encrypted bytes ready to store; a full segment is held back until more plaintext shows
    /// it is not the last one.
    pub fn push(&mut self, mut plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        let mut out = Vec::new();
        while !plain.is_empty() {
            let room = SEGMENT + 1 - self.pending.len();
            let take = room.min(plain.len());
            self.pending.extend_from_slice(&plain[..take]);
            plain = &plain[take..];
            if self.pending.len() > SEGMENT {
                let segment: Vec<u8> = self.pending.drain(..SEGMENT).collect();
                self.seal(&segment, false, &mut out)?;
            }
        }
        Ok(out)
    }

    pub fn finish(mut self) -> Result<Vec<u8>, EncryptionError> {
        let mut out = Vec::new();
        let last = std::mem::take(&mut self.pending);
        self.seal(&last, true, &mut out)?;
        Ok(out)
    }
}

/// Turns the stored object's bytes, pulled in any pieces, back into plaintext.
pub struct Decryptor {
    cipher: Aes256Gcm,
    prefix: Option<[u8; PREFIX]>,
    counter: u32,
    pending: Vec<u8>,
    finished: bool,
}

impl Decryptor {
    pub fn new(key: &DataKey) -> Decryptor {
        Decryptor {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key.0)),
            prefix: None,
            counter: 0,
            pending: Vec::with_capacity(HEADER + SEGMENT + TAG + 1),
            finished: false,
        }
    }

    fn open(&mut self, sealed: &[u8], last: bool) -> Result<Vec<u8>, EncryptionError> {
        let prefix = self.prefix.ok_or(EncryptionError::Tampered)?;
        let nonce = segment_nonce(&prefix, self.counter, last);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(&nonce), sealed)
            .map_err(|_| EncryptionError::Tampered)?;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or(EncryptionError::Tampered)?;
        Ok(plain)
    }

    pub fn push(&mut self, mut stored: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        if self.finished && !stored.is_empty() {
            return Err(EncryptionError::Tampered);
        }
        let mut out = Vec::new();
        while !stored.is_empty() {
            if self.prefix.is_none() {
                let take = (HEADER - self.pending.len()).min(stored.len());
                self.pending.extend_from_slice(&stored[..take]);
                stored = &stored[take..];
                if self.pending.len() == HEADER {
                    if &self.pending[..MAGIC.len()] != MAGIC {
                        return Err(EncryptionError::Tampered);
                    }
                    let mut prefix = [0u8; PREFIX];
                    prefix.copy_from_slice(&self.pending[MAGIC.len()..]);
                    self.prefix = Some(prefix);
                    self.pending.clear();
                }
                continue;
            }
            let room = SEGMENT + TAG + 1 - self.pending.len();
            let take = room.min(stored.len());
            self.pending.extend_from_slice(&stored[..take]);
            stored = &stored[take..];
            if self.pending.len() > SEGMENT + TAG {
                let sealed: Vec<u8> = self.pending.drain(..SEGMENT + TAG).collect();
                out.extend(self.open(&sealed, false)?);
            }
        }
        Ok(out)
    }

    /// The last plaintext; fails if the object was cut short.
    pub fn finish(&mut self) -> Result<Vec<u8>, EncryptionError> {
        if self.finished {
            return Ok(Vec::new());
        }
        self.finished = true;
        let last = std::mem::take(&mut self.pending);
        self.open(&last, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(folder: &std::path::Path) -> MasterKeys {
        MasterKeys::new(SigningKeys::load_or_create(folder).unwrap())
    }

    fn encrypt(key: &DataKey, plain: &[u8], piece: usize) -> Vec<u8> {
        let mut encryptor = Encryptor::new(key).unwrap();
        let mut stored = Vec::new();
        for chunk in plain.chunks(piece.max(1)) {
            stored.extend(encryptor.push(chunk).unwrap());
        }
        stored.extend(encryptor.finish().unwrap());
        stored
    }

    fn decrypt(key: &DataKey, stored: &[u8], piece: usize) -> Result<Vec<u8>, EncryptionError> {
        let mut decryptor = Decryptor::new(key);
        let mut plain = Vec::new();
        for chunk in stored.chunks(piece.max(1)) {
            plain.extend(decryptor.push(chunk)?);
        }
        plain.extend(decryptor.finish()?);
        Ok(plain)
    }

    #[test]
    fn round_trips_at_every_size_and_cut() {
        let folder = tempfile::tempdir().unwrap();
        let keys = keys(folder.path());
        let (key, _) = keys.new_data_key(Uuid::new_v4()).unwrap();
        for size in [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            for piece in [1000, 7, SEGMENT, 5 * SEGMENT] {
                let stored = encrypt(&key, &plain, piece);
                assert_eq!(
                    stored.len(),
                    HEADER + size + TAG * size.div_ceil(SEGMENT).max(1)
                );
                assert_eq!(
                    decrypt(&key, &stored, piece + 3).unwrap(),
                    plain,
                    "{size}/{piece}"
                );
            }
        }
    }

    #[test]
    fn tampering_truncation_and_reordering_are_detected() {
        let folder = tempfile::tempdir().unwrap();
        let keys = keys(folder.path());
        let (key, _) = keys.new_data_key(Uuid::new_v4()).unwrap();
        let plain = vec![7u8; 2 * SEGMENT + 100];
        let stored = encrypt(&key, &plain, 4096);
        let mut flipped = stored.clone();
        flipped[HEADER + 10] ^= 1;
        assert_eq!(decrypt(&key, &flipped, 999), Err(EncryptionError::Tampered));
        // Cut at a segment boundary: every remaining segment is intact, but none says "last".
        let cut = &stored[..HEADER + 2 * (SEGMENT + TAG)];
        assert_eq!(decrypt(&key, cut, 999), Err(EncryptionError::Tampered));
        let mut swapped = stored[..HEADER].to_vec();
        swapped.extend_from_slice(&stored[HEADER + SEGMENT + TAG..HEADER + 2 * (SEGMENT + TAG)]);
        swapped.extend_from_slice(&stored[HEADER..HEADER + SEGMENT + TAG]);
        swapped.extend_from_slice(&stored[HEADER + 2 * (SEGMENT + TAG)..]);
        assert_eq!(decrypt(&key, &swapped, 999), Err(EncryptionError::Tampered));
    }

    #[test]
    fn data_keys_are_bound_to_their_document_and_survive_rotation() {
        let folder = tempfile::tempdir().unwrap();
        let old_keys = keys(folder.path());
        let document = Uuid::new_v4();
        let (key, wrapped) = old_keys.new_data_key(document).unwrap();
        let stored = encrypt(&key, b"%PDF-1.7 decision", 5);
        assert!(matches!(
            old_keys.unwrap_key(Uuid::new_v4(), &wrapped),
            Err(EncryptionError::Tampered)
        ));
        // A newer master key is added: it wraps new keys, the old one still unwraps old ones.
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::write(
            folder.path().join("29990101T000000.key"),
            STANDARD.encode([9u8; 32]),
        )
        .unwrap();
        let mut permissions = std::fs::metadata(folder.path().join("29990101T000000.key"))
            .unwrap()
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o600);
        std::fs::set_permissions(folder.path().join("29990101T000000.key"), permissions).unwrap();
        let rotated = keys(folder.path());
        let (_, newer) = rotated.new_data_key(Uuid::new_v4()).unwrap();
        assert_eq!(newer.master_key_id, "29990101T000000");
        let again = rotated.unwrap_key(document, &wrapped).unwrap();
        assert_eq!(decrypt(&again, &stored, 3).unwrap(), b"%PDF-1.7 decision");
        let unknown = WrappedKey {
            master_key_id: "gone".into(),
            ..wrapped
        };
        assert!(matches!(
            rotated.unwrap_key(document, &unknown),
            Err(EncryptionError::UnknownMasterKey)
        ));
    }
}
