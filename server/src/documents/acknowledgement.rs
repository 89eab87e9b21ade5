//! The acknowledgement of receipt of a notified document: the facts the office sends on (to
//! the prefecture, to the court) as proof of the notification date. Derived from the recorded
//! times each time it is asked for, never stored, so it always agrees with the rule.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::legal_notification::{
    NotificationFacts, NotificationRule, NotificationStatus, appeal_deadline, notification_status,
};
use crate::{
    Services,
    storage::{Actor, Applicant, DocumentRecord, NewAuditEvent, StorageError},
};

/// Where a document stands for the notification rule, now.
pub fn document_status(
    document: &DocumentRecord,
    electronic_notification: bool,
    now: DateTime<Utc>,
) -> NotificationStatus {
    match document.made_available_at {
        Some(made_available_at) => notification_status(
            NotificationFacts {
                notifying_kind: document.kind.is_notifying(),
                electronic_notification,
                made_available_at,
                first_opened_at: document.first_opened_at,
                withdrawn_at: document.withdrawn_at,
            },
            now,
        ),
        None => NotificationStatus::NotApplicable,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acknowledgement {
    pub document_id: Uuid,
    pub applicant_id: Uuid,
    pub foreigner_number: Option<String>,
    pub file_number: Option<String>,
    pub applicant_name: String,
    pub kind: &'static str,
    pub title: String,
    /// Of the file as posted: the office can prove which content was notified.
    pub sha256: String,
    pub made_available_at: DateTime<Utc>,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub notified_at: DateTime<Utc>,
    pub rule: NotificationRule,
    /// For a decision: the last day to appeal.
    pub appeal_deadline: Option<DateTime<Utc>>,
}

/// The acknowledgement, once the document is notified; `None` before, or where the rule does
/// not apply (an informational document, an applicant notified on paper, a withdrawal first).
pub fn acknowledgement(
    document: &DocumentRecord,
    applicant: &Applicant,
    now: DateTime<Utc>,
) -> Option<Acknowledgement> {
    let NotificationStatus::Notified { at, rule } =
        document_status(document, applicant.electronic_notification, now)
    else {
        return None;
    };
    let info = document.kind.info();
    Some(Acknowledgement {
        document_id: document.id,
        applicant_id: applicant.id,
        foreigner_number: applicant.foreigner_number.clone(),
        file_number: applicant.file_number.clone(),
        applicant_name: format!("{} {}", applicant.given_names, applicant.family_name),
        kind: info.code,
        title: document.title.clone(),
        sha256: document.sha256.clone(),
        made_available_at: document.made_available_at?,
        first_opened_at: document.first_opened_at,
        notified_at: at,
        rule,
        appeal_deadline: info.appealable.then(|| appeal_deadline(at)),
    })
}

/// The acknowledgement of document `id` as it stands now, for staff or the back-office,
/// recorded in the audit log as an export by `actor`; `None` when there is no such document or
/// it is not notified.
pub async fn export_acknowledgement(
    services: &Services,
    id: Uuid,
    actor: Actor,
    ip_hash: Option<String>,
) -> Result<Option<Acknowledgement>, StorageError> {
    let Some(document) = services.storage.find_document(id).await? else {
        return Ok(None);
    };
    let Some(applicant) = services
        .storage
        .find_applicant(document.applicant_id)
        .await?
    else {
        return Ok(None);
    };
    let Some(ack) = acknowledgement(&document, &applicant, services.clock.now()) else {
        return Ok(None);
    };
    services
        .storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: actor.kind,
            actor_id: actor.id,
            action: "acknowledgement_exported",
            target_kind: Some("document"),
            target_id: Some(id),
            ip_hash,
            succeeded: true,
        })
        .await?;
    Ok(Some(ack))
}
