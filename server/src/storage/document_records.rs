//! Rows of the documents posted in applicants' accounts. Part of `Storage` (a supertrait),
//! implemented once for both engines by `impl_document_records!`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ActorKind, NewAuditEvent, StorageError};
use crate::documents::{DocumentKind, notice_facts::NoticeFacts};

/// Where the virus scan stands. Without a scanner a document is `NotScanned`, never `Clean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStatus {
    NotScanned,
    Pending,
    Clean,
    Infected,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::NotScanned => "not_scanned",
            ScanStatus::Pending => "pending",
            ScanStatus::Clean => "clean",
            ScanStatus::Infected => "infected",
        }
    }

    fn parse(text: &str) -> Result<ScanStatus, StorageError> {
        [
            ScanStatus::NotScanned,
            ScanStatus::Pending,
            ScanStatus::Clean,
            ScanStatus::Infected,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown scan status `{text}`")))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub master_key_id: String,
    pub wrapped_key: String,
    pub uploaded_by_kind: ActorKind,
    pub uploaded_by_id: Option<Uuid>,
    pub scan_status: ScanStatus,
    pub made_available_at: Option<DateTime<Utc>>,
    pub replaces_id: Option<Uuid>,
    pub facts: NoticeFacts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecord {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub master_key_id: String,
    pub wrapped_key: String,
    pub uploaded_by_kind: ActorKind,
    pub uploaded_by_id: Option<Uuid>,
    pub scan_status: ScanStatus,
    pub made_available_at: Option<DateTime<Utc>>,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by_id: Option<Uuid>,
    pub withdrawal_reason: Option<String>,
    pub replaces_id: Option<Uuid>,
    /// What the notice says, for the inbox (`documents::notice_facts`).
    pub facts: NoticeFacts,
}

/// A supervisor takes a document out of the account. The row stays, with who, when and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Withdrawal {
    pub document_id: Uuid,
    pub applicant_id: Uuid,
    pub withdrawn_by_id: Uuid,
    pub reason: String,
    pub at: DateTime<Utc>,
}

pub(super) const DOCUMENT_COLUMNS: &str = "id, applicant_id, kind, title, file_name, size_bytes, \
    sha256, object_key, master_key_id, wrapped_key, uploaded_by_kind, uploaded_by_id, scan_status, \
    made_available_at, first_opened_at, withdrawn_at, withdrawn_by_id, withdrawal_reason, replaces_id, \
    facts";

#[derive(sqlx::FromRow)]
pub(super) struct DocumentRow {
    id: Uuid,
    applicant_id: Uuid,
    kind: String,
    title: String,
    file_name: String,
    size_bytes: i64,
    sha256: String,
    object_key: String,
    master_key_id: String,
    wrapped_key: String,
    uploaded_by_kind: String,
    uploaded_by_id: Option<Uuid>,
    scan_status: String,
    made_available_at: Option<DateTime<Utc>>,
    first_opened_at: Option<DateTime<Utc>>,
    withdrawn_at: Option<DateTime<Utc>>,
    withdrawn_by_id: Option<Uuid>,
    withdrawal_reason: Option<String>,
    replaces_id: Option<Uuid>,
    facts: Option<String>,
}

impl TryFrom<DocumentRow> for DocumentRecord {
    type Error = StorageError;

    fn try_from(row: DocumentRow) -> Result<Self, Self::Error> {
        Ok(DocumentRecord {
            id: row.id,
            applicant_id: row.applicant_id,
            kind: DocumentKind::from_code(&row.kind).ok_or_else(|| {
                StorageError::Corrupt(format!("unknown document kind `{}`", row.kind))
            })?,
            title: row.title,
            file_name: row.file_name,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            object_key: row.object_key,
            master_key_id: row.master_key_id,
            wrapped_key: row.wrapped_key,
            uploaded_by_kind: ActorKind::parse(&row.uploaded_by_kind)?,
            uploaded_by_id: row.uploaded_by_id,
            scan_status: ScanStatus::parse(&row.scan_status)?,
            made_available_at: row.made_available_at,
            first_opened_at: row.first_opened_at,
            withdrawn_at: row.withdrawn_at,
            withdrawn_by_id: row.withdrawn_by_id,
            withdrawal_reason: row.withdrawal_reason,
            replaces_id: row.replaces_id,
            facts: NoticeFacts::from_column(row.facts.as_deref()).ok_or_else(|| {
                StorageError::Corrupt(format!("unreadable facts of document {}", row.id))
            })?,
        })
    }
}

#[async_trait]
pub trait DocumentRecords: Send + Sync {
    /// Stores the row of a document whose content is already in the object store, together with
    /// its audit events and, for a replacement, the withdrawal of the document it replaces: all
    /// or nothing. Refused with `Conflict("document")` when the same content is already in the
    /// account (not withdrawn), `Conflict("withdrawn")` when the replaced document is no longer
    /// there to withdraw.
    async fn insert_document(
        &self,
        document: &NewDocument,
        replacing: Option<&Withdrawal>,
        audit: &[NewAuditEvent],
    ) -> Result<DocumentRecord, StorageError>;
    /// Withdraws a document of this applicant still in the account, with its audit event;
    /// `None` when there is no such document or it is already withdrawn.
    async fn withdraw_document(
        &self,
        withdrawal: &Withdrawal,
        audit: &NewAuditEvent,
    ) -> Result<Option<DocumentRecord>, StorageError>;
    async fn find_document(&self, id: Uuid) -> Result<Option<DocumentRecord>, StorageError>;
    /// The applicant's documents, newest first (those still waiting for a scan last).
    async fn documents_of_applicant(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<DocumentRecord>, StorageError>;
    /// Records the first opening at `now` unless one is recorded already (also by a concurrent
    /// call); returns the row as it then stands.
    async fn record_first_opening(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<DocumentRecord>, StorageError>;
    /// Documents that may have been notified in `[from, to)`: first opened then, or made
    /// available 15 days before (the caller applies the rule), at most `limit`, oldest first.
    async fn documents_possibly_notified_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DocumentRecord>, StorageError>;
    /// Documents waiting for the virus scanner, oldest first.
    async fn documents_pending_scan(&self, limit: i64)
    -> Result<Vec<DocumentRecord>, StorageError>;
    /// Records the verdict on a pending document (making it available at `made_available_at`
    /// when clean); false if it was no longer pending (another instance got there first).
    async fn record_scan_verdict(
        &self,
        id: Uuid,
        status: ScanStatus,
        made_available_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StorageError>;
    /// Whether a row points at this object (the orphan sweep asks).
    async fn document_object_exists(&self, object_key: &str) -> Result<bool, StorageError>;
}

macro_rules! impl_document_records {
    ($store:ty, $db:ty) => {
    #[async_trait::async_trait]
    impl $crate::storage::document_records::DocumentRecords for $store {
        async fn insert_document(
            &self,
            document: &$crate::storage::NewDocument,
            replacing: Option<&$crate::storage::Withdrawal>,
            audit: &[$crate::storage::NewAuditEvent],
        ) -> Result<$crate::storage::DocumentRecord, StorageError> {
            let mut transaction = self.pool.begin().await?;
            // Withdrawing first frees the content of the replaced document for its successor.
            if let Some(withdrawal) = replacing {
                if !Self::mark_withdrawn(&mut transaction, withdrawal).await? {
                    return Err(StorageError::Conflict("withdrawn"));
                }
            }
            sqlx::query(
                "INSERT INTO documents (id, applicant_id, kind, title, file_name, size_bytes, sha256, \
                 object_key, master_key_id, wrapped_key, uploaded_by_kind, uploaded_by_id, scan_status, \
                 made_available_at, replaces_id, facts, appointment_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(document.id)
            .bind(document.applicant_id)
            .bind(document.kind.code())
            .bind(&document.title)
            .bind(&document.file_name)
            .bind(document.size_bytes)
            .bind(&document.sha256)
            .bind(&document.object_key)
            .bind(&document.master_key_id)
            .bind(&document.wrapped_key)
            .bind(document.uploaded_by_kind.as_str())
            .bind(document.uploaded_by_id)
            .bind(document.scan_status.as_str())
            .bind(document.made_available_at.map(to_micros))
            .bind(document.replaces_id)
            .bind(document.facts.to_column())
            .bind(document.facts.appointment_at.map(to_micros))
            .execute(&mut *transaction)
            .await
            .map_err(|error| $crate::storage::map_unique_violation(error, "document"))?;
            // Made available now: its notification is queued with it, or not at all.
            if let Some(at) = document.made_available_at {
                Self::queue_document_notification(
                    &mut transaction,
                    document.applicant_id,
                    document.id,
                    at,
                )
                .await?;
            }
            for event in audit {
                self.chain_audit_event(&mut transaction, event).await?;
            }
            transaction.commit().await?;
            // What was written, not read back: once the commit is acknowledged the document
            // exists, and a read failing right after it (the database restarting) must not
            // answer "refused" for a document that was posted (`tests/database_restart.rs`).
            Ok($crate::storage::DocumentRecord {
                id: document.id,
                applicant_id: document.applicant_id,
                kind: document.kind,
                title: document.title.clone(),
                file_name: document.file_name.clone(),
                size_bytes: document.size_bytes,
                sha256: document.sha256.clone(),
                object_key: document.object_key.clone(),
                master_key_id: document.master_key_id.clone(),
                wrapped_key: document.wrapped_key.clone(),
                uploaded_by_kind: document.uploaded_by_kind,
                uploaded_by_id: document.uploaded_by_id,
                scan_status: document.scan_status,
                made_available_at: document.made_available_at.map(to_micros),
                first_opened_at: None,
                withdrawn_at: None,
                withdrawn_by_id: None,
                withdrawal_reason: None,
                replaces_id: document.replaces_id,
                facts: document.facts.clone(),
            })
        }

        async fn withdraw_document(
            &self,
            withdrawal: &$crate::storage::Withdrawal,
            audit: &$crate::storage::NewAuditEvent,
        ) -> Result<Option<$crate::storage::DocumentRecord>, StorageError> {
            let mut transaction = self.pool.begin().await?;
            if !Self::mark_withdrawn(&mut transaction, withdrawal).await? {
                return Ok(None);
            }
            // A summons withdrawn (not replaced: the replacement is its own news) whose
            // interview was still to come, and that the applicant could see: the notification
            // centre says the interview is off.
            sqlx::query(
                "INSERT INTO notifications (id, applicant_id, document_id, channel, reason, status, \
                 attempts, next_attempt_at, created_at, sent_at) \
                 SELECT $1, applicant_id, id, 'in_app', 'interview_cancelled', 'sent', 0, $3, $3, $3 \
                 FROM documents WHERE id = $2 AND appointment_at > $3 \
                 AND made_available_at IS NOT NULL",
            )
            .bind(Uuid::new_v4())
            .bind(withdrawal.document_id)
            .bind(to_micros(withdrawal.at))
            .execute(&mut *transaction)
            .await?;
            self.chain_audit_event(&mut transaction, audit).await?;
            transaction.commit().await?;
            self.find_document(withdrawal.document_id).await
        }

        async fn find_document(
            &self,
            id: Uuid,
        ) -> Result<Option<$crate::storage::DocumentRecord>, StorageError> {
            use $crate::storage::document_records::{DOCUMENT_COLUMNS, DocumentRow};
            let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1");
            sqlx::query_as::<$db, DocumentRow>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::storage::DocumentRecord::try_from)
                .transpose()
        }

        async fn documents_of_applicant(
            &self,
            applicant_id: Uuid,
        ) -> Result<Vec<$crate::storage::DocumentRecord>, StorageError> {
            use $crate::storage::document_records::{DOCUMENT_COLUMNS, DocumentRow};
            let sql = format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE applicant_id = $1 \
                 ORDER BY made_available_at IS NULL, made_available_at DESC, id"
            );
            sqlx::query_as::<$db, DocumentRow>(sqlx::AssertSqlSafe(sql))
                .bind(applicant_id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::storage::DocumentRecord::try_from)
                .collect()
        }

        async fn record_first_opening(
            &self,
            id: Uuid,
            now: DateTime<Utc>,
        ) -> Result<Option<$crate::storage::DocumentRecord>, StorageError> {
            // One statement: of two concurrent first openings, exactly one sets the time.
            sqlx::query(
                "UPDATE documents SET first_opened_at = $2 \
                 WHERE id = $1 AND first_opened_at IS NULL AND made_available_at IS NOT NULL",
            )
            .bind(id)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
            // Its notices in the notification centre have served their purpose.
            sqlx::query(
                "UPDATE notifications SET read_at = $2 \
                 WHERE document_id = $1 AND channel = 'in_app' AND read_at IS NULL",
            )
            .bind(id)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
            self.find_document(id).await
        }

        async fn documents_possibly_notified_between(
            &self,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<$crate::storage::DocumentRecord>, StorageError> {
            use $crate::storage::document_records::{DOCUMENT_COLUMNS, DocumentRow};
            let deemed = chrono::Duration::days(
                $crate::documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
            );
            let sql = format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE made_available_at IS NOT NULL \
                 AND ((first_opened_at >= $1 AND first_opened_at < $2) \
                   OR (made_available_at >= $3 AND made_available_at < $4)) \
                 ORDER BY made_available_at, id LIMIT $5"
            );
            sqlx::query_as::<$db, DocumentRow>(sqlx::AssertSqlSafe(sql))
                .bind(to_micros(from))
                .bind(to_micros(to))
                .bind(to_micros(from - deemed))
                .bind(to_micros(to - deemed))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::storage::DocumentRecord::try_from)
                .collect()
        }

        async fn documents_pending_scan(
            &self,
            limit: i64,
        ) -> Result<Vec<$crate::storage::DocumentRecord>, StorageError> {
            use $crate::storage::document_records::{DOCUMENT_COLUMNS, DocumentRow};
            let sql = format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE scan_status = 'pending' \
                 AND withdrawn_at IS NULL ORDER BY id LIMIT $1"
            );
            sqlx::query_as::<$db, DocumentRow>(sqlx::AssertSqlSafe(sql))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::storage::DocumentRecord::try_from)
                .collect()
        }

        async fn record_scan_verdict(
            &self,
            id: Uuid,
            status: $crate::storage::ScanStatus,
            made_available_at: Option<DateTime<Utc>>,
        ) -> Result<bool, StorageError> {
            let mut transaction = self.pool.begin().await?;
            let updated: Option<Uuid> = sqlx::query_scalar(
                "UPDATE documents SET scan_status = $2, made_available_at = $3 \
                 WHERE id = $1 AND scan_status = 'pending' RETURNING applicant_id",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(made_available_at.map(to_micros))
            .fetch_optional(&mut *transaction)
            .await?;
            let Some(applicant_id) = updated else {
                return Ok(false);
            };
            if let Some(at) = made_available_at {
                Self::queue_document_notification(&mut transaction, applicant_id, id, at).await?;
            }
            transaction.commit().await?;
            Ok(true)
        }

        async fn document_object_exists(&self, object_key: &str) -> Result<bool, StorageError> {
            let found: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE object_key = $1")
                    .bind(object_key)
                    .fetch_one(&self.pool)
                    .await?;
            Ok(found > 0)
        }
    }

    impl $store {
        /// Marks the document withdrawn unless it already is; whether it was.
        async fn mark_withdrawn(
            transaction: &mut sqlx::Transaction<'_, $db>,
            withdrawal: &$crate::storage::Withdrawal,
        ) -> Result<bool, StorageError> {
            let result = sqlx::query(
                "UPDATE documents SET withdrawn_at = $3, withdrawn_by_id = $4, withdrawal_reason = $5 \
                 WHERE id = $1 AND applicant_id = $2 AND withdrawn_at IS NULL",
            )
            .bind(withdrawal.document_id)
            .bind(withdrawal.applicant_id)
            .bind(to_micros(withdrawal.at))
            .bind(withdrawal.withdrawn_by_id)
            .bind(&withdrawal.reason)
            .execute(&mut **transaction)
            .await?;
            if result.rows_affected() != 1 {
                return Ok(false);
            }
            // An interview called off (or its summons replaced): its reminders not yet sent
            // are cancelled.
            sqlx::query(
                "UPDATE notifications SET status = 'skipped', last_error = $2, locked_until = NULL \
                 WHERE document_id = $1 AND status = 'queued' \
                 AND reason IN ('interview_eve', 'interview_morning')",
            )
            .bind(withdrawal.document_id)
            .bind($crate::storage::SKIPPED_CANCELLED)
            .execute(&mut **transaction)
            .await?;
            Ok(true)
        }
    }
    };
}

pub(super) use impl_document_records;
