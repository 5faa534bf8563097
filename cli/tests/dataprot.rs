//! Data protection from the CLI: sensitive views need a reason and are
//! audited, the audit chain verifies, referrals need consent and produce a
//! sealed, labelled package, exports are labelled and audited, the duress
//! passphrase leaves an empty vault.

use std::path::Path;
use std::process::{Command, Output};

const PASS: &str = "a long enough field passphrase";
const DURESS: &str = "another long duress phrase";

fn run_with(dir: &Path, args: &[&str], pass: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HOMEWARD_PASSPHRASE", pass)
        .env("HOMEWARD_DURESS_PASSPHRASE", DURESS)
        .env("HOMEWARD_OFFICER", "officer-0042")
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_with(dir, args, PASS)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

fn vault(dir: &Path) {
    ok(run(dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2", "--unlock-delay-ms", "0"]));
    ok(run(dir, &["device", "init", "--role", "border_guard", "--office", "OSH", "--training-hq"]));
}

/// A finalised screening of "Auditova Zarina"; returns its id.
fn screening(dir: &Path) -> String {
    let answers = dir.join("answers.json");
    std::fs::write(
        &answers,
        serde_json::json!({
            "crossing_point": "OSH-AIRPORT", "date": "2026-11-29", "language": "en",
            "subject": { "name": "Auditova Zarina", "document_number": "AUD5556667" },
            "answers": { "appears_minor": "no", "documents": "held_by_other", "recruited": "yes", "deceived": "yes" },
            "finalise": true
        })
        .to_string(),
    )
    .unwrap();
    let out = ok(run(dir, &["--json", "screening", "new", "--answers", answers.to_str().unwrap()]));
    std::fs::remove_file(&answers).unwrap();
    json(&out)["id"].as_str().unwrap().to_string()
}

fn audit_entries(dir: &Path) -> Vec<serde_json::Value> {
    json(&ok(run(dir, &["--json", "audit", "list"])))["entries"].as_array().unwrap().clone()
}

#[test]
fn a_full_view_needs_a_reason_and_every_access_is_audited() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("v");
    vault(&d);
    let id = screening(&d);
    let out = run(&d, &["--json", "screening", "show", &id]);
    assert_eq!(json(&out)["error"]["kind"], "justification_required");
    assert_eq!(out.status.code(), Some(80));
    ok(run(&d, &["--json", "screening", "show", &id, "--reason", "supervisor review"]));
    let found = json(&ok(run(&d, &["--json", "screening", "search", "--name", "Zarina Auditova"])));
    assert_eq!(found[0]["id"], id.as_str());
    assert!(found[0].get("subject").is_none(), "a search shows summaries, not the record");

    let entries = audit_entries(&d);
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "view", "search"]);
    assert_eq!(entries[1]["justification"], "supervisor review");
    assert!(entries.iter().all(|e| e["subject"]["id"] == id.as_str() && e["device_id"] != "unenrolled"));
    assert!(entries.iter().all(|e| e["actor"] == "officer-0042" && e["role"] == "border_guard"));
    let listed = serde_json::to_string(&entries).unwrap();
    assert!(!listed.contains("Auditova") && !listed.contains("AUD5556667"), "the trail holds no personal data");
    let v = json(&ok(run(&d, &["--json", "audit", "verify"])));
    assert_eq!(v["entries"], 3);
}

