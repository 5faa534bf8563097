//! The bindings' API from Rust, as the shells call it: errors mapped with
//! their fields, a screening driven by the core's next question, closed
//! objects refusing calls. The Kotlin suite (android/jvm-tests) covers the
//! same ground through the generated code and the real native library.

use std::collections::HashMap;

use homeward_ffi::screening::{
    AnswerInput, AnswerKind, Language, NewScreeningInput, SubjectInput, VerdictKind, YesNoAnswer,
};
use homeward_ffi::vault::{software_key_store, HomewardVault, VaultSettings};
use homeward_ffi::HomewardError;

const PASS: &str = "correct horse battery staple";

fn light() -> VaultSettings {
    VaultSettings { kdf_memory_mib: 19, kdf_passes: 2, max_attempts: 3, unlock_delay_ms: 0 }
}

/// A screening at Osh airport on 2026-11-29, in `language`.
fn screening(v: &HomewardVault, language: Language) -> std::sync::Arc<homeward_ffi::screening::ScreeningSession> {
    v.start_screening(NewScreeningInput {
        crossing_point: "OSH-AIRPORT".into(),
        officer: None,
        language,
        screening_date: Some("2026-11-29".into()),
    })
    .unwrap()
}

fn dir(t: &tempfile::TempDir, name: &str) -> String {
    t.path().join(name).to_string_lossy().into_owned()
}

