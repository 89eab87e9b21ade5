//! The jobs every instance runs beside serving requests. Each is safe on several instances at
//! once: work is claimed row by row, or finds its rows gone when another instance did it.

use server::Services;

/// Every minute, the documents left pending by an unreachable virus scanner are scanned again.
/// Safe on several instances: a verdict is recorded only on a document still pending.
pub async fn rescan_pending_documents(services: Services) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        ticks.tick().await;
        match server::documents::virus_scan::rescan_pending(&services).await {
            Ok(report) if report != Default::default() => {
                tracing::info!(?report, "pending documents rescanned");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the rescan of pending documents failed"),
        }
    }
}

/// Every few seconds, the notification outbox is delivered (on every instance: rows are
/// claimed one worker at a time), and every minute the due reminders are queued. Once `stop`
/// turns true, the pass in flight ends (what it sent is recorded) and no other starts.
pub async fn deliver_notifications(
    services: Services,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let texts = crate::notifications::notification_texts::TranslatedNotificationTexts;
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
    let mut tick: u64 = 0;
    loop {
        // A dropped sender also means stop (the server is going away).
        let sender_gone = tokio::select! {
            _ = ticks.tick() => false,
            changed = stop.changed() => changed.is_err(),
        };
        if sender_gone || *stop.borrow() {
            return;
        }
        // Reminders are queued once a minute; queuing twice is harmless (one per document).
        if tick.is_multiple_of(12) {
            match server::notifications::notification_delivery::queue_due_reminders(&services).await
            {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "reminders queued"),
                Err(error) => tracing::warn!(%error, "reminders could not be queued"),
            }
            match server::notifications::interview_reminders::queue_interview_reminders(&services)
                .await
            {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "interview reminders queued"),
                Err(error) => tracing::warn!(%error, "interview reminders could not be queued"),
            }
        }
        tick += 1;
        // Passes follow each other at once while they come back full (a backlog after a
        // burst of documents or an outage), then the loop rests until the next tick.
        loop {
            match server::notifications::notification_delivery::deliver_due(&services, &texts).await
            {
                Ok(report) => {
                    if report != Default::default() {
                        tracing::info!(?report, "notifications delivered");
                    }
                    if !report.was_full() || *stop.borrow() {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "the notification outbox could not be read");
                    break;
                }
            }
        }
    }
}

/// Once an hour (the first a few minutes after start, away from the start-up work), what the
/// retention policy says is due is erased, in passes that follow each other while they come
/// back full.
pub async fn erase_expired_data(services: Services) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(300),
        std::time::Duration::from_secs(3600),
    );
    loop {
        ticks.tick().await;
        loop {
            match server::retention::purge::erase_expired(&services).await {
                Ok(report) if report.was_full() => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "the retention purge could not run");
                    break;
                }
            }
        }
        crate::back_office_api::forget_old_keys(&services).await;
    }
}

/// Every minute, the dashboard's figures are computed again if they are older than
/// `dashboard::FRESH_FOR` (by one instance: the others find them claimed or fresh).
pub async fn refresh_dashboard(services: Services) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        ticks.tick().await;
        if let Err(error) = server::dashboard::refresh_if_stale(&services).await {
            tracing::warn!(%error, "the dashboard figures could not be computed");
        }
    }
}

/// A local store: at start and then every hour, the staging files of uploads that a crash cut
/// short (an hour old at least, so no upload in progress) are removed. (Objects without a row
/// are `sweep-orphan-documents`' business: it asks the database about every object.)
pub async fn remove_stale_staging_files(services: Services) {
    if services.documents.kind() != "local" {
        return;
    }
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        ticks.tick().await;
        let cutoff = services.clock.now() - server::documents::orphans::ORPHAN_AGE;
        match services.documents.remove_stale_staging_files(cutoff).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "staging files of cut uploads removed"),
            Err(error) => tracing::warn!(%error, "staging files could not be swept"),
        }
    }
}
