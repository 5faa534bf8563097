//! Screenings at the border, question by question from the core: the next
//! question with its texts and options, answers checked by the core, the
//! outcome with its "why" and what to do, all in the officer's language.

use homeward_core::date::Today;
use homeward_core::screening::ScreeningRecordId;
use std::sync::{Arc, Mutex, OnceLock};

use homeward_core::audit::{AuditAction, SubjectKind};
use homeward_core::date::IsoDate;
use homeward_core::screening::{
    self, answers, default_checklist, explain, template::text, template::DocumentSituation, AnswerType, AnswerValue,
    Answers, Checklist, ConsentGiver, Lang, ListFilter, NewScreening, Question, ReferralBasis, ReferralConsent,
    Screening, ScreeningOutcome, ScreeningRecords, Subject, Verdict, YesNo,
};
use homeward_core::vault::{RecordId, Uuid};

use crate::error::{HomewardError, Result};
use crate::vault::Shared;

/// The checklist every screening uses: the default template, parsed once.
pub(crate) fn checklist() -> &'static Checklist {
    static CHECKLIST: OnceLock<Checklist> = OnceLock::new();
    CHECKLIST.get_or_init(default_checklist)
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub(crate) fn parse_date(field: &str, s: &str) -> Result<IsoDate> {
    s.parse().map_err(|e: String| HomewardError::input(format!("{field}: {e}")))
}

/// The officer's language for every text the core gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    /// Kyrgyz.
    Ky,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl From<Language> for Lang {
    fn from(l: Language) -> Lang {
        match l {
            Language::Ky => Lang::Ky,
            Language::Ru => Lang::Ru,
            Language::En => Lang::En,
        }
    }
}

impl From<Lang> for Language {
    fn from(l: Lang) -> Language {
        match l {
            Lang::Ky => Language::Ky,
            Lang::Ru => Language::Ru,
            Lang::En => Language::En,
        }
    }
}

/// How a new screening starts.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewScreeningInput {
    /// Crossing point id from `HomewardVault.crossing_points()`, e.g.
    /// "OSH-AIRPORT"; any other is refused (`InvalidInput`), nothing saved.
    pub crossing_point: String,
    /// The officer's own id, if the post records it.
    #[uniffi(default = None)]
    pub officer: Option<String>,
    pub language: Language,
    /// "YYYY-MM-DD"; today when absent.
    #[uniffi(default = None)]
    pub screening_date: Option<String>,
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChoiceOption {
    /// What to send back in `AnswerInput.Choice` / `Choices`.
    pub id: String,
    pub text: String,
}

/// Which input a question takes, with its limits.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnswerKind {
    /// Three buttons: yes, no, unknown.
    YesNo,
    /// One of `options` (radio buttons).
    SingleChoice { options: Vec<ChoiceOption> },
    /// Any of `options` (check boxes).
    MultipleChoice { options: Vec<ChoiceOption> },
    /// Free text of at most `max_len` characters.
    Text { max_len: Option<i32> },
    /// A number within the limits given; a whole number when `integer`
    /// (show a numeric keypad without the decimal separator).
    Number { min: Option<f64>, max: Option<f64>, integer: bool },
    /// A date, not after the screening date.
    Date,
}

/// A question ready to show: texts in the session's language.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QuestionView {
    pub id: String,
    /// 1-based place among the questions this screening will ask (for "7
    /// of 31"): one past those answered or skipped, so the last is "N of N".
    /// Hidden questions (their condition does not hold) are not counted,
    /// nor, in the queue, those left for the private interview; `total`
    /// can grow when an answer opens a section (a child's).
    pub position: i32,
    pub total: i32,
    pub section_title: String,
    /// The officer's wording.
    pub text: String,
    /// The wording addressed to the traveller (second person, plain words),
    /// to read aloud or show on the screen, if the template has one.
    pub traveller_text: Option<String>,
    /// Asked only in a private interview, after the non-punishment assurance.
    pub private_interview_only: bool,
    /// Guidance for the officer, if the template has any.
    pub help: Option<String>,
    /// Required questions cannot be skipped.
    pub required: bool,
    pub kind: AnswerKind,
    /// A short hint written for a touch screen ("Tap Yes, No or Don't
    /// know"), in the session's language; no keys to press.
    pub hint: String,
    /// The answer saved for this question, to prefill an edit; none if
    /// unanswered (or skipped).
    pub current_answer: Option<AnswerInput>,
}

/// The fixed words of the screening screen, in the session's language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreeningLabels {
    pub yes: String,
    pub no: String,
    /// "Don't know": the person cannot or will not say.
    pub unknown: String,
    /// For an optional question left unanswered.
    pub skip: String,
    pub back: String,
}

/// Yes, no or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum YesNoAnswer {
    Yes,
    No,
    Unknown,
}

/// An answer as a screen collects it. The core checks it against the question.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnswerInput {
    YesNo {
        value: YesNoAnswer,
    },
    Choice {
        option_id: String,
    },
    Choices {
        option_ids: Vec<String>,
    },
    Text {
        text: String,
    },
    Number {
        value: f64,
    },
    /// "YYYY-MM-DD".
    Date {
        date: String,
    },
}

