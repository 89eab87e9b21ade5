//! Session tokens come from cookies anyone can write. Nothing the fuzzer makes verifies, and a
//! real token changed anywhere either fails or still says exactly what it said (no forgery).
#![no_main]

use std::sync::LazyLock;

use chrono::Utc;
use libfuzzer_sys::fuzz_target;
use untrusted_input::{
    session_token::{Audience, SessionTokens},
    signing_keys::SigningKeys,
};
use uuid::Uuid;

const ISSUER: &str = "https://portail.example/";

static KEYS: LazyLock<(tempfile::TempDir, SigningKeys)> = LazyLock::new(|| {
    let folder = tempfile::tempdir().unwrap();
    let keys = SigningKeys::load_or_create(&folder.path().join("keys")).unwrap();
    (folder, keys)
});

fuzz_target!(|data: &[u8]| {
    let tokens = SessionTokens::new(&KEYS.1, ISSUER);
    if let Ok(text) = std::str::from_utf8(data) {
        assert!(
            tokens
                .verify(text, Audience::Applicant, Utc::now())
                .is_err()
        );
        assert!(
            tokens
                .verify_for_refresh(text, Audience::Staff, Utc::now())
                .is_err()
        );
    }
    let real = tokens.issue(Audience::Applicant, Uuid::nil(), Uuid::max(), Utc::now());
    let original = tokens
        .verify(&real, Audience::Applicant, Utc::now())
        .unwrap();
    let mut changed = real.into_bytes();
    for pair in data.chunks_exact(2) {
        let at = pair[0] as usize % changed.len();
        changed[at] ^= pair[1];
    }
    if let Ok(text) = String::from_utf8(changed)
        && let Ok(claims) = tokens.verify_for_refresh(&text, Audience::Applicant, Utc::now())
    {
        assert_eq!(claims, original, "a changed token says something else");
    }
});
