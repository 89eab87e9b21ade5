//! A Web Push service on loopback for the tests: it records each message (headers and the
//! encrypted body) and answers with the status the test sets.

#![allow(dead_code)]

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU16, Ordering},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};

#[derive(Debug, Clone)]
pub struct PushedMessage {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl PushedMessage {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

#[derive(Clone, Default)]
struct Service {
    received: Arc<Mutex<Vec<PushedMessage>>>,
    status: Arc<AtomicU16>,
}

pub struct PushService {
    /// `http://127.0.0.1:<port>`, for `EU_PUSH_SERVICES`.
    pub origin: String,
    service: Service,
    task: tokio::task::JoinHandle<()>,
}

impl PushService {
    pub async fn start() -> PushService {
        let service = Service::default();
        service.status.store(201, Ordering::SeqCst);
        let app = Router::new()
            .route("/push/{browser}", post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        PushService {
            origin,
            service,
            task,
        }
    }

    /// A browser's endpoint at this service.
    pub fn endpoint(&self, browser: &str) -> String {
        format!("{}/push/{browser}", self.origin)
    }

    pub fn answer_with(&self, status: u16) {
        self.service.status.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<PushedMessage> {
        self.service.received.lock().unwrap().clone()
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> StatusCode {
    service.received.lock().unwrap().push(PushedMessage {
        headers,
        body: body.to_vec(),
    });
    StatusCode::from_u16(service.status.load(Ordering::SeqCst)).unwrap()
}
