//! The ClamAV hook against a real clamd on loopback, on both engines: a clean upload is made
//! available, an infected one refused with nothing stored; while the scanner is unreachable an
//! upload waits `pending` (never `clean`, never shown to the applicant) until the rescan job
//! reaches the scanner again.

mod support;

#[path = "support/portal.rs"]
#[macro_use]
mod portal;

use portal::{Portal, letter, portal};
use server::{
    documents::{
        publishing::PublishError,
        reading::{ReadError, Reader},
        virus_scan::{RescanReport, rescan_pending},
    },
    storage::ScanStatus,
};
use support::{Clamd, TestDatabase};

async fn scanned_portal(database: TestDatabase, clamd_port: u16) -> Portal {
    let address = format!("127.0.0.1:{clamd_port}");
    portal(database, &[("EU_CLAMD_ADDR", address.as_str())]).await
}

macro_rules! with_scanner_on_both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let port = Clamd::free_port();
                let portal = scanned_portal(TestDatabase::sqlite().await, port).await;
                ($body)(&portal, port).await;
                portal.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let port = Clamd::free_port();
                let portal = scanned_portal(TestDatabase::postgres().await, port).await;
                ($body)(&portal, port).await;
                portal.stop().await;
            }
        }
    };
}

with_scanner_on_both_engines!(
    a_clean_upload_is_available_and_an_infected_one_refused,
    async |portal: &Portal, port: u16| {
        let _clamd = Clamd::start(port).await;
        let amina = portal.applicant("0704000001").await;
        let id = portal.post(amina, &letter("Convocation")).await.unwrap();
        let record = portal
            .services
            .storage
            .find_document(id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.scan_status, ScanStatus::Clean);
        assert!(record.made_available_at.is_some());

        let objects = portal.stored_objects().await;
        let infected = letter(&format!("Note {}", Clamd::TEST_SIGNATURE));
        match portal.post(amina, &infected).await {
            Err(PublishError::Infected { signature }) => {
                assert!(
                    signature.starts_with("EspaceUsager.Test.Signature"),
                    "{signature}"
                )
            }
            other => panic!("not refused: {other:?}"),
        }
        assert_eq!(
            portal.stored_objects().await,
            objects,
            "no object left behind"
        );
        let documents = portal
            .services
            .storage
            .documents_of_applicant(amina)
            .await
            .unwrap();
        assert_eq!(documents.len(), 1, "no row either");
        let events = portal
            .services
            .storage
            .recent_audit_events(10)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|event| event.action == "document_refused_infected")
        );
    }
);

with_scanner_on_both_engines!(
    uploads_wait_pending_while_the_scanner_is_down_and_the_rescan_decides,
    async |portal: &Portal, port: u16| {
        let amina = portal.applicant("0704000002").await;
        let clean = portal.post(amina, &letter("Décision")).await.unwrap();
        let infected = portal
            .post(amina, &letter(&format!("x {}", Clamd::TEST_SIGNATURE)))
            .await
            .unwrap();
        for id in [clean, infected] {
            let record = portal
                .services
                .storage
                .find_document(id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(record.scan_status, ScanStatus::Pending);
            assert_eq!(record.made_available_at, None);
            assert!(matches!(
                portal.read(Reader::Applicant(amina), id).await,
                Err(ReadError::NotFound)
            ));
        }
        // Not in the account, so not announced either.
        let storage = &portal.services.storage;
        assert!(
            storage
                .notifications_of_applicant(amina)
                .await
                .unwrap()
                .is_empty()
        );
        // Still down: nothing changes.
        let report = rescan_pending(&portal.services).await.unwrap();
        assert_eq!(
            report,
            RescanReport {
                clean: 0,
                infected: 0,
                waiting: 2
            }
        );

        let _clamd = Clamd::start(port).await;
        let report = rescan_pending(&portal.services).await.unwrap();
        assert_eq!(
            report,
            RescanReport {
                clean: 1,
                infected: 1,
                waiting: 0
            }
        );
        let record = portal
            .services
            .storage
            .find_document(clean)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.scan_status, ScanStatus::Clean);
        assert!(record.made_available_at.is_some());
        assert_eq!(
            portal.read(Reader::Applicant(amina), clean).await.unwrap(),
            letter("Décision")
        );
        let record = portal
            .services
            .storage
            .find_document(infected)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.scan_status, ScanStatus::Infected);
        assert_eq!(record.made_available_at, None);
        assert!(
            portal
                .read(Reader::Applicant(amina), infected)
                .await
                .is_err()
        );
        // The clean one is announced now, in the verdict's transaction; the infected one never.
        let queued = storage.notifications_of_applicant(amina).await.unwrap();
        assert_eq!(
            queued.len(),
            4,
            "email, SMS, push and the notice in the account"
        );
        assert!(queued.iter().all(|row| row.document_id == Some(clean)));
        // Nothing left to do.
        let report = rescan_pending(&portal.services).await.unwrap();
        assert_eq!(report, RescanReport::default());
    }
);
