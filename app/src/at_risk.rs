//! The staff's list of people who may miss a letter (`server::notifications::at_risk`), as the
//! page shows it: who, which letter, how long before it counts as notified, how to reach them,
//! and what each message sent so far answered.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRiskRow {
    pub file_href: String,
    pub name: String,
    pub number: String,
    pub kind_name: String,
    pub title: String,
    pub made_available: String,
    pub deemed: String,
    pub days_left: String,
    /// A summons' interview, and the warning when it comes before the deemed date.
    pub interview: Option<String>,
    pub interview_risk: Option<String>,
    /// Phone numbers and emails, verified or given at registration.
    pub contacts: Vec<String>,
    /// Each message sent so far: which, on which channel, and what became of it.
    pub deliveries: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AtRiskView {
    pub interviews: Vec<AtRiskRow>,
    pub documents: Vec<AtRiskRow>,
    pub next_href: Option<String>,
    /// The notifying kinds, (code, name), for the filter.
    pub kinds: Vec<(String, String)>,
}

#[server(endpoint = "staff/at-risk")]
pub async fn staff_at_risk(
    kind: Option<String>,
    days: Option<i64>,
    after: Option<String>,
) -> Result<AtRiskView, ServerFnError> {
    use server::{
        documents::{DOCUMENT_KINDS, DocumentKind},
        http::who_is_asking::{self as asking, SignedInStaff},
        notifications::at_risk::{AtRiskQuery, at_risk},
    };

    let call = crate::server_context::Call::here();
    let _: SignedInStaff<asking::may::ReadDocuments> = call.asking().await?;
    let services = &call.services;
    let m = call.messages();
    let kind = kind
        .as_deref()
        .and_then(DocumentKind::from_code)
        .filter(|kind| kind.is_notifying());
    let query = AtRiskQuery {
        kind,
        days_left: days,
        after: after
            .as_deref()
            .and_then(|id| uuid::Uuid::parse_str(id).ok()),
    };
    let now = services.clock.now();
    let page = at_risk(services.storage.as_ref(), query, now)
        .await
        .map_err(|error| call.unavailable(error))?;
    let next_href = page.next.map(|last| {
        let mut href = format!("/staff/at-risk?after={last}");
        if let Some(kind) = kind {
            href.push_str(&format!("&kind={}", kind.code()));
        }
        if let Some(days) = days {
            href.push_str(&format!("&days={days}"));
        }
        href
    });
    let row = |entry| at_risk_row(m, entry, now);
    Ok(AtRiskView {
        interviews: page.interviews.into_iter().map(row).collect(),
        documents: page.documents.into_iter().map(row).collect(),
        next_href,
        kinds: DOCUMENT_KINDS
            .iter()
            .filter(|info| info.notifying)
            .map(|info| {
                (
                    info.code.to_owned(),
                    m.document_kind_name(info.code).to_owned(),
                )
            })
            .collect(),
    })
}

/// One row, in the staff member's language.
#[cfg(feature = "ssr")]
fn at_risk_row(
    m: &crate::i18n::Messages,
    entry: server::notifications::at_risk::AtRiskEntry,
    now: chrono::DateTime<chrono::Utc>,
) -> AtRiskRow {
    use server::documents::office_time::{office_clock, office_date};

    use crate::i18n::fill;

    let document = &entry.document;
    let number = document
        .foreigner_number
        .clone()
        .or_else(|| document.file_number.clone())
        .unwrap_or_default();
    // Started days count: 1 day 23 hours is "2 days left".
    let minutes = (entry.deemed_on - now).num_minutes().max(0);
    let days_left = ((minutes + 24 * 60 - 1) / (24 * 60)).to_string();
    let contacts = crate::document_texts::contact_lines(
        m,
        [
            &document.phone,
            &document.given_phone,
            &document.email,
            &document.given_email,
        ],
    );
    let deliveries = entry
        .deliveries
        .iter()
        .map(|record| {
            let line = crate::document_texts::staff_notification_entry(m, record, "", true);
            format!("{} · {} · {}", line.message, line.channel, line.delivery)
        })
        .collect();
    let interview_risk = entry
        .interview_at_risk
        .then(|| {
            document.appointment_at.map(|interview| {
                crate::document_texts::interview_risk(m, interview, entry.deemed_on)
            })
        })
        .flatten();
    AtRiskRow {
        file_href: format!("/staff/applicants/{}", document.applicant_id),
        name: format!("{} {}", document.given_names, document.family_name),
        number,
        kind_name: m.document_kind_name(&document.kind).to_owned(),
        title: document.title.clone(),
        made_available: office_date(document.made_available_at),
        deemed: office_date(entry.deemed_on),
        days_left: fill(&m.staff_at_risk_days_left, &[("days", &days_left)]),
        interview: document
            .appointment_at
            .map(|at| format!("{} {}", office_date(at), office_clock(at))),
        interview_risk,
        contacts,
        deliveries,
    }
}
