//! An interview no one can forget, on both engines: the summons' calendar event (`.ics`) for
//! its applicant only; reminders the evening before and on the morning, opened or not,
//! content-free unless the applicant asked for the date and time; a withdrawal that cancels
//! them and says so; and staff warned, on the page and in the API's answer, of an interview
//! that comes before the summons counts as notified.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use espace_usager::notifications::notification_texts::TranslatedNotificationTexts;
use reqwest::{StatusCode, header, multipart};
use running_app::{
    TestApp,
    visitors::{applicant, get, post, session_cookie, staff_file, staff_member},
};
use serde_json::Value;
use server::{
    back_office_api::api_keys::{ApiScope, create},
    documents::office_time::{office_clock, office_date},
    notifications::{
        interview_reminders::{EVE, MORNING, due_times, queue_interview_reminders},
        notification_delivery::deliver_due,
    },
    printable::{Font, Line, a4_document},
    storage::{Actor, Channel, DeliveryStatus, SKIPPED_CANCELLED, StaffRole, SubjectKind},
};
use uuid::Uuid;

/// A summons posted through the API for an interview at `interview`: the answer's JSON.
async fn post_summons(app: &TestApp, number: &str, interview: DateTime<Utc>) -> Value {
    let (_, secret) = create(
        app.services.storage.as_ref(),
        "back-office",
        &[ApiScope::DocumentsWrite],
        Actor::system(),
        Utc::now(),
    )
    .await
    .unwrap();
    let title = "Convocation à un entretien";
    // Each summons its own content (the same file twice is refused as a duplicate).
    let when = interview.to_rfc3339();
    let pdf = a4_document(title, &[Line::new(&when, Font::Regular, 12.0)]).unwrap();
    let form = multipart::Form::new()
        .text("applicant", number.to_owned())
        .text("kind", "interview_summons")
        .text("title", title)
        .text(
            "appointment_at",
            interview.to_rfc3339_opts(SecondsFormat::Secs, true),
        )
        .text("appointment_place", "201 rue Carnot, Fontenay-sous-Bois")
        .part(
            "file",
            multipart::Part::bytes(pdf).file_name("convocation.pdf"),
        );
    let response = TestApp::client()
        .post(app.url("/api/v1/documents"))
        .header(header::AUTHORIZATION, format!("Bearer {}", secret.expose()))
        .header(header::ACCEPT_LANGUAGE, "en")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// A verified email (and a mobile number given at registration), straight in the database:
/// these tests are about what is sent to them.
async fn verified_email(app: &TestApp, applicant: Uuid, address: &str) {
    let id = if app.services.storage.engine() == "sqlite" {
        format!("x'{}'", applicant.simple())
    } else {
        format!("'{applicant}'")
    };
    let sql = format!(
        "UPDATE applicants SET email = '{address}', \
         email_verified_at = '2026-01-01T00:00:00+00:00', given_phone = '+33698765432' \
         WHERE id = {id}"
    );
    assert_eq!(app.database.execute_raw(&sql).await.unwrap(), 1);
}

/// Moves the clock to `at` (never back).
fn travel_to(app: &TestApp, at: DateTime<Utc>) {
    let now = app.services.clock.now();
    if at > now {
        app.services.clock.travel(at - now);
    }
}

async fn queue_and_deliver(app: &TestApp) -> u64 {
    let queued = queue_interview_reminders(&app.services).await.unwrap();
    deliver_due(&app.services, &TranslatedNotificationTexts)
        .await
        .unwrap();
    queued
}

on_both_engines!(
    the_summons_goes_into_the_applicants_calendar_and_nobody_elses,
    &[],
    async |app: &TestApp| {
        let (_, cookie) = applicant(app, "0709000001").await;
        let (_, other) = applicant(app, "0709000002").await;
        let interview = app.services.clock.now() + Duration::days(30);
        let posted = post_summons(app, "0709000001", interview).await;
        let id = posted["id"].as_str().unwrap();
        let path = format!("/account/documents/{id}/calendar.ics");

        let inbox = get(app, &cookie, "/account").await.text().await.unwrap();
        assert!(inbox.contains(&format!("href=\"{path}\"")), "{inbox}");
        assert!(inbox.contains("Add to my calendar"), "{inbox}");

        let response = get(app, &cookie, &path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/calendar; charset=utf-8"
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let file = response.text().await.unwrap();
        let lines: Vec<String> = file
            .replace("\r\n ", "")
            .split("\r\n")
            .map(str::to_owned)
            .collect();
        let local = server::documents::office_time::in_office_time(interview);
        let start = format!(
            "DTSTART;TZID=Europe/Paris:{}",
            local.format("%Y%m%dT%H%M%S")
        );
        assert!(lines.contains(&start), "{file}");
        assert!(lines.contains(&"TZID:Europe/Paris".to_owned()), "{file}");
        assert!(lines.contains(&"TRIGGER:-P1D".to_owned()), "{file}");
        assert!(lines.contains(&"TRIGGER:-PT2H".to_owned()), "{file}");
        assert!(
            lines.contains(&"LOCATION:201 rue Carnot\\, Fontenay-sous-Bois".to_owned()),
            "{file}"
        );

        // Someone else's summons, a made-up id, no session: as if there were none.
        assert_eq!(
            get(app, &other, &path).await.status(),
            StatusCode::NOT_FOUND
        );
        let made_up = format!("/account/documents/{}/calendar.ics", Uuid::new_v4());
        assert_eq!(
            get(app, &cookie, &made_up).await.status(),
            StatusCode::NOT_FOUND
        );
        let anonymous = get(app, "", &path).await;
        assert!(
            anonymous.status().is_redirection() || anonymous.status() == StatusCode::UNAUTHORIZED,
            "{}",
            anonymous.status()
        );
    }
);

on_both_engines!(
    reminders_the_evening_before_and_the_morning_whether_or_not_opened,
    &[],
    async |app: &TestApp| {
        let storage = app.services.storage.as_ref();
        let (amina, _) = applicant(app, "0709000003").await;
        verified_email(app, amina, "amina@example.org").await;
        // Three days ahead at 08:30 UTC (09:30 or 10:30 in Paris).
        let day = (app.services.clock.now() + Duration::days(3)).date_naive();
        let interview = day.and_hms_opt(8, 30, 0).unwrap().and_utc();
        let posted = post_summons(app, "0709000003", interview).await;
        let id = Uuid::parse_str(posted["id"].as_str().unwrap()).unwrap();
        deliver_due(&app.services, &TranslatedNotificationTexts)
            .await
            .unwrap();
        let [(_, Some(eve)), (_, Some(morning))] = due_times(interview) else {
            panic!("both reminders have a time");
        };
        // Not before it is due.
        travel_to(app, eve - Duration::minutes(5));
        assert_eq!(queue_and_deliver(app).await, 0);

        travel_to(app, eve + Duration::minutes(1));
        assert_eq!(queue_and_deliver(app).await, 4, "one per channel");
        // Queued once, however often the job runs.
        assert_eq!(queue_and_deliver(app).await, 0);
        let email = app.last_message_decoded();
        assert!(email.contains("To: amina@example.org"), "{email}");
        // In the applicant's language (French here), and content-free.
        assert!(
            email.contains("Vous avez un rendez-vous demain."),
            "{email}"
        );
        assert!(
            !email.contains(&office_clock(interview)),
            "content-free: {email}"
        );
        assert!(!email.to_lowercase().contains("entretien"), "{email}");
        let cookie = session_cookie(app, SubjectKind::Applicant, amina).await;
        let centre = get(app, &cookie, "/account/notifications")
            .await
            .text()
            .await
            .unwrap();
        let tomorrow = format!(
            "Reminder: your interview is tomorrow, {} at {}",
            office_date(interview),
            office_clock(interview)
        );
        assert!(centre.contains(&tomorrow), "{centre}");

        // Opened, and details asked for: the morning one still comes, with the time.
        let opened = get(app, &cookie, &format!("/account/documents/{id}")).await;
        assert_eq!(opened.status(), StatusCode::OK);
        let chosen = post(
            app,
            &cookie,
            "/account/contact/channels",
            &[("email", "on"), ("sms", "on"), ("detailed_reminders", "on")],
        )
        .await;
        assert_eq!(
            running_app::visitors::location(&chosen),
            "/account/contact?channels=saved"
        );
        travel_to(app, morning + Duration::minutes(1));
        assert_eq!(queue_and_deliver(app).await, 4);
        let email = app.last_message_decoded();
        let at = format!(
            "Vous avez un rendez-vous aujourd'hui à {}.",
            office_clock(interview)
        );
        assert!(email.contains(&at), "{email}");
        // The number noted at registration gets the reminder too, never its time: nobody
        // proved it is the applicant's.
        let texts: Vec<serde_json::Value> = std::fs::read_dir(app.data_path().join("outbox"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("sms-"))
            .map(|entry| serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap())
            .collect();
        let today: Vec<&str> = texts
            .iter()
            .filter(|text| text["to"] == "+33698765432")
            .filter_map(|text| text["text"].as_str())
            .filter(|text| text.contains("aujourd'hui"))
            .collect();
        assert_eq!(today.len(), 1, "{texts:?}");
        assert!(!today[0].contains(&office_clock(interview)), "{}", today[0]);
        let rows = storage.notifications_of_applicant(amina).await.unwrap();
        for reason in [EVE, MORNING] {
            let sent = rows
                .iter()
                .find(|row| row.reason == reason && row.channel == Channel::Email)
                .unwrap();
            assert_eq!(sent.status, DeliveryStatus::Sent, "{reason}");
        }
        // Once the interview has begun, nothing more.
        travel_to(app, interview + Duration::minutes(1));
        assert_eq!(queue_and_deliver(app).await, 0);
    }
);

on_both_engines!(
    a_withdrawn_summons_cancels_its_reminders_and_says_so,
    &[],
    async |app: &TestApp| {
        let storage = app.services.storage.as_ref();
        let (nour, _) = applicant(app, "0709000004").await;
        let day = (app.services.clock.now() + Duration::days(3)).date_naive();
        let interview = day.and_hms_opt(8, 30, 0).unwrap().and_utc();
        let posted = post_summons(app, "0709000004", interview).await;
        let id = Uuid::parse_str(posted["id"].as_str().unwrap()).unwrap();
        let [(_, Some(eve)), _] = due_times(interview) else {
            panic!("an evening reminder");
        };
        // The evening reminder is queued but not yet sent when the summons is withdrawn.
        travel_to(app, eve + Duration::minutes(1));
        assert_eq!(queue_interview_reminders(&app.services).await.unwrap(), 4);
        let (supervisor, _) = staff_member(app, StaffRole::Supervisor).await;
        let member = storage
            .find_staff_member(supervisor)
            .await
            .unwrap()
            .unwrap();
        server::documents::withdrawal::withdraw(&app.services, &member, id, "Date changed")
            .await
            .unwrap();
        let rows = storage.notifications_of_applicant(nour).await.unwrap();
        let email = rows
            .iter()
            .find(|row| row.reason == EVE && row.channel == Channel::Email)
            .unwrap();
        assert_eq!(email.status, DeliveryStatus::Skipped);
        assert_eq!(email.last_error.as_deref(), Some(SKIPPED_CANCELLED));
        assert_eq!(
            deliver_due(&app.services, &TranslatedNotificationTexts)
                .await
                .unwrap()
                .sent,
            0
        );
        // The morning finds nothing to remind.
        let [_, (_, Some(morning))] = due_times(interview) else {
            panic!("a morning reminder");
        };
        travel_to(app, morning + Duration::minutes(1));
        assert_eq!(queue_interview_reminders(&app.services).await.unwrap(), 0);
        // The notification centre says the interview is off.
        let cookie = session_cookie(app, SubjectKind::Applicant, nour).await;
        let centre = get(app, &cookie, "/account/notifications")
            .await
            .text()
            .await
            .unwrap();
        let cancelled = format!(
            "The interview of {} at {} is cancelled",
            office_date(interview),
            office_clock(interview)
        );
        assert!(centre.contains(&cancelled), "{centre}");
        // And staff see why the reminders stopped.
        let (_, agent) = staff_member(app, StaffRole::Agent).await;
        let file = staff_file(app, &agent, "0709000004").await;
        assert!(
            file.contains("Cancelled: the summons was withdrawn"),
            "{file}"
        );
        assert!(
            file.contains("Interview reminder, the evening before"),
            "{file}"
        );
    }
);

on_both_engines!(
    staff_are_warned_of_an_interview_before_the_deemed_date,
    &[],
    async |app: &TestApp| {
        applicant(app, "0709000005").await;
        // The trial's case: an interview 13 days after posting, deemed notified after 15.
        let soon = app.services.clock.now() + Duration::days(13);
        let posted = post_summons(app, "0709000005", soon).await;
        assert_eq!(
            posted["warnings"][0]["code"], "interview_before_deemed_notification",
            "{posted}"
        );
        let message = posted["warnings"][0]["message"].as_str().unwrap();
        assert!(message.contains(&office_date(soon)), "{message}");
        let deemed = app.services.clock.now() + Duration::days(15);
        assert!(message.contains(&office_date(deemed)), "{message}");
        // Accepted all the same: a warning, not a refusal.
        assert_eq!(posted["notification"]["status"], "pending");

        let later = app.services.clock.now() + Duration::days(40);
        let fine = post_summons(app, "0709000005", later).await;
        assert!(fine.get("warnings").is_none(), "{fine}");

        let (_, agent) = staff_member(app, StaffRole::Agent).await;
        let file = staff_file(app, &agent, "0709000005").await;
        assert!(file.contains("Tell the person by phone."), "{file}");
        assert!(file.contains(&office_date(soon)), "{file}");
    }
);
