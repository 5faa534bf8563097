//! A full disk: writes fail with a typed error that says so, nothing already
//! committed is lost, no half-written attachment is left, and the vault goes
//! on working once space is freed. Uses a small tmpfs, so it needs root (as
//! in CI); elsewhere it says it was skipped.

mod common;

use std::path::Path;
use std::process::Command;

use homeward_core::vault::{NewRecord, RecordId};

struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap().keep();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then_some(Tmpfs(dir))
    }

    fn resize(&self, size: &str) {
        let s = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).status().unwrap();
        assert!(s.success());
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_full_disk_is_a_typed_error_and_loses_nothing() {
    let Some(fs) = Tmpfs::mount("1m") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root); CI runs it");
        return;
    };
    let dir = fs.path().join("vault");
    let mut v = common::new_vault(&dir);
    let body = vec![0x5au8; 8 * 1024];
    let mut committed = Vec::new();
    let err = loop {
        let id = RecordId::random();
        match v.put(&NewRecord { id, kind: "k", schema_version: 1, body: &body, index: &[] }) {
            Ok(()) => committed.push(id),
            Err(e) => break e,
        }
        assert!(committed.len() < 10_000, "the disk never filled");
    };
    assert!(err.is_disk_full(), "expected a disk-full error, got {err:?}");
    assert!(!committed.is_empty());

    // An attachment cannot be written either, and leaves no partial file.
    let photo = vec![1u8; 300 * 1024];
    let att = v.put_attachment(committed[0], &mut photo.as_slice());
    assert!(matches!(&att, Err(e) if e.is_disk_full()), "{att:?}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("attachments")).unwrap().collect();
    assert!(leftovers.is_empty(), "a partial attachment was left behind");

    // Every committed record is intact, also after reopening.
    for id in &committed {
        assert_eq!(v.get("k", *id).unwrap().body.as_slice(), body.as_slice());
    }
    drop(v);
    // Unlocking writes the failed-attempt counter first, so on a full disk it
    // refuses with the same typed error rather than skip the count.
    let mut locked = homeward_core::vault::Vault::open(&dir, common::options(common::clock())).unwrap();
    let e = locked.unlock(&homeward_core::vault::Secret::new(common::PASS), None).unwrap_err();
    assert!(e.is_disk_full(), "{e:?}");
    drop(locked);

    // Space freed: the vault opens with everything in it, and goes on.
    fs.resize("8m");
    let mut v = common::open_unlocked(&dir);
    for id in &committed {
        assert_eq!(v.get("k", *id).unwrap().body.as_slice(), body.as_slice());
    }
    let id = RecordId::random();
    v.put(&NewRecord { id, kind: "k", schema_version: 1, body: &body, index: &[] }).unwrap();
    let att = v.put_attachment(id, &mut photo.as_slice()).unwrap();
    assert_eq!(v.read_attachment(id, att).unwrap().len(), photo.len());
}
