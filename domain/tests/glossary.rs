//! docs/GLOSSARY.md is the source of the legal terms: the default template
//! (version 2), the recommended actions and the explanations must use its
//! term for each element and exploitation type, and none of its rejected
//! terms («Средство», «Каражат», «убежище», «жалдоо», «жабырлануучу»...).

use std::collections::BTreeMap;

use homeward_domain::date::IsoDate;
use homeward_domain::screening::explain::{element_text, exploitation_text, verdict_text};
use homeward_domain::screening::template::text;
use homeward_domain::screening::*;

const LANGS: [Lang; 3] = [Lang::Ky, Lang::Ru, Lang::En];

struct Entry {
    terms: BTreeMap<Lang, String>,
    rejected: Vec<(Lang, String)>,
}

fn glossary() -> BTreeMap<String, Entry> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/GLOSSARY.md");
    let md = std::fs::read_to_string(&path).expect("docs/GLOSSARY.md exists");
    let mut out = BTreeMap::new();
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 6 || cells[0] == "key" || cells[0].starts_with("---") {
            continue;
        }
        // A † marks an uncertain term: not part of the term itself.
        let term = |s: &str| s.trim_end_matches('†').trim().to_string();
        let terms =
            BTreeMap::from([(Lang::En, term(cells[1])), (Lang::Ru, term(cells[2])), (Lang::Ky, term(cells[3]))]);
        let rejected = cells[5]
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|r| {
                let (lang, t) = r.split_once(':').unwrap_or_else(|| panic!("rejected term without a language: {r}"));
                (lang.parse().unwrap(), t.trim().to_string())
            })
            .collect();
        assert!(terms.values().all(|t| !t.is_empty()), "{}: a term is missing", cells[0]);
        assert!(!cells[4].is_empty(), "{}: no source", cells[0]);
        out.insert(cells[0].to_string(), Entry { terms, rejected });
    }
    out
}

fn term<'a>(g: &'a BTreeMap<String, Entry>, key: &str, lang: Lang) -> &'a str {
    &g.get(key).unwrap_or_else(|| panic!("the glossary has no {key}")).terms[&lang]
}

fn has(text: &str, term: &str) -> bool {
    text.to_lowercase().contains(&term.to_lowercase())
}

fn exploitation_key(x: Exploitation) -> String {
    format!("exploitation.{}", serde_json::to_value(x).unwrap().as_str().unwrap())
}

/// Every text of the default template in `lang`, with where it is.
fn template_texts(t: &Template, lang: Lang) -> Vec<(String, String)> {
    let v = serde_json::to_value(t).unwrap();
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, path: String, code: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if k == code {
                        if let Some(s) = x.as_str() {
                            out.push((path.clone(), s.to_string()));
                        }
                    }
                    walk(x, format!("{path}.{k}"), code, out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{path}[{i}]"), code, out);
                }
            }
            _ => {}
        }
    }
    walk(&v, String::new(), lang.code(), &mut out);
    out
}

/// Every text an officer can be shown from the actions and explanations in `lang`.
fn code_texts(lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in Action::ALL {
        out.push((format!("{a:?} text"), a.text(lang)));
        out.push((format!("{a:?} basis"), a.basis_text(lang).to_string()));
    }
    for v in [Verdict::PresumedVictim, Verdict::FurtherInterview, Verdict::NoIndicators] {
        out.push((format!("{v:?}"), verdict_text(v, lang)));
    }
    for e in [Element::Act, Element::Means, Element::Purpose, Element::Control, Element::Child] {
        out.push((format!("{e:?}"), element_text(e, lang)));
    }
    for x in Exploitation::ALL {
        out.push((format!("{x:?}"), exploitation_text(x, lang)));
    }
    let c = default_checklist();
    let day: IsoDate = "2026-11-29".parse().unwrap();
    let cases: [&[(&str, &str)]; 3] = [
        &[("appears_minor", "no"), ("consent_given", "yes"), ("recruited", "yes"), ("debt", "yes"), ("sexual", "yes")],
        &[("appears_minor", "yes"), ("travel_arranged", "yes"), ("child_adoption", "yes")],
        &[("appears_minor", "no"), ("documents", "another_persons")],
    ];
    for pairs in cases {
        let a: Answers = pairs
            .iter()
            .map(|(q, v)| {
                let question = c.question(q).unwrap();
                (q.to_string(), answers::from_json(question, &serde_json::json!(v)).unwrap())
            })
            .collect();
        let o = evaluate(&c, &a, day);
        let e = explain(&c, &o, &a, lang);
        let mut all = vec![e.verdict, e.verdict_detail, e.disclaimer];
        all.extend(e.child_note);
        all.extend(e.consent_note);
        all.extend(e.exploitation);
        all.extend(e.missing);
        for w in e.why {
            all.push(w.element);
            all.extend(w.answers);
        }
        for x in e.actions {
            all.push(x.text);
            all.push(x.basis);
        }
        out.extend(all.into_iter().map(|s| ("explanation".to_string(), s)));
    }
    out
}

