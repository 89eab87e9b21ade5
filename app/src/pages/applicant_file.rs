//! Staff: one applicant's file. Every document with when it was made available, first opened
//! and notified (and by which rule), who posted it; and the form to post more. Staff find it by
//! number through a form (`POST /staff/find`); its address names the applicant by id only
//! (`/staff/applicants/{id}`). The server function checks the session.

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::PageTitle;
use super::form_feedback::{
    ErrorSummary, FormError, FormPageTitle, SuccessNotice, field_state, query_error, query_value,
    typed,
};
use crate::{
    current_locale,
    documents::{ApplicantFile, staff_applicant_file},
    i18n::{Messages, fill},
};

fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    let message = match code {
        // Shown again beside the field it concerns.
        Code::Outcome => {
            return Some(FormError::field(
                "decision_outcome",
                &m.upload_error_outcome,
            ));
        }
        Code::Appointment => {
            return Some(FormError::field(
                "appointment_at",
                &m.upload_error_appointment,
            ));
        }
        Code::Place => return Some(FormError::field("appointment_place", &m.upload_error_place)),
        Code::Unavailable => &m.upload_error_unavailable,
        Code::Forbidden => &m.upload_error_forbidden,
        Code::NotFound => &m.upload_error_not_found,
        Code::Confirm => {
            return Some(FormError::field(
                "closure-confirm",
                &m.staff_closure_confirm_error,
            ));
        }
        _ => return Some(FormError::page(&refusal_text(code, m))),
    };
    Some(FormError::page(message))
}

#[component]
pub fn ApplicantFilePage() -> impl IntoView {
    let m = current_locale().messages();
    let id = leptos_router::hooks::use_params_map().with_untracked(|params| params.get("id"));
    let id = id.unwrap_or_default();
    view! {
        <PageTitle page=m.staff_find_title.as_str()/>
        <FindApplicant/>
        <Suspense fallback=|| ()>
            {move || {
                let id = id.clone();
                Suspend::new(async move {
                match staff_applicant_file(id).await {
                    Ok(Some(file)) => view! { <FileSections file/> }.into_any(),
                    // No file to title the page: the search is what the page is about.
                    Ok(None) => view! {
                        <h1>{m.staff_find_title.as_str()}</h1>
                        <p role="alert">{m.staff_find_not_found.as_str()}</p>
                    }.into_any(),
                    Err(_) => view! {
                        <h1>{m.staff_find_title.as_str()}</h1>
                        <p role="alert">{m.account_unavailable.as_str()}</p>
                    }.into_any(),
                }
            })}}
        </Suspense>
    }
}

/// `/staff/find`: the search alone, where a number that matches no one comes back.
#[component]
pub fn FindApplicantPage() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| {
        Some(match code {
            Code::UnknownApplicant | Code::NotFound => {
                FormError::field("number", &m.staff_find_not_found)
            }
            Code::Missing => FormError::field("number", &refusal_text(code, m)),
            _ => FormError::page(&refusal_text(code, m)),
        })
    });
    view! {
        <FormPageTitle page=m.staff_find_title.as_str() has_error=error.is_some()/>
        <h1>{m.staff_find_title.as_str()}</h1>
        <ErrorSummary title=m.staff_find_title.as_str() error=error.clone()/>
        <FindForm error/>
    }
}

/// The search as a section of another page (the staff home, an applicant's file).
#[component]
pub fn FindApplicant() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <section aria-labelledby="find-title">
            <h2 id="find-title">{m.staff_find_title.as_str()}</h2>
            <FindForm error=None/>
        </section>
    }
}

/// Posted, not a GET form: the number stays out of addresses, so out of proxy logs and
/// browser history. Works without script.
#[component]
fn FindForm(error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let field = field_state(&error, "number", "find-hint");
    view! {
        <form class="stacked-form" method="post" action="/staff/find">
            <div class="field">
                <label for="number">{m.staff_find_label.as_str()}</label>
                {field.error_view()}
                <input id="number" name="number" type="text" autocomplete="off" required
                    spellcheck="false" value=typed("number")
                    aria-describedby=field.error.is_some().then(|| field.error_id.clone())
                    aria-invalid=field.invalid/>
            </div>
            <button class="button secondary" type="submit">{m.staff_find_submit.as_str()}</button>
        </form>
    }
}

