//! The `espace-usager` binary as an operator runs it: configuration errors, first start, keys on
//! disk, a graceful stop on SIGTERM that lets a request in flight finish, and a kill -9 in the
//! middle of delivering notifications that loses none of them.

#[path = "../server/tests/support/mod.rs"]
mod support;

#[path = "../server/tests/support/smtp.rs"]
mod smtp;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    os::unix::fs::PermissionsExt,
    path::Path,
    process::{Child, ChildStdout, Command, Stdio},
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

mod spawned_server;

use spawned_server::{BINARY, free_port};

fn command(data: &Path, port: u16) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EU_DATA_DIR", data)
        .env("EU_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("EU_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .current_dir(data);
    command
}

/// What the child writes on its standard output (the console notes and the log), gathered on a
/// thread as it is written.
struct Log {
    text: Arc<Mutex<String>>,
    reader: JoinHandle<()>,
}

impl Log {
    fn collect(output: ChildStdout) -> Log {
        let text = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&text);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        Log { text, reader }
    }

    /// Waits for the child's own "serving" line: a port that answers may belong to another
    /// process that picked the same free port a moment earlier.
    fn wait_until_serving(&self, child: &mut Child) {
        let start = Instant::now();
        while !self.text.lock().unwrap().contains("serving") {
            assert!(child.try_wait().unwrap().is_none(), "server exited early");
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything the child logged, once it has exited.
    fn finish(self) -> String {
        self.reader.join().unwrap();
        Arc::try_unwrap(self.text).unwrap().into_inner().unwrap()
    }
}

fn wait_for_port(port: u16, child: &mut Child) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "server exited early");
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bad_variable_stops_start_up_with_one_sentence() {
    let data = tempfile::tempdir().unwrap();
    let output = command(data.path(), free_port())
        .env("DATABASE_URL", "mysql://somewhere")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "Configuration error: DATABASE_URL must start with `sqlite:` or `postgres://`."
    );
}

#[test]
fn first_start_creates_demo_data_once_keys_privately_and_stops_gracefully() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = command(data.path(), port)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Log::collect(child.stdout.take().unwrap());
    log.wait_until_serving(&mut child);

    // A signing key, the audit hashing key and the Web Push key in the data folder, readable by
    // their owner only.
    let mut keys: Vec<_> = std::fs::read_dir(data.path().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    keys.sort();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys[1].ends_with("audit-hash.secret"));
    assert!(keys[2].ends_with("vapid.secret"));
    assert_eq!(keys[0].extension().unwrap(), "key");
    for key in &keys {
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(data.path().join("espace-usager.db").exists());

    // A request in flight: headers sent, body not yet complete.
    let body = "lang=en&return_to=%2F";
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /language HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..5]
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // New connections are refused while the old one may still finish.
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still accepting after SIGTERM"
    );
    stream.write_all(&body.as_bytes()[5..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");

    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let stdout = log.finish();
    assert!(stdout.contains("Connection key:"), "{stdout}");
    let connection_key = stdout
        .lines()
        .find(|l| l.contains("Connection key:"))
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let staff_link = stdout
        .lines()
        .find(|l| l.contains("Staff set-up link:"))
        .unwrap()
        .split_once("token=")
        .unwrap()
        .1
        .trim()
        .to_owned();

    // The log never repeats what the console showed once.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let log_lines: Vec<&str> = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|line| line.contains("INFO") || line.contains("WARN") || line.contains("ERROR"))
        .collect();
    assert!(!log_lines.is_empty(), "{stdout}");
    assert!(
        log_lines
            .iter()
            .all(|line| !line.contains(&connection_key) && !line.contains(&staff_link)),
        "{log_lines:?}"
    );

    // A second start finds the data and prints no credentials.
    let port = free_port();
    let mut second = Command::new(BINARY);
    second
        .env_clear()
        .env("EU_DATA_DIR", data.path())
        .env("EU_LISTEN_ADDR", format!("127.0.0.1:{port}"));
    let mut child = second
        .current_dir(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| l.unwrap())
        .collect();
    assert!(
        !lines.iter().any(|l| l.contains("Connection key")),
        "{lines:?}"
    );
}

#[test]
fn the_audit_log_verifies_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    // Creating a key for the API writes an audit event, so the chain is not empty.
    let created = command(data.path(), free_port())
        .args(["create-api-key", "--name", "back-office test"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let verified = command(data.path(), free_port())
        .arg("verify-audit-log")
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
    let stdout = String::from_utf8(verified.stdout).unwrap();
    // The log lines share stdout; the verdict is its own line.
    assert!(
        stdout.contains("\naudit chain intact: 1 event(s), last hash "),
        "{stdout}"
    );
}

#[test]
fn the_command_line_registers_the_contacts_an_applicant_gave() {
    let data = tempfile::tempdir().unwrap();
    let register = |phone: &str| {
        command(data.path(), free_port())
            .args([
                "create-applicant",
                "--foreigner-number",
                "0708000009",
                "--given-names",
                "Amina",
                "--family-name",
                "Test",
                "--date-of-birth",
                "1990-01-01",
                "--phone",
                phone,
                "--email",
                "amina@example.org",
            ])
            .output()
            .unwrap()
    };
    // Not a mobile number: refused, with the reason, and nobody registered.
    let refused = register("612345");
    assert!(!refused.status.success(), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr).into_owned()
        + &String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("mobile number"), "{said}");
    let registered = register("06 12 34 56 78");
    assert!(registered.status.success(), "{registered:?}");
    let stdout = String::from_utf8(registered.stdout).unwrap();
    assert!(stdout.contains("connection key "), "{stdout}");
    let url = format!(
        "sqlite://{}?mode=rw",
        data.path().join("espace-usager.db").display()
    );
    let stored = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let storage = server::storage::connect(&url, server::clock::Clock::system())
            .await
            .unwrap();
        let applicant = storage
            .find_applicant_by_foreigner_number("0708000009")
            .await
            .unwrap()
            .unwrap();
        storage.close().await;
        (applicant.given_phone, applicant.given_email)
    });
    assert_eq!(
        stored,
        (
            Some("+33612345678".to_owned()),
            Some("amina@example.org".to_owned())
        )
    );
}

