//! The purge job: erases what the retention policy says is due, then deletes the erased
//! documents' objects. Every instance may run it at the same time: each erasure is one
//! transaction that finds its rows gone when another instance got there first, and deleting an
//! object that is already gone counts as done.

use uuid::Uuid;

use crate::{
    Services,
    documents::document_store::{DocumentStoreError, ObjectKey},
    storage::{ActorKind, NewAuditEvent, StorageError},
};

/// Erasures per kind of work and pass, so that a pass ends and the loop can look at the clock.
pub const ERASURES_PER_PASS: i64 = 200;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    pub documents_erased: u64,
    pub accounts_erased: u64,
    pub objects_deleted: u64,
    /// 1 when the store refused a deletion: that object and the rest stay queued.
    pub objects_left: u64,
}

impl PurgeReport {
    /// Whether a limit was reached, so another pass should follow at once.
    pub fn was_full(&self) -> bool {
        self.documents_erased >= ERASURES_PER_PASS as u64
            || self.accounts_erased >= ERASURES_PER_PASS as u64
            || self.objects_deleted >= ERASURES_PER_PASS as u64
    }
}

fn system_event(action: &'static str, target_kind: &'static str, id: Uuid) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: ActorKind::System,
        actor_id: None,
        action,
        target_kind: Some(target_kind),
        target_id: Some(id),
        ip_hash: None,
        succeeded: true,
    }
}

/// One pass: documents past their kind's retention, accounts closed long enough ago, then the
/// objects they leave. A store that is down leaves its objects queued (their keys are gone with
/// the rows, so they are unreadable meanwhile); a database that is down ends the pass.
#[tracing::instrument(skip_all, name = "retention_purge")]
pub async fn erase_expired(services: &Services) -> Result<PurgeReport, StorageError> {
    let policy = &services.config.retention;
    let now = services.clock.now();
    let mut report = PurgeReport::default();
    for (kind, days) in &policy.document_days {
        let before = now - chrono::Duration::days((*days).into());
        let due = services
            .storage
            .documents_due_for_erasure(kind.code(), before, ERASURES_PER_PASS)
            .await?;
        for id in due {
            let event = system_event("document_erased", "document", id);
            if services.storage.erase_document(id, now, &event).await? {
                report.documents_erased += 1;
            }
        }
    }
    let before = now - chrono::Duration::days(policy.closed_account_days.into());
    for applicant_id in services
        .storage
        .accounts_due_for_erasure(before, ERASURES_PER_PASS)
        .await?
    {
        let event = system_event("account_erased", "applicant", applicant_id);
        if services
            .storage
            .erase_account(applicant_id, now, &event)
            .await?
        {
            report.accounts_erased += 1;
        }
    }
    // A replaced email or phone is kept for the cooling-off period only.
    let cooled_off = now - crate::accounts::contact::COOLING_OFF;
    services
        .storage
        .forget_replaced_contacts_before(cooled_off)
        .await?;
    for object_key in services
        .storage
        .queued_object_deletions(ERASURES_PER_PASS)
        .await?
    {
        match services
            .documents
            .delete(&ObjectKey::from_stored(&object_key))
            .await
        {
            Ok(()) | Err(DocumentStoreError::NotFound) => {
                services.storage.forget_object_deletion(&object_key).await?;
                report.objects_deleted += 1;
            }
            Err(error) => {
                // The store is down or refusing: the rest waits for the next pass rather than
                // each waiting out its own time-out now.
                tracing::warn!(%error, "an erased document's object could not be deleted yet");
                report.objects_left += 1;
                break;
            }
        }
    }
    if report != PurgeReport::default() {
        tracing::info!(?report, "retention purge done");
    }
    Ok(report)
}
