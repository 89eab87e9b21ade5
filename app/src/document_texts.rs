//! The sentences about a document, in the page's language: when it was made available, what
//! opening it means, when it was notified and by which rule, the appeal deadline.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use server::{
    Services,
    documents::{
        acknowledgement::document_status,
        legal_notification::{
            NotificationRule, NotificationStatus, appeal_deadline, interview_at_risk,
        },
        notice_facts::NoticeFacts,
        office_time::{office_clock, office_date},
    },
    storage::{
        ActorKind, Channel, DeliveryStatus, DocumentRecord, NotificationRecord,
        SKIPPED_ALREADY_OPENED, SKIPPED_CANCELLED, SKIPPED_CHANNEL_OFF, ScanStatus,
    },
};
use uuid::Uuid;

use crate::{
    documents::{InboxEntry, StaffDocumentEntry, StaffNotificationEntry},
    i18n::{Messages, fill},
    notification_centre::NoticeEntry,
};

fn date_and_time(template: &str, time: DateTime<Utc>) -> String {
    fill(
        template,
        &[("date", &office_date(time)), ("time", &office_clock(time))],
    )
}

/// What the notice says, in a sentence of the page's language. The place is as staff wrote it
/// (an address), isolated so that it keeps its own direction inside a right-to-left sentence.
pub fn facts_line(m: &Messages, facts: &NoticeFacts) -> Option<String> {
    if let Some(outcome) = facts.decision_outcome {
        let outcome = m.decision_outcome_name(outcome.code());
        return Some(fill(&m.inbox_decision_outcome, &[("outcome", outcome)]));
    }
    let at = facts.appointment_at?;
    let place = facts.appointment_place.as_deref().unwrap_or_default();
    Some(fill(
        &m.inbox_appointment,
        &[
            ("date", &office_date(at)),
            ("time", &office_clock(at)),
            ("place", &format!("\u{2068}{place}\u{2069}")),
        ],
    ))
}

pub fn inbox_entry(
    m: &Messages,
    document: &DocumentRecord,
    electronic: bool,
    now: DateTime<Utc>,
) -> InboxEntry {
    let info = document.kind.info();
    let made_available = document
        .made_available_at
        .map(|at| date_and_time(&m.inbox_made_available, at))
        .unwrap_or_default();
    let (notice, appeal) = match document_status(document, electronic, now) {
        NotificationStatus::Pending { deemed_on } => (
            Some(fill(
                &m.inbox_pending_notice,
                &[("date", &office_date(deemed_on))],
            )),
            None,
        ),
        NotificationStatus::Notified { at, .. } => (
            Some(fill(&m.inbox_notified, &[("date", &office_date(at))])),
            info.appealable.then(|| {
                fill(
                    &m.inbox_appeal,
                    &[("date", &office_date(appeal_deadline(at)))],
                )
            }),
        ),
        _ => (None, None),
    };
    let kilobytes = (document.size_bytes + 1023) / 1024;
    InboxEntry {
        id: document.id.to_string(),
        kind_name: m.document_kind_name(info.code).to_owned(),
        pictogram: info.pictogram.to_owned(),
        title: document.title.clone(),
        made_available,
        size: fill(&m.inbox_pdf_size, &[("size", &kilobytes.to_string())]),
        unread: document.first_opened_at.is_none() && document.withdrawn_at.is_none(),
        notice: notice.filter(|_| document.withdrawn_at.is_none()),
        appeal: appeal.filter(|_| document.withdrawn_at.is_none()),
        facts: facts_line(m, &document.facts).filter(|_| document.withdrawn_at.is_none()),
        withdrawn: document
            .withdrawn_at
            .map(|at| fill(&m.inbox_withdrawn, &[("date", &office_date(at))])),
        calendar_href: document
            .facts
            .appointment_at
            .filter(|at| *at > now && document.withdrawn_at.is_none())
            .map(|_| format!("/account/documents/{}/calendar.ics", document.id)),
    }
}

