//! Screening at the border: checklist templates as data, their validation,
//! the evaluation against the UN Protocol's definition of trafficking, the
//! recommended actions, consent to referral, explanations, the screening as
//! a record of answers, and the report headquarters receives. All pure:
//! plain data in, plain data out. The vault's screening records are in
//! `homeward_core::screening`.

pub mod actions;
pub mod answers;
pub mod checklist;
pub mod consent;
pub mod evaluate;
pub mod explain;
pub mod published;
pub mod record;
pub mod report;
pub mod review;
pub mod template;
pub mod validate;

pub use actions::{Action, RecommendedAction, HOTLINE};
pub use answers::{AnswerError, Answers};
pub use checklist::{Checklist, ChildStatus, Place, Progress, Stage};
pub use consent::{
    consent_wording, may_share, ConsentGiver, ConsentWording, ReferralBasis, ReferralConsent, ReferralRefused,
};
pub use evaluate::{evaluate, evaluate_in, evaluate_screening, Evidence, ScreeningOutcome, Verdict};
pub use explain::{answer_hint, explain, Explanation};
pub use record::{Addendum, PrivateInterview, Screening, ScreeningState, Subject};
pub use report::{check_event, ScreeningEvent, ScreeningReport};
pub use review::{
    localized_texts, review_state, text_digest, unreviewed, unreviewed_count, LanguageReview, LocalizedText,
};
pub use template::{
    AnswerType, AnswerValue, AskedIn, Condition, Element, Exploitation, Lang, Question, Review, Role, Template, YesNo,
};
pub use validate::{validate, ProblemKind, TemplateProblem};

/// The first checklist, written from the UN Protocol art. 3 and the national
/// Law art. 1. Kept compiled in so that drafts started on it are finished on
/// it (and headquarters can check their reports); new screenings use
/// [`DEFAULT_TEMPLATE_JSON`].
pub const TEMPLATE_V1_JSON: &str = include_str!("../../templates/kg-border-screening-v1.json");

/// The default checklist: version 2, its Kyrgyz and Russian edited to the
/// Law's terms (docs/GLOSSARY.md). Not yet reviewed by a native-speaking
/// legal-linguistic expert (docs/SCREENING.md).
pub const DEFAULT_TEMPLATE_JSON: &str = include_str!("../../templates/kg-border-screening-v2.json");

/// Every checklist compiled in, oldest first; the last is the default.
pub const BUILT_IN_TEMPLATES: [&str; 2] = [TEMPLATE_V1_JSON, DEFAULT_TEMPLATE_JSON];

/// The default checklist, parsed and validated.
pub fn default_checklist() -> Checklist {
    parse_built_in(DEFAULT_TEMPLATE_JSON)
}

/// A compiled-in checklist by id and version (a draft started on it, a
/// report that names it).
pub fn built_in_checklist(id: &str, version: u32) -> Option<Checklist> {
    BUILT_IN_TEMPLATES
        .iter()
        .map(|j| parse_built_in(j))
        .find(|c| c.template().id == id && c.template().version == version)
}

fn parse_built_in(json: &str) -> Checklist {
    let t = Template::from_json(json).expect("a built-in template parses");
    Checklist::new(t).expect("a built-in template validates")
}
