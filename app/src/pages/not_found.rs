use leptos::prelude::*;

use super::PageTitle;
use crate::current_locale;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let m = current_locale().messages();
    view! {
        <PageTitle page=m.not_found_title.as_str()/>
        <h1>{m.not_found_title.as_str()}</h1>
        <p>{m.not_found_text.as_str()}</p>
        <p><a href="/">{m.back_home.as_str()}</a></p>
    }
}
