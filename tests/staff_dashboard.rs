//! The staff dashboard, on both engines: the figures it draws are those the documents record
//! (posted, opened, deemed notified, time to first opening, each channel's messages, who may
//! miss a letter), kept between computations and computed again once stale by one caller;
//! counts only, never a name; for staff only.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::Duration;
use espace_usager::notifications::notification_texts::TranslatedNotificationTexts;
use reqwest::{StatusCode, header};
use running_app::{
    TestApp,
    visitors::{applicant, get, session_cookie, staff},
};
use server::{
    dashboard::refresh_if_stale,
    documents::{
        DocumentKind,
        notice_facts::{DecisionOutcome, NoticeFacts},
        publishing::{Upload, publish},
    },
    notifications::notification_delivery::deliver_due,
    printable::{Font, Line, a4_document},
    storage::{Actor, StaffRole, SubjectKind},
};
use uuid::Uuid;

async fn post(app: &TestApp, applicant: Uuid, kind: DocumentKind, title: &str) -> Uuid {
    let pdf = a4_document(title, &[Line::new(title, Font::Regular, 12.0)]).unwrap();
    let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(pdf))]);
    let facts = match kind {
        DocumentKind::Decision => NoticeFacts {
            decision_outcome: Some(DecisionOutcome::Rejection),
            ..Default::default()
        },
        DocumentKind::InterviewSummons => NoticeFacts {
            appointment_at: Some(app.services.clock.now() + Duration::days(40)),
            appointment_place: Some("Fontenay-sous-Bois".into()),
            ..Default::default()
        },
        _ => NoticeFacts::default(),
    };
    let upload = Upload {
        applicant_id: applicant,
        kind,
        title: title.to_owned(),
        file_name: "letter.pdf".into(),
        uploaded_by: Actor::system(),
        replacing: None,
        facts,
    };
    publish(&app.services, upload, body).await.unwrap().id
}

/// The applicant opens a letter, signed in afresh (time travels past sessions' ends here).
async fn open(app: &TestApp, applicant: Uuid, document: Uuid) {
    let cookie = session_cookie(app, SubjectKind::Applicant, applicant).await;
    let opened = get(app, &cookie, &format!("/account/documents/{document}")).await;
    assert_eq!(opened.status(), StatusCode::OK);
}

async fn dashboard(app: &TestApp, cookie: &str) -> String {
    let response = get(app, cookie, "/staff/dashboard").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// The rows of the table captioned `caption`, each as its cells' text.
fn table(html: &str, caption: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<caption>{caption}"))
        .unwrap_or_else(|| panic!("no table {caption}"));
    let body = &html[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split(['<', '>'])
                .enumerate()
                // Text sits between tags: every other piece, once markup and markers are out.
                .filter(|(index, _)| index % 2 == 0)
                .map(|(_, text)| text.trim().to_owned())
                .filter(|text| !text.is_empty())
                .collect()
        })
        .collect()
}

/// A column of the weekly table summed over the twelve weeks.
fn total(rows: &[Vec<String>], column: usize) -> u64 {
    rows.iter()
        .map(|row| row[column].parse::<u64>().unwrap())
        .sum()
}

const WEEKLY: &str = "Letters posted, opened and deemed notified, by week";
const DELAYS: &str = "Time from posting to first opening, by kind";
const CHANNELS: &str = "Messages sent, by channel";

