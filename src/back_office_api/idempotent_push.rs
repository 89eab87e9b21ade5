//! `Idempotency-Key` on the two push routes (`POST /api/v1/documents` and `…/bulk`), around
//! their handlers, which know nothing of it. With the header, the caller is authenticated, the
//! body is spooled to a file under the data folder (encrypted under a key held in memory only)
//! while its fingerprint is taken, so memory stays flat for a 20 MB letter; the key is claimed
//! in the database (one claim per key, whichever instance asks first), and then either the
//! handler runs on the spooled body and its answer is kept, or the kept answer is given again
//! (`Idempotent-Replayed: true`), or the request is refused: another request under the same key
//! (422), or the first still running (409). The rules are `server::back_office_api::idempotency`'s.
//!
//! The push and the keeping of its answer run in a task of their own: a client that hangs up
//! (the very case a retry is for) does not leave a claim that never gets its answer.

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
    documents::encryption::{DataKey, Decryptor, Encryptor},
    storage::{Claim, IdempotentRequest},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use super::{ApiCaller, ApiRefusal, scope};
use crate::app_state::AppState;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// The largest answer kept: a bulk push of 1,000 files answers about 300 KB.
const LARGEST_ANSWER: usize = 4 * 1024 * 1024;
const SETTLE_ATTEMPTS: usize = 3;

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
    let header = (parts.headers.get(IDEMPOTENCY_KEY)).map(|value| value.as_bytes());
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
        Err(Spooling::TooLarge) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Err(Spooling::Body) => return refuse(StatusCode::BAD_REQUEST, Code::Fields),
        Err(Spooling::Disk(error)) => {
            return ApiRefusal::unavailable(&error, locale).into_response();
        }
    };
    let claim = Claimant {
        services: services.clone(),
        api_key: caller.key.id,
        key,
        token: Uuid::new_v4(),
    };
    let now = services.clock.now();
    let claimed = services
        .storage
        .claim_idempotency_key(
            claim.api_key,
            claim.key.as_str(),
            &spooled.fingerprint,
            claim.token,
            now,
            now - STALE_AFTER,
        )
        .await;
    match claimed {
        Err(error) => ApiRefusal::unavailable(&error, locale).into_response(),
        Ok(Claim::Taken(held)) => answer_again(held, &spooled.fingerprint, refuse),
        Ok(Claim::Claimed) => {
            // From the claim on, in a task of its own: a client hanging up now leaves the claim
            // answered or let go all the same.
            let task = tokio::spawn(claim.clone().run(next, parts, spooled, locale));
            match task.await {
                Ok(response) => response,
                Err(panicked) => {
                    claim.release().await;
                    ApiRefusal::unavailable(&panicked, locale).into_response()
                }
            }
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
        (busy.headers_mut()).insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
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

/// The request that holds the claim on a key, named by its token.
#[derive(Clone)]
struct Claimant {
    services: Services,
    api_key: Uuid,
    key: IdempotencyKey,
    token: Uuid,
}

impl Claimant {
    /// Runs the push and keeps its answer for the retries, unless the portal failed (5xx):
    /// then the key is let go, and a retry runs the push again.
    async fn run(
        self,
        next: Next,
        parts: axum::http::request::Parts,
        spooled: Spooled,
        locale: app::i18n::Locale,
    ) -> Response {
        let body = match spooled.read_back().await {
            Ok(body) => body,
            Err(error) => {
                self.release().await;
                return ApiRefusal::unavailable(&error, locale).into_response();
            }
        };
        let response = next.run(Request::from_parts(parts, body)).await;
        let status = response.status();
        if status.is_server_error() {
            self.release().await;
            return response;
        }
        let (parts, body) = response.into_parts();
        let bytes = match axum::body::to_bytes(body, LARGEST_ANSWER).await {
            Ok(bytes) => bytes,
            Err(error) => {
                // The push happened: the claim stays (a retry is told "in progress" until
                // it goes stale) rather than letting the push run twice.
                tracing::error!(%error, "an idempotent push's answer could not be read");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        };
        self.settle(status, &String::from_utf8_lossy(&bytes)).await;
        Response::from_parts(parts, Body::from(bytes))
    }

    async fn settle(&self, status: StatusCode, answer: &str) {
        let storage = self.services.storage.as_ref();
        for attempt in 1..=SETTLE_ATTEMPTS {
            let settled = storage
                .settle_idempotency_key(
                    self.api_key,
                    self.key.as_str(),
                    self.token,
                    status.as_u16(),
                    answer,
                )
                .await;
            match settled {
                Ok(true) => return,
                Ok(false) => {
                    tracing::warn!("an idempotency claim was taken over before its answer");
                    return;
                }
                Err(error) if attempt == SETTLE_ATTEMPTS => {
                    // The push is done; a retry is told "in progress" until the claim goes
                    // stale, then runs again (and meets `duplicate` for a file already in).
                    tracing::error!(%error, "an idempotent push's answer could not be kept");
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
            }
        }
    }

    async fn release(&self) {
        let storage = self.services.storage.as_ref();
        let released = storage
            .release_idempotency_key(self.api_key, self.key.as_str(), self.token)
            .await;
        if let Err(error) = released {
            tracing::error!(%error, "an idempotency key could not be released");
        }
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
    let Ok(mut entries) = tokio::fs::read_dir(spool_folder(services)).await else {
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

fn spool_folder(services: &Services) -> PathBuf {
    services.config.data_dir.join("spool")
}

enum Spooling {
    /// Over the route's body limit.
    TooLarge,
    /// The client's body broke off.
    Body,
    Disk(std::io::Error),
}

/// The body, on disk and encrypted, its key, and its fingerprint. The file goes when this does.
struct Spooled {
    path: PathBuf,
    key: Option<DataKey>,
    fingerprint: String,
}

/// Owner-only: the folder and the files in it hold letters, however briefly.
async fn spool(
    services: &Services,
    mut body: Body,
    mut fingerprint: Fingerprint,
) -> Result<Spooled, Spooling> {
    let folder = spool_folder(services);
    let disk = |error: std::io::Error| Spooling::Disk(error);
    tokio::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&folder)
        .await
        .map_err(disk)?;
    let key = DataKey::ephemeral().map_err(|error| disk(std::io::Error::other(error)))?;
    let mut encryptor = Encryptor::new(&key).map_err(|error| disk(std::io::Error::other(error)))?;
    let mut spooled = Spooled {
        path: folder.join(Uuid::new_v4().to_string()),
        key: Some(key),
        fingerprint: String::new(),
    };
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&spooled.path)
        .await
        .map_err(disk)?;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            if over_the_limit(&error) {
                Spooling::TooLarge
            } else {
                Spooling::Body
            }
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue; // trailers
        };
        fingerprint.update(&chunk);
        let sealed = encryptor
            .push(&chunk)
            .map_err(|error| disk(std::io::Error::other(error)))?;
        file.write_all(&sealed).await.map_err(disk)?;
    }
    let last = encryptor
        .finish()
        .map_err(|error| disk(std::io::Error::other(error)))?;
    file.write_all(&last).await.map_err(disk)?;
    file.flush().await.map_err(disk)?;
    spooled.fingerprint = fingerprint.finish();
    Ok(spooled)
}

/// Whether a body broke off at the body-limit layer (wrapped by each layer it crossed).
fn over_the_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

impl Spooled {
    /// The spooled body, decrypted as the handler reads it. The file is unlinked once open:
    /// nothing is left behind, whatever happens to the request.
    async fn read_back(mut self) -> std::io::Result<Body> {
        let mut file = tokio::fs::File::open(&self.path).await?;
        tokio::fs::remove_file(&self.path).await?;
        let key = self
            .key
            .take()
            .ok_or_else(|| std::io::Error::other("read twice"))?;
        let (mut plain, reader) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let mut decryptor = Decryptor::new(&key);
            let mut buffer = vec![0; 64 * 1024];
            loop {
                let read = match file.read(&mut buffer).await {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) => {
                        return tracing::error!(%error, "a spooled push could not be read");
                    }
                };
                let Ok(bytes) = decryptor.push(&buffer[..read]) else {
                    // Cut short: the handler sees an unfinished form and refuses it.
                    return tracing::error!("a spooled push failed authentication");
                };
                if plain.write_all(&bytes).await.is_err() {
                    return; // the handler stopped reading
                }
            }
            match decryptor.finish() {
                Ok(rest) => {
                    let _ = plain.write_all(&rest).await;
                }
                Err(_) => tracing::error!("a spooled push ended early"),
            }
        });
        Ok(Body::from_stream(tokio_util::io::ReaderStream::new(reader)))
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        // Refused or replayed before it was read back (already gone once read back).
        let _ = std::fs::remove_file(&self.path);
    }
}