#[test]
fn referral_needs_consent_and_the_package_is_sealed_and_labelled() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("v");
    vault(&d);
    let id = screening(&d);
    let key_file = t.path().join("partner.key");
    let pk = json(&ok(run(&d, &["--json", "referral", "keygen", "--out", key_file.to_str().unwrap()])))["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    let pkg = t.path().join("package.json");
    let refer_to = |d: &Path, partner: &str| {
        run(
            d,
            &[
                "--json",
                "referral",
                "create",
                &id,
                "--partner",
                partner,
                "--purpose",
                "shelter",
                "--out",
                pkg.to_str().unwrap(),
            ],
        )
    };
    let refer = |d: &Path| refer_to(d, "iom");
    // The partner and its key come from the referral directory, not the
    // command line: none held yet, then one (signed by the training key).
    assert_eq!(json(&refer(&d))["error"]["kind"], "no_directory");
    let partners = t.path().join("partners.json");
    std::fs::write(
        &partners,
        serde_json::json!({ "partners": [{
            "id": "iom", "name": "IOM", "services": ["shelter", "return_and_reintegration"], "serves": "everyone",
            "regions": ["national"], "languages": ["ky", "ru", "en"], "hours": "24/7",
            "contact": { "phone": "+996 312 000000" }, "package_key": pk
        }]})
        .to_string(),
    )
    .unwrap();
    let installed = json(&ok(run(&d, &["--json", "directory", "install", "--training", partners.to_str().unwrap()])));
    assert_eq!((installed["sequence"].as_u64(), installed["partners"].as_u64()), (Some(1), Some(1)));
    let listed = json(&ok(run(&d, &["--json", "directory", "list"])));
    assert_eq!((listed["sequence"].as_u64(), &listed["partners"][0]["id"]), (Some(1), &"iom".into()), "{listed}");
    // This outcome (a further interview) recommends no referral yet: the
    // directory points to nobody, though a referral with consent may go.
    let pointed = json(&ok(run(&d, &["--json", "directory", "list", "--screening", &id])));
    assert_eq!(pointed["partners"].as_array().map(Vec::len), Some(0), "{pointed}");
    assert_eq!(json(&refer_to(&d, "shelter-nowhere"))["error"]["kind"], "partner_refused");
    assert!(!pkg.exists());
    let out = refer(&d);
    assert_eq!(json(&out)["error"]["kind"], "referral_refused");
    assert!(!pkg.exists());
    ok(run(&d, &["referral", "consent", &id, "--partner", "iom", "--purpose", "shelter", "--on", "2026-11-01"]));
    let r = json(&ok(refer(&d)));
    assert_eq!(r["classification"], "CONFIDENTIAL");
    let bytes = std::fs::read_to_string(&pkg).unwrap();
    assert!(bytes.contains("\"classification\": \"CONFIDENTIAL\""));
    assert!(!bytes.contains("Auditova") && !bytes.contains("AUD5556667") && !bytes.contains("OSH-AIRPORT"));

    let sender = json(&ok(run(&d, &["--json", "device", "show"])));
    let sender_key = sender.pointer("/identity/public_key").and_then(|v| v.as_str()).map(str::to_string);
    let sender_key = sender_key.unwrap_or_else(|| panic!("no public key in {sender}"));
    let opened = json(&ok(run(
        &d,
        &[
            "--json",
            "referral",
            "open",
            pkg.to_str().unwrap(),
            "--key",
            key_file.to_str().unwrap(),
            "--sender-key",
            &sender_key,
        ],
    )));
    assert_eq!(opened["subject"]["name"], "Auditova Zarina");
    let other = t.path().join("other.key");
    ok(run(&d, &["referral", "keygen", "--out", other.to_str().unwrap()]));
    let out = run(
        &d,
        &[
            "--json",
            "referral",
            "open",
            pkg.to_str().unwrap(),
            "--key",
            other.to_str().unwrap(),
            "--sender-key",
            &sender_key,
        ],
    );
    assert_eq!(json(&out)["error"]["kind"], "package");
    let actions: Vec<String> = audit_entries(&d).iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
    assert_eq!(actions, ["create", "consent", "referral", "export"]);
}

#[test]
fn exports_are_labelled_and_audited() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("v");
    vault(&d);
    screening(&d);
    let out = ok(run(&d, &["export", "stats", "--csv"]));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("# FOR OFFICIAL USE ONLY\nmetric,count\n"), "{csv}");
    assert!(!csv.contains("Auditova"));
    let last = audit_entries(&d).pop().unwrap();
    assert_eq!((last["action"].as_str(), last["subject"]["kind"].as_str()), (Some("export"), Some("statistics")));

    // The certificate PDF: marked in the page and the metadata, and audited.
    let req = t.path().join("request.json");
    std::fs::write(
        &req,
        r#"{"applicant": {"surname": "Pdfova", "given_name": "Aigul", "date_of_birth": "1994-03-12",
            "place_of_birth": "Osh", "sex": "f"},
            "evidence": [{"type": "old_passport", "number": "AN1234567"}], "loss": "lost",
            "route": "Istanbul - Bishkek", "travel_date": "2099-12-05", "officer_assessment": "consistent"}"#,
    )
    .unwrap();
    // A consulate device for the certificate.
    let c = t.path().join("consulate");
    ok(run(&c, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    ok(run(&c, &["device", "init", "--role", "consular_officer", "--office", "IST", "--training-hq"]));
    let case = json(&ok(run(&c, &["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--submit"])))
        ["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(run(&c, &["certificate", "hq", "verify-identity", &case]));
    ok(run(&c, &["certificate", "hq", "approve", &case]));
    let pdf = t.path().join("c.pdf");
    ok(run(&c, &["--json", "certificate", "issue", &case, "--pdf", pdf.to_str().unwrap()]));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(
        bytes.windows(b"FOR OFFICIAL USE ONLY".len()).any(|w| w == b"FOR OFFICIAL USE ONLY"),
        "the PDF's metadata carries the marking"
    );
    let entries = audit_entries(&c);
    assert!(entries.iter().any(|e| e["action"] == "export" && e["subject"]["id"] == case.as_str()));
    let out = run(&c, &["--json", "certificate", "show", &case]);
    assert_eq!(json(&out)["error"]["kind"], "justification_required");
}

#[test]
fn the_duress_passphrase_from_the_cli_leaves_an_empty_vault() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("v");
    vault(&d);
    screening(&d);
    ok(run(&d, &["duress", "set"]));
    assert_eq!(json(&ok(run(&d, &["--json", "screening", "list"]))).as_array().unwrap().len(), 1);
    // Coerced: the officer types the duress passphrase.
    let out = ok(run_with(&d, &["--json", "screening", "list"], DURESS));
    assert_eq!(json(&out).as_array().unwrap().len(), 0);
    let s = json(&ok(run_with(&d, &["--json", "status"], DURESS)));
    assert_eq!(s["records"], 0);
    let out = run(&d, &["--json", "unlock"]);
    assert_eq!(json(&out)["error"]["kind"], "wrong_passphrase");
}
