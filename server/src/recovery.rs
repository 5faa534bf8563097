//! Headquarters after a restore from an older backup (docs/PROTOCOL.md,
//! "Headquarters restored from a backup"): devices send again every event
//! they hold (`POST /v1/recover`: their own and those they pulled, each
//! checked against its signer's key like a push, stored once by id), and
//! their audit trails from where the restored database stops. What no
//! device could send again (a case or screening a device purged after
//! headquarters acknowledged it, audit entries a device pruned) is listed
//! by [`Hq::restore_report`]: ids, offices and dates, never a name.

use homeward_domain::audit::{AuditAction, SubjectKind};
use homeward_domain::certificate::{admit, fold, CertificateEvent};
use homeward_domain::events::{Event, Role};
use homeward_domain::sync::protocol::{BackupMark, PushResult, PushStatus, RECOVER_CASE_NOT_BACK};
use serde::{Deserialize, Serialize};

use crate::backup::RestoreSummary;
use crate::db::backup::{KV_INCARNATION, KV_RESTORED};
use crate::db::DeviceRow;
use crate::hq::{now_ms, same_event, Hq, HqError};

/// A record some device's audit trail shows it had, and purged after
/// headquarters acknowledged it, that the restored headquarters lacks:
/// nobody holds it any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostRecord {
    pub kind: SubjectKind,
    pub id: String,
    pub device: String,
    pub office: String,
    /// When the device purged it (the device's clock).
    pub purged_ms: i64,
}

/// Audit entries of a device that neither the restored headquarters nor
/// the device (which pruned them) holds: `from_seq..=to_seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditGap {
    pub device: String,
    pub from_seq: u64,
    pub to_seq: u64,
    pub noted_ms: i64,
}

/// `homeward-hq restore-report`.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub restored: Option<RestoreSummary>,
    pub lost: Vec<LostRecord>,
    pub audit_gaps: Vec<AuditGap>,
    /// Devices not heard from since the restore: until each has synced,
    /// what it holds is not back yet and the report is not final.
    pub not_synced_since: Vec<String>,
}

fn gap_key(device: &str) -> String {
    format!("audit_gap:{device}")
}

impl Hq {
    /// This database's incarnation (made on first use).
    pub fn incarnation(&self) -> Result<String, HqError> {
        if let Some(i) = self.db.get_kv(KV_INCARNATION)? {
            return Ok(i);
        }
        self.db.kv_compare_and_set(KV_INCARNATION, None, &crate::backup::new_incarnation())?;
        self.db.get_kv(KV_INCARNATION)?.ok_or(HqError::Db(crate::db::DbError::Column("incarnation")))
    }

    pub fn backup_mark(&self) -> Result<BackupMark, HqError> {
        let (started, done) = self.db.backup_counters()?;
        Ok(BackupMark { started, done })
    }

