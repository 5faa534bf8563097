//! The `homeward` binary as a script would drive it: real processes, real
//! vault directories, JSON output and exit codes.

use std::path::Path;
use std::process::{Command, Output};

const PASS: &str = "a long enough field passphrase";

fn homeward(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeward"));
    cmd.arg("--data-dir").arg(dir).arg("--json").args(args);
    cmd.env_remove("HOMEWARD_PASSPHRASE").env_remove("HOMEWARD_NEW_PASSPHRASE");
    cmd.env_remove("HOMEWARD_DIR").env_remove("HOMEWARD_KEYSTORE_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// OWASP-minimum argon2id keeps the tests quick; the defaults are benchmarked.
const FAST: [&str; 5] = ["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"];

#[test]
fn init_status_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");

    let out = homeward(&vault, &["status"], &[]);
    assert!(out.status.success());
    assert_eq!(json(&out)["initialised"], false);

    let out = homeward(&vault, &FAST, &[("HOMEWARD_PASSPHRASE", "1234")]);
    assert_eq!(out.status.code(), Some(15));
    assert_eq!(json(&out)["error"]["kind"], "weak_passphrase");

    let out = homeward(&vault, &["init", "--kdf-memory-mib", "8"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert_eq!(json(&out)["error"]["kind"], "weak_kdf");

    let out = homeward(&vault, &FAST, &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["created"], true);

    let out = homeward(&vault, &["status"], &[]);
    let s = json(&out);
    assert_eq!(s["initialised"], true);
    assert_eq!(s["records"], 0);
    assert_eq!(s["kdf"]["m_cost_kib"], 19 * 1024);
    assert_eq!(s["attempts_remaining"], 10);
    assert_eq!(s["device_bound"], false);

    let out = homeward(&vault, &FAST, &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert_eq!(out.status.code(), Some(11));
    assert_eq!(json(&out)["error"]["kind"], "already_initialised");

    // No prompt possible without a terminal: a clear error, not a hang.
    let out = homeward(&vault, &["unlock"], &[]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["kind"], "invalid_input");
}

#[test]
fn wrong_passphrase_reports_attempts_left_and_delay() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    assert!(homeward(&vault, &FAST, &[("HOMEWARD_PASSPHRASE", PASS)]).status.success());

    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", "not the passphrase")]);
    assert_eq!(out.status.code(), Some(12));
    let e = json(&out);
    assert_eq!(e["error"]["kind"], "wrong_passphrase");
    assert_eq!(e["error"]["attempts_remaining"], 9);
    assert!(!e["error"]["message"].as_str().unwrap().contains("not the passphrase"));

    // Straight away again: refused without being counted.
    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert_eq!(out.status.code(), Some(13));
    assert_eq!(json(&out)["error"]["kind"], "too_soon");
    assert_eq!(json(&homeward(&vault, &["status"], &[]))["failed_attempts"], 1);

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&homeward(&vault, &["status"], &[]))["failed_attempts"], 0);
}

/// What a kill or a power cut between counting an unlock and checking it
/// leaves on disk (core/tests/crash.rs makes it for real), its time `at_ms`.
fn leave_an_interrupted_attempt(vault: &Path, at_ms: i64) {
    let db = rusqlite::Connection::open(vault.join("vault.db")).unwrap();
    db.execute(
        "UPDATE unlock_attempts SET failures = failures + 1, last_failure_unix_ms = ?1, in_progress = 1 WHERE id = 1",
        [at_ms],
    )
    .unwrap();
}

#[test]
fn an_interrupted_unlock_is_told_plainly_at_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    assert!(homeward(&vault, &FAST, &[("HOMEWARD_PASSPHRASE", PASS)]).status.success());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;

    // Within its wait (stamped an hour ahead, so the wait cannot run out
    // while the test runs: a clock behind the stamp restarts the wait).
    leave_an_interrupted_attempt(&vault, now + 3_600_000);
    let status = json(&homeward(&vault, &["status"], &[]));
    assert_eq!(status["last_attempt_interrupted"], true, "{status}");
    assert_eq!(status["failed_attempts"], 1, "{status}");
    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert_eq!(out.status.code(), Some(25));
    let e = json(&out);
    assert_eq!(e["error"]["kind"], "unlock_interrupted", "{e}");
    assert_eq!(e["error"]["attempts_remaining"], 9, "{e}");
    assert!(e["error"]["retry_after_secs"].as_f64().unwrap() >= 1.0, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("interrupted"), "{e}");

    // Its wait over (the failure stamped ten minutes ago): the unlock works
    // and says what happened, once.
    let db = rusqlite::Connection::open(vault.join("vault.db")).unwrap();
    db.execute("UPDATE unlock_attempts SET last_failure_unix_ms = ?1 WHERE id = 1", [now - 600_000]).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeward"));
    let out = cmd
        .arg("--data-dir")
        .arg(&vault)
        .arg("unlock")
        .env("HOMEWARD_PASSPHRASE", PASS)
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the last unlock attempt was interrupted"), "{text}");
    let again = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert_eq!(json(&again)["status"]["last_attempt_interrupted"], false);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("interrupted"));
}

