//! Staff accounts: invitation by a one-time enrolment link, enrolment (a password and a TOTP
//! app, both mandatory), sign-in with the three together, and what each role may do.
//!
//! Sign-in answers the same for an unknown email, a member not yet enrolled or disabled, a wrong
//! password and a wrong code, after the same Argon2 work; attempts are throttled per email as
//! typed and per client address, like applicants'.

pub mod totp;

use chrono::{DateTime, Duration, Utc};
use refusal::Code;

use crate::{
    accounts::known_device::KnownDevice,
    accounts::password::{PasswordError, hash_password, verify_password},
    accounts::password_policy::{PasswordRejection, check_new_password},
    accounts::sign_in::{admit_keyed_attempt, attempt_succeeded},
    accounts::throttle::{Refusal, ThrottleError},
    keyed_hash::KeyedHasher,
    random_token::{new_token, token_hash},
    secret::Secret,
    storage::{
        ActorKind, NewAuditEvent, NewStaffMember, StaffEnrolment, StaffMember, StaffRole, Storage,
        StorageError,
    },
};

/// How long an enrolment link works.
pub const ENROLMENT_VALIDITY: Duration = Duration::hours(72);

/// What a staff member may do; each role includes the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffPermission {
    RegisterApplicants,
    ReadDocuments,
    PushDocuments,
    WithdrawDocuments,
    CloseAccounts,
    ExportPersonalData,
    ReadAudit,
    LiftLocks,
    ManageStaff,
    ManageApiKeys,
}

