//! The email that announces a new document, as a real SMTP server on loopback receives it, on
//! both engines: in the applicant's language, with the portal's address, and nothing that
//! could reveal an asylum procedure to whoever reads the mailbox.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[path = "../server/tests/support/smtp.rs"]
mod smtp;

#[allow(unused_macros)]
mod running_app;

use espace_usager::notifications::notification_texts::TranslatedNotificationTexts;
use running_app::TestApp;
use server::{
    connection_key::ConnectionKey,
    documents::{
        DocumentKind,
        publishing::{Upload, publish},
    },
    notifications::notification_delivery::deliver_due,
    printable::{Font, Line, a4_document},
    storage::{Actor, NewApplicant, NewConnectionKey},
};
use support::TestDatabase;

async fn the_email_says_a_document_is_waiting_and_nothing_more(database: TestDatabase) {
    let (port, received) = smtp::start_smtp_server(0);
    let relay = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::start(database, &[("EU_SMTP_URL", relay.as_str())]).await;
    let storage = app.services.storage.as_ref();
    let applicant = storage
        .create_applicant(
            &NewApplicant {
                foreigner_number: Some("0706000001".into()),
                file_number: None,
                given_names: "Zahra".into(),
                family_name: "Rahimi".into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(1998, 11, 2).unwrap(),
                preferred_language: "en".into(),
                electronic_notification: true,
                given: Default::default(),
            },
            &NewConnectionKey {
                key_hash: ConnectionKey::generate().hash(),
                expires_at: chrono::Utc::now() + chrono::Duration::days(30),
            },
        )
        .await
        .unwrap();
    let id = if app.services.storage.engine() == "sqlite" {
        format!("x'{}'", applicant.id.simple())
    } else {
        format!("'{}'", applicant.id)
    };
    let verified = format!(
        "UPDATE applicants SET email = 'mailbox-7@example.org', \
         email_verified_at = '2026-01-01T00:00:00+00:00' WHERE id = {id}"
    );
    assert_eq!(app.database.execute_raw(&verified).await.unwrap(), 1);
    let title = "Décision de rejet de votre demande d'asile";
    let pdf = a4_document(title, &[Line::new(title, Font::Regular, 12.0)]).unwrap();
    let upload = Upload {
        applicant_id: applicant.id,
        kind: DocumentKind::Decision,
        title: title.into(),
        file_name: "decision-rejet.pdf".into(),
        uploaded_by: Actor::system(),
        replacing: None,
        facts: server::documents::notice_facts::NoticeFacts {
            decision_outcome: Some(server::documents::notice_facts::DecisionOutcome::Rejection),
            ..Default::default()
        },
    };
    let body = axum::body::Body::from(pdf).into_data_stream();
    publish(&app.services, upload, body).await.unwrap();

    let report = deliver_due(&app.services, &TranslatedNotificationTexts)
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let (recipients, raw) = &messages[0];
    let message = &quoted_printable_decoded(raw);
    assert_eq!(recipients, &vec!["mailbox-7@example.org".to_owned()]);
    assert!(
        message.contains("Subject: Espace usager: a new document is waiting for you"),
        "{message}"
    );
    assert!(
        message.contains("A new document is available in your personal account"),
        "{message}"
    );
    assert!(
        message.contains(app.services.config.public_url.as_str()),
        "{message}"
    );
    assert!(
        message.contains(r#"<html lang="en" dir="ltr">"#),
        "{message}"
    );
    assert!(message.contains("Message-ID: <notification-"), "{message}");
    let lower = message.to_lowercase();
    for revealing in [
        "zahra",
        "rahimi",
        "0706000001",
        "décision",
        "decision",
        "rejet",
        "asile",
        "asylum",
        "refugee",
        "ofpra",
        "interview",
        "decision-rejet",
    ] {
        assert!(
            !lower.contains(revealing),
            "the email says `{revealing}`: {message}"
        );
    }
    app.stop().await;
}

/// The message with its quoted-printable parts made readable (soft line breaks joined, `=XX`
/// bytes restored), so that what is searched is what the reader sees.
fn quoted_printable_decoded(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

mod the_email_says_a_document_is_waiting_and_nothing_more {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        the_email_says_a_document_is_waiting_and_nothing_more(TestDatabase::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        the_email_says_a_document_is_waiting_and_nothing_more(TestDatabase::postgres().await).await;
    }
}
