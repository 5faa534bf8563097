//! Store and forward on the device (docs/PROTOCOL.md, "Store and forward").
//!
//! A device without a link exports its outbox as one bundle
//! ([`homeward_domain::sync::forward::ForwardBundle`]: sealed to
//! headquarters, signed by this device, under the push's own idempotency
//! key) and remembers which events went in it. Another enrolled device of
//! the same office imports the bundle: it checks what it can without reading
//! it (for its headquarters and office, whole), stores it in its vault
//! (once: the same bundle again is refused as replayed) and forwards it at
//! its next sync. Headquarters' signed receipt comes back with that sync;
//! the carrier keeps it and can hand it back as a file, and the first
//! device, at its own next sync, asks headquarters for the receipts of the
//! bundles it exported before it pushes: what headquarters holds is marked
//! and not sent again, what it does not hold is pushed as usual.

pub mod frames;

use serde::{Deserialize, Serialize};

use crate::certificate::store::SyncState;
use crate::certificate::trust::{RootKey, Signed};
use crate::certificate::{CaseError, CertificateCases, DeviceProfile};
use crate::events::DeviceIdentity;
use crate::screening::ScreeningEvents;
use crate::sync::protocol::{PushRequest, PushResult, PushStatus};
use crate::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault, VaultError};
pub use homeward_domain::sync::forward::{
    check_receipt, BundleError, ForwardBundle, ForwardReceipt, SealingKey, MAX_EVENTS,
};

/// A bundle this device made, waiting for headquarters' receipt.
pub const EXPORTED_KIND: &str = "forward-exported";
/// A bundle this device carries for another.
pub const CARRIED_KIND: &str = "forward-carried";

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("this bundle is already held here ({0}): it is not stored twice")]
    Replayed(String),
    #[error("this bundle was made by this device: another device must carry it")]
    OwnBundle,
    #[error("this device is not enrolled: run `homeward enroll URL CODE`")]
    NotEnrolled,
    #[error("this receipt is for another device's bundle")]
    NotOurs,
    #[error("this device carries no bundle with that id")]
    NotCarried,
    #[error(transparent)]
    Frames(#[from] frames::FrameError),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl ForwardError {
    /// The refusal's code in the CLI's JSON and the bindings: the bundle's
    /// own reason (`altered`, `other_office`...) or this device's.
    pub fn code(&self) -> &'static str {
        match self {
            ForwardError::Bundle(b) => b.code(),
            ForwardError::Replayed(_) => "replayed",
            ForwardError::OwnBundle => "own_bundle",
            ForwardError::NotEnrolled => "not_enrolled",
            ForwardError::NotOurs => "not_ours",
            ForwardError::NotCarried => "not_carried",
            ForwardError::Frames(f) => f.code(),
            ForwardError::Case(_) | ForwardError::Vault(_) => "storage",
        }
    }
}

/// What this device remembers of a bundle it exported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exported {
    pub bundle_id: String,
    pub created_ms: i64,
    pub event_ids: Vec<String>,
    /// Headquarters' receipt, once applied.
    #[serde(default)]
    pub receipted: bool,
}

/// Where a carried bundle is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CarriedState {
    /// Goes at this device's next sync.
    Pending,
    /// Headquarters answered: its receipt, to hand back to the sender.
    Delivered { receipt: Signed<ForwardReceipt> },
    /// Headquarters refused it, with its reason; not sent again.
    Refused { reason: String, message: String },
}

/// A bundle this device carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Carried {
    pub bundle_id: String,
    pub sender_device: String,
    pub events: u32,
    pub imported_ms: i64,
    /// The bundle itself while it waits; dropped once headquarters answered.
    #[serde(default)]
    pub bundle: Option<ForwardBundle>,
    #[serde(flatten)]
    pub state: CarriedState,
}

struct Me {
    identity: DeviceIdentity,
    root: RootKey,
    sealing_key: Option<Signed<SealingKey>>,
}

fn me(vault: &Vault) -> Result<Me, ForwardError> {
    let profile = DeviceProfile::load(vault)?;
    let identity = profile.identity().map_err(|_| ForwardError::NotEnrolled)?;
    let root = profile.trust.roots.first().cloned().ok_or(ForwardError::NotEnrolled)?;
    if profile.server_url.is_none() {
        return Err(ForwardError::NotEnrolled);
    }
    Ok(Me { identity, root, sealing_key: profile.sealing_key.clone() })
}

