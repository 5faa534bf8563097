//! The plaintext scanner: whether a marker (a name, a number) appears in
//! clear in any file under a directory, in UTF-8 or UTF-16, in any case.
//! Shared by the device's tests and headquarters' (`server/tests/at_rest.rs`
//! includes this file by path).

use std::path::Path;

/// Every file under `dir`, recursively, as (path, bytes). A file removed
/// while the scan runs (a database server's temporary files) is passed over.
pub fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            match std::fs::read(&p) {
                Ok(bytes) => out.push((p.clone(), bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("{}: {e}", p.display()),
            }
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
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
