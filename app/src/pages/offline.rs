//! `/offline`: what the service worker shows when a page cannot load. The one page it keeps,
//! so it holds nothing personal.

use leptos::prelude::*;

use super::PageTitle;
use crate::current_locale;

#[component]
pub fn Offline() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <PageTitle page=m.offline_title.as_str()/>
        <h1>{m.offline_title.as_str()}</h1>
        <p class="lead">{m.offline_text.as_str()}</p>
        <p><a class="button primary" href="/account">{m.offline_retry.as_str()}</a></p>
    }
}
