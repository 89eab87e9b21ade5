//! An applicant's access request (GDPR art. 15 and 20): everything the portal holds about them,
//! as one JSON document a person can read and a machine can reuse. The documents' contents are
//! not in it (the applicant downloads each from their inbox); their fingerprints are, so a copy
//! can be matched to what was notified.
//!
//! Left out on purpose: password and code hashes, key material, push endpoints (a capability
//! to wake the phone) and client address hashes, which are security data, not data about the
//! person that a copy would help them exercise a right over; and what the office keeps to
//! itself until it notifies: documents not yet made available, the reasons staff write when
//! they withdraw one (format 2; format 1 had both).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    Services,
    documents::{
        legal_notification::{NotificationFacts, NotificationStatus, notification_status},
        notice_facts::NoticeFacts,
    },
    storage::{Applicant, StorageError},
};

/// Changes when a field changes meaning or goes away; new fields may appear within a version.
pub const EXPORT_FORMAT: &str = "espace-usager/personal-data/2";

#[derive(Debug, Serialize)]
pub struct PersonalDataExport {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    pub applicant: ApplicantData,
    pub documents: Vec<DocumentData>,
    pub notifications: Vec<NotificationData>,
    pub sessions: Vec<SessionData>,
    pub remembered_devices: Vec<crate::storage::RememberedDevice>,
    pub browsers_with_alerts: Vec<BrowserData>,
    /// Emails and phones replaced or removed lately, still receiving reset codes until
    /// `kept_until` (`accounts::contact::COOLING_OFF`).
    pub replaced_contacts: Vec<ReplacedContactData>,
    /// Every postal address declared on the portal, newest first.
    pub postal_addresses: Vec<crate::accounts::postal_address::DeclaredAddress>,
    /// What the portal did on the account, and what was done to it, oldest first.
    pub activity: Vec<ActivityData>,
    /// Documents already erased under the retention policy: only the record that they were.
    pub erased_documents: Vec<ErasedData>,
    pub retention: RetentionData,
}