/// Who posted the document, by name for staff members (looked up once per page).
pub async fn uploader(
    m: &Messages,
    services: &Services,
    names: &mut HashMap<Uuid, String>,
    document: &DocumentRecord,
) -> String {
    match (document.uploaded_by_kind, document.uploaded_by_id) {
        (ActorKind::Staff, Some(id)) => {
            if let Some(name) = names.get(&id) {
                return name.clone();
            }
            let name = match services.storage.find_staff_member(id).await {
                Ok(Some(member)) => member.display_name,
                _ => String::from("—"),
            };
            names.insert(id, name.clone());
            name
        }
        (ActorKind::ApiKey, _) => m.staff_uploaded_by_api.clone(),
        _ => m.staff_uploaded_by_system.clone(),
    }
}

pub fn staff_entry(
    m: &Messages,
    document: &DocumentRecord,
    electronic: bool,
    now: DateTime<Utc>,
    uploaded_by: String,
    replaced_title: Option<&str>,
) -> StaffDocumentEntry {
    let full = |time: DateTime<Utc>| format!("{} {}", office_date(time), office_clock(time));
    let status = document_status(document, electronic, now);
    let acknowledged = matches!(status, NotificationStatus::Notified { .. });
    let notification = match status {
        NotificationStatus::Notified {
            at,
            rule: NotificationRule::FirstOpening,
        } => date_and_time(&m.staff_rule_first_opening, at),
        NotificationStatus::Notified {
            at,
            rule: NotificationRule::FifteenDaysAfterMadeAvailable,
        } => date_and_time(&m.staff_rule_fifteen_days, at),
        NotificationStatus::Pending { deemed_on } => {
            date_and_time(&m.staff_rule_pending, deemed_on)
        }
        NotificationStatus::WithdrawnBeforeNotification => m.staff_rule_withdrawn.clone(),
        NotificationStatus::NotApplicable => m.staff_rule_not_applicable.clone(),
    };
    let interview_risk = document.facts.appointment_at.and_then(|interview| {
        interview_at_risk(status, Some(interview), now)
            .map(|deemed_on| self::interview_risk(m, interview, deemed_on))
    });
    StaffDocumentEntry {
        interview_risk,
        id: document.id.to_string(),
        kind_name: m.document_kind_name(document.kind.code()).to_owned(),
        title: document.title.clone(),
        facts: facts_line(m, &document.facts),
        made_available: match (document.made_available_at, document.scan_status) {
            (Some(at), _) => full(at),
            (None, ScanStatus::Infected) => m.staff_scan_infected.clone(),
            (None, _) => m.staff_waiting_scan.clone(),
        },
        first_opened: document
            .first_opened_at
            .map(full)
            .unwrap_or_else(|| m.staff_not_opened.clone()),
        notification,
        uploaded_by,
        withdrawn: document
            .withdrawn_at
            .map(|at| fill(&m.inbox_withdrawn, &[("date", &office_date(at))])),
        withdrawal_reason: document
            .withdrawal_reason
            .as_deref()
            .map(|reason| fill(&m.staff_withdrawal_reason, &[("reason", reason)])),
        replaces: replaced_title.map(|title| fill(&m.staff_replaces, &[("title", title)])),
        acknowledged,
    }
}

/// The warning for a summons whose interview may come before the applicant counts as told.
pub fn interview_risk(m: &Messages, interview: DateTime<Utc>, deemed_on: DateTime<Utc>) -> String {
    fill(
        &m.staff_interview_risk,
        &[
            ("interview", &office_date(interview)),
            ("deemed", &office_date(deemed_on)),
        ],
    )
}

