//! Enrolment with headquarters and sync, with progress and cancellation.
//! A thin wrapper over `homeward_core::sync`: when the core's enrolment
//! gains a parameter (a pinned TLS certificate), it is one line here.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use homeward_core::audit::{AuditAction, SubjectKind};
use homeward_core::certificate::{CaseError, DeviceProfile};
use homeward_core::sync::{self, RetryPolicy, SyncError, SyncProgress, VaultAccess};
use homeward_core::vault::{SystemClock, Vault, VaultError};

use crate::background::cancellable;
use crate::certificate::DeviceRole;
use crate::error::{HomewardError, Result};
use crate::num::{int, long};
use crate::vault::Shared;

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SyncPhase {
    /// Reaching headquarters.
    Connecting,
    /// Sending this device's events, reports and audit trail.
    Pushing,
    /// Receiving what headquarters holds (no total known in advance).
    Pulling,
    /// Finished.
    Done,
}

impl From<sync::SyncPhase> for SyncPhase {
    fn from(p: sync::SyncPhase) -> Self {
        match p {
            sync::SyncPhase::Connecting => SyncPhase::Connecting,
            sync::SyncPhase::Pushing => SyncPhase::Pushing,
            sync::SyncPhase::Pulling => SyncPhase::Pulling,
            sync::SyncPhase::Done => SyncPhase::Done,
        }
    }
}

/// Where a sync is and the counts so far, reported at each phase's start
/// and after every step: `events_sent` of `events_to_send` is the push's bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgressInfo {
    pub phase: SyncPhase,
    /// Events and reports this sync sends (known once the push starts).
    pub events_to_send: i64,
    pub events_sent: i64,
    pub events_received: i64,
    pub bytes_sent: i64,
    pub bytes_received: i64,
}

impl From<&SyncProgress> for SyncProgressInfo {
    fn from(p: &SyncProgress) -> Self {
        SyncProgressInfo {
            phase: p.phase.into(),
            events_to_send: long(p.events_to_send),
            events_sent: long(p.events_sent),
            events_received: long(p.events_received),
            bytes_sent: long(p.bytes_sent),
            bytes_received: long(p.bytes_received),
        }
    }
}

/// Receives sync progress. Called on the syncing thread (not the main
/// thread): post to the UI thread yourself, and return quickly.
#[uniffi::export(with_foreign)]
pub trait SyncProgressListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgressInfo);
}

/// An event headquarters refused; it stays on the device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RejectedEvent {
    pub event_id: String,
    pub reason: String,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReportView {
    pub progress: SyncProgressInfo,
    /// Events headquarters took.
    pub accepted: i64,
    /// Events headquarters already had (a retried push).
    pub duplicates: i64,
    pub rejected: Vec<RejectedEvent>,
    pub trust_list_updated: bool,
    pub revocations_updated: bool,
    pub retries: i32,
    /// This vault was restored from an older copy: headquarters holds events
    /// from this device that it no longer has. Headquarters was told; tell
    /// the officer.
    pub rollback_detected: bool,
    /// Audit entries headquarters took from this device.
    pub audit_entries_sent: i64,
    /// Cases and screenings removed here by the retention rule after this
    /// sync (headquarters holds them; the period has passed).
    pub purged: i64,
    /// A newer crossing-point list was installed (its sequence): refresh
    /// the screening start screen's picker.
    pub crossing_points_installed: Option<i64>,
    /// Bundles carried for other devices that headquarters took.
    pub forwarded: i64,
    /// Carried bundles headquarters refused, with its reason code.
    pub forward_refused: Vec<RefusedBundle>,
    /// Bundles made here that a colleague delivered: their events were not sent again.
    pub receipts_applied: i64,
    /// This sync found the restore: how many cases and screenings the
    /// restore report lists (`SyncService.restoreReport`). Absent otherwise.
    pub restore_items: Option<i32>,
}

/// A carried bundle headquarters refused; it is not sent again.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RefusedBundle {
    pub bundle_id: String,
    /// `unknown_sender`, `altered`, `other_office`, `revoked`...
    pub code: String,
}

/// What a lost item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LostItemKind {
    CertificateCase,
    Screening,
}

