//! Retention: nothing stays on a device longer than needed (Law art. 25;
//! the monitoring report's recommendation 11). A certificate case whose every
//! event headquarters holds (accepted from here or received from there), and a
//! finalised screening headquarters has acknowledged, are purged once the
//! retention period has passed since the acknowledgement was first seen here.
//! Drafts and anything with an event not yet accepted are never purged.
//! When headquarters reports its backups (the pull's `backups`), nothing is
//! purged that no finished backup of headquarters holds, and no audit entry
//! pruned past what one holds: a restore of headquarters from its backup
//! then loses nothing a device no longer has (docs/PROTOCOL.md).
//!
//! Purging deletes the records, their blind-index tags and attachments
//! (`secure_delete` zeroes the freed cells), then [`Vault::scrub`] checkpoints
//! the WAL, rebuilds the file with VACUUM and empties the WAL, so that no file
//! of the vault keeps a byte of the case (tested by scanning every file).
//!
//! When a case was acknowledged is kept in a sealed ledger: the time this
//! module first saw it fully acknowledged (or the time sync reports it, via
//! [`note_case_acknowledged`]). The clock is passed in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{AuditAction, AuditFact, AuditLog, AuditLogError, Subject, SubjectKind};
use crate::certificate::store::{StoredEvent, SyncState, EVENT_KIND};
use crate::screening::{Screening, SCREENING_KIND};
use crate::vault::{Lookup, NewRecord, RecordId, Vault, VaultError};

/// Default days between headquarters' acknowledgement and the purge.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// The kind of the record holding a certificate case's photo (an attachment).
pub const CASE_PHOTO_KIND: &str = "case.photo";
const LEDGER_KIND: &str = "retention.ledger";
/// Screenings on the signed event log (`core/src/screening/events.rs` once
/// merged): records of this kind, found by `screening-case` = the screening
/// id, with a body `{"event": ..., "sync": {"state": ...}}`.
const SCREENING_EVENT_KIND: &str = "screening_event";
const DAY_MS: i64 = 86_400_000;

fn ledger_id() -> RecordId {
    let h = Sha256::digest(b"homeward/singleton/retention.ledger");
    RecordId(uuid::Uuid::from_slice(&h[..16]).expect("16 bytes"))
}

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Audit(#[from] AuditLogError),
    #[error("only a finalised screening can be acknowledged")]
    NotFinal,
    #[error("no screening with that id")]
    NotFound,
    #[error("stored data could not be read: {0}")]
    Corrupt(&'static str),
}

/// Acknowledgement times (unix ms) and the configured period, sealed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Ledger {
    #[serde(default)]
    period_days: Option<u32>,
    #[serde(default)]
    cases: BTreeMap<String, i64>,
    #[serde(default)]
    screenings: BTreeMap<String, i64>,
    /// Headquarters' backup number begun when each acknowledged case
    /// (`case:ID`) or screening (`screening:ID`) was first seen here: it is
    /// durably kept once a backup numbered above it is done.
    #[serde(default)]
    durable_after: BTreeMap<String, u64>,
    /// (backup begun, audit entries synced through) as seen at each run:
    /// entries are pruned only up to what a finished backup holds.
    #[serde(default)]
    audit_marks: Vec<(u64, u64)>,
}

/// Headquarters was restored from a backup: its numbering and what it
/// holds start again, so every acknowledgement waits for a new backup.
pub fn forget_durability(vault: &mut Vault) -> Result<(), RetentionError> {
    let mut l = load(vault)?;
    l.durable_after.clear();
    l.audit_marks.clear();
    save(vault, &l)
}

fn load(vault: &Vault) -> Result<Ledger, RetentionError> {
    match vault.get(LEDGER_KIND, ledger_id()) {
        Ok(r) => serde_json::from_slice(&r.body).map_err(|_| RetentionError::Corrupt("retention ledger")),
        Err(VaultError::NotFound(_)) => Ok(Ledger::default()),
        Err(e) => Err(e.into()),
    }
}

fn save(vault: &mut Vault, ledger: &Ledger) -> Result<(), RetentionError> {
    let body = serde_json::to_vec(ledger).expect("the ledger serialises");
    vault.put(&NewRecord { id: ledger_id(), kind: LEDGER_KIND, schema_version: 1, body: &body, index: &[] })?;
    Ok(())
}

