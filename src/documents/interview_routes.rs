//! `GET /account/documents/{id}/calendar.ics`: the applicant's interview as a calendar event,
//! for their phone's calendar. Only their own summons, still in the account, with an interview
//! to come; anything else is answered as an unknown document.

use app::i18n::{Locale, fill};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use server::{
    Services,
    documents::interview_calendar::{EventTexts, Interview, calendar_file, upcoming_interview},
    http::who_is_asking::SignedInApplicant,
};
use uuid::Uuid;

use crate::app_state::locale_of;

pub async fn interview_calendar(
    State(services): State<Services>,
    SignedInApplicant(applicant): SignedInApplicant,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let page_locale = locale_of(&headers);
    let not_found = || {
        let m = page_locale.messages();
        (StatusCode::NOT_FOUND, m.document_not_found.clone()).into_response()
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found();
    };
    let now = services.clock.now();
    let storage = services.storage.as_ref();
    let (document, reader) = match upcoming_interview(storage, applicant.subject_id, id, now).await
    {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(error) => {
            tracing::error!(%error, "an interview's calendar event could not be made");
            let m = page_locale.messages();
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                m.document_unavailable.clone(),
            )
                .into_response();
        }
    };
    let locale = Locale::from_code(reader.message_language()).unwrap_or(page_locale);
    let m = locale.messages();
    let portal = services.config.public_url.as_str();
    let description = fill(&m.calendar_description, &[("address", portal)]);
    let texts = EventTexts {
        summary: &m.calendar_summary,
        description: &description,
        alarm: &m.calendar_alarm,
    };
    let Some(starts_at) = document.facts.appointment_at else {
        return not_found();
    };
    let interview = Interview {
        document_id: document.id,
        starts_at,
        place: document
            .facts
            .appointment_place
            .as_deref()
            .unwrap_or_default(),
        host: services.config.public_url.host_str().unwrap_or("localhost"),
    };
    let body = calendar_file(&interview, &texts, now);
    let file_name = format!(
        "attachment; filename=\"interview-{}.ics\"",
        server::documents::office_time::in_office_time(starts_at).format("%Y-%m-%d")
    );
    let mut response = body.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&file_name) {
        response_headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
