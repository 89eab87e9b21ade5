//! Picking the page language: the visitor's explicit choice (cookie) wins over the browser's
//! Accept-Language, which wins over French.

use super::Locale;

pub const LANGUAGE_COOKIE: &str = "lang";

pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
    cookie_header
        .and_then(language_cookie)
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Locale::DEFAULT)
}

/// The language chosen with the picker on this browser, if any.
pub fn language_cookie(cookie_header: &str) -> Option<Locale> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANGUAGE_COOKIE)
        .and_then(|(_, value)| Locale::from_code(value.trim()))
}

/// The supported language with the highest quality value; ties keep the header's order.
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(Locale, f32)> = None;
    for item in header.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let quality = parts
            .find_map(|param| param.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        if let Some(locale) = Locale::from_code(tag).or_else(|| Locale::from_code(primary))
            && quality > 0.0
            && best.is_none_or(|(_, best_quality)| quality > best_quality)
        {
            best = Some((locale, quality));
        }
    }
    best.map(|(locale, _)| locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_wins() {
        assert_eq!(negotiate(Some("a=1; lang=en"), Some("fr-FR")), Locale::En);
    }

    #[test]
    fn accept_language_follows_quality() {
        assert_eq!(
            negotiate(None, Some("de;q=1, en-GB;q=0.8, fr;q=0.9")),
            Locale::Fr
        );
        assert_eq!(negotiate(None, Some("en-US,en;q=0.9,fr;q=0.8")), Locale::En);
        assert_eq!(negotiate(None, Some("en;q=0")), Locale::Fr);
    }

    #[test]
    fn regional_tags_find_their_language() {
        assert_eq!(negotiate(None, Some("ar-SA,ar;q=0.9")), Locale::Ar);
        assert_eq!(negotiate(None, Some("fa-AF")), Locale::FaAf);
        assert_eq!(negotiate(None, Some("prs")), Locale::FaAf);
        assert_eq!(negotiate(None, Some("ti-ER, en;q=0.5")), Locale::Ti);
        assert_eq!(negotiate(Some("lang=fa-AF"), None), Locale::FaAf);
    }

    #[test]
    fn unknown_or_malformed_input_falls_back_to_french() {
        assert_eq!(negotiate(Some("lang=xx"), Some("de, pt-BR")), Locale::Fr);
        assert_eq!(negotiate(Some(";;=;"), Some(";q=abc,,")), Locale::Fr);
        assert_eq!(negotiate(None, None), Locale::Fr);
    }
}
