//! The sentences about a document, in the page's language: when it was made available, what
//! opening it means, when it was notified and by which rule, the appeal deadline.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use server::{
    Services,
    documents::{
        acknowledgement::document_status,
        legal_notification::{NotificationRule, NotificationStatus, appeal_deadline},
        office_time::{office_clock, office_date},
    },
    storage::{
        ActorKind, Channel, DeliveryStatus, DocumentRecord, NotificationRecord,
        SKIPPED_ALREADY_OPENED, SKIPPED_CHANNEL_OFF, ScanStatus,
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
        withdrawn: document
            .withdrawn_at
            .map(|at| fill(&m.inbox_withdrawn, &[("date", &office_date(at))])),
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
    StaffDocumentEntry {
        id: document.id.to_string(),
        kind_name: m.document_kind_name(document.kind.code()).to_owned(),
        title: document.title.clone(),
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

pub fn notice_entry(
    m: &Messages,
    notice: &NotificationRecord,
    document: Option<&DocumentRecord>,
) -> NoticeEntry {
    let title = document.map(|document| document.title.as_str());
    let withdrawn = document.is_none_or(|document| document.withdrawn_at.is_some());
    let text = match (title, withdrawn) {
        (Some(title), false) if notice.reason.starts_with("reminder_") => {
            fill(&m.notice_reminder, &[("title", title)])
        }
        (Some(title), false) => fill(&m.notice_new_document, &[("title", title)]),
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

pub fn staff_notification_entry(
    m: &Messages,
    notification: &NotificationRecord,
    document_title: &str,
) -> StaffNotificationEntry {
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
            Some(SKIPPED_CHANNEL_OFF) => m.staff_delivery_skipped_channel_off.clone(),
            Some(SKIPPED_ALREADY_OPENED) => m.staff_delivery_skipped_opened.clone(),
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
    StaffNotificationEntry {
        document_title: document_title.to_owned(),
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
