//! Who may make a change that could hand an account to someone else: someone who proved it is
//! them again in this session within the last few minutes (`server::step_up`). An applicant
//! types their password (`POST /account/confirm-password`) before changing where codes and alerts
//! go; a staff member types a fresh authenticator code (`POST /staff/confirm`) before inviting,
//! changing roles, disabling members or managing API keys. As extractors, so a handler that takes
//! one cannot forget the check.

use axum::{
    Extension,
    extract::{FromRequestParts, State, rejection::FormRejection},
    http::{HeaderValue, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use server::{Services, secret::Secret, sessions::SignedIn, step_up, storage::SubjectKind};

use crate::{
    cookies::{self, PortalCookie},
    session_layer::ClientAddressHash,
    sign_in_form::{back_to, redirect_with_cookies},
    startup::AppState,
};

/// An applicant's session whose password was typed again a moment ago.
#[derive(Debug, Clone)]
pub struct RecentlyAuthenticated(pub SignedIn);

/// A staff session whose authenticator code was typed a moment ago.
#[derive(Debug, Clone)]
pub struct RecentlyAuthenticatedStaff(pub SignedIn);

/// Which side of the portal, for where a refusal leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Applicant,
    Staff,
}

impl Side {
    fn subject_kind(self) -> SubjectKind {
        match self {
            Side::Applicant => SubjectKind::Applicant,
            Side::Staff => SubjectKind::Staff,
        }
    }

    fn cookie(self) -> PortalCookie {
        match self {
            Side::Applicant => PortalCookie::StepUp,
            Side::Staff => PortalCookie::StaffStepUp,
        }
    }

    fn confirm_page(self) -> &'static str {
        match self {
            Side::Applicant => "/account/confirm-password",
            Side::Staff => "/staff/confirm",
        }
    }

    /// Where the change was asked from, and where a confirmation leads back to.
    fn form_page(self) -> &'static str {
        match self {
            Side::Applicant => "/account/contact",
            Side::Staff => "/staff",
        }
    }

    fn sign_in_page(self) -> &'static str {
        match self {
            Side::Applicant => "/sign-in",
            Side::Staff => "/staff/sign-in",
        }
    }
}

/// Why a sensitive change was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUpRefusal {
    /// No session of that side at all.
    SignedOut(Side),
    /// A session, but the proof was not given recently in it.
    ProofNeeded(Side),
}

impl IntoResponse for StepUpRefusal {
    fn into_response(self) -> Response {
        match self {
            StepUpRefusal::SignedOut(side) => back_to(side.sign_in_page(), "expired"),
            StepUpRefusal::ProofNeeded(side) => Redirect::to(side.confirm_page()).into_response(),
        }
    }
}

/// The session of `side` in this request, if its step-up cookie is fresh and its own.
fn recently_authenticated(
    parts: &Parts,
    services: &Services,
    side: Side,
) -> Result<SignedIn, StepUpRefusal> {
    let signed_in = parts
        .extensions
        .get::<SignedIn>()
        .filter(|signed_in| signed_in.subject_kind == side.subject_kind())
        .cloned()
        .ok_or(StepUpRefusal::SignedOut(side))?;
    let https = services.config.serves_https();
    let fresh = cookies::read(&parts.headers, side.cookie(), https)
        .is_some_and(|token| step_up::holds(&services.session_tokens(), &signed_in, &token));
    if fresh {
        Ok(signed_in)
    } else {
        Err(StepUpRefusal::ProofNeeded(side))
    }
}

impl FromRequestParts<AppState> for RecentlyAuthenticated {
    type Rejection = StepUpRefusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        recently_authenticated(parts, &state.services, Side::Applicant).map(RecentlyAuthenticated)
    }
}

impl FromRequestParts<AppState> for RecentlyAuthenticatedStaff {
    type Rejection = StepUpRefusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        recently_authenticated(parts, &state.services, Side::Staff).map(RecentlyAuthenticatedStaff)
    }
}

/// The cookie that lets `session` make sensitive changes for a few minutes.
pub fn step_up_cookie(services: &Services, session: &SignedIn) -> HeaderValue {
    let side = match session.subject_kind {
        SubjectKind::Staff => Side::Staff,
        _ => Side::Applicant,
    };
    let token = step_up::grant(&services.session_tokens(), session, Utc::now());
    cookies::set(side.cookie(), &token, services.config.serves_https())
}

/// The applicant's password, or the staff member's authenticator code.
#[derive(serde::Deserialize)]
pub struct ProofForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

impl std::fmt::Debug for ProofForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProofForm([redacted])")
    }
}

/// `POST /account/confirm-password`.
pub async fn submit_password(
    State(state): State<AppState>,
    address: Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<ProofForm>, FormRejection>,
) -> Response {
    confirm(&state.services, Side::Applicant, address, signed_in, form).await
}

/// `POST /staff/confirm`.
pub async fn submit_staff_code(
    State(state): State<AppState>,
    address: Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<ProofForm>, FormRejection>,
) -> Response {
    confirm(&state.services, Side::Staff, address, signed_in, form).await
}

async fn confirm(
    services: &Services,
    side: Side,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<ProofForm>, FormRejection>,
) -> Response {
    let Some(Extension(signed_in)) =
        signed_in.filter(|Extension(signed_in)| signed_in.subject_kind == side.subject_kind())
    else {
        return StepUpRefusal::SignedOut(side).into_response();
    };
    let page = side.confirm_page();
    let Ok(axum::Form(form)) = form else {
        return back_to(page, "missing");
    };
    let storage = services.storage.as_ref();
    let now = services.clock.now();
    let confirmed = match side {
        Side::Applicant if !form.password.is_empty() => {
            let password = Secret::new(form.password);
            step_up::confirm_password(storage, &signed_in, password, ip_hash, now).await
        }
        Side::Staff if !form.code.trim().is_empty() => {
            step_up::confirm_totp(storage, &signed_in, &form.code, ip_hash, now).await
        }
        _ => return back_to(page, "missing"),
    };
    match confirmed {
        Ok(()) => redirect_with_cookies(side.form_page(), [step_up_cookie(services, &signed_in)]),
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "re-authentication failed");
            }
            back_to(page, error.code())
        }
    }
}
