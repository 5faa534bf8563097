#![no_main]
//! Fuzz target `forward_bundle`: see fuzz/src/harness.rs for what it runs and why.

#[path = "../src/harness.rs"]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::forward_bundle(data));
