//! One module per page.

mod activate;
mod landing;
mod not_found;
mod sign_in;

pub use activate::{Activate, ActivationDone};
pub use landing::Landing;
pub use not_found::NotFound;
pub use sign_in::SignIn;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{current_locale, i18n::fill};

/// The `<title>` of a page: "<page> – Espace usager".
#[component]
fn PageTitle(#[prop(into)] page: String) -> impl IntoView {
    let m = current_locale().messages();
    view! { <Title text=fill(&m.page_title, &[("page", &page)])/> }
}
