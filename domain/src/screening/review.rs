//! The review state of a template's texts: every localized text has an id,
//! and a text counts as reviewed in a language only while a review entry's
//! digest matches the current text, so an edit makes it unreviewed again.
//! Headquarters refuses to publish unreviewed texts without a recorded
//! override.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::template::{Lang, Template, Texts, LANGUAGES};

/// One localized text of a template and its id.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalizedText<'t> {
    /// `title`, `section.<section>.title`, `<question>.text`,
    /// `<question>.traveller_text`, `<question>.help` or
    /// `<question>.option.<option>`.
    pub id: String,
    pub texts: &'t Texts,
}

/// The digest a review records: the first 16 hex characters of the SHA-256
/// of the exact text (its UTF-8 bytes, nothing trimmed or normalised).
pub fn text_digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// Whether `s` has the shape of a digest (16 lowercase hex characters).
pub fn is_digest(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Every localized text of the template with its id, in template order.
pub fn localized_texts(t: &Template) -> Vec<LocalizedText<'_>> {
    let mut out = vec![LocalizedText { id: "title".into(), texts: &t.title }];
    for s in &t.sections {
        out.push(LocalizedText { id: format!("section.{}.title", s.id), texts: &s.title });
        for q in &s.questions {
            out.push(LocalizedText { id: format!("{}.text", q.id), texts: &q.text });
            if let Some(tt) = &q.traveller_text {
                out.push(LocalizedText { id: format!("{}.traveller_text", q.id), texts: tt });
            }
            if let Some(h) = &q.help {
                out.push(LocalizedText { id: format!("{}.help", q.id), texts: h });
            }
            for o in q.answer.options() {
                out.push(LocalizedText { id: format!("{}.option.{}", q.id, o.id), texts: &o.text });
            }
        }
    }
    out
}

/// Whether the text `id` in `lang` is reviewed: some review of it in that
/// language has the digest of the current text.
fn is_reviewed(t: &Template, id: &str, lang: Lang, text: Option<&String>) -> bool {
    let Some(text) = text else { return false };
    let digest = text_digest(text);
    t.reviews.iter().any(|r| r.text == id && r.lang == lang && r.digest == digest)
}

/// The ids of the texts not reviewed, per language (every language is a
/// key, with an empty list when all its texts are reviewed). A text missing
/// in a language counts as unreviewed there.
pub fn unreviewed(t: &Template) -> BTreeMap<Lang, Vec<String>> {
    let texts = localized_texts(t);
    LANGUAGES
        .iter()
        .map(|&lang| {
            let ids = texts
                .iter()
                .filter(|lt| !is_reviewed(t, &lt.id, lang, lt.texts.get(&lang)))
                .map(|lt| lt.id.clone())
                .collect();
            (lang, ids)
        })
        .collect()
}

/// The review state in one language, as `template validate` and the
/// console show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageReview {
    pub lang: Lang,
    /// How many texts the template has.
    pub total: usize,
    pub reviewed: usize,
    /// The ids of the texts not reviewed, in template order.
    pub unreviewed: Vec<String>,
}

/// The review state per language, in [`LANGUAGES`] order.
pub fn review_state(t: &Template) -> Vec<LanguageReview> {
    let total = localized_texts(t).len();
    let mut by_lang = unreviewed(t);
    LANGUAGES
        .iter()
        .map(|&lang| {
            let unreviewed = by_lang.remove(&lang).unwrap_or_default();
            LanguageReview { lang, total, reviewed: total - unreviewed.len(), unreviewed }
        })
        .collect()
}

/// How many (text, language) pairs are not reviewed.
pub fn unreviewed_count(t: &Template) -> usize {
    unreviewed(t).values().map(Vec::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::template::Review;

    const SMALL: &str = r#"{
      "id": "t", "version": 1,
      "title": {"ky": "Т", "ru": "Т", "en": "T"},
      "sections": [{"id": "s", "title": {"ky": "С", "ru": "С", "en": "S"},
        "questions": [
          {"id": "q1", "text": {"ky": "а", "ru": "б", "en": "c"},
           "traveller_text": {"ky": "сиз", "ru": "вы", "en": "you"},
           "asked_in": "private",
           "answer": {"type": "yes_no"}},
          {"id": "q2", "text": {"ky": "а", "ru": "б", "en": "c"},
           "help": {"ky": "ж", "ru": "п", "en": "h"},
           "answer": {"type": "single_choice", "options": [
             {"id": "x", "text": {"ky": "x", "ru": "x", "en": "x"}},
             {"id": "y", "text": {"ky": "y", "ru": "y", "en": "y"}}]}}
        ]}]
    }"#;

    fn small() -> Template {
        Template::from_json(SMALL).unwrap()
    }

    fn review(id: &str, lang: Lang, text: &str) -> Review {
        Review { text: id.into(), lang, by: "A. Reviewer".into(), on: "2026-11-30".into(), digest: text_digest(text) }
    }

    #[test]
    fn digest_is_the_first_16_hex_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
        assert_eq!(text_digest("abc"), "ba7816bf8f01cfea");
        assert!(is_digest(&text_digest("любой текст")));
        assert!(!is_digest("BA7816BF8F01CFEA"));
        assert!(!is_digest("ba7816bf8f01cfe"));
    }

    #[test]
    fn every_text_has_its_id_in_template_order() {
        let ids: Vec<String> = localized_texts(&small()).into_iter().map(|t| t.id).collect();
        assert_eq!(
            ids,
            [
                "title",
                "section.s.title",
                "q1.text",
                "q1.traveller_text",
                "q2.text",
                "q2.help",
                "q2.option.x",
                "q2.option.y"
            ]
        );
    }

    #[test]
    fn a_review_counts_only_for_its_language_and_the_current_text() {
        let mut t = small();
        assert_eq!(unreviewed_count(&t), 8 * 3);
        t.reviews.push(review("q1.traveller_text", Lang::Ru, "вы"));
        // Reviewed in Russian, not in Kyrgyz.
        let u = unreviewed(&t);
        assert!(!u[&Lang::Ru].contains(&"q1.traveller_text".to_string()));
        assert!(u[&Lang::Ky].contains(&"q1.traveller_text".to_string()));
        assert_eq!(unreviewed_count(&t), 8 * 3 - 1);
        // Editing the text makes it unreviewed again.
        t.sections[0].questions[0].traveller_text.as_mut().unwrap().insert(Lang::Ru, "вы, пожалуйста".into());
        assert!(unreviewed(&t)[&Lang::Ru].contains(&"q1.traveller_text".to_string()));
    }

    #[test]
    fn review_state_counts_per_language() {
        let mut t = small();
        for lt in localized_texts(&small()) {
            t.reviews.push(review(&lt.id, Lang::En, &lt.texts[&Lang::En]));
        }
        t.reviews.push(review("title", Lang::Ky, "Т"));
        let state = review_state(&t);
        assert_eq!(state.len(), 3);
        let en = state.iter().find(|s| s.lang == Lang::En).unwrap();
        assert_eq!((en.total, en.reviewed, en.unreviewed.len()), (8, 8, 0));
        let ky = state.iter().find(|s| s.lang == Lang::Ky).unwrap();
        assert_eq!((ky.reviewed, ky.unreviewed.len()), (1, 7));
        assert_eq!(ky.unreviewed[0], "section.s.title");
    }

    #[test]
    fn asked_in_defaults_to_queue_and_round_trips() {
        let t = small();
        assert!(t.sections[0].questions[0].asked_in.is_private());
        assert_eq!(t.sections[0].questions[1].asked_in, super::super::template::AskedIn::Queue);
        let back = Template::from_json(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }
}
