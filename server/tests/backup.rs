//! Issue 16 item 2: headquarters restores from its own backup. A backup is
//! taken while headquarters serves; devices push more, headquarters
//! decides more; the older backup is put back; every device syncs and
//! headquarters holds the union again, each event once, audit chains
//! verifying on both sides. Devices purge only what a finished backup
//! holds, and what was purged everywhere is reported, not silently missing.
//! On both backends: SQLite through `VACUUM INTO`, PostgreSQL through the
//! same `homeward_hq::backup` functions (pg_dump / pg_restore from PATH).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use homeward_core::audit::{verify_chain, AuditLog, Subject, SubjectKind};
use homeward_core::certificate::store::{StoredEvent, SyncState};
use homeward_core::certificate::{CertificateCases, CertificateEvent, DeviceProfile, RequestState};
use homeward_core::events::{DeviceIdentity, Role};
use homeward_core::screening::ScreeningEvents;
use homeward_core::screening::ScreeningRecordId;
use homeward_core::sync::{RetryPolicy, SyncError, SyncReport};
use homeward_core::vault::{Secret, Vault};
use homeward_hq::backup::{backup, restore, BackupError};

mod common;
use common::{options, request, Server};

const PASS: &str = "correct horse battery staple";

fn device(dir: &Path, server: &Server, office: &str, role: Role) -> Vault {
    let mut v = Vault::create(dir, &Secret::new(PASS), None, options()).unwrap();
    let code = server.admin().enrollment_code(office, role, 15).unwrap();
    homeward_core::sync::enroll(&mut v, &server.url, &code, "test").unwrap();
    v
}

fn sync(v: &mut Vault) -> Result<SyncReport, SyncError> {
    let quick = RetryPolicy { attempts: 3, base: std::time::Duration::from_millis(20), ..RetryPolicy::default() };
    homeward_core::sync::sync(v, quick, &|_| {}, &AtomicBool::new(false))
}

fn identity(v: &Vault) -> DeviceIdentity {
    DeviceProfile::load(v).unwrap().identity().unwrap()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn view(v: &mut Vault) {
    let subject = Subject::new(SubjectKind::CertificateCase, &uuid::Uuid::new_v4().to_string());
    AuditLog::new(v).record_view(now_ms(), subject, Some("identity check"), None).unwrap();
}

/// A finalised screening; returns its id.
fn screen(v: &mut Vault) -> String {
    use homeward_core::date::{IsoDate, Today};
    use homeward_core::screening::{default_checklist, AnswerValue, Lang, NewScreening, ScreeningRecords, YesNo};
    let c = default_checklist();
    let before: Vec<String> = ScreeningEvents::new(v).outbox().unwrap().into_iter().map(|e| e.id).collect();
    let mut book = ScreeningRecords::new(v, &c);
    let s = book
        .start(NewScreening {
            crossing_point: "IST".into(),
            officer: None,
            language: Lang::En,
            screening_date: IsoDate::today(),
            now_unix_ms: now_ms(),
        })
        .unwrap();
    let id = s.record_id().unwrap();
    book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
    book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
    book.finalise(id, now_ms()).unwrap();
    ScreeningEvents::new(v).outbox().unwrap().into_iter().find(|e| !before.contains(&e.id)).unwrap().case_id
}

/// Every certificate event a vault holds, by id.
fn held_events(v: &mut Vault) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for id in v.list("event.certificate").unwrap() {
        let s: StoredEvent = serde_json::from_slice(&v.get("event.certificate", id).unwrap().body).unwrap();
        if matches!(s.sync, SyncState::Accepted | SyncState::Received) {
            out.insert(s.event.id);
        }
    }
    out
}

/// Headquarters' certificate events by id, counting each row.
fn hq_events(server: &Server) -> BTreeMap<String, usize> {
    let admin = server.admin();
    let mut out = BTreeMap::new();
    for case in admin.db.case_ids().unwrap() {
        for e in admin.db.case_events(&case).unwrap() {
            *out.entry(e.id).or_default() += 1;
        }
    }
    out
}

