//! `POST /sign-in`, `POST /sign-in/code`, `POST /sign-out` and `POST /sign-out/everywhere`.
//! Thin: they read the form and cookies, call `server::sign_in`, `second_factor` and
//! `sessions`, and answer with a redirect (onward, or back with `?error=<code>`). Typed values
//! never go in a URL or a log line.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use server::{
    Services,
    contact::ContactPoint,
    known_device::KnownDevice,
    second_factor::{self, NextStep},
    secret::Secret,
    session_token::Audience,
    sessions::{self, SignedIn},
    sign_in::{
        PasswordSignIn, SignInError, check_password, check_sign_in_code, issue_sign_in_code,
    },
    storage::{Applicant, SubjectKind},
};

use crate::{
    code_delivery::{locale_for, send_code},
    cookies::{self, PortalCookie},
    session_layer::ClientAddressHash,
    startup::{AppState, locale_of},
};

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    foreigner_number: String,
    password: String,
    shared_device: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
    remember_device: Option<String>,
    shared_device: Option<String>,
    /// Where the code went (`email` or `sms`), echoed so that the page says it again.
    via: Option<String>,
}

// Passwords and codes must never appear in a log line.
impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm([redacted])")
    }
}

impl std::fmt::Debug for CodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeForm([redacted])")
    }
}

pub async fn submit_password(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<PasswordForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(axum::Form(form))
            if !form.foreigner_number.trim().is_empty() && !form.password.is_empty() =>
        {
            form
        }
        _ => return back_to("/sign-in", "missing"),
    };
    let services = &state.services;
    let shared = form.shared_device.is_some();
    let now = Utc::now();
    let applicant = match check_password(
        services.storage.as_ref(),
        &services.keyed_hasher,
        PasswordSignIn {
            foreigner_number: form.foreigner_number,
            password: Secret::new(form.password),
            ip_hash: ip_hash.clone(),
            known_device: known_device(services, &headers, PortalCookie::KnownDevice),
        },
        now,
    )
    .await
    {
        Ok(applicant) => applicant,
        Err(error) => return back_to("/sign-in", logged(&error)),
    };
    let https = services.config.serves_https();
    let device = cookies::read(&headers, PortalCookie::RememberedDevice, https);
    let step = second_factor::next_step(
        services.storage.as_ref(),
        &applicant,
        device.as_deref(),
        shared,
        now,
    )
    .await;
    match step {
        Ok(NextStep::AddContact) => {
            start_session(
                services,
                applicant.id,
                shared,
                ip_hash,
                &headers,
                "/account/contact",
            )
            .await
        }
        Ok(NextStep::RememberedDevice) => {
            start_session(
                services,
                applicant.id,
                shared,
                ip_hash,
                &headers,
                "/account",
            )
            .await
        }
        Ok(NextStep::SendCode { to }) => {
            send_sign_in_code(services, &applicant, &to, shared, &headers).await
        }
        Err(error) => {
            tracing::error!(%error, "second factor could not be chosen");
            back_to("/sign-in", "unavailable")
        }
    }
}

async fn send_sign_in_code(
    services: &Services,
    applicant: &Applicant,
    to: &ContactPoint,
    shared: bool,
    headers: &HeaderMap,
) -> Response {
    let now = Utc::now();
    let storage = services.storage.as_ref();
    let code = match issue_sign_in_code(storage, applicant.id, to.as_str(), now).await {
        Ok(code) => code,
        Err(error) => return back_to("/sign-in", logged(&error)),
    };
    let locale = locale_for(applicant.message_language(), locale_of(headers));
    if let Err(error) = send_code(services, to, &code.digits, locale).await {
        tracing::error!(%error, "sign-in code could not be sent");
        return back_to("/sign-in", "unavailable");
    }
    // Names the applicant and the code sent, for ten minutes; proves nothing else.
    let pending =
        services
            .session_tokens()
            .issue(Audience::PendingSignIn, applicant.id, code.record.id, now);
    let https = services.config.serves_https();
    // Which channel, so that the page says where to look; not a secret.
    let via = match to {
        ContactPoint::Email(_) => "email",
        ContactPoint::Phone(_) => "sms",
    };
    let shared = if shared { "&shared=1" } else { "" };
    redirect_with_cookies(
        &format!("/sign-in/code?via={via}{shared}"),
        [cookies::set(PortalCookie::PendingSignIn, &pending, https)],
    )
}