/// A case or screening made after the older copy that headquarters holds
/// and the restored vault lacked. Ids and times only, never a name.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LostItem {
    pub kind: LostItemKind,
    /// The case id, or the screening record's id.
    pub id: String,
    /// When it was made (this device's clock, unix ms), and that day (UTC,
    /// YYYY-MM-DD).
    pub made_ms: i64,
    pub made_date: String,
    /// When headquarters received it (its clock, unix ms).
    pub received_ms: i64,
    /// It is back on this device (a case the pull brought back); a
    /// screening is never (headquarters holds only its report).
    pub recovered: bool,
}

/// What a restore from an older copy lost, found at a sync; shown to the
/// officer until acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RestoreReportView {
    /// When the restore was found (this device's clock, unix ms).
    pub detected_ms: i64,
    pub items: Vec<LostItem>,
    /// When the officer acknowledged it; absent while it is still to be shown.
    pub acknowledged_ms: Option<i64>,
}

impl From<sync::restore::RestoreReport> for RestoreReportView {
    fn from(r: sync::restore::RestoreReport) -> Self {
        use homeward_core::sync::protocol::ItemKind;
        RestoreReportView {
            detected_ms: r.detected_ms,
            items: r
                .items
                .into_iter()
                .map(|i| LostItem {
                    kind: match i.kind {
                        ItemKind::CertificateCase => LostItemKind::CertificateCase,
                        ItemKind::Screening => LostItemKind::Screening,
                    },
                    id: i.id,
                    made_date: homeward_core::date::IsoDate::from_unix_ms(i.made_ms).to_string(),
                    made_ms: i.made_ms,
                    received_ms: i.received_ms,
                    recovered: i.recovered,
                })
                .collect(),
            acknowledged_ms: r.acknowledged_ms,
        }
    }
}

impl From<sync::restore::RestoreError> for HomewardError {
    fn from(e: sync::restore::RestoreError) -> Self {
        use sync::restore::RestoreError as R;
        match e {
            R::Vault(v) => v.into(),
            R::Case(c) => c.into(),
            R::Audit(a) => a.into(),
            R::NothingToAcknowledge => HomewardError::NotAllowed { reason: crate::reason::nothing_to_acknowledge() },
            R::Corrupt => HomewardError::Tampered { reason: e.to_string() },
        }
    }
}

/// The result of enrolment: who headquarters says this device is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Enrolment {
    pub device_id: String,
    pub office: String,
    pub role: DeviceRole,
    pub device_no: i32,
}

/// Enrolment and sync for one vault. Neither holds the vault across network
/// I/O: screening, verification, requests and the state calls go on while
/// they talk to headquarters. One runs at a time per vault.
#[derive(uniffi::Object)]
pub struct SyncService {
    shared: Arc<Shared>,
}

impl SyncService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        SyncService { shared }
    }

    /// Runs an enrolment or a sync: alone (a second one is refused, not
    /// queued), with the cancel flag cleared, and with a stop caused by
    /// `lock()` or `closeVault()` told as such rather than as `Cancelled`.
    fn exclusive<T>(&self, f: impl FnOnce(&VaultSlot<'_>) -> std::result::Result<T, SyncError>) -> Result<T> {
        crate::reason::in_language(self.shared.language(), || self.exclusive_here(f))
    }

    fn exclusive_here<T>(&self, f: impl FnOnce(&VaultSlot<'_>) -> std::result::Result<T, SyncError>) -> Result<T> {
        let _running = match self.shared.sync_running.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(HomewardError::NotAllowed { reason: crate::reason::sync_running() })
            }
        };
        self.shared.cancel_sync.store(false, Ordering::SeqCst);
        let slot = VaultSlot { shared: &self.shared, closed: Cell::new(false) };
        // Fail at once, before any network I/O, when locked or closed.
        let result = slot.hold(|v| if v.is_unlocked() { Ok(()) } else { Err(VaultError::Locked.into()) });
        let result = result.and_then(|()| f(&slot));
        if slot.closed.get() {
            return Err(HomewardError::closed());
        }
        match result {
            Err(SyncError::Cancelled) if !self.shared.is_unlocked() => Err(VaultError::Locked.into()),
            other => Ok(other?),
        }
    }
}

