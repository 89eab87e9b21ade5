//! `POST /sign-in`, `POST /sign-in/code`, `POST /sign-out` and `POST /sign-out/everywhere`.
//! Thin: they read the form and cookies, call `server::accounts::sign_in`, `second_factor` and
//! `sessions`, and answer with a redirect (onward, or back with `?error=<code>`). Typed values
//! never go in a URL or a log line.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use server::{
    Services,
    accounts::contact::ContactPoint,
    accounts::known_device::KnownDevice,
    accounts::second_factor::{self, NextStep},
    accounts::sessions::{self, SignedIn},
    accounts::sign_in::{PasswordSignIn, check_password, check_sign_in_code, issue_sign_in_code},
    http::{
        OrBackTo, PageRefusal,
        cookies::{self, PortalCookie},
        filled_form,
        who_is_asking::SignedInApplicant,
    },
    secret::Secret,
    session_token::Audience,
    storage::{Applicant, SubjectKind},
};

use crate::{
    app_state::{AppState, locale_of},
    notifications::code_delivery::{locale_for, send_code},
    session_layer::ClientAddressHash,
};

type Answer = Result<Response, PageRefusal>;

const SIGN_IN: &str = "/sign-in";

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
) -> Answer {
    let filled =
        |form: &PasswordForm| !form.foreigner_number.trim().is_empty() && !form.password.is_empty();
    let form = filled_form(form, filled, SIGN_IN, Code::Missing)?;
    let services = &state.services;
    let shared = form.shared_device.is_some();
    let now = services.clock.now();
    let attempt = PasswordSignIn {
        foreigner_number: form.foreigner_number,
        password: Secret::new(form.password),
        ip_hash: ip_hash.clone(),
        known_device: known_device(services, &headers, PortalCookie::KnownDevice),
    };
    let storage = services.storage.as_ref();
    let applicant = check_password(storage, &services.keyed_hasher, attempt, now)
        .await
        .or_back_to(SIGN_IN)?;
    let https = services.config.serves_https();
    let device = cookies::read(&headers, PortalCookie::RememberedDevice, https);
    let step = second_factor::next_step(storage, &applicant, device.as_deref(), shared, now)
        .await
        .map_err(|error| PageRefusal::unavailable(SIGN_IN, &error))?;
    let next = match step {
        NextStep::SendCode { to } => {
            return send_sign_in_code(services, &applicant, &to, shared, &headers).await;
        }
        NextStep::AddContact => "/account/contact",
        NextStep::RememberedDevice => "/account",
    };
    start_session(services, applicant.id, shared, ip_hash, &headers, next).await
}

async fn send_sign_in_code(
    services: &Services,
    applicant: &Applicant,
    to: &ContactPoint,
    shared: bool,
    headers: &HeaderMap,
) -> Answer {
    let now = services.clock.now();
    let storage = services.storage.as_ref();
    let code = issue_sign_in_code(storage, applicant.id, to.as_str(), now)
        .await
        .or_back_to(SIGN_IN)?;
    let locale = locale_for(applicant.message_language(), locale_of(headers));
    send_code(services, to, &code.digits, locale)
        .await
        .map_err(|error| PageRefusal::unavailable(SIGN_IN, &error))?;
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
    Ok(cookies::redirect_with(
        &format!("/sign-in/code?via={via}{shared}"),
        [cookies::set(PortalCookie::PendingSignIn, &pending, https)],
    ))
}

