//! Parts failing under the portal, on both engines: the S3-compatible store goes down (through a
//! relay the test cuts) while documents are posted, read and erased. While it is down the portal
//! answers with clear errors and writes nothing half-way; once it is back everything finishes
//! without a manual step, and no object or row is left over.

mod support;

#[path = "support/portal.rs"]
#[macro_use]
mod portal;

#[path = "support/outage.rs"]
mod outage;

use chrono::Duration;
use outage::Outage;
use portal::{Portal, letter, portal};
use server::{
    documents::{
        publishing::PublishError,
        reading::{ReadError, Reader},
    },
    retention::{purge::erase_expired, set_closed},
    storage::StaffRole,
};
use support::{S3Server, TestDatabase};

struct StoreBehindRelay {
    // Kept alive for the test's length: dropping them stops the server and the relay.
    _server: S3Server,
    relay: Outage,
}

async fn portal_on_s3(database: TestDatabase) -> (Portal, StoreBehindRelay) {
    let server = S3Server::start();
    server.wait_until_up().await;
    let bucket = server.create_bucket().await;
    let relay = Outage::relay_to(server.endpoint.trim_start_matches("http://")).await;
    let url = format!("s3://{bucket}");
    let endpoint = format!("http://{}", relay.address);
    let portal = portal(
        database,
        &[
            ("EU_OBJECT_STORE_URL", url.as_str()),
            ("EU_S3_ENDPOINT", endpoint.as_str()),
            ("EU_S3_ALLOW_HTTP", "true"),
            ("EU_S3_ACCESS_KEY_ID", "test"),
            ("EU_S3_SECRET_ACCESS_KEY", "test"),
            ("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "30"),
        ],
    )
    .await;
    (
        portal,
        StoreBehindRelay {
            _server: server,
            relay,
        },
    )
}

async fn an_object_store_outage_leaves_nothing_half_done(database: TestDatabase) {
    let (portal, store) = portal_on_s3(database).await;
    let services = &portal.services;
    let amina = portal.applicant("0705000001").await;
    let bilal = portal.applicant("0705000002").await;
    let hers = portal.post(amina, &letter("Convocation")).await.unwrap();
    portal.post(bilal, &letter("Décision")).await.unwrap();
    let supervisor = portal.staff_member(StaffRole::Supervisor).await;
    set_closed(services, &supervisor, bilal, true)
        .await
        .unwrap();
    services.clock.travel(Duration::days(31));

    store.relay.cut().await;
    // Not ready, and every operation that needs the store says so instead of hanging.
    assert!(services.documents.ping().await.is_err());
    let refused = portal.post(amina, &letter("Décision")).await.unwrap_err();
    assert!(matches!(refused, PublishError::Store(_)), "{refused:?}");
    assert_eq!(refused.code().as_str(), "unavailable");
    assert!(matches!(
        portal.read(Reader::Applicant(amina), hers).await,
        Err(ReadError::Store(_))
    ));
    // The refused upload left no row; the read recorded no opening.
    let rows = services
        .storage
        .documents_of_applicant(amina)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].first_opened_at.is_none());
    // The erasure of Bilal's account happens (the database is up); his object waits, already
    // unreadable since its key went with the row.
    let during = erase_expired(services).await.unwrap();
    assert_eq!(during.accounts_erased, 1);
    assert_eq!(during.objects_deleted, 0);
    assert_eq!(during.objects_left, 1);
    assert_eq!(
        services
            .storage
            .queued_object_deletions(10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        services
            .storage
            .find_applicant(bilal)
            .await
            .unwrap()
            .is_none()
    );

    store.relay.restore();
    services.documents.ping().await.unwrap();
    let after = erase_expired(services).await.unwrap();
    assert_eq!(after.objects_deleted, 1);
    assert!(
        services
            .storage
            .queued_object_deletions(10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        portal.read(Reader::Applicant(amina), hers).await.unwrap(),
        letter("Convocation")
    );
    portal.post(amina, &letter("Décision")).await.unwrap();
    // One object per row, nothing else in the bucket.
    assert_eq!(portal.stored_objects().await, 2);
    assert_eq!(
        services
            .storage
            .documents_of_applicant(amina)
            .await
            .unwrap()
            .len(),
        2
    );
    portal.stop().await;
}

#[tokio::test]
async fn an_object_store_outage_leaves_nothing_half_done_sqlite() {
    an_object_store_outage_leaves_nothing_half_done(TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn an_object_store_outage_leaves_nothing_half_done_postgres() {
    an_object_store_outage_leaves_nothing_half_done(TestDatabase::postgres().await).await;
}

/// A document store on a 3 MB file system of its own (tmpfs), so that it fills up.
struct SmallDisk {
    folder: tempfile::TempDir,
}

impl SmallDisk {
    /// None where this process may not mount (not root): the test says so and stops.
    fn mount() -> Option<SmallDisk> {
        let folder = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
            .arg(folder.path())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(SmallDisk { folder })
    }

    fn used_bytes(&self) -> u64 {
        fn walk(path: &std::path::Path) -> u64 {
            std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|entry| match entry.metadata() {
                            Ok(meta) if meta.is_dir() => walk(&entry.path()),
                            Ok(meta) => meta.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(self.folder.path())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.folder.path())
            .status();
    }
}

async fn a_full_disk_refuses_uploads_cleanly(database: TestDatabase) {
    if !is_root() {
        eprintln!("skipped: mounting a small file system needs root (CI runs as root)");
        return;
    }
    let disk = SmallDisk::mount().expect("root may mount a tmpfs");
    let url = format!("file://{}", disk.folder.path().display());
    let portal = portal(
        database,
        &[
            ("EU_OBJECT_STORE_URL", url.as_str()),
            ("EU_RETENTION_DOCUMENT_DAYS", "decision=90"),
        ],
    )
    .await;
    let services = &portal.services;
    let amina = portal.applicant("0705000011").await;
    let first = portal::large_letter(1_400_000);
    let second = portal::large_letter(1_300_000);
    let third = portal::large_letter(1_200_000);
    portal.post(amina, &first).await.unwrap();
    portal.post(amina, &second).await.unwrap();
    let used = disk.used_bytes();
    // The third does not fit: refused as the store's failure, with nothing left behind.
    let refused = portal.post(amina, &third).await.unwrap_err();
    assert!(matches!(refused, PublishError::Store(_)), "{refused:?}");
    assert_eq!(refused.code().as_str(), "unavailable");
    assert_eq!(
        services
            .storage
            .documents_of_applicant(amina)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(portal.stored_objects().await, 2);
    assert_eq!(disk.used_bytes(), used, "a partial file was left");
    // Space comes back (here: the retention policy erases the first two), and uploads work.
    services.clock.travel(Duration::days(91));
    let report = erase_expired(services).await.unwrap();
    assert_eq!(report.documents_erased, 2);
    assert_eq!(report.objects_deleted, 2);
    portal.post(amina, &third).await.unwrap();
    assert_eq!(portal.stored_objects().await, 1);
    portal.stop().await;
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_cleanly_sqlite() {
    a_full_disk_refuses_uploads_cleanly(TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_cleanly_postgres() {
    a_full_disk_refuses_uploads_cleanly(TestDatabase::postgres().await).await;
}
