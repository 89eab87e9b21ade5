//! The staff side as an agent meets it, on both engines: a refused form comes back as the page
//! with what was typed (never a password, never in the address), files are found by number
//! through a form and addressed by id, the enrolment page draws its QR code, and the navigation
//! is the staff's own.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use reqwest::{StatusCode, header, multipart};
use running_app::{
    TestApp,
    visitors::{
        applicant, get, location, post, post_from_browser, staff, staff_file_address, staff_member,
    },
};
use server::storage::StaffRole;

fn has_no_redirect(response: &reqwest::Response) {
    assert!(response.headers().get(header::LOCATION).is_none());
}

/// The opening tag of the element with this id.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in {html}"));
    let start = html[..start].rfind('<').unwrap();
    let end = start + html[start..].find('>').unwrap();
    &html[start..=end]
}

/// The `<option>` that is selected in a rendered `<select>`, by its value.
fn selected_option(html: &str, value: &str) -> bool {
    html.contains(&format!("<option value=\"{value}\" selected"))
}

on_both_engines!(
    a_refused_registration_comes_back_as_typed_without_a_redirect,
    &[],
    async |app: &TestApp| {
        let agent = staff(app, StaffRole::Agent).await;
        let form = [
            ("foreigner_number", "0712000001"),
            ("file_number", ""),
            ("given_names", "Amina"),
            ("family_name", "Haidari"),
            ("date_of_birth", "1990-13-45"),
            ("language", "ps"),
            ("phone", "+33 6 12 34 56 78"),
            ("email", "amina@example.org"),
        ];
        let answer = post_from_browser(app, &agent, "/staff/applicants", &form).await;
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        has_no_redirect(&answer);
        assert_eq!(answer.headers()[header::CACHE_CONTROL], "no-store");
        let html = answer.text().await.unwrap();
        for typed in [
            "value=\"0712000001\"",
            "value=\"Amina\"",
            "value=\"Haidari\"",
            "value=\"1990-13-45\"",
            "value=\"+33 6 12 34 56 78\"",
            "value=\"amina@example.org\"",
        ] {
            assert!(html.contains(typed), "{typed} kept: {html}");
        }
        assert!(selected_option(&html, "ps"), "Pashto still chosen");
        assert!(!selected_option(&html, "fr"));
        // Unticked, it stays unticked.
        assert!(!tag(&html, "electronic_notification").contains("checked"));
        // The error is beside the birth date, and said at the top.
        assert!(html.contains("id=\"date_of_birth-error\""), "{html}");
        assert!(html.contains("error-summary"));
        // The other forms of the page, which share the field name, stay empty.
        assert_eq!(html.matches("value=\"0712000001\"").count(), 1, "{html}");

        // A client that does not ask for a page (an API client, a script) still gets the
        // redirect with the code, and nothing typed in it.
        let plain = post(app, &agent, "/staff/applicants", &form).await;
        assert_eq!(location(&plain), "/staff?form=register&error=birth");
    }
);

on_both_engines!(
    a_refused_staff_sign_in_keeps_the_email_and_never_the_password_or_code,
    &[],
    async |app: &TestApp| {
        let answer = post_from_browser(
            app,
            "",
            "/staff/sign-in",
            &[
                ("email", "nobody@office.example"),
                ("password", "correct horse battery staple"),
                ("code", "123456"),
            ],
        )
        .await;
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        has_no_redirect(&answer);
        let html = answer.text().await.unwrap();
        assert!(html.contains("value=\"nobody@office.example\""), "{html}");
        assert!(!html.contains("correct horse battery staple"));
        assert!(!html.contains("123456"));

        // A form refused because no one is signed in goes to sign-in, which shows nothing
        // typed for another form: an applicant's email is no staff username.
        let stranger = post_from_browser(
            app,
            "",
            "/staff/applicants",
            &[("given_names", "Amina"), ("email", "amina@example.org")],
        )
        .await;
        let html = stranger.text().await.unwrap();
        assert!(!html.contains("amina@example.org"), "{html}");
        assert!(!html.contains("Amina"), "{html}");
    }
);