/// Where a screening stands.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScreeningProgress {
    pub screening_id: String,
    /// Every answer saved (a hidden question's included) and every skip.
    pub answered: i32,
    pub skipped: i32,
    /// Of the `total_questions` this path asks, how many are answered or
    /// skipped: the progress bar is `done_questions / total_questions`, full
    /// when the last question is dealt with.
    pub done_questions: i32,
    /// The questions this screening will ask given the answers so far, at
    /// its stage (the same count as `QuestionView.total`).
    pub total_questions: i32,
    /// The question to ask next; none when every shown question is answered or skipped.
    pub next_question_id: Option<String>,
    /// Required questions still unanswered (shown ones only).
    pub missing_required: Vec<String>,
    /// True when `finalise` would succeed.
    pub can_finalise: bool,
    pub is_final: bool,
    /// True when the person travels on another person's document: the
    /// identifying-details screen then also asks for the name on that document.
    pub asks_document_holder_name: bool,
    /// True once the screening was moved to a private interview.
    pub in_private_interview: bool,
    /// In the queue: shown questions asked only in a private interview and
    /// not asked yet (offer `move_to_private` when the queue is done).
    pub left_for_private: Vec<String>,
}

/// One answer as it reads to a person (for a review screen).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AnsweredQuestion {
    pub question_id: String,
    pub question: String,
    pub answer: String,
}

/// Identifying details: minimal and optional. Set `refused` when the person
/// declines to give them.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct SubjectInput {
    #[uniffi(default = false)]
    pub refused: bool,
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub document_number: Option<String>,
    /// The name on another person's document, when the person travels on one.
    #[uniffi(default = None)]
    pub document_holder_name: Option<String>,
    #[uniffi(default = None)]
    pub nationality: Option<String>,
}

impl From<SubjectInput> for Subject {
    fn from(s: SubjectInput) -> Subject {
        Subject {
            refused: s.refused,
            name: s.name,
            document_number: s.document_number,
            document_holder_name: s.document_holder_name,
            nationality: s.nationality,
        }
    }
}

/// The recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerdictKind {
    NoIndicators,
    /// Indicators present, short of the full profile: interview further.
    FurtherInterview,
    /// The profile of a presumed victim of trafficking.
    PresumedVictim,
}

impl From<Verdict> for VerdictKind {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::NoIndicators => VerdictKind::NoIndicators,
            Verdict::FurtherInterview => VerdictKind::FurtherInterview,
            Verdict::PresumedVictim => VerdictKind::PresumedVictim,
        }
    }
}

/// One element of the definition (act, means, purpose...) and the answers behind it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WhyItem {
    pub element: String,
    pub answers: Vec<String>,
}

/// A recommended action and its legal basis.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ActionItem {
    pub text: String,
    pub basis: String,
}

/// The outcome put into words by the core: show it as it is.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScreeningOutcomeView {
    pub verdict: VerdictKind,
    /// The verdict in the session's language.
    pub verdict_text: String,
    pub verdict_detail: String,
    /// Shown when the child rule applied.
    pub child_note: Option<String>,
    pub consent_note: Option<String>,
    pub treated_as_child: bool,
    /// Forms of exploitation indicated.
    pub exploitation: Vec<String>,
    /// Why: per element, the answers behind it.
    pub why: Vec<WhyItem>,
    /// Elements not established.
    pub missing: Vec<String>,
    /// What to do, in order.
    pub actions: Vec<ActionItem>,
    /// Required questions still unanswered (a draft's provisional outcome).
    pub unanswered_required: Vec<String>,
    /// Questions left for the private interview (not asked, so not "no"):
    /// the verdict was reached without them.
    pub left_for_private: Vec<String>,
    /// A reminder that this is a recommendation, not a legal finding.
    pub disclaimer: String,
    /// False for a draft: the outcome is provisional and may change.
    pub is_final: bool,
}

fn outcome_view(c: &Checklist, o: &ScreeningOutcome, s: &Screening, lang: Lang) -> ScreeningOutcomeView {
    let e = explain(c, o, &s.effective_answers(), lang);
    ScreeningOutcomeView {
        verdict: o.verdict.into(),
        verdict_text: e.verdict,
        verdict_detail: e.verdict_detail,
        child_note: e.child_note,
        consent_note: e.consent_note,
        treated_as_child: o.child.treated_as_child,
        exploitation: e.exploitation,
        why: e.why.into_iter().map(|w| WhyItem { element: w.element, answers: w.answers }).collect(),
        missing: e.missing,
        actions: e.actions.into_iter().map(|a| ActionItem { text: a.text, basis: a.basis }).collect(),
        unanswered_required: o.unanswered_required.clone(),
        left_for_private: o.left_for_private.clone(),
        disclaimer: e.disclaimer,
        is_final: s.is_final(),
    }
}

/// A line of the screenings list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScreeningListItem {
    pub id: String,
    pub screening_date: String,
    pub crossing_point: String,
    pub is_final: bool,
    /// Final screenings only.
    pub verdict: Option<VerdictKind>,
    pub answered: i32,
}

/// Which screenings to list; every field optional.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ScreeningFilter {
    /// "YYYY-MM-DD", inclusive.
    #[uniffi(default = None)]
    pub from: Option<String>,
    #[uniffi(default = None)]
    pub to: Option<String>,
    #[uniffi(default = None)]
    pub crossing_point: Option<String>,
}

/// One corrected answer in an amendment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AnswerChange {
    pub question_id: String,
    pub answer: AnswerInput,
}

/// Who consented to a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentGiverKind {
    ThePerson,
    ParentOrGuardian,
}

/// On what basis data may be shared with a partner.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ReferralBasisData {
    /// Consent, and who gave it (for a child: a parent or guardian).
    Consent { given_by: ConsentGiverKind },
    /// Sharing decided without consent under a legal power, with who decided
    /// and why; for a child, a best-interests decision.
    LegalOverride { authority: String, reason: String, decided_by: String, best_interests_of_child: bool },
}

