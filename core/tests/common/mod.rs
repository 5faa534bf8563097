#![allow(dead_code)]
//! Shared helpers for the vault's integration tests.

use std::path::Path;
use std::sync::Arc;

use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};

pub const PASS: &str = "correct horse battery staple";

/// OWASP-minimum argon2id (the floor the vault accepts) so that tests can
/// unlock many times; a manual clock so lockout delays need no sleeping.
pub fn options(clock: Arc<ManualClock>) -> VaultOptions {
    VaultOptions { kdf: KdfParams::owasp_minimum(), lockout: LockoutPolicy::default(), clock }
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(1_780_000_000_000))
}

pub fn new_vault(dir: &Path) -> Vault {
    Vault::create(dir, &Secret::new(PASS), None, options(clock())).unwrap()
}

pub fn open_unlocked(dir: &Path) -> Vault {
    let mut v = Vault::open(dir, options(clock())).unwrap();
    v.unlock(&Secret::new(PASS), None).unwrap();
    v
}

#[path = "scan.rs"]
mod scan;
#[allow(unused_imports)] // not every test binary scans
pub use scan::{all_files, assert_no_plaintext, find_in_files};
