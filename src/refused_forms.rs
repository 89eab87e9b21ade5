//! A refused staff form comes back as the page itself, answering the POST, with what was typed
//! still in its fields: nothing lost, and nothing typed put in an address (proxy logs, history).
//! Handlers know nothing of it: they return a `PageRefusal` as for any form, which leaves
//! `SentBack` on its response; this middleware renders that page instead of redirecting to it,
//! with the form's fields in the request's `TypedForm`. A client that does not ask for HTML
//! (an API client, a test reading `Location`) still gets the redirect.

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use server::http::{SentBack, TypedForm};
use tower::ServiceExt;

use crate::session_layer::is_staff_side;

/// Browsers send a form's fields in a few hundred bytes; more is not buffered (no echo then).
const LARGEST_ECHOED_FORM: usize = 64 * 1024;

pub async fn answer_with_page(
    State(pages): State<axum::Router>,
    request: Request,
    next: Next,
) -> Response {
    if !is_browser_form_post(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let (fields, body) = match read_urlencoded(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let extensions = parts.extensions.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(sent_back) = response.extensions().get::<SentBack>().cloned() else {
        return response;
    };
    let mut typed = TypedForm::new(fields);
    typed.extend(sent_back.typed);
    let Ok(mut page) = Request::get(&sent_back.page).body(Body::empty()) else {
        return response;
    };
    *page.headers_mut() = headers;
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
        page.headers_mut().remove(name);
    }
    *page.extensions_mut() = extensions;
    page.extensions_mut().insert(typed);
    match pages.oneshot(page).await {
        Ok(mut rendered) => {
            *rendered.status_mut() = sent_back.status;
            // Set by the handler before it refused (a sign-out, a refreshed session) still stands.
            for cookie in response.headers().get_all(header::SET_COOKIE) {
                rendered
                    .headers_mut()
                    .append(header::SET_COOKIE, cookie.clone());
            }
            rendered.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            rendered
        }
        Err(never) => match never {},
    }
}

/// A staff form posted by a browser (it asks for HTML); server functions and the API are not.
fn is_browser_form_post(request: &Request) -> bool {
    let path = request.uri().path();
    let accepts_html = (request.headers().get(header::ACCEPT))
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    request.method() == Method::POST
        && is_staff_side(path)
        && !path.starts_with("/api/")
        && accepts_html
}

/// The fields of an urlencoded body small enough to keep, and the body to pass on. Any other
/// body (a multipart upload) passes on untouched: its handler keeps its own text fields.
async fn read_urlencoded(
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<(Vec<(String, String)>, Body), Response> {
    let urlencoded = (parts.headers.get(header::CONTENT_TYPE))
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"));
    let small = (parts.headers.get(header::CONTENT_LENGTH))
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|length| length <= LARGEST_ECHOED_FORM);
    if !(urlencoded && small) {
        return Ok((Vec::new(), body));
    }
    let bytes: Bytes = axum::body::to_bytes(body, LARGEST_ECHOED_FORM)
        .await
        .map_err(|_| axum::http::StatusCode::BAD_REQUEST.into_response())?;
    let fields = url::form_urlencoded::parse(&bytes).into_owned().collect();
    Ok((fields, Body::from(bytes)))
}
