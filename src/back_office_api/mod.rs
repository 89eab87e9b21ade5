//! The REST API for the office's back-office system, described by `openapi.json` (served at
//! `/api/v1/openapi.json`). Authenticated by a scoped API key (`Authorization: Bearer eu_…`),
//! never by a cookie, so no cross-site request can use it. Errors are JSON: a stable `error`
//! code and a `message` in the `Accept-Language` language.
//!
//! - `POST /api/v1/applicants` (`applicants:write`): registers an applicant.
//! - `POST /api/v1/documents`, `POST /api/v1/documents/bulk` (`documents:write`): posts documents;
//!   with an `Idempotency-Key`, a retry gets the first answer (`idempotent_push`).
//! - `GET /api/v1/documents/{id}`, `…/{id}/acknowledgement`, `GET /api/v1/acknowledgements`
//!   (`documents:read`): notification status and acknowledgements of receipt.
//! - `GET /api/v1/applicants/{id}/postal-address` (`applicants:read`): the address the applicant
//!   declared on the portal, with its history.

mod api_caller;
mod applicants;
mod documents;
mod idempotent_push;

use app::i18n::{Locale, fill, refusal_text};
use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use refusal::Code;
use serde::Serialize;

pub use api_caller::{ApiCaller, scope};
pub use applicants::{postal_address, register};
pub use documents::{
    acknowledgements_export, document_acknowledgement, document_status, post_bulk, post_document,
};
pub use idempotent_push::{forget_old_keys, idempotent};

/// The OpenAPI 3 description of this API.
pub async fn openapi() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("openapi.json"),
    )
        .into_response()
}

#[derive(Serialize)]
struct ApiError {
    error: &'static str,
    message: String,
}

/// The API's refusal: a status, a stable `Code` and its sentence in the caller's language.
#[derive(Debug)]
pub struct ApiRefusal {
    status: StatusCode,
    code: Code,
    message: String,
}

impl ApiRefusal {
    pub fn new(status: StatusCode, code: Code, locale: Locale) -> ApiRefusal {
        ApiRefusal::worded(status, code, message(code, locale))
    }

    pub fn worded(status: StatusCode, code: Code, message: String) -> ApiRefusal {
        ApiRefusal {
            status,
            code,
            message,
        }
    }

    /// A failure of the portal: logged here, answered 503.
    pub fn unavailable(error: &dyn std::fmt::Display, locale: Locale) -> ApiRefusal {
        tracing::error!(%error, "an API request failed");
        ApiRefusal::new(StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable, locale)
    }
}

impl IntoResponse for ApiRefusal {
    fn into_response(self) -> Response {
        let body = ApiError {
            error: self.code.as_str(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// The message of a refusal, in `locale` (the size limit left for `upload_message`).
fn message(code: Code, locale: Locale) -> String {
    refusal_text(code, locale.messages())
}

fn refuse(status: StatusCode, code: Code, locale: Locale) -> Response {
    ApiRefusal::new(status, code, locale).into_response()
}

/// The message of a file refusal, with the size limit filled in.
fn upload_message(code: Code, locale: Locale, max_megabytes: u64) -> String {
    fill(
        &message(code, locale),
        &[("size", &max_megabytes.to_string())],
    )
}
