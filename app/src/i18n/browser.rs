//! The browser side's messages: the page names its locale file in
//! `<link id="page-messages" rel="preload" href="/i18n/<code>.json?v=…">`, fetched in parallel
//! with the WebAssembly and cached by the browser.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Fetches and installs the page's messages. An error leaves the page as the server rendered
/// it: every form and link still works without hydration.
pub async fn load_page_messages() -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let address = window
        .document()
        .and_then(|document| document.get_element_by_id("page-messages"))
        .and_then(|link| link.get_attribute("href"))
        .ok_or("the page names no messages")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&address))
        .await
        .map_err(|_| "messages unreachable")?
        .dyn_into()
        .map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("messages answered {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|_| "no body")?)
        .await
        .map_err(|_| "body unreadable")?
        .as_string()
        .ok_or("body is not text")?;
    super::install(&text).map_err(|error| error.to_string())
}
