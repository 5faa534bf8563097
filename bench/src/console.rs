//! console-bench: the staff console's pages at ministry scale, over HTTPS
//! through the real router with a signed-in session, on SQLite and (when
//! `HOMEWARD_BENCH_POSTGRES` names a server) PostgreSQL: the review queue
//! and a case view at 100,000 cases, the audit filter at 1,000,000 entries,
//! the statistics page at 1,000,000 screenings. Each page's p99 is printed
//! beside the 100 ms target as a ratio. Seeding writes signed events and
//! chained audit entries straight into the database (as sync would, minus
//! the network), then the read models catch up once; the pages measured
//! are then what a person waits for.
//!
//! `--quick` is the smoke run (2,000 cases, 20,000 entries and screenings).

use homeward_core::date::Today;
use homeward_core::random::OsRng;
use std::time::{Duration, Instant};

use homeward_core::audit::{AuditAction, AuditEntry, AuditFact, Subject, SubjectKind};
use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex, TraffickingFlag};
use homeward_core::certificate::{CertificateEvent, CertificateRequest};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Event, Hlc, Role};
use homeward_core::screening::ScreeningReport;
use homeward_core::screening::{ScreeningEvent, Verdict};
use homeward_hq::console::{index, session, staff, ConsoleConfig};
use homeward_hq::db::DeviceRow;
use homeward_hq::Hq;

const OFFICES: [&str; 6] = ["MOW", "SVX", "OVB", "ALA", "IST", "DXB"];
const CROSSINGS: [&str; 6] = ["MANAS", "OSH-AIRPORT", "AK-JOL", "DOSTUK", "TORUGART", "IRKESHTAM"];

fn fresh_postgres() -> Option<String> {
    let admin = std::env::var("HOMEWARD_BENCH_POSTGRES").ok().filter(|s| !s.is_empty())?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the PostgreSQL server answers");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    Some(format!("{admin} dbname={name}"))
}

fn device(hq: &Hq, id: &str, office: &str, role: Role, no: u16) -> DeviceIdentity {
    let identity = DeviceIdentity::generate(id, role, office, &mut OsRng);
    hq.db
        .add_device(&DeviceRow {
            id: id.into(),
            office: office.into(),
            role,
            device_no: no,
            public_key: hex::encode(identity.public_key()),
            label: "bench".into(),
            enrolled_ms: 0,
            revoked: false,
            wipe: false,
            last_seen_ms: None,
        })
        .unwrap();
    identity
}

fn request(i: usize, office: &str) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: format!("Фамилия{i}"),
            given_name: "Имя".into(),
            patronymic: None,
            date_of_birth: IsoDate::from_ymd(1970 + (i % 40) as i32, 1 + (i % 12) as u8, 1 + (i % 28) as u8).unwrap(),
            place_of_birth: "Ош".into(),
            sex: if i % 10 < 7 { Sex::M } else { Sex::F },
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::VerificationRequested],
        loss: DocumentLoss::Lost,
        trafficking: i.is_multiple_of(25).then_some(TraffickingFlag { screening_id: None, note: None }),
        children: vec![],
        route: "- Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "bench".into(),
        issuing_office: office.into(),
        request_date: IsoDate::today(),
    }
}

/// What seeding made, for the requests.
struct Seeded {
    case_ids: Vec<String>,
    actors: Vec<String>,
    subjects: Vec<String>,
}

