//! Retention (GDPR): how long the portal keeps what it holds, closing and reopening an account,
//! and the job that erases what is due (`purge`).
//!
//! A closed account stays readable, so the applicant can still download their decision, until
//! `EU_RETENTION_CLOSED_ACCOUNT_DAYS` after closing; then the account and everything in it is
//! erased. Kinds named in `EU_RETENTION_DOCUMENT_DAYS` are erased that many days after they were
//! made available, even from an open account. What stays is the `erasures` record: ids, kind,
//! dates and the document's SHA-256, the proof that a notification happened, naming no one.

pub mod data_export;
pub mod policy;
pub mod purge;

use chrono::{DateTime, Utc};
use refusal::Code;
use uuid::Uuid;

use crate::{
    Services,
    staff::{StaffPermission, may},
    storage::{ActorKind, NewAuditEvent, StaffMember, StorageError},
};

pub use policy::RetentionPolicy;

#[derive(Debug, thiserror::Error)]
pub enum ClosureError {
    #[error("only supervisors may close or reopen an account")]
    NotAllowed,
    #[error("no applicant has this id")]
    NotFound,
    #[error("the account is already closed or already open")]
    Unchanged,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ClosureError {
    /// A stable code for forms, worded in the reader's language by the page.
    pub fn code(&self) -> Code {
        match self {
            ClosureError::NotAllowed => Code::Forbidden,
            ClosureError::NotFound => Code::NotFound,
            ClosureError::Unchanged => Code::Unchanged,
            ClosureError::Storage(_) => Code::Unavailable,
        }
    }
}

/// Closes the applicant's account (the file is over) or reopens it (closed by mistake, or the
/// case starts again); returns the closing time, `None` once reopened.
#[tracing::instrument(skip_all, fields(applicant = %applicant_id, staff = %member.id, close))]
pub async fn set_closed(
    services: &Services,
    member: &StaffMember,
    applicant_id: Uuid,
    close: bool,
) -> Result<Option<DateTime<Utc>>, ClosureError> {
    if member.disabled_at.is_some() || !may(member.role, StaffPermission::CloseAccounts) {
        return Err(ClosureError::NotAllowed);
    }
    if services
        .storage
        .find_applicant(applicant_id)
        .await?
        .is_none()
    {
        return Err(ClosureError::NotFound);
    }
    let now = services.clock.now();
    let event = NewAuditEvent {
        actor_kind: ActorKind::Staff,
        actor_id: Some(member.id),
        action: if close {
            "account_closed"
        } else {
            "account_reopened"
        },
        target_kind: Some("applicant"),
        target_id: Some(applicant_id),
        ip_hash: None,
        succeeded: true,
    };
    let closed = close.then_some((now, member.id));
    if !services
        .storage
        .set_account_closed(applicant_id, closed, &event)
        .await?
    {
        return Err(ClosureError::Unchanged);
    }
    tracing::info!("account closure changed");
    Ok(closed.map(|(at, _)| at))
}
