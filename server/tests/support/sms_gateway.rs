//! An SMS gateway on loopback for the tests: it records each request (bearer token,
//! idempotency key, JSON body) and answers with the status the test sets.

#![allow(dead_code)]

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU16, Ordering},
};

use axum::{Json, Router, extract::State, http::HeaderMap, http::StatusCode, routing::post};

#[derive(Debug, Clone)]
pub struct ReceivedText {
    pub authorization: Option<String>,
    pub idempotency_key: Option<String>,
    pub body: serde_json::Value,
}

impl ReceivedText {
    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or_default()
    }
}

#[derive(Clone, Default)]
struct Gateway {
    received: Arc<Mutex<Vec<ReceivedText>>>,
    status: Arc<AtomicU16>,
}

pub struct SmsGateway {
    pub url: String,
    gateway: Gateway,
    task: tokio::task::JoinHandle<()>,
}

impl SmsGateway {
    pub async fn start() -> SmsGateway {
        let gateway = Gateway::default();
        gateway.status.store(202, Ordering::SeqCst);
        let app = Router::new()
            .route("/send", post(receive))
            .with_state(gateway.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        SmsGateway { url, gateway, task }
    }

    /// What the gateway answers from now on.
    pub fn answer_with(&self, status: u16) {
        self.gateway.status.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<ReceivedText> {
        self.gateway.received.lock().unwrap().clone()
    }
}

impl Drop for SmsGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(gateway): State<Gateway>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let status = StatusCode::from_u16(gateway.status.load(Ordering::SeqCst)).unwrap();
    // Recorded whatever the answer: a refused text still reached the gateway.
    gateway.received.lock().unwrap().push(ReceivedText {
        authorization: header("authorization"),
        idempotency_key: header("idempotency-key"),
        body,
    });
    status
}
