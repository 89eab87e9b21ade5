//! What every page shares: skip link, header with the language switcher and the navigation (the
//! applicant's own, with the unread badge and sign-out, inside `/account`), footer.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    current_locale,
    i18n::{Locale, fill},
    notification_centre::unread_notice_count,
};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let m = current_locale().messages();
    let pathname = use_location().pathname;
    let in_account =
        move || pathname.with(|path| path == "/account" || path.starts_with("/account/"));
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
            {move || if in_account() {
                view! { <ApplicantNav/> }.into_any()
            } else {
                view! {
                    <nav class="wrap main-nav" aria-label=m.main_navigation_label.as_str()>
                        <a href="/">{m.nav_home.as_str()}</a>
                        <a href="/activate">{m.nav_activate.as_str()}</a>
                        <a href="/sign-in">{m.nav_sign_in.as_str()}</a>
                    </nav>
                }.into_any()
            }}
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

/// The applicant's navigation: documents, notifications with the unread count, contact
/// details, and sign-out, on every page of the applicant's space.
#[component]
fn ApplicantNav() -> impl IntoView {
    let m = current_locale().messages();
    let pathname = use_location().pathname;
    let current =
        move |path: &'static str| move || pathname.with(|here| here == path).then_some("page");
    let unread = Resource::new_blocking(|| (), |_| unread_notice_count());
    view! {
        <nav class="wrap main-nav" aria-label=m.applicant_navigation_label.as_str()>
            <a href="/account" aria-current=current("/account")>{m.nav_documents.as_str()}</a>
            <a href="/account/notifications" aria-current=current("/account/notifications")>
                {m.nav_notifications.as_str()}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let count = unread.await.unwrap_or(0);
                        (count > 0).then(|| {
                            let spoken = fill(&m.notifications_unread_count, &[("count", &count.to_string())]);
                            view! {
                                " "
                                <span class="count-badge" aria-hidden="true">{count}</span>
                                <span class="visually-hidden">{format!(" ({spoken})")}</span>
                            }
                        })
                    })}
                </Suspense>
            </a>
            <a href="/account/contact" aria-current=current("/account/contact")>{m.nav_contact.as_str()}</a>
            <form class="nav-sign-out" method="post" action="/sign-out">
                <button class="link-button" type="submit">{m.sign_out.as_str()}</button>
            </form>
        </nav>
    }
}
