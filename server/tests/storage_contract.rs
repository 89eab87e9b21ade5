//! The storage contract: every engine behaves the same. Each test runs on SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use server::{
    connection_key::ConnectionKey,
    demo,
    storage::{
        ActorKind, ContactKind, NewApplicant, NewAuditEvent, NewConnectionKey, NewSession,
        NewStaffMember, ReplacedContact, StaffRole, Storage, StorageError, SubjectKind,
    },
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
        given: Default::default(),
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

/// Rows the storage stamps itself (creation, audit events) take the portal's clock, so a test
/// that moves time finds them where the rules look for them.
async fn stamps_follow_the_portal_s_clock(database: support::TestDatabase) {
    let clock = server::clock::Clock::adjustable();
    let storage = database.storage_on(clock.clone()).await;
    clock.travel(Duration::days(40));
    let close_to_clock =
        |at: chrono::DateTime<Utc>| (at - clock.now()).abs() < Duration::minutes(1);
    let member = storage
        .insert_staff_member(&staff("clock@office.example"))
        .await
        .unwrap();
    assert!(close_to_clock(member.created_at), "{}", member.created_at);
    let key = ConnectionKey::generate();
    let applicant = storage
        .create_applicant(&applicant("0800000001"), &key_record(&key))
        .await
        .unwrap();
    assert!(
        close_to_clock(applicant.created_at),
        "{}",
        applicant.created_at
    );
    let event = storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::System,
            actor_id: None,
            action: "clock.checked",
            target_kind: None,
            target_id: None,
            ip_hash: None,
            succeeded: true,
        })
        .await
        .unwrap();
    assert!(close_to_clock(event.occurred_at), "{}", event.occurred_at);
    storage.close().await;
    database.drop().await;
}

