//! `/help`: short answers to what applicants ask most, before and after signing in.

use leptos::prelude::*;

use super::PageTitle;
use crate::{DEEMED_NOTIFIED_AFTER_DAYS, current_locale, i18n::fill};

#[component]
pub fn Help() -> impl IntoView {
    let m = current_locale().messages();
    let notified = fill(
        &m.help_notified_text,
        &[("days", DEEMED_NOTIFIED_AFTER_DAYS)],
    );
    view! {
        <PageTitle page=m.help_title.as_str()/>
        <h1>{m.help_title.as_str()}</h1>
        <p class="lead">{m.help_intro.as_str()}</p>
        <section class="help-topic" aria-labelledby="help-key">
            <h2 id="help-key">{m.help_key_title.as_str()}</h2>
            <p>{m.help_key_text.as_str()}</p>
        </section>
        <section class="help-topic" aria-labelledby="help-password">
            <h2 id="help-password">{m.help_password_title.as_str()}</h2>
            <p>{m.help_password_text.as_str()}</p>
            <p><a href="/sign-in/reset">{m.sign_in_forgot.as_str()}</a></p>
        </section>
        <section class="help-topic" aria-labelledby="help-notified">
            <h2 id="help-notified">{m.help_notified_title.as_str()}</h2>
            <p>{notified}</p>
        </section>
        <section class="help-topic" aria-labelledby="help-deadlines">
            <h2 id="help-deadlines">{m.help_deadlines_title.as_str()}</h2>
            <ul>
                <li>{m.help_deadlines_summons.as_str()}</li>
                <li>{m.help_deadlines_decision.as_str()}</li>
            </ul>
        </section>
        <section class="help-topic" aria-labelledby="help-contact">
            <h2 id="help-contact">{m.help_contact_title.as_str()}</h2>
            <p>{m.help_contact_text.as_str()}</p>
            <OfficeContactDetails/>
            <p class="notice">{m.help_contact_never.as_str()}</p>
        </section>
    }
}

/// The office's address, email and phone as it configured them (`server::notifications::office_contact`); pages
/// render on the server only, so the browser build has none to show.
#[component]
pub(super) fn OfficeContactDetails() -> impl IntoView {
    let m = current_locale().messages();
    let contact = office_contact();
    let address = (!contact.address.is_empty()).then(|| {
        view! {
            <dt>{m.help_contact_address.as_str()}</dt>
            <dd><address>
                {contact.address.iter().map(|line| view! { <span class="address-line">{line.clone()}</span> }).collect_view()}
            </address></dd>
        }
    });
    let email = contact.email.clone().map(|email| {
        view! {
            <dt>{m.help_contact_email.as_str()}</dt>
            <dd><a href=format!("mailto:{email}") dir="ltr">{email.clone()}</a></dd>
        }
    });
    let phone = contact.phone.clone().map(|phone| {
        let link = format!("tel:{}", contact.phone_link.clone().unwrap_or_default());
        view! {
            <dt>{m.help_contact_phone.as_str()}</dt>
            <dd><a href=link dir="ltr">{phone}</a></dd>
        }
    });
    (!contact.is_empty).then(|| view! { <dl class="office-contact">{address}{email}{phone}</dl> })
}

struct OfficeContact {
    address: Vec<String>,
    email: Option<String>,
    phone: Option<String>,
    phone_link: Option<String>,
    is_empty: bool,
}

fn office_contact() -> OfficeContact {
    #[cfg(feature = "ssr")]
    {
        let services = expect_context::<server::Services>();
        let contact = &services.config.office_contact;
        OfficeContact {
            address: contact.address.clone(),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            phone_link: contact.phone_link(),
            is_empty: contact.is_empty(),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        OfficeContact {
            address: Vec::new(),
            email: None,
            phone: None,
            phone_link: None,
            is_empty: true,
        }
    }
}
