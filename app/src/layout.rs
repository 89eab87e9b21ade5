//! What every page shares: skip link, header with the language switcher and the navigation (the
//! applicant's own, with the unread badge and sign-out, whenever an applicant is signed in; the
//! staff's own on the staff side once signed in), footer.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    current_locale,
    i18n::{Locale, fill},
    notification_centre::applicant_status,
    session_warning::SessionTimeoutWarning,
};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let m = current_locale().messages();
    let pathname = use_location().pathname;
    let in_account =
        move || pathname.with(|path| path == "/account" || path.starts_with("/account/"));
    // The staff side has its own sign-in and sign-out, and `/offline` is the cached app shell,
    // the same for everyone; any other page may be read by a signed-in applicant, who must find
    // sign-out there too (a shared phone).
    let public_only = move || {
        pathname.with(|path| path == "/staff" || path.starts_with("/staff/") || path == "/offline")
    };
    let signed_in = signed_in_as(Subject::Applicant);
    let staff_signed_in = signed_in_as(Subject::Staff);
    let on_staff_side =
        move || pathname.with(|path| path == "/staff" || path.starts_with("/staff/"));
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
            {move || if in_account() || (signed_in && !public_only()) {
                view! { <ApplicantNav/> }.into_any()
            } else if staff_signed_in && on_staff_side() {
                view! { <StaffNav/> }.into_any()
            } else {
                view! { <PublicNav/> }.into_any()
            }}
        </header>
        <main id="main" class="wrap" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <div class="wrap">
                <p>{m.footer_privacy.as_str()}</p>
                // `role="list"`: Safari drops the role of an unstyled list.
                <ul class="footer-links" role="list">
                    <li><a href="/help">{m.footer_help.as_str()}</a></li>
                    <li><a href="/accessibility">{m.footer_accessibility.as_str()}</a></li>
                </ul>
                <p>{m.office_name.as_str()}</p>
            </div>
        </footer>
    }
}

#[derive(Clone, Copy)]
enum Subject {
    Applicant,
    Staff,
}

/// Whether an applicant (or a member of staff, on the staff side) is signed in for this page,
/// read from the request: known at once, so no page waits for it. Only the server renders
/// pages (islands mode), so the browser build never asks.
fn signed_in_as(subject: Subject) -> bool {
    #[cfg(feature = "ssr")]
    {
        use server::storage::SubjectKind;
        let kind = match subject {
            Subject::Applicant => SubjectKind::Applicant,
            Subject::Staff => SubjectKind::Staff,
        };
        crate::server_context::signed_in_if_any(kind).is_some()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = subject;
        false
    }
}

/// A page's address as forms send it back: the path, and the query if there is one.
fn page_address(path: String, query: String) -> String {
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// A disclosure (`<details>`, no JavaScript needed) holding a plain form posting to `/language`;
/// the server answers with a redirect back to the same page in the chosen language. Each
/// language is named in its own script, and the globe says "languages" to those who read
/// none of the page.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let current = current_locale();
    let m = current.messages();
    // Follows client-side navigation, so the switch returns to the page being read, query
    // included (a shared phone's code page says `shared=1` there).
    let location = use_location();
    let return_to = move || page_address(location.pathname.get(), location.search.get());
    view! {
        // Named, and its summary said to be the button it is: a `<summary>` alone is announced
        // as a "disclosure triangle" by some screen readers, and as nothing by others.
        <details class="language-switcher" aria-label=m.language_switcher_label.as_str()>
            <summary role="button">
                <span class="globe" aria-hidden="true"></span>
                <span class="visually-hidden">{m.language_switcher_label.as_str()}" : "</span>
                <span lang=current.code()>{current.native_name()}</span>
            </summary>
            <form method="post" action="/language">
                <input type="hidden" name="return_to" value=return_to/>
                <fieldset>
                    <legend class="visually-hidden">{m.language_switcher_label.as_str()}</legend>
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
                                    dir=locale.direction()
                                    aria-current=is_current.then_some("true")
                                >
                                    {locale.native_name()}
                                </button>
                            }
                        })
                        .collect_view()}
                </fieldset>
            </form>
        </details>
    }
}

