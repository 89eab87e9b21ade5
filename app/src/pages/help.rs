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
            <p class="notice">{m.help_contact_never.as_str()}</p>
        </section>
    }
}