/// Notifications queued for one applicant with a verified address, straight in the database.
async fn queue_notifications(database: &support::TestDatabase, count: usize) {
    let storage = database.storage().await;
    let key = server::connection_key::ConnectionKey::generate();
    let applicant = storage
        .create_applicant(
            &server::storage::NewApplicant {
                foreigner_number: Some("0799000001".into()),
                file_number: None,
                given_names: "Amina".into(),
                family_name: "Test".into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                preferred_language: "fr".into(),
                electronic_notification: true,
                given: Default::default(),
            },
            &server::storage::NewConnectionKey {
                key_hash: key.hash(),
                expires_at: chrono::Utc::now() + chrono::Duration::days(30),
            },
        )
        .await
        .unwrap();
    let id = database.uuid_literal(applicant.id);
    let past = "'2026-01-01T00:00:00+00:00'";
    database
        .execute_raw(&format!(
            "UPDATE applicants SET email = 'amina@example.org', email_verified_at = {past} \
             WHERE id = {id}"
        ))
        .await
        .unwrap();
    let (new_id, rows) = if database.url.starts_with("sqlite") {
        let rows = format!(
            "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
             SELECT i FROM n)"
        );
        ("randomblob(16)", rows)
    } else {
        ("gen_random_uuid()", format!("generate_series(1, {count})"))
    };
    database
        .execute_raw(&format!(
            "INSERT INTO notifications (id, applicant_id, channel, status, attempts, \
             next_attempt_at, created_at) SELECT {new_id}, {id}, 'email', 'queued', 0, {past}, \
             {past} FROM {rows} AS numbers"
        ))
        .await
        .unwrap();
    storage.close().await;
}

/// Rows recorded as sent (counted by a no-op update, which both engines report).
async fn sent_rows(database: &support::TestDatabase) -> u64 {
    database
        .execute_raw("UPDATE notifications SET status = status WHERE status = 'sent'")
        .await
        .unwrap()
}

fn message_ids(received: &smtp::Deliveries) -> Vec<String> {
    received
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(_, message)| {
            let rest = message.split("Message-ID: <notification-").nth(1)?;
            Some(rest[..36].to_owned())
        })
        .collect()
}

/// The server as the delivery test runs it: sending to `smtp_port`, retrying a dead worker's
/// message after two seconds.
fn delivering_server(data: &Path, database_url: &str, smtp_port: u16) -> (Child, Log) {
    let mut child = command(data, free_port())
        .env("DATABASE_URL", database_url)
        .env("EU_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
        .env("EU_NOTIFICATION_LEASE_SECONDS", "2")
        .env("EU_DEMO_DATA", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log = Log::collect(child.stdout.take().unwrap());
    log.wait_until_serving(&mut child);
    (child, log)
}

async fn killed_mid_delivery_then_restarted_delivers_everything(database: support::TestDatabase) {
    const COUNT: usize = 150;
    queue_notifications(&database, COUNT).await;
    // 20 ms a message: the kill lands in the middle of the first pass.
    let (smtp_port, received) = smtp::start_slow_smtp_server(0, Duration::from_millis(20));
    let data = tempfile::tempdir().unwrap();

    let (mut first, _) = delivering_server(data.path(), &database.url, smtp_port);
    let start = Instant::now();
    while message_ids(&received).len() < 20 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "nothing delivered"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    first.kill().unwrap(); // SIGKILL: no handler, no clean-up.
    first.wait().unwrap();
    let at_kill = message_ids(&received).len();
    assert!(at_kill < COUNT, "killed before the end: {at_kill}");

    // After the lease of the messages in flight runs out, a new process finishes the work:
    // every message arrives and every row ends up recorded as sent (those the relay took just
    // before the kill are sent again, once their lease has run out).
    let (mut second, log) = delivering_server(data.path(), &database.url, smtp_port);
    let start = Instant::now();
    loop {
        let mut unique = message_ids(&received);
        unique.sort();
        unique.dedup();
        let recorded = sent_rows(&database).await;
        if unique.len() == COUNT && recorded == COUNT as u64 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{} of {COUNT} delivered, {recorded} recorded",
            unique.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(second.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(second.wait().unwrap().success());
    log.finish();

    let ids = message_ids(&received);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), COUNT, "every notification arrived");
    // The relay may have accepted a message in flight before the kill let its outcome be
    // recorded: that one may go again, under its own Message-ID, so the receiver drops it. That
    // is at most one per lane (8); no other message is sent twice.
    assert!(
        ids.len() - COUNT <= 8,
        "{} copies too many",
        ids.len() - COUNT
    );
    assert_eq!(
        sent_rows(&database).await,
        COUNT as u64,
        "every row recorded as sent"
    );
    database.drop().await;
}

mod killed_mid_delivery_then_restarted_delivers_everything {
    #[tokio::test]
    async fn sqlite() {
        super::killed_mid_delivery_then_restarted_delivers_everything(
            super::support::TestDatabase::sqlite().await,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres() {
        super::killed_mid_delivery_then_restarted_delivers_everything(
            super::support::TestDatabase::postgres().await,
        )
        .await;
    }
}
