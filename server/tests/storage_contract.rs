//! The storage contract: every engine behaves the same. Each test runs on SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use server::{
    connection_key::ConnectionKey,
    demo,
    storage::{NewApplicant, NewConnectionKey, NewStaffMember, StaffRole, Storage, StorageError},
};

fn staff(email: &str) -> NewStaffMember {
    NewStaffMember {
        email: email.into(),
        display_name: "Agent Test".into(),
        role: StaffRole::Supervisor,
        password_hash: "$argon2id$not-checked-here".into(),
    }
}

fn applicant(foreigner_number: &str) -> NewApplicant {
    NewApplicant {
        foreigner_number: Some(foreigner_number.into()),
        file_number: None,
        given_names: "Leyla".into(),
        family_name: "Ahmadi".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1995, 3, 14).unwrap(),
        preferred_language: "fa".into(),
        electronic_notification: true,
    }
}

fn key_record(key: &ConnectionKey) -> NewConnectionKey {
    NewConnectionKey {
        key_hash: key.hash(),
        expires_at: Utc::now() + Duration::days(30),
    }
}

both_engines!(migrations_run_twice_without_harm, |storage: Arc<
    dyn Storage,
>| async move {
    storage.migrate().await.unwrap();
    storage.ping().await.unwrap();
});

both_engines!(
    staff_members_are_found_by_case_insensitive_email,
    |storage: Arc<dyn Storage>| async move {
        assert_eq!(storage.count_staff_members().await.unwrap(), 0);
        let created = storage
            .insert_staff_member(&staff("Agent.Test@Office.example"))
            .await
            .unwrap();
        assert_eq!(created.email, "agent.test@office.example");
        let found = storage
            .find_staff_member_by_email("AGENT.TEST@office.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, created);
        assert_eq!(found.role, StaffRole::Supervisor);
        assert_eq!(storage.count_staff_members().await.unwrap(), 1);
        assert!(
            storage
                .find_staff_member_by_email("nobody@office.example")
                .await
                .unwrap()
                .is_none()
        );
    }
);

both_engines!(
    a_staff_email_is_taken_once,
    |storage: Arc<dyn Storage>| async move {
        storage
            .insert_staff_member(&staff("a@office.example"))
            .await
            .unwrap();
        let error = storage
            .insert_staff_member(&staff("A@office.example"))
            .await
            .unwrap_err();
        assert!(matches!(error, StorageError::Conflict(_)), "{error:?}");
    }
);

both_engines!(
    an_applicant_is_created_with_a_connection_key,
    |storage: Arc<dyn Storage>| async move {
        let key = ConnectionKey::generate();
        let created = storage
            .create_applicant(&applicant("1234567890"), &key_record(&key))
            .await
            .unwrap();
        assert_eq!(
            storage.find_applicant(created.id).await.unwrap().unwrap(),
            created
        );
        let by_number = storage
            .find_applicant_by_foreigner_number("1234567890")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_number, created);
        assert_eq!(
            created.date_of_birth,
            NaiveDate::from_ymd_opt(1995, 3, 14).unwrap()
        );

        let stored_key = storage
            .find_connection_key(&key.hash())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored_key.applicant_id, created.id);
        assert!(stored_key.used_at.is_none() && stored_key.revoked_at.is_none());
        assert!(stored_key.expires_at > stored_key.issued_at);
    }
);

both_engines!(
    a_failed_registration_leaves_nothing_behind,
    |storage: Arc<dyn Storage>| async move {
        let key = ConnectionKey::generate();
        storage
            .create_applicant(&applicant("1111111111"), &key_record(&key))
            .await
            .unwrap();
        // Same key hash for another applicant: the applicant row must be rolled back with the key.
        let error = storage
            .create_applicant(&applicant("2222222222"), &key_record(&key))
            .await
            .unwrap_err();
        assert!(matches!(error, StorageError::Conflict(_)), "{error:?}");
        assert!(
            storage
                .find_applicant_by_foreigner_number("2222222222")
                .await
                .unwrap()
                .is_none()
        );

        let duplicate = storage
            .create_applicant(
                &applicant("1111111111"),
                &key_record(&ConnectionKey::generate()),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(duplicate, StorageError::Conflict(_)),
            "{duplicate:?}"
        );
    }
);

both_engines!(
    a_malformed_foreigner_number_is_refused_by_the_schema,
    |storage: Arc<dyn Storage>| async move {
        let result = storage
            .create_applicant(&applicant("12345"), &key_record(&ConnectionKey::generate()))
            .await;
        assert!(result.is_err());
        assert!(
            storage
                .find_applicant_by_foreigner_number("12345")
                .await
                .unwrap()
                .is_none()
        );
    }
);

both_engines!(
    demo_data_is_created_once,
    |storage: Arc<dyn Storage>| async move {
        let credentials = demo::create_demo_data_if_empty(storage.as_ref())
            .await
            .unwrap()
            .unwrap();
        let key = ConnectionKey::parse(credentials.connection_key.expose()).unwrap();
        let record = storage
            .find_connection_key(&key.hash())
            .await
            .unwrap()
            .unwrap();
        let applicant = storage
            .find_applicant(record.applicant_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            applicant.foreigner_number.as_deref(),
            Some(demo::DEMO_FOREIGNER_NUMBER)
        );
        let staff = storage
            .find_staff_member_by_email(&credentials.staff_email)
            .await
            .unwrap()
            .unwrap();
        assert!(
            server::password::verify_password(
                credentials.staff_password.clone(),
                staff.password_hash
            )
            .await
            .unwrap()
        );
        assert!(
            demo::create_demo_data_if_empty(storage.as_ref())
                .await
                .unwrap()
                .is_none()
        );
    }
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let database = support::TestDatabase::sqlite().await;
    let storage = server::storage::SqliteStorage::connect(&database.url)
        .await
        .unwrap();
    assert_eq!(storage.journal_mode().await.unwrap(), "wal");
}
