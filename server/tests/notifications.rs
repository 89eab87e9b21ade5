//! The notification outbox on both engines: a row queued in the document's own transaction,
//! delivered once (Message-ID from the row), skipped without a verified address, retried with
//! backoff while the relay is down, and given up after the last attempt.

mod support;

#[path = "support/portal.rs"]
#[macro_use]
mod portal;

#[path = "support/smtp.rs"]
mod smtp;

use chrono::Duration;
use portal::{Portal, letter, portal};
use server::{
    documents::reading::Reader,
    notifications::notification_delivery::{
        DeliveryReport, EmailTexts, MAX_ATTEMPTS, NotificationTexts, PushTexts, deliver_due,
        queue_due_reminders,
    },
    storage::{Channel, DeliveryStatus},
};
use support::TestDatabase;
use uuid::Uuid;

/// Texts that show what the worker passed in (the real, translated ones are tested in the app).
struct EchoTexts;

impl NotificationTexts for EchoTexts {
    fn new_document_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts {
        EmailTexts {
            subject: format!("[{preferred_language}] new document"),
            text_body: format!("Sign in at {portal_address}"),
            html_body: format!("<p>Sign in at {portal_address}</p>"),
            language: preferred_language.into(),
        }
    }

    fn reminder_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts {
        EmailTexts {
            subject: format!("[{preferred_language}] reminder"),
            text_body: format!("Still unopened: {portal_address}"),
            html_body: format!("<p>Still unopened: {portal_address}</p>"),
            language: preferred_language.into(),
        }
    }

    fn new_document_sms(&self, preferred_language: &str, portal_address: &str) -> String {
        format!("[{preferred_language}] new document: {portal_address}")
    }

    fn reminder_sms(&self, preferred_language: &str, portal_address: &str) -> String {
        format!("[{preferred_language}] reminder: {portal_address}")
    }

    fn new_document_push(&self, preferred_language: &str) -> PushTexts {
        PushTexts {
            title: format!("[{preferred_language}] portal"),
            body: "new document".into(),
        }
    }

    fn reminder_push(&self, preferred_language: &str) -> PushTexts {
        self.new_document_push(preferred_language)
    }
}

async fn with_verified_email(portal: &Portal, applicant: Uuid, address: &str) {
    let sql = format!(
        "UPDATE applicants SET email = '{address}', \
         email_verified_at = '2026-01-01T00:00:00+00:00' WHERE id = '{applicant}'"
    );
    let sql = if portal.database.url.starts_with("sqlite") {
        // SQLite keeps ids as 16-byte blobs.
        sql.replace(
            &format!("'{applicant}'"),
            &format!("x'{}'", applicant.simple()),
        )
    } else {
        sql
    };
    assert_eq!(portal.database.execute_raw(&sql).await.unwrap(), 1);
}

/// The emails in the outbox folder (texts sit beside them as `sms-*.json`).
fn outbox(portal: &Portal) -> Vec<String> {
    let folder = portal.data.path().join("outbox");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

on_both_engines!(
    a_posted_document_queues_one_notification_delivered_once,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0705000001").await;
        let bilal = portal.applicant("0705000002").await;
        with_verified_email(portal, amina, "amina@example.org").await;
        portal.post(amina, &letter("Convocation")).await.unwrap();
        portal.post(bilal, &letter("Convocation")).await.unwrap();
        let all = portal
            .services
            .storage
            .notifications_of_applicant(amina)
            .await
            .unwrap();
        assert_eq!(
            all.len(),
            4,
            "one row per channel, queued with the document"
        );
        let queued = portal.notifications_on(amina, Channel::Email).await;
        assert_eq!(queued[0].status, DeliveryStatus::Queued);

        let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
        assert_eq!(
            report,
            DeliveryReport {
                sent: 1,
                // Amina's SMS and push (no phone, no browser), Bilal's three.
                skipped: 5,
                ..Default::default()
            }
        );
        let messages = outbox(portal);
        assert_eq!(messages.len(), 1);
        let message = &messages[0];
        assert!(message.contains("amina@example.org"), "{message}");
        assert!(
            message.contains(&format!("<notification-{}@", queued[0].id)),
            "{message}"
        );
        assert!(message.contains("[fr] new document"), "{message}");
        assert!(message.contains("Sign in at http"), "{message}");

        assert_eq!(
            deliver_due(&portal.services, &EchoTexts).await.unwrap(),
            DeliveryReport::default(),
            "nothing is sent twice"
        );
        let sent = portal.notifications_on(amina, Channel::Email).await;
        assert_eq!(sent[0].status, DeliveryStatus::Sent);
        assert_eq!(sent[0].attempts, 1);
        assert!(sent[0].sent_at.is_some());
        let skipped = portal.notifications_on(bilal, Channel::Email).await;
        assert_eq!(skipped[0].status, DeliveryStatus::Skipped);
        assert_eq!(
            skipped[0].last_error.as_deref(),
            Some(server::storage::SKIPPED_NO_CONTACT)
        );
    }
);

