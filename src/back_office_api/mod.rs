//! The REST API for the office's back-office system, described by `openapi.json` (served at
//! `/api/v1/openapi.json`). Authenticated by a scoped API key (`Authorization: Bearer eu_…`),
//! never by a cookie, so no cross-site request can use it. Errors are JSON: a stable `error`
//! code and a `message` in the `Accept-Language` language.
//!
//! - `POST /api/v1/applicants` (`applicants:write`): registers an applicant.
//! - `POST /api/v1/documents`, `POST /api/v1/documents/bulk` (`documents:write`): posts documents.
//! - `GET /api/v1/documents/{id}`, `…/{id}/acknowledgement`, `GET /api/v1/acknowledgements`
//!   (`documents:read`): notification status and acknowledgements of receipt.

mod applicants;
mod documents;

use app::i18n::{Locale, fill};
use axum::{
    Json,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use server::{
    Services,
    api_keys::{self, ApiScope},
    storage::ApiKey,
};

pub use applicants::register;
pub use documents::{
    acknowledgements_export, document_acknowledgement, document_status, post_bulk, post_document,
};

use crate::startup::locale_of;

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

/// The key behind the request, if it holds `scope`; otherwise the refusal to send.
async fn caller(
    services: &Services,
    headers: &HeaderMap,
    scope: ApiScope,
) -> Result<ApiKey, Response> {
    let locale = locale_of(headers);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    match api_keys::authenticate(services.storage.as_ref(), authorization).await {
        Ok(Some(key)) if key.allows(scope) => Ok(key),
        Ok(Some(key)) => {
            tracing::warn!(api_key = %key.id, scope = scope.as_str(), "API key without the scope");
            Err(refuse(StatusCode::FORBIDDEN, "forbidden", locale))
        }
        Ok(None) => Err(refuse(StatusCode::UNAUTHORIZED, "unauthorized", locale)),
        Err(error) => {
            tracing::error!(%error, "API key could not be checked");
            Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                locale,
            ))
        }
    }
}

/// The message of an error code, in `locale`.
fn message(code: &str, locale: Locale) -> String {
    let m = locale.messages();
    let text = match code {
        "unauthorized" => &m.api_error_unauthorized,
        "forbidden" => &m.api_error_forbidden,
        "body" => &m.api_error_body,
        "invalid_number" => &m.staff_error_invalid_number,
        "no_identifier" => &m.staff_error_no_identifier,
        "missing_name" => &m.staff_error_missing_name,
        "birth_future" => &m.staff_error_birth,
        "language" => &m.staff_error_language,
        "already_registered" => &m.staff_error_already_registered,
        "not_found" => &m.api_error_not_found,
        "not_notified" => &m.api_error_not_notified,
        "unknown_applicant" => &m.api_error_unknown_applicant,
        "manifest" => &m.api_error_manifest,
        "missing_file" => &m.api_error_missing_file,
        "unexpected_file" => &m.api_error_unexpected_file,
        "fields" => &m.api_error_fields,
        "period" => &m.api_error_period,
        "not_pdf" => &m.upload_error_not_pdf,
        "damaged" => &m.upload_error_damaged,
        "too_complex" => &m.upload_error_too_complex,
        "javascript" => &m.upload_error_javascript,
        "launch" => &m.upload_error_launch,
        "embedded" => &m.upload_error_embedded,
        "encrypted" => &m.upload_error_encrypted,
        "duplicate" => &m.upload_error_duplicate,
        "infected" => &m.upload_error_infected,
        "title" => &m.upload_error_title,
        "kind" => &m.upload_error_kind,
        "outcome" => &m.upload_error_outcome,
        "appointment" => &m.upload_error_appointment,
        "place" => &m.upload_error_place,
        "facts_kind" => &m.upload_error_facts_kind,
        "no_file" => &m.upload_error_no_file,
        "account_closed" => &m.upload_error_account_closed,
        _ => &m.service_unavailable,
    };
    text.clone()
}

fn refuse(status: StatusCode, code: &'static str, locale: Locale) -> Response {
    refuse_with(status, code, message(code, locale))
}

fn refuse_with(status: StatusCode, code: &'static str, message: String) -> Response {
    (
        status,
        Json(ApiError {
            error: code,
            message,
        }),
    )
        .into_response()
}

/// The message of a file refusal, with the size limit filled in.
fn upload_message(code: &'static str, locale: Locale, max_megabytes: u64) -> String {
    let text = if code == "too_large" {
        locale.messages().upload_error_too_large.clone()
    } else {
        message(code, locale)
    };
    fill(&text, &[("size", &max_megabytes.to_string())])
}
