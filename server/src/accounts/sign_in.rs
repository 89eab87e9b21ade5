//! The first step of an applicant's sign-in: foreigner number and password.
//!
//! Unknown number, account not yet activated and wrong password all give one answer, after the
//! same Argon2 work (a dummy hash is checked when there is nothing to check), so neither the
//! answer nor its timing tells whether an account exists. Attempts are throttled per number as
//! typed and per client address (`throttle`).

use chrono::{DateTime, Utc};
use refusal::Code;
use tokio::sync::OnceCell;

use uuid::Uuid;

use crate::{
    accounts::contact::admit_code_send,
    accounts::known_device::KnownDevice,
    accounts::one_time_code::{self, CodeError, IssuedCode},
    accounts::password::{PasswordError, generate_password, hash_password, verify_password},
    accounts::throttle::{
        self, PER_CLIENT_ADDRESS, PER_IDENTIFIER, PER_KNOWN_DEVICE, Refusal, ThrottleError,
    },
    keyed_hash::KeyedHasher,
    secret::Secret,
    storage::{
        ActorKind, Applicant, CodePurpose, NewAuditEvent, Storage, StorageError, SubjectKind,
    },
};

pub struct PasswordSignIn {
    /// The foreigner number as typed.
    pub foreigner_number: String,
    pub password: Secret,
    /// Keyed hash of the client address (audit log and per-address throttle).
    pub ip_hash: Option<String>,
    /// What this browser's device cookie says, if it has one.
    pub known_device: Option<KnownDevice>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Number or password wrong, or account not activated (deliberately one answer).
    #[error("the number or the password is not correct")]
    Refused,
    #[error(transparent)]
    Throttled(Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl From<ThrottleError> for SignInError {
    fn from(error: ThrottleError) -> Self {
        match error {
            ThrottleError::Refused(refusal) => SignInError::Throttled(refusal),
            ThrottleError::Storage(error) => SignInError::Storage(error),
        }
    }
}

impl SignInError {
    /// A stable word for logs and for the form's message.
    pub fn code(&self) -> Code {
        match self {
            SignInError::Refused => Code::Refused,
            SignInError::Throttled(Refusal::RetryAt(_)) => Code::TooSoon,
            SignInError::Throttled(Refusal::Locked) => Code::Locked,
            SignInError::Storage(_) | SignInError::Password(_) => Code::Unavailable,
        }
    }
}

/// An identifier as compared: letters and digits only, in capitals, so that "12 34-56 7890"
/// and "1234567890", or "2024-ab-0042" and "2024AB0042", are the same.
pub fn normalize_identifier(typed: &str) -> String {
    typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The throttle row of a foreigner number as typed, for one kind of attempt.
pub fn identifier_throttle_key(
    hasher: &KeyedHasher,
    attempt: &str,
    foreigner_number: &str,
) -> String {
    let digits = normalize_identifier(foreigner_number);
    format!(
        "{attempt}:number:{}",
        hasher.hash("foreigner-number", &digits)
    )
}

/// The throttle rows an admitted attempt was counted in.
pub struct AdmittedAttempt {
    identifier_key: String,
    address_key: Option<String>,
}

/// Admits an attempt: from a browser known to the account (`known_device`, see
/// `KnownDevice::for_account`), under that device's own count only; from anywhere else, under
/// both the per-number and the per-address throttle.
pub async fn admit_attempt(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    attempt: &str,
    foreigner_number: &str,
    ip_hash: Option<&str>,
    known_device: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<AdmittedAttempt, ThrottleError> {
    let identifier_key = identifier_throttle_key(hasher, attempt, foreigner_number);
    admit_keyed_attempt(storage, attempt, identifier_key, ip_hash, known_device, now).await
}

/// The same for an identifier the caller has already turned into its throttle key (a staff
/// email, for instance).
pub async fn admit_keyed_attempt(
    storage: &dyn Storage,
    attempt: &str,
    identifier_key: String,
    ip_hash: Option<&str>,
    known_device: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<AdmittedAttempt, ThrottleError> {
    // The address's count applies on every path: it is generous (a reception centre's
    // connection), and it keeps a pile of device cookies from buying unbounded Argon2 work.
    let address_key = match ip_hash {
        Some(ip_hash) => {
            let key = format!("{attempt}:address:{ip_hash}");
            throttle::admit(storage, &key, &PER_CLIENT_ADDRESS, now).await?;
            Some(key)
        }
        None => None,
    };
    if let Some(device) = known_device {
        // Not the number's count: what strangers did elsewhere does not slow the owner's own
        // browser, which has a count of its own.
        let device_key = format!("{attempt}:device:{device}");
        throttle::admit(storage, &device_key, &PER_KNOWN_DEVICE, now).await?;
        return Ok(AdmittedAttempt {
            identifier_key: device_key,
            address_key,
        });
    }
    throttle::admit(storage, &identifier_key, &PER_IDENTIFIER, now).await?;
    Ok(AdmittedAttempt {
        identifier_key,
        address_key,
    })
}

/// After a success: the identifier's (or known device's) count is cleared, the shared address's
/// count loses only this attempt (many applicants may sign in from one reception centre's
/// connection).
pub async fn attempt_succeeded(
    storage: &dyn Storage,
    attempt: &AdmittedAttempt,
) -> Result<(), StorageError> {
    throttle::succeeded(storage, &attempt.identifier_key).await?;
    if let Some(key) = &attempt.address_key {
        throttle::forgive_one(storage, key).await?;
    }
    Ok(())
}

/// Audits an attempt at an applicant's door (activation, sign-in, reset): by the applicant
/// once known, anonymous otherwise.
pub async fn audit_applicant_attempt(
    storage: &dyn Storage,
    action: &'static str,
    applicant: Option<Uuid>,
    succeeded: bool,
    ip_hash: Option<String>,
) -> Result<(), StorageError> {
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: if applicant.is_some() {
                ActorKind::Applicant
            } else {
                ActorKind::Anonymous
            },
            actor_id: applicant,
            action,
            target_kind: None,
            target_id: None,
            ip_hash,
            succeeded,
        })
        .await
        .map(|_| ())
}

/// Checks number and password; the caller then asks for the second factor.
pub async fn check_password(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    request: PasswordSignIn,
    now: DateTime<Utc>,
) -> Result<Applicant, SignInError> {
    let outcome = try_check_password(storage, hasher, &request, now).await;
    let applicant = outcome.as_ref().ok().map(|applicant| applicant.id);
    audit_applicant_attempt(
        storage,
        "sign_in_password",
        applicant,
        outcome.is_ok(),
        request.ip_hash.clone(),
    )
    .await?;
    match &outcome {
        Ok(_) => tracing::info!("password accepted"),
        Err(error) => tracing::info!(reason = error.code().as_str(), "sign-in refused"),
    }
    outcome
}

async fn try_check_password(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    request: &PasswordSignIn,
    now: DateTime<Utc>,
) -> Result<Applicant, SignInError> {
    // Looked up first, known or not, so that a browser known to this account is recognised.
    let applicant = storage
        .find_applicant_by_identifier(&normalize_identifier(&request.foreigner_number))
        .await?;
    let known_device = KnownDevice::for_account(
        request.known_device,
        applicant.as_ref().map(|applicant| applicant.id),
    );
    let admitted = admit_attempt(
        storage,
        hasher,
        "sign_in",
        &request.foreigner_number,
        request.ip_hash.as_deref(),
        known_device,
        now,
    )
    .await?;
    let stored_hash = match &applicant {
        Some(applicant) => storage.applicant_password_hash(applicant.id).await?,
        None => None,
    };
    let matches = match stored_hash {
        Some(hash) => verify_password(request.password.clone(), hash).await?,
        None => {
            spend_dummy_password_check(request.password.clone()).await?;
            false
        }
    };
    match applicant {
        Some(applicant) if matches => {
            attempt_succeeded(storage, &admitted).await?;
            Ok(applicant)
        }
        _ => Err(SignInError::Refused),
    }
}

/// Lets attempts in again for one foreigner number after a lock (sign-in, activation and the
/// account's codes); audited as done by `actor`. Returns how many locks or counts were lifted.
pub async fn lift_locks(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    foreigner_number: &str,
    actor_kind: ActorKind,
    actor_id: Option<Uuid>,
) -> Result<u64, StorageError> {
    let mut keys: Vec<String> = ["sign_in", "activation", "reset"]
        .iter()
        .map(|attempt| identifier_throttle_key(hasher, attempt, foreigner_number))
        .collect();
    let applicant = storage
        .find_applicant_by_identifier(&normalize_identifier(foreigner_number))
        .await?;
    if let Some(applicant) = &applicant {
        keys.push(one_time_code::throttle_key(
            SubjectKind::Applicant,
            applicant.id,
        ));
        keys.push(one_time_code::throttle_key_for(
            SubjectKind::Applicant,
            applicant.id,
            CodePurpose::PasswordReset,
        ));
    }
    let mut lifted = 0;
    for key in &keys {
        if storage.clear_throttle(key).await? {
            lifted += 1;
        }
    }
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind,
            actor_id,
            action: "locks_lifted",
            target_kind: applicant.as_ref().map(|_| "applicant"),
            target_id: applicant.as_ref().map(|applicant| applicant.id),
            ip_hash: None,
            succeeded: true,
        })
        .await?;
    Ok(lifted)
}

/// After the password, on a device not remembered: the code to send to the verified address.
pub async fn issue_sign_in_code(
    storage: &dyn Storage,
    applicant_id: Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<IssuedCode, SignInError> {
    admit_code_send(storage, SubjectKind::Applicant, applicant_id, now).await?;
    Ok(one_time_code::issue(
        storage,
        SubjectKind::Applicant,
        applicant_id,
        CodePurpose::SignIn,
        email,
        now,
    )
    .await?)
}

/// The second step: the code typed on the new device, checked and spent. Audited either way.
pub async fn check_sign_in_code(
    storage: &dyn Storage,
    applicant_id: Uuid,
    code_id: Uuid,
    typed: &str,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), CodeError> {
    let outcome = one_time_code::redeem(
        storage,
        code_id,
        SubjectKind::Applicant,
        applicant_id,
        CodePurpose::SignIn,
        typed,
        now,
    )
    .await;
    audit_applicant_attempt(
        storage,
        "sign_in_code",
        Some(applicant_id),
        outcome.is_ok(),
        ip_hash,
    )
    .await?;
    if let Err(error) = &outcome {
        tracing::info!(reason = error.code().as_str(), "sign-in code refused");
    }
    outcome.map(|_| ())
}

/// The Argon2 work of a real check, against a hash nobody's password matches: for unknown
/// identifiers, so that timing does not tell whether an account exists.
pub async fn spend_dummy_password_check(password: Secret) -> Result<(), PasswordError> {
    verify_password(password, dummy_hash().await?.clone()).await?;
    Ok(())
}

async fn dummy_hash() -> Result<&'static String, PasswordError> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash_password(generate_password()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compared_by_their_digits() {
        let hasher = KeyedHasher::new(vec![7; 32]);
        assert_eq!(
            identifier_throttle_key(&hasher, "sign_in", "12 34-56 7890"),
            identifier_throttle_key(&hasher, "sign_in", "1234567890")
        );
        assert_ne!(
            identifier_throttle_key(&hasher, "sign_in", "1234567890"),
            identifier_throttle_key(&hasher, "activation", "1234567890")
        );
    }
}