/// Stops `server`, puts `file` back and starts headquarters again where
/// the devices know it.
fn restore_and_restart(server: Server, file: &Path) -> Server {
    let (dir, url, addr): (PathBuf, Option<String>, SocketAddr) =
        (server.dir.clone(), server.database_url.clone(), server.addr);
    drop(server);
    let r = restore(&dir, url.as_deref(), file).expect("the backup is put back");
    assert!(r.previous_kept_at.exists(), "the database it replaced is kept aside");
    assert_ne!(r.previous_incarnation.as_deref(), Some(r.incarnation.as_str()));
    Server::start_at(&dir, url, addr)
}

#[test]
fn headquarters_restored_from_an_older_backup_gets_back_everything_devices_still_hold() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut a = device(&t.path().join("ist-a"), &server, "IST", Role::ConsularOfficer);
    let mut b = device(&t.path().join("ist-b"), &server, "IST", Role::ConsularOfficer);
    let mut c = device(&t.path().join("mow"), &server, "MOW", Role::ConsularOfficer);
    let (ia, ic) = (identity(&a), identity(&c));
    homeward_core::retention::set_period_days(&mut a, 0).unwrap();

    // Before the backup: one case and one screening from A, seen by B.
    let case1 = CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut a).record(&ia, &case1, CertificateEvent::Submitted, now_ms()).unwrap();
    let s1 = screen(&mut a);
    view(&mut a);
    sync(&mut a).unwrap();
    sync(&mut b).unwrap();
    sync(&mut c).unwrap();

    let file = t.path().join("hq-1.backup");
    let made = backup(&server.admin(), server.database_url.as_deref(), &file).expect("a backup while serving");
    assert_eq!(made.meta.number, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(matches!(backup(&server.admin(), server.database_url.as_deref(), &file), Err(BackupError::Exists(_))));

    // After the backup: more from every device, and headquarters' decisions
    // that the devices pull (the backup has none of it).
    let case2 = CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut a).record(&ia, &case2, CertificateEvent::Submitted, now_ms()).unwrap();
    let s2 = screen(&mut a);
    // A closed case, acknowledged after the backup: retention must keep it.
    let closed = CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut a)
        .record(&ia, &closed, CertificateEvent::Cancelled { reason: "withdrawn".into() }, now_ms())
        .unwrap();
    view(&mut a);
    let r = sync(&mut a).unwrap();
    // Screening s1 goes (the backup holds it); the closed case, not yet.
    assert_eq!(r.purged, 1, "only what a finished backup holds");
    assert!(!CertificateCases::new(&mut a).events(&closed).unwrap().is_empty(), "no finished backup holds it");
    let case3 = CertificateCases::new(&mut c).create(&ic, request("MOW"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut c).record(&ic, &case3, CertificateEvent::Submitted, now_ms()).unwrap();
    sync(&mut c).unwrap();
    let admin = server.admin();
    admin.decide(&case1, CertificateEvent::IdentityVerified { note: "confirmed".into() }).unwrap();
    admin.decide(&case2, CertificateEvent::IdentityVerified { note: "confirmed".into() }).unwrap();
    drop(admin);
    // B pulls everything (A's events and the decisions) and then A goes
    // quiet: B is the one that brings case 2 back.
    sync(&mut b).unwrap();
    sync(&mut a).unwrap();
    assert!(!CertificateCases::new(&mut a).events(&closed).unwrap().is_empty(), "still held");
    let before: BTreeMap<String, usize> = hq_events(&server);
    let before_screenings: BTreeSet<String> =
        server.admin().db.screening_events().unwrap().into_iter().map(|e| e.id).collect();

    // Headquarters goes back to the backup.
    let server = restore_and_restart(server, &file);
    let lost_meanwhile = hq_events(&server);
    assert!(lost_meanwhile.len() < before.len(), "the backup lacks what came after it");
    assert!(server.admin().db.case_events(&case3).unwrap().is_empty());

    // Every device syncs: B first (it holds case 2 only as pulled events).
    let rb = sync(&mut b).expect("B syncs with the restored headquarters");
    let got = rb.headquarters_restored.clone().expect("B noticed headquarters went back");
    assert_eq!(got.restored_events, 6, "cases 2 and closed (two events each) and the two decisions: {got:?}");
    assert!(got.refused.is_empty(), "{:?}", got.refused);
    let ra = sync(&mut a).expect("A syncs");
    let got = ra.headquarters_restored.clone().expect("A noticed");
    assert!(got.refused.is_empty(), "{:?}", got.refused);
    assert_eq!(got.restored_events, 1, "screening s2 (B brought back the rest): {got:?}");
    assert!(ra.rejected.is_empty(), "{:?}", ra.rejected);
    let rc = sync(&mut c).expect("C syncs");
    assert_eq!(rc.headquarters_restored.as_ref().map(|r| r.restored_events), Some(2), "case 3's two events");
    for v in [&mut a, &mut b, &mut c] {
        let again = sync(v).unwrap();
        assert!(again.headquarters_restored.is_none(), "one restore is taken up once");
        assert!(again.rejected.is_empty());
    }
    let a_entries_after = AuditLog::new(&mut a).entries().unwrap();

    // Headquarters holds the union again, each event exactly once.
    let after = hq_events(&server);
    assert_eq!(after.keys().collect::<BTreeSet<_>>(), before.keys().collect::<BTreeSet<_>>(), "the union");
    assert!(after.values().all(|n| *n == 1), "each event once: {after:?}");
    let mut union = held_events(&mut a);
    union.extend(held_events(&mut b));
    union.extend(held_events(&mut c));
    assert_eq!(after.keys().cloned().collect::<BTreeSet<_>>(), union, "exactly what the devices hold");
    let screenings: BTreeSet<String> =
        server.admin().db.screening_events().unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(screenings, before_screenings);
    let screened: BTreeSet<String> =
        server.admin().db.screening_events().unwrap().into_iter().map(|e| e.case_id).collect();
    assert_eq!(screened, [s1, s2].into());
    let admin = server.admin();
    let state = |id: &str| admin.cases().unwrap().into_iter().find(|c| c.case_id == id).unwrap().state;
    assert_eq!(state(&case1), Some(RequestState::IdentityVerified), "the lost decision is back");
    assert_eq!(state(&case2), Some(RequestState::IdentityVerified));
    assert_eq!(state(&case3), Some(RequestState::Submitted));

    // The audit chains verify on both sides and agree.
    let log = AuditLog::new(&mut a);
    log.verify().expect("A's chain verifies");
    assert!(log.unsynced().unwrap().is_empty());
    let key: [u8; 32] = log.public_key().unwrap().unwrap();
    let mine = log.entries().unwrap();
    let held = admin.db.audit_entries(Some(ia.device_id())).unwrap();
    verify_chain(&held, &key).expect("headquarters' copy of A's chain verifies end to end");
    // The device pruned only what the backup held: headquarters has it all.
    assert_eq!(held.last(), a_entries_after.last());
    assert_eq!(&held[held.len() - mine.len()..], &mine[..], "the same entries");
    assert!(!admin.db.audit_chain(ia.device_id()).unwrap().unwrap().tampered);
    let report = admin.restore_report().unwrap();
    assert!(report.lost.is_empty(), "nothing was purged anywhere: {:?}", report.lost);
    assert!(report.audit_gaps.is_empty());
    assert!(report.not_synced_since.is_empty(), "{:?}", report.not_synced_since);
    drop(admin);

    // Retention: the closed case waits for a backup of the restored
    // headquarters that holds it, then goes.
    assert_eq!(sync(&mut a).unwrap().purged, 0);
    assert!(!CertificateCases::new(&mut a).events(&closed).unwrap().is_empty());
    backup(&server.admin(), server.database_url.as_deref(), &t.path().join("hq-2.backup")).unwrap();
    let r = sync(&mut a).unwrap();
    assert_eq!(r.purged, 2, "the closed case and screening s2, covered by a finished backup now");
    assert!(CertificateCases::new(&mut a).events(&closed).unwrap().is_empty());
}

