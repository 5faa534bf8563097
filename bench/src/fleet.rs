//! `fleet-bench`: 500 devices syncing at once against one headquarters on
//! this 2-core machine (target: p99 under 250 ms, zero errors), SQLite and
//! PostgreSQL side by side. Each device signs its own requests (RFC 9421
//! profile) and, at the same start signal, pushes a new case (two events)
//! and pulls its office's events. PostgreSQL runs when
//! `HOMEWARD_BENCH_POSTGRES` names a server (scripts/bench starts one).
//! `--quick` is the smoke run (50 devices).

use homeward_core::date::Today;
use homeward_core::random::OsRng;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::{CertificateEvent, CertificateRequest};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Event, Hlc, Role};
use homeward_core::sync::httpsig;
use homeward_core::sync::protocol::{EnrollRequest, PushRequest, PushResponse, PushStatus};
use homeward_hq::Hq;

#[path = "hq_server.rs"]
mod hq_server;

fn request(office: &str, i: usize) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: format!("Исаева{i}"),
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

struct Outcome {
    latencies_ms: Vec<f64>,
    errors: usize,
    wall: Duration,
}

fn run(devices: usize, database_url: Option<&str>, spread: Duration) -> Outcome {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq");
    // Enrol every device first (not measured).
    let admin = Hq::open_with(&dir, database_url).unwrap();
    let mut fleet = Vec::with_capacity(devices);
    for i in 0..devices {
        let office = format!("P{:02}", i % 50);
        let code = admin.enrollment_code(&office, Role::ConsularOfficer, 15).unwrap();
        let key = DeviceIdentity::generate("pending", Role::ConsularOfficer, "", &mut OsRng);
        let resp = admin
            .enroll(&EnrollRequest { code, public_key: hex::encode(key.public_key()), label: format!("sim-{i}") })
            .unwrap();
        fleet.push((key.renamed(&resp.device_id, resp.role, &resp.office), resp.office));
    }
    // Every device has synced once since the last enrolment: it asks only for
    // newer lists and identities, and events after its cursor (here: all of its office's).
    let lists = admin.lists().unwrap().0.map(|t| t.body.sequence).unwrap_or(0);
    let query = format!("after=0&limit=200&lists={lists}&ids={}", now_ms());
    let fleet: Vec<_> = fleet.into_iter().map(|(k, o)| (k, o, query.clone())).collect();
    drop(admin);
    let hq = Hq::open_with(&dir, database_url).unwrap();
    let server = hq_server::Running::start(hq, None);
    let url = format!("http://{}", server.addr);
    // What each request signs as `@authority` (the Host it is sent with).
    let authority = server.addr.to_string();
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let barrier = Arc::new(Barrier::new(devices + 1));
    let results = Arc::new(Mutex::new(Outcome { latencies_ms: Vec::new(), errors: 0, wall: Duration::ZERO }));
    let mut threads = Vec::new();
    for (i, (me, office, q)) in fleet.into_iter().enumerate() {
        let (client, url, barrier, results) = (client.clone(), url.clone(), barrier.clone(), results.clone());
        let authority = authority.clone();
        threads.push(std::thread::spawn(move || {
            let created = Event::new(
                &me,
                &uuid::Uuid::new_v4().to_string(),
                None,
                Hlc { wall_ms: now_ms(), counter: 0 },
                CertificateEvent::Created { request: Box::new(request(&office, i)) },
                &mut OsRng,
            );
            let submitted = Event::new(
                &me,
                &created.case_id,
                Some(created.id.clone()),
                Hlc { wall_ms: now_ms(), counter: 1 },
                CertificateEvent::Submitted,
                &mut OsRng,
            );
            let raw =
                serde_json::to_vec(&PushRequest { events: vec![created, submitted], screenings: vec![] }).unwrap();
            let body = zstd::encode_all(raw.as_slice(), 3).unwrap();
            barrier.wait();
            // Start offsets spread evenly over `spread` (zero: all at once).
            std::thread::sleep(spread.mul_f64(i as f64 / devices as f64));
            let mut mine = Vec::new();
            let mut errors = 0;
            // Push.
            let t0 = Instant::now();
            let h = httpsig::sign(&me, "POST", &authority, "/v1/events", "", &body, now_ms() / 1000, &mut OsRng);
            let ok = client
                .post(format!("{url}/v1/events"))
                .header("content-encoding", "zstd")
                .header("content-digest", h.content_digest)
                .header("signature-input", h.signature_input)
                .header("signature", h.signature)
                .header("idempotency-key", format!("fleet-{i}"))
                .body(body)
                .send()
                .ok()
                .filter(|r| r.status().is_success())
                .and_then(|r| r.bytes().ok())
                .and_then(|b| serde_json::from_slice::<PushResponse>(&b).ok())
                .is_some_and(|r| r.results.iter().all(|x| x.status == PushStatus::Accepted));
            mine.push(t0.elapsed().as_secs_f64() * 1000.0);
            errors += usize::from(!ok);
            // Pull.
            let t1 = Instant::now();
            let h = httpsig::sign(&me, "GET", &authority, "/v1/events", &q, b"", now_ms() / 1000, &mut OsRng);
            let ok = client
                .get(format!("{url}/v1/events?{q}"))
                .header("content-digest", h.content_digest)
                .header("signature-input", h.signature_input)
                .header("signature", h.signature)
                .send()
                .is_ok_and(|r| r.status().is_success() && r.bytes().is_ok());
            mine.push(t1.elapsed().as_secs_f64() * 1000.0);
            errors += usize::from(!ok);
            let mut r = results.lock().unwrap();
            r.latencies_ms.extend(mine);
            r.errors += errors;
        }));
    }
    barrier.wait();
    let start = Instant::now();
    for t in threads {
        t.join().unwrap();
    }
    let wall = start.elapsed();
    drop(server);
    let mut out = Arc::try_unwrap(results).ok().unwrap().into_inner().unwrap();
    out.wall = wall;
    out.latencies_ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

/// Bytes of a consulate device's first pull when `devices` are enrolled (50
/// consulates and their border posts), with the identities it carries now
/// (headquarters and the signers of its page) and with the list of every
/// device that earlier releases sent, rebuilt here from the same database.
struct FirstPull {
    identities_before: usize,
    identities_after: usize,
    bytes_before: usize,
    bytes_after: usize,
}

fn first_pull(devices: usize) -> FirstPull {
    use homeward_core::certificate::trust::sign_list;
    use homeward_core::events::identity::PublicIdentity;
    use homeward_core::sync::protocol::IDENTITY_DOMAIN;
    use homeward_hq::db::{DeviceRow, Enrolment};
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("hq");
    let admin = Hq::open(&dir).unwrap();
    // Enrolled straight into the database (not measured; one list publication at the end).
    let mut ours = Vec::new();
    for i in 0..devices {
        let (office, role) = match i % 5 {
            4 => (format!("B{:02}", i % 50), Role::BorderGuard),
            _ => (format!("P{:02}", i % 50), Role::ConsularOfficer),
        };
        let key = DeviceIdentity::generate("pending", role, "", &mut OsRng);
        let pk = hex::encode(key.public_key());
        let code = format!("bench-code-{i}");
        admin.db.add_code(&code, &office, role, now_ms() + 600_000).unwrap();
        let make = |office: &str, role: Role, device_no: u16| DeviceRow {
            id: format!("{}-{device_no:03}-{}", office.to_lowercase(), &pk[..8]),
            office: office.to_string(),
            role,
            device_no,
            public_key: pk.clone(),
            label: format!("sim-{i}"),
            enrolled_ms: now_ms(),
            revoked: false,
            wipe: false,
            last_seen_ms: None,
        };
        let Enrolment::Enrolled(row) = admin.db.enroll_device(&code, &pk, now_ms(), &make, "00").unwrap() else {
            panic!("enrolled");
        };
        if row.office == "P00" && ours.len() < 11 {
            ours.push((key.renamed(&row.id, role, &row.office), row));
        }
    }
    admin.publish_lists().unwrap();
    // Up to ten of the office's other devices have each opened a case.
    for (i, (me, row)) in ours.iter().skip(1).enumerate() {
        let created = Event::new(
            me,
            &uuid::Uuid::new_v4().to_string(),
            None,
            Hlc { wall_ms: now_ms(), counter: 0 },
            CertificateEvent::Created { request: Box::new(request("P00", i)) },
            &mut OsRng,
        );
        let r = admin.accept_batch(row, &[created]).unwrap();
        assert!(r.iter().all(|x| x.status == PushStatus::Accepted));
    }
    let all: Vec<_> = admin
        .db
        .devices()
        .unwrap()
        .into_iter()
        .map(|d| {
            let p = PublicIdentity { device_id: d.id, role: d.role, office: d.office, public_key: d.public_key };
            serde_json::to_value(sign_list(IDENTITY_DOMAIN, &p, &admin.identity)).unwrap()
        })
        .collect();
    let hq_own = serde_json::to_value(admin.identities_for_enrolment()).unwrap();
    drop(admin);
    let server = hq_server::Running::start(Hq::open(&dir).unwrap(), None);
    let authority = server.addr.to_string();
    let me = &ours[0].0;
    let q = "after=0&limit=200";
    let h = httpsig::sign(me, "GET", &authority, "/v1/events", q, b"", now_ms() / 1000, &mut OsRng);
    let body = reqwest::blocking::Client::new()
        .get(format!("http://{authority}/v1/events?{q}"))
        .header("content-digest", h.content_digest)
        .header("signature-input", h.signature_input)
        .header("signature", h.signature)
        .send()
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .unwrap();
    let mut page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["events"].as_array().map(Vec::len), Some(ours.len() - 1), "one case per colleague");
    let identities_after = page["identities"].as_array().map(Vec::len).unwrap_or(0);
    // Before: headquarters' identity and every device's.
    let mut before = hq_own.as_array().unwrap().clone();
    before.extend(all);
    let identities_before = before.len();
    page["identities"] = serde_json::Value::Array(before);
    FirstPull {
        identities_before,
        identities_after,
        bytes_before: serde_json::to_vec(&page).unwrap().len(),
        bytes_after: body.len(),
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)]
}

