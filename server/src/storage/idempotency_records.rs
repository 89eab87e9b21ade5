//! Pushes sent with an `Idempotency-Key`: the claim that lets one request run per key (the
//! table's primary key decides, whichever instance asks first), and the answer kept for the
//! retries. Part of `Storage`, implemented once for both engines by
//! `impl_idempotency_records!`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StorageError;

/// A request already seen under a key: what it was, and its answer once it has one.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdempotentRequest {
    pub fingerprint: String,
    pub claimed_at: DateTime<Utc>,
    /// `None` while the first request runs.
    pub status: Option<i64>,
    pub answer: Option<String>,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's: run it, then settle or release the key.
    Claimed,
    /// Another request holds the key (running, or answered).
    Taken(IdempotentRequest),
}

#[async_trait]
pub trait IdempotencyRecords {
    /// Claims `key` for this request (`token` names the claim), unless a request holds it. A
    /// claim older than `stale_before` and never answered (its instance died) is taken over by
    /// the same request, under its new token.
    async fn claim_idempotency_key(
        &self,
        api_key_id: Uuid,
        key: &str,
        fingerprint: &str,
        token: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Claim, StorageError>;
    /// Keeps the answer given by the claim `token`, for the retries. Returns whether the claim
    /// was still this one's.
    async fn settle_idempotency_key(
        &self,
        api_key_id: Uuid,
        key: &str,
        token: Uuid,
        status: u16,
        answer: &str,
    ) -> Result<bool, StorageError>;
    /// Lets `key` go unanswered (the portal failed), if the claim is still `token`'s: a retry
    /// runs the request again.
    async fn release_idempotency_key(
        &self,
        api_key_id: Uuid,
        key: &str,
        token: Uuid,
    ) -> Result<(), StorageError>;
    /// Forgets the keys claimed before `before`; returns how many.
    async fn forget_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64, StorageError>;
}

macro_rules! impl_idempotency_records {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::idempotency_records::IdempotencyRecords for $store {
            async fn claim_idempotency_key(
                &self,
                api_key_id: Uuid,
                key: &str,
                fingerprint: &str,
                token: Uuid,
                now: DateTime<Utc>,
                stale_before: DateTime<Utc>,
            ) -> Result<$crate::storage::idempotency_records::Claim, StorageError> {
                use $crate::storage::idempotency_records::{Claim, IdempotentRequest};
                let inserted = sqlx::query(
                    "INSERT INTO idempotent_requests (api_key_id, idempotency_key, fingerprint, \
                     claim_token, claimed_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (api_key_id, idempotency_key) DO NOTHING",
                )
                .bind(api_key_id)
                .bind(key)
                .bind(fingerprint)
                .bind(token)
                .bind(to_micros(now))
                .execute(&self.pool)
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(Claim::Claimed);
                }
                // One statement, so two retries after a crash cannot both take it over.
                let taken_over = sqlx::query(
                    "UPDATE idempotent_requests SET claimed_at = $1, claim_token = $6 \
                     WHERE api_key_id = $2 AND idempotency_key = $3 AND fingerprint = $4 \
                     AND status IS NULL AND claimed_at < $5",
                )
                .bind(to_micros(now))
                .bind(api_key_id)
                .bind(key)
                .bind(fingerprint)
                .bind(to_micros(stale_before))
                .bind(token)
                .execute(&self.pool)
                .await?;
                if taken_over.rows_affected() == 1 {
                    return Ok(Claim::Claimed);
                }
                let held = sqlx::query_as::<$db, IdempotentRequest>(
                    "SELECT fingerprint, claimed_at, status, answer FROM idempotent_requests \
                     WHERE api_key_id = $1 AND idempotency_key = $2",
                )
                .bind(api_key_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                match held {
                    Some(held) => Ok(Claim::Taken(held)),
                    // Released or forgotten between the two statements: claim it afresh.
                    None => {
                        self.claim_idempotency_key(
                            api_key_id,
                            key,
                            fingerprint,
                            token,
                            now,
                            stale_before,
                        )
                        .await
                    }
                }
            }

            async fn settle_idempotency_key(
                &self,
                api_key_id: Uuid,
                key: &str,
                token: Uuid,
                status: u16,
                answer: &str,
            ) -> Result<bool, StorageError> {
                let settled = sqlx::query(
                    "UPDATE idempotent_requests SET status = $1, answer = $2 \
                     WHERE api_key_id = $3 AND idempotency_key = $4 AND claim_token = $5",
                )
                .bind(i64::from(status))
                .bind(answer)
                .bind(api_key_id)
                .bind(key)
                .bind(token)
                .execute(&self.pool)
                .await?;
                Ok(settled.rows_affected() == 1)
            }

            async fn release_idempotency_key(
                &self,
                api_key_id: Uuid,
                key: &str,
                token: Uuid,
            ) -> Result<(), StorageError> {
                sqlx::query(
                    "DELETE FROM idempotent_requests WHERE api_key_id = $1 \
                     AND idempotency_key = $2 AND claim_token = $3 AND status IS NULL",
                )
                .bind(api_key_id)
                .bind(key)
                .bind(token)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn forget_idempotency_keys(
                &self,
                before: DateTime<Utc>,
            ) -> Result<u64, StorageError> {
                Ok(
                    sqlx::query("DELETE FROM idempotent_requests WHERE claimed_at < $1")
                        .bind(to_micros(before))
                        .execute(&self.pool)
                        .await?
                        .rows_affected(),
                )
            }
        }
    };
}

pub(super) use impl_idempotency_records;