/// A recorded consent (or legal override) to refer the person to a partner.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentView {
    pub id: String,
    /// The partner organisation's id (reference data: IOM, a shelter...).
    pub partner: String,
    /// What the data is shared for ("shelter", "legal aid", "return"...).
    pub purpose: String,
    pub given_on: String,
    pub revoked_on: Option<String>,
    pub basis: ReferralBasisData,
}

/// The words of a referral consent from the core, in the session's language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentWording {
    /// Read aloud to the person (for a child, to the parent or guardian).
    pub question: String,
    /// The button that records the consent given.
    pub agree: String,
    /// Shown once it is recorded.
    pub recorded: String,
    /// True when the person is treated as a child: the consent is the
    /// parent's or guardian's (`ConsentGiverKind.PARENT_OR_GUARDIAN`).
    pub for_child: bool,
}

/// Whether the person's data may be shared with a partner for a purpose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ReferralDecision {
    /// Allowed under the consent (or override) with this id.
    Allowed { consent_id: String },
    /// Not allowed: `reason` says why and what is needed.
    Refused { reason: String },
}

fn consent_view(c: &ReferralConsent) -> ConsentView {
    ConsentView {
        id: c.id.clone(),
        partner: c.partner.clone(),
        purpose: c.purpose.clone(),
        given_on: c.given_on.to_string(),
        revoked_on: c.revoked_on.map(|d| d.to_string()),
        basis: match &c.basis {
            ReferralBasis::Consent { given_by } => ReferralBasisData::Consent {
                given_by: match given_by {
                    ConsentGiver::ThePerson => ConsentGiverKind::ThePerson,
                    ConsentGiver::ParentOrGuardian => ConsentGiverKind::ParentOrGuardian,
                },
            },
            ReferralBasis::LegalOverride { authority, reason, decided_by, best_interests_of_child } => {
                ReferralBasisData::LegalOverride {
                    authority: authority.clone(),
                    reason: reason.clone(),
                    decided_by: decided_by.clone(),
                    best_interests_of_child: *best_interests_of_child,
                }
            }
        },
    }
}

fn referral_basis(b: ReferralBasisData) -> ReferralBasis {
    match b {
        ReferralBasisData::Consent { given_by } => ReferralBasis::Consent {
            given_by: match given_by {
                ConsentGiverKind::ThePerson => ConsentGiver::ThePerson,
                ConsentGiverKind::ParentOrGuardian => ConsentGiver::ParentOrGuardian,
            },
        },
        ReferralBasisData::LegalOverride { authority, reason, decided_by, best_interests_of_child } => {
            ReferralBasis::LegalOverride { authority, reason, decided_by, best_interests_of_child }
        }
    }
}

fn kind(q: &Question, lang: Lang) -> AnswerKind {
    let opts = |o: &[screening::template::Choice]| {
        o.iter().map(|c| ChoiceOption { id: c.id.clone(), text: text(&c.text, lang).to_string() }).collect()
    };
    match &q.answer {
        AnswerType::YesNo => AnswerKind::YesNo,
        AnswerType::SingleChoice { options } => AnswerKind::SingleChoice { options: opts(options) },
        AnswerType::MultipleChoice { options } => AnswerKind::MultipleChoice { options: opts(options) },
        AnswerType::Text { max_len } => AnswerKind::Text { max_len: max_len.map(crate::num::int) },
        AnswerType::Number { min, max, integer } => AnswerKind::Number { min: *min, max: *max, integer: *integer },
        AnswerType::Date => AnswerKind::Date,
    }
}

/// A hint for a touch screen: what to tap, not what to type.
fn touch_hint(q: &Question, lang: Lang) -> String {
    let pick = |ky: &str, ru: &str, en: &str| match lang {
        Lang::Ky => ky.to_string(),
        Lang::Ru => ru.to_string(),
        Lang::En => en.to_string(),
    };
    let base = match &q.answer {
        AnswerType::YesNo => {
            pick("«Ооба», «Жок» же «Билбейм» басыңыз", "Нажмите «Да», «Нет» или «Не знаю»", "Tap Yes, No or Don't know")
        }
        AnswerType::SingleChoice { .. } => pick("Бирөөнү тандаңыз", "Выберите один вариант", "Choose one"),
        AnswerType::MultipleChoice { .. } => {
            pick("Туура келгендердин баарын тандаңыз", "Отметьте все подходящие", "Choose all that apply")
        }
        AnswerType::Text { .. } => pick("Жазыңыз", "Введите текст", "Type the answer"),
        AnswerType::Number { integer: true, .. } => {
            pick("Бүтүн санды жазыңыз", "Введите целое число", "Enter a whole number")
        }
        AnswerType::Number { .. } => pick("Санды жазыңыз", "Введите число", "Enter a number"),
        AnswerType::Date => pick("Күндү тандаңыз", "Выберите дату", "Pick the date"),
    };
    if q.required {
        base
    } else {
        base + &pick(" (же өткөрүп жибериңиз)", " (или пропустите)", " (or skip)")
    }
}

