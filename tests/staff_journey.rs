//! The staff side over HTTP, on both engines: enrolment from the link, sign-in with password
//! and TOTP code, a guarded area with its own cookie, and roles checked by the handler itself.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use chrono::Utc;
use reqwest::{Response, StatusCode, header};
use running_app::{TestApp, register_applicant};
use server::{staff::totp, storage::StaffRole};

const PASSWORD: &str = "a staff passphrase to remember";

fn location(response: &Response) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

fn cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|line| line.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

async fn post(app: &TestApp, cookies: &str, path: &str, form: &[(&str, &str)]) -> Response {
    TestApp::client()
        .post(app.url(path))
        .header(header::COOKIE, cookies)
        .header(header::ACCEPT_LANGUAGE, "en")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, cookies: &str, path: &str) -> Response {
    TestApp::client()
        .get(app.url(path))
        .header(header::COOKIE, cookies)
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap()
}

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        .to_owned()
}

/// Invites, enrols through the pages, signs in; returns the staff cookie header.
async fn enrolled_member(app: &TestApp, email: &str, role: StaffRole) -> String {
    let (_, token) = server::staff::invite(
        app.services.storage.as_ref(),
        email,
        "Camille Agent",
        role,
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    let page = get(app, "", &format!("/staff/enrol?token={}", token.expose())).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(email), "{html}");
    let secret = hidden(&html, "totp_secret");
    let code = totp::code_at_time(&secret, Utc::now().timestamp()).unwrap();
    let enrolled = post(
        app,
        "",
        "/staff/enrol",
        &[
            ("token", token.expose()),
            ("totp_secret", &secret),
            ("password", PASSWORD),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(location(&enrolled), "/staff/sign-in?enrolled=1");

    // The enrolment used this step's code: sign in with the next one.
    let next = totp::code_at_time(&secret, Utc::now().timestamp() + 30).unwrap();
    let signed = post(
        app,
        "",
        "/staff/sign-in",
        &[("email", email), ("password", PASSWORD), ("code", &next)],
    )
    .await;
    assert_eq!(location(&signed), "/staff");
    // The code was just typed: the step-up that sign-in grants comes with the session.
    format!(
        "eu-staff={}; eu-staff-step-up={}",
        cookie(&signed, "eu-staff").unwrap(),
        cookie(&signed, "eu-staff-step-up").unwrap()
    )
}

/// The session alone: an administrator's desk left open, the code typed long ago.
fn session_only(cookies: &str) -> String {
    cookies.split("; ").next().unwrap().to_owned()
}

/// The member's TOTP secret, as their app holds it.
async fn totp_secret(app: &TestApp, email: &str) -> String {
    let storage = app.services.storage.as_ref();
    let member = storage
        .find_staff_member_by_email(email)
        .await
        .unwrap()
        .unwrap();
    storage.staff_totp_secret(member.id).await.unwrap().unwrap()
}

on_both_engines!(
    staff_enrol_sign_in_and_act_within_their_role,
    &[],
    async |app: &TestApp| {
        let agent = enrolled_member(app, "agent@office.example", StaffRole::Agent).await;
        let home = get(app, &agent, "/staff").await;
        assert_eq!(home.status(), StatusCode::OK);
        let html = home.text().await.unwrap();
        assert!(html.contains("Camille Agent, signed in as agent"), "{html}");
        assert!(
            !html.contains("/staff/lift-locks"),
            "agents are not offered it"
        );

        // The handler checks the role itself, whatever the page offered.
        let forbidden = post(
            app,
            &agent,
            "/staff/lift-locks",
            &[("foreigner_number", "0700000009")],
        )
        .await;
        assert_eq!(location(&forbidden), "/staff?error=forbidden");

        let supervisor =
            enrolled_member(app, "supervisor@office.example", StaffRole::Supervisor).await;
        let html = get(app, &supervisor, "/staff").await.text().await.unwrap();
        assert!(html.contains("/staff/lift-locks"), "{html}");
        let lifted = post(
            app,
            &supervisor,
            "/staff/lift-locks",
            &[("foreigner_number", "0700000009")],
        )
        .await;
        assert_eq!(location(&lifted), "/staff?lifted=1");

        // Signing out ends the session at once, and clears the cookie even when its token was
        // due for a refresh (the session layer's fresh token must not come after the clearing).
        app.services.clock.travel(chrono::Duration::minutes(6));
        let out = post(app, &agent, "/staff/sign-out", &[]).await;
        assert_eq!(location(&out), "/staff/sign-in?signed_out=1");
        let staff_cookies: Vec<&str> = (out.headers().get_all(header::SET_COOKIE).iter())
            .filter_map(|value| value.to_str().ok())
            .filter(|line| line.starts_with("eu-staff="))
            .collect();
        assert_eq!(staff_cookies.len(), 1, "{staff_cookies:?}");
        assert!(staff_cookies[0].contains("Max-Age=0"), "{staff_cookies:?}");
        assert_eq!(
            location(&get(app, &agent, "/staff").await),
            "/staff/sign-in"
        );

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
            "staff_invited",
            "staff_enrolled",
            "staff_sign_in",
            "locks_lifted",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
);

on_both_engines!(
    applicant_and_staff_sessions_never_open_each_others_side,
    &[],
    async |app: &TestApp| {
        // An activated applicant with a session.
        let key = register_applicant(app, "0700000010").await;
        let activated = post(
            app,
            "",
            "/activate",
            &[
                ("foreigner_number", "0700000010"),
                ("connection_key", &key),
                ("birth_day", "29"),
                ("birth_month", "2"),
                ("birth_year", "2000"),
                ("password", "a long phrase I remember"),
            ],
        )
        .await;
        let applicant_token = cookie(&activated, "eu-session").unwrap();

        for cookies in [
            format!("eu-session={applicant_token}"),
            format!("eu-staff={applicant_token}"),
        ] {
            let staff_area = get(app, &cookies, "/staff").await;
            assert_eq!(location(&staff_area), "/staff/sign-in", "{cookies}");
            let overview = post(app, &cookies, "/api/staff/overview", &[]).await;
            assert_eq!(overview.status(), StatusCode::UNAUTHORIZED, "{cookies}");
            let lift = post(
                app,
                &cookies,
                "/staff/lift-locks",
                &[("foreigner_number", "1")],
            )
            .await;
            assert_eq!(location(&lift), "/staff/sign-in?error=expired");
        }

        let staff = enrolled_member(app, "admin@office.example", StaffRole::Administrator).await;
        let staff_token = staff.trim_start_matches("eu-staff=");
        let account = get(app, &format!("eu-session={staff_token}"), "/account").await;
        assert_eq!(location(&account), "/sign-in");

        // A used or unknown enrolment link shows a clear message, not the form.
        let page = get(app, "", "/staff/enrol?token=not-a-token").await;
        let html = page.text().await.unwrap();
        assert!(html.contains("This set-up link no longer works."), "{html}");
        assert!(!html.contains("totp_secret"));

        // Wrong details get one answer.
        let refused = post(
            app,
            "",
            "/staff/sign-in",
            &[
                ("email", "admin@office.example"),
                ("password", PASSWORD),
                ("code", "000000"),
            ],
        )
        .await;
        assert_eq!(location(&refused), "/staff/sign-in?error=refused");
    }
);

/// The text of a PDF, as a reader copies it out (through the fonts' ToUnicode maps).
fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("a readable PDF")
}

/// The connection key printed in a notice.
fn key_in_notice(pdf: &[u8]) -> String {
    text_of(pdf)
        .split_whitespace()
        .find(|word| word.len() == 21 && word.matches('-').count() == 4)
        .expect("a connection key in the notice")
        .to_owned()
}

async fn activate_with(app: &TestApp, number: &str, key: &str, password: &str) -> Response {
    post(
        app,
        "",
        "/activate",
        &[
            ("foreigner_number", number),
            ("connection_key", key),
            ("birth_day", "5"),
            ("birth_month", "6"),
            ("birth_year", "1993"),
            ("password", password),
        ],
    )
    .await
}

on_both_engines!(
    an_agent_registers_an_applicant_and_reissues_a_lost_key_with_printable_notices,
    &[],
    async |app: &TestApp| {
        let agent = enrolled_member(app, "desk@office.example", StaffRole::Agent).await;
        let registration = [
            ("foreigner_number", "0712121212"),
            ("file_number", ""),
            ("given_names", "Farid"),
            ("family_name", "Ahmadi"),
            ("date_of_birth", "1993-06-05"),
            ("language", "prs"),
            ("electronic_notification", "on"),
        ];
        let notice = post(app, &agent, "/staff/applicants", &registration).await;
        assert_eq!(notice.status(), StatusCode::OK);
        assert_eq!(notice.headers()[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(
            notice.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"avis-0712121212.pdf\""
        );
        let pdf = notice.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            String::from_utf8_lossy(&pdf).contains("/Count 2"),
            "French, then Dari"
        );
        let text = text_of(&pdf);
        assert!(text.contains("Farid Ahmadi"), "{text}");
        assert!(
            text.chars()
                .filter(|c| ('\u{600}'..='\u{6ff}').contains(c))
                .count()
                > 100,
            "the second page is in Dari: {text}"
        );
        let key = key_in_notice(&pdf);

        // Registered twice: refused with a message that says what to do instead.
        let twice = post(app, &agent, "/staff/applicants", &registration).await;
        assert_eq!(
            location(&twice),
            "/staff?form=register&error=already_registered"
        );
        let mut bad_date = registration;
        bad_date[4] = ("date_of_birth", "05/06/1993");
        let refused = post(app, &agent, "/staff/applicants", &bad_date).await;
        assert_eq!(location(&refused), "/staff?form=register&error=birth");
        // The page says it beside the field, tied to it, and the summary links there.
        let page = get(app, &agent, &location(&refused))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(r##"<a href="#date_of_birth">"##), "{page}");
        assert!(
            page.contains(r#"<p id="date_of_birth-error" class="field-error">"#),
            "{page}"
        );
        assert!(
            page.contains(
                r#"aria-describedby="register-intro date_of_birth-error" aria-invalid="true""#
            ),
            "{page}"
        );
        // The same code from another form points at that form's field.
        let page = get(app, &agent, "/staff?form=reissue&error=invalid_number").await;
        let page = page.text().await.unwrap();
        assert!(page.contains(r#"id="reissue_number-error""#), "{page}");
        assert!(!page.contains(r#"id="foreigner_number-error""#), "{page}");

        // The applicant activates with the printed key.
        let activated = activate_with(app, "0712121212", &key, "first phrase of Farid").await;
        assert_eq!(location(&activated), "/account/contact?activated=1");
        let old_session = format!("eu-session={}", cookie(&activated, "eu-session").unwrap());

        // Lost everything: a new key; the old password and session stop working.
        let reissued = post(
            app,
            &agent,
            "/staff/applicants/reissue",
            &[("foreigner_number", "07 12 12 12 12")],
        )
        .await;
        assert_eq!(reissued.status(), StatusCode::OK);
        let new_key = key_in_notice(&reissued.bytes().await.unwrap());
        assert_ne!(new_key, key);
        assert_eq!(
            location(&get(app, &old_session, "/account").await),
            "/sign-in"
        );
        let old_password = post(
            app,
            "",
            "/sign-in",
            &[
                ("foreigner_number", "0712121212"),
                ("password", "first phrase of Farid"),
            ],
        )
        .await;
        assert_eq!(location(&old_password), "/sign-in?error=refused");
        let spent = activate_with(app, "0712121212", &key, "another phrase").await;
        assert_eq!(location(&spent), "/activate?error=key_spent");
        let again = activate_with(app, "0712121212", &new_key, "second phrase of Farid").await;
        assert_eq!(location(&again), "/account/contact?activated=1");

        let unknown = post(
            app,
            &agent,
            "/staff/applicants/reissue",
            &[("foreigner_number", "0799999997")],
        )
        .await;
        assert_eq!(
            location(&unknown),
            "/staff?form=reissue&error=unknown_applicant"
        );

        // Nobody but staff gets a notice.
        let stranger = post(app, "", "/staff/applicants", &registration).await;
        assert_eq!(location(&stranger), "/staff/sign-in?error=expired");
    }
);

on_both_engines!(
    administrators_invite_staff_by_email_and_nobody_else_can,
    &[],
    async |app: &TestApp| {
        let admin = enrolled_member(app, "admin@office.example", StaffRole::Administrator).await;
        let html = get(app, &admin, "/staff").await.text().await.unwrap();
        assert!(html.contains(r#"action="/staff/members""#), "{html}");
        let invited = post(
            app,
            &admin,
            "/staff/members",
            &[
                ("email", "new.agent@office.example"),
                ("name", "New Agent"),
                ("role", "agent"),
            ],
        )
        .await;
        assert_eq!(location(&invited), "/staff?invited=1");
        let message = app.last_message_decoded();
        assert!(
            message.contains("To: new.agent@office.example"),
            "{message}"
        );
        let path = message
            .split(&app.url(""))
            .find_map(|rest| rest.strip_prefix("/staff/enrol?token="))
            .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no set-up link in {message}"));
        let page = get(app, "", &format!("/staff/enrol?token={path}")).await;
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("new.agent@office.example")
        );

        let again = post(
            app,
            &admin,
            "/staff/members",
            &[
                ("email", "new.agent@office.example"),
                ("name", "X"),
                ("role", "agent"),
            ],
        )
        .await;
        assert_eq!(location(&again), "/staff?form=invite&error=staff_exists");

        let supervisor =
            enrolled_member(app, "supervisor@office.example", StaffRole::Supervisor).await;
        let html = get(app, &supervisor, "/staff").await.text().await.unwrap();
        assert!(!html.contains(r#"action="/staff/members""#));
        let refused = post(
            app,
            &supervisor,
            "/staff/members",
            &[
                ("email", "x@office.example"),
                ("name", "X"),
                ("role", "administrator"),
            ],
        )
        .await;
        assert_eq!(location(&refused), "/staff?error=forbidden");
    }
);

on_both_engines!(
    administrators_change_roles_and_disable_others_but_not_themselves,
    &[],
    async |app: &TestApp| {
        let admin = enrolled_member(app, "chief@office.example", StaffRole::Administrator).await;
        let agent = enrolled_member(app, "clerk@office.example", StaffRole::Agent).await;
        let storage = app.services.storage.as_ref();
        let clerk = storage
            .find_staff_member_by_email("clerk@office.example")
            .await
            .unwrap()
            .unwrap();
        let chief = storage
            .find_staff_member_by_email("chief@office.example")
            .await
            .unwrap()
            .unwrap();
        let html = get(app, &admin, "/staff").await.text().await.unwrap();
        assert!(html.contains("clerk@office.example"), "{html}");

        let promoted = post(
            app,
            &admin,
            "/staff/members/role",
            &[("member_id", &clerk.id.to_string()), ("role", "supervisor")],
        )
        .await;
        assert_eq!(location(&promoted), "/staff?updated=1");
        let html = get(app, &agent, "/staff").await.text().await.unwrap();
        assert!(
            html.contains("signed in as supervisor"),
            "the new role applies at once"
        );

        // Not on oneself, and never by a non-administrator.
        let own = post(
            app,
            &admin,
            "/staff/members/disable",
            &[("member_id", &chief.id.to_string())],
        )
        .await;
        assert_eq!(location(&own), "/staff?error=not_yourself");
        let by_supervisor = post(
            app,
            &agent,
            "/staff/members/disable",
            &[("member_id", &chief.id.to_string())],
        )
        .await;
        assert_eq!(location(&by_supervisor), "/staff?error=forbidden");
        let list = post(app, &agent, "/api/staff/members", &[]).await;
        assert_eq!(list.status(), StatusCode::FORBIDDEN);

        // Disabled: the session ends at once and sign-in is refused.
        let disabled = post(
            app,
            &admin,
            "/staff/members/disable",
            &[("member_id", &clerk.id.to_string())],
        )
        .await;
        assert_eq!(location(&disabled), "/staff?updated=1");
        assert_eq!(
            location(&get(app, &agent, "/staff").await),
            "/staff/sign-in"
        );
        let actions: Vec<String> = storage
            .recent_audit_events(100)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect();
        for action in ["staff_role_changed", "staff_disabled"] {
            assert!(actions.iter().any(|a| a == action), "{action}");
        }
    }
);

on_both_engines!(
    administrators_create_scoped_api_keys_shown_once_and_revoke_them,
    &[],
    async |app: &TestApp| {
        let admin = enrolled_member(app, "chief@office.example", StaffRole::Administrator).await;
        let agent = enrolled_member(app, "clerk@office.example", StaffRole::Agent).await;
        let form = [("name", "Back-office"), ("documents_read", "on")];
        let refused = post(app, &agent, "/staff/api-keys", &form).await;
        assert_eq!(location(&refused), "/staff?error=forbidden");
        let html = get(app, &agent, "/staff").await.text().await.unwrap();
        assert!(!html.contains("Back-office API keys"), "{html}");
        let no_scope = post(app, &admin, "/staff/api-keys", &[("name", "x")]).await;
        assert_eq!(location(&no_scope), "/staff?form=api_key&error=key_scope");

        let created = post(app, &admin, "/staff/api-keys", &form).await;
        assert_eq!(location(&created), "/staff#api-keys-title");
        let secret = cookie(&created, "eu-new-api-key").unwrap();
        assert!(secret.starts_with("eu_"));
        let with_secret = format!("{admin}; eu-new-api-key={secret}");
        let page = get(app, &with_secret, "/staff").await;
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(cookie(&page, "eu-new-api-key").as_deref(), Some(""));
        let html = page.text().await.unwrap();
        assert!(html.contains(&secret), "shown on the page it leads to");
        assert!(
            html.contains("Read documents’ status") || html.contains("Read documents' status"),
            "{html}"
        );
        let again = get(app, &admin, "/staff").await.text().await.unwrap();
        assert!(!again.contains(&secret), "and never again");

        // The key does what its scopes say, and nothing more.
        let api = |path: &str| {
            TestApp::client()
                .get(app.url(path))
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .send()
        };
        let missing = format!("/api/v1/documents/{}", uuid::Uuid::new_v4());
        assert_eq!(api(&missing).await.unwrap().status(), StatusCode::NOT_FOUND);
        let register = TestApp::client()
            .post(app.url("/api/v1/applicants"))
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(register.status(), StatusCode::FORBIDDEN);

        let key_id = hidden(&again, "key_id");
        let revoked = post(
            app,
            &admin,
            "/staff/api-keys/revoke",
            &[("key_id", &key_id)],
        )
        .await;
        assert_eq!(location(&revoked), "/staff?api_key_revoked=1");
        assert_eq!(
            api(&missing).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        let actions: Vec<String> = app
            .services
            .storage
            .recent_audit_events(50)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect();
        assert!(actions.contains(&"api_key_created".to_owned()));
        assert!(actions.contains(&"api_key_revoked".to_owned()));
    }
);

// Issue 17: an administrator's open session was enough to change roles, disable members or
// create API keys. Now each wants a fresh code from the authenticator app.
on_both_engines!(
    an_open_staff_session_alone_changes_no_role_and_makes_no_key,
    &[],
    async |app: &TestApp| {
        let admin = enrolled_member(app, "boss@office.example", StaffRole::Administrator).await;
        enrolled_member(app, "desk@office.example", StaffRole::Agent).await;
        let desk = app
            .services
            .storage
            .find_staff_member_by_email("desk@office.example")
            .await
            .unwrap()
            .unwrap();
        let unattended = session_only(&admin);
        let member = desk.id.to_string();
        for (path, form) in [
            (
                "/staff/members/role",
                vec![("member_id", member.as_str()), ("role", "administrator")],
            ),
            (
                "/staff/members/disable",
                vec![("member_id", member.as_str())],
            ),
            (
                "/staff/members",
                vec![
                    ("email", "mole@office.example"),
                    ("name", "Mole"),
                    ("role", "administrator"),
                ],
            ),
            (
                "/staff/api-keys",
                vec![("name", "exfiltration"), ("documents_read", "on")],
            ),
            (
                "/staff/api-keys/revoke",
                vec![("key_id", "00000000-0000-0000-0000-000000000000")],
            ),
            // A reissue clears the applicant's password and contacts and prints a new key.
            (
                "/staff/applicants/reissue",
                vec![("foreigner_number", "0700000099")],
            ),
            (
                "/staff/members/unblock",
                vec![("member_id", member.as_str())],
            ),
        ] {
            let refused = post(app, &unattended, path, &form).await;
            assert_eq!(location(&refused), "/staff/confirm", "{path}");
        }
        let unchanged = app
            .services
            .storage
            .find_staff_member(desk.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(unchanged.role, StaffRole::Agent);
        assert!(unchanged.disabled_at.is_none());
        let page = get(app, &unattended, "/staff/confirm").await;
        assert_eq!(page.status(), StatusCode::OK);

        // A wrong code is refused; the sign-in's code, already used, too.
        let wrong = post(app, &unattended, "/staff/confirm", &[("code", "000000")]).await;
        assert_eq!(location(&wrong), "/staff/confirm?error=refused");

        // Half a minute later the administrator types the app's new code: the change goes through.
        app.services.clock.travel(chrono::Duration::seconds(30));
        let secret = totp_secret(app, "boss@office.example").await;
        let fresh = totp::code_at_time(&secret, Utc::now().timestamp() + 60).unwrap();
        let confirmed = post(app, &unattended, "/staff/confirm", &[("code", &fresh)]).await;
        assert_eq!(location(&confirmed), "/staff");
        let step_up = cookie(&confirmed, "eu-staff-step-up").unwrap();
        let again = format!("{unattended}; eu-staff-step-up={step_up}");
        let promoted = post(
            app,
            &again,
            "/staff/members/role",
            &[("member_id", member.as_str()), ("role", "supervisor")],
        )
        .await;
        assert_eq!(location(&promoted), "/staff?updated=1");
        // The same code never works twice.
        let replay = post(app, &unattended, "/staff/confirm", &[("code", &fresh)]).await;
        assert_eq!(location(&replay), "/staff/confirm?error=refused");
    }
);
