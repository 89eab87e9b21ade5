//! Web Push subscriptions of the applicant's browsers: `POST /account/push/subscribe` and
//! `/account/push/unsubscribe` take what the page's script got from the browser (JSON), and
//! `/account/push/remove-all` (a plain form) stops alerts on every device. The applicant comes
//! from the session, never the body.

use axum::{
    Extension, Json,
    extract::{State, rejection::JsonRejection},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use server::{
    accounts::contact::subscribe_push,
    http::{PageRefusal, who_is_asking::SignedInApplicant},
};

use uuid::Uuid;

use crate::{
    app_state::{AppState, locale_of},
    session_layer::ClientAddressHash,
};

#[derive(serde::Deserialize)]
pub struct SubscriptionKeys {
    p256dh: String,
    auth: String,
}

/// `PushSubscription.toJSON()`; other fields (`expirationTime`) are ignored.
#[derive(serde::Deserialize)]
pub struct BrowserSubscription {
    endpoint: String,
    keys: SubscriptionKeys,
}

#[derive(serde::Deserialize)]
pub struct Unsubscription {
    endpoint: String,
}

/// The applicant's id. These take `Option<SignedInApplicant>` so that a script gets a status
/// it can read (401) rather than the sign-in page.
fn applicant(signed_in: Option<SignedInApplicant>) -> Option<Uuid> {
    signed_in.map(|SignedInApplicant(signed_in)| signed_in.subject_id)
}

/// A refusal the page's script shows as is, in the page's language.
fn refused(status: StatusCode, headers: &HeaderMap) -> Response {
    let m = locale_of(headers).messages();
    (status, m.push_failed.clone()).into_response()
}

pub async fn subscribe(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<SignedInApplicant>,
    headers: HeaderMap,
    body: Result<Json<BrowserSubscription>, JsonRejection>,
) -> Response {
    let Some(applicant_id) = applicant(signed_in) else {
        return refused(StatusCode::UNAUTHORIZED, &headers);
    };
    let Ok(Json(subscription)) = body else {
        return refused(StatusCode::BAD_REQUEST, &headers);
    };
    let services = &state.services;
    let outcome = subscribe_push(
        services.storage.as_ref(),
        &services.config.push_services,
        applicant_id,
        (
            &subscription.endpoint,
            &subscription.keys.p256dh,
            &subscription.keys.auth,
        ),
        ip_hash,
        services.clock.now(),
    )
    .await;
    match outcome {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(server::accounts::contact::ContactError::Push(error)) => {
            tracing::warn!(%error, "a push subscription was refused");
            refused(StatusCode::BAD_REQUEST, &headers)
        }
        Err(error) => {
            tracing::error!(%error, "a push subscription could not be saved");
            refused(StatusCode::SERVICE_UNAVAILABLE, &headers)
        }
    }
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    signed_in: Option<SignedInApplicant>,
    headers: HeaderMap,
    body: Result<Json<Unsubscription>, JsonRejection>,
) -> Response {
    let Some(applicant_id) = applicant(signed_in) else {
        return refused(StatusCode::UNAUTHORIZED, &headers);
    };
    let Ok(Json(body)) = body else {
        return refused(StatusCode::BAD_REQUEST, &headers);
    };
    let storage = state.services.storage.as_ref();
    match storage
        .remove_push_subscriptions(applicant_id, Some(&body.endpoint))
        .await
    {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            tracing::error!(%error, "a push subscription could not be removed");
            refused(StatusCode::SERVICE_UNAVAILABLE, &headers)
        }
    }
}

pub async fn remove_all(
    State(state): State<AppState>,
    SignedInApplicant(signed_in): SignedInApplicant,
) -> Result<Response, PageRefusal> {
    let storage = state.services.storage.as_ref();
    storage
        .remove_push_subscriptions(signed_in.subject_id, None)
        .await
        .map_err(|error| PageRefusal::unavailable("/account/contact", &error))?;
    Ok(Redirect::to("/account/contact?push=off").into_response())
}
