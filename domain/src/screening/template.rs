//! Checklist templates as data: sections and questions in Kyrgyz, Russian and
//! English, answer types, the Protocol element each indicator evidences, and
//! show-if conditions on earlier answers. Headquarters publishes new versions;
//! a screening records the exact `id` and `version` it used.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::IsoDate;

/// The languages every text must be given in.
pub const LANGUAGES: [Lang; 3] = [Lang::Ky, Lang::Ru, Lang::En];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ky,
    Ru,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ky" => Ok(Lang::Ky),
            "ru" => Ok(Lang::Ru),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?}; use ky, ru or en")),
        }
    }
}

/// A text in each language, keyed by language code.
pub type Texts = BTreeMap<Lang, String>;

/// Picks the text in `lang`, falling back to English, then to any.
pub fn text(texts: &Texts, lang: Lang) -> &str {
    texts
        .get(&lang)
        .or_else(|| texts.get(&Lang::En))
        .or_else(|| texts.values().next())
        .map(String::as_str)
        .unwrap_or("")
}

/// A checklist template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub title: Texts,
    /// The jurisdiction whose law the template encodes (ISO 3166 code).
    #[serde(default)]
    pub jurisdiction: Option<String>,
    pub sections: Vec<Section>,
    /// Who reviewed which text in which language (see [`super::review`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<Review>,
}

/// One text reviewed in one language. It holds only while the text is the
/// one reviewed: `digest` is [`super::review::text_digest`] of it, so editing
/// the text makes it unreviewed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The text's id, e.g. `title`, `section.person.title`, `recruited.text`,
    /// `documents.option.own` (see [`super::review::localized_texts`]).
    pub text: String,
    pub lang: Lang,
    /// The reviewer (a name or staff id).
    pub by: String,
    /// The review date, `YYYY-MM-DD` (kept as written; validation checks it).
    pub on: String,
    /// The first 16 hex characters of the SHA-256 of the exact reviewed text.
    pub digest: String,
}

/// Where a question may be asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum AskedIn {
    /// In the queue at the border post.
    #[default]
    Queue,
    /// Only in a private interview, after the non-punishment assurance.
    Private,
    /// Anything else the JSON said: kept so that validation reports it with
    /// its path instead of the whole template failing to parse.
    Unknown(String),
}

impl AskedIn {
    pub fn as_str(&self) -> &str {
        match self {
            AskedIn::Queue => "queue",
            AskedIn::Private => "private",
            AskedIn::Unknown(s) => s,
        }
    }

    pub fn is_private(&self) -> bool {
        *self == AskedIn::Private
    }
}

impl Serialize for AskedIn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AskedIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "queue" => AskedIn::Queue,
            "private" => AskedIn::Private,
            _ => AskedIn::Unknown(s),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Texts,
    #[serde(default)]
    pub show_if: Option<Condition>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// The officer's wording.
    pub text: Texts,
    /// The wording addressed to the traveller (second person, plain words),
    /// read aloud or shown on the screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traveller_text: Option<Texts>,
    #[serde(default)]
    pub help: Option<Texts>,
    /// Where the question may be asked; "private" questions are left out of
    /// the queue and asked in the private interview.
    #[serde(default, skip_serializing_if = "is_queue")]
    pub asked_in: AskedIn,
    pub answer: AnswerType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub show_if: Option<Condition>,
    /// For a yes/no question: what a "yes" evidences.
    #[serde(default)]
    pub indicator: Option<Indicator>,
    /// A question the evaluation reads for something other than an indicator.
    #[serde(default)]
    pub role: Option<Role>,
}

fn is_queue(a: &AskedIn) -> bool {
    *a == AskedIn::Queue
}

/// What the evaluation reads from a question besides indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person's date of birth (a date question).
    DateOfBirth,
    /// "The person appears to be a minor" (yes/no).
    AppearsMinor,
    /// "The person says they agreed" (yes/no): irrelevant once a means was used.
    ConsentGiven,
    /// "The person asks for shelter" (yes/no).
    WantsShelter,
    /// "The person is a citizen of this country" (yes/no).
    Citizen,
    /// The person's documents (single choice; see [`DocumentSituation`]).
    Documents,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AnswerType {
    /// Yes, no, or unknown.
    YesNo,
    SingleChoice {
        options: Vec<Choice>,
    },
    MultipleChoice {
        options: Vec<Choice>,
    },
    Text {
        #[serde(default)]
        max_len: Option<usize>,
    },
    Number {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
        /// Whole numbers only (a count of people, of days): 2.5 is refused.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        integer: bool,
    },
    Date,
}

impl AnswerType {
    pub fn name(&self) -> &'static str {
        match self {
            AnswerType::YesNo => "yes/no",
            AnswerType::SingleChoice { .. } => "single choice",
            AnswerType::MultipleChoice { .. } => "multiple choice",
            AnswerType::Text { .. } => "text",
            AnswerType::Number { .. } => "number",
            AnswerType::Date => "date",
        }
    }

    pub fn options(&self) -> &[Choice] {
        match self {
            AnswerType::SingleChoice { options } | AnswerType::MultipleChoice { options } => options,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub text: Texts,
    /// What choosing this option evidences.
    #[serde(default)]
    pub indicator: Option<Indicator>,
    /// For the documents question: which situation this option is.
    #[serde(default)]
    pub documents: Option<DocumentSituation>,
}

/// The person's documents (Law art. 18: crossing without documents or with
/// another person's is recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentSituation {
    Own,
    None,
    AnotherPersons,
    HeldBySomeoneElse,
}