fn answer_input(a: &AnswerValue) -> AnswerInput {
    match a {
        AnswerValue::YesNo(YesNo::Yes) => AnswerInput::YesNo { value: YesNoAnswer::Yes },
        AnswerValue::YesNo(YesNo::No) => AnswerInput::YesNo { value: YesNoAnswer::No },
        AnswerValue::YesNo(YesNo::Unknown) => AnswerInput::YesNo { value: YesNoAnswer::Unknown },
        AnswerValue::Choice(id) => AnswerInput::Choice { option_id: id.clone() },
        AnswerValue::Choices(ids) => AnswerInput::Choices { option_ids: ids.clone() },
        AnswerValue::Text(t) => AnswerInput::Text { text: t.clone() },
        AnswerValue::Number(n) => AnswerInput::Number { value: *n },
        AnswerValue::Date(d) => AnswerInput::Date { date: d.to_string() },
    }
}

pub(crate) fn labels(lang: Lang) -> ScreeningLabels {
    let pick = |ky: &str, ru: &str, en: &str| match lang {
        Lang::Ky => ky.to_string(),
        Lang::Ru => ru.to_string(),
        Lang::En => en.to_string(),
    };
    ScreeningLabels {
        yes: pick("Ооба", "Да", "Yes"),
        no: pick("Жок", "Нет", "No"),
        unknown: pick("Билбейм", "Не знаю", "Don't know"),
        skip: pick("Өткөрүү", "Пропустить", "Skip"),
        back: pick("Артка", "Назад", "Back"),
    }
}

pub(crate) fn question_view(c: &Checklist, q: &Question, lang: Lang, s: &Screening) -> QuestionView {
    let answers = Some(&s.answers);
    // Counted among the questions this path asks, by the core's rule.
    let place = c.place_for(s, &q.id).unwrap_or(screening::Place { position: 0, total: 0 });
    QuestionView {
        id: q.id.clone(),
        position: crate::num::int(place.position),
        total: crate::num::int(place.total),
        section_title: c.section_of(&q.id).map(|s| text(&s.title, lang).to_string()).unwrap_or_default(),
        text: q.officer_text(lang).to_string(),
        traveller_text: q.traveller_text(lang).map(str::to_string),
        private_interview_only: q.asked_in.is_private(),
        help: q.help.as_ref().map(|h| text(h, lang).to_string()),
        required: q.required,
        kind: kind(q, lang),
        hint: touch_hint(q, lang),
        current_answer: answers.and_then(|a| a.get(&q.id)).map(answer_input),
    }
}

pub(crate) fn answer_value(q: &Question, input: AnswerInput) -> Result<AnswerValue> {
    Ok(match input {
        AnswerInput::YesNo { value } => AnswerValue::YesNo(match value {
            YesNoAnswer::Yes => YesNo::Yes,
            YesNoAnswer::No => YesNo::No,
            YesNoAnswer::Unknown => YesNo::Unknown,
        }),
        AnswerInput::Choice { option_id } => AnswerValue::Choice(option_id),
        AnswerInput::Choices { option_ids } => AnswerValue::Choices(option_ids),
        AnswerInput::Text { text } => AnswerValue::Text(text),
        AnswerInput::Number { value } => AnswerValue::Number(value),
        AnswerInput::Date { date } => AnswerValue::Date(date.parse().map_err(|reason| {
            HomewardError::from(screening::AnswerError::BadDate { question: q.id.clone(), reason })
        })?),
    })
}

fn progress(c: &Checklist, s: &Screening) -> ScreeningProgress {
    let answers = s.effective_answers();
    // In the queue, required private questions wait for the private interview.
    let missing: Vec<String> = c
        .missing_required(&answers, s.screening_date)
        .into_iter()
        .filter(|q| c.question(q).is_some_and(|q| s.stage().asks(q)))
        .collect();
    let view = c.view(&answers, s.screening_date);
    let counted = c.progress_for(s);
    ScreeningProgress {
        screening_id: s.id.clone(),
        answered: crate::num::int(s.answers.len()),
        skipped: crate::num::int(s.skipped.len()),
        done_questions: crate::num::int(counted.done),
        total_questions: crate::num::int(counted.total),
        next_question_id: if s.is_final() { None } else { c.next_for(s).map(|q| q.id.clone()) },
        can_finalise: !s.is_final() && missing.is_empty(),
        missing_required: missing,
        is_final: s.is_final(),
        asks_document_holder_name: view.documents() == Some(DocumentSituation::AnotherPersons),
        in_private_interview: s.stage() == screening::Stage::Private,
        left_for_private: match (s.is_final(), s.stage()) {
            (false, screening::Stage::Queue) => c.left_for_private(&answers, &s.skipped, s.screening_date),
            _ => Vec::new(),
        },
    }
}

fn list_item(s: &Screening) -> ScreeningListItem {
    ScreeningListItem {
        id: s.id.clone(),
        screening_date: s.screening_date.to_string(),
        crossing_point: s.crossing_point.clone(),
        is_final: s.is_final(),
        verdict: s.outcome().map(|o| o.verdict.into()),
        answered: crate::num::int(s.answers.len()),
    }
}

fn parse_id(id: &str) -> Result<RecordId> {
    id.parse().map_err(|_| HomewardError::input("not a screening id"))
}

/// Screenings kept in the vault: start, resume, list and search.
#[derive(uniffi::Object)]
pub struct ScreeningService {
    shared: Arc<Shared>,
}

impl ScreeningService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        ScreeningService { shared }
    }

    fn searched(&self, v: &mut homeward_core::vault::Vault, found: &[Screening]) -> Result<Vec<ScreeningListItem>> {
        for s in found {
            self.shared.audit(v, AuditAction::Search, SubjectKind::Screening, &s.id, None)?;
        }
        Ok(found.iter().map(list_item).collect())
    }
}

