use leptos::prelude::*;

use super::PageTitle;
use crate::{DEEMED_NOTIFIED_AFTER_DAYS, current_locale, i18n::fill};

#[component]
pub fn Landing() -> impl IntoView {
    let m = current_locale().messages();
    let notice = fill(
        &m.landing_notice_text,
        &[("days", DEEMED_NOTIFIED_AFTER_DAYS)],
    );
    view! {
        <PageTitle page=m.nav_home.as_str()/>
        <section class="hero" aria-labelledby="landing-title">
            <h1 id="landing-title">{m.landing_title.as_str()}</h1>
            <p class="lead">{m.landing_intro.as_str()}</p>
            <a class="button primary" href="/sign-in">{m.landing_sign_in.as_str()}</a>
        </section>
        <section class="notice" aria-labelledby="notice-title">
            <h2 id="notice-title">{m.landing_notice_title.as_str()}</h2>
            <p>{notice}</p>
        </section>
        <section aria-labelledby="steps-title">
            <h2 id="steps-title">{m.landing_steps_title.as_str()}</h2>
            <ol class="steps">
                <li>{m.landing_step_activate.as_str()}</li>
                <li>{m.landing_step_contact.as_str()}</li>
                <li>{m.landing_step_read.as_str()}</li>
            </ol>
        </section>
    }
}
