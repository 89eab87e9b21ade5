//! Six-digit codes sent to an applicant's email or phone: to confirm a new address or number,
//! as the second factor on a new device, and to reset a password. A code lives 10 minutes, dies
//! after 5 wrong guesses, is replaced by the next one sent, and works once. Guesses are also throttled per
//! account across codes, so asking for new codes does not buy new guesses.

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, TryRngCore, rngs::OsRng};
use refusal::Code;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    accounts::throttle::{self, PER_CODE_SUBJECT, Refusal, ThrottleError},
    secret::Secret,
    storage::{CodePurpose, NewOneTimeCode, OneTimeCode, Storage, StorageError, SubjectKind},
};

pub const CODE_LIFETIME: Duration = Duration::minutes(10);
pub const MAX_FAILURES_PER_CODE: i64 = 5;
const DIGITS: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("the code is not the one we sent")]
    Wrong,
    /// Expired, already used, replaced by a newer code or out of guesses: ask for a new one.
    #[error("this code no longer works")]
    NoLongerValid,
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ThrottleError> for CodeError {
    fn from(error: ThrottleError) -> Self {
        match error {
            ThrottleError::Refused(refusal) => CodeError::Refused(refusal),
            ThrottleError::Storage(error) => CodeError::Storage(error),
        }
    }
}

impl CodeError {
    pub fn code(&self) -> Code {
        match self {
            CodeError::Wrong => Code::CodeWrong,
            CodeError::NoLongerValid => Code::CodeExpired,
            CodeError::Refused(Refusal::RetryAt(_)) => Code::TooSoon,
            CodeError::Refused(Refusal::Locked) => Code::Locked,
            CodeError::Storage(_) => Code::Unavailable,
        }
    }
}

/// A freshly issued code: the record, and the digits to send (never stored).
pub struct IssuedCode {
    pub record: OneTimeCode,
    pub digits: Secret,
}

/// Creates a code for `destination`, retiring the subject's earlier codes of this purpose.
pub async fn issue(
    storage: &dyn Storage,
    subject_kind: SubjectKind,
    subject_id: Uuid,
    purpose: CodePurpose,
    destination: &str,
    now: DateTime<Utc>,
) -> Result<IssuedCode, StorageError> {
    let digits = random_digits();
    let record = storage
        .replace_one_time_code(
            &NewOneTimeCode {
                subject_kind,
                subject_id,
                purpose,
                destination: destination.to_owned(),
                code_hash: code_hash(subject_id, &digits),
                expires_at: now + CODE_LIFETIME,
            },
            now,
        )
        .await?;
    Ok(IssuedCode {
        record,
        digits: Secret::new(digits),
    })
}

/// Checks a typed code against code `code_id`, which must belong to this subject and purpose,
/// and spends it. For an email confirmation, the address is recorded in the same transaction.
pub async fn redeem(
    storage: &dyn Storage,
    code_id: Uuid,
    subject_kind: SubjectKind,
    subject_id: Uuid,
    purpose: CodePurpose,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<OneTimeCode, CodeError> {
    let record = check(
        storage,
        code_id,
        subject_kind,
        subject_id,
        purpose,
        typed,
        now,
    )
    .await?;
    spend(storage, &record, now).await?;
    Ok(record)
}

/// Checks a typed code without spending it, for a step that has more to check before it acts
/// (a reset's new password): a wrong code is counted, a right one waits for `spend`.
pub async fn check(
    storage: &dyn Storage,
    code_id: Uuid,
    subject_kind: SubjectKind,
    subject_id: Uuid,
    purpose: CodePurpose,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<OneTimeCode, CodeError> {
    let throttle_key = throttle_key_for(subject_kind, subject_id, purpose);
    throttle::admit(storage, &throttle_key, &PER_CODE_SUBJECT, now).await?;
    let record = storage
        .find_one_time_code(code_id)
        .await?
        .filter(|code| {
            code.subject_kind == subject_kind
                && code.subject_id == subject_id
                && code.purpose == purpose
        })
        .ok_or(CodeError::NoLongerValid)?;
    if record.used_at.is_some()
        || record.superseded_at.is_some()
        || record.expires_at <= now
        || record.failed_attempts >= MAX_FAILURES_PER_CODE
    {
        return Err(CodeError::NoLongerValid);
    }
    let typed: String = typed.chars().filter(char::is_ascii_digit).collect();
    if code_hash(subject_id, &typed) != record.code_hash {
        storage.record_code_failure(code_id).await?;
        return Err(CodeError::Wrong);
    }
    Ok(record)
}

/// Spends a code that `check` accepted, once: a concurrent request that spent it first wins.
pub async fn spend(
    storage: &dyn Storage,
    record: &OneTimeCode,
    now: DateTime<Utc>,
) -> Result<(), CodeError> {
    let spent = match record.purpose {
        CodePurpose::VerifyEmail | CodePurpose::VerifyPhone => {
            storage
                .confirm_applicant_contact(record.id, MAX_FAILURES_PER_CODE, now)
                .await?
        }
        _ => {
            storage
                .spend_one_time_code(record.id, MAX_FAILURES_PER_CODE, now)
                .await?
        }
    };
    if !spent {
        return Err(CodeError::NoLongerValid);
    }
    let throttle_key = throttle_key_for(record.subject_kind, record.subject_id, record.purpose);
    throttle::succeeded(storage, &throttle_key).await?;
    Ok(())
}

/// The throttle row counting wrong codes for one person, across codes.
pub fn throttle_key(subject_kind: SubjectKind, subject_id: Uuid) -> String {
    format!("code:{}:{subject_id}", subject_kind.as_str())
}

/// The row a code of this purpose counts in. Reset codes count apart: anyone who knows a
/// foreigner number can ask for one and guess, and must not lock the owner's sign-in codes.
pub fn throttle_key_for(
    subject_kind: SubjectKind,
    subject_id: Uuid,
    purpose: CodePurpose,
) -> String {
    match purpose {
        CodePurpose::PasswordReset => format!("{}:reset", throttle_key(subject_kind, subject_id)),
        _ => throttle_key(subject_kind, subject_id),
    }
}

fn random_digits() -> String {
    let mut rng = OsRng.unwrap_err();
    (0..DIGITS)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// Salted with the subject so that equal codes of two people hash differently.
fn code_hash(subject_id: Uuid, digits: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(subject_id.as_bytes());
    hasher.update(digits.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| random_digits()).collect();
        assert!(
            codes
                .iter()
                .all(|code| code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()))
        );
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 40);
    }

    #[test]
    fn hashes_are_salted_by_subject() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_ne!(code_hash(a, "123456"), code_hash(b, "123456"));
        assert_eq!(code_hash(a, "123456"), code_hash(a, "123456"));
    }
}
