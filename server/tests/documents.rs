//! Posting and opening documents through the real pipeline (PDF check, encryption, object
//! store, rows, audit chain) on both engines, and on a real S3-compatible server.

mod support;

#[path = "support/portal.rs"]
#[macro_use]
mod portal;

use bytes::Bytes;
use chrono::Duration;
use portal::{Portal, large_letter, letter, portal};
use server::{
    audit_chain,
    documents::document_store::ObjectKey,
    documents::{
        orphans::sweep_orphans,
        pdf_inspection::PdfRefusal,
        publishing::PublishError,
        reading::{ReadError, Reader, open},
        withdrawal::{WithdrawError, prepare, withdraw},
    },
    storage::StaffRole,
};
use support::{S3Server, TestDatabase};
use uuid::Uuid;

on_both_engines!(
    a_posted_document_is_stored_encrypted_and_read_back_whole,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000001").await;
        let contents = large_letter(300_000);
        let id = portal.post(amina, &contents).await.unwrap();
        let record = portal
            .services
            .storage
            .find_document(id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.size_bytes, contents.len() as i64);
        assert!(record.made_available_at.is_some());
        assert!(record.first_opened_at.is_none());
        // At rest the content is not readable, not even its PDF header.
        let stored = portal
            .services
            .documents
            .get(&ObjectKey::from_stored(&record.object_key))
            .await
            .unwrap();
        assert!(!stored.windows(5).any(|window| window == b"%PDF-"));
        assert!(!record.object_key.contains(&amina.to_string()));
        assert_eq!(
            portal
                .read(Reader::Staff(Uuid::new_v4()), id)
                .await
                .unwrap(),
            contents
        );
        let after_staff = portal
            .services
            .storage
            .find_document(id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            after_staff.first_opened_at.is_none(),
            "staff reading is not a notification"
        );
        assert_eq!(
            portal.read(Reader::Applicant(amina), id).await.unwrap(),
            contents
        );
    }
);

on_both_engines!(
    concurrent_first_openings_record_one_time,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000002").await;
        let id = portal.post(amina, &letter("Convocation")).await.unwrap();
        let openings = (0..8).map(|_| open(&portal.services, Reader::Applicant(amina), id, None));
        let times: Vec<_> = futures::future::join_all(openings)
            .await
            .into_iter()
            .map(|opened| opened.unwrap().record.first_opened_at.unwrap())
            .collect();
        assert!(times.iter().all(|time| *time == times[0]), "{times:?}");
        portal.services.clock.travel(Duration::hours(1));
        let later = open(&portal.services, Reader::Applicant(amina), id, None)
            .await
            .unwrap();
        assert_eq!(later.record.first_opened_at, Some(times[0]));
    }
);

on_both_engines!(
    another_applicants_document_is_the_same_as_a_missing_one,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000003").await;
        let bilal = portal.applicant("0701000004").await;
        let id = portal.post(amina, &letter("Décision")).await.unwrap();
        assert!(matches!(
            portal.read(Reader::Applicant(bilal), id).await,
            Err(ReadError::NotFound)
        ));
        assert!(matches!(
            portal.read(Reader::Applicant(amina), Uuid::new_v4()).await,
            Err(ReadError::NotFound)
        ));
        let untouched = portal
            .services
            .storage
            .find_document(id)
            .await
            .unwrap()
            .unwrap();
        assert!(untouched.first_opened_at.is_none());
    }
);

on_both_engines!(
    refused_uploads_leave_neither_row_nor_object,
    &[("EU_MAX_DOCUMENT_MB", "1")],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000005").await;
        let hostile = b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (x) >> >> endobj\n\
                    trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n";
        assert!(matches!(
            portal.post(amina, hostile).await,
            Err(PublishError::Refused(PdfRefusal::JavaScript))
        ));
        assert!(matches!(
            portal.post(amina, b"GIF89a not a pdf").await,
            Err(PublishError::Refused(PdfRefusal::NotAPdf))
        ));
        assert!(matches!(
            portal.post(amina, &large_letter(1_200_000)).await,
            Err(PublishError::TooLarge {
                limit_bytes: 1_048_576
            })
        ));
        assert!(matches!(
            portal.post(Uuid::new_v4(), &letter("x")).await,
            Err(PublishError::UnknownApplicant)
        ));
        assert!(
            portal
                .services
                .storage
                .documents_of_applicant(amina)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(portal.stored_objects().await, 0);
    }
);

