//! Finalised screenings on the signed event log, as headquarters receives
//! them. Least data: a report carries the verdict, which elements were
//! found and by which indicator questions, the child rule and the kinds of
//! exploitation: what headquarters needs to count, review and plan. It never
//! carries the person's name, document number, date of birth or any free
//! text; those stay sealed on the device (referrals travel separately,
//! encrypted to the partner).

use serde::{Deserialize, Serialize};

use super::evaluate::{Evidence, ScreeningOutcome, Verdict};
use super::record::{Screening, ScreeningState};
use super::template::{Element, Exploitation};
use super::{Checklist, IsoDate};
use crate::certificate::store::SyncState;
use crate::certificate::{CaseError, DeviceProfile};
use crate::events::{Event, KeyRing, Role};
use crate::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault, VaultError};

const KIND: &str = "screening_event";

/// What headquarters learns of a screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningReport {
    #[serde(rename = "t")]
    pub template_id: String,
    #[serde(rename = "tv")]
    pub template_version: u32,
    #[serde(rename = "cp")]
    pub crossing_point: String,
    #[serde(rename = "d")]
    pub screening_date: IsoDate,
    #[serde(rename = "v")]
    pub verdict: Verdict,
    /// The child rule applied (act and purpose suffice).
    #[serde(rename = "ch")]
    pub child: bool,
    /// Indicator questions that fired, per element (question ids only).
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    pub act: Vec<String>,
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub means: Vec<String>,
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    pub purpose: Vec<String>,
    #[serde(rename = "c", default, skip_serializing_if = "Vec::is_empty")]
    pub control: Vec<String>,
    /// Signs specific to a child.
    #[serde(rename = "k", default, skip_serializing_if = "Vec::is_empty")]
    pub child_signs: Vec<String>,
    #[serde(rename = "x", default, skip_serializing_if = "Vec::is_empty")]
    pub exploitation: Vec<Exploitation>,
    #[serde(rename = "sh", default)]
    pub shelter_requested: bool,
}

/// A screening event's body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum ScreeningEvent {
    Finalised {
        r: ScreeningReport,
    },
    /// A correction after finalising: the outcome over the corrected answers.
    Amended {
        r: ScreeningReport,
    },
}

impl ScreeningEvent {
    pub fn report(&self) -> &ScreeningReport {
        match self {
            ScreeningEvent::Finalised { r } | ScreeningEvent::Amended { r } => r,
        }
    }
}

fn ids(e: &[Evidence]) -> Vec<String> {
    let mut v: Vec<String> = e.iter().map(|e| e.question.clone()).collect();
    v.sort();
    v.dedup();
    v
}

impl ScreeningReport {
    pub fn from_outcome(crossing_point: &str, o: &ScreeningOutcome) -> ScreeningReport {
        ScreeningReport {
            template_id: o.template_id.clone(),
            template_version: o.template_version,
            crossing_point: crossing_point.to_string(),
            screening_date: o.screening_date,
            verdict: o.verdict,
            child: o.child.treated_as_child,
            act: ids(&o.evidence.act),
            means: ids(&o.evidence.means),
            purpose: ids(&o.evidence.purpose),
            control: ids(&o.evidence.control),
            child_signs: ids(&o.evidence.child),
            exploitation: o.exploitation.clone(),
            shelter_requested: o.shelter_requested,
        }
    }

    /// Whether the report is consistent with the checklist it names: every
    /// question exists and indicates the element it is listed under, and the
    /// verdict follows from the elements by the Protocol's rule. Headquarters
    /// refuses a report that fails (a forged or corrupted outcome).
    pub fn check(&self, checklist: &Checklist) -> Result<(), String> {
        let t = checklist.template();
        if self.template_id != t.id || self.template_version != t.version {
            return Err(format!("unknown checklist {} v{}", self.template_id, self.template_version));
        }
        for (element, list) in [
            (Element::Act, &self.act),
            (Element::Means, &self.means),
            (Element::Purpose, &self.purpose),
            (Element::Control, &self.control),
            (Element::Child, &self.child_signs),
        ] {
            for q in list {
                let question = checklist.question(q).ok_or_else(|| format!("no question {q:?} in the checklist"))?;
                let marks =
                    |i: &Option<super::template::Indicator>| i.as_ref().is_some_and(|i| i.elements.contains(&element));
                if !marks(&question.indicator) && !question.answer.options().iter().any(|o| marks(&o.indicator)) {
                    return Err(format!("question {q:?} does not indicate {element:?}"));
                }
            }
        }
        let (act, means, purpose) = (!self.act.is_empty(), !self.means.is_empty(), !self.purpose.is_empty());
        let profile = act && purpose && (means || self.child);
        let any = act || means || purpose || !self.control.is_empty() || !self.child_signs.is_empty();
        let expected = if profile {
            Verdict::PresumedVictim
        } else if any {
            Verdict::FurtherInterview
        } else {
            Verdict::NoIndicators
        };
        if self.verdict != expected {
            return Err(format!("the verdict {:?} does not follow from the indicators ({expected:?})", self.verdict));
        }
        Ok(())
    }
}

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
            let e = Event::new(&me, &screening.id, prev.take(), profile.tick(now_ms), body);
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

/// Headquarters' check of a pushed screening event: signed by a device that
/// screens (a border post or a consulate), by the device that sent it, and
/// consistent with the checklist it names.
pub fn check_event(e: &Event<ScreeningEvent>, keys: &KeyRing, checklist: &Checklist) -> Result<(), String> {
    e.verify(keys).map_err(|err| err.to_string())?;
    if !matches!(e.role, Role::BorderGuard | Role::ConsularOfficer) {
        return Err("only a border post or a consulate screens".into());
    }
    e.body.report().check(checklist)
}
