//! What sign-in keeps in the database: attempt throttles (shared by every instance, so limits
//! hold behind a load balancer), one-time codes and remembered devices. Part of `Storage`
//! (a supertrait), implemented once for both engines by `impl_sign_in_records!`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StorageError, SubjectKind};

/// Failures counted against one protected thing (an identifier, a client address...).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThrottleRecord {
    pub failures: i64,
    pub window_started_at: DateTime<Utc>,
    /// No attempt is looked at before this time.
    pub next_attempt_at: DateTime<Utc>,
    /// Set when only staff can let attempts in again.
    pub locked_at: Option<DateTime<Utc>>,
}

/// What a one-time code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    SignIn,
    VerifyEmail,
    VerifyPhone,
    PasswordReset,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignIn => "sign_in",
            CodePurpose::VerifyEmail => "verify_email",
            CodePurpose::VerifyPhone => "verify_phone",
            CodePurpose::PasswordReset => "password_reset",
        }
    }

    fn parse(text: &str) -> Result<CodePurpose, StorageError> {
        [
            CodePurpose::SignIn,
            CodePurpose::VerifyEmail,
            CodePurpose::VerifyPhone,
            CodePurpose::PasswordReset,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == text)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown code purpose `{text}`")))
    }
}

#[derive(Debug, Clone)]
pub struct NewOneTimeCode {
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub purpose: CodePurpose,
    /// Where it was sent (an email address), so that confirming it confirms that address.
    pub destination: String,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, PartialEq)]
pub struct OneTimeCode {
    pub id: Uuid,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub purpose: CodePurpose,
    pub destination: String,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub failed_attempts: i64,
    pub used_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

// The destination is personal data and the hash is guessable offline: neither goes to logs.
impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneTimeCode")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct OneTimeCodeRow {
    pub id: Uuid,
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub purpose: String,
    pub destination: String,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub failed_attempts: i64,
    pub used_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

impl TryFrom<OneTimeCodeRow> for OneTimeCode {
    type Error = StorageError;

    fn try_from(row: OneTimeCodeRow) -> Result<Self, Self::Error> {
        Ok(OneTimeCode {
            id: row.id,
            subject_kind: SubjectKind::parse(&row.subject_kind)?,
            subject_id: row.subject_id,
            purpose: CodePurpose::parse(&row.purpose)?,
            destination: row.destination,
            code_hash: row.code_hash,
            created_at: row.created_at,
            expires_at: row.expires_at,
            failed_attempts: row.failed_attempts,
            used_at: row.used_at,
            superseded_at: row.superseded_at,
        })
    }
}

#[async_trait]
pub trait SignInRecords: Send + Sync {
    async fn load_throttle(&self, key: &str) -> Result<Option<ThrottleRecord>, StorageError>;
    /// Compare-and-set: writes `new` only if the row still holds `expected` (or, for `None`,
    /// does not exist yet). False when another request or instance changed it first.
    async fn save_throttle(
        &self,
        key: &str,
        expected: Option<&ThrottleRecord>,
        new: &ThrottleRecord,
    ) -> Result<bool, StorageError>;
    /// After a success, or when staff lift a lock.
    async fn clear_throttle(&self, key: &str) -> Result<bool, StorageError>;

