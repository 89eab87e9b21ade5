//! Server functions of the staff side. Each is a public endpoint and checks for itself: the
//! overview answers only for a staff session; the enrolment details only for an open link.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub display_name: String,
    /// `agent`, `supervisor` or `administrator`.
    pub role: String,
    pub may_lift_locks: bool,
    pub may_manage_staff: bool,
}

#[server(endpoint = "staff/overview")]
pub async fn staff_overview() -> Result<StaffSummary, ServerFnError> {
    use server::{
        Services,
        sessions::SignedIn,
        staff::{StaffPermission, may},
        storage::SubjectKind,
    };

    let signed_in = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Staff);
    let member = match signed_in {
        Some(signed_in) => expect_context::<Services>()
            .storage
            .find_staff_member(signed_in.subject_id)
            .await
            .map_err(|error| {
                tracing::error!(%error, "staff overview could not be read");
                ServerFnError::new("unavailable")
            })?
            .filter(|member| member.disabled_at.is_none()),
        None => None,
    };
    let Some(member) = member else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::UNAUTHORIZED);
        }
        return Err(ServerFnError::new("not signed in"));
    };
    Ok(StaffSummary {
        display_name: member.display_name,
        role: member.role.as_str().to_owned(),
        may_lift_locks: may(member.role, StaffPermission::LiftLocks),
        may_manage_staff: may(member.role, StaffPermission::ManageStaff),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolmentSetup {
    pub email: String,
    /// A fresh TOTP secret for this page; it is kept only if the form comes back with a code.
    pub totp_secret: String,
    pub provisioning_uri: String,
}

#[server(endpoint = "staff/enrolment")]
pub async fn enrolment_details(token: String) -> Result<EnrolmentSetup, ServerFnError> {
    use server::{Services, staff::open_enrolment, totp};

    let services = expect_context::<Services>();
    let (_, member) = open_enrolment(services.storage.as_ref(), &token, chrono::Utc::now())
        .await
        .map_err(|error| {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::NOT_FOUND);
            }
            ServerFnError::new(error.code())
        })?;
    let secret = totp::generate_secret();
    Ok(EnrolmentSetup {
        provisioning_uri: totp::provisioning_uri(&secret, &member.email, "Espace usager"),
        email: member.email,
        totp_secret: secret.expose().to_owned(),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffListEntry {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub enrolled: bool,
    pub disabled: bool,
    /// The administrator reading the list: their own role and account are changed by another.
    pub is_you: bool,
}

/// The staff list, for administrators only.
#[server(endpoint = "staff/members")]
pub async fn staff_members() -> Result<Vec<StaffListEntry>, ServerFnError> {
    use server::{
        Services,
        sessions::SignedIn,
        staff::{StaffPermission, may},
        storage::SubjectKind,
    };

    let services = expect_context::<Services>();
    let signed_in = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Staff);
    let unavailable = |error: server::storage::StorageError| {
        tracing::error!(%error, "staff list could not be read");
        ServerFnError::new("unavailable")
    };
    let member = match signed_in {
        Some(signed_in) => services
            .storage
            .find_staff_member(signed_in.subject_id)
            .await
            .map_err(unavailable)?
            .filter(|member| member.disabled_at.is_none()),
        None => None,
    };
    let Some(reader) = member.filter(|member| may(member.role, StaffPermission::ManageStaff))
    else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(ServerFnError::new("forbidden"));
    };
    Ok(services
        .storage
        .list_staff_members()
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|member| StaffListEntry {
            id: member.id.to_string(),
            email: member.email,
            display_name: member.display_name,
            role: member.role.as_str().to_owned(),
            enrolled: member.enrolled_at.is_some(),
            disabled: member.disabled_at.is_some(),
            is_you: member.id == reader.id,
        })
        .collect())
}
