//! The applicant's whole journey over HTTP, on both engines: activation, email verification,
//! sign-out, sign-in with a code on a new device, a remembered device, "sign out everywhere",
//! and the refusals in between.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use reqwest::{Response, StatusCode, header};
use running_app::{TestApp, register_applicant};

const PASSWORD: &str = "a long phrase I remember";

fn location(response: &Response) -> &str {
    response.headers()[header::LOCATION].to_str().unwrap()
}

/// The value of one cookie set by a response (`None` when absent, `Some("")` when cleared).
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|line| line.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

/// A browser, reduced to what matters here: the cookies it holds.
#[derive(Default, Clone)]
struct Jar {
    session: Option<String>,
    pending: Option<String>,
    device: Option<String>,
    reset: Option<String>,
}

impl Jar {
    fn header(&self) -> String {
        [
            ("eu-session", &self.session),
            ("eu-pending", &self.pending),
            ("eu-device", &self.device),
            ("eu-reset", &self.reset),
        ]
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|value| format!("{name}={value}")))
        .collect::<Vec<_>>()
        .join("; ")
    }

    fn take(&mut self, response: &Response) {
        for (name, slot) in [
            ("eu-session", &mut self.session),
            ("eu-pending", &mut self.pending),
            ("eu-device", &mut self.device),
            ("eu-reset", &mut self.reset),
        ] {
            if let Some(value) = set_cookie(response, name) {
                *slot = (!value.is_empty()).then_some(value);
            }
        }
    }
}

async fn post(app: &TestApp, jar: &mut Jar, path: &str, form: &[(&str, &str)]) -> Response {
    let response = TestApp::client()
        .post(app.url(path))
        .header(header::COOKIE, jar.header())
        .header(header::ACCEPT_LANGUAGE, "en")
        .form(form)
        .send()
        .await
        .unwrap();
    jar.take(&response);
    response
}

async fn get(app: &TestApp, jar: &mut Jar, path: &str) -> Response {
    let response = TestApp::client()
        .get(app.url(path))
        .header(header::COOKIE, jar.header())
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    jar.take(&response);
    response
}

