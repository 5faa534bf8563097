//! The vault end to end on real SQLite files: round trips, lookups,
//! no plaintext on disk, tampering, wrong passphrases and the wipe,
//! passphrase change, parameter upgrade, device binding, attachments.

mod common;

use std::time::Duration;

use common::*;
use homeward_core::vault::{
    Clock, IndexTerm, KdfParams, Lookup, NewRecord, RecordId, Secret, SoftwareKeyStore, Vault, VaultError,
};
use rusqlite::Connection;

const KIND: &str = "test.person";

fn person(v: &mut Vault, name: &str, doc: &str) -> RecordId {
    let id = RecordId::random();
    let body = format!(r#"{{"name":"{name}","document":"{doc}"}}"#);
    v.put(&NewRecord {
        id,
        kind: KIND,
        schema_version: 1,
        body: body.as_bytes(),
        index: &[IndexTerm::Name(name.into()), IndexTerm::DocumentNumber(doc.into())],
    })
    .unwrap();
    id
}

#[test]
fn records_round_trip_and_are_found_by_document_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Асанова Айгүл Бакытовна", "AN 1234567");
    let b = person(&mut v, "Ivanov Sergei", "ID7654321");
    let rec = v.get(KIND, a).unwrap();
    assert!(std::str::from_utf8(&rec.body).unwrap().contains("Айгүл"));

    assert_eq!(v.find(Lookup::DocumentNumber("an1234567")).unwrap(), vec![a]);
    assert_eq!(v.find(Lookup::DocumentNumber("id 765-4321")).unwrap(), vec![b]);
    assert!(v.find(Lookup::DocumentNumber("AN1234568")).unwrap().is_empty());
    // Latin spelling of a Cyrillic name, parts in another order.
    assert_eq!(v.find(Lookup::Name("AIGUL BAKYTOVNA ASANOVA")).unwrap(), vec![a]);
    assert_eq!(v.find(Lookup::NamePart("Asanova")).unwrap(), vec![a]);
    assert_eq!(v.find(Lookup::NamePart("Иванов")).unwrap(), vec![b]);
    assert!(v.find(Lookup::NamePart("Asanov")).unwrap().is_empty());

    let mut listed = v.list(KIND).unwrap();
    listed.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(listed, want);
    assert!(v.list("other.kind").unwrap().is_empty());
    // An id of another kind is not found, rather than opened.
    assert!(matches!(v.get("other.kind", a), Err(VaultError::NotFound(_))));

    // Replacing updates the index; deleting removes it.
    v.put(&NewRecord {
        id: a,
        kind: KIND,
        schema_version: 2,
        body: b"{}",
        index: &[IndexTerm::DocumentNumber("PE0000001".into())],
    })
    .unwrap();
    assert!(v.find(Lookup::DocumentNumber("AN1234567")).unwrap().is_empty());
    assert_eq!(v.find(Lookup::DocumentNumber("PE0000001")).unwrap(), vec![a]);
    assert_eq!(v.get(KIND, a).unwrap().schema_version, 2);
    v.delete(KIND, a).unwrap();
    assert!(matches!(v.get(KIND, a), Err(VaultError::NotFound(_))));
    assert!(v.find(Lookup::DocumentNumber("PE0000001")).unwrap().is_empty());
}

#[test]
fn a_record_cannot_change_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Bolot", "X1");
    let err = v.put(&NewRecord { id: a, kind: "other", schema_version: 1, body: b"x", index: &[] }).unwrap_err();
    assert!(matches!(err, VaultError::InvalidInput(_)));
    assert!(v.get(KIND, a).is_ok());
}

#[test]
fn locked_vault_refuses_reads_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Nurlan", "N1");
    v.lock();
    assert!(matches!(v.get(KIND, a), Err(VaultError::Locked)));
    assert!(matches!(v.find(Lookup::NamePart("Nurlan")), Err(VaultError::Locked)));
    assert!(matches!(
        v.put(&NewRecord { id: RecordId::random(), kind: KIND, schema_version: 1, body: b"x", index: &[] }),
        Err(VaultError::Locked)
    ));
    v.unlock(&Secret::new(PASS), None).unwrap();
    assert!(v.get(KIND, a).is_ok());
}

