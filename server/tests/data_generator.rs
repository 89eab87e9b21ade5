//! The benchmark population on both engines: written in batches, readable through the normal
//! storage calls (an applicant signs in with the published password and lists documents), and
//! an interrupted run resumes without writing anything twice.

mod support;

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use chrono::Utc;
use server::{
    accounts::password::verify_password,
    data_generator::{APPLICANTS_PER_BATCH, PASSWORD, Population, generate},
    secret::Secret,
    storage::Storage,
};

both_engines!(
    a_generated_population_is_usable_and_a_rerun_resumes,
    |storage: Arc<dyn Storage>| async move {
        let population = Population {
            applicants: APPLICANTS_PER_BATCH + 7,
            documents_per_applicant: 3,
        };
        let written = AtomicU64::new(0);
        let report = generate(storage.as_ref(), population, Utc::now(), |done| {
            written.store(done, Ordering::Relaxed)
        })
        .await
        .unwrap();
        assert_eq!(report.kept, 0);
        assert_eq!(report.documents, (APPLICANTS_PER_BATCH + 7) * 3);
        assert_eq!(written.load(Ordering::Relaxed), APPLICANTS_PER_BATCH + 7);

        let last = storage
            .find_applicant_by_foreigner_number("9000005006")
            .await
            .unwrap()
            .expect("the last applicant");
        assert!(last.activated_at.is_some());
        let hash = storage
            .applicant_password_hash(last.id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            verify_password(Secret::new(PASSWORD.to_owned()), hash)
                .await
                .unwrap()
        );
        let documents = storage.documents_of_applicant(last.id).await.unwrap();
        assert_eq!(documents.len(), 3);
        assert!(documents.iter().all(|d| d.made_available_at.is_some()));
        assert!(
            documents[0].made_available_at >= documents[2].made_available_at,
            "newest first"
        );

        // Run again: nothing to add. Grown: only the new applicants are written.
        let again = generate(storage.as_ref(), population, Utc::now(), |_| {})
            .await
            .unwrap();
        assert_eq!((again.kept, again.documents), (APPLICANTS_PER_BATCH + 7, 0));
        let bigger = Population {
            applicants: 2 * APPLICANTS_PER_BATCH,
            documents_per_applicant: 3,
        };
        let grown = generate(storage.as_ref(), bigger, Utc::now(), |_| {})
            .await
            .unwrap();
        assert_eq!(grown.kept, APPLICANTS_PER_BATCH + 7);
        assert_eq!(grown.documents, (APPLICANTS_PER_BATCH - 7) * 3);
        assert!(
            storage
                .find_applicant_by_foreigner_number("9000009999")
                .await
                .unwrap()
                .is_some()
        );
    }
);