#[uniffi::export]
impl ScreeningService {
    /// Starts a draft, saved at once. Fast (one durable write, ~10 ms).
    pub fn start(&self, input: NewScreeningInput) -> Result<Arc<ScreeningSession>> {
        let date = match &input.screening_date {
            Some(d) => parse_date("screening_date", d)?,
            None => IsoDate::today(),
        };
        let lang: Lang = input.language.into();
        // The refusal is worded in the screening's language.
        crate::reason::in_language(lang, || self.start_in(input, date, lang))
    }
}

impl ScreeningService {
    fn start_in(&self, input: NewScreeningInput, date: IsoDate, lang: Lang) -> Result<Arc<ScreeningSession>> {
        if input.crossing_point.trim().is_empty() {
            return Err(HomewardError::input(crate::reason::say(
                "Өткөрүү пунктун тизмеден тандаңыз.",
                "Выберите пункт пропуска из списка.",
                "Choose the crossing point from the list.",
            )));
        }
        // New screenings use the newest checklist headquarters published.
        let checklist = Arc::new(self.shared.with(|v| Ok(screening::installed::current_checklist(v)))?);
        let s = self.shared.with(|v| {
            let s = ScreeningRecords::new(v, &checklist).start(NewScreening {
                crossing_point: input.crossing_point,
                officer: input.officer,
                language: lang,
                screening_date: date,
                now_unix_ms: now_ms(),
            })?;
            self.shared.audit(v, AuditAction::Create, SubjectKind::Screening, &s.id, None)?;
            Ok(s)
        })?;
        Ok(Arc::new(ScreeningSession {
            shared: self.shared.clone(),
            id: s.record_id()?,
            lang: Mutex::new(lang),
            checklist,
        }))
    }
}

#[uniffi::export]
impl ScreeningService {
    /// Opens a saved screening in its own language. A draft resumes (audited
    /// as a change). A final screening is a person's full record: it opens
    /// only with a `justification` (why it is looked at), kept in the audit
    /// trail; without one, `JustificationRequired` and nothing is returned.
    pub fn open(&self, id: String, justification: Option<String>) -> Result<Arc<ScreeningSession>> {
        let id = parse_id(&id)?;
        let s = self.shared.with(|v| {
            let s = ScreeningRecords::new(v, checklist()).load(id)?;
            if s.is_final() {
                self.shared.audit_view(v, SubjectKind::Screening, &s.id, justification.as_deref())?;
            } else {
                self.shared.audit(v, AuditAction::Change, SubjectKind::Screening, &s.id, None)?;
            }
            Ok(s)
        })?;
        let checklist = Arc::new(self.shared.with(|v| Ok(screening::installed::checklist_for_screening(v, &s)))?);
        Ok(Arc::new(ScreeningSession { shared: self.shared.clone(), id, lang: Mutex::new(s.language), checklist }))
    }

    /// Screenings, newest first. Decrypts each record: about 1 ms each.
    pub fn list(&self, filter: ScreeningFilter) -> Result<Vec<ScreeningListItem>> {
        let f = ListFilter {
            from: filter.from.as_deref().map(|d| parse_date("from", d)).transpose()?,
            to: filter.to.as_deref().map(|d| parse_date("to", d)).transpose()?,
            crossing_point: filter.crossing_point,
        };
        self.shared.with(|v| {
            Ok(ScreeningRecords::new(v, checklist())
                .list(&f)?
                .into_iter()
                .map(|s| ScreeningListItem {
                    id: s.id,
                    screening_date: s.screening_date.to_string(),
                    crossing_point: s.crossing_point,
                    is_final: s.is_final,
                    verdict: s.verdict.map(Into::into),
                    answered: crate::num::int(s.answered),
                })
                .collect())
        })
    }

    /// Screenings of a person by name, in either script and any order, as
    /// summaries (each match is audited as a search). Fast (a keyed index lookup).
    pub fn search_by_name(&self, name: String) -> Result<Vec<ScreeningListItem>> {
        self.shared.with(|v| {
            let found = ScreeningRecords::new(v, checklist()).search_name(&name)?;
            self.searched(v, &found)
        })
    }

    /// Screenings by document number (look-alike letters folded), as
    /// summaries (each match audited as a search). Fast.
    pub fn search_by_document(&self, number: String) -> Result<Vec<ScreeningListItem>> {
        self.shared.with(|v| {
            let found = ScreeningRecords::new(v, checklist()).search_document(&number)?;
            self.searched(v, &found)
        })
    }
}

/// One screening, driven question by question. Every call reads the saved
/// record and each change is saved before it returns, so the app can be
/// killed at any point and the screening resumed with `ScreeningService.open`.
/// Each call takes a few milliseconds.
#[derive(uniffi::Object)]
pub struct ScreeningSession {
    shared: Arc<Shared>,
    id: RecordId,
    lang: Mutex<Lang>,
    /// The checklist version this screening was started on.
    checklist: Arc<Checklist>,
}

impl ScreeningSession {
    fn lang(&self) -> Lang {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Errors made by `f` worded in this session's language.
    fn in_lang<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        crate::reason::in_language(self.lang(), f)
    }

    /// A call on the vault with its errors worded in this session's language.
    fn with<T>(&self, f: impl FnOnce(&mut homeward_core::vault::Vault) -> Result<T>) -> Result<T> {
        crate::reason::in_language(self.lang(), || self.shared.with(f))
    }

    fn load(&self) -> Result<Screening> {
        self.with(|v| Ok(ScreeningRecords::new(v, &self.checklist).load(self.id)?))
    }