on_both_engines!(
    concurrent_workers_deliver_each_notification_once,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0705000003").await;
        with_verified_email(portal, amina, "amina@example.org").await;
        for n in 0..20 {
            portal
                .post(amina, &letter(&format!("Document {n}")))
                .await
                .unwrap();
        }
        let workers = (0..3).map(|_| deliver_due(&portal.services, &EchoTexts));
        let reports = futures::future::join_all(workers).await;
        let sent: usize = reports.into_iter().map(|report| report.unwrap().sent).sum();
        assert_eq!(sent, 20);
        let messages = outbox(portal);
        assert_eq!(messages.len(), 20);
        let mut ids: Vec<&str> = messages
            .iter()
            .filter_map(|message| message.split("<notification-").nth(1))
            .map(|rest| &rest[..36])
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 20, "twenty different Message-IDs");
    }
);

on_both_engines!(
    while_the_relay_is_down_delivery_backs_off_then_gives_up,
    // Nothing listens on port 9: the connection is refused, a temporary failure.
    &[("EU_SMTP_URL", "smtp://127.0.0.1:9")],
    async |portal: &Portal| {
        let amina = portal.applicant("0705000004").await;
        with_verified_email(portal, amina, "amina@example.org").await;
        portal.post(amina, &letter("Décision")).await.unwrap();

        let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
        assert_eq!(report.retried, 1);
        let row = &portal.notifications_on(amina, Channel::Email).await[0];
        assert_eq!((row.status, row.attempts), (DeliveryStatus::Queued, 1));
        assert!(row.last_error.is_some());
        assert!(row.next_attempt_at > portal.services.clock.now());
        // Not due yet: nobody claims it.
        assert_eq!(
            deliver_due(&portal.services, &EchoTexts).await.unwrap(),
            DeliveryReport::default()
        );
        let mut previous_wait = Duration::zero();
        for attempt in 2..=MAX_ATTEMPTS {
            let row = &portal.notifications_on(amina, Channel::Email).await[0];
            let wait = row.next_attempt_at - portal.services.clock.now();
            if attempt <= 6 {
                assert!(
                    wait > previous_wait,
                    "the wait grows: {wait} after {previous_wait}"
                );
            }
            previous_wait = wait;
            portal.services.clock.travel(wait + Duration::seconds(1));
            deliver_due(&portal.services, &EchoTexts).await.unwrap();
        }
        let row = &portal.notifications_on(amina, Channel::Email).await[0];
        assert_eq!(
            (row.status, row.attempts),
            (DeliveryStatus::Dead, MAX_ATTEMPTS)
        );
    }
);

