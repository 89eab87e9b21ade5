//! SQLite: the embedded default. WAL mode lets readers run beside the one writer; the busy
//! timeout makes a writer wait for another instead of failing at once.

use std::{str::FromStr, time::Duration};

use crate::clock::Clock;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use uuid::Uuid;

use super::audit_and_sessions::{AuditEventRow, SessionRow};
use super::contact_records::impl_contact_records;
use super::dashboard_records::impl_dashboard_records;
use super::document_records::impl_document_records;
use super::generated_records::impl_generated_records;
use super::idempotency_records::impl_idempotency_records;
use super::notification_records::impl_notification_records;
use super::retention_records::impl_retention_records;
use super::shared_queries::{
    APPLICANT_COLUMNS, AUDIT_COLUMNS, STAFF_COLUMNS, StaffRow, impl_storage, to_micros,
};
use super::sign_in_records::{OneTimeCodeRow, impl_sign_in_records};
use super::staff_records::{StaffEnrolmentRow, impl_staff_records};
use super::watch_records::impl_watch_records;
use chrono::{DateTime, Utc};

use super::{
    Applicant, AuditEvent, ConnectionKeyRecord, NewApplicant, NewAuditEvent, NewConnectionKey,
    NewOneTimeCode, NewSession, NewStaffMember, OneTimeCode, Session, StaffMember, Storage,
    StorageError, SubjectKind, ThrottleRecord,
};

pub struct SqliteStorage {
    pool: SqlitePool,
    clock: Clock,
}

impl SqliteStorage {
    pub async fn connect(database_url: &str, clock: Clock) -> Result<SqliteStorage, StorageError> {
        let options = SqliteConnectOptions::from_str(database_url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        if let Some(folder) = options.get_filename().parent() {
            // The data folder may not exist on a first run.
            if !folder.as_os_str().is_empty() {
                std::fs::create_dir_all(folder)
                    .map_err(|error| StorageError::Database(sqlx::Error::Io(error)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(SqliteStorage { pool, clock })
    }

    pub async fn journal_mode(&self) -> Result<String, StorageError> {
        Ok(sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?)
    }
}

impl_storage!(
    SqliteStorage,
    sqlx::Sqlite,
    "sqlite",
    "../migrations/sqlite"
);

impl_sign_in_records!(SqliteStorage, sqlx::Sqlite);

impl_staff_records!(SqliteStorage, sqlx::Sqlite);

impl_document_records!(SqliteStorage, sqlx::Sqlite);

impl_notification_records!(SqliteStorage, sqlx::Sqlite, "", "randomblob(16)");

impl_contact_records!(SqliteStorage, sqlx::Sqlite);

impl_generated_records!(SqliteStorage, sqlx::Sqlite, None);

impl_retention_records!(SqliteStorage, sqlx::Sqlite);

impl_watch_records!(SqliteStorage, sqlx::Sqlite);

impl_idempotency_records!(SqliteStorage, sqlx::Sqlite);

impl_dashboard_records!(SqliteStorage, sqlx::Sqlite);
