//! The device's screening reports on the signed event log, sealed in the
//! vault with where each stands with headquarters. What a report holds and
//! how headquarters checks it is pure: `homeward_domain::screening::report`.

use serde::{Deserialize, Serialize};

use super::{Screening, ScreeningEvent, ScreeningReport, ScreeningState};
use crate::certificate::store::SyncState;
use crate::certificate::{CaseError, DeviceProfile};
use crate::events::Event;
use crate::random::OsRng;
use crate::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault, VaultError};

const KIND: &str = "screening_event";

/// A screening event kept on the device, with where it stands with
/// headquarters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredScreeningEvent {
    pub event: Event<ScreeningEvent>,
    pub sync: SyncState,
}

fn index(s: &StoredScreeningEvent) -> Vec<IndexTerm> {
    let mut index = vec![
        IndexTerm::Keyword { field: "screening-event", value: s.event.id.clone() },
        IndexTerm::Keyword { field: "screening-case", value: s.event.case_id.clone() },
    ];
    match &s.sync {
        SyncState::Pending => index.push(IndexTerm::Keyword { field: "screening-outbox", value: "pending".into() }),
        SyncState::Rejected { .. } => {
            index.push(IndexTerm::Keyword { field: "screening-outbox", value: "rejected".into() })
        }
        SyncState::Accepted | SyncState::Received => {}
    }
    index
}

/// The device's screening events, sealed in the vault.
pub struct ScreeningEvents<'a> {
    vault: &'a mut Vault,
}

impl<'a> ScreeningEvents<'a> {
    pub fn new(vault: &'a mut Vault) -> Self {
        ScreeningEvents { vault }
    }

    /// Puts a finalised screening, and each of its addenda, on the log,
    /// signed by this device (when it has an identity); returns the events
    /// written. Idempotent: what is already logged is not logged again.
    pub fn log(&mut self, screening: &Screening, now_ms: i64) -> Result<Vec<Event<ScreeningEvent>>, CaseError> {
        let mut profile = DeviceProfile::load(self.vault)?;
        let Ok(me) = profile.identity() else { return Ok(Vec::new()) };
        let ScreeningState::Final { outcome, .. } = &screening.state else { return Ok(Vec::new()) };
        let mut wanted =
            vec![ScreeningEvent::Finalised { r: ScreeningReport::from_outcome(&screening.crossing_point, outcome) }];
        wanted.extend(screening.addenda.iter().map(|a| ScreeningEvent::Amended {
            r: ScreeningReport::from_outcome(&screening.crossing_point, &a.outcome),
        }));
        let existing = self.of_screening(&screening.id)?;
        let mut prev = existing.last().map(|s| s.event.id.clone());
        let mut new = Vec::new();
        for body in wanted.into_iter().skip(existing.len()) {
            let e = Event::new(&me, &screening.id, prev.take(), profile.tick(now_ms), body, &mut OsRng);
            prev = Some(e.id.clone());
            new.push(e);
        }
        if new.is_empty() {
            return Ok(new);
        }
        profile.save(self.vault)?;
        let items: Vec<_> = new
            .iter()
            .map(|e| (RecordId::random(), StoredScreeningEvent { event: e.clone(), sync: SyncState::Pending }))
            .collect();
        self.write(&items)?;
        Ok(new)
    }

    fn stored_by(&self, lookup: Lookup<'_>) -> Result<Vec<(RecordId, StoredScreeningEvent)>, CaseError> {
        let mut out: Vec<(RecordId, StoredScreeningEvent)> = Vec::new();
        for id in self.vault.find(lookup)? {
            match self.vault.get(KIND, id) {
                Ok(r) => {
                    out.push((id, serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?))
                }
                Err(VaultError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        out.sort_by(|a, b| a.1.event.hlc.cmp(&b.1.event.hlc).then(a.1.event.id.cmp(&b.1.event.id)));
        Ok(out)
    }

    fn write(&mut self, items: &[(RecordId, StoredScreeningEvent)]) -> Result<(), CaseError> {
        let prepared: Vec<(RecordId, Vec<u8>, Vec<IndexTerm>)> = items
            .iter()
            .map(|(rid, s)| (*rid, serde_json::to_vec(s).expect("an event serialises"), index(s)))
            .collect();
        self.vault.write(|w| {
            for (rid, body, index) in &prepared {
                w.put(&NewRecord { id: *rid, kind: KIND, schema_version: 1, body, index })?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// The events of one screening, oldest first.
    pub fn of_screening(&self, screening_id: &str) -> Result<Vec<StoredScreeningEvent>, CaseError> {
        Ok(self
            .stored_by(Lookup::Keyword { field: "screening-case", value: screening_id })?
            .into_iter()
            .map(|(_, s)| s)
            .collect())
    }

    pub fn has_event(&self, event_id: &str) -> Result<bool, CaseError> {
        Ok(!self.vault.find(Lookup::Keyword { field: "screening-event", value: event_id })?.is_empty())
    }

    /// Events not yet accepted by headquarters, oldest first.
    pub fn outbox(&self) -> Result<Vec<Event<ScreeningEvent>>, CaseError> {
        Ok(self
            .stored_by(Lookup::Keyword { field: "screening-outbox", value: "pending" })?
            .into_iter()
            .map(|(_, s)| s.event)
            .collect())
    }

    /// Every event headquarters accepted, oldest first: sent again when
    /// headquarters was restored from an older backup.
    pub fn held_by_headquarters(&self) -> Result<Vec<Event<ScreeningEvent>>, CaseError> {
        let mut out = Vec::new();
        for id in self.vault.list(KIND)? {
            let r = self.vault.get(KIND, id)?;
            let s: StoredScreeningEvent =
                serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?;
            if matches!(s.sync, SyncState::Accepted | SyncState::Received) {
                out.push(s.event);
            }
        }
        out.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Events headquarters refused, with the reason: shown to the officer.
    pub fn rejected(&self) -> Result<Vec<(Event<ScreeningEvent>, String)>, CaseError> {
        Ok(self
            .stored_by(Lookup::Keyword { field: "screening-outbox", value: "rejected" })?
            .into_iter()
            .filter_map(|(_, s)| match s.sync {
                SyncState::Rejected { reason } => Some((s.event, reason)),
                _ => None,
            })
            .collect())
    }

    /// Records headquarters' answers.
    pub fn mark_many(&mut self, answers: &[(String, SyncState)]) -> Result<(), CaseError> {
        let mut items = Vec::new();
        for (event_id, state) in answers {
            for (rid, mut stored) in self.stored_by(Lookup::Keyword { field: "screening-event", value: event_id })? {
                stored.sync = state.clone();
                items.push((rid, stored));
            }
        }
        self.write(&items)
    }
}
