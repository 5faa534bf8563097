//! Reading and checking answers: from the answers file (plain JSON), from a
//! line typed in a terminal, and against the question's rules.

use std::collections::BTreeMap;

use super::template::{text, AnswerType, AnswerValue, Lang, Question, YesNo};
use crate::date::IsoDate;

/// Answers by question id.
pub type Answers = BTreeMap<String, AnswerValue>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("no question {0:?} in this checklist")]
    UnknownQuestion(String),
    #[error("question {question:?} expects {expected}")]
    WrongType { question: String, expected: String },
    #[error("question {question:?} has no option {option:?}")]
    UnknownOption { question: String, option: String },
    #[error("question {question:?} takes at most {max} characters")]
    TooLong { question: String, max: usize },
    #[error("question {question:?}: {value} is outside {min}..{max}")]
    OutOfRange { question: String, value: f64, min: f64, max: f64 },
    #[error("question {question:?} takes a whole number, not {value}")]
    NotWhole { question: String, value: f64 },
    #[error("question {question:?}: {reason}")]
    BadDate { question: String, reason: String },
    #[error("question {0:?} is not asked given the earlier answers")]
    NotShown(String),
    #[error("question {0:?} needs an answer")]
    Required(String),
    #[error("question {0:?} is asked only in a private interview: move the screening there first")]
    PrivateOnly(String),
}

fn wrong(q: &Question) -> AnswerError {
    AnswerError::WrongType { question: q.id.clone(), expected: q.answer.name().into() }
}

/// Reads one answer from the answers file's plain JSON form:
/// "yes"/"no"/"unknown", an option id, a list of option ids, a string, a
/// number, or "YYYY-MM-DD".
pub fn from_json(q: &Question, v: &serde_json::Value) -> Result<AnswerValue, AnswerError> {
    let value = match (&q.answer, v) {
        (AnswerType::YesNo, serde_json::Value::String(s)) => AnswerValue::YesNo(match s.as_str() {
            "yes" => YesNo::Yes,
            "no" => YesNo::No,
            "unknown" => YesNo::Unknown,
            _ => return Err(wrong(q)),
        }),
        (AnswerType::YesNo, serde_json::Value::Bool(b)) => AnswerValue::YesNo(if *b { YesNo::Yes } else { YesNo::No }),
        (AnswerType::SingleChoice { .. }, serde_json::Value::String(s)) => AnswerValue::Choice(s.clone()),
        (AnswerType::MultipleChoice { .. }, serde_json::Value::Array(items)) => AnswerValue::Choices(
            items.iter().map(|i| i.as_str().map(str::to_string).ok_or_else(|| wrong(q))).collect::<Result<_, _>>()?,
        ),
        (AnswerType::Text { .. }, serde_json::Value::String(s)) => AnswerValue::Text(s.clone()),
        (AnswerType::Number { .. }, serde_json::Value::Number(n)) => {
            AnswerValue::Number(n.as_f64().ok_or_else(|| wrong(q))?)
        }
        (AnswerType::Date, serde_json::Value::String(s)) => AnswerValue::Date(
            s.parse::<IsoDate>().map_err(|reason| AnswerError::BadDate { question: q.id.clone(), reason })?,
        ),
        _ => return Err(wrong(q)),
    };
    Ok(value)
}

