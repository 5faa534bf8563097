#![no_main]
//! Fuzz target `audit_batch`: see fuzz/src/harness.rs for what it runs and why.

#[path = "../src/harness.rs"]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::audit_batch(data));