#[tokio::test]
async fn stamps_follow_the_portal_s_clock_on_sqlite() {
    stamps_follow_the_portal_s_clock(support::TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn stamps_follow_the_portal_s_clock_on_postgres() {
    stamps_follow_the_portal_s_clock(support::TestDatabase::postgres().await).await;
}

both_engines!(
    replaced_contacts_are_kept_for_a_while_and_put_back_oldest_first,
    |storage: Arc<dyn Storage>| async move {
        let key = ConnectionKey::generate();
        let applicant = storage
            .create_applicant(&applicant("0800000002"), &key_record(&key))
            .await
            .unwrap();
        let now = server::clock::Clock::system().now();
        let kept = |kind, value: &str, hours_ago| ReplacedContact {
            kind,
            value: value.into(),
            replaced_at: now - Duration::hours(hours_ago),
        };
        let long_ago = now - Duration::hours(100);
        for contact in [
            kept(ContactKind::Email, "ancient@example.org", 200),
            kept(ContactKind::Email, "first@example.org", 50),
            kept(ContactKind::Email, "second@example.org", 10),
            kept(ContactKind::Phone, "+33611111111", 5),
        ] {
            storage
                .keep_replaced_contact(applicant.id, &contact, now - Duration::days(365))
                .await
                .unwrap();
        }
        let since = now - Duration::hours(72);
        let recent = storage
            .replaced_contacts_since(applicant.id, since)
            .await
            .unwrap();
        let values: Vec<&str> = recent.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(
            values,
            ["first@example.org", "second@example.org", "+33611111111"]
        );

        // The next change forgets what is older than its cut-off.
        storage
            .keep_replaced_contact(
                applicant.id,
                &kept(ContactKind::Phone, "+33622222222", 1),
                long_ago,
            )
            .await
            .unwrap();
        assert_eq!(
            storage
                .replaced_contacts_since(applicant.id, now - Duration::days(365))
                .await
                .unwrap()
                .len(),
            4,
            "the 200-hour-old one is gone"
        );

        let restored = storage
            .restore_replaced_contacts(applicant.id, since, now)
            .await
            .unwrap();
        let values: Vec<&str> = restored.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["first@example.org", "+33611111111"]);
        let after = storage.find_applicant(applicant.id).await.unwrap().unwrap();
        assert_eq!(after.email.as_deref(), Some("first@example.org"));
        assert_eq!(after.email_verified_at, Some(now));
        assert_eq!(after.phone.as_deref(), Some("+33611111111"));
        assert!(
            storage
                .replaced_contacts_since(applicant.id, long_ago)
                .await
                .unwrap()
                .is_empty(),
            "every kept contact is forgotten once put back"
        );

        storage
            .keep_replaced_contact(
                applicant.id,
                &kept(ContactKind::Email, "x@example.org", 80),
                long_ago,
            )
            .await
            .unwrap();
        assert_eq!(
            storage
                .forget_replaced_contacts_before(since)
                .await
                .unwrap(),
            1
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
        let credentials = demo::create_demo_data_if_empty(storage.as_ref(), chrono::Utc::now())
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
            staff.enrolled_at.is_none(),
            "the administrator enrols through the link"
        );
        let (_, enrolling) = server::staff::open_enrolment(
            storage.as_ref(),
            credentials.staff_enrolment_token.expose(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(enrolling.id, staff.id);
        assert!(
            demo::create_demo_data_if_empty(storage.as_ref(), chrono::Utc::now())
                .await
                .unwrap()
                .is_none()
        );
    }
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let database = support::TestDatabase::sqlite().await;
    let storage =
        server::storage::SqliteStorage::connect(&database.url, server::clock::Clock::system())
            .await
            .unwrap();
    assert_eq!(storage.journal_mode().await.unwrap(), "wal");
}

fn new_session(subject_id: uuid::Uuid, now: chrono::DateTime<Utc>) -> NewSession {
    NewSession {
        subject_kind: SubjectKind::Applicant,
        subject_id,
        shared_device: false,
        idle_expires_at: now + Duration::minutes(30),
        absolute_expires_at: now + Duration::hours(12),
    }
}

both_engines!(
    a_session_lives_until_idle_expiry_and_activity_extends_it,
    |storage: Arc<dyn Storage>| async move {
        let now = Utc::now();
        let session = storage
            .create_session(&new_session(uuid::Uuid::new_v4(), now), now)
            .await
            .unwrap();
        assert!(
            storage
                .find_active_session(session.id, now + Duration::minutes(29))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            storage
                .find_active_session(session.id, now + Duration::minutes(31))
                .await
                .unwrap()
                .is_none()
        );

        let later = now + Duration::minutes(20);
        assert!(
            storage
                .touch_session(session.id, later, later + Duration::minutes(30))
                .await
                .unwrap()
        );
        let touched = storage
            .find_active_session(session.id, now + Duration::minutes(45))
            .await
            .unwrap()
            .unwrap();
        assert!(touched.last_seen_at > session.last_seen_at);

        // Activity never carries a session past its absolute expiry.
        let near_end = now + Duration::hours(11) + Duration::minutes(50);
        assert!(
            storage
                .touch_session(
                    session.id,
                    now + Duration::minutes(40),
                    near_end + Duration::hours(1)
                )
                .await
                .unwrap()
        );
        let capped = storage
            .find_active_session(session.id, now + Duration::minutes(41))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(capped.idle_expires_at, capped.absolute_expires_at);
        assert!(
            storage
                .find_active_session(session.id, now + Duration::hours(12))
                .await
                .unwrap()
                .is_none()
        );
        // An expired session cannot be revived by activity.
        assert!(
            !storage
                .touch_session(
                    session.id,
                    now + Duration::hours(13),
                    now + Duration::hours(14)
                )
                .await
                .unwrap()
        );
    }
);

both_engines!(revoked_sessions_are_refused_at_once, |storage: Arc<
    dyn Storage,
>| async move {
    let now = Utc::now();
    let person = uuid::Uuid::new_v4();
    let phone = storage
        .create_session(&new_session(person, now), now)
        .await
        .unwrap();
    let laptop = storage
        .create_session(&new_session(person, now), now)
        .await
        .unwrap();
    let someone_else = storage
        .create_session(&new_session(uuid::Uuid::new_v4(), now), now)
        .await
        .unwrap();

    assert!(storage.revoke_session(phone.id, now).await.unwrap());
    assert!(
        !storage.revoke_session(phone.id, now).await.unwrap(),
        "revoking twice changes nothing"
    );
    assert!(
        storage
            .find_active_session(phone.id, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !storage
            .touch_session(phone.id, now, now + Duration::minutes(30))
            .await
            .unwrap()
    );

    // Sign out everywhere: the other session of the same person, and nobody else's.
    assert_eq!(
        storage
            .revoke_sessions_of(SubjectKind::Applicant, person, now)
            .await
            .unwrap(),
        1
    );
    assert!(
        storage
            .find_active_session(laptop.id, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        storage
            .find_active_session(someone_else.id, now)
            .await
            .unwrap()
            .is_some()
    );
    // Same id but the other kind of account is not the same person.
    assert_eq!(
        storage
            .revoke_sessions_of(SubjectKind::Staff, someone_else.subject_id, now)
            .await
            .unwrap(),
        0
    );
});

async fn the_audit_log_is_append_only(database: support::TestDatabase) {
    let storage = database.storage().await;
    let actor = uuid::Uuid::new_v4();
    let first = storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::Anonymous,
            actor_id: None,
            action: "sign_in",
            target_kind: Some("applicant"),
            target_id: Some(actor),
            ip_hash: Some("3f1c".into()),
            succeeded: false,
        })
        .await
        .unwrap();
    let second = storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::Applicant,
            actor_id: Some(actor),
            action: "sign_in",
            target_kind: None,
            target_id: None,
            ip_hash: None,
            succeeded: true,
        })
        .await
        .unwrap();
    let recent = storage.recent_audit_events(10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0], second);
    assert_eq!(recent[1], first);
    assert!(!recent[1].succeeded);

    // Neither engine lets an event be changed or removed, even by the application's own user.
    assert!(
        database
            .execute_raw("UPDATE audit_events SET outcome = 'success'")
            .await
            .is_err()
    );
    assert!(
        database
            .execute_raw("DELETE FROM audit_events")
            .await
            .is_err()
    );
    assert_eq!(storage.recent_audit_events(10).await.unwrap(), recent);
    storage.close().await;
    database.drop().await;
}