#[test]
fn a_transaction_commits_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let ok = RecordId::random();
    let res: Result<(), VaultError> = v.write(|w| {
        w.put(&NewRecord { id: ok, kind: KIND, schema_version: 1, body: b"a", index: &[] })?;
        Err(VaultError::InvalidInput("abort".into()))
    });
    assert!(res.is_err());
    assert!(matches!(v.get(KIND, ok), Err(VaultError::NotFound(_))));
}

const MARKERS: [&str; 4] = ["Zhyldyzbekova", "Жылдызбекова", "MRKPASS998877", "Бишкек-Маркер"];

fn write_marked(v: &mut Vault) -> RecordId {
    let id = RecordId::random();
    let body = serde_json::json!({
        "surname": "Zhyldyzbekova", "surname_cyr": "Жылдызбекова",
        "document": "MRKPASS998877", "place_of_birth": "Бишкек-Маркер",
        "utf16": "Zhyldyzbekova".encode_utf16().collect::<Vec<u16>>(),
    })
    .to_string();
    v.put(&NewRecord {
        id,
        kind: KIND,
        schema_version: 1,
        body: body.as_bytes(),
        index: &[
            IndexTerm::Name("Жылдызбекова Zhyldyzbekova".into()),
            IndexTerm::DocumentNumber("MRKPASS998877".into()),
        ],
    })
    .unwrap();
    let photo = format!("JPEG...{}...{}", MARKERS[0], MARKERS[1]).repeat(5000);
    v.put_attachment(id, &mut photo.as_bytes()).unwrap();
    id
}

#[test]
fn no_plaintext_on_disk_open_closed_and_after_passphrase_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    for _ in 0..20 {
        write_marked(&mut v);
    }
    // While open: database, WAL, shared memory and attachments.
    assert!(dir.path().join("vault.db-wal").exists());
    assert_no_plaintext(dir.path(), &MARKERS);

    v.change_secret(&Secret::new(PASS), &Secret::new("another long passphrase"), None).unwrap();
    write_marked(&mut v);
    assert_no_plaintext(dir.path(), &MARKERS);
    drop(v);
    assert_no_plaintext(dir.path(), &MARKERS);
}

#[test]
fn the_scanner_finds_a_planted_marker() {
    // Positive control: the scan above would see plaintext if it were there.
    let dir = tempfile::tempdir().unwrap();
    let c = Connection::open(dir.path().join("plain.db")).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (x TEXT);").unwrap();
    c.execute("INSERT INTO t VALUES (?1)", ["Жылдызбекова"]).unwrap();
    assert!(find_in_files(dir.path(), "Жылдызбекова".as_bytes()));
    let result = std::panic::catch_unwind(|| assert_no_plaintext(dir.path(), &MARKERS));
    assert!(result.is_err());
}

/// Reads the sealed blob of one record straight from SQLite.
fn sealed_of(dir: &std::path::Path, id: RecordId) -> Vec<u8> {
    let c = Connection::open(dir.join("vault.db")).unwrap();
    c.query_row("SELECT sealed FROM records WHERE id = ?1", [id.0.as_bytes()], |r| r.get(0)).unwrap()
}

fn set_sealed(dir: &std::path::Path, id: RecordId, sealed: &[u8]) {
    let c = Connection::open(dir.join("vault.db")).unwrap();
    c.execute("UPDATE records SET sealed = ?1 WHERE id = ?2", rusqlite::params![sealed, id.0.as_bytes()]).unwrap();
}

#[test]
fn every_flipped_byte_of_a_sealed_record_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Tamper Test", "T1");
    let original = sealed_of(dir.path(), a);
    assert!(original.len() > 24 + 16);
    for i in 0..original.len() {
        let mut bad = original.clone();
        bad[i] ^= 0x01;
        set_sealed(dir.path(), a, &bad);
        match v.get(KIND, a) {
            Err(VaultError::Tampered(_)) => {}
            other => panic!("byte {i}: expected Tampered, got {other:?}"),
        }
    }
    // Truncated and empty blobs too.
    for bad in [&original[..original.len() - 1], &original[..10], &[][..]] {
        set_sealed(dir.path(), a, bad);
        assert!(matches!(v.get(KIND, a), Err(VaultError::Tampered(_))));
    }
    set_sealed(dir.path(), a, &original);
    assert!(v.get(KIND, a).is_ok());
}

