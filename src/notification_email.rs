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
        let text_body = fill(&m.email_new_document_body, &[("address", portal_address)]);
        EmailTexts {
            subject: m.email_new_document_subject.clone(),
            html_body: plain_text_as_html(&text_body, locale.code()),
            text_body,
        }
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
    }
}
