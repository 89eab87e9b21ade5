//! Documents through the back-office API over HTTP, on both engines: scoped keys, one and bulk
//! posting with a manifest, the notification status, the acknowledgement of receipt (JSON and
//! PDF) and the export of a period, and the OpenAPI document that describes it all.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::{RequestBuilder, StatusCode, header, multipart};
use running_app::{TestApp, register_applicant};
use serde_json::{Value, json};
use server::{
    back_office_api::api_keys::{ApiScope, create},
    printable::{Font, Line, a4_document},
    storage::Actor,
};
use uuid::Uuid;

fn pdf(text: &str) -> Vec<u8> {
    a4_document(text, &[Line::new(text, Font::Regular, 12.0)]).unwrap()
}

async fn key(app: &TestApp, scopes: &[ApiScope]) -> String {
    let (_, secret) = create(
        app.services.storage.as_ref(),
        "back-office",
        scopes,
        Actor::system(),
        Utc::now(),
    )
    .await
    .unwrap();
    secret.expose().to_owned()
}

fn with_key(request: RequestBuilder, key: &str) -> RequestBuilder {
    request
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::ACCEPT_LANGUAGE, "en")
}

async fn json_of(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// One document with the facts its kind needs (a decision's outcome).
fn single(applicant: &str, kind: &str, contents: Vec<u8>) -> multipart::Form {
    let form = multipart::Form::new()
        .text("applicant", applicant.to_owned())
        .text("kind", kind.to_owned())
        .text("title", "Décision sur votre demande");
    let form = if kind == "decision" {
        form.text("decision_outcome", "subsidiary_protection")
    } else {
        form
    };
    form.part(
        "file",
        multipart::Part::bytes(contents).file_name("decision.pdf"),
    )
}

async fn post_one(app: &TestApp, key: &str, form: multipart::Form) -> (StatusCode, Value) {
    json_of(with_key(TestApp::client().post(app.url("/api/v1/documents")), key).multipart(form))
        .await
}

async fn get_json(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    json_of(with_key(TestApp::client().get(app.url(path)), key)).await
}

on_both_engines!(
    the_back_office_posts_a_document_and_follows_its_notification,
    &[],
    async |app: &TestApp| {
        register_applicant(app, "0703000001").await;
        let writer = key(app, &[ApiScope::DocumentsWrite]).await;
        let reader = key(app, &[ApiScope::DocumentsRead]).await;
        let registrar = key(app, &[ApiScope::ApplicantsWrite]).await;

        let (status, body) =
            post_one(app, &registrar, single("0703000001", "decision", pdf("D"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "forbidden");
        let (status, body) =
            post_one(app, &writer, single("0799999999", "decision", pdf("D"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "unknown_applicant");
        let (status, body) = post_one(
            app,
            &writer,
            single("0703000001", "decision", b"not a pdf".to_vec()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "not_pdf");

        let (status, posted) =
            post_one(app, &writer, single("0703-000 001", "decision", pdf("D"))).await;
        assert_eq!(status, StatusCode::CREATED, "{posted}");
        assert_eq!(posted["notification"]["status"], "pending");
        let id = posted["id"].as_str().unwrap().to_owned();
        let (status, body) =
            post_one(app, &writer, single("0703000001", "decision", pdf("D"))).await;
        assert_eq!(status, StatusCode::CONFLICT, "the same file twice: {body}");
        assert_eq!(body["error"], "duplicate");

        let status_path = format!("/api/v1/documents/{id}");
        assert_eq!(
            get_json(app, &writer, &status_path).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, body) = get_json(app, &reader, &status_path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["kind"], "decision");
        assert_eq!(body["decision_outcome"], "subsidiary_protection");
        assert_eq!(body["first_opened_at"], Value::Null);

        // A decision without its outcome is refused with a sentence naming what is missing.
        let undecided = multipart::Form::new()
            .text("applicant", "0703000001")
            .text("kind", "decision")
            .text("title", "Décision")
            .part(
                "file",
                multipart::Part::bytes(pdf("Other")).file_name("d.pdf"),
            );
        let (status, body) = post_one(app, &writer, undecided).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"], "outcome");
        assert!(
            body["message"].as_str().unwrap().contains("outcome"),
            "{body}"
        );
        // A kind the portal does not know, and a form without its file.
        let (status, body) = post_one(app, &writer, single("0703000001", "memo", pdf("M"))).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
        );
        let fileless = multipart::Form::new()
            .text("applicant", "0703000001")
            .text("kind", "letter");
        let (status, body) = post_one(app, &writer, fileless).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("fields"))
        );
        let (status, body) = get_json(
            app,
            &reader,
            &format!("/api/v1/documents/{}", Uuid::new_v4()),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );

        let ack_path = format!("/api/v1/documents/{id}/acknowledgement");
        let (status, body) = get_json(app, &reader, &ack_path).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_notified"))
        );

        // Never opened: notified fifteen days after it was made available.
        app.services
            .clock
            .travel(Duration::days(15) + Duration::hours(1));
        let (status, ack) = get_json(app, &reader, &ack_path).await;
        assert_eq!(status, StatusCode::OK, "{ack}");
        assert_eq!(ack["rule"], "fifteen_days_after_made_available");
        assert_eq!(ack["foreigner_number"], "0703000001");
        assert!(ack["appeal_deadline"].is_string());
        let pdf_answer = with_key(TestApp::client().get(app.url(&ack_path)), &reader)
            .header(header::ACCEPT, "application/pdf")
            .send()
            .await
            .unwrap();
        assert_eq!(
            pdf_answer.headers()[header::CONTENT_TYPE],
            "application/pdf"
        );
        assert!(pdf_answer.bytes().await.unwrap().starts_with(b"%PDF-"));

        let now = app.services.clock.now();
        let period = |from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>| {
            format!(
                "/api/v1/acknowledgements?notified_after={}&notified_before={}",
                from.to_rfc3339_opts(SecondsFormat::Secs, true)
                    .replace('+', "%2B"),
                to.to_rfc3339_opts(SecondsFormat::Secs, true)
                    .replace('+', "%2B"),
            )
        };
        let (status, export) = get_json(app, &reader, &period(now - Duration::days(2), now)).await;
        assert_eq!(status, StatusCode::OK, "{export}");
        let exported = export["acknowledgements"].as_array().unwrap();
        assert_eq!(exported.len(), 1);
        assert_eq!(exported[0]["document_id"], id.as_str());
        let (_, earlier) = get_json(
            app,
            &reader,
            &period(now - Duration::days(20), now - Duration::days(10)),
        )
        .await;
        assert_eq!(earlier["acknowledgements"].as_array().unwrap().len(), 0);
        let (status, body) = get_json(app, &reader, &period(now - Duration::days(40), now)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("period"))
        );

        let events = app.services.storage.recent_audit_events(50).await.unwrap();
        for action in [
            "document_published",
            "acknowledgement_exported",
            "acknowledgements_exported",
        ] {
            assert!(
                events.iter().any(|event| event.action == action),
                "{action}"
            );
        }
        server::audit_chain::verify(app.services.storage.as_ref())
            .await
            .unwrap();
    }
);

on_both_engines!(
    a_bulk_push_answers_for_every_file_and_a_bad_manifest_stores_nothing,
    &[],
    async |app: &TestApp| {
        register_applicant(app, "0703000002").await;
        register_applicant(app, "0703000003").await;
        let writer = key(app, &[ApiScope::DocumentsWrite]).await;
        let bulk = |form: multipart::Form| {
            json_of(
                with_key(
                    TestApp::client().post(app.url("/api/v1/documents/bulk")),
                    &writer,
                )
                .multipart(form),
            )
        };
        let entry = |file: &str, applicant: &str| {
            json!({
                "file": file, "applicant": applicant, "kind": "interview_summons", "title": "Convocation",
                "appointment_at": "2027-01-09T09:30:00+01:00", "appointment_place": "Fontenay-sous-Bois"
            })
        };
        let part = |contents: Vec<u8>| multipart::Part::bytes(contents).file_name("c.pdf");

        let bad = json!({"documents": [entry("a", "0703000002"), {"file": "b", "applicant": "0703000003", "kind": "letter", "title": "T"}]});
        let (status, body) = bulk(
            multipart::Form::new()
                .text("manifest", bad.to_string())
                .part("a", part(pdf("A"))),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "manifest");
        assert!(
            body["message"].as_str().unwrap().contains("entry 1"),
            "{body}"
        );

        let manifest = json!({"documents": [
            entry("a", "0703000002"),
            entry("b", "0703000003"),
            entry("c", "0799999999"),
            entry("d", "0703000003"),
            entry("e", "0703000002"),
        ]});
        let (status, body) = bulk(
            multipart::Form::new()
                .text("manifest", manifest.to_string())
                .part("a", part(pdf("A")))
                .part("b", part(pdf("B")))
                .part("c", part(pdf("C")))
                .part(
                    "d",
                    part(b"%PDF-1.7\n1 0 obj << /S /Launch >> endobj\n".to_vec()),
                )
                .part("zz", part(pdf("Z"))),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["published"], 2);
        let outcome: Vec<(String, String)> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|result| {
                let code = result["error"].as_str().unwrap_or("published");
                (result["file"].as_str().unwrap().to_owned(), code.to_owned())
            })
            .collect();
        let expected = [
            ("a", "published"),
            ("b", "published"),
            ("c", "unknown_applicant"),
            ("d", "launch"),
            ("zz", "unexpected_file"),
            ("e", "missing_file"),
        ];
        assert_eq!(
            outcome,
            expected.map(|(file, code)| (file.to_owned(), code.to_owned()))
        );
        let storage = &app.services.storage;
        for (number, count) in [("0703000002", 1), ("0703000003", 1)] {
            let applicant = storage
                .find_applicant_by_foreigner_number(number)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                storage
                    .documents_of_applicant(applicant.id)
                    .await
                    .unwrap()
                    .len(),
                count
            );
        }
    }
);

on_both_engines!(
    the_openapi_document_describes_every_route_the_api_serves,
    &[],
    async |app: &TestApp| {
        let response = TestApp::client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let spec: Value = response.json().await.unwrap();
        assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
        let paths = spec["paths"].as_object().unwrap();
        assert!(paths.len() >= 6, "{paths:?}");
        for (path, operations) in paths {
            let concrete = path.replace("{id}", &Uuid::new_v4().to_string());
            for method in operations.as_object().unwrap().keys() {
                let request = match method.as_str() {
                    "get" => TestApp::client().get(app.url(&concrete)),
                    "post" => TestApp::client().post(app.url(&concrete)),
                    other => panic!("unexpected method {other}"),
                };
                // Without a key every documented operation exists and refuses: 401, never 404/405.
                let status = request.send().await.unwrap().status();
                let public = path == "/api/v1/openapi.json";
                assert_eq!(
                    status,
                    if public {
                        StatusCode::OK
                    } else {
                        StatusCode::UNAUTHORIZED
                    },
                    "{method} {path}"
                );
            }
        }
    }
);
