//! The PDF check never panics or hangs, and its verdict does not depend on how the upload is
//! cut into chunks (the network cuts it anywhere).
#![no_main]

use libfuzzer_sys::fuzz_target;
use untrusted_input::pdf_inspection::{PdfInspector, inspect};

fuzz_target!(|data: &[u8]| {
    let whole = inspect(data);
    // The first byte chooses where to cut, so the fuzzer explores cuts too.
    let cut = data
        .first()
        .map_or(0, |byte| *byte as usize % (data.len() + 1));
    let mut inspector = PdfInspector::new();
    inspector.feed(&data[..cut]);
    inspector.feed(&data[cut..]);
    assert_eq!(inspector.finish(), whole, "cut at {cut}");
});
