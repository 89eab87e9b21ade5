//! The email that carries a one-time code. It says what the code is for in general terms only:
//! nothing about the applicant, their procedure or their documents.

use app::i18n::{Locale, fill};
use server::{Services, mailer::OutgoingEmail, one_time_code::CODE_LIFETIME, secret::Secret};

/// The applicant's own language when the portal has it, else the page's.
pub fn locale_for(preferred_language: &str, page_locale: Locale) -> Locale {
    Locale::from_code(preferred_language).unwrap_or(page_locale)
}

pub async fn send_code(
    services: &Services,
    to: &str,
    digits: &Secret,
    locale: Locale,
) -> Result<(), server::mailer::MailError> {
    let m = locale.messages();
    let minutes = CODE_LIFETIME.num_minutes().to_string();
    let values = [("code", digits.expose()), ("minutes", minutes.as_str())];
    let text_body = fill(&m.email_code_body, &values);
    let html_body = plain_text_as_html(&text_body, locale.code());
    services
        .mailer
        .send(&OutgoingEmail {
            to: to.to_owned(),
            subject: m.email_code_subject.clone(),
            text_body,
            html_body,
        })
        .await
        .map(|_| ())
}

/// The HTML part of a message whose text part says it all: paragraphs, escaped.
pub fn plain_text_as_html(text: &str, language: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{language}\"><body><p>{}</p></body></html>",
        escape_html(text).replace("\n\n", "</p><p>")
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
