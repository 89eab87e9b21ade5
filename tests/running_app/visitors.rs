//! Who visits the running app in the tests: applicants and staff members with a session made
//! the way sign-in makes it, and the requests their browsers send.

#![allow(dead_code)]

use reqwest::header;
use server::{
    accounts::sessions,
    storage::{NewStaffMember, StaffRole, SubjectKind},
};
use uuid::Uuid;

use super::{TestApp, register_applicant};

/// A signed-in session's cookie header, made the way sign-in makes it: with the step-up of the
/// password (or, for staff, the authenticator code) just typed.
pub async fn session_cookie(app: &TestApp, kind: SubjectKind, subject: Uuid) -> String {
    let started = start(app, kind, subject).await;
    let session = format!("{}={}", cookie_name(kind), started.token);
    let tokens = app.services.session_tokens();
    let step_up =
        server::accounts::step_up::grant(&tokens, &started.signed_in, app.services.clock.now());
    let step_up_name = if kind == SubjectKind::Staff {
        "eu-staff-step-up"
    } else {
        "eu-step-up"
    };
    format!("{session}; {step_up_name}={step_up}")
}

/// The session alone, as on a phone whose password was typed long ago.
pub async fn session_only_cookie(app: &TestApp, kind: SubjectKind, subject: Uuid) -> String {
    let started = start(app, kind, subject).await;
    format!("{}={}", cookie_name(kind), started.token)
}

async fn start(app: &TestApp, kind: SubjectKind, subject: Uuid) -> sessions::StartedSession {
    sessions::start(
        app.services.storage.as_ref(),
        &app.services.session_tokens(),
        kind,
        subject,
        false,
        None,
        app.services.clock.now(),
    )
    .await
    .unwrap()
}

fn cookie_name(kind: SubjectKind) -> &'static str {
    if kind == SubjectKind::Staff {
        "eu-staff"
    } else {
        "eu-session"
    }
}

/// A registered applicant and their session's cookie header.
pub async fn applicant(app: &TestApp, number: &str) -> (Uuid, String) {
    register_applicant(app, number).await;
    let id = app
        .services
        .storage
        .find_applicant_by_foreigner_number(number)
        .await
        .unwrap()
        .unwrap()
        .id;
    (id, session_cookie(app, SubjectKind::Applicant, id).await)
}

/// A staff member of `role` and their session's cookie header.
pub async fn staff(app: &TestApp, role: StaffRole) -> String {
    staff_member(app, role).await.1
}

/// A staff member of `role`: their id, to sign in again later, and their session's cookie header.
pub async fn staff_member(app: &TestApp, role: StaffRole) -> (Uuid, String) {
    let member = app
        .services
        .storage
        .insert_staff_member(&NewStaffMember {
            email: format!("{}@office.example", role.as_str()),
            display_name: format!("Camille {}", role.as_str()),
            role,
            password_hash: "not used".into(),
        })
        .await
        .unwrap();
    let cookie = session_cookie(app, SubjectKind::Staff, member.id).await;
    (member.id, cookie)
}

/// A page as an English-speaking browser asks for it.
pub async fn get(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    TestApp::client()
        .get(app.url(path))
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap()
}

/// A plain form posted from the portal's own pages.
pub async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    post_accepting(app, cookie, path, form, "*/*").await
}

async fn post_accepting(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    accept: &str,
) -> reqwest::Response {
    TestApp::client()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, app.url(""))
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(header::ACCEPT, accept)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Where a redirect leads.
pub fn location(response: &reqwest::Response) -> &str {
    response.headers()[header::LOCATION].to_str().unwrap()
}

/// A form posted by a browser, which asks for a page back: a refused staff form is answered
/// with its page, as typed, instead of a redirect.
pub async fn post_from_browser(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    post_accepting(app, cookie, path, form, "text/html,application/xhtml+xml").await
}

/// The address of an applicant's file, found by number as staff find it (the address itself
/// names the applicant by id only).
pub async fn staff_file_address(app: &TestApp, cookie: &str, number: &str) -> String {
    let found = post(app, cookie, "/staff/find", &[("number", number)]).await;
    assert_eq!(
        found.status(),
        reqwest::StatusCode::SEE_OTHER,
        "{number} is found"
    );
    location(&found).to_owned()
}

/// An applicant's file, found by number as staff find it.
pub async fn staff_file(app: &TestApp, cookie: &str, number: &str) -> String {
    let address = staff_file_address(app, cookie, number).await;
    let page = get(app, cookie, &address).await;
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    page.text().await.unwrap()
}