/// The staff side's own navigation, sign-out included, once a member of staff is signed in.
#[component]
fn StaffNav() -> impl IntoView {
    let m = current_locale().messages();
    let pathname = use_location().pathname;
    let current =
        move |path: &'static str| move || pathname.with(|here| here == path).then_some("page");
    view! {
        <nav class="wrap main-nav" aria-label=m.staff_navigation_label.as_str()>
            <a href="/staff" aria-current=current("/staff")>{m.staff_home_title.as_str()}</a>
            <a href="/staff/find" aria-current=current("/staff/find")>{m.staff_find_title.as_str()}</a>
            <a href="/staff/at-risk" aria-current=current("/staff/at-risk")>{m.staff_at_risk_title.as_str()}</a>
            <a href="/staff/dashboard" aria-current=current("/staff/dashboard")>{m.staff_dashboard_title.as_str()}</a>
            <form class="nav-sign-out" method="post" action="/staff/sign-out">
                <button class="link-button" type="submit">{m.sign_out.as_str()}</button>
            </form>
        </nav>
    }
}

#[component]
fn PublicNav() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <nav class="wrap main-nav" aria-label=m.main_navigation_label.as_str()>
            <a href="/">{m.nav_home.as_str()}</a>
            <a href="/activate">{m.nav_activate.as_str()}</a>
            <a href="/sign-in">{m.nav_sign_in.as_str()}</a>
            <a href="/help">{m.nav_help.as_str()}</a>
        </nav>
    }
}

/// The applicant's navigation, then the idle warning, on every page an applicant reads signed
/// in. The unread count and the warning wait for the session's status; until then (and for
/// good without JavaScript on a streamed page) the links and sign-out stand without the count.
#[component]
fn ApplicantNav() -> impl IntoView {
    let m = current_locale().messages();
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <ApplicantLinks unread=0/> }>
            {move || Suspend::new(async move {
                let status = applicant_status().await.ok();
                let unread = status.map(|status| status.unread_notices).unwrap_or(0);
                view! {
                    <ApplicantLinks unread/>
                    {status.map(|status| {
                        // "Stay signed in" comes back to this very page, query included.
                        let return_to = page_address(
                            location.pathname.get_untracked(),
                            location.search.get_untracked(),
                        );
                        view! {
                            <div class="wrap">
                                <SessionTimeoutWarning
                                    ends_at=status.idle_ends_at
                                    warning=m.session_warning.clone()
                                    extend=m.session_extend.clone()
                                    return_to
                                />
                            </div>
                        }
                    })}
                }
            })}
        </Suspense>
    }
}

/// Documents, notifications with the unread count, contact details, help and sign-out.
#[component]
fn ApplicantLinks(unread: i64) -> impl IntoView {
    let m = current_locale().messages();
    let pathname = use_location().pathname;
    let current =
        move |path: &'static str| move || pathname.with(|here| here == path).then_some("page");
    let badge = (unread > 0).then(|| {
        let spoken = fill(
            &m.notifications_unread_count,
            &[("count", &unread.to_string())],
        );
        view! {
            " "
            <span class="count-badge" aria-hidden="true">{unread}</span>
            <span class="visually-hidden">{format!(" ({spoken})")}</span>
        }
    });
    view! {
        <nav class="wrap main-nav" aria-label=m.applicant_navigation_label.as_str()>
            <a href="/account" aria-current=current("/account")>{m.nav_documents.as_str()}</a>
            <a href="/account/notifications" aria-current=current("/account/notifications")>
                {m.nav_notifications.as_str()}
                {badge}
            </a>
            <a href="/account/contact" aria-current=current("/account/contact")>{m.nav_contact.as_str()}</a>
            <a href="/help" aria-current=current("/help")>{m.nav_help.as_str()}</a>
            <form class="nav-sign-out" method="post" action="/sign-out">
                <button class="link-button" type="submit">{m.sign_out.as_str()}</button>
            </form>
        </nav>
    }
}