#[test]
fn swapped_ciphertexts_and_altered_versions_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "First Person", "F1");
    let b = person(&mut v, "Second Person", "S2");
    let (sa, sb) = (sealed_of(dir.path(), a), sealed_of(dir.path(), b));
    set_sealed(dir.path(), a, &sb);
    set_sealed(dir.path(), b, &sa);
    assert!(matches!(v.get(KIND, a), Err(VaultError::Tampered(_))));
    assert!(matches!(v.get(KIND, b), Err(VaultError::Tampered(_))));
    set_sealed(dir.path(), a, &sa);
    set_sealed(dir.path(), b, &sb);

    let c = Connection::open(dir.path().join("vault.db")).unwrap();
    c.execute("UPDATE records SET schema_version = 9 WHERE id = ?1", [a.0.as_bytes()]).unwrap();
    assert!(matches!(v.get(KIND, a), Err(VaultError::Tampered(_))));
    assert!(v.get(KIND, b).is_ok());
}

#[test]
fn wrong_passphrase_counts_delays_and_wipes_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let mut v = Vault::create(dir.path(), &Secret::new(PASS), None, options(clock.clone())).unwrap();
        person(&mut v, "Counted Person", "C1");
    }
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    let wrong = Secret::new("not the passphrase at all");
    let mut last_delay = Duration::ZERO;
    for attempt in 1..=9u32 {
        match v.unlock(&wrong, None) {
            Err(VaultError::WrongSecret { attempts_remaining, retry_after }) => {
                assert_eq!(attempts_remaining, 10 - attempt);
                assert!(retry_after > last_delay, "delay must grow");
                last_delay = retry_after;
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
        assert_eq!(v.status().unwrap().failed_attempts, attempt);
        // Too soon: refused without counting, even with the right passphrase.
        match v.unlock(&Secret::new(PASS), None) {
            Err(VaultError::TooSoon { attempts_remaining, retry_after }) => {
                assert_eq!(attempts_remaining, 10 - attempt);
                assert!(retry_after <= last_delay && retry_after > Duration::ZERO);
            }
            other => panic!("expected TooSoon, got {other:?}"),
        }
        assert_eq!(v.status().unwrap().failed_attempts, attempt);
        clock.advance(last_delay);
    }
    assert!(matches!(v.unlock(&wrong, None), Err(VaultError::Wiped)));
    assert!(matches!(v.unlock(&Secret::new(PASS), None), Err(VaultError::Wiped)));
    // Nothing of the vault is left.
    assert!(common::all_files(dir.path()).is_empty(), "wipe left files behind");
    assert!(matches!(Vault::open(dir.path(), options(clock)), Err(VaultError::NotInitialised)));
}

#[test]
fn the_right_passphrase_resets_the_counter_and_counts_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    drop(Vault::create(dir.path(), &Secret::new(PASS), None, options(clock.clone())).unwrap());
    for _ in 0..3 {
        // A fresh open each time: the counter is on disk, not in memory.
        let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
        assert!(matches!(v.unlock(&Secret::new("wrong wrong wrong"), None), Err(VaultError::WrongSecret { .. })));
        clock.advance(Duration::from_secs(3600));
    }
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    assert_eq!(v.status().unwrap().failed_attempts, 3);
    assert_eq!(v.status().unwrap().attempts_remaining, 7);
    v.unlock(&Secret::new(PASS), None).unwrap();
    assert_eq!(v.status().unwrap().failed_attempts, 0);
    assert_eq!(v.status().unwrap().attempts_remaining, 10);
}

/// What a kill (or a power cut) between counting an unlock and checking it
/// leaves on disk; `crash.rs` makes it for real whenever a kill lands there.
fn leave_an_interrupted_attempt(dir: &std::path::Path, at_ms: i64) {
    let db = Connection::open(dir.join("vault.db")).unwrap();
    db.execute(
        "UPDATE unlock_attempts SET failures = failures + 1, last_failure_unix_ms = ?1, in_progress = 1 WHERE id = 1",
        [at_ms],
    )
    .unwrap();
}

