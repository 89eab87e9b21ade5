//! The applicant's space: greeting, documents, contact details, and sign-out everywhere. Only
//! reached with a valid session: the server redirects anyone else to sign-in.

use leptos::prelude::*;

use super::PageTitle;
use super::form_feedback::{SuccessNotice, query_value};
use crate::{
    account::{AccountSummary, account_overview},
    current_locale,
    documents::{InboxEntry, my_documents},
    i18n::fill,
};

#[component]
pub fn Account() -> impl IntoView {
    let m = current_locale().messages();
    let confirmed = match query_value("contact").as_deref() {
        Some("confirmed") => Some(m.account_contact_confirmed.as_str()),
        Some("phone") => Some(m.contact_phone_confirmed.as_str()),
        _ => None,
    };
    view! {
        <PageTitle page=m.account_title.as_str()/>
        {confirmed.map(|text| view! { <SuccessNotice text/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match account_overview().await {
                    Ok(overview) => view! { <AccountSections overview/> }.into_any(),
                    Err(_) => view! {
                        <h1>{m.account_title.as_str()}</h1>
                        <p role="alert">{m.account_unavailable.as_str()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountSections(overview: AccountSummary) -> impl IntoView {
    let m = current_locale().messages();
    let greeting = fill(&m.account_greeting, &[("name", &overview.given_names)]);
    let reachable = overview.email.is_some() || overview.phone.is_some();
    let mut contact: Vec<String> = Vec::new();
    if let Some(email) = &overview.email {
        contact.push(fill(&m.account_contact_email, &[("email", email)]));
    }
    if let Some(phone) = &overview.phone {
        contact.push(fill(&m.account_contact_phone, &[("phone", phone)]));
    }
    if contact.is_empty() {
        contact.push(m.account_contact_none.clone());
    }
    let closing = overview
        .erased_on
        .as_ref()
        .map(|date| fill(&m.account_closed_notice, &[("date", date)]));
    view! {
        <h1>{greeting}</h1>
        {closing.map(|text| view! { <p class="notice important" role="note">{text}</p> })}
        <section aria-labelledby="documents-title">
            <h2 id="documents-title">{m.account_documents_title.as_str()}</h2>
            <Inbox/>
        </section>
        <section aria-labelledby="contact-title">
            <h2 id="contact-title">{m.account_contact_title.as_str()}</h2>
            {contact.into_iter().map(|line| view! {
                <p class=if reachable { "" } else { "notice" }>{line}</p>
            }).collect_view()}
            <p>
                <a href="/account/contact">
                    {if reachable { m.account_contact_manage.as_str() } else { m.account_contact_add.as_str() }}
                </a>
            </p>
            <p><a href="/account/address">{m.account_address_link.as_str()}</a></p>
        </section>
        <section aria-labelledby="security-title">
            <h2 id="security-title">{m.account_security_title.as_str()}</h2>
            // Signing out of this phone is in the navigation, on every page.
            <form class="stacked-form" method="post" action="/sign-out/everywhere">
                <p class="hint" id="everywhere-hint">{m.sign_out_everywhere_hint.as_str()}</p>
                <button class="button secondary" type="submit" aria-describedby="everywhere-hint">
                    {m.sign_out_everywhere.as_str()}
                </button>
            </form>
        </section>
        <section aria-labelledby="your-data-title">
            <h2 id="your-data-title">{m.account_data_title.as_str()}</h2>
            <p id="your-data-hint">{m.account_data_hint.as_str()}</p>
            // rel="external": a file from the server, not a page of the client-side router.
            <p><a rel="external" href="/account/data-export" download aria-describedby="your-data-hint">
                {m.account_data_download.as_str()}
            </a></p>
        </section>
    }
}

/// The applicant's documents, newest first: plain links that open the PDF (no script needed).
#[component]
fn Inbox() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match my_documents().await {
                    Ok(entries) if entries.is_empty() => {
                        view! { <p>{m.account_documents_empty.as_str()}</p> }.into_any()
                    }
                    Ok(entries) => view! {
                        <ul class="inbox">
                            {entries.into_iter().map(|entry| view! { <InboxItem entry/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InboxItem(entry: InboxEntry) -> impl IntoView {
    let m = current_locale().messages();
    let class = if entry.unread {
        "inbox-item unread"
    } else {
        "inbox-item"
    };
    let heading = match entry.withdrawn {
        // <bdi>: a title typed in French keeps its direction in a right-to-left page.
        Some(_) => {
            view! { <span class="inbox-title"><bdi>{entry.title.clone()}</bdi></span> }.into_any()
        }
        None => view! {
            // rel="external": a file from the server, not a page of the client-side router.
            <a class="inbox-title" rel="external" href=format!("/account/documents/{}", entry.id)>
                <bdi>{entry.title.clone()}</bdi>
                <span class="visually-hidden">{format!(" ({})", entry.size)}</span>
            </a>
        }
        .into_any(),
    };
    view! {
        <li class=class>
            <span class=format!("pictogram pictogram-{}", entry.pictogram) aria-hidden="true"></span>
            <div class="inbox-body">
                <p class="inbox-kind">
                    {entry.kind_name}
                    {entry.unread.then(|| view! { " " <strong class="badge">{m.inbox_unread.as_str()}</strong> })}
                </p>
                <h3>{heading}</h3>
                <p class="hint">{entry.made_available}{entry.withdrawn.is_none().then(|| format!(" · {}", entry.size))}</p>
                {entry.withdrawn.map(|text| view! { <p class="notice">{text}</p> })}
                {entry.facts.map(|text| view! { <p class="inbox-facts">{text}</p> })}
                {entry.calendar_href.map(|href| view! {
                    // A file, not a page: the phone hands `text/calendar` to its calendar app.
                    <p><a class="calendar-link" rel="external" href=href>
                        {m.inbox_add_to_calendar.as_str()}
                    </a></p>
                })}
                {entry.notice.map(|text| view! { <p class="notice">{text}</p> })}
                {entry.appeal.map(|text| view! { <p class="notice important">{text}</p> })}
            </div>
        </li>
    }
}
