#![no_main]
//! The barcode decoder takes what a camera read: anything. It must return a
//! typed error, never panic, hang or allocate without bound.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = homeward_domain::certificate::barcode::decode(s);
    }
});