#[test]
fn what_was_purged_everywhere_is_reported_not_silently_missing() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut a = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let ia = identity(&a);
    homeward_core::retention::set_period_days(&mut a, 0).unwrap();
    view(&mut a);
    sync(&mut a).unwrap();
    let old = t.path().join("hq-old.backup");
    backup(&server.admin(), server.database_url.as_deref(), &old).unwrap();
    // How much of A's audit chain the older backup holds.
    let in_old = server.admin().db.audit_chain(ia.device_id()).unwrap().unwrap().anchor_seq;

    // A device enrolled after the older backup: the restored headquarters
    // does not know it.
    let mut late = device(&t.path().join("late"), &server, "IST", Role::ConsularOfficer);
    sync(&mut late).unwrap();
    // A closed case, acknowledged, then held by a newer backup: purged.
    let gone = CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut a)
        .record(&ia, &gone, CertificateEvent::Cancelled { reason: "withdrawn".into() }, now_ms())
        .unwrap();
    view(&mut a);
    assert_eq!(sync(&mut a).unwrap().purged, 0);
    backup(&server.admin(), server.database_url.as_deref(), &t.path().join("hq-new.backup")).unwrap();
    assert_eq!(sync(&mut a).unwrap().purged, 1);
    let kept = CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap().case_id;
    sync(&mut a).unwrap();
    let pruned = AuditLog::new(&mut a).head().unwrap().unwrap().pruned_through;

    // The operator restores the older backup: the case is nowhere now.
    let server = restore_and_restart(server, &old);
    let r = sync(&mut a).expect("a sync after the restore");
    let rec = r.headquarters_restored.expect("noticed");
    assert!(rec.refused.is_empty(), "{:?}", rec.refused);
    sync(&mut a).unwrap();
    match sync(&mut late) {
        Err(SyncError::UnknownToRestoredHeadquarters) => {}
        other => panic!("a device enrolled after the backup is told so, got {other:?}"),
    }
    let admin = server.admin();
    assert!(admin.db.case_events(&gone).unwrap().is_empty());
    assert!(!admin.db.case_events(&kept).unwrap().is_empty(), "what the device holds is back");
    let report = admin.restore_report().unwrap();
    assert_eq!(report.restored.as_ref().map(|r| r.backup.number), Some(1));
    let lost: Vec<_> = report.lost.iter().map(|l| (l.kind, l.id.as_str(), l.office.as_str())).collect();
    assert_eq!(lost, vec![(SubjectKind::CertificateCase, gone.as_str(), "IST")], "the purged case is named");
    assert_eq!(report.lost[0].device, ia.device_id());
    // The entries the device pruned once the newer backup held them, which
    // the older one lacks, are named as a gap; the chain goes on after it.
    assert!(pruned > in_old, "entries pruned past the older backup ({pruned} > {in_old})");
    let gaps: Vec<_> = report.audit_gaps.iter().map(|g| (g.device.as_str(), g.from_seq, g.to_seq)).collect();
    assert_eq!(gaps, vec![(ia.device_id(), in_old + 1, pruned)]);
    let key: [u8; 32] = AuditLog::new(&mut a).public_key().unwrap().unwrap();
    let held = admin.db.audit_entries(Some(ia.device_id())).unwrap();
    let (before_gap, after_gap): (Vec<_>, Vec<_>) = held.iter().cloned().partition(|e| e.seq <= in_old);
    verify_chain(&before_gap, &key).expect("the part before the gap verifies");
    assert_eq!(after_gap.first().map(|e| e.seq), Some(pruned + 1), "resumes right after the gap");
    let mine = AuditLog::new(&mut a).entries().unwrap();
    assert_eq!(&held[held.len() - mine.len()..], &mine[..], "what the device holds, headquarters holds");
    assert!(AuditLog::new(&mut a).unsynced().unwrap().is_empty());
    assert!(!admin.db.audit_chain(ia.device_id()).unwrap().unwrap().tampered);
    // No name in the report.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("Асанова") && !json.contains("Айгүл"));
}