pub async fn submit_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<CodeForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let https = services.config.serves_https();
    let claims = cookies::read(&headers, PortalCookie::PendingSignIn, https).and_then(|token| {
        services
            .session_tokens()
            .verify(&token, Audience::PendingSignIn)
            .ok()
    });
    let Some(claims) = claims else {
        return back_to("/sign-in", "expired");
    };
    let Ok(axum::Form(form)) = form else {
        return back_to("/sign-in/code", "missing");
    };
    let shared = form.shared_device.is_some();
    let via = match form.via.as_deref() {
        Some("sms") => "sms",
        _ => "email",
    };
    let code_page = &format!(
        "/sign-in/code?via={via}{}",
        if shared { "&shared=1" } else { "" }
    );
    if form.code.trim().is_empty() {
        return back_to(code_page, "missing");
    }
    let now = Utc::now();
    if let Err(error) = check_sign_in_code(
        services.storage.as_ref(),
        claims.sub,
        claims.sid,
        &form.code,
        ip_hash.clone(),
        now,
    )
    .await
    {
        return back_to(code_page, logged(&error));
    }
    let mut extra = vec![cookies::clear(PortalCookie::PendingSignIn, https)];
    if form.remember_device.is_some() && !shared {
        match second_factor::remember_device(services.storage.as_ref(), claims.sub, now).await {
            Ok(token) => extra.push(cookies::set(
                PortalCookie::RememberedDevice,
                token.expose(),
                https,
            )),
            // Not worth failing the sign-in for: the next one asks for a code again.
            Err(error) => tracing::error!(%error, "device could not be remembered"),
        }
    }
    let mut response =
        start_session(services, claims.sub, shared, ip_hash, &headers, "/account").await;
    for value in extra {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
) -> Response {
    end_session(&state.services, signed_in, ip_hash, PortalCookie::Session).await
}

/// Ends this request's session and clears its cookie, on either side: the applicant's
/// (`Session`) or the staff's (`StaffSession`), each with its own pages.
pub(crate) async fn end_session(
    services: &Services,
    signed_in: Option<Extension<SignedIn>>,
    ip_hash: Option<String>,
    cookie: PortalCookie,
) -> Response {
    let (area, signed_out) = match cookie {
        PortalCookie::StaffSession => ("/staff", "/staff/sign-in?signed_out=1"),
        _ => ("/account", "/sign-in?signed_out=1"),
    };
    let shared = signed_in
        .as_ref()
        .is_some_and(|Extension(signed_in)| signed_in.shared_device);
    if let Some(Extension(signed_in)) = signed_in
        && let Err(error) =
            sessions::end(services.storage.as_ref(), &signed_in, ip_hash, Utc::now()).await
    {
        tracing::error!(%error, "session could not be ended");
        return back_to(area, "unavailable");
    }
    let https = services.config.serves_https();
    // A shared phone keeps nothing of its last user, their language included.
    let language = shared.then(|| crate::language_choice::clear_language_cookie(https));
    redirect_with_cookies(
        signed_out,
        std::iter::once(cookies::clear(cookie, https)).chain(language),
    )
}

/// Ends every session of the applicant and forgets every remembered device.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
) -> Response {
    let services = &state.services;
    let Some(Extension(signed_in)) = signed_in else {
        return Redirect::to("/sign-in").into_response();
    };
    let ended =
        sessions::end_everywhere(services.storage.as_ref(), &signed_in, ip_hash, Utc::now()).await;
    if let Err(error) = ended {
        tracing::error!(%error, "sessions could not be ended");
        return back_to("/account", "unavailable");
    }
    let https = services.config.serves_https();
    redirect_with_cookies(
        "/sign-in?signed_out=1",
        [
            cookies::clear(PortalCookie::Session, https),
            cookies::clear(PortalCookie::RememberedDevice, https),
        ],
    )
}

/// "Stay signed in", from the warning shown before the idle timeout.
#[derive(serde::Deserialize)]
pub struct ExtendForm {
    return_to: Option<String>,
}

