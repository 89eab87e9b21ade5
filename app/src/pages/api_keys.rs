//! Administrators: the back-office API keys, with the form that creates one (its secret is
//! shown once, on the page the form leads to) and a button to revoke each.

use super::form_feedback::typed_in;
use leptos::prelude::*;

use crate::{
    api_key_admin::{ApiKeyEntry, api_key_overview},
    current_locale,
    i18n::fill,
};

#[component]
pub fn ApiKeySection() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <section aria-labelledby="api-keys-title">
            <h2 id="api-keys-title">{m.staff_api_keys_title.as_str()}</h2>
            <p>{m.staff_api_keys_intro.as_str()}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    api_key_overview().await.ok().map(|overview| {
                        let empty = overview.keys.is_empty();
                        view! {
                            {overview.new_secret.map(|secret| view! {
                                <div class="success-notice" role="status">
                                    <p>{m.staff_api_key_created.as_str()}</p>
                                    <p><code class="secret" id="new-api-key">{secret}</code></p>
                                </div>
                            })}
                            {empty.then(|| view! { <p>{m.staff_api_keys_empty.as_str()}</p> })}
                            <ul class="staff-list">
                                {overview.keys.into_iter().map(|key| view! { <ApiKeyRow key/> }).collect_view()}
                            </ul>
                        }
                    })
                })}
            </Suspense>
            <CreateApiKeyForm/>
        </section>
    }
}

#[component]
fn ApiKeyRow(key: ApiKeyEntry) -> impl IntoView {
    let m = current_locale().messages();
    let revoke_label = fill(&m.staff_api_key_revoke, &[("name", &key.name)]);
    view! {
        <li>
            <p><strong>{key.name.clone()}</strong>" – "{key.state}</p>
            <p class="hint">{key.scopes.join(" · ")}</p>
            {(!key.revoked).then(|| view! {
                <form class="inline-form" method="post" action="/staff/api-keys/revoke">
                    <input type="hidden" name="key_id" value=key.id.clone()/>
                    <button class="button secondary" type="submit">{revoke_label}</button>
                </form>
            })}
        </li>
    }
}

#[component]
fn CreateApiKeyForm() -> impl IntoView {
    let m = current_locale().messages();
    let scopes = [
        (
            "applicants_write",
            m.staff_api_scope_applicants_write.as_str(),
        ),
        (
            "documents_write",
            m.staff_api_scope_documents_write.as_str(),
        ),
        ("documents_read", m.staff_api_scope_documents_read.as_str()),
        (
            "applicants_read",
            m.staff_api_scope_applicants_read.as_str(),
        ),
    ];
    view! {
        <form class="stacked-form" method="post" action="/staff/api-keys">
            <div class="field">
                <label for="api_key_name">{m.staff_api_key_name_label.as_str()}</label>
                <input id="api_key_name" name="name" type="text" maxlength="100" required
                    autocomplete="off" value=typed_in("api_key", "name")/>
            </div>
            <fieldset class="field">
                <legend>{m.staff_api_key_scopes_legend.as_str()}</legend>
                {scopes.into_iter().map(|(name, label)| {
                    let id = format!("scope_{name}");
                    view! {
                        <div class="checkbox">
                            <input type="checkbox" id=id.clone() name=name value="on"
                                checked=typed_in("api_key", name).is_some()/>
                            <label for=id>{label}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <button class="button primary" type="submit">{m.staff_api_key_create.as_str()}</button>
        </form>
    }
}
