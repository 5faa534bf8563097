//! Template validation: every problem, each with the path to where it is,
//! so that a template author (or headquarters' publishing step) can fix them
//! all in one pass.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::review::{is_digest, localized_texts};
use super::template::{AnswerType, AskedIn, Condition, Element, Indicator, Role, Template, Texts, LANGUAGES};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateProblem {
    /// Where: for example `sections[child].questions[child_alone].text.ky`.
    pub path: String,
    #[serde(flatten)]
    pub kind: ProblemKind,
}

impl std::fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ProblemKind {
    #[error("the id {id:?} is used more than once")]
    DuplicateId { id: String },
    #[error("an id must be 1-64 characters of a-z, 0-9, _ and -")]
    BadId,
    #[error("refers to an unknown question {question:?}")]
    UnknownQuestion { question: String },
    #[error("refers to {question:?}, which is not asked before it")]
    ForwardReference { question: String },
    #[error("conditions form a cycle: {}", cycle.join(" -> "))]
    Cycle { cycle: Vec<String> },
    #[error("{question:?} is a {found} question; this needs {expected}")]
    TypeMismatch { question: String, expected: String, found: String },
    #[error("{question:?} has no option {option:?}")]
    UnknownOption { question: String, option: String },
    #[error("the indicator is mapped to no element (act, means, purpose, control or child)")]
    IndicatorWithoutElement,
    #[error("a purpose indicator must name its form of exploitation")]
    PurposeWithoutExploitation,
    #[error("only a purpose indicator names a form of exploitation")]
    ExploitationWithoutPurpose,
    #[error("a question-level indicator needs a yes/no question (map choice options instead)")]
    IndicatorOnNonYesNo,
    #[error("the {lang} text is missing or empty")]
    MissingTranslation { lang: String },
    #[error("a choice question needs at least two options")]
    TooFewOptions,
    #[error("role {role} needs a {expected} question")]
    RoleTypeMismatch { role: String, expected: String },
    #[error("role {role} is given to more than one question")]
    DuplicateRole { role: String },
    #[error("the template has no questions")]
    Empty,
    #[error("a section has no questions")]
    EmptySection,
    #[error("the version must be 1 or more")]
    BadVersion,
    #[error("the number range is empty (min > max)")]
    EmptyRange,
    #[error("asked_in is {found:?}; use \"queue\" or \"private\"")]
    BadAskedIn { found: String },
    #[error("the review names an unknown text {text:?}")]
    UnknownText { text: String },
    #[error("the review date {on:?} is not a date; write YYYY-MM-DD")]
    BadReviewDate { on: String },
    #[error("the digest must be the first 16 lowercase hex characters of the text's SHA-256")]
    BadDigest,
    #[error("the review does not say who reviewed")]
    NoReviewer,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

struct Checker<'t> {
    problems: Vec<TemplateProblem>,
    template: &'t Template,
    /// question id -> position in template order
    positions: HashMap<&'t str, usize>,
}

impl<'t> Checker<'t> {
    fn add(&mut self, path: String, kind: ProblemKind) {
        self.problems.push(TemplateProblem { path, kind });
    }

    fn texts(&mut self, path: &str, texts: &Texts) {
        for lang in LANGUAGES {
            if texts.get(&lang).is_none_or(|t| t.trim().is_empty()) {
                self.add(
                    format!("{path}.{}", lang.code()),
                    ProblemKind::MissingTranslation { lang: lang.code().into() },
                );
            }
        }
    }

    fn indicator(&mut self, path: &str, ind: &Indicator) {
        if ind.elements.is_empty() {
            self.add(path.to_string(), ProblemKind::IndicatorWithoutElement);
        }
        let purpose = ind.elements.contains(&Element::Purpose);
        match (purpose, ind.exploitation) {
            (true, None) => self.add(path.to_string(), ProblemKind::PurposeWithoutExploitation),
            (false, Some(_)) => self.add(path.to_string(), ProblemKind::ExploitationWithoutPurpose),
            _ => {}
        }
    }

    fn mismatch(&mut self, path: &str, question: &str, expected: &str) {
        let found = self.template.question(question).map(|q| q.answer.name()).unwrap_or("?");
        self.add(
            path.to_string(),
            ProblemKind::TypeMismatch { question: question.into(), expected: expected.into(), found: found.into() },
        );
    }

