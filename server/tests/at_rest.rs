//! Headquarters' files at rest (issue 16 item 4, its first part): the data
//! directory 0700 and every file in it 0600, the SQLite database, its WAL
//! and shared-memory files, headquarters' key and the TLS files included,
//! whatever the umask; and a directory an older version left 0755 with
//! 0644 files is tightened when headquarters opens it. On both backends
//! (on PostgreSQL the directory holds the key and the TLS files; the
//! database's own files are the PostgreSQL server's, docs/SECURITY.md).
//! And the personal fields sealed inside the database (issue 16 item 4,
//! the rest): the data directory, SQLite's WAL, a backup, PostgreSQL's own
//! files and a pg_dump show no name, in Latin or Cyrillic, UTF-8 or UTF-16.

mod common;
#[path = "../../core/tests/common/scan.rs"]
mod scan;

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

// ---- The personal fields sealed at rest ----

use homeward_core::certificate::request::CitizenshipEvidence;
use homeward_core::certificate::{CertificateCases, CertificateEvent, DeviceProfile};
use homeward_core::events::Role;
use homeward_core::vault::{Secret, Vault};
use homeward_hq::at_rest::{KeyFile, Passphrase};
use homeward_hq::db::DbError;

const PASS: &str = "correct horse battery staple";
/// Markers that appear nowhere but in one test's request, decision and
/// audit entry: each test its own, since on PostgreSQL every test shares
/// the server's WAL, where the test that writes clear rows on purpose
/// leaves them.
struct Names {
    surname: &'static str,
    given: &'static str,
    document: &'static str,
    witness: &'static str,
    hq_note: &'static str,
    /// A name inside the officer's justification for opening the record.
    justified: &'static str,
}

impl Names {
    fn all(&self) -> Vec<&'static str> {
        vec![self.surname, self.given, self.document, self.witness, self.hq_note, self.justified]
    }
}

const SEALED: Names = Names {
    surname: "Жылдызбекова",
    given: "Kanareyka",
    document: "AN7319024",
    witness: "Мырзакулов",
    hq_note: "Tokmokbaeva",
    justified: "Абдыкалыковой",
};
const LEFT_IN_CLEAR: Names = Names {
    surname: "Сыдыкбекова",
    given: "Zhibekzhol",
    document: "AC5508113",
    witness: "Осмоналиев",
    hq_note: "Kadyrkulova",
    justified: "Бообекова",
};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn sync(v: &mut Vault) {
    let quick = homeward_core::sync::RetryPolicy {
        attempts: 3,
        base: std::time::Duration::from_millis(20),
        ..Default::default()
    };
    homeward_core::sync::sync(v, quick, &|_| {}, &std::sync::atomic::AtomicBool::new(false)).unwrap();
}

/// A consulate device sends a request full of markers; headquarters
/// verifies the identity with a note naming someone; the device syncs
/// again (its audit trail goes up). Returns the case id.
fn a_case_with_names(t: &Path, server: &common::Server, n: &Names) -> String {
    let mut v = Vault::create(&t.join("ist"), &Secret::new(PASS), None, common::options()).unwrap();
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    homeward_core::sync::enroll(&mut v, &server.url, &code, "test").unwrap();
    let me = DeviceProfile::load(&v).unwrap().identity().unwrap();
    let mut r = common::request("IST");
    r.applicant.surname = n.surname.into();
    r.applicant.given_name = n.given.into();
    r.evidence = vec![
        CitizenshipEvidence::OldPassport { number: n.document.into() },
        CitizenshipEvidence::Witnesses { names: vec![format!("{} Канат", n.witness)] },
    ];
    r.officer_assessment = format!("{} says her passport was taken", n.given);
    let case = CertificateCases::new(&mut v).create(&me, r, now_ms()).unwrap().case_id;
    CertificateCases::new(&mut v).record(&me, &case, CertificateEvent::Submitted, now_ms()).unwrap();
    // Opening the full record is audited with the officer's justification, free text.
    use homeward_core::audit::{AuditLog, Subject, SubjectKind};
    AuditLog::new(&mut v)
        .record_view(
            now_ms(),
            Subject::new(SubjectKind::CertificateCase, &case),
            Some(&format!("сверка с {}", n.justified)),
            None,
        )
        .unwrap();
    sync(&mut v);
    server
        .admin()
        .decide(&case, CertificateEvent::IdentityVerified { note: format!("registry: {}", n.hq_note) })
        .unwrap();
    sync(&mut v);
    case
}

