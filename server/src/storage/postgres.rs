//! PostgreSQL: for several stateless app servers sharing one database. sqlx takes an advisory
//! lock around migrations, so instances starting together do not race.

use std::{str::FromStr, time::Duration};

use crate::clock::Clock;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
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

pub struct PostgresStorage {
    pool: PgPool,
    clock: Clock,
}

impl PostgresStorage {
    pub async fn connect(
        database_url: &str,
        clock: Clock,
    ) -> Result<PostgresStorage, StorageError> {
        let options = PgConnectOptions::from_str(database_url)?.application_name("espace-usager");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        Ok(PostgresStorage { pool, clock })
    }
}

impl_storage!(
    PostgresStorage,
    sqlx::Postgres,
    "postgres",
    "../migrations/postgres"
);

impl_sign_in_records!(PostgresStorage, sqlx::Postgres);

impl_staff_records!(PostgresStorage, sqlx::Postgres);

impl_document_records!(PostgresStorage, sqlx::Postgres);

impl_notification_records!(
    PostgresStorage,
    sqlx::Postgres,
    " FOR UPDATE SKIP LOCKED",
    "gen_random_uuid()"
);

impl_contact_records!(PostgresStorage, sqlx::Postgres);

impl_generated_records!(
    PostgresStorage,
    sqlx::Postgres,
    Some("ANALYZE applicants, documents")
);

impl_retention_records!(PostgresStorage, sqlx::Postgres);

impl_watch_records!(PostgresStorage, sqlx::Postgres);

impl_idempotency_records!(PostgresStorage, sqlx::Postgres);

impl_dashboard_records!(PostgresStorage, sqlx::Postgres);
