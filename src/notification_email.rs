//! The words of the email announcing a new document, from the translations: in the applicant's
//! language when the portal speaks it, else French. Content-free by design (see
//! `server::notification_delivery`).

use app::i18n::{Locale, fill};
use server::notification_delivery::{EmailTexts, NotificationTexts};

use crate::code_email::plain_text_as_html;

pub struct TranslatedNotificationTexts;

impl NotificationTexts for TranslatedNotificationTexts {
    fn new_document_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts {
        let locale = Locale::from_code(preferred_language).unwrap_or(Locale::Fr);
        let m = locale.messages();
        email(
            locale,
            &m.email_new_document_subject,
            &m.email_new_document_body,
            portal_address,
        )
    }

    fn reminder_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts {
        let locale = Locale::from_code(preferred_language).unwrap_or(Locale::Fr);
        let m = locale.messages();
        email(
            locale,
            &m.email_reminder_subject,
            &m.email_reminder_body,
            portal_address,
        )
    }
}

fn email(locale: Locale, subject: &str, body: &str, portal_address: &str) -> EmailTexts {
    let text_body = fill(body, &[("address", portal_address)]);
    EmailTexts {
        subject: subject.to_owned(),
        html_body: plain_text_as_html(&text_body, locale.code()),
        text_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_names_the_portal_and_nothing_else() {
        let texts = TranslatedNotificationTexts.new_document_email("en", "https://portal.example/");
        assert!(texts.text_body.contains("https://portal.example/"));
        for word in ["asylum", "decision", "interview", "OFPRA", "refugee"] {
            assert!(
                !texts
                    .text_body
                    .to_lowercase()
                    .contains(&word.to_lowercase()),
                "{word}"
            );
            assert!(
                !texts.subject.to_lowercase().contains(&word.to_lowercase()),
                "{word}"
            );
        }
        let french = TranslatedNotificationTexts.new_document_email("prs", "https://p/");
        assert!(french.subject.starts_with("Espace usager : "));
        let reminder = TranslatedNotificationTexts.reminder_email("en", "https://portal.example/");
        assert!(reminder.text_body.contains("https://portal.example/"));
        for word in ["asylum", "decision", "interview", "summons", "deadline"] {
            assert!(!reminder.text_body.to_lowercase().contains(word), "{word}");
        }
    }
}