#[test]
fn passwd_changes_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    assert!(homeward(&vault, &FAST, &[("HOMEWARD_PASSPHRASE", PASS)]).status.success());
    let new = "the new field passphrase";
    let out = homeward(&vault, &["passwd"], &[("HOMEWARD_PASSPHRASE", PASS), ("HOMEWARD_NEW_PASSPHRASE", new)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", new)]).status.success());
    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert_eq!(json(&out)["error"]["kind"], "wrong_passphrase");
}

#[test]
fn a_pin_needs_the_device_key_store() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    let ks = dir.path().join("keystore");
    let ks = ks.to_str().unwrap();

    let out = homeward(&vault, &["init", "--device-key"], &[("HOMEWARD_PASSPHRASE", "2468")]);
    assert_eq!(json(&out)["error"]["kind"], "key_store");

    let mut args = FAST.to_vec();
    args.push("--device-key");
    let out = homeward(&vault, &args, &[("HOMEWARD_PASSPHRASE", "2468"), ("HOMEWARD_KEYSTORE_DIR", ks)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&homeward(&vault, &["status"], &[]))["device_bound"], true);

    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", "2468")]);
    assert_eq!(json(&out)["error"]["kind"], "key_store");
    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", "2468"), ("HOMEWARD_KEYSTORE_DIR", ks)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_demo_runs_and_leaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out =
        Command::new(env!("CARGO_BIN_EXE_homeward")).args(["--json", "demo", "--dir"]).arg(&demo).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let j = json(&out);
    assert_eq!(j["plaintext_found"], false);
    for l in j["lookups"].as_array().unwrap() {
        assert_eq!(l["found"].as_array().unwrap().len(), 1, "{l}");
    }
    // A directory that is not a vault is never deleted.
    let precious = dir.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("keep.txt"), b"x").unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_homeward")).args(["--json", "demo", "--dir"]).arg(&precious).output().unwrap();
    assert!(!out.status.success());
    assert!(precious.join("keep.txt").exists());
}

#[test]
fn a_vault_made_with_three_attempts_is_wiped_at_the_third_failure() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    let mut args = FAST.to_vec();
    args.extend(["--max-attempts", "3", "--unlock-delay-ms", "0"]);
    assert!(homeward(&vault, &args, &[("HOMEWARD_PASSPHRASE", PASS)]).status.success());
    assert_eq!(json(&homeward(&vault, &["status"], &[]))["max_attempts"], 3);
    for left in [2, 1] {
        let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", "not the passphrase")]);
        assert_eq!(json(&out)["error"]["attempts_remaining"], left);
    }
    let out = homeward(&vault, &["unlock"], &[("HOMEWARD_PASSPHRASE", "not the passphrase")]);
    assert_eq!(out.status.code(), Some(14));
    assert_eq!(json(&out)["error"]["kind"], "wiped");
    assert_eq!(json(&homeward(&vault, &["status"], &[]))["initialised"], false);
    let out = homeward(&vault, &["init", "--max-attempts", "0"], &[("HOMEWARD_PASSPHRASE", PASS)]);
    assert!(!out.status.success());
}
