//! The one error type the shells see. Every core error is mapped here, once;
//! each variant carries `reason`, a sentence a person can act on, and the
//! fields a screen needs (attempts left, what is missing). Reasons come from
//! the core's messages, which never carry names, document numbers or answers.

use homeward_core::audit::{AuditError, AuditLogError};
use homeward_core::certificate::{CaseError, TransitionError};
use homeward_core::screening::{AnswerError, ScreeningError};
use homeward_core::sync::SyncError;
use homeward_core::vault::{KeyStoreError, VaultError};

use crate::certificate::FieldProblem;
use crate::num::{int, long};
use crate::reason;

/// Everything that can go wrong in a call. In Kotlin each variant is a
/// subclass of `HomewardException`; in Swift a case of `HomewardError`.
/// Show `reason` to the officer; branch on the variant.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HomewardError {
    /// There is no vault in this directory yet: create one.
    #[error("{reason}")]
    NoVault { reason: String },
    /// A vault already exists in this directory: open it instead.
    #[error("{reason}")]
    AlreadyExists { reason: String },
    /// Wrong passphrase or PIN. `attempts_remaining` more failures wipe the
    /// vault; the next try is allowed after `retry_after_secs`.
    #[error("{reason}")]
    WrongPassphrase { attempts_remaining: i32, retry_after_secs: i64, reason: String },
    /// Tried again before the delay after a failed unlock ran out: wait
    /// `retry_after_secs` (this try was not counted as a failure). When the
    /// failure was an attempt interrupted mid-check (the app killed, the
    /// power cut), `reason` says so, and `VaultInfo.last_attempt_interrupted`
    /// is true. From `enterUnlockCode` (too many wrong unlock codes in a
    /// row): `attempts_remaining` is 0, as unlock codes never wipe.
    #[error("{reason}")]
    TooSoon { attempts_remaining: i32, retry_after_secs: i64, reason: String },
    /// The vault is locked: show the unlock screen.
    #[error("{reason}")]
    Locked { reason: String },
    /// Too many failed unlocks destroyed the vault's keys; its data is gone.
    #[error("{reason}")]
    Wiped { reason: String },
    /// The new passphrase or PIN breaks the policy (12+ characters, or a 4+
    /// digit PIN with a device key store).
    #[error("{reason}")]
    WeakPassphrase { reason: String },
    /// Stored data failed its integrity check (altered, moved or corrupted).
    #[error("{reason}")]
    Tampered { reason: String },
    /// No such record, screening or case.
    #[error("{reason}")]
    NotFound { reason: String },
    /// The platform key store failed or lost the device key.
    #[error("{reason}")]
    KeyStore { reason: String },
    /// The vault was written by a newer app: update the app.
    #[error("{reason}")]
    UpdateRequired { reason: String },
    /// Opening a person's full record needs a justification (why it is
    /// opened); it is kept in the audit trail. Ask for one and call again.
    #[error("{reason}")]
    JustificationRequired { reason: String },
    /// An argument was malformed (a date, an id, a setting).
    #[error("{reason}")]
    InvalidInput { reason: String },
    /// An answer was refused: wrong type, unknown option, out of range, or the
    /// question is not asked given earlier answers. Show `reason` under the field.
    #[error("{reason}")]
    InvalidAnswer { question_id: String, reason: String },
    /// The screening is final: it can only be amended.
    #[error("{reason}")]
    ScreeningFinalised { reason: String },
    /// Required questions are unanswered (their ids in `missing`).
    #[error("{reason}")]
    ScreeningIncomplete { missing: Vec<String>, reason: String },
    /// The request cannot be submitted: each field's problem is in `problems`.
    #[error("{reason}")]
    RequestIncomplete { problems: Vec<FieldProblem>, reason: String },
    /// This step is not allowed now (wrong role, wrong state, or a conflict to
    /// resolve first).
    #[error("{reason}")]
    NotAllowed { reason: String },
    /// The device has no identity: enrol it with headquarters first.
    #[error("{reason}")]
    NotEnrolled { reason: String },
    /// The device is enrolled already: there is nothing to enrol again.
    #[error("{reason}")]
    AlreadyEnrolled { reason: String },
    /// The device has not reached headquarters for too long: sync first, or
    /// enter an unlock code from headquarters (`SyncService.enterUnlockCode`).
    #[error("{reason}")]
    CheckInOverdue { days: i64, limit_days: i32, reason: String },
    /// Headquarters could not be reached (no network, timeout); nothing was lost.
    #[error("{reason}")]
    Network { reason: String },
    /// Headquarters refused the request (`status` is the HTTP status, 0 if none).
    #[error("{reason}")]
    ServerRefused { status: i32, reason: String },
    /// The server's TLS certificate is not the one this device pinned at
    /// enrolment: possibly an interception. Nothing was sent; report it.
    #[error("{reason}")]
    Untrusted { reason: String },
    /// Sync was cancelled; what was done so far is kept.
    #[error("{reason}")]
    Cancelled { reason: String },
    /// Headquarters revoked this device.
    #[error("{reason}")]
    DeviceRevoked { reason: String },
    /// Headquarters ordered this device wiped, and it was.
    #[error("{reason}")]
    DeviceWiped { reason: String },
    /// The disk is full: free space and try again; nothing was half-written.
    #[error("{reason}")]
    DiskFull { reason: String },
    /// A storage or file error.
    #[error("{reason}")]
    Storage { reason: String },
    /// The vault was closed with `closeVault()`; open it again.
    #[error("{reason}")]
    Closed { reason: String },
    /// A machine-readable zone was refused: `field` names the failing field
    /// ("" when the text is no zone at all); `ambiguous` when two corrections
    /// would explain the damage. Ask for a rescan or typing from the page.
    #[error("{reason}")]
    MrzRefused { field: String, ambiguous: bool, reason: String },
    /// A store-and-forward bundle, its QR frames or a receipt was refused;
    /// `code` says why: `altered`, `malformed` (not a bundle, or cut short),
    /// `replayed`, `other_office`, `other_headquarters`, `own_bundle`,
    /// `empty`, `no_sealing_key`, `mixed_bundles`, `not_a_frame`,
    /// `incomplete`... Nothing was kept.
    #[error("{reason}")]
    BundleRefused { code: String, reason: String },
    /// A bug: report it. The message holds no personal data.
    #[error("{reason}")]
    Internal { reason: String },
}

