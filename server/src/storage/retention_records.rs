//! Rows of the retention policy: closed accounts, erasures and the objects waiting to be deleted.
//! Part of `Storage` (a supertrait), implemented once for both engines by
//! `impl_retention_records!`.
//!
//! Each erasure is one transaction: it deletes every row that holds the person's data, writes
//! what must stay (`erasures`), queues the document objects for deletion and chains the audit
//! event. The first statement of each is a write, so that SQLite takes its write lock before
//! reading (a read-then-write transaction could not wait for a concurrent writer).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{NewAuditEvent, StorageError};

/// Why something was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureReason {
    /// The account was closed long enough ago.
    AccountClosed,
    /// The document's kind is kept for a set time after it was made available.
    DocumentRetention,
}

impl ErasureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureReason::AccountClosed => "account_closed",
            ErasureReason::DocumentRetention => "document_retention",
        }
    }

    fn parse(text: &str) -> Result<ErasureReason, StorageError> {
        match text {
            "account_closed" => Ok(ErasureReason::AccountClosed),
            "document_retention" => Ok(ErasureReason::DocumentRetention),
            other => Err(StorageError::Corrupt(format!(
                "unknown erasure reason `{other}`"
            ))),
        }
    }
}

/// What stays of an erased account or document: ids, dates and the document's fingerprint,
/// which prove that (and when) a notification happened without saying anything about whom.
#[derive(Debug, Clone, PartialEq)]
pub struct Erasure {
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub applicant_id: Uuid,
    pub reason: ErasureReason,
    pub document_kind: Option<String>,
    pub sha256: Option<String>,
    pub made_available_at: Option<DateTime<Utc>>,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub erased_at: DateTime<Utc>,
}

pub(super) const ERASURE_COLUMNS: &str = "subject_kind, subject_id, applicant_id, reason, \
    document_kind, sha256, made_available_at, first_opened_at, closed_at, erased_at";

#[derive(sqlx::FromRow)]
pub(super) struct ErasureRow {
    subject_kind: String,
    subject_id: Uuid,
    applicant_id: Uuid,
    reason: String,
    document_kind: Option<String>,
    sha256: Option<String>,
    made_available_at: Option<DateTime<Utc>>,
    first_opened_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    erased_at: DateTime<Utc>,
}

impl TryFrom<ErasureRow> for Erasure {
    type Error = StorageError;

    fn try_from(row: ErasureRow) -> Result<Self, Self::Error> {
        Ok(Erasure {
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            applicant_id: row.applicant_id,
            reason: ErasureReason::parse(&row.reason)?,
            document_kind: row.document_kind,
            sha256: row.sha256,
            made_available_at: row.made_available_at,
            first_opened_at: row.first_opened_at,
            closed_at: row.closed_at,
            erased_at: row.erased_at,
        })
    }
}

/// The columns of a document that outlive it in `erasures`, plus its object.
#[derive(sqlx::FromRow)]
pub(super) struct ErasedDocumentRow {
    pub(super) id: Uuid,
    pub(super) applicant_id: Uuid,
    pub(super) kind: String,
    pub(super) sha256: String,
    pub(super) made_available_at: Option<DateTime<Utc>>,
    pub(super) first_opened_at: Option<DateTime<Utc>>,
    pub(super) object_key: String,
}

