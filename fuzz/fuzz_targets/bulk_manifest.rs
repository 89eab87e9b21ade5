//! A bulk manifest from the back-office never panics the parser, and what it accepts keeps its
//! promises: 1 to 1000 entries, each file named once, each title clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use untrusted_input::bulk_manifest::{MAX_BULK_DOCUMENTS, parse_manifest};

fuzz_target!(|data: &[u8]| {
    let Ok(mut manifest) = parse_manifest(data) else {
        return;
    };
    assert!((1..=MAX_BULK_DOCUMENTS).contains(&manifest.len()));
    let entries: Vec<_> = manifest.missing().into_iter().cloned().collect();
    assert_eq!(entries.len(), manifest.len());
    for entry in entries {
        assert!(!entry.title.is_empty() && entry.title.chars().count() <= 200);
        assert!(!entry.title.chars().any(char::is_control));
        assert!(manifest.take(&entry.file).is_some(), "{} twice", entry.file);
        assert!(manifest.take(&entry.file).is_none());
    }
});