pub async fn submit_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<CodeForm>, FormRejection>,
) -> Answer {
    let services = &state.services;
    let https = services.config.serves_https();
    let now = services.clock.now();
    let claims = cookies::verified(
        services,
        &headers,
        PortalCookie::PendingSignIn,
        Audience::PendingSignIn,
    )
    .ok_or(PageRefusal::new(SIGN_IN, Code::Expired))?;
    let form = filled_form(form, |_| true, "/sign-in/code", Code::Missing)?;
    let shared = form.shared_device.is_some();
    let code_page = form.page();
    if form.code.trim().is_empty() {
        return Err(PageRefusal::new(code_page, Code::Missing));
    }
    let storage = services.storage.as_ref();
    check_sign_in_code(
        storage,
        claims.sub,
        claims.sid,
        &form.code,
        ip_hash.clone(),
        now,
    )
    .await
    .or_back_to(code_page)?;
    let mut extra = vec![cookies::clear(PortalCookie::PendingSignIn, https)];
    if form.remember_device.is_some() && !shared {
        extra.extend(remembered_device(services, claims.sub, now).await);
    }
    let mut response =
        start_session(services, claims.sub, shared, ip_hash, &headers, "/account").await?;
    for value in extra {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

impl CodeForm {
    /// The code page this form came from, to send it back to.
    fn page(&self) -> String {
        let via = match self.via.as_deref() {
            Some("sms") => "sms",
            _ => "email",
        };
        let shared = if self.shared_device.is_some() {
            "&shared=1"
        } else {
            ""
        };
        format!("/sign-in/code?via={via}{shared}")
    }
}

/// The cookie that spares this browser the code next time; none if it cannot be made (not
/// worth failing the sign-in for: the next one asks for a code again).
async fn remembered_device(
    services: &Services,
    applicant: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<axum::http::HeaderValue> {
    let storage = services.storage.as_ref();
    match second_factor::remember_device(storage, applicant, now).await {
        Ok(token) => Some(cookies::set(
            PortalCookie::RememberedDevice,
            token.expose(),
            services.config.serves_https(),
        )),
        Err(error) => {
            tracing::error!(%error, "device could not be remembered");
            None
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<SignedInApplicant>,
) -> Answer {
    let session = signed_in.map(|SignedInApplicant(session)| session);
    end_session(&state.services, session, ip_hash, PortalCookie::Session).await
}

/// Ends this request's session and clears its cookie, on either side: the applicant's
/// (`Session`) or the staff's (`StaffSession`), each with its own pages.
pub(crate) async fn end_session(
    services: &Services,
    signed_in: Option<SignedIn>,
    ip_hash: Option<String>,
    cookie: PortalCookie,
) -> Answer {
    let (area, signed_out) = match cookie {
        PortalCookie::StaffSession => ("/staff", "/staff/sign-in?signed_out=1"),
        _ => ("/account", "/sign-in?signed_out=1"),
    };
    let shared = signed_in
        .as_ref()
        .is_some_and(|session| session.shared_device);
    if let Some(signed_in) = signed_in {
        let now = services.clock.now();
        sessions::end(services.storage.as_ref(), &signed_in, ip_hash, now)
            .await
            .map_err(|error| PageRefusal::unavailable(area, &error))?;
    }
    let https = services.config.serves_https();
    // A shared phone keeps nothing of its last user, their language included.
    let language = shared.then(|| crate::accounts::language_choice::clear_language_cookie(https));
    Ok(cookies::redirect_with(
        signed_out,
        std::iter::once(cookies::clear(cookie, https)).chain(language),
    ))
}

/// Ends every session of the applicant and forgets every remembered device.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    SignedInApplicant(signed_in): SignedInApplicant,
) -> Answer {
    let services = &state.services;
    let now = services.clock.now();
    sessions::end_everywhere(services.storage.as_ref(), &signed_in, ip_hash, now)
        .await
        .map_err(|error| PageRefusal::unavailable("/account", &error))?;
    let https = services.config.serves_https();
    Ok(cookies::redirect_with(
        "/sign-in?signed_out=1",
        [
            cookies::clear(PortalCookie::Session, https),
            cookies::clear(PortalCookie::RememberedDevice, https),
        ],
    ))
}

/// "Stay signed in", from the warning shown before the idle timeout.
#[derive(serde::Deserialize)]
pub struct ExtendForm {
    return_to: Option<String>,
}

/// "Stay signed in": renews the idle deadline and goes back to the page the applicant was on.
pub async fn extend_session(
    State(state): State<AppState>,
    SignedInApplicant(signed_in): SignedInApplicant,
    form: Result<axum::Form<ExtendForm>, FormRejection>,
) -> Answer {
    let back = form
        .ok()
        .and_then(|axum::Form(form)| form.return_to)
        // Any page of this site the warning showed on, as asked; never the staff side.
        .filter(|path| crate::accounts::language_choice::safe_return_path(Some(path)) == *path)
        .filter(|path| path != "/staff" && !path.starts_with("/staff/"))
        .unwrap_or_else(|| "/account".to_owned());
    let services = &state.services;
    let extended = sessions::extend(services.storage.as_ref(), &signed_in, services.clock.now())
        .await
        .map_err(|error| PageRefusal::unavailable("/account", &error))?;
    if extended {
        Ok(Redirect::to(&back).into_response())
    } else {
        Err(PageRefusal::new(SIGN_IN, Code::Expired))
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
) -> Answer {
    let language = crate::accounts::language_choice::language_at_sign_in(
        services,
        applicant_id,
        headers,
        shared,
    )
    .await;
    let now = services.clock.now();
    let tokens = services.session_tokens();
    let storage = services.storage.as_ref();
    let kind = SubjectKind::Applicant;
    let started = sessions::start(storage, &tokens, kind, applicant_id, shared, ip_hash, now)
        .await
        .map_err(|error| PageRefusal::unavailable(SIGN_IN, &error))?;
    let https = services.config.serves_https();
    let session = cookies::set(PortalCookie::Session, &started.token, https);
    // A shared phone keeps no trace of whose it was.
    let known = (!shared).then(|| {
        let audience = Audience::KnownApplicantDevice;
        let token = KnownDevice::issue(&tokens, audience, applicant_id, now);
        cookies::set(PortalCookie::KnownDevice, &token, https)
    });
    // The password was just typed: changes of contact are allowed for a few minutes.
    let step_up = crate::accounts::step_up::step_up_cookie(services, &started.signed_in);
    Ok(cookies::redirect_with(
        next,
        [session, step_up].into_iter().chain(language).chain(known),
    ))
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
    KnownDevice::read(
        &services.session_tokens(),
        audience,
        &token,
        services.clock.now(),
    )
}
