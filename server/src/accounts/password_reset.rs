//! "Forgotten password": a code sent to the applicant's verified email (or phone), typed back with a new
//! password. No answer of either step tells whether the number has an account (an unknown
//! number gets a stand-in subject whose code goes nowhere); the code proves the same thing as
//! the second factor does, and afterwards every session ends and every remembered device is
//! forgotten, so the next sign-in on any device asks for a code again.

use chrono::{DateTime, Utc};
use refusal::Code;
use uuid::Uuid;

use crate::notifications::waiting_announcements::announce_waiting;
use crate::{
    accounts::contact::{CODE_SENDS, COOLING_OFF, ContactPoint},
    accounts::known_device::KnownDevice,
    accounts::one_time_code::{self, CodeError},
    accounts::password::{PasswordError, hash_password},
    accounts::password_policy::{PasswordRejection, check_applicants_password, check_new_password},
    accounts::sign_in::{admit_attempt, audit_applicant_attempt, normalize_identifier},
    accounts::throttle::{self, Refusal, ThrottleError},
    keyed_hash::KeyedHasher,
    secret::Secret,
    storage::{CodePurpose, Storage, StorageError, SubjectKind},
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
    pub fn code(&self) -> Code {
        match self {
            ResetError::Code(error) => error.code(),
            ResetError::WeakPassword(rejection) => rejection.code(),
            ResetError::Throttled(Refusal::RetryAt(_)) => Code::TooSoon,
            ResetError::Throttled(Refusal::Locked) => Code::Locked,
            ResetError::Storage(_) | ResetError::Password(_) => Code::Unavailable,
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
    /// The contacts replaced or removed within the cooling-off period: the same code goes there.
    pub also_to: Vec<ContactPoint>,
    pub preferred_language: String,
    pub digits: Secret,
}

/// The subject a reset for `normalized` names when the number has no reachable account: the
/// same for every request about that number, so that its codes, their counts and their waits
/// behave exactly as a real account's would. No account can have it (ids are random v4 UUIDs;
/// this one comes from a keyed hash).
fn stand_in_subject(hasher: &KeyedHasher, normalized: &str) -> Uuid {
    let hash = Uuid::parse_str(&hasher.hash("reset-stand-in", normalized)).unwrap_or_default();
    // Shaped like every real id (version 4, RFC variant): the pending cookie is readable, and
    // an id of another shape would tell a stand-in from an account.
    uuid::Builder::from_random_bytes(hash.into_bytes()).into_uuid()
}

/// Starts a reset. Whether or not the number has an account someone can reach, the same steps
/// run and the same answer comes back: an unknown number gets a stand-in subject, a real code
/// row no one receives, the same counts and the same waits.
pub async fn request_reset(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    foreigner_number: &str,
    known_device: Option<KnownDevice>,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<ResetRequest, ResetError> {
    let normalized = normalize_identifier(foreigner_number);
    let applicant = storage.find_applicant_by_identifier(&normalized).await?;
    let device = KnownDevice::for_account(known_device, applicant.as_ref().map(|a| a.id));
    // Counted for every request and never cleared by one: a request proves nothing, and
    // clearing the count for real accounts only would tell which numbers have one.
    admit_attempt(
        storage,
        hasher,
        "reset",
        foreigner_number,
        ip_hash.as_deref(),
        device,
        now,
    )
    .await?;
    let reachable = applicant
        .filter(|applicant| applicant.activated_at.is_some())
        .and_then(|applicant| ContactPoint::for_codes(&applicant).map(|to| (applicant, to)));
    let (subject, destination) = match &reachable {
        Some((applicant, to)) => (applicant.id, to.as_str().to_owned()),
        None => (stand_in_subject(hasher, &normalized), String::new()),
    };
    // Looked up for a stand-in too (it finds nothing): the same work either way.
    let current = reachable.as_ref().map(|(_, to)| to);
    let also_to = ContactPoint::cooling_off(storage, subject, current, now).await?;
    // Reset sends count on a row of their own: a stranger asking for resets must not use up the
    // owner's sign-in codes, and the owner's own sends must not show through here.
    let sends = format!("code-send:reset:{subject}");
    throttle::admit(storage, &sends, &CODE_SENDS, now).await?;
    let code = one_time_code::issue(
        storage,
        SubjectKind::Applicant,
        subject,
        CodePurpose::PasswordReset,
        &destination,
        now,
    )
    .await?;
    let applicant_id = reachable.as_ref().map(|(applicant, _)| applicant.id);
    audit_applicant_attempt(
        storage,
        "password_reset_request",
        applicant_id,
        applicant_id.is_some(),
        ip_hash,
    )
    .await?;
    Ok(ResetRequest {
        subject,
        code_id: code.record.id,
        delivery: reachable.map(|(applicant, to)| ResetDelivery {
            to,
            also_to,
            preferred_language: applicant.message_language().to_owned(),
            digits: code.digits,
        }),
    })
}

/// The code typed back with the new password. Nothing changes unless both are good. What can
/// be said of the password without knowing whose it is comes first, then the code; only a
/// right code leads to the checks that need the person (their number and birth date in the
/// password), so no answer differs between a real account and a stand-in.
pub async fn complete_reset(
    storage: &dyn Storage,
    subject: Uuid,
    code_id: Uuid,
    typed_code: &str,
    new_password: Secret,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ResetError> {
    check_new_password(new_password.expose(), &[]).map_err(ResetError::WeakPassword)?;
    let checked = one_time_code::check(
        storage,
        code_id,
        SubjectKind::Applicant,
        subject,
        CodePurpose::PasswordReset,
        typed_code,
        now,
    )
    .await;
    let applicant = storage.find_applicant(subject).await?;
    let actor = applicant.as_ref().map(|applicant| applicant.id);
    let (code, applicant) = match (checked, applicant) {
        (Ok(record), Some(applicant)) => (record, applicant),
        (Err(error), _) => {
            audit_applicant_attempt(storage, "password_reset", actor, false, ip_hash).await?;
            return Err(error.into());
        }
        // A stand-in's code, guessed: there is nobody to reset.
        (Ok(_), None) => return Err(CodeError::NoLongerValid.into()),
    };
    let number = applicant.foreigner_number.clone().unwrap_or_default();
    // The code is kept: the person types another password with the same code.
    check_applicants_password(new_password.expose(), &number, applicant.date_of_birth)
        .map_err(ResetError::WeakPassword)?;
    one_time_code::spend(storage, &code, now).await?;
    let password_hash = hash_password(new_password).await?;
    storage
        .set_applicant_password(subject, &password_hash)
        .await?;
    storage
        .revoke_sessions_of(SubjectKind::Applicant, subject, now)
        .await?;
    storage.forget_devices(subject, now).await?;
    audit_applicant_attempt(
        storage,
        "password_reset",
        Some(subject),
        true,
        ip_hash.clone(),
    )
    .await?;
    // A reset within the cooling-off period undoes the contact changes made in it.
    let restored = storage
        .restore_replaced_contacts(subject, now - COOLING_OFF, now)
        .await?;
    if !restored.is_empty() {
        audit_applicant_attempt(storage, "contact_restored", Some(subject), true, ip_hash).await?;
        announce_waiting(storage, subject, None, now).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stand_in_looks_like_any_account_id() {
        let hasher = KeyedHasher::new(vec![3; 32]);
        for number in ["0700000001", "0799999999", "2024AB0042"] {
            let id = stand_in_subject(&hasher, number);
            assert_eq!(id.get_version_num(), 4, "{number}");
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{number}");
            assert_eq!(id, stand_in_subject(&hasher, number), "stable per number");
        }
        assert_ne!(
            stand_in_subject(&hasher, "0700000001"),
            stand_in_subject(&hasher, "0700000002")
        );
    }
}
