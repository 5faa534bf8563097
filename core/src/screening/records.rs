//! Screening records in the vault: drafts that save every answer as it is
//! given, finalisation (the record becomes immutable), addenda that correct
//! without erasing, consent to referral, listing and search.

use std::collections::BTreeSet;

use serde::Serialize;

use super::answers::{self, AnswerError, Answers};
use super::checklist::Checklist;
use super::consent::ReferralConsent;
use super::evaluate::evaluate_in;
use super::template::{AnswerValue, Lang};
use super::{Addendum, PrivateInterview, Screening, ScreeningState, Subject};
use crate::date::IsoDate;
use crate::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault, VaultError};

pub const SCREENING_KIND: &str = "screening";
pub const SCREENING_SCHEMA: u32 = 1;

/// Where a screening is kept in the vault: its id is the record's.
pub trait ScreeningRecordId {
    fn record_id(&self) -> Result<RecordId, ScreeningError>;
}

impl ScreeningRecordId for Screening {
    fn record_id(&self) -> Result<RecordId, ScreeningError> {
        self.id.parse().map_err(|_| ScreeningError::Corrupt("screening id".into()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScreeningError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Answer(#[from] AnswerError),
    #[error("this screening is finalised: it cannot be changed, only amended with a reason")]
    Finalised,
    #[error("this screening is still a draft: finalise it first")]
    NotFinal,
    #[error("required questions are unanswered: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    #[error("this screening used template {found}; the loaded checklist is {expected}")]
    TemplateMismatch { found: String, expected: String },
    #[error("an amendment needs a reason")]
    NoReason,
    #[error("no screening with that id")]
    NotFound,
    /// A crossing point headquarters' list does not name: nothing is saved.
    #[error("{id:?} is not a crossing point headquarters lists: choose one from the list")]
    UnknownCrossingPoint { id: String },
    #[error("stored screening could not be read: {0}")]
    Corrupt(String),
    #[error("this device has not reached headquarters for {days} days (the limit is {limit}): it is locked until it syncs or an unlock code from headquarters is entered")]
    CheckInOverdue { days: i64, limit: u32 },
}

/// How a new screening starts.
#[derive(Debug, Clone)]
pub struct NewScreening {
    pub crossing_point: String,
    pub officer: Option<String>,
    pub language: Lang,
    pub screening_date: IsoDate,
    pub now_unix_ms: i64,
}

/// One line of a list of screenings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreeningSummary {
    pub id: String,
    pub screening_date: IsoDate,
    pub crossing_point: String,
    pub is_final: bool,
    pub verdict: Option<super::evaluate::Verdict>,
    pub answered: usize,
}

/// Filters for [`ScreeningRecords::list`]; all optional.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
    pub crossing_point: Option<String>,
}

/// Screening records in a vault, worked against one checklist version.
pub struct ScreeningRecords<'a> {
    vault: &'a mut Vault,
    checklist: &'a Checklist,
}

fn index_terms(s: &Screening) -> Vec<IndexTerm> {
    let mut terms = vec![
        IndexTerm::Keyword { field: "crossing", value: s.crossing_point.clone() },
        IndexTerm::Keyword { field: "date", value: s.screening_date.to_string() },
    ];
    let mut subjects = vec![&s.subject];
    subjects.extend(s.addenda.iter().filter_map(|a| a.subject.as_ref()));
    for subj in subjects {
        if let Some(n) = &subj.name {
            terms.push(IndexTerm::Name(n.clone()));
        }
        if let Some(n) = &subj.document_holder_name {
            terms.push(IndexTerm::Name(n.clone()));
        }
        if let Some(d) = &subj.document_number {
            terms.push(IndexTerm::DocumentNumber(d.clone()));
        }
    }
    terms
}

impl<'a> ScreeningRecords<'a> {
    pub fn new(vault: &'a mut Vault, checklist: &'a Checklist) -> Self {
        ScreeningRecords { vault, checklist }
    }

    fn save(&mut self, s: &Screening) -> Result<(), ScreeningError> {
        let body = serde_json::to_vec(s).expect("a screening serialises");
        self.vault.put(&NewRecord {
            id: s.record_id()?,
            kind: SCREENING_KIND,
            schema_version: SCREENING_SCHEMA,
            body: &body,
            index: &index_terms(s),
        })?;
        Ok(())
    }

    pub fn load(&self, id: RecordId) -> Result<Screening, ScreeningError> {
        let rec = match self.vault.get(SCREENING_KIND, id) {
            Err(VaultError::NotFound(_)) => return Err(ScreeningError::NotFound),
            other => other?,
        };
        serde_json::from_slice(&rec.body).map_err(|e| ScreeningError::Corrupt(e.to_string()))
    }

    fn check_template(&self, s: &Screening) -> Result<(), ScreeningError> {
        let t = self.checklist.template();
        if s.template_id != t.id || s.template_version != t.version {
            return Err(ScreeningError::TemplateMismatch {
                found: format!("{} v{}", s.template_id, s.template_version),
                expected: format!("{} v{}", t.id, t.version),
            });
        }
        Ok(())
    }

