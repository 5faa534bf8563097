//! The vault: open or create a directory, unlock and lock, status, the
//! passphrase, and the platform key store callback.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use homeward_core::audit::{AuditAction, AuditFact, AuditLog, Subject, SubjectKind};
use homeward_core::screening::Lang;
use homeward_core::vault::{
    self, DeviceKeyStore, KdfParams, KeyStoreError, LockoutPolicy, Secret, Vault, VaultOptions,
};
use zeroize::Zeroizing;

use crate::background::in_background;
use crate::certificate::CertificateService;
use crate::error::{HomewardError, Result};
use crate::num::{int, long, unsigned};
use crate::screening::{ScreeningService, ScreeningSession};
use crate::sync::SyncService;

/// What every object made from one [`HomewardVault`] shares: the open vault
/// behind a mutex (so calls from any thread are serialised), and the key store.
///
/// The state calls never wait for that mutex: `is_unlocked` reads a mirror
/// kept by every call, `status` answers from its last reading while another
/// call holds the vault, and `lock` leaves a request that whoever holds the
/// vault carries out before releasing it (and every later call sees it
/// first). A sync or an enrolment holds the vault only for its reads and
/// writes, never across network I/O (`homeward_core::sync::VaultAccess`).
pub(crate) struct Shared {
    vault: Mutex<Option<Vault>>,
    pub(crate) keystore: Option<Arc<dyn DeviceKeyStore>>,
    /// Set by `SyncService.cancel` (and by `lock`), read by a running sync
    /// or enrolment between steps and while it waits on the network.
    pub(crate) cancel_sync: AtomicBool,
    /// Held for a sync's or an enrolment's whole run: one at a time.
    pub(crate) sync_running: Mutex<()>,
    /// The acting officer's id, put into each audit entry.
    officer: Mutex<Option<String>>,
    /// The mirror `is_unlocked` reads and a pending `lock()`, changed
    /// together so a call ending as `lock()` arrives cannot set the mirror
    /// back to unlocked. Held for a few instructions only, never for I/O.
    lock_state: Mutex<LockState>,
    /// The last `status` read, and when: answered while the vault is busy.
    last_status: Mutex<Option<(VaultInfo, std::time::Instant)>>,
    /// The app's language, for the `reason` of errors outside a screening.
    language: Mutex<Lang>,
}

#[derive(Default)]
struct LockState {
    /// True while the vault is unlocked, as of the last call's end.
    unlocked: bool,
    /// A `lock()` not yet carried out (the vault was busy).
    requested: bool,
}

impl Shared {
    fn lock_state(&self) -> MutexGuard<'_, LockState> {
        self.lock_state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn guard(&self) -> MutexGuard<'_, Option<Vault>> {
        // A panic inside a call is caught by uniffi; the vault itself is still
        // consistent (every write is a transaction), so carry on.
        self.vault.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Carries out a pending `lock()` on the held vault, and refreshes the
    /// mirror `is_unlocked` reads.
    fn settle(&self, g: &mut Option<Vault>) {
        let mut state = self.lock_state();
        if std::mem::take(&mut state.requested) {
            if let Some(v) = g.as_mut() {
                v.lock();
            }
        }
        state.unlocked = g.as_ref().is_some_and(|v| v.is_unlocked());
    }

    /// Runs `f` with the vault slot held. A `lock()` that came meanwhile is
    /// carried out before the slot is released; one that came as it was
    /// released (and found it busy) is carried out just after.
    pub(crate) fn hold<T>(&self, f: impl FnOnce(&mut Option<Vault>) -> T) -> T {
        crate::reason::in_language(self.language(), || self.hold_here(f))
    }