/// The elements of trafficking (Protocol art. 3) an indicator can evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    Act,
    Means,
    Purpose,
    /// Signs that someone controls the person (held documents, a companion
    /// who answers for them, restricted movement...).
    Control,
    /// Signs specific to a child (no parent or guardian...).
    Child,
}

/// The forms of exploitation: the Protocol's minimum list, and those the
/// national Law adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exploitation {
    SexualExploitation,
    ForcedLabour,
    Slavery,
    Servitude,
    OrganRemoval,
    CriminalActivity,
    CommercialAdoption,
    ArmedConflict,
}

impl Exploitation {
    pub const ALL: [Exploitation; 8] = [
        Exploitation::SexualExploitation,
        Exploitation::ForcedLabour,
        Exploitation::Slavery,
        Exploitation::Servitude,
        Exploitation::OrganRemoval,
        Exploitation::CriminalActivity,
        Exploitation::CommercialAdoption,
        Exploitation::ArmedConflict,
    ];
}

/// What an answer evidences: one or more elements; a purpose names its
/// exploitation type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub elements: Vec<Element>,
    #[serde(default)]
    pub exploitation: Option<Exploitation>,
}

/// A show-if condition over earlier answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The question has any answer.
    Answered {
        question: String,
    },
    /// A yes/no question answered "yes".
    IsYes {
        question: String,
    },
    /// A choice question with this option chosen.
    Chose {
        question: String,
        option: String,
    },
    /// A number question answered with less than `value`.
    LessThan {
        question: String,
        value: f64,
    },
    /// A date-of-birth question giving an age under `years` at the screening date.
    AgeUnder {
        question: String,
        years: u32,
    },
    /// The person is treated as a child (see the evaluation's rule).
    IsChild,
    All {
        of: Vec<Condition>,
    },
    Any {
        of: Vec<Condition>,
    },
    Not {
        of: Box<Condition>,
    },
}

impl Condition {
    /// Every question id the condition reads.
    pub fn references(&self, out: &mut Vec<String>) {
        match self {
            Condition::Answered { question }
            | Condition::IsYes { question }
            | Condition::Chose { question, .. }
            | Condition::LessThan { question, .. }
            | Condition::AgeUnder { question, .. } => out.push(question.clone()),
            Condition::IsChild => {}
            Condition::All { of } | Condition::Any { of } => {
                for c in of {
                    c.references(out)
                }
            }
            Condition::Not { of } => of.references(out),
        }
    }
}

/// An answer to one question, typed by the question's answer type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    YesNo(YesNo),
    /// A single choice: the option id.
    Choice(String),
    /// A multiple choice: option ids.
    Choices(Vec<String>),
    Text(String),
    Number(f64),
    Date(IsoDate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    Yes,
    No,
    Unknown,
}

impl AnswerValue {
    pub fn is_yes(&self) -> bool {
        matches!(self, AnswerValue::YesNo(YesNo::Yes))
    }

    pub fn as_date(&self) -> Option<IsoDate> {
        match self {
            AnswerValue::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn chose(&self, option: &str) -> bool {
        match self {
            AnswerValue::Choice(s) => s == option,
            AnswerValue::Choices(v) => v.iter().any(|o| o == option),
            _ => false,
        }
    }

    /// The answer as plain JSON, the form of the answers file.
    pub fn to_plain_json(&self) -> serde_json::Value {
        match self {
            AnswerValue::YesNo(y) => serde_json::to_value(y).expect("serialises"),
            AnswerValue::Choice(s) | AnswerValue::Text(s) => s.clone().into(),
            AnswerValue::Choices(v) => v.clone().into(),
            AnswerValue::Number(n) => (*n).into(),
            AnswerValue::Date(d) => d.to_string().into(),
        }
    }

    /// Whether this answer has the shape `answer_type` expects.
    pub fn fits(&self, answer_type: &AnswerType) -> bool {
        matches!(
            (self, answer_type),
            (AnswerValue::YesNo(_), AnswerType::YesNo)
                | (AnswerValue::Choice(_), AnswerType::SingleChoice { .. })
                | (AnswerValue::Choices(_), AnswerType::MultipleChoice { .. })
                | (AnswerValue::Text(_), AnswerType::Text { .. })
                | (AnswerValue::Number(_), AnswerType::Number { .. })
                | (AnswerValue::Date(_), AnswerType::Date)
        )
    }
}

impl Question {
    /// The officer's wording in `lang`.
    pub fn officer_text(&self, lang: Lang) -> &str {
        text(&self.text, lang)
    }

    /// The wording addressed to the traveller in `lang`, if the template has one.
    pub fn traveller_text(&self, lang: Lang) -> Option<&str> {
        self.traveller_text.as_ref().map(|t| text(t, lang)).filter(|t| !t.is_empty())
    }
}

impl Template {
    /// Every question with its section, in template order.
    pub fn questions(&self) -> impl Iterator<Item = (&Section, &Question)> {
        self.sections.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q)))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.id == id)
    }

    /// The question that has `role`, if any.
    pub fn with_role(&self, role: Role) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.role == Some(role))
    }

    /// Parses a template from JSON; structural errors only (use
    /// [`super::validate`] for the rules).
    pub fn from_json(json: &str) -> Result<Template, serde_json::Error> {
        serde_json::from_str(json)
    }
}
