//! What a new password must be (NIST SP 800-63B, OWASP ASVS V6.2): long enough, not one of the
//! passwords attackers try first, and not the applicant's own identifier. No composition rules:
//! they make passwords harder to remember, not harder to guess.

use refusal::Code;
use std::{collections::HashSet, sync::LazyLock};

/// At least 8 characters: every account also has a second factor (issue 3).
pub const MIN_CHARACTERS: usize = 8;
/// Long passphrases are welcome; the cap only bounds hashing work.
pub const MAX_CHARACTERS: usize = 256;

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    #[error("the password has fewer than {MIN_CHARACTERS} characters")]
    TooShort,
    #[error("the password has more than {MAX_CHARACTERS} characters")]
    TooLong,
    #[error("the password is one of the most common passwords")]
    Common,
    #[error("the password contains the account's identifier or date of birth")]
    ContainsPersonalData,
}

impl PasswordRejection {
    /// A stable word for forms and API answers.
    pub fn code(self) -> Code {
        match self {
            PasswordRejection::TooShort => Code::TooShort,
            PasswordRejection::TooLong => Code::TooLong,
            PasswordRejection::Common => Code::Common,
            PasswordRejection::ContainsPersonalData => Code::Personal,
        }
    }
}

/// Checks an applicant's new password against what anyone holding their papers knows: their
/// number and their date of birth, written as digits either way round.
pub fn check_applicants_password(
    password: &str,
    number: &str,
    date_of_birth: chrono::NaiveDate,
) -> Result<(), PasswordRejection> {
    let birth_digits = date_of_birth.format("%Y%m%d").to_string();
    let birth_french = date_of_birth.format("%d%m%Y").to_string();
    check_new_password(password, &[number, &birth_digits, &birth_french])
}

/// Checks a chosen password; `personal` holds what an attacker may know of the person
/// (foreigner number, date of birth as digits...).
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), PasswordRejection> {
    let characters = password.chars().count();
    if characters < MIN_CHARACTERS {
        return Err(PasswordRejection::TooShort);
    }
    if characters > MAX_CHARACTERS {
        return Err(PasswordRejection::TooLong);
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(lowered.trim()) {
        return Err(PasswordRejection::Common);
    }
    // Only long-enough personal values: a 2-digit day would refuse half of all passwords.
    if personal
        .iter()
        .any(|value| value.chars().count() >= 6 && lowered.contains(&value.to_lowercase()))
    {
        return Err(PasswordRejection::ContainsPersonalData);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(
            check_new_password("ééééééé", &[]),
            Err(PasswordRejection::TooShort)
        );
        assert_eq!(check_new_password("سلام دوست من", &[]), Ok(()));
        assert_eq!(
            check_new_password(&"a".repeat(257), &[]),
            Err(PasswordRejection::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in [
            "password",
            "12345678",
            "Azertyuiop",
            "iloveyou1",
            "MOTDEPASSE",
        ] {
            assert_eq!(
                check_new_password(common, &[]),
                Err(PasswordRejection::Common),
                "{common}"
            );
        }
        assert!(COMMON_PASSWORDS.len() > 10_000);
    }

    #[test]
    fn personal_data_is_refused() {
        let personal = ["0123456789", "19900101"];
        assert_eq!(
            check_new_password("my0123456789pass", &personal),
            Err(PasswordRejection::ContainsPersonalData)
        );
        assert_eq!(
            check_new_password("born19900101!", &personal),
            Err(PasswordRejection::ContainsPersonalData)
        );
        assert_eq!(check_new_password("green tea at noon", &personal), Ok(()));
    }

    #[test]
    fn no_composition_rules() {
        assert_eq!(
            check_new_password("correct horse battery staple", &[]),
            Ok(())
        );
        assert_eq!(check_new_password("tkvqzmbwxe", &[]), Ok(()));
    }
}
