//! Properties of the identifier and key parsers, over many generated inputs (proptest). The
//! fuzz targets in `fuzz/` look at the same code with coverage guidance; these run with every
//! `cargo test`.

use proptest::prelude::*;
use untrusted_input::{
    bulk_manifest::{ApplicantReference, parse_manifest},
    connection_key::ConnectionKey,
    pdf_inspection::{PdfInspector, inspect},
    session_token::{Audience, SessionTokens},
    signing_keys::SigningKeys,
};
use uuid::Uuid;

/// How people copy a key: any case, dashes or spaces anywhere, or none.
fn retyped(display: &str, lower: Vec<bool>, separators: Vec<u8>) -> String {
    let mut out = String::new();
    for (index, c) in display.chars().filter(|c| *c != '-').enumerate() {
        out.push(if lower[index % lower.len()] {
            c.to_ascii_lowercase()
        } else {
            c
        });
        match separators[index % separators.len()] % 4 {
            0 => out.push('-'),
            1 => out.push(' '),
            2 => out.push('\u{a0}'),
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_key_reads_back_however_it_is_retyped(
        lower in prop::collection::vec(any::<bool>(), 1..8),
        separators in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let key = ConnectionKey::generate();
        let typed = retyped(&key.display(), lower, separators);
        let read = ConnectionKey::parse(&typed).unwrap();
        prop_assert_eq!(read.hash(), key.hash());
        prop_assert_eq!(read.display(), key.display());
    }

    #[test]
    fn one_wrong_symbol_in_a_key_is_always_caught(position in 0usize..16, offset in 1u8..32) {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let key = ConnectionKey::generate();
        let mut symbols: Vec<u8> = key.display().bytes().filter(|c| *c != b'-').collect();
        // One of the 16 data symbols (the check symbol has its own alphabet).
        let value = ALPHABET.iter().position(|c| *c == symbols[position]).unwrap();
        symbols[position] = ALPHABET[(value + offset as usize) % 32];
        let typed = String::from_utf8(symbols).unwrap();
        prop_assert!(ConnectionKey::parse(&typed).is_err(), "{typed}");
    }

    #[test]
    fn any_text_is_read_as_a_key_or_refused_without_panic(text in ".{0,40}") {
        if let Ok(key) = ConnectionKey::parse(&text) {
            prop_assert_eq!(ConnectionKey::parse(&key.display()).unwrap().hash(), key.hash());
        }
    }

    #[test]
    fn applicant_references_are_ids_or_plain_numbers(text in "\\PC{0,40}") {
        match ApplicantReference::parse(&text) {
            Some(ApplicantReference::Id(id)) => prop_assert_eq!(Uuid::parse_str(text.trim()).ok(), Some(id)),
            Some(ApplicantReference::Number(number)) => {
                prop_assert!(!number.is_empty());
                prop_assert!(number.chars().all(|c| c.is_ascii_alphanumeric()));
            }
            None => {}
        }
    }

    #[test]
    fn ten_digit_foreigner_numbers_are_always_references(number in "[0-9]{10}") {
        prop_assert_eq!(
            ApplicantReference::parse(&format!(" {number} ")),
            Some(ApplicantReference::Number(number))
        );
    }

    #[test]
    fn manifests_of_any_bytes_are_parsed_or_refused_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_manifest(&bytes);
    }

    #[test]
    fn the_pdf_verdict_does_not_depend_on_the_cuts(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let mut prefixed = b"%PDF-1.7\n".to_vec();
        prefixed.extend_from_slice(&bytes);
        let mut positions: Vec<usize> = cuts.iter().map(|cut| cut % (prefixed.len() + 1)).collect();
        positions.sort_unstable();
        let mut inspector = PdfInspector::new();
        let mut start = 0;
        for position in positions {
            inspector.feed(&prefixed[start..position]);
            start = position;
        }
        inspector.feed(&prefixed[start..]);
        prop_assert_eq!(inspector.finish(), inspect(&prefixed));
    }

    #[test]
    fn a_session_token_changed_anywhere_is_refused_or_says_the_same(
        changes in prop::collection::vec((any::<usize>(), 1u8..=255), 1..4),
    ) {
        let folder = tempfile::tempdir().unwrap();
        let keys = SigningKeys::load_or_create(&folder.path().join("keys")).unwrap();
        let tokens = SessionTokens::new(&keys, "https://portail.example/");
        let token = tokens.issue(Audience::Applicant, Uuid::new_v4(), Uuid::new_v4(), chrono::Utc::now());
        let claims = tokens.verify(&token, Audience::Applicant, chrono::Utc::now()).unwrap();
        let mut bytes = token.into_bytes();
        for (at, flip) in changes {
            let at = at % bytes.len();
            bytes[at] ^= flip;
        }
        if let Ok(text) = String::from_utf8(bytes) {
            if let Ok(read) = tokens.verify(&text, Audience::Applicant, chrono::Utc::now()) {
                prop_assert_eq!(read, claims);
            }
            prop_assert!(tokens.verify(&text, Audience::Staff, chrono::Utc::now()).is_err());
        }
    }
}
