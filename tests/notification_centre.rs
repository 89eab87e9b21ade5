//! The notification centre and the contact settings over HTTP, on both engines: the unread
//! badge on applicant pages, marking notices read (one's own only), a phone verified with the
//! code sent by SMS (to the outbox folder by default), the last contact kept, the channels
//! chosen; and who may reach each of these routes and server functions.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use reqwest::{StatusCode, header};
use running_app::{
    TestApp,
    visitors::{applicant, get, location, post, staff},
};
use server::{
    documents::{
        DocumentKind,
        publishing::{Upload, publish},
    },
    printable::{Font, Line, a4_document},
    storage::{Actor, StaffRole},
};
use uuid::Uuid;

async fn post_document(app: &TestApp, applicant: Uuid, title: &str) {
    let pdf = a4_document(title, &[Line::new(title, Font::Regular, 12.0)]).unwrap();
    let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(pdf))]);
    publish(
        &app.services,
        Upload {
            applicant_id: applicant,
            kind: DocumentKind::InterviewSummons,
            title: title.to_owned(),
            file_name: format!("{title}.pdf"),
            uploaded_by: Actor::system(),
            replacing: None,
            facts: server::documents::notice_facts::NoticeFacts {
                appointment_at: Some("2027-01-09T08:30:00Z".parse().unwrap()),
                appointment_place: Some("Fontenay-sous-Bois".into()),
                ..Default::default()
            },
        },
        body,
    )
    .await
    .unwrap();
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> String {
    let response = get(app, cookie, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// The texts the app wrote to its outbox folder, oldest first.
fn texts(app: &TestApp) -> Vec<serde_json::Value> {
    let mut files: Vec<_> = std::fs::read_dir(app.data_path().join("outbox"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("sms-"))
        .collect();
    files.sort_by_key(|entry| entry.metadata().and_then(|m| m.modified()).ok());
    files
        .iter()
        .map(|entry| serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap())
        .collect()
}

on_both_engines!(
    the_badge_counts_unread_notices_until_they_are_read,
    &[],
    async |app: &TestApp| {
        let (amina, amina_cookie) = applicant(app, "0707000001").await;
        let (bilal, bilal_cookie) = applicant(app, "0707000002").await;
        post_document(app, amina, "Convocation du 3 mars").await;
        post_document(app, amina, "Décision").await;
        post_document(app, bilal, "Récépissé").await;

        for path in ["/account", "/account/contact", "/account/notifications"] {
            let html = page(app, &amina_cookie, path).await;
            assert!(
                html.contains(r#"class="count-badge">2</span>"#),
                "{path}: {html}"
            );
            assert!(html.contains("(2 unread)"), "{path}");
        }
        let centre = page(app, &amina_cookie, "/account/notifications").await;
        assert!(
            centre.contains(">New document: Convocation du 3 mars"),
            "{centre}"
        );
        assert!(
            !centre.contains("Récépissé"),
            "Bilal's notice is not Amina's"
        );

        // Bilal posts Amina's notice id: nothing changes for her.
        let notices = app
            .services
            .storage
            .in_app_notices(amina, 10)
            .await
            .unwrap();
        let amina_notice = notices[0].id.to_string();
        let answer = post(
            app,
            &bilal_cookie,
            "/account/notifications/read",
            &[("notice", &amina_notice)],
        )
        .await;
        assert_eq!(location(&answer), "/account/notifications?read=1");
        assert_eq!(
            app.services
                .storage
                .unread_notice_count(amina)
                .await
                .unwrap(),
            2
        );

        let answer = post(
            app,
            &amina_cookie,
            "/account/notifications/read",
            &[("notice", &amina_notice)],
        )
        .await;
        assert_eq!(location(&answer), "/account/notifications?read=1");
        let html = page(app, &amina_cookie, "/account").await;
        assert!(html.contains(r#"class="count-badge">1</span>"#), "{html}");
        post(app, &amina_cookie, "/account/notifications/read", &[]).await;
        let html = page(app, &amina_cookie, "/account").await;
        assert!(!html.contains("count-badge"), "{html}");
        assert_eq!(
            app.services
                .storage
                .unread_notice_count(bilal)
                .await
                .unwrap(),
            1
        );

        // A garbled id is a clear refusal, not a server error.
        let answer = post(
            app,
            &amina_cookie,
            "/account/notifications/read",
            &[("notice", "not-an-id")],
        )
        .await;
        assert_eq!(location(&answer), "/account/notifications?error=missing");
    }
);

on_both_engines!(
    only_the_signed_in_applicant_reaches_notices_and_contact_settings,
    &[],
    async |app: &TestApp| {
        let (amina, amina_cookie) = applicant(app, "0707000003").await;
        let agent = staff(app, StaffRole::Agent).await;
        post_document(app, amina, "Décision").await;
        for cookie in ["", agent.as_str()] {
            for path in ["/account/notifications", "/account/contact"] {
                let response = get(app, cookie, path).await;
                assert!(response.status().is_redirection(), "{path}");
            }
            for path in [
                "/account/notifications/read",
                "/account/contact/phone",
                "/account/contact/remove",
                "/account/contact/channels",
            ] {
                let answer = post(app, cookie, path, &[("phone", "0612345678")]).await;
                assert!(answer.status().is_redirection(), "{path}");
                assert!(location(&answer).starts_with("/sign-in"), "{path}");
            }
            for endpoint in ["/api/account/notices", "/api/account/status"] {
                let response = TestApp::client()
                    .post(app.url(endpoint))
                    .header(header::COOKIE, cookie)
                    .header(header::ORIGIN, app.url(""))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body = response.text().await.unwrap();
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{endpoint}: {body}");
                assert!(!body.contains("Décision"), "{body}");
            }
        }
        assert!(texts(app).is_empty(), "no code was sent for anyone");
        assert_eq!(
            app.services
                .storage
                .unread_notice_count(amina)
                .await
                .unwrap(),
            1
        );
        let own = TestApp::client()
            .post(app.url("/api/account/notices"))
            .header(header::COOKIE, &amina_cookie)
            .header(header::ORIGIN, app.url(""))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), StatusCode::OK);
        assert!(own.text().await.unwrap().contains("Décision"));
    }
);

on_both_engines!(
    a_phone_is_verified_by_sms_and_the_last_contact_stays,
    &[],
    async |app: &TestApp| {
        let (amina, cookie) = applicant(app, "0707000004").await;
        let refused = post(app, &cookie, "/account/contact/phone", &[("phone", "12")]).await;
        assert_eq!(location(&refused), "/account/contact?error=phone");
        let html = page(app, &cookie, "/account/contact?error=phone").await;
        assert!(html.contains("Enter a mobile number"), "{html}");

        let sent = post(
            app,
            &cookie,
            "/account/contact/phone",
            &[("phone", "06 12 34 56 78")],
        )
        .await;
        let confirm_page = location(&sent).to_owned();
        assert!(
            confirm_page.starts_with("/account/contact/confirm?code=")
                && confirm_page.ends_with("&via=sms"),
            "{confirm_page}"
        );
        let html = page(app, &cookie, &confirm_page).await;
        assert!(
            html.contains(">We have just sent a 6-digit code by SMS"),
            "{html}"
        );
        let text = texts(app).pop().unwrap();
        assert_eq!(text["to"], "+33612345678");
        let message = text["text"].as_str().unwrap();
        let code: String = message
            .split(": ")
            .nth(1)
            .unwrap()
            .chars()
            .take(6)
            .collect();
        let code_id = confirm_page
            .trim_start_matches("/account/contact/confirm?code=")
            .trim_end_matches("&via=sms");
        let wrong = post(
            app,
            &cookie,
            "/account/contact/confirm",
            &[("code_id", code_id), ("code", "000000"), ("via", "sms")],
        )
        .await;
        assert!(location(&wrong).ends_with("&via=sms&error=code_wrong") || code == "000000");
        let done = post(
            app,
            &cookie,
            "/account/contact/confirm",
            &[("code_id", code_id), ("code", &code), ("via", "sms")],
        )
        .await;
        assert_eq!(location(&done), "/account?contact=phone");
        let settings = page(app, &cookie, "/account/contact").await;
        assert!(
            settings.contains(">Verified number: +33612345678"),
            "{settings}"
        );

        // The only contact cannot go.
        let kept = post(
            app,
            &cookie,
            "/account/contact/remove",
            &[("kind", "phone")],
        )
        .await;
        assert_eq!(location(&kept), "/account/contact?error=last_contact");
        let odd = post(app, &cookie, "/account/contact/remove", &[("kind", "fax")]).await;
        assert_eq!(location(&odd), "/account/contact?error=missing");
        let applicant = app
            .services
            .storage
            .find_applicant(amina)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(applicant.phone.as_deref(), Some("+33612345678"));

        // Channels: SMS only.
        let saved = post(app, &cookie, "/account/contact/channels", &[("sms", "on")]).await;
        assert_eq!(location(&saved), "/account/contact?channels=saved");
        let applicant = app
            .services
            .storage
            .find_applicant(amina)
            .await
            .unwrap()
            .unwrap();
        assert!(!applicant.notify_by_email && applicant.notify_by_sms);

        // Sign-in codes now go by SMS, since there is no email.
        let next = server::accounts::second_factor::next_step(
            app.services.storage.as_ref(),
            &applicant,
            None,
            false,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            next,
            server::accounts::second_factor::NextStep::SendCode {
                to: server::accounts::contact::ContactPoint::Phone("+33612345678".into())
            }
        );

        // With an email beside it, the phone can go: the number is told, and how to undo it.
        let asked = post(
            app,
            &cookie,
            "/account/contact",
            &[("email", "amina4@example.org")],
        )
        .await;
        let code_id = location(&asked)
            .trim_start_matches("/account/contact/confirm?code=")
            .trim_end_matches("&via=email")
            .to_owned();
        let (code, _) = app.last_code();
        let confirm = [("code_id", code_id.as_str()), ("code", code.as_str())];
        post(app, &cookie, "/account/contact/confirm", &confirm).await;
        let removed = post(
            app,
            &cookie,
            "/account/contact/remove",
            &[("kind", "phone")],
        )
        .await;
        assert_eq!(location(&removed), "/account/contact?removed=phone");
        let told = texts(app).pop().unwrap();
        assert_eq!(told["to"], "+33612345678");
        assert!(
            told["text"]
                .as_str()
                .unwrap()
                .contains("vient d'être retiré"),
            "{told}"
        );
        let kept = app
            .services
            .storage
            .replaced_contacts_since(amina, chrono::Utc::now() - chrono::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(kept.len(), 1, "kept for the cooling-off period");
        assert_eq!(kept[0].value, "+33612345678");
    }
);

on_both_engines!(
    a_browser_subscribes_to_alerts_only_at_a_listed_push_service,
    &[("EU_PUSH_SERVICES", "https://push.example")],
    async |app: &TestApp| {
        let (amina, cookie) = applicant(app, "0707000005").await;
        // Keys as a browser makes them (from the web-push-native documentation's example).
        let keys = serde_json::json!({
            "p256dh": "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY",
            "auth": "_ordMnz7uTCmrpBTeUV4Bw",
        });
        let send = |cookie: String, path: &'static str, body: serde_json::Value| async move {
            TestApp::client()
                .post(app.url(path))
                .header(header::COOKIE, cookie)
                .header(header::ORIGIN, app.url(""))
                .header(header::ACCEPT_LANGUAGE, "en")
                .json(&body)
                .send()
                .await
                .unwrap()
        };
        let good = serde_json::json!({
            "endpoint": "https://push.example/browser/1", "expirationTime": null, "keys": keys,
        });
        let anonymous = send(String::new(), "/account/push/subscribe", good.clone()).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        for bad in [
            serde_json::json!({ "endpoint": "http://127.0.0.1:5432/", "keys": keys }),
            serde_json::json!({ "endpoint": "https://push.example/b", "keys": { "p256dh": "x", "auth": "y" } }),
            serde_json::json!({ "nothing": true }),
        ] {
            let refused = send(cookie.clone(), "/account/push/subscribe", bad).await;
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
            assert!(
                refused
                    .text()
                    .await
                    .unwrap()
                    .contains("could not be turned on")
            );
        }
        let storage = app.services.storage.as_ref();
        assert!(
            storage
                .push_subscriptions_of(amina)
                .await
                .unwrap()
                .is_empty()
        );
        let saved = send(cookie.clone(), "/account/push/subscribe", good.clone()).await;
        assert_eq!(saved.status(), StatusCode::NO_CONTENT);
        assert_eq!(storage.push_subscriptions_of(amina).await.unwrap().len(), 1);
        let settings = page(app, &cookie, "/account/contact").await;
        assert!(
            settings.contains(">Devices receiving alerts: 1"),
            "{settings}"
        );
        assert!(settings.contains(&format!(
            "data-vapid-key=\"{}\"",
            app.services.push.public_key()
        )));

        let removed = send(
            cookie.clone(),
            "/account/push/unsubscribe",
            serde_json::json!({ "endpoint": "https://push.example/browser/1" }),
        )
        .await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert!(
            storage
                .push_subscriptions_of(amina)
                .await
                .unwrap()
                .is_empty()
        );
        send(cookie.clone(), "/account/push/subscribe", good).await;
        let all = post(app, &cookie, "/account/push/remove-all", &[]).await;
        assert_eq!(location(&all), "/account/contact?push=off");
        assert!(
            storage
                .push_subscriptions_of(amina)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