fn seed(hq: &Hq, cases: usize, entries: usize, screenings: usize) -> Seeded {
    let now = homeward_hq::hq::now_ms();
    let consulates: Vec<DeviceIdentity> = OFFICES
        .iter()
        .enumerate()
        .map(|(i, o)| device(hq, &format!("{}-01-bench", o.to_lowercase()), o, Role::ConsularOfficer, (i + 1) as u16))
        .collect();
    let border = device(hq, "manas-01-bench", "MANAS", Role::BorderGuard, 1);
    hq.publish_lists().unwrap();
    let mut case_ids = Vec::with_capacity(cases);
    let mut batch = Vec::with_capacity(2000);
    for i in 0..cases {
        let office = OFFICES[i % OFFICES.len()];
        let id = &consulates[i % OFFICES.len()];
        let case = uuid::Uuid::new_v4().to_string();
        // Spread over a year, oldest first.
        let t = now - ((cases - i) as i64 * 365 * 86_400_000 / cases as i64);
        let created = Event::new(
            id,
            &case,
            None,
            Hlc { wall_ms: t, counter: 0 },
            CertificateEvent::Created { request: Box::new(request(i, office)) },
            &mut OsRng,
        );
        let submitted = Event::new(
            id,
            &case,
            Some(created.id.clone()),
            Hlc { wall_ms: t + 60_000, counter: 0 },
            CertificateEvent::Submitted,
            &mut OsRng,
        );
        batch.push((created, office.to_string()));
        batch.push((submitted, office.to_string()));
        case_ids.push(case);
        if batch.len() >= 2000 {
            hq.db.insert_events(&batch, now).unwrap();
            batch.clear();
        }
    }
    hq.db.insert_events(&batch, now).unwrap();

    // Audit: 50 chains (devices and headquarters' operators), chained and signed.
    let chains = 50;
    let actors: Vec<String> = (0..40).map(|i| format!("officer-{i:02}")).collect();
    let subjects: Vec<String> = (0..2000).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let actions =
        [AuditAction::View, AuditAction::Search, AuditAction::Create, AuditAction::Change, AuditAction::Export];
    for c in 0..chains {
        let office = OFFICES[c % OFFICES.len()];
        let dev = device(
            hq,
            &format!("{}-{:02}-audit", office.to_lowercase(), c + 10),
            office,
            Role::ConsularOfficer,
            (c + 10) as u16,
        );
        hq.db.set_audit_key(dev.device_id(), &hex::encode(dev.public_key())).unwrap();
        let n = entries / chains;
        let (mut seq, mut hash) = (0u64, homeward_core::audit::GENESIS_HASH.to_string());
        let mut out = Vec::with_capacity(5000);
        for k in 0..n {
            let mut fact = AuditFact::new(
                actions[k % actions.len()],
                Subject::new(SubjectKind::CertificateCase, &subjects[(k * 7 + c) % subjects.len()]),
            );
            fact.actor = Some(actors[(k + c) % actors.len()].clone());
            fact.role = Some(Role::ConsularOfficer);
            if k % actions.len() == 0 {
                fact.justification = Some("identity check".into());
            }
            let at = now - ((n - k) as i64 * 365 * 86_400_000 / n as i64);
            let e = AuditEntry::next_by_identity(seq, &hash, &dev, at, fact).unwrap();
            seq = e.seq;
            hash = e.hash();
            out.push(e);
            if out.len() == 5000 {
                hq.db.append_audit(dev.device_id(), &out, now).unwrap();
                out.clear();
            }
        }
        hq.db.append_audit(dev.device_id(), &out, now).unwrap();
    }

    // Screenings: by crossing point, a year of months, DOMAIN.md's proportions (most without indicators).
    let mut out = Vec::with_capacity(5000);
    for i in 0..screenings {
        let verdict = match i % 100 {
            0..=2 => Verdict::PresumedVictim,
            3..=11 => Verdict::FurtherInterview,
            _ => Verdict::NoIndicators,
        };
        let day = IsoDate::from_ymd(2026, 1 + (i % 12) as u8, 1 + (i % 28) as u8).unwrap();
        let r = ScreeningReport {
            template_id: "kg-border-screening".into(),
            template_version: 1,
            crossing_point: CROSSINGS[i % CROSSINGS.len()].into(),
            screening_date: day,
            verdict,
            child: i % 17 == 0,
            act: vec![],
            means: vec![],
            purpose: vec![],
            control: vec![],
            child_signs: vec![],
            exploitation: if verdict == Verdict::PresumedVictim {
                vec![if i % 3 == 0 {
                    homeward_core::screening::template::Exploitation::SexualExploitation
                } else {
                    homeward_core::screening::template::Exploitation::ForcedLabour
                }]
            } else {
                vec![]
            },
            shelter_requested: false,
            left_for_private: vec![],
        };
        let e = Event::new(
            &border,
            &uuid::Uuid::new_v4().to_string(),
            None,
            Hlc { wall_ms: now, counter: 0 },
            ScreeningEvent::Finalised { r },
            &mut OsRng,
        );
        out.push((e, "MANAS".to_string()));
        if out.len() == 5000 {
            hq.db.insert_screenings(&out, now).unwrap();
            out.clear();
        }
    }
    hq.db.insert_screenings(&out, now).unwrap();
    Seeded { case_ids, actors, subjects }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)]
}

