//! The applicant's email address: checked for shape, then kept only once the code sent to it
//! has been typed back (`one_time_code`). Sending codes is throttled per account, so that
//! nobody can use the portal to flood an inbox.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    one_time_code::{self, IssuedCode},
    storage::{ActorKind, CodePurpose, NewAuditEvent, Storage, StorageError, SubjectKind},
    throttle::{self, Refusal, ThrottleError, ThrottlePolicy},
};

/// Codes sent to one account: a few at once, then one every little while.
pub const CODE_SENDS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    base_delay: Duration::seconds(30),
    max_delay: Duration::minutes(15),
    lock_after: None,
    window: Duration::hours(1),
};

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("the email address is not valid")]
    InvalidEmail,
    #[error(transparent)]
    Throttled(Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ThrottleError> for ContactError {
    fn from(error: ThrottleError) -> Self {
        match error {
            ThrottleError::Refused(refusal) => ContactError::Throttled(refusal),
            ThrottleError::Storage(error) => ContactError::Storage(error),
        }
    }
}

impl ContactError {
    pub fn code(&self) -> &'static str {
        match self {
            ContactError::InvalidEmail => "email",
            ContactError::Throttled(Refusal::RetryAt(_)) => "too_soon",
            ContactError::Throttled(Refusal::Locked) => "locked",
            ContactError::Storage(_) => "unavailable",
        }
    }
}

/// The address as it will be stored: trimmed, domain in lower case. Deliberately plain: one
/// `@`, no spaces or angle brackets, a dotted domain, and the lengths SMTP allows.
pub fn normalize_email(typed: &str) -> Result<String, ContactError> {
    let typed = typed.trim();
    let (local, domain) = typed.rsplit_once('@').ok_or(ContactError::InvalidEmail)?;
    let plain = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"@\\".contains(c))
    };
    let domain_ok = plain(domain)
        && domain.len() <= 253
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if !plain(local) || local.len() > 64 || !domain_ok || typed.len() > 254 {
        return Err(ContactError::InvalidEmail);
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// Counts one code sent to this subject; refused past the limit.
pub async fn admit_code_send(
    storage: &dyn Storage,
    subject_kind: SubjectKind,
    subject_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ThrottleError> {
    let key = format!("code-send:{}:{subject_id}", subject_kind.as_str());
    throttle::admit(storage, &key, &CODE_SENDS, now).await
}

/// Issues the code that will prove the applicant reads `typed_email`; the caller sends it.
pub async fn request_email_verification(
    storage: &dyn Storage,
    applicant_id: Uuid,
    typed_email: &str,
    now: DateTime<Utc>,
) -> Result<(String, IssuedCode), ContactError> {
    let email = normalize_email(typed_email)?;
    admit_code_send(storage, SubjectKind::Applicant, applicant_id, now).await?;
    let code = one_time_code::issue(
        storage,
        SubjectKind::Applicant,
        applicant_id,
        CodePurpose::VerifyEmail,
        &email,
        now,
    )
    .await?;
    Ok((email, code))
}

/// The code typed back: the address is recorded with it, both or neither. Audited either way.
pub async fn confirm_email(
    storage: &dyn Storage,
    applicant_id: Uuid,
    code_id: Uuid,
    typed: &str,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), one_time_code::CodeError> {
    let outcome = one_time_code::redeem(
        storage,
        code_id,
        SubjectKind::Applicant,
        applicant_id,
        CodePurpose::VerifyEmail,
        typed,
        now,
    )
    .await;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::Applicant,
            actor_id: Some(applicant_id),
            action: "email_verified",
            target_kind: Some("applicant"),
            target_id: Some(applicant_id),
            ip_hash,
            succeeded: outcome.is_ok(),
        })
        .await?;
    outcome.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_pass_and_odd_ones_do_not() {
        assert_eq!(
            normalize_email("  Amina.Y+portal@Example.ORG ").unwrap(),
            "Amina.Y+portal@example.org"
        );
        for bad in [
            "",
            "amina",
            "amina@",
            "@example.org",
            "amina@localhost",
            "amina@exa mple.org",
            "Amina <amina@example.org>",
            "amina@example..org",
            "amina@-example.org",
            "a\r\nBcc: x@y.z@example.org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert!(normalize_email(&long_local).is_err());
    }
}