    fn load_draft(&self, id: RecordId) -> Result<Screening, ScreeningError> {
        let s = self.load(id)?;
        if s.is_final() {
            return Err(ScreeningError::Finalised);
        }
        self.check_template(&s)?;
        Ok(s)
    }

    /// Starts a draft and saves it at once.
    pub fn start(&mut self, new: NewScreening) -> Result<Screening, ScreeningError> {
        // A device gone too long without headquarters locks itself (a lost
        // one stops working); drafts already open can still be finished.
        use crate::certificate::CaseError;
        let checked =
            crate::certificate::DeviceProfile::load(self.vault).and_then(|p| p.check_in(new.now_unix_ms).map(|()| p));
        let profile = match checked {
            Err(CaseError::CheckInOverdue { days, limit }) => {
                return Err(ScreeningError::CheckInOverdue { days, limit })
            }
            Err(CaseError::Vault(v)) => return Err(v.into()),
            Err(other) => return Err(ScreeningError::Corrupt(other.to_string())),
            Ok(p) => p,
        };
        // Only a place headquarters lists: its counts group by this code.
        if crate::crossing_points::of(&profile).find(&new.crossing_point).is_err() {
            return Err(ScreeningError::UnknownCrossingPoint { id: new.crossing_point });
        }
        let t = self.checklist.template();
        let s = Screening {
            id: RecordId::random().to_string(),
            template_id: t.id.clone(),
            template_version: t.version,
            crossing_point: new.crossing_point,
            officer: new.officer,
            language: new.language,
            screening_date: new.screening_date,
            started_unix_ms: new.now_unix_ms,
            subject: Subject::default(),
            answers: Answers::new(),
            skipped: BTreeSet::new(),
            state: ScreeningState::Draft,
            addenda: Vec::new(),
            consents: Vec::new(),
            private_interview: None,
        };
        self.save(&s)?;
        Ok(s)
    }

    /// Records one answer and saves the draft durably before returning:
    /// a crash loses at most the answer being typed.
    pub fn answer(&mut self, id: RecordId, question: &str, value: AnswerValue) -> Result<Screening, ScreeningError> {
        let mut s = self.load_draft(id)?;
        let q = self.checklist.question(question).ok_or_else(|| AnswerError::UnknownQuestion(question.into()))?;
        answers::check(q, &value, s.screening_date)?;
        if !s.stage().asks(q) {
            return Err(AnswerError::PrivateOnly(question.into()).into());
        }
        if !self.checklist.view(&s.answers, s.screening_date).is_shown(question) {
            return Err(AnswerError::NotShown(question.into()).into());
        }
        s.answers.insert(question.to_string(), value);
        s.skipped.remove(question);
        self.save(&s)?;
        Ok(s)
    }

    /// Records that the officer skipped an optional question.
    pub fn skip(&mut self, id: RecordId, question: &str) -> Result<Screening, ScreeningError> {
        let mut s = self.load_draft(id)?;
        let q = self.checklist.question(question).ok_or_else(|| AnswerError::UnknownQuestion(question.into()))?;
        if q.required {
            return Err(AnswerError::Required(question.into()).into());
        }
        // Skipping is deciding not to ask; a private question is not asked
        // in the queue at all, and stays left for the private interview.
        if !s.stage().asks(q) {
            return Err(AnswerError::PrivateOnly(question.into()).into());
        }
        s.skipped.insert(question.to_string());
        self.save(&s)?;
        Ok(s)
    }

    pub fn set_subject(&mut self, id: RecordId, subject: Subject) -> Result<Screening, ScreeningError> {
        let mut s = self.load_draft(id)?;
        s.subject = subject;
        self.save(&s)?;
        Ok(s)
    }

    /// Moves a draft from the queue to a private interview, once the officer
    /// has taken the person aside and given the non-punishment assurance;
    /// the questions asked only there are then asked. Moving again keeps the
    /// first move. The draft is resumed there like any other.
    pub fn move_to_private(
        &mut self,
        id: RecordId,
        officer: Option<String>,
        now_unix_ms: i64,
    ) -> Result<Screening, ScreeningError> {
        let mut s = self.load_draft(id)?;
        if s.private_interview.is_none() {
            s.private_interview = Some(PrivateInterview { started_unix_ms: now_unix_ms, officer });
            self.save(&s)?;
        }
        Ok(s)
    }

    /// Evaluates and finalises: from now on the record is immutable. A
    /// screening finalised in the queue records the private-interview
    /// questions it did not ask (`left_for_private`).
    pub fn finalise(&mut self, id: RecordId, now_unix_ms: i64) -> Result<Screening, ScreeningError> {
        let mut s = self.load_draft(id)?;
        let outcome = evaluate_in(self.checklist, &s.answers, s.screening_date, s.stage());
        if !outcome.unanswered_required.is_empty() {
            return Err(ScreeningError::Incomplete(outcome.unanswered_required));
        }
        s.state = ScreeningState::Final { finalised_unix_ms: now_unix_ms, outcome: Box::new(outcome) };
        self.save(&s)?;
        self.log(&s, now_unix_ms)?;
        Ok(s)
    }

