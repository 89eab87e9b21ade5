//! Documents over HTTP on both engines: staff post PDFs through the multipart form, the
//! applicant reads them in the inbox and opens them, staff see the opening; and who may reach
//! which document route, for every kind of visitor.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::{Duration, Utc};
use reqwest::{StatusCode, header, multipart};
use running_app::{
    TestApp,
    visitors::{applicant, get, session_cookie, staff, staff_file, staff_member},
};
use server::{
    printable::{Font, Line, a4_document},
    storage::{StaffRole, SubjectKind},
};
use uuid::Uuid;

fn pdf(text: &str) -> Vec<u8> {
    a4_document(text, &[Line::new(text, Font::Regular, 12.0)]).unwrap()
}

/// Staff post summonses for 9 January 2027, 09:30 at the office, as the form sends them.
async fn upload(app: &TestApp, cookie: &str, applicant: Uuid, files: &[(&str, Vec<u8>)]) -> String {
    upload_with(app, cookie, applicant, "2027-01-09T09:30", files).await
}

async fn upload_with(
    app: &TestApp,
    cookie: &str,
    applicant: Uuid,
    appointment_at: &str,
    files: &[(&str, Vec<u8>)],
) -> String {
    let mut form = multipart::Form::new()
        .text("kind", "interview_summons")
        .text("title", "")
        .text("decision_outcome", "")
        .text("appointment_at", appointment_at.to_owned())
        .text("appointment_place", "201 rue Carnot, Fontenay-sous-Bois");
    for (name, contents) in files {
        form = form.part(
            "files",
            multipart::Part::bytes(contents.clone())
                .file_name(name.to_string())
                .mime_str("application/pdf")
                .unwrap(),
        );
    }
    post_form(
        app,
        cookie,
        &format!("/staff/applicants/{applicant}/documents"),
        form,
    )
    .await
}

/// Sends a staff form as the browser does; where the answer leads.
async fn post_form(app: &TestApp, cookie: &str, path: &str, form: multipart::Form) -> String {
    let response = TestApp::client()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, app.url(""))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Sends the withdrawal form (with a replacement file when given); where it leads.
async fn withdraw(
    app: &TestApp,
    cookie: &str,
    document: &str,
    reason: &str,
    replacement: Option<Vec<u8>>,
) -> String {
    let mut form = multipart::Form::new()
        .text("reason", reason.to_owned())
        .text("title", "");
    if let Some(contents) = replacement {
        form = form.part(
            "file",
            multipart::Part::bytes(contents).file_name("Convocation corrigée.pdf"),
        );
    }
    post_form(
        app,
        cookie,
        &format!("/staff/documents/{document}/withdrawal"),
        form,
    )
    .await
}

/// The ids of the documents a page links to (`prefix<id>"`), not of their calendar files.
fn document_ids(html: &str, prefix: &str) -> Vec<String> {
    html.split(prefix)
        .skip(1)
        .filter(|rest| rest.get(36..37) == Some("\""))
        .map(|rest| rest.chars().take(36).collect())
        .collect()
}

