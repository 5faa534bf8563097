//! `appends-bench`: event appends from 50 offices at once on PostgreSQL,
//! with the old design's one global advisory lock and with the per-office
//! log rows that replaced it (docs/SCALING.md). Both runs use the same
//! build and the same SQL; "before" only adds the global lock back
//! (`Db::set_global_append_lock`), so the ratio isolates the lock. Each
//! office has its own thread and connection and appends batches of two
//! events (a new case: the request and its first step), one transaction
//! each, the shape of a device's push. PostgreSQL runs when
//! `HOMEWARD_BENCH_POSTGRES` names a server (scripts/bench starts one).
//! `--quick` is the smoke run (fewer appends, answers checked).

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::{CertificateEvent, CertificateRequest};
use homeward_core::date::{IsoDate, Today};
use homeward_core::events::{DeviceIdentity, Event, Hlc, Role};
use homeward_core::random::OsRng;
use homeward_hq::db::Db;

const OFFICES: usize = 50;

fn request(office: &str) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: "Исаева".into(),
            given_name: "Гүлнара".into(),
            patronymic: None,
            date_of_birth: "1991-01-01".parse().unwrap(),
            place_of_birth: "Талас".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::VerificationRequested],
        loss: DocumentLoss::Lost,
        trafficking: None,
        children: vec![],
        route: "Moscow - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "consistent".into(),
        issuing_office: office.into(),
        request_date: IsoDate::today(),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn fresh_database(admin: &str) -> String {
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut c = postgres::Client::connect(admin, postgres::NoTls).expect("the PostgreSQL server answers");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    format!("{admin} dbname={name}")
}

/// One transaction's events, each with its office.
type Batch = Vec<(Event<CertificateEvent>, String)>;

/// Batches of two events per office, signed before the clock starts.
fn batches(per_office: usize) -> Vec<(String, Vec<Batch>)> {
    (0..OFFICES)
        .map(|o| {
            let office = format!("OFF{o:02}");
            let id = DeviceIdentity::generate(
                &format!("{}-01-bench", office.to_lowercase()),
                Role::ConsularOfficer,
                &office,
                &mut OsRng,
            );
            let b = (0..per_office)
                .map(|_| {
                    let case = uuid::Uuid::new_v4().to_string();
                    let hlc = Hlc { wall_ms: now_ms(), counter: 0 };
                    let created = Event::new(
                        &id,
                        &case,
                        None,
                        hlc,
                        CertificateEvent::Created { request: Box::new(request(&office)) },
                        &mut OsRng,
                    );
                    let step = Event::new(
                        &id,
                        &case,
                        Some(created.id.clone()),
                        Hlc { wall_ms: hlc.wall_ms, counter: 1 },
                        CertificateEvent::Submitted,
                        &mut OsRng,
                    );
                    vec![(created, office.clone()), (step, office.clone())]
                })
                .collect();
            (office, b)
        })
        .collect()
}

struct Run {
    wall: Duration,
    appends: usize,
    p50_ms: f64,
    p99_ms: f64,
}

fn run(admin: &str, global_lock: bool, per_office: usize) -> Run {
    let db = Arc::new(Db::open_postgres(&fresh_database(admin), OFFICES).expect("PostgreSQL opens"));
    // Appends seal their bodies as headquarters' do (issue 16 item 4).
    db.use_key(&homeward_hq::at_rest::DataKey::generate()).expect("the key is set");
    db.set_global_append_lock(global_lock);
    let work = batches(per_office);
    let start = Arc::new(Barrier::new(OFFICES + 1));
    let threads: Vec<_> = work
        .into_iter()
        .map(|(_, batches)| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                batches
                    .iter()
                    .map(|b| {
                        let t = Instant::now();
                        assert!(db.insert_events(b, now_ms()).expect("append"), "no author is revoked");
                        t.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect::<Vec<f64>>()
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    let mut lat: Vec<f64> = threads.into_iter().flat_map(|h| h.join().expect("appender")).collect();
    let wall = t.elapsed();
    // The answers: every event stored once, each office's numbers in its order.
    for o in 0..OFFICES {
        let office = format!("OFF{o:02}");
        let got = db.events_after(&office, 0, usize::MAX >> 1).expect("read back");
        assert_eq!(got.len(), per_office * 2, "{office}: every event stored once");
        assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "{office}: positions rise");
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    Run { wall, appends: lat.len(), p50_ms: pick(0.5), p99_ms: pick(0.99) }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let per_office = if quick { 10 } else { 100 };
    let Some(admin) = std::env::var("HOMEWARD_BENCH_POSTGRES").ok().filter(|s| !s.is_empty()) else {
        println!("appends-bench: skipped: set HOMEWARD_BENCH_POSTGRES (scripts/bench does)");
        return;
    };
    println!("| design | offices | appends (2 events each) | wall (s) | appends/s | p50 (ms) | p99 (ms) |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut rates = Vec::new();
    for (name, global) in [("before: one global advisory lock", true), ("after: a row lock per office", false)] {
        let r = run(&admin, global, per_office);
        let rate = r.appends as f64 / r.wall.as_secs_f64();
        rates.push(rate);
        println!(
            "| {name} | {OFFICES} | {} | {:.2} | {rate:.0} | {:.1} | {:.1} |",
            r.appends,
            r.wall.as_secs_f64(),
            r.p50_ms,
            r.p99_ms
        );
    }
    println!();
    println!("throughput after/before: {:.2}x", rates[1] / rates[0]);
    if quick {
        println!("appends-bench smoke: 1 passed, 0 failed");
    }
}
