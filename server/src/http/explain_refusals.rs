//! Refusals produced by generic middleware carry a sentence a person understands, in the
//! request's language. The words belong to the app's translations, which this crate does not
//! see: the app passes them in as `RefusalTexts`.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{HeaderMap, StatusCode, header};

/// What a generic layer refused, to be explained to the person who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The body is over the route's limit (413).
    TooLarge,
    /// A state-changing request from another site (403).
    CrossSite,
}

/// The sentence for a refusal, in the language the request's headers ask for.
pub type RefusalTexts = Arc<dyn Fn(Refusal, &HeaderMap) -> String + Send + Sync>;

/// A plain-text refusal in the request's language.
pub fn explained(
    status: StatusCode,
    texts: &RefusalTexts,
    refusal: Refusal,
    headers: &HeaderMap,
) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        texts(refusal, headers),
    )
        .into_response()
}

/// Explains the body limit's bare 413. A handler's own 413 (the API's JSON error) is left as
/// it is, and the API gets its JSON shape (`error`, `message`) here too.
pub async fn explain_too_large(
    State(texts): State<RefusalTexts>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let for_api = request.uri().path().starts_with("/api/v1/");
    let response = next.run(request).await;
    let explained_already = response.headers().contains_key(header::CONTENT_TYPE);
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || explained_already {
        return response;
    }
    if for_api {
        let message = texts(Refusal::TooLarge, &headers);
        let body = serde_json::json!({ "error": "too_large", "message": message });
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response();
    }
    explained(
        StatusCode::PAYLOAD_TOO_LARGE,
        &texts,
        Refusal::TooLarge,
        &headers,
    )
}
