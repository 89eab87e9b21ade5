//! The portal's cookies. On https they carry the `__Host-` prefix (the browser then insists on
//! Secure, Path=/ and no Domain, so no sibling site can plant or read them); on a plain-http
//! localhost, where browsers refuse Secure cookies from http, they go without prefix and flag.
//! All are HttpOnly and SameSite=Strict: scripts never see them and other sites never send them.

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};

/// Which cookie, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalCookie {
    /// The session token; no Max-Age, so it ends with the browser.
    Session,
    /// A staff member's session token: a cookie of its own, so that an applicant session in the
    /// same browser never stands for a staff one.
    StaffSession,
    /// Between the password and the second factor.
    PendingSignIn,
    /// Between a password-reset request and its code.
    PendingReset,
    /// A device remembered for 30 days after a second factor.
    RememberedDevice,
    /// A browser an applicant completed a sign-in on (not a shared phone): strangers' failures
    /// on the number do not slow it (`server::accounts::known_device`).
    KnownDevice,
    /// The same for a staff member's browser.
    KnownStaffDevice,
    /// The password typed again in this session a moment ago (`server::accounts::step_up`).
    StepUp,
    /// The same for a staff session: an authenticator code typed a moment ago.
    StaffStepUp,
}

impl PortalCookie {
    fn base_name(self) -> &'static str {
        match self {
            PortalCookie::Session => "eu-session",
            PortalCookie::StaffSession => "eu-staff",
            PortalCookie::PendingSignIn => "eu-pending",
            PortalCookie::PendingReset => "eu-reset",
            PortalCookie::RememberedDevice => "eu-device",
            PortalCookie::KnownDevice => "eu-known",
            PortalCookie::KnownStaffDevice => "eu-staff-known",
            PortalCookie::StepUp => "eu-step-up",
            PortalCookie::StaffStepUp => "eu-staff-step-up",
        }
    }

    pub fn name(self, https: bool) -> String {
        if https {
            format!("__Host-{}", self.base_name())
        } else {
            self.base_name().to_owned()
        }
    }

    fn max_age(self) -> Option<i64> {
        match self {
            PortalCookie::Session | PortalCookie::StaffSession => None,
            PortalCookie::PendingSignIn | PortalCookie::PendingReset => Some(600),
            PortalCookie::RememberedDevice => Some(30 * 24 * 3600),
            PortalCookie::StepUp | PortalCookie::StaffStepUp => {
                Some(crate::session_token::STEP_UP_LIFETIME.num_seconds())
            }
            PortalCookie::KnownDevice | PortalCookie::KnownStaffDevice => {
                Some(crate::session_token::KNOWN_DEVICE_LIFETIME.num_seconds())
            }
        }
    }
}

/// The value of one of our cookies in a request, if present.
pub fn read(headers: &HeaderMap, cookie: PortalCookie, https: bool) -> Option<String> {
    let name = cookie.name(https);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// The claims of the signed token in `cookie`, if it verifies for `audience` now (by the
/// portal's clock): a step between two forms (password then code, reset then code).
pub fn verified(
    services: &crate::Services,
    headers: &HeaderMap,
    cookie: PortalCookie,
    audience: crate::session_token::Audience,
) -> Option<crate::session_token::SessionClaims> {
    let token = read(headers, cookie, services.config.serves_https())?;
    let now = services.clock.now();
    services.session_tokens().verify(&token, audience, now).ok()
}

/// A `Set-Cookie` value that stores `value`.
pub fn set(cookie: PortalCookie, value: &str, https: bool) -> HeaderValue {
    let max_age = cookie
        .max_age()
        .map(|seconds| format!("; Max-Age={seconds}"))
        .unwrap_or_default();
    line(cookie, value, &max_age, https)
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(cookie: PortalCookie, https: bool) -> HeaderValue {
    line(cookie, "", "; Max-Age=0", https)
}

fn line(cookie: PortalCookie, value: &str, max_age: &str, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let text = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict{max_age}{secure}",
        cookie.name(https)
    );
    // Values are our own base64url tokens: always valid header text.
    HeaderValue::from_str(&text).expect("cookie values are header-safe")
}

/// A 303 to `to` that sets (or clears) `cookies` on the way.
pub fn redirect_with(to: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    let mut response = Redirect::to(to).into_response();
    for value in cookies {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_cookies_are_host_prefixed_secure_and_strict() {
        let value = set(PortalCookie::Session, "abc", true);
        assert_eq!(
            value.to_str().unwrap(),
            "__Host-eu-session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let local = set(PortalCookie::RememberedDevice, "xyz", false);
        assert_eq!(
            local.to_str().unwrap(),
            "eu-device=xyz; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000"
        );
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=fr; eu-session-x=no; eu-session=yes"),
        );
        assert_eq!(
            read(&headers, PortalCookie::Session, false).as_deref(),
            Some("yes")
        );
        assert_eq!(read(&headers, PortalCookie::Session, true), None);
    }
}
