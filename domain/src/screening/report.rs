//! Finalised screenings on the signed event log, as headquarters receives
//! them. Least data: a report carries the verdict, which elements were
//! found and by which indicator questions, the child rule and the kinds of
//! exploitation: what headquarters needs to count, review and plan. It never
//! carries the person's name, document number, date of birth or any free
//! text; those stay sealed on the device (referrals travel separately,
//! encrypted to the partner).

use serde::{Deserialize, Serialize};

use super::evaluate::{Evidence, ScreeningOutcome, Verdict};
use super::template::{Element, Exploitation};
use super::Checklist;
use crate::date::IsoDate;
use crate::events::{Event, KeyRing, Role};

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
    /// Private-interview questions not asked (question ids only): the
    /// verdict was reached without them.
    #[serde(rename = "lp", default, skip_serializing_if = "Vec::is_empty")]
    pub left_for_private: Vec<String>,
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
            left_for_private: o.left_for_private.clone(),
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
        for q in &self.left_for_private {
            let question = checklist.question(q).ok_or_else(|| format!("no question {q:?} in the checklist"))?;
            if !question.asked_in.is_private() {
                return Err(format!("question {q:?} is not a private-interview question"));
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
