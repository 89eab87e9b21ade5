//! Espace usager: the browser entry point (`hydrate`, built to WebAssembly) and, on the server,
//! the assembly of the HTTP application (`startup`).

#[cfg(feature = "ssr")]
mod activation_form;
#[cfg(feature = "ssr")]
pub mod startup;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
