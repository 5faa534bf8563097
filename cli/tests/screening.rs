//! `homeward template` and `homeward screening` driven as an officer or a
//! script would: real processes, a real vault, answers files and a terminal
//! conversation on standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASS: &str = "a long enough field passphrase";

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeward"));
    cmd.arg("--data-dir").arg(dir).args(args);
    cmd.env("HOMEWARD_PASSPHRASE", PASS).env_remove("HOMEWARD_DIR");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        let mut i = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn vault() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let out = run(d.path(), &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    d
}

fn default_template_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/templates/kg-border-screening-v2.json")
}

#[test]
fn template_validate_and_show() {
    let d = tempfile::tempdir().unwrap();
    let out = run(d.path(), &["--json", "template", "validate", default_template_path().to_str().unwrap()], None);
    assert!(out.status.success());
    assert_eq!(json(&out)["valid"], true);

    let mut t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(default_template_path()).unwrap()).unwrap();
    t["sections"][1]["questions"][1]["id"] = "recruited".into();
    t["sections"][1]["questions"][0]["text"].as_object_mut().unwrap().remove("ky");
    let broken = d.path().join("broken.json");
    std::fs::write(&broken, t.to_string()).unwrap();
    let out = run(d.path(), &["--json", "template", "validate", broken.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(40));
    let problems = json(&out)["error"]["problems"].as_array().unwrap().clone();
    assert!(problems
        .iter()
        .any(|p| p["problem"] == "duplicate_id" && p["path"] == "sections[act].questions[recruited].id"));
    assert!(problems
        .iter()
        .any(|p| p["problem"] == "missing_translation" && p["path"] == "sections[act].questions[recruited].text.ky"));

    std::fs::write(&broken, "{ not json").unwrap();
    let out = run(d.path(), &["--json", "template", "validate", broken.to_str().unwrap()], None);
    assert_eq!(json(&out)["error"]["kind"], "invalid_input");

    let out = run(d.path(), &["template", "show", "--lang", "ky"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Адам сатуунун белгилерин текшерүү"), "{text}");
    assert!(text.contains("[appears_minor]"));
}

#[test]
fn a_screening_from_an_answers_file_then_list_search_show_and_amend() {
    let d = vault();
    let answers = d.path().join("answers.json");
    std::fs::write(
        &answers,
        serde_json::json!({
            "crossing_point": "OSH-AIRPORT",
            "date": "2026-11-29",
            "language": "ky",
            "subject": { "name": "Асанова Айгүл", "document_number": "AN1234567" },
            "answers": {
                "appears_minor": "no", "date_of_birth": "1990-04-02", "documents": "held_by_other",
                "recruited": "yes", "consent_given": "yes", "deceived": "yes", "promised_work": ["domestic"],
                "companions": 1, "notes": "met at the gate"
            },
            "skip": ["citizen"],
            "finalise": false
        })
        .to_string(),
    )
    .unwrap();
    let out = run(d.path(), &["--json", "screening", "new", "--answers", answers.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let s = json(&out);
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["state"], "draft");
    assert_eq!(s["language"], "ky");

    let out = run(d.path(), &["--json", "screening", "finalise", &id], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let s = json(&out);
    assert_eq!(s["state"], "final");
    assert_eq!(s["outcome"]["verdict"], "further_interview");
    assert_eq!(s["explanation"]["verdict"], "Белгилер бар: кошумча маек өткөрүңүз");

    let out = run(d.path(), &["--json", "screening", "list", "--crossing", "OSH-AIRPORT"], None);
    assert_eq!(json(&out).as_array().unwrap().len(), 1);
    let out = run(d.path(), &["--json", "screening", "list", "--from", "2026-11-30"], None);
    assert_eq!(json(&out).as_array().unwrap().len(), 0);
    let out = run(d.path(), &["--json", "screening", "search", "--document", "АН 1234567"], None);
    assert_eq!(json(&out)[0]["id"], id.as_str());
    let out = run(d.path(), &["--json", "screening", "search", "--name", "AIGUL ASANOVA"], None);
    assert_eq!(json(&out)[0]["id"], id.as_str());

    // Finalised: answers cannot change; an addendum with a reason can.
    let fix = d.path().join("fix.json");
    std::fs::write(&fix, r#"{"answers": {"forced_labour": "yes"}}"#).unwrap();
    let out = run(
        d.path(),
        &[
            "--json",
            "screening",
            "amend",
            &id,
            "--answers",
            fix.to_str().unwrap(),
            "--reason",
            "disclosed in interview",
        ],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let s = json(&out);
    assert_eq!(s["addenda"].as_array().unwrap().len(), 1);
    assert_eq!(s["addenda"][0]["outcome"]["verdict"], "presumed_victim");
    assert!(s["explanation"]["consent_note"].is_string());
    assert!(s["answers"].get("forced_labour").is_none(), "the original answers stay as they were");

    let out = run(d.path(), &["--json", "screening", "finalise", &id], None);
    assert_eq!(json(&out)["error"]["kind"], "finalised");

    // A wrong answer in a file is a clear error naming the question.
    std::fs::write(&fix, r#"{"crossing_point": "DOSTUK", "answers": {"recruited": "perhaps"}}"#).unwrap();
    let out = run(d.path(), &["--json", "screening", "new", "--answers", fix.to_str().unwrap()], None);
    assert_eq!(json(&out)["error"]["kind"], "invalid_answer");
    assert!(json(&out)["error"]["message"].as_str().unwrap().contains("recruited"));

    // A count of people takes a whole number: 2.5 is refused, saying so.
    std::fs::write(&fix, r#"{"crossing_point": "DOSTUK", "answers": {"companions": 2.5}}"#).unwrap();
    let out = run(d.path(), &["--json", "screening", "new", "--answers", fix.to_str().unwrap()], None);
    assert_eq!(json(&out)["error"]["kind"], "invalid_answer");
    let message = json(&out)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("companions") && message.contains("whole number"), "{message}");
}

#[test]
fn the_terminal_flow_saves_as_it_goes_and_resumes() {
    let d = vault();
    // Three answers, then the input closes (a dead battery, a closed lid).
    let out = run(
        d.path(),
        &["screening", "new", "--crossing", "DOSTUK", "--lang", "en", "--date", "2026-11-29"],
        Some("y\n\nmaybe\ny\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("an answer is required") || text.contains("expects yes/no"), "{text}");
    assert!(text.contains("Input closed: the draft is saved"), "{text}");
    let list = json(&run(d.path(), &["--json", "screening", "list"], None));
    let id = list[0]["id"].as_str().unwrap().to_string();
    assert_eq!(list[0]["is_final"], false);
    assert_eq!(list[0]["answered"], 2, "appears_minor, then citizen (date of birth skipped)");

    // Resume: the child section is shown (appears to be a minor), answer the rest.
    // Documents: own; every optional question skipped with Enter.
    let rest = format!("1\n{}", "\n".repeat(60));
    let out = run(d.path(), &["screening", "resume", &id], Some(&rest));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("== Child =="), "{text}");
    assert!(text.contains("Kept as a draft"), "{text}");
    // "[n/N]" counts only the questions this path asks: the last one is N of N.
    // (Prompts do not end their line without a terminal, so look anywhere.)
    let places: Vec<(u32, u32)> = text
        .split('[')
        .skip(1)
        .filter_map(|part| part.split_once(']')?.0.split_once('/'))
        .filter_map(|(n, t)| Some((n.parse().ok()?, t.parse().ok()?)))
        .collect();
    let (n, total) = *places.last().expect("questions were numbered");
    assert_eq!(n, total, "the last question is N of N: {places:?}");
    assert!(places.iter().all(|(n, t)| n <= t), "{places:?}");
    let out = run(d.path(), &["--json", "screening", "show", &id], None);
    assert_eq!(json(&out)["error"]["kind"], "justification_required", "a full record needs a reason");
    let s = json(&run(d.path(), &["--json", "screening", "show", &id, "--reason", "resumed interview"], None));
    assert_eq!(s["subject"]["refused"], true);
    assert_eq!(s["answers"]["documents"]["choice"], "own");
    assert!(s["skipped"].as_array().unwrap().iter().any(|q| q == "unaccompanied"));
}

/// The default template with sensitive questions for the private interview,
/// a traveller wording, and one Russian text reviewed.
fn private_template(d: &Path) -> std::path::PathBuf {
    let mut t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(default_template_path()).unwrap()).unwrap();
    t["version"] = 2.into();
    t["sections"][3]["questions"][0]["asked_in"] = "private".into(); // sexual
    t["sections"][1]["questions"][0]["traveller_text"] = serde_json::json!({
        "ky": "Сизге чет өлкөдө иш сунушташканбы?",
        "ru": "Вам предлагали работу за границей?",
        "en": "Did someone offer you work abroad?"
    });
    let title_ru = t["title"]["ru"].as_str().unwrap().to_string();
    let digest = homeward_core::screening::text_digest(&title_ru);
    t["reviews"] =
        serde_json::json!([{"text": "title", "lang": "ru", "by": "Reviewer", "on": "2026-11-30", "digest": digest}]);
    let path = d.join("private.json");
    std::fs::write(&path, t.to_string()).unwrap();
    path
}

#[test]
fn template_show_gives_the_traveller_wording_and_validate_the_review_state() {
    let d = tempfile::tempdir().unwrap();
    let file = private_template(d.path());
    let out = run(d.path(), &["template", "show", "--file", file.to_str().unwrap(), "--lang", "ru"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("» Вам предлагали работу за границей?"), "{text}");
    assert!(text.contains("[sexual]  (private interview)"), "{text}");

    let out = run(d.path(), &["--json", "template", "validate", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let j = json(&out);
    let review = j["review"].as_array().unwrap();
    let ru = review.iter().find(|r| r["lang"] == "ru").unwrap();
    let ky = review.iter().find(|r| r["lang"] == "ky").unwrap();
    assert_eq!(ru["reviewed"], 1);
    assert_eq!(ky["reviewed"], 0);
    assert_eq!(ru["total"], ky["total"]);
    let total = ky["total"].as_u64().unwrap();
    assert_eq!(ky["unreviewed"].as_array().unwrap().len() as u64, total);
    assert!(!ru["unreviewed"].as_array().unwrap().iter().any(|i| i == "title"));
    assert_eq!(j["unreviewed"].as_u64().unwrap(), 3 * total - 1);
    let out = run(d.path(), &["template", "validate", file.to_str().unwrap()], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("ru: 1 of {total} texts reviewed, {} not reviewed", total - 1)), "{text}");
    assert!(text.contains("    recruited.traveller_text"), "{text}");

    // The reviewer's list: ids and digests a review entry copies.
    let out = run(d.path(), &["--json", "template", "texts", file.to_str().unwrap(), "--lang", "ru"], None);
    let texts = json(&out);
    let title = texts.as_array().unwrap().iter().find(|t| t["text"] == "title").unwrap();
    assert_eq!(title["digest"].as_str().unwrap().len(), 16);
    assert!(texts.as_array().unwrap().iter().any(|t| t["text"] == "recruited.traveller_text"));
}

#[test]
fn a_screening_moves_to_the_private_interview_and_resumes_there() {
    let d = vault();
    let answers = d.path().join("answers.json");
    std::fs::write(
        &answers,
        serde_json::json!({
            "crossing_point": "OSH-AIRPORT", "date": "2026-11-29", "language": "en",
            "answers": { "appears_minor": "no", "date_of_birth": "1990-04-02", "documents": "own" }
        })
        .to_string(),
    )
    .unwrap();
    let out = run(d.path(), &["--json", "screening", "new", "--answers", answers.to_str().unwrap()], None);
    let s = json(&out);
    let id = s["id"].as_str().unwrap().to_string();
    assert!(s.get("private_interview").is_none());

    let out = run(d.path(), &["--json", "screening", "private", &id, "--officer", "officer-7"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = json(&out);
    assert_eq!(s["private_interview"]["officer"], "officer-7");

    // Resumed in the terminal: the private interview is where it continues.
    let out = run(d.path(), &["screening", "resume", &id], Some("yes\n"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Screening"), "{text}");
    let out = run(d.path(), &["screening", "show", &id, "--reason", "supervisor review"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("draft (private interview)"), "{text}");

    // An answers file taken in a private interview says so.
    std::fs::write(
        &answers,
        serde_json::json!({
            "crossing_point": "OSH-AIRPORT", "date": "2026-11-29", "private_interview": true,
            "answers": { "appears_minor": "no", "date_of_birth": "1990-04-02", "documents": "own" },
            "finalise": true
        })
        .to_string(),
    )
    .unwrap();
    let out = run(d.path(), &["--json", "screening", "new", "--answers", answers.to_str().unwrap()], None);
    let s = json(&out);
    assert!(s["private_interview"]["started_unix_ms"].is_i64(), "{s}");
    assert_eq!(s["state"], "final");
}

#[test]
fn crossing_points_are_listed_and_a_screening_elsewhere_is_refused_with_nothing_saved() {
    let d = vault();
    let out = run(d.path(), &["--json", "crossing-points", "--lang", "ru"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let l = json(&out);
    assert_eq!((l["sequence"].as_u64(), l["age_days"].is_null()), (Some(0), true), "the demo list, never published");
    let osh = l["points"].as_array().unwrap().iter().find(|p| p["id"] == "OSH-AIRPORT").expect("listed").clone();
    assert_eq!((osh["name"].as_str(), osh["region"].as_str()), (Some("Аэропорт Ош"), Some("Osh")));
    let text = String::from_utf8(run(d.path(), &["crossing-points"], None).stdout).unwrap();
    assert!(text.contains("not synced yet") && text.contains("Osh airport"), "{text}");

    let answers = d.path().join("answers.json");
    std::fs::write(&answers, serde_json::json!({ "crossing_point": "Osh airport", "answers": {} }).to_string())
        .unwrap();
    let out = run(d.path(), &["--json", "screening", "new", "--answers", answers.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(37), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&out)["error"]["kind"], "unknown_crossing_point");
    let listed = json(&run(d.path(), &["--json", "screening", "list"], None));
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "nothing saved: {listed}");
}
