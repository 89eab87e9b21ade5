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
        http::who_is_asking::{self as asking, SignedInStaff},
        staff::{StaffPermission, may},
    };

    let call = crate::server_context::Call::here();
    let SignedInStaff::<asking::may::ReadDocuments> { member, .. } = call.asking().await?;
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
    /// The same address as a QR code (inline SVG drawn on the server).
    pub qr_code_svg: String,
}

#[server(endpoint = "staff/enrolment")]
pub async fn enrolment_details(
    token: String,
    scanned: Option<String>,
) -> Result<EnrolmentSetup, ServerFnError> {
    use server::{staff::open_enrolment, staff::totp};

    let call = crate::server_context::Call::here();
    let services = &call.services;
    let (_, member) = open_enrolment(services.storage.as_ref(), &token, services.clock.now())
        .await
        .map_err(|error| {
            call.set_status(http::StatusCode::NOT_FOUND);
            ServerFnError::new(error.code().as_str())
        })?;
    // A code typed wrong keeps the secret already scanned: the app need not be set up twice.
    let secret = match scanned.filter(|secret| totp::is_strong_secret(secret)) {
        Some(secret) => server::secret::Secret::new(secret),
        None => totp::generate_secret(),
    };
    let provisioning_uri = totp::provisioning_uri(&secret, &member.email, "Espace usager");
    Ok(EnrolmentSetup {
        qr_code_svg: totp::qr_code_svg(&provisioning_uri).unwrap_or_default(),
        provisioning_uri,
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
    use server::http::who_is_asking::{SignedInStaff, may};

    let call = crate::server_context::Call::here();
    let SignedInStaff::<may::ManageStaff> { member: reader, .. } = call.asking().await?;
    let services = &call.services;
    Ok(services
        .storage
        .list_staff_members()
        .await
        .map_err(|error| call.unavailable(error))?
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
