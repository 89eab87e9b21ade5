//! Outgoing mail: the embedded outbox folder, and lettre's SMTP transport against a real SMTP
//! server listening on loopback (mailin-embedded, in this process).

#[path = "support/smtp.rs"]
mod smtp;

use smtp::{free_port, start_smtp_server};

use server::{
    config::MailConfig,
    notifications::mailer::{Mailer, OutgoingEmail},
    secret::Secret,
};

fn email() -> OutgoingEmail {
    OutgoingEmail {
        to: "applicant@example.org".into(),
        subject: "Nouveau document disponible".into(),
        text_body: "Un nouveau document est disponible dans votre espace.".into(),
        html_body: "<p>Un nouveau document est disponible dans votre espace.</p>".into(),
        language: "fa-AF".into(),
    }
}

#[tokio::test]
async fn the_outbox_keeps_one_eml_file_per_message() {
    let folder = tempfile::tempdir().unwrap();
    let outbox = folder.path().join("outbox");
    let mailer = Mailer::from_config(
        &MailConfig::Outbox(outbox.clone()),
        "Espace usager <no-reply@portal.test>",
    )
    .unwrap();
    let message_id = mailer.send(&email()).await.unwrap();
    mailer.send(&email()).await.unwrap();

    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    let eml: Vec<_> = files
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(eml.len(), 2, "{files:?}");
    let all = eml
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect::<String>();
    assert!(all.contains(&format!("Message-ID: {message_id}")));
    assert!(all.contains("To: applicant@example.org"));
}

#[tokio::test]
async fn smtp_delivers_a_multipart_message_to_a_real_server() {
    let (port, received) = start_smtp_server(0);

    let url = Secret::new(format!("smtp://127.0.0.1:{port}"));
    let mailer = Mailer::from_config(
        &MailConfig::Smtp(url),
        "Espace usager <no-reply@portal.test>",
    )
    .unwrap();
    assert_eq!(mailer.kind(), "smtp");
    let message_id = mailer.send(&email()).await.unwrap();

    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let (recipients, message) = &messages[0];
    assert_eq!(recipients, &vec!["applicant@example.org".to_string()]);
    assert!(
        message.contains(&format!("Message-ID: {message_id}")),
        "{message}"
    );
    assert!(
        message.contains("From: \"Espace usager\" <no-reply@portal.test>")
            || message.contains("From: Espace usager <no-reply@portal.test>"),
        "{message}"
    );
    assert!(message.contains("multipart/alternative"));
    // RFC 3834: written by a machine, so that auto-replies and lists leave it alone; and the
    // language of the words, for a mail client's translation and voice.
    assert!(
        message.contains("Auto-Submitted: auto-generated\r\n"),
        "{message}"
    );
    assert!(message.contains("Content-Language: fa-AF\r\n"), "{message}");
    assert!(message.contains("text/plain") && message.contains("text/html"));
}

#[tokio::test]
async fn an_unreachable_relay_is_an_error() {
    let port = free_port();
    let url = Secret::new(format!("smtp://127.0.0.1:{port}"));
    let mailer = Mailer::from_config(&MailConfig::Smtp(url), "no-reply@portal.test").unwrap();
    assert!(mailer.send(&email()).await.is_err());
}