/// How staff can reach the person: verified phone, phone given at registration, the same for
/// email (in that order), or a line saying there is none.
pub fn contact_lines(
    m: &Messages,
    [phone, given_phone, email, given_email]: [&Option<String>; 4],
) -> Vec<String> {
    let mut lines: Vec<String> = [
        (phone, &m.staff_contact_phone_verified),
        (given_phone, &m.staff_contact_phone_given),
        (email, &m.staff_contact_email_verified),
        (given_email, &m.staff_contact_email_given),
    ]
    .into_iter()
    .filter_map(|(value, template)| {
        value
            .as_deref()
            .map(|value| fill(template, &[("contact", value)]))
    })
    .collect();
    if lines.is_empty() {
        lines.push(m.staff_contact_none.clone());
    }
    lines
}

/// A declared postal address, in the reader's language.
pub fn declared_address(
    m: &Messages,
    address: &server::storage::PostalAddress,
) -> crate::account::DeclaredAddress {
    use server::accounts::postal_address::{AddressKind, one_line};
    crate::account::DeclaredAddress {
        kind: match AddressKind::parse(&address.kind) {
            Some(AddressKind::Domiciliation) => m.address_kind_domiciliation.clone(),
            _ => m.address_kind_residence.clone(),
        },
        text: one_line(address),
        declared: date_and_time(&m.address_declared_on, address.declared_at),
    }
}

pub fn notice_entry(
    m: &Messages,
    notice: &NotificationRecord,
    document: Option<&DocumentRecord>,
) -> NoticeEntry {
    let title = document.map(|document| document.title.as_str());
    let withdrawn = document.is_none_or(|document| document.withdrawn_at.is_some());
    let interview = document.and_then(|document| document.facts.appointment_at);
    let place = document
        .and_then(|document| document.facts.appointment_place.as_deref())
        .map(|place| format!("\u{2068}{place}\u{2069}"))
        .unwrap_or_default();
    // Behind sign-in, the notice may say what the email and SMS do not.
    let text = match (title, withdrawn, notice.reason.as_str(), interview) {
        (_, _, "interview_cancelled", Some(at)) => fill(
            &m.notice_interview_cancelled,
            &[("date", &office_date(at)), ("time", &office_clock(at))],
        ),
        (Some(_), false, "interview_eve", Some(at)) => fill(
            &m.notice_interview_tomorrow,
            &[
                ("date", &office_date(at)),
                ("time", &office_clock(at)),
                ("place", &place),
            ],
        ),
        (Some(_), false, "interview_morning", Some(at)) => fill(
            &m.notice_interview_today,
            &[("time", &office_clock(at)), ("place", &place)],
        ),
        (Some(title), false, reason, _) if reason.starts_with("reminder_") => {
            fill(&m.notice_reminder, &[("title", title)])
        }
        (Some(title), false, _, _) => fill(&m.notice_new_document, &[("title", title)]),
        _ => m.notice_withdrawn_document.clone(),
    };
    NoticeEntry {
        id: notice.id.to_string(),
        text,
        received: date_and_time(&m.notice_received, notice.created_at),
        unread: notice.read_at.is_none(),
        document_href: document
            .filter(|_| !withdrawn)
            .map(|document| format!("/account/documents/{}", document.id)),
    }
}

