//! Text or JSON output, and the one place errors become exit codes.

use std::process::ExitCode;

use homeward_core::vault::VaultError;

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn print(&self, text: &str, json: &serde_json::Value) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(json).expect("JSON serialises")
            );
        } else {
            println!("{text}");
        }
    }

    /// A progress line for humans; silent in JSON mode.
    pub fn say(&self, text: &str) {
        if !self.json {
            println!("{text}");
        }
    }
}

/// A stable machine-readable name and exit code for each error.
fn classify(e: &VaultError) -> (&'static str, u8) {
    match e {
        VaultError::NotInitialised => ("not_initialised", 10),
        VaultError::AlreadyInitialised => ("already_initialised", 11),
        VaultError::WrongSecret { .. } => ("wrong_passphrase", 12),
        VaultError::TooSoon { .. } => ("too_soon", 13),
        VaultError::Wiped => ("wiped", 14),
        VaultError::WeakSecret(_) => ("weak_passphrase", 15),
        VaultError::WeakKdf(_) => ("weak_kdf", 16),
        VaultError::Tampered(_) => ("tampered", 17),
        VaultError::KeyStore(_) => ("key_store", 18),
        VaultError::Locked => ("locked", 19),
        VaultError::NotFound(_) => ("not_found", 20),
        VaultError::UnsupportedFormat { .. } => ("unsupported_format", 21),
        VaultError::InvalidInput(_) => ("invalid_input", 22),
        e if e.is_disk_full() => ("disk_full", 23),
        VaultError::Storage(_) | VaultError::Io(_) => ("storage", 24),
    }
}

pub fn fail(out: &Output, e: &VaultError) -> ExitCode {
    let (kind, code) = classify(e);
    let message = if e.is_disk_full() {
        "the disk is full: free some space; nothing already saved was lost".to_string()
    } else {
        e.to_string()
    };
    if out.json {
        let mut err = serde_json::json!({ "kind": kind, "message": message });
        if let VaultError::WrongSecret {
            attempts_remaining,
            retry_after,
        }
        | VaultError::TooSoon {
            attempts_remaining,
            retry_after,
        } = e
        {
            err["attempts_remaining"] = (*attempts_remaining).into();
            err["retry_after_secs"] = retry_after.as_secs_f64().ceil().into();
        }
        println!("{}", serde_json::json!({ "error": err }));
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(code)
}
