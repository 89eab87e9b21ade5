//! Documents as the pages show them, through server functions that check who asks: the
//! applicant's inbox answers only with the session's own documents; the staff file of an
//! applicant only for a staff session. Texts are composed on the server in the page's language.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One line of the applicant's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxEntry {
    pub id: String,
    pub kind_name: String,
    pub pictogram: String,
    pub title: String,
    pub made_available: String,
    pub size: String,
    pub unread: bool,
    /// The notification line: what opening means, or when it was notified.
    pub notice: Option<String>,
    /// The appeal deadline, once a decision is notified.
    pub appeal: Option<String>,
    /// What the notice says (a decision's outcome, an interview's date and place), so the PDF
    /// is never the only way to learn it.
    pub facts: Option<String>,
    /// Set once withdrawn: the file is then gone from the inbox.
    pub withdrawn: Option<String>,
    /// An interview still to come: where its calendar event (`.ics`) is.
    pub calendar_href: Option<String>,
}

/// One row of the staff table of an applicant's documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffDocumentEntry {
    pub id: String,
    pub kind_name: String,
    pub title: String,
    /// What the applicant reads beside the PDF (as they read it, in the staff's language).
    pub facts: Option<String>,
    pub made_available: String,
    pub first_opened: String,
    pub notification: String,
    pub uploaded_by: String,
    pub withdrawn: Option<String>,
    pub withdrawal_reason: Option<String>,
    /// "Replaces <title>" for a replacement.
    pub replaces: Option<String>,
    /// Whether the acknowledgement of receipt exists (the document is notified).
    pub acknowledged: bool,
    /// The interview may come before the applicant counts as told: phone them.
    pub interview_risk: Option<String>,
}

/// One notification of the applicant, as staff follow its delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffNotificationEntry {
    pub document_title: String,
    /// Which message: the new document, a reminder, an interview's.
    pub message: String,
    /// Email, SMS or the notice in the account.
    pub channel: String,
    pub delivery: String,
    pub failed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicantFile {
    pub applicant_id: String,
    pub name: String,
    pub electronic_notification: bool,
    pub documents: Vec<StaffDocumentEntry>,
    pub notifications: Vec<StaffNotificationEntry>,
    pub may_push: bool,
    pub may_withdraw: bool,
    pub max_document_megabytes: u64,
    /// "Closed on …, erased on …" once the file is closed.
    pub closure: Option<String>,
    /// Supervisors close and reopen accounts and export an applicant's data.
    pub may_close: bool,
    /// Every postal address the applicant declared, newest first.
    pub addresses: Vec<crate::account::DeclaredAddress>,
    /// Phone numbers and emails, verified or given at registration.
    pub contacts: Vec<String>,
}

#[server(endpoint = "account/documents")]
pub async fn my_documents() -> Result<Vec<InboxEntry>, ServerFnError> {
    use server::http::who_is_asking::SignedInApplicant;

    let call = crate::server_context::Call::here();
    let SignedInApplicant(signed_in) = call.asking().await?;
    let services = &call.services;
    let applicant = services
        .storage
        .find_applicant(signed_in.subject_id)
        .await
        .map_err(|error| call.unavailable(error))?
        .ok_or_else(|| call.not_signed_in())?;
    let documents = services
        .storage
        .documents_of_applicant(applicant.id)
        .await
        .map_err(|error| call.unavailable(error))?;
    let messages = call.messages();
    let now = services.clock.now();
    Ok(documents
        .iter()
        .filter(|document| document.made_available_at.is_some())
        .map(|document| {
            crate::document_texts::inbox_entry(
                messages,
                document,
                applicant.electronic_notification,
                now,
            )
        })
        .collect())
}

