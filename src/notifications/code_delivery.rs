//! The email or SMS that carries a one-time code. It says what the code is for in general terms
//! only: nothing about the applicant, their procedure or their documents.

use app::i18n::{Locale, fill};
use server::{
    Services, accounts::contact::ContactPoint, accounts::one_time_code::CODE_LIFETIME,
    notifications::mailer::OutgoingEmail, secret::Secret,
};

/// The applicant's own language when the portal has it, else the page's.
pub fn locale_for(preferred_language: &str, page_locale: Locale) -> Locale {
    Locale::from_code(preferred_language).unwrap_or(page_locale)
}

#[derive(Debug, thiserror::Error)]
pub enum CodeDeliveryError {
    #[error(transparent)]
    Mail(#[from] server::notifications::mailer::MailError),
    #[error(transparent)]
    Sms(#[from] server::notifications::sms::SmsError),
}

/// Sends the code by email, or by SMS to an applicant who has only a phone.
pub async fn send_code(
    services: &Services,
    to: &ContactPoint,
    digits: &Secret,
    locale: Locale,
) -> Result<(), CodeDeliveryError> {
    let m = locale.messages();
    let minutes = CODE_LIFETIME.num_minutes().to_string();
    let values = [("code", digits.expose()), ("minutes", minutes.as_str())];
    let message = Message {
        subject: &m.email_code_subject,
        email_body: fill(&m.email_code_body, &values),
        sms_body: fill(&m.sms_code_body, &values),
        sms_key: "code",
    };
    deliver(services, to, &message, locale).await
}

/// What happened to the address or number being told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactChange {
    Replaced,
    Removed,
}

/// Tells the address or number a contact change replaced or removed, whom to call if it was not
/// the applicant, and that for 72 hours a reset from there undoes it: the old owner is the one
/// who can tell a takeover from a move. Says nothing of the new address, the procedure or the
/// documents.
pub async fn announce_contact_change(
    services: &Services,
    previous: &ContactPoint,
    change: ContactChange,
    locale: Locale,
) -> Result<(), CodeDeliveryError> {
    let m = locale.messages();
    let office = &services.config.office_contact;
    let reach = [office.phone.as_deref(), office.email.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    let values = [("office", reach.as_str())];
    let (subject, email_body, sms_body, sms_key) = match change {
        ContactChange::Replaced => (
            &m.email_contact_replaced_subject,
            &m.email_contact_replaced_body,
            &m.sms_contact_replaced_body,
            "contact-replaced",
        ),
        ContactChange::Removed => (
            &m.email_contact_removed_subject,
            &m.email_contact_removed_body,
            &m.sms_contact_removed_body,
            "contact-removed",
        ),
    };
    let message = Message {
        subject,
        email_body: fill(email_body, &values),
        sms_body: fill(sms_body, &values),
        sms_key,
    };
    deliver(services, previous, &message, locale).await
}

/// One message in both its forms: an email (subject, text) or a text message.
struct Message<'a> {
    subject: &'a str,
    email_body: String,
    sms_body: String,
    /// What the SMS idempotency key starts with.
    sms_key: &'static str,
}

/// Sends `message` to an email address or a phone, whichever `to` is.
async fn deliver(
    services: &Services,
    to: &ContactPoint,
    message: &Message<'_>,
    locale: Locale,
) -> Result<(), CodeDeliveryError> {
    match to {
        ContactPoint::Email(address) => {
            services
                .mailer
                .send(&OutgoingEmail {
                    to: address.clone(),
                    subject: message.subject.to_owned(),
                    text_body: message.email_body.clone(),
                    html_body: plain_text_as_html(&message.email_body, locale),
                    language: locale.code().to_owned(),
                })
                .await?;
        }
        ContactPoint::Phone(number) => {
            let key = format!("{}-{}", message.sms_key, uuid::Uuid::new_v4());
            services.sms.send(number, &message.sms_body, &key).await?;
        }
    }
    Ok(())
}

/// The HTML part of a message whose text part says it all: paragraphs, escaped, in the
/// language's direction (Arabic, Dari, Pashto and Urdu read right to left).
pub fn plain_text_as_html(text: &str, locale: Locale) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\" dir=\"{}\"><body><p>{}</p></body></html>",
        locale.code(),
        locale.direction(),
        escape_html(text).replace("\n\n", "</p><p>")
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
