//! Password hashing with Argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool, never on the
//! async worker threads that serve requests.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password could not be hashed")]
    Hashing,
    #[error("the stored password hash is not valid")]
    CorruptHash,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash_password(password: Secret) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|_| PasswordError::Hashing)
    })
    .await
    .map_err(|_| PasswordError::Hashing)?
}

pub async fn verify_password(password: Secret, stored_hash: String) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored_hash).map_err(|_| PasswordError::CorruptHash)?;
        Ok(argon2()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|_| PasswordError::Hashing)?
}

/// A password a person can read aloud and type on a phone: five groups of four lowercase letters
/// and digits (about 100 bits).
pub fn generate_password() -> Secret {
    use rand::{Rng, TryRngCore, rngs::OsRng as Os};
    const SYMBOLS: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = Os.unwrap_err();
    let groups: Vec<String> = (0..5)
        .map(|_| {
            (0..4)
                .map(|_| SYMBOLS[rng.random_range(0..SYMBOLS.len())] as char)
                .collect()
        })
        .collect();
    Secret::new(groups.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash_password(Secret::new("correct horse battery staple"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password(Secret::new("correct horse battery staple"), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password(Secret::new("correct horse battery stapler"), hash)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_corrupt_hash_is_an_error_not_a_panic() {
        let result = verify_password(Secret::new("x"), "not-a-hash".into()).await;
        assert!(matches!(result, Err(PasswordError::CorruptHash)));
    }

    #[test]
    fn generated_passwords_differ() {
        assert_ne!(generate_password().expose(), generate_password().expose());
        assert_eq!(generate_password().expose().len(), 24);
    }
}
