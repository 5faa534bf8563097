//! The certificate loop from the CLI, as a consulate and a border post would
//! run it: real vaults, a request file, training headquarters decisions,
//! issuance to PDF and PNG, the PNG read back by the QR decoder, verification
//! and entry on another device, and the refusals.

use std::path::Path;

mod common;
use common::{json, ok, run};

use homeward_core::certificate::disclosure::revealing_word;

/// A PDF's bytes with every stream's body left out.
fn pdf_outside_streams(pdf: &[u8]) -> String {
    let text = String::from_utf8_lossy(pdf);
    let mut out = String::new();
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("stream") {
        out.push_str(&rest[..i]);
        match rest[i..].find("endstream") {
            Some(j) => rest = &rest[i + j + "endstream".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn vault(dir: &Path, role: &str, office: &str, training_hq: bool) {
    ok(run(dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    let mut args = vec!["device", "init", "--role", role, "--office", office];
    if training_hq {
        args.push("--training-hq");
    }
    ok(run(dir, &args));
}

const REQUEST: &str = r#"{
  "applicant": {"surname": "Асанова", "given_name": "Айгүл", "patronymic": "Бакытовна",
                "date_of_birth": "1994-03-12", "place_of_birth": "Ош", "sex": "f"},
  "evidence": [{"type": "old_passport", "number": "AN1234567"}],
  "loss": "held_by_trafficker",
  "trafficking": {"note": "referred by IOM"},
  "children": [{"surname": "Асанов", "given_name": "Эмир", "date_of_birth": "2019-06-01", "guardian": "the applicant"}],
  "route": "Istanbul - Bishkek (Manas)",
  "travel_date": "2099-12-05",
  "officer_assessment": "consistent account"
}"#;

#[test]
fn request_approve_issue_print_decode_verify_and_enter() {
    let t = tempfile::tempdir().unwrap();
    let consulate = t.path().join("consulate");
    let border = t.path().join("border");
    vault(&consulate, "consular_officer", "IST", true);
    vault(&border, "border_guard", "OSH", false);

    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST).unwrap();
    let out = ok(run(&consulate, &["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--submit"]));
    let case = json(&out)["case_id"].as_str().unwrap().to_string();
    assert_eq!(json(&out)["state"], "submitted");
    assert_eq!(json(&out)["fee"]["waived"], true, "the fee decision is shown on the request");

    // Not approved yet: issuing is refused.
    let out = run(&consulate, &["--json", "certificate", "issue", &case]);
    assert_eq!(json(&out)["error"]["kind"], "not_approved");
    // Approval before the identity check is an invalid transition.
    let out = run(&consulate, &["--json", "certificate", "hq", "approve", &case]);
    assert_eq!(json(&out)["error"]["kind"], "invalid_transition");

    ok(run(&consulate, &["certificate", "hq", "verify-identity", &case]));
    ok(run(&consulate, &["certificate", "hq", "approve", &case, "--days", "30"]));
    let pdf = t.path().join("certificate.pdf");
    let png = t.path().join("qr.png");
    let out = ok(run(
        &consulate,
        &["--json", "certificate", "issue", &case, "--pdf", pdf.to_str().unwrap(), "--png", png.to_str().unwrap()],
    ));
    let issued = json(&out);
    assert_eq!(issued["state"], "issued");
    assert!(issued["qr_version"].as_i64().unwrap() <= 15);
    assert_eq!(issued["certificate"]["fee_waived"], true);
    let barcode = issued["certificate"]["barcode"].as_str().unwrap().to_string();
    let pdf_bytes = std::fs::read(&pdf).unwrap();
    assert!(pdf_bytes.starts_with(b"%PDF"));
    assert!(pdf_bytes.len() > 10_000, "the PDF embeds a font and the QR");

    // The border post gets the trust bundle (enrolment will deliver it).
    let bundle = t.path().join("bundle.json");
    std::fs::write(&bundle, ok(run(&consulate, &["device", "bundle"])).stdout).unwrap();
    ok(run(&border, &["device", "import-bundle", bundle.to_str().unwrap()]));

    // Round trip: the rendered PNG is decoded back to the same barcode and verified.
    let out = ok(run(&border, &["--json", "certificate", "verify", "--image", png.to_str().unwrap()]));
    let v = json(&out);
    assert_eq!(v["payload"]["surname"], "Асанова");
    assert_eq!(v["signer_office"], "IST");
    let out = ok(run(&border, &["--json", "certificate", "verify", "--qr", &barcode]));
    assert_eq!(json(&out)["payload"]["number"], issued["certificate"]["number"]);

    // What the border post sees (text and JSON) says nothing of the screening or the fee.
    let shown = ok(run(&border, &["certificate", "verify", "--qr", &barcode])).stdout;
    let shown = String::from_utf8(shown).unwrap();
    assert!(shown.contains("Асанова"), "{shown}");
    assert_eq!(revealing_word(&shown), None, "verify: {shown}");
    assert_eq!(revealing_word(&v.to_string()), None, "verify --json: {v}");
    // Nor does the PDF's own structure (its dictionaries and metadata, outside
    // the streams; the page's texts are checked in cli/src/pdf.rs, the font's
    // licence text inside its stream is no concern).
    let structure = pdf_outside_streams(&pdf_bytes);
    assert!(structure.contains("Certificate of Return"), "the metadata is read");
    assert_eq!(revealing_word(&structure), None, "the PDF's dictionaries: {structure}");

    // Entry, then the certificate is used.
    let entered = json(&ok(run(&border, &["--json", "certificate", "enter", "--qr", &barcode, "--crossing", "MANAS"])));
    assert_eq!(entered["payload"]["number"], issued["certificate"]["number"]);
    assert_eq!(revealing_word(&entered.to_string()), None, "enter --json: {entered}");
    let out = run(&border, &["--json", "certificate", "verify", "--qr", &barcode]);
    assert_eq!(out.status.code(), Some(60));
    assert_eq!(json(&out)["error"]["verification"]["reason"], "already_used");

    // An altered barcode, a foreign image and garbage are refused with their reasons.
    let mut altered = barcode.clone();
    altered.truncate(barcode.len() - 7);
    let out = run(&border, &["--json", "certificate", "verify", "--qr", &altered]);
    assert_eq!(json(&out)["error"]["kind"], "not_valid");
    let out = run(&border, &["--json", "certificate", "verify", "--qr", "hello"]);
    assert_eq!(json(&out)["error"]["verification"]["reason"], "decode");
    assert_eq!(json(&out)["error"]["verification"]["decode_error"], "wrong_prefix");
    let not_png = t.path().join("x.png");
    std::fs::write(&not_png, b"not an image").unwrap();
    let out = run(&border, &["--json", "certificate", "verify", "--image", not_png.to_str().unwrap()]);
    assert_eq!(json(&out)["error"]["kind"], "invalid_input");

    // A border guard cannot take requests.
    let out = run(&border, &["--json", "certificate", "request", "--file", req.to_str().unwrap()]);
    assert_eq!(json(&out)["error"]["kind"], "wrong_role");
}

#[test]
fn revocation_reaches_the_verifier_through_the_revocation_list() {
    let t = tempfile::tempdir().unwrap();
    let consulate = t.path().join("consulate");
    vault(&consulate, "consular_officer", "DXB", true);
    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST.replace("\"trafficking\": {\"note\": \"referred by IOM\"},", "")).unwrap();
    let case =
        json(&ok(run(&consulate, &["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--submit"])))
            ["case_id"]
            .as_str()
            .unwrap()
            .to_string();
    ok(run(&consulate, &["certificate", "hq", "verify-identity", &case]));
    ok(run(&consulate, &["certificate", "hq", "approve", &case]));
    let issued = json(&ok(run(&consulate, &["--json", "certificate", "issue", &case])));
    assert_eq!(issued["certificate"]["fee_waived"], false);
    let barcode = issued["certificate"]["barcode"].as_str().unwrap().to_string();
    ok(run(&consulate, &["--json", "certificate", "verify", "--qr", &barcode]));
    ok(run(&consulate, &["certificate", "hq", "revoke", &case, "--reason", "issued in error"]));
    let out = run(&consulate, &["--json", "certificate", "verify", "--qr", &barcode]);
    assert_eq!(json(&out)["error"]["verification"]["reason"], "revoked");
    let show = json(&ok(run(&consulate, &["--json", "certificate", "show", &case, "--reason", "revocation check"])));
    assert_eq!(show["state"], "revoked");
}

#[test]
fn an_incomplete_request_stays_a_draft_with_field_errors() {
    let t = tempfile::tempdir().unwrap();
    let consulate = t.path().join("consulate");
    vault(&consulate, "consular_officer", "MOW", true);
    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST.replace(r#"[{"type": "old_passport", "number": "AN1234567"}]"#, "[]")).unwrap();
    let out = run(&consulate, &["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--submit"]);
    let e = json(&out);
    assert_eq!(e["error"]["kind"], "incomplete_request");
    assert_eq!(e["error"]["fields"][0]["field"], "evidence");
    std::fs::write(&req, "{\"applicant\": 1}").unwrap();
    let out = run(&consulate, &["--json", "certificate", "request", "--file", req.to_str().unwrap()]);
    assert_eq!(json(&out)["error"]["kind"], "invalid_input");
}
