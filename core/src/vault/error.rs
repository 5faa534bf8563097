//! The vault's error type. Messages never carry record contents, names or
//! document numbers: they may end up in logs and crash reports.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no vault in this directory; run `homeward init` first")]
    NotInitialised,

    #[error("a vault already exists in this directory")]
    AlreadyInitialised,

    #[error("wrong passphrase: {attempts_remaining} attempt(s) left before the vault is wiped; next try allowed in {}s", retry_after.as_secs())]
    WrongSecret { attempts_remaining: u32, retry_after: Duration },

    #[error("too many failed unlocks: wait {}s before trying again ({attempts_remaining} attempt(s) left before the vault is wiped)", retry_after.as_secs())]
    TooSoon { attempts_remaining: u32, retry_after: Duration },

    /// The last unlock was counted but never answered: the app was closed,
    /// killed or lost power while checking it. It counts as a failure (so a
    /// power cut cannot buy free guesses); the wait it imposes is not over.
    #[error("the last unlock attempt was interrupted before it finished (the app was closed or lost power) and counts as a failed attempt: wait {}s before trying again ({attempts_remaining} attempt(s) left before the vault is wiped)", retry_after.as_secs().max(1))]
    Interrupted { attempts_remaining: u32, retry_after: Duration },

    #[error("the vault is locked; unlock it first")]
    Locked,

    #[error("too many failed unlocks: the vault's keys were destroyed and its data is gone")]
    Wiped,

    #[error("the passphrase is too weak: {0}")]
    WeakSecret(String),

    #[error("key derivation parameters below the allowed minimum: {0}")]
    WeakKdf(String),

    #[error("stored data failed its integrity check ({0}); it was altered, moved or corrupted")]
    Tampered(&'static str),

    #[error("no such {0}")]
    NotFound(&'static str),

    #[error("this vault needs the device key store it was bound to: {0}")]
    KeyStore(String),

    #[error("vault format {found} is newer than this app understands (up to {supported}); update the app")]
    UnsupportedFormat { found: u32, supported: u32 },

    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// The disk is full (SQLITE_FULL, ENOSPC): the write was refused as a
    /// whole (a transaction rolled back, no partial attachment file); what
    /// was committed before is intact, and writes work once space is freed.
    #[error("the disk is full: free some space; nothing already saved was lost")]
    DiskFull,

    #[error("storage error: {0}")]
    Storage(rusqlite::Error),

    #[error("file error: {0}")]
    Io(std::io::Error),
}

/// Every storage error comes through here, so a full disk is always told
/// as such, whichever write path met it.
impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        if is_sqlite_full(&e) {
            return VaultError::DiskFull;
        }
        VaultError::Storage(e)
    }
}

impl From<std::io::Error> for VaultError {
    fn from(e: std::io::Error) -> Self {
        if is_enospc(&e) {
            return VaultError::DiskFull;
        }
        VaultError::Io(e)
    }
}

/// SQLITE_FULL: the database or its journal could not grow.
pub fn is_sqlite_full(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull)
}

/// ENOSPC (28 on Linux, Android, macOS and iOS) or EDQUOT (122, a quota, Linux).
pub fn is_enospc(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(28) | Some(122))
}

impl VaultError {
    /// True when the failure means the disk is full, so callers can say so
    /// plainly rather than report a generic storage error.
    pub fn is_disk_full(&self) -> bool {
        match self {
            VaultError::DiskFull => true,
            VaultError::Storage(e) => is_sqlite_full(e),
            VaultError::Io(e) => is_enospc(e),
            _ => false,
        }
    }
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;
