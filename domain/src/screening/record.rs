//! A screening as a record of answers: who was screened (optional), the
//! answers, the finalised outcome and the addenda that correct it without
//! erasing. Plain data; where it is kept is the store's business.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::answers::Answers;
use super::checklist::Stage;
use super::consent::ReferralConsent;
use super::evaluate::ScreeningOutcome;
use super::template::Lang;
use crate::date::IsoDate;

/// Who was screened. Minimal and optional: a person may refuse, have no
/// documents, or carry another person's (Law art. 18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The person declined to give identifying details.
    #[serde(default)]
    pub refused: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
    /// When the person carries another person's document: the name on it.
    #[serde(default)]
    pub document_holder_name: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ScreeningState {
    Draft,
    Final { finalised_unix_ms: i64, outcome: Box<ScreeningOutcome> },
}

/// A correction made after finalisation. The original answers stay; the
/// addendum holds only what changed, why, and the outcome re-evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Addendum {
    pub unix_ms: i64,
    #[serde(default)]
    pub officer: Option<String>,
    pub reason: String,
    pub answers: Answers,
    #[serde(default)]
    pub subject: Option<Subject>,
    pub outcome: ScreeningOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screening {
    pub id: String,
    pub template_id: String,
    pub template_version: u32,
    /// The crossing point's code (reference data).
    pub crossing_point: String,
    #[serde(default)]
    pub officer: Option<String>,
    /// The language the checklist was worked in (the outcome does not depend on it).
    pub language: Lang,
    pub screening_date: IsoDate,
    pub started_unix_ms: i64,
    pub subject: Subject,
    pub answers: Answers,
    #[serde(default)]
    pub skipped: BTreeSet<String>,
    #[serde(flatten)]
    pub state: ScreeningState,
    #[serde(default)]
    pub addenda: Vec<Addendum>,
    #[serde(default)]
    pub consents: Vec<ReferralConsent>,
    /// Set when the screening was moved to a private interview (after the
    /// non-punishment assurance); absent while it is worked in the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_interview: Option<PrivateInterview>,
}

/// The move of a screening from the queue to a private interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateInterview {
    pub started_unix_ms: i64,
    #[serde(default)]
    pub officer: Option<String>,
}

impl Screening {
    pub fn is_final(&self) -> bool {
        matches!(self.state, ScreeningState::Final { .. })
    }

    /// Where the screening is worked: the queue until moved to a private interview.
    pub fn stage(&self) -> Stage {
        if self.private_interview.is_some() {
            Stage::Private
        } else {
            Stage::Queue
        }
    }

    /// The answers as they stand after every addendum.
    pub fn effective_answers(&self) -> Answers {
        let mut a = self.answers.clone();
        for ad in &self.addenda {
            a.extend(ad.answers.clone());
        }
        a
    }

    pub fn effective_subject(&self) -> &Subject {
        self.addenda.iter().rev().find_map(|a| a.subject.as_ref()).unwrap_or(&self.subject)
    }

    /// The current outcome: the last addendum's, else the one at finalisation.
    pub fn outcome(&self) -> Option<&ScreeningOutcome> {
        match &self.state {
            ScreeningState::Draft => None,
            ScreeningState::Final { outcome, .. } => Some(self.addenda.last().map(|a| &a.outcome).unwrap_or(outcome)),
        }
    }
}