/// Reads one answer typed in a terminal. Yes/no takes y/n/? (and д/н, о/ж);
/// choices take option numbers (comma-separated for several) or ids.
pub fn from_input(q: &Question, input: &str) -> Result<AnswerValue, AnswerError> {
    let s = input.trim();
    let choice = |token: &str| -> Result<String, AnswerError> {
        let options = q.answer.options();
        if let Ok(n) = token.trim().parse::<usize>() {
            if n >= 1 && n <= options.len() {
                return Ok(options[n - 1].id.clone());
            }
        }
        options
            .iter()
            .find(|o| o.id == token.trim())
            .map(|o| o.id.clone())
            .ok_or_else(|| AnswerError::UnknownOption { question: q.id.clone(), option: token.trim().into() })
    };
    let value = match &q.answer {
        AnswerType::YesNo => AnswerValue::YesNo(match s.to_lowercase().as_str() {
            "y" | "yes" | "д" | "да" | "о" | "ооба" => YesNo::Yes,
            "n" | "no" | "н" | "нет" | "ж" | "жок" => YesNo::No,
            "?" | "u" | "unknown" => YesNo::Unknown,
            _ => return Err(wrong(q)),
        }),
        AnswerType::SingleChoice { .. } => AnswerValue::Choice(choice(s)?),
        AnswerType::MultipleChoice { .. } => {
            AnswerValue::Choices(s.split(',').filter(|t| !t.trim().is_empty()).map(choice).collect::<Result<_, _>>()?)
        }
        AnswerType::Text { .. } => AnswerValue::Text(s.to_string()),
        AnswerType::Number { .. } => AnswerValue::Number(s.replace(',', ".").parse().map_err(|_| wrong(q))?),
        AnswerType::Date => {
            AnswerValue::Date(s.parse().map_err(|reason| AnswerError::BadDate { question: q.id.clone(), reason })?)
        }
    };
    Ok(value)
}

/// Checks an answer against its question: type, known options, limits, and
/// for dates, not after the screening date.
pub fn check(q: &Question, value: &AnswerValue, screening_date: IsoDate) -> Result<(), AnswerError> {
    if !value.fits(&q.answer) {
        return Err(wrong(q));
    }
    let unknown = |c: &String| AnswerError::UnknownOption { question: q.id.clone(), option: c.clone() };
    match (&q.answer, value) {
        (AnswerType::SingleChoice { options }, AnswerValue::Choice(c)) if !options.iter().any(|o| &o.id == c) => {
            return Err(unknown(c));
        }
        (AnswerType::MultipleChoice { options }, AnswerValue::Choices(cs)) => {
            if let Some(c) = cs.iter().find(|c| !options.iter().any(|o| &o.id == *c)) {
                return Err(unknown(c));
            }
        }
        (AnswerType::Text { max_len: Some(max) }, AnswerValue::Text(t)) if t.chars().count() > *max => {
            return Err(AnswerError::TooLong { question: q.id.clone(), max: *max });
        }
        (AnswerType::Number { min, max, integer }, AnswerValue::Number(n)) => {
            let (lo, hi) = (min.unwrap_or(f64::MIN), max.unwrap_or(f64::MAX));
            if !n.is_finite() || *n < lo || *n > hi {
                return Err(AnswerError::OutOfRange { question: q.id.clone(), value: *n, min: lo, max: hi });
            }
            if *integer && n.fract() != 0.0 {
                return Err(AnswerError::NotWhole { question: q.id.clone(), value: *n });
            }
        }
        (AnswerType::Date, AnswerValue::Date(d)) if *d > screening_date => {
            return Err(AnswerError::BadDate {
                question: q.id.clone(),
                reason: format!("{d} is after the screening date {screening_date}"),
            });
        }
        _ => {}
    }
    Ok(())
}

/// How an answer reads to a person, in `lang`.
pub fn display(q: &Question, value: &AnswerValue, lang: Lang) -> String {
    let option_text = |id: &str| {
        q.answer
            .options()
            .iter()
            .find(|o| o.id == id)
            .map(|o| text(&o.text, lang).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    match value {
        AnswerValue::YesNo(y) => match (y, lang) {
            (YesNo::Yes, Lang::Ky) => "Ооба".into(),
            (YesNo::No, Lang::Ky) => "Жок".into(),
            (YesNo::Unknown, Lang::Ky) => "Белгисиз".into(),
            (YesNo::Yes, Lang::Ru) => "Да".into(),
            (YesNo::No, Lang::Ru) => "Нет".into(),
            (YesNo::Unknown, Lang::Ru) => "Неизвестно".into(),
            (YesNo::Yes, Lang::En) => "Yes".into(),
            (YesNo::No, Lang::En) => "No".into(),
            (YesNo::Unknown, Lang::En) => "Unknown".into(),
        },
        AnswerValue::Choice(c) => option_text(c),
        AnswerValue::Choices(cs) => cs.iter().map(|c| option_text(c)).collect::<Vec<_>>().join("; "),
        AnswerValue::Text(t) => t.clone(),
        AnswerValue::Number(n) => format!("{n}"),
        AnswerValue::Date(d) => d.to_string(),
    }
}