    fn change(&self, f: impl FnOnce(&mut ScreeningRecords<'_>) -> Result<Screening>) -> Result<ScreeningProgress> {
        let s = self.with(|v| f(&mut ScreeningRecords::new(v, &self.checklist)))?;
        Ok(progress(&self.checklist, &s))
    }

    /// Whether the person is treated as a child: by the final outcome, else
    /// by the answers so far.
    fn is_child(&self, s: &Screening) -> bool {
        match s.outcome() {
            Some(o) => o.child.treated_as_child,
            None => {
                screening::evaluate(&self.checklist, &s.effective_answers(), s.screening_date).child.treated_as_child
            }
        }
    }

    fn question_of(&self, question_id: &str) -> Result<&Question> {
        self.checklist.question(question_id).ok_or_else(|| {
            let e = screening::AnswerError::UnknownQuestion(question_id.to_string());
            crate::reason::in_language(self.lang(), || e.into())
        })
    }
}

#[uniffi::export]
impl ScreeningSession {
    /// The screening's id, to resume it later.
    pub fn id(&self) -> String {
        self.id.to_string()
    }

    /// The language of every text this session returns.
    pub fn language(&self) -> Language {
        self.lang().into()
    }

    /// Switches the language of the texts (the answers do not change).
    pub fn set_language(&self, language: Language) {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner()) = language.into();
    }

    /// The next question to ask, decided by the core from the answers so far;
    /// none when the checklist is done (then set the subject and finalise).
    pub fn next_question(&self) -> Result<Option<QuestionView>> {
        let s = self.load()?;
        if s.is_final() {
            return Ok(None);
        }
        let c = &self.checklist;
        Ok(c.next_for(&s).map(|q| question_view(c, q, self.lang(), &s)))
    }

    /// Moves the screening to a private interview: call it once the person
    /// is taken aside and given the non-punishment assurance. The questions
    /// asked only there then come from `next_question`; reopening the
    /// screening later resumes in the private interview.
    pub fn move_to_private(&self, officer: Option<String>) -> Result<ScreeningProgress> {
        let p = self.change(|b| Ok(b.move_to_private(self.id, officer, now_ms())?))?;
        self.shared
            .with(|v| self.shared.audit(v, AuditAction::Change, SubjectKind::Screening, &self.id.to_string(), None))?;
        Ok(p)
    }

    /// Any question by id (to change an earlier answer), with the answer
    /// saved for it in `current_answer`.
    pub fn question(&self, question_id: String) -> Result<QuestionView> {
        let s = self.load()?;
        Ok(question_view(&self.checklist, self.question_of(&question_id)?, self.lang(), &s))
    }

    /// The screen's fixed words (yes, no, don't know, skip, back) in the
    /// session's language. Fast.
    pub fn labels(&self) -> ScreeningLabels {
        labels(self.lang())
    }

    /// Saves an answer. A refused answer throws `InvalidAnswer` with a reason
    /// to show under the field, and changes nothing.
    pub fn answer(&self, question_id: String, answer: AnswerInput) -> Result<ScreeningProgress> {
        let value = self.in_lang(|| answer_value(self.question_of(&question_id)?, answer))?;
        self.change(|b| Ok(b.answer(self.id, &question_id, value)?))
    }

    /// Saves an answer typed as text, read by the core's rules: y/n/? (and
    /// д/н, о/ж), option numbers or ids (comma-separated for several),
    /// numbers with a comma or a dot, dates as YYYY-MM-DD.
    pub fn answer_text(&self, question_id: String, input: String) -> Result<ScreeningProgress> {
        let value = self.in_lang(|| Ok(answers::from_input(self.question_of(&question_id)?, &input)?))?;
        self.change(|b| Ok(b.answer(self.id, &question_id, value)?))
    }

    /// Skips an optional question (a required one throws `InvalidAnswer`).
    pub fn skip(&self, question_id: String) -> Result<ScreeningProgress> {
        self.change(|b| Ok(b.skip(self.id, &question_id)?))
    }

    /// The identifying details (optional; `refused` when declined).
    pub fn set_subject(&self, subject: SubjectInput) -> Result<ScreeningProgress> {
        self.change(|b| Ok(b.set_subject(self.id, subject.into())?))
    }

    /// Where the screening stands.
    pub fn progress(&self) -> Result<ScreeningProgress> {
        Ok(progress(&self.checklist, &self.load()?))
    }

    /// The answers so far as they read to a person, in checklist order.
    pub fn answers(&self) -> Result<Vec<AnsweredQuestion>> {
        let s = self.load()?;
        let (c, lang) = (&self.checklist, self.lang());
        Ok(c.questions()
            .filter_map(|q| {
                s.effective_answers().get(&q.id).map(|a| AnsweredQuestion {
                    question_id: q.id.clone(),
                    question: text(&q.text, lang).to_string(),
                    answer: answers::display(q, a, lang),
                })
            })
            .collect())
    }

    /// The outcome: final once finalised, else provisional from the answers so far.
    pub fn outcome(&self) -> Result<ScreeningOutcomeView> {
        let s = self.load()?;
        let c = &self.checklist;
        let o = match s.outcome() {
            Some(o) => o.clone(),
            None => screening::evaluate_screening(c, &s),
        };
        Ok(outcome_view(c, &o, &s, self.lang()))
    }

    /// Finalises: the outcome is fixed and the record can then only be
    /// amended. Throws `ScreeningIncomplete` with the missing question ids.
    pub fn finalise(&self) -> Result<ScreeningOutcomeView> {
        let s = self.with(|v| {
            let s = ScreeningRecords::new(v, &self.checklist).finalise(self.id, now_ms())?;
            self.shared.audit(v, AuditAction::Change, SubjectKind::Screening, &s.id, None)?;
            Ok(s)
        })?;
        let o = s.outcome().cloned().ok_or_else(|| HomewardError::Internal { reason: "no outcome".into() })?;
        Ok(outcome_view(&self.checklist, &o, &s, self.lang()))
    }

