//! Rows of the notification outbox (`0009_notification_outbox.sql`). Rows are queued inside the
//! transaction of what they announce (`insert_document`, `record_scan_verdict`); workers claim
//! due rows for a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite),
//! so each row is delivered by one worker at a time.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::StorageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Queued,
    Sent,
    /// Nowhere to send it (no verified address): the in-app notice is all there is.
    Skipped,
    /// Given up after a permanent failure or the last attempt.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Skipped => "skipped",
            DeliveryStatus::Dead => "dead",
        }
    }

    fn parse(text: &str) -> Result<DeliveryStatus, StorageError> {
        [
            DeliveryStatus::Queued,
            DeliveryStatus::Sent,
            DeliveryStatus::Skipped,
            DeliveryStatus::Dead,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown delivery status `{text}`")))
    }
}

/// Where a notification goes. Every document gets one row per channel; a row for a channel the
/// applicant has not chosen, or has no verified contact for, ends `skipped` with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
    /// Web Push to the browsers the applicant subscribed (an installed portal on a phone).
    Push,
    /// The notice in the account's notification centre: delivered when queued, then read.
    InApp,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::Sms, Channel::Push, Channel::InApp];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
            Channel::InApp => "in_app",
        }
    }

    pub fn parse(text: &str) -> Result<Channel, StorageError> {
        Channel::ALL
            .into_iter()
            .find(|channel| channel.as_str() == text)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown channel `{text}`")))
    }
}

/// Why a row was skipped, kept in `last_error` for staff.
pub const SKIPPED_NO_CONTACT: &str = "no verified contact";
pub const SKIPPED_CHANNEL_OFF: &str = "channel turned off by the applicant";
pub const SKIPPED_ALREADY_OPENED: &str = "document already opened or withdrawn";
pub const SKIPPED_CANCELLED: &str = "cancelled: the summons was withdrawn";

/// A summons in an account whose interview is near and whose morning reminder is not queued
/// yet (`upcoming_interviews`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UpcomingInterview {
    pub document_id: Uuid,
    pub applicant_id: Uuid,
    pub appointment_at: DateTime<Utc>,
    /// The evening reminder is queued already.
    pub eve_queued: bool,
}

/// A row a worker has claimed; `attempts` counts this one.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedNotification {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub document_id: Option<Uuid>,
    /// `email`, `sms` or `push` (in-app rows are never claimed).
    pub channel: String,
    /// `new_document` or `reminder_<days>`.
    pub reason: String,
    pub attempts: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub document_id: Option<Uuid>,
    pub channel: Channel,
    pub reason: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// In-app notices only: when the applicant read it (or opened its document).
    pub read_at: Option<DateTime<Utc>>,
}

pub(super) const NOTIFICATION_COLUMNS: &str = "id, applicant_id, document_id, channel, reason, \
    status, attempts, next_attempt_at, last_error, created_at, sent_at, read_at";

#[derive(sqlx::FromRow)]
pub(super) struct NotificationRow {
    id: Uuid,
    applicant_id: Uuid,
    document_id: Option<Uuid>,
    channel: String,
    reason: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    read_at: Option<DateTime<Utc>>,
}

impl TryFrom<NotificationRow> for NotificationRecord {
    type Error = StorageError;

    fn try_from(row: NotificationRow) -> Result<Self, Self::Error> {
        Ok(NotificationRecord {
            id: row.id,
            applicant_id: row.applicant_id,
            document_id: row.document_id,
            channel: Channel::parse(&row.channel)?,
            reason: row.reason,
            status: DeliveryStatus::parse(&row.status)?,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
            read_at: row.read_at,
        })
    }
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    Sent {
        at: DateTime<Utc>,
    },
    /// Not sent, and never will be: `why` says so to staff.
    Skipped {
        why: &'static str,
    },
    /// A temporary failure: try again at `at`.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    Dead {
        error: String,
    },
}

