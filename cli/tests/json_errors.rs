//! `--json` never panics (issue 16): every refusal of `certificate verify`
//! and `certificate enter` (each decoding error, each verification check)
//! and the error paths of the other commands answer one JSON object with a
//! stable `kind`, an exit code of their own, and no "unserialisable" field.
//! A barcode with valid compression around a non-CBOR body, or an unknown
//! payload version, used to crash with exit 101.

use std::path::Path;
use std::process::{Command, Output};

use ciborium::Value;

mod common;
use common::{PASS, REQUEST};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--json")
        .args(args)
        .env("HOMEWARD_PASSPHRASE", PASS)
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap()
}

fn say(out: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", say(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", say(&out)))
}

/// A refusal: not a panic, one JSON object, its kind, no unserialisable part.
fn refused(out: &Output, kind: &str) -> serde_json::Value {
    assert_ne!(out.status.code(), Some(101), "panicked: {}", say(out));
    assert!(!out.status.success(), "{}", say(out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", say(out));
    let j: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", say(out)));
    assert_eq!(j["error"]["kind"], kind, "{}", say(out));
    assert!(j["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", say(out));
    assert!(!j.to_string().contains("unserialisable"), "{}", say(out));
    j
}

fn vault(dir: &Path, role: &str, office: &str, training_hq: bool) {
    ok(run(dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    let mut args = vec!["device", "init", "--role", role, "--office", office];
    if training_hq {
        args.push("--training-hq");
    }
    ok(run(dir, &args));
}

/// A consulate issues one certificate; returns its barcode and case id.
fn issue(consulate: &Path, work: &Path) -> (String, String) {
    vault(consulate, "consular_officer", "IST", true);
    let req = work.join("request.json");
    std::fs::write(&req, REQUEST).unwrap();
    let case = ok(run(consulate, &["certificate", "request", "--file", req.to_str().unwrap(), "--submit"]))["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(run(consulate, &["certificate", "hq", "verify-identity", &case]));
    ok(run(consulate, &["certificate", "hq", "approve", &case, "--days", "30"]));
    let issued = ok(run(consulate, &["certificate", "issue", &case]));
    (issued["certificate"]["barcode"].as_str().unwrap().to_string(), case)
}

fn import_bundle(from: &Path, to: &Path, work: &Path) {
    let bundle = work.join("bundle.json");
    let out = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(from)
        .args(["device", "bundle"])
        .env("HOMEWARD_PASSPHRASE", PASS)
        .output()
        .unwrap();
    std::fs::write(&bundle, out.stdout).unwrap();
    ok(run(to, &["device", "import-bundle", bundle.to_str().unwrap()]));
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// Barcode text around any bytes: valid base45 and valid zlib.
fn wrap(body: &[u8]) -> String {
    format!("HW1:{}", base45::encode(miniz_oxide::deflate::compress_to_vec_zlib(body, 9)))
}

fn envelope(payload: &[u8], kid: &[u8], sig: &[u8]) -> String {
    wrap(&cbor(&Value::Array(vec![
        Value::Bytes(payload.to_vec()),
        Value::Bytes(kid.to_vec()),
        Value::Bytes(sig.to_vec()),
    ])))
}

/// The parts of a genuine barcode: payload bytes, key id, signature.
fn parts(barcode: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let z = base45::decode(barcode.strip_prefix("HW1:").unwrap()).unwrap();
    let env: Value =
        ciborium::from_reader(miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap().as_slice()).unwrap();
    let Value::Array(p) = env else { panic!("envelope") };
    let b = |v: &Value| match v {
        Value::Bytes(b) => b.clone(),
        _ => panic!("bytes"),
    };
    (b(&p[0]), b(&p[1]), b(&p[2]))
}

/// Barcode text, the `decode_error` expected, and one field it must carry.
type DecodingCase = (String, &'static str, Option<(&'static str, serde_json::Value)>);

#[test]
fn every_refusal_of_verify_and_enter_is_json() {
    let t = tempfile::tempdir().unwrap();
    let consulate = t.path().join("consulate");
    let border = t.path().join("border");
    let (barcode, case) = issue(&consulate, t.path());
    vault(&border, "border_guard", "OSH", false);

    // No trust list yet at the border.
    let j = refused(&run(&border, &["certificate", "verify", "--qr", &barcode]), "not_valid");
    assert_eq!(j["error"]["verification"]["reason"], "no_trust_list");
    import_bundle(&consulate, &border, t.path());

    // Every decoding error, in verify and in enter.
    let (payload, kid, sig) = parts(&barcode);
    let version_2 = cbor(&Value::Array(vec![Value::Integer(2.into())]));
    let few_fields = cbor(&Value::Array(vec![Value::Integer(1.into()), Value::Text("x".into())]));
    let decoding: Vec<DecodingCase> = vec![
        (String::new(), "empty", None),
        (format!("HW1:{}", "A".repeat(5000)), "oversized", Some(("len", 5004.into()))),
        ("hello".into(), "wrong_prefix", None),
        ("HW1:!!".into(), "base45", None),
        (format!("HW1:{}", base45::encode(b"plain bytes")), "compression", None),
        (wrap(b"\xff\xfe not CBOR at all"), "malformed", Some(("what", "envelope".into()))),
        (wrap(&cbor(&Value::Text("x".into()))), "malformed", Some(("what", "envelope".into()))),
        (envelope(&payload, &kid[..4], &sig), "malformed", Some(("what", "key id".into()))),
        (envelope(b"\xff\xfe", &kid, &sig), "malformed", Some(("what", "payload".into()))),
        (envelope(&few_fields, &kid, &sig), "malformed", Some(("what", "payload fields".into()))),
        (envelope(&version_2, &kid, &sig), "version", Some(("version", 2.into()))),
    ];
    for (text, decode_error, field) in &decoding {
        for args in [
            vec!["certificate", "verify", "--qr", text],
            vec!["certificate", "enter", "--qr", text, "--crossing", "MANAS"],
        ] {
            let j = refused(&run(&border, &args), "not_valid");
            let v = &j["error"]["verification"];
            assert_eq!(v["reason"], "decode", "{args:?}: {j}");
            assert_eq!(v["decode_error"], *decode_error, "{args:?}: {j}");
            if let Some((name, value)) = field {
                assert_eq!(v[*name], *value, "{args:?}: {j}");
            }
        }
    }

    // Each verification check that a border post can meet.
    let mut bad_sig = sig.clone();
    bad_sig[0] ^= 1;
    let forged = envelope(&payload, &kid, &bad_sig);
    let other = t.path().join("other-consulate");
    let (foreign, _) = issue(&other, &t.path().join("other-consulate-work").tap_mkdir());
    let checks: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--qr", &foreign], "unknown_signer"),
        (vec!["--qr", &forged], "bad_signature"),
        (vec!["--qr", &barcode, "--date", "2099-01-01"], "expired"),
        (vec!["--qr", &barcode, "--date", "2020-01-01"], "not_yet_valid"),
    ];
    for (extra, reason) in &checks {
        let mut args = vec!["certificate", "verify"];
        args.extend(extra.iter().copied());
        let j = refused(&run(&border, &args), "not_valid");
        assert_eq!(j["error"]["verification"]["reason"], *reason, "{args:?}: {j}");
        let mut args = vec!["certificate", "enter", "--crossing", "MANAS"];
        args.extend(extra.iter().copied());
        let j = refused(&run(&border, &args), "not_valid");
        assert_eq!(j["error"]["verification"]["reason"], *reason, "{args:?}: {j}");
    }

    // Used once, then refused; revoked at the consulate.
    ok(run(&border, &["certificate", "enter", "--qr", &barcode, "--crossing", "MANAS"]));
    for args in [
        vec!["certificate", "verify", "--qr", &barcode],
        vec!["certificate", "enter", "--qr", &barcode, "--crossing", "MANAS"],
    ] {
        let j = refused(&run(&border, &args), "not_valid");
        assert_eq!(j["error"]["verification"]["reason"], "already_used", "{j}");
        assert_eq!(j["error"]["verification"]["crossing_point"], "MANAS", "{j}");
    }
    ok(run(&consulate, &["certificate", "hq", "revoke", &case, "--reason", "issued in error"]));
    let j = refused(&run(&consulate, &["certificate", "verify", "--qr", &barcode]), "not_valid");
    assert_eq!(j["error"]["verification"]["reason"], "revoked");
    // Input errors of the same commands.
    // A usage error under --json is JSON too.
    refused(&run(&border, &["certificate", "verify"]), "usage");
    refused(&run(&border, &["certificate", "enter", "--qr", &barcode]), "usage");
    let not_png = t.path().join("x.png");
    std::fs::write(&not_png, b"not an image").unwrap();
    refused(&run(&border, &["certificate", "verify", "--image", not_png.to_str().unwrap()]), "invalid_input");
    refused(&run(&border, &["certificate", "enter", "no-such-case", "--crossing", "MANAS"]), "not_found");
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

#[test]
fn the_other_commands_answer_their_errors_in_json() {
    let t = tempfile::tempdir().unwrap();
    let none = t.path().join("no-vault");
    refused(&run(&none, &["unlock"]), "not_initialised");
    refused(&run(&none, &["screening", "list"]), "not_initialised");
    // `enroll` and `sync` against a headquarters that is down: tests/unreachable.rs.

    let dir = t.path().join("guard");
    vault(&dir, "border_guard", "OSH", false);
    refused(&run(&dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]), "already_initialised");
    let garbage = t.path().join("garbage.json");
    std::fs::write(&garbage, b"\xff\xfe{not json").unwrap();
    let missing = t.path().join("missing.json");
    let wrong_shape = t.path().join("wrong-shape.json");
    std::fs::write(&wrong_shape, br#"{"answers": {"recruited": {"deep": [1, 2, 3]}}, "unknown": 1}"#).unwrap();
    let g = garbage.to_str().unwrap();
    let m = missing.to_str().unwrap();
    let w = wrong_shape.to_str().unwrap();
    for (args, kind) in [
        (vec!["template", "validate", g], "invalid_input"),
        (vec!["template", "validate", m], "invalid_input"),
        (vec!["template", "validate", w], "invalid_input"),
        (vec!["screening", "new", "--answers", g, "--crossing", "OSH-AIRPORT"], "invalid_input"),
        (vec!["screening", "new", "--answers", m, "--crossing", "OSH-AIRPORT"], "invalid_input"),
        (vec!["screening", "new", "--answers", w, "--crossing", "OSH-AIRPORT"], "invalid_input"),
        (vec!["screening", "show", "0190a3c4-0000-7000-8000-000000000001", "--reason", "check"], "not_found"),
        (
            vec!["screening", "amend", "0190a3c4-0000-7000-8000-000000000001", "--answers", g, "--reason", "x"],
            "invalid_input",
        ),
        (vec!["screening", "finalise", "0190a3c4-0000-7000-8000-000000000001"], "not_found"),
        (vec!["certificate", "request", "--file", g], "invalid_input"),
        (vec!["certificate", "request", "--file", m], "invalid_input"),
        (vec!["certificate", "show", "no-such-case", "--reason", "check"], "not_found"),
        (vec!["certificate", "issue", "no-such-case"], "not_found"),
        (vec!["certificate", "hq", "approve", "no-such-case"], "invalid_input"),
        (vec!["device", "import-bundle", g], "invalid_input"),
        (vec!["sync"], "not_enrolled"),
        (vec!["unlock-code", "000000"], "bad_unlock_code"),
        (vec!["referral", "open", "--key", m, "--sender-key", "00", g], "invalid_input"),
        (vec!["referral", "open", "--key", m, g], "usage"),
        (vec!["no-such-command"], "usage"),
    ] {
        refused(&run(&dir, &args), kind);
    }
    // A wrong passphrase: the attempts and the delay as numbers.
    let out = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["--json", "unlock"])
        .env("HOMEWARD_PASSPHRASE", "not the passphrase at all")
        .output()
        .unwrap();
    let j = refused(&out, "wrong_passphrase");
    assert!(j["error"]["attempts_remaining"].is_number(), "{j}");
}
