//! What staff sign-in keeps: enrolment links (hashed), the TOTP secret and the last step used,
//! disabled accounts; and the back-office's API keys (hashed). Part of `Storage` (a supertrait), implemented once for both engines
//! by `impl_staff_records!`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StaffMember, StorageError};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffEnrolment {
    pub id: Uuid,
    pub staff_member_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub(super) type StaffEnrolmentRow = StaffEnrolment;

/// A back-office system's key for the REST API (its hash stays in the database).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// Space-separated scopes (`crate::back_office_api::api_keys::ApiScope`).
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait StaffRecords: Send + Sync {
    /// Every staff member, by email.
    async fn list_staff_members(&self) -> Result<Vec<StaffMember>, StorageError>;
    async fn set_staff_role(&self, id: Uuid, role: super::StaffRole) -> Result<bool, StorageError>;
    /// Disabled members cannot sign in or enrol; false if already disabled.
    async fn disable_staff_member(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    async fn insert_api_key(
        &self,
        name: &str,
        scopes: &str,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StorageError>;
    /// The key with this hash, if it has not been revoked.
    async fn find_active_api_key(&self, key_hash: &str) -> Result<Option<ApiKey>, StorageError>;
    /// Every key, active ones first, newest first.
    async fn api_keys(&self) -> Result<Vec<ApiKey>, StorageError>;
    async fn revoke_api_key(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StorageError>;

    async fn find_staff_member(&self, id: Uuid) -> Result<Option<StaffMember>, StorageError>;
    /// Stores an enrolment link (its SHA-256 only) and retires the member's earlier ones.
    async fn create_staff_enrolment(
        &self,
        staff_member_id: Uuid,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<StaffEnrolment, StorageError>;
    async fn find_staff_enrolment(
        &self,
        token_hash: &str,
    ) -> Result<Option<StaffEnrolment>, StorageError>;
    /// Spends the link and sets password, TOTP secret and the step just used, all or nothing;
    /// false when the link was already used or expired (including by a concurrent call).
    async fn complete_staff_enrolment(
        &self,
        enrolment_id: Uuid,
        password_hash: &str,
        totp_secret: &str,
        totp_step: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    async fn staff_totp_secret(&self, id: Uuid) -> Result<Option<String>, StorageError>;
    /// Records a TOTP step as used; false if this step or a later one was used already.
    async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StorageError>;
}

macro_rules! impl_staff_records {
    ($store:ty, $db:ty) => {
    #[async_trait::async_trait]
    impl $crate::storage::staff_records::StaffRecords for $store {
        async fn list_staff_members(&self) -> Result<Vec<StaffMember>, StorageError> {
            let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_members ORDER BY email");
            sqlx::query_as::<$db, StaffRow>(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(StaffMember::try_from)
                .collect()
        }

        async fn set_staff_role(
            &self,
            id: Uuid,
            role: $crate::storage::StaffRole,
        ) -> Result<bool, StorageError> {
            let result = sqlx::query("UPDATE staff_members SET role = $2 WHERE id = $1")
                .bind(id)
                .bind(role.as_str())
                .execute(&self.pool)
                .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn disable_staff_member(
            &self,
            id: Uuid,
            now: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let result = sqlx::query(
                "UPDATE staff_members SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL",
            )
            .bind(id)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn insert_api_key(
            &self,
            name: &str,
            scopes: &str,
            key_hash: &str,
            now: DateTime<Utc>,
        ) -> Result<$crate::storage::ApiKey, StorageError> {
            let key = $crate::storage::ApiKey {
                id: Uuid::new_v4(),
                name: name.to_owned(),
                scopes: scopes.to_owned(),
                created_at: to_micros(now),
                revoked_at: None,
            };
            sqlx::query(
                "INSERT INTO api_keys (id, name, scopes, key_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(key.id)
            .bind(&key.name)
            .bind(&key.scopes)
            .bind(key_hash)
            .bind(key.created_at)
            .execute(&self.pool)
            .await?;
            Ok(key)
        }

        async fn find_active_api_key(
            &self,
            key_hash: &str,
        ) -> Result<Option<$crate::storage::ApiKey>, StorageError> {
            Ok(sqlx::query_as::<$db, $crate::storage::ApiKey>(
                "SELECT id, name, scopes, created_at, revoked_at FROM api_keys \
                 WHERE key_hash = $1 AND revoked_at IS NULL",
            )
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?)
        }

        async fn api_keys(&self) -> Result<Vec<$crate::storage::ApiKey>, StorageError> {
            Ok(sqlx::query_as::<$db, $crate::storage::ApiKey>(
                "SELECT id, name, scopes, created_at, revoked_at FROM api_keys \
                 ORDER BY revoked_at IS NOT NULL, created_at DESC",
            )
            .fetch_all(&self.pool)
            .await?)
        }

        async fn revoke_api_key(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StorageError> {
            let result = sqlx::query(
                "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn find_staff_member(&self, id: Uuid) -> Result<Option<StaffMember>, StorageError> {
            let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_members WHERE id = $1");
            sqlx::query_as::<$db, StaffRow>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(StaffMember::try_from)
                .transpose()
        }

        async fn create_staff_enrolment(
            &self,
            staff_member_id: Uuid,
            token_hash: &str,
            now: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        ) -> Result<$crate::storage::StaffEnrolment, StorageError> {
            let row = StaffEnrolmentRow {
                id: Uuid::new_v4(),
                staff_member_id,
                created_at: to_micros(now),
                expires_at: to_micros(expires_at),
                used_at: None,
            };
            let mut transaction = self.pool.begin().await?;
            sqlx::query(
                "UPDATE staff_enrolments SET expires_at = $2 \
                 WHERE staff_member_id = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(staff_member_id)
            .bind(row.created_at)
            .execute(&mut *transaction)
            .await?;
            sqlx::query(
                "INSERT INTO staff_enrolments (id, staff_member_id, token_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(row.id)
            .bind(staff_member_id)
            .bind(token_hash)
            .bind(row.created_at)
            .bind(row.expires_at)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(row)
        }

        async fn find_staff_enrolment(
            &self,
            token_hash: &str,
        ) -> Result<Option<$crate::storage::StaffEnrolment>, StorageError> {
            Ok(sqlx::query_as::<$db, StaffEnrolmentRow>(
                "SELECT id, staff_member_id, created_at, expires_at, used_at \
                 FROM staff_enrolments WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
        }

        async fn complete_staff_enrolment(
            &self,
            enrolment_id: Uuid,
            password_hash: &str,
            totp_secret: &str,
            totp_step: i64,
            now: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let now = to_micros(now);
            let mut transaction = self.pool.begin().await?;
            let spent = sqlx::query(
                "UPDATE staff_enrolments SET used_at = $2 \
                 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(enrolment_id)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            if spent.rows_affected() != 1 {
                transaction.rollback().await?;
                return Ok(false);
            }
            sqlx::query(
                "UPDATE staff_members SET password_hash = $2, totp_secret = $3, totp_last_step = $4, \
                 enrolled_at = $5 \
                 WHERE id = (SELECT staff_member_id FROM staff_enrolments WHERE id = $1)",
            )
            .bind(enrolment_id)
            .bind(password_hash)
            .bind(totp_secret)
            .bind(totp_step)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(true)
        }

        async fn staff_totp_secret(&self, id: Uuid) -> Result<Option<String>, StorageError> {
            Ok(sqlx::query_scalar::<$db, Option<String>>(
                "SELECT totp_secret FROM staff_members WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
        }

        async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StorageError> {
            let result = sqlx::query(
                "UPDATE staff_members SET totp_last_step = $2 \
                 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(id)
            .bind(step)
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected() == 1)
        }
    }
    };
}

pub(super) use impl_staff_records;
