//! The Rust half of the bindings benchmark (android/jvm-tests,
//! `BindingsBenchmark.kt`): the same calls the Kotlin half makes through the
//! generated code and JNA, made here on the same Rust API directly, on the
//! same vault and barcode, so the cost of crossing the bindings shows as a
//! ratio. Prints one JSON object of raw timings; the Kotlin half prints the
//! table.
//!
//! `rust_side --vault DIR --barcode FILE --unlocks N --steps N --verifies N`,
//! the passphrase in `HOMEWARD_BENCH_PASSPHRASE` (never on a command line).

use std::sync::Arc;
use std::time::Instant;

use homeward_ffi::certificate::VerificationResult;
use homeward_ffi::screening::{AnswerInput, AnswerKind, Language, NewScreeningInput, QuestionView, ScreeningSession};
use homeward_ffi::vault::HomewardVault;

struct Args {
    vault: String,
    barcode: String,
    unlocks: usize,
    steps: usize,
    verifies: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args { vault: String::new(), barcode: String::new(), unlocks: 3, steps: 200, verifies: 200 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let count = || value.parse::<usize>().map_err(|_| format!("{flag}: not a count: {value}"));
        match flag.as_str() {
            "--vault" => a.vault = value.clone(),
            "--barcode" => {
                a.barcode = std::fs::read_to_string(&value).map_err(|e| format!("{value}: {e}"))?.trim().to_owned()
            }
            "--unlocks" => a.unlocks = count()?,
            "--steps" => a.steps = count()?,
            "--verifies" => a.verifies = count()?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.vault.is_empty() || a.barcode.is_empty() {
        return Err("--vault and --barcode are required".into());
    }
    Ok(a)
}

/// The answer the benchmark gives a question: the same rule as the Kotlin
/// half (`BindingsBenchmark.answerFor`), so both walk the same path.
fn answer_for(q: &QuestionView) -> Option<AnswerInput> {
    match &q.kind {
        AnswerKind::YesNo => Some(AnswerInput::YesNo { value: homeward_ffi::screening::YesNoAnswer::No }),
        AnswerKind::SingleChoice { options } => {
            options.first().map(|o| AnswerInput::Choice { option_id: o.id.clone() })
        }
        AnswerKind::MultipleChoice { options } => {
            options.first().map(|o| AnswerInput::Choices { option_ids: vec![o.id.clone()] })
        }
        AnswerKind::Number { min, max, .. } => {
            Some(AnswerInput::Number { value: 30f64.max(min.unwrap_or(30.0)).min(max.unwrap_or(f64::MAX)) })
        }
        AnswerKind::Date => Some(AnswerInput::Date { date: "1990-01-01".into() }),
        AnswerKind::Text { .. } if q.required => Some(AnswerInput::Text { text: "n/a".into() }),
        AnswerKind::Text { .. } => None,
    }
}

fn start(v: &HomewardVault) -> Arc<ScreeningSession> {
    v.start_screening(NewScreeningInput {
        crossing_point: "OSH-AIRPORT".into(),
        officer: None,
        language: Language::En,
        screening_date: None,
    })
    .expect("a screening starts")
}

fn micros(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e6
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("rust_side: {e}");
            std::process::exit(2);
        }
    };
    let pass = std::env::var("HOMEWARD_BENCH_PASSPHRASE").expect("HOMEWARD_BENCH_PASSPHRASE");

    // Unlock to first question: open, unlock, start a screening, its first question.
    let mut unlock_us = Vec::new();
    for _ in 0..a.unlocks {
        let t = Instant::now();
        let v = HomewardVault::open(a.vault.clone(), None).expect("opens");
        v.unlock(pass.clone()).expect("unlocks");
        let q = start(&v).next_question().expect("first question");
        unlock_us.push(micros(t));
        assert!(q.is_some(), "a new screening has a first question");
        v.close_vault();
    }

    let v = HomewardVault::open(a.vault.clone(), None).expect("opens");
    v.unlock(pass).expect("unlocks");

    // One step: answer (or skip) the question shown, then the next one.
    let mut step_us = Vec::new();
    let mut session = start(&v);
    let mut question = session.next_question().expect("next");
    // A tenth more of each, the first tenth dropped: both halves measure
    // warm code (the JVM's JIT, SQLite's page cache).
    while step_us.len() < a.steps + a.steps / 10 {
        let Some(q) = question.take() else {
            session = start(&v);
            question = session.next_question().expect("next");
            continue;
        };
        let t = Instant::now();
        match answer_for(&q) {
            Some(answer) => session.answer(q.id.clone(), answer).expect("answer"),
            None => session.skip(q.id.clone()).expect("skip"),
        };
        question = session.next_question().expect("next");
        step_us.push(micros(t));
    }

    step_us.drain(..a.steps / 10);

    let checks = v.certificates();
    let mut verify_us = Vec::new();
    for _ in 0..a.verifies + a.verifies / 10 {
        let t = Instant::now();
        let r = checks.verify(a.barcode.clone(), None, None).expect("verifies");
        verify_us.push(micros(t));
        assert!(matches!(r, VerificationResult::Valid { .. }), "the barcode verifies: {r:?}");
    }
    verify_us.drain(..a.verifies / 10);
    v.close_vault();

    let json = serde_json::json!({
        "unlock_to_first_question_us": unlock_us,
        "step_us": step_us,
        "verify_us": verify_us,
    });
    println!("{json}");
}