/// A fresh database on the PostgreSQL server the environment names.
fn fresh_postgres() -> Option<String> {
    let admin = std::env::var("HOMEWARD_BENCH_POSTGRES").ok().filter(|s| !s.is_empty())?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the PostgreSQL server answers");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    Some(format!("{admin} dbname={name}"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let devices = if quick { 50 } else { 500 };
    println!("| backend | devices | start | requests | throughput (req/s) | p50 (ms) | p99 (ms) | errors | p99 vs 250 ms target | met |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---|");
    let mut backends: Vec<(&str, bool)> = vec![("SQLite (embedded)", false)];
    match std::env::var("HOMEWARD_BENCH_POSTGRES").ok().filter(|s| !s.is_empty()) {
        Some(_) => backends.push(("PostgreSQL", true)),
        None => println!("| PostgreSQL | skipped: set HOMEWARD_BENCH_POSTGRES (scripts/bench does) | | | | | | | | |"),
    }
    let spreads = [
        (Duration::ZERO, "all in the same instant"),
        (Duration::from_secs(if quick { 1 } else { 10 }), "spread over 10 s"),
    ];
    for ((name, url), (spread, how)) in backends.iter().flat_map(|b| spreads.iter().map(move |s| (*b, *s))) {
        // A fresh database for each run.
        let url = if url { fresh_postgres() } else { None };
        let o = run(devices, url.as_deref(), spread);
        let (p50, p99) = (pct(&o.latencies_ms, 0.50), pct(&o.latencies_ms, 0.99));
        println!(
            "| {name} | {devices} | {how} | {} | {:.0} | {p50:.1} | {p99:.1} | {} | {:.2}x | {} |",
            o.latencies_ms.len(),
            o.latencies_ms.len() as f64 / o.wall.as_secs_f64(),
            o.errors,
            p99 / 250.0,
            if p99 < 250.0 && o.errors == 0 { "yes" } else { "no" }
        );
        assert_eq!(o.errors, 0, "{name}: every request answered");
    }
    // Least data in a pull: what a consulate's first pull carries.
    let n = if quick { 500 } else { 10_000 };
    let f = first_pull(n);
    println!();
    println!("| first pull of a consulate device | enrolled devices | identities | bytes |");
    println!("|---|---:|---:|---:|");
    println!("| every device's identity (before) | {n} | {} | {} |", f.identities_before, f.bytes_before);
    println!("| only the signers it needs (now) | {n} | {} | {} |", f.identities_after, f.bytes_after);
    println!("| ratio now / before | | | {:.3} |", f.bytes_after as f64 / f.bytes_before as f64);
    assert!(f.identities_after <= 11, "headquarters and the page's ten signers at most: {}", f.identities_after);
    if quick {
        println!("fleet-bench smoke: 1 passed, 0 failed");
    }
}
