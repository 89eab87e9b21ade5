//! The clean-up job: an object in the store with no document row is what a crash between
//! writing the object and writing its row leaves; a staging file in a local store is what a
//! crash in the middle of an upload leaves. Objects are only swept once older than any
//! upload in progress could be, so a document being posted right now is never touched.

use chrono::Duration;

use super::publishing::DOCUMENTS_FOLDER;
use crate::{Services, documents::document_store::DocumentStoreError, storage::StorageError};

/// Longer than any upload takes; younger objects may still be getting their row.
pub const ORPHAN_AGE: Duration = Duration::hours(1);

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] DocumentStoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Removes objects older than `min_age` that no document row points at, and stale staging
/// files; returns how many.
#[tracing::instrument(skip(services), name = "orphan_sweep")]
pub async fn sweep_orphans(services: &Services, min_age: Duration) -> Result<usize, SweepError> {
    let cutoff = services.clock.now() - min_age;
    let candidates = services
        .documents
        .keys_written_before(DOCUMENTS_FOLDER, cutoff)
        .await?;
    let mut removed = services
        .documents
        .remove_stale_staging_files(cutoff)
        .await?;
    for key in candidates {
        if !services
            .storage
            .document_object_exists(key.as_str())
            .await?
        {
            services.documents.delete(&key).await?;
            removed += 1;
        }
    }
    tracing::info!(removed, "orphan sweep done");
    Ok(removed)
}
