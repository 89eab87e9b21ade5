//! The notification outbox under load, on SQLite and PostgreSQL (run by `make bench`, or
//! `cargo bench -p server --bench notification_outbox`):
//! - 10,000 emails delivered to an SMTP server on loopback (in this process, mailin-embedded),
//!   by one worker and by four at once (as four instances would), in messages per second;
//! - what the outbox adds to a document upload: the median time of a whole upload of a small
//!   PDF beside the median time of the statement that queues its notifications, run inside an
//!   open transaction as the upload runs it.
//!
//! Figures go to standard output, for `docs/performance.md`.

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../tests/support/portal.rs"]
#[macro_use]
mod portal;

#[path = "../tests/support/smtp.rs"]
mod smtp;

use std::time::{Duration, Instant};

use portal::{Portal, letter, portal};
use server::notifications::notification_delivery::{
    DeliveryReport, EmailTexts, NotificationTexts, PushTexts, deliver_due,
};
use support::TestDatabase;
use uuid::Uuid;

/// 10,000 unless `BENCH_MESSAGES` says otherwise (for a quick look).
fn messages() -> usize {
    std::env::var("BENCH_MESSAGES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(10_000)
}
const UPLOADS: usize = 200;

struct PlainTexts;

impl NotificationTexts for PlainTexts {
    fn new_document_email(&self, _: &str, portal_address: &str) -> EmailTexts {
        EmailTexts {
            subject: "Espace usager : un nouveau document vous attend".into(),
            text_body: format!("Connectez-vous : {portal_address}"),
            html_body: format!("<p>Connectez-vous : {portal_address}</p>"),
            language: "fr".into(),
        }
    }

    fn reminder_email(&self, language: &str, portal_address: &str) -> EmailTexts {
        self.new_document_email(language, portal_address)
    }

    fn new_document_sms(&self, _: &str, portal_address: &str) -> String {
        portal_address.to_owned()
    }

    fn reminder_sms(&self, _: &str, portal_address: &str) -> String {
        portal_address.to_owned()
    }

    fn new_document_push(&self, _: &str) -> PushTexts {
        PushTexts {
            title: "Espace usager".into(),
            body: "Nouveau document".into(),
        }
    }

    fn reminder_push(&self, language: &str) -> PushTexts {
        self.new_document_push(language)
    }
}

async fn queue_emails(portal: &Portal, applicant: Uuid, count: usize) {
    let id = portal.database.uuid_literal(applicant);
    let past = "'2026-01-01T00:00:00+00:00'";
    portal
        .database
        .execute_raw(&format!(
            "UPDATE applicants SET email = 'amina@example.org', email_verified_at = {past} \
             WHERE id = {id}"
        ))
        .await
        .unwrap();
    let (new_id, rows) = if portal.database.url.starts_with("sqlite") {
        (
            "randomblob(16)",
            format!(
                "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                 WHERE i < {count}) SELECT i FROM n)"
            ),
        )
    } else {
        ("gen_random_uuid()", format!("generate_series(1, {count})"))
    };
    portal
        .database
        .execute_raw(&format!(
            "INSERT INTO notifications (id, applicant_id, channel, status, attempts, \
             next_attempt_at, created_at) SELECT {new_id}, {id}, 'email', 'queued', 0, {past}, \
             {past} FROM {rows} AS numbers"
        ))
        .await
        .unwrap();
}

/// Delivers everything due with `workers` concurrent workers; messages per second.
async fn delivery_rate(database: TestDatabase, workers: usize) -> f64 {
    let (port, received) = smtp::start_smtp_server(0);
    let url = format!("smtp://127.0.0.1:{port}");
    let portal = portal(database, &[("EU_SMTP_URL", url.as_str())]).await;
    let amina = portal.applicant("0708000001").await;
    let messages = messages();
    queue_emails(&portal, amina, messages).await;
    let start = Instant::now();
    let passes = (0..workers).map(|_| async {
        loop {
            let report = deliver_due(&portal.services, &PlainTexts).await.unwrap();
            if report == DeliveryReport::default() {
                return;
            }
        }
    });
    futures::future::join_all(passes).await;
    let elapsed = start.elapsed();
    assert_eq!(
        received.lock().unwrap().len(),
        messages,
        "every message arrived"
    );
    portal.stop().await;
    messages as f64 / elapsed.as_secs_f64()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Median upload of a small PDF, and median run of the outbox's statement in a transaction.
async fn upload_cost(database: TestDatabase) -> (Duration, Duration) {
    let portal = portal(database, &[]).await;
    let amina = portal.applicant("0708000002").await;
    let mut uploads = Vec::with_capacity(UPLOADS);
    let mut documents = Vec::with_capacity(UPLOADS);
    for n in 0..UPLOADS {
        // Different bytes each time: the same file twice is refused as a duplicate.
        let pdf = letter(&format!("Convocation {n}"));
        let start = Instant::now();
        documents.push(portal.post(amina, &pdf).await.unwrap());
        uploads.push(start.elapsed());
    }
    // The same statement again for each document, as the upload ran it: first the rows it
    // wrote are cleared, then it runs inside an open transaction, timed alone.
    portal
        .database
        .execute_raw("DELETE FROM notifications")
        .await
        .unwrap();
    let url = portal.database.url.clone();
    let statements = if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let mut times = Vec::with_capacity(UPLOADS);
        for document in &documents {
            let mut transaction = pool.begin().await.unwrap();
            let start = Instant::now();
            queue_statement(amina, *document)
                .execute(&mut *transaction)
                .await
                .unwrap();
            times.push(start.elapsed());
            transaction.commit().await.unwrap();
        }
        times
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let mut times = Vec::with_capacity(UPLOADS);
        for document in &documents {
            let mut transaction = pool.begin().await.unwrap();
            let start = Instant::now();
            queue_statement(amina, *document)
                .execute(&mut *transaction)
                .await
                .unwrap();
            times.push(start.elapsed());
            transaction.commit().await.unwrap();
        }
        times
    };
    portal.stop().await;
    (median(uploads), median(statements))
}

/// The outbox's own statement, bound as the upload binds it.
fn queue_statement<'q, DB>(
    applicant: Uuid,
    document: Uuid,
) -> sqlx::query::Query<'q, DB, DB::Arguments>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    chrono::DateTime<chrono::Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut query = sqlx::query::<DB>(server::storage::QUEUE_PER_CHANNEL)
        .bind(applicant)
        .bind(document)
        .bind(chrono::Utc::now());
    for channel in server::storage::Channel::ALL {
        query = query.bind(Uuid::new_v4()).bind(channel.as_str());
    }
    query
}

#[tokio::main]
async fn main() {
    println!(
        "notification outbox, {} emails to an SMTP server on loopback",
        messages()
    );
    for engine in ["sqlite", "postgres"] {
        let database = || async {
            match engine {
                "sqlite" => TestDatabase::sqlite().await,
                _ => TestDatabase::postgres().await,
            }
        };
        let one = delivery_rate(database().await, 1).await;
        let four = delivery_rate(database().await, 4).await;
        let (upload, outbox) = upload_cost(database().await).await;
        println!(
            "{engine}: delivery {one:.0} msg/s (1 worker), {four:.0} msg/s (4 workers); \
             upload of a {}-byte PDF {:.2} ms (median of {UPLOADS}), of which the outbox \
             statement {:.3} ms ({:.1} %)",
            letter("Convocation").len(),
            upload.as_secs_f64() * 1000.0,
            outbox.as_secs_f64() * 1000.0,
            100.0 * outbox.as_secs_f64() / upload.as_secs_f64()
        );
    }
}