    /// Corrects a final screening with an addendum: the original answers
    /// stay as they were, the changes, the reason (required) and the
    /// re-evaluated outcome are added. Returns the new outcome.
    pub fn amend(
        &self,
        changes: Vec<AnswerChange>,
        subject: Option<SubjectInput>,
        reason: String,
        officer: Option<String>,
    ) -> Result<ScreeningOutcomeView> {
        let mut typed = Answers::new();
        for c in changes {
            let value = answer_value(self.question_of(&c.question_id)?, c.answer)?;
            typed.insert(c.question_id, value);
        }
        let s = self.with(|v| {
            let s = ScreeningRecords::new(v, &self.checklist).amend(
                self.id,
                typed,
                subject.map(Into::into),
                &reason,
                officer,
                now_ms(),
            )?;
            self.shared.audit(v, AuditAction::Change, SubjectKind::Screening, &s.id, Some(&reason))?;
            Ok(s)
        })?;
        let o = s.outcome().cloned().ok_or_else(|| HomewardError::Internal { reason: "no outcome".into() })?;
        Ok(outcome_view(&self.checklist, &o, &s, self.lang()))
    }

    /// Records a consent (or legal override) to refer the person to
    /// `partner` for `purpose`, given on `given_on` ("YYYY-MM-DD", today when
    /// absent). Allowed on drafts and final screenings alike.
    pub fn add_consent(
        &self,
        partner: String,
        purpose: String,
        given_on: Option<String>,
        basis: ReferralBasisData,
    ) -> Result<ConsentView> {
        let given_on = match given_on {
            Some(d) => parse_date("given_on", &d)?,
            None => IsoDate::today(),
        };
        if partner.trim().is_empty() || purpose.trim().is_empty() {
            return Err(HomewardError::input("name the partner and the purpose"));
        }
        let consent = ReferralConsent {
            id: Uuid::new_v4().to_string(),
            partner,
            purpose,
            given_on,
            revoked_on: None,
            basis: referral_basis(basis),
        };
        let view = consent_view(&consent);
        self.with(|v| {
            ScreeningRecords::new(v, &self.checklist).add_consent(self.id, consent)?;
            self.shared.audit(v, AuditAction::Consent, SubjectKind::Screening, &self.id.to_string(), None)
        })?;
        Ok(view)
    }

    /// Revokes a consent from `on` ("YYYY-MM-DD", today when absent); the
    /// record of it stays.
    pub fn revoke_consent(&self, consent_id: String, on: Option<String>) -> Result<()> {
        let on = match on {
            Some(d) => parse_date("on", &d)?,
            None => IsoDate::today(),
        };
        self.with(|v| {
            let mut book = ScreeningRecords::new(v, &self.checklist);
            if !book.load(self.id)?.consents.iter().any(|c| c.id == consent_id) {
                return Err(HomewardError::NotFound { reason: "no consent with that id".into() });
            }
            book.revoke_consent(self.id, &consent_id, on)?;
            self.shared.audit(v, AuditAction::Consent, SubjectKind::Screening, &self.id.to_string(), None)
        })
    }

    /// The consents recorded, in the order given.
    pub fn consents(&self) -> Result<Vec<ConsentView>> {
        Ok(self.load()?.consents.iter().map(consent_view).collect())
    }

    /// The consent question for a referral to `partner` (its name as the
    /// person knows it, e.g. "IOM"), the button and the confirmation, in the
    /// session's language; for a child, addressed to the parent or guardian.
    pub fn consent_wording(&self, partner: String) -> Result<ConsentWording> {
        let s = self.load()?;
        let for_child = self.is_child(&s);
        let w = screening::consent_wording(&partner, for_child, self.lang());
        Ok(ConsentWording { question: w.question, agree: w.agree, recorded: w.recorded, for_child })
    }

    /// Whether the person's data may be shared with `partner` for `purpose`
    /// on `on` (today when absent), by the core's rule: a valid consent in
    /// force, and for a child a parent's or a best-interests decision.
    pub fn may_share(&self, partner: String, purpose: String, on: Option<String>) -> Result<ReferralDecision> {
        let on = match on {
            Some(d) => parse_date("on", &d)?,
            None => IsoDate::today(),
        };
        let s = self.load()?;
        let is_child = self.is_child(&s);
        Ok(match screening::may_share(&s.consents, &partner, &purpose, on, is_child) {
            Ok(consent) => ReferralDecision::Allowed { consent_id: consent.id.clone() },
            Err(e) => ReferralDecision::Refused { reason: e.to_string() },
        })
    }
}

#[uniffi::export]
impl ScreeningService {
    /// The referral directory this device holds (installed at enrolment and
    /// at each sync that brings a newer one), with its age; none before the
    /// first. Fast.
    pub fn referral_directory(&self) -> Result<Option<crate::directory::DirectoryView>> {
        self.shared.with(|v| match homeward_core::referral::held_directory(v) {
            Ok(d) => Ok(Some(crate::directory::directory_view(&d, crate::screening::now_ms()))),
            Err(homeward_core::referral::ReferralError::NoDirectory) => Ok(None),
            Err(e) => Err(e.into()),
        })
    }
}

