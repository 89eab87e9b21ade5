//! The real application on a random port, against SQLite and PostgreSQL: pages, language,
//! security headers, probes, limits.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use reqwest::{StatusCode, header};
use running_app::{TestApp, register_applicant};

on_both_engines!(
    landing_page_renders_in_french_with_strict_headers,
    &[],
    async |app: &TestApp| {
        let response = TestApp::client().get(app.url("/")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        let policy = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{policy}");
        }
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert!(headers.contains_key("permissions-policy"));
        assert!(
            !headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "no HSTS over plain http"
        );
        assert!(headers.contains_key("x-request-id"));

        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="fr" dir="ltr">"#), "{html}");
        assert!(html.contains("Votre espace personnel de demandeur d'asile"));
        assert!(html.contains("au plus tard 15 jours"));
        assert!(html.contains("<title>Accueil – Espace usager</title>"));
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");

        // Every inline script carries this response's nonce, and no other.
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts >= 1);
        assert_eq!(
            html.matches(&format!(r#"<script type="module" nonce="{nonce}">"#))
                .count()
                + html
                    .matches(&format!(r#"<script nonce="{nonce}">"#))
                    .count(),
            scripts
        );
    }
);

on_both_engines!(
    accept_language_and_the_switcher_choose_the_language,
    &[],
    async |app: &TestApp| {
        let client = TestApp::client();
        let english = client
            .get(app.url("/sign-in"))
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap();
        let html = english.text().await.unwrap();
        assert!(
            html.contains(r#"<html lang="en""#) && html.contains("<h1>Sign in"),
            "{html}"
        );

        let switched = client
            .post(app.url("/language"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("lang", "en"), ("return_to", "/sign-in")])
            .send()
            .await
            .unwrap();
        assert_eq!(switched.status(), StatusCode::SEE_OTHER);
        assert_eq!(switched.headers()[header::LOCATION], "/sign-in");
        let cookie = switched.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            cookie.starts_with("lang=en;")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("HttpOnly"),
            "{cookie}"
        );

        // The cookie wins over the browser's preference.
        let page = client
            .get(app.url("/"))
            .header(header::COOKIE, "lang=en")
            .header(header::ACCEPT_LANGUAGE, "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Your personal space as an asylum applicant"));
    }
);

on_both_engines!(
    right_to_left_pages_carry_their_texts_from_the_server,
    &[],
    async |app: &TestApp| {
        let client = TestApp::client();
        let page = client
            .get(app.url("/help"))
            .header(header::COOKIE, "lang=fa-AF")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(r#"<html lang="fa-AF" dir="rtl""#), "{page}");
        // The islands get their texts from the server as props: the page fetches no locale.
        assert!(!page.contains("/i18n/"), "{page}");
        let help_title = &app::i18n::Locale::from_code("fa-AF")
            .unwrap()
            .messages()
            .help_title;
        assert!(page.contains(help_title.as_str()), "{page}");
    }
);

on_both_engines!(
    the_help_page_says_how_to_reach_the_office_and_the_manifest_speaks_the_page_language,
    &[
        (
            "EU_OFFICE_ADDRESS",
            "OFPRA | 201 rue Carnot | 94136 Fontenay-sous-Bois Cedex"
        ),
        ("EU_OFFICE_EMAIL", "contact@ofpra.example"),
        ("EU_OFFICE_PHONE", "+33 1 58 68 10 10"),
    ],
    async |app: &TestApp| {
        let client = TestApp::client();
        let get = |path: &str, language: &str| {
            client
                .get(app.url(path))
                .header(header::ACCEPT_LANGUAGE, language)
                .send()
        };
        for path in ["/help", "/accessibility"] {
            let page = get(path, "en").await.unwrap().text().await.unwrap();
            assert!(
                page.contains(r#"<span class="address-line">201 rue Carnot</span>"#),
                "{page}"
            );
            assert!(
                page.contains(r#"href="mailto:contact@ofpra.example""#),
                "{page}"
            );
            assert!(page.contains(r#"href="tel:+33158681010""#), "{page}");
            assert!(page.contains("Phone"), "{page}");
        }
        let page = get("/help", "ur").await.unwrap().text().await.unwrap();
        assert!(
            page.contains(r#"<link rel="manifest" href="/manifest.webmanifest?lang=ur""#),
            "{page}"
        );

        let manifest: serde_json::Value = get("/manifest.webmanifest?lang=ur", "fr")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let urdu = app::i18n::Locale::from_code("ur").unwrap().messages();
        assert_eq!(manifest["lang"], "ur");
        assert_eq!(manifest["dir"], "rtl");
        assert_eq!(manifest["description"], urdu.landing_intro.as_str());
        assert_eq!(manifest["start_url"], "/account");
        // No language asked (or an unknown one): the browser's.
        let answer = get("/manifest.webmanifest?lang=xx", "es").await.unwrap();
        assert_eq!(
            answer.headers()[header::CONTENT_TYPE],
            "application/manifest+json"
        );
        let manifest: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(manifest["lang"], "es");
    }
);

on_both_engines!(
    the_language_form_refuses_bad_input_and_foreign_sites,
    &[],
    async |app: &TestApp| {
        let client = TestApp::client();
        let unknown = client
            .post(app.url("/language"))
            .header(header::ACCEPT_LANGUAGE, "en")
            .form(&[("lang", "xx")])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            unknown.text().await.unwrap(),
            "This language is not available."
        );

        let malformed = client
            .post(app.url("/language"))
            .body("%%%")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

        let open_redirect = client
            .post(app.url("/language"))
            .form(&[("lang", "fr"), ("return_to", "//evil.example/")])
            .send()
            .await
            .unwrap();
        assert_eq!(open_redirect.status(), StatusCode::SEE_OTHER);
        assert_eq!(open_redirect.headers()[header::LOCATION], "/");

        let cross_site = client
            .post(app.url("/language"))
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, "https://evil.example")
            .form(&[("lang", "en")])
            .send()
            .await
            .unwrap();
        assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
        assert!(!cross_site.headers().contains_key(header::SET_COOKIE));
        let french = app::i18n::Locale::DEFAULT
            .messages()
            .refusal_cross_site
            .clone();
        assert_eq!(cross_site.text().await.unwrap(), french);

        // The code page's query survives a change of language (a shared phone stays shared).
        let code_page = client
            .post(app.url("/language"))
            .form(&[
                ("lang", "ps"),
                ("return_to", "/sign-in/code?via=sms&shared=1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            code_page.headers()[header::LOCATION],
            "/sign-in/code?via=sms&shared=1"
        );
    }
);

on_both_engines!(
    probes_report_health_and_readiness,
    &[],
    async |app: &TestApp| {
        let client = TestApp::client();
        let health = client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        let ready = client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["database"], "ok");
        assert_eq!(body["document_store"], "ok");

        // With the database gone, the instance is alive but not ready.
        app.services.storage.close().await;
        let not_ready = client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = not_ready.json().await.unwrap();
        assert_eq!(body["database"], "unavailable");
        assert_eq!(
            client
                .get(app.url("/healthz"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
);

on_both_engines!(
    unknown_pages_get_a_localized_404,
    &[],
    async |app: &TestApp| {
        let response = TestApp::client()
            .get(app.url("/no-such-page"))
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"), "{html}");
        assert!(html.contains(r#"href="/""#));
    }
);

on_both_engines!(
    oversized_bodies_are_refused,
    &[("EU_BODY_LIMIT_BYTES", "2048")],
    async |app: &TestApp| {
        let response = TestApp::client()
            .post(app.url("/language"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT_LANGUAGE, "ar")
            .body(format!("lang=en&return_to=/{}", "a".repeat(4096)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Said in the language the browser asks for.
        let expected = app::i18n::Locale::from_code("ar")
            .unwrap()
            .messages()
            .refusal_too_large
            .clone();
        assert_eq!(response.text().await.unwrap(), expected);
    }
);

on_both_engines!(responses_are_compressed, &[], async |app: &TestApp| {
    let response = TestApp::client()
        .get(app.url("/"))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
});

#[tokio::test]
async fn https_deployments_send_hsts() {
    let app = TestApp::start(
        support::TestDatabase::sqlite().await,
        &[("EU_PUBLIC_URL", "https://portal.example.org")],
    )
    .await;
    let response = TestApp::client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    app.stop().await;
}

on_both_engines!(
    the_activation_form_activates_once_and_explains_refusals,
    &[],
    async |app: &TestApp| {
        let client = TestApp::client();
        let key = register_applicant(app, "0600000001").await;
        let post = |key: String, password: &'static str| {
            client
                .post(app.url("/activate"))
                .form(&[
                    ("foreigner_number", "0600000001".to_owned()),
                    ("connection_key", key),
                    ("birth_day", "29".to_owned()),
                    ("birth_month", "2".to_owned()),
                    ("birth_year", "2000".to_owned()),
                    ("password", password.to_owned()),
                ])
                .send()
        };
        let weak = post(key.clone(), "password").await.unwrap();
        assert_eq!(weak.status(), StatusCode::SEE_OTHER);
        assert_eq!(weak.headers()[header::LOCATION], "/activate?error=common");

        let done = post(key.clone(), "a long phrase I remember").await.unwrap();
        assert_eq!(
            done.headers()[header::LOCATION],
            "/account/contact?activated=1"
        );
        assert!(
            done.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("eu-session=")
        );
        let replay = post(key, "a long phrase I remember").await.unwrap();
        assert_eq!(
            replay.headers()[header::LOCATION],
            "/activate?error=key_spent"
        );

        let incomplete = client
            .post(app.url("/activate"))
            .form(&[("foreigner_number", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            incomplete.headers()[header::LOCATION],
            "/activate?error=missing"
        );

        // The form page shows the refusal in the visitor's language, tied to its field.
        let page = client
            .get(app.url("/activate?error=common"))
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(r#"role="alert""#) && page.contains("This password is too common."),
            "{page}"
        );
        assert!(
            page.contains(r#"aria-describedby="password-hint password-error""#),
            "{page}"
        );
        assert!(page.contains(r#"aria-invalid="true""#));
    }
);

on_both_engines!(
    pages_for_everyone_answer_visitors_and_offer_applicants_their_sign_out,
    &[],
    async |app: &TestApp| {
        let (_, cookie) = running_app::visitors::applicant(app, "0701000077").await;
        for path in ["/", "/help", "/accessibility", "/sign-in", "/activate"] {
            let visitor = TestApp::client().get(app.url(path)).send().await.unwrap();
            // A visitor is nobody's business: the page answers 200, not "not signed in".
            assert_eq!(visitor.status(), StatusCode::OK, "{path}");
            let page = visitor.text().await.unwrap();
            assert!(!page.contains("nav-sign-out"), "{path}");

            let applicant = running_app::visitors::get(app, &cookie, path).await;
            assert_eq!(applicant.status(), StatusCode::OK, "{path}");
            let page = applicant.text().await.unwrap();
            assert!(page.contains(r#"class="nav-sign-out""#), "{path}: {page}");
        }
    }
);
