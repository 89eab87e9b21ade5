//! kill -9 of the server in the middle of a document upload, alone or in a bulk push, on both
//! engines: after a restart no document is half-visible (no row without its whole object, no
//! document without its notifications), nothing of the cut upload is left in the store, and the
//! same request sent again completes the work without posting anything twice.

#[path = "../server/tests/support/mod.rs"]
mod support;

mod spawned_server;

use std::{
    io::Write,
    net::TcpStream,
    time::{Duration, Instant},
};

use server::printable::{Font, Line, a4_document};
use spawned_server::{
    age_staging_files, api_key, api_post, create_applicant, exchange, multipart, serve,
    stored_files,
};

/// A valid PDF of about `bytes` bytes (comment lines pad it).
fn large_pdf(bytes: usize) -> Vec<u8> {
    let base = a4_document(
        "Compte rendu",
        &[Line::new("Compte rendu", Font::Regular, 12.0)],
    )
    .unwrap();
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(
        "% padding line of a long transcript\n"
            .repeat(bytes / 36)
            .as_bytes(),
    );
    pdf.extend_from_slice(&base[9..]);
    pdf
}

/// The API's multipart request for one document, whole.
fn upload_request(port: u16, key: &str, pdf: &[u8]) -> Vec<u8> {
    let (body, content_type) = multipart(
        &[
            ("applicant", "0706000001"),
            ("kind", "interview_transcript"),
            ("title", "Compte rendu d'entretien"),
        ],
        &[("file".to_owned(), pdf.to_vec())],
    );
    api_post(port, "/api/v1/documents", key, &body, &content_type)
}

async fn killed_mid_upload_leaves_nothing_half_done(database: support::TestDatabase) {
    let data = tempfile::tempdir().unwrap();
    let url = database.url.clone();
    let key = api_key(data.path(), &url);
    create_applicant(data.path(), &url, "0706000001");
    let port = spawned_server::free_port();
    let mut first = serve(data.path(), &url, port);
    // 12 MB: the first 5 MB part is written to the store before the end of the body.
    let pdf = large_pdf(12 * 1024 * 1024);
    let request = upload_request(port, &key, &pdf);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let cut = request.len() * 2 / 3;
    for piece in request[..cut].chunks(256 * 1024) {
        stream.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    // The kill lands once the first part is on disk (however slow the machine is).
    let start = Instant::now();
    while stored_files(data.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no part of the upload was stored"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill();
    drop(stream);

    // The cut upload left a staging file behind. Once it is an hour old (set back here rather
    // than waited for), the restarted server removes it by itself; no row was ever written.
    let staged = stored_files(data.path());
    assert!(staged.iter().all(|file| file.contains('#')), "{staged:?}");
    age_staging_files(data.path());
    let mut second = serve(data.path(), &url, port);
    let storage = database.storage().await;
    let amina = storage
        .find_applicant_by_foreigner_number("0706000001")
        .await
        .unwrap()
        .unwrap();
    assert!(
        storage
            .documents_of_applicant(amina.id)
            .await
            .unwrap()
            .is_empty()
    );
    let start = Instant::now();
    while !stored_files(data.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "staging file left"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The same upload now goes through whole.
    let answer = exchange(port, &request).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    let documents = storage.documents_of_applicant(amina.id).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].size_bytes, pdf.len() as i64);
    assert_eq!(stored_files(data.path()).len(), 1);
    second.kill();
    storage.close().await;
    database.drop().await;
}

const BULK_APPLICANTS: [&str; 2] = ["0706000001", "0706000002"];
const BULK_FILES: usize = 40;

/// A bulk push of 40 different PDFs of 300 KB, alternately to two applicants.
fn bulk_request(port: u16, key: &str) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut files = Vec::new();
    for index in 0..BULK_FILES {
        entries.push(serde_json::json!({
            "file": format!("f{index}"),
            "applicant": BULK_APPLICANTS[index % 2],
            "kind": "other",
            "title": format!("Courrier {index}"),
        }));
        let mut pdf = large_pdf(300 * 1024);
        // Different content each, or the second would be refused as the same file.
        pdf.splice(9..9, format!("% courrier {index}\n").bytes());
        files.push((format!("f{index}"), pdf));
    }
    let manifest = serde_json::json!({ "documents": entries }).to_string();
    let (body, content_type) = multipart(&[("manifest", &manifest)], &files);
    api_post(port, "/api/v1/documents/bulk", key, &body, &content_type)
}

