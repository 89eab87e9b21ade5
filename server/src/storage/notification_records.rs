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

/// A row a worker has claimed; `attempts` counts this one.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedNotification {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub document_id: Option<Uuid>,
    /// `new_document` or `reminder_<days>`.
    pub reason: String,
    pub attempts: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub document_id: Option<Uuid>,
    pub reason: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(super) struct NotificationRow {
    id: Uuid,
    applicant_id: Uuid,
    document_id: Option<Uuid>,
    reason: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<NotificationRow> for NotificationRecord {
    type Error = StorageError;

    fn try_from(row: NotificationRow) -> Result<Self, Self::Error> {
        Ok(NotificationRecord {
            id: row.id,
            applicant_id: row.applicant_id,
            document_id: row.document_id,
            reason: row.reason,
            status: DeliveryStatus::parse(&row.status)?,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        })
    }
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    Sent {
        at: DateTime<Utc>,
    },
    Skipped,
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
    async fn record_delivery(
        &self,
        id: Uuid,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StorageError>;
    /// Queues the reminder `reminder_<days>` for every document of `notifying_kinds` made
    /// available at least `days` ago (and less than `before_days`), still unopened and not
    /// withdrawn, of an applicant under electronic notification; once per document, whoever
    /// else queues at the same time. Returns how many were queued.
    async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        days: i64,
        before_days: i64,
        notifying_kinds: &[&'static str],
    ) -> Result<u64, StorageError>;
    /// The applicant's notifications, newest first (staff see their delivery).
    async fn notifications_of_applicant(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<NotificationRecord>, StorageError>;
}

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
                 RETURNING id, applicant_id, document_id, reason, attempts",
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
            id: Uuid,
            outcome: &$crate::storage::DeliveryOutcome,
        ) -> Result<(), StorageError> {
            use $crate::storage::{DeliveryOutcome, DeliveryStatus};
            let (status, next, sent_at, error) = match outcome {
                DeliveryOutcome::Sent { at } => (DeliveryStatus::Sent, None, Some(to_micros(*at)), None),
                DeliveryOutcome::Skipped => (DeliveryStatus::Skipped, None, None, None),
                DeliveryOutcome::Retry { at, error } => {
                    (DeliveryStatus::Queued, Some(to_micros(*at)), None, Some(error.as_str()))
                }
                DeliveryOutcome::Dead { error } => (DeliveryStatus::Dead, None, None, Some(error.as_str())),
            };
            sqlx::query(
                "UPDATE notifications SET status = $2, \
                 next_attempt_at = COALESCE($3, next_attempt_at), sent_at = $4, \
                 last_error = COALESCE($5, last_error), locked_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(next)
            .bind(sent_at)
            .bind(error)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn queue_reminders(
            &self,
            now: DateTime<Utc>,
            days: i64,
            before_days: i64,
            notifying_kinds: &[&'static str],
        ) -> Result<u64, StorageError> {
            // The kinds are the portal's own codes (letters and underscores), never input.
            let kinds = notifying_kinds
                .iter()
                .filter(|kind| kind.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(|kind| format!("'{kind}'"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO notifications (id, applicant_id, document_id, channel, reason, status, \
                 attempts, next_attempt_at, created_at) \
                 SELECT {}, d.applicant_id, d.id, 'email', $1, 'queued', 0, $2, $2 \
                 FROM documents d JOIN applicants a ON a.id = d.applicant_id \
                 WHERE d.kind IN ({kinds}) AND a.electronic_notification \
                 AND d.made_available_at IS NOT NULL AND d.made_available_at <= $3 \
                 AND d.made_available_at > $4 AND d.first_opened_at IS NULL \
                 AND d.withdrawn_at IS NULL \
                 ON CONFLICT DO NOTHING",
                $new_id
            );
            let now = to_micros(now);
            let result = sqlx::query::<$db>(sqlx::AssertSqlSafe(sql))
                .bind(format!("reminder_{days}"))
                .bind(now)
                .bind(now - chrono::Duration::days(days))
                .bind(now - chrono::Duration::days(before_days))
                .execute(&self.pool)
                .await?;
            Ok(result.rows_affected())
        }

        async fn notifications_of_applicant(
            &self,
            applicant_id: Uuid,
        ) -> Result<Vec<$crate::storage::NotificationRecord>, StorageError> {
            use $crate::storage::notification_records::NotificationRow;
            sqlx::query_as::<$db, NotificationRow>(
                "SELECT id, applicant_id, document_id, reason, status, attempts, next_attempt_at, \
                 last_error, created_at, sent_at FROM notifications WHERE applicant_id = $1 \
                 ORDER BY created_at DESC, id",
            )
            .bind(applicant_id)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map($crate::storage::NotificationRecord::try_from)
            .collect()
        }
    }

    impl $store {
        /// Queues the email announcing a document, inside the transaction that makes it
        /// available.
        async fn queue_document_notification(
            transaction: &mut sqlx::Transaction<'_, $db>,
            applicant_id: Uuid,
            document_id: Uuid,
            at: DateTime<Utc>,
        ) -> Result<(), StorageError> {
            let at = to_micros(at);
            sqlx::query(
                "INSERT INTO notifications (id, applicant_id, document_id, channel, status, \
                 attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, 'email', 'queued', 0, $4, $4)",
            )
            .bind(Uuid::new_v4())
            .bind(applicant_id)
            .bind(document_id)
            .bind(at)
            .execute(&mut **transaction)
            .await?;
            Ok(())
        }
    }
    };
}

pub(super) use impl_notification_records;
