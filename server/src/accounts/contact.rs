//! The applicant's email address and phone number: checked for shape, then kept only once the
//! code sent to it has been typed back (`one_time_code`). Sending codes is throttled per
//! account, so that nobody can use the portal to flood an inbox or a phone. Either can be
//! removed while the other remains, since sign-in codes need somewhere to go; and the applicant
//! picks which of them announce new documents.

use chrono::{DateTime, Duration, Utc};
use refusal::Code;
use uuid::Uuid;

use crate::{
    accounts::one_time_code::{self, IssuedCode},
    accounts::throttle::{self, Refusal, ThrottleError, ThrottlePolicy},
    notifications::waiting_announcements::announce_waiting,
    storage::{
        ActorKind, Applicant, Channel, CodePurpose, ContactKind, NewAuditEvent,
        NotificationChannels, PushSubscription, ReplacedContact, Storage, StorageError,
        SubjectKind,
    },
};

/// Where a code (or a notification) can reach the applicant: a verified email, or a verified
/// phone by SMS.
#[derive(Clone, PartialEq, Eq)]
pub enum ContactPoint {
    Email(String),
    Phone(String),
}

// Addresses and numbers stay out of logs.
impl std::fmt::Debug for ContactPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContactPoint::Email(_) => "ContactPoint::Email(..)",
            ContactPoint::Phone(_) => "ContactPoint::Phone(..)",
        })
    }
}

impl ContactPoint {
    /// Where codes go: the verified email, else the verified phone.
    pub fn for_codes(applicant: &Applicant) -> Option<ContactPoint> {
        applicant
            .email
            .clone()
            .map(ContactPoint::Email)
            .or_else(|| applicant.phone.clone().map(ContactPoint::Phone))
    }

    pub fn as_str(&self) -> &str {
        match self {
            ContactPoint::Email(text) | ContactPoint::Phone(text) => text,
        }
    }

    fn kept(kind: ContactKind, value: String) -> ContactPoint {
        match kind {
            ContactKind::Email => ContactPoint::Email(value),
            ContactKind::Phone => ContactPoint::Phone(value),
        }
    }

    /// The contacts replaced or removed within the cooling-off period, other than `current`.
    pub async fn cooling_off(
        storage: &dyn Storage,
        applicant_id: Uuid,
        current: Option<&ContactPoint>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ContactPoint>, StorageError> {
        let mut points: Vec<ContactPoint> = Vec::new();
        for kept in storage
            .replaced_contacts_since(applicant_id, now - COOLING_OFF)
            .await?
        {
            let point = ContactPoint::kept(kept.kind, kept.value);
            if Some(&point) != current && !points.contains(&point) {
                points.push(point);
            }
        }
        Ok(points)
    }
}

/// Codes sent to one account: a few at once, then one every little while.
pub const CODE_SENDS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    base_delay: Duration::seconds(30),
    max_delay: Duration::minutes(15),
    lock_after: None,
    window: Duration::hours(1),
};

/// How long an email or phone the applicant replaced or removed still receives password reset
/// codes; a reset completed meanwhile puts it back. Whoever changed it had the password, but
/// the person who owned the address is the one who can tell a takeover from a move.
pub const COOLING_OFF: Duration = Duration::hours(72);