#[test]
fn an_unlock_cut_off_mid_check_counts_and_the_next_one_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    drop(Vault::create(dir.path(), &Secret::new(PASS), None, options(clock.clone())).unwrap());
    leave_an_interrupted_attempt(dir.path(), clock.now_unix_ms());

    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    let s = v.status().unwrap();
    assert!(s.last_attempt_interrupted);
    assert_eq!((s.failed_attempts, s.attempts_remaining, s.retry_after_secs), (1, 9, 1), "it counts");
    // Within its wait: said plainly, not a bare "too soon"; not counted again.
    let e = v.unlock(&Secret::new(PASS), None).unwrap_err();
    match &e {
        VaultError::Interrupted { attempts_remaining: 9, retry_after } => {
            assert_eq!(*retry_after, Duration::from_secs(1))
        }
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert!(e.to_string().contains("interrupted") && e.to_string().contains("counts as a failed attempt"), "{e}");
    assert_eq!(v.status().unwrap().failed_attempts, 1);
    // After it: the right passphrase unlocks; the session still tells it once.
    clock.advance(Duration::from_secs(1));
    v.unlock(&Secret::new(PASS), None).unwrap();
    let s = v.status().unwrap();
    assert!(s.last_attempt_interrupted);
    assert_eq!(s.failed_attempts, 0);
    drop(v);
    let v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    assert!(!v.status().unwrap().last_attempt_interrupted, "told once, not at every open");
}

#[test]
fn an_answered_wrong_passphrase_is_not_an_interruption() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    drop(Vault::create(dir.path(), &Secret::new(PASS), None, options(clock.clone())).unwrap());
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    assert!(matches!(v.unlock(&Secret::new("wrong wrong wrong"), None), Err(VaultError::WrongSecret { .. })));
    drop(v);
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    assert!(!v.status().unwrap().last_attempt_interrupted);
    assert!(matches!(v.unlock(&Secret::new(PASS), None), Err(VaultError::TooSoon { .. })));
    // An interruption after a wrong try: the last attempt is what is told.
    drop(v);
    clock.advance(Duration::from_secs(1));
    leave_an_interrupted_attempt(dir.path(), clock.now_unix_ms());
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    match v.unlock(&Secret::new(PASS), None) {
        Err(VaultError::Interrupted { attempts_remaining: 8, retry_after }) => {
            assert_eq!(retry_after, Duration::from_secs(2))
        }
        other => panic!("expected Interrupted, got {other:?}"),
    }
    clock.advance(Duration::from_secs(2));
    v.unlock(&Secret::new(PASS), None).unwrap();
}

#[test]
fn a_clock_moved_back_does_not_skip_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    drop(Vault::create(dir.path(), &Secret::new(PASS), None, options(clock.clone())).unwrap());
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    let _ = v.unlock(&Secret::new("wrong wrong wrong"), None);
    clock.set(1_000);
    assert!(matches!(v.unlock(&Secret::new(PASS), None), Err(VaultError::TooSoon { .. })));
    clock.advance(Duration::from_secs(1));
    v.unlock(&Secret::new(PASS), None).unwrap();
}

#[test]
fn changing_the_passphrase_rewraps_without_reencrypting() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Rewrap Person", "R1");
    let sealed_before = sealed_of(dir.path(), a);
    let header_before: String = Connection::open(dir.path().join("vault.db"))
        .unwrap()
        .query_row("SELECT body FROM vault_header", [], |r| r.get(0))
        .unwrap();
    let wrap_before: serde_json::Value = serde_json::from_str(&header_before).unwrap();
    let old_wrap = hex::decode(wrap_before["wrapped_data_key"].as_str().unwrap()).unwrap();

    // A weak new passphrase is refused and changes nothing.
    assert!(matches!(v.change_secret(&Secret::new(PASS), &Secret::new("1234"), None), Err(VaultError::WeakSecret(_))));
    // A wrong current passphrase is refused and counted.
    assert!(matches!(
        v.change_secret(&Secret::new("wrong wrong wrong"), &Secret::new("new passphrase here"), None),
        Err(VaultError::WrongSecret { .. })
    ));
    let clock_skip = v.status().unwrap().retry_after_secs;
    assert!(clock_skip > 0);
    drop(v);

    let clock = clock();
    clock.advance(Duration::from_secs(10));
    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    v.change_secret(&Secret::new(PASS), &Secret::new("new passphrase here"), None).unwrap();
    assert_eq!(sealed_of(dir.path(), a), sealed_before, "records must not be re-encrypted");
    // The old wrap is gone from every file, WAL included.
    assert!(!find_in_files(dir.path(), &old_wrap));
    drop(v);

    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    assert!(matches!(v.unlock(&Secret::new(PASS), None), Err(VaultError::WrongSecret { .. })));
    clock.advance(Duration::from_secs(10));
    v.unlock(&Secret::new("new passphrase here"), None).unwrap();
    assert!(v.get(KIND, a).is_ok());
}

