//! Random bearer secrets (remembered devices, staff enrolment links, API keys): 256 bits from
//! the operating system, URL-safe base64. The database keeps only their SHA-256: with this much
//! randomness there is nothing to guess offline, so a slow hash would add nothing.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::{TryRngCore, rngs::OsRng};
use sha2::{Digest, Sha256};

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random generator is unavailable");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_distinct() {
        let (one, two) = (new_token(), new_token());
        assert_eq!(one.len(), 43);
        assert_ne!(one, two);
        assert!(
            one.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(token_hash(&one), token_hash(&one));
        assert_eq!(token_hash(&one).len(), 64);
    }
}
