//! What the applicant's space shows about the account, loaded through a server function. A
//! server function is a public endpoint: it answers only for the applicant of the session that
//! the session middleware found for this very request.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub given_names: String,
    /// The verified address, if any.
    pub email: Option<String>,
    /// The verified phone (E.164), if any.
    pub phone: Option<String>,
    /// Given at registration and not confirmed yet: alerts go there meanwhile.
    pub given_email: Option<String>,
    pub given_phone: Option<String>,
    pub notify_by_email: bool,
    pub notify_by_sms: bool,
    /// Interview reminders by email and SMS give the date and time.
    pub detailed_reminders: bool,
    /// The portal's VAPID public key, for the page's script to subscribe this browser.
    pub push_public_key: String,
    /// Browsers subscribed to Web Push.
    pub push_devices: usize,
    /// When a closed account is erased (`dd/mm/yyyy`, office time); none while it is open.
    pub erased_on: Option<String>,
}

#[server(endpoint = "account/overview")]
pub async fn account_overview() -> Result<AccountSummary, ServerFnError> {
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
    let push_devices = services
        .storage
        .push_subscriptions_of(applicant.id)
        .await
        .map_err(|error| call.unavailable(error))?
        .len();
    Ok(AccountSummary {
        given_names: applicant.given_names,
        email: applicant.email,
        phone: applicant.phone,
        given_email: applicant.given_email,
        given_phone: applicant.given_phone,
        notify_by_email: applicant.notify_by_email,
        notify_by_sms: applicant.notify_by_sms,
        detailed_reminders: applicant.detailed_reminders,
        push_public_key: services.push.public_key(),
        push_devices,
        erased_on: applicant.closed_at.map(|closed| {
            server::documents::office_time::office_date(
                services.config.retention.account_erasure_date(closed),
            )
        }),
    })
}

/// The applicant's postal address as the page shows it: the current one (kind and one line)
/// and those declared before, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressSummary {
    pub current: Option<DeclaredAddress>,
    pub earlier: Vec<DeclaredAddress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredAddress {
    pub kind: String,
    pub text: String,
    pub declared: String,
}

#[server(endpoint = "account/postal-address")]
pub async fn account_postal_address() -> Result<AddressSummary, ServerFnError> {
    use server::http::who_is_asking::SignedInApplicant;

    let call = crate::server_context::Call::here();
    let SignedInApplicant(signed_in) = call.asking().await?;
    let addresses = call
        .services
        .storage
        .postal_addresses_of(signed_in.subject_id)
        .await
        .map_err(|error| call.unavailable(error))?;
    let m = call.messages();
    let mut declared = addresses
        .iter()
        .map(|address| crate::document_texts::declared_address(m, address));
    Ok(AddressSummary {
        current: declared.next(),
        earlier: declared.collect(),
    })
}
