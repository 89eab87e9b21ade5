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
use server::{contact::subscribe_push, sessions::SignedIn, storage::SubjectKind};
use uuid::Uuid;

use crate::{
    session_layer::ClientAddressHash,
    sign_in_form::back_to,
    startup::{AppState, locale_of},
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

fn applicant(signed_in: Option<Extension<SignedIn>>) -> Option<Uuid> {
    signed_in
        .map(|Extension(signed_in)| signed_in)
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Applicant)
        .map(|signed_in| signed_in.subject_id)
}

/// A refusal the page's script shows as is, in the page's language.
fn refused(status: StatusCode, headers: &HeaderMap) -> Response {
    let m = locale_of(headers).messages();
    (status, m.push_failed.clone()).into_response()
}

pub async fn subscribe(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
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
        Err(server::contact::ContactError::Push(error)) => {
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
    signed_in: Option<Extension<SignedIn>>,
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
    signed_in: Option<Extension<SignedIn>>,
) -> Response {
    let Some(applicant_id) = applicant(signed_in) else {
        return back_to("/sign-in", "expired");
    };
    let storage = state.services.storage.as_ref();
    match storage.remove_push_subscriptions(applicant_id, None).await {
        Ok(_) => Redirect::to("/account/contact?push=off").into_response(),
        Err(error) => {
            tracing::error!(%error, "push subscriptions could not be removed");
            back_to("/account/contact", "unavailable")
        }
    }
}
