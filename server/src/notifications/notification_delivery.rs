//! Delivers the notification outbox. Every instance runs the same loop: claim due rows for a
//! lease, send each, record the outcome. A temporary failure (relay down, 4xx) is retried with
//! exponential backoff and jitter; a permanent one (5xx, refused address) or the last attempt
//! makes the row dead. The row's id is the message's Message-ID, so a message sent again after
//! a crash (between the relay's acceptance and the outcome's record) is recognisably the same.
//!
//! Each document has one row per channel (email, SMS, in-app), delivered and retried on its
//! own: a gateway down does not hold back the email. The email and the text say only that a new
//! document is available, with the portal's address: never its kind, title, the applicant's
//! name, or anything that reveals an asylum procedure.

use chrono::Duration;
use rand::{TryRngCore, rngs::OsRng};

use crate::{
    Services,
    notifications::interview_reminders::{InterviewAlert, InterviewDay},
    notifications::mailer::OutgoingEmail,
    storage::Applicant,
    storage::{
        Channel, ClaimedNotification, DeliveryOutcome, SKIPPED_ALREADY_OPENED, SKIPPED_CANCELLED,
        SKIPPED_CHANNEL_OFF, SKIPPED_NO_CONTACT, StorageError,
    },
};

/// Attempts before a message is given up (about a day and a half of retries).
pub const MAX_ATTEMPTS: i64 = 10;
/// Documents whose reminders one write queues at most.
pub const REMINDER_DOCUMENTS_PER_STATEMENT: i64 = 500;

/// Messages handled per pass at most, so that a pass ends and the loop can look at the clock;
/// a full pass is followed by another at once (`DeliveryReport::was_full`).
pub const BATCH: usize = 64;
/// Messages in flight at once per instance: few enough for a relay's per-client connection
/// limit (Postfix allows 50), enough to overlap round trips.
const LANES: usize = 8;

/// The words of the email, in a language; written by the app's translations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTexts {
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The tag of the language they are written in (French when the applicant's is not spoken).
    pub language: String,
}

pub trait NotificationTexts: Send + Sync {
    /// "A new document is available in your account", in `preferred_language` when the portal
    /// speaks it, with the link to the portal.
    fn new_document_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts;
    /// "A document in your account has not been opened yet"; the same rules.
    fn reminder_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts;
    /// The same two messages as one short text each, for SMS.
    fn new_document_sms(&self, preferred_language: &str, portal_address: &str) -> String;
    fn reminder_sms(&self, preferred_language: &str, portal_address: &str) -> String;
    /// And as the title and body of a phone notification (Web Push).
    fn new_document_push(&self, preferred_language: &str) -> PushTexts;
    fn reminder_push(&self, preferred_language: &str) -> PushTexts;
    /// "You have an appointment tomorrow / today", with its date and time only in
    /// `alert.at`. Without words of its own, a reminder's.
    fn interview_email(
        &self,
        preferred_language: &str,
        portal_address: &str,
        alert: InterviewAlert,
    ) -> EmailTexts {
        let _ = alert;
        self.reminder_email(preferred_language, portal_address)
    }
    fn interview_sms(
        &self,
        preferred_language: &str,
        portal_address: &str,
        alert: InterviewAlert,
    ) -> String {
        let _ = alert;
        self.reminder_sms(preferred_language, portal_address)
    }
    /// Always content-free: a phone's lock screen is read by whoever holds it.
    fn interview_push(&self, preferred_language: &str, day: InterviewDay) -> PushTexts {
        let _ = day;
        self.reminder_push(preferred_language)
    }
}

/// Which message a row of the outbox carries.
enum Message {
    NewDocument,
    Reminder,
    Interview(InterviewAlert),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushTexts {
    pub title: String,
    pub body: String,
}

/// Where a tap on the phone notification leads: the notification centre, behind sign-in.
pub const PUSH_OPENS: &str = "/account/notifications";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub skipped: usize,
    pub retried: usize,
    pub dead: usize,
}