/// Every column that holds a personal field or a secret is sealed.
fn assert_every_field_sealed(hq: &Hq) {
    let clear = hq
        .db
        .tx(|s| {
            let mut n = 0;
            for sql in [
                "SELECT COUNT(*) FROM events WHERE body NOT LIKE 's1.%'",
                "SELECT COUNT(*) FROM screenings WHERE body NOT LIKE 's1.%'",
                "SELECT COUNT(*) FROM audit_entries WHERE body NOT LIKE 's1.%'",
                "SELECT COUNT(*) FROM devices WHERE unlock_secret NOT LIKE 's1.%'",
                "SELECT COUNT(*) FROM console_staff WHERE totp_secret NOT LIKE 's1.%'",
            ] {
                n += s.one(sql, &[])?.unwrap()[0].i()?;
            }
            Ok(n)
        })
        .unwrap();
    assert_eq!(clear, 0, "values stored in clear");
}

/// The PostgreSQL test server's own data directory, from its connection string.
fn postgres_cluster() -> PathBuf {
    let conn = std::env::var("HOMEWARD_TEST_POSTGRES").unwrap();
    let host = conn.split_whitespace().find_map(|kv| kv.strip_prefix("host=")).expect("a host= socket directory");
    PathBuf::from(host).join("data")
}

fn pg_bin(name: &str) -> PathBuf {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql").unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    dirs.last().unwrap().join("bin").join(name)
}

use std::path::PathBuf;

#[test]
fn a_copied_database_its_wal_and_a_backup_show_no_name() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let database = common::fresh_database();
    let server = common::Server::start_on(&dir, database.clone());
    let case = a_case_with_names(t.path(), &server, &SEALED);
    let hq = server.admin();
    homeward_hq::console::schema::migrate(&hq.db).unwrap();
    let staff = homeward_hq::console::staff::add(
        &hq.db,
        homeward_hq::console::staff::NewStaff {
            username: "reviewer1",
            display_name: "Reviewer One",
            role: homeward_hq::console::staff::StaffRole::Reviewer,
            password: Some("a long enough passphrase for tests"),
            language: "en",
            created_by: "test",
        },
        now_ms(),
    )
    .unwrap();

    // Everything reads back whole through headquarters.
    let events = hq.db.case_events(&case).unwrap();
    assert_eq!(events.len(), 3, "request, submission, identity check");
    assert!(hq.db.event_body(&events[0].id).unwrap().unwrap().contains(SEALED.surname));
    let back = homeward_hq::console::staff::by_id(&hq.db, &staff.id).unwrap().unwrap();
    assert_eq!(back.totp_secret, staff.totp_secret, "the second factor's secret opens");
    assert!(!hq.db.audit_entries(None).unwrap().is_empty(), "the device's audit trail is held");
    assert_every_field_sealed(&hq);
    let mut markers: Vec<&str> = SEALED.all();
    markers.push(&staff.totp_secret);

    match &database {
        None => {
            // While serving: the database file, its WAL and shared memory.
            for f in ["hq.db", "hq.db-wal"] {
                assert!(dir.join(f).exists(), "{f}");
            }
            assert!(scan::find_in_files(&dir, case.as_bytes()), "positive control: the case id is stored in clear");
            scan::assert_no_plaintext(&dir, &markers);
            // A consistent copy taken while serving, as a backup is.
            let backups = t.path().join("backups");
            std::fs::create_dir_all(&backups).unwrap();
            let c = rusqlite::Connection::open(dir.join("hq.db")).unwrap();
            c.execute("VACUUM INTO ?1", [backups.join("hq-backup.db").to_str().unwrap()]).unwrap();
            drop(c);
            assert!(scan::find_in_files(&backups, case.as_bytes()), "positive control in the backup");
            scan::assert_no_plaintext(&backups, &markers);
        }
        Some(url) => {
            // PostgreSQL's own files (tables and WAL, after a checkpoint) and a pg_dump.
            let mut pg =
                postgres::Client::connect(&std::env::var("HOMEWARD_TEST_POSTGRES").unwrap(), postgres::NoTls).unwrap();
            pg.batch_execute("CHECKPOINT").unwrap();
            // This database's own files and the server's WAL (the cluster
            // also holds every other test's database: not read, for time).
            let mut own = postgres::Client::connect(url, postgres::NoTls).unwrap();
            let oid: u32 =
                own.query_one("SELECT oid FROM pg_database WHERE datname = current_database()", &[]).unwrap().get(0);
            for part in [format!("base/{oid}"), "pg_wal".to_string()] {
                let files = postgres_cluster().join(part);
                assert!(scan::find_in_files(&files, case.as_bytes()), "positive control: the case id in {files:?}");
                scan::assert_no_plaintext(&files, &markers);
            }
            scan::assert_no_plaintext(&dir, &markers);
            let out = std::process::Command::new(pg_bin("pg_dump")).arg("-d").arg(url).output().unwrap();
            assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
            let dumps = t.path().join("dumps");
            std::fs::create_dir_all(&dumps).unwrap();
            std::fs::write(dumps.join("hq.sql"), &out.stdout).unwrap();
            assert!(scan::find_in_files(&dumps, case.as_bytes()), "positive control in the dump");
            scan::assert_no_plaintext(&dumps, &markers);
        }
    }
}