#[async_trait]
pub trait RetentionRecords: Send + Sync {
    /// Closes the account (`Some(at, by)`) or reopens it (`None`), with its audit event; false
    /// when there is no such applicant or it already stands so.
    async fn set_account_closed(
        &self,
        applicant_id: Uuid,
        closed: Option<(DateTime<Utc>, Uuid)>,
        audit: &NewAuditEvent,
    ) -> Result<bool, StorageError>;
    /// Documents of `kind` made available before `before`, at most `limit`, oldest first.
    async fn documents_due_for_erasure(
        &self,
        kind: &str,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>, StorageError>;
    /// Accounts closed before `before`, at most `limit`, oldest first.
    async fn accounts_due_for_erasure(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>, StorageError>;
    /// Erases one document (its row, its notifications; a replacement forgets it replaced it)
    /// and queues its object for deletion; false when it is already gone.
    async fn erase_document(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<bool, StorageError>;
    /// Erases a closed account and everything in it; false when it is gone or was reopened.
    async fn erase_account(
        &self,
        applicant_id: Uuid,
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<bool, StorageError>;
    /// Objects whose rows were erased and that may still be in the store, oldest first.
    async fn queued_object_deletions(&self, limit: i64) -> Result<Vec<String>, StorageError>;
    /// The object is gone from the store.
    async fn forget_object_deletion(&self, object_key: &str) -> Result<(), StorageError>;
    /// What stays of the applicant's erased documents (and of the account, once erased).
    async fn erasures_of_applicant(&self, applicant_id: Uuid)
    -> Result<Vec<Erasure>, StorageError>;
    /// Every session the applicant opened, newest first (for their access request).
    async fn sessions_of_applicant(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<super::Session>, StorageError>;
    /// Audit events the applicant did or that concern them, oldest first.
    async fn audit_events_about(
        &self,
        subject_id: Uuid,
    ) -> Result<Vec<super::AuditEvent>, StorageError>;
    /// The devices where the applicant chose "remember this device": when, until when, revoked.
    async fn remembered_devices_of(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<RememberedDevice>, StorageError>;
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct RememberedDevice {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

macro_rules! impl_retention_records {
    ($store:ty, $db:ty) => {
    #[async_trait::async_trait]
    impl $crate::storage::retention_records::RetentionRecords for $store {
        async fn set_account_closed(
            &self,
            applicant_id: Uuid,
            closed: Option<(DateTime<Utc>, Uuid)>,
            audit: &NewAuditEvent,
        ) -> Result<bool, StorageError> {
            let mut transaction = self.pool.begin().await?;
            let changed = match closed {
                Some((at, by)) => sqlx::query(
                    "UPDATE applicants SET closed_at = $2, closed_by_id = $3 \
                     WHERE id = $1 AND closed_at IS NULL",
                )
                .bind(applicant_id)
                .bind(to_micros(at))
                .bind(by),
                None => sqlx::query(
                    "UPDATE applicants SET closed_at = NULL, closed_by_id = NULL \
                     WHERE id = $1 AND closed_at IS NOT NULL",
                )
                .bind(applicant_id),
            }
            .execute(&mut *transaction)
            .await?
            .rows_affected()
                == 1;
            if changed {
                self.chain_audit_event(&mut transaction, audit).await?;
                transaction.commit().await?;
            }
            Ok(changed)
        }

        async fn documents_due_for_erasure(
            &self,
            kind: &str,
            before: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<Uuid>, StorageError> {
            Ok(sqlx::query_scalar(
                "SELECT id FROM documents WHERE kind = $1 AND made_available_at < $2 \
                 ORDER BY made_available_at LIMIT $3",
            )
            .bind(kind)
            .bind(to_micros(before))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn accounts_due_for_erasure(
            &self,
            before: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<Uuid>, StorageError> {
            Ok(sqlx::query_scalar(
                "SELECT id FROM applicants WHERE closed_at IS NOT NULL AND closed_at < $1 \
                 ORDER BY closed_at LIMIT $2",
            )
            .bind(to_micros(before))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn erase_document(
            &self,
            id: Uuid,
            at: DateTime<Utc>,
            audit: &NewAuditEvent,
        ) -> Result<bool, StorageError> {
            use $crate::storage::retention_records::ErasedDocumentRow;
            let mut transaction = self.pool.begin().await?;
            sqlx::query("UPDATE documents SET replaces_id = NULL WHERE replaces_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            sqlx::query("DELETE FROM notifications WHERE document_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            let erased = sqlx::query_as::<$db, ErasedDocumentRow>(
                "DELETE FROM documents WHERE id = $1 RETURNING id, applicant_id, kind, sha256, \
                 made_available_at, first_opened_at, object_key",
            )
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some(erased) = erased else {
                return Ok(false);
            };
            Self::record_erased_documents(
                &mut transaction,
                &[erased],
                $crate::storage::retention_records::ErasureReason::DocumentRetention,
                at,
            )
            .await?;
            self.chain_audit_event(&mut transaction, audit).await?;
            transaction.commit().await?;
            Ok(true)
        }

        async fn erase_account(
            &self,
            applicant_id: Uuid,
            at: DateTime<Utc>,
            audit: &NewAuditEvent,
        ) -> Result<bool, StorageError> {
            use $crate::storage::retention_records::{ErasedDocumentRow, ErasureReason};
            let mut transaction = self.pool.begin().await?;
            // A write first: it takes SQLite's lock, and a reopened account is left alone.
            let closed_at: Option<DateTime<Utc>> = sqlx::query_scalar(
                "UPDATE applicants SET closed_at = closed_at \
                 WHERE id = $1 AND closed_at IS NOT NULL RETURNING closed_at",
            )
            .bind(applicant_id)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some(closed_at) = closed_at else {
                return Ok(false);
            };
            let documents = sqlx::query_as::<$db, ErasedDocumentRow>(
                "SELECT id, applicant_id, kind, sha256, made_available_at, first_opened_at, \
                 object_key FROM documents WHERE applicant_id = $1",
            )
            .bind(applicant_id)
            .fetch_all(&mut *transaction)
            .await?;
            for statement in [
                "DELETE FROM notifications WHERE applicant_id = $1",
                "DELETE FROM push_subscriptions WHERE applicant_id = $1",
                "DELETE FROM replaced_contacts WHERE applicant_id = $1",
                "DELETE FROM postal_addresses WHERE applicant_id = $1",
                "DELETE FROM remembered_devices WHERE applicant_id = $1",
                "DELETE FROM one_time_codes WHERE subject_kind = 'applicant' AND subject_id = $1",
                "DELETE FROM sessions WHERE subject_kind = 'applicant' AND subject_id = $1",
                "DELETE FROM connection_keys WHERE applicant_id = $1",
                "UPDATE documents SET replaces_id = NULL WHERE applicant_id = $1",
                "DELETE FROM documents WHERE applicant_id = $1",
                "DELETE FROM applicants WHERE id = $1",
            ] {
                sqlx::query(statement)
                    .bind(applicant_id)
                    .execute(&mut *transaction)
                    .await?;
            }
            Self::record_erased_documents(
                &mut transaction,
                &documents,
                ErasureReason::AccountClosed,
                at,
            )
            .await?;
            sqlx::query(
                "INSERT INTO erasures (id, subject_kind, subject_id, applicant_id, reason, \
                 closed_at, erased_at) VALUES ($1, 'applicant', $2, $2, $3, $4, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(applicant_id)
            .bind(ErasureReason::AccountClosed.as_str())
            .bind(closed_at)
            .bind(to_micros(at))
            .execute(&mut *transaction)
            .await?;
            self.chain_audit_event(&mut transaction, audit).await?;
            transaction.commit().await?;
            Ok(true)
        }

        async fn queued_object_deletions(&self, limit: i64) -> Result<Vec<String>, StorageError> {
            Ok(sqlx::query_scalar(
                "SELECT object_key FROM object_deletions ORDER BY queued_at LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn forget_object_deletion(&self, object_key: &str) -> Result<(), StorageError> {
            sqlx::query("DELETE FROM object_deletions WHERE object_key = $1")
                .bind(object_key)
                .execute(&self.pool)
                .await?;
            Ok(())
        }

        async fn erasures_of_applicant(
            &self,
            applicant_id: Uuid,
        ) -> Result<Vec<$crate::storage::Erasure>, StorageError> {
            use $crate::storage::retention_records::{ERASURE_COLUMNS, ErasureRow};
            let sql = format!(
                "SELECT {ERASURE_COLUMNS} FROM erasures WHERE applicant_id = $1 \
                 ORDER BY erased_at, subject_kind DESC"
            );
            sqlx::query_as::<$db, ErasureRow>(sqlx::AssertSqlSafe(sql))
                .bind(applicant_id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::storage::Erasure::try_from)
                .collect()
        }

        async fn sessions_of_applicant(
            &self,
            applicant_id: Uuid,
        ) -> Result<Vec<Session>, StorageError> {
            sqlx::query_as::<$db, SessionRow>(
                "SELECT id, subject_kind, subject_id, shared_device, created_at, last_seen_at, \
                 idle_expires_at, absolute_expires_at, revoked_at FROM sessions \
                 WHERE subject_kind = 'applicant' AND subject_id = $1 ORDER BY created_at DESC",
            )
            .bind(applicant_id)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(Session::try_from)
            .collect()
        }

        async fn audit_events_about(
            &self,
            subject_id: Uuid,
        ) -> Result<Vec<AuditEvent>, StorageError> {
            let sql = format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE actor_id = $1 \
                 UNION SELECT {AUDIT_COLUMNS} FROM audit_events WHERE target_id = $1 \
                 ORDER BY sequence"
            );
            sqlx::query_as::<$db, AuditEventRow>(sqlx::AssertSqlSafe(sql))
                .bind(subject_id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(AuditEvent::try_from)
                .collect()
        }

        async fn remembered_devices_of(
            &self,
            applicant_id: Uuid,
        ) -> Result<Vec<$crate::storage::RememberedDevice>, StorageError> {
            Ok(sqlx::query_as(
                "SELECT created_at, expires_at, revoked_at FROM remembered_devices \
                 WHERE applicant_id = $1 ORDER BY created_at DESC",
            )
            .bind(applicant_id)
            .fetch_all(&self.pool)
            .await?)
        }
    }

    impl $store {
        /// Writes what stays of erased documents and queues their objects for deletion.
        async fn record_erased_documents(
            transaction: &mut sqlx::Transaction<'_, $db>,
            documents: &[$crate::storage::retention_records::ErasedDocumentRow],
            reason: $crate::storage::retention_records::ErasureReason,
            at: DateTime<Utc>,
        ) -> Result<(), StorageError> {
            for document in documents {
                sqlx::query(
                    "INSERT INTO erasures (id, subject_kind, subject_id, applicant_id, reason, \
                     document_kind, sha256, made_available_at, first_opened_at, erased_at) \
                     VALUES ($1, 'document', $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(Uuid::new_v4())
                .bind(document.id)
                .bind(document.applicant_id)
                .bind(reason.as_str())
                .bind(&document.kind)
                .bind(&document.sha256)
                .bind(document.made_available_at)
                .bind(document.first_opened_at)
                .bind(to_micros(at))
                .execute(&mut **transaction)
                .await?;
                // Another erasure may have queued it already (a retry after a crash).
                sqlx::query(
                    "INSERT INTO object_deletions (object_key, queued_at) VALUES ($1, $2) \
                     ON CONFLICT (object_key) DO NOTHING",
                )
                .bind(&document.object_key)
                .bind(to_micros(at))
                .execute(&mut **transaction)
                .await?;
            }
            Ok(())
        }
    }
    };
}

pub(super) use impl_retention_records;
