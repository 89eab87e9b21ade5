//! Who may change where the account's codes and alerts go: an applicant who typed their
//! password in this session within the last few minutes (`server::step_up`). As an extractor,
//! so a handler that takes `RecentlyAuthenticated` cannot forget the check; and the page that
//! asks for the password again (`POST /account/confirm-password`).

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

/// The page that asks for the password again, and where it leads back to.
const CONFIRM_PAGE: &str = "/account/confirm-password";
const AFTER_CONFIRMING: &str = "/account/contact";

/// An applicant's session whose password was typed again a moment ago.
#[derive(Debug, Clone)]
pub struct RecentlyAuthenticated(pub SignedIn);

/// Why a sensitive change was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUpRefusal {
    /// No applicant session at all.
    SignedOut,
    /// A session, but the password was not typed recently in it.
    PasswordNeeded,
}

impl IntoResponse for StepUpRefusal {
    fn into_response(self) -> Response {
        match self {
            StepUpRefusal::SignedOut => back_to("/sign-in", "expired"),
            StepUpRefusal::PasswordNeeded => Redirect::to(CONFIRM_PAGE).into_response(),
        }
    }
}

impl FromRequestParts<AppState> for RecentlyAuthenticated {
    type Rejection = StepUpRefusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let signed_in = parts
            .extensions
            .get::<SignedIn>()
            .filter(|signed_in| signed_in.subject_kind == SubjectKind::Applicant)
            .cloned()
            .ok_or(StepUpRefusal::SignedOut)?;
        let services = &state.services;
        let fresh = cookies::read(
            &parts.headers,
            PortalCookie::StepUp,
            services.config.serves_https(),
        )
        .is_some_and(|token| step_up::holds(&services.session_tokens(), &signed_in, &token));
        if fresh {
            Ok(RecentlyAuthenticated(signed_in))
        } else {
            Err(StepUpRefusal::PasswordNeeded)
        }
    }
}

/// The cookie that lets `session` make sensitive changes for a few minutes.
pub fn step_up_cookie(services: &Services, session: &SignedIn) -> HeaderValue {
    let token = step_up::grant(&services.session_tokens(), session, Utc::now());
    cookies::set(PortalCookie::StepUp, &token, services.config.serves_https())
}

#[derive(serde::Deserialize)]
pub struct ConfirmPasswordForm {
    password: String,
}

impl std::fmt::Debug for ConfirmPasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfirmPasswordForm([redacted])")
    }
}

pub async fn submit_password(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<ConfirmPasswordForm>, FormRejection>,
) -> Response {
    let Some(Extension(signed_in)) =
        signed_in.filter(|Extension(signed_in)| signed_in.subject_kind == SubjectKind::Applicant)
    else {
        return StepUpRefusal::SignedOut.into_response();
    };
    let form = match form {
        Ok(axum::Form(form)) if !form.password.is_empty() => form,
        _ => return back_to(CONFIRM_PAGE, "missing"),
    };
    let services = &state.services;
    let confirmed = step_up::confirm_password(
        services.storage.as_ref(),
        &signed_in,
        Secret::new(form.password),
        ip_hash,
        Utc::now(),
    )
    .await;
    match confirmed {
        Ok(()) => redirect_with_cookies(AFTER_CONFIRMING, [step_up_cookie(services, &signed_in)]),
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "re-authentication failed");
            }
            back_to(CONFIRM_PAGE, error.code())
        }
    }
}
