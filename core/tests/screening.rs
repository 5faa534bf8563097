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
