//! A full disk through the CLI: a write answers `disk_full` (exit 23; with
//! `--json` one object of that kind) and says so in a sentence; nothing
//! committed is lost and the same command works once space is freed. Uses
//! a small tmpfs, so it needs root (as in CI); elsewhere it says it was
//! skipped.

mod common;

use std::path::Path;
use std::process::Command;

use common::{json, ok, run, REQUEST};

fn mount(size: &str) -> Option<std::path::PathBuf> {
    let dir = tempfile::tempdir().unwrap().keep();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(&dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(dir)
}

struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fills the filesystem with one file until a write is refused (ENOSPC).
fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    while f.write_all(&chunk).and_then(|_| f.sync_all()).is_ok() {}
    while f.write_all(&[0u8]).and_then(|_| f.sync_all()).is_ok() {}
}

#[test]
fn a_full_disk_is_disk_full_in_text_and_json_and_the_command_works_once_freed() {
    let Some(mnt) = mount("2m") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and mount rights); CI runs it as root");
        return;
    };
    let _unmount = Unmount(mnt.clone());
    let t = tempfile::tempdir().unwrap();
    let dir = mnt.join("vault");
    ok(run(&dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    ok(run(&dir, &["device", "init", "--role", "consular_officer", "--office", "IST"]));
    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST).unwrap();
    let request = ["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--submit"];
    let first = json(&ok(run(&dir, &request)))["case_id"].as_str().unwrap().to_string();

    let filler = mnt.join("filler");
    fill(&filler);
    // Enough writes to need new space whatever SQLite's files still hold.
    let refused = (0..200)
        .map(|_| run(&dir, &request))
        .find(|o| !o.status.success())
        .expect("the writes never met the full disk");
    assert_eq!(refused.status.code(), Some(23), "{refused:?}");
    let e = json(&refused);
    assert_eq!(e["error"]["kind"], "disk_full", "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("the disk is full"), "{e}");
    let text = run(&dir, &request[1..]);
    assert_eq!(text.status.code(), Some(23));
    assert!(String::from_utf8_lossy(&text.stderr).contains("error: the disk is full"), "{text:?}");

    // Space freed: the first case is intact and the command works again.
    std::fs::remove_file(&filler).unwrap();
    let shown = json(&ok(run(&dir, &["--json", "certificate", "list"])));
    assert!(shown.to_string().contains(&first), "{shown}");
    ok(run(&dir, &request));
}
