//! What every page shares: skip link, header with the language switcher, footer.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{current_locale, i18n::Locale};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <a class="skip-link" href="#main">{m.skip_to_content.as_str()}</a>
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span>{m.site_name.as_str()}</span>
                </a>
                <LanguageSwitcher/>
            </div>
            <nav class="wrap main-nav" aria-label=m.main_navigation_label.as_str()>
                <a href="/">{m.nav_home.as_str()}</a>
                <a href="/activate">{m.nav_activate.as_str()}</a>
                <a href="/sign-in">{m.nav_sign_in.as_str()}</a>
            </nav>
        </header>
        <main id="main" class="wrap" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <div class="wrap">
                <p>{m.footer_privacy.as_str()}</p>
                <p>{m.office_name.as_str()}</p>
            </div>
        </footer>
    }
}

/// A plain form posting to `/language`: it works without JavaScript, and the server answers with
/// a redirect back to the same page in the chosen language.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let current = current_locale();
    let m = current.messages();
    // Follows client-side navigation, so the switch returns to the page being read.
    let pathname = use_location().pathname;
    view! {
        <form class="language-switcher" method="post" action="/language">
            <input type="hidden" name="return_to" value=move || pathname.get()/>
            <fieldset>
                <legend>{m.language_switcher_label.as_str()}</legend>
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        let is_current = locale == current;
                        view! {
                            <button
                                type="submit"
                                name="lang"
                                value=locale.code()
                                lang=locale.code()
                                aria-current=is_current.then_some("true")
                            >
                                {locale.native_name()}
                            </button>
                        }
                    })
                    .collect_view()}
            </fieldset>
        </form>
    }
}
