//! A template prepared for use: question lookup by id, which questions are
//! shown given the answers so far, the next question to ask, and whether the
//! person is treated as a child. Pure functions over plain data.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::answers::Answers;
use super::template::{AnswerValue, Condition, DocumentSituation, Question, Role, Section, Template};
use super::validate::{validate, TemplateProblem};
use crate::date::IsoDate;

/// Where a screening is being worked: in the queue at the post, or in a
/// private interview after the non-punishment assurance. Questions
/// `asked_in: "private"` are only asked in the latter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[default]
    Queue,
    Private,
}

impl Stage {
    /// Whether a question may be asked at this stage.
    pub fn asks(self, q: &Question) -> bool {
        self == Stage::Private || !q.asked_in.is_private()
    }
}

/// A validated template with its lookups built once.
#[derive(Debug, Clone)]
pub struct Checklist {
    template: Template,
    /// question id -> flat position in template order
    index: HashMap<String, usize>,
    /// flat order of questions: (section index, question index)
    order: Vec<(usize, usize)>,
    /// role -> flat position of the question that has it
    roles: HashMap<Role, usize>,
}

/// Why a person is, or is not, treated as a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ChildStatus {
    /// Under 18 at the screening date, from the date of birth.
    Minor { age: u32 },
    /// No date of birth, and the person appears to be a minor.
    AppearsMinor,
    /// The date of birth says adult, but the person appears to be a minor
    /// and the age is in doubt: the benefit of the doubt goes to the child
    /// (presumption of minority).
    AgeInDoubt { documented_age: u32 },
    /// 18 or over, from the date of birth.
    Adult { age: u32 },
    /// No date of birth and no sign of being a minor: treated as an adult.
    Unknown,
}

/// How many of the questions a screening will ask are answered or skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// A question's place among the questions a screening will ask ("7 of 31").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    /// 1-based.
    pub position: usize,
    pub total: usize,
}

impl ChildStatus {
    pub fn is_child(&self) -> bool {
        matches!(self, ChildStatus::Minor { .. } | ChildStatus::AppearsMinor | ChildStatus::AgeInDoubt { .. })
    }
}

impl Checklist {
    /// Validates and prepares a template; every problem is returned.
    pub fn new(template: Template) -> Result<Checklist, Vec<TemplateProblem>> {
        let problems = validate(&template);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut index = HashMap::new();
        let mut order = Vec::new();
        let mut roles = HashMap::new();
        for (si, s) in template.sections.iter().enumerate() {
            for (qi, q) in s.questions.iter().enumerate() {
                index.insert(q.id.clone(), order.len());
                if let Some(r) = q.role {
                    roles.insert(r, order.len());
                }
                order.push((si, qi));
            }
        }
        Ok(Checklist { template, index, order, roles })
    }

    fn at(&self, pos: usize) -> &Question {
        let (s, q) = self.order[pos];
        &self.template.sections[s].questions[q]
    }