/// `still_announced`: the document is unopened and not yet deemed notified, so an announcement
/// that found no usable channel waits for one (`waiting_announcements`).
pub fn staff_notification_entry(
    m: &Messages,
    notification: &NotificationRecord,
    document_title: &str,
    still_announced: bool,
) -> StaffNotificationEntry {
    let waits = still_announced && notification.reason == "new_document";
    let attempts = notification.attempts.to_string();
    let delivery = match (notification.channel, notification.status) {
        (Channel::InApp, _) => match notification.read_at {
            Some(at) => date_and_time(&m.staff_delivery_read, at),
            None => m.staff_delivery_unread.clone(),
        },
        (_, DeliveryStatus::Queued) => fill(
            &date_and_time(&m.staff_delivery_queued, notification.next_attempt_at),
            &[("attempts", &attempts)],
        ),
        (_, DeliveryStatus::Sent) => notification
            .sent_at
            .map(|at| date_and_time(&m.staff_delivery_sent, at))
            .unwrap_or_default(),
        (_, DeliveryStatus::Skipped) => match notification.last_error.as_deref() {
            Some(SKIPPED_CHANNEL_OFF) if waits => m.staff_delivery_waiting_channel_off.clone(),
            Some(SKIPPED_CHANNEL_OFF) => m.staff_delivery_skipped_channel_off.clone(),
            Some(SKIPPED_ALREADY_OPENED) => m.staff_delivery_skipped_opened.clone(),
            Some(SKIPPED_CANCELLED) => m.staff_delivery_cancelled.clone(),
            _ if waits => m.staff_delivery_waiting_contact.clone(),
            _ => m.staff_delivery_skipped_no_contact.clone(),
        },
        (_, DeliveryStatus::Dead) => fill(
            &m.staff_delivery_dead,
            &[
                ("attempts", &attempts),
                ("error", notification.last_error.as_deref().unwrap_or("—")),
            ],
        ),
    };
    let message = match notification.reason.as_str() {
        "new_document" => m.staff_message_new_document.clone(),
        "interview_eve" => m.staff_message_interview_eve.clone(),
        "interview_morning" => m.staff_message_interview_morning.clone(),
        "interview_cancelled" => m.staff_message_interview_cancelled.clone(),
        reason => fill(
            &m.staff_message_reminder,
            &[("days", reason.trim_start_matches("reminder_"))],
        ),
    };
    StaffNotificationEntry {
        document_title: document_title.to_owned(),
        message,
        channel: match notification.channel {
            Channel::Email => m.staff_channel_email.clone(),
            Channel::Sms => m.staff_channel_sms.clone(),
            Channel::Push => m.staff_channel_push.clone(),
            Channel::InApp => m.staff_channel_in_app.clone(),
        },
        delivery,
        failed: notification.status == DeliveryStatus::Dead,
    }
}

#[cfg(test)]
mod tests {
    use server::documents::notice_facts::DecisionOutcome;

    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn the_staff_form_offers_every_outcome_the_server_knows() {
        let server: Vec<&str> = DecisionOutcome::ALL
            .into_iter()
            .map(DecisionOutcome::code)
            .collect();
        assert_eq!(crate::pages::DECISION_OUTCOMES.to_vec(), server);
    }

    #[test]
    fn the_inbox_says_what_the_notice_says_in_every_language() {
        let decided = NoticeFacts {
            decision_outcome: Some(DecisionOutcome::SubsidiaryProtection),
            ..NoticeFacts::default()
        };
        let summoned = NoticeFacts {
            appointment_at: Some("2027-07-01T07:30:00Z".parse().unwrap()),
            appointment_place: Some("201 rue Carnot".into()),
            ..NoticeFacts::default()
        };
        let english = Locale::En.messages();
        assert_eq!(
            facts_line(english, &decided).as_deref(),
            Some("What the decision says: you are granted subsidiary protection.")
        );
        // Summer: Paris is UTC+2; the place keeps its own direction.
        assert_eq!(
            facts_line(english, &summoned).as_deref(),
            Some(
                "Your interview: 01/07/2027 at 09:30 (Paris time), \u{2068}201 rue Carnot\u{2069}."
            )
        );
        assert_eq!(facts_line(english, &NoticeFacts::default()), None);
        for locale in Locale::ALL {
            let m = locale.messages();
            for outcome in DecisionOutcome::ALL {
                let facts = NoticeFacts {
                    decision_outcome: Some(outcome),
                    ..NoticeFacts::default()
                };
                let line = facts_line(m, &facts).unwrap();
                assert!(
                    line.contains(m.decision_outcome_name(outcome.code())),
                    "{line}"
                );
                assert!(!line.contains('{'), "{line}");
            }
            let line = facts_line(m, &summoned).unwrap();
            assert!(
                line.contains("01/07/2027") && line.contains("09:30"),
                "{line}"
            );
        }
    }
}
