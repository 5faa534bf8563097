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

/// Every file under `dir`, recursively, as (path, bytes).
pub fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

/// Asserts that no marker appears in any file under `dir`, in UTF-8,
/// UTF-16LE or UTF-16BE, and in upper or lower case.
pub fn assert_no_plaintext(dir: &Path, markers: &[&str]) {
    let files = all_files(dir);
    assert!(!files.is_empty(), "nothing to scan in {dir:?}");
    for marker in markers {
        for form in [marker.to_string(), marker.to_uppercase(), marker.to_lowercase()] {
            let utf8 = form.as_bytes().to_vec();
            let le: Vec<u8> = form.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let be: Vec<u8> = form.encode_utf16().flat_map(u16::to_be_bytes).collect();
            for (path, bytes) in &files {
                for (enc, needle) in [("UTF-8", &utf8), ("UTF-16LE", &le), ("UTF-16BE", &be)] {
                    assert!(!contains(bytes, needle), "marker {form:?} found in clear ({enc}) in {path:?}");
                }
            }
        }
    }
}

/// Positive control for the scanner: the marker is found where it is.
pub fn find_in_files(dir: &Path, needle: &[u8]) -> bool {
    all_files(dir).iter().any(|(_, b)| contains(b, needle))
}