    pub(crate) fn language(&self) -> Lang {
        *self.language.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn hold_here<T>(&self, f: impl FnOnce(&mut Option<Vault>) -> T) -> T {
        let out = {
            let mut g = self.guard();
            self.settle(&mut g);
            let out = f(&mut g);
            self.settle(&mut g);
            out
        };
        if self.lock_state().requested {
            self.try_settle();
        }
        out
    }

    /// Settles now if nobody holds the vault; otherwise its holder will.
    fn try_settle(&self) {
        let g = match self.vault.try_lock() {
            Ok(g) => Some(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        if let Some(mut g) = g {
            self.settle(&mut g);
        }
    }

    /// Runs `f` on the open vault, or fails with `Closed`.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T> {
        self.hold(|g| {
            // A suspend call whose coroutine was cancelled while it waited
            // for the vault does nothing (crate::background::abandonable).
            if crate::background::abandoned_before_start() {
                return Err(HomewardError::Cancelled { reason: crate::reason::call_cancelled() });
            }
            let v = g.as_mut().ok_or_else(HomewardError::closed)?;
            f(v)
        })
    }

    /// Locks without waiting: see [`Shared`].
    pub(crate) fn request_lock(&self) {
        {
            let mut state = self.lock_state();
            state.requested = true;
            state.unlocked = false;
        }
        // A running sync holds the device's signing key: it stops too.
        self.cancel_sync.store(true, Ordering::SeqCst);
        self.try_settle();
    }

    pub(crate) fn is_unlocked(&self) -> bool {
        self.lock_state().unlocked
    }

    pub(crate) fn keystore(&self) -> Option<&dyn DeviceKeyStore> {
        self.keystore.as_deref()
    }

    pub(crate) fn officer(&self) -> Option<String> {
        self.officer.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Writes an audit entry (the core's signed, chained trail) for a
    /// create, change, search, consent or export, as the CLI does.
    pub(crate) fn audit(
        &self,
        v: &mut Vault,
        action: AuditAction,
        kind: SubjectKind,
        id: &str,
        why: Option<&str>,
    ) -> Result<()> {
        let mut fact = AuditFact::new(action, Subject::new(kind, id)).justified(why);
        fact.actor = self.officer();
        AuditLog::new(v).append(crate::screening::now_ms(), fact)?;
        Ok(())
    }

    /// The sensitive-view rule: a person's full record opens only with a
    /// justification, which is audited with the view.
    pub(crate) fn audit_view(&self, v: &mut Vault, kind: SubjectKind, id: &str, why: Option<&str>) -> Result<()> {
        AuditLog::new(v).record_view(crate::screening::now_ms(), Subject::new(kind, id), why, self.officer())?;
        Ok(())
    }
}

/// A passphrase held only as long as the call, wiped on drop.
fn secret(passphrase: String) -> Secret {
    let z = Zeroizing::new(passphrase);
    Secret::new(&z)
}

/// How a new vault is protected. The defaults are the app's: argon2id with
/// 128 MiB and 4 passes (about 300 ms on a mid-range phone), 10 failed
/// unlocks before the vault is wiped, 1 s delay after the first failure,
/// doubling.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VaultSettings {
    /// argon2id memory in MiB (at least 19).
    #[uniffi(default = 128)]
    pub kdf_memory_mib: i32,
    /// argon2id passes (at least 2).
    #[uniffi(default = 4)]
    pub kdf_passes: i32,
    /// Failed unlocks in a row that destroy the vault's keys (1 to 100).
    #[uniffi(default = 10)]
    pub max_attempts: i32,
    /// Delay after the first failed unlock in milliseconds, doubling after
    /// each further failure up to 5 minutes (0 for tests only).
    #[uniffi(default = 1000)]
    pub unlock_delay_ms: i64,
}

impl Default for VaultSettings {
    fn default() -> Self {
        VaultSettings { kdf_memory_mib: 128, kdf_passes: 4, max_attempts: 10, unlock_delay_ms: 1000 }
    }
}

impl VaultSettings {
    fn options(&self) -> Result<VaultOptions> {
        if !(1..=100).contains(&self.max_attempts) {
            return Err(HomewardError::input("max_attempts must be between 1 and 100"));
        }
        let memory_mib: u32 = unsigned("kdf_memory_mib", self.kdf_memory_mib.into())?;
        let passes: u32 = unsigned("kdf_passes", self.kdf_passes.into())?;
        let delay_ms: u64 = unsigned("unlock_delay_ms", self.unlock_delay_ms)?;
        Ok(VaultOptions {
            kdf: KdfParams::argon2id(memory_mib.saturating_mul(1024), passes, 1),
            lockout: LockoutPolicy {
                max_attempts: unsigned("max_attempts", self.max_attempts.into())?,
                base_delay: Duration::from_millis(delay_ms),
                ..LockoutPolicy::default()
            },
            ..VaultOptions::default()
        })
    }
}

/// The vault's state, readable while locked (for the unlock screen).
#[derive(Debug, Clone, uniffi::Record)]
pub struct VaultInfo {
    pub unlocked: bool,
    /// True when the vault also needs the platform key store (a PIN is allowed).
    pub device_bound: bool,
    pub failed_attempts: i32,
    /// Failed unlocks left before the vault is wiped.
    pub attempts_remaining: i32,
    pub max_attempts: i32,
    /// Seconds to wait before the next unlock attempt (0: now).
    pub retry_after_secs: i64,
    /// The last unlock attempt was counted but never answered (the app was
    /// killed or the power cut mid-check): tell the officer once. True on
    /// the unlock screen, and after the next successful unlock for the rest
    /// of the session.
    pub last_attempt_interrupted: bool,
    pub records: i64,
    pub attachments: i64,
    pub kdf_memory_mib: i32,
    pub kdf_passes: i32,
    pub format: i32,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEntryView {
    /// 1, 2, 3... with no gaps on this device.
    pub seq: i64,
    pub at_unix_ms: i64,
    /// The officer's id, when `set_officer` gave one.
    pub actor: Option<String>,
    /// view, search, create, change, export, referral, consent, purge, unlock, setting.
    pub action: String,
    /// screening, certificatecase, referral, statistics, device.
    pub subject_kind: String,
    /// The record's opaque id (empty for the device).
    pub subject_id: String,
    /// Why a full record was opened.
    pub justification: Option<String>,
}

/// Errors a platform key store reports. Kotlin: `KeyStoreException`;
/// Swift: `KeyStoreError`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeyStoreFailure {
    /// The device key is gone (app reinstalled, device reset, biometrics changed).
    #[error("the device key is missing")]
    KeyMissing,
    /// The key store refused to unwrap (wrong data, or user authentication failed).
    #[error("the device key store refused to unwrap")]
    UnwrapFailed,
    /// Any other platform failure, described without secrets.
    #[error("the device key store failed: {reason}")]
    Platform { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeyStoreFailure::Platform { reason: e.reason }
    }
}

impl From<KeyStoreFailure> for KeyStoreError {
    fn from(e: KeyStoreFailure) -> Self {
        match e {
            KeyStoreFailure::KeyMissing => KeyStoreError::KeyMissing,
            KeyStoreFailure::UnwrapFailed => KeyStoreError::UnwrapFailed,
            KeyStoreFailure::Platform { reason } => KeyStoreError::Platform(reason),
        }
    }
}

impl From<KeyStoreError> for KeyStoreFailure {
    fn from(e: KeyStoreError) -> Self {
        match e {
            KeyStoreError::KeyMissing => KeyStoreFailure::KeyMissing,
            KeyStoreError::UnwrapFailed => KeyStoreFailure::UnwrapFailed,
            KeyStoreError::Platform(reason) => KeyStoreFailure::Platform { reason },
        }
    }
}

/// The platform key store: Android Keystore or iOS Keychain / Secure Enclave,
/// implemented by the shell. It wraps the vault's (already passphrase-wrapped)
/// data key with a key that never leaves the device, so a copied disk image
/// is useless without the phone, and a short PIN becomes acceptable.
///
/// Calls come on the thread that called `create` or `unlock`; each wraps or
/// unwraps under 100 bytes and should take milliseconds (hardware-backed
/// keys may take up to ~100 ms). Never log `data`.
#[uniffi::export(with_foreign)]
pub trait PlatformKeyStore: Send + Sync {
    /// Wraps `data` under the key named `alias`, creating the key if needed.
    fn wrap_key(&self, alias: String, data: Vec<u8>) -> std::result::Result<Vec<u8>, KeyStoreFailure>;
    /// Unwraps what `wrap_key` produced for the same alias.
    fn unwrap_key(&self, alias: String, wrapped: Vec<u8>) -> std::result::Result<Vec<u8>, KeyStoreFailure>;
    /// Destroys the key named `alias` (called when the vault is wiped).
    fn delete_key(&self, alias: String) -> std::result::Result<(), KeyStoreFailure>;
}

/// Adapts a shell's key store to the core's trait.
struct KeyStoreBridge(Arc<dyn PlatformKeyStore>);

impl DeviceKeyStore for KeyStoreBridge {
    fn wrap(&self, alias: &str, data: &[u8]) -> std::result::Result<Vec<u8>, KeyStoreError> {
        Ok(self.0.wrap_key(alias.to_string(), data.to_vec())?)
    }
    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> std::result::Result<Vec<u8>, KeyStoreError> {
        Ok(self.0.unwrap_key(alias.to_string(), wrapped.to_vec())?)
    }
    fn delete(&self, alias: &str) -> std::result::Result<(), KeyStoreError> {
        Ok(self.0.delete_key(alias.to_string())?)
    }
}

/// The software key store: a key file per alias in a directory. It binds a
/// vault to a second file, not to hardware: for desktop tests and training
/// only, never on a phone.
struct SoftwareKeyStoreImpl(vault::SoftwareKeyStore);

impl PlatformKeyStore for SoftwareKeyStoreImpl {
    fn wrap_key(&self, alias: String, data: Vec<u8>) -> std::result::Result<Vec<u8>, KeyStoreFailure> {
        let data = Zeroizing::new(data);
        Ok(self.0.wrap(&alias, &data)?)
    }
    fn unwrap_key(&self, alias: String, wrapped: Vec<u8>) -> std::result::Result<Vec<u8>, KeyStoreFailure> {
        Ok(self.0.unwrap(&alias, &wrapped)?)
    }
    fn delete_key(&self, alias: String) -> std::result::Result<(), KeyStoreFailure> {
        Ok(self.0.delete(&alias)?)
    }
}

/// A software key store keeping its keys in `dir` (outside the vault
/// directory). For tests and desktop training only: it is not hardware-backed.
#[uniffi::export]
pub fn software_key_store(dir: String) -> Arc<dyn PlatformKeyStore> {
    Arc::new(SoftwareKeyStoreImpl(vault::SoftwareKeyStore::new(dir)))
}

/// True when `dir` holds a vault (choose between the create and unlock screens).
/// Fast: reads one row.
#[uniffi::export]
pub fn vault_exists(dir: String) -> bool {
    vault::exists(&PathBuf::from(dir))
}

/// An open vault directory: the entry point to everything else. Safe to
/// share between threads; calls on it and on the services made from it are
/// serialised by one lock, so an unlock's key derivation makes record calls
/// wait (a sync does not: it holds the vault only to read and record). The
/// state calls `is_unlocked`, `status` and `lock` never wait.
#[derive(uniffi::Object)]
pub struct HomewardVault {
    pub(crate) shared: Arc<Shared>,
}

impl HomewardVault {
    fn new(v: Vault, keystore: Option<Arc<dyn PlatformKeyStore>>) -> Arc<Self> {
        let keystore = keystore.map(|k| Arc::new(KeyStoreBridge(k)) as Arc<dyn DeviceKeyStore>);
        let lock_state = Mutex::new(LockState { unlocked: v.is_unlocked(), requested: false });
        let status = read_status(&v).ok().map(|s| (s, std::time::Instant::now()));
        Arc::new(HomewardVault {
            shared: Arc::new(Shared {
                vault: Mutex::new(Some(v)),
                keystore,
                cancel_sync: AtomicBool::new(false),
                sync_running: Mutex::new(()),
                officer: Mutex::new(None),
                lock_state,
                last_status: Mutex::new(status),
                language: Mutex::new(Lang::En),
            }),
        })
    }
}

#[uniffi::export]
impl HomewardVault {
    /// Creates a vault in `dir` (made if missing) and returns it unlocked.
    /// Without a key store the passphrase needs 12+ characters; with one, a
    /// 4+ digit PIN is allowed. Blocks for one key derivation (about 300 ms
    /// at the default settings): call it off the main thread.
    #[uniffi::constructor]
    pub fn create(
        dir: String,
        passphrase: String,
        settings: VaultSettings,
        key_store: Option<Arc<dyn PlatformKeyStore>>,
    ) -> Result<Arc<Self>> {
        let options = settings.options()?;
        let secret = secret(passphrase);
        let bridge = key_store.clone().map(KeyStoreBridge);
        let ks: Option<&dyn DeviceKeyStore> = bridge.as_ref().map(|b| b as _);
        let v = Vault::create(&PathBuf::from(dir), &secret, ks, options)?;
        Ok(Self::new(v, key_store))
    }

    /// Opens the vault in `dir`, locked. Give the same key store it was
    /// created with, if any. Fast (milliseconds).
    #[uniffi::constructor]
    pub fn open(dir: String, key_store: Option<Arc<dyn PlatformKeyStore>>) -> Result<Arc<Self>> {
        // The floor for raising key-derivation parameters at unlock is
        // OWASP's minimum, as in the CLI: a vault deliberately created
        // lighter for a slow device stays as chosen.
        let options = VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() };
        let v = Vault::open(&PathBuf::from(dir), options)?;
        Ok(Self::new(v, key_store))
    }

    /// Unlocks with the passphrase or PIN. A failure throws `WrongPassphrase`
    /// with the attempts left and the wait before the next try; too many
    /// wipe the vault (`Wiped`). Blocks for one key derivation (about 300 ms
    /// at the default settings, more on old phones): use `unlock_async`, or
    /// call it on a background thread.
    pub fn unlock(&self, passphrase: String) -> Result<()> {
        let secret = secret(passphrase);
        let ks = self.shared.keystore();
        self.shared.with(|v| Ok(v.unlock(&secret, ks)?))
    }

    /// `unlock` on a background thread of its own: a `suspend fun` in
    /// Kotlin, `async` in Swift. The caller's thread is never blocked.
    pub async fn unlock_async(self: Arc<Self>, passphrase: String) -> Result<()> {
        in_background(move || self.unlock(passphrase)).await
    }

    /// Locks: the keys are wiped from memory. Every call that reads or writes
    /// records then throws `Locked` until `unlock`. Never waits, so it is
    /// safe in `onStop`: if another call holds the vault (an unlock, a
    /// screening step), the lock is carried out the moment that call ends,
    /// before any later call runs. A running sync or enrolment stops too
    /// (it throws `Locked`), keeping what it recorded.
    pub fn lock(&self) {
        self.shared.request_lock();
    }

    /// True when unlocked. Never waits (it reads the state as of the last
    /// call's end, or `false` right after `lock()`).
    pub fn is_unlocked(&self) -> bool {
        self.shared.is_unlocked()
    }

    /// The acting officer's id (as the post records it, never a name), put
    /// into every audit entry from now on; none to clear. Fast.
    pub fn set_officer(&self, officer_id: Option<String>) {
        *self.shared.officer.lock().unwrap_or_else(|p| p.into_inner()) = officer_id;
    }

    /// The audit trail held on this device, oldest first: who did what to
    /// which record (opaque ids only), and why for full views. For a
    /// supervisor's screen; it syncs to headquarters.
    pub fn audit_trail(&self) -> Result<Vec<AuditEntryView>> {
        self.shared.with(|v| {
            Ok(AuditLog::new(v)
                .entries()?
                .into_iter()
                .map(|e| AuditEntryView {
                    seq: long(e.seq),
                    at_unix_ms: e.at_ms,
                    actor: e.actor,
                    action: format!("{:?}", e.action).to_lowercase(),
                    subject_kind: format!("{:?}", e.subject.kind).to_lowercase(),
                    subject_id: e.subject.id,
                    justification: e.justification,
                })
                .collect())
        })
    }

    /// The vault's state, also while locked. Never waits: while another
    /// call holds the vault (an unlock's key derivation, a sync recording
    /// answers), it answers from its last reading, with `unlocked` and the
    /// countdown brought up to date.
    pub fn status(&self) -> Result<VaultInfo> {
        crate::reason::in_language(self.shared.language(), || self.status_now())
    }

    /// The app's language for the `reason` of every error outside a
    /// screening (a screening session's calls use the session's language).
    /// English until set. Fast.
    pub fn set_language(&self, language: crate::screening::Language) {
        *self.shared.language.lock().unwrap_or_else(|p| p.into_inner()) = language.into();
    }

    /// The language set with `set_language`.
    pub fn language(&self) -> crate::screening::Language {
        self.shared.language().into()
    }
}

impl HomewardVault {
    fn status_now(&self) -> Result<VaultInfo> {
        let fresh = match self.shared.vault.try_lock() {
            Ok(g) => Some(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        let mut cache = self.shared.last_status.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(mut g) = fresh {
            self.shared.settle(&mut g);
            let v = g.as_ref().ok_or_else(HomewardError::closed)?;
            let info = read_status(v)?;
            *cache = Some((info.clone(), std::time::Instant::now()));
            return Ok(info);
        }
        match cache.as_ref() {
            Some((info, at)) => Ok(VaultInfo {
                unlocked: self.shared.is_unlocked(),
                retry_after_secs: info.retry_after_secs.saturating_sub(long(at.elapsed().as_secs())).max(0),
                ..info.clone()
            }),
            None => {
                drop(cache);
                self.shared.with(|v| read_status(v))
            }
        }
    }
}

#[uniffi::export]
impl HomewardVault {
    /// Changes the passphrase or PIN. The current one is checked (a failure
    /// counts as a failed unlock); no record is re-encrypted. Blocks for two
    /// key derivations (about 600 ms): call it off the main thread.
    pub fn change_passphrase(&self, current: String, new_passphrase: String) -> Result<()> {
        let (current, new) = (secret(current), secret(new_passphrase));
        let ks = self.shared.keystore();
        self.shared.with(|v| Ok(v.change_secret(&current, &new, ks)?))
    }

    /// Sets the duress passphrase (off by default). Entered at unlock instead
    /// of the passphrase, it destroys the keys and every record and leaves an
    /// empty vault that opens with it; both unlock paths cost the same, so it
    /// cannot be told apart by timing. An obvious wipe can endanger the
    /// officer: docs/SECURITY.md explains the trade-off. Needs the current
    /// passphrase (counted as an attempt); blocks for about three key
    /// derivations (about 1 s): call it off the main thread. Audited.
    pub fn set_duress_passphrase(&self, current: String, duress: String) -> Result<()> {
        let (current, duress) = (secret(current), secret(duress));
        let ks = self.shared.keystore();
        self.shared.with(|v| {
            v.set_duress_passphrase(&current, &duress, ks)?;
            self.shared.audit(v, AuditAction::Setting, SubjectKind::Device, "", None)
        })
    }

    /// Turns the duress passphrase off. Needs the current passphrase. Audited.
    pub fn clear_duress_passphrase(&self, current: String) -> Result<()> {
        let current = secret(current);
        let ks = self.shared.keystore();
        self.shared.with(|v| {
            v.clear_duress_passphrase(&current, ks)?;
            self.shared.audit(v, AuditAction::Setting, SubjectKind::Device, "", None)
        })
    }

    /// Days after headquarters acknowledged a case or screening before this
    /// device purges it (30 unless changed).
    pub fn retention_days(&self) -> Result<i32> {
        self.shared.with(|v| homeward_core::retention::period_days(v).map(int).map_err(retention_error))
    }

    /// Sets the retention period in days (0: purge at the first sync after acknowledgement). Audited.
    pub fn set_retention_days(&self, days: i32) -> Result<()> {
        let days: u32 = unsigned("days", days.into())?;
        self.shared.with(|v| {
            homeward_core::retention::set_period_days(v, days).map_err(retention_error)?;
            self.shared.audit(v, AuditAction::Setting, SubjectKind::Device, "", None)
        })
    }

    /// Destroys the vault for good: keys, records, attachments and the
    /// device key; the directory is left empty. For duress and for a device
    /// handed back. Needs no passphrase (it discloses nothing). Afterwards
    /// every call throws `Wiped`. Blocks while the files are overwritten
    /// (milliseconds to seconds, by size): call it off the main thread.
    pub fn wipe(&self) -> Result<()> {
        let ks = self.shared.keystore();
        self.shared.with(|v| Ok(v.wipe(ks)?))
    }

    /// Closes the vault: keys wiped, database closed. Every later call on
    /// this object or a service made from it throws `Closed`. Idempotent.
    /// (Kotlin's `close()` / Swift's deinit free the handle itself.)
    pub fn close_vault(&self) {
        self.shared.cancel_sync.store(true, Ordering::SeqCst);
        self.shared.hold(|g| *g = None);
    }

    /// Screenings at the border: start, resume, list, search.
    pub fn screenings(&self) -> Arc<ScreeningService> {
        Arc::new(ScreeningService::new(self.shared.clone()))
    }

    /// Shortcut for `screenings().start(...)`.
    pub fn start_screening(&self, input: crate::screening::NewScreeningInput) -> Result<Arc<ScreeningSession>> {
        self.screenings().start(input)
    }

    /// Certificates of Return: requests, issuance, verification, entry.
    pub fn certificates(&self) -> Arc<CertificateService> {
        Arc::new(CertificateService::new(self.shared.clone()))
    }

    /// Enrolment with headquarters and sync.
    pub fn sync_service(&self) -> Arc<SyncService> {
        Arc::new(SyncService::new(self.shared.clone()))
    }

    /// Store and forward: bundles for a post without a link, and those
    /// carried for colleagues.
    pub fn forward_service(&self) -> Arc<crate::forward::ForwardService> {
        Arc::new(crate::forward::ForwardService::new(self.shared.clone()))
    }
}

/// The vault's state as the unlock screen shows it.
fn read_status(v: &Vault) -> Result<VaultInfo> {
    let s = v.status()?;
    Ok(VaultInfo {
        unlocked: s.unlocked,
        device_bound: s.device_bound,
        failed_attempts: int(s.failed_attempts),
        attempts_remaining: int(s.attempts_remaining),
        max_attempts: int(s.max_attempts),
        retry_after_secs: long(s.retry_after_secs),
        last_attempt_interrupted: s.last_attempt_interrupted,
        records: long(s.records),
        attachments: long(s.attachments),
        kdf_memory_mib: int(s.kdf.m_cost_kib / 1024),
        kdf_passes: int(s.kdf.t_cost),
        format: int(s.format),
    })
}

fn retention_error(e: homeward_core::retention::RetentionError) -> HomewardError {
    use homeward_core::retention::RetentionError as R;
    match e {
        R::Vault(v) => v.into(),
        R::Audit(a) => a.into(),
        other => HomewardError::input(other.to_string()),
    }
}

#[uniffi::export]
impl HomewardVault {
    /// `create` off the caller's thread: a `suspend fun` in Kotlin (on the
    /// companion), `async` in Swift. Cancelling it does not stop the key
    /// derivation; the vault is then made all the same.
    #[uniffi::constructor]
    pub async fn create_async(
        dir: String,
        passphrase: String,
        settings: VaultSettings,
        key_store: Option<Arc<dyn PlatformKeyStore>>,
    ) -> Result<Arc<Self>> {
        in_background(move || Self::create(dir, passphrase, settings, key_store)).await
    }

    /// `open` off the caller's thread (a `suspend fun` on the companion in
    /// Kotlin, `async` in Swift).
    #[uniffi::constructor]
    pub async fn open_async(dir: String, key_store: Option<Arc<dyn PlatformKeyStore>>) -> Result<Arc<Self>> {
        in_background(move || Self::open(dir, key_store)).await
    }
}

// The suspend versions of the vault's blocking calls (docs/BINDINGS.md,
// "Threads"). `unlock_async` is above: an unlock whose coroutine is
// cancelled still runs, as its failure count must be kept.
crate::background::suspend_versions!(HomewardVault {
    /// `change_passphrase` as a suspend call: dropped if cancelled before it
    /// reached the vault, else run to its end.
    fn change_passphrase_async = change_passphrase(current: String, new_passphrase: String) -> Result<()>;
    /// `set_duress_passphrase` as a suspend call.
    fn set_duress_passphrase_async = set_duress_passphrase(current: String, duress: String) -> Result<()>;
    /// `clear_duress_passphrase` as a suspend call.
    fn clear_duress_passphrase_async = clear_duress_passphrase(current: String) -> Result<()>;
    /// `retention_days` as a suspend call.
    fn retention_days_async = retention_days() -> Result<i32>;
    /// `set_retention_days` as a suspend call.
    fn set_retention_days_async = set_retention_days(days: i32) -> Result<()>;
    /// `wipe` as a suspend call. Once it has reached the vault, cancelling
    /// does not stop it.
    fn wipe_async = wipe() -> Result<()>;
    /// `audit_trail` as a suspend call.
    fn audit_trail_async = audit_trail() -> Result<Vec<AuditEntryView>>;
    /// `crossing_points` as a suspend call.
    fn crossing_points_async = crossing_points() -> Result<Vec<crate::crossing::CrossingPoint>>;
    /// `crossing_points_info` as a suspend call.
    fn crossing_points_info_async = crossing_points_info() -> Result<crate::crossing::CrossingPointsInfo>;
    /// `start_screening` as a suspend call.
    fn start_screening_async = start_screening(input: crate::screening::NewScreeningInput) -> Result<Arc<ScreeningSession>>;
});
