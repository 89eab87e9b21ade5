//! Espace usager: the browser entry point (`hydrate`, built to WebAssembly) and, on the server,
//! the assembly of the HTTP application (`startup`).

#[cfg(feature = "ssr")]
pub mod account_notice;
#[cfg(feature = "ssr")]
mod acknowledgement_pdf;
#[cfg(feature = "ssr")]
mod activation_form;
#[cfg(feature = "ssr")]
mod api_key_forms;
#[cfg(feature = "ssr")]
mod back_office_api;
#[cfg(feature = "ssr")]
pub mod background_jobs;
#[cfg(feature = "ssr")]
mod code_delivery;
#[cfg(feature = "ssr")]
mod contact_form;
#[cfg(feature = "ssr")]
mod document_routes;
#[cfg(feature = "ssr")]
pub mod generated_population;
#[cfg(feature = "ssr")]
mod language_choice;
#[cfg(feature = "ssr")]
mod notice_forms;
#[cfg(feature = "ssr")]
pub mod notification_texts;
#[cfg(feature = "ssr")]
mod password_reset_form;
#[cfg(feature = "ssr")]
mod push_routes;
#[cfg(feature = "ssr")]
mod retention_routes;
#[cfg(feature = "ssr")]
pub mod session_layer;
#[cfg(feature = "ssr")]
mod sign_in_form;
#[cfg(feature = "ssr")]
mod staff_forms;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
mod step_up;

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
            server::password_policy::MIN_CHARACTERS.to_string()
        );
        assert_eq!(
            app::CODE_LIFETIME_MINUTES,
            server::one_time_code::CODE_LIFETIME
                .num_minutes()
                .to_string()
        );
    }
}