#[test]
fn a_database_an_older_version_left_in_clear_is_sealed_at_start_and_no_clear_page_stays() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let database = common::fresh_database();
    let server = common::Server::start_on(&dir, database.clone());
    let case = a_case_with_names(t.path(), &server, &LEFT_IN_CLEAR);
    drop(server);
    // As an older version stored them: every body and secret in clear, no seal mark.
    let hq = Hq::open_with(&dir, database.as_deref()).unwrap();
    let sealer = hq.db.sealer().unwrap();
    hq.db
        .tx(|s| {
            for r in s.query("SELECT id, body FROM events", &[])? {
                let clear = sealer.open("events", &r[0].t()?, &r[1].t()?)?;
                s.exec(
                    "UPDATE events SET body = ?1 WHERE id = ?2",
                    &[clear.as_str().into(), r[0].t()?.as_str().into()],
                )?;
            }
            for r in s.query("SELECT device, seq, body FROM audit_entries", &[])? {
                let row = format!("{}/{}", r[0].t()?, r[1].i()?);
                let clear = sealer.open("audit_entries", &row, &r[2].t()?)?;
                s.exec(
                    "UPDATE audit_entries SET body = ?1 WHERE device = ?2 AND seq = ?3",
                    &[clear.as_str().into(), r[0].t()?.as_str().into(), r[1].i()?.into()],
                )?;
            }
            s.exec("DELETE FROM kv WHERE k = 'sealed_at_rest'", &[])?;
            Ok(())
        })
        .unwrap();
    drop(hq);
    if database.is_none() {
        assert!(
            scan::find_in_files(&dir, LEFT_IN_CLEAR.hq_note.as_bytes()),
            "positive control: the clear rows are on disk"
        );
    }
    let hq = Hq::open_with(&dir, database.as_deref()).unwrap();
    homeward_hq::console::schema::migrate(&hq.db).unwrap();
    assert_every_field_sealed(&hq);
    assert_eq!(hq.db.case_events(&case).unwrap().len(), 3, "nothing lost in the sealing");
    if database.is_none() {
        // The rewritten rows' old bytes are gone from the file and the WAL too.
        scan::assert_no_plaintext(&dir, &LEFT_IN_CLEAR.all());
    }
}