#[server(endpoint = "staff/applicant-file")]
pub async fn staff_applicant_file(
    applicant_id: String,
) -> Result<Option<ApplicantFile>, ServerFnError> {
    use std::collections::HashMap;

    use server::{
        http::who_is_asking::{self as asking, SignedInStaff},
        staff::{StaffPermission, may},
    };

    let call = crate::server_context::Call::here();
    let SignedInStaff::<asking::may::ReadDocuments> { member, .. } = call.asking().await?;
    let services = &call.services;
    let unavailable = |error| call.unavailable(error);
    // A malformed id and an unknown one get the same answer: nothing to tell them apart.
    let applicant = match uuid::Uuid::parse_str(&applicant_id) {
        Ok(id) => services
            .storage
            .find_applicant(id)
            .await
            .map_err(unavailable)?,
        Err(_) => None,
    };
    let Some(applicant) = applicant else {
        call.set_status(http::StatusCode::NOT_FOUND);
        return Ok(None);
    };
    let documents = services
        .storage
        .documents_of_applicant(applicant.id)
        .await
        .map_err(unavailable)?;
    let messages = call.messages();
    let now = services.clock.now();
    let mut names: HashMap<uuid::Uuid, String> = HashMap::new();
    let titles: HashMap<uuid::Uuid, &str> = documents
        .iter()
        .map(|document| (document.id, document.title.as_str()))
        .collect();
    let mut entries = Vec::with_capacity(documents.len());
    for document in &documents {
        let uploaded_by =
            crate::document_texts::uploader(messages, services, &mut names, document).await;
        let replaced_title = document.replaces_id.and_then(|id| titles.get(&id).copied());
        entries.push(crate::document_texts::staff_entry(
            messages,
            document,
            applicant.electronic_notification,
            now,
            uploaded_by,
            replaced_title,
        ));
    }
    // Announcements of these documents still wait for a usable channel, if they found none.
    let still_announced: std::collections::HashSet<uuid::Uuid> = documents
        .iter()
        .filter(|document| {
            document.first_opened_at.is_none()
                && document.withdrawn_at.is_none()
                && document.made_available_at.is_some_and(|at| {
                    now - at
                        < chrono::Duration::days(
                            server::documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS,
                        )
                })
        })
        .map(|document| document.id)
        .collect();
    let notifications = services
        .storage
        .notifications_of_applicant(applicant.id)
        .await
        .map_err(unavailable)?
        .iter()
        .map(|notification| {
            let title = notification
                .document_id
                .and_then(|id| titles.get(&id).copied())
                .unwrap_or("—");
            let waiting = notification
                .document_id
                .is_some_and(|id| still_announced.contains(&id));
            crate::document_texts::staff_notification_entry(messages, notification, title, waiting)
        })
        .collect();
    Ok(Some(ApplicantFile {
        applicant_id: applicant.id.to_string(),
        name: format!("{} {}", applicant.given_names, applicant.family_name),
        electronic_notification: applicant.electronic_notification,
        documents: entries,
        notifications,
        may_push: applicant.closed_at.is_none() && may(member.role, StaffPermission::PushDocuments),
        may_withdraw: may(member.role, StaffPermission::WithdrawDocuments),
        max_document_megabytes: services.config.max_document_bytes / (1024 * 1024),
        closure: applicant.closed_at.map(|closed| {
            use server::documents::office_time::office_date;
            let erased = services.config.retention.account_erasure_date(closed);
            crate::i18n::fill(
                &messages.staff_closure_status,
                &[
                    ("closed", &office_date(closed)),
                    ("erased", &office_date(erased)),
                ],
            )
        }),
        may_close: may(member.role, StaffPermission::CloseAccounts),
        addresses: services
            .storage
            .postal_addresses_of(applicant.id)
            .await
            .map_err(unavailable)?
            .iter()
            .map(|address| crate::document_texts::declared_address(messages, address))
            .collect(),
        contacts: crate::document_texts::contact_lines(
            messages,
            [
                &applicant.phone,
                &applicant.given_phone,
                &applicant.email,
                &applicant.given_email,
            ],
        ),
    }))
}
