//! Queries whose SQL is the same on SQLite and PostgreSQL (both accept `$1` placeholders).
//!
//! sqlx cannot express "any database with these types" without a wall of trait bounds, so the
//! common methods are written once here and expanded for each engine by `shared_storage_methods!`.
//! Engine-specific queries live in `sqlite.rs` and `postgres.rs`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StaffMember, StaffRole, StorageError};

#[derive(sqlx::FromRow)]
pub(super) struct StaffRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

pub(super) const STAFF_COLUMNS: &str =
    "id, email, display_name, role, password_hash, created_at, enrolled_at, disabled_at";

impl TryFrom<StaffRow> for StaffMember {
    type Error = StorageError;

    fn try_from(row: StaffRow) -> Result<Self, Self::Error> {
        Ok(StaffMember {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: StaffRole::parse(&row.role)?,
            password_hash: row.password_hash,
            created_at: row.created_at,
            enrolled_at: row.enrolled_at,
            disabled_at: row.disabled_at,
        })
    }
}

pub(super) const APPLICANT_COLUMNS: &str = "id, foreigner_number, file_number, given_names, family_name, date_of_birth, preferred_language, electronic_notification, created_at, activated_at, email, email_verified_at, phone, phone_verified_at, notify_by_email, notify_by_sms, portal_language, closed_at, given_email, given_phone, detailed_reminders";