#[async_trait]
pub trait NotificationRecords: Send + Sync {
    /// Claims up to `limit` due rows for `lease`; a claim counts as an attempt.
    async fn claim_due_notifications(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<ClaimedNotification>, StorageError>;
    /// Records the outcome of `claim`, unless another worker claimed the row since (its lease
    /// ran out): the claim's attempt number fences a late worker off. Returns whether it was
    /// recorded.
    async fn record_delivery(
        &self,
        claim: &ClaimedNotification,
        outcome: &DeliveryOutcome,
    ) -> Result<bool, StorageError>;
    /// Queues the reminder `reminder_<days>` for documents of `notifying_kinds` made available
    /// at least `days` ago (and less than `before_days`), still unopened and not withdrawn, of
    /// an applicant under electronic notification, that do not have it yet; once per document,
    /// whoever else queues at the same time. Looks at most `documents` unopened documents a
    /// call, oldest first, from `after` on (keyset: the documents are found by a read, and only
    /// the insert of their rows holds SQLite's write lock, briefly). Returns the messages queued
    /// (one per channel) and where the next call starts, `None` once every unopened document of
    /// the window has been looked at.
    async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        days: i64,
        before_days: i64,
        notifying_kinds: &[&'static str],
        after: Option<ReminderCursor>,
        documents: i64,
    ) -> Result<(u64, Option<ReminderCursor>), StorageError>;
    /// Queues again the announcements of the applicant's documents that found no usable
    /// contact point on their channel (none yet, or the channel turned off), and on `fresh`
    /// (a channel with a new address or number) those given up too (a refused address, a
    /// relay down for hours: tried afresh, attempts counted from zero); for documents made
    /// available after `available_after`, still unopened and not withdrawn. Called when a
    /// channel may have become usable. Returns how many were queued.
    async fn requeue_waiting_notifications(
        &self,
        applicant_id: Uuid,
        available_after: DateTime<Utc>,
        fresh: Option<Channel>,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
    /// Summonses made available and not withdrawn whose interview starts after `now` and at
    /// the latest at `until`, and whose morning reminder is not queued yet, soonest first, at
    /// most `limit` (an interview fully reminded leaves room for the next).
    async fn upcoming_interviews(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<UpcomingInterview>, StorageError>;
    /// Queues the alert `reason` about a document on every channel (the in-app notice shown at
    /// once), unless it was queued before: once per document and reason, whoever else queues
    /// at the same time. Returns the rows added.
    async fn queue_document_alert(
        &self,
        applicant_id: Uuid,
        document_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
    /// The applicant's notifications, newest first (staff see their delivery).
    async fn notifications_of_applicant(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<NotificationRecord>, StorageError>;
    /// The notification centre: the applicant's in-app notices, newest first, at most `limit`.
    async fn in_app_notices(
        &self,
        applicant_id: Uuid,
        limit: i64,
    ) -> Result<Vec<NotificationRecord>, StorageError>;
    /// The badge on every applicant page.
    async fn unread_notice_count(&self, applicant_id: Uuid) -> Result<i64, StorageError>;
    /// Marks one notice read (`Some`), or all of them; only the applicant's own. Returns how
    /// many changed.
    async fn mark_notices_read(
        &self,
        applicant_id: Uuid,
        notice_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}

/// Where a pass of the reminder job has got to: the last document it looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderCursor {
    pub made_available_at: DateTime<Utc>,
    pub document_id: Uuid,
}

/// An unopened document a pass of the reminder job looked at, with what decides whether it is
/// due (the electronic-notification flag is `None` only if the applicant row is gone).
#[derive(sqlx::FromRow)]
pub(super) struct ReminderCandidate {
    pub(super) id: Uuid,
    pub(super) applicant_id: Uuid,
    pub(super) made_available_at: DateTime<Utc>,
    pub(super) kind: String,
    pub(super) electronic_notification: Option<bool>,
    pub(super) reminded: bool,
}

/// The channels as rows, for queueing one reminder per channel in one statement.
pub(super) const CHANNELS: &str = "(SELECT 'email' AS channel UNION ALL SELECT 'sms' \
    UNION ALL SELECT 'push' UNION ALL SELECT 'in_app') AS c";

/// One row per channel for a reason about a document ($1 applicant, $2 document, $3 reason,
/// $4 now), the in-app notice shown at once; nothing if that reason was queued before (the
/// unique index on document, reason and channel). `new_id` is the engine's id expression.
/// `WHERE true`: without a WHERE, SQLite reads the ON of ON CONFLICT as a join's.
pub(super) fn alert_rows(new_id: &str) -> String {
    format!(
        "INSERT INTO notifications (id, applicant_id, document_id, channel, reason, status, \
         attempts, next_attempt_at, created_at, sent_at) \
         SELECT {new_id}, $1, $2, c.channel, $3, \
         CASE WHEN c.channel = 'in_app' THEN 'sent' ELSE 'queued' END, 0, $4, $4, \
         CASE WHEN c.channel = 'in_app' THEN $4 END \
         FROM {CHANNELS} WHERE true ON CONFLICT DO NOTHING"
    )
}

/// One row per channel of `Channel::ALL` ($4 to $11: id and channel of each); the in-app
/// notice is there as soon as the document is.
pub const QUEUE_PER_CHANNEL: &str = "INSERT INTO notifications (id, applicant_id, \
    document_id, channel, status, attempts, next_attempt_at, created_at, sent_at) \
    SELECT v.id, $1, $2, v.channel, CASE WHEN v.channel = 'in_app' THEN 'sent' ELSE 'queued' END, \
    0, $3, $3, CASE WHEN v.channel = 'in_app' THEN $3 END \
    FROM (SELECT $4 AS id, $5 AS channel UNION ALL SELECT $6, $7 UNION ALL SELECT $8, $9 \
    UNION ALL SELECT $10, $11) AS v";

macro_rules! impl_notification_records {
    ($store:ty, $db:ty, $skip_locked:literal, $new_id:literal) => {
    #[async_trait::async_trait]
    impl $crate::storage::notification_records::NotificationRecords for $store {
        async fn claim_due_notifications(
            &self,
            now: DateTime<Utc>,
            lease: chrono::Duration,
            limit: i64,
        ) -> Result<Vec<$crate::storage::ClaimedNotification>, StorageError> {
            let now = to_micros(now);
            let sql = format!(
                "UPDATE notifications SET locked_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM notifications WHERE status = 'queued' \
                   AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) \
                   ORDER BY next_attempt_at LIMIT $3{}) \
                 RETURNING id, applicant_id, document_id, channel, reason, attempts",
                $skip_locked
            );
            Ok(sqlx::query_as::<$db, $crate::storage::ClaimedNotification>(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(now + lease)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
        }

        async fn record_delivery(
            &self,
            claim: &$crate::storage::ClaimedNotification,
            outcome: &$crate::storage::DeliveryOutcome,
        ) -> Result<bool, StorageError> {
            use $crate::storage::{DeliveryOutcome, DeliveryStatus};
            let (status, next, sent_at, error) = match outcome {
                DeliveryOutcome::Sent { at } => (DeliveryStatus::Sent, None, Some(to_micros(*at)), None),
                DeliveryOutcome::Skipped { why } => (DeliveryStatus::Skipped, None, None, Some(*why)),
                DeliveryOutcome::Retry { at, error } => {
                    (DeliveryStatus::Queued, Some(to_micros(*at)), None, Some(error.as_str()))
                }
                DeliveryOutcome::Dead { error } => (DeliveryStatus::Dead, None, None, Some(error.as_str())),
            };
            let recorded = sqlx::query(
                "UPDATE notifications SET status = $2, \
                 next_attempt_at = COALESCE($3, next_attempt_at), sent_at = $4, \
                 last_error = COALESCE($5, last_error), locked_until = NULL \
                 WHERE id = $1 AND attempts = $6 AND status = 'queued'",
            )
            .bind(claim.id)
            .bind(status.as_str())
            .bind(next)
            .bind(sent_at)
            .bind(error)
            .bind(claim.attempts)
            .execute(&self.pool)
            .await?;
            Ok(recorded.rows_affected() == 1)
        }

        async fn queue_reminders(
            &self,
            now: DateTime<Utc>,
            days: i64,
            before_days: i64,
            notifying_kinds: &[&'static str],
            after: Option<$crate::storage::notification_records::ReminderCursor>,
            documents: i64,
        ) -> Result<(u64, Option<$crate::storage::notification_records::ReminderCursor>), StorageError> {
            use $crate::storage::notification_records::{ReminderCandidate, ReminderCursor, alert_rows};
            let now = to_micros(now);
            let reason = format!("reminder_{days}");
            let oldest = now - chrono::Duration::days(before_days);
            let after = after.unwrap_or(ReminderCursor {
                made_available_at: oldest,
                document_id: Uuid::nil(),
            });
            // Only what the index `documents_awaiting_opening (made_available_at, id)` covers
            // filters the read, so that it is a range read in index order that stops after its
            // `documents` rows; the rest of "due" is worked out per row. Filtered in SQL, the
            // planner read and sorted every due document after the cursor, each call: seconds a
            // call at a million applicants (docs/performance.md).
            let find = "SELECT d.id, d.applicant_id, d.made_available_at, d.kind, \
                 (SELECT a.electronic_notification FROM applicants a WHERE a.id = d.applicant_id) \
                 AS electronic_notification, \
                 EXISTS (SELECT 1 FROM notifications n WHERE n.document_id = d.id AND n.reason = $1) \
                 AS reminded \
                 FROM documents d \
                 WHERE d.first_opened_at IS NULL AND d.withdrawn_at IS NULL \
                 AND d.made_available_at <= $2 AND d.made_available_at > $3 \
                 AND (d.made_available_at, d.id) > ($4, $5) \
                 ORDER BY d.made_available_at, d.id LIMIT $6";
            let looked_at: Vec<ReminderCandidate> = sqlx::query_as(find)
                .bind(&reason)
                .bind(now - chrono::Duration::days(days))
                .bind(oldest)
                .bind(after.made_available_at)
                .bind(after.document_id)
                .bind(documents)
                .fetch_all(&self.pool)
                .await?;
            let Some(last) = looked_at.last() else {
                return Ok((0, None));
            };
            let next = (looked_at.len() as i64 >= documents).then_some(ReminderCursor {
                made_available_at: last.made_available_at,
                document_id: last.id,
            });
            let due: Vec<&ReminderCandidate> = looked_at
                .iter()
                .filter(|document| {
                    notifying_kinds.contains(&document.kind.as_str())
                        && document.electronic_notification == Some(true)
                        && !document.reminded
                })
                .collect();
            if due.is_empty() {
                return Ok((0, next));
            }
            // An `Arc<str>`: each document's statement shares the text instead of copying it.
            let insert: std::sync::Arc<str> = alert_rows($new_id).into();
            let mut queued = 0;
            let mut transaction = self.pool.begin().await?;
            for document in &due {
                queued += sqlx::query::<$db>(sqlx::AssertSqlSafe(insert.clone()))
                    .bind(document.applicant_id)
                    .bind(document.id)
                    .bind(&reason)
                    .bind(now)
                    .execute(&mut *transaction)
                    .await?
                    .rows_affected();
            }
            transaction.commit().await?;
            Ok((queued, next))
        }

        async fn requeue_waiting_notifications(
            &self,
            applicant_id: Uuid,
            available_after: DateTime<Utc>,
            fresh: Option<$crate::storage::Channel>,
            now: DateTime<Utc>,
        ) -> Result<u64, StorageError> {
            use $crate::storage::notification_records::{SKIPPED_CHANNEL_OFF, SKIPPED_NO_CONTACT};
            // Only the first announcement: the reminders queued since find the contact on
            // their own, and one message is enough for a document the person never heard of.
            let result = sqlx::query(
                "UPDATE notifications SET status = 'queued', next_attempt_at = $2, \
                 locked_until = NULL, \
                 attempts = CASE WHEN status = 'dead' THEN 0 ELSE attempts END \
                 WHERE applicant_id = $1 AND reason = 'new_document' AND channel <> 'in_app' \
                 AND ((status = 'skipped' AND last_error IN ($4, $5)) \
                   OR (status = 'dead' AND channel = $6)) \
                 AND document_id IN (SELECT id FROM documents WHERE applicant_id = $1 \
                   AND first_opened_at IS NULL AND withdrawn_at IS NULL \
                   AND made_available_at > $3)",
            )
            .bind(applicant_id)
            .bind(to_micros(now))
            .bind(to_micros(available_after))
            .bind(SKIPPED_NO_CONTACT)
            .bind(SKIPPED_CHANNEL_OFF)
            // No fresh channel: `channel = NULL` holds for no row.
            .bind(fresh.map(|channel| channel.as_str()))
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected())
        }

        async fn upcoming_interviews(
            &self,
            now: DateTime<Utc>,
            until: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<$crate::storage::UpcomingInterview>, StorageError> {
            // A range of `documents_upcoming_interviews`.
            Ok(sqlx::query_as::<$db, $crate::storage::UpcomingInterview>(
                "SELECT d.id AS document_id, d.applicant_id, d.appointment_at, \
                 EXISTS (SELECT 1 FROM notifications n WHERE n.document_id = d.id \
                   AND n.reason = 'interview_eve') AS eve_queued \
                 FROM documents d WHERE d.appointment_at IS NOT NULL AND d.withdrawn_at IS NULL \
                 AND d.appointment_at > $1 AND d.appointment_at <= $2 \
                 AND d.made_available_at IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.document_id = d.id \
                   AND n.reason = 'interview_morning') \
                 ORDER BY d.appointment_at LIMIT $3",
            )
            .bind(to_micros(now))
            .bind(to_micros(until))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn queue_document_alert(
            &self,
            applicant_id: Uuid,
            document_id: Uuid,
            reason: &str,
            at: DateTime<Utc>,
        ) -> Result<u64, StorageError> {
            use $crate::storage::notification_records::alert_rows;
            let insert = alert_rows($new_id);
            Ok(sqlx::query::<$db>(sqlx::AssertSqlSafe(insert))
                .bind(applicant_id)
                .bind(document_id)
                .bind(reason)
                .bind(to_micros(at))
                .execute(&self.pool)
                .await?
                .rows_affected())
        }

        async fn notifications_of_applicant(
            &self,
            applicant_id: Uuid,
        ) -> Result<Vec<$crate::storage::NotificationRecord>, StorageError> {
            use $crate::storage::notification_records::NotificationRow;
            use $crate::storage::notification_records::NOTIFICATION_COLUMNS;
            let sql = format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE applicant_id = $1 \
                 ORDER BY created_at DESC, id"
            );
            sqlx::query_as::<$db, NotificationRow>(sqlx::AssertSqlSafe(sql))
                .bind(applicant_id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::storage::NotificationRecord::try_from)
                .collect()
        }

        async fn in_app_notices(
            &self,
            applicant_id: Uuid,
            limit: i64,
        ) -> Result<Vec<$crate::storage::NotificationRecord>, StorageError> {
            use $crate::storage::notification_records::{NOTIFICATION_COLUMNS, NotificationRow};
            let sql = format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE applicant_id = $1 \
                 AND channel = 'in_app' ORDER BY created_at DESC, id LIMIT $2"
            );
            sqlx::query_as::<$db, NotificationRow>(sqlx::AssertSqlSafe(sql))
                .bind(applicant_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::storage::NotificationRecord::try_from)
                .collect()
        }

        async fn unread_notice_count(&self, applicant_id: Uuid) -> Result<i64, StorageError> {
            Ok(sqlx::query_scalar::<$db, i64>(
                "SELECT COUNT(*) FROM notifications WHERE applicant_id = $1 \
                 AND channel = 'in_app' AND read_at IS NULL",
            )
            .bind(applicant_id)
            .fetch_one(&self.pool)
            .await?)
        }

        async fn mark_notices_read(
            &self,
            applicant_id: Uuid,
            notice_id: Option<Uuid>,
            now: DateTime<Utc>,
        ) -> Result<u64, StorageError> {
            let result = sqlx::query(
                "UPDATE notifications SET read_at = $3 WHERE applicant_id = $1 \
                 AND channel = 'in_app' AND read_at IS NULL AND ($2 IS NULL OR id = $2)",
            )
            .bind(applicant_id)
            .bind(notice_id)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected())
        }
    }

    impl $store {
        /// Queues the rows announcing a document, one per channel, in one statement inside the
        /// transaction that makes it available.
        async fn queue_document_notification(
            transaction: &mut sqlx::Transaction<'_, $db>,
            applicant_id: Uuid,
            document_id: Uuid,
            at: DateTime<Utc>,
        ) -> Result<(), StorageError> {
            use $crate::storage::notification_records::{QUEUE_PER_CHANNEL, Channel};
            let mut query = sqlx::query(QUEUE_PER_CHANNEL)
                .bind(applicant_id)
                .bind(document_id)
                .bind(to_micros(at));
            for channel in Channel::ALL {
                query = query.bind(Uuid::new_v4()).bind(channel.as_str());
            }
            query.execute(&mut **transaction).await?;
            Ok(())
        }
    }
    };
}

pub(super) use impl_notification_records;