pub type Result<T, E = HomewardError> = std::result::Result<T, E>;

impl HomewardError {
    pub(crate) fn closed() -> Self {
        HomewardError::Closed { reason: reason::closed() }
    }

    pub(crate) fn input(reason: impl Into<String>) -> Self {
        HomewardError::InvalidInput { reason: reason.into() }
    }
}

impl From<VaultError> for HomewardError {
    fn from(e: VaultError) -> Self {
        let reason = e.to_string();
        if e.is_disk_full() {
            return HomewardError::DiskFull { reason: reason::disk_full() };
        }
        match e {
            VaultError::NotInitialised => HomewardError::NoVault { reason },
            VaultError::AlreadyInitialised => HomewardError::AlreadyExists { reason },
            VaultError::WrongSecret { attempts_remaining, retry_after } => {
                let retry_after_secs = reason::secs_up(retry_after);
                let reason = reason::wrong_pin(attempts_remaining, retry_after_secs);
                HomewardError::WrongPassphrase {
                    attempts_remaining: int(attempts_remaining),
                    retry_after_secs: long(retry_after_secs),
                    reason,
                }
            }
            VaultError::TooSoon { attempts_remaining, retry_after } => {
                let retry_after_secs = reason::secs_up(retry_after);
                HomewardError::TooSoon {
                    attempts_remaining: int(attempts_remaining),
                    retry_after_secs: long(retry_after_secs),
                    reason: reason::too_soon(retry_after_secs),
                }
            }
            VaultError::Interrupted { attempts_remaining, retry_after } => {
                let retry_after_secs = reason::secs_up(retry_after).max(1);
                HomewardError::TooSoon {
                    attempts_remaining: int(attempts_remaining),
                    retry_after_secs: long(retry_after_secs),
                    reason: reason::unlock_interrupted(retry_after_secs),
                }
            }
            VaultError::Locked => HomewardError::Locked { reason: reason::locked() },
            VaultError::Wiped => HomewardError::Wiped { reason: reason::wiped() },
            VaultError::WeakSecret(_) | VaultError::WeakKdf(_) => HomewardError::WeakPassphrase { reason },
            VaultError::Tampered(_) => HomewardError::Tampered { reason },
            VaultError::NotFound(_) => HomewardError::NotFound { reason },
            VaultError::KeyStore(_) => HomewardError::KeyStore { reason },
            VaultError::UnsupportedFormat { .. } => HomewardError::UpdateRequired { reason },
            VaultError::InvalidInput(_) => HomewardError::InvalidInput { reason },
            // The cause ("os error 5") is for the log, not the officer.
            VaultError::DiskFull => HomewardError::DiskFull { reason: reason::disk_full() },
            VaultError::Storage(_) | VaultError::Io(_) => HomewardError::Storage { reason: reason::storage() },
        }
    }
}