on_both_engines!(
    staff_find_a_file_by_number_and_its_address_names_no_number,
    &[],
    async |app: &TestApp| {
        let agent = staff(app, StaffRole::Agent).await;
        let registered = post(
            app,
            &agent,
            "/staff/applicants",
            &[
                ("foreigner_number", "0712000002"),
                ("given_names", "Amina"),
                ("family_name", "Haidari"),
                ("date_of_birth", "1990-03-04"),
                ("language", "prs"),
            ],
        )
        .await;
        assert_eq!(
            registered.status(),
            StatusCode::OK,
            "{:?}",
            registered.headers()
        );
        assert_eq!(
            registered.headers()[header::CONTENT_TYPE],
            "application/pdf"
        );
        let amina = app
            .services
            .storage
            .find_applicant_by_identifier("0712000002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(amina.preferred_language, "prs");
        let address = staff_file_address(app, &agent, "07 1200 0002").await;
        assert_eq!(address, format!("/staff/applicants/{}", amina.id));
        let file = get(app, &agent, &address).await;
        assert_eq!(file.status(), StatusCode::OK);
        let html = file.text().await.unwrap();
        // French elides: "Documents d'Amina", in the page's own language too.
        let in_french = format!("{agent}; lang=fr");
        let french = get(app, &in_french, &address).await.text().await.unwrap();
        let h1 = &french[french.find("<h1>").unwrap()..];
        let h1 = &h1[..h1.find("</h1>").unwrap()];
        assert!(
            h1.starts_with("<h1>Documents d&#x27;A") || h1.starts_with("<h1>Documents d'A"),
            "{h1}"
        );
        assert!(html.contains("action=\"/staff/find\""), "{html}");

        // An unknown number comes back to the search, typed, with the reason beside it.
        let unknown =
            post_from_browser(app, &agent, "/staff/find", &[("number", "0799999999")]).await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        has_no_redirect(&unknown);
        let html = unknown.text().await.unwrap();
        assert!(html.contains("value=\"0799999999\""), "{html}");
        assert!(html.contains("id=\"number-error\""), "{html}");

        // The old address with the number in it is gone; ids that are no file find nothing.
        let old = get(app, &agent, "/staff/applicant?number=0712000002").await;
        assert_eq!(old.status(), StatusCode::NOT_FOUND);
        let nobody = get(app, &agent, "/staff/applicants/not-an-id").await;
        let html = nobody.text().await.unwrap();
        assert!(html.contains("No applicant has this number"), "{html}");

        // Applicants and strangers find nothing.
        let (_, amina_cookie) = applicant(app, "0712000003").await;
        for cookie in [amina_cookie.as_str(), ""] {
            let refused = post(app, cookie, "/staff/find", &[("number", "0712000002")]).await;
            assert!(location(&refused).starts_with("/staff/sign-in"));
        }
    }
);

on_both_engines!(
    a_refused_upload_keeps_its_kind_title_and_interview,
    &[],
    async |app: &TestApp| {
        let (amina, _) = applicant(app, "0712000004").await;
        let (_, agent) = staff_member(app, StaffRole::Agent).await;
        let form = multipart::Form::new()
            .text("kind", "interview_summons")
            .text("title", "Convocation à l'entretien")
            .text("decision_outcome", "")
            .text("appointment_at", "not a date")
            .text("appointment_place", "201 rue Carnot")
            .part(
                "files",
                multipart::Part::bytes(b"%PDF-1.7 whatever".to_vec())
                    .file_name("convocation.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let answer = TestApp::client()
            .post(app.url(&format!("/staff/applicants/{amina}/documents")))
            .header(header::COOKIE, &agent)
            .header(header::ORIGIN, app.url(""))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_LANGUAGE, "en")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        has_no_redirect(&answer);
        let html = answer.text().await.unwrap();
        assert!(selected_option(&html, "interview_summons"), "{html}");
        assert!(
            html.contains("value=\"Convocation à l&#x27;entretien\"")
                || html.contains("value=\"Convocation à l'entretien\""),
            "{html}"
        );
        assert!(html.contains("value=\"not a date\""));
        assert!(html.contains("value=\"201 rue Carnot\""));
        assert!(html.contains("id=\"appointment_at-error\""), "{html}");
        let documents = app
            .services
            .storage
            .documents_of_applicant(amina)
            .await
            .unwrap();
        assert!(documents.is_empty(), "nothing half-posted");
    }
);

on_both_engines!(
    the_staff_side_has_its_own_navigation_language_choice_and_qr_code,
    &[],
    async |app: &TestApp| {
        let agent = staff(app, StaffRole::Agent).await;
        let html = get(app, &agent, "/staff").await.text().await.unwrap();
        let nav = &html[html.find("main-nav").unwrap()..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        for link in [
            "href=\"/staff\"",
            "href=\"/staff/find\"",
            "href=\"/staff/at-risk\"",
            "action=\"/staff/sign-out\"",
        ] {
            assert!(nav.contains(link), "{link} in {nav}");
        }
        assert!(
            !nav.contains("/activate") && !nav.contains("href=\"/sign-in\""),
            "{nav}"
        );
        // The applicant's language: one of the fifteen, by name.
        let select = &html[html.find("<select id=\"language\"").unwrap()..];
        let select = &select[..select.find("</select>").unwrap()];
        assert_eq!(select.matches("<option").count(), 15, "{select}");
        assert!(select.contains("Dari – دری"), "{select}");
        assert!(selected_option(select, "fr"));

        // The enrolment page draws the QR code itself, and still gives the key to type.
        let (_, token) = server::staff::invite(
            app.services.storage.as_ref(),
            "new@office.example",
            "Camille Nouvelle",
            StaffRole::Agent,
            None,
            app.services.clock.now(),
        )
        .await
        .unwrap();
        let page = get(app, "", &format!("/staff/enrol?token={}", token.expose()))
            .await
            .text()
            .await
            .unwrap();
        let at = page.find("class=\"totp-qr\"").expect("a QR code");
        let qr = &page[page[..at].rfind('<').unwrap()..];
        let qr = &qr[..qr.find("</div>").unwrap()];
        assert!(qr[..qr.find('>').unwrap()].contains("role=\"img\""), "{qr}");
        assert!(qr.contains("<svg") && qr.contains("<path"), "{qr}");
        // Drawn inline: nothing fetched from anywhere, no image service sees the secret.
        assert!(!qr.contains("src=") && !qr.contains("href="), "{qr}");
        assert!(page.contains("class=\"totp-secret\""));
    }
);