#[derive(Debug, Serialize)]
pub struct ApplicantData {
    pub id: Uuid,
    pub foreigner_number: Option<String>,
    pub file_number: Option<String>,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub language_recorded_by_the_office: String,
    pub language_chosen_on_the_portal: Option<String>,
    pub electronic_notification: bool,
    pub registered_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub email: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub phone: Option<String>,
    pub phone_verified_at: Option<DateTime<Utc>>,
    /// Noted by the office at registration, not verified: alerts only.
    pub email_given_at_registration: Option<String>,
    pub phone_given_at_registration: Option<String>,
    pub alerts_by_email: bool,
    pub alerts_by_sms: bool,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct DocumentData {
    pub id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub made_available_at: Option<DateTime<Utc>>,
    pub first_opened_at: Option<DateTime<Utc>>,
    /// The legal notification date, once there is one.
    pub notified_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub replaces: Option<Uuid>,
    pub facts: NoticeFacts,
    /// When the retention policy erases it, if its kind has a retention of its own.
    pub erased_on: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct NotificationData {
    pub document_id: Option<Uuid>,
    pub channel: &'static str,
    pub reason: String,
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct ReplacedContactData {
    pub kind: &'static str,
    pub value: String,
    pub replaced_at: DateTime<Utc>,
    pub kept_until: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct SessionData {
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub shared_device: bool,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct BrowserData {
    /// The push service the browser uses (its host only).
    pub push_service: String,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct ActivityData {
    pub at: DateTime<Utc>,
    pub action: String,
    pub by: &'static str,
    pub succeeded: bool,
}

#[derive(Debug, Serialize)]
pub struct ErasedData {
    pub document_id: Uuid,
    pub kind: Option<String>,
    pub sha256: Option<String>,
    pub made_available_at: Option<DateTime<Utc>>,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub erased_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct RetentionData {
    /// When the account itself is erased, once it is closed.
    pub account_erased_on: Option<DateTime<Utc>>,
    pub days_kept_after_closing: u32,
}

/// Everything about `applicant`, read now.
#[tracing::instrument(skip_all, fields(applicant = %applicant.id))]
pub async fn export(
    services: &Services,
    applicant: &Applicant,
) -> Result<PersonalDataExport, StorageError> {
    let storage = services.storage.as_ref();
    let policy = &services.config.retention;
    let now = services.clock.now();
    let documents = storage
        .documents_of_applicant(applicant.id)
        .await?
        .into_iter()
        // What the inbox shows, no more: a document still waiting for its virus scan is not
        // the applicant's yet (its title may announce a decision before it is notified).
        .filter(|document| document.made_available_at.is_some())
        .map(|document| {
            let notified_at = document.made_available_at.and_then(|made_available_at| {
                let facts = NotificationFacts {
                    notifying_kind: document.kind.is_notifying(),
                    electronic_notification: applicant.electronic_notification,
                    made_available_at,
                    first_opened_at: document.first_opened_at,
                    withdrawn_at: document.withdrawn_at,
                };
                match notification_status(facts, now) {
                    NotificationStatus::Notified { at, .. } => Some(at),
                    _ => None,
                }
            });
            DocumentData {
                id: document.id,
                kind: document.kind.code(),
                erased_on: document
                    .made_available_at
                    .and_then(|at| policy.document_erasure_date(document.kind, at)),
                title: document.title,
                file_name: document.file_name,
                size_bytes: document.size_bytes,
                sha256: document.sha256,
                made_available_at: document.made_available_at,
                first_opened_at: document.first_opened_at,
                notified_at,
                withdrawn_at: document.withdrawn_at,
                replaces: document.replaces_id,
                facts: document.facts,
            }
        })
        .collect();
    let notifications = storage
        .notifications_of_applicant(applicant.id)
        .await?
        .into_iter()
        .map(|notification| NotificationData {
            document_id: notification.document_id,
            channel: notification.channel.as_str(),
            reason: notification.reason,
            status: notification.status.as_str(),
            created_at: notification.created_at,
            sent_at: notification.sent_at,
            read_at: notification.read_at,
        })
        .collect();
    let sessions = storage
        .sessions_of_applicant(applicant.id)
        .await?
        .into_iter()
        .map(|session| SessionData {
            started_at: session.created_at,
            last_seen_at: session.last_seen_at,
            shared_device: session.shared_device,
            ended_at: session
                .revoked_at
                .or(Some(
                    session.idle_expires_at.min(session.absolute_expires_at),
                ))
                .filter(|ended| *ended <= now),
        })
        .collect();
    let browsers_with_alerts = storage
        .push_subscriptions_of(applicant.id)
        .await?
        .into_iter()
        .map(|subscription| BrowserData {
            push_service: url::Url::parse(&subscription.endpoint)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .unwrap_or_default(),
            since: subscription.created_at,
        })
        .collect();
    // Every row held, even one past its period that the purge has not reached yet.
    let replaced_contacts = storage
        .replaced_contacts_since(applicant.id, DateTime::UNIX_EPOCH)
        .await?
        .into_iter()
        .map(|kept| ReplacedContactData {
            kind: kept.kind.as_str(),
            value: kept.value,
            replaced_at: kept.replaced_at,
            kept_until: kept.replaced_at + crate::accounts::contact::COOLING_OFF,
        })
        .collect();
    let postal_addresses = storage
        .postal_addresses_of(applicant.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let activity = storage
        .audit_events_about(applicant.id)
        .await?
        .into_iter()
        .map(|event| ActivityData {
            at: event.occurred_at,
            action: event.action,
            by: event.actor_kind.as_str(),
            succeeded: event.succeeded,
        })
        .collect();
    let erased_documents = storage
        .erasures_of_applicant(applicant.id)
        .await?
        .into_iter()
        .filter(|erasure| erasure.subject_kind == "document")
        .map(|erasure| ErasedData {
            document_id: erasure.subject_id,
            kind: erasure.document_kind,
            sha256: erasure.sha256,
            made_available_at: erasure.made_available_at,
            first_opened_at: erasure.first_opened_at,
            erased_at: erasure.erased_at,
        })
        .collect();
    Ok(PersonalDataExport {
        format: EXPORT_FORMAT,
        exported_at: now,
        applicant: ApplicantData {
            id: applicant.id,
            foreigner_number: applicant.foreigner_number.clone(),
            file_number: applicant.file_number.clone(),
            given_names: applicant.given_names.clone(),
            family_name: applicant.family_name.clone(),
            date_of_birth: applicant.date_of_birth,
            language_recorded_by_the_office: applicant.preferred_language.clone(),
            language_chosen_on_the_portal: applicant.portal_language.clone(),
            electronic_notification: applicant.electronic_notification,
            registered_at: applicant.created_at,
            activated_at: applicant.activated_at,
            email: applicant.email.clone(),
            email_verified_at: applicant.email_verified_at,
            phone: applicant.phone.clone(),
            phone_verified_at: applicant.phone_verified_at,
            email_given_at_registration: applicant.given_email.clone(),
            phone_given_at_registration: applicant.given_phone.clone(),
            alerts_by_email: applicant.notify_by_email,
            alerts_by_sms: applicant.notify_by_sms,
            closed_at: applicant.closed_at,
        },
        documents,
        notifications,
        sessions,
        remembered_devices: storage.remembered_devices_of(applicant.id).await?,
        browsers_with_alerts,
        replaced_contacts,
        postal_addresses,
        activity,
        erased_documents,
        retention: RetentionData {
            account_erased_on: applicant
                .closed_at
                .map(|closed| policy.account_erasure_date(closed)),
            days_kept_after_closing: policy.closed_account_days,
        },
    })
}