    /// What the last restore was, if this database was ever restored.
    pub fn restored(&self) -> Result<Option<RestoreSummary>, HqError> {
        Ok(self.db.get_kv(KV_RESTORED)?.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Certificate events a device sends again after headquarters was
    /// restored: its own and those it pulled (other devices', headquarters'
    /// decisions). Each must verify against its signer's key and be a valid
    /// step of its case (the core's fold, as for a push), and be in what
    /// the device could have pulled: any office for an operator's console,
    /// its own office for a consulate, its own entries for a border post.
    /// Held ones are duplicates; nothing is stored twice.
    pub fn accept_recovered(
        &self,
        device: &DeviceRow,
        events: &[Event<CertificateEvent>],
    ) -> Result<Vec<PushResult>, HqError> {
        let keys = self.key_ring()?;
        let mut results = Vec::with_capacity(events.len());
        let mut accepted: Vec<(Event<CertificateEvent>, String)> = Vec::new();
        let mut overlay: std::collections::HashMap<String, Vec<Event<CertificateEvent>>> = Default::default();
        let mut office_of_new: std::collections::HashMap<String, String> = Default::default();
        let mut revoked_views = Vec::new();
        for e in events {
            let result = |status, reason: Option<String>| PushResult { id: e.id.clone(), status, reason };
            let held = match accepted.iter().find(|(a, _)| a.id == e.id) {
                Some((a, _)) => Some(serde_json::to_string(a).expect("an event serialises")),
                None => self.db.event_body(&e.id)?,
            };
            if let Some(held) = held {
                results.push(same_event(&held, e));
                continue;
            }
            if let Err(err) = e.check_ids(true) {
                results.push(result(PushStatus::Rejected, Some(err.to_string())));
                continue;
            }
            let office = match &e.body {
                CertificateEvent::Created { request } => Some(request.issuing_office.clone()),
                _ => match office_of_new.get(&e.case_id) {
                    Some(o) => Some(o.clone()),
                    None => self.db.case_office(&e.case_id)?,
                },
            };
            let Some(office) = office else {
                // Its case is not back yet (another device holds its start): sent again next sync.
                results.push(result(PushStatus::Rejected, Some(RECOVER_CASE_NOT_BACK.into())));
                continue;
            };
            let in_scope = match device.role {
                Role::Headquarters => true,
                Role::ConsularOfficer => office == device.office,
                Role::BorderGuard => e.author == device.id && matches!(e.body, CertificateEvent::Entered { .. }),
            };
            if !in_scope {
                results.push(result(PushStatus::Rejected, Some("no such case in this device's office".into())));
                continue;
            }
            if let Some(a) = self.db.device(&e.author)? {
                if a.revoked {
                    results.push(result(PushStatus::Rejected, Some("its author was revoked".into())));
                    continue;
                }
            }
            let mut case_events = self.db.case_events(&e.case_id)?;
            case_events.extend(overlay.get(&e.case_id).cloned().unwrap_or_default());
            if let Err(err) = admit(&e.case_id, &case_events, e, &keys) {
                results.push(result(PushStatus::Rejected, Some(err.to_string())));
                continue;
            }
            if let CertificateEvent::Revoked { .. } = e.body {
                revoked_views.push(fold(&e.case_id, &case_events, &keys));
            }
            overlay.entry(e.case_id.clone()).or_default().push(e.clone());
            office_of_new.insert(e.case_id.clone(), office.clone());
            accepted.push((e.clone(), office));
            results.push(result(PushStatus::Accepted, None));
        }
        if !self.db.insert_events(&accepted, now_ms())? {
            return Err(HqError::Refused("an author was revoked meanwhile; send again".into()));
        }
        for view in revoked_views {
            self.note_revocation(&view)?;
        }
        Ok(results)
    }

    /// A device pruned the audit entries after `resume` that the restored
    /// headquarters lost: its chain goes on from `resume`, and the gap is
    /// kept for [`Hq::restore_report`]. Only on a restored headquarters.
    pub(crate) fn accept_audit_gap(&self, device: &str, from_seq: u64, to_seq: u64) -> Result<bool, HqError> {
        if self.restored()?.is_none() {
            return Ok(false);
        }
        let mut gaps: Vec<AuditGap> =
            self.db.get_kv(&gap_key(device))?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
        gaps.push(AuditGap { device: device.to_string(), from_seq, to_seq, noted_ms: now_ms() });
        self.db.set_kv(&gap_key(device), &serde_json::to_string(&gaps).expect("serialises"))?;
        Ok(true)
    }

    /// What was lost for good: records devices' audit trails show purged
    /// after acknowledgement that headquarters does not hold, and audit
    /// entries nobody holds; and the devices not heard from since the
    /// restore (until they sync, the report is not final).
    pub fn restore_report(&self) -> Result<RestoreReport, HqError> {
        let restored = self.restored()?;
        let devices = self.db.devices()?;
        let office_of = |id: &str| devices.iter().find(|d| d.id == id).map(|d| d.office.clone()).unwrap_or_default();
        let mut lost = vec![];
        for e in self.db.audit_entries(None)? {
            if e.action != AuditAction::Purge || e.subject.id.is_empty() {
                continue;
            }
            let held = match e.subject.kind {
                SubjectKind::CertificateCase => self.db.case_office(&e.subject.id)?.is_some(),
                SubjectKind::Screening => self.db.has_screening(&e.subject.id)?,
                _ => true,
            };
            if !held && !lost.iter().any(|l: &LostRecord| l.id == e.subject.id) {
                lost.push(LostRecord {
                    kind: e.subject.kind,
                    id: e.subject.id.clone(),
                    device: e.device_id.clone(),
                    office: office_of(&e.device_id),
                    purged_ms: e.at_ms,
                });
            }
        }
        let mut audit_gaps = vec![];
        for d in &devices {
            if let Some(v) = self.db.get_kv(&gap_key(&d.id))? {
                audit_gaps.extend(serde_json::from_str::<Vec<AuditGap>>(&v).unwrap_or_default());
            }
        }
        let not_synced_since = match &restored {
            Some(r) => devices
                .iter()
                .filter(|d| !d.revoked && d.last_seen_ms.is_none_or(|t| t < r.restored_ms))
                .map(|d| d.id.clone())
                .collect(),
            None => vec![],
        };
        Ok(RestoreReport { restored, lost, audit_gaps, not_synced_since })
    }
}