/// The relay is down for a while: the message waits and goes out, once, when it is back.
async fn delivered_once_the_relay_is_back(database: TestDatabase) {
    let port = smtp::free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let portal = portal(database, &[("EU_SMTP_URL", url.as_str())]).await;
    let amina = portal.applicant("0705000005").await;
    with_verified_email(&portal, amina, "amina@example.org").await;
    portal.post(amina, &letter("Décision")).await.unwrap();
    assert_eq!(
        deliver_due(&portal.services, &EchoTexts)
            .await
            .unwrap()
            .retried,
        1
    );

    let (_, received) = smtp::start_smtp_server(port);
    let row = &&portal.notifications_on(amina, Channel::Email).await[0];
    let wait = row.next_attempt_at - portal.services.clock.now();
    portal.services.clock.travel(wait + Duration::seconds(1));
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!(report.sent, 1);
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let (recipients, message) = &messages[0];
    assert_eq!(recipients, &vec!["amina@example.org".to_owned()]);
    assert!(
        message.contains(&format!("<notification-{}@", row.id)),
        "{message}"
    );
    let row = &&portal.notifications_on(amina, Channel::Email).await[0];
    assert_eq!((row.status, row.attempts), (DeliveryStatus::Sent, 2));
    portal.stop().await;
}

mod delivered_once_the_relay_is_back {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        delivered_once_the_relay_is_back(TestDatabase::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        delivered_once_the_relay_is_back(TestDatabase::postgres().await).await;
    }
}

/// The relay's answer decides: 450 (mailbox busy) is retried and delivered later, 550 (no such
/// mailbox) gives the message up at once, with the relay's reason kept for staff.
async fn a_relay_refusal_is_temporary_on_4xx_and_final_on_5xx(database: TestDatabase) {
    let (port, received, refusals) = smtp::start_refusing_smtp_server();
    let url = format!("smtp://127.0.0.1:{port}");
    let portal = portal(database, &[("EU_SMTP_URL", url.as_str())]).await;
    let busy = portal.applicant("0705000011").await;
    let gone = portal.applicant("0705000012").await;
    with_verified_email(&portal, busy, "busy@example.org").await;
    with_verified_email(&portal, gone, "gone@example.org").await;
    refusals.lock().unwrap().extend([
        ("busy@example.org".into(), 450),
        ("gone@example.org".into(), 550),
    ]);
    portal.post(busy, &letter("Convocation")).await.unwrap();
    portal.post(gone, &letter("Convocation")).await.unwrap();

    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!((report.retried, report.dead, report.sent), (1, 1, 0));
    let waiting = &portal.notifications_on(busy, Channel::Email).await[0];
    assert_eq!(
        (waiting.status, waiting.attempts),
        (DeliveryStatus::Queued, 1)
    );
    assert!(
        waiting.last_error.as_deref().unwrap().contains("450"),
        "{waiting:?}"
    );
    let given_up = &portal.notifications_on(gone, Channel::Email).await[0];
    assert_eq!(
        (given_up.status, given_up.attempts),
        (DeliveryStatus::Dead, 1)
    );
    assert!(
        given_up.last_error.as_deref().unwrap().contains("550"),
        "{given_up:?}"
    );
    assert!(received.lock().unwrap().is_empty());

    // The mailbox frees up: the retry goes out, once; the given-up message stays given up.
    refusals.lock().unwrap().remove("busy@example.org");
    refusals.lock().unwrap().remove("gone@example.org");
    let wait = waiting.next_attempt_at - portal.services.clock.now();
    portal.services.clock.travel(wait + Duration::seconds(1));
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!((report.sent, report.dead, report.retried), (1, 0, 0));
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, vec!["busy@example.org".to_owned()]);
    let given_up = &portal.notifications_on(gone, Channel::Email).await[0];
    assert_eq!(given_up.status, DeliveryStatus::Dead);
    portal.stop().await;
}

mod a_relay_refusal_is_temporary_on_4xx_and_final_on_5xx {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        a_relay_refusal_is_temporary_on_4xx_and_final_on_5xx(TestDatabase::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        a_relay_refusal_is_temporary_on_4xx_and_final_on_5xx(TestDatabase::postgres().await).await;
    }
}