#[test]
fn weaker_stored_parameters_are_raised_at_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Upgrade Person", "U1");
    drop(v);
    let mut opts = options(clock());
    opts.kdf = KdfParams::argon2id(24 * 1024, 3, 1);
    let mut v = Vault::open(dir.path(), opts.clone()).unwrap();
    assert_eq!(v.status().unwrap().kdf, KdfParams::owasp_minimum());
    v.unlock(&Secret::new(PASS), None).unwrap();
    assert_eq!(v.status().unwrap().kdf, opts.kdf);
    drop(v);
    let mut v = Vault::open(dir.path(), opts).unwrap();
    v.unlock(&Secret::new(PASS), None).unwrap();
    assert!(v.get(KIND, a).is_ok());
}

#[test]
fn weak_parameters_and_weak_passphrases_are_refused_at_creation() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(clock());
    opts.kdf = KdfParams::argon2id(8 * 1024, 1, 1);
    assert!(matches!(Vault::create(dir.path(), &Secret::new(PASS), None, opts), Err(VaultError::WeakKdf(_))));
    assert!(matches!(
        Vault::create(dir.path(), &Secret::new("123456"), None, options(clock())),
        Err(VaultError::WeakSecret(_))
    ));
    new_vault(dir.path());
    assert!(matches!(
        Vault::create(dir.path(), &Secret::new(PASS), None, options(clock())),
        Err(VaultError::AlreadyInitialised)
    ));
}

#[test]
fn a_short_pin_works_only_with_the_device_key_store() {
    let dir = tempfile::tempdir().unwrap();
    let ks_dir = tempfile::tempdir().unwrap();
    let ks = SoftwareKeyStore::new(ks_dir.path());
    let clock = clock();
    let mut v = Vault::create(dir.path(), &Secret::new("4821"), Some(&ks), options(clock.clone())).unwrap();
    assert!(v.is_device_bound());
    let a = person(&mut v, "Device Bound", "D1");
    drop(v);

    let mut v = Vault::open(dir.path(), options(clock.clone())).unwrap();
    // Without the key store: a clear error, not counted as a guess.
    assert!(matches!(v.unlock(&Secret::new("4821"), None), Err(VaultError::KeyStore(_))));
    assert_eq!(v.status().unwrap().failed_attempts, 0);
    // With it, a wrong PIN counts.
    assert!(matches!(v.unlock(&Secret::new("0000"), Some(&ks)), Err(VaultError::WrongSecret { .. })));
    clock.advance(Duration::from_secs(5));
    v.unlock(&Secret::new("4821"), Some(&ks)).unwrap();
    assert!(v.get(KIND, a).is_ok());
    drop(v);

    // The disk image plus the PIN is not enough once the device key is gone.
    let other_device = SoftwareKeyStore::new(tempfile::tempdir().unwrap().path());
    let mut v = Vault::open(dir.path(), options(clock)).unwrap();
    assert!(matches!(v.unlock(&Secret::new("4821"), Some(&other_device)), Err(VaultError::KeyStore(_))));
}

