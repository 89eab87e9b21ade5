//! "Forgotten password": a code sent to the applicant's verified email (or phone), typed back with a new
//! password. The answer to the request never tells whether the number has an account (an
//! unknown number gets a token naming nobody, and no email); the code proves the same thing as
//! the second factor does, and afterwards every session ends and every remembered device is
//! forgotten, so the next sign-in on any device asks for a code again.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    contact::{ContactPoint, admit_code_send},
    keyed_hash::KeyedHasher,
    one_time_code::{self, CodeError},
    password::{PasswordError, hash_password},
    password_policy::{PasswordRejection, check_new_password},
    secret::Secret,
    sign_in::{admit_attempt, attempt_succeeded, audit_applicant_attempt, normalize_identifier},
    storage::{CodePurpose, Storage, StorageError, SubjectKind},
    throttle::{Refusal, ThrottleError},
};

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("the password cannot be used: {0}")]
    WeakPassword(PasswordRejection),
    #[error(transparent)]
    Throttled(Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl From<ThrottleError> for ResetError {
    fn from(error: ThrottleError) -> Self {
        match error {
            ThrottleError::Refused(refusal) => ResetError::Throttled(refusal),
            ThrottleError::Storage(error) => ResetError::Storage(error),
        }
    }
}

impl ResetError {
    pub fn code(&self) -> &'static str {
        match self {
            ResetError::Code(error) => error.code(),
            ResetError::WeakPassword(rejection) => rejection.code(),
            ResetError::Throttled(Refusal::RetryAt(_)) => "too_soon",
            ResetError::Throttled(Refusal::Locked) => "locked",
            ResetError::Storage(_) | ResetError::Password(_) => "unavailable",
        }
    }
}

/// What the request step produced: a subject and code to name in the pending token (random
/// ones for an unknown number), and the email to send when there is someone to send it to.
pub struct ResetRequest {
    pub subject: Uuid,
    pub code_id: Uuid,
    pub delivery: Option<ResetDelivery>,
}

pub struct ResetDelivery {
    pub to: ContactPoint,
    pub preferred_language: String,
    pub digits: Secret,
}

pub async fn request_reset(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    foreigner_number: &str,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<ResetRequest, ResetError> {
    let admitted = admit_attempt(
        storage,
        hasher,
        "reset",
        foreigner_number,
        ip_hash.as_deref(),
        now,
    )
    .await?;
    let applicant = storage
        .find_applicant_by_identifier(&normalize_identifier(foreigner_number))
        .await?;
    let reachable = applicant.filter(|applicant| applicant.activated_at.is_some());
    let Some((applicant, to)) = reachable
        .and_then(|applicant| ContactPoint::for_codes(&applicant).map(|to| (applicant, to)))
    else {
        // Counted like a failure: guessing numbers here costs what it costs at sign-in.
        audit_applicant_attempt(storage, "password_reset", None, false, ip_hash).await?;
        return Ok(ResetRequest {
            subject: Uuid::new_v4(),
            code_id: Uuid::new_v4(),
            delivery: None,
        });
    };
    admit_code_send(storage, SubjectKind::Applicant, applicant.id, now).await?;
    let code = one_time_code::issue(
        storage,
        SubjectKind::Applicant,
        applicant.id,
        CodePurpose::PasswordReset,
        to.as_str(),
        now,
    )
    .await?;
    attempt_succeeded(storage, &admitted).await?;
    Ok(ResetRequest {
        subject: applicant.id,
        code_id: code.record.id,
        delivery: Some(ResetDelivery {
            to,
            preferred_language: applicant.message_language().to_owned(),
            digits: code.digits,
        }),
    })
}

/// The code typed back with the new password. Nothing changes unless both are good.
pub async fn complete_reset(
    storage: &dyn Storage,
    subject: Uuid,
    code_id: Uuid,
    typed_code: &str,
    new_password: Secret,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ResetError> {
    let Some(applicant) = storage.find_applicant(subject).await? else {
        return Err(CodeError::NoLongerValid.into());
    };
    let number = applicant.foreigner_number.clone().unwrap_or_default();
    let birth_digits = applicant.date_of_birth.format("%Y%m%d").to_string();
    let birth_french = applicant.date_of_birth.format("%d%m%Y").to_string();
    check_new_password(
        new_password.expose(),
        &[&number, &birth_digits, &birth_french],
    )
    .map_err(ResetError::WeakPassword)?;
    let outcome = one_time_code::redeem(
        storage,
        code_id,
        SubjectKind::Applicant,
        subject,
        CodePurpose::PasswordReset,
        typed_code,
        now,
    )
    .await;
    if let Err(error) = outcome {
        audit_applicant_attempt(storage, "password_reset", Some(subject), false, ip_hash).await?;
        return Err(error.into());
    }
    let password_hash = hash_password(new_password).await?;
    storage
        .set_applicant_password(subject, &password_hash)
        .await?;
    storage
        .revoke_sessions_of(SubjectKind::Applicant, subject, now)
        .await?;
    storage.forget_devices(subject, now).await?;
    audit_applicant_attempt(storage, "password_reset", Some(subject), true, ip_hash).await?;
    Ok(())
}
