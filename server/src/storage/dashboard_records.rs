//! What the staff dashboard reads: the documents of the weeks it shows, read once in index
//! order and tallied as they come (memory stays flat however many there are), message counts
//! by channel, and the figures once computed, shared by every instance. Part of `Storage`,
//! implemented once for both engines by `impl_dashboard_records!`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::dashboard::figures::PostedDocument;

/// The figures as last computed (JSON), and when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredDashboard {
    pub computed_at: DateTime<Utc>,
    pub figures: String,
}

#[async_trait]
pub trait DashboardRecords {
    /// Every document made available in [`from`, `until`), with its applicant's notification
    /// mode, handed to `each` in turn.
    async fn each_posted_document(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        each: &mut (dyn FnMut(PostedDocument) + Send),
    ) -> Result<(), StorageError>;
    /// The first openings in [`from`, `until`) of documents made available before
    /// `available_before`, handed to `each` in turn.
    async fn each_opening(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        available_before: DateTime<Utc>,
        each: &mut (dyn FnMut(DateTime<Utc>) + Send),
    ) -> Result<(), StorageError>;
    /// (channel, status, count) of the messages queued since `from`.
    async fn delivery_counts(
        &self,
        from: DateTime<Utc>,
    ) -> Result<Vec<(String, String, i64)>, StorageError>;
    /// Documents of `kinds` made available in (`available_after`, `available_until`], not
    /// opened, not withdrawn, of applicants under electronic notification.
    async fn count_unopened(
        &self,
        kinds: &[&'static str],
        available_after: DateTime<Utc>,
        available_until: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
    async fn stored_dashboard(&self) -> Result<Option<StoredDashboard>, StorageError>;
    /// Takes the computing of new figures until `claim_until`, if the stored ones are older than
    /// `stale_before` (or none) and no instance holds the claim: one instance computes them.
    async fn claim_dashboard(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        claim_until: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// Keeps new figures and lets the claim go.
    async fn store_dashboard(
        &self,
        computed_at: DateTime<Utc>,
        figures: &str,
    ) -> Result<(), StorageError>;
}

macro_rules! impl_dashboard_records {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::dashboard_records::DashboardRecords for $store {
            async fn each_posted_document(
                &self,
                from: DateTime<Utc>,
                until: DateTime<Utc>,
                each: &mut (dyn FnMut($crate::dashboard::figures::PostedDocument) + Send),
            ) -> Result<(), StorageError> {
                use futures::TryStreamExt;
                let mut rows = sqlx::query_as::<$db, $crate::dashboard::figures::PostedDocument>(
                    "SELECT d.kind, d.made_available_at, d.first_opened_at, d.withdrawn_at, \
                     a.electronic_notification FROM documents d \
                     JOIN applicants a ON a.id = d.applicant_id \
                     WHERE d.made_available_at >= $1 AND d.made_available_at < $2",
                )
                .bind(to_micros(from))
                .bind(to_micros(until))
                .fetch(&self.pool);
                while let Some(document) = rows.try_next().await? {
                    each(document);
                }
                Ok(())
            }

            async fn each_opening(
                &self,
                from: DateTime<Utc>,
                until: DateTime<Utc>,
                available_before: DateTime<Utc>,
                each: &mut (dyn FnMut(DateTime<Utc>) + Send),
            ) -> Result<(), StorageError> {
                use futures::TryStreamExt;
                let mut rows = sqlx::query_scalar::<$db, DateTime<Utc>>(
                    "SELECT first_opened_at FROM documents \
                     WHERE first_opened_at >= $1 AND first_opened_at < $2 \
                     AND made_available_at < $3",
                )
                .bind(to_micros(from))
                .bind(to_micros(until))
                .bind(to_micros(available_before))
                .fetch(&self.pool);
                while let Some(opened) = rows.try_next().await? {
                    each(opened);
                }
                Ok(())
            }

            async fn delivery_counts(
                &self,
                from: DateTime<Utc>,
            ) -> Result<Vec<(String, String, i64)>, StorageError> {
                Ok(sqlx::query_as::<$db, (String, String, i64)>(
                    "SELECT channel, status, COUNT(*) FROM notifications \
                     WHERE created_at >= $1 GROUP BY channel, status",
                )
                .bind(to_micros(from))
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_unopened(
                &self,
                kinds: &[&'static str],
                available_after: DateTime<Utc>,
                available_until: DateTime<Utc>,
            ) -> Result<u64, StorageError> {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "SELECT COUNT(*) FROM documents d JOIN applicants a ON a.id = d.applicant_id \
                     WHERE d.first_opened_at IS NULL AND d.withdrawn_at IS NULL \
                     AND a.electronic_notification AND d.made_available_at > ",
                );
                query
                    .push_bind(to_micros(available_after))
                    .push(" AND d.made_available_at <= ")
                    .push_bind(to_micros(available_until))
                    // As in `unopened_documents`: not the index by kind, but the unopened ones'
                    // index over the 15 days.
                    .push(" AND (d.kind || '') IN (");
                let mut list = query.separated(", ");
                for kind in kinds {
                    list.push_bind(*kind);
                }
                query.push(")");
                let count: i64 = query.build_query_scalar().fetch_one(&self.pool).await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn stored_dashboard(
                &self,
            ) -> Result<Option<$crate::storage::dashboard_records::StoredDashboard>, StorageError>
            {
                Ok(
                    sqlx::query_as::<$db, $crate::storage::dashboard_records::StoredDashboard>(
                        "SELECT computed_at, figures FROM dashboard_figures \
                     WHERE id = 1 AND computed_at IS NOT NULL AND figures IS NOT NULL",
                    )
                    .fetch_optional(&self.pool)
                    .await?,
                )
            }

            async fn claim_dashboard(
                &self,
                now: DateTime<Utc>,
                stale_before: DateTime<Utc>,
                claim_until: DateTime<Utc>,
            ) -> Result<bool, StorageError> {
                // One statement: two instances cannot both see the claim free.
                let claimed = sqlx::query(
                    "UPDATE dashboard_figures SET claimed_until = $1 WHERE id = 1 \
                     AND (computed_at IS NULL OR computed_at < $2) \
                     AND (claimed_until IS NULL OR claimed_until < $3)",
                )
                .bind(to_micros(claim_until))
                .bind(to_micros(stale_before))
                .bind(to_micros(now))
                .execute(&self.pool)
                .await?;
                Ok(claimed.rows_affected() == 1)
            }

            async fn store_dashboard(
                &self,
                computed_at: DateTime<Utc>,
                figures: &str,
            ) -> Result<(), StorageError> {
                sqlx::query(
                    "UPDATE dashboard_figures SET computed_at = $1, figures = $2, \
                     claimed_until = NULL WHERE id = 1",
                )
                .bind(to_micros(computed_at))
                .bind(figures)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

pub(super) use impl_dashboard_records;