#[test]
fn a_wrong_or_missing_key_opens_nothing_and_changes_nothing_and_a_moved_value_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let database = common::fresh_database();
    let server = common::Server::start_on(&dir, database.clone());
    let case = a_case_with_names(t.path(), &server, &SEALED);
    drop(server);
    let key_file = t.path().join("hq-data.key");
    assert!(key_file.exists(), "the key file is made beside the data directory, not in it");
    assert!(!dir.join("hq-data.key").exists());
    #[cfg(unix)]
    assert_eq!(mode(&key_file), 0o600);

    // Another key file, and a passphrase, are refused by name.
    let other = KeyFile { path: t.path().join("other.key") };
    std::fs::write(&other.path, hex::encode([7u8; 32])).unwrap();
    let err = Hq::open_sealed(&dir, database.as_deref(), &other).err().expect("another key file opens nothing");
    assert!(
        matches!(err, homeward_hq::HqError::Db(DbError::AtRest(homeward_hq::at_rest::AtRestError::WrongKey(_)))),
        "{err}"
    );
    assert!(err.to_string().contains("other.key"), "{err}");
    let err = Hq::open_sealed(&dir, database.as_deref(), &Passphrase::new("a guess".into())).err().unwrap();
    assert!(err.to_string().contains("does not open"), "{err}");
    // The key file gone: named, and no new one made in its place.
    let kept = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let err = Hq::open_with(&dir, database.as_deref()).err().expect("no key, no start");
    assert!(err.to_string().contains("hq-data.key") && err.to_string().contains("missing"), "{err}");
    assert!(!key_file.exists());
    // Put back, everything is there.
    std::fs::write(&key_file, kept).unwrap();
    let hq = Hq::open_with(&dir, database.as_deref()).unwrap();
    assert_eq!(hq.db.case_events(&case).unwrap().len(), 3);

    // A sealed body moved to another row (a forged history) does not open: a typed error.
    hq.db
        .tx(|s| {
            let rows =
                s.query("SELECT id, body FROM events WHERE case_id = ?1 ORDER BY seq", &[case.as_str().into()])?;
            s.exec(
                "UPDATE events SET body = ?1 WHERE id = ?2",
                &[rows[0][1].t()?.as_str().into(), rows[1][0].t()?.as_str().into()],
            )?;
            Ok(())
        })
        .unwrap();
    let err = hq.db.case_events(&case).unwrap_err();
    assert!(matches!(err, DbError::AtRest(homeward_hq::at_rest::AtRestError::Tampered("events"))), "{err}");
}

#[test]
fn a_passphrase_instead_of_a_key_file_seals_and_reopens() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let database = common::fresh_database();
    let phrase = || Passphrase::new("a long passphrase the operator keeps".into());
    let hq = Hq::open_sealed(&dir, database.as_deref(), &phrase()).unwrap();
    let code = hq.enrollment_code("OSH", Role::BorderGuard, 60).unwrap();
    assert!(!code.is_empty());
    drop(hq);
    assert!(!t.path().join("hq-data.key").exists(), "no key file with a passphrase");
    let hq = Hq::open_sealed(&dir, database.as_deref(), &phrase()).unwrap();
    homeward_hq::console::schema::migrate(&hq.db).unwrap();
    assert_every_field_sealed(&hq);
    drop(hq);
    assert!(Hq::open_sealed(&dir, database.as_deref(), &Passphrase::new("another".into())).is_err());
}

#[test]
fn the_data_key_rewrapped_under_a_new_key_file_opens_only_with_it() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq-data");
    let database = common::fresh_database();
    let server = common::Server::start_on(&dir, database.clone());
    let case = a_case_with_names(t.path(), &server, &SEALED);
    drop(server);
    let new_key = t.path().join("custodian-2.key");
    let rewrap = |from: Option<&Path>, to: &Path| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
        c.arg("--data-dir").arg(&dir).args(["rewrap-data-key", "--new-key-file"]).arg(to);
        if let Some(from) = from {
            c.arg("--key-file").arg(from);
        }
        if let Some(url) = &database {
            c.env("DATABASE_URL", url);
        }
        c.output().unwrap()
    };
    let out = rewrap(None, &new_key);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("custodian-2.key"));
    assert_eq!(mode(&new_key), 0o600);
    // The old key file opens nothing any more; the new one opens everything.
    let err = Hq::open_with(&dir, database.as_deref()).err().expect("the old key file is retired");
    assert!(err.to_string().contains("does not open"), "{err}");
    let hq = Hq::open_sealed(&dir, database.as_deref(), &KeyFile { path: new_key.clone() }).unwrap();
    assert_eq!(hq.db.case_events(&case).unwrap().len(), 3);
    drop(hq);
    // A path that exists is refused, and nothing changes.
    let out = rewrap(Some(&new_key), &new_key);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(Hq::open_sealed(&dir, database.as_deref(), &KeyFile { path: new_key }).is_ok());
}
