//! The applicant's whole journey over HTTP, on both engines: activation, email verification,
//! sign-out, sign-in with a code on a new device, a remembered device, "sign out everywhere",
//! and the refusals in between.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use reqwest::{Response, StatusCode, header};
use running_app::{TestApp, register_applicant};
use server::accounts::throttle;

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
    known: Option<String>,
    step_up: Option<String>,
}

impl Jar {
    fn header(&self) -> String {
        [
            ("eu-session", &self.session),
            ("eu-pending", &self.pending),
            ("eu-device", &self.device),
            ("eu-reset", &self.reset),
            ("eu-known", &self.known),
            ("eu-step-up", &self.step_up),
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
            ("eu-known", &mut self.known),
            ("eu-step-up", &mut self.step_up),
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
        assert_eq!(location(&guess), "/sign-in/reset/code?error=code_wrong");

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

/// Fourteen failures counted on `key`, each exactly when `policy` let it in, the last one now:
/// a patient attacker's history, written without waiting hours (the HTTP tests cannot move the
/// handlers' clock, and a test that raced real waits would be flaky on a slow machine).
async fn paced_failures(app: &TestApp, key: &str, policy: &throttle::ThrottlePolicy) {
    let now = chrono::Utc::now();
    for step in (0..14).rev() {
        let at = now - policy.max_delay * step;
        throttle::admit(app.services.storage.as_ref(), key, policy, at)
            .await
            .unwrap();
    }
}

/// What a stranger sees of an answer: its status, where it leads, and which cookies it sets or
/// clears (their values are random either way).
fn seen(response: &Response) -> String {
    let mut cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(|line| {
            let (name, rest) = line.split_once('=').unwrap_or((line, ""));
            let cleared = rest.starts_with(';') || rest.is_empty();
            format!("{name}{}", if cleared { " cleared" } else { " set" })
        })
        .collect();
    cookies.sort();
    let to = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    format!("{} {to} {cookies:?}", response.status().as_u16())
}

/// Every door a stranger can knock at with a foreigner number, in turn: activation, sign-in,
/// then a password reset and its code. The answers it saw, in order.
async fn knock_with_number(app: &TestApp, number: &str) -> Vec<String> {
    let mut stranger = Jar::default();
    let mut answers = Vec::new();
    let wrong_key = server::connection_key::ConnectionKey::generate().display();
    for _ in 0..4 {
        let activation = post(
            app,
            &mut stranger,
            "/activate",
            &[
                ("foreigner_number", number),
                ("connection_key", &wrong_key),
                ("birth_day", "29"),
                ("birth_month", "2"),
                ("birth_year", "2000"),
                ("password", "a phrase for my new account"),
            ],
        )
        .await;
        answers.push(format!("activate: {}", seen(&activation)));
    }
    for _ in 0..4 {
        let sign_in = sign_in_with_password(app, &mut stranger, number, "a guessed phrase").await;
        answers.push(format!("sign in: {}", seen(&sign_in)));
    }
    let reset = post(
        app,
        &mut stranger,
        "/sign-in/reset",
        &[("foreigner_number", number)],
    )
    .await;
    answers.push(format!("reset: {}", seen(&reset)));
    // Issue 17: `too_short` for a real account, `code_expired` for an unknown number.
    let short = post(
        app,
        &mut stranger,
        "/sign-in/reset/code",
        &[("code", "000000"), ("password", "a")],
    )
    .await;
    answers.push(format!("reset code, short password: {}", seen(&short)));
    // The number itself as the password: refused as personal data only for a real account.
    let personal = post(
        app,
        &mut stranger,
        "/sign-in/reset/code",
        &[
            ("code", "000000"),
            ("password", &format!("{number}{number}")),
        ],
    )
    .await;
    answers.push(format!(
        "reset code, personal password: {}",
        seen(&personal)
    ));
    for _ in 0..5 {
        let guess = post(
            app,
            &mut stranger,
            "/sign-in/reset/code",
            &[("code", "000000"), ("password", "a brand new phrase")],
        )
        .await;
        answers.push(format!("reset code: {}", seen(&guess)));
    }
    answers
}

/// The staff side's one door, with an email.
async fn knock_with_email(app: &TestApp, email: &str) -> Vec<String> {
    let mut answers = Vec::new();
    for _ in 0..4 {
        let response = TestApp::client()
            .post(app.url("/staff/sign-in"))
            .form(&[
                ("email", email),
                ("password", "a guessed phrase"),
                ("code", "123456"),
            ])
            .send()
            .await
            .unwrap();
        answers.push(format!("staff sign in: {}", seen(&response)));
    }
    answers
}

on_both_engines!(
    no_answer_tells_whether_an_identifier_has_an_account,
    &[],
    async |app: &TestApp| {
        // An activated account with a verified email, one registered but not activated, and
        // a number nobody has: a stranger sees the same answers from every door.
        let mut owner = Jar::default();
        activate(app, &mut owner, "0700000010").await;
        verify_email(app, &mut owner, "owner@example.org").await;
        register_applicant(app, "0700000011").await;
        let activated = knock_with_number(app, "0700000010").await;
        let registered = knock_with_number(app, "0700000011").await;
        let unknown = knock_with_number(app, "0799999990").await;
        assert_eq!(activated, unknown);
        assert_eq!(registered, unknown);
        assert!(
            unknown.iter().all(|answer| !answer.contains(" 5")),
            "{unknown:#?}"
        );

        // Staff: an enrolled member, one invited but not enrolled, and an email nobody has.
        let storage = app.services.storage.as_ref();
        let now = chrono::Utc::now();
        let (_, token) = server::staff::invite(
            storage,
            "enrolled@office.example",
            "Enrolled",
            server::storage::StaffRole::Agent,
            None,
            now,
        )
        .await
        .unwrap();
        let secret = server::staff::totp::generate_secret();
        server::staff::complete_enrolment(
            storage,
            server::staff::Enrolment {
                token,
                new_password: server::secret::Secret::new("a staff passphrase to remember"),
                totp_secret: secret.clone(),
                code: server::staff::totp::code_at_time(secret.expose(), now.timestamp()).unwrap(),
                ip_hash: None,
            },
            now,
        )
        .await
        .unwrap();
        server::staff::invite(
            storage,
            "invited@office.example",
            "Invited",
            server::storage::StaffRole::Agent,
            None,
            now,
        )
        .await
        .unwrap();
        let enrolled = knock_with_email(app, "enrolled@office.example").await;
        let invited = knock_with_email(app, "invited@office.example").await;
        let nobody = knock_with_email(app, "nobody@office.example").await;
        assert_eq!(enrolled, nobody);
        assert_eq!(invited, nobody);
    }
);

// Issue 17's first attack: with a moment's access to an open session (a borrowed phone), a new
// email was confirmed without the password, the old one never told, and a reset then sent the
// code to the new one. Now the change asks for the password, and the old address is told.
on_both_engines!(
    a_borrowed_phone_cannot_move_the_account_elsewhere,
    &[],
    async |app: &TestApp| {
        let mut phone = Jar::default();
        activate(app, &mut phone, "0700000020").await;
        verify_email(app, &mut phone, "owner@example.org").await;

        // Minutes later the password typed at activation no longer counts: whoever holds the
        // phone has the session only.
        let mut borrower = Jar {
            session: phone.session.clone(),
            ..Jar::default()
        };
        let sent_before = app.outbox().len();
        for (path, form) in [
            ("/account/contact", [("email", "thief@example.org")]),
            ("/account/contact/phone", [("phone", "+33612345678")]),
            ("/account/contact/remove", [("kind", "email")]),
            ("/account/contact/channels", [("sms", "on")]),
        ] {
            let change = post(app, &mut borrower, path, &form).await;
            assert_eq!(location(&change), "/account/confirm-password", "{path}");
        }
        assert_eq!(app.outbox().len(), sent_before, "no code went anywhere");
        let page = get(app, &mut borrower, "/account/confirm-password").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("type your password again"), "{html}");

        // A guess is refused; after a borrower's patient guesses, the next one waits.
        let guess = [("password", "a guess at it")];
        let refused = post(app, &mut borrower, "/account/confirm-password", &guess).await;
        assert_eq!(
            location(&refused),
            "/account/confirm-password?error=refused"
        );
        let owner = app
            .services
            .storage
            .find_applicant_by_foreigner_number("0700000020")
            .await
            .unwrap()
            .unwrap();
        let key = format!("step_up:applicant:{}", owner.id);
        paced_failures(app, &key, &throttle::PER_KNOWN_DEVICE).await;
        let slowed = post(app, &mut borrower, "/account/confirm-password", &guess).await;
        assert_eq!(
            location(&slowed),
            "/account/confirm-password?error=too_soon"
        );
        assert_eq!(borrower.step_up, None);

        // A step-up from another session of the same person opens nothing here.
        let mut laptop = Jar::default();
        sign_in_with_password(app, &mut laptop, "0700000020", PASSWORD).await;
        let (code, _) = app.last_code();
        post(app, &mut laptop, "/sign-in/code", &[("code", &code)]).await;
        assert!(laptop.step_up.is_some());
        let mut mixed = Jar {
            session: phone.session.clone(),
            step_up: laptop.step_up.clone(),
            ..Jar::default()
        };
        let change = post(
            app,
            &mut mixed,
            "/account/contact",
            &[("email", "thief@example.org")],
        )
        .await;
        assert_eq!(location(&change), "/account/confirm-password");

        // The owner, on the laptop where the password was just typed, moves to a new address;
        // the old one is told, and says whom to call.
        verify_email(app, &mut laptop, "new@example.org").await;
        let told = app.last_message_decoded();
        assert!(told.contains("To: owner@example.org"), "{told}");
        assert!(told.contains("vient d'être remplacé"), "{told}");
        assert!(told.contains("contact@office.example"), "{told}");
        assert!(
            told.contains("Pendant 72 heures"),
            "the old owner learns how to undo it: {told}"
        );
        assert!(
            !told.contains("new@example.org"),
            "the new address stays private"
        );
    }
);

/// The `To:` lines of the messages after the first `from`, once `count` of them have arrived.
async fn recipients_when_sent(app: &TestApp, from: usize, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let outbox = app.outbox();
        if outbox.len() >= from + count {
            return outbox[from..]
                .iter()
                .filter_map(|message| message.lines().find(|line| line.starts_with("To:")))
                .map(str::to_owned)
                .collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("fewer than {count} new messages in the outbox");
}

// Issue 17, cooling-off: whoever moved the address had the password; the owner of the old
// address still gets reset codes for 72 hours, and a reset then puts the old address back.
on_both_engines!(
    a_reset_within_three_days_of_a_contact_change_puts_the_old_address_back,
    &[],
    async |app: &TestApp| {
        let mut taker = Jar::default();
        activate(app, &mut taker, "0700000022").await;
        verify_email(app, &mut taker, "owner22@example.org").await;
        verify_email(app, &mut taker, "taker22@example.org").await;

        let before = app.outbox().len();
        let mut owner = Jar::default();
        let number = [("foreigner_number", "0700000022")];
        let asked = post(app, &mut owner, "/sign-in/reset", &number).await;
        assert_eq!(location(&asked), "/sign-in/reset/code");
        let mut to = recipients_when_sent(app, before, 2).await;
        to.sort();
        assert_eq!(
            to,
            ["To: owner22@example.org", "To: taker22@example.org"],
            "the code goes to the new address and to the replaced one"
        );
        let (code, _) = app.last_code();
        let new_password = [("code", code.as_str()), ("password", "a brand new phrase")];
        let done = post(app, &mut owner, "/sign-in/reset/code", &new_password).await;
        assert_eq!(location(&done), "/sign-in?reset=1");
        let storage = app.services.storage.as_ref();
        let account = storage
            .find_applicant_by_foreigner_number("0700000022")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.email.as_deref(), Some("owner22@example.org"));
        assert_eq!(
            location(&get(app, &mut taker, "/account").await),
            "/sign-in",
            "the taker's session ended with the password"
        );

        // The owner moves on; three days later the address left behind gets nothing.
        let mut laptop = Jar::default();
        sign_in_with_password(app, &mut laptop, "0700000022", "a brand new phrase").await;
        let (code, _) = app.last_code();
        post(app, &mut laptop, "/sign-in/code", &[("code", &code)]).await;
        verify_email(app, &mut laptop, "later22@example.org").await;
        app.services.clock.travel(chrono::Duration::hours(73));
        let before = app.outbox().len();
        let asked = post(app, &mut Jar::default(), "/sign-in/reset", &number).await;
        assert_eq!(location(&asked), "/sign-in/reset/code");
        assert_eq!(
            recipients_when_sent(app, before, 1).await,
            ["To: later22@example.org"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(app.outbox().len(), before + 1, "and only there");
    }
);

// Issue 17's second attack, over HTTP: a stranger's wrong passwords on a number slow every
// browser but the owner's own phone, which activated the account and carries its device cookie.
on_both_engines!(
    a_strangers_guesses_do_not_slow_the_owners_phone,
    &[],
    async |app: &TestApp| {
        let mut phone = Jar::default();
        activate(app, &mut phone, "0700000021").await;
        verify_email(app, &mut phone, "phone-owner@example.org").await;
        assert!(
            phone.known.is_some(),
            "activation on a personal phone makes it known"
        );
        post(app, &mut phone, "/sign-out", &[]).await;

        let mut stranger = Jar::default();
        let guess = sign_in_with_password(app, &mut stranger, "0700000021", "a guess").await;
        assert_eq!(location(&guess), "/sign-in?error=refused");
        // Fourteen more, each when the brake allowed it, the last one just now.
        let key = server::accounts::sign_in::identifier_throttle_key(
            &app.services.keyed_hasher,
            "sign_in",
            "0700000021",
        );
        paced_failures(app, &key, &throttle::PER_IDENTIFIER).await;
        let new_browser =
            sign_in_with_password(app, &mut Jar::default(), "0700000021", PASSWORD).await;
        assert_eq!(location(&new_browser), "/sign-in?error=too_soon");

        let own = sign_in_with_password(app, &mut phone, "0700000021", PASSWORD).await;
        assert_eq!(location(&own), "/sign-in/code?via=email");

        // A shared phone keeps no device cookie.
        let mut shared = Jar::default();
        let key = register_applicant(app, "0700000022").await;
        let activated = post(
            app,
            &mut shared,
            "/activate",
            &[
                ("foreigner_number", "0700000022"),
                ("connection_key", &key),
                ("birth_day", "29"),
                ("birth_month", "2"),
                ("birth_year", "2000"),
                ("password", PASSWORD),
                ("shared_device", "on"),
            ],
        )
        .await;
        assert_eq!(location(&activated), "/account/contact?activated=1");
        assert!(shared.session.is_some());
        assert_eq!(shared.known, None);
        let id = app
            .services
            .storage
            .find_applicant_by_foreigner_number("0700000022")
            .await
            .unwrap()
            .unwrap()
            .id;
        let sessions = app
            .services
            .storage
            .sessions_of_applicant(id)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 1);
        assert!(
            sessions[0].shared_device,
            "activation said the phone is shared"
        );
    }
);
