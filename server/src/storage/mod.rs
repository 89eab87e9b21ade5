//! The database behind the portal: one trait, one implementation per engine.
//!
//! SQLite is the embedded default; PostgreSQL carries several app servers. Both run the same
//! contract tests (`server/tests/storage_contract.rs`).

mod audit_and_sessions;
mod contact_records;
mod dashboard_records;
mod document_records;
pub mod generated_records;
mod idempotency_records;
mod models;
mod notification_records;
mod postgres;
mod retention_records;
mod shared_queries;
mod sign_in_records;
mod sqlite;
mod staff_records;
mod watch_records;

use std::sync::Arc;

use crate::clock::Clock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use audit_and_sessions::{
    Actor, ActorKind, AuditEvent, GENESIS_HASH, NewAuditEvent, NewSession, Session, SubjectKind,
};
pub use contact_records::{
    ContactKind, ContactRecords, NotificationChannels, PostalAddress, PushSubscription,
    ReplacedContact,
};
pub use dashboard_records::{DashboardRecords, StoredDashboard};
pub use document_records::{DocumentRecord, DocumentRecords, NewDocument, ScanStatus, Withdrawal};
pub use idempotency_records::{Claim, IdempotencyRecords, IdempotentRequest};
pub use models::{
    Applicant, ConnectionKeyRecord, GivenContacts, NewApplicant, NewConnectionKey, NewStaffMember,
    StaffMember, StaffRole,
};
pub use notification_records::{
    Channel, ClaimedNotification, DeliveryOutcome, DeliveryStatus, NotificationRecord,
    NotificationRecords, QUEUE_PER_CHANNEL, ReminderCursor, SKIPPED_ALREADY_OPENED,
    SKIPPED_CANCELLED, SKIPPED_CHANNEL_OFF, SKIPPED_NO_CONTACT, UpcomingInterview,
};
pub use postgres::PostgresStorage;
pub use retention_records::{Erasure, ErasureReason, RememberedDevice, RetentionRecords};
pub use sign_in_records::{
    CodePurpose, NewOneTimeCode, OneTimeCode, SignInRecords, ThrottleRecord,
};
pub use sqlite::SqliteStorage;
pub use staff_records::{ApiKey, StaffEnrolment, StaffRecords};
pub use watch_records::{UnopenedDocument, UnopenedFilter, WatchRecords};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique value (email, foreigner number...) is already taken.
    #[error("{0} is already in use")]
    Conflict(&'static str),
    #[error("the database could not be reached or refused the query")]
    Database(#[source] sqlx::Error),
    #[error("the database schema could not be brought up to date")]
    Migration(#[source] sqlx::migrate::MigrateError),
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        StorageError::Database(error)
    }
}

/// Everything the portal keeps in its database.
#[async_trait]
pub trait Storage:
    SignInRecords
    + StaffRecords
    + DocumentRecords
    + NotificationRecords
    + ContactRecords
    + RetentionRecords
    + WatchRecords
    + IdempotencyRecords
    + DashboardRecords
    + generated_records::GeneratedRecords
    + Send
    + Sync
    + 'static
{
    /// Which engine, for logs and readiness reports.
    fn engine(&self) -> &'static str;
    /// Brings the schema up to date; safe to run on every start and from several instances.
    async fn migrate(&self) -> Result<(), StorageError>;
    /// Proves the database answers (readiness probe).
    async fn ping(&self) -> Result<(), StorageError>;

    async fn count_staff_members(&self) -> Result<i64, StorageError>;
    async fn insert_staff_member(
        &self,
        member: &NewStaffMember,
    ) -> Result<StaffMember, StorageError>;
    async fn find_staff_member_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StaffMember>, StorageError>;

    /// Registers an applicant together with their first connection key: both or neither.
    async fn create_applicant(
        &self,
        applicant: &NewApplicant,
        key: &NewConnectionKey,
    ) -> Result<Applicant, StorageError>;
    async fn find_applicant(&self, id: Uuid) -> Result<Option<Applicant>, StorageError>;
    async fn find_applicant_by_foreigner_number(
        &self,
        foreigner_number: &str,
    ) -> Result<Option<Applicant>, StorageError>;
    /// The applicant whose foreigner number or office file number is `identifier` (normalized:
    /// capitals and digits); none if no one, or more than one, has it.
    async fn find_applicant_by_identifier(
        &self,
        identifier: &str,
    ) -> Result<Option<Applicant>, StorageError>;
    async fn find_connection_key(
        &self,
        key_hash: &str,
    ) -> Result<Option<ConnectionKeyRecord>, StorageError>;

    /// Spends the connection key and sets the applicant's password, both or neither; false when
    /// the key was already used, revoked or expired at `now` (including by a concurrent call).
    async fn activate_applicant(
        &self,
        key_id: Uuid,
        applicant_id: Uuid,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    async fn create_session(
        &self,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> Result<Session, StorageError>;
    /// The session if it is neither revoked nor past its idle or absolute expiry at `now`.
    async fn find_active_session(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StorageError>;
    /// Records activity and pushes the idle expiry (never past the absolute one); false if the
    /// session is no longer active.
    async fn touch_session(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    async fn revoke_session(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StorageError>;
    /// "Sign out everywhere", password change, staff lock-out: returns how many were revoked.
    async fn revoke_sessions_of(
        &self,
        kind: SubjectKind,
        subject_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;

    /// Appends to the audit log; the schema refuses updates and deletes.
    async fn append_audit_event(&self, event: &NewAuditEvent) -> Result<AuditEvent, StorageError>;
    /// Newest first.
    async fn recent_audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>, StorageError>;
    /// Chained events after `sequence`, in chain order (for verification, page by page).
    async fn audit_chain_after(
        &self,
        sequence: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StorageError>;
    /// The last sequence number and hash of the chain.
    async fn audit_chain_head(&self) -> Result<(i64, String), StorageError>;

    /// Closes the pool; later calls fail.
    async fn close(&self);
}

/// Opens the database named by a `sqlite:` or `postgres://` URL; the rows it stamps (creation,
/// audit events) take their time from `clock`.
pub async fn connect(database_url: &str, clock: Clock) -> Result<Arc<dyn Storage>, StorageError> {
    if database_url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStorage::connect(database_url, clock).await?))
    } else {
        Ok(Arc::new(
            PostgresStorage::connect(database_url, clock).await?,
        ))
    }
}

fn map_unique_violation(error: sqlx::Error, what: &'static str) -> StorageError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict(what),
        _ => StorageError::Database(error),
    }
}
