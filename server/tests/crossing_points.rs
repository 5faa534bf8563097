//! Crossing points end to end: headquarters serves the demo list signed by
//! its root until an administrator publishes one (`homeward-hq
//! crossing-points publish`), an enrolled device receives it at enrolment
//! and newer ones at a sync, and a screening at an id the list does not
//! name is refused with the reason in the screening's language and nothing
//! saved. On SQLite, and on PostgreSQL when HOMEWARD_TEST_POSTGRES is set.

use homeward_core::crossing::{sample, CrossingPoint};
use homeward_core::events::Role;
use homeward_ffi::screening::{Language, NewScreeningInput, ScreeningFilter};
use homeward_ffi::vault::{HomewardVault, VaultSettings};
use homeward_ffi::HomewardError;

mod common;
use common::Server;

const PASS: &str = "correct horse battery staple";

fn light() -> VaultSettings {
    VaultSettings { kdf_memory_mib: 19, kdf_passes: 2, max_attempts: 5, unlock_delay_ms: 0 }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn at(crossing: &str, language: Language) -> NewScreeningInput {
    NewScreeningInput { crossing_point: crossing.into(), officer: None, language, screening_date: None }
}

#[test]
fn a_device_screens_only_at_crossing_points_headquarters_lists() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let hq = server.admin();
    assert_eq!(hq.crossing_points().unwrap().body.sequence, 1, "the demo list until one is published");

    let v = HomewardVault::create(t.path().join("phone").display().to_string(), PASS.into(), light(), None).unwrap();
    let code = hq.enrollment_code("OSH", Role::BorderGuard, 15).unwrap();
    v.sync_service().enroll(server.url.clone(), code, "crossing test".into(), None).unwrap();
    let info = v.crossing_points_info().unwrap();
    assert_eq!((info.sequence, info.count), (1, sample().points.len() as i32), "enrolment carries the list");
    v.set_language(Language::Ru);
    let osh = v.crossing_points().unwrap().into_iter().find(|p| p.id == "OSH-AIRPORT").expect("listed");
    assert_eq!((osh.name.as_str(), osh.region.as_str()), ("Аэропорт Ош", "Osh"));
    v.start_screening(at("OSH-AIRPORT", Language::En)).unwrap();

    // Headquarters closes Torugart and opens a new post.
    let mut points: Vec<CrossingPoint> = sample().points.into_iter().filter(|p| p.id != "TORUGART").collect();
    let mut kyzyl = points[0].clone();
    kyzyl.id = "KYZYL-BEL".into();
    kyzyl.region = "Batken".into();
    for (lang, name) in [("ky", "Кызыл-Бел"), ("ru", "Кызыл-Бел"), ("en", "Kyzyl-Bel")] {
        kyzyl.name.insert(lang.into(), name.into());
    }
    points.push(kyzyl);
    assert_eq!(hq.publish_crossing_points(points, now_ms()).unwrap(), 2);
    // Before the sync the device still holds the old list: Torugart still screens.
    v.start_screening(at("TORUGART", Language::En)).unwrap();
    let report = v.sync_service().sync(None).unwrap();
    assert_eq!(report.crossing_points_installed, Some(2));
    let info = v.crossing_points_info().unwrap();
    assert_eq!((info.sequence, info.age_days), (2, Some(0)));
    v.set_language(Language::En);
    assert!(v.crossing_points().unwrap().iter().any(|p| p.id == "KYZYL-BEL" && p.name == "Kyzyl-Bel"));

    let before = v.screenings().list(ScreeningFilter { from: None, to: None, crossing_point: None }).unwrap().len();
    for (lang, words) in
        [(Language::En, "not a crossing point"), (Language::Ru, "нет в списке"), (Language::Ky, "тизмесинде жок")]
    {
        match v.start_screening(at("TORUGART", lang)) {
            Err(HomewardError::InvalidInput { reason }) => {
                assert!(reason.contains(words) && reason.contains("TORUGART"), "{reason}")
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
    assert!(matches!(v.start_screening(at("osh airport", Language::En)), Err(HomewardError::InvalidInput { .. })));
    let after = v.screenings().list(ScreeningFilter { from: None, to: None, crossing_point: None }).unwrap().len();
    assert_eq!(before, after, "a refused start saves nothing");
    v.start_screening(at("KYZYL-BEL", Language::Ky)).unwrap();

    // A second sync carries no list (the device holds the newest).
    assert_eq!(v.sync_service().sync(None).unwrap().crossing_points_installed, None);
}

#[test]
fn the_admin_cli_publishes_and_shows_crossing_points_and_refuses_a_bad_file() {
    let t = tempfile::tempdir().unwrap();
    let hq = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"))
            .arg("--data-dir")
            .arg(t.path().join("hq"))
            .env_remove("DATABASE_URL")
            .args(args)
            .output()
            .unwrap()
    };
    let shown = String::from_utf8(hq(&["crossing-points", "show"]).stdout).unwrap();
    assert!(shown.contains("crossing points 1 (the demo list") && shown.contains("OSH-AIRPORT"), "{shown}");
    let printed = hq(&["crossing-points", "sample"]);
    assert!(printed.status.success());
    let file = t.path().join("points.json");
    std::fs::write(&file, &printed.stdout).unwrap();
    let published = hq(&["--json", "crossing-points", "publish", file.to_str().unwrap()]);
    assert!(published.status.success(), "{}", String::from_utf8_lossy(&published.stderr));
    let v: serde_json::Value = serde_json::from_slice(&published.stdout).unwrap();
    assert_eq!((v["sequence"].as_u64(), v["points"].as_u64()), (Some(2), Some(sample().points.len() as u64)));
    let shown = String::from_utf8(hq(&["crossing-points", "show"]).stdout).unwrap();
    assert!(shown.contains("crossing points 2 (0 days old)") && shown.contains("Irkeshtam"), "{shown}");

    // A point without its Kyrgyz name: refused with the point named, nothing published.
    let mut bad: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    bad["points"][1]["name"].as_object_mut().unwrap().remove("ky");
    std::fs::write(&file, bad.to_string()).unwrap();
    let refused = hq(&["crossing-points", "publish", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("OSH-AIRPORT") && err.contains("ky"), "{err}");
    let shown = String::from_utf8(hq(&["crossing-points", "show"]).stdout).unwrap();
    assert!(shown.contains("crossing points 2 "), "{shown}");
}
