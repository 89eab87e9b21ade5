//! Request bodies are small, except on the routes that carry documents: those may bring a few
//! PDFs at once (they stream to storage, so the size costs no memory). Everything else keeps
//! the small limit, so no other route can be made to read a large body.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::config::Config;

#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub default: usize,
    pub upload: usize,
}

impl From<&Config> for BodyLimits {
    fn from(config: &Config) -> Self {
        BodyLimits {
            default: config.body_limit_bytes,
            upload: usize::try_from(config.upload_request_limit_bytes()).unwrap_or(usize::MAX),
        }
    }
}

/// Routes whose requests carry document files.
pub fn carries_documents(path: &str) -> bool {
    path.starts_with("/staff/applicants/") && path.ends_with("/documents")
        || path.starts_with("/api/v1/") && path.ends_with("/documents")
}

pub async fn limit_request_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let limit = if carries_documents(request.uri().path()) {
        limits.upload
    } else {
        limits.default
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    // Bodies without a declared length are cut off at the limit as they arrive.
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::carries_documents;

    #[test]
    fn only_document_routes_get_the_upload_limit() {
        assert!(carries_documents("/staff/applicants/5d0c/documents"));
        assert!(carries_documents("/api/v1/documents"));
        assert!(!carries_documents("/staff/applicants"));
        assert!(!carries_documents("/sign-in"));
        assert!(!carries_documents("/api/account/documents/x"));
    }
}
