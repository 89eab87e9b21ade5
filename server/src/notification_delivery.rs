//! Delivers the notification outbox. Every instance runs the same loop: claim due rows for a
//! lease, send each, record the outcome. A temporary failure (relay down, 4xx) is retried with
//! exponential backoff and jitter; a permanent one (5xx, refused address) or the last attempt
//! makes the row dead. The row's id is the message's Message-ID, so a message sent again after
//! a crash (between the relay's acceptance and the outcome's record) is recognisably the same.
//!
//! The email says only that a new document is available, with the portal's address: never its
//! kind, title, the applicant's name, or anything that reveals an asylum procedure.

use chrono::Duration;
use rand::{TryRngCore, rngs::OsRng};

use crate::{
    Services,
    mailer::OutgoingEmail,
    storage::{ClaimedNotification, DeliveryOutcome, StorageError},
};

/// Attempts before a message is given up (about a day and a half of retries).
pub const MAX_ATTEMPTS: i64 = 10;
/// How long a claimed row is left to its worker before another may take it.
pub const LEASE_SECONDS: i64 = 300;
const BATCH: i64 = 50;

/// The words of the email, in a language; written by the app's translations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTexts {
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

pub trait NotificationTexts: Send + Sync {
    /// "A new document is available in your account", in `preferred_language` when the portal
    /// speaks it, with the link to the portal.
    fn new_document_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts;
    /// "A document in your account has not been opened yet"; the same rules.
    fn reminder_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub skipped: usize,
    pub retried: usize,
    pub dead: usize,
}

/// The wait before attempt `attempts + 1`: 30 s doubled each time, at most 6 h, then 80–120 %
/// of that (`jitter` in [0, 1)) so that retries after an outage do not arrive all at once.
pub fn retry_delay(attempts: i64, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let base = (30_i64 << exponent).min(6 * 3600);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Duration::milliseconds((base as f64 * 1000.0 * factor) as i64)
}

fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    match OsRng.try_fill_bytes(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

/// Queues the reminders that are due now (`EU_REMINDER_DAYS`, 3, 7 and 12 days after a
/// notifying document was made available, while it is unopened and before it counts as
/// notified). Idempotent, and safe on several instances.
#[tracing::instrument(skip_all)]
pub async fn queue_due_reminders(services: &Services) -> Result<u64, StorageError> {
    let notifying: Vec<&'static str> = crate::documents::DOCUMENT_KINDS
        .iter()
        .filter(|info| info.notifying)
        .map(|info| info.code)
        .collect();
    let now = services.clock.now();
    let mut queued = 0;
    for days in &services.config.reminder_days {
        queued += services
            .storage
            .queue_reminders(
                now,
                *days,
                crate::documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
                &notifying,
            )
            .await?;
    }
    Ok(queued)
}

/// One pass: claims what is due and delivers it.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(
    services: &Services,
    texts: &dyn NotificationTexts,
) -> Result<DeliveryReport, StorageError> {
    let now = services.clock.now();
    let claimed = services
        .storage
        .claim_due_notifications(now, Duration::seconds(LEASE_SECONDS), BATCH)
        .await?;
    let mut report = DeliveryReport::default();
    for notification in claimed {
        let outcome = deliver(services, texts, &notification).await?;
        match &outcome {
            DeliveryOutcome::Sent { .. } => report.sent += 1,
            DeliveryOutcome::Skipped => report.skipped += 1,
            DeliveryOutcome::Retry { error, .. } => {
                tracing::warn!(notification = %notification.id, attempts = notification.attempts, %error, "delivery failed; will retry");
                report.retried += 1;
            }
            DeliveryOutcome::Dead { error } => {
                tracing::error!(notification = %notification.id, attempts = notification.attempts, %error, "delivery given up");
                report.dead += 1;
            }
        }
        services
            .storage
            .record_delivery(notification.id, &outcome)
            .await?;
    }
    Ok(report)
}

async fn deliver(
    services: &Services,
    texts: &dyn NotificationTexts,
    notification: &ClaimedNotification,
) -> Result<DeliveryOutcome, StorageError> {
    let applicant = services
        .storage
        .find_applicant(notification.applicant_id)
        .await?;
    let Some((applicant, address)) = applicant.and_then(|applicant| {
        let address = applicant
            .email
            .clone()
            .filter(|_| applicant.email_verified_at.is_some())?;
        Some((applicant, address))
    }) else {
        return Ok(DeliveryOutcome::Skipped);
    };
    let portal_address = services.config.public_url.as_str();
    let words = if notification.reason.starts_with("reminder_") {
        // A reminder stops as soon as the document is opened (or withdrawn).
        let document = match notification.document_id {
            Some(id) => services.storage.find_document(id).await?,
            None => None,
        };
        if document.is_none_or(|document| {
            document.first_opened_at.is_some() || document.withdrawn_at.is_some()
        }) {
            return Ok(DeliveryOutcome::Skipped);
        }
        texts.reminder_email(&applicant.preferred_language, portal_address)
    } else {
        texts.new_document_email(&applicant.preferred_language, portal_address)
    };
    let email = OutgoingEmail {
        to: address,
        subject: words.subject,
        text_body: words.text_body,
        html_body: words.html_body,
    };
    let key = format!("notification-{}", notification.id);
    Ok(match services.mailer.send_with_key(&email, &key).await {
        Ok(_) => DeliveryOutcome::Sent {
            at: services.clock.now(),
        },
        Err(error) if error.is_permanent() || notification.attempts >= MAX_ATTEMPTS => {
            DeliveryOutcome::Dead {
                error: error.to_string(),
            }
        }
        Err(error) => DeliveryOutcome::Retry {
            at: services.clock.now() + retry_delay(notification.attempts, random_unit()),
            error: error.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_bounded_jitter() {
        assert_eq!(retry_delay(1, 0.5), Duration::seconds(30));
        assert_eq!(retry_delay(2, 0.5), Duration::seconds(60));
        assert_eq!(retry_delay(5, 0.5), Duration::seconds(480));
        assert_eq!(retry_delay(30, 0.5), Duration::hours(6));
        assert_eq!(retry_delay(1, 0.0), Duration::seconds(24));
        assert_eq!(retry_delay(1, 1.0), Duration::seconds(36));
        let unit = random_unit();
        assert!((0.0..1.0).contains(&unit));
    }
}