/// The configured retention period in days.
pub fn period_days(vault: &Vault) -> Result<u32, RetentionError> {
    Ok(load(vault)?.period_days.unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// Sets the retention period (headquarters' setting; 0 purges at the next run
/// after acknowledgement).
pub fn set_period_days(vault: &mut Vault, days: u32) -> Result<(), RetentionError> {
    let mut l = load(vault)?;
    l.period_days = Some(days);
    save(vault, &l)
}

/// Records that headquarters acknowledged a finalised screening at `now_ms`:
/// for screenings not on the event log (a device without an identity, or
/// before the event log is merged); a draft is refused. Screenings on the
/// log are acknowledged by their events' sync state (see [`run`]).
pub fn mark_screening_acknowledged(vault: &mut Vault, id: RecordId, now_ms: i64) -> Result<(), RetentionError> {
    let s = screening(vault, id)?.ok_or(RetentionError::NotFound)?;
    if !s.is_final() {
        return Err(RetentionError::NotFinal);
    }
    let mut l = load(vault)?;
    l.screenings.entry(s.id).or_insert(now_ms);
    save(vault, &l)
}

/// Records when sync learnt that headquarters holds every event of a case
/// (optional: [`run`] otherwise notes the time it first sees it).
pub fn note_case_acknowledged(vault: &mut Vault, case_id: &str, now_ms: i64) -> Result<(), RetentionError> {
    let mut l = load(vault)?;
    l.cases.entry(case_id.to_string()).or_insert(now_ms);
    save(vault, &l)
}

fn screening(vault: &Vault, id: RecordId) -> Result<Option<Screening>, RetentionError> {
    match vault.get(SCREENING_KIND, id) {
        Ok(r) => Ok(Some(serde_json::from_slice(&r.body).map_err(|_| RetentionError::Corrupt("screening"))?)),
        Err(VaultError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A screening's events on the log, and whether headquarters holds them all.
fn screening_events(vault: &Vault, sid: &str) -> Result<(Vec<RecordId>, bool), RetentionError> {
    let mut ids = Vec::new();
    let mut held = true;
    for id in vault.find(Lookup::Keyword { field: "screening-case", value: sid })? {
        let r = match vault.get(SCREENING_EVENT_KIND, id) {
            Ok(r) => r,
            Err(VaultError::NotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        let v: serde_json::Value =
            serde_json::from_slice(&r.body).map_err(|_| RetentionError::Corrupt("screening event"))?;
        held &= matches!(v.pointer("/sync/state").and_then(|s| s.as_str()), Some("accepted" | "received"));
        ids.push(id);
    }
    Ok((ids, held))
}

/// Whether headquarters durably keeps what was acknowledged under `key`:
/// always when it reports no backups; else once a backup begun after the
/// acknowledgement was first seen here is done (the number begun then is
/// noted at the first look).
fn durable(
    marks: &mut BTreeMap<String, u64>,
    key: String,
    backups: Option<homeward_domain::sync::protocol::BackupMark>,
) -> bool {
    match backups {
        None => true,
        Some(b) => b.done > *marks.entry(key).or_insert(b.started),
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub period_days: u32,
    pub purged_cases: Vec<String>,
    pub purged_screenings: Vec<String>,
    /// Acknowledged, waiting for the period to pass.
    pub waiting: usize,
    /// Audit entries pruned after headquarters held them for the period.
    pub pruned_audit_entries: usize,
}

/// Purges what the rule allows at `now_ms`. Each purge is audited (by opaque
/// id); the vault is scrubbed once at the end if anything went.
pub fn run(vault: &mut Vault, now_ms: i64) -> Result<RetentionReport, RetentionError> {
    let mut ledger = load(vault)?;
    let period = ledger.period_days.unwrap_or(DEFAULT_RETENTION_DAYS);
    let due = |acked: i64| acked.saturating_add(period as i64 * DAY_MS) <= now_ms;
    let mut report = RetentionReport { period_days: period, ..Default::default() };

    // Certificate cases: group event records by case, with whether each is held by headquarters.
    let mut cases: BTreeMap<String, (Vec<RecordId>, bool)> = BTreeMap::new();
    let mut events_of: BTreeMap<String, Vec<crate::events::Event<crate::certificate::CertificateEvent>>> =
        BTreeMap::new();
    for id in vault.list(EVENT_KIND)? {
        let r = vault.get(EVENT_KIND, id)?;
        let s: StoredEvent = serde_json::from_slice(&r.body).map_err(|_| RetentionError::Corrupt("event"))?;
        let held = matches!(s.sync, SyncState::Accepted | SyncState::Received);
        let slot = cases.entry(s.event.case_id.clone()).or_insert((Vec::new(), true));
        slot.0.push(id);
        slot.1 &= held;
        events_of.entry(s.event.case_id.clone()).or_default().push(s.event);
    }
    // Only a closed case goes (rejected, entered, expired, cancelled, revoked):
    // an open one still has work on this device, and its later events
    // would arrive without the ones purged.
    let profile = crate::certificate::DeviceProfile::load(vault).ok();
    // Headquarters' backups, when it reports them: nothing goes from here
    // that no finished backup of headquarters holds (a restore would lose it).
    let backups = profile.as_ref().and_then(|p| p.hq_backups);
    let keys = profile.map(|p| p.keyring).unwrap_or_default();
    let today = crate::date::IsoDate::from_unix_ms(now_ms);
    for (case_id, slot) in cases.iter_mut() {
        let view = crate::certificate::fold(case_id, events_of.get(case_id).map(Vec::as_slice).unwrap_or(&[]), &keys);
        if !view.state_on(today).is_some_and(|s| s.is_terminal()) {
            slot.1 = false;
        }
    }
    // A case with a new pending event starts its period again once acknowledged.
    ledger.cases.retain(|c, _| cases.get(c).is_some_and(|(_, held)| *held));
    let mut doomed_cases = Vec::new();
    for (case_id, (records, held)) in &cases {
        if !held {
            continue;
        }
        let acked = *ledger.cases.entry(case_id.clone()).or_insert(now_ms);
        // Noted at the first look, not when due: the sooner, the sooner a backup covers it.
        let kept = durable(&mut ledger.durable_after, format!("case:{case_id}"), backups);
        if due(acked) && kept {
            doomed_cases.push((case_id.clone(), records.clone()));
        } else {
            report.waiting += 1;
        }
    }

    // Finalised screenings whose every event headquarters holds count as
    // acknowledged; one with an event still pending (an addendum) starts again.
    for rid in vault.list(SCREENING_KIND)? {
        let Some(s) = screening(vault, rid)? else { continue };
        let (events, held) = screening_events(vault, &s.id)?;
        if !s.is_final() || events.is_empty() {
            continue;
        }
        if held {
            ledger.screenings.entry(s.id.clone()).or_insert(now_ms);
        } else {
            ledger.screenings.remove(&s.id);
        }
    }

    let mut doomed_screenings = Vec::new();
    for (sid, acked) in ledger.screenings.clone() {
        let Ok(rid) = sid.parse::<RecordId>() else { continue };
        match screening(vault, rid)? {
            // Only a finalised screening ever enters the ledger; check again.
            Some(s) if s.is_final() => {
                let kept = durable(&mut ledger.durable_after, format!("screening:{sid}"), backups);
                if due(acked) && kept {
                    doomed_screenings.push((sid, rid));
                } else {
                    report.waiting += 1;
                }
            }
            _ => {
                ledger.screenings.remove(&sid);
            }
        }
    }

    // Each case or screening goes in one transaction: a crash never leaves half of one.
    for (case_id, records) in doomed_cases {
        let mut all: Vec<(&str, RecordId)> = records.into_iter().map(|r| (EVENT_KIND, r)).collect();
        for rid in vault.find(Lookup::Keyword { field: crate::certificate::photo::INDEX_FIELD, value: &case_id })? {
            all.push((CASE_PHOTO_KIND, rid));
        }
        vault.delete_many(&all)?;
        ledger.cases.remove(&case_id);
        AuditLog::new(vault)
            .append(now_ms, AuditFact::new(AuditAction::Purge, Subject::new(SubjectKind::CertificateCase, &case_id)))?;
        report.purged_cases.push(case_id);
    }
    for (sid, rid) in doomed_screenings {
        let mut all = vec![(SCREENING_KIND, rid)];
        all.extend(screening_events(vault, &sid)?.0.into_iter().map(|e| (SCREENING_EVENT_KIND, e)));
        for r in vault.find(Lookup::Keyword { field: "referral-screening", value: &sid })? {
            all.push((crate::referral::REFERRAL_KIND, r));
        }
        vault.delete_many(&all)?;
        ledger.screenings.remove(&sid);
        AuditLog::new(vault)
            .append(now_ms, AuditFact::new(AuditAction::Purge, Subject::new(SubjectKind::Screening, &sid)))?;
        report.purged_screenings.push(sid);
    }
    let (cases_held, screenings_held) = (&ledger.cases, &ledger.screenings);
    ledger.durable_after.retain(|k, _| match k.split_once(':') {
        Some(("case", id)) => cases_held.contains_key(id),
        Some(("screening", id)) => screenings_held.contains_key(id),
        _ => false,
    });
    let audit_through = match backups {
        None => u64::MAX,
        Some(b) => {
            let synced = AuditLog::new(vault).head()?.map_or(0, |h| h.synced_through);
            if ledger.audit_marks.last().is_none_or(|(_, s)| *s < synced) {
                ledger.audit_marks.push((b.started, synced));
            }
            let through = ledger.audit_marks.iter().filter(|(n, _)| *n < b.done).map(|(_, s)| *s).max().unwrap_or(0);
            // Marks a finished backup passed are summed up by the last of them.
            let keep_from = ledger.audit_marks.iter().rposition(|(n, _)| *n < b.done).unwrap_or(0);
            ledger.audit_marks.drain(..keep_from);
            through
        }
    };
    save(vault, &ledger)?;
    report.pruned_audit_entries =
        AuditLog::new(vault).prune_synced_through(now_ms.saturating_sub(period as i64 * DAY_MS), audit_through)?;
    if !report.purged_cases.is_empty() || !report.purged_screenings.is_empty() || report.pruned_audit_entries > 0 {
        vault.scrub()?;
    }
    Ok(report)
}