impl From<KeyStoreError> for HomewardError {
    fn from(e: KeyStoreError) -> Self {
        HomewardError::KeyStore { reason: e.to_string() }
    }
}

fn answer_question(e: &AnswerError) -> String {
    match e {
        AnswerError::UnknownQuestion(q)
        | AnswerError::NotShown(q)
        | AnswerError::Required(q)
        | AnswerError::PrivateOnly(q) => q.clone(),
        AnswerError::WrongType { question, .. }
        | AnswerError::UnknownOption { question, .. }
        | AnswerError::TooLong { question, .. }
        | AnswerError::OutOfRange { question, .. }
        | AnswerError::NotWhole { question, .. }
        | AnswerError::BadDate { question, .. } => question.clone(),
    }
}

impl From<AnswerError> for HomewardError {
    fn from(e: AnswerError) -> Self {
        HomewardError::InvalidAnswer { question_id: answer_question(&e), reason: reason::answer(&e) }
    }
}

impl From<ScreeningError> for HomewardError {
    fn from(e: ScreeningError) -> Self {
        let reason = e.to_string();
        match e {
            ScreeningError::Vault(v) => v.into(),
            ScreeningError::Answer(a) => a.into(),
            ScreeningError::Finalised => HomewardError::ScreeningFinalised { reason },
            // The ids are in `missing`; the sentence names none.
            ScreeningError::Incomplete(missing) => {
                HomewardError::ScreeningIncomplete { reason: reason::incomplete(missing.len()), missing }
            }
            ScreeningError::NotFound => HomewardError::NotFound { reason },
            ScreeningError::CheckInOverdue { days, limit } => HomewardError::CheckInOverdue {
                days,
                limit_days: int(limit),
                reason: reason::check_in_overdue(days, limit),
            },
            ScreeningError::NoReason => HomewardError::InvalidInput { reason },
            ScreeningError::UnknownCrossingPoint { id } => {
                HomewardError::InvalidInput { reason: crate::crossing::unknown(&id) }
            }
            ScreeningError::NotFinal | ScreeningError::TemplateMismatch { .. } => HomewardError::NotAllowed { reason },
            ScreeningError::Corrupt(_) => HomewardError::Tampered { reason },
        }
    }
}

impl From<TransitionError> for HomewardError {
    fn from(e: TransitionError) -> Self {
        let reason = e.to_string();
        match e {
            TransitionError::IncompleteRequest(problems) => HomewardError::RequestIncomplete {
                problems: problems.into_iter().map(FieldProblem::from).collect(),
                reason,
            },
            _ => HomewardError::NotAllowed { reason },
        }
    }
}

impl From<CaseError> for HomewardError {
    fn from(e: CaseError) -> Self {
        let reason = e.to_string();
        match e {
            CaseError::Vault(v) => v.into(),
            CaseError::Transition(t) => t.into(),
            CaseError::NotFound => HomewardError::NotFound { reason },
            CaseError::NoIdentity => HomewardError::NotEnrolled { reason: reason::not_enrolled() },
            CaseError::NotApproved(_) => HomewardError::NotAllowed { reason },
            CaseError::CheckInOverdue { days, limit } => HomewardError::CheckInOverdue {
                days,
                limit_days: int(limit),
                reason: reason::check_in_overdue(days, limit),
            },
            CaseError::Barcode(_) => HomewardError::InvalidInput { reason },
            CaseError::BadUnlockCode { retry_after_secs } => {
                HomewardError::InvalidInput { reason: reason::bad_unlock_code(retry_after_secs) }
            }
            // Unlock codes have no limit that wipes: attempts_remaining is 0.
            CaseError::UnlockCodeTooSoon { retry_after_secs } => HomewardError::TooSoon {
                attempts_remaining: 0,
                retry_after_secs: long(retry_after_secs),
                reason: reason::unlock_code_too_soon(retry_after_secs),
            },
            CaseError::Corrupt(_) => HomewardError::Tampered { reason },
        }
    }
}

