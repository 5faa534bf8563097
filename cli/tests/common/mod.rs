//! What the CLI tests share: the `homeward` binary run on a vault directory
//! with the test passphrase, and its answers read as JSON.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const PASS: &str = "a long enough field passphrase";

/// `homeward --data-dir DIR ARGS...`, the passphrase from the environment.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HOMEWARD_PASSPHRASE", PASS)
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap()
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// The output of a command that must succeed.
pub fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// A consulate's certificate request for Асанова Айгүл, lost passport, as a
/// request file.
pub const REQUEST: &str = r#"{
  "applicant": {"surname": "Асанова", "given_name": "Айгүл", "date_of_birth": "1994-03-12",
                "place_of_birth": "Ош", "sex": "f"},
  "evidence": [{"type": "old_passport", "number": "AN1234567"}],
  "loss": "lost",
  "children": [],
  "route": "Istanbul - Bishkek (Manas)",
  "travel_date": "2099-12-05",
  "officer_assessment": "consistent account"
}"#;