on_both_engines!(
    staff_post_the_applicant_opens_and_staff_see_the_opening,
    &[],
    async |app: &TestApp| {
        let agent = staff(app, StaffRole::Agent).await;
        let (amina, amina_cookie) = applicant(app, "0702000001").await;
        let summons = pdf("Convocation");
        let transcript = pdf("Compte rendu");
        let done = upload(
            app,
            &agent,
            amina,
            &[
                ("Convocation.pdf", summons.clone()),
                ("Compte rendu.pdf", transcript),
            ],
        )
        .await;
        assert_eq!(done, format!("/staff/applicants/{amina}?published=2"));

        // A refused file: the page says why, nothing was posted.
        let refused = upload(
            app,
            &agent,
            amina,
            &[(
                "x.pdf",
                b"%PDF-1.7\n1 0 obj << /S /JavaScript /JS (x) >> endobj\n".to_vec(),
            )],
        )
        .await;
        assert!(refused.ends_with("error=javascript"), "{refused}");
        let page = get(app, &agent, &refused).await.text().await.unwrap();
        assert!(page.contains("The PDF contains JavaScript"), "{page}");

        // A summons without its date: refused, and the page says so beside the date field.
        let undated = upload_with(app, &agent, amina, "", &[("y.pdf", pdf("Sans date"))]).await;
        assert!(undated.ends_with("error=appointment"), "{undated}");
        let page = get(app, &agent, &undated).await.text().await.unwrap();
        assert!(
            page.contains(r#"id="appointment_at-error""#)
                && page.contains("Give the interview's date and time."),
            "{page}"
        );

        let inbox = get(app, &amina_cookie, "/account").await;
        assert_eq!(inbox.status(), StatusCode::OK);
        let html = inbox.text().await.unwrap();
        assert!(
            html.contains("Convocation") && html.contains("Compte rendu"),
            "{html}"
        );
        assert!(html.contains("Opening it counts as notification"), "{html}");
        // What the summons says, as text beside the PDF (winter: Paris is UTC+1).
        assert!(
            html.contains(
                "Your interview: 09/01/2027 at 09:30 (Paris time), \u{2068}201 rue Carnot, Fontenay-sous-Bois\u{2069}."
            ),
            "{html}"
        );
        let ids = document_ids(&html, "/account/documents/");
        assert_eq!(ids.len(), 2);

        let file = get(
            app,
            &amina_cookie,
            &format!("/account/documents/{}", ids[1]),
        )
        .await;
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.headers()[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(file.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(file.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            file.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''")
        );
        assert_eq!(file.bytes().await.unwrap().to_vec(), summons);
        // Sent as stored, with its length, even to a client that accepts compression.
        let again = TestApp::client()
            .get(app.url(&format!("/account/documents/{}", ids[1])))
            .header(header::COOKIE, &amina_cookie)
            .header(header::ACCEPT_ENCODING, "br, gzip")
            .send()
            .await
            .unwrap();
        assert!(again.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(
            again.headers()[header::CONTENT_LENGTH],
            summons.len().to_string().as_str()
        );

        let staff_page = staff_file(app, &agent, "0702000001").await;
        assert!(staff_page.contains("(first opening)"), "{staff_page}");
        assert!(staff_page.contains("if not opened"), "{staff_page}");
        assert!(staff_page.contains("Camille agent"), "{staff_page}");
        // Each document was announced on every channel; staff follow the delivery.
        assert_eq!(
            staff_page
                .matches(">Waiting (0 attempt(s); next on")
                .count(),
            6
        );
        // The notice of the document opened is read; the other one waits.
        assert_eq!(staff_page.matches(">Shown, not read yet").count(), 1);
        assert_eq!(staff_page.matches(">Read on ").count(), 1);
        let texts = espace_usager::notifications::notification_texts::TranslatedNotificationTexts;
        let report =
            server::notifications::notification_delivery::deliver_due(&app.services, &texts)
                .await
                .unwrap();
        assert_eq!(
            report.skipped, 6,
            "no verified address, phone or browser yet"
        );
        let staff_page = staff_file(app, &agent, "0702000001").await;
        // The opened letter needs no announcement any more; the other waits for a contact.
        assert_eq!(
            staff_page
                .matches(">Waiting for a contact point: sent as soon as")
                .count(),
            3,
            "{staff_page}"
        );
        assert_eq!(
            staff_page
                .matches(">Not sent: no contact point for this channel")
                .count(),
            3,
            "{staff_page}"
        );
    }
);

on_both_engines!(
    an_unopened_summons_counts_as_notified_fifteen_days_later,
    &[],
    async |app: &TestApp| {
        let (agent_id, agent) = staff_member(app, StaffRole::Agent).await;
        let (amina, _) = applicant(app, "0702000002").await;
        upload(
            app,
            &agent,
            amina,
            &[("Convocation.pdf", pdf("Convocation"))],
        )
        .await;
        app.services
            .clock
            .travel(Duration::days(15) + Duration::minutes(1));
        // A fortnight later both have signed in again: yesterday's sessions have expired.
        let agent = session_cookie(app, SubjectKind::Staff, agent_id).await;
        let amina_cookie = session_cookie(app, SubjectKind::Applicant, amina).await;
        let staff_page = staff_file(app, &agent, "0702000002").await;
        assert!(
            staff_page.contains("(15 days after it was made available)"),
            "{staff_page}"
        );
        let inbox = get(app, &amina_cookie, "/account")
            .await
            .text()
            .await
            .unwrap();
        assert!(inbox.contains("Notified on"), "{inbox}");
    }
);

on_both_engines!(
    every_visitor_reaches_only_the_documents_meant_for_them,
    &[],
    async |app: &TestApp| {
        let (amina, amina_cookie) = applicant(app, "0702000003").await;
        let (_, bilal_cookie) = applicant(app, "0702000004").await;
        let agent = staff(app, StaffRole::Agent).await;
        let supervisor = staff(app, StaffRole::Supervisor).await;
        let administrator = staff(app, StaffRole::Administrator).await;
        upload(app, &agent, amina, &[("Décision.pdf", pdf("Décision"))]).await;
        let html = get(app, &amina_cookie, "/account")
            .await
            .text()
            .await
            .unwrap();
        let id = document_ids(&html, "/account/documents/").remove(0);
        let applicant_path = format!("/account/documents/{id}");
        let staff_path = format!("/staff/documents/{id}");
        let missing = format!("/account/documents/{}", Uuid::new_v4());

        // Anonymous visitors are sent to sign in, on both sides.
        for path in [&applicant_path, &staff_path] {
            let response = get(app, "", path).await;
            assert!(response.status().is_redirection(), "{path}");
        }
        // Another applicant, a guessed id and a garbled id all get the same answer.
        let refusal = get(app, &bilal_cookie, &applicant_path).await;
        assert_eq!(refusal.status(), StatusCode::NOT_FOUND);
        let refusal = refusal.text().await.unwrap();
        for (cookie, path) in [
            (&bilal_cookie, &missing),
            (&amina_cookie, &missing),
            (&amina_cookie, &"/account/documents/not-an-id".to_string()),
        ] {
            let response = get(app, cookie, path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(response.text().await.unwrap(), refusal);
        }
        // An applicant's session does not open the staff route, nor a staff session the
        // applicant's.
        assert!(
            get(app, &amina_cookie, &staff_path)
                .await
                .status()
                .is_redirection()
        );
        assert!(
            get(app, &agent, &applicant_path)
                .await
                .status()
                .is_redirection()
        );
        // Every staff role reads documents; staff reading is not the notification.
        for cookie in [&agent, &supervisor, &administrator] {
            assert_eq!(get(app, cookie, &staff_path).await.status(), StatusCode::OK);
        }
        let record = app
            .services
            .storage
            .find_document(id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(record.first_opened_at.is_none());
        // Applicants cannot post, whatever they send.
        let form = multipart::Form::new()
            .text("kind", "decision")
            .part("files", multipart::Part::bytes(pdf("x")).file_name("x.pdf"));
        let response = TestApp::client()
            .post(app.url(&format!("/staff/applicants/{amina}/documents")))
            .header(header::COOKIE, &amina_cookie)
            .header(header::ORIGIN, app.url(""))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection());
        assert_eq!(
            app.services
                .storage
                .documents_of_applicant(amina)
                .await
                .unwrap()
                .len(),
            1
        );
        // Withdrawal and acknowledgement: never for applicants or anonymous visitors, and an API
        // key is no staff session.
        let (_, reader_key) = server::back_office_api::api_keys::create(
            app.services.storage.as_ref(),
            "bo",
            &server::back_office_api::api_keys::ApiScope::ALL,
            server::storage::Actor::system(),
            Utc::now(),
        )
        .await
        .unwrap();
        let ack_path = format!("/staff/documents/{id}/acknowledgement");
        for cookie in ["", amina_cookie.as_str()] {
            assert!(get(app, cookie, &ack_path).await.status().is_redirection());
            let to = withdraw(app, cookie, &id, "x", None).await;
            assert!(
                to.starts_with("/staff/sign-in") || to.starts_with("/sign-in"),
                "{to}"
            );
        }
        let with_key = TestApp::client()
            .get(app.url(&ack_path))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", reader_key.expose()),
            )
            .send()
            .await
            .unwrap();
        assert!(with_key.status().is_redirection());
        // The API answers keys only, never a session.
        for cookie in [&amina_cookie, &agent, &administrator] {
            let response = get(app, cookie, &format!("/api/v1/documents/{id}")).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        assert!(
            app.services
                .storage
                .find_document(id.parse().unwrap())
                .await
                .unwrap()
                .unwrap()
                .withdrawn_at
                .is_none()
        );
        // The staff-file server function answers staff only.
        let response = TestApp::client()
            .post(app.url("/api/staff/applicant-file"))
            .header(header::COOKIE, &amina_cookie)
            .header(header::ORIGIN, app.url(""))
            .form(&[("applicant_id", amina.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        // The API-key list answers administrators only: nobody else gets a single key's name.
        for (cookie, expected) in [
            ("", StatusCode::UNAUTHORIZED),
            (amina_cookie.as_str(), StatusCode::UNAUTHORIZED),
            (agent.as_str(), StatusCode::FORBIDDEN),
            (supervisor.as_str(), StatusCode::FORBIDDEN),
            (administrator.as_str(), StatusCode::OK),
        ] {
            let response = TestApp::client()
                .post(app.url("/api/staff/api-keys"))
                .header(header::COOKIE, cookie)
                .header(header::ORIGIN, app.url(""))
                .header(header::ACCEPT, "application/json")
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_eq!(status, expected, "{body}");
            assert_eq!(body.contains("\"bo\""), status.is_success(), "{body}");
        }
    }
);

on_both_engines!(
    a_supervisor_replaces_a_document_and_the_applicant_sees_the_withdrawal,
    &[],
    async |app: &TestApp| {
        let agent = staff(app, StaffRole::Agent).await;
        let supervisor = staff(app, StaffRole::Supervisor).await;
        let (amina, amina_cookie) = applicant(app, "0702000011").await;
        upload(
            app,
            &agent,
            amina,
            &[("Convocation.pdf", pdf("Convocation"))],
        )
        .await;
        let html = get(app, &amina_cookie, "/account")
            .await
            .text()
            .await
            .unwrap();
        let old = document_ids(&html, "/account/documents/").remove(0);

        // Agents may not withdraw; nothing changes.
        let refused = withdraw(app, &agent, &old, "Erreur", None).await;
        assert!(refused.ends_with("error=forbidden"), "{refused}");
        // A reason is required.
        let refused = withdraw(app, &supervisor, &old, " ", Some(pdf("v2"))).await;
        assert!(refused.ends_with("error=reason"), "{refused}");
        let page = get(app, &supervisor, &refused).await.text().await.unwrap();
        assert!(
            page.contains("Give the reason for the withdrawal"),
            "{page}"
        );

        let done = withdraw(app, &supervisor, &old, "Mauvaise heure", Some(pdf("v2"))).await;
        assert!(done.ends_with("?replaced=1"), "{done}");
        assert!(!done.contains("0702000011"), "no number in the address");
        let page = get(app, &supervisor, &done).await.text().await.unwrap();
        assert!(page.contains("The document was replaced."), "{page}");
        assert!(page.contains("Replaces “Convocation”"), "{page}");
        assert!(
            page.contains("Reason for withdrawal: Mauvaise heure"),
            "{page}"
        );

        let inbox = get(app, &amina_cookie, "/account")
            .await
            .text()
            .await
            .unwrap();
        assert!(inbox.contains("Withdrawn by the Office on"), "{inbox}");
        let ids = document_ids(&inbox, "/account/documents/");
        assert_eq!(ids.len(), 1, "only the replacement can be opened: {inbox}");
        assert_ne!(ids[0], old);
        let gone = get(app, &amina_cookie, &format!("/account/documents/{old}")).await;
        assert_eq!(gone.status(), StatusCode::GONE);
        assert_eq!(
            get(
                app,
                &amina_cookie,
                &format!("/account/documents/{}", ids[0])
            )
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
            pdf("v2")
        );
        let again = withdraw(app, &supervisor, &old, "Encore", None).await;
        assert!(again.ends_with("error=already_withdrawn"), "{again}");

        // Opened, so notified: staff get the acknowledgement of receipt.
        let ack = get(
            app,
            &agent,
            &format!("/staff/documents/{}/acknowledgement", ids[0]),
        )
        .await;
        assert_eq!(ack.status(), StatusCode::OK);
        assert_eq!(ack.headers()[header::CONTENT_TYPE], "application/pdf");
        assert!(ack.bytes().await.unwrap().starts_with(b"%PDF-"));
        let none = get(
            app,
            &agent,
            &format!("/staff/documents/{old}/acknowledgement"),
        )
        .await;
        assert_eq!(none.status(), StatusCode::NOT_FOUND);
        let events = app.services.storage.recent_audit_events(30).await.unwrap();
        for action in ["document_withdrawn", "acknowledgement_exported"] {
            assert!(
                events.iter().any(|event| event.action == action),
                "{action}"
            );
        }
    }
);
