//! Staff: the people who may miss a letter (`/staff/at-risk`). Interviews at risk first, then
//! every notifying letter not yet opened, soonest deemed date first, with how to reach each
//! person and what each message sent so far answered. Filters are a plain GET form; pages
//! follow each other by a keyset link.

use leptos::prelude::*;

use super::PageTitle;
use super::form_feedback::query_value;
use crate::{
    at_risk::{AtRiskRow, AtRiskView, staff_at_risk},
    current_locale,
};

/// The day filters offered, in days left before the deemed date.
const DAY_CHOICES: [i64; 4] = [1, 3, 7, 15];

#[component]
pub fn AtRiskPage() -> impl IntoView {
    let m = current_locale().messages();
    let kind = query_value("kind").filter(|kind| !kind.is_empty());
    let days = query_value("days").and_then(|days| days.parse::<i64>().ok());
    let after = query_value("after");
    view! {
        <PageTitle page=m.staff_at_risk_title.as_str()/>
        <h1>{m.staff_at_risk_title.as_str()}</h1>
        <p class="lead">{m.staff_at_risk_intro.as_str()}</p>
        <Suspense fallback=|| ()>
            {move || {
                let (kind, after) = (kind.clone(), after.clone());
                Suspend::new(async move {
                    match staff_at_risk(kind.clone(), days, after).await {
                        Ok(view) => view! { <AtRiskLists view kind days/> }.into_any(),
                        Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AtRiskLists(view: AtRiskView, kind: Option<String>, days: Option<i64>) -> impl IntoView {
    let m = current_locale().messages();
    let kind_options = view
        .kinds
        .into_iter()
        .map(|(code, name)| {
            let selected = kind.as_deref() == Some(code.as_str());
            view! { <option value=code selected=selected>{name}</option> }
        })
        .collect_view();
    let day_options = DAY_CHOICES
        .into_iter()
        .map(|choice| {
            let label = crate::i18n::fill(&m.staff_at_risk_days_left, &[("days", &choice.to_string())]);
            view! { <option value=choice.to_string() selected=days == Some(choice)>{label}</option> }
        })
        .collect_view();
    let interviews = (!view.interviews.is_empty()).then(|| {
        view! {
            <section aria-labelledby="interviews-title">
                <h2 id="interviews-title">{m.staff_at_risk_interviews_title.as_str()}</h2>
                <AtRiskTable rows=view.interviews caption="interviews-title"/>
            </section>
        }
    });
    let documents = if view.documents.is_empty() {
        view! { <p>{m.staff_at_risk_empty.as_str()}</p> }.into_any()
    } else {
        view! { <AtRiskTable rows=view.documents caption="documents-title"/> }.into_any()
    };
    view! {
        <form class="filter-form" method="get" action="/staff/at-risk">
            <div class="field">
                <label for="at-risk-kind">{m.staff_at_risk_filter_kind.as_str()}</label>
                <select id="at-risk-kind" name="kind">
                    <option value="">{m.staff_at_risk_filter_all_kinds.as_str()}</option>
                    {kind_options}
                </select>
            </div>
            <div class="field">
                <label for="at-risk-days">{m.staff_at_risk_filter_days.as_str()}</label>
                <select id="at-risk-days" name="days">
                    <option value="">{m.staff_at_risk_filter_any.as_str()}</option>
                    {day_options}
                </select>
            </div>
            <button class="button secondary" type="submit">{m.staff_at_risk_filter_submit.as_str()}</button>
        </form>
        {interviews}
        <section aria-labelledby="documents-title">
            <h2 id="documents-title">{m.staff_at_risk_documents_title.as_str()}</h2>
            {documents}
        </section>
        {view.next_href.map(|href| view! {
            <p><a class="button secondary" href=href>{m.staff_at_risk_next.as_str()}</a></p>
        })}
    }
}

#[component]
fn AtRiskTable(rows: Vec<AtRiskRow>, caption: &'static str) -> impl IntoView {
    let m = current_locale().messages();
    let lines = |items: Vec<String>| {
        items
            .into_iter()
            .map(|item| view! { <li>{item}</li> })
            .collect_view()
    };
    let body = rows
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <td>
                        <a href=row.file_href>{row.name}</a>
                        <br/><span class="hint">{row.number}</span>
                    </td>
                    <td>
                        {row.title}
                        <br/><span class="hint">{row.kind_name}</span>
                        {row.interview.map(|text| view! { <br/><span>{text}</span> })}
                        {row.interview_risk.map(|text| view! { <br/><strong class="notice important">{text}</strong> })}
                    </td>
                    <td>{row.made_available}</td>
                    <td>{row.deemed}<br/><strong>{row.days_left}</strong></td>
                    <td><ul class="plain-list">{lines(row.contacts)}</ul></td>
                    <td><ul class="plain-list">{lines(row.deliveries)}</ul></td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table aria-labelledby=caption>
                <thead><tr>
                    <th scope="col">{m.staff_col_applicant.as_str()}</th>
                    <th scope="col">{m.staff_col_document.as_str()}</th>
                    <th scope="col">{m.staff_col_made_available.as_str()}</th>
                    <th scope="col">{m.staff_col_deemed.as_str()}</th>
                    <th scope="col">{m.staff_col_contacts.as_str()}</th>
                    <th scope="col">{m.staff_col_deliveries.as_str()}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
