//! The benchmark population (`espace-usager generate-data`): activated applicants numbered from
//! 9000000000, each with documents of every common kind, written in batches straight to the
//! database. Rows only: a generated document names no file (its blob would cost the object store
//! as much as a real one, and the design gives each document its own key, so no two can share
//! one). `publish_downloadable` then posts real files, through the normal upload path, for the
//! first applicants, so downloads are measured on real encrypted blobs.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{
    accounts::password::{PasswordError, hash_password},
    secret::Secret,
    storage::{
        Storage, StorageError,
        generated_records::{GeneratedApplicant, GeneratedDocument},
    },
};

/// Foreigner numbers of the generated population: 9000000000, 9000000001... (real ones are
/// never this high in a test database; production refuses the generator).
pub const FIRST_NUMBER: u64 = 9_000_000_000;

/// Every generated applicant's password, published so that load tests can sign in.
pub const PASSWORD: &str = "Population-generee-2026";

/// Applicants written per transaction.
pub const APPLICANTS_PER_BATCH: u64 = 5_000;

#[derive(Debug, Clone, Copy)]
pub struct Population {
    pub applicants: u64,
    pub documents_per_applicant: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("the database refused a batch: {0}")]
    Storage(#[from] StorageError),
    #[error("the shared password could not be hashed: {0}")]
    Password(#[from] PasswordError),
}

#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Applicants already there from an earlier (interrupted) run, left as they were.
    pub kept: u64,
    pub applicants: u64,
    pub documents: u64,
    pub elapsed: Duration,
}

const GIVEN_NAMES: [&str; 12] = [
    "Nour", "Farid", "Amina", "Bilal", "Mariam", "Ahmad", "Tigist", "Giorgi", "Elira", "Sadia",
    "Yusuf", "Daniela",
];
const FAMILY_NAMES: [&str; 10] = [
    "Haddad", "Ahmadi", "Rahimi", "Hossain", "Beridze", "Hoxha", "Yilmaz", "Tesfaye", "Warsame",
    "Ivanova",
];
/// Roughly the office's applicants by language, most asked first.
const LANGUAGES: [&str; 16] = [
    "fr", "prs", "ps", "bn", "ar", "ka", "ru", "sq", "tr", "ti", "so", "es", "ur", "en", "uk", "fr",
];
/// An application's documents in the order the office sends them.
const KINDS: [(&str, &str); 6] = [
    ("registration_letter", "Lettre d'enregistrement"),
    ("interview_summons", "Convocation à l'entretien"),
    ("interview_transcript", "Compte rendu d'entretien"),
    ("decision", "Décision"),
    ("procedure_change", "Changement de procédure"),
    ("other", "Courrier"),
];