    /// Stores a new code and retires every earlier open code of the same subject and purpose.
    async fn replace_one_time_code(
        &self,
        code: &NewOneTimeCode,
        now: DateTime<Utc>,
    ) -> Result<OneTimeCode, StorageError>;
    async fn find_one_time_code(&self, id: Uuid) -> Result<Option<OneTimeCode>, StorageError>;
    /// Counts a wrong guess; returns the new count.
    async fn record_code_failure(&self, id: Uuid) -> Result<i64, StorageError>;
    /// Spends an open code (not used, not retired, not expired, under `max_failures` wrong
    /// guesses); false if it was not open, e.g. spent by a concurrent request.
    async fn spend_one_time_code(
        &self,
        id: Uuid,
        max_failures: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// Spends an email- or phone-verification code and records the address or number it went
    /// to, both or neither; false if the code was not open.
    async fn confirm_applicant_contact(
        &self,
        code_id: Uuid,
        max_failures: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// The Argon2 hash of an activated applicant's password.
    async fn applicant_password_hash(
        &self,
        applicant_id: Uuid,
    ) -> Result<Option<String>, StorageError>;

    /// Staff reissue a connection key (the applicant lost password and contact): earlier unused
    /// keys are revoked, the verified email (the lost channel) and the password (perhaps known to
    /// someone else) are forgotten, all with the new key or nothing.
    async fn reissue_connection_key(
        &self,
        applicant_id: Uuid,
        key: &super::NewConnectionKey,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// A new password for an activated applicant (after a reset); false if there is none.
    async fn set_applicant_password(
        &self,
        applicant_id: Uuid,
        password_hash: &str,
    ) -> Result<bool, StorageError>;

    async fn remember_device(
        &self,
        applicant_id: Uuid,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    async fn is_device_remembered(
        &self,
        applicant_id: Uuid,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// "Sign out everywhere" and password changes forget every device.
    async fn forget_devices(
        &self,
        applicant_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}

pub(super) const CODE_COLUMNS: &str = "id, subject_kind, subject_id, purpose, destination, code_hash, \
    created_at, expires_at, failed_attempts, used_at, superseded_at";
pub(super) const OPEN_CODE: &str = "used_at IS NULL AND superseded_at IS NULL AND expires_at > $2 \
    AND failed_attempts < $3";

macro_rules! impl_sign_in_records {
    ($store:ty, $db:ty) => {
    #[async_trait::async_trait]
    impl $crate::storage::sign_in_records::SignInRecords for $store {
        async fn load_throttle(&self, key: &str) -> Result<Option<ThrottleRecord>, StorageError> {
            Ok(sqlx::query_as::<$db, ThrottleRecord>(
                "SELECT failures, window_started_at, next_attempt_at, locked_at \
                 FROM attempt_throttles WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
        }

        async fn save_throttle(
            &self,
            key: &str,
            expected: Option<&ThrottleRecord>,
            new: &ThrottleRecord,
        ) -> Result<bool, StorageError> {
            let result = match expected {
                None => sqlx::query(
                    "INSERT INTO attempt_throttles (throttle_key, failures, window_started_at, \
                     next_attempt_at, locked_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (throttle_key) DO NOTHING",
                )
                .bind(key)
                .bind(new.failures)
                .bind(to_micros(new.window_started_at))
                .bind(to_micros(new.next_attempt_at))
                .bind(new.locked_at.map(to_micros))
                .execute(&self.pool)
                .await?,
                Some(old) => sqlx::query(
                    "UPDATE attempt_throttles SET failures = $2, window_started_at = $3, \
                     next_attempt_at = $4, locked_at = $5 \
                     WHERE throttle_key = $1 AND failures = $6 AND window_started_at = $7",
                )
                .bind(key)
                .bind(new.failures)
                .bind(to_micros(new.window_started_at))
                .bind(to_micros(new.next_attempt_at))
                .bind(new.locked_at.map(to_micros))
                .bind(old.failures)
                .bind(old.window_started_at)
                .execute(&self.pool)
                .await?,
            };
            Ok(result.rows_affected() == 1)
        }

        async fn clear_throttle(&self, key: &str) -> Result<bool, StorageError> {
            let result = sqlx::query("DELETE FROM attempt_throttles WHERE throttle_key = $1")
                .bind(key)
                .execute(&self.pool)
                .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn replace_one_time_code(
            &self,
            code: &NewOneTimeCode,
            now: DateTime<Utc>,
        ) -> Result<OneTimeCode, StorageError> {
            let now = to_micros(now);
            let mut transaction = self.pool.begin().await?;
            sqlx::query(
                "UPDATE one_time_codes SET superseded_at = $4 WHERE subject_kind = $1 \
                 AND subject_id = $2 AND purpose = $3 AND used_at IS NULL AND superseded_at IS NULL",
            )
            .bind(code.subject_kind.as_str())
            .bind(code.subject_id)
            .bind(code.purpose.as_str())
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            let row = OneTimeCode {
                id: Uuid::new_v4(),
                subject_kind: code.subject_kind,
                subject_id: code.subject_id,
                purpose: code.purpose,
                destination: code.destination.clone(),
                code_hash: code.code_hash.clone(),
                created_at: now,
                expires_at: to_micros(code.expires_at),
                failed_attempts: 0,
                used_at: None,
                superseded_at: None,
            };
            sqlx::query(
                "INSERT INTO one_time_codes (id, subject_kind, subject_id, purpose, destination, \
                 code_hash, created_at, expires_at, failed_attempts) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
            )
            .bind(row.id)
            .bind(row.subject_kind.as_str())
            .bind(row.subject_id)
            .bind(row.purpose.as_str())
            .bind(&row.destination)
            .bind(&row.code_hash)
            .bind(row.created_at)
            .bind(row.expires_at)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(row)
        }

        async fn find_one_time_code(&self, id: Uuid) -> Result<Option<OneTimeCode>, StorageError> {
            let sql = format!(
                "SELECT {} FROM one_time_codes WHERE id = $1",
                $crate::storage::sign_in_records::CODE_COLUMNS
            );
            sqlx::query_as::<$db, OneTimeCodeRow>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(OneTimeCode::try_from)
                .transpose()
        }

        async fn record_code_failure(&self, id: Uuid) -> Result<i64, StorageError> {
            Ok(sqlx::query_scalar(
                "UPDATE one_time_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1 \
                 RETURNING failed_attempts",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .unwrap_or(0))
        }

        async fn spend_one_time_code(
            &self,
            id: Uuid,
            max_failures: i64,
            now: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let sql = format!(
                "UPDATE one_time_codes SET used_at = $2 WHERE id = $1 AND {}",
                $crate::storage::sign_in_records::OPEN_CODE
            );
            let result = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(to_micros(now))
                .bind(max_failures)
                .execute(&self.pool)
                .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn confirm_applicant_contact(
            &self,
            code_id: Uuid,
            max_failures: i64,
            now: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let now = to_micros(now);
            let mut transaction = self.pool.begin().await?;
            let sql = format!(
                "UPDATE one_time_codes SET used_at = $2 WHERE id = $1 \
                 AND purpose IN ('verify_email', 'verify_phone') \
                 AND subject_kind = 'applicant' AND {} RETURNING purpose",
                $crate::storage::sign_in_records::OPEN_CODE
            );
            let purpose: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(code_id)
                .bind(now)
                .bind(max_failures)
                .fetch_optional(&mut *transaction)
                .await?;
            let columns = match purpose.as_deref() {
                // A contact verified supersedes the one given at registration.
                Some("verify_email") => {
                    "email = c.destination, email_verified_at = $2, given_email = NULL"
                }
                Some("verify_phone") => {
                    "phone = c.destination, phone_verified_at = $2, given_phone = NULL"
                }
                _ => {
                    transaction.rollback().await?;
                    return Ok(false);
                }
            };
            let sql = format!(
                "UPDATE applicants SET {columns} \
                 FROM (SELECT subject_id, destination FROM one_time_codes WHERE id = $1) AS c \
                 WHERE applicants.id = c.subject_id"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(code_id)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok(true)
        }

        async fn applicant_password_hash(
            &self,
            applicant_id: Uuid,
        ) -> Result<Option<String>, StorageError> {
            Ok(sqlx::query_scalar::<$db, Option<String>>(
                "SELECT password_hash FROM applicants WHERE id = $1",
            )
            .bind(applicant_id)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
        }

        async fn reissue_connection_key(
            &self,
            applicant_id: Uuid,
            key: &$crate::storage::NewConnectionKey,
            now: DateTime<Utc>,
        ) -> Result<(), StorageError> {
            let now = to_micros(now);
            let mut transaction = self.pool.begin().await?;
            sqlx::query(
                "UPDATE connection_keys SET revoked_at = $2 \
                 WHERE applicant_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(applicant_id)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            sqlx::query(
                "UPDATE applicants SET email = NULL, email_verified_at = NULL, phone = NULL, phone_verified_at = NULL, password_hash = NULL \
                 WHERE id = $1",
            )
                .bind(applicant_id)
                .execute(&mut *transaction)
                .await?;
            sqlx::query(
                "INSERT INTO connection_keys (id, applicant_id, key_hash, issued_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(applicant_id)
            .bind(&key.key_hash)
            .bind(now)
            .bind(to_micros(key.expires_at))
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(())
        }

        async fn set_applicant_password(
            &self,
            applicant_id: Uuid,
            password_hash: &str,
        ) -> Result<bool, StorageError> {
            let result = sqlx::query(
                "UPDATE applicants SET password_hash = $2 \
                 WHERE id = $1 AND activated_at IS NOT NULL",
            )
            .bind(applicant_id)
            .bind(password_hash)
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn remember_device(
            &self,
            applicant_id: Uuid,
            token_hash: &str,
            now: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        ) -> Result<(), StorageError> {
            sqlx::query(
                "INSERT INTO remembered_devices (id, applicant_id, token_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(applicant_id)
            .bind(token_hash)
            .bind(to_micros(now))
            .bind(to_micros(expires_at))
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn is_device_remembered(
            &self,
            applicant_id: Uuid,
            token_hash: &str,
            now: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            let found: Option<Uuid> = sqlx::query_scalar(
                "SELECT id FROM remembered_devices WHERE applicant_id = $1 AND token_hash = $2 \
                 AND revoked_at IS NULL AND expires_at > $3",
            )
            .bind(applicant_id)
            .bind(token_hash)
            .bind(to_micros(now))
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.is_some())
        }

        async fn forget_devices(
            &self,
            applicant_id: Uuid,
            now: DateTime<Utc>,
        ) -> Result<u64, StorageError> {
            let result = sqlx::query(
                "UPDATE remembered_devices SET revoked_at = $2 \
                 WHERE applicant_id = $1 AND revoked_at IS NULL",
            )
            .bind(applicant_id)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
            Ok(result.rows_affected())
        }
    }
    };
}

pub(super) use impl_sign_in_records;
