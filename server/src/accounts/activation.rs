//! Account activation: the applicant proves who they are with the identifier, the one-time
//! connection key and the date of birth printed on their notice, then chooses a password.
//!
//! Unknown identifier, wrong key and wrong date of birth give one and the same answer, so that
//! nobody can learn which foreigner numbers exist. Only someone holding all three learns that a
//! key has expired or was already used, which they need to know to ask the office for a new one.

use chrono::{DateTime, NaiveDate, Utc};
use refusal::Code;
use uuid::Uuid;

use crate::{
    accounts::password::{PasswordError, hash_password},
    accounts::password_policy::{PasswordRejection, check_applicants_password},
    accounts::sign_in::{
        admit_attempt, attempt_succeeded, audit_applicant_attempt, normalize_identifier,
    },
    accounts::throttle::{Refusal, ThrottleError},
    connection_key::{ConnectionKey, ConnectionKeyError},
    keyed_hash::KeyedHasher,
    secret::Secret,
    storage::{Storage, StorageError},
};

pub struct ActivationRequest {
    /// The 10-digit foreigner number, as typed.
    pub foreigner_number: String,
    pub connection_key: Secret,
    pub date_of_birth: NaiveDate,
    pub new_password: Secret,
    /// Keyed hash of the client address, for the audit log.
    pub ip_hash: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActivationError {
    #[error("the connection key was not typed correctly: {0}")]
    KeyMistyped(ConnectionKeyError),
    /// Identifier, key and date of birth do not match one account (deliberately vague).
    #[error("these details do not match an account")]
    NoMatch,
    #[error("this connection key has expired")]
    KeyExpired,
    #[error("this connection key has already been used or was withdrawn")]
    KeySpent,
    #[error("the password cannot be used: {0}")]
    WeakPassword(PasswordRejection),
    #[error(transparent)]
    Throttled(Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl From<ThrottleError> for ActivationError {
    fn from(error: ThrottleError) -> Self {
        match error {
            ThrottleError::Refused(refusal) => ActivationError::Throttled(refusal),
            ThrottleError::Storage(error) => ActivationError::Storage(error),
        }
    }
}

/// Activates the account and returns the applicant's id. Nothing is written unless it succeeds,
/// except the audit event.
pub async fn activate(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    request: ActivationRequest,
    now: DateTime<Utc>,
) -> Result<Uuid, ActivationError> {
    let outcome = try_activate(storage, hasher, &request, now).await;
    audit_applicant_attempt(
        storage,
        "account_activation",
        outcome.as_ref().ok().copied(),
        outcome.is_ok(),
        request.ip_hash.clone(),
    )
    .await?;
    match &outcome {
        Ok(_) => tracing::info!("applicant account activated"),
        Err(error) => tracing::info!(reason = error.code().as_str(), "account activation refused"),
    }
    outcome
}

async fn try_activate(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    request: &ActivationRequest,
    now: DateTime<Utc>,
) -> Result<Uuid, ActivationError> {
    let admitted = admit_attempt(
        storage,
        hasher,
        "activation",
        &request.foreigner_number,
        request.ip_hash.as_deref(),
        // Activation happens once, before any browser can be known to the account.
        None,
        now,
    )
    .await?;
    let key = ConnectionKey::parse(request.connection_key.expose())
        .map_err(ActivationError::KeyMistyped)?;
    let number = normalize_identifier(&request.foreigner_number);
    let record = storage.find_connection_key(&key.hash()).await?;
    let applicant = storage.find_applicant_by_identifier(&number).await?;
    let (record, applicant) = match (record, applicant) {
        (Some(record), Some(applicant))
            if record.applicant_id == applicant.id
                && applicant.date_of_birth == request.date_of_birth =>
        {
            (record, applicant)
        }
        _ => return Err(ActivationError::NoMatch),
    };
    if record.used_at.is_some() || record.revoked_at.is_some() {
        return Err(ActivationError::KeySpent);
    }
    if record.expires_at <= now {
        return Err(ActivationError::KeyExpired);
    }
    check_applicants_password(
        request.new_password.expose(),
        &number,
        applicant.date_of_birth,
    )
    .map_err(ActivationError::WeakPassword)?;
    let password_hash = hash_password(request.new_password.clone()).await?;
    if !storage
        .activate_applicant(record.id, applicant.id, &password_hash, now)
        .await?
    {
        // Spent by a concurrent activation between our read and our write.
        return Err(ActivationError::KeySpent);
    }
    attempt_succeeded(storage, &admitted).await?;
    Ok(applicant.id)
}

impl ActivationError {
    /// A stable word for logs and for the form's error message: never the typed values.
    pub fn code(&self) -> Code {
        match self {
            ActivationError::KeyMistyped(_) => Code::KeyMistyped,
            ActivationError::NoMatch => Code::NoMatch,
            ActivationError::KeyExpired => Code::KeyExpired,
            ActivationError::KeySpent => Code::KeySpent,
            ActivationError::WeakPassword(rejection) => rejection.code(),
            ActivationError::Throttled(Refusal::RetryAt(_)) => Code::TooSoon,
            ActivationError::Throttled(Refusal::Locked) => Code::Locked,
            ActivationError::Storage(_) | ActivationError::Password(_) => Code::Unavailable,
        }
    }
}
