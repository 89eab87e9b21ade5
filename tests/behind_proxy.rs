//! The portal behind nginx configured exactly as `docs/deployment.md` says (its `location /`
//! block is read from the document): whatever a client writes in `X-Forwarded-For`, the
//! address the per-address brake counts is the one nginx saw, and it is never lost.

#[path = "../server/tests/support/mod.rs"]
mod support;

mod spawned_server;

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use spawned_server::{exchange, free_port, serve_with};
use sqlx::{Connection, Row};

/// The `location / { … }` block of the deployment guide's nginx example, as written there.
fn documented_location_block() -> String {
    let guide = include_str!("../docs/deployment.md");
    let start = guide
        .find("    location / {")
        .expect("docs/deployment.md has a `location /` block");
    let end = start + guide[start..].find("\n    }\n").expect("block closes") + 6;
    guide[start..end].to_owned()
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx_in_front_of(work: &Path, upstream_port: u16, port: u16) -> Nginx {
    let location = documented_location_block();
    assert!(location.contains("$proxy_add_x_forwarded_for"));
    let config = format!(
        // One process in the foreground: killing it leaves no worker behind.
        "daemon off;\nmaster_process off;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {work};\n  proxy_temp_path {work};\n\
         \n  upstream espace_usager {{ server 127.0.0.1:{upstream_port}; keepalive 4; }}\n\
         \n  server {{\n    listen 127.0.0.1:{port};\n{location}\n  }}\n}}\n",
        work = work.display()
    );
    std::fs::write(work.join("nginx.conf"), config).unwrap();
    let nginx = Command::new("nginx")
        .arg("-c")
        .arg(work.join("nginx.conf"))
        .arg("-e")
        .arg(work.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed by `make setup-test`");
    let nginx = Nginx(nginx);
    let start = Instant::now();
    while exchange(
        port,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .map_or(true, |answer| !answer.starts_with("HTTP/1.1 200"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "nginx did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

/// A wrong password for an unknown number, with the client's own `X-Forwarded-For` bytes.
fn failed_sign_in(port: u16, number: &str, forwarded: &[u8]) -> String {
    let body = format!("foreigner_number={number}&password=not-the-password");
    let mut request = format!(
        "POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    if !forwarded.is_empty() {
        request.extend_from_slice(b"X-Forwarded-For: ");
        request.extend_from_slice(forwarded);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(body.as_bytes());
    exchange(port, &request).unwrap()
}

#[tokio::test]
async fn a_client_cannot_choose_or_hide_the_address_the_brake_counts() {
    let work = tempfile::tempdir().unwrap();
    let database = support::TestDatabase::sqlite().await;
    let portal_port = free_port();
    let _portal = serve_with(
        work.path(),
        &database.url,
        portal_port,
        &[("EU_TRUSTED_PROXY_HOPS", "1")],
    );
    let proxy_port = free_port();
    let _nginx = nginx_in_front_of(work.path(), portal_port, proxy_port);

    let spoofs: [&[u8]; 6] = [
        b"",
        b"x",
        b"203.0.113.9",
        b"203.0.113.9, not-an-address",
        b"\xff\xfe",
        b",,,, 198.51.100.7",
    ];
    for (attempt, forwarded) in spoofs.iter().enumerate() {
        // A number each, so that only the address is counted again and again.
        let answer = failed_sign_in(proxy_port, &format!("07060099{attempt:02}"), forwarded);
        assert!(
            answer.starts_with("HTTP/1.1 303") && answer.contains("error=refused"),
            "{forwarded:?}: {}",
            answer.lines().next().unwrap_or_default()
        );
    }

    let mut connection = sqlx::SqliteConnection::connect(&database.url)
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT failures FROM attempt_throttles WHERE throttle_key LIKE 'sign_in:address:%'",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap();
    let counts: Vec<i64> = rows.iter().map(|row| row.get("failures")).collect();
    // One address (the one nginx saw: 127.0.0.1), counted for every attempt.
    assert_eq!(counts, [spoofs.len() as i64]);
    let unaddressed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in_password' AND ip_hash IS NULL",
    )
    .fetch_one(&mut connection)
    .await
    .unwrap();
    assert_eq!(unaddressed, 0, "every attempt is audited with its address");
}
