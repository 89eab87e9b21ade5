//! `Idempotency-Key` on the push routes, over HTTP on both engines: a retry of the same push
//! (sent again by the client, so with another multipart boundary) gets the first answer and
//! posts nothing twice; the same key with another request is a 422; two sends at once post one
//! document; keys are each API key's own; a bad key is a 400.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::Utc;
use reqwest::{StatusCode, header, multipart};
use running_app::{TestApp, register_applicant};
use serde_json::{Value, json};
use server::{
    back_office_api::api_keys::{ApiScope, create},
    printable::{Font, Line, a4_document},
    storage::Actor,
};

fn pdf(text: &str) -> Vec<u8> {
    a4_document(text, &[Line::new(text, Font::Regular, 12.0)]).unwrap()
}

async fn key(app: &TestApp) -> String {
    let storage = app.services.storage.as_ref();
    let scopes = [ApiScope::DocumentsWrite];
    let (_, secret) = create(storage, "back-office", &scopes, Actor::system(), Utc::now())
        .await
        .unwrap();
    secret.expose().to_owned()
}

/// A summons for `number`, as a new form each time (reqwest draws a new boundary per form).
fn summons(number: &str, title: &str, contents: &[u8]) -> multipart::Form {
    multipart::Form::new()
        .text("applicant", number.to_owned())
        .text("kind", "interview_summons")
        .text("title", title.to_owned())
        .text("appointment_at", "2027-01-09T09:30:00+01:00")
        .text("appointment_place", "201 rue Carnot, Fontenay-sous-Bois")
        .part(
            "file",
            multipart::Part::bytes(contents.to_vec()).file_name("convocation.pdf"),
        )
}

struct Answer {
    status: StatusCode,
    replayed: bool,
    body: Value,
}

async fn push(
    app: &TestApp,
    path: &str,
    api_key: &str,
    idempotency_key: Option<&str>,
    form: multipart::Form,
) -> Answer {
    let mut request = TestApp::client()
        .post(app.url(path))
        .header(header::AUTHORIZATION, format!("Bearer {api_key}"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .multipart(form);
    if let Some(idempotency_key) = idempotency_key {
        request = request.header("Idempotency-Key", idempotency_key);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status(),
        replayed: response.headers().get("idempotent-replayed").is_some(),
        body: response.json().await.unwrap_or(Value::Null),
    }
}

async fn documents_of(app: &TestApp, number: &str) -> usize {
    let storage = app.services.storage.as_ref();
    let applicant = storage
        .find_applicant_by_identifier(number)
        .await
        .unwrap()
        .unwrap();
    storage
        .documents_of_applicant(applicant.id)
        .await
        .unwrap()
        .len()
}

on_both_engines!(
    a_retried_push_gets_the_first_answer_and_posts_nothing_twice,
    &[],
    async |app: &TestApp| {
        register_applicant(app, "0713000001").await;
        let office = key(app).await;
        let letter = pdf("Convocation");
        let path = "/api/v1/documents";
        // The office's summons for Amina, titled `title`, pushed to `route` under `key`.
        let (office_key, letter_bytes) = (office.as_str(), letter.as_slice());
        let send = move |route: &'static str, key: Option<&'static str>, title: &'static str| {
            push(
                app,
                route,
                office_key,
                key,
                summons("0713000001", title, letter_bytes),
            )
        };
        let first = send(path, Some("push-1"), "Convocation").await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert!(!first.replayed);
        let again = send(path, Some("push-1"), "Convocation").await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert!(again.replayed, "said to be the first answer");
        assert_eq!(again.body, first.body, "the same document, the same answer");
        assert_eq!(documents_of(app, "0713000001").await, 1);

        // The same key with another request: refused, and nothing posted.
        let other = send(path, Some("push-1"), "Autre titre").await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(other.body["error"], "idempotency_key_reused");
        assert!(other.body["message"].as_str().unwrap().contains("new key"));
        // On the other route too: a key names one request.
        let elsewhere = send("/api/v1/documents/bulk", Some("push-1"), "Convocation").await;
        assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);

        // A refusal is an answer too: given again, still nothing posted.
        let refused = summons("0799999999", "Convocation", &letter);
        let unknown = push(app, path, &office, Some("push-2"), refused).await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            unknown.body
        );
        let unknown_again = push(
            app,
            path,
            &office,
            Some("push-2"),
            summons("0799999999", "Convocation", &letter),
        )
        .await;
        assert_eq!(
            (unknown_again.status, unknown_again.replayed),
            (unknown.status, true)
        );

        // Another API key's "push-1" is its own.
        let other_office = key(app).await;
        let theirs = push(
            app,
            path,
            &other_office,
            Some("push-1"),
            summons("0713000001", "Convocation", &pdf("Their letter")),
        )
        .await;
        assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
        assert!(!theirs.replayed);
        assert_ne!(theirs.body["id"], first.body["id"]);

        // Without the header, every push is a new one (as before; the same file twice is still
        // refused as a duplicate, which a retry without a key meets).
        for (text, expected) in [
            ("Other", StatusCode::CREATED),
            ("Other", StatusCode::CONFLICT),
        ] {
            let plain = push(
                app,
                path,
                &office,
                None,
                summons("0713000001", "Convocation", &pdf(text)),
            )
            .await;
            assert_eq!(plain.status, expected, "{}", plain.body);
        }
        assert_eq!(documents_of(app, "0713000001").await, 3);

        // Keys that are no keys.
        for bad in ["", "two words", &"k".repeat(256)] {
            let answer = push(
                app,
                path,
                &office,
                Some(bad),
                summons("0713000001", "Convocation", &letter),
            )
            .await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad:?}");
            assert_eq!(answer.body["error"], "idempotency_key");
        }
        // No API key: refused before anything is read or claimed.
        let anonymous = TestApp::client()
            .post(app.url(path))
            .header("Idempotency-Key", "push-9")
            .multipart(summons("0713000001", "Convocation", &letter))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(documents_of(app, "0713000001").await, 3);
        // Nothing left in the spool folder.
        let spool = app.data_path().join("spool");
        let left = std::fs::read_dir(&spool)
            .map(|entries| entries.count())
            .unwrap_or(0);
        assert_eq!(left, 0, "spooled bodies removed");
    }
);