    /// The question that has `role`, if any.
    pub fn with_role(&self, role: Role) -> Option<&Question> {
        self.roles.get(&role).map(|&p| self.at(p))
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&p| self.at(p))
    }

    pub fn section_of(&self, id: &str) -> Option<&Section> {
        self.index.get(id).map(|&p| &self.template.sections[self.order[p].0])
    }

    /// Questions in template order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        (0..self.order.len()).map(|p| self.at(p))
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The position of a question in template order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// A view of the answers that only counts questions currently shown.
    pub fn view<'a>(&'a self, answers: &'a Answers, date: IsoDate) -> AnswerView<'a> {
        AnswerView {
            checklist: self,
            answers,
            date,
            shown: vec![Cell::new(UNKNOWN); self.order.len()],
            sections: vec![Cell::new(UNKNOWN); self.template.sections.len()],
        }
    }

    /// The next question to ask: the first shown question not yet answered
    /// or skipped, in template order, wherever it is asked (a screening's
    /// flow uses [`Checklist::next_for`], which respects the stage).
    pub fn next_question(&self, answers: &Answers, skipped: &BTreeSet<String>, date: IsoDate) -> Option<&Question> {
        self.next_question_in(answers, skipped, date, Stage::Private)
    }

    /// The next question that may be asked at `stage`.
    pub fn next_question_in(
        &self,
        answers: &Answers,
        skipped: &BTreeSet<String>,
        date: IsoDate,
        stage: Stage,
    ) -> Option<&Question> {
        let view = self.view(answers, date);
        self.questions()
            .find(|q| stage.asks(q) && !answers.contains_key(&q.id) && !skipped.contains(&q.id) && view.is_shown(&q.id))
    }

    /// The next question of a draft screening, at the stage it is in.
    pub fn next_for(&self, s: &super::Screening) -> Option<&Question> {
        self.next_question_in(&s.answers, &s.skipped, s.screening_date, s.stage())
    }

    /// How far a screening has come, counting only the questions it will
    /// ask: shown given the answers so far and asked at its stage (in the
    /// queue, private-interview questions wait and are not counted). An
    /// adult path ends at "N of N", not at "36 of 41".
    pub fn progress_for(&self, s: &super::Screening) -> Progress {
        self.progress_in(&s.answers, &s.skipped, s.screening_date, s.stage())
    }

    /// [`Checklist::progress_for`] from the parts of a screening.
    pub fn progress_in(&self, answers: &Answers, skipped: &BTreeSet<String>, date: IsoDate, stage: Stage) -> Progress {
        let view = self.view(answers, date);
        let mut p = Progress { done: 0, total: 0 };
        for (pos, q) in self.questions().enumerate() {
            if stage.asks(q) && view.is_shown_at(pos) {
                p.total += 1;
                if answers.contains_key(&q.id) || skipped.contains(&q.id) {
                    p.done += 1;
                }
            }
        }
        p
    }

    /// Where question `id` stands in [`Checklist::progress_for`]'s count,
    /// 1-based: the question to ask next is one past those dealt with (so
    /// the last one is "N of N"); an answered or skipped one (an edit) is
    /// at its place among those dealt with, in checklist order. A question
    /// outside the count (not shown, or not asked at this stage) is counted
    /// in as well, so `position <= total` always holds.
    pub fn place_for(&self, s: &super::Screening, id: &str) -> Option<Place> {
        self.place_in(id, &s.answers, &s.skipped, s.screening_date, s.stage())
    }

    /// [`Checklist::place_for`] from the parts of a screening.
    pub fn place_in(
        &self,
        id: &str,
        answers: &Answers,
        skipped: &BTreeSet<String>,
        date: IsoDate,
        stage: Stage,
    ) -> Option<Place> {
        let target = self.position(id)?;
        let view = self.view(answers, date);
        let dealt = |q: &Question| answers.contains_key(&q.id) || skipped.contains(&q.id);
        let (mut total, mut done, mut done_before) = (0, 0, 0);
        for (pos, q) in self.questions().enumerate() {
            let counts = pos == target || (stage.asks(q) && view.is_shown_at(pos));
            if !counts {
                continue;
            }
            total += 1;
            if dealt(q) {
                done += 1;
                if pos < target {
                    done_before += 1;
                }
            }
        }
        let this = self.at(target);
        let position = if dealt(this) { done_before + 1 } else { done + 1 };
        Some(Place { position, total })
    }

    /// Shown private-interview questions with no answer and not skipped:
    /// what a screening worked only in the queue leaves for the private
    /// interview (not asked, so not "no").
    pub fn left_for_private(&self, answers: &Answers, skipped: &BTreeSet<String>, date: IsoDate) -> Vec<String> {
        let view = self.view(answers, date);
        self.questions()
            .filter(|q| {
                q.asked_in.is_private()
                    && !answers.contains_key(&q.id)
                    && !skipped.contains(&q.id)
                    && view.is_shown(&q.id)
            })
            .map(|q| q.id.clone())
            .collect()
    }

    /// Shown, required questions with no answer.
    pub fn missing_required(&self, answers: &Answers, date: IsoDate) -> Vec<String> {
        self.view(answers, date).missing_required()
    }
}

const UNKNOWN: u8 = 0;
const SHOWN: u8 = 1;
const HIDDEN: u8 = 2;

/// Answers as the evaluation sees them: an answer to a question that is not
/// shown (its condition no longer holds) does not count.
pub struct AnswerView<'a> {
    checklist: &'a Checklist,
    answers: &'a Answers,
    date: IsoDate,
    /// Memoised visibility per question and per section (0 unknown, 1 shown, 2 hidden).
    shown: Vec<Cell<u8>>,
    sections: Vec<Cell<u8>>,
}

impl<'a> AnswerView<'a> {
    pub fn date(&self) -> IsoDate {
        self.date
    }

    /// Whether a question is shown: its section's and its own conditions hold.
    pub fn is_shown(&self, id: &str) -> bool {
        self.shown_depth(id, 0)
    }

    /// [`AnswerView::is_shown`] by position in template order.
    pub fn is_shown_at(&self, pos: usize) -> bool {
        self.shown_at(pos, 0)
    }

    fn shown_depth(&self, id: &str, depth: usize) -> bool {
        match self.checklist.index.get(id) {
            Some(&pos) => self.shown_at(pos, depth),
            None => false,
        }
    }

