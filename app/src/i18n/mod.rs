//! Every user-facing string comes from here.
//!
//! Translations live in `app/locales/<code>.json`, one flat key per message. Each file is read into
//! the typed `Messages` struct, so a key used in code but absent from a file (or the reverse) fails
//! the `every_locale_has_every_message` test, and a typo in code fails to compile.
//!
//! The language of a page is chosen on the server (cookie, then Accept-Language, then French) and
//! written in `<html lang>`, where the browser side reads it back when it hydrates.

mod negotiation;

use std::sync::LazyLock;

use serde::Deserialize;

pub use negotiation::{LANGUAGE_COOKIE, negotiate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];
    pub const DEFAULT: Locale = Locale::Fr;

    /// BCP 47 tag, as in `<html lang>` and the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.code().eq_ignore_ascii_case(code))
    }

    /// The language's name in its own script, as the language picker shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Fr => "Français",
            Locale::En => "English",
        }
    }

    /// Text direction, for `<html dir>`.
    pub fn direction(self) -> &'static str {
        "ltr"
    }

    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::Fr => &FR,
            Locale::En => &EN,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Locale::Fr => include_str!("../../locales/fr.json"),
            Locale::En => include_str!("../../locales/en.json"),
        }
    }
}

static FR: LazyLock<Messages> = LazyLock::new(|| Messages::parse(Locale::Fr));
static EN: LazyLock<Messages> = LazyLock::new(|| Messages::parse(Locale::En));

/// One field per message key; see `app/locales/fr.json` for the reference text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub site_name: String,
    pub office_name: String,
    pub skip_to_content: String,
    pub language_switcher_label: String,
    pub main_navigation_label: String,
    pub nav_home: String,
    pub nav_sign_in: String,
    pub landing_title: String,
    pub landing_intro: String,
    pub landing_notice_title: String,
    pub landing_notice_text: String,
    pub landing_steps_title: String,
    pub landing_step_activate: String,
    pub landing_step_contact: String,
    pub landing_step_read: String,
    pub landing_sign_in: String,
    pub sign_in_title: String,
    pub sign_in_intro: String,
    pub sign_in_help: String,
    pub not_found_title: String,
    pub not_found_text: String,
    pub back_home: String,
    pub footer_privacy: String,
    pub invalid_language: String,
    pub page_title: String,
    /// Prefixes the title of a page showing an error, so screen readers announce it first.
    pub page_with_error: String,
    pub nav_activate: String,
    pub activate_title: String,
    pub activate_intro: String,
    pub activate_number_label: String,
    pub activate_number_hint: String,
    pub activate_key_label: String,
    pub activate_key_hint: String,
    pub activate_birth_label: String,
    pub activate_password_label: String,
    pub activate_password_hint: String,
    pub activate_submit: String,
    pub activate_error_summary: String,
    pub activate_error_missing: String,
    pub activate_error_key_mistyped: String,
    pub activate_error_no_match: String,
    pub activate_error_key_expired: String,
    pub activate_error_key_spent: String,
    pub activate_error_too_short: String,
    pub activate_error_too_long: String,
    pub activate_error_common: String,
    pub activate_error_personal: String,
    pub activate_error_unavailable: String,
    pub activate_done_title: String,
    pub activate_done_text: String,
    pub activate_birth_hint: String,
    pub date_day: String,
    pub date_month: String,
    pub date_year: String,
    pub activate_error_birth: String,
}

impl Messages {
    fn parse(locale: Locale) -> Messages {
        // Every locale is parsed by a unit test, so this cannot fail in a tested build.
        serde_json::from_str(locale.source())
            .unwrap_or_else(|error| panic!("locales/{}.json is invalid: {error}", locale.code()))
    }
}

/// Replaces `{name}` placeholders in a message.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}'))
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    #[test]
    fn every_locale_has_every_message() {
        for locale in Locale::ALL {
            serde_json::from_str::<Messages>(locale.source())
                .unwrap_or_else(|error| panic!("locales/{}.json: {error}", locale.code()));
        }
    }

    #[test]
    fn every_translation_keeps_the_placeholders_of_the_french_text() {
        let reference: BTreeMap<String, String> =
            serde_json::from_str(Locale::Fr.source()).unwrap();
        for locale in Locale::ALL {
            let messages: BTreeMap<String, String> = serde_json::from_str(locale.source()).unwrap();
            for (key, text) in &messages {
                assert!(!text.trim().is_empty(), "{}: {key} is empty", locale.code());
                assert_eq!(
                    placeholders(text),
                    placeholders(&reference[key]),
                    "{}: placeholders of {key} differ from French",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_code(locale.code()), Some(locale));
        }
        assert_eq!(Locale::from_code("EN"), Some(Locale::En));
        assert_eq!(Locale::from_code("xx"), None);
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(
            fill("{page} – Espace usager", &[("page", "Accueil")]),
            "Accueil – Espace usager"
        );
        assert_eq!(fill("{days} jours", &[("days", "15")]), "15 jours");
    }
}
