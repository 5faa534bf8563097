//! `homeward restore-report` (issue 16 item 1): a vault put back from an
//! older copy syncs, is told once which cases made after the copy
//! headquarters holds and the copy lacked (ids and dates, no names), and
//! the officer acknowledges it. Real processes against a real headquarters
//! on loopback.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{json, ok, run, Hq, PASS, REQUEST};

fn json_run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    run(dir, &all)
}

/// A file copy of the vault directory, as a backup tool makes one.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A submitted certificate request; its case id.
fn request(dir: &Path, file: &Path) -> String {
    let out = ok(json_run(dir, &["certificate", "request", "--file", file.to_str().unwrap(), "--submit"]));
    json(&out)["case_id"].as_str().expect("a case id").to_string()
}

#[test]
fn a_restored_vault_syncs_lists_what_it_lost_and_the_officer_acknowledges_it() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("ist");
    let copy = t.path().join("copy");
    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST).unwrap();
    ok(run(&dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    let hq = Hq::start(&t.path().join("hq"));
    ok(run(&dir, &["enroll", &hq.url, &hq.code()]));

    // Nothing restored yet: nothing to report, nothing to acknowledge.
    let none = json(&ok(json_run(&dir, &["restore-report"])));
    assert!(none["report"].is_null(), "{none}");
    let text = String::from_utf8_lossy(&ok(run(&dir, &["restore-report"])).stdout).to_string();
    assert!(text.contains("No restore from an older copy"), "{text}");
    let refused = json_run(&dir, &["restore-report", "--acknowledge"]);
    assert_eq!(refused.status.code(), Some(22));
    assert_eq!(json(&refused)["error"]["kind"], "invalid_input");

    let kept = request(&dir, &req);
    let synced = json(&ok(json_run(&dir, &["sync"])));
    assert_eq!(synced["rollback_detected"], false, "{synced}");
    copy_dir(&dir, &copy);

    // After the copy: a case that reaches headquarters, then the restore.
    let lost = request(&dir, &req);
    ok(json_run(&dir, &["sync"]));
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&copy, &dir);

    // The officer works on the restored vault, then syncs: no refusal.
    let made_after = request(&dir, &req);
    let synced = json(&ok(json_run(&dir, &["sync"])));
    assert_eq!(synced["rollback_detected"], true, "{synced}");
    assert_eq!(synced["restore_items"], 1, "{synced}");
    assert!(synced["audit_branch"]["fork_seq"].as_u64().is_some(), "{synced}");
    assert_eq!(synced["rejected"].as_array().map(Vec::len), Some(0), "{synced}");
    let cases: Vec<String> = json(&ok(json_run(&dir, &["certificate", "list"])))
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_string())
        .collect();
    for id in [&kept, &lost, &made_after] {
        assert!(cases.contains(id), "{id} in {cases:?}");
    }

    // The report: the case made after the copy, back from headquarters;
    // ids and dates, no name.
    let report = json(&ok(json_run(&dir, &["restore-report"])))["report"].clone();
    let items = report["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{report}");
    assert_eq!((items[0]["kind"].as_str(), items[0]["id"].as_str()), (Some("certificate_case"), Some(lost.as_str())));
    assert_eq!(items[0]["recovered"], true, "{report}");
    assert!(report["acknowledged_ms"].is_null(), "{report}");
    let text = String::from_utf8_lossy(&ok(run(&dir, &["restore-report"])).stdout).to_string();
    assert!(text.contains(&format!("case {lost}")) && text.contains("back on this device"), "{text}");
    assert!(text.contains("restore-report --acknowledge"), "{text}");
    for name in ["Асанова", "Айгүл", "AN1234567"] {
        assert!(!text.contains(name) && !report.to_string().contains(name), "{name}: {text}");
    }

    // Told once: the next sync is an ordinary one, the report still there.
    let synced = json(&ok(json_run(&dir, &["sync"])));
    assert_eq!(synced["rollback_detected"], false, "{synced}");
    assert!(synced["restore_items"].is_null() && synced["audit_branch"].is_null(), "{synced}");

    // Acknowledged by a named officer: cleared, audited, still readable.
    let ack = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["--json", "restore-report", "--acknowledge"])
        .env("HOMEWARD_PASSPHRASE", PASS)
        .env("HOMEWARD_OFFICER", "officer-7")
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap();
    assert!(json(&ok(ack))["report"]["acknowledged_ms"].as_i64().is_some());
    let again = json_run(&dir, &["restore-report", "--acknowledge"]);
    assert_eq!(json(&again)["error"]["kind"], "invalid_input", "acknowledged once");
    let text = String::from_utf8_lossy(&ok(run(&dir, &["restore-report"])).stdout).to_string();
    assert!(text.contains("Acknowledged") && text.contains(&lost), "{text}");

    // Both sides' audit trails verify; headquarters holds the branch and
    // the acknowledgement, and shows the device as restored, not tampered.
    ok(json_run(&dir, &["sync"]));
    ok(json_run(&dir, &["audit", "verify"]));
    let admin = hq.admin();
    let d = admin.db.devices().unwrap().into_iter().next().expect("the device");
    let held = admin.db.audit_entries(Some(&d.id)).unwrap();
    let chain = admin.db.audit_chain(&d.id).unwrap().unwrap();
    assert!(!chain.tampered);
    let key: [u8; 32] = hex::decode(&chain.audit_key).unwrap().try_into().unwrap();
    homeward_core::audit::verify_chain(&held, &key).expect("headquarters' chain verifies end to end");
    use homeward_core::audit::AuditAction;
    assert_eq!(held.iter().filter(|e| e.action == AuditAction::Restore).count(), 1);
    let last = held.last().unwrap();
    assert_eq!((last.action, last.actor.as_deref()), (AuditAction::Acknowledge, Some("officer-7")));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert!(admin.device_alerts(&d, now).unwrap().contains(&homeward_hq::hq::DeviceAlert::Restored));
}
