//! The Leptos user interface of Espace usager: shell, layout and pages. Rendered on the server,
//! hydrated in the browser; every page works before (and without) the WebAssembly.

pub mod account;
pub mod api_key_admin;
pub mod at_risk;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod document_texts;
pub mod documents;
pub mod i18n;
mod layout;
pub mod notification_centre;
mod pages;
#[cfg(feature = "ssr")]
mod server_context;
mod session_warning;
pub mod staff;

use leptos::prelude::*;
#[cfg(not(feature = "hydrate"))]
use leptos_meta::MetaTags;
use leptos_meta::{Stylesheet, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use i18n::Locale;

/// How long a one-time code works, as the pages say it (the server's `CODE_LIFETIME`; a test
/// on the server side keeps the two equal).
pub const CODE_LIFETIME_MINUTES: &str = "10";

/// Days after which a document no one opened counts as notified (CESEDA art. R. 531-17), as the
/// pages say it (the server's `DEEMED_NOTIFIED_AFTER_DAYS`; a test keeps the two equal).
pub const DEEMED_NOTIFIED_AFTER_DAYS: &str = "15";

/// The shortest password, as the pages say it (the server's `password_policy::MIN_CHARACTERS`).
pub const MIN_PASSWORD_CHARACTERS: &str = "8";

/// The HTML document around the app; rendered on the server only.
#[cfg(not(feature = "hydrate"))]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = current_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() dir=locale.direction()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="theme-color" content="#1f3f9b"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
                <link rel="manifest" href=format!("/manifest.webmanifest?lang={}", locale.code())/>
                // Islands: only `#[island]` components run in the browser, hydrated when it is
                // idle; every page is whole before (and without) them.
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Installs `/sw.js` (app shell cache, push alerts) where the browser supports it: an
/// enhancement, so a refusal changes nothing on the page.
#[cfg(feature = "hydrate")]
pub fn register_service_worker() {
    let navigator = window().navigator();
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let _ = navigator.service_worker().register("/sw.js");
    }
}

/// The page language: provided per request by the server, read back from `<html lang>` in the browser.
pub fn current_locale() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    #[cfg(feature = "hydrate")]
    {
        let from_document = document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Locale::from_code(&code));
        if let Some(locale) = from_document {
            return locale;
        }
    }
    Locale::DEFAULT
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = current_locale();
    provide_context(locale);

    view! {
        <Stylesheet id="leptos" href="/pkg/espace-usager.css"/>
        <Router>
            <layout::Layout>
                <Routes fallback=pages::NotFound>
                    <Route path=StaticSegment("") view=pages::Landing/>
                    <Route path=StaticSegment("sign-in") view=pages::SignIn/>
                    <Route path=(StaticSegment("sign-in"), StaticSegment("code")) view=pages::SignInCode/>
                    <Route path=(StaticSegment("sign-in"), StaticSegment("reset")) view=pages::PasswordReset/>
                    <Route
                        path=(StaticSegment("sign-in"), StaticSegment("reset"), StaticSegment("code"))
                        view=pages::PasswordResetCode
                    />
                    <Route path=StaticSegment("activate") view=pages::Activate/>
                    <Route path=StaticSegment("help") view=pages::Help/>
                    <Route path=StaticSegment("accessibility") view=pages::AccessibilityStatement/>
                    <Route path=StaticSegment("offline") view=pages::Offline/>
                    // Async: the whole page, data included, is in the first response, so it
                    // reads before (and without) the WebAssembly.
                    <Route path=StaticSegment("account") view=pages::Account ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("contact")) view=pages::Contact ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("address")) view=pages::PostalAddressPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("account"), StaticSegment("contact"), StaticSegment("confirm"))
                        view=pages::ContactConfirm
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("confirm-password"))
                        view=pages::ConfirmPassword
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("notifications"))
                        view=pages::Notifications
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("staff") view=pages::StaffHome ssr=SsrMode::Async/>
                    // The file's address names the applicant by an opaque id, never a number.
                    <Route
                        path=(StaticSegment("staff"), StaticSegment("applicants"), ParamSegment("id"))
                        view=pages::ApplicantFilePage
                        ssr=SsrMode::Async
                    />
                    <Route path=(StaticSegment("staff"), StaticSegment("find")) view=pages::FindApplicantPage/>
                    <Route path=(StaticSegment("staff"), StaticSegment("at-risk")) view=pages::AtRiskPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("dashboard")) view=pages::DashboardPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("sign-in")) view=pages::StaffSignIn/>
                    <Route path=(StaticSegment("staff"), StaticSegment("confirm")) view=pages::StaffConfirm/>
                    <Route
                        path=(StaticSegment("staff"), StaticSegment("enrol"))
                        view=pages::StaffEnrol
                        ssr=SsrMode::Async
                    />
                </Routes>
            </layout::Layout>
        </Router>
    }
}
