//! The back-office REST API over HTTP, on both engines: API keys, JSON errors with stable codes
//! and localized messages, and the notice returned with the registration.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use reqwest::{StatusCode, header};
use running_app::TestApp;
use serde_json::{Value, json};

async fn call(app: &TestApp, key: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut request = TestApp::client()
        .post(app.url("/api/v1/applicants"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn registration(number: &str) -> String {
    json!({
        "foreigner_number": number,
        "given_names": "Zahra",
        "family_name": "Rahimi",
        "date_of_birth": "1998-11-02",
        "preferred_language": "ps"
    })
    .to_string()
}

on_both_engines!(
    the_back_office_registers_applicants_with_its_key,
    &[],
    async |app: &TestApp| {
        let storage = app.services.storage.as_ref();
        let (key, secret) = server::back_office_api::api_keys::create(
            storage,
            "back-office",
            &[server::back_office_api::api_keys::ApiScope::ApplicantsWrite],
            server::storage::Actor::system(),
            Utc::now(),
        )
        .await
        .unwrap();

        let (status, body) = call(app, None, &registration("0755555555")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "unauthorized");
        assert_eq!(body["message"], "API key missing, not valid or revoked.");
        let (status, _) = call(app, Some("eu_not-a-key"), &registration("0755555555")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let (status, body) = call(app, Some(secret.expose()), &registration("0755555555")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let pdf = STANDARD
            .decode(body["notice_pdf"].as_str().unwrap())
            .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let id: uuid::Uuid = body["id"].as_str().unwrap().parse().unwrap();
        let applicant = storage.find_applicant(id).await.unwrap().unwrap();
        assert_eq!(applicant.foreigner_number.as_deref(), Some("0755555555"));
        let event = storage
            .recent_audit_events(10)
            .await
            .unwrap()
            .into_iter()
            .find(|event| event.action == "applicant_registered")
            .unwrap();
        assert_eq!(event.actor_kind, server::storage::ActorKind::ApiKey);
        assert_eq!(event.actor_id, Some(key.id));

        let (status, body) = call(app, Some(secret.expose()), &registration("0755555555")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"], "already_registered");
        let (status, body) = call(app, Some(secret.expose()), &registration("12345")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "invalid_number");
        let (status, body) = call(app, Some(secret.expose()), "{\"given_names\": 3}").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "body");

        storage.revoke_api_key(key.id, Utc::now()).await.unwrap();
        let (status, _) = call(app, Some(secret.expose()), &registration("0755555556")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(
            storage
                .find_applicant_by_foreigner_number("0755555556")
                .await
                .unwrap()
                .is_none(),
            "nothing is written for a refused request"
        );
    }
);