/// The bindings' vault as the core's sync reaches it: one hold per read or
/// write, through the same lock every other call takes.
struct VaultSlot<'a> {
    shared: &'a Shared,
    /// Set when a hold found the vault closed.
    closed: Cell<bool>,
}

impl VaultAccess for VaultSlot<'_> {
    fn hold<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> std::result::Result<T, SyncError>,
    ) -> std::result::Result<T, SyncError> {
        self.shared.hold(|g| match g.as_mut() {
            Some(v) => f(v),
            None => {
                self.closed.set(true);
                Err(SyncError::Cancelled)
            }
        })
    }
}

#[uniffi::export]
impl SyncService {
    /// Enrols this device with headquarters at `url` using the one-time
    /// `code` an administrator gave; stores its identity and trust lists.
    /// `ca_pem`: headquarters' TLS authority (PEM), given with the code; it
    /// is pinned for this and every later sync, and nothing else is trusted.
    /// `https://` needs it; plain `http://` is refused except to this
    /// machine (tests). Blocks for one network round trip (up to the 30 s
    /// timeout with retries on a bad link): call it off the main thread.
    /// The vault is not held meanwhile; `cancel()` stops it at once
    /// (`Cancelled`, nothing stored). Throws `AlreadyEnrolled` on an
    /// enrolled device.
    pub fn enroll(&self, url: String, code: String, label: String, ca_pem: Option<String>) -> Result<Enrolment> {
        let how = sync::Enrolling {
            base_url: &url,
            code: code.trim(),
            label: &label,
            ca_pem: ca_pem.as_deref(),
            public_pki: false,
        };
        let r = self.exclusive(|slot| sync::enroll_shared(slot, &how, &self.shared.cancel_sync))?;
        Ok(Enrolment { device_id: r.device_id, office: r.office, role: r.role.into(), device_no: r.device_no.into() })
    }

    /// Pushes what this device made and pulls what headquarters holds for
    /// it. Takes seconds, minutes on a poor link; `listener` hears
    /// progress after every step; `cancel()` stops it with `Cancelled`
    /// (at once, even mid-request), keeping what was done; `lock()` stops it
    /// with `Locked`. The vault is held only to read the outbox and record
    /// answers, so the officer's other calls go on meanwhile. Use
    /// `sync_async`, or call it on a background thread.
    pub fn sync(&self, listener: Option<Arc<dyn SyncProgressListener>>) -> Result<SyncReportView> {
        let progress = |p: &SyncProgress| {
            if let Some(l) = &listener {
                l.on_progress(p.into());
            }
        };
        let r = self.exclusive(|slot| {
            sync::sync_shared(slot, RetryPolicy::default(), &progress, &self.shared.cancel_sync, Arc::new(SystemClock))
        })?;
        Ok(SyncReportView {
            progress: (&r.progress).into(),
            accepted: long(r.accepted),
            duplicates: long(r.duplicates),
            rejected: r.rejected.into_iter().map(|(event_id, reason)| RejectedEvent { event_id, reason }).collect(),
            trust_list_updated: r.trust_list_updated,
            revocations_updated: r.revocations_updated,
            retries: int(r.retries),
            rollback_detected: r.rollback_detected,
            audit_entries_sent: long(r.audit_entries_sent),
            purged: long(r.purged),
            crossing_points_installed: r.crossing_points_installed.map(long),
            forwarded: long(r.forwarded),
            forward_refused: r
                .forward_refused
                .into_iter()
                .map(|(bundle_id, code)| RefusedBundle { bundle_id, code })
                .collect(),
            receipts_applied: long(r.receipts_applied),
            restore_items: r.restore_items.map(int),
        })
    }

    /// `enroll` on a background thread of its own: a `suspend fun` in
    /// Kotlin, `async` in Swift. Cancelling the coroutine (or task) cancels
    /// the enrolment, as `cancel()` does.
    pub async fn enroll_async(
        self: Arc<Self>,
        url: String,
        code: String,
        label: String,
        ca_pem: Option<String>,
    ) -> Result<Enrolment> {
        let shared = self.shared.clone();
        let stop = move || shared.cancel_sync.store(true, Ordering::SeqCst);
        cancellable(move || self.enroll(url, code, label, ca_pem), stop).await
    }

