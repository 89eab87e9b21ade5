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
    pub bulk: usize,
}

impl From<&Config> for BodyLimits {
    fn from(config: &Config) -> Self {
        BodyLimits {
            default: config.body_limit_bytes,
            upload: usize::try_from(config.upload_request_limit_bytes()).unwrap_or(usize::MAX),
            bulk: usize::try_from(config.bulk_request_limit_bytes()).unwrap_or(usize::MAX),
        }
    }
}

/// Routes whose requests carry document files: staff forms (a few files) and the back-office
/// API (one file, or a bulk call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentCarrier {
    Upload,
    Bulk,
}

pub fn carries_documents(path: &str) -> Option<DocumentCarrier> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["staff", "applicants", _, "documents"]
        | ["staff", "documents", _, "withdrawal"]
        | ["api", "v1", "documents"] => Some(DocumentCarrier::Upload),
        ["api", "v1", "documents", "bulk"] => Some(DocumentCarrier::Bulk),
        _ => None,
    }
}

pub async fn limit_request_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let limit = match carries_documents(request.uri().path()) {
        Some(DocumentCarrier::Upload) => limits.upload,
        Some(DocumentCarrier::Bulk) => limits.bulk,
        None => limits.default,
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
    use super::{DocumentCarrier, carries_documents};

    #[test]
    fn only_document_routes_get_the_upload_limits() {
        let upload = Some(DocumentCarrier::Upload);
        assert_eq!(
            carries_documents("/staff/applicants/5d0c/documents"),
            upload
        );
        assert_eq!(
            carries_documents("/staff/documents/5d0c/withdrawal"),
            upload
        );
        assert_eq!(carries_documents("/api/v1/documents"), upload);
        assert_eq!(
            carries_documents("/api/v1/documents/bulk"),
            Some(DocumentCarrier::Bulk)
        );
        assert_eq!(carries_documents("/staff/applicants"), None);
        assert_eq!(carries_documents("/sign-in"), None);
        assert_eq!(carries_documents("/api/account/documents/x"), None);
        assert_eq!(carries_documents("/staff/applicants/a/b/documents"), None);
        assert_eq!(carries_documents("/api/v1/documents/5d0c"), None);
    }
}
