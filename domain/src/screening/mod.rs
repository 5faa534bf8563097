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
pub use checklist::{Checklist, ChildStatus, Stage};
pub use consent::{may_share, ConsentGiver, ReferralBasis, ReferralConsent, ReferralRefused};
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

/// The default checklist, written from the UN Protocol art. 3 and the
/// national Law art. 1. Its Kyrgyz and Russian texts need review by a
/// native-speaking expert before field use (docs/SCREENING.md).
pub const DEFAULT_TEMPLATE_JSON: &str = include_str!("../../templates/default-screening.json");

/// The default checklist, parsed and validated.
pub fn default_checklist() -> Checklist {
    let t = Template::from_json(DEFAULT_TEMPLATE_JSON).expect("the default template parses");
    Checklist::new(t).expect("the default template validates")
}
