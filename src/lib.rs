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
mod code_delivery;
#[cfg(feature = "ssr")]
mod contact_form;
#[cfg(feature = "ssr")]
mod cookies;
#[cfg(feature = "ssr")]
mod document_routes;
#[cfg(feature = "ssr")]
mod notice_forms;
#[cfg(feature = "ssr")]
pub mod notification_texts;
#[cfg(feature = "ssr")]
mod password_reset_form;
#[cfg(feature = "ssr")]
mod push_routes;
#[cfg(feature = "ssr")]
pub mod session_layer;
#[cfg(feature = "ssr")]
mod sign_in_form;
#[cfg(feature = "ssr")]
mod staff_forms;
#[cfg(feature = "ssr")]
pub mod startup;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