    /// Checks a condition's references: known, earlier than `at`, of the right type.
    fn condition(&mut self, path: &str, c: &Condition, at: usize) {
        let check_ref = |me: &mut Self, q: &str| -> Option<&'t super::template::Question> {
            match me.positions.get(q) {
                None => {
                    me.add(path.to_string(), ProblemKind::UnknownQuestion { question: q.into() });
                    None
                }
                Some(&pos) => {
                    if pos >= at {
                        me.add(path.to_string(), ProblemKind::ForwardReference { question: q.into() });
                    }
                    me.template.question(q)
                }
            }
        };
        match c {
            Condition::Answered { question } => {
                check_ref(self, question);
            }
            Condition::IsYes { question } => {
                if let Some(q) = check_ref(self, question) {
                    if q.answer != AnswerType::YesNo {
                        self.mismatch(path, question, "yes/no");
                    }
                }
            }
            Condition::Chose { question, option } => {
                if let Some(q) = check_ref(self, question) {
                    if q.answer.options().is_empty() {
                        self.mismatch(path, question, "single or multiple choice");
                    } else if !q.answer.options().iter().any(|o| &o.id == option) {
                        self.add(
                            path.to_string(),
                            ProblemKind::UnknownOption { question: question.clone(), option: option.clone() },
                        );
                    }
                }
            }
            Condition::LessThan { question, .. } => {
                if let Some(q) = check_ref(self, question) {
                    if !matches!(q.answer, AnswerType::Number { .. }) {
                        self.mismatch(path, question, "number");
                    }
                }
            }
            Condition::AgeUnder { question, .. } => {
                if let Some(q) = check_ref(self, question) {
                    if q.answer != AnswerType::Date {
                        self.mismatch(path, question, "date");
                    }
                }
            }
            Condition::IsChild => {
                // Reads the date-of-birth and appears-minor questions.
                for role in [Role::DateOfBirth, Role::AppearsMinor] {
                    if let Some(q) = self.template.with_role(role) {
                        check_ref(self, &q.id.clone());
                    }
                }
            }
            Condition::All { of } | Condition::Any { of } => {
                for (i, c) in of.iter().enumerate() {
                    self.condition(&format!("{path}.of[{i}]"), c, at);
                }
            }
            Condition::Not { of } => self.condition(&format!("{path}.of"), of, at),
        }
    }
}

/// The questions a condition depends on, with `is_child` expanded to the
/// role questions it reads.
fn dependencies(template: &Template, c: &Condition, out: &mut Vec<String>) {
    c.references(out);
    let mut uses_child = false;
    visit(c, &mut |c| uses_child |= matches!(c, Condition::IsChild));
    if uses_child {
        for role in [Role::DateOfBirth, Role::AppearsMinor] {
            if let Some(q) = template.with_role(role) {
                out.push(q.id.clone());
            }
        }
    }
}

fn visit(c: &Condition, f: &mut impl FnMut(&Condition)) {
    f(c);
    match c {
        Condition::All { of } | Condition::Any { of } => of.iter().for_each(|c| visit(c, f)),
        Condition::Not { of } => visit(of, f),
        _ => {}
    }
}

/// Finds cycles in the "shown if" dependency graph, each reported once.
fn cycles(template: &Template) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &template.sections {
        for q in &s.questions {
            let mut deps = Vec::new();
            for c in s.show_if.iter().chain(q.show_if.iter()) {
                dependencies(template, c, &mut deps);
            }
            graph.entry(q.id.clone()).or_default().extend(deps);
        }
    }
    let mut found: Vec<Vec<String>> = Vec::new();
    let mut seen_sets: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    // 0 = new, 1 = on the stack, 2 = done
    let mut state: HashMap<String, u8> = HashMap::new();
    fn dfs(
        node: &str,
        graph: &BTreeMap<String, Vec<String>>,
        state: &mut HashMap<String, u8>,
        stack: &mut Vec<String>,
        found: &mut Vec<Vec<String>>,
        seen: &mut BTreeSet<BTreeSet<String>>,
    ) {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                0 if graph.contains_key(next) => dfs(next, graph, state, stack, found, seen),
                1 => {
                    let start = stack.iter().position(|n| n == next).expect("on the stack");
                    let mut cycle: Vec<String> = stack[start..].to_vec();
                    if seen.insert(cycle.iter().cloned().collect()) {
                        cycle.push(next.clone());
                        found.push(cycle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
    }
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            dfs(node, &graph, &mut state, &mut Vec::new(), &mut found, &mut seen_sets);
        }
    }
    found
}

