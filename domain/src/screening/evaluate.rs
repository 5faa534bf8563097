//! The evaluation of a screening against the UN Protocol's definition of
//! trafficking (art. 3) and the national Law (art. 1). Pure: the same
//! answers, template and date always give the same outcome, in any language.
//!
//! - An adult shows the profile of a presumed victim when at least one act,
//!   one means and one purpose are indicated.
//! - A child (under 18) needs only an act and a purpose (art. 3(c)).
//! - Consent is irrelevant once any means was used (art. 3(b)).
//! - Indicators short of that call for a further interview, not a verdict.
//!
//! The outcome is a recommendation, not a legal finding: identification is
//! confirmed by investigators, prosecutors or courts (Law art. 28).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::actions::{recommended_actions, RecommendedAction};
use super::answers::Answers;
use super::checklist::{Checklist, ChildStatus, Stage};
use super::template::{AnswerValue, DocumentSituation, Element, Exploitation, Indicator, Role};
use crate::date::IsoDate;

/// The recommendation, from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    NoIndicators,
    /// Indicators present, short of the full profile: interview further.
    FurtherInterview,
    /// The profile of a presumed victim of trafficking.
    PresumedVictim,
}

/// One answer behind an element: the question, and the option if a choice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation: Option<Exploitation>,
}

/// The answers behind each element: the "why" shown to the officer and kept
/// with the record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ElementEvidence {
    pub act: Vec<Evidence>,
    pub means: Vec<Evidence>,
    pub purpose: Vec<Evidence>,
    pub control: Vec<Evidence>,
    pub child: Vec<Evidence>,
}

impl ElementEvidence {
    fn push(&mut self, element: Element, e: Evidence) {
        let list = match element {
            Element::Act => &mut self.act,
            Element::Means => &mut self.means,
            Element::Purpose => &mut self.purpose,
            Element::Control => &mut self.control,
            Element::Child => &mut self.child,
        };
        list.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.act.is_empty()
            && self.means.is_empty()
            && self.purpose.is_empty()
            && self.control.is_empty()
            && self.child.is_empty()
    }

    pub fn count(&self) -> usize {
        self.act.len() + self.means.len() + self.purpose.len() + self.control.len() + self.child.len()
    }
}

/// Everything the evaluation concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningOutcome {
    pub template_id: String,
    pub template_version: u32,
    pub screening_date: IsoDate,
    pub verdict: Verdict,
    /// Whether the child rule (act and purpose suffice) was applied, and why.
    pub child: ChildOutcome,
    pub exploitation: Vec<Exploitation>,
    pub evidence: ElementEvidence,
    /// The person said they agreed, but a means was used: their consent does
    /// not matter (Protocol art. 3(b)).
    pub consent_irrelevant: bool,
    /// The person asked for shelter (offered for 10 days, Law art. 21).
    pub shelter_requested: bool,
    /// The person carries another person's documents or none (Law art. 18):
    /// recorded and handed over whatever the verdict.
    pub documents: Option<DocumentSituation>,
    /// Which elements the profile still lacks (empty for a presumed victim).
    pub missing_elements: Vec<Element>,
    pub actions: Vec<RecommendedAction>,
    /// Required questions still unanswered: a screening cannot be finalised
    /// while this is not empty. In the queue, private-interview questions
    /// are not among them (they are in `left_for_private`).
    pub unanswered_required: Vec<String>,
    /// Shown questions asked only in a private interview that the screening
    /// (worked in the queue) did not reach: not asked, so not "no".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_for_private: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildOutcome {
    pub treated_as_child: bool,
    #[serde(flatten)]
    pub status: ChildStatusRecord,
}

/// [`ChildStatus`] as stored with the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ChildStatusRecord {
    Minor { age: u32 },
    AppearsMinor,
    AgeInDoubt { documented_age: u32 },
    Adult { age: u32 },
    Unknown,
}

impl From<ChildStatus> for ChildStatusRecord {
    fn from(s: ChildStatus) -> Self {
        match s {
            ChildStatus::Minor { age } => ChildStatusRecord::Minor { age },
            ChildStatus::AppearsMinor => ChildStatusRecord::AppearsMinor,
            ChildStatus::AgeInDoubt { documented_age } => ChildStatusRecord::AgeInDoubt { documented_age },
            ChildStatus::Adult { age } => ChildStatusRecord::Adult { age },
            ChildStatus::Unknown => ChildStatusRecord::Unknown,
        }
    }
}

