//! Withdrawing a document from an account, alone or by posting its replacement. Only
//! supervisors (and administrators) may; a reason is required; nothing is deleted: the row keeps
//! who withdrew it, when and why, the applicant sees "withdrawn on <date>" in its place, and a
//! replacement points at the document it replaces.

use refusal::Code;
use uuid::Uuid;

use crate::{
    Services,
    staff::{StaffPermission, may},
    storage::{DocumentRecord, StaffMember, StorageError, Withdrawal},
};

const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum WithdrawError {
    #[error("only supervisors may withdraw a document")]
    NotAllowed,
    #[error("no such document")]
    NotFound,
    #[error("the document is already withdrawn")]
    AlreadyWithdrawn,
    #[error("the reason is empty or too long")]
    InvalidReason,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl WithdrawError {
    /// A stable code for forms and the API.
    pub fn code(&self) -> Code {
        match self {
            WithdrawError::NotAllowed => Code::Forbidden,
            WithdrawError::NotFound => Code::NotFound,
            WithdrawError::AlreadyWithdrawn => Code::AlreadyWithdrawn,
            WithdrawError::InvalidReason => Code::Reason,
            WithdrawError::Storage(_) => Code::Unavailable,
        }
    }
}

/// A reason as the supervisor typed it, trimmed; line breaks are kept, other control characters
/// are not allowed.
pub fn clean_reason(reason: &str) -> Option<String> {
    let reason = reason.trim();
    let length = reason.chars().count();
    let printable = !reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r');
    ((1..=MAX_REASON_CHARS).contains(&length) && printable).then(|| reason.to_owned())
}

/// Checks that `member` may withdraw `document_id` for `reason`; the document and the
/// withdrawal to record (now), for `withdraw` or for a replacement's `Upload::replacing`.
pub async fn prepare(
    services: &Services,
    member: &StaffMember,
    document_id: Uuid,
    reason: &str,
) -> Result<(DocumentRecord, Withdrawal), WithdrawError> {
    if member.disabled_at.is_some() || !may(member.role, StaffPermission::WithdrawDocuments) {
        return Err(WithdrawError::NotAllowed);
    }
    let reason = clean_reason(reason).ok_or(WithdrawError::InvalidReason)?;
    let document = services
        .storage
        .find_document(document_id)
        .await?
        .ok_or(WithdrawError::NotFound)?;
    if document.withdrawn_at.is_some() {
        return Err(WithdrawError::AlreadyWithdrawn);
    }
    let withdrawal = Withdrawal {
        document_id,
        applicant_id: document.applicant_id,
        withdrawn_by_id: member.id,
        reason,
        at: services.clock.now(),
    };
    Ok((document, withdrawal))
}

/// Withdraws the document without a replacement.
#[tracing::instrument(skip_all, fields(document = %document_id, staff = %member.id))]
pub async fn withdraw(
    services: &Services,
    member: &StaffMember,
    document_id: Uuid,
    reason: &str,
) -> Result<DocumentRecord, WithdrawError> {
    let (_, withdrawal) = prepare(services, member, document_id, reason).await?;
    let event = super::publishing::withdrawal_event(&withdrawal);
    let withdrawn = services
        .storage
        .withdraw_document(&withdrawal, &event)
        .await?
        .ok_or(WithdrawError::AlreadyWithdrawn)?;
    tracing::info!("document withdrawn");
    Ok(withdrawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_bounded_and_printable() {
        assert_eq!(
            clean_reason("  Erreur de destinataire \n").as_deref(),
            Some("Erreur de destinataire")
        );
        assert_eq!(
            clean_reason("ligne 1\nligne 2").as_deref(),
            Some("ligne 1\nligne 2")
        );
        assert_eq!(clean_reason(" "), None);
        assert_eq!(clean_reason("a\u{7}b"), None);
        assert_eq!(clean_reason(&"x".repeat(501)), None);
    }
}
