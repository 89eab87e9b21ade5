//! The `espace-usager` binary run as a process of its own, for the tests that kill it or take a
//! part away from under it: its command line, its start, its kill -9, and what it left on disk.

#![allow(dead_code)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const BINARY: &str = env!("CARGO_BIN_EXE_espace-usager");

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn command(data: &Path, database_url: &str, port: u16) -> Command {
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

/// A command line run to its end (`create-api-key`, `create-applicant`...): its output.
pub fn run(data: &Path, database_url: &str, args: &[&str]) -> String {
    let output = command(data, database_url, free_port())
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A back-office API key allowed to post documents.
pub fn api_key(data: &Path, database_url: &str) -> String {
    let printed = run(
        data,
        database_url,
        &[
            "create-api-key",
            "--name",
            "test",
            "--scope",
            "documents:write",
        ],
    );
    printed
        .split_whitespace()
        .find(|word| word.starts_with("eu_"))
        .unwrap()
        .to_owned()
}

pub fn create_applicant(data: &Path, database_url: &str, foreigner_number: &str) {
    run(
        data,
        database_url,
        &[
            "create-applicant",
            "--foreigner-number",
            foreigner_number,
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
}

/// A server process that is killed when the test ends, even by a failed assertion.
pub struct Server(Child);

impl Server {
    /// SIGKILL: no handler, no clean-up.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn serve(data: &Path, database_url: &str, port: u16) -> Server {
    serve_with(data, database_url, port, &[])
}

/// The same with more variables (`EU_TRUSTED_PROXY_HOPS`...).
pub fn serve_with(data: &Path, database_url: &str, port: u16, env: &[(&str, &str)]) -> Server {
    let mut server = Server(
        command(data, database_url, port)
            .envs(env.iter().copied())
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
        if let Ok(answer) = exchange(
            port,
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ) && answer.starts_with("HTTP/1.1 200")
        {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One whole request on a connection of its own, and the whole answer.
pub fn exchange(port: u16, request: &[u8]) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.write_all(request)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// A multipart body of text fields and PDF files, and its content type.
pub fn multipart(fields: &[(&str, &str)], files: &[(String, Vec<u8>)]) -> (Vec<u8>, String) {
    const BOUNDARY: &str = "eu-spawned-server";
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    for (name, pdf) in files {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(pdf);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{BOUNDARY}--\r\n").unwrap();
    (body, format!("multipart/form-data; boundary={BOUNDARY}"))
}

/// A POST of the API, whole, ready to write on a connection.
pub fn api_post(port: u16, path: &str, key: &str, body: &[u8], content_type: &str) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// Every file under the document store's folder, staging files of unfinished uploads included.
pub fn stored_files(data: &Path) -> Vec<String> {
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

/// Ages the staging files left by a killed upload by two hours (rather than waiting), so that
/// the next start removes them as stale.
pub fn age_staging_files(data: &Path) {
    for file in stored_files(data) {
        if file.contains('#') {
            std::fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(std::time::SystemTime::now() - Duration::from_secs(7200))
                .unwrap();
        }
    }
}

/// Waits until `done` holds, at most `limit`.
pub fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