on_both_engines!(
    the_same_file_twice_is_refused_once_in_the_account,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000006").await;
        let bilal = portal.applicant("0701000007").await;
        let contents = letter("Décision");
        portal.post(amina, &contents).await.unwrap();
        assert!(matches!(
            portal.post(amina, &contents).await,
            Err(PublishError::Duplicate)
        ));
        // The same file for someone else is a different notification.
        portal.post(bilal, &contents).await.unwrap();
        assert_eq!(
            portal
                .services
                .storage
                .documents_of_applicant(amina)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(portal.stored_objects().await, 2);
    }
);

on_both_engines!(
    a_tampered_object_is_never_served_as_complete,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000008").await;
        let id = portal.post(amina, &large_letter(200_000)).await.unwrap();
        let record = portal
            .services
            .storage
            .find_document(id)
            .await
            .unwrap()
            .unwrap();
        let key = ObjectKey::from_stored(&record.object_key);
        let mut stored = portal.services.documents.get(&key).await.unwrap().to_vec();
        stored[100_000] ^= 0x20;
        portal
            .services
            .documents
            .put(&key, Bytes::from(stored))
            .await
            .unwrap();
        assert!(portal.read(Reader::Applicant(amina), id).await.is_err());
        // The failure is in the audit log (written beside the broken-off download).
        let mut audited = false;
        for _ in 0..50 {
            let events = portal
                .services
                .storage
                .recent_audit_events(10)
                .await
                .unwrap();
            audited = events.iter().any(|event| {
                event.action == "document_integrity_failed" && event.target_id == Some(id)
            });
            if audited {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(audited, "no document_integrity_failed event");
    }
);

on_both_engines!(
    the_sweep_removes_objects_without_a_row_only,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000009").await;
        portal.post(amina, &letter("Décision")).await.unwrap();
        // What a crash between the object and its row leaves behind.
        let orphan = ObjectKey::generate("documents");
        portal
            .services
            .documents
            .put(&orphan, Bytes::from_static(b"EUD1 orphan"))
            .await
            .unwrap();
        assert_eq!(portal.stored_objects().await, 2);
        // Too young: an upload may still be writing its row.
        assert_eq!(
            sweep_orphans(&portal.services, Duration::hours(1))
                .await
                .unwrap(),
            0
        );
        portal.services.clock.travel(Duration::hours(2));
        assert_eq!(
            sweep_orphans(&portal.services, Duration::hours(1))
                .await
                .unwrap(),
            1
        );
        assert_eq!(portal.stored_objects().await, 1);
    }
);

on_both_engines!(
    the_audit_chain_verifies_and_shows_tampering,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000010").await;
        let id = portal.post(amina, &letter("Décision")).await.unwrap();
        portal.read(Reader::Applicant(amina), id).await.unwrap();
        let report = audit_chain::verify(portal.services.storage.as_ref())
            .await
            .unwrap();
        assert!(report.verified >= 2, "{report:?}");
        let events = portal
            .services
            .storage
            .recent_audit_events(10)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|event| event.action == "document_published")
        );
        assert!(events.iter().any(|event| event.action == "document_opened"));

        // Someone with database access goes around the append-only triggers.
        let sqlite = portal.database.url.starts_with("sqlite:");
        let (disable, enable) = if sqlite {
            ("DROP TRIGGER audit_events_no_update", "")
        } else {
            (
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
                "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete",
            )
        };
        portal.database.execute_raw(disable).await.unwrap();
        portal
            .database
            .execute_raw("UPDATE audit_events SET action = 'nothing_happened' WHERE sequence = 2")
            .await
            .unwrap();
        if !enable.is_empty() {
            portal.database.execute_raw(enable).await.unwrap();
        }
        assert!(matches!(
            audit_chain::verify(portal.services.storage.as_ref()).await,
            Err(audit_chain::ChainError::Altered { sequence: 2 })
        ));
    }
);