#[test]
fn a_bad_backup_is_refused_with_a_clear_error_and_nothing_is_overwritten() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut a = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let ia = identity(&a);
    let case = CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap().case_id;
    sync(&mut a).unwrap();
    let good = t.path().join("good.backup");
    backup(&server.admin(), server.database_url.as_deref(), &good).unwrap();
    let (dir, url, addr) = (server.dir.clone(), server.database_url.clone(), server.addr);

    // Another headquarters' backup (its own key).
    let other = Server::start(&t.path().join("other-hq"));
    let foreign = t.path().join("foreign.backup");
    backup(&other.admin(), other.database_url.as_deref(), &foreign).unwrap();
    drop(other);

    // A newer schema than this build knows.
    let newer = t.path().join("newer.backup");
    match &url {
        None => {
            std::fs::copy(&good, &newer).unwrap();
            let c = rusqlite::Connection::open(&newer).unwrap();
            c.pragma_update(None, "user_version", 999u32).unwrap();
        }
        Some(u) => {
            let mut c = postgres::Client::connect(u, postgres::NoTls).unwrap();
            c.execute("INSERT INTO schema_version (version) VALUES (999)", &[]).unwrap();
            backup(&server.admin(), Some(u), &newer).unwrap();
            c.execute("DELETE FROM schema_version WHERE version = 999", &[]).unwrap();
        }
    }
    let text = t.path().join("notes.txt");
    std::fs::write(&text, "not a database at all").unwrap();
    drop(server);

    let refused = |file: &Path| restore(&dir, url.as_deref(), file).expect_err("refused");
    assert!(matches!(refused(&text), BackupError::NotABackup(..)), "{}", refused(&text));
    assert!(matches!(refused(&t.path().join("missing")), BackupError::NotABackup(..)));
    assert!(matches!(refused(&foreign), BackupError::OtherHeadquarters(_)), "{}", refused(&foreign));
    match refused(&newer) {
        BackupError::NewerSchema { found: 999, .. } => {}
        e => panic!("{e}"),
    }
    assert!(refused(&newer).to_string().contains("nothing was changed"));

    // Nothing was overwritten: the live database serves as before.
    let server = Server::start_at(&dir, url, addr);
    assert_eq!(server.admin().db.case_events(&case).unwrap().len(), 1);
    assert!(server.admin().restored().unwrap().is_none());
    let r = sync(&mut a).unwrap();
    assert!(r.headquarters_restored.is_none());
}

