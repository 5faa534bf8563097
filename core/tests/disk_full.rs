//! A full disk: writes fail with a typed error that says so, nothing already
//! committed is lost, no half-written attachment is left, and the vault goes
//! on working once space is freed. Uses a small tmpfs, so it needs root (as
//! in CI); elsewhere it says it was skipped.

mod common;

use std::path::Path;
use std::process::Command;

use homeward_core::vault::{NewRecord, RecordId, Secret, VaultError};

/// The typed error, not a storage error that happens to mean it.
fn full<T: std::fmt::Debug>(what: &str, r: Result<T, VaultError>) {
    assert!(matches!(r, Err(VaultError::DiskFull)), "{what}: expected DiskFull, got {r:?}");
}

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

const OTHER_PASS: &str = "another long passphrase here";

#[test]
fn a_full_disk_is_a_typed_error_and_loses_nothing() {
    let Some(fs) = Tmpfs::mount("1m") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and mount rights); CI runs it as root");
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
    assert!(matches!(err, VaultError::DiskFull), "expected DiskFull, got {err:?}");
    assert!(!committed.is_empty());

    // Every other write path answers the same typed error, or (a delete,
    // which may fit in what is left) succeeds whole.
    let other = RecordId::random();
    full("insert", v.insert(&NewRecord { id: other, kind: "k", schema_version: 1, body: &body, index: &[] }));
    full(
        "a transaction of several",
        v.write(|w| {
            for _ in 0..4 {
                w.put(&NewRecord { id: RecordId::random(), kind: "k", schema_version: 1, body: &body, index: &[] })?;
            }
            Ok(())
        }),
    );
    full(
        "an overwrite",
        v.put(&NewRecord { id: committed[0], kind: "k", schema_version: 1, body: &vec![7u8; 64 * 1024], index: &[] }),
    );
    // A passphrase change is refused whole, or (its header fits) done:
    // never reported failed once committed (it was, before this test).
    let mut pass = common::PASS;
    match v.change_secret(&Secret::new(pass), &Secret::new(OTHER_PASS), None) {
        Ok(()) => pass = OTHER_PASS,
        Err(VaultError::DiskFull) => {}
        Err(e) => panic!("a passphrase change: {e:?}"),
    }
    let deleted = match v.delete("k", committed[1]) {
        Ok(_) => Some(committed.remove(1)),
        Err(VaultError::DiskFull) => None,
        Err(e) => panic!("delete: {e:?}"),
    };
    // Full again, whatever the delete freed.
    loop {
        let id = RecordId::random();
        match v.put(&NewRecord { id, kind: "k", schema_version: 1, body: &body, index: &[] }) {
            Ok(()) => committed.push(id),
            Err(VaultError::DiskFull) => break,
            Err(e) => panic!("refill: {e:?}"),
        }
    }

    // An attachment cannot be written either, and leaves no partial file.
    let photo = vec![1u8; 300 * 1024];
    let att = v.put_attachment(committed[0], &mut photo.as_slice());
    assert!(matches!(&att, Err(VaultError::DiskFull)), "{att:?}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("attachments")).unwrap().collect();
    assert!(leftovers.is_empty(), "a partial attachment was left behind");

    // Every committed record is intact (the overwrite did not land), also
    // after reopening; nothing of the refused writes is there.
    for id in &committed {
        assert_eq!(v.get("k", *id).unwrap().body.as_slice(), body.as_slice());
    }
    assert_eq!(v.list("k").unwrap().len(), committed.len(), "a refused write left a record");
    if let Some(id) = deleted {
        assert!(v.get("k", id).is_err(), "the delete that succeeded is whole");
    }
    drop(v);
    // Unlocking writes the failed-attempt counter first, so on a full disk it
    // refuses with the same typed error rather than skip the count; if what
    // the delete freed lets the counter be written (the WAL is emptied at
    // close), it counts and unlocks: never unlocks uncounted.
    let mut locked = homeward_core::vault::Vault::open(&dir, common::options(common::clock())).unwrap();
    match locked.unlock(&Secret::new(pass), None) {
        Err(VaultError::DiskFull) => assert_eq!(locked.status().unwrap().failed_attempts, 0),
        Ok(()) => {}
        other => panic!("an unlock on a full disk: {other:?}"),
    }
    drop(locked);

    // Space freed: the vault opens with everything in it, and goes on.
    fs.resize("8m");
    let mut v = homeward_core::vault::Vault::open(&dir, common::options(common::clock())).unwrap();
    v.unlock(&Secret::new(pass), None).unwrap();
    for id in &committed {
        assert_eq!(v.get("k", *id).unwrap().body.as_slice(), body.as_slice());
    }
    let id = RecordId::random();
    v.put(&NewRecord { id, kind: "k", schema_version: 1, body: &body, index: &[] }).unwrap();
    let att = v.put_attachment(id, &mut photo.as_slice()).unwrap();
    assert_eq!(v.read_attachment(id, att).unwrap().len(), photo.len());
    v.change_secret(&Secret::new(pass), &Secret::new("a third long passphrase here"), None).unwrap();
}
