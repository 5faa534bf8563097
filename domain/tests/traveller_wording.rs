//! Version 2's wording for the traveller and where each question is asked:
//! every question put to a person has a second-person wording in ky, ru and
//! en; the sensitive ones are asked only in a private interview; and no
//! review is claimed (none has been done).

use std::collections::BTreeMap;

use homeward_domain::screening::*;

struct Asked {
    traveller: Option<BTreeMap<String, String>>,
    asked_in: String,
}

/// Question id -> its traveller wording and place, from the default template.
fn asked() -> BTreeMap<String, Asked> {
    let c = default_checklist();
    c.questions()
        .map(|q| {
            let traveller =
                q.traveller_text.as_ref().map(|t| t.iter().map(|(l, s)| (l.code().to_string(), s.clone())).collect());
            (q.id.clone(), Asked { traveller, asked_in: q.asked_in.as_str().to_string() })
        })
        .collect()
}

/// Questions the officer answers from observation or notes: nothing to read out.
const OFFICER_ONLY: [&str; 2] = ["scripted", "notes"];

#[test]
fn every_question_put_to_the_traveller_has_a_second_person_wording() {
    let c = default_checklist();
    let a = asked();
    let ids: Vec<String> = c.questions().map(|q| q.id.clone()).collect();
    assert_eq!(a.keys().cloned().collect::<std::collections::BTreeSet<_>>(), ids.iter().cloned().collect());
    for q in c.questions() {
        let entry = &a[&q.id];
        if OFFICER_ONLY.contains(&q.id.as_str()) {
            assert!(entry.traveller.is_none(), "{}", q.id);
            continue;
        }
        let t = entry.traveller.as_ref().unwrap_or_else(|| panic!("{} has no traveller wording", q.id));
        let second_person: [(&str, &[&str]); 3] = [
            ("ky", &["сиз", "сен", "сага", "ңыз", "ңиз", "ңуз", "ңүз"]),
            ("ru", &["вы", "вас", "вам", "ваш", "ты", "тебя", "тебе", "покажите"]),
            ("en", &["you"]),
        ];
        for (lang, marks) in second_person {
            let s = t.get(lang).unwrap_or_else(|| panic!("{} traveller_text.{lang} missing", q.id)).to_lowercase();
            assert!(!s.trim().is_empty(), "{} {lang}", q.id);
            assert!(marks.iter().any(|m| s.contains(m)), "{} {lang}: not addressed to the traveller: {s}", q.id);
            let officer = q.text.get(&lang.parse().unwrap()).unwrap().to_lowercase();
            assert_ne!(s, officer, "{} {lang}: the traveller wording is the officer's", q.id);
        }
    }
}

#[test]
fn sensitive_questions_are_asked_only_in_private() {
    let a = asked();
    for (id, e) in &a {
        assert!(e.asked_in == "queue" || e.asked_in == "private", "{id}: {}", e.asked_in);
    }
    for id in [
        "sexual",
        "companion_answers",
        "fearful",
        "crime",
        "armed_conflict",
        "slavery",
        "servitude",
        "organs",
        "threats_or_force",
        "coercion",
        "violence_signs",
        "child_adoption",
        "child_marriage",
        "wants_shelter",
    ] {
        assert_eq!(a[id].asked_in, "private", "{id}");
    }
    // The queue can still open a screening and record the documents.
    for id in ["appears_minor", "date_of_birth", "documents", "citizen"] {
        assert_eq!(a[id].asked_in, "queue", "{id}");
    }
}

#[test]
fn no_review_is_claimed() {
    let v: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    assert!(v.get("reviews").is_none_or(|r| r.as_array().is_some_and(|r| r.is_empty())));
}