impl From<homeward_core::certificate::photo::PhotoError> for HomewardError {
    fn from(e: homeward_core::certificate::photo::PhotoError) -> Self {
        match e {
            homeward_core::certificate::photo::PhotoError::Vault(v) => v.into(),
            other => HomewardError::InvalidInput { reason: reason::photo(&other) },
        }
    }
}

impl From<SyncError> for HomewardError {
    fn from(e: SyncError) -> Self {
        let reason = e.to_string();
        match e {
            // The core's message (with the OS error, the URL) is for logs.
            SyncError::Network { .. } => HomewardError::Network { reason: reason::network() },
            SyncError::Refused { status, .. } => {
                HomewardError::ServerRefused { status: status.into(), reason: reason::refused(status) }
            }
            SyncError::BadResponse(_) => HomewardError::ServerRefused { status: 0, reason: reason::refused(0) },
            SyncError::Cancelled => HomewardError::Cancelled { reason: reason::cancelled() },
            SyncError::Revoked => HomewardError::DeviceRevoked { reason: reason::revoked() },
            SyncError::Wiped => HomewardError::DeviceWiped { reason: reason::device_wiped() },
            SyncError::NotEnrolled | SyncError::UnknownToRestoredHeadquarters => {
                HomewardError::NotEnrolled { reason: reason::not_enrolled() }
            }
            SyncError::AlreadyEnrolled => HomewardError::AlreadyEnrolled { reason: reason::already_enrolled() },
            // A mistyped address or certificate: the officer's input, not the network.
            SyncError::InvalidUrl(_) => HomewardError::InvalidInput { reason: reason::bad_url() },
            SyncError::Insecure(_) => HomewardError::InvalidInput { reason: reason::insecure() },
            SyncError::BadPin(_) => HomewardError::InvalidInput { reason: reason::bad_pin() },
            SyncError::PinRequired(_) => HomewardError::InvalidInput { reason: reason::pin_required() },
            SyncError::Untrusted(_) => HomewardError::Untrusted { reason: reason::untrusted() },
            SyncError::Case(c) => c.into(),
            SyncError::Audit(a) => a.into(),
            SyncError::Retention(r) => match r {
                homeward_core::retention::RetentionError::Vault(v) => v.into(),
                homeward_core::retention::RetentionError::Audit(a) => a.into(),
                _ => HomewardError::Storage { reason },
            },
            SyncError::Vault(v) => v.into(),
        }
    }
}

impl From<AuditLogError> for HomewardError {
    fn from(e: AuditLogError) -> Self {
        let reason = e.to_string();
        match e {
            AuditLogError::Vault(v) => v.into(),
            AuditLogError::Audit(AuditError::JustificationRequired) => HomewardError::JustificationRequired { reason },
            AuditLogError::Audit(AuditError::JustificationTooLong | AuditError::SubjectNotOpaque) => {
                HomewardError::InvalidInput { reason }
            }
            _ => HomewardError::Tampered { reason },
        }
    }
}