fn run(backend: &str, database_url: Option<&str>, cases: usize, entries: usize, screenings: usize, requests: usize) {
    let dir = tempfile::tempdir().unwrap();
    let hq = std::sync::Arc::new(Hq::open_with(dir.path(), database_url).unwrap());
    homeward_hq::console::schema::migrate(&hq.db).unwrap();
    let t0 = Instant::now();
    let s = seed(&hq, cases, entries, screenings);
    let seeding = t0.elapsed();
    let t1 = Instant::now();
    index::catch_up(&hq).unwrap();
    let catch_up = t1.elapsed();
    eprintln!(
        "{backend}: seeded in {:.0} s, read models caught up in {:.0} s",
        seeding.as_secs_f64(),
        catch_up.as_secs_f64()
    );

    let now = homeward_hq::hq::now_ms();
    let mut tokens = std::collections::HashMap::new();
    for role in staff::StaffRole::ALL {
        let created = staff::add(
            &hq.db,
            staff::NewStaff {
                username: role.code(),
                display_name: role.code(),
                role,
                password: Some("a bench password of length"),
                language: "ru",
                created_by: "bench",
            },
            now,
        )
        .unwrap();
        let token = session::create(
            &hq.db,
            &created.id,
            session::Stage::Full,
            "127.0.0.1",
            "bench",
            now,
            session::Timeouts { idle_ms: 3_600_000, absolute_ms: 3_600_000 },
        )
        .unwrap();
        tokens.insert(role, token);
    }
    let files = homeward_hq::tls::issue_server_certificate(dir.path(), &["127.0.0.1".into()]).unwrap();
    let acceptor = homeward_hq::tls::acceptor(&files.cert, &files.key).unwrap();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let hq2 = hq.clone();
    let server = std::thread::spawn(move || {
        tokio::runtime::Runtime::new().unwrap().block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(l.local_addr().unwrap()).unwrap();
            homeward_hq::serve_console(hq2, ConsoleConfig::default(), l, acceptor, async move {
                let _ = stop_rx.await;
            })
            .await
            .unwrap();
        })
    });
    let base = format!("https://{}", addr_rx.recv().unwrap());
    let client = reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let get = |role: staff::StaffRole, path: &str| -> f64 {
        let t = Instant::now();
        let r = client
            .get(format!("{base}{path}"))
            .header("cookie", format!("__Host-hw_session={}", tokens[&role]))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        let body = r.text().unwrap();
        assert!(body.len() > 1000, "{path}: a whole page");
        t.elapsed().as_secs_f64() * 1000.0
    };
    type PathOf<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let pages: Vec<(&str, staff::StaffRole, PathOf<'_>)> = vec![
        (
            "review queue (filters, pages)",
            staff::StaffRole::Reviewer,
            Box::new(|i: usize| match i % 4 {
                0 => "/console/queue".to_string(),
                1 => format!("/console/queue?office={}", OFFICES[i % 6]),
                2 => "/console/queue?victim=yes&age=30".to_string(),
                _ => format!("/console/queue?after={}:{}", homeward_hq::hq::now_ms() - 200 * 86_400_000, "0"),
            }),
        ),
        (
            "case view",
            staff::StaffRole::Reviewer,
            Box::new(|i: usize| format!("/console/cases/{}", s.case_ids[(i * 7919) % s.case_ids.len()])),
        ),
        (
            "audit filter",
            staff::StaffRole::Auditor,
            Box::new(|i: usize| match i % 4 {
                0 => format!("/console/audit?actor={}", s.actors[i % s.actors.len()]),
                1 => format!("/console/audit?action=view&office={}", OFFICES[i % 6]),
                2 => format!("/console/audit?record={}", s.subjects[i % s.subjects.len()]),
                _ => "/console/audit?from=2026-03-01&to=2026-03-31&source=devices".to_string(),
            }),
        ),
        (
            "statistics",
            staff::StaffRole::Analyst,
            Box::new(|i: usize| match i % 3 {
                0 => "/console/statistics".to_string(),
                1 => format!("/console/statistics?crossing={}", CROSSINGS[i % 6]),
                _ => "/console/statistics?from=2026-03&to=2026-09".to_string(),
            }),
        ),
    ];
    let sizes = [("cases", cases), ("cases", cases), ("audit entries", entries), ("screenings", screenings)];
    for ((name, role, path), (what, n)) in pages.iter().zip(sizes) {
        for i in 0..3 {
            get(*role, &path(i)); // warm up
        }
        let mut ms: Vec<f64> = (0..requests).map(|i| get(*role, &path(i))).collect();
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let (p50, p99) = (pct(&ms, 0.5), pct(&ms, 0.99));
        println!(
            "| {backend} | {name} | {n} {what} | {requests} | {p50:.1} | {p99:.1} | {:.2}x | {} |",
            p99 / 100.0,
            if p99 < 100.0 { "yes" } else { "no" }
        );
    }
    println!(
        "| {backend} | (setup) seeding / read-model catch-up | | | {:.0} s / {:.0} s | | | |",
        seeding.as_secs_f64(),
        catch_up.as_secs_f64()
    );
    let _ = stop_tx.send(());
    let _ = server.join();
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, entries, screenings, requests) =
        if quick { (2_000, 20_000, 20_000, 20) } else { (100_000, 1_000_000, 1_000_000, 200) };
    println!("| backend | page | data | requests | p50 (ms) | p99 (ms) | p99 vs 100 ms target | met |");
    println!("|---|---|---|---:|---:|---:|---:|---|");
    run("SQLite", None, cases, entries, screenings, requests);
    match fresh_postgres() {
        Some(url) => run("PostgreSQL", Some(&url), cases, entries, screenings, requests),
        None => println!("| PostgreSQL | skipped: set HOMEWARD_BENCH_POSTGRES (scripts/bench does) | | | | | | |"),
    }
    if quick {
        println!("console-bench smoke: 1 passed, 0 failed");
    }
}