#[uniffi::export]
impl ScreeningSession {
    /// The partners this screening's recommended actions point to, from the
    /// held directory (for a child, only those serving children), in the
    /// directory's order. Throws `NotFound` when no directory is held yet.
    /// Fast.
    pub fn referral_partners(&self) -> Result<Vec<crate::directory::PartnerView>> {
        self.with(|v| {
            let partners = homeward_core::referral::partners_for_screening(v, &self.checklist, self.id)?;
            Ok(partners.iter().map(Into::into).collect())
        })
    }

    /// Refers the person to `partner` (its id in the directory) for
    /// `purpose`, sharing `data`: checks the consent in force (or a recorded
    /// override), seals the package to the key the directory publishes for
    /// that partner, records and audits the referral. A partner the
    /// directory no longer lists, or for a child one that does not serve
    /// children, throws `NotAllowed` and nothing is written. One durable
    /// write and a sealing: fast.
    pub fn refer(
        &self,
        partner: String,
        purpose: String,
        data: Vec<crate::directory::ReferralData>,
    ) -> Result<crate::directory::ReferralMade> {
        self.with(|v| {
            let me = homeward_core::certificate::DeviceProfile::load(v).and_then(|p| p.identity())?;
            let req = homeward_core::referral::ReferralRequest {
                screening_id: self.id,
                partner,
                purpose,
                categories: data.into_iter().map(Into::into).collect(),
                on: IsoDate::today(),
                made_by: self.shared.officer(),
            };
            let (r, pkg) = homeward_core::referral::refer_listed(v, &self.checklist, &me, &req, now_ms())?;
            Ok(crate::directory::ReferralMade {
                referral_id: r.id,
                partner: r.partner,
                package_json: pkg.to_json(),
                classification: pkg.classification.label().to_string(),
            })
        })
    }
}

// The suspend versions (docs/BINDINGS.md, "Threads"): each is dropped if its
// coroutine is cancelled before it reached the vault, else runs to its end.
crate::background::suspend_versions!(ScreeningService {
    /// `start` as a suspend call.
    fn start_async = start(input: NewScreeningInput) -> Result<Arc<ScreeningSession>>;
    /// `open` as a suspend call.
    fn open_async = open(id: String, justification: Option<String>) -> Result<Arc<ScreeningSession>>;
    /// `list` as a suspend call.
    fn list_async = list(filter: ScreeningFilter) -> Result<Vec<ScreeningListItem>>;
    /// `search_by_name` as a suspend call.
    fn search_by_name_async = search_by_name(name: String) -> Result<Vec<ScreeningListItem>>;
    /// `search_by_document` as a suspend call.
    fn search_by_document_async = search_by_document(number: String) -> Result<Vec<ScreeningListItem>>;
    /// `referral_directory` as a suspend call.
    fn referral_directory_async = referral_directory() -> Result<Option<crate::directory::DirectoryView>>;
});

crate::background::suspend_versions!(ScreeningSession {
    /// `next_question` as a suspend call.
    fn next_question_async = next_question() -> Result<Option<QuestionView>>;
    /// `move_to_private` as a suspend call.
    fn move_to_private_async = move_to_private(officer: Option<String>) -> Result<ScreeningProgress>;
    /// `question` as a suspend call.
    fn question_async = question(question_id: String) -> Result<QuestionView>;
    /// `answer` as a suspend call.
    fn answer_async = answer(question_id: String, answer: AnswerInput) -> Result<ScreeningProgress>;
    /// `answer_text` as a suspend call.
    fn answer_text_async = answer_text(question_id: String, input: String) -> Result<ScreeningProgress>;
    /// `skip` as a suspend call.
    fn skip_async = skip(question_id: String) -> Result<ScreeningProgress>;
    /// `set_subject` as a suspend call.
    fn set_subject_async = set_subject(subject: SubjectInput) -> Result<ScreeningProgress>;
    /// `progress` as a suspend call.
    fn progress_async = progress() -> Result<ScreeningProgress>;
    /// `answers` as a suspend call.
    fn answers_async = answers() -> Result<Vec<AnsweredQuestion>>;
    /// `outcome` as a suspend call.
    fn outcome_async = outcome() -> Result<ScreeningOutcomeView>;
    /// `finalise` as a suspend call.
    fn finalise_async = finalise() -> Result<ScreeningOutcomeView>;
    /// `amend` as a suspend call.
    fn amend_async = amend(changes: Vec<AnswerChange>, subject: Option<SubjectInput>, reason: String, officer: Option<String>) -> Result<ScreeningOutcomeView>;
    /// `add_consent` as a suspend call.
    fn add_consent_async = add_consent(partner: String, purpose: String, given_on: Option<String>, basis: ReferralBasisData) -> Result<ConsentView>;
    /// `revoke_consent` as a suspend call.
    fn revoke_consent_async = revoke_consent(consent_id: String, on: Option<String>) -> Result<()>;
    /// `consents` as a suspend call.
    fn consents_async = consents() -> Result<Vec<ConsentView>>;
    /// `consent_wording` as a suspend call.
    fn consent_wording_async = consent_wording(partner: String) -> Result<ConsentWording>;
    /// `may_share` as a suspend call.
    fn may_share_async = may_share(partner: String, purpose: String, on: Option<String>) -> Result<ReferralDecision>;
    /// `referral_partners` as a suspend call.
    fn referral_partners_async = referral_partners() -> Result<Vec<crate::directory::PartnerView>>;
    /// `refer` as a suspend call.
    fn refer_async = refer(partner: String, purpose: String, data: Vec<crate::directory::ReferralData>) -> Result<crate::directory::ReferralMade>;
});