on_both_engines!(
    the_dashboard_draws_what_the_documents_record,
    &[],
    async |app: &TestApp| {
        let (amina, _) = applicant(app, "0720000001").await;
        let (bilal, _) = applicant(app, "0720000002").await;
        let first = post(app, amina, DocumentKind::Decision, "Décision de Amina").await;
        post(
            app,
            amina,
            DocumentKind::InterviewTranscript,
            "Compte rendu",
        )
        .await;
        post(app, bilal, DocumentKind::InterviewSummons, "Convocation").await;
        post(app, bilal, DocumentKind::Other, "Information").await;
        deliver_due(&app.services, &TranslatedNotificationTexts)
            .await
            .unwrap();
        // Amina opens her decision two hours and a half after it was posted.
        app.services.clock.travel(Duration::minutes(150));
        open(app, amina, first).await;
        // Sixteen days on, the transcript and the summons count as notified by the rule; a
        // new letter waits.
        app.services.clock.travel(Duration::days(16));
        let waiting = post(app, amina, DocumentKind::Decision, "Nouvelle décision").await;

        let agent = staff(app, StaffRole::Agent).await;
        let html = dashboard(app, &agent).await;
        let weeks = table(&html, WEEKLY);
        assert_eq!(weeks.len(), 12, "{weeks:?}");
        assert_eq!(total(&weeks, 1), 5, "posted: {weeks:?}");
        assert_eq!(total(&weeks, 2), 1, "opened: {weeks:?}");
        assert_eq!(total(&weeks, 3), 2, "deemed notified: {weeks:?}");
        assert_eq!(
            table(&html, DELAYS),
            vec![vec!["Decision", "1", "2 h 30 min", "2 h 30 min"]],
        );
        let channels = table(&html, CHANNELS);
        assert_eq!(channels[0][0], "Email", "{channels:?}");
        assert!(html.contains("Notifying letters not opened and not yet deemed notified: 1"));
        assert!(html.contains("role=\"img\" aria-labelledby=\"weekly-title\""));
        // Counts only: no name, number or title is kept with the figures.
        let stored = app
            .services
            .storage
            .stored_dashboard()
            .await
            .unwrap()
            .unwrap();
        for personal in ["Nour", "Test", "0720000001", "Décision", "Convocation"] {
            assert!(!stored.figures.contains(personal), "{personal} kept");
        }

        // The figures are kept: opening the new letter shows once they are computed again,
        // by the first caller after five minutes, and by one only.
        open(app, amina, waiting).await;
        let kept = dashboard(app, &agent).await;
        assert_eq!(total(&table(&kept, WEEKLY), 2), 1);
        assert!(
            !refresh_if_stale(&app.services).await.unwrap(),
            "still fresh"
        );
        app.services.clock.travel(Duration::minutes(6));
        assert!(refresh_if_stale(&app.services).await.unwrap());
        assert!(!refresh_if_stale(&app.services).await.unwrap(), "once");
        let fresh = dashboard(app, &agent).await;
        assert_eq!(total(&table(&fresh, WEEKLY), 2), 2);
        // Figures kept in a shape that no longer reads are counted again once stale.
        let storage = app.services.storage.as_ref();
        let now = app.services.clock.now();
        storage
            .store_dashboard(now - Duration::minutes(6), "{}")
            .await
            .unwrap();
        assert!(refresh_if_stale(&app.services).await.unwrap());
        assert_eq!(total(&table(&dashboard(app, &agent).await, WEEKLY), 2), 2);
        assert!(fresh.contains("Notifying letters not opened and not yet deemed notified: 0"));
    }
);

on_both_engines!(
    only_staff_may_see_the_dashboard,
    &[],
    async |app: &TestApp| {
        let (_, applicant_cookie) = applicant(app, "0720000020").await;
        let as_applicant = get(app, &applicant_cookie, "/staff/dashboard").await;
        assert!(
            as_applicant.status().is_redirection(),
            "{}",
            as_applicant.status()
        );
        for cookie in [applicant_cookie.as_str(), ""] {
            let called = TestApp::client()
                .post(app.url("/api/staff/dashboard"))
                .header(header::COOKIE, cookie)
                .header(header::ORIGIN, app.url(""))
                .send()
                .await
                .unwrap();
            assert!(
                matches!(
                    called.status(),
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ),
                "{}",
                called.status()
            );
        }
        // Every role of staff may read it.
        for role in [
            StaffRole::Agent,
            StaffRole::Supervisor,
            StaffRole::Administrator,
        ] {
            let cookie = staff(app, role).await;
            assert!(dashboard(app, &cookie).await.contains("Dashboard"));
        }
    }
);
