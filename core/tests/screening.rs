//! Screening records in a real vault: drafts saved per answer, finalised
//! records that only take addenda, listing and search through the blind
//! indexes, consent, nothing on disk in clear, and the signed log of
//! reports. (The rules themselves are tested pure, in homeward-domain.)

mod common;

use homeward_core::date::IsoDate;
use homeward_core::random::OsRng;
use homeward_core::screening::*;

fn date(s: &str) -> IsoDate {
    s.parse().unwrap()
}

const TODAY: &str = "2026-11-29";

const ADULT: [(&str, &str); 2] = [("appears_minor", "no"), ("date_of_birth", "1990-04-02")];

fn answers(pairs: &[(&str, &str)]) -> Answers {
    let c = default_checklist();
    pairs
        .iter()
        .map(|(q, v)| {
            let question = c.question(q).unwrap_or_else(|| panic!("no question {q}"));
            let value = homeward_core::screening::answers::from_json(question, &serde_json::json!(v)).unwrap();
            (q.to_string(), value)
        })
        .collect()
}

// ---- screening records in a real vault ----

fn new_screening(crossing: &str, day: &str) -> NewScreening {
    NewScreening {
        crossing_point: crossing.into(),
        officer: Some("officer-0042".into()),
        language: Lang::Ky,
        screening_date: date(day),
        now_unix_ms: 1_780_000_000_000,
    }
}

fn yes() -> AnswerValue {
    AnswerValue::YesNo(YesNo::Yes)
}

#[test]
fn drafts_save_each_answer_and_finalised_records_only_take_addenda() {
    let dir = tempfile::tempdir().unwrap();
    let c = default_checklist();
    let id = {
        let mut v = common::new_vault(dir.path());
        let mut book = ScreeningRecords::new(&mut v, &c);
        let s = book.start(new_screening("OSH-AIRPORT", TODAY)).unwrap();
        let id = s.record_id().unwrap();
        book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
        book.answer(id, "recruited", yes()).unwrap();
        id
    };
    // Reopened: both answers are there.
    let mut v = common::open_unlocked(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let s = book.load(id).unwrap();
    assert_eq!(s.answers.len(), 2);
    assert!(!s.is_final());

    // Bad answers are refused and change nothing.
    assert!(matches!(book.answer(id, "nope", yes()), Err(ScreeningError::Answer(_))));
    assert!(matches!(book.answer(id, "recruited", AnswerValue::Number(1.0)), Err(ScreeningError::Answer(_))));
    assert!(matches!(book.answer(id, "unaccompanied", yes()), Err(ScreeningError::Answer(_))), "hidden for an adult");
    assert!(matches!(
        book.answer(id, "date_of_birth", AnswerValue::Date(date("2030-01-01"))),
        Err(ScreeningError::Answer(_))
    ));
    assert!(matches!(book.skip(id, "documents"), Err(ScreeningError::Answer(_))), "required");
    assert!(matches!(book.finalise(id, 1), Err(ScreeningError::Incomplete(m)) if m == ["documents"]));

    book.answer(id, "documents", AnswerValue::Choice("held_by_other".into())).unwrap();
    book.answer(id, "deceived", yes()).unwrap();
    book.set_subject(
        id,
        Subject {
            name: Some("Асанова Айгүл".into()), document_number: Some("AN1234567".into()), ..Default::default()
        },
    )
    .unwrap();
    let s = book.finalise(id, 2).unwrap();
    assert_eq!(s.outcome().unwrap().verdict, Verdict::FurtherInterview);

    // Immutable once final.
    assert!(matches!(book.answer(id, "forced_labour", yes()), Err(ScreeningError::Finalised)));
    assert!(matches!(book.set_subject(id, Subject::default()), Err(ScreeningError::Finalised)));
    assert!(matches!(book.finalise(id, 3), Err(ScreeningError::Finalised)));

    // Corrected by an addendum that keeps the original.
    let mut change = Answers::new();
    change.insert("forced_labour".into(), yes());
    assert!(matches!(book.amend(id, change.clone(), None, " ", None, 4), Err(ScreeningError::NoReason)));
    let s = book
        .amend(id, change, None, "the person disclosed forced labour in the interview", Some("officer-0042".into()), 4)
        .unwrap();
    assert_eq!(s.answers.len(), 4, "the original answers are kept as they were");
    assert!(!s.answers.contains_key("forced_labour"));
    assert_eq!(s.addenda.len(), 1);
    assert_eq!(s.outcome().unwrap().verdict, Verdict::PresumedVictim);
    match &s.state {
        homeward_core::screening::ScreeningState::Final { outcome, .. } => {
            assert_eq!(outcome.verdict, Verdict::FurtherInterview)
        }
        _ => panic!("final"),
    }
}

#[test]
fn a_screening_starts_only_at_a_listed_crossing_point_and_a_refusal_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = default_checklist();
    let mut v = common::new_vault(dir.path());
    // Not enrolled: the compiled-in demo list stands in.
    let held = homeward_core::crossing_points::held(&v).unwrap();
    assert_eq!(held.sequence, 0);
    assert!(held.find("OSH-AIRPORT").is_ok());
    let mut book = ScreeningRecords::new(&mut v, &c);
    for unknown in ["OSH", "osh-airport", "", "Аэропорт Ош"] {
        match book.start(new_screening(unknown, TODAY)) {
            Err(ScreeningError::UnknownCrossingPoint { id }) => assert_eq!(id, unknown),
            other => panic!("{unknown:?}: {other:?}"),
        }
    }
    assert!(book.list(&ListFilter::default()).unwrap().is_empty(), "nothing saved");
    book.start(new_screening("OSH-AIRPORT", TODAY)).unwrap();
    assert_eq!(book.list(&ListFilter::default()).unwrap().len(), 1);
}

