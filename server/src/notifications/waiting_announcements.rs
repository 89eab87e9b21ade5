//! An announcement that found no usable contact point on its channel (none given or verified
//! yet, or the channel turned off) waits: it is sent as soon as the channel becomes usable,
//! while its document is unopened, not withdrawn and not yet deemed notified. Without this, a
//! letter posted before the applicant verified an address was never announced by email, since
//! activation usually comes days after the first letters.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
    storage::{Storage, StorageError},
};

/// Called wherever a channel may have become usable: a contact verified or restored, channels
/// chosen, a browser subscribed. Returns how many announcements were queued again.
pub async fn announce_waiting(
    storage: &dyn Storage,
    applicant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    // Past the deemed date the person counts as notified: an alert then would only mislead.
    let still_useful = now - Duration::days(DEEMED_NOTIFIED_AFTER_DAYS);
    let queued = storage
        .requeue_waiting_notifications(applicant_id, still_useful, now)
        .await?;
    if queued > 0 {
        tracing::info!(applicant = %applicant_id, queued, "waiting announcements queued");
    }
    Ok(queued)
}