on_both_engines!(
    a_late_worker_cannot_overwrite_a_newer_claim_and_endless_claims_are_given_up,
    &[],
    async |portal: &Portal| {
        let amina = portal.applicant("0705000013").await;
        with_verified_email(portal, amina, "amina@example.org").await;
        portal.post(amina, &letter("Décision")).await.unwrap();
        let storage = &portal.services.storage;
        let lease = portal.services.config.notification_lease;

        // A worker claims the email, then stalls past its lease; another delivers it.
        let now = portal.services.clock.now();
        // The email, the text and the push alert are due (the in-app notice is delivered).
        let claimed = storage
            .claim_due_notifications(now, lease, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 3);
        let stale = claimed
            .into_iter()
            .find(|claim| claim.channel == "email")
            .expect("the email is due");
        portal.services.clock.travel(lease + Duration::seconds(1));
        assert_eq!(
            deliver_due(&portal.services, &EchoTexts)
                .await
                .unwrap()
                .sent,
            1
        );
        // The stalled worker wakes up with a failure: it is not recorded over the delivery.
        let late = server::storage::DeliveryOutcome::Dead {
            error: "late".into(),
        };
        assert!(!storage.record_delivery(&stale, &late).await.unwrap());
        let row = &portal.notifications_on(amina, Channel::Email).await[0];
        assert_eq!((row.status, row.attempts), (DeliveryStatus::Sent, 2));
        assert_eq!(outbox(portal).len(), 1);

        // A message whose every worker died before recording an outcome is given up rather
        // than claimed for ever (each claim counted an attempt).
        portal.post(amina, &letter("Convocation")).await.unwrap();
        for _ in 0..MAX_ATTEMPTS {
            let now = portal.services.clock.now();
            assert_eq!(
                storage
                    .claim_due_notifications(now, lease, 10)
                    .await
                    .unwrap()
                    .len(),
                3
            );
            portal.services.clock.travel(lease + Duration::seconds(1));
        }
        let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
        assert_eq!(
            (report.dead, report.sent),
            (3, 0),
            "email, text and push alike"
        );
        let rows = portal.notifications_on(amina, Channel::Email).await;
        let given_up = rows
            .iter()
            .find(|row| row.status == DeliveryStatus::Dead)
            .unwrap();
        assert_eq!(given_up.attempts, MAX_ATTEMPTS + 1);
        assert!(
            given_up
                .last_error
                .as_deref()
                .unwrap()
                .contains("no outcome")
        );
        assert_eq!(outbox(portal).len(), 1, "never sent");
    }
);

/// Two instances (two pools, two workers each) on one PostgreSQL deliver 1,000 notifications:
/// none missed, none twice.
#[tokio::test]
async fn two_instances_on_one_postgres_deliver_a_thousand_notifications_once() {
    let database = TestDatabase::postgres().await;
    let url = database.url.clone();
    let first = portal(database, &[]).await;
    let second = portal(TestDatabase::same_as(&url), &[]).await;
    let amina = first.applicant("0705000006").await;
    with_verified_email(&first, amina, "amina@example.org").await;
    first
        .database
        .execute_raw(&format!(
            "INSERT INTO notifications (id, applicant_id, channel, status, attempts, \
             next_attempt_at, created_at) SELECT gen_random_uuid(), '{amina}', 'email', 'queued', \
             0, now() - interval '1 minute', now() FROM generate_series(1, 1000)"
        ))
        .await
        .unwrap();
    let workers = [&first, &second, &first, &second].map(|instance| async {
        let mut sent = 0;
        loop {
            let report = deliver_due(&instance.services, &EchoTexts).await.unwrap();
            if report == DeliveryReport::default() {
                return sent;
            }
            sent += report.sent;
        }
    });
    let sent: usize = futures::future::join_all(workers).await.into_iter().sum();
    assert_eq!(sent, 1000);
    let mut ids: Vec<String> = outbox(&first)
        .into_iter()
        .chain(outbox(&second))
        .filter_map(|message| {
            let rest = message.split("<notification-").nth(1)?;
            Some(rest[..36].to_owned())
        })
        .collect();
    assert_eq!(ids.len(), 1000, "one message per notification");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000, "no notification sent twice");
    let rows = &first.notifications_on(amina, Channel::Email).await;
    assert_eq!(rows.len(), 1000);
    assert!(
        rows.iter()
            .all(|row| row.status == DeliveryStatus::Sent && row.attempts == 1)
    );
    second.services.storage.close().await;
    first.stop().await;
}