#[test]
fn screenings_are_listed_and_found_through_the_blind_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let c = default_checklist();
    let mut v = common::new_vault(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let a = book.start(new_screening("OSH-AIRPORT", "2026-11-28")).unwrap().record_id().unwrap();
    book.set_subject(
        a,
        Subject {
            name: Some("Токтогулов Нурлан".into()),
            document_number: Some("ID0456123".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let b = book.start(new_screening("DOSTUK", "2026-11-29")).unwrap().record_id().unwrap();
    book.set_subject(
        b,
        Subject {
            document_number: Some("AC7654321".into()),
            document_holder_name: Some("Omurbekova Jyldyz".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let r = book.start(new_screening("DOSTUK", "2026-11-29")).unwrap().record_id().unwrap();
    book.set_subject(r, Subject { refused: true, ..Default::default() }).unwrap();

    let all = book.list(&ListFilter::default()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].screening_date, date("2026-11-29"), "newest first");
    assert_eq!(
        book.list(&ListFilter { crossing_point: Some("DOSTUK".into()), ..Default::default() }).unwrap().len(),
        2
    );
    let day = book
        .list(&ListFilter { from: Some(date("2026-11-28")), to: Some(date("2026-11-28")), ..Default::default() })
        .unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(day[0].id, a.to_string());

    assert_eq!(book.search_document("id 0456123").unwrap()[0].id, a.to_string());
    assert_eq!(book.search_name("NURLAN TOKTOGULOV").unwrap()[0].id, a.to_string());
    assert_eq!(book.search_name("Токтогулов").unwrap()[0].id, a.to_string());
    // Another person's document: found by the name on it.
    assert_eq!(book.search_name("Омурбекова").unwrap()[0].id, b.to_string());
    assert!(book.search_name("Nobody").unwrap().is_empty());
}

#[test]
fn consent_to_referral_is_recorded_and_revocable() {
    let dir = tempfile::tempdir().unwrap();
    let c = default_checklist();
    let mut v = common::new_vault(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let id = book.start(new_screening("MANAS", TODAY)).unwrap().record_id().unwrap();
    let consent = ReferralConsent {
        id: "consent-1".into(),
        partner: "iom".into(),
        purpose: "shelter".into(),
        given_on: date(TODAY),
        revoked_on: None,
        basis: ReferralBasis::Consent { given_by: ConsentGiver::ThePerson },
    };
    let s = book.add_consent(id, consent).unwrap();
    assert!(homeward_core::screening::may_share(&s.consents, "iom", "shelter", date(TODAY), false).is_ok());
    let s = book.revoke_consent(id, "consent-1", date("2026-11-30")).unwrap();
    assert!(homeward_core::screening::may_share(&s.consents, "iom", "shelter", date("2026-12-01"), false).is_err());
    assert_eq!(s.consents.len(), 1, "a revoked consent stays on record");
}

#[test]
fn screening_data_is_not_on_disk_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let c = default_checklist();
    let mut v = common::new_vault(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let id = book.start(new_screening("TORUGART", TODAY)).unwrap().record_id().unwrap();
    book.set_subject(
        id,
        Subject {
            name: Some("Markerova Zarina".into()),
            document_number: Some("MRK4455667".into()),
            ..Default::default()
        },
    )
    .unwrap();
    book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
    book.answer(id, "notes", AnswerValue::Text("Markernote about the case".into())).unwrap();
    drop(v);
    common::assert_no_plaintext(dir.path(), &["Markerova", "MRK4455667", "Markernote", "TORUGART", "appears_minor"]);
}

// ---- screenings on the signed log ----

#[test]
fn finalised_screenings_go_on_the_signed_log_without_personal_data() {
    use homeward_core::certificate::DeviceProfile;
    use homeward_core::events::{DeviceIdentity, KeyRing, Role};
    use homeward_core::screening::{check_event, ScreeningEvent, ScreeningEvents};

    let dir = tempfile::tempdir().unwrap();
    let c = default_checklist();
    let mut v = common::new_vault(dir.path());
    // Without an identity (not enrolled) nothing is logged.
    let s = {
        let mut book = ScreeningRecords::new(&mut v, &c);
        let s = book.start(new_screening("DOSTUK", TODAY)).unwrap();
        let id = s.record_id().unwrap();
        for (q, a) in answers(&ADULT) {
            book.answer(id, &q, a).unwrap();
        }
        book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
        book.finalise(id, 1).unwrap()
    };
    assert!(ScreeningEvents::new(&mut v).outbox().unwrap().is_empty());
    assert!(ScreeningEvents::new(&mut v).log(&s, 2).unwrap().is_empty());

    let me = DeviceIdentity::generate("osh-01-abcd", Role::BorderGuard, "OSH", &mut OsRng);
    let mut p = DeviceProfile::load(&v).unwrap();
    p.identity = Some(me.to_stored());
    p.save(&mut v).unwrap();
    let id = {
        let mut book = ScreeningRecords::new(&mut v, &c);
        let s = book.start(new_screening("DOSTUK", TODAY)).unwrap();
        let id = s.record_id().unwrap();
        for (q, a) in answers(&[
            ("appears_minor", "no"),
            ("date_of_birth", "1990-04-02"),
            ("recruited", "yes"),
            ("deceived", "yes"),
            ("documents", "held_by_other"),
        ]) {
            book.answer(id, &q, a).unwrap();
        }
        book.set_subject(
            id,
            Subject {
                name: Some("Асанова Айгүл".into()),
                document_number: Some("AN1234567".into()),
                ..Default::default()
            },
        )
        .unwrap();
        book.finalise(id, 10).unwrap();
        id
    };
    let out = ScreeningEvents::new(&mut v).outbox().unwrap();
    assert_eq!(out.len(), 1);
    let e = &out[0];
    assert_eq!(e.case_id, id.to_string());
    assert!(matches!(&e.body, ScreeningEvent::Finalised { r } if r.verdict == Verdict::FurtherInterview));
    // Nothing identifying goes to headquarters.
    let json = serde_json::to_string(e).unwrap();
    for secret in ["Асанова", "Айгүл", "AN1234567", "1990", "officer-0042"] {
        assert!(!json.contains(secret), "{secret} leaked into the report: {json}");
    }
    // Headquarters' check passes for the genuine report, fails for a forged verdict.
    let mut keys = KeyRing::default();
    keys.add(me.public());
    check_event(e, &keys, &c).unwrap();
    let ScreeningEvent::Finalised { r } = &e.body else { unreachable!() };
    let mut forged = r.clone();
    forged.verdict = Verdict::PresumedVictim;
    assert!(forged.check(&c).unwrap_err().contains("does not follow"));
    let mut forged = r.clone();
    forged.means.push("recruited".into());
    assert!(forged.check(&c).unwrap_err().contains("does not indicate"));
    let mut forged = r.clone();
    forged.template_version += 1;
    assert!(forged.check(&c).unwrap_err().contains("unknown checklist"));
    // A report re-signed by someone else does not verify.
    let other = DeviceIdentity::generate("osh-02-ffff", Role::BorderGuard, "OSH", &mut OsRng);
    let mut tampered = e.clone();
    tampered.body = ScreeningEvent::Finalised { r: forged };
    assert!(check_event(&tampered, &keys, &c).is_err());
    keys.add(other.public());
    let mut stolen = e.clone();
    stolen.author = other.device_id().to_string();
    assert!(check_event(&stolen, &keys, &c).is_err());

    // An addendum goes on the log as an Amended event after the first.
    let mut change = Answers::new();
    change.insert("forced_labour".into(), yes());
    let s = ScreeningRecords::new(&mut v, &c).amend(id, change, None, "disclosed later", None, 20).unwrap();
    let events = ScreeningEvents::new(&mut v).of_screening(&s.id).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].event.prev.as_deref(), Some(events[0].event.id.as_str()));
    assert!(matches!(&events[1].event.body, ScreeningEvent::Amended { r } if r.verdict == Verdict::PresumedVictim));
    // Logging again adds nothing.
    assert!(ScreeningEvents::new(&mut v).log(&s, 30).unwrap().is_empty());
}

// ---- the queue and the private interview ----

/// The default checklist with the sensitive questions marked for the private
/// interview (as the reviewed template version does) and a traveller wording.
fn private_checklist() -> Checklist {
    let mut v: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    v["version"] = 2.into();
    for s in v["sections"].as_array_mut().unwrap() {
        for q in s["questions"].as_array_mut().unwrap() {
            // Exactly these private (the default, version 2, marks more).
            let private = ["sexual", "companion_answers", "fearful", "crime", "armed_conflict"]
                .contains(&q["id"].as_str().unwrap());
            q["asked_in"] = if private { "private" } else { "queue" }.into();
            if q["id"] == "recruited" {
                q["traveller_text"] = serde_json::json!({
                    "ky": "Сизге чет өлкөдө иш сунушташканбы?",
                    "ru": "Вам предлагали работу за границей?",
                    "en": "Did someone offer you work abroad?"
                });
            }
        }
    }
    Checklist::new(serde_json::from_value(v).unwrap()).unwrap()
}

#[test]
fn private_questions_wait_for_the_private_interview_and_are_not_no() {
    let dir = tempfile::tempdir().unwrap();
    let c = private_checklist();
    let mut v = common::new_vault(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let s = book.start(new_screening("OSH-AIRPORT", TODAY)).unwrap();
    let id = s.record_id().unwrap();
    assert_eq!(s.stage(), Stage::Queue);

    // Queue: the flow never offers a private question, and refuses one given.
    let mut s = s;
    let mut asked = Vec::new();
    while let Some(q) = c.next_for(&s) {
        asked.push(q.id.clone());
        let value = match q.id.as_str() {
            "date_of_birth" => AnswerValue::Date(date("1990-04-02")),
            "documents" => AnswerValue::Choice("own".into()),
            "recruited" | "deceived" => yes(),
            _ if q.answer == AnswerType::YesNo => AnswerValue::YesNo(YesNo::No),
            _ => {
                s = book.skip(id, &q.id).unwrap();
                continue;
            }
        };
        s = book.answer(id, &q.id, value).unwrap();
    }
    assert!(asked.contains(&"recruited".to_string()) && asked.contains(&"forced_labour".to_string()));
    for q in ["sexual", "companion_answers", "fearful", "crime", "armed_conflict"] {
        assert!(!asked.contains(&q.to_string()), "{q} asked in the queue");
    }
    assert!(matches!(
        book.answer(id, "sexual", yes()),
        Err(ScreeningError::Answer(AnswerError::PrivateOnly(q))) if q == "sexual"
    ));
    assert!(matches!(book.skip(id, "fearful"), Err(ScreeningError::Answer(AnswerError::PrivateOnly(_)))));
    // The traveller's wording is there beside the officer's.
    let q = c.question("recruited").unwrap();
    assert_eq!(q.traveller_text(Lang::Ru), Some("Вам предлагали работу за границей?"));
    assert_ne!(q.officer_text(Lang::Ru), q.traveller_text(Lang::Ru).unwrap());

    // Provisional outcome in the queue: act and means, purpose missing, and
    // the private questions listed as not asked (not as "no").
    let o = evaluate_screening(&c, &s);
    assert_eq!(o.verdict, Verdict::FurtherInterview);
    assert_eq!(o.left_for_private, ["companion_answers", "sexual", "crime", "armed_conflict", "fearful"]);

    // Moved to a private interview and resumed there (the vault reopened).
    book.move_to_private(id, Some("officer-0042".into()), 1_780_000_100_000).unwrap();
    drop(v);
    let mut v = common::open_unlocked(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let s = book.load(id).unwrap();
    assert_eq!(s.stage(), Stage::Private);
    assert_eq!(s.private_interview.as_ref().unwrap().started_unix_ms, 1_780_000_100_000);
    // Moving again keeps the first move.
    let again = book.move_to_private(id, None, 1_780_000_200_000).unwrap();
    assert_eq!(again.private_interview, s.private_interview);
    assert_eq!(c.next_for(&s).map(|q| q.id.as_str()), Some("companion_answers"));
    book.answer(id, "companion_answers", AnswerValue::YesNo(YesNo::No)).unwrap();
    book.answer(id, "sexual", yes()).unwrap();
    book.skip(id, "crime").unwrap();
    let s = book.finalise(id, 1_780_000_300_000).unwrap();
    let o = s.outcome().unwrap();
    assert_eq!(o.verdict, Verdict::PresumedVictim);
    assert_eq!(o.left_for_private, Vec::<String>::new(), "asked in the private interview");
}

#[test]
fn a_screening_finalised_in_the_queue_records_what_was_left_for_the_private_interview() {
    let dir = tempfile::tempdir().unwrap();
    let c = private_checklist();
    let mut v = common::new_vault(dir.path());
    let mut book = ScreeningRecords::new(&mut v, &c);
    let id = book.start(new_screening("OSH-AIRPORT", TODAY)).unwrap().record_id().unwrap();
    for (q, a) in ADULT {
        let question = c.question(q).unwrap();
        book.answer(id, q, answers::from_json(question, &serde_json::json!(a)).unwrap()).unwrap();
    }
    book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
    let s = book.finalise(id, 1).unwrap();
    let o = s.outcome().unwrap().clone();
    assert_eq!(o.verdict, Verdict::NoIndicators);
    assert_eq!(o.left_for_private.len(), 5);
    let report = ScreeningReport::from_outcome("OSH-AIRPORT", &o);
    assert_eq!(report.left_for_private, o.left_for_private);
    assert_eq!(report.check(&c), Ok(()));
    // Headquarters refuses a report that lists a queue question as left.
    let mut forged = report.clone();
    forged.left_for_private.push("recruited".into());
    assert!(forged.check(&c).is_err());
    // A later private interview's disclosure goes in as an addendum.
    let mut change = Answers::new();
    change.insert("sexual".into(), yes());
    let s = book.amend(id, change, None, "disclosed in a private interview later", None, 2).unwrap();
    assert!(!s.outcome().unwrap().left_for_private.contains(&"sexual".to_string()));
    assert_eq!(s.outcome().unwrap().left_for_private.len(), 4);
}