fn evidence_of(indicator: &Indicator, question: &str, option: Option<&str>, out: &mut ElementEvidence) {
    for element in &indicator.elements {
        out.push(
            *element,
            Evidence {
                question: question.to_string(),
                option: option.map(str::to_string),
                exploitation: if *element == Element::Purpose { indicator.exploitation } else { None },
            },
        );
    }
}

/// Evaluates the answers on `date` (the screening date, from which age is
/// computed), for a screening worked in the queue. Only answers to questions
/// currently shown count.
pub fn evaluate(checklist: &Checklist, answers: &Answers, date: IsoDate) -> ScreeningOutcome {
    evaluate_in(checklist, answers, date, Stage::Queue)
}

/// Evaluates a screening's own answers at the stage it is in.
pub fn evaluate_screening(checklist: &Checklist, s: &super::Screening) -> ScreeningOutcome {
    evaluate_in(checklist, &s.effective_answers(), s.screening_date, s.stage())
}

/// [`evaluate`] at a stage: in the queue, unanswered private-interview
/// questions are left for the private interview rather than required; in
/// the private interview every shown question counts.
pub fn evaluate_in(checklist: &Checklist, answers: &Answers, date: IsoDate, stage: Stage) -> ScreeningOutcome {
    let view = checklist.view(answers, date);
    let mut evidence = ElementEvidence::default();
    for q in checklist.questions() {
        let Some(answer) = view.get(&q.id) else {
            continue;
        };
        match answer {
            AnswerValue::YesNo(_) if answer.is_yes() => {
                if let Some(ind) = &q.indicator {
                    evidence_of(ind, &q.id, None, &mut evidence);
                }
            }
            AnswerValue::Choice(_) | AnswerValue::Choices(_) => {
                for o in q.answer.options() {
                    if let (true, Some(ind)) = (answer.chose(&o.id), &o.indicator) {
                        evidence_of(ind, &q.id, Some(&o.id), &mut evidence);
                    }
                }
            }
            _ => {}
        }
    }

    let child_status = view.child_status();
    let is_child = child_status.is_child();
    let (has_act, has_means, has_purpose) =
        (!evidence.act.is_empty(), !evidence.means.is_empty(), !evidence.purpose.is_empty());
    let mut missing = Vec::new();
    if !has_act {
        missing.push(Element::Act);
    }
    if !has_means && !is_child {
        missing.push(Element::Means);
    }
    if !has_purpose {
        missing.push(Element::Purpose);
    }
    let documents = view.documents();
    let verdict = if missing.is_empty() {
        Verdict::PresumedVictim
    } else if !evidence.is_empty() {
        Verdict::FurtherInterview
    } else {
        Verdict::NoIndicators
    };
    let exploitation: BTreeSet<Exploitation> = evidence.purpose.iter().filter_map(|e| e.exploitation).collect();
    let consent_irrelevant = has_means && view.role_is_yes(Role::ConsentGiven);
    let shelter_requested = view.role_is_yes(Role::WantsShelter);
    let foreign = view.role_is_no(Role::Citizen);
    let actions = recommended_actions(verdict, is_child, documents, foreign, consent_irrelevant);

    ScreeningOutcome {
        template_id: checklist.template().id.clone(),
        template_version: checklist.template().version,
        screening_date: date,
        verdict,
        child: ChildOutcome { treated_as_child: is_child, status: child_status.into() },
        exploitation: exploitation.into_iter().collect(),
        evidence,
        consent_irrelevant,
        shelter_requested,
        documents,
        missing_elements: missing,
        actions,
        unanswered_required: view
            .missing_required()
            .into_iter()
            .filter(|q| checklist.question(q).is_some_and(|q| stage.asks(q)))
            .collect(),
        left_for_private: match stage {
            Stage::Queue => checklist.left_for_private(answers, &BTreeSet::new(), date),
            Stage::Private => Vec::new(),
        },
    }
}
