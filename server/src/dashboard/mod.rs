//! The staff dashboard: how the office's letters reach people, week by week.
//!
//! Counting the documents of twelve weeks takes seconds at national scale, so no page view does
//! it: one instance at a time computes the figures every few minutes (`refresh_if_stale`, from
//! a background job) and keeps them in the database, and every page reads that one row. Only
//! the very first view of a new installation, before any figures exist, computes them itself.

pub mod figures;

use chrono::{DateTime, Duration, Utc};

use crate::{
    Services,
    documents::{DOCUMENT_KINDS, legal_notification::DEEMED_NOTIFIED_AFTER_DAYS},
    notifications::at_risk::{AtRiskQuery, at_risk},
    storage::{Storage, StorageError},
};
use figures::{AtRiskCount, DashboardFigures, Tally, deliveries_by_channel};

/// Figures younger than this are not computed again.
pub const FRESH_FOR: Duration = Duration::minutes(5);
/// An instance that claimed the computing and said nothing for this long died: another takes it.
const CLAIM_FOR: Duration = Duration::minutes(10);

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the stored dashboard figures cannot be read: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// The figures as of `now`, read from the database in one pass per table.
pub async fn compute(
    storage: &dyn Storage,
    now: DateTime<Utc>,
) -> Result<DashboardFigures, StorageError> {
    let mut tally = Tally::new(now);
    let window = tally.window();
    storage
        .each_posted_document(window.posted_from, window.until, &mut |document| {
            tally.add_posted(&document)
        })
        .await?;
    storage
        .each_opening(
            window.first_week,
            window.until,
            window.posted_from,
            &mut |opened| tally.add_opening(opened),
        )
        .await?;
    let deliveries = deliveries_by_channel(&storage.delivery_counts(window.first_week).await?);
    let notifying: Vec<&'static str> = DOCUMENT_KINDS
        .iter()
        .filter(|info| info.notifying)
        .map(|info| info.code)
        .collect();
    let documents = storage
        .count_unopened(
            &notifying,
            now - Duration::days(DEEMED_NOTIFIED_AFTER_DAYS),
            now,
        )
        .await?;
    let interviews = at_risk(storage, AtRiskQuery::default(), now)
        .await?
        .interviews
        .len() as u64;
    Ok(tally.finish(
        deliveries,
        AtRiskCount {
            documents,
            interviews,
        },
    ))
}

/// Computes and keeps new figures if those kept are older than `FRESH_FOR` and no other
/// instance is at it. Returns whether it did.
#[tracing::instrument(name = "dashboard refresh", skip_all)]
pub async fn refresh_if_stale(services: &Services) -> Result<bool, DashboardError> {
    let storage = services.storage.as_ref();
    let now = services.clock.now();
    if !storage
        .claim_dashboard(now, now - FRESH_FOR, now + CLAIM_FOR)
        .await?
    {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let figures = compute(storage, now).await?;
    storage
        .store_dashboard(now, &serde_json::to_string(&figures)?)
        .await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "dashboard figures computed"
    );
    Ok(true)
}

/// The figures kept, or, on a new installation that has none yet, new ones.
pub async fn latest(services: &Services) -> Result<DashboardFigures, DashboardError> {
    if let Some(stored) = services.storage.stored_dashboard().await? {
        return Ok(serde_json::from_str(&stored.figures)?);
    }
    refresh_if_stale(services).await?;
    match services.storage.stored_dashboard().await? {
        Some(stored) => Ok(serde_json::from_str(&stored.figures)?),
        // Another instance holds the claim: count without keeping, this once.
        None => Ok(compute(services.storage.as_ref(), services.clock.now()).await?),
    }
}