/// Exports what waits to sync (certificate events first, then screening
/// reports, at most [`MAX_EVENTS`]) as one bundle, and remembers it. The
/// events stay in the outbox until headquarters' receipt comes back, so
/// nothing is lost if the bundle never arrives.
pub fn export(vault: &mut Vault, now_ms: i64) -> Result<ForwardBundle, ForwardError> {
    let me = me(vault)?;
    let key = me.sealing_key.ok_or(BundleError::NoSealingKey)?;
    let mut events = CertificateCases::new(vault).outbox()?;
    let mut screenings = ScreeningEvents::new(vault).outbox()?;
    events.truncate(MAX_EVENTS);
    screenings.truncate(MAX_EVENTS - events.len());
    let event_ids: Vec<String> =
        events.iter().map(|e| e.id.clone()).chain(screenings.iter().map(|e| e.id.clone())).collect();
    let push = PushRequest { events, screenings };
    let bundle = ForwardBundle::seal(push, &key, &me.root, &me.identity, now_ms, &mut crate::random::OsRng)?;
    let record = Exported { bundle_id: bundle.bundle_id.clone(), created_ms: now_ms, event_ids, receipted: false };
    let existing = vault.find(Lookup::Keyword { field: "forward-exported", value: &bundle.bundle_id })?;
    // The same outbox exported twice is the same push: one record.
    if existing.is_empty() {
        let body = serde_json::to_vec(&record).expect("serialises");
        vault.insert(&NewRecord {
            id: RecordId::random(),
            kind: EXPORTED_KIND,
            schema_version: 1,
            body: &body,
            index: &[IndexTerm::Keyword { field: "forward-exported", value: bundle.bundle_id.clone() }],
        })?;
    }
    Ok(bundle)
}

/// How many events wait that the next export would carry.
pub fn waiting(vault: &mut Vault) -> Result<usize, ForwardError> {
    Ok(CertificateCases::new(vault).outbox()?.len() + ScreeningEvents::new(vault).outbox()?.len())
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub bundle_id: String,
    pub sender_device: String,
    pub events: u32,
}

/// Takes a bundle to carry: checked for this device's headquarters and
/// office and whole (it cannot be read here), then stored once.
pub fn import(vault: &mut Vault, bundle: ForwardBundle, now_ms: i64) -> Result<Imported, ForwardError> {
    let me = me(vault)?;
    bundle.check_carried(&me.root, me.identity.office())?;
    if bundle.sender_device == me.identity.device_id() {
        return Err(ForwardError::OwnBundle);
    }
    if let Some(held) = carried_by_id(vault, &bundle.bundle_id)? {
        let state = match held.1.state {
            CarriedState::Pending => "waiting to be forwarded",
            CarriedState::Delivered { .. } => "already forwarded and acknowledged",
            CarriedState::Refused { .. } => "already refused by headquarters",
        };
        return Err(ForwardError::Replayed(state.into()));
    }
    let out = Imported {
        bundle_id: bundle.bundle_id.clone(),
        sender_device: bundle.sender_device.clone(),
        events: bundle.events,
    };
    let c = Carried {
        bundle_id: bundle.bundle_id.clone(),
        sender_device: bundle.sender_device.clone(),
        events: bundle.events,
        imported_ms: now_ms,
        bundle: Some(bundle),
        state: CarriedState::Pending,
    };
    write_carried(vault, RecordId::random(), &c)?;
    Ok(out)
}

fn write_carried(vault: &mut Vault, id: RecordId, c: &Carried) -> Result<(), ForwardError> {
    let body = serde_json::to_vec(c).expect("serialises");
    vault.put(&NewRecord {
        id,
        kind: CARRIED_KIND,
        schema_version: 1,
        body: &body,
        index: &[IndexTerm::Keyword { field: "forward-carried", value: c.bundle_id.clone() }],
    })?;
    Ok(())
}

