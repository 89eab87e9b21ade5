//! A change of postal address, on both engines: declared from the account with the password
//! typed a moment ago, checked field by field, a dated receipt in the inbox; staff see it with
//! its history on the file; the back office reads it with its own scope.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::{Duration, Utc};
use reqwest::{StatusCode, header};
use running_app::{
    TestApp,
    visitors::{applicant, get, location, post, session_only_cookie, staff, staff_file},
};
use serde_json::Value;
use server::{
    back_office_api::api_keys::{ApiScope, create},
    documents::DocumentKind,
    storage::{Actor, StaffRole, SubjectKind},
};

const DOMICILIATION: &[(&str, &str)] = &[
    ("kind", "domiciliation"),
    ("care_of", "France terre d'asile"),
    ("street", "24 rue Marc Seguin"),
    ("postal_code", "75 018"),
    ("city", "Paris"),
];

async fn api_get(app: &TestApp, scopes: &[ApiScope], path: &str) -> (StatusCode, Value) {
    let (_, secret) = create(
        app.services.storage.as_ref(),
        "back-office",
        scopes,
        Actor::system(),
        Utc::now(),
    )
    .await
    .unwrap();
    let response = TestApp::client()
        .get(app.url(path))
        .header(header::AUTHORIZATION, format!("Bearer {}", secret.expose()))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_both_engines!(
    an_address_change_is_receipted_and_seen_by_staff_and_the_back_office,
    &[],
    async |app: &TestApp| {
        let storage = app.services.storage.as_ref();
        let (amina, cookie) = applicant(app, "0711000001").await;

        // A bad field comes back to the form, named, and nothing is kept.
        let mut bad = DOMICILIATION.to_vec();
        bad[3] = ("postal_code", "7501");
        let refused = post(app, &cookie, "/account/address", &bad).await;
        assert_eq!(location(&refused), "/account/address?error=postal_code");
        let page = get(app, &cookie, "/account/address?error=postal_code")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("A French postal code has five digits"),
            "{page}"
        );
        assert!(storage.postal_addresses_of(amina).await.unwrap().is_empty());

        // Someone holding the unlocked phone without the password cannot redirect the mail.
        let phone_left_open = session_only_cookie(app, SubjectKind::Applicant, amina).await;
        let held = post(app, &phone_left_open, "/account/address", DOMICILIATION).await;
        assert!(held.status().is_redirection());
        assert!(
            location(&held).starts_with("/account/confirm"),
            "{}",
            location(&held)
        );
        assert!(storage.postal_addresses_of(amina).await.unwrap().is_empty());

        let declared = post(app, &cookie, "/account/address", DOMICILIATION).await;
        assert_eq!(location(&declared), "/account/address?declared=1");
        let addresses = storage.postal_addresses_of(amina).await.unwrap();
        assert_eq!(addresses.len(), 1);
        assert_eq!(addresses[0].postal_code, "75018");
        assert_eq!(
            addresses[0].care_of.as_deref(),
            Some("France terre d'asile")
        );
        // The dated receipt, in the inbox, to open like any letter.
        let documents = storage.documents_of_applicant(amina).await.unwrap();
        let receipt = documents
            .iter()
            .find(|document| document.kind == DocumentKind::Other)
            .expect("a receipt");
        assert_eq!(receipt.title, "Accusé de réception : changement d'adresse");
        let pdf = get(app, &cookie, &format!("/account/documents/{}", receipt.id)).await;
        assert_eq!(pdf.status(), StatusCode::OK);
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        let page = get(app, &cookie, "/account/address?declared=1")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("24 rue Marc Seguin"), "{page}");

        // A move a day later: the new one first, the history kept.
        app.services.clock.travel(Duration::days(1));
        let cookie =
            running_app::visitors::session_cookie(app, SubjectKind::Applicant, amina).await;
        let moved = post(
            app,
            &cookie,
            "/account/address",
            &[
                ("kind", "residence"),
                ("street", "3 place de la Gare"),
                ("postal_code", "69001"),
                ("city", "Lyon"),
            ],
        )
        .await;
        assert_eq!(location(&moved), "/account/address?declared=1");
        let agent = staff(app, StaffRole::Agent).await;
        let file = staff_file(app, &agent, "0711000001").await;
        let lyon = file
            .find("3 place de la Gare, 69001 Lyon")
            .expect("the new address");
        let paris = file
            .find("France terre d&#x27;asile, 24 rue Marc Seguin, 75018 Paris")
            .or_else(|| file.find("France terre d'asile, 24 rue Marc Seguin, 75018 Paris"))
            .expect("the old address");
        assert!(lyon < paris, "newest first");

        // The back office reads it with `applicants:read`, and only with it.
        let path = format!("/api/v1/applicants/{amina}/postal-address");
        let (status, body) = api_get(app, &[ApiScope::ApplicantsRead], &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["current"]["city"], "Lyon");
        assert_eq!(body["current"]["kind"], "residence");
        assert_eq!(body["history"].as_array().unwrap().len(), 2);
        assert_eq!(body["history"][1]["care_of"], "France terre d'asile");
        let (status, body) = api_get(app, &[ApiScope::DocumentsRead], &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let unknown = format!("/api/v1/applicants/{}/postal-address", uuid::Uuid::new_v4());
        let (status, _) = api_get(app, &[ApiScope::ApplicantsRead], &unknown).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
