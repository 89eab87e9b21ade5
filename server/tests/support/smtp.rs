//! A real SMTP server on loopback (mailin-embedded, in this process) that records what it
//! receives: recipients and the raw message, per delivery. Included with `#[path]` by the tests
//! that send mail.

#![allow(dead_code)]

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{Arc, Mutex},
};

use mailin_embedded::{Handler, Server, response};

/// What the SMTP server received: recipients and raw message, per delivery.
pub type Deliveries = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// Recipients the server refuses at `RCPT TO`, with the reply code (450: try later; 550: no
/// such mailbox); the test changes it while the server runs.
pub type Refusals = Arc<Mutex<HashMap<String, u16>>>;

#[derive(Clone, Default)]
struct Recorder {
    current: Vec<u8>,
    received: Deliveries,
    recipients: Vec<String>,
    /// How long each message takes to be accepted, as on a busy relay.
    delay: std::time::Duration,
    refusals: Refusals,
}

impl Handler for Recorder {
    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        match self.refusals.lock().unwrap().get(to) {
            Some(&code) if code < 500 => {
                mailin_embedded::Response::custom(code, "Mailbox busy, try later".into())
            }
            Some(&code) => mailin_embedded::Response::custom(code, "No such mailbox".into()),
            None => response::OK,
        }
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.recipients = to.to_vec();
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        std::thread::sleep(self.delay);
        let message = String::from_utf8_lossy(&self.current).into_owned();
        self.received
            .lock()
            .unwrap()
            .push((self.recipients.clone(), message));
        response::OK
    }
}

/// A port nothing listens on yet (for a relay that is down, then comes up).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the server on `port` (0: any); returns its port and what it receives.
pub fn start_smtp_server(port: u16) -> (u16, Deliveries) {
    start_slow_smtp_server(port, std::time::Duration::ZERO)
}

/// The same, accepting each message only after `delay`.
pub fn start_slow_smtp_server(port: u16, delay: std::time::Duration) -> (u16, Deliveries) {
    let (port, received, _) = start(port, delay);
    (port, received)
}

/// A server that refuses the recipients the returned `Refusals` name.
pub fn start_refusing_smtp_server() -> (u16, Deliveries, Refusals) {
    start(0, std::time::Duration::ZERO)
}

fn start(port: u16, delay: std::time::Duration) -> (u16, Deliveries, Refusals) {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let recorder = Recorder {
        delay,
        ..Recorder::default()
    };
    let refusals = recorder.refusals.clone();
    let received = recorder.received.clone();
    let mut smtp = Server::new(recorder);
    // Many connections at once, as a relay takes them (the sender keeps a pool open).
    smtp.with_name("smtp.test")
        .with_num_threads(64)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = smtp.serve();
    });
    (port, received, refusals)
}
