//! Staff see who may miss a letter, on both engines: interviews at risk first, then the
//! notifying letters not yet opened, soonest deemed date first, with how to reach each person
//! and what each message answered; filtered by kind and days left, a page at a time; for
//! staff only.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::Duration;
use reqwest::{StatusCode, header};
use running_app::{
    TestApp,
    visitors::{applicant, get, staff},
};
use server::{
    documents::{
        DocumentKind,
        notice_facts::{DecisionOutcome, NoticeFacts},
        publishing::{Upload, publish},
    },
    notifications::at_risk::PAGE_SIZE,
    printable::{Font, Line, a4_document},
    storage::{Actor, StaffRole},
};
use uuid::Uuid;

async fn post(app: &TestApp, applicant: Uuid, kind: DocumentKind, title: &str, facts: NoticeFacts) {
    let pdf = a4_document(title, &[Line::new(title, Font::Regular, 12.0)]).unwrap();
    let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(pdf))]);
    let upload = Upload {
        applicant_id: applicant,
        kind,
        title: title.to_owned(),
        file_name: "letter.pdf".into(),
        uploaded_by: Actor::system(),
        replacing: None,
        facts,
    };
    publish(&app.services, upload, body).await.unwrap();
}

fn decision() -> NoticeFacts {
    NoticeFacts {
        decision_outcome: Some(DecisionOutcome::Rejection),
        ..Default::default()
    }
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> String {
    let response = get(app, cookie, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

fn position(html: &str, text: &str) -> usize {
    html.find(text)
        .unwrap_or_else(|| panic!("{text} not in the page"))
}

on_both_engines!(
    staff_see_who_may_miss_a_letter_soonest_first,
    &[],
    async |app: &TestApp| {
        let storage = app.services.storage.as_ref();
        // Posted 13 days ago, never opened: two days left.
        let (old, _) = applicant(app, "0710000001").await;
        post(
            app,
            old,
            DocumentKind::Decision,
            "Décision ancienne",
            decision(),
        )
        .await;
        app.services.clock.travel(Duration::days(13));
        // Posted now, an interview in 10 days: before the deemed date.
        let (summoned, _) = applicant(app, "0710000002").await;
        let interview = app.services.clock.now() + Duration::days(10);
        let facts = NoticeFacts {
            appointment_at: Some(interview),
            appointment_place: Some("Fontenay-sous-Bois".into()),
            ..Default::default()
        };
        post(
            app,
            summoned,
            DocumentKind::InterviewSummons,
            "Convocation proche",
            facts,
        )
        .await;
        // Posted now and opened: nobody to worry about.
        let (reader, reader_cookie) = applicant(app, "0710000003").await;
        post(
            app,
            reader,
            DocumentKind::Decision,
            "Décision lue",
            decision(),
        )
        .await;
        let id = storage.documents_of_applicant(reader).await.unwrap()[0].id;
        let opened = get(app, &reader_cookie, &format!("/account/documents/{id}")).await;
        assert_eq!(opened.status(), StatusCode::OK);
        // Posted now, not notifying: not a legal notification, not listed.
        post(
            app,
            reader,
            DocumentKind::Other,
            "Information générale",
            NoticeFacts::default(),
        )
        .await;

        let agent = staff(app, StaffRole::Agent).await;
        let html = page(app, &agent, "/staff/at-risk").await;
        assert!(html.contains("Interviews at risk"), "{html}");
        let interviews = position(&html, "Interviews at risk");
        let unopened = position(
            &html,
            "Unopened letters, soonest deemed notification date first",
        );
        let summons = position(&html, "Convocation proche");
        assert!(
            interviews < summons && summons < unopened,
            "the interview first"
        );
        // Then the oldest letter first, with its days left and the messages sent.
        let old_at = html[unopened..].find("Décision ancienne").unwrap();
        let new_at = html[unopened..].find("Convocation proche").unwrap();
        assert!(old_at < new_at, "soonest deemed date first");
        assert!(html.contains("2 day(s) left"), "{html}");
        assert!(html.contains("Tell the person by phone."), "{html}");
        assert!(html.contains("New document · Email · "), "{html}");
        assert!(html.contains("No contact point: reach them by post or at the desk"));
        assert!(!html.contains("Décision lue"), "opened");
        assert!(!html.contains("Information générale"), "not notifying");
        // The file is linked by id: no foreigner number in an address.
        assert!(html.contains(&format!("href=\"/staff/applicants/{old}\"")));

        // Filters: two days left at most, or summonses only.
        let soon = page(app, &agent, "/staff/at-risk?days=3").await;
        let soon_list = &soon[position(&soon, "Unopened letters")..];
        assert!(soon_list.contains("Décision ancienne"));
        assert!(!soon_list.contains("Convocation proche"));
        let summonses = page(app, &agent, "/staff/at-risk?kind=interview_summons").await;
        assert!(summonses.contains("Convocation proche"));
        assert!(!summonses.contains("Décision ancienne"));
        assert!(
            summonses.contains("<option value=\"interview_summons\" selected"),
            "{summonses}"
        );
    }
);

on_both_engines!(
    a_long_list_comes_a_page_at_a_time,
    &[],
    async |app: &TestApp| {
        let (many, _) = applicant(app, "0710000010").await;
        for index in 0..=PAGE_SIZE {
            let title = format!("Lettre {index:03}");
            post(app, many, DocumentKind::Decision, &title, decision()).await;
            app.services.clock.travel(Duration::seconds(1));
        }
        let agent = staff(app, StaffRole::Agent).await;
        let first = page(app, &agent, "/staff/at-risk").await;
        assert!(first.contains("Lettre 000") && first.contains("Lettre 049"));
        assert!(!first.contains("Lettre 050"));
        let start = position(&first, "href=\"/staff/at-risk?after=");
        let next = &first[start + 6..];
        let next = &next[..next.find('"').unwrap()].replace("&amp;", "&");
        let second = page(app, &agent, next).await;
        assert!(second.contains("Lettre 050"), "{second}");
        assert!(!second.contains("Lettre 049"));
        assert!(
            !second.contains("href=\"/staff/at-risk?after="),
            "the last page"
        );
    }
);

on_both_engines!(only_staff_may_see_the_list, &[], async |app: &TestApp| {
    let (_, applicant_cookie) = applicant(app, "0710000020").await;
    // The page sends an applicant to the staff sign-in; the server function refuses them.
    let as_applicant = get(app, &applicant_cookie, "/staff/at-risk").await;
    assert!(
        as_applicant.status().is_redirection(),
        "{}",
        as_applicant.status()
    );
    for cookie in [applicant_cookie.as_str(), ""] {
        let called = TestApp::client()
            .post(app.url("/api/staff/at-risk"))
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
});
