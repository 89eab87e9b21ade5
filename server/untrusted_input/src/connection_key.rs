//! One-time connection keys: printed on the account-creation notice the office hands to an
//! applicant, typed once on a phone to activate the account.
//!
//! 80 bits from the OS random generator, written in Crockford base32 (no I, L, O, U; case and
//! hyphens ignored; I/L read as 1 and O as 0) in groups of four, followed by Crockford's mod-37
//! check symbol so that a typing mistake is caught before any database look-up.

use rand::{TryRngCore, rngs::OsRng};
use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_SYMBOLS: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
const DATA_SYMBOLS: usize = 16;

/// A key as issued: shown once, then only its hash is kept.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionKey {
    /// The 16 data symbols, normalized.
    symbols: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionKeyError {
    #[error("a connection key has 16 characters and a check character")]
    WrongLength,
    #[error("a connection key contains only letters and digits")]
    InvalidCharacter,
    #[error("the connection key was not typed correctly")]
    CheckFailed,
}

impl ConnectionKey {
    pub fn generate() -> ConnectionKey {
        let mut bytes = [0u8; 10];
        OsRng
            .try_fill_bytes(&mut bytes)
            .expect("the operating system's random generator is unavailable");
        let mut value = bytes
            .iter()
            .fold(0u128, |acc, byte| (acc << 8) | u128::from(*byte));
        let mut symbols = [0u8; DATA_SYMBOLS];
        for slot in symbols.iter_mut().rev() {
            *slot = ALPHABET[(value & 31) as usize];
            value >>= 5;
        }
        ConnectionKey {
            symbols: String::from_utf8(symbols.to_vec()).expect("alphabet is ASCII"),
        }
    }

    /// Reads a key as a person typed it.
    pub fn parse(typed: &str) -> Result<ConnectionKey, ConnectionKeyError> {
        let mut values = Vec::with_capacity(DATA_SYMBOLS + 1);
        for character in typed.chars().filter(|c| !matches!(c, '-' | ' ' | '\u{a0}')) {
            values.push(
                symbol_value(character.to_ascii_uppercase())
                    .ok_or(ConnectionKeyError::InvalidCharacter)?,
            );
        }
        if values.len() != DATA_SYMBOLS + 1 {
            return Err(ConnectionKeyError::WrongLength);
        }
        let check = values.pop().expect("length checked");
        if values.iter().any(|value| *value >= 32) {
            return Err(ConnectionKeyError::InvalidCharacter);
        }
        let key = ConnectionKey {
            symbols: values
                .iter()
                .map(|value| ALPHABET[*value as usize] as char)
                .collect(),
        };
        if key.check_value() != check {
            return Err(ConnectionKeyError::CheckFailed);
        }
        Ok(key)
    }

    fn number(&self) -> u128 {
        self.symbols.bytes().fold(0u128, |acc, symbol| {
            (acc << 5) | symbol_value(symbol as char).expect("normalized") as u128
        })
    }

    fn check_value(&self) -> u8 {
        (self.number() % 37) as u8
    }

    /// The key as printed: `ABCD-EFGH-JKMN-PQRS-C`.
    pub fn display(&self) -> String {
        let groups: Vec<&str> = (0..DATA_SYMBOLS / 4)
            .map(|i| &self.symbols[i * 4..i * 4 + 4])
            .collect();
        format!(
            "{}-{}",
            groups.join("-"),
            CHECK_SYMBOLS[self.check_value() as usize] as char
        )
    }

    /// What the database keeps. 80 random bits make a fast hash safe: there is no dictionary to try.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.symbols.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl std::fmt::Debug for ConnectionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnectionKey([redacted])")
    }
}

/// The value of a Crockford symbol (data symbols 0-31, check-only symbols 32-36).
fn symbol_value(symbol: char) -> Option<u8> {
    let symbol = match symbol {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    CHECK_SYMBOLS
        .iter()
        .position(|c| *c as char == symbol)
        .map(|p| p as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_their_printed_form() {
        for _ in 0..200 {
            let key = ConnectionKey::generate();
            let printed = key.display();
            assert_eq!(printed.len(), 16 + 4 + 1);
            assert_eq!(ConnectionKey::parse(&printed).unwrap(), key);
            assert_eq!(
                ConnectionKey::parse(&printed.to_lowercase().replace('-', " ")).unwrap(),
                key
            );
        }
    }

    #[test]
    fn keys_are_distinct() {
        let keys: std::collections::HashSet<String> = (0..1000)
            .map(|_| ConnectionKey::generate().hash())
            .collect();
        assert_eq!(keys.len(), 1000);
    }

    #[test]
    fn confusable_letters_are_read_as_digits() {
        let key = ConnectionKey::parse("0000-0000-0000-0001-1").unwrap();
        assert_eq!(ConnectionKey::parse("oooo-OOOO-0000-000i-l").unwrap(), key);
    }

    #[test]
    fn a_single_mistyped_symbol_is_caught() {
        let key = ConnectionKey::generate();
        let printed = key.display();
        let first = printed.chars().next().unwrap();
        let replacement = if first == 'A' { 'B' } else { 'A' };
        let typo = format!("{replacement}{}", &printed[1..]);
        assert_eq!(
            ConnectionKey::parse(&typo),
            Err(ConnectionKeyError::CheckFailed)
        );
    }

    #[test]
    fn malformed_input_is_refused_with_a_reason() {
        assert_eq!(
            ConnectionKey::parse("ABCD"),
            Err(ConnectionKeyError::WrongLength)
        );
        assert_eq!(
            ConnectionKey::parse("ABCD-EFGH-JKMN-PQRS-!"),
            Err(ConnectionKeyError::InvalidCharacter)
        );
        assert_eq!(
            ConnectionKey::parse("ABCD-EFGH-JKMN-PQR*-0"),
            Err(ConnectionKeyError::InvalidCharacter)
        );
        assert_eq!(
            ConnectionKey::parse("ÀBCD-EFGH-JKMN-PQRS-0"),
            Err(ConnectionKeyError::InvalidCharacter)
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let key = ConnectionKey::generate();
        assert!(!format!("{key:?}").contains(&key.display()[..4]));
    }
}
