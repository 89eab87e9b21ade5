//! Liveness and readiness probes for the load balancer.

use axum::{
    Json,
    extract::{FromRef, State},
    http::StatusCode,
};
use serde_json::{Value, json};

use super::PROBE_TIMEOUT;
use crate::Services;

/// The process is up and serving.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can do its work: database and document store both answer.
pub async fn readyz<S>(State(state): State<S>) -> (StatusCode, Json<Value>)
where
    Services: FromRef<S>,
{
    let services = Services::from_ref(&state);
    let database = tokio::time::timeout(PROBE_TIMEOUT, services.storage.ping()).await;
    let documents = tokio::time::timeout(PROBE_TIMEOUT, services.documents.ping()).await;
    let database_ok = matches!(database, Ok(Ok(())));
    let documents_ok = matches!(documents, Ok(Ok(())));
    if !database_ok {
        tracing::warn!(
            engine = services.storage.engine(),
            "readiness: database unavailable"
        );
    }
    if !documents_ok {
        tracing::warn!(
            store = services.documents.kind(),
            "readiness: document store unavailable"
        );
    }
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let status = if database_ok && documents_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if status == StatusCode::OK { "ready" } else { "not ready" },
            "database": word(database_ok),
            "document_store": word(documents_ok),
        })),
    )
}
