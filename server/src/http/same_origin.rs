//! Cross-site request forgery guard: a request that may change state (anything but GET, HEAD,
//! OPTIONS) must come from the portal's own pages. Leptos server functions do no such check.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{Method, StatusCode, header};

use super::explain_refusals::{Refusal, RefusalTexts, explained};

/// The decision, apart from HTTP plumbing so that it is tested on its own.
pub fn is_same_origin(
    method: &Method,
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    own_origin: &str,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    // Browsers send Sec-Fetch-Site on every request; "none" is a typed address or bookmark.
    if let Some(site) = sec_fetch_site {
        return matches!(site, "same-origin" | "none");
    }
    match origin {
        Some(origin) => origin.eq_ignore_ascii_case(own_origin),
        // No browser header at all: a programme such as the back-office, not a forged form.
        None => true,
    }
}

pub async fn require_same_origin(
    State((own_origin, texts)): State<(String, RefusalTexts)>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let header_text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let allowed = is_same_origin(
        request.method(),
        header_text("sec-fetch-site"),
        header_text(header::ORIGIN.as_str()),
        &own_origin,
    );
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!("cross-site state-changing request refused");
        explained(
            StatusCode::FORBIDDEN,
            &texts,
            Refusal::CrossSite,
            request.headers(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://portal.example.org";

    #[test]
    fn reads_are_always_allowed() {
        assert!(is_same_origin(
            &Method::GET,
            Some("cross-site"),
            Some("https://evil.example"),
            OWN
        ));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(!is_same_origin(
            &Method::POST,
            Some("cross-site"),
            None,
            OWN
        ));
        assert!(!is_same_origin(&Method::POST, Some("same-site"), None, OWN));
        assert!(!is_same_origin(
            &Method::POST,
            None,
            Some("https://evil.example"),
            OWN
        ));
        assert!(!is_same_origin(&Method::DELETE, None, Some("null"), OWN));
    }

    #[test]
    fn own_pages_and_programmes_may_post() {
        assert!(is_same_origin(
            &Method::POST,
            Some("same-origin"),
            Some(OWN),
            OWN
        ));
        assert!(is_same_origin(&Method::POST, None, Some(OWN), OWN));
        assert!(is_same_origin(&Method::POST, None, None, OWN));
    }
}