on_both_engines!(
    a_supervisor_withdraws_with_a_reason_and_the_file_leaves_the_account,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000031").await;
        let id = portal.post(amina, &letter("Convocation")).await.unwrap();
        let agent = portal.staff_member(StaffRole::Agent).await;
        let supervisor = portal.staff_member(StaffRole::Supervisor).await;
        assert!(matches!(
            withdraw(&portal.services, &agent, id, "Erreur").await,
            Err(WithdrawError::NotAllowed)
        ));
        assert!(matches!(
            withdraw(&portal.services, &supervisor, id, "  ").await,
            Err(WithdrawError::InvalidReason)
        ));
        assert!(matches!(
            withdraw(&portal.services, &supervisor, Uuid::new_v4(), "Erreur").await,
            Err(WithdrawError::NotFound)
        ));
        let withdrawn = withdraw(&portal.services, &supervisor, id, "Mauvais destinataire")
            .await
            .unwrap();
        assert!(withdrawn.withdrawn_at.is_some());
        assert_eq!(withdrawn.withdrawn_by_id, Some(supervisor.id));
        assert_eq!(
            withdrawn.withdrawal_reason.as_deref(),
            Some("Mauvais destinataire")
        );
        assert!(matches!(
            portal.read(Reader::Applicant(amina), id).await,
            Err(ReadError::Withdrawn { .. })
        ));
        // The office keeps the file: staff can still open it.
        assert_eq!(
            portal.read(Reader::Staff(supervisor.id), id).await.unwrap(),
            letter("Convocation")
        );
        assert!(matches!(
            withdraw(&portal.services, &supervisor, id, "Encore").await,
            Err(WithdrawError::AlreadyWithdrawn)
        ));
        let events = portal
            .services
            .storage
            .recent_audit_events(10)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|event| event.action == "document_withdrawn"
                    && event.target_id == Some(id)
                    && event.actor_id == Some(supervisor.id))
        );
        audit_chain::verify(portal.services.storage.as_ref())
            .await
            .unwrap();
    }
);

on_both_engines!(
    a_replacement_withdraws_the_replaced_document_in_the_same_step,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0701000032").await;
        let first = portal.post(amina, &letter("Décision v1")).await.unwrap();
        let supervisor = portal.staff_member(StaffRole::Supervisor).await;
        let (_, withdrawal) = prepare(&portal.services, &supervisor, first, "Erreur de date")
            .await
            .unwrap();
        let second = portal
            .post_replacing(amina, &letter("Décision v2"), Some(withdrawal.clone()))
            .await
            .unwrap();
        let storage = &portal.services.storage;
        let replacement = storage.find_document(second).await.unwrap().unwrap();
        assert_eq!(replacement.replaces_id, Some(first));
        let replaced = storage.find_document(first).await.unwrap().unwrap();
        assert_eq!(
            replaced.withdrawal_reason.as_deref(),
            Some("Erreur de date")
        );
        // Replacing it a second time finds nothing to replace, and leaves nothing behind.
        let objects = portal.stored_objects().await;
        assert!(matches!(
            portal
                .post_replacing(amina, &letter("Décision v3"), Some(withdrawal))
                .await,
            Err(PublishError::NothingToReplace)
        ));
        assert_eq!(portal.stored_objects().await, objects);
        assert_eq!(
            storage.documents_of_applicant(amina).await.unwrap().len(),
            2
        );
        audit_chain::verify(storage.as_ref()).await.unwrap();
    }
);

#[tokio::test]
async fn documents_round_trip_through_s3() {
    let server = S3Server::start();
    server.wait_until_up().await;
    let bucket = server.create_bucket().await;
    let url = format!("s3://{bucket}");
    let portal = portal(
        TestDatabase::sqlite().await,
        &[
            ("EU_OBJECT_STORE_URL", url.as_str()),
            ("EU_S3_ENDPOINT", server.endpoint.as_str()),
            ("EU_S3_ALLOW_HTTP", "true"),
            ("EU_S3_ACCESS_KEY_ID", "test"),
            ("EU_S3_SECRET_ACCESS_KEY", "test"),
        ],
    )
    .await;
    assert_eq!(portal.services.documents.kind(), "s3");
    let amina = portal.applicant("0701000011").await;
    // Larger than one 5 MB part: a real multipart upload.
    let contents = large_letter(11 * 1024 * 1024);
    let id = portal.post(amina, &contents).await.unwrap();
    assert_eq!(
        portal.read(Reader::Applicant(amina), id).await.unwrap(),
        contents
    );
    assert!(matches!(
        portal.post(amina, b"%PDF-1.7 /Encrypt").await,
        Err(PublishError::Refused(_))
    ));
    assert_eq!(portal.stored_objects().await, 1);
    portal.stop().await;
}
