//! Connection keys as people type them: anything reads without a panic, and a key that reads
//! prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use untrusted_input::connection_key::ConnectionKey;

fuzz_target!(|text: &str| {
    if let Ok(key) = ConnectionKey::parse(text) {
        let again = ConnectionKey::parse(&key.display()).expect("a printed key reads");
        assert_eq!(again.hash(), key.hash());
        assert_eq!(
            ConnectionKey::parse(&key.display().to_lowercase())
                .unwrap()
                .hash(),
            key.hash()
        );
    }
});
