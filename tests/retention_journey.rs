//! Retention and access requests over HTTP on both engines: an applicant downloads their own
//! data and no one else's, only supervisors export another's data or close a file, and a closed
//! file says so to the applicant and to staff.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use futures::stream;
use reqwest::{StatusCode, header};
use running_app::{
    TestApp,
    visitors::{applicant, get, location, post, staff, staff_file},
};
use server::{
    documents::{
        DocumentKind,
        notice_facts::NoticeFacts,
        publishing::{Upload, publish},
    },
    printable::{Font, Line, a4_document},
    storage::{Actor, StaffRole},
};
use uuid::Uuid;

async fn post_letter(app: &TestApp, applicant: Uuid, text: &str) -> Uuid {
    let pdf = a4_document(text, &[Line::new(text, Font::Regular, 12.0)]).unwrap();
    let upload = Upload {
        applicant_id: applicant,
        kind: DocumentKind::RegistrationLetter,
        title: text.into(),
        file_name: "lettre.pdf".into(),
        uploaded_by: Actor::system(),
        replacing: None,
        facts: NoticeFacts::default(),
    };
    let body = stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(pdf))]);
    publish(&app.services, upload, body).await.unwrap().id
}

async fn json(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert!(
        response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    response.json().await.unwrap()
}

on_both_engines!(
    an_applicant_downloads_their_own_data_and_no_one_elses,
    &[],
    async |app: &TestApp| {
        let (amina, amina_cookie) = applicant(app, "0704000001").await;
        let (bilal, _) = applicant(app, "0704000002").await;
        let hers = post_letter(app, amina, "Lettre d'Amina").await;
        let his = post_letter(app, bilal, "Lettre de Bilal").await;

        let export = json(get(app, &amina_cookie, "/account/data-export").await).await;
        assert_eq!(export["format"], "espace-usager/personal-data/2");
        assert_eq!(export["applicant"]["foreigner_number"], "0704000001");
        assert_eq!(export["documents"][0]["id"], hers.to_string());
        assert_eq!(export["documents"].as_array().unwrap().len(), 1);
        let text = export.to_string();
        assert!(!text.contains(&his.to_string()));
        assert!(!text.contains("0704000002"));

        // The export is in the applicant's activity from then on.
        let again = json(get(app, &amina_cookie, "/account/data-export").await).await;
        assert!(
            again["activity"]
                .as_array()
                .unwrap()
                .iter()
                .any(|event| event["action"] == "personal_data_exported"
                    && event["by"] == "applicant")
        );

        // No session: sign in first. The account page offers the download.
        let anonymous = get(app, "", "/account/data-export").await;
        assert!(anonymous.status().is_redirection());
        assert_eq!(location(&anonymous), "/sign-in");
        let page = get(app, &amina_cookie, "/account")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("href=\"/account/data-export\""), "{page}");
        assert!(page.contains("Download my data"));
    }
);

on_both_engines!(
    only_supervisors_export_anothers_data_or_close_a_file,
    &[("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "90")],
    async |app: &TestApp| {
        let (amina, amina_cookie) = applicant(app, "0704000011").await;
        post_letter(app, amina, "Lettre").await;
        let agent = staff(app, StaffRole::Agent).await;
        let supervisor = staff(app, StaffRole::Supervisor).await;
        let export_path = format!("/staff/applicants/{amina}/data-export");
        let closure_path = format!("/staff/applicants/{amina}/closure");

        // Applicants and agents are turned away from both.
        let by_applicant = get(app, &amina_cookie, &export_path).await;
        assert!(location(&by_applicant).starts_with("/staff/sign-in"));
        let by_agent = get(app, &agent, &export_path).await;
        assert_eq!(location(&by_agent), "/staff?error=forbidden");
        let closed_by_agent = post(
            app,
            &agent,
            &closure_path,
            &[("action", "close"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(location(&closed_by_agent), "/staff?error=forbidden");
        let agent_page = staff_file(app, &agent, "0704000011").await;
        assert!(!agent_page.contains(&closure_path));

        let export = json(get(app, &supervisor, &export_path).await).await;
        assert_eq!(export["applicant"]["id"], amina.to_string());
        assert!(export["retention"]["account_erased_on"].is_null());

        // Closing asks for the confirmation box; the error sits beside it.
        let unconfirmed = post(app, &supervisor, &closure_path, &[("action", "close")]).await;
        let back = location(&unconfirmed).to_owned();
        assert_eq!(
            back,
            format!("/staff/applicants/{amina}?form=closure&error=confirm")
        );
        let page = get(app, &supervisor, &back).await.text().await.unwrap();
        assert!(page.contains("id=\"closure-confirm-error\""), "{page}");
        let closed = post(
            app,
            &supervisor,
            &closure_path,
            &[("action", "close"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(
            location(&closed),
            format!("/staff/applicants/{amina}?closure=closed")
        );
        let page = get(app, &supervisor, location(&closed))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("File closed on"), "{page}");
        assert!(page.contains("Reopen the file"));
        // The upload form is gone: a closed file takes no more documents.
        assert!(!page.contains("id=\"upload-title\""));

        // The applicant still reads their account, and learns when it goes.
        let account = get(app, &amina_cookie, "/account")
            .await
            .text()
            .await
            .unwrap();
        assert!(account.contains("Your file is closed"), "{account}");
        let export = json(get(app, &amina_cookie, "/account/data-export").await).await;
        assert!(export["retention"]["account_erased_on"].is_string());

        let reopened = post(app, &supervisor, &closure_path, &[("action", "reopen")]).await;
        assert_eq!(
            location(&reopened),
            format!("/staff/applicants/{amina}?closure=reopened")
        );
        let twice = post(app, &supervisor, &closure_path, &[("action", "reopen")]).await;
        assert_eq!(
            location(&twice),
            format!("/staff/applicants/{amina}?form=closure&error=unchanged")
        );
        let unknown = post(
            app,
            &supervisor,
            &format!("/staff/applicants/{}/closure", Uuid::new_v4()),
            &[("action", "close"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(location(&unknown), "/staff/find?error=not_found");
    }
);

// A document that waits for its virus scan (here, a scanner nobody answers at) is not in the
// inbox, so it is not in the applicant's copy of their data either.
on_both_engines!(
    the_export_holds_only_what_the_inbox_shows,
    &[("EU_CLAMD_ADDR", "127.0.0.1:9")],
    async |app: &TestApp| {
        let (amina, amina_cookie) = applicant(app, "0704000009").await;
        let waiting = post_letter(app, amina, "Décision en attente").await;
        let export = json(get(app, &amina_cookie, "/account/data-export").await).await;
        assert_eq!(export["documents"].as_array().unwrap().len(), 0);
        let text = export.to_string();
        assert!(!text.contains(&waiting.to_string()));
        assert!(!text.contains("Décision en attente"));
        assert!(!text.contains("withdrawal_reason"));
    }
);
