//! `/accessibility`: the accessibility statement the RGAA asks every public site to publish,
//! linked from the footer of every page.

use leptos::prelude::*;

use super::{PageTitle, help::OfficeContactDetails};
use crate::current_locale;

#[component]
pub fn AccessibilityStatement() -> impl IntoView {
    let m = current_locale().messages();
    let sections = [
        (&m.accessibility_tested_title, &m.accessibility_tested_text),
        (&m.accessibility_scope_title, &m.accessibility_scope_text),
        (&m.accessibility_limits_title, &m.accessibility_limits_text),
    ];
    view! {
        <PageTitle page=m.accessibility_title.as_str()/>
        <h1>{m.accessibility_title.as_str()}</h1>
        <p class="lead">{m.accessibility_status.as_str()}</p>
        {sections
            .into_iter()
            .map(|(title, text)| view! {
                <h2>{title.as_str()}</h2>
                <p>{text.as_str()}</p>
            })
            .collect_view()}
        <h2>{m.accessibility_contact_title.as_str()}</h2>
        <p>{m.accessibility_contact_text.as_str()}</p>
        <OfficeContactDetails/>
        <h2>{m.accessibility_remedy_title.as_str()}</h2>
        <p>{m.accessibility_remedy_text.as_str()}</p>
        <p class="hint">{m.accessibility_date.as_str()}</p>
    }
}