#[component]
fn FileSections(file: ApplicantFile) -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m)).map(|error| FormError {
        message: fill(
            &error.message,
            &[("size", &file.max_document_megabytes.to_string())],
        ),
        ..error
    });
    let published = query_value("published").filter(|count| count != "0");
    let changed = if query_value("replaced").is_some() {
        Some(m.staff_replaced_done.clone())
    } else if let Some(closure) = query_value("closure") {
        Some(if closure == "closed" {
            m.staff_closure_closed_done.clone()
        } else {
            m.staff_closure_reopened_done.clone()
        })
    } else {
        query_value("withdrawn").map(|_| m.staff_withdrawn_done.clone())
    };
    // The closure form's own error sits beside it; the summary above still links to it.
    let closure_error = error
        .clone()
        .filter(|_| query_value("form").as_deref() == Some("closure"));
    let title = crate::i18n::fill_name(current_locale(), &m.staff_documents_title, &file.name);
    let may_withdraw = file.may_withdraw;
    // Said at the top too: right after posting, this is what the agent must act on.
    let risks: Vec<String> = file
        .documents
        .iter()
        .filter_map(|document| document.interview_risk.clone())
        .collect();
    let rows = file
        .documents
        .into_iter()
        .map(|document| {
            let withdrawable = may_withdraw && document.withdrawn.is_none();
            let id = document.id.clone();
            view! {
                <tr>
                    <td>
                        <a rel="external" href=format!("/staff/documents/{}", document.id)>{document.title}</a>
                        <br/><span class="hint">{document.kind_name}</span>
                        {document.facts.map(|text| view! { <br/><span>{text}</span> })}
                        {document.replaces.map(|text| view! { <br/><span class="hint">{text}</span> })}
                        {document.withdrawn.map(|text| view! { <br/><span class="notice">{text}</span> })}
                        {document.withdrawal_reason.map(|text| view! { <br/><span class="hint">{text}</span> })}
                        {document.acknowledged.then(|| view! {
                            <br/><a rel="external" href=format!("/staff/documents/{id}/acknowledgement")>
                                {m.staff_acknowledgement_link.as_str()}
                            </a>
                        })}
                        {withdrawable.then(|| view! { <WithdrawalForm document_id=document.id.clone()/> }.into_any())}
                    </td>
                    <td>{document.made_available}</td>
                    <td>{document.first_opened}</td>
                    <td>
                        {document.notification}
                        {document.interview_risk.map(|text| view! { <br/><strong class="notice important">{text}</strong> })}
                    </td>
                    <td>{document.uploaded_by}</td>
                </tr>
            }
            // Erased: the row's full type is too deep for the compiler's layout queries.
            .into_any()
        })
        .collect_view();
    let empty = rows.is_empty();
    view! {
        <h1>{title}</h1>
        <ErrorSummary title=m.staff_upload_title.as_str() error=error.clone()/>
        {published.map(|count| view! {
            <SuccessNotice text=fill(&m.staff_upload_done, &[("count", &count)])/>
        })}
        {changed.map(|text| view! { <SuccessNotice text/> })}
        {risks.into_iter().map(|text| view! { <p class="notice important" role="alert">{text}</p> }).collect_view()}
        {(!file.electronic_notification).then(|| view! { <p class="notice">{m.staff_documents_paper.as_str()}</p> })}
        {file.closure.clone().map(|text| view! { <p class="notice important">{text}</p> })}
        {view! { <ReachingThePerson contacts=file.contacts.clone() addresses=file.addresses.clone()/> }.into_any()}
        {if empty {
            view! { <p>{m.staff_documents_empty.as_str()}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table>
                        <thead><tr>
                            <th scope="col">{m.staff_col_document.as_str()}</th>
                            <th scope="col">{m.staff_col_made_available.as_str()}</th>
                            <th scope="col">{m.staff_col_first_opened.as_str()}</th>
                            <th scope="col">{m.staff_col_notification.as_str()}</th>
                            <th scope="col">{m.staff_col_uploaded_by.as_str()}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <NotificationList notifications=file.notifications/>
        {file.may_push.then(|| view! {
            <UploadForm applicant_id=file.applicant_id.clone() max_megabytes=file.max_document_megabytes error/>
        }.into_any())}
        {file.may_close.then(|| view! {
            <ClosureSection applicant_id=file.applicant_id.clone() closed=file.closure.is_some() error=closure_error/>
        })}
    }
}

/// Supervisors: the applicant's data for an access request, and closing the file (the account
/// stays readable until the retention policy erases it) or reopening it.
#[component]
fn ClosureSection(applicant_id: String, closed: bool, error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let confirm = field_state(&error, "closure-confirm", "closure-hint");
    view! {
        <section aria-labelledby="closure-title">
            <h2 id="closure-title">{m.staff_closure_title.as_str()}</h2>
            <p><a rel="external" href=format!("/staff/applicants/{applicant_id}/data-export") download>
                {m.staff_data_export_link.as_str()}
            </a></p>
            <form class="stacked-form" method="post" action=format!("/staff/applicants/{applicant_id}/closure")>
                {if closed {
                    view! {
                        <input type="hidden" name="action" value="reopen"/>
                        <button class="button secondary" type="submit">{m.staff_closure_reopen.as_str()}</button>
                    }.into_any()
                } else {
                    view! {
                        <input type="hidden" name="action" value="close"/>
                        <p class="hint" id="closure-hint">{m.staff_closure_hint.as_str()}</p>
                        {confirm.error_view()}
                        <div class="check-field">
                            <input id="closure-confirm" name="confirm" type="checkbox" value="yes" required
                                aria-describedby=confirm.described_by.clone() aria-invalid=confirm.invalid/>
                            <label for="closure-confirm">{m.staff_closure_confirm_label.as_str()}</label>
                        </div>
                        <button class="button secondary" type="submit">{m.staff_closure_close.as_str()}</button>
                    }.into_any()
                }}
            </form>
        </section>
    }
}

/// Each notification of the applicant and where its delivery stands.
#[component]
fn NotificationList(notifications: Vec<crate::documents::StaffNotificationEntry>) -> impl IntoView {
    let m = current_locale().messages();
    let empty = notifications.is_empty();
    let rows = notifications
        .into_iter()
        .map(|entry| {
            let class = if entry.failed { "notice important" } else { "" };
            view! {
                <tr>
                    <td>{entry.document_title}<br/><span class="hint">{entry.message}</span></td>
                    <td>{entry.channel}</td>
                    <td class=class>{entry.delivery}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="notifications-title">
            <h2 id="notifications-title">{m.staff_notifications_title.as_str()}</h2>
            {if empty {
                view! { <p>{m.staff_notifications_empty.as_str()}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table>
                            <thead><tr>
                                <th scope="col">{m.staff_col_notification_for.as_str()}</th>
                                <th scope="col">{m.staff_col_channel.as_str()}</th>
                                <th scope="col">{m.staff_col_delivery.as_str()}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// Withdraw a document, or replace it when a file is chosen (supervisors). The reason comes
/// before the file in the form, so the server knows it before the file streams in.
#[component]
fn WithdrawalForm(document_id: String) -> impl IntoView {
    let m = current_locale().messages();
    let reason = format!("reason-{document_id}");
    let title = format!("replacement-title-{document_id}");
    let file = format!("replacement-{document_id}");
    // Sent back refused: open, with the reason and title as typed.
    let mine = typed("withdrawal_of").as_deref() == Some(document_id.as_str());
    let kept = move |field: &str| mine.then(|| typed(field)).flatten();
    view! {
        <details class="withdrawal" open=mine>
            <summary>{m.staff_withdraw_summary.as_str()}</summary>
            <form class="stacked-form" method="post" enctype="multipart/form-data"
                action=format!("/staff/documents/{document_id}/withdrawal")>
                <p class="hint">{m.staff_withdraw_hint.as_str()}</p>
                <div class="field">
                    <label for=reason.clone()>{m.staff_withdraw_reason_label.as_str()}</label>
                    <textarea id=reason name="reason" required maxlength="500" rows="2">{kept("reason")}</textarea>
                </div>
                <div class="field">
                    <label for=title.clone()>{m.staff_withdraw_title_label.as_str()}</label>
                    <input id=title name="title" type="text" maxlength="200" autocomplete="off"
                        value=kept("title")/>
                </div>
                <div class="field">
                    <label for=file.clone()>{m.staff_withdraw_file_label.as_str()}</label>
                    <input id=file name="file" type="file" accept="application/pdf,.pdf"/>
                </div>
                <button class="button secondary" type="submit">{m.staff_withdraw_submit.as_str()}</button>
            </form>
        </details>
    }
}

/// Several files at once; the file input takes files dropped on it.
#[component]
fn UploadForm(applicant_id: String, max_megabytes: u64, error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let kinds = server_kinds();
    let outcome = field_state(&error, "decision_outcome", "facts-hint");
    let appointment = field_state(&error, "appointment_at", "facts-hint");
    let place = field_state(&error, "appointment_place", "facts-hint");
    // A refused withdrawal sends its own fields back; they are not this form's.
    let kept = |field: &str| {
        typed("withdrawal_of")
            .is_none()
            .then(|| typed(field))
            .flatten()
    };
    let (kind, chosen_outcome) = (kept("kind"), kept("decision_outcome"));
    view! {
        <section aria-labelledby="upload-title">
            <h2 id="upload-title">{m.staff_upload_title.as_str()}</h2>
            <form class="stacked-form" method="post" enctype="multipart/form-data"
                action=format!("/staff/applicants/{applicant_id}/documents")>
                <div class="field">
                    <label for="kind">{m.staff_upload_kind_label.as_str()}</label>
                    <select id="kind" name="kind" required>
                        {kinds.into_iter().map(|code| {
                            let selected = kind.as_deref() == Some(code);
                            view! {
                                <option value=code selected=selected>{m.document_kind_name(code).to_owned()}</option>
                            }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="title">{m.staff_upload_title_label.as_str()}</label>
                    <input id="title" name="title" type="text" maxlength="200" autocomplete="off"
                        value=kept("title")/>
                </div>
                // What the notice says, which the applicant reads in their language in the
                // inbox: the PDF is never the only way to learn it.
                <fieldset class="field-group">
                    <legend>{m.staff_upload_facts_legend.as_str()}</legend>
                    <p class="hint" id="facts-hint">{m.staff_upload_facts_hint.as_str()}</p>
                    <div class="field">
                        <label for="decision_outcome">{m.staff_upload_outcome_label.as_str()}</label>
                        {outcome.error_view()}
                        <select id="decision_outcome" name="decision_outcome"
                            aria-describedby=outcome.described_by.clone() aria-invalid=outcome.invalid>
                            <option value="">{m.staff_upload_outcome_none.as_str()}</option>
                            {DECISION_OUTCOMES.into_iter().map(|code| {
                                let selected = chosen_outcome.as_deref() == Some(code);
                                view! {
                                    <option value=code selected=selected>{m.decision_outcome_name(code).to_owned()}</option>
                                }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="appointment_at">{m.staff_upload_appointment_label.as_str()}</label>
                        {appointment.error_view()}
                        <input id="appointment_at" name="appointment_at" type="datetime-local"
                            value=kept("appointment_at") aria-describedby=appointment.described_by.clone() aria-invalid=appointment.invalid/>
                    </div>
                    <div class="field">
                        <label for="appointment_place">{m.staff_upload_place_label.as_str()}</label>
                        {place.error_view()}
                        <input id="appointment_place" name="appointment_place" type="text" maxlength="200"
                            autocomplete="off" value=kept("appointment_place") aria-describedby=place.described_by.clone() aria-invalid=place.invalid/>
                    </div>
                </fieldset>
                <div class="field drop-zone">
                    <label for="files">{m.staff_upload_files_label.as_str()}</label>
                    <p class="hint" id="files-hint">
                        {fill(&m.staff_upload_files_hint, &[("size", &max_megabytes.to_string())])}
                    </p>
                    <input id="files" name="files" type="file" accept="application/pdf,.pdf"
                        multiple required aria-describedby="files-hint"/>
                </div>
                <button class="button primary" type="submit">{m.staff_upload_submit.as_str()}</button>
            </form>
        </section>
    }
}

/// The outcomes of a decision, in the order of `server::documents::notice_facts` (a test in
/// `document_texts` keeps the two equal).
pub(crate) const DECISION_OUTCOMES: [&str; 6] = [
    "refugee_status",
    "subsidiary_protection",
    "statelessness",
    "rejection",
    "inadmissibility",
    "closure",
];

/// The kinds staff may post, in the order of `server::documents::kind` (the account notice is
/// made by the portal itself).
fn server_kinds() -> [&'static str; 9] {
    [
        "registration_letter",
        "interview_summons",
        "interview_cancellation",
        "medical_certificate_request",
        "procedure_change",
        "interview_transcript",
        "decision",
        "renotification",
        "other",
    ]
}

/// How to reach the person: contact points, then the postal address and its history.
#[component]
fn ReachingThePerson(
    contacts: Vec<String>,
    addresses: Vec<crate::account::DeclaredAddress>,
) -> impl IntoView {
    let m = current_locale().messages();
    let addresses = if addresses.is_empty() {
        view! { <p>{m.staff_address_none.as_str()}</p> }.into_any()
    } else {
        let items = addresses
            .into_iter()
            .enumerate()
            .map(|(index, address)| {
                let class = if index == 0 { "" } else { "hint" };
                view! {
                    <li class=class>
                        <strong>{address.kind}</strong>" · "<bdi>{address.text}</bdi>
                        " · "{address.declared}
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="plain-list">{items}</ol> }.into_any()
    };
    view! {
        <section aria-labelledby="reach-title">
            <h2 id="reach-title">{m.staff_reach_title.as_str()}</h2>
            <ul class="plain-list">
                {contacts.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
            <h3>{m.staff_address_history.as_str()}</h3>
            {addresses}
        </section>
    }
}