    /// `sync` on a background thread of its own: a `suspend fun` in Kotlin,
    /// `async` in Swift. Cancelling the coroutine (or task) stops the sync
    /// at once, as `cancel()` does; what was recorded is kept.
    pub async fn sync_async(
        self: Arc<Self>,
        listener: Option<Arc<dyn SyncProgressListener>>,
    ) -> Result<SyncReportView> {
        let shared = self.shared.clone();
        let stop = move || shared.cancel_sync.store(true, Ordering::SeqCst);
        cancellable(move || self.sync(listener), stop).await
    }

    /// Enters an unlock code headquarters gave (by phone or radio) to lift
    /// the check-in lock of a device that cannot reach it, for a few days
    /// (`CheckInOverdue` says when it is needed). Each code works once; a
    /// wrong one throws `InvalidInput` and is counted (and audited): after
    /// three in a row each try waits longer (`TooSoon`, with the seconds;
    /// `unlockCodeRetryAfterSecs` says it before a try). Fast.
    pub fn enter_unlock_code(&self, code: String) -> Result<()> {
        self.shared.with(|v| {
            let now = crate::screening::now_ms();
            let result = DeviceProfile::enter_unlock_code_in(v, code.trim(), now);
            match &result {
                Ok(()) => self.shared.audit(v, AuditAction::Unlock, SubjectKind::Device, "", None)?,
                Err(CaseError::BadUnlockCode { .. }) => {
                    self.shared.audit(v, AuditAction::UnlockRefused, SubjectKind::Device, "", None)?
                }
                Err(_) => {}
            }
            Ok(result?)
        })
    }

    /// What a restore from an older copy lost (found at a sync): the cases
    /// and screenings made after the copy that headquarters holds and this
    /// vault lacked, each marked `recovered` once back here. Show it while
    /// `acknowledgedMs` is absent; absent when no restore was ever found.
    /// Fast.
    pub fn restore_report(&self) -> Result<Option<RestoreReportView>> {
        crate::reason::in_language(self.shared.language(), || {
            self.shared.with(|v| Ok(sync::restore::report(v)?.map(Into::into)))
        })
    }

    /// The officer has read the restore report: it stops being shown (it
    /// stays readable) and the audit trail records who (`setOfficer`) and
    /// when. `NotAllowed` when there is none to acknowledge. Fast.
    pub fn acknowledge_restore(&self) -> Result<RestoreReportView> {
        crate::reason::in_language(self.shared.language(), || {
            self.shared.with(|v| {
                let now = crate::screening::now_ms();
                Ok(sync::restore::acknowledge(v, self.shared.officer(), now)?.into())
            })
        })
    }

    /// Seconds before another unlock code may be tried (0: now), so the
    /// screen can count down without a try. Fast.
    pub fn unlock_code_retry_after_secs(&self) -> Result<i64> {
        self.shared.with(|v| {
            Ok(crate::num::long(DeviceProfile::load(v)?.unlock_code_retry_after_secs(crate::screening::now_ms())))
        })
    }

    /// Asks a running sync or enrolment of this vault to stop, at once
    /// (even while a request is stalled on the network). Returns at once;
    /// safe from any thread and from any `SyncService` of the vault.
    pub fn cancel(&self) {
        self.shared.cancel_sync.store(true, Ordering::SeqCst);
    }
}

// The suspend versions of the rest (docs/BINDINGS.md, "Threads"); `sync_async`
// and `enroll_async` are above, cancelled through `cancel()`.
crate::background::suspend_versions!(SyncService {
    /// `enter_unlock_code` as a suspend call.
    fn enter_unlock_code_async = enter_unlock_code(code: String) -> Result<()>;
    /// `restore_report` as a suspend call.
    fn restore_report_async = restore_report() -> Result<Option<RestoreReportView>>;
    /// `acknowledge_restore` as a suspend call.
    fn acknowledge_restore_async = acknowledge_restore() -> Result<RestoreReportView>;
    /// `unlock_code_retry_after_secs` as a suspend call.
    fn unlock_code_retry_after_secs_async = unlock_code_retry_after_secs() -> Result<i64>;
});
