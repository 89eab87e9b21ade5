//! PostgreSQL restarted under load: a PostgreSQL cluster of the test's own is stopped (fast
//! shutdown, as `systemctl restart` does) while back-office pushes keep coming, stays down a few
//! seconds, and starts again. While it is down every push gets a clear 503 in a few seconds,
//! never a 500 and never a hang; once it is back the same server process posts again without
//! a restart; and each 201 answer is a whole document (row, object, notifications), each 503 left
//! nothing behind.

mod spawned_server;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use spawned_server::{
    api_key, api_post, create_applicant, exchange, multipart, serve, stored_files,
};

/// A PostgreSQL cluster in a temporary folder, on a port of its own, run as the `postgres`
/// user when the test runs as root (PostgreSQL refuses root).
struct PrivateCluster {
    folder: tempfile::TempDir,
    port: u16,
    binaries: PathBuf,
}

impl PrivateCluster {
    fn create() -> PrivateCluster {
        let output = Command::new("pg_config").arg("--bindir").output();
        let binaries = match output {
            Ok(output) if output.status.success() => {
                PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
            }
            _ => panic!("PostgreSQL's server binaries are required (pg_config --bindir)"),
        };
        let folder = tempfile::tempdir().unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(folder.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let cluster = PrivateCluster {
            folder,
            port: spawned_server::free_port(),
            binaries,
        };
        let data = cluster.data().display().to_string();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "--no-locale",
                "-E",
                "UTF8",
            ],
        );
        cluster.start();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.folder.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) {
        let program = self.binaries.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        let output = command.args(args).env("LC_ALL", "C").output().unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
    }

    fn start(&self) {
        let data = self.data().display().to_string();
        let log = self.folder.path().join("log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.folder.path().display()
        );
        self.run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        );
    }

    /// A fast shutdown: open sessions are ended, their transactions rolled back.
    fn stop(&self) {
        let data = self.data().display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let program = self.binaries.join("pg_ctl");
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|status| {
            status
                .lines()
                .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// One push's outcome: when it was answered, its status, and its body.
struct Answer {
    at: Instant,
    took: Duration,
    status: u16,
    body: String,
}

fn small_pdf(index: usize) -> Vec<u8> {
    let mut pdf = server::printable::a4_document(
        "Courrier",
        &[server::printable::Line::new(
            format!("Courrier {index}"),
            server::printable::Font::Regular,
            12.0,
        )],
    )
    .unwrap();
    pdf.splice(9..9, format!("% courrier {index}\n").bytes());
    pdf
}

/// Pushes from `clients` threads, one after another each, until `running` is false.
fn push_load(
    port: u16,
    key: &str,
    clients: usize,
    running: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<Vec<Answer>>> {
    let counter = Arc::new(Mutex::new(0usize));
    (0..clients)
        .map(|_| {
            let (key, running, counter) =
                (key.to_owned(), Arc::clone(running), Arc::clone(&counter));
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                while running.load(Ordering::Relaxed) {
                    let index = {
                        let mut counter = counter.lock().unwrap();
                        *counter += 1;
                        *counter
                    };
                    let (body, content_type) = multipart(
                        &[
                            ("applicant", "0707000001"),
                            ("kind", "other"),
                            ("title", "Courrier"),
                        ],
                        &[("file".to_owned(), small_pdf(index))],
                    );
                    let request = api_post(port, "/api/v1/documents", &key, &body, &content_type);
                    let sent = Instant::now();
                    let answer = exchange(port, &request).expect("the server stays up");
                    let status = answer[9..12].parse().unwrap();
                    let body = answer[answer.find("\r\n\r\n").unwrap() + 4..].to_owned();
                    answers.push(Answer {
                        at: Instant::now(),
                        took: sent.elapsed(),
                        status,
                        body,
                    });
                    std::thread::sleep(Duration::from_millis(20));
                }
                answers
            })
        })
        .collect()
}

#[tokio::test]
async fn postgresql_restarted_under_load_loses_nothing_and_recovers_alone() {
    let cluster = PrivateCluster::create();
    let data = tempfile::tempdir().unwrap();
    let url = cluster.url();
    let key = api_key(data.path(), &url);
    create_applicant(data.path(), &url, "0707000001");
    let port = spawned_server::free_port();
    let mut portal = serve(data.path(), &url, port);

    let running = Arc::new(AtomicBool::new(true));
    let clients = push_load(port, &key, 3, &running);
    std::thread::sleep(Duration::from_secs(3));
    cluster.stop();
    let stopped = Instant::now();
    std::thread::sleep(Duration::from_secs(6));
    let restarting = Instant::now();
    cluster.start();
    let restarted = Instant::now();
    std::thread::sleep(Duration::from_secs(8));
    running.store(false, Ordering::Relaxed);
    let answers: Vec<Answer> = clients
        .into_iter()
        .flat_map(|client| client.join().unwrap())
        .collect();

    let posted: Vec<&Answer> = answers
        .iter()
        .filter(|answer| answer.status == 201)
        .collect();
    let refused: Vec<&Answer> = answers
        .iter()
        .filter(|answer| answer.status != 201)
        .collect();
    for answer in &refused {
        assert_eq!(answer.status, 503, "{}", answer.body);
        let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(json["error"], "unavailable");
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|text| !text.is_empty())
        );
        // Clear and prompt: the pool gives up within its 5 s acquire timeout.
        assert!(answer.took < Duration::from_secs(10), "{:?}", answer.took);
    }
    let during_outage = refused
        .iter()
        .filter(|answer| answer.at > stopped && answer.at < restarting)
        .count();
    assert!(
        during_outage > 0,
        "no push was refused while PostgreSQL was down"
    );
    let after = posted.iter().filter(|answer| answer.at > restarted).count();
    assert!(after > 0, "no push went through after the restart");
    assert!(posted.iter().any(|answer| answer.at < stopped));
    println!(
        "{} posted ({after} after the restart), {} refused with 503 ({during_outage} while down), \
         slowest refusal {:?}",
        posted.len(),
        refused.len(),
        refused
            .iter()
            .map(|answer| answer.took)
            .max()
            .unwrap_or_default()
    );

    // Every 201 is a whole document; nothing else was written.
    let storage = server::storage::connect(&url, server::clock::Clock::system())
        .await
        .unwrap();
    let applicant = storage
        .find_applicant_by_foreigner_number("0707000001")
        .await
        .unwrap()
        .unwrap();
    let documents = storage.documents_of_applicant(applicant.id).await.unwrap();
    let mut answered: Vec<String> = posted
        .iter()
        .map(|answer| {
            let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
            json["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let mut stored: Vec<String> = documents
        .iter()
        .map(|document| document.id.to_string())
        .collect();
    answered.sort();
    stored.sort();
    assert_eq!(answered, stored);
    let notifications = storage
        .notifications_of_applicant(applicant.id)
        .await
        .unwrap();
    assert_eq!(notifications.len(), 4 * documents.len());
    assert_eq!(
        objects(data.path()).len(),
        documents.len(),
        "no orphan object"
    );
    let answer = exchange(
        port,
        b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    portal.kill();
    storage.close().await;
}

/// The store's finished objects (staging files of uploads in flight excluded).
fn objects(data: &Path) -> Vec<String> {
    stored_files(data)
        .into_iter()
        .filter(|file| !file.contains('#'))
        .collect()
}
