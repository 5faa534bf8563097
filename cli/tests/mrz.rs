//! `homeward mrz read`, and the zone pre-filling a screening's subject and a
//! certificate request, from real processes on a real vault.

use std::path::Path;

mod common;
use common::{json, ok, run};

const SPECIMEN: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
// A Kyrgyz passport as ICAO transliterates it (fictional person and number).
const KYRGYZ: &str = "P<KGZIUSUPOVA<<ZHYLDYZ<<<<<<<<<<<<<<<<<<<<<<\nAC12345674KGZ9503179F3001019<<<<<<<<<<<<<<<6\n";

fn zone_file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn the_specimen_reads_and_damage_is_corrected_or_refused() {
    let t = tempfile::tempdir().unwrap();
    let f = zone_file(t.path(), "zone.txt", SPECIMEN);
    let out = json(&ok(run(t.path(), &["--json", "mrz", "read", &f, "--today", "2010-06-01"])));
    let doc = &out["document"];
    assert_eq!(doc["format"], "td3");
    assert_eq!(doc["document_number"], "L898902C3");
    assert_eq!(doc["surname"], "ERIKSSON");
    assert_eq!(doc["given_names"], "ANNA MARIA");
    assert_eq!(doc["date_of_birth"]["date"], "1974-08-12");
    assert_eq!(doc["date_of_expiry"]["date"], "2012-04-15");
    assert_eq!(doc["expired"], false);
    assert_eq!(out["subject"]["document_number"], "L898902C3");
    assert_eq!(out["request_prefill"]["evidence"], serde_json::json!({"type": "old_passport", "number": "L898902C3"}));

    // O read for 0 in the number: corrected, and said so.
    let f = zone_file(t.path(), "damaged.txt", &SPECIMEN.replacen("L898902C3", "L8989O2C3", 1));
    let out = ok(run(t.path(), &["mrz", "read", &f, "--today", "2010-06-01"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("L898902C3"), "{text}");
    assert!(text.contains("corrected: line 2 column 6 (document_number)"), "{text}");

    // A wrong digit in the birth date: refused, naming the field, nothing else.
    let f = zone_file(t.path(), "bad.txt", &SPECIMEN.replacen("7408122", "7408132", 1));
    let out = run(t.path(), &["--json", "mrz", "read", &f]);
    assert_eq!(out.status.code(), Some(85));
    let err = &json(&out)["error"];
    assert_eq!((err["kind"].as_str(), err["field"].as_str()), (Some("mrz_refused"), Some("date_of_birth")));
    assert!(!err["message"].as_str().unwrap().contains("ERIKSSON"));
}

#[test]
fn a_zone_prefills_the_subject_and_the_request_and_meets_cyrillic_records() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("vault");
    ok(run(&d, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    // An earlier screening typed in Cyrillic, without the number.
    let answers = t.path().join("answers.json");
    std::fs::write(
        &answers,
        serde_json::json!({ "crossing_point": "OSH-AIRPORT", "date": "2026-11-29", "language": "ky",
            "subject": { "name": "Юсупова Жылдыз" }, "answers": {} })
        .to_string(),
    )
    .unwrap();
    let first = json(&ok(run(&d, &["--json", "screening", "new", "--answers", answers.to_str().unwrap()])));
    let first_id = first["id"].as_str().unwrap().to_string();

    let zone = zone_file(t.path(), "kg.txt", KYRGYZ);
    let found = json(&ok(run(&d, &["--json", "mrz", "read", &zone, "--lookup"])));
    let screenings = found["screenings"].as_array().unwrap();
    assert_eq!(screenings.len(), 1, "{found}");
    assert_eq!(screenings[0]["id"], first_id.as_str());
    assert_eq!(
        (screenings[0]["by_name"].as_bool(), screenings[0]["by_document_number"].as_bool()),
        (Some(true), Some(false))
    );

    // A new screening takes its subject from the zone; the number lookup finds it.
    std::fs::write(
        &answers,
        serde_json::json!({ "crossing_point": "OSH-AIRPORT", "date": "2026-11-30", "language": "ru", "answers": {} })
            .to_string(),
    )
    .unwrap();
    let second =
        json(&ok(run(&d, &["--json", "screening", "new", "--answers", answers.to_str().unwrap(), "--mrz", &zone])));
    let by_number = json(&ok(run(&d, &["--json", "screening", "search", "--document", "AC1234567"])));
    let ids: Vec<&str> = by_number.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![second["id"].as_str().unwrap()]);

    // A refused zone starts no screening.
    let bad = zone_file(t.path(), "bad.txt", &KYRGYZ.replacen("9503179", "9503189", 1));
    let out = run(&d, &["--json", "screening", "new", "--answers", answers.to_str().unwrap(), "--mrz", &bad]);
    assert_eq!(json(&out)["error"]["kind"], "mrz_refused");
    let list = json(&ok(run(&d, &["--json", "screening", "list"])));
    assert_eq!(list.as_array().unwrap().len(), 2);

    // A request file without the applicant's names, birth date, sex or evidence.
    let consulate = t.path().join("consulate");
    ok(run(&consulate, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    ok(run(&consulate, &["device", "init", "--role", "consular_officer", "--office", "IST", "--training-hq"]));
    let req = t.path().join("request.json");
    std::fs::write(
        &req,
        r#"{"applicant": {"place_of_birth": "Ош", "patronymic": "Бакытовна"}, "loss": "held_by_trafficker",
            "route": "Istanbul - Bishkek (Manas)", "travel_date": "2099-12-05", "officer_assessment": "consistent account"}"#,
    )
    .unwrap();
    let out = json(&ok(run(
        &consulate,
        &["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--mrz", &zone],
    )));
    let case = out["case_id"].as_str().unwrap().to_string();
    let show =
        json(&ok(run(&consulate, &["--json", "certificate", "show", &case, "--reason", "checking the pre-fill"])));
    let request = show.to_string();
    for expected in ["IUSUPOVA", "ZHYLDYZ", "1995-03-17", "AC1234567", "old_passport", "Бакытовна"] {
        assert!(request.contains(expected), "{expected} missing from {request}");
    }
}