    /// Corrects a finalised screening: the original stays as it was; the
    /// addendum records the changed answers (and subject), the reason and
    /// the outcome re-evaluated over the corrected answers.
    pub fn amend(
        &mut self,
        id: RecordId,
        changes: Answers,
        subject: Option<Subject>,
        reason: &str,
        officer: Option<String>,
        now_unix_ms: i64,
    ) -> Result<Screening, ScreeningError> {
        let mut s = self.load(id)?;
        if !s.is_final() {
            return Err(ScreeningError::NotFinal);
        }
        self.check_template(&s)?;
        if reason.trim().is_empty() {
            return Err(ScreeningError::NoReason);
        }
        for (qid, value) in &changes {
            let q = self.checklist.question(qid).ok_or_else(|| AnswerError::UnknownQuestion(qid.clone()))?;
            answers::check(q, value, s.screening_date)?;
        }
        let mut effective = s.effective_answers();
        effective.extend(changes.clone());
        let outcome = evaluate_in(self.checklist, &effective, s.screening_date, s.stage());
        s.addenda.push(Addendum {
            unix_ms: now_unix_ms,
            officer,
            reason: reason.to_string(),
            answers: changes,
            subject,
            outcome,
        });
        self.save(&s)?;
        self.log(&s, now_unix_ms)?;
        Ok(s)
    }

    /// Puts the finalisation (and addenda) on the signed log headquarters
    /// receives, when this device has an identity (see [`super::event`]).
    fn log(&mut self, s: &Screening, now_ms: i64) -> Result<(), ScreeningError> {
        super::ScreeningEvents::new(self.vault).log(s, now_ms).map(|_| ()).map_err(|e| match e {
            crate::certificate::CaseError::Vault(v) => ScreeningError::Vault(v),
            other => ScreeningError::Corrupt(other.to_string()),
        })
    }

    /// Records a consent or legal override for referral; allowed on drafts
    /// and finalised screenings alike (consent often comes later).
    pub fn add_consent(&mut self, id: RecordId, consent: ReferralConsent) -> Result<Screening, ScreeningError> {
        let mut s = self.load(id)?;
        s.consents.push(consent);
        self.save(&s)?;
        Ok(s)
    }

    /// Revokes a consent from `on`; the record of it stays.
    pub fn revoke_consent(&mut self, id: RecordId, consent_id: &str, on: IsoDate) -> Result<Screening, ScreeningError> {
        let mut s = self.load(id)?;
        let c = s
            .consents
            .iter_mut()
            .find(|c| c.id == consent_id)
            .ok_or_else(|| ScreeningError::Corrupt(format!("no consent {consent_id}")))?;
        c.revoked_on = Some(on);
        self.save(&s)?;
        Ok(s)
    }

    /// Screenings by date range and crossing point, newest first.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<ScreeningSummary>, ScreeningError> {
        let ids = match &filter.crossing_point {
            Some(c) => self.vault.find(Lookup::Keyword { field: "crossing", value: c })?,
            None => self.vault.list(SCREENING_KIND)?,
        };
        let mut out = Vec::new();
        for id in ids {
            let s = match self.load(id) {
                Err(ScreeningError::NotFound) => continue,
                other => other?,
            };
            if filter.from.is_some_and(|f| s.screening_date < f) || filter.to.is_some_and(|t| s.screening_date > t) {
                continue;
            }
            out.push(ScreeningSummary {
                id: s.id.clone(),
                screening_date: s.screening_date,
                crossing_point: s.crossing_point.clone(),
                is_final: s.is_final(),
                verdict: s.outcome().map(|o| o.verdict),
                answered: s.effective_answers().len(),
            });
        }
        out.sort_by(|a, b| b.screening_date.cmp(&a.screening_date).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Screenings whose subject has this document number (any spelling of it).
    pub fn search_document(&self, number: &str) -> Result<Vec<Screening>, ScreeningError> {
        self.found(self.vault.find(Lookup::DocumentNumber(number))?)
    }

    /// Screenings whose subject has this name, in either script and any order;
    /// a single word matches one part of a name.
    pub fn search_name(&self, name: &str) -> Result<Vec<Screening>, ScreeningError> {
        let mut ids = self.vault.find(Lookup::Name(name))?;
        if name.split_whitespace().count() == 1 {
            ids.extend(self.vault.find(Lookup::NamePart(name))?);
        }
        ids.sort();
        ids.dedup();
        self.found(ids)
    }

    fn found(&self, ids: Vec<RecordId>) -> Result<Vec<Screening>, ScreeningError> {
        let mut out = Vec::new();
        for id in ids {
            match self.load(id) {
                Ok(s) => out.push(s),
                // The index is shared with other record kinds.
                Err(ScreeningError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
