//! kill -9 of the server in the middle of a document upload, on both engines: after a restart no
//! document is half-visible (no row without its whole object), nothing of the cut upload is left
//! in the store, and the same upload then goes through.

#[path = "../server/tests/support/mod.rs"]
mod support;

use std::{
    io::Write,
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use server::printable::{Font, Line, a4_document};

const BINARY: &str = env!("CARGO_BIN_EXE_espace-usager");
const BOUNDARY: &str = "eu-killed-upload";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(data: &Path, database_url: &str, port: u16) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EU_DATA_DIR", data)
        .env("DATABASE_URL", database_url)
        .env("EU_DEMO_DATA", "off")
        .env("EU_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("EU_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .current_dir(data);
    command
}

fn run(data: &Path, database_url: &str, args: &[&str]) -> String {
    let output = command(data, database_url, free_port())
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A server process that is killed when the test ends, even by a failed assertion.
struct Server(Child);

impl Server {
    fn kill(&mut self) {
        let _ = self.0.kill(); // SIGKILL: no handler, no clean-up.
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve(data: &Path, database_url: &str, port: u16) -> Server {
    let mut server = Server(
        command(data, database_url, port)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    loop {
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "server exited early"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return server;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A valid PDF of about `bytes` bytes (comment lines pad it).
fn large_pdf(bytes: usize) -> Vec<u8> {
    let base = a4_document(
        "Compte rendu",
        &[Line::new("Compte rendu", Font::Regular, 12.0)],
    )
    .unwrap();
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(
        "% padding line of a long transcript\n"
            .repeat(bytes / 36)
            .as_bytes(),
    );
    pdf.extend_from_slice(&base[9..]);
    pdf
}

/// The API's multipart request for one document, whole.
fn upload_request(port: u16, key: &str, pdf: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [
        ("applicant", "0706000001"),
        ("kind", "interview_transcript"),
        ("title", "Compte rendu d'entretien"),
    ] {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cr.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(pdf);
    write!(body, "\r\n--{BOUNDARY}--\r\n").unwrap();
    let mut request = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request
}

/// Every file under the document store's folder, staging files of unfinished uploads included.
fn stored_files(data: &Path) -> Vec<String> {
    fn walk(path: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), found);
            } else {
                found.push(entry.path().display().to_string());
            }
        }
    }
    let mut found = Vec::new();
    walk(&data.join("documents"), &mut found);
    found
}

async fn killed_mid_upload_leaves_nothing_half_done(database: support::TestDatabase) {
    let data = tempfile::tempdir().unwrap();
    let url = database.url.clone();
    let printed = run(
        data.path(),
        &url,
        &[
            "create-api-key",
            "--name",
            "test",
            "--scope",
            "documents:write",
        ],
    );
    let key = printed
        .split_whitespace()
        .find(|word| word.starts_with("eu_"))
        .unwrap()
        .to_owned();
    run(
        data.path(),
        &url,
        &[
            "create-applicant",
            "--foreigner-number",
            "0706000001",
            "--given-names",
            "Amina",
            "--family-name",
            "Test",
            "--date-of-birth",
            "1990-01-01",
            "--language",
            "fr",
        ],
    );
    let port = free_port();
    let mut first = serve(data.path(), &url, port);
    // 12 MB: the first 5 MB part is written to the store before the end of the body.
    let pdf = large_pdf(12 * 1024 * 1024);
    let request = upload_request(port, &key, &pdf);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let cut = request.len() * 2 / 3;
    for piece in request[..cut].chunks(256 * 1024) {
        stream.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    // The kill lands once the first part is on disk (however slow the machine is).
    let start = Instant::now();
    while stored_files(data.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no part of the upload was stored"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill();
    drop(stream);

    // The cut upload left a staging file behind. Once it is an hour old (set back here rather
    // than waited for), the restarted server removes it by itself; no row was ever written.
    let staged = stored_files(data.path());
    assert!(staged.iter().all(|file| file.contains('#')), "{staged:?}");
    for file in &staged {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
    }
    let mut second = serve(data.path(), &url, port);
    let storage = database.storage().await;
    let amina = storage
        .find_applicant_by_foreigner_number("0706000001")
        .await
        .unwrap()
        .unwrap();
    assert!(
        storage
            .documents_of_applicant(amina.id)
            .await
            .unwrap()
            .is_empty()
    );
    let start = Instant::now();
    while !stored_files(data.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "staging file left"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The same upload now goes through whole.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(&request).unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    let documents = storage.documents_of_applicant(amina.id).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].size_bytes, pdf.len() as i64);
    assert_eq!(stored_files(data.path()).len(), 1);
    second.kill();
    storage.close().await;
    database.drop().await;
}

mod killed_mid_upload_leaves_nothing_half_done {
    #[tokio::test]
    async fn sqlite() {
        super::killed_mid_upload_leaves_nothing_half_done(
            super::support::TestDatabase::sqlite().await,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres() {
        super::killed_mid_upload_leaves_nothing_half_done(
            super::support::TestDatabase::postgres().await,
        )
        .await;
    }
}
