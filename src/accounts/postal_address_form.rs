//! `POST /account/address`: the applicant declares where paper mail reaches them, with the
//! password typed a moment ago (`RecentlyAuthenticated`: a new address is where letters would
//! go). A dated receipt, in French and in their language, is put in their inbox: their proof,
//! and an alert on their channels if it was not them.

use app::i18n::{Locale, fill};
use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use server::{
    Services,
    accounts::postal_address::{AddressKind, TypedAddress, declare, one_line},
    documents::{
        DocumentKind,
        office_time::{office_clock, office_date},
        publishing::{Upload, publish},
    },
    http::{OrBackTo, PageRefusal, filled_form, who_is_asking::RecentlyAuthenticated},
    printable::{Font, Line, PrintError, a4_document, page_break},
    storage::{Actor, Applicant, PostalAddress},
};

use crate::{accounts::account_notice::languages_for, session_layer::ClientAddressHash};

const PAGE: &str = "/account/address";

#[derive(serde::Deserialize)]
pub struct AddressForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    care_of: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    city: String,
}

// Where a person lives stays out of logs.
impl std::fmt::Debug for AddressForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressForm([redacted])")
    }
}

pub async fn submit_address(
    State(services): State<Services>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    form: Result<axum::Form<AddressForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    let form = filled_form(form, |_| true, PAGE, Code::AddressStreet)?;
    let typed = TypedAddress {
        kind: form.kind,
        care_of: form.care_of,
        street: form.street,
        postal_code: form.postal_code,
        city: form.city,
    };
    let (storage, now) = (services.storage.as_ref(), services.clock.now());
    let applicant_id = signed_in.subject_id;
    let address = declare(storage, applicant_id, &typed, ip_hash, now)
        .await
        .or_back_to(PAGE)?;
    let applicant = storage
        .find_applicant(applicant_id)
        .await
        .map_err(|error| PageRefusal::unavailable(PAGE, &error))?
        .ok_or_else(|| PageRefusal::new(PAGE, Code::Unavailable))?;
    // The address is recorded either way; a receipt that could not be made is said, and the
    // staff file shows the declaration all the same.
    if let Err(error) = post_receipt(&services, &applicant, &address).await {
        tracing::error!(%error, "the receipt of an address change could not be posted");
        return Ok(Redirect::to("/account/address?declared=1&receipt=0").into_response());
    }
    Ok(Redirect::to("/account/address?declared=1").into_response())
}

async fn post_receipt(
    services: &Services,
    applicant: &Applicant,
    address: &PostalAddress,
) -> anyhow::Result<()> {
    let locales = languages_for(applicant.message_language());
    let pdf = receipt_pdf(applicant, address, &locales)?;
    let title_locale = locales.last().copied().unwrap_or(Locale::Fr);
    let upload = Upload {
        applicant_id: applicant.id,
        kind: DocumentKind::Other,
        title: title_locale.messages().address_receipt_title.clone(),
        file_name: format!("address-{}.pdf", address.declared_at.format("%Y-%m-%d")),
        uploaded_by: Actor::system(),
        replacing: None,
        facts: Default::default(),
    };
    let body = axum::body::Body::from(pdf).into_data_stream();
    publish(services, upload, body).await?;
    Ok(())
}

/// French first, then the applicant's language, as on the account notice.
fn receipt_pdf(
    applicant: &Applicant,
    address: &PostalAddress,
    locales: &[Locale],
) -> Result<Vec<u8>, PrintError> {
    let mut lines = Vec::new();
    for (index, locale) in locales.iter().enumerate() {
        if index > 0 {
            lines.push(page_break());
        }
        lines.extend(receipt_page(applicant, address, *locale));
    }
    a4_document(&Locale::Fr.messages().address_receipt_title, &lines)
}

fn receipt_page(applicant: &Applicant, address: &PostalAddress, locale: Locale) -> Vec<Line> {
    let m = locale.messages();
    let name = format!("{} {}", applicant.given_names, applicant.family_name);
    let number = applicant
        .foreigner_number
        .clone()
        .or_else(|| applicant.file_number.clone())
        .unwrap_or_default();
    let kind = match AddressKind::parse(&address.kind) {
        Some(AddressKind::Domiciliation) => &m.address_kind_domiciliation,
        _ => &m.address_kind_residence,
    };
    let declared = fill(
        &m.address_receipt_declared,
        &[
            ("date", &office_date(address.declared_at)),
            ("time", &office_clock(address.declared_at)),
        ],
    );
    let lines = vec![
        Line::new(m.address_receipt_title.as_str(), Font::Bold, 18.0),
        Line::new(fill(&m.notice_for, &[("name", &name)]), Font::Regular, 12.0).after(18.0),
        Line::new(
            fill(&m.notice_number, &[("number", &number)]),
            Font::Regular,
            12.0,
        ),
        Line::new(declared, Font::Regular, 12.0).after(18.0),
        Line::new(kind.as_str(), Font::Bold, 12.0).after(8.0),
        Line::new(one_line(address), Font::Regular, 12.0).after(4.0),
        Line::new(m.address_receipt_effect.as_str(), Font::Regular, 11.0).after(18.0),
        Line::new(
            fill(
                &m.address_receipt_reference,
                &[("reference", &address.id.to_string())],
            ),
            Font::Mono,
            9.0,
        )
        .after(18.0),
    ];
    let right_to_left = locale.is_right_to_left();
    lines
        .into_iter()
        .map(|line| line.direction(right_to_left))
        .collect()
}