#[test]
fn wrong_passphrases_carry_the_attempts_left_and_the_limit_wipes() {
    let t = tempfile::tempdir().unwrap();
    let d = dir(&t, "v");
    HomewardVault::create(d.clone(), PASS.into(), light(), None).unwrap().close_vault();
    let v = HomewardVault::open(d.clone(), None).unwrap();
    assert!(!v.is_unlocked());
    for left in [2, 1] {
        match v.unlock("wrong passphrase!".into()) {
            Err(HomewardError::WrongPassphrase { attempts_remaining, reason, .. }) => {
                assert_eq!(attempts_remaining, left);
                assert!(reason.contains("attempt"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(v.unlock("wrong passphrase!".into()), Err(HomewardError::Wiped { .. })));
    assert!(matches!(v.unlock(PASS.into()), Err(HomewardError::Wiped { .. })));
}

#[test]
fn a_weak_passphrase_and_a_missing_vault_are_typed() {
    let t = tempfile::tempdir().unwrap();
    assert!(matches!(
        HomewardVault::create(dir(&t, "a"), "1234".into(), light(), None),
        Err(HomewardError::WeakPassphrase { .. })
    ));
    assert!(matches!(HomewardVault::open(dir(&t, "none"), None), Err(HomewardError::NoVault { .. })));
}

#[test]
fn a_pin_needs_the_key_store_it_was_bound_to() {
    let t = tempfile::tempdir().unwrap();
    let d = dir(&t, "v");
    let ks = software_key_store(dir(&t, "keys"));
    HomewardVault::create(d.clone(), "4821".into(), light(), Some(ks.clone())).unwrap().close_vault();
    let v = HomewardVault::open(d.clone(), Some(ks)).unwrap();
    v.unlock("4821".into()).unwrap();
    assert!(v.status().unwrap().device_bound);
    let other = HomewardVault::open(d, Some(software_key_store(dir(&t, "other-keys")))).unwrap();
    assert!(matches!(other.unlock("4821".into()), Err(HomewardError::KeyStore { .. })));
}

#[test]
fn a_screening_is_driven_by_the_cores_next_question() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let s = screening(&v, Language::En);
    // A bad answer is refused with the question and a reason, and changes nothing.
    match s.answer("date_of_birth".into(), AnswerInput::Date { date: "2030-01-01".into() }) {
        Err(HomewardError::InvalidAnswer { question_id, reason }) => {
            assert_eq!(question_id, "date_of_birth");
            assert!(reason.contains("after the screening date"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let scenario: HashMap<&str, AnswerInput> = [
        ("date_of_birth", AnswerInput::Date { date: "1990-04-02".into() }),
        ("documents", AnswerInput::Choice { option_id: "held_by_other".into() }),
        ("recruited", AnswerInput::YesNo { value: YesNoAnswer::Yes }),
        ("deceived", AnswerInput::YesNo { value: YesNoAnswer::Yes }),
        ("forced_labour", AnswerInput::YesNo { value: YesNoAnswer::Yes }),
    ]
    .into_iter()
    .collect();
    let mut asked = 0;
    let mut last = None;
    while let Some(q) = s.next_question().unwrap() {
        asked += 1;
        assert!(!q.text.is_empty() && !q.section_title.is_empty());
        // Counted among the questions this path asks, by the core.
        assert_eq!(q.position, asked, "{} is the {asked}th asked", q.id);
        last = Some((q.position, q.total));
        let p = match (scenario.get(q.id.as_str()), &q.kind) {
            (Some(a), _) => s.answer(q.id.clone(), a.clone()).unwrap(),
            (None, AnswerKind::YesNo) => s.answer_text(q.id.clone(), "n".into()).unwrap(),
            (None, _) => s.skip(q.id.clone()).unwrap(),
        };
        assert!(!p.is_final);
    }
    // Version 2 leaves 17 sensitive questions to the private interview: an
    // adult's queue is the other 19 (the child section hidden).
    assert!(asked >= 19, "every question shown in the queue was asked ({asked})");
    assert_eq!(last, Some((asked, asked)), "the queue ends at N of N, not at N of the whole checklist");
    let p = s.progress().unwrap();
    assert_eq!((p.done_questions, p.total_questions), (asked, asked), "the bar is full");
    s.set_subject(SubjectInput { refused: true, ..Default::default() }).unwrap();
    let provisional = s.outcome().unwrap();
    assert!(!provisional.is_final);
    let o = s.finalise().unwrap();
    assert!(o.is_final);
    assert_eq!(o.verdict, VerdictKind::PresumedVictim);
    assert!(!o.why.is_empty() && !o.actions.is_empty());
    assert!(matches!(s.skip("notes".into()), Err(HomewardError::ScreeningFinalised { .. })));
    let list = v.screenings().list(Default::default()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].verdict, Some(VerdictKind::PresumedVictim));
}

#[test]
fn locked_and_closed_vaults_refuse_calls_with_clear_errors() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let screenings = v.screenings();
    v.lock();
    assert!(matches!(screenings.list(Default::default()), Err(HomewardError::Locked { .. })));
    v.unlock(PASS.into()).unwrap();
    assert!(screenings.list(Default::default()).unwrap().is_empty());
    v.close_vault();
    v.close_vault();
    assert!(matches!(screenings.list(Default::default()), Err(HomewardError::Closed { .. })));
    assert!(matches!(v.status(), Err(HomewardError::Closed { .. })));
    assert!(!v.is_unlocked());
}

#[test]
fn lock_is_seen_at_once_even_while_other_calls_end_around_it() {
    // A call ending just as `lock()` arrives once set the mirror back to
    // "unlocked" (CI saw it under load); the lock state is now one value.
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = {
        let (v, stop) = (v.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut calls = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = v.screenings().list(Default::default());
                calls += 1;
            }
            calls
        })
    };
    for round in 0..25 {
        assert!(v.is_unlocked(), "round {round}: unlocked after unlock");
        v.lock();
        for _ in 0..200 {
            assert!(!v.is_unlocked(), "round {round}: a call ending beside lock() undid it");
        }
        assert!(matches!(v.status(), Ok(s) if !s.unlocked));
        v.unlock(PASS.into()).unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(busy.join().unwrap() > 0, "the other thread made calls meanwhile");
}

#[test]
fn an_unenrolled_device_cannot_take_a_request() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let info = v.certificates().device_info().unwrap();
    assert!(!info.enrolled);
    assert!(matches!(v.sync_service().sync(None), Err(HomewardError::NotEnrolled { .. })));
}

#[test]
fn a_screening_moves_to_a_private_interview_and_resumes_there() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let s = screening(&v, Language::Ru);
    let q = s.next_question().unwrap().unwrap();
    // The officer's wording is always there; the traveller's when the template has one.
    assert!(!q.text.is_empty());
    assert!(!q.private_interview_only, "the first question is asked in the queue");
    let core_q = homeward_core::screening::default_checklist().question(&q.id).unwrap().clone();
    assert_eq!(q.traveller_text.as_deref(), core_q.traveller_text(homeward_core::screening::Lang::Ru));
    assert_eq!(q.text, core_q.officer_text(homeward_core::screening::Lang::Ru));
    s.answer("appears_minor".into(), AnswerInput::YesNo { value: YesNoAnswer::No }).unwrap();
    let p = s.progress().unwrap();
    assert!(!p.in_private_interview);

    let p = s.move_to_private(Some("officer-7".into())).unwrap();
    assert!(p.in_private_interview);
    assert!(p.left_for_private.is_empty(), "nothing is left once in the private interview");
    let id = s.id();
    drop(s);
    // Reopened: it resumes in the private interview, where it stopped.
    let s = v.screenings().open(id, None).unwrap();
    let p = s.progress().unwrap();
    assert!(p.in_private_interview);
    assert_eq!(p.answered, 1);
    assert_eq!(s.next_question().unwrap().unwrap().id, "date_of_birth");
    assert!(s.outcome().unwrap().left_for_private.is_empty());
}

#[test]
fn reasons_are_in_the_apps_language_and_waits_agree_with_status() {
    let t = tempfile::tempdir().unwrap();
    let settings = VaultSettings { unlock_delay_ms: 1500, ..light() };
    let d = dir(&t, "v");
    HomewardVault::create(d.clone(), PASS.into(), settings, None).unwrap().close_vault();
    let v = HomewardVault::open(d, None).unwrap();
    v.set_language(Language::Ru);
    assert_eq!(v.language(), Language::Ru);
    match v.unlock("wrong passphrase here".into()) {
        Err(HomewardError::WrongPassphrase { reason, retry_after_secs, .. }) => {
            assert!(reason.contains("Неверный PIN-код"), "{reason}");
            assert_eq!(retry_after_secs, 2, "1.5 s rounds up");
        }
        other => panic!("{other:?}"),
    }
    // The countdown the error gives and the one status() gives are the same number.
    match v.unlock(PASS.into()) {
        Err(HomewardError::TooSoon { retry_after_secs, reason, .. }) => {
            assert_eq!(retry_after_secs, v.status().unwrap().retry_after_secs, "{reason}");
            assert!(reason.contains("Подождите"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    std::thread::sleep(std::time::Duration::from_millis(1600));
    v.unlock(PASS.into()).unwrap();

    // A mistyped address or certificate is the officer's input, not the network.
    let sync = v.sync_service();
    for (url, pem) in [("not a url", None), ("https://hq.example", Some("not a pem".to_string()))] {
        match sync.enroll(url.into(), "CODE".into(), "x".into(), pem) {
            Err(HomewardError::InvalidInput { reason }) => {
                assert!(reason.contains("неверен") || reason.starts_with("Неверный"), "{reason}")
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    // A screening's errors are in the session's language, without the question's id.
    let s = screening(&v, Language::Ky);
    match s.answer("date_of_birth".into(), AnswerInput::Date { date: "2026-13-40".into() }) {
        Err(HomewardError::InvalidAnswer { question_id, reason }) => {
            assert_eq!(question_id, "date_of_birth");
            assert!(!reason.contains("date_of_birth") && reason.contains("күн"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    match s.finalise() {
        Err(HomewardError::ScreeningIncomplete { missing, reason }) => {
            assert!(!missing.is_empty());
            assert!(missing.iter().all(|id| !reason.contains(id.as_str())), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_question_carries_its_saved_answer_touch_hints_and_labels() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let s = screening(&v, Language::Ru);
    let first = s.next_question().unwrap().unwrap();
    assert_eq!(first.current_answer, None);
    assert!(
        first.hint.contains("Нажмите") && !first.hint.contains("Enter") && !first.hint.contains("д/н"),
        "{}",
        first.hint
    );
    s.answer(first.id.clone(), AnswerInput::YesNo { value: YesNoAnswer::No }).unwrap();
    s.answer("date_of_birth".into(), AnswerInput::Date { date: "1990-04-02".into() }).unwrap();
    // An edit opens prefilled with what was saved.
    assert_eq!(s.question(first.id).unwrap().current_answer, Some(AnswerInput::YesNo { value: YesNoAnswer::No }));
    assert_eq!(
        s.question("date_of_birth".into()).unwrap().current_answer,
        Some(AnswerInput::Date { date: "1990-04-02".into() })
    );
    let l = s.labels();
    assert_eq!((l.yes.as_str(), l.no.as_str(), l.unknown.as_str()), ("Да", "Нет", "Не знаю"));
    s.set_language(Language::Ky);
    assert_eq!(s.labels().yes, "Ооба");
}

#[test]
fn a_count_refuses_a_fraction_and_the_legal_basis_speaks_the_sessions_language() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let s = screening(&v, Language::Ru);
    let q = s.question("companions".into()).unwrap();
    assert_eq!(q.kind, AnswerKind::Number { min: Some(0.0), max: Some(100.0), integer: true });
    assert_eq!(q.hint, "Введите целое число (или пропустите)");
    for refused in [
        s.answer("companions".into(), AnswerInput::Number { value: 2.5 }),
        s.answer_text("companions".into(), "2,5".into()),
    ] {
        match refused {
            Err(HomewardError::InvalidAnswer { question_id, reason }) => {
                assert_eq!(question_id, "companions");
                assert_eq!(reason, "Введите целое число (не 2,5).");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(s.answers().unwrap().len(), 0, "a refused answer changes nothing");
    s.answer("companions".into(), AnswerInput::Number { value: 2.0 }).unwrap();

    // The legal basis of each action in the session's language, switched mid-way.
    for (a, b) in [("recruited", YesNoAnswer::Yes), ("deceived", YesNoAnswer::Yes)] {
        s.answer(a.into(), AnswerInput::YesNo { value: b }).unwrap();
    }
    let ru = s.outcome().unwrap();
    assert!(!ru.actions.is_empty());
    assert!(ru.actions.iter().all(|a| a.basis.contains("Закон")), "{:?}", ru.actions);
    s.set_language(Language::Ky);
    let ky = s.outcome().unwrap();
    assert!(ky.actions.iter().all(|a| a.basis.contains("Мыйзам")), "{:?}", ky.actions);
    s.set_language(Language::En);
    let en = s.outcome().unwrap();
    assert!(en.actions.iter().all(|a| a.basis.contains("Law")), "{:?}", en.actions);

    // The consent question comes from the core, in the session's language;
    // for a child it is addressed to the parent or guardian.
    s.set_language(Language::Ru);
    let w = s.consent_wording("МОМ".into()).unwrap();
    assert!(!w.for_child);
    assert!(w.question.contains("МОМ") && w.question.contains("отозвать"), "{}", w.question);
    assert_eq!(w.agree, "Человек согласен: записать согласие");
    s.answer("appears_minor".into(), AnswerInput::YesNo { value: YesNoAnswer::Yes }).unwrap();
    s.set_language(Language::En);
    let child = s.consent_wording("IOM".into()).unwrap();
    assert!(child.for_child);
    assert!(child.question.contains("parent or guardian") && child.agree.contains("parent or guardian"), "{child:?}");
}

#[test]
fn a_never_enrolled_vault_offers_the_demo_crossing_points_and_refuses_any_other() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), PASS.into(), light(), None).unwrap();
    let info = v.crossing_points_info().unwrap();
    assert_eq!((info.sequence, info.age_days), (0, None), "the compiled-in list, never published");
    v.set_language(Language::Ky);
    let points = v.crossing_points().unwrap();
    assert_eq!(points.len() as i32, info.count);
    let osh = points.iter().find(|p| p.id == "OSH-AIRPORT").expect("listed");
    assert_eq!((osh.name.as_str(), osh.region.as_str()), ("Ош аэропорту", "Osh"));

    let start = |crossing: &str| {
        v.start_screening(NewScreeningInput {
            crossing_point: crossing.into(),
            officer: None,
            language: Language::En,
            screening_date: None,
        })
    };
    for bad in ["Osh airport", "", "   "] {
        match start(bad) {
            Err(HomewardError::InvalidInput { reason }) => assert!(reason.contains("list"), "{reason}"),
            other => panic!("{bad:?}: {:?}", other.map(|_| ())),
        }
    }
    let all =
        || v.screenings().list(homeward_ffi::screening::ScreeningFilter { from: None, to: None, crossing_point: None });
    assert!(all().unwrap().is_empty(), "a refused start saves nothing");
    start("OSH-AIRPORT").unwrap();
    assert_eq!(all().unwrap().len(), 1);
}

#[test]
fn store_and_forward_refusals_are_worded_in_the_apps_language_with_their_code() {
    let t = tempfile::tempdir().unwrap();
    let v = HomewardVault::create(dir(&t, "v"), "correct horse battery staple".into(), light(), None).unwrap();
    v.set_language(Language::Ru);
    let fwd = v.forward_service();
    let refused = |r: homeward_ffi::error::Result<()>| match r {
        Err(HomewardError::BundleRefused { code, reason }) => (code, reason),
        other => panic!("expected a refusal, got {other:?}"),
    };
    // A code the camera caught that is no frame: the app's reader speaks Russian, a bare one English.
    let (code, reason) = refused(fwd.frame_reader().push("IST-2026-000001".into()).map(|_| ()));
    assert_eq!(code, "not_a_frame");
    assert!(reason.contains("Homeward") && reason.chars().any(|c| ('а'..='я').contains(&c)), "{reason}");
    assert!(!reason.contains("HWF1"), "no format detail for the officer: {reason}");
    let (_, english) = refused(homeward_ffi::forward::FrameReader::new().push("IST-2026-000001".into()).map(|_| ()));
    assert!(english.starts_with("This is not a code"), "{english}");
    // A file that is no bundle, and frames too few to import.
    let (code, reason) = refused(fwd.import_file("{ not a bundle".into()).map(|_| ()));
    assert_eq!(code, "malformed");
    assert!(reason.starts_with("Это не пакет"), "{reason}");
    let (code, reason) = refused(fwd.import_frames(fwd.frame_reader()).map(|_| ()));
    assert_eq!(code, "incomplete");
    assert!(reason.starts_with("Кадров пока недостаточно"), "{reason}");
}