async fn activate(app: &TestApp, jar: &mut Jar, number: &str) {
    let key = register_applicant(app, number).await;
    let done = post(
        app,
        jar,
        "/activate",
        &[
            ("foreigner_number", number),
            ("connection_key", &key),
            ("birth_day", "29"),
            ("birth_month", "2"),
            ("birth_year", "2000"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(location(&done), "/account/contact?activated=1");
    assert!(jar.session.is_some());
}

async fn verify_email(app: &TestApp, jar: &mut Jar, email: &str) {
    let sent = post(app, jar, "/account/contact", &[("email", email)]).await;
    let confirm_page = location(&sent).to_owned();
    assert!(
        confirm_page.starts_with("/account/contact/confirm?code="),
        "{confirm_page}"
    );
    assert!(confirm_page.ends_with("&via=email"), "{confirm_page}");
    let code_id = confirm_page
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap()
        .to_owned();
    let (code, to) = app.last_code();
    assert!(to.contains(email), "{to}");
    let confirmed = post(
        app,
        jar,
        "/account/contact/confirm",
        &[("code_id", &code_id), ("code", &code)],
    )
    .await;
    assert_eq!(location(&confirmed), "/account?contact=confirmed");
}

async fn sign_in_with_password(
    app: &TestApp,
    jar: &mut Jar,
    number: &str,
    password: &str,
) -> Response {
    post(
        app,
        jar,
        "/sign-in",
        &[("foreigner_number", number), ("password", password)],
    )
    .await
}

on_both_engines!(
    an_applicant_activates_verifies_email_and_signs_in_on_a_new_device,
    &[],
    async |app: &TestApp| {
        let mut phone = Jar::default();
        activate(app, &mut phone, "0700000001").await;

        // Signed in straight after activation, and the space says what is missing.
        let space = get(app, &mut phone, "/account").await;
        assert_eq!(space.status(), StatusCode::OK);
        let html = space.text().await.unwrap();
        assert!(html.contains("<h1>Hello Nour</h1>"), "{html}");
        assert!(
            html.contains("no verified email address or phone yet"),
            "{html}"
        );

        // A mistyped address is refused before any code is sent.
        let bad = post(app, &mut phone, "/account/contact", &[("email", "nour@")]).await;
        assert_eq!(location(&bad), "/account/contact?error=email");
        assert!(app.outbox().is_empty());

        verify_email(app, &mut phone, "nour@example.org").await;
        let html = get(app, &mut phone, "/account").await.text().await.unwrap();
        assert!(
            html.contains("Verified email address: nour@example.org"),
            "{html}"
        );

        // Sign out: the old cookie no longer opens anything.
        let old_session = phone.session.clone();
        let out = post(app, &mut phone, "/sign-out", &[]).await;
        assert_eq!(location(&out), "/sign-in?signed_out=1");
        assert_eq!(phone.session, None);
        let mut thief = Jar {
            session: old_session,
            ..Jar::default()
        };
        let refused = get(app, &mut thief, "/account").await;
        assert_eq!(location(&refused), "/sign-in");

        // A new device: password, then the code sent by email.
        let mut laptop = Jar::default();
        let first = sign_in_with_password(app, &mut laptop, "07 00 00 00 01", PASSWORD).await;
        assert_eq!(location(&first), "/sign-in/code?via=email");
        assert!(laptop.pending.is_some() && laptop.session.is_none());
        let (code, _) = app.last_code();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let retry = post(app, &mut laptop, "/sign-in/code", &[("code", wrong)]).await;
        assert_eq!(location(&retry), "/sign-in/code?via=email&error=code_wrong");
        let signed = post(
            app,
            &mut laptop,
            "/sign-in/code",
            &[("code", &code), ("remember_device", "on")],
        )
        .await;
        assert_eq!(location(&signed), "/account");
        assert!(laptop.session.is_some() && laptop.device.is_some());
        assert_eq!(laptop.pending, None);
        // The code was spent: replaying the second step fails.
        let mut replayer = Jar {
            pending: set_cookie(&first, "eu-pending"),
            ..Jar::default()
        };
        let replay = post(app, &mut replayer, "/sign-in/code", &[("code", &code)]).await;
        assert_eq!(
            location(&replay),
            "/sign-in/code?via=email&error=code_expired"
        );
        assert_eq!(replayer.session, None);

        // The remembered laptop signs in with the password alone, unless declared shared.
        let out = post(app, &mut laptop, "/sign-out", &[]).await;
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        let again = sign_in_with_password(app, &mut laptop, "0700000001", PASSWORD).await;
        assert_eq!(location(&again), "/account");
        let shared = post(
            app,
            &mut laptop.clone(),
            "/sign-in",
            &[
                ("foreigner_number", "0700000001"),
                ("password", PASSWORD),
                ("shared_device", "on"),
            ],
        )
        .await;
        assert_eq!(location(&shared), "/sign-in/code?via=email&shared=1");

        // "Sign out everywhere" ends the laptop's session and forgets the device.
        let laptop_session = laptop.session.clone();
        let mut phone = Jar::default();
        sign_in_with_password(app, &mut phone, "0700000001", PASSWORD).await;
        let (code, _) = app.last_code();
        post(app, &mut phone, "/sign-in/code", &[("code", &code)]).await;
        assert!(phone.session.is_some());
        let everywhere = post(app, &mut phone, "/sign-out/everywhere", &[]).await;
        assert_eq!(location(&everywhere), "/sign-in?signed_out=1");
        let mut laptop_after = Jar {
            session: laptop_session,
            device: laptop.device.clone(),
            ..Jar::default()
        };
        assert_eq!(
            location(&get(app, &mut laptop_after, "/account").await),
            "/sign-in"
        );
        let forgotten = sign_in_with_password(app, &mut laptop_after, "0700000001", PASSWORD).await;
        assert_eq!(location(&forgotten), "/sign-in/code?via=email");

        let actions: Vec<String> = app
            .services
            .storage
            .recent_audit_events(100)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect();
        for action in [
            "account_activation",
            "email_verified",
            "sign_in_password",
            "sign_in_code",
            "session_start",
            "sign_out",
            "sign_out_everywhere",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
);

on_both_engines!(
    wrong_passwords_and_unknown_numbers_get_one_localized_answer,
    &[],
    async |app: &TestApp| {
        let mut jar = Jar::default();
        activate(app, &mut jar, "0700000002").await;
        let mut stranger = Jar::default();
        for (number, password) in [
            ("0700000002", "not my password"),
            ("0799999999", PASSWORD),
            ("", PASSWORD),
        ] {
            let refused = sign_in_with_password(app, &mut stranger, number, password).await;
            let expected = if number.is_empty() {
                "/sign-in?error=missing"
            } else {
                "/sign-in?error=refused"
            };
            assert_eq!(location(&refused), expected, "{number}");
            assert_eq!(stranger.session, None);
        }
        let page = get(app, &mut stranger, "/sign-in?error=refused")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("The number or the password is not correct.")
                && page.contains("<title>Error: Sign in – Espace usager</title>"),
            "{page}"
        );

        // Without the pending cookie, the code step sends back to the start.
        let orphan = post(app, &mut stranger, "/sign-in/code", &[("code", "123456")]).await;
        assert_eq!(location(&orphan), "/sign-in?error=expired");
    }
);

on_both_engines!(
    the_applicant_area_and_its_server_function_refuse_strangers,
    &[],
    async |app: &TestApp| {
        let mut nobody = Jar::default();
        for path in ["/account", "/account/contact", "/account/contact/confirm"] {
            let response = get(app, &mut nobody, path).await;
            assert_eq!(location(&response), "/sign-in", "{path}");
        }
        for path in [
            "/account/contact",
            "/account/extend",
            "/account/contact/confirm",
        ] {
            let form = post(app, &mut nobody, path, &[("email", "x@example.org")]).await;
            assert_eq!(location(&form), "/sign-in?error=expired", "{path}");
        }

        let forged = Jar {
            session: Some("eyJhbGciOiJub25lIn0.e30.".into()),
            ..Jar::default()
        };
        let overview = TestApp::client()
            .post(app.url("/api/account/overview"))
            .header(header::COOKIE, forged.header())
            .send()
            .await
            .unwrap();
        assert_eq!(overview.status(), StatusCode::UNAUTHORIZED);
        assert!(
            set_cookie(&overview, "eu-session").is_some_and(|value| value.is_empty()),
            "a cookie that opens nothing is cleared"
        );

        // One applicant's session reads only their own account.
        let mut first = Jar::default();
        activate(app, &mut first, "0700000003").await;
        let own = TestApp::client()
            .post(app.url("/api/account/overview"))
            .header(header::COOKIE, first.header())
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), StatusCode::OK);
        let body = own.text().await.unwrap();
        assert!(body.contains("Nour"), "{body}");

        // "Stay signed in" keeps the session going.
        let extended = post(app, &mut first, "/account/extend", &[]).await;
        assert_eq!(location(&extended), "/account");
        // ...and goes back to the page it was asked from, never off the applicant's space.
        let back = [("return_to", "/account/notifications")];
        let extended = post(app, &mut first, "/account/extend", &back).await;
        assert_eq!(location(&extended), "/account/notifications");
        let from_help = [("return_to", "/help?topic=key")];
        let extended = post(app, &mut first, "/account/extend", &from_help).await;
        assert_eq!(location(&extended), "/help?topic=key");
        let extended = post(app, &mut first, "/account/extend", &[("return_to", "/")]).await;
        assert_eq!(location(&extended), "/");
        for elsewhere in [
            "//evil.example",
            "/staff",
            "/staff/members",
            "https://evil.example",
        ] {
            let extended = post(
                app,
                &mut first,
                "/account/extend",
                &[("return_to", elsewhere)],
            )
            .await;
            assert_eq!(location(&extended), "/account", "{elsewhere}");
        }
    }
);

/// The code of the newest message, once it has arrived (reset codes are sent off the request).
async fn code_when_sent(app: &TestApp, previous_messages: usize) -> String {
    for _ in 0..100 {
        if app.outbox().len() > previous_messages {
            return app.last_code().0;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no new message in the outbox");
}

on_both_engines!(
    a_forgotten_password_is_reset_by_email_code_and_every_session_ends,
    &[],
    async |app: &TestApp| {
        let mut phone = Jar::default();
        activate(app, &mut phone, "0700000004").await;
        verify_email(app, &mut phone, "reset@example.org").await;

        // An unknown number gets the very same answer, and no email.
        let before = app.outbox().len();
        let mut stranger = Jar::default();
        let unknown = post(
            app,
            &mut stranger,
            "/sign-in/reset",
            &[("foreigner_number", "0799999998")],
        )
        .await;
        assert_eq!(location(&unknown), "/sign-in/reset/code");
        assert!(set_cookie(&unknown, "eu-reset").is_some());
        let guess = post(
            app,
            &mut stranger,
            "/sign-in/reset/code",
            &[("code", "123456"), ("password", "a brand new phrase")],
        )
        .await;
        assert_eq!(location(&guess), "/sign-in/reset/code?error=code_expired");

        let mut forgetful = Jar::default();
        let asked = post(
            app,
            &mut forgetful,
            "/sign-in/reset",
            &[("foreigner_number", "07 00 00 00 04")],
        )
        .await;
        assert_eq!(location(&asked), "/sign-in/reset/code");
        let code = code_when_sent(app, before).await;
        assert_eq!(
            app.outbox().len(),
            before + 1,
            "one email, for the real account"
        );

        // A weak password is refused without spending the code.
        let weak = post(
            app,
            &mut forgetful,
            "/sign-in/reset/code",
            &[("code", &code), ("password", "password")],
        )
        .await;
        assert_eq!(location(&weak), "/sign-in/reset/code?error=common");
        let done = post(
            app,
            &mut forgetful,
            "/sign-in/reset/code",
            &[("code", &code), ("password", "a brand new phrase")],
        )
        .await;
        assert_eq!(location(&done), "/sign-in?reset=1");

        // The phone's session ended with the old password.
        assert_eq!(
            location(&get(app, &mut phone, "/account").await),
            "/sign-in"
        );
        let old = sign_in_with_password(app, &mut Jar::default(), "0700000004", PASSWORD).await;
        assert_eq!(location(&old), "/sign-in?error=refused");
        // The new password still needs the second factor on a new device.
        let new =
            sign_in_with_password(app, &mut Jar::default(), "0700000004", "a brand new phrase")
                .await;
        assert_eq!(location(&new), "/sign-in/code?via=email");
    }
);
