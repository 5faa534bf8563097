//! What a restore from an older copy lost, told to the officer once.
//!
//! A vault put back from a file copy lacks what was made after the copy. The
//! part of it that reached headquarters before the restore is known: sync
//! asks headquarters which of this device's cases and screenings it received
//! since the copy's last pull (`GET /v1/device/received`, headquarters'
//! clock), keeps those this vault does not hold, and seals the list here as
//! a [`RestoreReport`]. Cases come back with the pull when the office's
//! scope brings them (then `recovered`); screenings do not (headquarters
//! holds only their reports, never the record with the person in it). What
//! was made after the copy and never synced is on neither side and cannot
//! be listed. The report holds ids and times only, never a name. It stays
//! until the officer acknowledges it ([`acknowledge`], audited).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::protocol::{ItemKind, ReceivedEvent};
use crate::audit::{AuditAction, AuditFact, AuditLog, Subject};
use crate::certificate::{CaseError, CertificateCases};
use crate::screening::ScreeningEvents;
use crate::vault::{NewRecord, RecordId, Vault, VaultError};

const KIND: &str = "sync.restore_report";

fn report_id() -> RecordId {
    let h = Sha256::digest(b"homeward/singleton/sync.restore_report");
    RecordId(uuid::Uuid::from_slice(&h[..16]).expect("16 bytes"))
}

/// One case or screening made after the copy that headquarters holds and
/// this vault did not when the restore was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostItem {
    pub kind: ItemKind,
    /// The case id, or the screening record's id.
    pub id: String,
    /// When its first missing event was made (the device's clock, unix ms).
    pub made_ms: i64,
    /// When headquarters received it (headquarters' clock, unix ms).
    pub received_ms: i64,
    /// The events missing here (kept to tell whether they came back).
    pub event_ids: Vec<String>,
    /// Every missing event is held here again (a case pulled back from
    /// headquarters). Worked out when read, not stored.
    #[serde(default)]
    pub recovered: bool,
}

/// What the officer is told once after a restore from an older copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreReport {
    /// When the restore was found (the device's clock, unix ms).
    pub detected_ms: i64,
    /// The copy's last pull (headquarters' clock): what headquarters
    /// received after it was looked at.
    pub since_ms: i64,
    pub items: Vec<LostItem>,
    /// When the officer acknowledged it; `None` while it is still to be shown.
    pub acknowledged_ms: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditLogError),
    #[error("there is no restore report to acknowledge")]
    NothingToAcknowledge,
    #[error("the restore report could not be read")]
    Corrupt,
}

fn load(vault: &Vault) -> Result<Option<RestoreReport>, RestoreError> {
    match vault.get(KIND, report_id()) {
        Ok(r) => Ok(Some(serde_json::from_slice(&r.body).map_err(|_| RestoreError::Corrupt)?)),
        Err(VaultError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn save(vault: &mut Vault, report: &RestoreReport) -> Result<(), RestoreError> {
    let body = serde_json::to_vec(report).expect("a report serialises");
    vault.put(&NewRecord { id: report_id(), kind: KIND, schema_version: 1, body: &body, index: &[] })?;
    Ok(())
}

fn held(vault: &mut Vault, kind: ItemKind, event_id: &str) -> Result<bool, CaseError> {
    match kind {
        ItemKind::CertificateCase => CertificateCases::new(vault).has_event(event_id),
        ItemKind::Screening => ScreeningEvents::new(vault).has_event(event_id),
    }
}

/// Records what headquarters received that this vault lacks. A report not
/// yet acknowledged gains the new items (one notice per restore, however
/// many syncs find it); an acknowledged one is replaced. Returns how many
/// items the report now lists.
pub fn record(
    vault: &mut Vault,
    detected_ms: i64,
    since_ms: i64,
    received: &[ReceivedEvent],
) -> Result<usize, RestoreError> {
    let mut report = match load(vault)? {
        Some(r) if r.acknowledged_ms.is_none() => r,
        _ => RestoreReport { detected_ms, since_ms, items: vec![], acknowledged_ms: None },
    };
    for e in received {
        if held(vault, e.kind, &e.event_id)? {
            continue;
        }
        match report.items.iter_mut().find(|i| i.kind == e.kind && i.id == e.item_id) {
            Some(i) => {
                if !i.event_ids.contains(&e.event_id) {
                    i.event_ids.push(e.event_id.clone());
                    i.made_ms = i.made_ms.min(e.made_ms);
                }
            }
            None => report.items.push(LostItem {
                kind: e.kind,
                id: e.item_id.clone(),
                made_ms: e.made_ms,
                received_ms: e.received_ms,
                event_ids: vec![e.event_id.clone()],
                recovered: false,
            }),
        }
    }
    report.items.sort_by(|a, b| (a.made_ms, &a.id).cmp(&(b.made_ms, &b.id)));
    save(vault, &report)?;
    Ok(report.items.len())
}

/// The last restore report, acknowledged or not, with `recovered` worked
/// out from what the vault holds now.
pub fn report(vault: &mut Vault) -> Result<Option<RestoreReport>, RestoreError> {
    let Some(mut r) = load(vault)? else { return Ok(None) };
    for i in &mut r.items {
        let mut all = true;
        for id in &i.event_ids {
            all &= held(vault, i.kind, id)?;
        }
        i.recovered = all;
    }
    Ok(Some(r))
}

/// The report still to be shown to the officer, if any.
pub fn pending(vault: &mut Vault) -> Result<Option<RestoreReport>, RestoreError> {
    Ok(report(vault)?.filter(|r| r.acknowledged_ms.is_none()))
}

/// The officer has read the report: it is no longer shown as an alert
/// (it stays readable), and the audit trail records who acknowledged it.
pub fn acknowledge(vault: &mut Vault, actor: Option<String>, now_ms: i64) -> Result<RestoreReport, RestoreError> {
    let mut r = pending(vault)?.ok_or(RestoreError::NothingToAcknowledge)?;
    r.acknowledged_ms = Some(now_ms);
    let mut fact = AuditFact::new(AuditAction::Acknowledge, Subject::device())
        .justified(Some(&format!("restore report: {} item(s) lost", r.items.len())));
    fact.actor = actor;
    // The entry first: an acknowledgement that is not audited did not happen.
    AuditLog::new(vault).append(now_ms, fact)?;
    save(vault, &r)?;
    Ok(r)
}