on_both_engines!(
    reminders_come_on_days_3_7_12_and_stop_once_the_document_is_opened,
    &[],
    async |portal: &Portal| {
        let services = &portal.services;
        let amina = portal.applicant("0705000007").await;
        with_verified_email(portal, amina, "amina@example.org").await;
        let soon_opened = portal.post(amina, &letter("Décision A")).await.unwrap();
        let never_opened = portal.post(amina, &letter("Décision B")).await.unwrap();
        assert_eq!(deliver_due(services, &EchoTexts).await.unwrap().sent, 2);
        let to_day = |day: i64| {
            let made_available = chrono::Utc::now();
            move |portal: &Portal| {
                let target = made_available + Duration::days(day) + Duration::minutes(1);
                let now = portal.services.clock.now();
                if target > now {
                    portal.services.clock.travel(target - now);
                }
            }
        };
        to_day(2)(portal);
        assert_eq!(queue_due_reminders(services).await.unwrap(), 0);
        to_day(3)(portal);
        // Two documents, one row per channel each.
        assert_eq!(queue_due_reminders(services).await.unwrap(), 8);
        assert_eq!(
            queue_due_reminders(services).await.unwrap(),
            0,
            "once per day and document"
        );
        assert_eq!(deliver_due(services, &EchoTexts).await.unwrap().sent, 2);
        portal
            .read(Reader::Applicant(amina), soon_opened)
            .await
            .unwrap();
        to_day(7)(portal);
        assert_eq!(
            queue_due_reminders(services).await.unwrap(),
            4,
            "the opened one is left alone"
        );
        assert_eq!(deliver_due(services, &EchoTexts).await.unwrap().sent, 1);
        to_day(12)(portal);
        assert_eq!(queue_due_reminders(services).await.unwrap(), 4);
        // Opened between the queuing and the delivery: the reminder is not sent.
        portal
            .read(Reader::Applicant(amina), never_opened)
            .await
            .unwrap();
        let report = deliver_due(services, &EchoTexts).await.unwrap();
        // The email, and the SMS that had nowhere to go anyway.
        assert_eq!((report.sent, report.skipped), (0, 3));
        to_day(16)(portal);
        assert_eq!(queue_due_reminders(services).await.unwrap(), 0);
        let mut reasons: Vec<String> = portal
            .notifications_on(amina, Channel::Email)
            .await
            .into_iter()
            .map(|row| row.reason)
            .collect();
        reasons.sort();
        assert_eq!(
            reasons,
            [
                "new_document",
                "new_document",
                "reminder_12",
                "reminder_3",
                "reminder_3",
                "reminder_7"
            ]
        );
        let sent_reminders = outbox(portal)
            .into_iter()
            .filter(|message| message.contains("[fr] reminder"))
            .count();
        assert_eq!(sent_reminders, 3);
    }
);

on_both_engines!(
    reminders_are_queued_a_few_documents_at_a_time,
    &[],
    async |portal: &Portal| {
        let services = &portal.services;
        let amina = portal.applicant("0705000099").await;
        for index in 0..5 {
            portal
                .post(amina, &letter(&format!("Décision {index}")))
                .await
                .unwrap();
        }
        services
            .clock
            .travel(Duration::days(3) + Duration::minutes(1));
        let notifying: Vec<&'static str> = server::documents::DOCUMENT_KINDS
            .iter()
            .filter(|info| info.notifying)
            .map(|info| info.code)
            .collect();
        let mut calls = Vec::new();
        let mut after = None;
        loop {
            let (rows, next) = services
                .storage
                .queue_reminders(services.clock.now(), 3, 15, &notifying, after, 2)
                .await
                .unwrap();
            calls.push(rows);
            match next {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
        // Two documents (four channels each) a call, then the last one.
        assert_eq!(calls, vec![8, 8, 4]);
        let reminders = services
            .storage
            .notifications_of_applicant(amina)
            .await
            .unwrap()
            .into_iter()
            .filter(|row| row.reason == "reminder_3")
            .count();
        assert_eq!(reminders, 20);
        // The loop of the job finds nothing more to queue.
        assert_eq!(queue_due_reminders(services).await.unwrap(), 0);
    }
);
