//! `POST /sign-in/reset` and `POST /sign-in/reset/code`. The first answers the same way whether
//! or not the number has an account, and sends the email off the request path, so that neither
//! the answer nor its timing tells.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::HeaderMap,
    response::Response,
};
use chrono::Utc;
use server::{
    password_reset::{complete_reset, request_reset},
    secret::Secret,
    session_token::Audience,
};

use crate::{
    code_delivery::{locale_for, send_code},
    cookies::{self, PortalCookie},
    session_layer::ClientAddressHash,
    sign_in_form::{back_to, known_device, redirect_with_cookies},
    startup::{AppState, locale_of},
};

#[derive(serde::Deserialize)]
pub struct ResetForm {
    foreigner_number: String,
}

#[derive(serde::Deserialize)]
pub struct ResetCodeForm {
    code: String,
    password: String,
}

impl std::fmt::Debug for ResetCodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetCodeForm([redacted])")
    }
}

pub async fn submit_request(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<ResetForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(axum::Form(form)) if !form.foreigner_number.trim().is_empty() => form,
        _ => return back_to("/sign-in/reset", "missing"),
    };
    let services = &state.services;
    let now = Utc::now();
    let request = match request_reset(
        services.storage.as_ref(),
        &services.keyed_hasher,
        &form.foreigner_number,
        known_device(services, &headers, PortalCookie::KnownDevice),
        ip_hash,
        now,
    )
    .await
    {
        Ok(request) => request,
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "password reset could not start");
            }
            return back_to("/sign-in/reset", error.code());
        }
    };
    if let Some(delivery) = request.delivery {
        let services = services.clone();
        let locale = locale_for(&delivery.preferred_language, locale_of(&headers));
        tokio::spawn(async move {
            if let Err(error) = send_code(&services, &delivery.to, &delivery.digits, locale).await {
                tracing::error!(%error, "password reset code could not be sent");
            }
        });
    }
    let pending = services.session_tokens().issue(
        Audience::PendingReset,
        request.subject,
        request.code_id,
        now,
    );
    let https = services.config.serves_https();
    redirect_with_cookies(
        "/sign-in/reset/code",
        [cookies::set(PortalCookie::PendingReset, &pending, https)],
    )
}

pub async fn submit_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<ResetCodeForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let https = services.config.serves_https();
    let claims = cookies::read(&headers, PortalCookie::PendingReset, https).and_then(|token| {
        services
            .session_tokens()
            .verify(&token, Audience::PendingReset)
            .ok()
    });
    let Some(claims) = claims else {
        return back_to("/sign-in/reset", "expired");
    };
    let form = match form {
        Ok(axum::Form(form)) if !form.code.trim().is_empty() && !form.password.is_empty() => form,
        _ => return back_to("/sign-in/reset/code", "missing"),
    };
    match complete_reset(
        services.storage.as_ref(),
        claims.sub,
        claims.sid,
        &form.code,
        Secret::new(form.password),
        ip_hash,
        Utc::now(),
    )
    .await
    {
        Ok(()) => redirect_with_cookies(
            "/sign-in?reset=1",
            [
                cookies::clear(PortalCookie::PendingReset, https),
                cookies::clear(PortalCookie::Session, https),
                cookies::clear(PortalCookie::RememberedDevice, https),
            ],
        ),
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "password could not be reset");
            }
            back_to("/sign-in/reset/code", error.code())
        }
    }
}
