//! `POST /api/v1/applicants` registers an applicant and answers with the account notice (PDF,
//! base64) to print.

use app::i18n::Locale;
use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::NaiveDate;
use refusal::Code;
use serde::{Deserialize, Serialize};
use server::{
    accounts::{
        postal_address::DeclaredAddress,
        registration::{RegistrationError, register_applicant},
    },
    storage::{Actor, GivenContacts, NewApplicant, StorageError},
};

use super::{ApiCaller, ApiRefusal, scope};
use crate::{accounts::account_notice::notice_for, app_state::AppState};

#[derive(Deserialize)]
pub struct ApplicantRegistration {
    foreigner_number: Option<String>,
    file_number: Option<String>,
    given_names: String,
    family_name: String,
    date_of_birth: NaiveDate,
    preferred_language: String,
    #[serde(default = "default_true")]
    electronic_notification: bool,
    /// The mobile number and email the applicant gave when registering: content-free alerts go
    /// there from the first document on, before activation too.
    phone: Option<String>,
    email: Option<String>,
}

fn default_true() -> bool {
    true
}

// Names and birth dates of asylum seekers stay out of logs.
impl std::fmt::Debug for ApplicantRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplicantRegistration([redacted])")
    }
}

#[derive(Serialize)]
struct Registered {
    id: uuid::Uuid,
    connection_key_expires_at: chrono::DateTime<chrono::Utc>,
    /// The account notice to print and hand over; the only copy of the connection key.
    notice_pdf: String,
}

impl From<ApplicantRegistration> for NewApplicant {
    fn from(body: ApplicantRegistration) -> NewApplicant {
        NewApplicant {
            foreigner_number: body.foreigner_number,
            file_number: body.file_number,
            given_names: body.given_names,
            family_name: body.family_name,
            date_of_birth: body.date_of_birth,
            preferred_language: body.preferred_language,
            electronic_notification: body.electronic_notification,
            given: GivenContacts {
                email: body.email,
                phone: body.phone,
            },
        }
    }
}

pub async fn register(
    State(state): State<AppState>,
    ApiCaller { key, locale, .. }: ApiCaller<scope::ApplicantsWrite>,
    body: Result<Json<ApplicantRegistration>, JsonRejection>,
) -> Result<Response, ApiRefusal> {
    let services = &state.services;
    let Json(body) =
        body.map_err(|_| ApiRefusal::new(StatusCode::BAD_REQUEST, Code::Body, locale))?;
    let issued = register_applicant(
        services.storage.as_ref(),
        body.into(),
        Actor::api_key(key.id),
        services.config.connection_key_validity,
        services.clock.now(),
    )
    .await
    .map_err(|error| refusal_of(error, locale))?;
    tracing::info!(api_key = %key.id, "applicant registered through the API");
    let pdf = notice_for(&issued, &services.config.public_url)
        .map_err(|error| ApiRefusal::unavailable(&error, locale))?;
    let registered = Registered {
        id: issued.applicant.id,
        connection_key_expires_at: issued.expires_at,
        notice_pdf: STANDARD.encode(pdf),
    };
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    Ok((StatusCode::CREATED, no_store, Json(registered)).into_response())
}

fn refusal_of(error: RegistrationError, locale: Locale) -> ApiRefusal {
    let status = match &error {
        RegistrationError::Storage(StorageError::Conflict(_)) => StatusCode::CONFLICT,
        RegistrationError::Storage(_) => return ApiRefusal::unavailable(&error, locale),
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiRefusal::new(status, error.code(), locale)
}

#[derive(Serialize)]
struct AddressesBody {
    /// The address paper mail goes to now; `null` until the applicant declares one.
    current: Option<DeclaredAddress>,
    /// Every declaration, newest first (the current one included).
    history: Vec<DeclaredAddress>,
}

/// `GET /api/v1/applicants/{id}/postal-address`: where paper mail reaches the applicant, as
/// they declared it on the portal, with the history.
pub async fn postal_address(
    State(state): State<AppState>,
    ApiCaller { locale, .. }: ApiCaller<scope::ApplicantsRead>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, ApiRefusal> {
    let storage = state.services.storage.as_ref();
    let not_found = || ApiRefusal::new(StatusCode::NOT_FOUND, Code::NotFound, locale);
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    storage
        .find_applicant(id)
        .await
        .map_err(|error| ApiRefusal::unavailable(&error, locale))?
        .ok_or_else(not_found)?;
    let history: Vec<DeclaredAddress> = storage
        .postal_addresses_of(id)
        .await
        .map_err(|error| ApiRefusal::unavailable(&error, locale))?
        .into_iter()
        .map(Into::into)
        .collect();
    let current = history.first().cloned();
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    Ok((no_store, Json(AddressesBody { current, history })).into_response())
}