#[test]
fn attachments_round_trip_and_resist_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Photo Owner", "P1");
    let b = person(&mut v, "Other Owner", "P2");
    for size in [0usize, 1, 65_535, 65_536, 65_537, 200_000] {
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        let att = v.put_attachment(a, &mut data.as_slice()).unwrap();
        assert_eq!(v.read_attachment(a, att).unwrap().as_slice(), data.as_slice(), "size {size}");
    }
    let data = vec![42u8; 150_000];
    let att = v.put_attachment(a, &mut data.as_slice()).unwrap();
    let path = dir.path().join("attachments").join(att.0.simple().to_string());
    let original = std::fs::read(&path).unwrap();

    // Not readable as another record's attachment.
    assert!(matches!(v.read_attachment(b, att), Err(VaultError::NotFound(_))));
    // A flipped byte in the header, the first chunk, the last chunk.
    for i in [0, 10, 30, 70_000, original.len() - 1] {
        let mut bad = original.clone();
        bad[i] ^= 0x80;
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(v.read_attachment(a, att), Err(VaultError::Tampered(_))), "byte {i}");
    }
    // Truncated at a chunk boundary (the last chunk dropped) and mid-chunk.
    for len in [27 + 65_536 + 16, 27 + 65_536 + 16 + 100, 27 + 100] {
        std::fs::write(&path, &original[..len]).unwrap();
        assert!(matches!(v.read_attachment(a, att), Err(VaultError::Tampered(_))), "len {len}");
    }
    // Another attachment's file put in its place.
    let other = v.put_attachment(b, &mut &b"other"[..]).unwrap();
    let other_path = dir.path().join("attachments").join(other.0.simple().to_string());
    std::fs::copy(&other_path, &path).unwrap();
    assert!(matches!(v.read_attachment(a, att), Err(VaultError::Tampered(_))));
    std::fs::write(&path, &original).unwrap();
    assert_eq!(v.read_attachment(a, att).unwrap().as_slice(), data.as_slice());

    // An attachment needs an existing record; deleting the record removes its files.
    assert!(matches!(v.put_attachment(RecordId::random(), &mut &b"x"[..]), Err(VaultError::NotFound(_))));
    assert_eq!(v.list_attachments(a).unwrap().len(), 7);
    v.delete(KIND, a).unwrap();
    assert!(!path.exists());
    assert_eq!(v.status().unwrap().attachments, 1);
    v.delete_attachment(b, other).unwrap();
    assert!(!other_path.exists());
}

#[test]
fn orphaned_attachment_files_are_removed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    let a = person(&mut v, "Orphan Test", "O1");
    let kept = v.put_attachment(a, &mut &b"kept"[..]).unwrap();
    drop(v);
    let att_dir = dir.path().join("attachments");
    std::fs::write(att_dir.join("0123456789abcdef0123456789abcdef"), b"never committed").unwrap();
    std::fs::write(att_dir.join("0123456789abcdef0123456789abcdef.tmp"), b"half written").unwrap();
    let v = open_unlocked(dir.path());
    let names: Vec<_> = std::fs::read_dir(&att_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1);
    assert_eq!(v.read_attachment(a, kept).unwrap().as_slice(), b"kept");
}

#[test]
fn status_reads_without_unlocking() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = new_vault(dir.path());
    person(&mut v, "Status One", "S1");
    drop(v);
    let v = Vault::open(dir.path(), options(clock())).unwrap();
    let s = v.status().unwrap();
    assert!(!s.unlocked);
    assert_eq!(s.records, 1);
    assert_eq!(s.kdf, KdfParams::owasp_minimum());
    assert!(!s.device_bound);
    assert!(matches!(
        Vault::open(tempfile::tempdir().unwrap().path(), options(clock())),
        Err(VaultError::NotInitialised)
    ));
}

#[test]
fn a_corrupted_header_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()));
    let c = Connection::open(dir.path().join("vault.db")).unwrap();
    c.execute("UPDATE vault_header SET body = '{not json'", []).unwrap();
    assert!(matches!(Vault::open(dir.path(), options(clock())), Err(VaultError::Tampered(_))));
}

#[test]
fn the_lockout_policy_chosen_at_creation_governs_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let mut strict = options(clock.clone());
    strict.lockout =
        homeward_core::vault::LockoutPolicy { max_attempts: 3, base_delay: Duration::ZERO, max_delay: Duration::ZERO };
    drop(Vault::create(dir.path(), &Secret::new(PASS), None, strict).unwrap());
    // Opened with the app's default options: the vault's own policy applies.
    let mut v = Vault::open(dir.path(), options(clock)).unwrap();
    assert_eq!(v.status().unwrap().max_attempts, 3);
    let wrong = Secret::new("wrong wrong wrong");
    assert!(matches!(v.unlock(&wrong, None), Err(VaultError::WrongSecret { attempts_remaining: 2, .. })));
    assert!(matches!(v.unlock(&wrong, None), Err(VaultError::WrongSecret { attempts_remaining: 1, .. })));
    assert!(matches!(v.unlock(&wrong, None), Err(VaultError::Wiped)));
    assert!(common::all_files(dir.path()).is_empty());
}
