//! Text or JSON output, and the one place errors become exit codes.

use std::process::ExitCode;

use homeward_core::screening::{ScreeningError, TemplateProblem};
use homeward_core::vault::VaultError;

pub struct Output {
    pub json: bool,
}

/// A value as JSON, never a panic: `--json` output must not crash on any
/// value (issue 16 found a refusal that could not be serialised). If one
/// cannot be, the output says so in a field a test looks for.
pub fn to_json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_else(|e| serde_json::json!({ "unserialisable": e.to_string() }))
}

/// [`to_json`], pretty-printed.
pub fn to_json_text<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string_pretty(&to_json(v)).unwrap_or_else(|e| format!("{{\"unserialisable\": {:?}}}", e.to_string()))
}

impl Output {
    pub fn print(&self, text: &str, json: &serde_json::Value) {
        if self.json {
            println!("{}", to_json_text(json));
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

/// Every way a command can fail.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Screening(ScreeningError),
    #[error("the template has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Template(Vec<TemplateProblem>),
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Case(homeward_core::certificate::CaseError),
    #[error("NOT VALID: {0}")]
    Verify(homeward_core::certificate::VerifyError),
    #[error(transparent)]
    Sync(homeward_core::sync::SyncError),
    #[error(transparent)]
    Audit(homeward_core::audit::AuditLogError),
    #[error(transparent)]
    Referral(homeward_core::referral::ReferralError),
    #[error("the zone is refused: {0}")]
    Mrz(homeward_core::mrz::MrzError),
    #[error("refused: {0}")]
    Forward(homeward_core::forward::ForwardError),
}

impl From<homeward_core::audit::AuditLogError> for CliError {
    fn from(e: homeward_core::audit::AuditLogError) -> Self {
        match e {
            homeward_core::audit::AuditLogError::Vault(v) => CliError::Vault(v),
            other => CliError::Audit(other),
        }
    }
}

impl From<homeward_core::referral::ReferralError> for CliError {
    fn from(e: homeward_core::referral::ReferralError) -> Self {
        use homeward_core::referral::ReferralError as R;
        match e {
            R::Vault(v) => CliError::Vault(v),
            R::Screening(s) => s.into(),
            R::Audit(a) => a.into(),
            R::NoCategories => CliError::Input(R::NoCategories.to_string()),
            other => CliError::Referral(other),
        }
    }
}

impl From<homeward_core::retention::RetentionError> for CliError {
    fn from(e: homeward_core::retention::RetentionError) -> Self {
        use homeward_core::retention::RetentionError as R;
        match e {
            R::Vault(v) => CliError::Vault(v),
            R::Audit(a) => a.into(),
            R::NotFinal => CliError::Screening(ScreeningError::NotFinal),
            R::NotFound => CliError::Screening(ScreeningError::NotFound),
            R::Corrupt(c) => CliError::Screening(ScreeningError::Corrupt(c.into())),
        }
    }
}

impl From<homeward_core::export::ExportError> for CliError {
    fn from(e: homeward_core::export::ExportError) -> Self {
        use homeward_core::export::ExportError as E;
        match e {
            E::Screening(s) => s.into(),
            E::Case(homeward_core::certificate::CaseError::Vault(v)) => CliError::Vault(v),
            E::Case(c) => CliError::Case(c),
            E::Audit(a) => a.into(),
        }
    }
}

impl From<ScreeningError> for CliError {
    fn from(e: ScreeningError) -> Self {
        match e {
            ScreeningError::Vault(v) => CliError::Vault(v),
            other => CliError::Screening(other),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        VaultError::from(e).into()
    }
}

/// A full disk met anywhere under the command (the vault directly, or
/// through a case, a screening or a sync's bookkeeping).
fn disk_full(e: &CliError) -> bool {
    use homeward_core::certificate::CaseError;
    use homeward_core::sync::SyncError;
    match e {
        CliError::Vault(v)
        | CliError::Case(CaseError::Vault(v))
        | CliError::Screening(ScreeningError::Vault(v))
        | CliError::Sync(SyncError::Vault(v))
        | CliError::Sync(SyncError::Case(CaseError::Vault(v))) => v.is_disk_full(),
        _ => false,
    }
}

/// A stable machine-readable name and exit code for each error.
fn classify(e: &CliError) -> (&'static str, u8) {
    if disk_full(e) {
        return ("disk_full", 23);
    }
    match e {
        CliError::Vault(v) => match v {
            VaultError::NotInitialised => ("not_initialised", 10),
            VaultError::AlreadyInitialised => ("already_initialised", 11),
            VaultError::WrongSecret { .. } => ("wrong_passphrase", 12),
            VaultError::TooSoon { .. } => ("too_soon", 13),
            VaultError::Interrupted { .. } => ("unlock_interrupted", 25),
            VaultError::Wiped => ("wiped", 14),
            VaultError::WeakSecret(_) => ("weak_passphrase", 15),
            VaultError::WeakKdf(_) => ("weak_kdf", 16),
            VaultError::Tampered(_) => ("tampered", 17),
            VaultError::KeyStore(_) => ("key_store", 18),
            VaultError::Locked => ("locked", 19),
            VaultError::NotFound(_) => ("not_found", 20),
            VaultError::UnsupportedFormat { .. } => ("unsupported_format", 21),
            VaultError::InvalidInput(_) => ("invalid_input", 22),
            VaultError::DiskFull => ("disk_full", 23),
            e if e.is_disk_full() => ("disk_full", 23),
            VaultError::Storage(_) | VaultError::Io(_) => ("storage", 24),
        },
        CliError::Screening(s) => match s {
            ScreeningError::Answer(_) => ("invalid_answer", 30),
            ScreeningError::Finalised => ("finalised", 31),
            ScreeningError::NotFinal => ("not_final", 32),
            ScreeningError::Incomplete(_) => ("incomplete", 33),
            ScreeningError::TemplateMismatch { .. } => ("template_mismatch", 34),
            ScreeningError::NoReason => ("no_reason", 35),
            ScreeningError::NotFound => ("not_found", 20),
            ScreeningError::Corrupt(_) => ("corrupt", 36),
            ScreeningError::Vault(_) => ("storage", 24),
            ScreeningError::CheckInOverdue { .. } => ("check_in_overdue", 59),
            ScreeningError::UnknownCrossingPoint { .. } => ("unknown_crossing_point", 37),
        },
        CliError::Template(_) => ("invalid_template", 40),
        CliError::Input(_) => ("invalid_input", 22),
        CliError::Case(c) => match c {
            homeward_core::certificate::CaseError::Transition(t) => match t {
                homeward_core::certificate::TransitionError::WrongRole { .. } => ("wrong_role", 51),
                homeward_core::certificate::TransitionError::Invalid { .. } => ("invalid_transition", 52),
                homeward_core::certificate::TransitionError::IncompleteRequest(_) => ("incomplete_request", 53),
                homeward_core::certificate::TransitionError::InConflict => ("in_conflict", 54),
                homeward_core::certificate::TransitionError::Event(_) => ("bad_event", 55),
            },
            homeward_core::certificate::CaseError::NotFound => ("not_found", 20),
            homeward_core::certificate::CaseError::NoIdentity => ("no_identity", 56),
            homeward_core::certificate::CaseError::NotApproved(_) => ("not_approved", 57),
            homeward_core::certificate::CaseError::CheckInOverdue { .. } => ("check_in_overdue", 59),
            homeward_core::certificate::CaseError::BadUnlockCode { .. } => ("bad_unlock_code", 61),
            homeward_core::certificate::CaseError::UnlockCodeTooSoon { .. } => ("unlock_code_too_soon", 62),
            homeward_core::certificate::CaseError::Barcode(_) => ("barcode", 58),
            homeward_core::certificate::CaseError::Corrupt(_) => ("corrupt", 36),
            homeward_core::certificate::CaseError::Vault(_) => ("storage", 24),
        },
        CliError::Verify(_) => ("not_valid", 60),
        CliError::Mrz(m) => match m {
            homeward_core::mrz::MrzError::Ambiguous { .. } => ("mrz_ambiguous", 86),
            _ => ("mrz_refused", 85),
        },
        CliError::Forward(f) => match f {
            homeward_core::forward::ForwardError::Frames(_) => ("frames_refused", 91),
            homeward_core::forward::ForwardError::NotEnrolled => ("not_enrolled", 75),
            _ => ("bundle_refused", 90),
        },
        CliError::Audit(a) => match a {
            homeward_core::audit::AuditLogError::Audit(homeward_core::audit::AuditError::JustificationRequired) => {
                ("justification_required", 80)
            }
            homeward_core::audit::AuditLogError::Audit(_) => ("invalid_input", 22),
            homeward_core::audit::AuditLogError::Chain(_) => ("audit_tampered", 81),
            homeward_core::audit::AuditLogError::Corrupt(_) => ("audit_tampered", 81),
            homeward_core::audit::AuditLogError::Vault(_) => ("storage", 24),
        },
        CliError::Referral(r) => match r {
            homeward_core::referral::ReferralError::Refused(_) => ("referral_refused", 82),
            homeward_core::referral::ReferralError::IncompleteOverride => ("incomplete_override", 83),
            homeward_core::referral::ReferralError::Package(_) => ("package", 84),
            homeward_core::referral::ReferralError::NoDirectory => ("no_directory", 87),
            // A referral to a partner the directory does not allow, apart
            // from a directory refused at install (forged, older, invalid).
            homeward_core::referral::ReferralError::Directory(
                homeward_core::directory::DirectoryError::NotListed { .. }
                | homeward_core::directory::DirectoryError::NotForChildren { .. },
            ) => ("partner_refused", 88),
            homeward_core::referral::ReferralError::Directory(_) => ("directory_refused", 89),
            _ => ("storage", 24),
        },
        CliError::Sync(e) => match e {
            homeward_core::sync::SyncError::Network { .. } => ("network", 70),
            homeward_core::sync::SyncError::Refused { .. } => ("refused", 71),
            homeward_core::sync::SyncError::BadResponse(_) => ("bad_response", 72),
            homeward_core::sync::SyncError::Cancelled => ("cancelled", 73),
            homeward_core::sync::SyncError::Revoked => ("revoked", 74),
            homeward_core::sync::SyncError::Wiped => ("wiped", 14),
            homeward_core::sync::SyncError::NotEnrolled
            | homeward_core::sync::SyncError::UnknownToRestoredHeadquarters => ("not_enrolled", 75),
            homeward_core::sync::SyncError::AlreadyEnrolled => ("already_enrolled", 85),
            homeward_core::sync::SyncError::InvalidUrl(_) => ("invalid_url", 86),
            homeward_core::sync::SyncError::Insecure(_) => ("insecure", 76),
            homeward_core::sync::SyncError::BadPin(_) => ("bad_pin", 77),
            homeward_core::sync::SyncError::PinRequired(_) => ("pin_required", 79),
            homeward_core::sync::SyncError::Untrusted(_) => ("untrusted_server", 78),
            homeward_core::sync::SyncError::Case(_)
            | homeward_core::sync::SyncError::Vault(_)
            | homeward_core::sync::SyncError::Retention(_) => ("storage", 24),
            homeward_core::sync::SyncError::Audit(_) => ("audit_tampered", 81),
        },
    }
}

pub fn fail(out: &Output, e: &CliError) -> ExitCode {
    let (kind, code) = classify(e);
    let message = if disk_full(e) {
        "the disk is full: free some space; nothing already saved was lost".to_string()
    } else {
        e.to_string()
    };
    if out.json {
        let mut err = serde_json::json!({ "kind": kind, "message": message });
        match e {
            CliError::Vault(VaultError::WrongSecret { attempts_remaining, retry_after })
            | CliError::Vault(VaultError::TooSoon { attempts_remaining, retry_after })
            | CliError::Vault(VaultError::Interrupted { attempts_remaining, retry_after }) => {
                err["attempts_remaining"] = (*attempts_remaining).into();
                err["retry_after_secs"] = retry_after.as_secs_f64().ceil().into();
            }
            CliError::Template(problems) => {
                err["problems"] = crate::output::to_json(problems);
            }
            CliError::Screening(ScreeningError::Incomplete(missing)) => {
                err["missing"] = crate::output::to_json(missing);
            }
            CliError::Audit(homeward_core::audit::AuditLogError::Chain(c)) => {
                err["chain"] = crate::output::to_json(c);
            }
            CliError::Mrz(homeward_core::mrz::MrzError::Field { field, .. })
            | CliError::Mrz(homeward_core::mrz::MrzError::Ambiguous { field, .. }) => {
                err["field"] = field.name().into();
            }
            CliError::Sync(homeward_core::sync::SyncError::Network { failure, attempts }) => {
                err["failure"] = crate::output::to_json(failure);
                err["attempts"] = (*attempts).into();
            }
            CliError::Forward(f) => {
                err["reason"] = f.code().into();
            }
            CliError::Verify(v) => {
                err["verification"] = crate::output::to_json(v);
            }
            CliError::Case(homeward_core::certificate::CaseError::Transition(
                homeward_core::certificate::TransitionError::IncompleteRequest(fields),
            )) => {
                err["fields"] = crate::output::to_json(fields);
            }
            _ => {}
        }
        println!("{}", serde_json::json!({ "error": err }));
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(code)
}
