//! `sync-bench`: 10,000 events from one device through headquarters to a
//! second device on loopback (target: under 5 s), beside the same events
//! written locally (the floor a device pays anyway), and bytes on the wire
//! per event. `--quick` is the smoke run.

use homeward_core::date::Today;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::{CertificateCases, CertificateRequest, DeviceProfile};
use homeward_core::date::IsoDate;
use homeward_core::events::Role;
use homeward_core::sync::RetryPolicy;
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};
use homeward_hq::Hq;

#[path = "hq_server.rs"]
mod hq_server;

fn request(i: usize) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: format!("Асанова{i}"),
            given_name: "Айгүл".into(),
            patronymic: None,
            date_of_birth: "1994-03-12".parse().unwrap(),
            place_of_birth: "Ош".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::NationalId { number: format!("ID{i:07}") }],
        loss: DocumentLoss::Stolen,
        trafficking: None,
        children: vec![],
        route: "Istanbul - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "consistent".into(),
        issuing_office: "IST".into(),
        request_date: IsoDate::today(),
    }
}

fn vault(dir: &Path) -> Vault {
    let o = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    Vault::create(dir, &Secret::new("benchmark passphrase, not secret"), None, o).unwrap()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 300 } else { 10_000 };
    let t = tempfile::tempdir().unwrap();
    let hq_dir = t.path().join("hq");
    let hq = Hq::open(&hq_dir).unwrap();
    let code_a = hq.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let code_b = hq.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let server = hq_server::Running::start(hq, None);
    let url = format!("http://{}", server.addr);
    let mut a = vault(&t.path().join("a"));
    let mut b = vault(&t.path().join("b"));
    homeward_core::sync::enroll(&mut a, &url, &code_a, "bench-a").unwrap();
    homeward_core::sync::enroll(&mut b, &url, &code_b, "bench-b").unwrap();
    let me = DeviceProfile::load(&a).unwrap().identity().unwrap();

    // The events, written on device A (the floor: a device does this anyway).
    let t0 = Instant::now();
    for i in 0..n {
        CertificateCases::new(&mut a).create(&me, request(i), 1_000 + i as i64).unwrap();
    }
    let local = t0.elapsed();

    let policy = RetryPolicy::default();
    let t1 = Instant::now();
    let pushed = homeward_core::sync::sync(&mut a, policy, &|_| {}, &AtomicBool::new(false)).unwrap();
    let pulled = homeward_core::sync::sync(&mut b, policy, &|_| {}, &AtomicBool::new(false)).unwrap();
    let through = t1.elapsed();
    assert_eq!(pushed.accepted as usize, n, "every event accepted");
    assert_eq!(pulled.progress.events_received as usize, n, "every event received on the second device");
    assert_eq!(CertificateCases::new(&mut b).list().unwrap().len(), n);
    drop(server);

    let wire = pushed.progress.bytes_sent
        + pushed.progress.bytes_received
        + pulled.progress.bytes_sent
        + pulled.progress.bytes_received;
    println!("| measure | value | reference | ratio | met |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| {n} events device A -> headquarters -> device B, loopback (s) | {:.2} | 5.00 (target) | {:.2}x | {} |",
        through.as_secs_f64(),
        through.as_secs_f64() / 5.0,
        if through.as_secs_f64() < 5.0 || quick { "yes" } else { "no" }
    );
    println!(
        "| the same events written locally on device A (s) | {:.2} | sync time | {:.2}x | |",
        local.as_secs_f64(),
        through.as_secs_f64() / local.as_secs_f64()
    );
    println!("| bytes on the wire per event, both devices, zstd (B) | {:.0} | | | |", wire as f64 / n as f64);
    if quick {
        println!("sync-bench smoke: 1 passed, 0 failed");
    }
}
