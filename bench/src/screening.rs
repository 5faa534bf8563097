//! `screening-bench`: the evaluation's throughput on a 60-question template
//! against the target (100,000 evaluations per second on one core),
//! and the latency of the terminal flow's step (save an answer, find the next
//! question, render it) against a 100 ms "feels instant" budget. `--quick`
//! is the smoke run: fewer iterations, answers checked.

use homeward_core::screening::ScreeningRecordId;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeward_core::date::IsoDate;
use homeward_core::screening::{
    answer_hint, default_checklist, evaluate, template::text, AnswerType, AnswerValue, Answers, Checklist, Lang,
    NewScreening, ScreeningRecords, Template, Verdict, YesNo,
};
use homeward_core::vault::{KdfParams, LockoutPolicy, Secret, SystemClock, Vault, VaultOptions};

/// The default template grown to 60 questions with extra field indicators.
fn sixty_question_checklist() -> Checklist {
    let mut t: Template = default_checklist().template().clone();
    let have = t.questions().count();
    let mut extra = t.sections.iter().find(|s| s.id == "control").unwrap().clone();
    extra.id = "extra".into();
    let template_q = extra.questions[0].clone();
    extra.questions = (0..60 - have)
        .map(|i| {
            let mut q = template_q.clone();
            q.id = format!("extra_{i}");
            for v in q.text.values_mut() {
                v.push_str(&format!(" ({i})"));
            }
            q
        })
        .collect();
    let at = t.sections.len() - 1;
    t.sections.insert(at, extra);
    let c = Checklist::new(t).expect("the grown template validates");
    assert_eq!(c.len(), 60);
    c
}

fn filled_answers(c: &Checklist) -> Answers {
    let mut a = Answers::new();
    for (i, q) in c.questions().enumerate() {
        let v = match &q.answer {
            AnswerType::YesNo => AnswerValue::YesNo(if i % 3 == 0 { YesNo::Yes } else { YesNo::No }),
            AnswerType::SingleChoice { options } => AnswerValue::Choice(options[options.len() - 1].id.clone()),
            AnswerType::MultipleChoice { options } => AnswerValue::Choices(vec![options[0].id.clone()]),
            AnswerType::Text { .. } => AnswerValue::Text("notes".into()),
            AnswerType::Number { .. } => AnswerValue::Number(2.0),
            AnswerType::Date => AnswerValue::Date("2009-05-01".parse().unwrap()),
        };
        a.insert(q.id.clone(), v);
    }
    a
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let c = sixty_question_checklist();
    let answers = filled_answers(&c);
    let day: IsoDate = "2026-11-29".parse().unwrap();

    // 1. Evaluations per second, one thread.
    let n = if quick { 5_000 } else { 100_000 };
    let first = evaluate(&c, &answers, day);
    assert_eq!(first.verdict, Verdict::PresumedVictim, "the benchmark answers describe a presumed victim");
    let t = Instant::now();
    let mut presumed = 0usize;
    for _ in 0..n {
        let o = evaluate(&c, std::hint::black_box(&answers), day);
        presumed += (o.verdict == Verdict::PresumedVictim) as usize;
    }
    let elapsed = t.elapsed();
    assert_eq!(presumed, n);
    let per_sec = n as f64 / elapsed.as_secs_f64();

    // 2. The terminal flow's step on a real vault.
    let dir = tempfile::tempdir().unwrap();
    let kdf = if quick { KdfParams::owasp_minimum() } else { KdfParams::recommended() };
    let options = VaultOptions { kdf, lockout: LockoutPolicy::default(), clock: Arc::new(SystemClock) };
    let pass = Secret::new("benchmark passphrase, not secret");
    drop(Vault::create(dir.path(), &pass, None, options.clone()).unwrap());
    let open_start = Instant::now();
    let mut v = Vault::open(dir.path(), options).unwrap();
    v.unlock(&pass, None).unwrap();
    let checklist = default_checklist();
    let mut book = ScreeningRecords::new(&mut v, &checklist);
    let s = book
        .start(NewScreening {
            crossing_point: "OSH-AIRPORT".into(),
            officer: None,
            language: Lang::Ru,
            screening_date: day,
            now_unix_ms: 0,
        })
        .unwrap();
    let id = s.record_id().unwrap();
    // The whole checklist is walked, as in a private interview (the queue stops short of the sensitive questions).
    book.move_to_private(id, None, 0).unwrap();
    let render =
        |q: &homeward_core::screening::Question| format!("{}\n{}", text(&q.text, Lang::Ru), answer_hint(q, Lang::Ru));
    let first_q = checklist.next_question(&s.answers, &BTreeSet::new(), day).unwrap();
    let first_screen = render(first_q);
    let open_to_first = open_start.elapsed();
    assert!(!first_screen.is_empty());

    let mut steps = Vec::new();
    let mut q = first_q.clone();
    loop {
        let value = match &q.answer {
            AnswerType::YesNo => AnswerValue::YesNo(YesNo::No),
            AnswerType::SingleChoice { options } => AnswerValue::Choice(options[0].id.clone()),
            AnswerType::MultipleChoice { options } => AnswerValue::Choices(vec![options[0].id.clone()]),
            AnswerType::Text { .. } => AnswerValue::Text("n".into()),
            AnswerType::Number { .. } => AnswerValue::Number(1.0),
            AnswerType::Date => AnswerValue::Date("1990-01-01".parse().unwrap()),
        };
        let t = Instant::now();
        let current = book.answer(id, &q.id, value).unwrap();
        let next = checklist.next_question(&current.answers, &current.skipped, day).cloned();
        let screen = next.as_ref().map(render);
        steps.push(t.elapsed());
        std::hint::black_box(screen);
        match next {
            Some(n) => q = n,
            None => break,
        }
    }
    assert!(steps.len() >= 30, "walked {} questions", steps.len());
    steps.sort();
    let median: Duration = steps[steps.len() / 2];
    let worst: Duration = *steps.last().unwrap();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;

    println!("| measure | value | reference | ratio | met |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| evaluations per second, 60-question template, one thread ({n} runs) | {per_sec:.0} | 100000 (target) | {:.2}x | {} |",
        per_sec / 100_000.0,
        if per_sec > 100_000.0 { "yes" } else { "no" }
    );
    println!(
        "| terminal step: save answer + next question + render, median of {} (ms) | {:.3} | 100 (instant) | {:.3}x | {} |",
        steps.len(),
        ms(median),
        ms(median) / 100.0,
        if ms(median) < 100.0 { "yes" } else { "no" }
    );
    println!(
        "| terminal step, worst (ms) | {:.3} | 100 (instant) | {:.3}x | {} |",
        ms(worst),
        ms(worst) / 100.0,
        if ms(worst) < 100.0 { "yes" } else { "no" }
    );
    println!(
        "| open: unlock ({}) + start draft + first question (ms) | {:.1} | 1000 (one second) | {:.2}x | {} |",
        if quick { "argon2id 19 MiB x 2" } else { "argon2id 128 MiB x 4" },
        ms(open_to_first),
        ms(open_to_first) / 1000.0,
        if ms(open_to_first) < 1000.0 { "yes" } else { "no" }
    );
    if quick {
        println!("screening-bench smoke: 4 passed, 0 failed");
    }
}