    fn shown_at(&self, pos: usize, depth: usize) -> bool {
        match self.shown[pos].get() {
            SHOWN => return true,
            HIDDEN => return false,
            _ => {}
        }
        let (si, qi) = self.checklist.order[pos];
        let section = &self.checklist.template.sections[si];
        let question = &section.questions[qi];
        // Validated templates are acyclic; the depth guard keeps an
        // unvalidated one from recursing forever.
        let section_shown = match self.sections[si].get() {
            SHOWN => true,
            HIDDEN => false,
            _ => {
                let v = depth < 64 && section.show_if.as_ref().is_none_or(|c| self.holds(c, depth + 1));
                self.sections[si].set(if v { SHOWN } else { HIDDEN });
                v
            }
        };
        let shown = section_shown && depth < 64 && question.show_if.as_ref().is_none_or(|c| self.holds(c, depth + 1));
        self.shown[pos].set(if shown { SHOWN } else { HIDDEN });
        shown
    }

    /// Shown, required questions with no answer.
    pub fn missing_required(&self) -> Vec<String> {
        (0..self.checklist.order.len())
            .filter(|&p| {
                let q = self.checklist.at(p);
                q.required && !self.answers.contains_key(&q.id) && self.shown_at(p, 0)
            })
            .map(|p| self.checklist.at(p).id.clone())
            .collect()
    }

    /// The answer to a question, if it is shown and answered.
    pub fn get(&self, id: &str) -> Option<&'a AnswerValue> {
        self.get_depth(id, 0)
    }

    fn get_depth(&self, id: &str, depth: usize) -> Option<&'a AnswerValue> {
        let v = self.answers.get(id)?;
        self.shown_depth(id, depth).then_some(v)
    }

    fn role_answer(&self, role: Role, depth: usize) -> Option<&'a AnswerValue> {
        let &pos = self.checklist.roles.get(&role)?;
        let q = self.checklist.at(pos);
        let v = self.answers.get(&q.id)?;
        self.shown_at(pos, depth).then_some(v)
    }

    /// Whether the person is treated as a child, and why.
    pub fn child_status(&self) -> ChildStatus {
        self.child_status_depth(0)
    }

    fn child_status_depth(&self, depth: usize) -> ChildStatus {
        let appears_minor = self.role_answer(Role::AppearsMinor, depth).is_some_and(AnswerValue::is_yes);
        let age = self
            .role_answer(Role::DateOfBirth, depth)
            .and_then(AnswerValue::as_date)
            .and_then(|dob| dob.age_on(self.date));
        match (age, appears_minor) {
            (Some(age), _) if age < 18 => ChildStatus::Minor { age },
            (Some(age), true) => ChildStatus::AgeInDoubt { documented_age: age },
            (Some(age), false) => ChildStatus::Adult { age },
            (None, true) => ChildStatus::AppearsMinor,
            (None, false) => ChildStatus::Unknown,
        }
    }

    /// The documents situation, from the documents question.
    pub fn documents(&self) -> Option<DocumentSituation> {
        let q = self.checklist.with_role(Role::Documents)?;
        match self.get(&q.id)? {
            AnswerValue::Choice(c) => q.answer.options().iter().find(|o| &o.id == c)?.documents,
            _ => None,
        }
    }

    pub fn role_is_yes(&self, role: Role) -> bool {
        self.role_answer(role, 0).is_some_and(AnswerValue::is_yes)
    }

    pub fn role_is_no(&self, role: Role) -> bool {
        matches!(self.role_answer(role, 0), Some(AnswerValue::YesNo(super::template::YesNo::No)))
    }

    fn holds(&self, c: &Condition, depth: usize) -> bool {
        match c {
            Condition::Answered { question } => self.get_depth(question, depth).is_some(),
            Condition::IsYes { question } => self.get_depth(question, depth).is_some_and(AnswerValue::is_yes),
            Condition::Chose { question, option } => self.get_depth(question, depth).is_some_and(|a| a.chose(option)),
            Condition::LessThan { question, value } => {
                matches!(self.get_depth(question, depth), Some(AnswerValue::Number(n)) if n < value)
            }
            Condition::AgeUnder { question, years } => self
                .get_depth(question, depth)
                .and_then(AnswerValue::as_date)
                .and_then(|d| d.age_on(self.date))
                .is_some_and(|age| age < *years),
            Condition::IsChild => self.child_status_depth(depth).is_child(),
            Condition::All { of } => of.iter().all(|c| self.holds(c, depth)),
            Condition::Any { of } => of.iter().any(|c| self.holds(c, depth)),
            Condition::Not { of } => !self.holds(of, depth),
        }
    }
}
