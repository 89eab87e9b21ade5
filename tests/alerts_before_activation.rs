//! Nobody misses a letter for want of a verified address, on both engines: the mobile number
//! and email given at registration (API, staff form) get content-free alerts from the first
//! document on, before activation; an announcement that found no contact point waits for one
//! and goes out as soon as the applicant verifies an address, while the document is unopened
//! and not yet deemed notified.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::{Duration, Utc};
use espace_usager::notifications::notification_texts::TranslatedNotificationTexts;
use reqwest::{StatusCode, header};
use running_app::{
    TestApp,
    visitors::{get, location, post, session_cookie, staff, staff_file},
};
use serde_json::{Value, json};
use server::{
    accounts::contact::ContactPoint,
    back_office_api::api_keys::{ApiScope, create},
    documents::{
        DocumentKind,
        publishing::{Upload, publish},
    },
    notifications::notification_delivery::deliver_due,
    printable::{Font, Line, a4_document},
    storage::{Actor, Channel, DeliveryStatus, StaffRole, SubjectKind},
};
use uuid::Uuid;

const TITLE: &str = "Convocation à un entretien";

async fn post_summons(app: &TestApp, applicant: Uuid) {
    let pdf = a4_document(TITLE, &[Line::new(TITLE, Font::Regular, 12.0)]).unwrap();
    let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(pdf))]);
    let upload = Upload {
        applicant_id: applicant,
        kind: DocumentKind::InterviewSummons,
        title: TITLE.to_owned(),
        file_name: "convocation.pdf".into(),
        uploaded_by: Actor::system(),
        replacing: None,
        facts: server::documents::notice_facts::NoticeFacts {
            appointment_at: Some(app.services.clock.now() + Duration::days(30)),
            appointment_place: Some("Fontenay-sous-Bois".into()),
            ..Default::default()
        },
    };
    publish(&app.services, upload, body).await.unwrap();
}

async fn deliver(app: &TestApp) -> server::notifications::notification_delivery::DeliveryReport {
    deliver_due(&app.services, &TranslatedNotificationTexts)
        .await
        .unwrap()
}

