//! The applicant's postal address (`/account/address`): where paper mail reaches them now, the
//! addresses declared before, and the form to declare a new one (their own, or a
//! domiciliation). A plain form: the page works without the WebAssembly.

use leptos::prelude::*;
use refusal::Code;

use super::form_feedback::{
    ErrorSummary, FormError, FormPageTitle, SuccessNotice, field_state, query_error, query_value,
};
use crate::{
    account::{AddressSummary, DeclaredAddress, account_postal_address},
    current_locale,
    i18n::{Messages, refusal_text},
};

fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    let field = match code {
        Code::AddressKind => "address-kind-residence",
        Code::AddressCareOf => "care_of",
        Code::AddressStreet => "street",
        Code::PostalCode => "postal_code",
        Code::AddressCity => "city",
        _ => return Some(FormError::page(&refusal_text(code, m))),
    };
    Some(FormError::field(field, &refusal_text(code, m)))
}

#[component]
pub fn PostalAddressPage() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let done = error
        .is_none()
        .then(|| query_value("declared"))
        .flatten()
        .map(|_| match query_value("receipt").as_deref() {
            Some("0") => m.address_declared_no_receipt.as_str(),
            _ => m.address_declared.as_str(),
        });
    view! {
        <FormPageTitle page=m.address_title.as_str() has_error=error.is_some()/>
        {done.map(|text| view! { <SuccessNotice text/> })}
        <h1>{m.address_title.as_str()}</h1>
        <ErrorSummary title=m.address_error_summary.as_str() error=error.clone()/>
        <p class="lead">{m.address_intro.as_str()}</p>
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match account_postal_address().await {
                        Ok(summary) => view! { <AddressSections summary error/> }.into_any(),
                        Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <p class="aside"><a href="/account">{m.nav_documents.as_str()}</a></p>
    }
}

#[component]
fn AddressSections(summary: AddressSummary, error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let current = match summary.current {
        Some(address) => view! { <Declared address/> }.into_any(),
        None => view! { <p>{m.address_none.as_str()}</p> }.into_any(),
    };
    let earlier = (!summary.earlier.is_empty()).then(|| {
        let items = summary
            .earlier
            .into_iter()
            .map(|address| view! { <li><Declared address/></li> })
            .collect_view();
        view! {
            <details>
                <summary>{m.address_earlier.as_str()}</summary>
                <ul class="plain-list">{items}</ul>
            </details>
        }
    });
    let kind = field_state(&error, "address-kind-residence", "address-hint");
    let care_of = field_state(&error, "care_of", "care-of-hint");
    let street = field_state(&error, "street", "address-hint");
    let postal_code = field_state(&error, "postal_code", "address-hint");
    let city = field_state(&error, "city", "address-hint");
    view! {
        <section aria-labelledby="current-address-title">
            <h2 id="current-address-title">{m.address_current.as_str()}</h2>
            {current}
            {earlier}
        </section>
        <section aria-labelledby="new-address-title">
            <h2 id="new-address-title">{m.address_new.as_str()}</h2>
            <p class="hint" id="address-hint">{m.address_hint.as_str()}</p>
            <form class="stacked-form" method="post" action="/account/address" novalidate>
                <fieldset class="field">
                    <legend>{m.address_kind_legend.as_str()}</legend>
                    {kind.error_view()}
                    <div class="check-field">
                        <input id="address-kind-residence" name="kind" type="radio" value="residence"
                            checked aria-describedby=kind.described_by.clone()/>
                        <label for="address-kind-residence">{m.address_kind_residence.as_str()}</label>
                    </div>
                    <div class="check-field">
                        <input id="address-kind-domiciliation" name="kind" type="radio"
                            value="domiciliation"/>
                        <label for="address-kind-domiciliation">{m.address_kind_domiciliation.as_str()}</label>
                    </div>
                </fieldset>
                <div class="field">
                    <label for="care_of">{m.address_care_of_label.as_str()}</label>
                    <p class="hint" id="care-of-hint">{m.address_care_of_hint.as_str()}</p>
                    {care_of.error_view()}
                    <input id="care_of" name="care_of" type="text" autocomplete="off"
                        aria-describedby=care_of.described_by aria-invalid=care_of.invalid/>
                </div>
                <div class="field">
                    <label for="street">{m.address_street_label.as_str()}</label>
                    {street.error_view()}
                    <input id="street" name="street" type="text" autocomplete="street-address"
                        required aria-describedby=street.described_by aria-invalid=street.invalid/>
                </div>
                <div class="field">
                    <label for="postal_code">{m.address_postal_code_label.as_str()}</label>
                    {postal_code.error_view()}
                    <input id="postal_code" name="postal_code" type="text" inputmode="numeric"
                        autocomplete="postal-code" maxlength="6" required
                        aria-describedby=postal_code.described_by aria-invalid=postal_code.invalid/>
                </div>
                <div class="field">
                    <label for="city">{m.address_city_label.as_str()}</label>
                    {city.error_view()}
                    <input id="city" name="city" type="text" autocomplete="address-level2" required
                        aria-describedby=city.described_by aria-invalid=city.invalid/>
                </div>
                <button class="button primary" type="submit">{m.address_submit.as_str()}</button>
            </form>
        </section>
    }
}

#[component]
fn Declared(address: DeclaredAddress) -> impl IntoView {
    view! {
        <p>
            <strong>{address.kind}</strong><br/>
            // An address keeps its own direction inside a right-to-left page.
            <bdi>{address.text}</bdi><br/>
            <span class="hint">{address.declared}</span>
        </p>
    }
}
