//! Retention on both engines, through the real pipeline (encrypted objects on the local store,
//! rows, audit chain): closing an account, the purge job erasing what is due and nothing else,
//! and the access-request export.

mod support;

#[path = "support/portal.rs"]
#[macro_use]
mod portal;

use chrono::Duration;
use portal::{Portal, letter, portal};
use server::{
    accounts::sessions,
    audit_chain,
    documents::document_store::{DocumentStoreError, ObjectKey},
    documents::publishing::PublishError,
    retention::data_export::export,
    retention::{ClosureError, purge::erase_expired, set_closed},
    storage::{Channel, ErasureReason, StaffRole, SubjectKind},
};
use support::TestDatabase;
use uuid::Uuid;

async fn object_exists(portal: &Portal, key: &str) -> bool {
    match portal
        .services
        .documents
        .get(&ObjectKey::from_stored(key))
        .await
    {
        Ok(_) => true,
        Err(DocumentStoreError::NotFound) => false,
        Err(error) => panic!("{error}"),
    }
}

on_both_engines!(
    a_closed_account_is_erased_once_its_time_is_up_and_only_a_record_stays,
    &[("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "60")],
    async |portal: &Portal| {
        let services = &portal.services;
        let storage = services.storage.as_ref();
        let amina = portal.applicant("0703000001").await;
        let bilal = portal.applicant("0703000002").await;
        let first = portal.post(amina, &letter("Convocation")).await.unwrap();
        let second = portal.post(amina, &letter("Décision")).await.unwrap();
        let bilals = portal.post(bilal, &letter("Décision B")).await.unwrap();
        portal
            .read(server::documents::reading::Reader::Applicant(amina), first)
            .await
            .unwrap();
        let keys: Vec<String> = [first, second]
            .iter()
            .map(|id| async move { storage.find_document(*id).await.unwrap().unwrap() })
            .collect::<futures::future::JoinAll<_>>()
            .await
            .into_iter()
            .map(|document| document.object_key)
            .collect();
        sessions::start(
            storage,
            &services.session_tokens(),
            SubjectKind::Applicant,
            amina,
            false,
            None,
            services.clock.now(),
        )
        .await
        .unwrap();
        storage
            .remember_device(
                amina,
                "device-token-hash",
                services.clock.now(),
                services.clock.now() + Duration::days(30),
            )
            .await
            .unwrap();

        let agent = portal.staff_member(StaffRole::Agent).await;
        assert!(matches!(
            set_closed(services, &agent, amina, true).await,
            Err(ClosureError::NotAllowed)
        ));
        let supervisor = portal.staff_member(StaffRole::Supervisor).await;
        set_closed(services, &supervisor, amina, true)
            .await
            .unwrap();
        assert!(matches!(
            set_closed(services, &supervisor, amina, true).await,
            Err(ClosureError::Unchanged)
        ));
        // Closed: still readable, but nothing more is posted.
        assert!(matches!(
            portal.post(amina, &letter("Tardif")).await,
            Err(PublishError::AccountClosed)
        ));
        portal
            .read(server::documents::reading::Reader::Applicant(amina), second)
            .await
            .unwrap();

        services.clock.travel(Duration::days(59));
        assert_eq!(erase_expired(services).await.unwrap(), Default::default());
        assert!(storage.find_applicant(amina).await.unwrap().is_some());

        services.clock.travel(Duration::days(2));
        let report = erase_expired(services).await.unwrap();
        assert_eq!(report.accounts_erased, 1);
        assert_eq!(report.objects_deleted, 2);
        assert_eq!(report.objects_left, 0);

        // Nothing that names or reaches Amina is left...
        assert!(storage.find_applicant(amina).await.unwrap().is_none());
        assert!(
            storage
                .find_applicant_by_foreigner_number("0703000001")
                .await
                .unwrap()
                .is_none()
        );
        for id in [first, second] {
            assert!(storage.find_document(id).await.unwrap().is_none());
        }
        for key in &keys {
            assert!(!object_exists(portal, key).await, "{key} still stored");
        }
        assert!(
            storage
                .notifications_of_applicant(amina)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            storage
                .sessions_of_applicant(amina)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            storage
                .remembered_devices_of(amina)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            storage
                .queued_object_deletions(10)
                .await
                .unwrap()
                .is_empty()
        );
        // ...but the record that the documents were notified, and when.
        let erasures = storage.erasures_of_applicant(amina).await.unwrap();
        assert_eq!(erasures.len(), 3, "{erasures:?}");
        assert!(
            erasures
                .iter()
                .all(|erasure| erasure.reason == ErasureReason::AccountClosed)
        );
        let opened = erasures
            .iter()
            .find(|erasure| erasure.subject_id == first)
            .unwrap();
        assert!(opened.first_opened_at.is_some());
        assert_eq!(opened.sha256.as_deref().map(str::len), Some(64));
        assert!(
            erasures
                .iter()
                .any(|erasure| erasure.subject_kind == "applicant" && erasure.closed_at.is_some())
        );
        // Bilal is untouched; the chain still verifies, with the erasure in it.
        assert!(storage.find_document(bilals).await.unwrap().is_some());
        assert!(
            !portal
                .notifications_on(bilal, Channel::InApp)
                .await
                .is_empty()
        );
        audit_chain::verify(storage).await.unwrap();
        let actions: Vec<String> = storage
            .audit_events_about(amina)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect();
        assert!(
            actions.contains(&"account_closed".to_owned()),
            "{actions:?}"
        );
        assert!(
            actions.contains(&"account_erased".to_owned()),
            "{actions:?}"
        );
        // A second pass (or another instance) finds nothing left to do.
        assert_eq!(erase_expired(services).await.unwrap(), Default::default());
    }
);

on_both_engines!(
    a_reopened_account_is_kept,
    &[("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "30")],
    async |portal: &Portal| {
        let services = &portal.services;
        let amina = portal.applicant("0703000003").await;
        let supervisor = portal.staff_member(StaffRole::Supervisor).await;
        let closed_at = set_closed(services, &supervisor, amina, true)
            .await
            .unwrap();
        let stored = services
            .storage
            .find_applicant(amina)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.closed_at.map(|at| at.timestamp_micros()),
            closed_at.map(|at| at.timestamp_micros())
        );
        services.clock.travel(Duration::days(10));
        assert_eq!(
            set_closed(services, &supervisor, amina, false)
                .await
                .unwrap(),
            None
        );
        assert!(matches!(
            set_closed(services, &supervisor, Uuid::new_v4(), true).await,
            Err(ClosureError::NotFound)
        ));
        services.clock.travel(Duration::days(400));
        assert_eq!(erase_expired(services).await.unwrap(), Default::default());
        let kept = services
            .storage
            .find_applicant(amina)
            .await
            .unwrap()
            .unwrap();
        assert!(kept.closed_at.is_none());
        portal
            .post(amina, &letter("Nouvelle convocation"))
            .await
            .unwrap();
    }
);

on_both_engines!(
    a_kind_with_its_own_retention_is_erased_from_an_open_account,
    &[("EU_RETENTION_DOCUMENT_DAYS", "decision=90")],
    async |portal: &Portal| {
        let services = &portal.services;
        let storage = services.storage.as_ref();
        let amina = portal.applicant("0703000004").await;
        let old = portal.post(amina, &letter("Ancienne")).await.unwrap();
        let old_key = storage
            .find_document(old)
            .await
            .unwrap()
            .unwrap()
            .object_key;
        services.clock.travel(Duration::days(50));
        let recent = portal.post(amina, &letter("Récente")).await.unwrap();
        services.clock.travel(Duration::days(41));

        let report = erase_expired(services).await.unwrap();
        assert_eq!(report.documents_erased, 1);
        assert_eq!(report.accounts_erased, 0);
        assert!(storage.find_document(old).await.unwrap().is_none());
        assert!(!object_exists(portal, &old_key).await);
        assert!(storage.find_applicant(amina).await.unwrap().is_some());
        let still = portal
            .read(server::documents::reading::Reader::Applicant(amina), recent)
            .await
            .unwrap();
        assert_eq!(still, letter("Récente"));
        let erasures = storage.erasures_of_applicant(amina).await.unwrap();
        assert_eq!(erasures.len(), 1);
        assert_eq!(erasures[0].subject_id, old);
        assert_eq!(erasures[0].reason, ErasureReason::DocumentRetention);
        assert_eq!(erasures[0].document_kind.as_deref(), Some("decision"));
        // The export says what was erased, and no longer lists it among the documents.
        let applicant = storage.find_applicant(amina).await.unwrap().unwrap();
        let exported = export(services, &applicant).await.unwrap();
        assert_eq!(exported.documents.len(), 1);
        assert_eq!(exported.documents[0].id, recent);
        assert!(exported.documents[0].erased_on.is_some());
        assert_eq!(exported.erased_documents.len(), 1);
        assert_eq!(exported.erased_documents[0].document_id, old);
        audit_chain::verify(storage).await.unwrap();
    }
);

on_both_engines!(
    a_replaced_contact_is_exported_then_forgotten_after_its_cooling_off,
    &[],
    async |portal: &Portal| {
        let services = &portal.services;
        let storage = services.storage.as_ref();
        let amina = portal.applicant("0703000005").await;
        let now = services.clock.now();
        let replaced = server::storage::ReplacedContact {
            kind: server::storage::ContactKind::Email,
            value: "old-amina@example.org".into(),
            replaced_at: now,
        };
        storage
            .keep_replaced_contact(amina, &replaced, now - Duration::hours(72))
            .await
            .unwrap();
        let applicant = storage.find_applicant(amina).await.unwrap().unwrap();
        let exported = export(services, &applicant).await.unwrap();
        assert_eq!(exported.replaced_contacts.len(), 1);
        assert_eq!(exported.replaced_contacts[0].value, "old-amina@example.org");
        assert_eq!(
            exported.replaced_contacts[0].kept_until,
            now + Duration::hours(72)
        );

        services.clock.travel(Duration::hours(73));
        erase_expired(services).await.unwrap();
        let exported = export(services, &applicant).await.unwrap();
        assert!(
            exported.replaced_contacts.is_empty(),
            "forgotten by the purge"
        );
    }
);

on_both_engines!(
    purges_running_at_once_erase_each_thing_once,
    &[
        ("EU_RETENTION_DOCUMENT_DAYS", "decision=90"),
        ("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "30")
    ],
    async |portal: &Portal| {
        let services = &portal.services;
        let supervisor = portal.staff_member(StaffRole::Supervisor).await;
        let mut closed = Vec::new();
        for index in 0..6 {
            let applicant = portal.applicant(&format!("07030001{index:02}")).await;
            portal
                .post(applicant, &letter(&format!("Lettre {index}")))
                .await
                .unwrap();
            if index % 2 == 0 {
                set_closed(services, &supervisor, applicant, true)
                    .await
                    .unwrap();
                closed.push(applicant);
            }
        }
        services.clock.travel(Duration::days(91));
        // Four "instances" at once: each erasure happens once, whoever gets to it.
        let reports = futures::future::join_all((0..4).map(|_| erase_expired(services))).await;
        let (mut documents, mut accounts, mut objects) = (0, 0, 0);
        for report in reports {
            let report = report.unwrap();
            documents += report.documents_erased;
            accounts += report.accounts_erased;
            objects += report.objects_deleted;
        }
        let leftover = erase_expired(services).await.unwrap();
        documents += leftover.documents_erased;
        accounts += leftover.accounts_erased;
        assert_eq!(accounts, 3);
        // Three decisions in open accounts; the closed accounts' decisions went either with
        // their account or, first, by their kind's retention.
        assert!((3..=6).contains(&documents), "{documents}");
        assert!(objects + leftover.objects_deleted >= 6);
        assert_eq!(portal.stored_objects().await, 0);
        for applicant in &closed {
            let erasures = services
                .storage
                .erasures_of_applicant(*applicant)
                .await
                .unwrap();
            assert_eq!(erasures.len(), 2, "{erasures:?}");
        }
        audit_chain::verify(services.storage.as_ref())
            .await
            .unwrap();
    }
);

on_both_engines!(
    the_access_request_export_holds_the_applicants_data_and_no_secrets,
    &[],
    async |portal: &Portal| {
        let services = &portal.services;
        let amina = portal.applicant("0703000201").await;
        let bilal = portal.applicant("0703000202").await;
        let hers = portal.post(amina, &letter("Pour Amina")).await.unwrap();
        let his = portal.post(bilal, &letter("Pour Bilal")).await.unwrap();
        portal
            .read(server::documents::reading::Reader::Applicant(amina), hers)
            .await
            .unwrap();
        let applicant = services
            .storage
            .find_applicant(amina)
            .await
            .unwrap()
            .unwrap();
        let exported = export(services, &applicant).await.unwrap();
        assert_eq!(
            exported.applicant.foreigner_number.as_deref(),
            Some("0703000201")
        );
        assert_eq!(exported.documents.len(), 1);
        let document = &exported.documents[0];
        assert_eq!(document.id, hers);
        assert!(document.first_opened_at.is_some());
        assert_eq!(document.notified_at, document.first_opened_at);
        assert!(!exported.notifications.is_empty());
        assert!(
            exported
                .activity
                .iter()
                .any(|event| event.action == "document_opened"),
            "{:?}",
            exported.activity
        );
        let json = serde_json::to_string(&exported).unwrap();
        assert!(!json.contains(&his.to_string()));
        assert!(!json.contains("0703000202"));
        let record = services.storage.find_document(hers).await.unwrap().unwrap();
        assert!(!json.contains(&record.wrapped_key));
        assert!(!json.contains(&record.object_key));
        assert!(!json.contains("argon2"));
    }
);
