//! A draft screening survives a killed process: a child process answers a
//! checklist question by question and is killed with SIGKILL mid-way; every
//! answer it reported saved is in the draft when the vault is reopened.

mod common;

use homeward_core::screening::ScreeningRecordId;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use homeward_core::date::IsoDate;
use homeward_core::screening::{
    default_checklist, AnswerType, AnswerValue, Lang, NewScreening, ScreeningRecords, YesNo,
};

fn value_for(t: &AnswerType, n: usize) -> AnswerValue {
    match t {
        AnswerType::YesNo => AnswerValue::YesNo(if n.is_multiple_of(2) { YesNo::Yes } else { YesNo::No }),
        AnswerType::SingleChoice { options } => AnswerValue::Choice(options[n % options.len()].id.clone()),
        AnswerType::MultipleChoice { options } => AnswerValue::Choices(vec![options[0].id.clone()]),
        AnswerType::Text { .. } => AnswerValue::Text(format!("note {n}")),
        AnswerType::Number { .. } => AnswerValue::Number(n as f64),
        AnswerType::Date => AnswerValue::Date("2009-06-01".parse().unwrap()),
    }
}

#[test]
#[ignore]
fn draft_child_writer() {
    let Ok(dir) = std::env::var("HOMEWARD_DRAFT_DIR") else {
        return;
    };
    let c = default_checklist();
    let mut v = common::open_unlocked(std::path::Path::new(&dir));
    let mut book = ScreeningRecords::new(&mut v, &c);
    let day: IsoDate = "2026-11-29".parse().unwrap();
    let s = book
        .start(NewScreening {
            crossing_point: "AK-JOL".into(),
            officer: None,
            language: Lang::Ru,
            screening_date: day,
            now_unix_ms: 0,
        })
        .unwrap();
    let id = s.record_id().unwrap();
    let mut out = std::io::stdout().lock();
    // A line of its own: the test harness leaves "test ... " unterminated.
    writeln!(out, "\ndraft {id}").unwrap();
    out.flush().unwrap();
    let mut answers = s.answers;
    let mut n = 0;
    while let Some(q) = c.next_question(&answers, &BTreeSet::new(), day) {
        let value = value_for(&q.answer, n);
        let qid = q.id.clone();
        answers = book.answer(id, &qid, value).unwrap().answers;
        writeln!(out, "answered {qid}").unwrap();
        out.flush().unwrap();
        n += 1;
        // The pace of a person answering, sped up: the kill lands mid-checklist.
        std::thread::sleep(Duration::from_millis(3));
    }
    writeln!(out, "done").unwrap();
    // Wait to be killed.
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_killed_draft_keeps_every_saved_answer() {
    let dir = tempfile::tempdir().unwrap();
    drop(common::new_vault(dir.path()));
    let exe = std::env::current_exe().unwrap();
    let c = default_checklist();
    let mut mid_checklist_kills = 0;
    for round in 0..12u64 {
        let mut child = Command::new(&exe)
            .args(["draft_child_writer", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env("HOMEWARD_DRAFT_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill after a different number of saved answers each round, while
        // the child goes on writing the next one.
        let kill_after = 1 + (round as usize * 7) % 35;
        let mut lines = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            let answered = line.starts_with("answered ");
            let done = line == "done";
            lines.push(line);
            if done || (answered && lines.len() > kill_after) {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let Some(id) = lines.iter().find_map(|l| l.strip_prefix("draft ")) else {
            panic!("round {round}: the child never started: {lines:?}")
        };
        let reported: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("answered ")).collect();
        if !lines.iter().any(|l| l == "done") {
            mid_checklist_kills += 1;
        }

        let mut v = common::open_unlocked(dir.path());
        let book = ScreeningRecords::new(&mut v, &c);
        let s = book.load(id.parse().unwrap()).unwrap();
        for q in &reported {
            assert!(s.answers.contains_key(*q), "round {round}: saved answer {q} lost");
        }
        // At most the answer in flight may be there without being reported.
        assert!(s.answers.len() <= reported.len() + 1);
        assert!(!s.is_final());
    }
    assert!(mid_checklist_kills > 0, "no kill landed mid-checklist");
}
