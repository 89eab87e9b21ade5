use leptos::prelude::*;

use super::PageTitle;
use crate::current_locale;

/// Placeholder until accounts arrive (issue 3): says what will be here and what to keep.
#[component]
pub fn SignIn() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <PageTitle page=m.sign_in_title.as_str()/>
        <h1>{m.sign_in_title.as_str()}</h1>
        <p class="lead">{m.sign_in_intro.as_str()}</p>
        <p>{m.sign_in_help.as_str()}</p>
    }
}
