//! Espace usager: the browser entry point (`hydrate`, built to WebAssembly) and, on the server,
//! the assembly of the HTTP application (`startup`).

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
mod app_state;
#[cfg(feature = "ssr")]
mod back_office_api;
#[cfg(feature = "ssr")]
pub mod background_jobs;
#[cfg(feature = "ssr")]
mod documents;
#[cfg(feature = "ssr")]
pub mod generated_population;
#[cfg(feature = "ssr")]
pub mod notifications;
#[cfg(feature = "ssr")]
mod refused_forms;
#[cfg(feature = "ssr")]
mod retention;
#[cfg(feature = "ssr")]
pub mod session_layer;
#[cfg(feature = "ssr")]
mod staff;
#[cfg(feature = "ssr")]
pub mod startup;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands mode: the page stays as the server rendered it; Leptos' script then hydrates each
    // `#[island]` (the idle warning), which brings its words with it.
    leptos::mount::hydrate_islands();
    app::register_service_worker();
    // Lets the browser tests tell that the WebAssembly loaded under the Content-Security-Policy.
    if let Some(html) = leptos::prelude::document().document_element() {
        let _ = html.set_attribute("data-hydrated", "true");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    /// The pages state these figures as text; the rules live in the server crate.
    #[test]
    fn the_pages_state_the_server_s_figures() {
        use server::documents::legal_notification::DEEMED_NOTIFIED_AFTER_DAYS;
        assert_eq!(
            app::DEEMED_NOTIFIED_AFTER_DAYS,
            DEEMED_NOTIFIED_AFTER_DAYS.to_string()
        );
        assert_eq!(
            app::MIN_PASSWORD_CHARACTERS,
            server::accounts::password_policy::MIN_CHARACTERS.to_string()
        );
        assert_eq!(
            app::CODE_LIFETIME_MINUTES,
            server::accounts::one_time_code::CODE_LIFETIME
                .num_minutes()
                .to_string()
        );
    }
}
