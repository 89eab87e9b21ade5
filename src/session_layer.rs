//! Middleware that says who is asking, once per request, before any page, form handler or
//! server function runs: it checks the session cookie against its database row, puts
//! `SignedIn` and the hashed client address in the request extensions, refreshes the token when
//! due, drops a cookie whose session is over, and keeps the signed-in areas closed to everyone
//! else (`/account` for applicants, `/staff` for staff, each with its own cookie; server
//! functions check for themselves).

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use server::{
    accounts::sessions::{self, SignedIn},
    http::{
        client_ip,
        cookies::{self, PortalCookie},
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
    let https = services.config.serves_https();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let ip_hash =
        client_ip(request.headers(), peer, services.config.trusted_proxy_hops).map(|ip| {
            services
                .keyed_hasher
                .hash("client-address", &ip.to_string())
        });
    request.extensions_mut().insert(ClientAddressHash(ip_hash));

    let (cookie, kind) = if is_staff_side(&path) {
        (PortalCookie::StaffSession, SubjectKind::Staff)
    } else {
        (PortalCookie::Session, SubjectKind::Applicant)
    };
    let mut set_cookie = None;
    if let Some(token) = cookies::read(request.headers(), cookie, https) {
        let tokens = services.session_tokens();
        match sessions::resume(
            services.storage.as_ref(),
            &tokens,
            kind,
            &token,
            services.clock.now(),
        )
        .await
        {
            Ok(Some(resumed)) => {
                set_cookie = resumed
                    .fresh_token
                    .map(|token| cookies::set(cookie, &token, https));
                request.extensions_mut().insert(resumed.signed_in);
            }
            Ok(None) => set_cookie = Some(cookies::clear(cookie, https)),
            Err(error) => {
                // Fail closed: treated as signed out for this request, cookie kept for the next.
                tracing::error!(%error, "session could not be checked");
            }
        }
    }

    let signed_in = request.extensions().get::<SignedIn>().is_some();
    let sign_in_page = if is_applicant_area(&path) && !signed_in {
        Some("/sign-in")
    } else if is_staff_area(&path) && !signed_in {
        Some("/staff/sign-in")
    } else {
        None
    };
    // A page's script posting JSON gets an answer it can read, not the sign-in page.
    let from_script = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let mut response = match sign_in_page {
        Some(page) if request.method() == Method::GET || request.method() == Method::HEAD => {
            Redirect::to(page).into_response()
        }
        Some(_) if from_script => http::StatusCode::UNAUTHORIZED.into_response(),
        Some(page) => Redirect::to(&format!("{page}?error=expired")).into_response(),
        None => next.run(request).await,
    };
    if let Some(value) = set_cookie {
        // A handler that set the session cookie itself (sign-in, sign-out) has the last word.
        let handler_set_session =
            response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|existing| {
                    existing
                        .as_bytes()
                        .starts_with(PortalCookie::Session.name(https).as_bytes())
                });
        if !handler_set_session {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
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