#[tokio::test]
async fn the_audit_log_is_append_only_on_sqlite() {
    the_audit_log_is_append_only(support::TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn the_audit_log_is_append_only_on_postgres() {
    the_audit_log_is_append_only(support::TestDatabase::postgres().await).await;
}

/// A document made available at `at`, as publishing writes it (its notifications queued).
async fn available_document(
    storage: &dyn Storage,
    applicant_id: uuid::Uuid,
    at: chrono::DateTime<Utc>,
) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    storage
        .insert_document(
            &server::storage::NewDocument {
                id,
                applicant_id,
                kind: server::documents::DocumentKind::Decision,
                title: "Décision".into(),
                file_name: "decision.pdf".into(),
                size_bytes: 1_000,
                sha256: format!("{:064x}", id.as_u128()),
                object_key: format!("documents/{id}"),
                master_key_id: "test".into(),
                wrapped_key: "test".into(),
                uploaded_by_kind: ActorKind::System,
                uploaded_by_id: None,
                scan_status: server::storage::ScanStatus::NotScanned,
                made_available_at: Some(at),
                replaces_id: None,
                facts: Default::default(),
            },
            None,
            &[],
        )
        .await
        .unwrap();
    id
}

both_engines!(
    announcements_waiting_for_a_channel_are_queued_again_while_they_can_help,
    |storage: Arc<dyn Storage>| async move {
        use server::storage::{
            DeliveryOutcome, DeliveryStatus, SKIPPED_ALREADY_OPENED, SKIPPED_CHANNEL_OFF,
            SKIPPED_NO_CONTACT,
        };
        let key = ConnectionKey::generate();
        let leyla = storage
            .create_applicant(&applicant("0800000009"), &key_record(&key))
            .await
            .unwrap()
            .id;
        let now = Utc::now();
        let recent = available_document(storage.as_ref(), leyla, now - Duration::hours(1)).await;
        let deemed = available_document(storage.as_ref(), leyla, now - Duration::days(20)).await;
        let opened = available_document(storage.as_ref(), leyla, now - Duration::hours(2)).await;
        // Every channel found nowhere to go, or gave up; one was skipped as already opened.
        let claimed = storage
            .claim_due_notifications(now, Duration::minutes(2), 100)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 9, "three channels of three documents");
        for claim in &claimed {
            let outcome = match claim.channel.as_str() {
                "email" => DeliveryOutcome::Skipped {
                    why: SKIPPED_NO_CONTACT,
                },
                "sms" => DeliveryOutcome::Dead {
                    error: "relay down since yesterday".into(),
                },
                _ if claim.document_id == Some(recent) => DeliveryOutcome::Skipped {
                    why: SKIPPED_CHANNEL_OFF,
                },
                _ => DeliveryOutcome::Skipped {
                    why: SKIPPED_ALREADY_OPENED,
                },
            };
            assert!(storage.record_delivery(claim, &outcome).await.unwrap());
        }
        storage.record_first_opening(opened, now).await.unwrap();

        // Only the unopened document still within its fifteen days: the channels that found
        // nowhere to go; the one given up only once it has a new number.
        let since = now - Duration::days(15);
        assert_eq!(
            storage
                .requeue_waiting_notifications(leyla, since, None, now)
                .await
                .unwrap(),
            2
        );
        let fresh = Some(server::storage::Channel::Sms);
        assert_eq!(
            storage
                .requeue_waiting_notifications(leyla, since, fresh, now)
                .await
                .unwrap(),
            1
        );
        let rows = storage.notifications_of_applicant(leyla).await.unwrap();
        for row in rows.iter().filter(|row| row.document_id == Some(recent)) {
            if row.channel != server::storage::Channel::InApp {
                assert_eq!(row.status, DeliveryStatus::Queued, "{:?}", row.channel);
            }
        }
        let sms = rows
            .iter()
            .find(|row| {
                row.document_id == Some(recent) && row.channel == server::storage::Channel::Sms
            })
            .unwrap();
        assert_eq!(sms.attempts, 0, "given up, then tried afresh");
        for document in [deemed, opened] {
            assert!(
                rows.iter()
                    .filter(|row| row.document_id == Some(document))
                    .all(|row| { row.status != DeliveryStatus::Queued })
            );
        }
        // Nothing waits any more: a second call queues nothing.
        assert_eq!(
            storage
                .requeue_waiting_notifications(leyla, since, fresh, now)
                .await
                .unwrap(),
            0
        );
    }
);

