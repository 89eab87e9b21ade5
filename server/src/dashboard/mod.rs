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
    documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
    notifications::at_risk::{self, AtRiskQuery},
    storage::{Storage, StorageError},
};
use figures::{AtRiskCount, DashboardFigures, Tally, deliveries_by_channel};

/// Figures younger than this are not computed again...
pub const FRESH_FOR: Duration = Duration::minutes(5);
/// ...nor younger than this many times what they took to count: at a million applicants on
/// SQLite counting takes about a minute and a half, and must not take a third of a core.
const KEPT_FOR_TIMES_THE_WORK: i64 = 10;
/// A day of work, in milliseconds: above it the product would mean nothing anyway.
const KEPT_AT_MOST_MS: i64 = 86_400_000;
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
    let documents = storage
        .count_unopened(
            &at_risk::kinds(None),
            now - Duration::days(DEEMED_NOTIFIED_AFTER_DAYS),
            now,
        )
        .await?;
    let interviews = at_risk::at_risk(storage, AtRiskQuery::default(), now)
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

/// Computes and keeps new figures if those kept are older than `kept_for` says (or unreadable)
/// and no other instance is at it. Returns whether it did.
#[tracing::instrument(name = "dashboard refresh", skip_all)]
pub async fn refresh_if_stale(services: &Services) -> Result<bool, DashboardError> {
    let storage = services.storage.as_ref();
    let now = services.clock.now();
    // Figures that no longer read (an older shape) are simply counted again.
    let fresh_for = storage
        .stored_dashboard()
        .await?
        .and_then(|stored| serde_json::from_str(&stored.figures).ok())
        .map_or(FRESH_FOR, |figures| kept_for(&figures));
    if !storage
        .claim_dashboard(now, now - fresh_for, now + CLAIM_FOR)
        .await?
    {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let mut figures = compute(storage, now).await?;
    figures.computed_in_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    storage
        .store_dashboard(now, &serde_json::to_string(&figures)?)
        .await?;
    tracing::info!(
        elapsed_ms = figures.computed_in_ms,
        "dashboard figures computed"
    );
    Ok(true)
}

/// How long figures are kept before they are counted again.
pub fn kept_for(figures: &DashboardFigures) -> Duration {
    let work = i64::try_from(figures.computed_in_ms).unwrap_or(i64::MAX);
    let kept = Duration::milliseconds(work.min(KEPT_AT_MOST_MS) * KEPT_FOR_TIMES_THE_WORK);
    kept.clamp(FRESH_FOR, Duration::days(1))
}

/// The figures kept, or, on a new installation that has none yet, new ones.
pub async fn latest(services: &Services) -> Result<DashboardFigures, DashboardError> {
    if let Some(stored) = services.storage.stored_dashboard().await? {
        return Ok(serde_json::from_str(&stored.figures)?);
    }
    // In a task of its own: a page whose render is dropped half-way (a hang-up) must not
    // leave the claim held and nothing kept.
    let refreshing = services.clone();
    match tokio::spawn(async move { refresh_if_stale(&refreshing).await }).await {
        Ok(refreshed) => {
            refreshed?;
        }
        Err(error) => tracing::warn!(%error, "the dashboard refresh did not finish"),
    };
    match services.storage.stored_dashboard().await? {
        Some(stored) => Ok(serde_json::from_str(&stored.figures)?),
        // Another instance holds the claim: count without keeping, this once.
        None => Ok(compute(services.storage.as_ref(), services.clock.now()).await?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_kept_five_minutes_or_ten_times_what_they_took() {
        let mut figures = Tally::new(Utc::now()).finish(Vec::new(), AtRiskCount::default());
        assert_eq!(kept_for(&figures), FRESH_FOR);
        figures.computed_in_ms = 20_000;
        assert_eq!(kept_for(&figures), FRESH_FOR);
        figures.computed_in_ms = 93_000;
        assert_eq!(kept_for(&figures), Duration::seconds(930));
        figures.computed_in_ms = u64::MAX;
        assert_eq!(kept_for(&figures), Duration::days(1));
    }
}