/// The operator's commands: `backup` while the server serves (JSON says
/// what it wrote), a refused `restore` (exit 1, the reason, nothing
/// changed), and `restore-report` on a database never restored.
#[test]
fn the_backup_and_restore_commands_work_on_a_serving_headquarters() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut a = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let ia = identity(&a);
    CertificateCases::new(&mut a).create(&ia, request("IST"), now_ms()).unwrap();
    sync(&mut a).unwrap();
    let hq = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
        c.arg("--data-dir").arg(&server.dir).args(args);
        match &server.database_url {
            Some(u) => c.env("DATABASE_URL", u),
            None => c.env_remove("DATABASE_URL"),
        };
        c.output().unwrap()
    };
    let file = t.path().join("cli.backup");
    let out = hq(&["--json", "backup", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["number"], 1);
    assert_eq!(v["file"], file.to_str().unwrap());
    assert!(v["bytes"].as_u64().unwrap() > 0);
    let again = hq(&["backup", "--out", file.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    // The devices see the finished backup at their next pull.
    sync(&mut a).unwrap();
    assert_eq!(
        DeviceProfile::load(&a).unwrap().hq_backups,
        Some(homeward_core::sync::protocol::BackupMark { started: 1, done: 1 })
    );
    let report = hq(&["--json", "restore-report"]);
    assert!(report.status.success());
    let r: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert!(r["restored"].is_null() && r["lost"].as_array().unwrap().is_empty());
    let junk = t.path().join("junk.db");
    std::fs::write(&junk, "hello").unwrap();
    server_stop(server, |s| {
        let out = s(&["restore", "--from", junk.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("is not a headquarters database backup"));
        // Nothing changed: the database still opens and holds the case.
        let cases = s(&["--json", "cases"]);
        assert!(cases.status.success(), "{}", String::from_utf8_lossy(&cases.stderr));
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&cases.stdout).unwrap().as_array().unwrap().len(), 1);
    });
    assert!(sync(&mut a).is_err(), "the server is stopped");
}

/// Stops `server` and runs `f` with the admin command line on its data.
fn server_stop(server: Server, f: impl FnOnce(&dyn Fn(&[&str]) -> std::process::Output)) {
    let (dir, url) = (server.dir.clone(), server.database_url.clone());
    drop(server);
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
        c.arg("--data-dir").arg(&dir).args(args);
        match &url {
            Some(u) => c.env("DATABASE_URL", u),
            None => c.env_remove("DATABASE_URL"),
        };
        c.output().unwrap()
    };
    f(&run)
}