pub fn may(role: StaffRole, permission: StaffPermission) -> bool {
    use StaffPermission::*;
    match permission {
        RegisterApplicants | ReadDocuments | PushDocuments => true,
        WithdrawDocuments | CloseAccounts | ExportPersonalData | ReadAudit | LiftLocks => {
            matches!(role, StaffRole::Supervisor | StaffRole::Administrator)
        }
        ManageStaff | ManageApiKeys => role == StaffRole::Administrator,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("the email address is not valid")]
    InvalidEmail,
    /// Link unknown, used or expired (deliberately one answer).
    #[error("this enrolment link no longer works")]
    LinkNotValid,
    #[error("the password cannot be used: {0}")]
    WeakPassword(PasswordRejection),
    #[error("the code from the app is not correct")]
    WrongCode,
    /// Email, password or code wrong, or the account not usable (deliberately one answer).
    #[error("the sign-in details are not correct")]
    Refused,
    /// Administrators do not change their own role or disable themselves: another one does, so
    /// that the office is never left without one by mistake.
    #[error("staff members cannot change their own account this way")]
    NotOnYourself,
    #[error("no such staff member")]
    UnknownMember,
    #[error(transparent)]
    Throttled(Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl From<ThrottleError> for StaffError {
    fn from(error: ThrottleError) -> Self {
        match error {
            ThrottleError::Refused(refusal) => StaffError::Throttled(refusal),
            ThrottleError::Storage(error) => StaffError::Storage(error),
        }
    }
}

impl StaffError {
    pub fn code(&self) -> Code {
        match self {
            StaffError::InvalidEmail => Code::Email,
            StaffError::LinkNotValid => Code::Link,
            StaffError::WeakPassword(rejection) => rejection.code(),
            StaffError::WrongCode => Code::CodeWrong,
            StaffError::Refused => Code::Refused,
            StaffError::NotOnYourself => Code::NotYourself,
            StaffError::UnknownMember => Code::UnknownMember,
            StaffError::Throttled(Refusal::RetryAt(_)) => Code::TooSoon,
            StaffError::Throttled(Refusal::Locked) => Code::Locked,
            StaffError::Storage(_) | StaffError::Password(_) => Code::Unavailable,
        }
    }
}

/// Creates a staff member who must enrol through the returned one-time link token.
pub async fn invite(
    storage: &dyn Storage,
    email: &str,
    display_name: &str,
    role: StaffRole,
    invited_by: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> Result<(StaffMember, Secret), StaffError> {
    let email = crate::accounts::contact::normalize_email(email)
        .map_err(|_| StaffError::InvalidEmail)?
        .to_lowercase();
    let member = storage
        .insert_staff_member(&NewStaffMember {
            email,
            display_name: display_name.trim().to_owned(),
            role,
            password_hash: String::new(),
        })
        .await?;
    let token = new_link_token(storage, &member, now).await?;
    audit(
        storage,
        invited_by,
        "staff_invited",
        Some(member.id),
        true,
        None,
    )
    .await?;
    Ok((member, token))
}

async fn new_link_token(
    storage: &dyn Storage,
    member: &StaffMember,
    now: DateTime<Utc>,
) -> Result<Secret, StorageError> {
    let token = new_token();
    storage
        .create_staff_enrolment(
            member.id,
            &token_hash(&token),
            now,
            now + ENROLMENT_VALIDITY,
        )
        .await?;
    Ok(Secret::new(token))
}

/// The member an open link enrols, to show on the enrolment page.
pub async fn open_enrolment(
    storage: &dyn Storage,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(StaffEnrolment, StaffMember), StaffError> {
    let enrolment = storage
        .find_staff_enrolment(&token_hash(token))
        .await?
        .filter(|enrolment| enrolment.used_at.is_none() && enrolment.expires_at > now)
        .ok_or(StaffError::LinkNotValid)?;
    let member = storage
        .find_staff_member(enrolment.staff_member_id)
        .await?
        .filter(|member| member.disabled_at.is_none())
        .ok_or(StaffError::LinkNotValid)?;
    Ok((enrolment, member))
}

pub struct Enrolment {
    pub token: Secret,
    pub new_password: Secret,
    /// The secret shown on the enrolment page and typed or scanned into the app.
    pub totp_secret: Secret,
    /// A code from the app, proving it holds the secret.
    pub code: String,
    pub ip_hash: Option<String>,
}

pub async fn complete_enrolment(
    storage: &dyn Storage,
    enrolment: Enrolment,
    now: DateTime<Utc>,
) -> Result<StaffMember, StaffError> {
    let (link, member) = open_enrolment(storage, enrolment.token.expose(), now).await?;
    check_new_password(enrolment.new_password.expose(), &[&member.email])
        .map_err(StaffError::WeakPassword)?;
    // The secret comes back from the form: one we did not make (too short) is refused.
    if !totp::is_strong_secret(enrolment.totp_secret.expose()) {
        return Err(StaffError::WrongCode);
    }
    let step = totp::matching_step(
        enrolment.totp_secret.expose(),
        &enrolment.code,
        now.timestamp(),
    )
    .ok_or(StaffError::WrongCode)?;
    let password_hash = hash_password(enrolment.new_password).await?;
    let done = storage
        .complete_staff_enrolment(
            link.id,
            &password_hash,
            enrolment.totp_secret.expose(),
            step,
            now,
        )
        .await?;
    if !done {
        return Err(StaffError::LinkNotValid);
    }
    audit(
        storage,
        Some(member.id),
        "staff_enrolled",
        Some(member.id),
        true,
        enrolment.ip_hash,
    )
    .await?;
    Ok(member)
}

/// An administrator gives another member a new role. Audited.
pub async fn change_role(
    storage: &dyn Storage,
    by: &StaffMember,
    member_id: uuid::Uuid,
    role: StaffRole,
) -> Result<(), StaffError> {
    if member_id == by.id {
        return Err(StaffError::NotOnYourself);
    }
    if !storage.set_staff_role(member_id, role).await? {
        return Err(StaffError::UnknownMember);
    }
    audit(
        storage,
        Some(by.id),
        "staff_role_changed",
        Some(member_id),
        true,
        None,
    )
    .await?;
    Ok(())
}

/// An administrator disables another member: no more sign-in, every session ends. Audited.
pub async fn disable(
    storage: &dyn Storage,
    by: &StaffMember,
    member_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(), StaffError> {
    if member_id == by.id {
        return Err(StaffError::NotOnYourself);
    }
    if storage.find_staff_member(member_id).await?.is_none() {
        return Err(StaffError::UnknownMember);
    }
    storage.disable_staff_member(member_id, now).await?;
    storage
        .revoke_sessions_of(crate::storage::SubjectKind::Staff, member_id, now)
        .await?;
    audit(
        storage,
        Some(by.id),
        "staff_disabled",
        Some(member_id),
        true,
        None,
    )
    .await?;
    Ok(())
}

pub struct StaffSignIn {
    pub email: String,
    pub password: Secret,
    pub code: String,
    pub ip_hash: Option<String>,
    /// What this browser's device cookie says, if it has one.
    pub known_device: Option<KnownDevice>,
}

/// The throttle row of a staff email as typed.
pub fn email_throttle_key(hasher: &KeyedHasher, email: &str) -> String {
    let email = email.trim().to_lowercase();
    format!("staff_sign_in:email:{}", hasher.hash("staff-email", &email))
}

pub async fn sign_in(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    request: StaffSignIn,
    now: DateTime<Utc>,
) -> Result<StaffMember, StaffError> {
    let outcome = try_sign_in(storage, hasher, &request, now).await;
    let actor = outcome.as_ref().ok().map(|member| member.id);
    audit(
        storage,
        actor,
        "staff_sign_in",
        None,
        outcome.is_ok(),
        request.ip_hash.clone(),
    )
    .await?;
    if let Err(error) = &outcome {
        tracing::info!(reason = error.code().as_str(), "staff sign-in refused");
    }
    outcome
}

async fn try_sign_in(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    request: &StaffSignIn,
    now: DateTime<Utc>,
) -> Result<StaffMember, StaffError> {
    let email = request.email.trim().to_lowercase();
    // Looked up first, so that a browser known to this member is recognised.
    let member = storage
        .find_staff_member_by_email(&email)
        .await?
        .filter(|member| member.enrolled_at.is_some() && member.disabled_at.is_none());
    let known_device = KnownDevice::for_account(
        request.known_device,
        member.as_ref().map(|member| member.id),
    );
    let admitted = admit_keyed_attempt(
        storage,
        "staff_sign_in",
        email_throttle_key(hasher, &email),
        request.ip_hash.as_deref(),
        known_device,
        now,
    )
    .await?;
    let password_ok = match &member {
        Some(member) => {
            verify_password(request.password.clone(), member.password_hash.clone()).await?
        }
        None => {
            crate::accounts::sign_in::spend_dummy_password_check(request.password.clone()).await?;
            false
        }
    };
    let Some(member) = member.filter(|_| password_ok) else {
        return Err(StaffError::Refused);
    };
    let secret = storage
        .staff_totp_secret(member.id)
        .await?
        .ok_or(StaffError::Refused)?;
    let step =
        totp::matching_step(&secret, &request.code, now.timestamp()).ok_or(StaffError::Refused)?;
    // A code seen once (by us, or by someone looking over a shoulder) never works again.
    if !storage.use_totp_step(member.id, step).await? {
        return Err(StaffError::Refused);
    }
    attempt_succeeded(storage, &admitted).await?;
    Ok(member)
}

/// Clears the waits on a staff email (after an administrator or `lift-locks --email` checked
/// who is asking), audited as done by `actor_id` (`None`: the command line). Returns whether
/// there was anything to clear.
pub async fn lift_staff_locks(
    storage: &dyn Storage,
    hasher: &KeyedHasher,
    email: &str,
    actor_id: Option<uuid::Uuid>,
) -> Result<bool, StorageError> {
    let lifted = storage
        .clear_throttle(&email_throttle_key(hasher, email))
        .await?;
    let member = storage
        .find_staff_member_by_email(&email.trim().to_lowercase())
        .await?;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: if actor_id.is_some() {
                ActorKind::Staff
            } else {
                ActorKind::System
            },
            actor_id,
            action: "staff_locks_lifted",
            target_kind: member.as_ref().map(|_| "staff_member"),
            target_id: member.map(|member| member.id),
            ip_hash: None,
            succeeded: true,
        })
        .await?;
    Ok(lifted)
}

async fn audit(
    storage: &dyn Storage,
    actor_id: Option<uuid::Uuid>,
    action: &'static str,
    target_id: Option<uuid::Uuid>,
    succeeded: bool,
    ip_hash: Option<String>,
) -> Result<(), StorageError> {
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: if actor_id.is_some() {
                ActorKind::Staff
            } else {
                ActorKind::Anonymous
            },
            actor_id,
            action,
            target_kind: target_id.map(|_| "staff_member"),
            target_id,
            ip_hash,
            succeeded,
        })
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_one_before() {
        use StaffPermission::*;
        let all = [
            RegisterApplicants,
            PushDocuments,
            WithdrawDocuments,
            ReadAudit,
            LiftLocks,
            ManageStaff,
            ManageApiKeys,
        ];
        let allowed = |role| all.iter().filter(|p| may(role, **p)).count();
        assert_eq!(allowed(StaffRole::Agent), 2);
        assert_eq!(allowed(StaffRole::Supervisor), 5);
        assert_eq!(allowed(StaffRole::Administrator), 7);
        assert!(!may(StaffRole::Agent, LiftLocks));
        assert!(!may(StaffRole::Supervisor, ManageStaff));
    }
}
