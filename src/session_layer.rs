//! Middleware that says who is asking, once per request, before any page, form handler or
//! server function runs: it checks the session cookie against its database row, puts
//! `SignedIn` and the hashed client address in the request extensions, refreshes the token when
//! due, drops a cookie whose session is over, and keeps the signed-in areas closed to everyone
//! else (`/account` for applicants, `/staff` for staff, each with its own cookie; server
//! functions check for themselves).

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use server::{
    Services,
    accounts::sessions::{self, SignedIn},
    http::{
        client_ip,
        cookies::{self, PortalCookie},
        who_is_asking::Side,
    },
    storage::SubjectKind,
};

use crate::app_state::AppState;

/// Keyed hash of the client address, for audit events and per-address throttles.
#[derive(Debug, Clone, Default)]
pub struct ClientAddressHash(pub Option<String>);

/// The applicant area: nothing under it is served to anyone else.
pub fn is_applicant_area(path: &str) -> bool {
    path == "/account" || path.starts_with("/account/")
}

/// The staff side: its pages and server functions read the staff cookie, never the applicant's.
pub fn is_staff_side(path: &str) -> bool {
    path == "/staff" || path.starts_with("/staff/") || path.starts_with("/api/staff/")
}

/// The staff area: every staff page but the two that let someone in.
pub fn is_staff_area(path: &str) -> bool {
    is_staff_side(path)
        && !path.starts_with("/api/")
        && !matches!(path, "/staff/sign-in" | "/staff/enrol")
}

pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Compiled assets and probes need no session: no database read for them.
    let path = request.uri().path().to_owned();
    if path.starts_with("/pkg/") || path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let services = &state.services;
    let ip_hash = client_address_hash(services, &request);
    request.extensions_mut().insert(ClientAddressHash(ip_hash));
    let cookie = if is_staff_side(&path) {
        PortalCookie::StaffSession
    } else {
        PortalCookie::Session
    };
    let set_cookie = resume(services, &mut request, cookie).await;
    let mut response = match keep_out(&request, &path) {
        Some(refusal) => refusal,
        None => next.run(request).await,
    };
    // A handler that set the session cookie itself (sign-in, sign-out) has the last word.
    let name = cookie.name(services.config.serves_https());
    let handler_set_it = (response.headers().get_all(header::SET_COOKIE).iter())
        .any(|existing| existing.as_bytes().starts_with(name.as_bytes()));
    if let Some(value) = set_cookie.filter(|_| !handler_set_it) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn client_address_hash(services: &Services, request: &Request) -> Option<String> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let ip = client_ip(request.headers(), peer, services.config.trusted_proxy_hops)?;
    Some(
        services
            .keyed_hasher
            .hash("client-address", &ip.to_string()),
    )
}

/// Checks the session `cookie` names against its row and puts `SignedIn` in the request; the
/// cookie to set on the answer (a refreshed token, or a cleared one for a session that is over).
async fn resume(
    services: &Services,
    request: &mut Request,
    cookie: PortalCookie,
) -> Option<HeaderValue> {
    let https = services.config.serves_https();
    let token = cookies::read(request.headers(), cookie, https)?;
    let kind = match cookie {
        PortalCookie::StaffSession => SubjectKind::Staff,
        _ => SubjectKind::Applicant,
    };
    let tokens = services.session_tokens();
    let storage = services.storage.as_ref();
    match sessions::resume(storage, &tokens, kind, &token, services.clock.now()).await {
        Ok(Some(resumed)) => {
            request.extensions_mut().insert(resumed.signed_in);
            resumed
                .fresh_token
                .map(|token| cookies::set(cookie, &token, https))
        }
        Ok(None) => Some(cookies::clear(cookie, https)),
        Err(error) => {
            // Fail closed: treated as signed out for this request, cookie kept for the next.
            tracing::error!(%error, "session could not be checked");
            None
        }
    }
}

/// The answer for someone not signed in who asks for a signed-in area: the sign-in page, or a
/// 401 a page's script can read (it posts JSON); `None` to let the request through.
fn keep_out(request: &Request, path: &str) -> Option<Response> {
    if request.extensions().get::<SignedIn>().is_some() {
        return None;
    }
    let page = if is_applicant_area(path) {
        Side::Applicant.sign_in_page()
    } else if is_staff_area(path) {
        Side::Staff.sign_in_page()
    } else {
        return None;
    };
    let from_script = (request.headers().get(http::header::CONTENT_TYPE))
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    Some(match request.method() {
        &Method::GET | &Method::HEAD => Redirect::to(page).into_response(),
        _ if from_script => http::StatusCode::UNAUTHORIZED.into_response(),
        _ => Redirect::to(&format!("{page}?error=expired")).into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applicant_area_is_account_and_below() {
        assert!(is_applicant_area("/account"));
        assert!(is_applicant_area("/account/contact"));
        assert!(!is_applicant_area("/accounts"));
        assert!(!is_applicant_area("/sign-in"));
    }

    #[test]
    fn the_staff_area_is_guarded_but_its_doors_are_open() {
        for guarded in ["/staff", "/staff/", "/staff/lift-locks", "/staff/sign-out"] {
            assert!(is_staff_area(guarded), "{guarded}");
        }
        for open in ["/staff/sign-in", "/staff/enrol", "/staffing", "/sign-in"] {
            assert!(!is_staff_area(open), "{open}");
        }
        assert!(is_staff_side("/api/staff/overview"));
        assert!(!is_staff_side("/api/account/overview"));
    }
}