impl DeliveryReport {
    /// A pass that handled all it may: more are probably due, so the next pass starts at once
    /// rather than after the loop's pause.
    pub fn was_full(&self) -> bool {
        self.sent + self.skipped + self.retried + self.dead >= BATCH
    }
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
        // A few hundred documents at a time: found by a read, their rows inserted in a short
        // write, so that SQLite's write lock is never held long (the first pass over a large
        // base, or after an outage, has many to queue).
        let mut after = None;
        loop {
            let (rows, next) = services
                .storage
                .queue_reminders(
                    now,
                    *days,
                    crate::documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
                    &notifying,
                    after,
                    REMINDER_DOCUMENTS_PER_STATEMENT,
                )
                .await?;
            queued += rows;
            match next {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
    }
    Ok(queued)
}

/// One pass: claims what is due, one message at a time, and delivers it, on `LANES` lanes at
/// once. Claiming one at a time keeps the lease short (`EU_NOTIFICATION_LEASE_SECONDS`, longer
/// than one send can take): it is all another instance waits before retrying the message of a
/// worker that died. The lanes overlap the relay's round trips (lettre's last write of a message
/// waits out the relay's delayed acknowledgement, some 40 ms, whatever the relay's speed).
#[tracing::instrument(skip_all)]
pub async fn deliver_due(
    services: &Services,
    texts: &dyn NotificationTexts,
) -> Result<DeliveryReport, StorageError> {
    let lanes = (0..LANES).map(|_| deliver_lane(services, texts, BATCH / LANES));
    let mut report = DeliveryReport::default();
    for lane in futures::future::try_join_all(lanes).await? {
        report.sent += lane.sent;
        report.skipped += lane.skipped;
        report.retried += lane.retried;
        report.dead += lane.dead;
    }
    Ok(report)
}

async fn deliver_lane(
    services: &Services,
    texts: &dyn NotificationTexts,
    at_most: usize,
) -> Result<DeliveryReport, StorageError> {
    let lease = services.config.notification_lease;
    let mut report = DeliveryReport::default();
    for _ in 0..at_most {
        let now = services.clock.now();
        let Some(notification) = services
            .storage
            .claim_due_notifications(now, lease, 1)
            .await?
            .pop()
        else {
            break;
        };
        let outcome = if notification.attempts > MAX_ATTEMPTS {
            // Claimed that often without an outcome: each worker that took it stopped before
            // recording one (a crash while sending). Sending again could crash again.
            DeliveryOutcome::Dead {
                error: format!("no outcome after {MAX_ATTEMPTS} claims"),
            }
        } else {
            deliver(services, texts, &notification).await?
        };
        match &outcome {
            DeliveryOutcome::Sent { .. } => report.sent += 1,
            DeliveryOutcome::Skipped { .. } => report.skipped += 1,
            DeliveryOutcome::Retry { error, .. } => {
                tracing::warn!(notification = %notification.id, attempts = notification.attempts, %error, "delivery failed; will retry");
                report.retried += 1;
            }
            DeliveryOutcome::Dead { error } => {
                tracing::error!(notification = %notification.id, attempts = notification.attempts, %error, "delivery given up");
                report.dead += 1;
            }
        }
        if !services
            .storage
            .record_delivery(&notification, &outcome)
            .await?
        {
            // Our lease ran out and another worker claimed the row: its outcome stands.
            tracing::warn!(notification = %notification.id, "delivery outcome not recorded: the lease was lost");
        }
    }
    Ok(report)
}

async fn deliver(
    services: &Services,
    texts: &dyn NotificationTexts,
    notification: &ClaimedNotification,
) -> Result<DeliveryOutcome, StorageError> {
    let skipped = |why| Ok(DeliveryOutcome::Skipped { why });
    let Some(applicant) = services
        .storage
        .find_applicant(notification.applicant_id)
        .await?
    else {
        return skipped(SKIPPED_NO_CONTACT);
    };
    let interview_day = InterviewDay::of_reason(&notification.reason);
    let message = if notification.reason.starts_with("reminder_") {
        // A reminder stops as soon as the document is opened (or withdrawn).
        let document = document_of(services, notification).await?;
        if document.is_none_or(|document| {
            document.first_opened_at.is_some() || document.withdrawn_at.is_some()
        }) {
            return skipped(SKIPPED_ALREADY_OPENED);
        }
        Message::Reminder
    } else if let Some(day) = interview_day {
        // Opened or not, the interview is still to be attended; withdrawn, it is off.
        let document = document_of(services, notification).await?;
        let Some(document) = document.filter(|document| document.withdrawn_at.is_none()) else {
            return skipped(SKIPPED_CANCELLED);
        };
        let at = document
            .facts
            .appointment_at
            .filter(|_| applicant.detailed_reminders);
        Message::Interview(InterviewAlert { day, at })
    } else {
        Message::NewDocument
    };
    let language = applicant.message_language();
    let portal_address = services.config.public_url.as_str();
    let key = format!("notification-{}", notification.id);
    let failure = match Channel::parse(&notification.channel)? {
        Channel::Email => {
            if !applicant.notify_by_email {
                return skipped(SKIPPED_CHANNEL_OFF);
            }
            let Some(address) = applicant.alert_email().map(str::to_owned) else {
                return skipped(SKIPPED_NO_CONTACT);
            };
            let words = match message {
                Message::NewDocument => texts.new_document_email(language, portal_address),
                Message::Reminder => texts.reminder_email(language, portal_address),
                Message::Interview(alert) => {
                    let alert = alert.to_verified(applicant.email.is_some());
                    texts.interview_email(language, portal_address, alert)
                }
            };
            let email = OutgoingEmail {
                to: address,
                subject: services
                    .config
                    .mail_subject
                    .clone()
                    .unwrap_or(words.subject),
                text_body: words.text_body,
                html_body: words.html_body,
                language: words.language,
            };
            services
                .mailer
                .send_with_key(&email, &key)
                .await
                .err()
                .map(|error| (error.is_permanent(), error.to_string()))
        }
        Channel::Sms => {
            if !applicant.notify_by_sms {
                return skipped(SKIPPED_CHANNEL_OFF);
            }
            let Some(phone) = applicant.alert_phone() else {
                return skipped(SKIPPED_NO_CONTACT);
            };
            let text = match message {
                Message::NewDocument => texts.new_document_sms(language, portal_address),
                Message::Reminder => texts.reminder_sms(language, portal_address),
                Message::Interview(alert) => {
                    let alert = alert.to_verified(applicant.phone.is_some());
                    texts.interview_sms(language, portal_address, alert)
                }
            };
            services
                .sms
                .send(phone, &text, &key)
                .await
                .err()
                .map(|error| (error.is_permanent(), error.to_string()))
        }
        Channel::Push => {
            let words = match message {
                Message::NewDocument => texts.new_document_push(language),
                Message::Reminder => texts.reminder_push(language),
                Message::Interview(alert) => texts.interview_push(language, alert.day),
            };
            return push_to_browsers(services, notification, &applicant, words).await;
        }
        // Delivered when queued: never claimed, but harmless if it were.
        Channel::InApp => None,
    };
    Ok(match failure {
        None => DeliveryOutcome::Sent {
            at: services.clock.now(),
        },
        Some((permanent, error)) if permanent || notification.attempts >= MAX_ATTEMPTS => {
            DeliveryOutcome::Dead { error }
        }
        Some((_, error)) => DeliveryOutcome::Retry {
            at: services.clock.now() + retry_delay(notification.attempts, random_unit()),
            error,
        },
    })
}

/// The document a row is about, if it still exists (only reminders need to look).
async fn document_of(
    services: &Services,
    notification: &ClaimedNotification,
) -> Result<Option<crate::storage::DocumentRecord>, StorageError> {
    match notification.document_id {
        Some(id) => services.storage.find_document(id).await,
        None => Ok(None),
    }
}

/// Sends to every browser the applicant subscribed: sent if one took it; a browser the push
/// service no longer knows is forgotten; retried only if none took it and one may later.
async fn push_to_browsers(
    services: &Services,
    notification: &ClaimedNotification,
    applicant: &Applicant,
    words: PushTexts,
) -> Result<DeliveryOutcome, StorageError> {
    let subscriptions = services.storage.push_subscriptions_of(applicant.id).await?;
    if subscriptions.is_empty() {
        return Ok(DeliveryOutcome::Skipped {
            why: SKIPPED_NO_CONTACT,
        });
    }
    #[derive(serde::Serialize)]
    struct Payload<'a> {
        title: &'a str,
        body: &'a str,
        url: &'a str,
    }
    let payload = serde_json::to_vec(&Payload {
        title: &words.title,
        body: &words.body,
        url: PUSH_OPENS,
    })
    .unwrap_or_default();
    let topic = notification.id.simple().to_string();
    let (mut delivered, mut temporary, mut gone, mut last_error) = (false, false, 0, None);
    for subscription in &subscriptions {
        match services.push.send(subscription, &payload, &topic).await {
            Ok(()) => delivered = true,
            Err(error) => {
                if matches!(error, crate::notifications::web_push::PushError::Gone(_)) {
                    services
                        .storage
                        .forget_push_subscription(subscription.id)
                        .await?;
                    gone += 1;
                }
                temporary |= error.is_temporary();
                last_error = Some(error.to_string());
            }
        }
    }
    let error = last_error.unwrap_or_default();
    Ok(if delivered {
        DeliveryOutcome::Sent {
            at: services.clock.now(),
        }
    } else if gone == subscriptions.len() {
        // Every browser unsubscribed or was reset: nowhere left to send it.
        DeliveryOutcome::Skipped {
            why: SKIPPED_NO_CONTACT,
        }
    } else if temporary && notification.attempts < MAX_ATTEMPTS {
        DeliveryOutcome::Retry {
            at: services.clock.now() + retry_delay(notification.attempts, random_unit()),
            error,
        }
    } else {
        DeliveryOutcome::Dead { error }
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
