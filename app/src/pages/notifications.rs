//! The notification centre: the applicant's notices, newest first, the unread ones marked, each
//! with its document and a "mark as read" button, and one to mark them all. Plain forms and
//! links: it works without the WebAssembly.

use leptos::prelude::*;

use super::PageTitle;
use super::form_feedback::{SuccessNotice, query_value};
use crate::{
    current_locale,
    notification_centre::{NoticeEntry, my_notices},
};

#[component]
pub fn Notifications() -> impl IntoView {
    let m = current_locale().messages();
    let marked = query_value("read").is_some();
    view! {
        <PageTitle page=m.notifications_title.as_str()/>
        {marked.then(|| view! { <SuccessNotice text=m.notices_marked_read.as_str()/> })}
        <h1>{m.notifications_title.as_str()}</h1>
        <p class="lead">{m.notifications_intro.as_str()}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match my_notices().await {
                    Ok(entries) if entries.is_empty() => {
                        view! { <p>{m.notifications_empty.as_str()}</p> }.into_any()
                    }
                    Ok(entries) => {
                        let any_unread = entries.iter().any(|entry| entry.unread);
                        view! {
                            {any_unread.then(|| view! {
                                <form method="post" action="/account/notifications/read">
                                    <button class="button secondary" type="submit">
                                        {m.notices_mark_all_read.as_str()}
                                    </button>
                                </form>
                            })}
                            <ul class="notices">
                                {entries.into_iter().map(|entry| view! { <NoticeItem entry/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NoticeItem(entry: NoticeEntry) -> impl IntoView {
    let m = current_locale().messages();
    let class = if entry.unread {
        "notice-item unread"
    } else {
        "notice-item"
    };
    view! {
        <li class=class>
            <p class="notice-text">
                {entry.unread.then(|| view! { <strong class="badge">{m.inbox_unread.as_str()}</strong> " " })}
                {entry.text}
            </p>
            <p class="hint">{entry.received}</p>
            <div class="notice-actions">
                {entry.document_href.map(|href| view! {
                    // rel="external": a file from the server, not a page of the client-side router.
                    <a rel="external" href=href>{m.notice_open_document.as_str()}</a>
                })}
                {entry.unread.then(|| view! {
                    <form method="post" action="/account/notifications/read">
                        <input type="hidden" name="notice" value=entry.id.clone()/>
                        <button class="link-button" type="submit">{m.notice_mark_read.as_str()}</button>
                    </form>
                })}
            </div>
        </li>
    }
}
