//! An announcement that found no usable contact point on its channel (none given or verified
//! yet, or the channel turned off) waits: it is sent as soon as the channel becomes usable,
//! while its document is unopened, not withdrawn and not yet deemed notified. Without this, a
//! letter posted before the applicant verified an address was never announced by email, since
//! activation usually comes days after the first letters.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
    storage::{Channel, Storage},
};

/// Called wherever a channel may have become usable: a contact verified or restored, channels
/// chosen, a browser subscribed; `fresh` is a channel with a new address or number, on which
/// announcements given up are tried afresh too. After the change is done: a failure here is
/// logged, not shown (the next change, or the reminders, try again). How many were queued.
pub async fn announce_waiting(
    storage: &dyn Storage,
    applicant_id: Uuid,
    fresh: Option<Channel>,
    now: DateTime<Utc>,
) -> u64 {
    // Past the deemed date the person counts as notified: an alert then would only mislead.
    let still_useful = now - Duration::days(DEEMED_NOTIFIED_AFTER_DAYS);
    match storage
        .requeue_waiting_notifications(applicant_id, still_useful, fresh, now)
        .await
    {
        Ok(0) => 0,
        Ok(queued) => {
            tracing::info!(applicant = %applicant_id, queued, "waiting announcements queued");
            queued
        }
        Err(error) => {
            tracing::error!(applicant = %applicant_id, %error, "waiting announcements not queued");
            0
        }
    }
}
