//! The screening rules, pure: a table of scenarios from the Protocol's
//! article 3 and the Law's article 1, the recommended actions and the why,
//! properties of the evaluation, every template validation error, and
//! headquarters' check of the report. No vault: plain values in and out
//! (the records in a real vault are tested in homeward-core).

use std::collections::BTreeSet;

use homeward_domain::date::IsoDate;
use homeward_domain::screening::*;
use proptest::prelude::*;

fn date(s: &str) -> IsoDate {
    s.parse().unwrap()
}

const TODAY: &str = "2026-11-29";

fn answers(pairs: &[(&str, &str)]) -> Answers {
    let c = default_checklist();
    pairs
        .iter()
        .map(|(q, v)| {
            let question = c.question(q).unwrap_or_else(|| panic!("no question {q}"));
            let value = homeward_domain::screening::answers::from_json(question, &serde_json::json!(v)).unwrap();
            (q.to_string(), value)
        })
        .collect()
}

struct Scenario {
    name: &'static str,
    why: &'static str,
    answers: &'static [(&'static str, &'static str)],
    verdict: Verdict,
    child: bool,
    missing: &'static [Element],
    exploitation: &'static [Exploitation],
    /// Whether consent given is irrelevant (a means was used).
    consent_irrelevant: bool,
    /// The wording the meaning fix rests on: a question whose text or help,
    /// in ky, ru and en, says each fragment (so the officer asks the right thing).
    says: &'static [(&'static str, [&'static str; 3])],
    /// ...and must not say (the version 1 wording that missed the case).
    not_says: &'static [(&'static str, [&'static str; 3])],
}

const ADULT: [(&str, &str); 2] = [("appears_minor", "no"), ("date_of_birth", "1990-04-02")];

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "adult with act, means and purpose",
            why: "Protocol art. 3(a): all three elements for an adult",
            answers: &[
                ("appears_minor", "no"),
                ("date_of_birth", "1990-04-02"),
                ("recruited", "yes"),
                ("deceived", "yes"),
                ("forced_labour", "yes"),
            ],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "adult without means",
            why: "an adult needs a means; act and purpose alone call for an interview",
            answers: &[
                ("appears_minor", "no"),
                ("date_of_birth", "1990-04-02"),
                ("recruited", "yes"),
                ("forced_labour", "yes"),
            ],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Means],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "child without means",
            why: "Protocol art. 3(c): for a child, act and purpose suffice",
            answers: &[
                ("appears_minor", "no"),
                ("date_of_birth", "2010-05-01"),
                ("travel_arranged", "yes"),
                ("child_work", "yes"),
            ],
            verdict: Verdict::PresumedVictim,
            child: true,
            missing: &[],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "child without a purpose",
            why: "even for a child a purpose of exploitation is needed",
            answers: &[
                ("appears_minor", "yes"),
                ("date_of_birth", "2011-01-15"),
                ("recruited", "yes"),
                ("unaccompanied", "yes"),
            ],
            verdict: Verdict::FurtherInterview,
            child: true,
            missing: &[Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "consent given but deception used",
            why: "Protocol art. 3(b): consent is irrelevant once deception was used",
            answers: &[
                ("appears_minor", "no"),
                ("consent_given", "yes"),
                ("recruited", "yes"),
                ("deceived", "yes"),
                ("sexual", "yes"),
            ],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::SexualExploitation],
            consent_irrelevant: true,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "documents held by an employer alone",
            why: "a control indicator without act or purpose: interview, no verdict",
            answers: &[("appears_minor", "no"), ("documents", "held_by_other")],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Act, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "carrying someone else's passport",
            why: "Law art. 18: recorded and handed over; alone not a profile",
            answers: &[("appears_minor", "no"), ("documents", "another_persons")],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Act, Element::Means, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "unknown age, appears to be a minor",
            why: "no date of birth and appears under 18: treated as a child",
            answers: &[("appears_minor", "yes"), ("recruited", "yes"), ("sexual", "yes")],
            verdict: Verdict::PresumedVictim,
            child: true,
            missing: &[],
            exploitation: &[Exploitation::SexualExploitation],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "documented adult who appears to be a minor",
            why: "age in doubt: the benefit of the doubt goes to the child",
            answers: &[
                ("appears_minor", "yes"),
                ("date_of_birth", "2000-01-01"),
                ("recruited", "yes"),
                ("child_adoption", "yes"),
            ],
            verdict: Verdict::PresumedVictim,
            child: true,
            missing: &[],
            exploitation: &[Exploitation::CommercialAdoption],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "eighteen today is an adult",
            why: "age is counted in whole years at the screening date",
            answers: &[
                ("appears_minor", "no"),
                ("date_of_birth", "2008-11-29"),
                ("recruited", "yes"),
                ("forced_labour", "yes"),
            ],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Means],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "the Law's additions: sale and criminal activity",
            why: "Law art. 1 adds purchase and sale (act) and involvement in crime (purpose)",
            answers: &[("appears_minor", "no"), ("sold", "yes"), ("abduction", "yes"), ("crime", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::CriminalActivity],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "no indicators",
            why: "nothing indicated: no verdict, no action",
            answers: &[("appears_minor", "no"), ("documents", "own"), ("recruited", "no"), ("consent_given", "yes")],
            verdict: Verdict::NoIndicators,
            child: false,
            missing: &[Element::Act, Element::Means, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        // ---- version 2's meaning fixes (issue 19), one case each ----
        Scenario {
            name: "sexual exploitation still ahead at an exit border",
            why: "Protocol art. 3(a) 'for the purpose of': the exploitation need not have happened yet",
            answers: &[("appears_minor", "no"), ("recruited", "yes"), ("deceived", "yes"), ("sexual", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::SexualExploitation],
            consent_irrelevant: false,
            says: &[("sexual", ["күтүлөбү", "предполагается", "expected"])],
            not_says: &[],
        },
        Scenario {
            name: "forced labour still ahead, begging included",
            why: "Law art. 1 forced labour or services; begging is forced labour, not the traveller's crime",
            answers: &[("appears_minor", "no"), ("travel_arranged", "yes"), ("debt", "yes"), ("forced_labour", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: false,
            says: &[("forced_labour", ["күтүлөбү", "предполагается", "expected"]), ("forced_labour", ["тиленчилик", "попрошайнич", "begging"])],
            not_says: &[("crime", ["тиленчилик)", "попрошайничество)", "begging)"])],
        },
        Scenario {
            name: "a child placed with relatives for money",
            why: "Law art. 1 adoption for commercial purposes: any transfer of a child for payment, to whomever",
            answers: &[("appears_minor", "yes"), ("date_of_birth", "2013-03-08"), ("travel_arranged", "yes"), ("child_adoption", "yes")],
            verdict: Verdict::PresumedVictim,
            child: true,
            missing: &[],
            exploitation: &[Exploitation::CommercialAdoption],
            consent_irrelevant: false,
            says: &[("child_adoption", ["туугандарга", "родственникам", "relatives"]), ("child_adoption", ["акы үчүн", "за плату", "payment of any kind"])],
            not_says: &[("child_adoption", ["акчага асырап", "усыновление ребёнка или передача в другую семью за плату", "adopted or handed"])],
        },
        Scenario {
            name: "consent given after abuse of vulnerability",
            why: "Law art. 1: a victim with or without consent; Protocol art. 3(b): any means, not only coercion or deception",
            answers: &[("appears_minor", "no"), ("consent_given", "yes"), ("recruited", "yes"), ("vulnerability", "yes"), ("forced_labour", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: true,
            says: &[("consent_given", ["аярлуу абалынан", "уязвимостью положения", "vulnerability"]), ("consent_given", ["макулдугусуз", "независимо от его согласия", "with or without their consent"])],
            not_says: &[],
        },
        Scenario {
            name: "consent given, bound by a debt",
            why: "a debt to the intermediary is a means: consent changes nothing",
            answers: &[("appears_minor", "no"), ("consent_given", "yes"), ("recruited", "yes"), ("debt", "yes"), ("sexual", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::SexualExploitation],
            consent_irrelevant: true,
            says: &[("consent_given", ["карыз", "долг", "debt"])],
            not_says: &[],
        },
        Scenario {
            name: "consent bought from a relative or 'husband'",
            why: "Protocol art. 3(a): payments or benefits to a person having control over the victim",
            answers: &[("appears_minor", "no"), ("consent_given", "yes"), ("handed_over", "yes"), ("payment_to_controller", "yes"), ("servitude", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::Servitude],
            consent_irrelevant: true,
            says: &[("payment_to_controller", ["макулдугун алуу", "получить его согласие", "obtain their consent"])],
            not_says: &[("servitude", ["үй кызматы", "", ""])],
        },
        Scenario {
            name: "a companion who answers for the person",
            why: "a control sign: someone speaks for the person (not 'is responsible for' them)",
            answers: &[("appears_minor", "no"), ("companion_answers", "yes")],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Act, Element::Means, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[("companion_answers", ["ордуна жооп", "отвечает на вопросы вместо него", "answers questions for them"])],
            not_says: &[("companion_answers", ["ал үчүн жооп берген", "отвечает за него", "responsible for"])],
        },
        Scenario {
            name: "offered work abroad by an acquaintance",
            why: "Law art. 1 recruitment («тартуу»): an offer of work, study or marriage by anyone, for either sex",
            answers: &[("appears_minor", "no"), ("recruited", "yes"), ("deceived", "yes"), ("forced_labour", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::ForcedLabour],
            consent_irrelevant: false,
            says: &[("recruited", ["сунуштаганбы", "предлагал", "offer"]), ("recruited", ["тартуу", "вербовка", "recruitment"])],
            not_says: &[("recruited", ["чакырганбы", "вербовал", "recruiter"]), ("recruited", ["турмушка чыгуу", "вербовщик", "recruited"])],
        },
        Scenario {
            name: "sold on to another owner",
            why: "Law art. 1 slavery: powers of ownership exercised over the person",
            answers: &[("appears_minor", "no"), ("sold", "yes"), ("abduction", "yes"), ("slavery", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::Slavery],
            consent_irrelevant: false,
            says: &[("slavery", ["башка ээсине", "другому владельцу", "another owner"])],
            not_says: &[("slavery", ["мурас", "", ""])],
        },
        Scenario {
            name: "abuse of a position of vulnerability is a means",
            why: "Protocol art. 3(a): abuse of a position of vulnerability, distinct from servitude",
            answers: &[("appears_minor", "no"), ("travel_arranged", "yes"), ("vulnerability", "yes"), ("organs", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::OrganRemoval],
            consent_irrelevant: false,
            says: &[("vulnerability", ["аярлуу абал", "уязвимостью положения", "position of vulnerability"])],
            not_says: &[("vulnerability", ["көз карандылык абалы", "", ""])],
        },
        Scenario {
            name: "cannot name the employer or the address",
            why: "a control sign, asked without a negative question (v1's yes/no was ambiguous)",
            answers: &[("appears_minor", "no"), ("unknown_address", "neither")],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Act, Element::Means, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[("unknown_address", ["айта алабы", "может ли", "can the person"])],
            not_says: &[("unknown_address", ["билбейби", "не знает", "not know"])],
        },
        Scenario {
            name: "the employer and address known",
            why: "naming both is no sign",
            answers: &[("appears_minor", "no"), ("unknown_address", "both")],
            verdict: Verdict::NoIndicators,
            child: false,
            missing: &[Element::Act, Element::Means, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[],
            not_says: &[],
        },
        Scenario {
            name: "a child whose companion cannot prove guardianship",
            why: "a child sign, asked without a negative question",
            answers: &[("appears_minor", "yes"), ("guardian_unproven", "not_proven"), ("child_marriage", "yes"), ("handed_over", "yes")],
            verdict: Verdict::PresumedVictim,
            child: true,
            missing: &[],
            exploitation: &[Exploitation::Servitude],
            consent_irrelevant: false,
            says: &[("guardian_unproven", ["далилдедиби", "подтвердил ли", "has the accompanying adult shown"])],
            not_says: &[("guardian_unproven", ["далилдей албайбы", "не может ли", "unable"])],
        },
        Scenario {
            name: "fear shown, eye contact not counted",
            why: "avoiding eye contact is deference in the region: the indicator is fear shown in words or behaviour",
            answers: &[("appears_minor", "no"), ("fearful", "yes")],
            verdict: Verdict::FurtherInterview,
            child: false,
            missing: &[Element::Act, Element::Means, Element::Purpose],
            exploitation: &[],
            consent_irrelevant: false,
            says: &[("fearful", ["көзгө түз карабоо", "избегание прямого взгляда", "eye contact"])],
            not_says: &[("fearful", ["карай албайбы", "избегает ли взгляда", "avoid looking"])],
        },
        Scenario {
            name: "age in doubt",
            why: "the benefit of the doubt goes to the child; the help must not read 'a suspect'",
            answers: &[("appears_minor", "yes"), ("recruited", "yes"), ("armed_conflict", "yes")],
            verdict: Verdict::PresumedVictim,
            child: true,
            missing: &[],
            exploitation: &[Exploitation::ArmedConflict],
            consent_irrelevant: false,
            says: &[("appears_minor", ["жашы күмөндүү", "возраст вызывает сомнение", "age is in doubt"])],
            not_says: &[("appears_minor", ["шектүү", "", ""])],
        },
        Scenario {
            name: "asks for a shelter place",
            why: "Law art. 21 p.3: a shelter («приют»), not asylum («убежище»)",
            answers: &[("appears_minor", "no"), ("recruited", "yes"), ("coercion", "yes"), ("crime", "yes"), ("wants_shelter", "yes")],
            verdict: Verdict::PresumedVictim,
            child: false,
            missing: &[],
            exploitation: &[Exploitation::CriminalActivity],
            consent_irrelevant: false,
            says: &[("wants_shelter", ["баш калкалоочу жай", "приют", "shelter"])],
            not_says: &[("wants_shelter", ["", "убежище", "asylum"])],
        },
    ]
}

/// The answer typed as an officer in `lang` would: yes/no in that language,
/// a choice by its number.
fn typed(c: &Checklist, q: &str, v: &str, lang: Lang) -> AnswerValue {
    let question = c.question(q).unwrap_or_else(|| panic!("no question {q}"));
    let input = match (&question.answer, v, lang) {
        (AnswerType::YesNo, "yes", Lang::Ky) => "ооба".to_string(),
        (AnswerType::YesNo, "no", Lang::Ky) => "жок".to_string(),
        (AnswerType::YesNo, "yes", Lang::Ru) => "да".to_string(),
        (AnswerType::YesNo, "no", Lang::Ru) => "нет".to_string(),
        (AnswerType::SingleChoice { options }, _, _) => {
            (options.iter().position(|o| o.id == v).unwrap_or_else(|| panic!("no option {v} in {q}")) + 1).to_string()
        }
        _ => v.to_string(),
    };
    homeward_domain::screening::answers::from_input(question, &input).unwrap()
}

#[test]
fn the_scenario_table() {
    let c = default_checklist();
    assert_eq!(c.template().version, 2, "the table runs against the default, version 2");
    for s in scenarios() {
        let o = evaluate(&c, &answers(s.answers), date(TODAY));
        assert_eq!(o.verdict, s.verdict, "{}: {}", s.name, s.why);
        assert_eq!(o.child.treated_as_child, s.child, "{}: {}", s.name, s.why);
        assert_eq!(o.missing_elements, s.missing, "{}: {}", s.name, s.why);
        assert_eq!(o.exploitation, s.exploitation, "{}: {}", s.name, s.why);
        assert_eq!(o.consent_irrelevant, s.consent_irrelevant, "{}: {}", s.name, s.why);
        assert_eq!(o.template_id, "kg-border-screening");
        for (i, lang) in [Lang::Ky, Lang::Ru, Lang::En].into_iter().enumerate() {
            // Typed in the officer's language, the same outcome; explained in it.
            let a: Answers = s.answers.iter().map(|(q, v)| (q.to_string(), typed(&c, q, v, lang))).collect();
            let typed_outcome = evaluate(&c, &a, date(TODAY));
            assert_eq!(typed_outcome, o, "{} ({lang:?})", s.name);
            let e = explain(&c, &o, &a, lang);
            assert_eq!(e.verdict, explain::verdict_text(s.verdict, lang), "{} ({lang:?})", s.name);
            let named: Vec<String> = s.exploitation.iter().map(|x| explain::exploitation_text(*x, lang)).collect();
            assert_eq!(e.exploitation, named, "{} ({lang:?})", s.name);
            assert_eq!(e.consent_note.is_some(), s.consent_irrelevant, "{} ({lang:?})", s.name);
            for (act, action) in e.actions.iter().zip(&o.actions) {
                assert_eq!(
                    act.basis,
                    action.action.basis_text(lang),
                    "{} ({lang:?}): the basis in the session's language",
                    s.name
                );
            }
            let said = |q: &str| {
                let q = c.question(q).unwrap_or_else(|| panic!("no question {q}"));
                let help = q.help.as_ref().map(|h| template::text(h, lang)).unwrap_or("");
                format!("{} {}", template::text(&q.text, lang), help).to_lowercase()
            };
            for (q, fragments) in s.says {
                let f = fragments[i].to_lowercase();
                assert!(said(q).contains(&f), "{} ({lang:?}): {q} should say «{f}»: {}", s.name, said(q));
            }
            for (q, fragments) in s.not_says {
                let f = fragments[i].to_lowercase();
                assert!(f.is_empty() || !said(q).contains(&f), "{} ({lang:?}): {q} still says «{f}»", s.name);
            }
        }
    }
}

#[test]
fn the_wording_checks_would_fail_on_version_1() {
    // The meaning fixes are in the words: on version 1 the table's wording
    // checks fail, so they test something.
    let v1 = homeward_domain::screening::built_in_checklist("kg-border-screening", 1).expect("version 1 stays");
    let mut failing = 0;
    for s in scenarios() {
        let misses = s.says.iter().any(|(q, f)| {
            let q = v1.question(q).unwrap();
            let help = q.help.as_ref().map(|h| template::text(h, Lang::Ru)).unwrap_or("");
            !format!("{} {}", template::text(&q.text, Lang::Ru), help).to_lowercase().contains(&f[1].to_lowercase())
        });
        failing += usize::from(misses);
    }
    assert!(failing >= 10, "only {failing} scenarios tell version 1 from version 2");
}

fn actions_of(pairs: &[(&str, &str)]) -> Vec<Action> {
    evaluate(&default_checklist(), &answers(pairs), date(TODAY)).actions.iter().map(|a| a.action).collect()
}

#[test]
fn recommended_actions_follow_the_outcome() {
    let adult_victim = [("appears_minor", "no"), ("recruited", "yes"), ("deceived", "yes"), ("forced_labour", "yes")];
    let a = actions_of(&adult_victim);
    for needed in
        [Action::NonPunishment, Action::OfferShelter, Action::ReferToPartners, Action::HandOverToNationalSecurity]
    {
        assert!(a.contains(&needed), "{needed:?} missing from {a:?}");
    }
    assert!(!a.contains(&Action::NotifyGuardianship));
    assert!(!a.contains(&Action::ConsentIrrelevant));

    let child = [("appears_minor", "yes"), ("recruited", "yes"), ("child_work", "yes")];
    let a = actions_of(&child);
    for needed in [Action::NotifyGuardianship, Action::NoPlacementWithUnrelatedAdults, Action::TraceFamily] {
        assert!(a.contains(&needed), "{needed:?} missing from {a:?}");
    }

    let consent = [
        ("appears_minor", "no"),
        ("consent_given", "yes"),
        ("recruited", "yes"),
        ("deceived", "yes"),
        ("sexual", "yes"),
    ];
    let o = evaluate(&default_checklist(), &answers(&consent), date(TODAY));
    assert!(o.consent_irrelevant);
    assert!(o.actions.iter().any(|a| a.action == Action::ConsentIrrelevant));
    // Consent without any means used is simply recorded.
    let no_means = [("appears_minor", "no"), ("consent_given", "yes"), ("recruited", "yes")];
    assert!(!evaluate(&default_checklist(), &answers(&no_means), date(TODAY)).consent_irrelevant);

    let foreign = [
        ("appears_minor", "no"),
        ("citizen", "no"),
        ("recruited", "yes"),
        ("threats_or_force", "yes"),
        ("organs", "yes"),
    ];
    assert!(actions_of(&foreign).contains(&Action::NoDeportation));

    let passport = [("appears_minor", "no"), ("documents", "another_persons")];
    let a = actions_of(&passport);
    assert!(a.contains(&Action::RecordDocumentSituation));
    assert!(a.contains(&Action::HandOverToNationalSecurity));
    assert!(!a.contains(&Action::NonPunishment));

    assert!(actions_of(&[("appears_minor", "no"), ("documents", "own")]).is_empty());
    // Every action has a legal basis and a text in each language.
    for a in actions_of(&adult_victim).into_iter().chain(actions_of(&child)) {
        assert!(!a.basis().is_empty());
        for lang in [Lang::Ky, Lang::Ru, Lang::En] {
            assert!(!a.text(lang).is_empty());
        }
    }
}

#[test]
fn the_why_names_the_answers_behind_each_element() {
    let c = default_checklist();
    let a = answers(&[
        ("appears_minor", "no"),
        ("recruited", "yes"),
        ("deceived", "yes"),
        ("debt", "yes"),
        ("sexual", "yes"),
        ("documents", "held_by_other"),
    ]);
    let o = evaluate(&c, &a, date(TODAY));
    let qs = |v: &[homeward_domain::screening::Evidence]| v.iter().map(|e| e.question.clone()).collect::<Vec<_>>();
    assert_eq!(qs(&o.evidence.act), ["recruited"]);
    assert_eq!(qs(&o.evidence.means), ["documents", "deceived", "debt"]);
    assert_eq!(qs(&o.evidence.purpose), ["sexual"]);
    assert_eq!(o.evidence.means[0].option.as_deref(), Some("held_by_other"));
    assert_eq!(o.evidence.purpose[0].exploitation, Some(Exploitation::SexualExploitation));
}

#[test]
fn answers_to_hidden_questions_do_not_count() {
    let c = default_checklist();
    // An adult: the child section is not shown, so its answer is ignored.
    let mut a = answers(&ADULT);
    a.extend(answers(&[("recruited", "yes"), ("child_work", "yes")]));
    let o = evaluate(&c, &a, date(TODAY));
    assert_eq!(o.verdict, Verdict::FurtherInterview);
    assert!(o.evidence.purpose.is_empty());
}

#[test]
fn next_question_walks_the_checklist_and_shows_the_child_section_only_for_a_child() {
    let c = default_checklist();
    let day = date(TODAY);
    let walk = |first: &[(&str, &str)]| -> Vec<String> {
        let mut a = answers(first);
        let mut seen = Vec::new();
        let skipped = BTreeSet::new();
        while let Some(q) = c.next_question(&a, &skipped, day) {
            seen.push(q.id.clone());
            let v = match &q.answer {
                homeward_domain::screening::AnswerType::YesNo => AnswerValue::YesNo(YesNo::No),
                homeward_domain::screening::AnswerType::SingleChoice { options } => {
                    AnswerValue::Choice(options[0].id.clone())
                }
                homeward_domain::screening::AnswerType::MultipleChoice { .. } => AnswerValue::Choices(vec![]),
                homeward_domain::screening::AnswerType::Text { .. } => AnswerValue::Text(String::new()),
                homeward_domain::screening::AnswerType::Number { .. } => AnswerValue::Number(0.0),
                homeward_domain::screening::AnswerType::Date => AnswerValue::Date(date("2000-01-01")),
            };
            a.insert(q.id.clone(), v);
        }
        seen
    };
    let adult = walk(&ADULT);
    assert!(!adult.contains(&"unaccompanied".to_string()));
    assert_eq!(adult.first().map(String::as_str), Some("citizen"));
    let child = walk(&[("appears_minor", "yes")]);
    assert!(child.contains(&"unaccompanied".to_string()));
    assert_eq!(child.len(), adult.len() + 1 + 5); // date_of_birth asked, plus the child section
}

/// The "7 of 31" counts only the questions the path will ask: an adult
/// path ends at N of N (it ended at "36 of 41" when the whole checklist was
/// counted), a child's path counts its extra section, and the queue does
/// not count the private-interview questions it leaves.
#[test]
fn progress_counts_only_the_questions_the_path_asks_and_ends_at_n_of_n() {
    let c = default_checklist();
    let day = date(TODAY);
    let walk = |first: &[(&str, &str)], stage: Stage| -> Vec<(String, Place)> {
        let mut a = answers(first);
        let skipped = BTreeSet::new();
        let mut places = Vec::new();
        while let Some(q) = c.next_question_in(&a, &skipped, day, stage) {
            places.push((q.id.clone(), c.place_in(&q.id, &a, &skipped, day, stage).unwrap()));
            let v = match &q.answer {
                AnswerType::YesNo => AnswerValue::YesNo(YesNo::No),
                AnswerType::SingleChoice { options } => AnswerValue::Choice(options[0].id.clone()),
                AnswerType::MultipleChoice { .. } => AnswerValue::Choices(vec![]),
                AnswerType::Text { .. } => AnswerValue::Text(String::new()),
                AnswerType::Number { .. } => AnswerValue::Number(0.0),
                AnswerType::Date => AnswerValue::Date(date("2000-01-01")),
            };
            a.insert(q.id.clone(), v);
        }
        let p = c.progress_in(&a, &skipped, day, stage);
        assert_eq!(p.done, p.total, "every counted question is dealt with at the end");
        places
    };
    for (name, first, stage) in [
        ("adult", &ADULT[..], Stage::Private),
        ("child", &[("appears_minor", "yes")][..], Stage::Private),
        ("adult in the queue", &ADULT[..], Stage::Queue),
    ] {
        let places = walk(first, stage);
        // The answers given before the walk count as dealt with.
        let asked = first.len() + places.len();
        // A child's path asks every question; an adult's skips the child section.
        assert_eq!(asked < c.len(), name.starts_with("adult"), "{name}: {asked} of the {} questions", c.len());
        for (i, (id, p)) in places.iter().enumerate() {
            assert_eq!(p.position, first.len() + i + 1, "{name}: {id} is question {} asked", first.len() + i + 1);
            assert!(p.position <= p.total, "{name}: {id} at {} of {}", p.position, p.total);
        }
        let (last, p) = places.last().unwrap();
        assert_eq!((p.position, p.total), (asked, asked), "{name}: the last question {last} is N of N");
    }
    // An edit of an answered question is at its place among those dealt with.
    let a = answers(&[("appears_minor", "no"), ("date_of_birth", "1990-04-02"), ("citizen", "yes")]);
    let none = BTreeSet::new();
    let dob = c.place_in("date_of_birth", &a, &none, day, Stage::Private).unwrap();
    let appears = c.place_in("appears_minor", &a, &none, day, Stage::Private).unwrap();
    assert!(appears.position < dob.position && dob.position <= 3, "{appears:?} {dob:?}");
}

#[test]
fn a_whole_number_question_refuses_a_fraction_and_takes_a_whole_one() {
    let c = default_checklist();
    let q = c.question("companions").unwrap();
    assert!(matches!(q.answer, AnswerType::Number { integer: true, .. }), "{:?}", q.answer);
    let day = date(TODAY);
    for typed in ["2.5", "2,5"] {
        let v = homeward_domain::screening::answers::from_input(q, typed).unwrap();
        assert_eq!(
            homeward_domain::screening::answers::check(q, &v, day),
            Err(AnswerError::NotWhole { question: "companions".into(), value: 2.5 }),
            "{typed}"
        );
    }
    let v = homeward_domain::screening::answers::from_json(q, &serde_json::json!(2.5)).unwrap();
    assert!(homeward_domain::screening::answers::check(q, &v, day).is_err(), "the answers file too");
    for whole in [serde_json::json!(2), serde_json::json!(2.0)] {
        let v = homeward_domain::screening::answers::from_json(q, &whole).unwrap();
        assert_eq!(homeward_domain::screening::answers::check(q, &v, day), Ok(()), "{whole}");
    }
    // Without the flag a fraction stays allowed, and the flag is not written when false.
    let mut plain = q.clone();
    plain.answer = serde_json::from_value(serde_json::json!({"type": "number", "min": 0, "max": 10})).unwrap();
    assert_eq!(homeward_domain::screening::answers::check(&plain, &AnswerValue::Number(2.5), day), Ok(()));
    assert!(!serde_json::to_string(&plain.answer).unwrap().contains("integer"));
}

#[test]
fn a_draft_cannot_finalise_with_required_answers_missing() {
    let c = default_checklist();
    let o = evaluate(&c, &Answers::new(), date(TODAY));
    assert_eq!(o.unanswered_required, vec!["appears_minor".to_string(), "documents".to_string()]);
}

// ---- properties ----

/// Indicator questions of the default template that a "yes" can set, and the
/// shown-for-everyone ones among them.
fn indicator_questions(c: &Checklist) -> Vec<String> {
    c.questions().filter(|q| q.indicator.is_some()).map(|q| q.id.clone()).collect()
}

fn arb_answers() -> impl Strategy<Value = Answers> {
    let c = default_checklist();
    let qs = indicator_questions(&c);
    let n = qs.len();
    (
        proptest::collection::vec(any::<bool>(), n),
        prop_oneof![Just(None), (1950i32..2026, 1u8..=12, 1u8..=28).prop_map(Some)],
        any::<bool>(),
        0usize..4,
    )
        .prop_map(move |(yes, dob, minor, docs)| {
            let mut a = Answers::new();
            for (q, y) in qs.iter().zip(yes) {
                a.insert(q.clone(), AnswerValue::YesNo(if y { YesNo::Yes } else { YesNo::No }));
            }
            if let Some((y, m, d)) = dob {
                a.insert("date_of_birth".into(), AnswerValue::Date(IsoDate::from_ymd(y, m, d).unwrap()));
            }
            a.insert("appears_minor".into(), AnswerValue::YesNo(if minor { YesNo::Yes } else { YesNo::No }));
            let opt = ["own", "none", "another_persons", "held_by_other"][docs];
            a.insert("documents".into(), AnswerValue::Choice(opt.into()));
            a
        })
}

proptest! {
    #[test]
    fn adding_an_indicator_never_lowers_the_outcome(a in arb_answers(), pick in any::<prop::sample::Index>()) {
        let c = default_checklist();
        let qs = indicator_questions(&c);
        let before = evaluate(&c, &a, date(TODAY));
        let mut more = a.clone();
        more.insert(qs[pick.index(qs.len())].clone(), AnswerValue::YesNo(YesNo::Yes));
        let after = evaluate(&c, &more, date(TODAY));
        prop_assert!(after.verdict >= before.verdict, "{:?} -> {:?}", before.verdict, after.verdict);
        prop_assert!(after.evidence.count() >= before.evidence.count());
    }

    #[test]
    fn every_presumed_victim_has_an_answer_per_required_element(a in arb_answers()) {
        let c = default_checklist();
        let o = evaluate(&c, &a, date(TODAY));
        if o.verdict == Verdict::PresumedVictim {
            prop_assert!(!o.evidence.act.is_empty());
            prop_assert!(!o.evidence.purpose.is_empty());
            if !o.child.treated_as_child {
                prop_assert!(!o.evidence.means.is_empty());
            }
            for e in o.evidence.act.iter().chain(&o.evidence.means).chain(&o.evidence.purpose) {
                let given = a.get(&e.question).expect("evidence names an answered question");
                match &e.option {
                    Some(opt) => prop_assert!(given.chose(opt)),
                    None => prop_assert!(given.is_yes()),
                }
            }
        }
    }

    #[test]
    fn the_outcome_never_depends_on_the_language(a in arb_answers()) {
        // The same checklist with every text replaced by another language's:
        // the evaluation reads no text, so nothing may change.
        let c = default_checklist();
        let mut t: Template = c.template().clone();
        for s in &mut t.sections {
            for q in &mut s.questions {
                let ru = q.text[&Lang::Ru].clone();
                q.text.insert(Lang::En, ru.clone());
                q.text.insert(Lang::Ky, ru);
            }
        }
        let swapped = Checklist::new(t).unwrap();
        prop_assert_eq!(evaluate(&c, &a, date(TODAY)), evaluate(&swapped, &a, date(TODAY)));
    }
}

#[test]
fn typed_answers_mean_the_same_in_each_language() {
    let c = default_checklist();
    let q = c.question("recruited").unwrap();
    let parse = homeward_domain::screening::answers::from_input;
    for yes in ["y", "yes", "да", "д", "ооба", "о"] {
        assert_eq!(parse(q, yes).unwrap(), AnswerValue::YesNo(YesNo::Yes), "{yes}");
    }
    for no in ["n", "нет", "жок"] {
        assert_eq!(parse(q, no).unwrap(), AnswerValue::YesNo(YesNo::No), "{no}");
    }
    assert!(parse(q, "maybe").is_err());
    let docs = c.question("documents").unwrap();
    assert_eq!(parse(docs, "3").unwrap(), AnswerValue::Choice("another_persons".into()));
    assert!(parse(docs, "9").is_err());
    let dob = c.question("date_of_birth").unwrap();
    assert!(parse(dob, "2025-02-30").is_err());
}

// ---- template validation: each error from a broken template ----

fn broken(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<(String, ProblemKind)> {
    let mut v: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    edit(&mut v);
    let t: Template = serde_json::from_value(v).unwrap();
    validate(&t).into_iter().map(|p| (p.path, p.kind)).collect()
}

fn question_mut(v: &mut serde_json::Value, section: usize, q: usize) -> &mut serde_json::Value {
    &mut v["sections"][section]["questions"][q]
}

#[test]
fn the_default_template_validates_and_has_three_languages() {
    let t = Template::from_json(DEFAULT_TEMPLATE_JSON).unwrap();
    assert_eq!(validate(&t), vec![]);
    assert!(t.questions().count() >= 40);
    for e in [Element::Act, Element::Means, Element::Purpose, Element::Control, Element::Child] {
        assert!(t.questions().any(|(_, q)| q.indicator.as_ref().is_some_and(|i| i.elements.contains(&e))), "{e:?}");
    }
    for x in Exploitation::ALL {
        let mapped = t.questions().any(|(_, q)| {
            q.indicator.as_ref().is_some_and(|i| i.exploitation == Some(x))
                || q.answer.options().iter().any(|o| o.indicator.as_ref().is_some_and(|i| i.exploitation == Some(x)))
        });
        assert!(mapped, "no question for {x:?}");
    }
}

#[test]
fn duplicate_ids_are_reported() {
    let p = broken(|v| question_mut(v, 1, 1)["id"] = "recruited".into());
    assert!(
        p.iter().any(|(path, k)| path == "sections[act].questions[recruited].id"
            && *k == ProblemKind::DuplicateId { id: "recruited".into() }),
        "{p:?}"
    );
}

#[test]
fn unknown_questions_are_reported() {
    let p = broken(|v| question_mut(v, 1, 0)["show_if"] = serde_json::json!({"op": "is_yes", "question": "nope"}));
    assert!(
        p.contains(&(
            "sections[act].questions[recruited].show_if".into(),
            ProblemKind::UnknownQuestion { question: "nope".into() }
        )),
        "{p:?}"
    );
}

#[test]
fn cycles_are_reported() {
    let p = broken(|v| {
        question_mut(v, 1, 0)["show_if"] = serde_json::json!({"op": "is_yes", "question": "travel_arranged"});
        question_mut(v, 1, 1)["show_if"] =
            serde_json::json!({"op": "not", "of": {"op": "is_yes", "question": "recruited"}});
    });
    assert!(p.iter().any(|(_, k)| matches!(k, ProblemKind::Cycle { cycle } if cycle.contains(&"recruited".to_string()) && cycle.contains(&"travel_arranged".to_string()))), "{p:?}");
    // A question conditioned on itself is a cycle too.
    let p =
        broken(|v| question_mut(v, 1, 2)["show_if"] = serde_json::json!({"op": "answered", "question": "handed_over"}));
    assert!(p.iter().any(|(_, k)| matches!(k, ProblemKind::Cycle { .. })), "{p:?}");
    // The child section reads the date of birth: making that depend on the child test is a cycle.
    let p = broken(|v| question_mut(v, 0, 1)["show_if"] = serde_json::json!({"op": "is_child"}));
    assert!(p.iter().any(|(_, k)| matches!(k, ProblemKind::Cycle { .. })), "{p:?}");
}

#[test]
fn forward_references_are_reported() {
    let p = broken(|v| question_mut(v, 1, 0)["show_if"] = serde_json::json!({"op": "is_yes", "question": "sexual"}));
    assert!(
        p.contains(&(
            "sections[act].questions[recruited].show_if".into(),
            ProblemKind::ForwardReference { question: "sexual".into() }
        )),
        "{p:?}"
    );
}

#[test]
fn type_mismatches_are_reported() {
    let p =
        broken(|v| question_mut(v, 1, 0)["show_if"] = serde_json::json!({"op": "is_yes", "question": "date_of_birth"}));
    assert!(p.iter().any(|(path, k)| path == "sections[act].questions[recruited].show_if"
        && matches!(k, ProblemKind::TypeMismatch { question, expected, .. } if question == "date_of_birth" && expected == "yes/no")), "{p:?}");
    let p = broken(|v| {
        question_mut(v, 1, 0)["show_if"] = serde_json::json!({"op": "age_under", "question": "citizen", "years": 18})
    });
    assert!(
        p.iter().any(|(_, k)| matches!(k, ProblemKind::TypeMismatch { expected, .. } if expected == "date")),
        "{p:?}"
    );
    let p = broken(|v| {
        question_mut(v, 1, 0)["show_if"] = serde_json::json!({"op": "chose", "question": "documents", "option": "lost"})
    });
    assert!(
        p.iter().any(|(_, k)| *k == ProblemKind::UnknownOption { question: "documents".into(), option: "lost".into() }),
        "{p:?}"
    );
    let p = broken(|v| question_mut(v, 0, 2)["role"] = "date_of_birth".into());
    assert!(p.iter().any(|(_, k)| matches!(k, ProblemKind::RoleTypeMismatch { .. })), "{p:?}");
    assert!(p.iter().any(|(_, k)| matches!(k, ProblemKind::DuplicateRole { .. })), "{p:?}");
    let p = broken(|v| question_mut(v, 6, 3)["indicator"] = serde_json::json!({"elements": ["control"]}));
    assert!(p.iter().any(|(_, k)| *k == ProblemKind::IndicatorOnNonYesNo), "{p:?}");
}

#[test]
fn indicators_mapped_to_no_element_are_reported() {
    let p = broken(|v| question_mut(v, 1, 0)["indicator"] = serde_json::json!({"elements": []}));
    assert!(
        p.contains(&("sections[act].questions[recruited].indicator".into(), ProblemKind::IndicatorWithoutElement)),
        "{p:?}"
    );
    let p = broken(|v| question_mut(v, 3, 0)["indicator"] = serde_json::json!({"elements": ["purpose"]}));
    assert!(
        p.contains(&("sections[purpose].questions[sexual].indicator".into(), ProblemKind::PurposeWithoutExploitation)),
        "{p:?}"
    );
}

#[test]
fn missing_translations_are_reported() {
    let p = broken(|v| {
        question_mut(v, 1, 0)["text"].as_object_mut().unwrap().remove("ky");
        question_mut(v, 1, 1)["text"]["ru"] = "  ".into();
    });
    assert!(
        p.contains(&(
            "sections[act].questions[recruited].text.ky".into(),
            ProblemKind::MissingTranslation { lang: "ky".into() }
        )),
        "{p:?}"
    );
    assert!(
        p.contains(&(
            "sections[act].questions[travel_arranged].text.ru".into(),
            ProblemKind::MissingTranslation { lang: "ru".into() }
        )),
        "{p:?}"
    );
}

#[test]
fn a_bad_asked_in_is_reported_and_private_parses() {
    let p = broken(|v| question_mut(v, 1, 0)["asked_in"] = "corridor".into());
    assert!(
        p.contains(&(
            "sections[act].questions[recruited].asked_in".into(),
            ProblemKind::BadAskedIn { found: "corridor".into() }
        )),
        "{p:?}"
    );
    let p = broken(|v| question_mut(v, 3, 0)["asked_in"] = "private".into());
    assert_eq!(p, vec![]);
}

#[test]
fn traveller_text_needs_every_language() {
    let p = broken(|v| question_mut(v, 1, 0)["traveller_text"] = serde_json::json!({"ru": "Вам предлагали работу?"}));
    assert!(
        p.contains(&(
            "sections[act].questions[recruited].traveller_text.ky".into(),
            ProblemKind::MissingTranslation { lang: "ky".into() }
        )),
        "{p:?}"
    );
}

#[test]
fn bad_reviews_are_reported() {
    let good = text_digest("x");
    let p = broken(|v| {
        v["reviews"] = serde_json::json!([
            {"text": "recruited.text", "lang": "ky", "by": "A", "on": "2026-11-30", "digest": good},
            {"text": "recruited.nope", "lang": "ky", "by": "A", "on": "2026-11-30", "digest": good},
            {"text": "title", "lang": "ru", "by": "A", "on": "30.11.2026", "digest": good},
            {"text": "title", "lang": "ru", "by": "A", "on": "2026-02-30", "digest": good},
            {"text": "title", "lang": "en", "by": " ", "on": "2026-11-30", "digest": "ABCDEF0123456789"},
            {"text": "section.nope.title", "lang": "en", "by": "A", "on": "2026-11-30", "digest": "abc"},
        ])
    });
    assert!(
        p.contains(&("reviews[1].text".into(), ProblemKind::UnknownText { text: "recruited.nope".into() })),
        "{p:?}"
    );
    assert!(p.contains(&("reviews[2].on".into(), ProblemKind::BadReviewDate { on: "30.11.2026".into() })), "{p:?}");
    assert!(p.contains(&("reviews[3].on".into(), ProblemKind::BadReviewDate { on: "2026-02-30".into() })), "{p:?}");
    assert!(p.contains(&("reviews[4].digest".into(), ProblemKind::BadDigest)), "{p:?}");
    assert!(p.contains(&("reviews[4].by".into(), ProblemKind::NoReviewer)), "{p:?}");
    assert!(p.contains(&("reviews[5].digest".into(), ProblemKind::BadDigest)), "{p:?}");
    assert!(p.contains(&("reviews[5].text".into(), ProblemKind::UnknownText { text: "section.nope.title".into() })));
    // The first review is well formed (its digest is stale, which only makes the text unreviewed).
    assert!(!p.iter().any(|(path, _)| path.starts_with("reviews[0]")), "{p:?}");
    assert_eq!(p.len(), 7, "{p:?}");
}

#[test]
fn every_text_of_the_default_template_has_an_id_a_review_can_name() {
    let t = Template::from_json(DEFAULT_TEMPLATE_JSON).unwrap();
    let texts = localized_texts(&t);
    let ids: BTreeSet<&str> = texts.iter().map(|lt| lt.id.as_str()).collect();
    assert_eq!(ids.len(), texts.len(), "text ids are unique");
    assert!(ids.contains("title") && ids.contains("section.person.title") && ids.contains("recruited.text"));
    assert!(ids.contains("documents.option.own"), "{ids:?}");
    // Review every Russian text: Russian is then fully reviewed, the others not at all.
    let mut v: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    v["reviews"] = texts
        .iter()
        .map(|lt| serde_json::json!({"text": lt.id, "lang": "ru", "by": "R", "on": "2026-11-30", "digest": text_digest(&lt.texts[&Lang::Ru])}))
        .collect();
    let reviewed: Template = serde_json::from_value(v).unwrap();
    assert_eq!(validate(&reviewed), vec![]);
    let u = unreviewed(&reviewed);
    assert_eq!(u[&Lang::Ru], Vec::<String>::new());
    assert_eq!(u[&Lang::Ky].len(), texts.len());
    assert_eq!(unreviewed_count(&reviewed), 2 * texts.len());
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = broken(|v| {
        question_mut(v, 1, 1)["id"] = "recruited".into();
        question_mut(v, 1, 2)["indicator"] = serde_json::json!({"elements": []});
        question_mut(v, 1, 3)["text"].as_object_mut().unwrap().remove("en");
        v["version"] = 0.into();
    });
    assert!(p.len() >= 4, "{p:?}");
}

#[test]
fn malformed_template_json_is_a_clear_error() {
    assert!(Template::from_json("{\"id\": \"x\"").is_err());
    assert!(Template::from_json(r#"{"id":"x","version":1,"title":{},"sections":[],"extra":1}"#).is_err());
    let empty: Template =
        Template::from_json(r#"{"id":"x","version":1,"title":{"ky":"a","ru":"b","en":"c"},"sections":[]}"#).unwrap();
    assert!(validate(&empty).iter().any(|p| p.kind == ProblemKind::Empty));
}

proptest! {
    /// Headquarters' consistency check accepts every report the evaluation
    /// can produce (so an honest device is never refused).
    #[test]
    fn every_evaluated_outcome_passes_headquarters_check(a in arb_answers()) {
        let c = default_checklist();
        let o = evaluate(&c, &a, date(TODAY));
        let r = ScreeningReport::from_outcome("DOSTUK", &o);
        prop_assert_eq!(r.check(&c), Ok(()));
    }
}

// ---- the queue and the private interview, pure ----

fn with_private(ids: &[&str], required: &[&str]) -> Checklist {
    let mut v: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    for s in v["sections"].as_array_mut().unwrap() {
        for q in s["questions"].as_array_mut().unwrap() {
            let id = q["id"].as_str().unwrap().to_string();
            // Exactly the listed ones private (the default marks its own).
            q["asked_in"] = if ids.contains(&id.as_str()) { "private" } else { "queue" }.into();
            if required.contains(&id.as_str()) {
                q["required"] = true.into();
            }
        }
    }
    Checklist::new(serde_json::from_value(v).unwrap()).unwrap()
}

#[test]
fn the_queue_leaves_private_questions_unasked_and_not_required() {
    let c = with_private(&["sexual", "fearful"], &["fearful"]);
    let mut a = answers(&ADULT);
    a.insert("documents".into(), AnswerValue::Choice("own".into()));
    let none = BTreeSet::new();
    // The queue's walk never reaches a private question; the private interview's does.
    let mut queue = a.clone();
    while let Some(q) = c.next_question_in(&queue, &none, date(TODAY), Stage::Queue) {
        assert!(!q.asked_in.is_private(), "{} offered in the queue", q.id);
        queue.insert(q.id.clone(), AnswerValue::YesNo(YesNo::No));
        if q.answer != AnswerType::YesNo {
            queue.remove(&q.id);
            break;
        }
    }
    let next_private = c.next_question_in(&a, &none, date(TODAY), Stage::Private).map(|q| q.id.clone());
    assert_eq!(next_private.as_deref(), Some("citizen"));

    let in_queue = evaluate_in(&c, &a, date(TODAY), Stage::Queue);
    assert_eq!(in_queue.left_for_private, ["sexual", "fearful"]);
    assert!(!in_queue.unanswered_required.contains(&"fearful".to_string()), "not required in the queue");
    assert_eq!(in_queue.verdict, Verdict::NoIndicators);
    let in_private = evaluate_in(&c, &a, date(TODAY), Stage::Private);
    assert!(in_private.left_for_private.is_empty());
    assert!(in_private.unanswered_required.contains(&"fearful".to_string()), "required in the private interview");
    // Answers to private questions count wherever they were given.
    a.insert("sexual".into(), AnswerValue::YesNo(YesNo::Yes));
    let o = evaluate_in(&c, &a, date(TODAY), Stage::Queue);
    assert_eq!(o.left_for_private, ["fearful"]);
    assert!(o.exploitation.contains(&Exploitation::SexualExploitation));
    // The report carries the ids, and headquarters' check accepts them.
    let r = ScreeningReport::from_outcome("DOSTUK", &o);
    assert_eq!(r.left_for_private, ["fearful"]);
    assert_eq!(r.check(&c), Ok(()));
}