on_both_engines!(
    two_sends_at_once_post_one_document,
    &[],
    async |app: &TestApp| {
        register_applicant(app, "0713000002").await;
        let office = key(app).await;
        let letter = pdf("Décision");
        let path = "/api/v1/documents";
        let (one, two) = tokio::join!(
            push(
                app,
                path,
                &office,
                Some("same"),
                summons("0713000002", "Convocation", &letter)
            ),
            push(
                app,
                path,
                &office,
                Some("same"),
                summons("0713000002", "Convocation", &letter)
            ),
        );
        let mut statuses = [one.status, two.status];
        statuses.sort();
        // One ran; the other got its answer, or was told it still runs.
        assert!(
            statuses == [StatusCode::CREATED, StatusCode::CREATED]
                || statuses == [StatusCode::CREATED, StatusCode::CONFLICT],
            "{statuses:?}"
        );
        assert_eq!(documents_of(app, "0713000002").await, 1);
    }
);

on_both_engines!(
    a_retried_bulk_push_gets_the_first_report,
    &[],
    async |app: &TestApp| {
        register_applicant(app, "0713000003").await;
        let office = key(app).await;
        let manifest = json!({"documents": [
            {"file": "a", "applicant": "0713000003", "kind": "decision", "title": "Décision",
             "decision_outcome": "refugee_status"},
            {"file": "b", "applicant": "0799999998", "kind": "decision", "title": "Décision",
             "decision_outcome": "refugee_status"},
        ]});
        let form = || {
            multipart::Form::new()
                .text("manifest", manifest.to_string())
                .part("a", multipart::Part::bytes(pdf("A")).file_name("a.pdf"))
                .part("b", multipart::Part::bytes(pdf("B")).file_name("b.pdf"))
        };
        let path = "/api/v1/documents/bulk";
        let first = push(app, path, &office, Some("bulk-7"), form()).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_eq!(
            (
                first.body["published"].clone(),
                first.body["refused"].clone()
            ),
            (json!(1), json!(1))
        );
        let again = push(app, path, &office, Some("bulk-7"), form()).await;
        assert!(again.replayed);
        assert_eq!(again.body, first.body);
        assert_eq!(documents_of(app, "0713000003").await, 1);
    }
);

on_both_engines!(
    the_openapi_document_offers_the_key_on_both_push_routes,
    &[],
    async |app: &TestApp| {
        let spec: Value = TestApp::client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let parameter = &spec["components"]["parameters"]["IdempotencyKey"];
        assert_eq!(parameter["name"], "Idempotency-Key");
        assert_eq!(parameter["in"], "header");
        assert_eq!(parameter["schema"]["maxLength"], 255);
        for (path, ok) in [
            ("/api/v1/documents", "201"),
            ("/api/v1/documents/bulk", "200"),
        ] {
            let operation = &spec["paths"][path]["post"];
            assert_eq!(
                operation["parameters"][0]["$ref"], "#/components/parameters/IdempotencyKey",
                "{path}"
            );
            for status in ["400", "409", "422"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{path} {status}"
                );
            }
            let replayed = &operation["responses"][ok]["headers"]["Idempotent-Replayed"];
            assert!(replayed.is_object(), "{path}");
        }
    }
);

on_both_engines!(
    a_keyed_push_over_the_limit_without_a_length_is_refused_too_large,
    &[("EU_MAX_DOCUMENT_MB", "1")],
    async |app: &TestApp| {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let office = key(app).await;
        // Chunked, so no length to refuse it by: it is cut off as it arrives.
        let mut stream = tokio::net::TcpStream::connect(app.address).await.unwrap();
        let head = format!(
            "POST /api/v1/documents HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {office}\r\n\
             Idempotency-Key: big-1\r\nContent-Type: multipart/form-data; boundary=b\r\n\
             Transfer-Encoding: chunked\r\n\r\n",
            app.address
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'a'; 64 * 1024];
        // The upload routes take ten documents and a margin: 11 MiB here. 16 MiB go.
        for _ in 0..256 {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if stream.write_all(&framed).await.is_err() {
                break; // the server answered and closed
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = vec![0; 256];
        let read = stream.read(&mut answer).await.unwrap();
        let status_line = String::from_utf8_lossy(&answer[..read]);
        assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
        let spool = app.data_path().join("spool");
        let left = std::fs::read_dir(&spool)
            .map(|entries| entries.count())
            .unwrap_or(0);
        assert_eq!(left, 0, "the cut body's spool file is removed");
    }
);
