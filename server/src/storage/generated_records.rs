//! Bulk writes for the benchmark population (`espace-usager generate-data`): many applicants and
//! documents per statement, one transaction per batch, so millions of rows take minutes.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::StorageError;

/// An activated applicant of the generated population.
#[derive(Debug, Clone)]
pub struct GeneratedApplicant {
    pub id: Uuid,
    pub foreigner_number: String,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub preferred_language: String,
    pub created_at: DateTime<Utc>,
    pub password_hash: String,
}

/// A document row with no file behind it (its object key names none): enough for listing, the
/// inbox and the staff page, not for opening.
#[derive(Debug, Clone)]
pub struct GeneratedDocument {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub made_available_at: DateTime<Utc>,
    pub first_opened_at: Option<DateTime<Utc>>,
    /// A summons' interview (the reminder job and the at-risk list read it).
    pub appointment_at: Option<DateTime<Utc>>,
}

/// Rows per statement: under SQLite's 32,766 bound parameters with the widest row (12 columns).
pub const ROWS_PER_STATEMENT: usize = 2_000;

#[async_trait]
pub trait GeneratedRecords: Send + Sync {
    /// Writes the applicants then their documents in one transaction: a batch is there whole
    /// or not at all, so an interrupted run resumes at the first missing batch.
    async fn insert_generated(
        &self,
        applicants: &[GeneratedApplicant],
        documents: &[GeneratedDocument],
    ) -> Result<(), StorageError>;

    /// How many applicants of the generated population are in the database (numbers from
    /// `first_number`): where an interrupted run starts again.
    async fn count_generated(&self, first_number: &str) -> Result<u64, StorageError>;

    /// Fresh planner statistics after a bulk load. Without them PostgreSQL plans a lookup of
    /// one applicant's documents as if it matched 30,000 rows (a parallel scan, 165 ms instead
    /// of 0.2 ms at 10 million documents) until autovacuum analyses the table, which is never
    /// where autovacuum is off. SQLite picks the same indexes without statistics: nothing to do.
    async fn refresh_statistics(&self) -> Result<(), StorageError>;
}

macro_rules! impl_generated_records {
    ($store:ty, $db:ty, $analyze:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::generated_records::GeneratedRecords for $store {
            async fn insert_generated(
                &self,
                applicants: &[$crate::storage::generated_records::GeneratedApplicant],
                documents: &[$crate::storage::generated_records::GeneratedDocument],
            ) -> Result<(), StorageError> {
                use $crate::storage::generated_records::ROWS_PER_STATEMENT;
                let mut transaction = self.pool.begin().await?;
                for chunk in applicants.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO applicants (id, foreigner_number, given_names, family_name, \
                         date_of_birth, preferred_language, electronic_notification, created_at, \
                         password_hash, activated_at, notify_by_email, notify_by_sms) ",
                    );
                    insert.push_values(chunk, |mut row, applicant| {
                        row.push_bind(applicant.id)
                            .push_bind(&applicant.foreigner_number)
                            .push_bind(&applicant.given_names)
                            .push_bind(&applicant.family_name)
                            .push_bind(applicant.date_of_birth)
                            .push_bind(&applicant.preferred_language)
                            .push_bind(true)
                            .push_bind(applicant.created_at)
                            .push_bind(&applicant.password_hash)
                            .push_bind(applicant.created_at)
                            .push_bind(false)
                            .push_bind(false);
                    });
                    insert.build().execute(&mut *transaction).await?;
                }
                for chunk in documents.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO documents (id, applicant_id, kind, title, file_name, size_bytes, \
                         sha256, object_key, master_key_id, wrapped_key, uploaded_by_kind, \
                         scan_status, made_available_at, first_opened_at, appointment_at) ",
                    );
                    insert.push_values(chunk, |mut row, document| {
                        row.push_bind(document.id)
                            .push_bind(document.applicant_id)
                            .push_bind(document.kind)
                            .push_bind(&document.title)
                            .push_bind(&document.file_name)
                            .push_bind(document.size_bytes)
                            .push_bind(&document.sha256)
                            .push_bind(&document.object_key)
                            .push("'generated'")
                            .push("'generated'")
                            .push("'system'")
                            .push("'not_scanned'")
                            .push_bind(document.made_available_at)
                            .push_bind(document.first_opened_at)
                            .push_bind(document.appointment_at);
                    });
                    insert.build().execute(&mut *transaction).await?;
                }
                transaction.commit().await?;
                Ok(())
            }

            async fn count_generated(&self, first_number: &str) -> Result<u64, StorageError> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM applicants WHERE foreigner_number >= $1",
                )
                .bind(first_number)
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or_default())
            }

            async fn refresh_statistics(&self) -> Result<(), StorageError> {
                let statement: Option<&'static str> = $analyze;
                if let Some(statement) = statement {
                    sqlx::query(statement).execute(&self.pool).await?;
                }
                Ok(())
            }
        }
    };
}

pub(super) use impl_generated_records;