/// uniffi needs this to report a callback (key store, progress listener)
/// that failed in an unexpected way.
impl From<uniffi::UnexpectedUniFFICallbackError> for HomewardError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HomewardError::Internal { reason: format!("a platform callback failed: {}", e.reason) }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_wrong_passphrase_keeps_its_attempts_and_wait() {
        let e: HomewardError =
            VaultError::WrongSecret { attempts_remaining: 7, retry_after: Duration::from_millis(4500) }.into();
        match e {
            // Rounded up, as status() rounds the same wait.
            HomewardError::WrongPassphrase { attempts_remaining: 7, retry_after_secs: 5, reason } => {
                assert!(reason.contains("7 attempt(s) left") && reason.contains("5 s"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_interrupted_unlock_is_told_in_the_calls_language() {
        use homeward_core::screening::Lang;
        let e = || -> HomewardError {
            VaultError::Interrupted { attempts_remaining: 9, retry_after: Duration::from_millis(800) }.into()
        };
        for (lang, words) in [(Lang::En, "interrupted"), (Lang::Ru, "прервана"), (Lang::Ky, "аягына чыккан жок")]
        {
            match reason::in_language(lang, e) {
                HomewardError::TooSoon { attempts_remaining: 9, retry_after_secs: 1, reason } => {
                    assert!(reason.contains(words) && reason.contains("1 "), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn nested_core_errors_reach_the_same_variant() {
        let locked = |e: HomewardError| matches!(e, HomewardError::Locked { .. });
        assert!(locked(VaultError::Locked.into()));
        assert!(locked(ScreeningError::Vault(VaultError::Locked).into()));
        assert!(locked(CaseError::Vault(VaultError::Locked).into()));
        assert!(locked(SyncError::Case(CaseError::Vault(VaultError::Locked)).into()));
        assert!(matches!(SyncError::Case(CaseError::NoIdentity).into(), HomewardError::NotEnrolled { .. }));
    }

    #[test]
    fn fields_a_screen_needs_are_carried() {
        match HomewardError::from(ScreeningError::Incomplete(vec!["documents".into()])) {
            HomewardError::ScreeningIncomplete { missing, reason } => {
                assert_eq!(missing, ["documents"]);
                assert!(!reason.contains("documents"), "the id is in `missing`, not in the sentence: {reason}");
            }
            other => panic!("{other:?}"),
        }
        match HomewardError::from(ScreeningError::Answer(AnswerError::TooLong { question: "notes".into(), max: 5 })) {
            HomewardError::InvalidAnswer { question_id, .. } => assert_eq!(question_id, "notes"),
            other => panic!("{other:?}"),
        }
        match HomewardError::from(CaseError::CheckInOverdue { days: 9, limit: 7 }) {
            HomewardError::CheckInOverdue { days: 9, limit_days: 7, .. } => {}
            other => panic!("{other:?}"),
        }
        match HomewardError::from(SyncError::Refused { status: 403, message: "revoked".into() }) {
            HomewardError::ServerRefused { status: 403, .. } => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reasons_are_in_the_calls_language_without_ids_commands_or_os_errors() {
        use homeward_core::screening::Lang;
        let refused = || -> HomewardError {
            SyncError::Network { failure: homeward_core::sync::NetworkFailure::Refused, attempts: 1 }.into()
        };
        let en = reason::in_language(Lang::En, refused).to_string();
        let ru = reason::in_language(Lang::Ru, refused).to_string();
        let ky = reason::in_language(Lang::Ky, refused).to_string();
        assert!(en.contains("Headquarters cannot be reached"), "{en}");
        assert!(ru.contains("Нет связи со штабом"), "{ru}");
        assert!(ky.contains("Штаб менен байланыш жок"), "{ky}");
        for r in [&en, &ru, &ky] {
            assert!(!r.contains("os error") && !r.contains("111"), "{r}");
        }
        let enrol = reason::in_language(Lang::Ru, || HomewardError::from(SyncError::NotEnrolled)).to_string();
        assert!(!enrol.contains("homeward") && !enrol.contains('`'), "no CLI command: {enrol}");
        let answer = || HomewardError::from(AnswerError::TooLong { question: "notes".into(), max: 5 });
        match reason::in_language(Lang::Ky, answer) {
            HomewardError::InvalidAnswer { question_id, reason } => {
                assert_eq!(question_id, "notes");
                assert!(!reason.contains("notes") && reason.contains('5'), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A mistyped address or certificate is the officer's input, not the network.
        for e in [SyncError::InvalidUrl("x".into()), SyncError::BadPin("x".into())] {
            assert!(matches!(HomewardError::from(e), HomewardError::InvalidInput { .. }));
        }
        assert!(matches!(HomewardError::from(SyncError::AlreadyEnrolled), HomewardError::AlreadyEnrolled { .. }));
    }

    #[test]
    fn a_full_disk_is_said_plainly() {
        let e: HomewardError = VaultError::from(std::io::Error::from_raw_os_error(28)).into();
        assert!(matches!(e, HomewardError::DiskFull { .. }), "{e:?}");
        let e: HomewardError = VaultError::DiskFull.into();
        assert!(matches!(e, HomewardError::DiskFull { .. }), "{e:?}");
    }
}