/// "Stay signed in": renews the idle deadline and goes back to the page the applicant was on.
pub async fn extend_session(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<ExtendForm>, FormRejection>,
) -> Response {
    let Some(Extension(signed_in)) = signed_in else {
        return back_to("/sign-in", "expired");
    };
    let back = form
        .ok()
        .and_then(|axum::Form(form)| form.return_to)
        // Any page of this site the warning showed on, as asked; never the staff side.
        .filter(|path| crate::language_choice::safe_return_path(Some(path)) == *path)
        .filter(|path| path != "/staff" && !path.starts_with("/staff/"))
        .unwrap_or_else(|| "/account".to_owned());
    match sessions::extend(state.services.storage.as_ref(), &signed_in, Utc::now()).await {
        Ok(true) => Redirect::to(&back).into_response(),
        Ok(false) => back_to("/sign-in", "expired"),
        Err(error) => {
            tracing::error!(%error, "session could not be extended");
            back_to("/account", "unavailable")
        }
    }
}

/// Opens an applicant session, sets its cookie and goes on to `next`.
pub(crate) async fn start_session(
    services: &Services,
    applicant_id: uuid::Uuid,
    shared: bool,
    ip_hash: Option<String>,
    headers: &HeaderMap,
    next: &str,
) -> Response {
    let language =
        crate::language_choice::language_at_sign_in(services, applicant_id, headers, shared).await;
    let started = sessions::start(
        services.storage.as_ref(),
        &services.session_tokens(),
        SubjectKind::Applicant,
        applicant_id,
        shared,
        ip_hash,
        Utc::now(),
    )
    .await;
    match started {
        Ok(started) => {
            let https = services.config.serves_https();
            let session = cookies::set(PortalCookie::Session, &started.token, https);
            // A shared phone keeps no trace of whose it was.
            let known = (!shared).then(|| {
                let token = KnownDevice::issue(
                    &services.session_tokens(),
                    Audience::KnownApplicantDevice,
                    applicant_id,
                    Utc::now(),
                );
                cookies::set(PortalCookie::KnownDevice, &token, https)
            });
            // The password was just typed: changes of contact are allowed for a few minutes.
            let step_up = crate::step_up::step_up_cookie(services, &started.signed_in);
            redirect_with_cookies(
                next,
                [session, step_up].into_iter().chain(language).chain(known),
            )
        }
        Err(error) => {
            tracing::error!(%error, "session could not be started");
            back_to("/sign-in", "unavailable")
        }
    }
}

/// What this browser's device cookie (`KnownDevice` or `KnownStaffDevice`) says, if it has a
/// valid one.
pub(crate) fn known_device(
    services: &Services,
    headers: &HeaderMap,
    cookie: PortalCookie,
) -> Option<KnownDevice> {
    let audience = match cookie {
        PortalCookie::KnownStaffDevice => Audience::KnownStaffDevice,
        _ => Audience::KnownApplicantDevice,
    };
    let token = cookies::read(headers, cookie, services.config.serves_https())?;
    KnownDevice::read(&services.session_tokens(), audience, &token)
}

pub(crate) fn redirect_with_cookies(
    to: &str,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> Response {
    let mut response = Redirect::to(to).into_response();
    for value in cookies {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Back to a form with an error code (`page` may already carry a query).
pub(crate) fn back_to(page: &str, code: &str) -> Response {
    let separator = if page.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{page}{separator}error={code}")).into_response()
}

/// The error's code for the form; failures of the machinery (not of the person) are logged.
fn logged<E: std::fmt::Display + ErrorCode>(error: &E) -> &'static str {
    let code = error.code();
    if code == "unavailable" {
        tracing::error!(%error, "sign-in step failed");
    }
    code
}

/// Errors that name themselves for the form.
trait ErrorCode {
    fn code(&self) -> &'static str;
}

impl ErrorCode for SignInError {
    fn code(&self) -> &'static str {
        SignInError::code(self)
    }
}

impl ErrorCode for server::one_time_code::CodeError {
    fn code(&self) -> &'static str {
        server::one_time_code::CodeError::code(self)
    }
}