/// What the applicants' accounts hold: each document with its object on disk and its four
/// notifications (email, SMS, push, in-app) queued with it. Returns the number of documents.
async fn every_document_whole(
    storage: &dyn server::storage::Storage,
    data: &std::path::Path,
) -> usize {
    let mut count = 0;
    for number in BULK_APPLICANTS {
        let applicant = storage
            .find_applicant_by_foreigner_number(number)
            .await
            .unwrap()
            .unwrap();
        let documents = storage.documents_of_applicant(applicant.id).await.unwrap();
        let notifications = storage
            .notifications_of_applicant(applicant.id)
            .await
            .unwrap();
        // Listed after the rows are read: an object is complete before its row is written.
        let files = stored_files(data);
        for document in &documents {
            assert!(document.made_available_at.is_some());
            assert!(
                files
                    .iter()
                    .any(|file| file.ends_with(&document.object_key)),
                "document {} has no object",
                document.id
            );
            let queued = notifications
                .iter()
                .filter(|notification| notification.document_id == Some(document.id))
                .count();
            assert_eq!(queued, 4, "notifications of document {}", document.id);
        }
        count += documents.len();
    }
    count
}

async fn killed_mid_bulk_push_then_sent_again_posts_each_document_once(
    database: support::TestDatabase,
) {
    let data = tempfile::tempdir().unwrap();
    let url = database.url.clone();
    let key = api_key(data.path(), &url);
    for number in BULK_APPLICANTS {
        create_applicant(data.path(), &url, number);
    }
    let port = spawned_server::free_port();
    let mut first = serve(data.path(), &url, port);
    let storage = database.storage().await;
    let request = bulk_request(port, &key);

    // Half the request, then the kill once the server has posted some of the files it got.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(&request[..request.len() / 2]).unwrap();
    let start = Instant::now();
    while every_document_whole(storage.as_ref(), data.path()).await < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no document of the bulk push was posted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill();
    drop(stream);

    // What was posted is whole; the file cut in the middle left at most a staging file, which
    // the restarted server removes by itself.
    let posted = every_document_whole(storage.as_ref(), data.path()).await;
    assert!((5..BULK_FILES / 2 + 1).contains(&posted), "{posted}");
    age_staging_files(data.path());
    let mut second = serve(data.path(), &url, port);
    let start = Instant::now();
    while stored_files(data.path()).len() != posted {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "left in the store: {:?}",
            stored_files(data.path())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The back office sends the same request again: the files already posted are refused as
    // such, the others are posted, and each account holds each document once.
    let answer = exchange(port, &request).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{}", &answer[..300]);
    let json: serde_json::Value =
        serde_json::from_str(&answer[answer.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(json["published"], BULK_FILES - posted);
    assert_eq!(json["refused"], posted);
    let refusals = json["results"].as_array().unwrap().iter();
    assert!(
        refusals
            .filter(|result| result["status"] == "refused")
            .all(|result| result["error"] == "duplicate")
    );
    assert_eq!(
        every_document_whole(storage.as_ref(), data.path()).await,
        BULK_FILES
    );
    assert_eq!(stored_files(data.path()).len(), BULK_FILES);
    second.kill();
    storage.close().await;
    database.drop().await;
}

mod killed_mid_bulk_push_then_sent_again_posts_each_document_once {
    #[tokio::test]
    async fn sqlite() {
        super::killed_mid_bulk_push_then_sent_again_posts_each_document_once(
            super::support::TestDatabase::sqlite().await,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres() {
        super::killed_mid_bulk_push_then_sent_again_posts_each_document_once(
            super::support::TestDatabase::postgres().await,
        )
        .await;
    }
}

mod killed_mid_upload_leaves_nothing_half_done {
    #[tokio::test]
    async fn sqlite() {
        super::killed_mid_upload_leaves_nothing_half_done(
            super::support::TestDatabase::sqlite().await,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres() {
        super::killed_mid_upload_leaves_nothing_half_done(
            super::support::TestDatabase::postgres().await,
        )
        .await;
    }
}