/// The texts the app wrote to its outbox folder.
fn texts(app: &TestApp) -> Vec<Value> {
    std::fs::read_dir(app.data_path().join("outbox"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with("sms-"))
                .map(|entry| serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

async fn register(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let (_, secret) = create(
        app.services.storage.as_ref(),
        "back-office",
        &[ApiScope::ApplicantsWrite],
        Actor::system(),
        Utc::now(),
    )
    .await
    .unwrap();
    let response = TestApp::client()
        .post(app.url("/api/v1/applicants"))
        .header(header::AUTHORIZATION, format!("Bearer {}", secret.expose()))
        .header(header::ACCEPT_LANGUAGE, "en")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn registration(number: &str, phone: &str, email: &str) -> Value {
    json!({
        "foreigner_number": number,
        "given_names": "Zahra",
        "family_name": "Rahimi",
        "date_of_birth": "1998-11-02",
        "preferred_language": "en",
        "phone": phone,
        "email": email,
    })
}

/// A verified email, the way the applicant adds one: a code sent to it, typed back.
async fn verify_email(app: &TestApp, cookie: &str, address: &str) {
    let sent = post(app, cookie, "/account/contact", &[("email", address)]).await;
    let confirm_page = location(&sent).to_owned();
    let code_id = confirm_page
        .trim_start_matches("/account/contact/confirm?code=")
        .trim_end_matches("&via=email")
        .to_owned();
    let (code, to) = app.last_code();
    assert_eq!(to, format!("To: {address}"));
    let done = post(
        app,
        cookie,
        "/account/contact/confirm",
        &[("code_id", &code_id), ("code", &code), ("via", "email")],
    )
    .await;
    assert_eq!(location(&done), "/account?contact=confirmed");
}

on_both_engines!(
    contacts_given_at_registration_are_alerted_before_activation,
    &[],
    async |app: &TestApp| {
        // Refused with the reason, and nothing half-written.
        for (phone, email, code) in [
            ("612345", "", "phone"),
            ("+33612345678", "zahra@localhost", "email"),
        ] {
            let (status, body) = register(app, registration("0708000001", phone, email)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["error"], code, "{body}");
        }
        let storage = app.services.storage.as_ref();
        assert!(
            storage
                .find_applicant_by_foreigner_number("0708000001")
                .await
                .unwrap()
                .is_none()
        );

        let (status, body) = register(
            app,
            registration("0708000001", "06 12 34 56 78", "Zahra.R@Example.ORG"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let zahra = storage
            .find_applicant_by_foreigner_number("0708000001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(zahra.given_phone.as_deref(), Some("+33612345678"));
        assert_eq!(zahra.given_email.as_deref(), Some("Zahra.R@example.org"));
        assert!(zahra.activated_at.is_none());
        // Given, not verified: never where a code goes.
        assert_eq!(ContactPoint::for_codes(&zahra), None);

        post_summons(app, zahra.id).await;
        let report = deliver(app).await;
        assert_eq!((report.sent, report.skipped), (2, 1), "{report:?}");
        let text = texts(app).pop().expect("an SMS");
        assert_eq!(text["to"], "+33612345678");
        let email = app.last_message_decoded();
        assert!(email.contains("To: Zahra.R@example.org"), "{email}");
        assert!(email.contains("Auto-Submitted: auto-generated"), "{email}");
        assert!(email.contains("Content-Language: en"), "{email}");
        // Past the recipient line (the address is the person's own).
        let after_recipient = email.split_once("To: Zahra.R@example.org").unwrap().1;
        for revealing in [TITLE, "Zahra", "Rahimi", "Convocation", "interview"] {
            assert!(
                !after_recipient.contains(revealing),
                "{revealing} in {email}"
            );
            assert!(!text["text"].as_str().unwrap().contains(revealing));
        }

        // After activation the applicant sees them, and says which is not theirs.
        let cookie = session_cookie(app, SubjectKind::Applicant, zahra.id).await;
        let settings = get(app, &cookie, "/account/contact")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            settings.contains("Number the office noted when you registered: +33612345678"),
            "{settings}"
        );
        assert!(settings.contains("Confirm this address"), "{settings}");
        let removed = post(
            app,
            &cookie,
            "/account/contact/remove",
            &[("kind", "given_phone")],
        )
        .await;
        assert_eq!(location(&removed), "/account/contact?removed=phone");
        let zahra = storage.find_applicant(zahra.id).await.unwrap().unwrap();
        assert_eq!(zahra.given_phone, None);
        assert_eq!(zahra.given_email.as_deref(), Some("Zahra.R@example.org"));

        // Confirming the given address is verifying it: it becomes the verified one.
        verify_email(app, &cookie, "Zahra.R@example.org").await;
        let zahra = storage.find_applicant(zahra.id).await.unwrap().unwrap();
        assert_eq!(zahra.email.as_deref(), Some("Zahra.R@example.org"));
        assert_eq!(zahra.given_email, None);
    }
);

on_both_engines!(
    an_alert_waits_for_a_contact_point_until_the_deemed_date,
    &[],
    async |app: &TestApp| {
        let storage = app.services.storage.as_ref();
        let (amina, _) = running_app::visitors::applicant(app, "0708000002").await;
        post_summons(app, amina).await;
        let report = deliver(app).await;
        assert_eq!((report.sent, report.skipped), (0, 3), "{report:?}");
        let staff_cookie = staff(app, StaffRole::Agent).await;
        let file = staff_file(app, &staff_cookie, "0708000002").await;
        assert!(file.contains("Waiting for a contact point"), "{file}");
        assert!(!file.contains("Not sent: no contact point"), "{file}");

        // Activation and the address come an hour later: the email follows at once.
        app.services.clock.travel(Duration::hours(1));
        let cookie = session_cookie(app, SubjectKind::Applicant, amina).await;
        verify_email(app, &cookie, "amina@example.org").await;
        let report = deliver(app).await;
        assert_eq!(report.sent, 1, "{report:?}");
        let email = app.last_message_decoded();
        assert!(email.contains("To: amina@example.org"), "{email}");
        assert!(
            email.contains("Subject: Espace usager: a new document is waiting for you")
                || email.contains("Subject: Espace usager : un nouveau document vous attend"),
            "{email}"
        );
        let rows = storage.notifications_of_applicant(amina).await.unwrap();
        let email_row = rows
            .iter()
            .find(|row| row.channel == Channel::Email && row.reason == "new_document")
            .unwrap();
        assert_eq!(email_row.status, DeliveryStatus::Sent);
        // Once: nothing left to send, and the SMS channel still waits for a number.
        assert_eq!(deliver(app).await.sent, 0);

        // A letter past its deemed date counts as notified: no alert then, it would mislead.
        let (nour, _) = running_app::visitors::applicant(app, "0708000003").await;
        post_summons(app, nour).await;
        deliver(app).await;
        app.services.clock.travel(Duration::days(16));
        let cookie = session_cookie(app, SubjectKind::Applicant, nour).await;
        verify_email(app, &cookie, "nour@example.org").await;
        let before = app.outbox().len();
        deliver(app).await;
        assert_eq!(app.outbox().len(), before, "no alert after the deemed date");
    }
);
