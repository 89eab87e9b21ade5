//! A refused staff form comes back as the page itself, answering the POST, with what was typed
//! still in its fields: nothing lost, and nothing typed put in an address (proxy logs, history).
//! Handlers know nothing of it: they return a `PageRefusal` as for any form, which leaves
//! `SentBack` on its response; this middleware renders that page instead of redirecting to it,
//! with the form's fields in the request's `TypedForm`. A client that does not ask for HTML
//! (an API client, a test reading `Location`) still gets the redirect.

use std::net::SocketAddr;

use axum::{
    body::{Body, Bytes},
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use server::{
    accounts::sessions::SignedIn,
    http::{CspNonce, SentBack, TypedForm},
};
use tower::ServiceExt;

use crate::session_layer::{ClientAddressHash, is_staff_side};

/// Browsers send a staff form's fields in a few hundred bytes.
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
    let page_request = PageRequest::from(&parts);
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(sent_back) = response.extensions().get::<SentBack>().cloned() else {
        return response;
    };
    // Nothing read (a multipart upload): only what the handler kept.
    let mut typed = TypedForm::new(page_request.path.clone(), fields.unwrap_or_default());
    typed.extend(sent_back.typed.clone());
    let Some(page) = page_request.for_page(&sent_back.page, typed) else {
        return response;
    };
    let Ok(mut rendered) = pages.oneshot(page).await;
    // The page's own verdict stands (a server function's 403 or 503); a page that redirects
    // (a session gone meanwhile) is answered with the handler's redirect instead.
    if rendered.status().is_redirection() {
        return response;
    }
    if rendered.status() == StatusCode::OK {
        *rendered.status_mut() = sent_back.status;
    }
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

/// What the page's own GET keeps of the POST: the headers that say who asks and in which
/// language, and what the layers before put in the request (the session, the client address,
/// the CSP nonce). Nothing of the route that refused (its path parameters) comes along.
struct PageRequest {
    path: String,
    headers: HeaderMap,
    signed_in: Option<SignedIn>,
    address: Option<ClientAddressHash>,
    nonce: Option<CspNonce>,
    peer: Option<ConnectInfo<SocketAddr>>,
}

impl PageRequest {
    fn from(parts: &axum::http::request::Parts) -> PageRequest {
        let mut headers = parts.headers.clone();
        for name in [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::TRANSFER_ENCODING,
            header::EXPECT,
        ] {
            headers.remove(name);
        }
        let extensions = &parts.extensions;
        PageRequest {
            path: parts.uri.path().to_owned(),
            headers,
            signed_in: extensions.get::<SignedIn>().cloned(),
            address: extensions.get::<ClientAddressHash>().cloned(),
            nonce: extensions.get::<CspNonce>().cloned(),
            peer: extensions.get::<ConnectInfo<SocketAddr>>().cloned(),
        }
    }

    fn for_page(self, page: &str, typed: TypedForm) -> Option<Request> {
        let mut request = Request::get(page).body(Body::empty()).ok()?;
        *request.headers_mut() = self.headers;
        let extensions = request.extensions_mut();
        extensions.insert(typed);
        if let Some(signed_in) = self.signed_in {
            extensions.insert(signed_in);
        }
        if let Some(address) = self.address {
            extensions.insert(address);
        }
        if let Some(nonce) = self.nonce {
            extensions.insert(nonce);
        }
        if let Some(peer) = self.peer {
            extensions.insert(peer);
        }
        Some(request)
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

/// The fields of an urlencoded body, and the body to pass on; `None` for any other body (a
/// multipart upload passes on untouched: its handler keeps its own text fields). No staff form
/// comes near the limit: a bigger one is refused here.
async fn read_urlencoded(
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<(Option<Vec<(String, String)>>, Body), Response> {
    let urlencoded = (parts.headers.get(header::CONTENT_TYPE))
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return Ok((None, body));
    }
    let bytes: Bytes = axum::body::to_bytes(body, LARGEST_ECHOED_FORM)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let fields = url::form_urlencoded::parse(&bytes).into_owned().collect();
    Ok((Some(fields), Body::from(bytes)))
}