/// The applicants `start..start + count` of the population and their documents: the same for
/// the same indices, so a run can stop and start again.
pub fn batch(
    population: Population,
    start: u64,
    count: u64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> (Vec<GeneratedApplicant>, Vec<GeneratedDocument>) {
    let per_applicant = population.documents_per_applicant as usize;
    let mut applicants = Vec::with_capacity(count as usize);
    let mut documents = Vec::with_capacity(count as usize * per_applicant);
    for index in start..start + count {
        let slot = index as usize;
        // Spread over the last two years, the newest last.
        let age_days = 730 - (index % 730) as i64;
        let created_at = now - chrono::Duration::days(age_days);
        let id = Uuid::from_u64_pair(0x6765_6e65_7261_7465, index);
        applicants.push(GeneratedApplicant {
            id,
            foreigner_number: (FIRST_NUMBER + index).to_string(),
            given_names: GIVEN_NAMES[slot % GIVEN_NAMES.len()].to_owned(),
            family_name: FAMILY_NAMES[(slot / GIVEN_NAMES.len()) % FAMILY_NAMES.len()].to_owned(),
            date_of_birth: NaiveDate::from_ymd_opt(
                1960 + (index % 45) as i32,
                1 + (index % 12) as u32,
                1 + (index % 28) as u32,
            )
            .unwrap_or_default(),
            preferred_language: LANGUAGES[slot % LANGUAGES.len()].to_owned(),
            created_at,
            password_hash: password_hash.to_owned(),
        });
        for number in 0..per_applicant {
            let (kind, title) = KINDS[number % KINDS.len()];
            let made_available_at = created_at
                + chrono::Duration::days(
                    number as i64 * age_days.max(1) / per_applicant.max(1) as i64,
                );
            let document_id = Uuid::from_u64_pair(index, number as u64);
            documents.push(GeneratedDocument {
                id: document_id,
                applicant_id: id,
                kind,
                title: format!("{title} {}", number + 1),
                file_name: format!("{kind}-{}.pdf", number + 1),
                size_bytes: 40_000 + (index as i64 * 7 + number as i64 * 131) % 160_000,
                sha256: format!(
                    "{:064x}",
                    u128::from(document_id.as_u64_pair().0) << 64 | u128::from(number as u64)
                ),
                object_key: format!("generated/{document_id}"),
                made_available_at,
                // The newest document of an account is often not opened yet.
                first_opened_at: (number + 1 < per_applicant || index % 3 == 0)
                    .then(|| made_available_at + chrono::Duration::hours(1 + (index % 47) as i64)),
                // Summoned 10 to 40 days after the summons (a few too soon: the at-risk list).
                appointment_at: (kind == "interview_summons")
                    .then(|| made_available_at + chrono::Duration::days(10 + (index % 31) as i64)),
            });
        }
    }
    (applicants, documents)
}

/// Writes the population, batch after batch, resuming after the applicants already there (a
/// run cut short, or a smaller population grown).
/// `progress` hears how many applicants are written so far.
pub async fn generate(
    storage: &dyn Storage,
    population: Population,
    now: DateTime<Utc>,
    progress: impl Fn(u64),
) -> Result<Report, GenerateError> {
    let started = Instant::now();
    // One Argon2 hash for all: hashing a million passwords would take hours, and sign-in cost is
    // the same whichever hash it checks.
    let password_hash = hash_password(Secret::new(PASSWORD.to_owned())).await?;
    let kept = storage
        .count_generated(&FIRST_NUMBER.to_string())
        .await?
        .min(population.applicants);
    // Batches are written in order, each whole or not at all: what is there is a prefix.
    let mut start = kept;
    let mut documents = 0;
    while start < population.applicants {
        let count = APPLICANTS_PER_BATCH.min(population.applicants - start);
        let (applicants, rows) = batch(population, start, count, &password_hash, now);
        storage.insert_generated(&applicants, &rows).await?;
        documents += rows.len() as u64;
        start += count;
        progress(start);
    }
    storage.refresh_statistics().await?;
    Ok(Report {
        kept,
        applicants: population.applicants,
        documents,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_deterministic_and_every_row_is_distinct() {
        let population = Population {
            applicants: 100,
            documents_per_applicant: 8,
        };
        let now = Utc::now();
        let (applicants, documents) = batch(population, 40, 20, "hash", now);
        let (again, _) = batch(population, 40, 20, "hash", now);
        assert_eq!(applicants.len(), 20);
        assert_eq!(documents.len(), 160);
        assert_eq!(applicants[0].id, again[0].id);
        assert_eq!(applicants[0].foreigner_number, "9000000040");
        let ids: std::collections::HashSet<_> = documents.iter().map(|d| d.id).collect();
        let hashes: std::collections::HashSet<_> = documents.iter().map(|d| &d.sha256).collect();
        assert_eq!(ids.len(), 160);
        assert_eq!(hashes.len(), 160);
        for document in &documents {
            assert!(crate::documents::kind::DocumentKind::from_code(document.kind).is_some());
            assert!(document.made_available_at <= now);
            assert!(
                document
                    .first_opened_at
                    .is_none_or(|at| at > document.made_available_at)
            );
        }
    }
}
