//! `Idempotency-Key` on the two push routes (`POST /api/v1/documents` and `…/bulk`), around
//! their handlers, which know nothing of it. With the header, the body is first spooled to a
//! file under the data folder while its fingerprint is taken (memory stays flat for a 20 MB
//! letter), the key is claimed in the database (one request per key, whichever instance), and
//! then either the handler runs on the spooled body and its answer is kept, or the kept answer
//! is given again (`Idempotent-Replayed: true`), or the request is refused: another request
//! under the same key (422), or the first still running (409). The rules are
//! `server::back_office_api::idempotency`'s.

use std::path::PathBuf;

use axum::{
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body_util::BodyExt;
use refusal::Code;
use server::{
    Services,
    back_office_api::idempotency::{Fingerprint, IdempotencyKey, KEPT_FOR, STALE_AFTER},
    storage::{Claim, IdempotentRequest},
};
use tokio::io::AsyncWriteExt;

use super::{ApiCaller, ApiRefusal, scope};
use crate::app_state::AppState;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// The largest answer kept: a bulk push of 1,000 files answers about 300 KB.
const LARGEST_ANSWER: usize = 4 * 1024 * 1024;

pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !request.headers().contains_key(IDEMPOTENCY_KEY) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    // Who is asking, before any of the body is read or any key claimed (the handler asks again).
    let caller =
        match ApiCaller::<scope::DocumentsWrite>::from_request_parts(&mut parts, &state).await {
            Ok(caller) => caller,
            Err(refusal) => return refusal.into_response(),
        };
    let services = state.services;
    let locale = caller.locale;
    let refuse = |status, code| ApiRefusal::new(status, code, locale).into_response();
    let header = parts
        .headers
        .get(IDEMPOTENCY_KEY)
        .map(|value| value.as_bytes());
    let key = match IdempotencyKey::parse(header.unwrap_or_default()) {
        Ok(key) => key,
        Err(code) => return refuse(StatusCode::BAD_REQUEST, code),
    };
    let content_type = (parts.headers.get(header::CONTENT_TYPE))
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let fingerprint = Fingerprint::new(parts.uri.path(), content_type);
    let spooled = match spool(&services, body, fingerprint).await {
        Ok(spooled) => spooled,
        Err(Spooling::Body) => return refuse(StatusCode::BAD_REQUEST, Code::Fields),
        Err(Spooling::Disk(error)) => {
            return ApiRefusal::unavailable(&error, locale).into_response();
        }
    };
    let api_key = caller.key.id;
    let now = services.clock.now();
    let claim = services
        .storage
        .claim_idempotency_key(
            api_key,
            key.as_str(),
            &spooled.fingerprint,
            now,
            now - STALE_AFTER,
        )
        .await;
    match claim {
        Err(error) => ApiRefusal::unavailable(&error, locale).into_response(),
        Ok(Claim::Taken(held)) => answer_again(held, &spooled.fingerprint, refuse),
        Ok(Claim::Claimed) => {
            let body = match spooled.read_back().await {
                Ok(body) => body,
                Err(error) => {
                    release(&services, api_key, &key).await;
                    return ApiRefusal::unavailable(&error, locale).into_response();
                }
            };
            let response = next.run(Request::from_parts(parts, body)).await;
            keep_answer(&services, api_key, &key, response).await
        }
    }
}

/// A request already seen under this key: its answer again, if it is this request and has one.
fn answer_again(
    held: IdempotentRequest,
    fingerprint: &str,
    refuse: impl Fn(StatusCode, Code) -> Response,
) -> Response {
    if held.fingerprint != fingerprint {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, Code::IdempotencyReused);
    }
    let (Some(status), Some(answer)) = (held.status, held.answer) else {
        let mut busy = refuse(StatusCode::CONFLICT, Code::IdempotencyBusy);
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return busy;
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|status| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, answer).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Keeps the handler's answer for the retries, unless the portal failed (5xx): then the key is
/// let go, and a retry runs the push again.
async fn keep_answer(
    services: &Services,
    api_key: uuid::Uuid,
    key: &IdempotencyKey,
    response: Response,
) -> Response {
    let status = response.status();
    if status.is_server_error() {
        release(services, api_key, key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_ANSWER).await else {
        release(services, api_key, key).await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let answer = String::from_utf8_lossy(&bytes);
    let storage = services.storage.as_ref();
    if let Err(error) = storage
        .settle_idempotency_key(api_key, key.as_str(), status.as_u16(), &answer)
        .await
    {
        // The push is done; only a retry's answer is at stake, and it will say "in progress"
        // until the claim goes stale.
        tracing::error!(%error, "an idempotent push's answer could not be kept");
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn release(services: &Services, api_key: uuid::Uuid, key: &IdempotencyKey) {
    if let Err(error) = services
        .storage
        .release_idempotency_key(api_key, key.as_str())
        .await
    {
        tracing::error!(%error, "an idempotency key could not be released");
    }
}

/// Hourly: forgets the keys older than a day, and removes spooled bodies an hour old (left by
/// a process that died mid-request; a live request never takes that long to spool).
pub async fn forget_old_keys(services: &Services) {
    let before = services.clock.now() - KEPT_FOR;
    match services.storage.forget_idempotency_keys(before).await {
        Ok(0) => {}
        Ok(forgotten) => tracing::info!(forgotten, "idempotency keys forgotten"),
        Err(error) => tracing::warn!(%error, "idempotency keys could not be forgotten"),
    }
    let folder = services.config.data_dir.join("spool");
    let Ok(mut entries) = tokio::fs::read_dir(&folder).await else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    while let Ok(Some(entry)) = entries.next_entry().await {
        let old = (entry.metadata().await.ok())
            .and_then(|metadata| metadata.modified().ok())
            .is_some_and(|modified| modified < hour_ago);
        if old {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

enum Spooling {
    /// The client's body broke off.
    Body,
    Disk(std::io::Error),
}

/// The body, on disk, and its fingerprint.
struct Spooled {
    path: PathBuf,
    fingerprint: String,
}

async fn spool(
    services: &Services,
    body: Body,
    mut fingerprint: Fingerprint,
) -> Result<Spooled, Spooling> {
    let folder = services.config.data_dir.join("spool");
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(Spooling::Disk)?;
    // Removed on drop from here on, whatever happens.
    let mut spooled = Spooled {
        path: folder.join(uuid::Uuid::new_v4().to_string()),
        fingerprint: String::new(),
    };
    let mut file = tokio::fs::File::create(&spooled.path)
        .await
        .map_err(Spooling::Disk)?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let Ok(chunk) = frame.map_err(|_| Spooling::Body)?.into_data() else {
            continue; // trailers
        };
        fingerprint.update(&chunk);
        file.write_all(&chunk).await.map_err(Spooling::Disk)?;
    }
    file.flush().await.map_err(Spooling::Disk)?;
    spooled.fingerprint = fingerprint.finish();
    Ok(spooled)
}

impl Spooled {
    /// The spooled body as a request body. The file is unlinked once open: nothing is left
    /// behind, whatever happens to the request.
    async fn read_back(&self) -> std::io::Result<Body> {
        let file = tokio::fs::File::open(&self.path).await?;
        tokio::fs::remove_file(&self.path).await?;
        Ok(Body::from_stream(tokio_util::io::ReaderStream::new(file)))
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        // Refused or replayed before it was read back.
        let _ = std::fs::remove_file(&self.path);
    }
}