both_engines!(
    an_idempotency_key_is_claimed_once_answered_then_forgotten,
    |storage: Arc<dyn Storage>| async move {
        use server::storage::Claim;
        use uuid::Uuid;
        let now = server::clock::Clock::system().now();
        let office = (storage
            .insert_api_key("office", "documents:write", "hash-1", now)
            .await)
            .unwrap()
            .id;
        let other = (storage
            .insert_api_key("other", "documents:write", "hash-2", now)
            .await)
            .unwrap()
            .id;
        let claim = |key: Uuid, fingerprint: &'static str, token: Uuid, at| {
            let storage = storage.clone();
            async move {
                let stale_before = at - Duration::hours(1);
                (storage.claim_idempotency_key(key, "k1", fingerprint, token, at, stale_before))
                    .await
                    .unwrap()
            }
        };
        let (first, second, third) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(claim(office, "fp", first, now).await, Claim::Claimed);
        // Held while it runs, whatever the request; another key's "k1" is its own.
        let Claim::Taken(held) = claim(office, "fp", second, now).await else {
            panic!("claimed twice")
        };
        assert_eq!(
            (held.fingerprint.as_str(), held.status, held.answer),
            ("fp", None, None)
        );
        assert_eq!(claim(other, "fp", first, now).await, Claim::Claimed);
        // Unanswered for an hour: its instance died, the same request takes it over (once).
        let later = now + Duration::minutes(61);
        assert!(matches!(
            claim(office, "another", second, later).await,
            Claim::Taken(_)
        ));
        assert_eq!(claim(office, "fp", second, later).await, Claim::Claimed);
        assert!(matches!(
            claim(office, "fp", third, later).await,
            Claim::Taken(_)
        ));
        // The first request, late, can neither answer for the second nor let its claim go.
        let answer =
            |token| storage.settle_idempotency_key(office, "k1", token, 201, r#"{"id":"x"}"#);
        assert!(!answer(first).await.unwrap());
        storage
            .release_idempotency_key(office, "k1", first)
            .await
            .unwrap();
        assert!(matches!(
            claim(office, "fp", third, later).await,
            Claim::Taken(_)
        ));
        assert!(answer(second).await.unwrap());
        // Answered: never released, never taken over.
        storage
            .release_idempotency_key(office, "k1", second)
            .await
            .unwrap();
        let much_later = now + Duration::hours(3);
        let Claim::Taken(answered) = claim(office, "fp", third, much_later).await else {
            panic!("an answered key was taken over")
        };
        assert_eq!(answered.status, Some(201));
        assert_eq!(answered.answer.as_deref(), Some(r#"{"id":"x"}"#));
        // An unanswered one is let go by its own claim: the retry runs.
        storage
            .release_idempotency_key(other, "k1", first)
            .await
            .unwrap();
        assert_eq!(claim(other, "fp", third, now).await, Claim::Claimed);

        let forgotten = storage
            .forget_idempotency_keys(now + Duration::minutes(5))
            .await
            .unwrap();
        assert_eq!(forgotten, 1, "the other key's claim, made at `now`");
        assert_eq!(
            storage
                .forget_idempotency_keys(now + Duration::days(1))
                .await
                .unwrap(),
            1
        );
    }
);

both_engines!(
    the_dashboard_is_computed_by_one_claimant_at_a_time,
    |storage: Arc<dyn Storage>| async move {
        let now = server::clock::Clock::system().now();
        let minutes = chrono::Duration::minutes;
        assert_eq!(storage.stored_dashboard().await.unwrap(), None);
        // Nothing stored yet: the first claimant takes it, the second finds it held.
        assert!(
            storage
                .claim_dashboard(now, now, now + minutes(10))
                .await
                .unwrap()
        );
        assert!(
            !storage
                .claim_dashboard(now, now, now + minutes(10))
                .await
                .unwrap()
        );
        storage
            .store_dashboard(now, "{\"weeks\":[]}")
            .await
            .unwrap();
        let stored = storage.stored_dashboard().await.unwrap().unwrap();
        assert_eq!(stored.figures, "{\"weeks\":[]}");
        assert_eq!(
            stored.computed_at.timestamp_micros(),
            now.timestamp_micros()
        );
        // Fresh figures are not claimed again; stale ones are, by one.
        let later = now + minutes(3);
        assert!(
            !storage
                .claim_dashboard(later, later - minutes(5), later + minutes(10))
                .await
                .unwrap()
        );
        let later = now + minutes(6);
        assert!(
            storage
                .claim_dashboard(later, later - minutes(5), later + minutes(10))
                .await
                .unwrap()
        );
        assert!(
            !storage
                .claim_dashboard(later, later - minutes(5), later + minutes(10))
                .await
                .unwrap()
        );
        // A claimant that died is replaced once its claim runs out.
        let after = later + minutes(11);
        assert!(
            storage
                .claim_dashboard(after, after - minutes(5), after + minutes(10))
                .await
                .unwrap()
        );
    }
);