/// Keeps `previous` for the cooling-off period.
async fn keep_for_cooling_off(
    storage: &dyn Storage,
    applicant_id: Uuid,
    kind: ContactKind,
    previous: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let kept = ReplacedContact {
        kind,
        value: previous.to_owned(),
        replaced_at: now,
    };
    storage
        .keep_replaced_contact(applicant_id, &kept, now - COOLING_OFF)
        .await
}

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("the email address is not valid")]
    InvalidEmail,
    #[error("the phone number is not valid")]
    InvalidPhone,
    #[error("the last verified contact cannot be removed")]
    LastContact,
    #[error(transparent)]
    Push(crate::notifications::web_push::PushError),
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
    pub fn code(&self) -> Code {
        match self {
            ContactError::InvalidEmail => Code::Email,
            ContactError::InvalidPhone => Code::Phone,
            ContactError::LastContact => Code::LastContact,
            ContactError::Push(_) => Code::Push,
            ContactError::Throttled(Refusal::RetryAt(_)) => Code::TooSoon,
            ContactError::Throttled(Refusal::Locked) => Code::Locked,
            ContactError::Storage(_) => Code::Unavailable,
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

/// The number as it will be stored and dialled: E.164 (`+` and 8 to 15 digits). Spaces, dots,
/// dashes and brackets are dropped; `00` is read as `+`; a ten-digit number starting with 0 is
/// a French one, as the office's applicants are mostly given.
pub fn normalize_phone(typed: &str) -> Result<String, ContactError> {
    let compact: String = typed
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
        .collect();
    let international = if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else if compact.len() == 10 && compact.starts_with('0') {
        format!("+33{}", &compact[1..])
    } else {
        compact
    };
    let digits = international
        .strip_prefix('+')
        .ok_or(ContactError::InvalidPhone)?;
    let valid = (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if !valid {
        return Err(ContactError::InvalidPhone);
    }
    Ok(international)
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

/// An applicant's change to their own contact settings, in the audit log.
async fn audit_own_change(
    storage: &dyn Storage,
    applicant_id: Uuid,
    action: &'static str,
    ip_hash: Option<String>,
) -> Result<(), StorageError> {
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::Applicant,
            actor_id: Some(applicant_id),
            action,
            target_kind: Some("applicant"),
            target_id: Some(applicant_id),
            ip_hash,
            succeeded: true,
        })
        .await?;
    Ok(())
}

/// Issues the code that will prove the applicant reads `typed_email`; the caller sends it.
pub async fn request_email_verification(
    storage: &dyn Storage,
    applicant_id: Uuid,
    typed_email: &str,
    now: DateTime<Utc>,
) -> Result<(String, IssuedCode), ContactError> {
    let email = normalize_email(typed_email)?;
    issue_verification_code(storage, applicant_id, CodePurpose::VerifyEmail, email, now).await
}

/// Issues the code that will prove the applicant holds the phone `typed_phone`; the caller
/// sends it by SMS.
pub async fn request_phone_verification(
    storage: &dyn Storage,
    applicant_id: Uuid,
    typed_phone: &str,
    now: DateTime<Utc>,
) -> Result<(String, IssuedCode), ContactError> {
    let phone = normalize_phone(typed_phone)?;
    issue_verification_code(storage, applicant_id, CodePurpose::VerifyPhone, phone, now).await
}

/// A code for `destination`, within the per-account limit on codes sent.
async fn issue_verification_code(
    storage: &dyn Storage,
    applicant_id: Uuid,
    purpose: CodePurpose,
    destination: String,
    now: DateTime<Utc>,
) -> Result<(String, IssuedCode), ContactError> {
    admit_code_send(storage, SubjectKind::Applicant, applicant_id, now).await?;
    let code = one_time_code::issue(
        storage,
        SubjectKind::Applicant,
        applicant_id,
        purpose,
        &destination,
        now,
    )
    .await?;
    Ok((destination, code))
}

/// Forgets a verified email or phone unless it is the last one, and keeps it for the
/// cooling-off period. Audited. What was removed, to be told.
pub async fn remove_contact(
    storage: &dyn Storage,
    applicant_id: Uuid,
    kind: ContactKind,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<ContactPoint>, ContactError> {
    let before = storage.find_applicant(applicant_id).await?;
    let previous = before.and_then(|applicant| match kind {
        ContactKind::Email => applicant.email,
        ContactKind::Phone => applicant.phone,
    });
    if !storage.remove_applicant_contact(applicant_id, kind).await? {
        return Err(ContactError::LastContact);
    }
    if let Some(previous) = &previous {
        keep_for_cooling_off(storage, applicant_id, kind, previous, now).await?;
    }
    let action = match kind {
        ContactKind::Email => "email_removed",
        ContactKind::Phone => "phone_removed",
    };
    audit_own_change(storage, applicant_id, action, ip_hash).await?;
    Ok(previous.map(|previous| ContactPoint::kept(kind, previous)))
}

/// The channels that announce new documents. Audited: a channel turned off explains a
/// notification nobody received.
pub async fn choose_channels(
    storage: &dyn Storage,
    applicant_id: Uuid,
    channels: NotificationChannels,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ContactError> {
    storage
        .set_notification_channels(applicant_id, channels)
        .await?;
    audit_own_change(
        storage,
        applicant_id,
        "notification_channels_changed",
        ip_hash,
    )
    .await?;
    announce_waiting(storage, applicant_id, None, now).await;
    Ok(())
}

/// Forgets the email or phone given at registration: the applicant says it is not theirs, or
/// no longer. Audited. Whether there was one.
pub async fn remove_given_contact(
    storage: &dyn Storage,
    applicant_id: Uuid,
    kind: ContactKind,
    ip_hash: Option<String>,
) -> Result<bool, ContactError> {
    if !storage.forget_given_contact(applicant_id, kind).await? {
        return Ok(false);
    }
    let action = match kind {
        ContactKind::Email => "given_email_removed",
        ContactKind::Phone => "given_phone_removed",
    };
    audit_own_change(storage, applicant_id, action, ip_hash).await?;
    Ok(true)
}

/// Keeps a browser's Web Push subscription for this applicant, once checked (an accepted push
/// service, real keys). Audited.
pub async fn subscribe_push(
    storage: &dyn Storage,
    services: &crate::notifications::web_push::PushServices,
    applicant_id: Uuid,
    subscription: (&str, &str, &str),
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ContactError> {
    let (endpoint, p256dh, auth) = subscription;
    let (endpoint, p256dh, auth) =
        crate::notifications::web_push::check_subscription(services, endpoint, p256dh, auth)
            .map_err(ContactError::Push)?;
    storage
        .save_push_subscription(&PushSubscription {
            id: Uuid::new_v4(),
            applicant_id,
            endpoint,
            p256dh,
            auth,
            created_at: now,
        })
        .await?;
    audit_own_change(storage, applicant_id, "push_subscribed", ip_hash).await?;
    announce_waiting(storage, applicant_id, Some(Channel::Push), now).await;
    Ok(())
}

/// A contact confirmed, and the one it replaced: the owner of that one is told, in case it was
/// not them (a borrowed phone, a password seen over a shoulder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedContact {
    pub kind: ContactKind,
    pub replaced: Option<ContactPoint>,
}

/// The code typed back: the address or number is recorded with it, both or neither. Audited
/// either way.
pub async fn confirm_contact(
    storage: &dyn Storage,
    applicant_id: Uuid,
    code_id: Uuid,
    typed: &str,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<ConfirmedContact, one_time_code::CodeError> {
    // Which of the two the code verifies is the code's own business; `redeem` checks that
    // it is this applicant's.
    let purpose = match storage.find_one_time_code(code_id).await? {
        Some(code) if code.purpose == CodePurpose::VerifyPhone => CodePurpose::VerifyPhone,
        _ => CodePurpose::VerifyEmail,
    };
    let before = storage.find_applicant(applicant_id).await?;
    let outcome = one_time_code::redeem(
        storage,
        code_id,
        SubjectKind::Applicant,
        applicant_id,
        purpose,
        typed,
        now,
    )
    .await;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::Applicant,
            actor_id: Some(applicant_id),
            action: match purpose {
                CodePurpose::VerifyPhone => "phone_verified",
                _ => "email_verified",
            },
            target_kind: Some("applicant"),
            target_id: Some(applicant_id),
            ip_hash,
            succeeded: outcome.is_ok(),
        })
        .await?;
    let record = outcome?;
    let kind = match purpose {
        CodePurpose::VerifyPhone => ContactKind::Phone,
        _ => ContactKind::Email,
    };
    let replaced = before
        .and_then(|applicant| match kind {
            ContactKind::Phone => applicant.phone.map(ContactPoint::Phone),
            ContactKind::Email => applicant.email.map(ContactPoint::Email),
        })
        .filter(|previous| previous.as_str() != record.destination);
    // After the code was spent: a failure here leaves the change made and reports unavailable.
    if let Some(previous) = &replaced {
        keep_for_cooling_off(storage, applicant_id, kind, previous.as_str(), now).await?;
    }
    let fresh = match kind {
        ContactKind::Email => Channel::Email,
        ContactKind::Phone => Channel::Sms,
    };
    announce_waiting(storage, applicant_id, Some(fresh), now).await;
    Ok(ConfirmedContact { kind, replaced })
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

    #[test]
    fn phone_numbers_become_e164() {
        for (typed, stored) in [
            ("06 12 34 56 78", "+33612345678"),
            ("06.12.34.56.78", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("0033612345678", "+33612345678"),
            ("+93 70 123 4567", "+93701234567"),
            (" +44 (20) 7946-0958 ", "+442079460958"),
        ] {
            assert_eq!(normalize_phone(typed).unwrap(), stored, "{typed}");
        }
        for bad in [
            "",
            "612345678",
            "+0612345678",
            "+33 6 12 ab 56 78",
            "+1234567",
            "+1234567890123456",
            "+336123\n45678",
        ] {
            assert!(normalize_phone(bad).is_err(), "{bad:?}");
        }
    }
}