/// Implements `Storage` for a struct whose `pool` field is a pool of `$db`. Queries that differ
/// between engines get their own arm here when they appear.
macro_rules! impl_storage {
    ($store:ty, $db:ty, $engine:literal, $migrations:literal) => {
    #[async_trait::async_trait]
    impl Storage for $store {
        fn engine(&self) -> &'static str {
            $engine
        }

        async fn migrate(&self) -> Result<(), StorageError> {
            sqlx::migrate!($migrations)
                .run(&self.pool)
                .await
                .map_err(StorageError::Migration)
        }

        async fn ping(&self) -> Result<(), StorageError> {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        }

        async fn count_staff_members(&self) -> Result<i64, StorageError> {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff_members")
                .fetch_one(&self.pool)
                .await?)
        }

        async fn insert_staff_member(
            &self,
            member: &NewStaffMember,
        ) -> Result<StaffMember, StorageError> {
            let row = StaffRow {
                id: Uuid::new_v4(),
                email: member.email.trim().to_lowercase(),
                display_name: member.display_name.clone(),
                role: member.role.as_str().to_owned(),
                password_hash: member.password_hash.clone(),
                created_at: self.now(),
                enrolled_at: None,
                disabled_at: None,
            };
            sqlx::query(
                "INSERT INTO staff_members (id, email, display_name, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(row.id)
            .bind(&row.email)
            .bind(&row.display_name)
            .bind(&row.role)
            .bind(&row.password_hash)
            .bind(row.created_at)
            .execute(&self.pool)
            .await
            .map_err(|error| super::map_unique_violation(error, "this email address"))?;
            StaffMember::try_from(row)
        }

        async fn find_staff_member_by_email(
            &self,
            email: &str,
        ) -> Result<Option<StaffMember>, StorageError> {
            let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_members WHERE email = $1");
            sqlx::query_as::<$db, StaffRow>(sqlx::AssertSqlSafe(sql))
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .map(StaffMember::try_from)
            .transpose()
        }

        async fn create_applicant(
            &self,
            applicant: &NewApplicant,
            key: &NewConnectionKey,
        ) -> Result<Applicant, StorageError> {
            let row = Applicant {
                id: Uuid::new_v4(),
                foreigner_number: applicant.foreigner_number.clone(),
                file_number: applicant.file_number.clone(),
                given_names: applicant.given_names.clone(),
                family_name: applicant.family_name.clone(),
                date_of_birth: applicant.date_of_birth,
                preferred_language: applicant.preferred_language.clone(),
                electronic_notification: applicant.electronic_notification,
                created_at: self.now(),
                activated_at: None,
                email: None,
                email_verified_at: None,
                phone: None,
                phone_verified_at: None,
                notify_by_email: true,
                notify_by_sms: true,
                portal_language: None,
                closed_at: None,
                given_email: applicant.given.email.clone(),
                given_phone: applicant.given.phone.clone(),
                detailed_reminders: false,
            };
            let mut transaction = self.pool.begin().await?;
            sqlx::query(
                "INSERT INTO applicants (id, foreigner_number, file_number, given_names, family_name, \
                 date_of_birth, preferred_language, electronic_notification, created_at, \
                 given_email, given_phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(row.id)
            .bind(&row.foreigner_number)
            .bind(&row.file_number)
            .bind(&row.given_names)
            .bind(&row.family_name)
            .bind(row.date_of_birth)
            .bind(&row.preferred_language)
            .bind(row.electronic_notification)
            .bind(row.created_at)
            .bind(&row.given_email)
            .bind(&row.given_phone)
            .execute(&mut *transaction)
            .await
            .map_err(|error| super::map_unique_violation(error, "this foreigner or file number"))?;
            sqlx::query(
                "INSERT INTO connection_keys (id, applicant_id, key_hash, issued_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(row.id)
            .bind(&key.key_hash)
            .bind(row.created_at)
            .bind(key.expires_at)
            .execute(&mut *transaction)
            .await
            .map_err(|error| super::map_unique_violation(error, "this connection key"))?;
            transaction.commit().await?;
            Ok(row)
        }

        async fn find_applicant(&self, id: Uuid) -> Result<Option<Applicant>, StorageError> {
            let sql = format!("SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = $1");
            Ok(sqlx::query_as::<$db, Applicant>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn find_applicant_by_foreigner_number(
            &self,
            foreigner_number: &str,
        ) -> Result<Option<Applicant>, StorageError> {
            let sql = format!("SELECT {APPLICANT_COLUMNS} FROM applicants WHERE foreigner_number = $1");
            Ok(sqlx::query_as::<$db, Applicant>(sqlx::AssertSqlSafe(sql))
                .bind(foreigner_number)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn find_applicant_by_identifier(
            &self,
            identifier: &str,
        ) -> Result<Option<Applicant>, StorageError> {
            if identifier.is_empty() {
                return Ok(None);
            }
            let sql = format!(
                "SELECT {APPLICANT_COLUMNS} FROM applicants \
                 WHERE foreigner_number = $1 OR file_number = $1 LIMIT 2"
            );
            let mut found = sqlx::query_as::<$db, Applicant>(sqlx::AssertSqlSafe(sql))
                .bind(identifier)
                .fetch_all(&self.pool)
                .await?;
            Ok(if found.len() == 1 { found.pop() } else { None })
        }

        async fn find_connection_key(
            &self,
            key_hash: &str,
        ) -> Result<Option<ConnectionKeyRecord>, StorageError> {
            Ok(sqlx::query_as::<$db, ConnectionKeyRecord>(
                "SELECT id, applicant_id, key_hash, issued_at, expires_at, used_at, revoked_at \
                 FROM connection_keys WHERE key_hash = $1",
            )
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?)
        }

        async fn activate_applicant(
            &self,
            key_id: Uuid,
            applicant_id: Uuid,
            password_hash: &str,
            now: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let now = to_micros(now);
            let mut transaction = self.pool.begin().await?;
            // The conditional update is the single point where a key is spent: of two
            // concurrent activations, only one sees a row change.
            let spent = sqlx::query(
                "UPDATE connection_keys SET used_at = $3 WHERE id = $1 AND applicant_id = $2 \
                 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
            )
            .bind(key_id)
            .bind(applicant_id)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            if spent.rows_affected() != 1 {
                transaction.rollback().await?;
                return Ok(false);
            }
            sqlx::query("UPDATE applicants SET password_hash = $2, activated_at = $3 WHERE id = $1")
                .bind(applicant_id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok(true)
        }

        async fn create_session(
            &self,
            session: &NewSession,
            now: DateTime<Utc>,
        ) -> Result<Session, StorageError> {
            let now = to_micros(now);
            let row = SessionRow {
                id: Uuid::new_v4(),
                subject_kind: session.subject_kind.as_str().to_owned(),
                subject_id: session.subject_id,
                shared_device: session.shared_device,
                created_at: now,
                last_seen_at: now,
                idle_expires_at: to_micros(session.idle_expires_at.min(session.absolute_expires_at)),
                absolute_expires_at: to_micros(session.absolute_expires_at),
                revoked_at: None,
            };
            sqlx::query(
                "INSERT INTO sessions (id, subject_kind, subject_id, shared_device, created_at, \
                 last_seen_at, idle_expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(row.id)
            .bind(&row.subject_kind)
            .bind(row.subject_id)
            .bind(row.shared_device)
            .bind(row.created_at)
            .bind(row.last_seen_at)
            .bind(row.idle_expires_at)
            .bind(row.absolute_expires_at)
            .execute(&self.pool)
            .await?;
            Session::try_from(row)
        }

        async fn find_active_session(
            &self,
            id: Uuid,
            now: DateTime<Utc>,
        ) -> Result<Option<Session>, StorageError> {
            sqlx::query_as::<$db, SessionRow>(
                "SELECT id, subject_kind, subject_id, shared_device, created_at, last_seen_at, \
                 idle_expires_at, absolute_expires_at, revoked_at FROM sessions \
                 WHERE id = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2",
            )
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?
            .map(Session::try_from)
            .transpose()
        }

        async fn touch_session(
            &self,
            id: Uuid,
            now: DateTime<Utc>,
            idle_expires_at: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let result = sqlx::query(
                "UPDATE sessions SET last_seen_at = $2, \
                 idle_expires_at = CASE WHEN $3 < absolute_expires_at THEN $3 ELSE absolute_expires_at END \
                 WHERE id = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2",
            )
            .bind(id)
            .bind(now)
            .bind(idle_expires_at)
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn revoke_session(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StorageError> {
            let result = sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn revoke_sessions_of(
            &self,
            kind: SubjectKind,
            subject_id: Uuid,
            now: DateTime<Utc>,
        ) -> Result<u64, StorageError> {
            let result = sqlx::query(
                "UPDATE sessions SET revoked_at = $3 \
                 WHERE subject_kind = $1 AND subject_id = $2 AND revoked_at IS NULL",
            )
            .bind(kind.as_str())
            .bind(subject_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected())
        }

        async fn append_audit_event(&self, event: &NewAuditEvent) -> Result<AuditEvent, StorageError> {
            let mut transaction = self.pool.begin().await?;
            let event = self.chain_audit_event(&mut transaction, event).await?;
            transaction.commit().await?;
            Ok(event)
        }

        async fn recent_audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>, StorageError> {
            let sql = format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT $1"
            );
            sqlx::query_as::<$db, AuditEventRow>(sqlx::AssertSqlSafe(sql))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(AuditEvent::try_from)
                .collect()
        }

        async fn audit_chain_after(
            &self,
            sequence: i64,
            limit: i64,
        ) -> Result<Vec<AuditEvent>, StorageError> {
            let sql = format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE sequence > $1 \
                 ORDER BY sequence LIMIT $2"
            );
            sqlx::query_as::<$db, AuditEventRow>(sqlx::AssertSqlSafe(sql))
                .bind(sequence)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(AuditEvent::try_from)
                .collect()
        }

        async fn audit_chain_head(&self) -> Result<(i64, String), StorageError> {
            Ok(sqlx::query_as("SELECT sequence, last_hash FROM audit_chain_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?)
        }

        async fn close(&self) {
            self.pool.close().await;
        }
    }

    impl $store {
        /// Timestamps are taken from the portal's clock, not the database's, so both engines
        /// agree to the microsecond and tests that move time move these too.
        fn now(&self) -> DateTime<Utc> {
            to_micros(self.clock.now())
        }

        /// Appends `event` to the audit chain inside `transaction`, so that a change and the
        /// event recording it are committed together or not at all.
        async fn chain_audit_event(
            &self,
            transaction: &mut sqlx::Transaction<'_, $db>,
            event: &NewAuditEvent,
        ) -> Result<AuditEvent, StorageError> {
            let mut event = AuditEvent {
                id: Uuid::new_v4(),
                occurred_at: self.now(),
                actor_kind: event.actor_kind,
                actor_id: event.actor_id,
                action: event.action.to_owned(),
                target_kind: event.target_kind.map(str::to_owned),
                target_id: event.target_id,
                ip_hash: event.ip_hash.clone(),
                succeeded: event.succeeded,
                sequence: None,
                previous_hash: None,
                event_hash: None,
            };
            // Writing the head first takes its lock (a row lock on PostgreSQL, the write lock on
            // SQLite): appends from every instance chain one after the other.
            let (sequence, previous_hash): (i64, String) = sqlx::query_as(
                "UPDATE audit_chain_head SET sequence = sequence + 1 WHERE id = 1 RETURNING sequence, last_hash",
            )
            .fetch_one(&mut **transaction)
            .await?;
            let event_hash = event.chain_hash(sequence, &previous_hash);
            sqlx::query(
                "INSERT INTO audit_events (id, occurred_at, actor_kind, actor_id, action, target_kind, \
                 target_id, ip_hash, outcome, sequence, previous_hash, event_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(event.id)
            .bind(event.occurred_at)
            .bind(event.actor_kind.as_str())
            .bind(event.actor_id)
            .bind(&event.action)
            .bind(&event.target_kind)
            .bind(event.target_id)
            .bind(&event.ip_hash)
            .bind(if event.succeeded { "success" } else { "failure" })
            .bind(sequence)
            .bind(&previous_hash)
            .bind(&event_hash)
            .execute(&mut **transaction)
            .await?;
            sqlx::query("UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1")
                .bind(&event_hash)
                .execute(&mut **transaction)
                .await?;
            event.sequence = Some(sequence);
            event.previous_hash = Some(previous_hash);
            event.event_hash = Some(event_hash);
            Ok(event)
        }
    }
    };
}

pub(super) use impl_storage;

pub(super) const AUDIT_COLUMNS: &str = "id, occurred_at, actor_kind, actor_id, action, target_kind, \
    target_id, ip_hash, outcome, sequence, previous_hash, event_hash";

/// Both engines keep the same value: PostgreSQL has no finer precision than the microsecond.
pub(super) fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time.timestamp_micros()).unwrap_or(time)
}