fn carried_by_id(vault: &Vault, bundle_id: &str) -> Result<Option<(RecordId, Carried)>, ForwardError> {
    let Some(id) = vault.find(Lookup::Keyword { field: "forward-carried", value: bundle_id })?.first().copied() else {
        return Ok(None);
    };
    let r = vault.get(CARRIED_KIND, id)?;
    let c: Carried = serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?;
    Ok(Some((id, c)))
}

/// Every bundle this device carries, with its state.
pub fn carried(vault: &Vault) -> Result<Vec<(RecordId, Carried)>, ForwardError> {
    let mut out = Vec::new();
    for id in vault.list(CARRIED_KIND)? {
        let r = vault.get(CARRIED_KIND, id)?;
        out.push((id, serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?));
    }
    out.sort_by_key(|(_, c): &(RecordId, Carried)| c.imported_ms);
    Ok(out)
}

/// Bundles waiting for this device's next sync.
pub fn pending(vault: &Vault) -> Result<Vec<(RecordId, ForwardBundle)>, ForwardError> {
    Ok(carried(vault)?
        .into_iter()
        .filter_map(|(id, c)| match (c.state, c.bundle) {
            (CarriedState::Pending, Some(b)) => Some((id, b)),
            _ => None,
        })
        .collect())
}

/// A bundle this device carries and has not delivered, to pass on to
/// another carrier (a relay of several hops: the bundle is the same bytes,
/// so headquarters still takes it once, whichever carrier arrives first).
pub fn carried_bundle(vault: &Vault, bundle_id: &str) -> Result<ForwardBundle, ForwardError> {
    match carried_by_id(vault, bundle_id)? {
        Some((_, Carried { state: CarriedState::Pending, bundle: Some(b), .. })) => Ok(b),
        Some(_) => Err(ForwardError::Replayed("already answered by headquarters: nothing to pass on".into())),
        None => Err(ForwardError::NotCarried),
    }
}

/// Records headquarters' answer to a carried bundle: the receipt (checked
/// against the pinned root) or the refusal. The bundle itself is dropped.
pub fn record_answer(
    vault: &mut Vault,
    id: RecordId,
    answer: &homeward_domain::sync::forward::ForwardAnswer,
) -> Result<(), ForwardError> {
    let r = vault.get(CARRIED_KIND, id)?;
    let mut c: Carried = serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?;
    let roots = DeviceProfile::load(vault)?.trust.roots;
    c.state = match (&answer.receipt, &answer.refused) {
        (Some(receipt), _) => {
            check_receipt(&roots, receipt)?;
            CarriedState::Delivered { receipt: receipt.clone() }
        }
        (None, Some(reason)) => {
            CarriedState::Refused { reason: reason.clone(), message: answer.message.clone().unwrap_or_default() }
        }
        (None, None) => return Ok(()),
    };
    c.bundle = None;
    write_carried(vault, id, &c)
}

/// Receipts this device holds for bundles it carried (to hand back).
pub fn receipts_held(vault: &Vault) -> Result<Vec<Signed<ForwardReceipt>>, ForwardError> {
    Ok(carried(vault)?
        .into_iter()
        .filter_map(|(_, c)| match c.state {
            CarriedState::Delivered { receipt } => Some(receipt),
            _ => None,
        })
        .collect())
}

/// Bundles this device exported whose receipt has not come back.
pub fn unreceipted(vault: &Vault) -> Result<Vec<(RecordId, Exported)>, ForwardError> {
    let mut out = Vec::new();
    for id in vault.list(EXPORTED_KIND)? {
        let r = vault.get(EXPORTED_KIND, id)?;
        let e: Exported = serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?;
        if !e.receipted {
            out.push((id, e));
        }
    }
    Ok(out)
}

/// Bundles made here whose events all left the outbox another way (a
/// direct push took them, or headquarters refused them): marked done, so
/// sync stops asking headquarters for their receipts. A receipt that still
/// comes for one is ignored; headquarters answered those events already.
pub fn settle_exported(vault: &mut Vault) -> Result<usize, ForwardError> {
    let waiting = unreceipted(vault)?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let pending: std::collections::HashSet<String> = CertificateCases::new(vault)
        .outbox()?
        .into_iter()
        .map(|e| e.id)
        .chain(ScreeningEvents::new(vault).outbox()?.into_iter().map(|e| e.id))
        .collect();
    let mut settled = 0;
    for (rid, mut e) in waiting {
        if e.event_ids.iter().all(|id| !pending.contains(id)) {
            e.receipted = true;
            write_exported(vault, rid, &e)?;
            settled += 1;
        }
    }
    Ok(settled)
}

