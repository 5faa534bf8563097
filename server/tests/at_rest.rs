//! Headquarters' files at rest (issue 16 item 4, its first part): the data
//! directory 0700 and every file in it 0600, the SQLite database, its WAL
//! and shared-memory files, headquarters' key and the TLS files included,
//! whatever the umask; and a directory an older version left 0755 with
//! 0644 files is tightened when headquarters opens it. On both backends
//! (on PostgreSQL the directory holds the key and the TLS files; the
//! database's own files are the PostgreSQL server's, docs/SECURITY.md).
//! Sealing the personal fields inside the database is not done yet.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use homeward_hq::Hq;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every directory under `dir` (itself included) 0700, every file 0600.
fn assert_private(dir: &Path) -> Vec<String> {
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    let mut seen = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            seen.extend(assert_private(&p));
        } else {
            assert_eq!(mode(&p), 0o600, "{} is {:o}", p.display(), mode(&p));
            seen.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    seen
}

#[test]
fn the_data_directory_is_0700_and_its_files_0600_whatever_the_umask() {
    // The loosest usual umask: what the files would get without the rule.
    unsafe { libc::umask(0o022) };
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let db = common::fresh_database();
    let hq = Hq::open_with(&dir, db.as_deref()).unwrap();
    // Writes, so that SQLite's WAL holds something.
    let code = hq.enrollment_code("OSH", homeward_core::events::Role::BorderGuard, 60).unwrap();
    assert!(!code.is_empty());
    homeward_hq::tls::issue_server_certificate(&dir, &["localhost".to_string()]).unwrap();
    let files = assert_private(&dir);
    assert!(files.contains(&"hq-identity.json".to_string()), "{files:?}");
    for tls in ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem"] {
        assert!(files.contains(&tls.to_string()), "{tls}: {files:?}");
    }
    if db.is_none() {
        for f in ["hq.db", "hq.db-wal", "hq.db-shm"] {
            assert!(files.contains(&f.to_string()), "{f} while serving ({}): {files:?}", common::backend());
        }
    }
    drop(hq);
    assert_private(&dir);
}

#[test]
fn a_directory_left_open_by_an_older_version_is_tightened_at_start() {
    unsafe { libc::umask(0o022) };
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let db = common::fresh_database();
    drop(Hq::open_with(&dir, db.as_deref()).unwrap());
    homeward_hq::tls::issue_server_certificate(&dir, &["localhost".to_string()]).unwrap();
    // As an older version left it.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("tls"), std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap().chain(std::fs::read_dir(dir.join("tls")).unwrap()) {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let hq = Hq::open_with(&dir, db.as_deref()).unwrap();
    assert_private(&dir);
    drop(hq);
}
