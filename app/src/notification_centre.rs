//! The applicant's notification centre: one notice per new document and per reminder, unread
//! until the applicant opens the document or marks it read (`POST /account/notifications/read`).
//! Server functions are public endpoints: both answer only about the session's own applicant.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeEntry {
    pub id: String,
    /// "New document: …" or "Reminder: …"; behind the sign-in, so it may name the document.
    pub text: String,
    pub received: String,
    pub unread: bool,
    /// The document to open, unless it was withdrawn.
    pub document_href: Option<String>,
}

/// How many notices are shown at most; older ones stay in the database.
pub const NOTICES_SHOWN: i64 = 100;

/// What the applicant's navigation shows on every page of their space.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NavigationStatus {
    pub unread_notices: i64,
    /// When the session ends without activity (Unix seconds), for the warning before it does.
    pub idle_ends_at: i64,
}

#[server(endpoint = "account/status")]
pub async fn applicant_status() -> Result<NavigationStatus, ServerFnError> {
    use server::http::who_is_asking::SignedInApplicant;

    let call = crate::server_context::Call::here();
    let SignedInApplicant(signed_in) = call.asking().await?;
    let services = &call.services;
    let unread_notices = services
        .storage
        .unread_notice_count(signed_in.subject_id)
        .await
        .map_err(|error| call.unavailable(error))?;
    Ok(NavigationStatus {
        unread_notices,
        idle_ends_at: signed_in.idle_expires_at.timestamp(),
    })
}

#[server(endpoint = "account/notices")]
pub async fn my_notices() -> Result<Vec<NoticeEntry>, ServerFnError> {
    use server::http::who_is_asking::SignedInApplicant;

    let call = crate::server_context::Call::here();
    let SignedInApplicant(signed_in) = call.asking().await?;
    let services = &call.services;
    let storage = services.storage.as_ref();
    let notices = storage
        .in_app_notices(signed_in.subject_id, NOTICES_SHOWN)
        .await
        .map_err(|error| call.unavailable(error))?;
    // The applicant's own documents only: the titles come from that list, never by id alone.
    let documents = storage
        .documents_of_applicant(signed_in.subject_id)
        .await
        .map_err(|error| call.unavailable(error))?;
    let messages = call.messages();
    Ok(notices
        .iter()
        .map(|notice| {
            let document = documents
                .iter()
                .find(|document| Some(document.id) == notice.document_id);
            crate::document_texts::notice_entry(messages, notice, document)
        })
        .collect())
}