fn write_exported(vault: &mut Vault, id: RecordId, e: &Exported) -> Result<(), ForwardError> {
    let body = serde_json::to_vec(e).expect("serialises");
    vault.put(&NewRecord {
        id,
        kind: EXPORTED_KIND,
        schema_version: 1,
        body: &body,
        index: &[IndexTerm::Keyword { field: "forward-exported", value: e.bundle_id.clone() }],
    })?;
    Ok(())
}

/// What applying a receipt did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: Vec<(String, String)>,
    /// Receipts already applied, or for bundles this device never made.
    pub ignored: u64,
}

/// Applies headquarters' receipt for a bundle this device made, as if it
/// had pushed: accepted and duplicate events leave the outbox, rejected ones
/// are marked with the reason. Checked against the pinned root.
pub fn apply_receipt(vault: &mut Vault, receipt: &Signed<ForwardReceipt>) -> Result<Applied, ForwardError> {
    let profile = DeviceProfile::load(vault)?;
    check_receipt(&profile.trust.roots, receipt)?;
    let me = profile.identity().map_err(|_| ForwardError::NotEnrolled)?;
    if receipt.body.sender_device != me.device_id() {
        return Err(ForwardError::NotOurs);
    }
    let mut applied = Applied::default();
    let record = vault.find(Lookup::Keyword { field: "forward-exported", value: &receipt.body.bundle_id })?;
    let Some(rid) = record.first().copied() else {
        applied.ignored += 1;
        return Ok(applied);
    };
    let r = vault.get(EXPORTED_KIND, rid)?;
    let mut exported: Exported = serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?;
    if exported.receipted {
        applied.ignored += 1;
        return Ok(applied);
    }
    let answers = answers_of(&receipt.body.results, &mut applied);
    CertificateCases::new(vault).mark_many(&answers)?;
    ScreeningEvents::new(vault).mark_many(&answers)?;
    if let Some((id, _)) = answers.iter().rev().find(|(_, s)| *s == SyncState::Accepted) {
        let mut profile = DeviceProfile::load(vault)?;
        profile.last_acknowledged_event = Some(id.clone());
        profile.save(vault)?;
    }
    exported.receipted = true;
    write_exported(vault, rid, &exported)?;
    Ok(applied)
}

fn answers_of(results: &[PushResult], applied: &mut Applied) -> Vec<(String, SyncState)> {
    results
        .iter()
        .map(|r| {
            let state = match r.status {
                PushStatus::Accepted => {
                    applied.accepted += 1;
                    SyncState::Accepted
                }
                PushStatus::Duplicate => {
                    applied.duplicates += 1;
                    SyncState::Accepted
                }
                PushStatus::Rejected => {
                    let reason = r.reason.clone().unwrap_or_else(|| "refused".into());
                    applied.rejected.push((r.id.clone(), reason.clone()));
                    SyncState::Rejected { reason }
                }
            };
            (r.id.clone(), state)
        })
        .collect()
}

/// A file `homeward forward import` reads: a bundle to carry, or receipts
/// carried back to the device that made the bundles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ForwardFile {
    Bundle(Box<ForwardBundle>),
    Receipts { receipts: Vec<Signed<ForwardReceipt>> },
}

/// The largest file `ForwardFile::parse` reads: above any bundle of 1,000
/// events and any receipts file a carrier writes.
pub const MAX_FILE: usize = 32 * 1024 * 1024;

impl ForwardFile {
    pub fn parse(bytes: &[u8]) -> Result<ForwardFile, ForwardError> {
        if bytes.len() > MAX_FILE {
            return Err(BundleError::Malformed(format!("{} bytes: larger than any bundle", bytes.len())).into());
        }
        serde_json::from_slice(bytes).map_err(|e| {
            ForwardError::Bundle(BundleError::Malformed(format!("neither a bundle nor receipts (truncated?): {e}")))
        })
    }
}