#[test]
fn the_glossary_has_every_element_and_exploitation_type() {
    let g = glossary();
    for key in [
        "element.act",
        "element.means",
        "element.purpose",
        "victim",
        "shelter",
        "guardianship_authority",
        "non_punishment",
    ] {
        assert!(g.contains_key(key), "{key}");
    }
    for x in Exploitation::ALL {
        assert!(g.contains_key(&exploitation_key(x)), "{x:?}");
    }
}

#[test]
fn explanations_name_elements_and_exploitation_types_as_the_glossary_does() {
    let g = glossary();
    for lang in LANGS {
        for (e, key) in
            [(Element::Act, "element.act"), (Element::Means, "element.means"), (Element::Purpose, "element.purpose")]
        {
            let shown = element_text(e, lang);
            assert!(shown.to_lowercase().starts_with(&term(&g, key, lang).to_lowercase()), "{lang:?} {e:?}: {shown}");
        }
        for x in Exploitation::ALL {
            assert_eq!(exploitation_text(x, lang).to_lowercase(), term(&g, &exploitation_key(x), lang).to_lowercase());
        }
        let v = verdict_text(Verdict::PresumedVictim, lang);
        assert!(has(&v, term(&g, "victim", lang)), "{lang:?}: {v}");
    }
}

#[test]
fn the_default_template_uses_the_glossary_terms() {
    let g = glossary();
    let t = default_checklist().template().clone();
    assert_eq!((t.id.as_str(), t.version), ("kg-border-screening", 2));
    for lang in LANGS {
        for (section, key) in [("act", "element.act"), ("means", "element.means"), ("purpose", "element.purpose")] {
            let s = t.sections.iter().find(|s| s.id == section).unwrap();
            let title = text(&s.title, lang);
            assert!(title.to_lowercase().starts_with(&term(&g, key, lang).to_lowercase()), "{lang:?}: {title}");
        }
        // Each purpose question names its exploitation type in its help.
        for (_, q) in t.questions() {
            let Some(x) = q.indicator.as_ref().and_then(|i| i.exploitation) else { continue };
            let help = q.help.as_ref().map(|h| text(h, lang)).unwrap_or("");
            let want = term(&g, &exploitation_key(x), lang);
            assert!(has(help, want), "{} ({lang:?}): the help should name «{want}»: {help}", q.id);
        }
        let shelter = t.with_role(Role::WantsShelter).unwrap();
        let said = format!("{} {}", text(&shelter.text, lang), text(shelter.help.as_ref().unwrap(), lang));
        assert!(has(&said, term(&g, "shelter", lang)), "{lang:?}: {said}");
        let unaccompanied = t.question("unaccompanied").unwrap();
        let help = text(unaccompanied.help.as_ref().unwrap(), lang);
        assert!(has(help, term(&g, "guardianship_authority", lang)), "{lang:?}: {help}");
    }
}

#[test]
fn actions_use_the_glossary_terms() {
    let g = glossary();
    for lang in LANGS {
        let shelter = Action::OfferShelter.text(lang);
        assert!(has(&shelter, term(&g, "shelter", lang)), "{lang:?}: {shelter}");
        let guardianship = Action::NotifyGuardianship.text(lang);
        assert!(has(&guardianship, term(&g, "guardianship_authority", lang)), "{lang:?}: {guardianship}");
        let consent = Action::ConsentIrrelevant.text(lang);
        assert!(has(&consent, term(&g, "means.deception", lang)), "{lang:?}: {consent}");
        let residence = Action::NoDeportation.text(lang);
        assert!(has(&residence, term(&g, "temporary_residence", lang)), "{lang:?}: {residence}");
    }
}

#[test]
fn no_text_uses_a_rejected_term() {
    let g = glossary();
    let t = default_checklist().template().clone();
    let mut found = Vec::new();
    for lang in LANGS {
        let texts: Vec<_> = template_texts(&t, lang).into_iter().chain(code_texts(lang)).collect();
        assert!(texts.len() > 100, "{lang:?}: the walk found too few texts");
        for (key, entry) in &g {
            for (_, bad) in entry.rejected.iter().filter(|(l, _)| *l == lang) {
                for (path, s) in &texts {
                    if has(s, bad) {
                        found.push(format!("{lang:?} {path}: «{bad}» (glossary {key}) in {s}"));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_rejected_terms_would_be_caught() {
    // Version 1 used them: the check finds them there, so it can fail.
    let g = glossary();
    let v1 = Template::from_json(TEMPLATE_V1_JSON).unwrap();
    let ru: Vec<_> = template_texts(&v1, Lang::Ru);
    let ky: Vec<_> = template_texts(&v1, Lang::Ky);
    let hit = |texts: &[(String, String)], bad: &str| texts.iter().any(|(_, s)| has(s, bad));
    assert!(hit(&ru, "убежище") && hit(&ru, "средства") && hit(&ky, "каражат") && hit(&ky, "жалдоо"));
    assert!(g["shelter"].rejected.contains(&(Lang::Ru, "убежище".into())));
}