/// Validates a template. An empty list means it can be used.
pub fn validate(t: &Template) -> Vec<TemplateProblem> {
    let mut positions = HashMap::new();
    let mut pos = 0;
    for s in &t.sections {
        for q in &s.questions {
            positions.entry(q.id.as_str()).or_insert(pos);
            pos += 1;
        }
    }
    let mut c = Checker { problems: Vec::new(), template: t, positions };

    if t.version == 0 {
        c.add("version".into(), ProblemKind::BadVersion);
    }
    if !valid_id(&t.id) {
        c.add("id".into(), ProblemKind::BadId);
    }
    c.texts("title", &t.title);
    if pos == 0 {
        c.add("sections".into(), ProblemKind::Empty);
    }

    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut roles: HashMap<String, usize> = HashMap::new();
    let mut at = 0usize;
    for s in &t.sections {
        let sp = format!("sections[{}]", s.id);
        if !valid_id(&s.id) {
            c.add(format!("{sp}.id"), ProblemKind::BadId);
        }
        *ids.entry(&s.id).or_default() += 1;
        if ids[s.id.as_str()] == 2 {
            c.add(format!("{sp}.id"), ProblemKind::DuplicateId { id: s.id.clone() });
        }
        c.texts(&format!("{sp}.title"), &s.title);
        if s.questions.is_empty() {
            c.add(sp.clone(), ProblemKind::EmptySection);
        }
        if let Some(cond) = &s.show_if {
            // A section's condition may only read questions before the section.
            c.condition(&format!("{sp}.show_if"), cond, at);
        }
        for q in &s.questions {
            let qp = format!("{sp}.questions[{}]", q.id);
            if !valid_id(&q.id) {
                c.add(format!("{qp}.id"), ProblemKind::BadId);
            }
            *ids.entry(&q.id).or_default() += 1;
            if ids[q.id.as_str()] == 2 {
                c.add(format!("{qp}.id"), ProblemKind::DuplicateId { id: q.id.clone() });
            }
            c.texts(&format!("{qp}.text"), &q.text);
            if let Some(tt) = &q.traveller_text {
                c.texts(&format!("{qp}.traveller_text"), tt);
            }
            if let Some(h) = &q.help {
                c.texts(&format!("{qp}.help"), h);
            }
            if let AskedIn::Unknown(found) = &q.asked_in {
                c.add(format!("{qp}.asked_in"), ProblemKind::BadAskedIn { found: found.clone() });
            }
            if let Some(ind) = &q.indicator {
                if q.answer != AnswerType::YesNo {
                    c.add(format!("{qp}.indicator"), ProblemKind::IndicatorOnNonYesNo);
                }
                c.indicator(&format!("{qp}.indicator"), ind);
            }
            match &q.answer {
                AnswerType::SingleChoice { options } | AnswerType::MultipleChoice { options } => {
                    if options.len() < 2 {
                        c.add(format!("{qp}.answer.options"), ProblemKind::TooFewOptions);
                    }
                    let mut opt_ids = BTreeSet::new();
                    for o in options {
                        let op = format!("{qp}.answer.options[{}]", o.id);
                        if !valid_id(&o.id) {
                            c.add(format!("{op}.id"), ProblemKind::BadId);
                        }
                        if !opt_ids.insert(o.id.as_str()) {
                            c.add(format!("{op}.id"), ProblemKind::DuplicateId { id: o.id.clone() });
                        }
                        c.texts(&format!("{op}.text"), &o.text);
                        if let Some(ind) = &o.indicator {
                            c.indicator(&format!("{op}.indicator"), ind);
                        }
                    }
                }
                AnswerType::Number { min: Some(lo), max: Some(hi), .. } if lo > hi => {
                    c.add(format!("{qp}.answer"), ProblemKind::EmptyRange);
                }
                _ => {}
            }
            if let Some(role) = q.role {
                let name =
                    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                let expected = match role {
                    Role::DateOfBirth => (q.answer == AnswerType::Date).then_some(()).ok_or("date"),
                    Role::Documents => {
                        matches!(q.answer, AnswerType::SingleChoice { .. }).then_some(()).ok_or("single choice")
                    }
                    _ => (q.answer == AnswerType::YesNo).then_some(()).ok_or("yes/no"),
                };
                if let Err(expected) = expected {
                    c.add(
                        format!("{qp}.role"),
                        ProblemKind::RoleTypeMismatch { role: name.clone(), expected: expected.into() },
                    );
                }
                *roles.entry(name.clone()).or_default() += 1;
                if roles[&name] == 2 {
                    c.add(format!("{qp}.role"), ProblemKind::DuplicateRole { role: name });
                }
            }
            if let Some(cond) = &q.show_if {
                c.condition(&format!("{qp}.show_if"), cond, at);
            }
            at += 1;
        }
    }
    let text_ids: BTreeSet<String> = localized_texts(t).into_iter().map(|lt| lt.id).collect();
    for (i, r) in t.reviews.iter().enumerate() {
        let rp = format!("reviews[{i}]");
        if !text_ids.contains(&r.text) {
            c.add(format!("{rp}.text"), ProblemKind::UnknownText { text: r.text.clone() });
        }
        // Strict YYYY-MM-DD: the parser trims, so surrounding spaces are refused here.
        if r.on.trim() != r.on || r.on.parse::<crate::date::IsoDate>().is_err() {
            c.add(format!("{rp}.on"), ProblemKind::BadReviewDate { on: r.on.clone() });
        }
        if !is_digest(&r.digest) {
            c.add(format!("{rp}.digest"), ProblemKind::BadDigest);
        }
        if r.by.trim().is_empty() {
            c.add(format!("{rp}.by"), ProblemKind::NoReviewer);
        }
    }
    for cycle in cycles(t) {
        let first = cycle[0].clone();
        let path = c
            .template
            .questions()
            .find(|(_, q)| q.id == first)
            .map(|(s, q)| format!("sections[{}].questions[{}].show_if", s.id, q.id))
            .unwrap_or_default();
        c.add(path, ProblemKind::Cycle { cycle });
    }
    c.problems
}
