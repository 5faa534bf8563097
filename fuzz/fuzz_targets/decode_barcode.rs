#![no_main]
//! The barcode decoder takes what a camera read: anything. It must return a
//! typed error, never panic, hang or allocate without bound (the function
//! it runs: fuzz/src/harness.rs).

#[path = "../src/harness.rs"]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::decode_barcode(data));
