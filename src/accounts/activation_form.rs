//! `POST /activate`: the activation form's handler. Thin: it reads the form, calls
//! `server::accounts::activation`, and signs the applicant in on the way to adding an email address, or back to the form with an
//! error code the page turns into a localized message. Typed values never go in the URL.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    response::Response,
};
use chrono::NaiveDate;
use refusal::Code;
use server::{
    accounts::activation::{ActivationRequest, activate},
    http::{OrBackTo, PageRefusal, filled_form},
    secret::Secret,
};

use crate::{
    accounts::sign_in_form::start_session, app_state::AppState, session_layer::ClientAddressHash,
};

const PAGE: &str = "/activate";

#[derive(serde::Deserialize)]
pub struct ActivationForm {
    foreigner_number: String,
    connection_key: String,
    birth_day: String,
    birth_month: String,
    birth_year: String,
    password: String,
    /// "This phone is not only mine" (a reception centre's, a friend's): the session is short
    /// and the phone keeps nothing of the applicant afterwards, as at sign-in.
    shared_device: Option<String>,
}

// The password and key must never appear in a log line.
impl std::fmt::Debug for ActivationForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationForm([redacted])")
    }
}

pub async fn submit_activation(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: axum::http::HeaderMap,
    form: Result<axum::Form<ActivationForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    let filled = |form: &ActivationForm| {
        let boxes = [
            &form.foreigner_number,
            &form.connection_key,
            &form.birth_day,
            &form.birth_month,
            &form.birth_year,
        ];
        boxes.iter().all(|value| !value.trim().is_empty()) && !form.password.is_empty()
    };
    let form = filled_form(form, filled, PAGE, Code::Missing)?;
    let date_of_birth = date_from_parts(&form.birth_day, &form.birth_month, &form.birth_year)
        .ok_or(PageRefusal::new(PAGE, Code::Birth))?;
    let shared = form.shared_device.is_some();
    let request = ActivationRequest {
        foreigner_number: form.foreigner_number,
        connection_key: Secret::new(form.connection_key),
        date_of_birth,
        new_password: Secret::new(form.password),
        ip_hash: ip_hash.clone(),
    };
    let services = &state.services;
    let (storage, hasher) = (services.storage.as_ref(), &services.keyed_hasher);
    let applicant_id = activate(storage, hasher, request, services.clock.now())
        .await
        .or_back_to(PAGE)?;
    // Signed in at once (the key and birth date were the proof), to add an email address.
    let next = "/account/contact?activated=1";
    start_session(services, applicant_id, shared, ip_hash, &headers, next).await
}

/// Day, month and year as typed ("7", "03", "1990"); `None` for an impossible date.
fn date_from_parts(day: &str, month: &str, year: &str) -> Option<NaiveDate> {
    let number = |text: &str| text.trim().parse::<u32>().ok();
    let year = i32::try_from(number(year)?)
        .ok()
        .filter(|year| *year >= 1900)?;
    NaiveDate::from_ymd_opt(year, number(month)?, number(day)?)
}

#[cfg(test)]
mod tests {
    use super::date_from_parts;

    #[test]
    fn dates_are_read_from_three_boxes() {
        assert_eq!(
            date_from_parts("7", "03", "1990"),
            chrono::NaiveDate::from_ymd_opt(1990, 3, 7)
        );
        assert_eq!(
            date_from_parts(" 29", "2", "2000 "),
            chrono::NaiveDate::from_ymd_opt(2000, 2, 29)
        );
        for (day, month, year) in [
            ("30", "2", "2000"),
            ("1", "13", "1990"),
            ("x", "1", "1990"),
            ("1", "1", "90"),
        ] {
            assert_eq!(
                date_from_parts(day, month, year),
                None,
                "{day}/{month}/{year}"
            );
        }
    }
}
