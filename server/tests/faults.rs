//! Exactly once under faults: devices sync through a TCP proxy that drops
//! connections, cuts responses after the server has acted, and delays; the
//! server is restarted mid-sync. After the faults, every event is held once
//! at headquarters and the device's view equals headquarters'.

use homeward_core::date::Today;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::{CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile};
use homeward_core::date::IsoDate;
use homeward_core::events::Role;
use homeward_core::sync::{RetryPolicy, SyncError};
use homeward_core::vault::{Clock, KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};

mod common;
use common::Server;

/// A proxy that misbehaves on purpose, deterministically (seeded).
struct Proxy {
    addr: SocketAddr,
    target: Arc<Mutex<SocketAddr>>,
    faults: Arc<AtomicBool>,
    injected: Arc<AtomicU64>,
}

fn next(state: &AtomicU64) -> u64 {
    let mut x = state.load(Ordering::SeqCst);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.store(x, Ordering::SeqCst);
    x
}

impl Proxy {
    fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let target = Arc::new(Mutex::new(target));
        let faults = Arc::new(AtomicBool::new(true));
        let injected = Arc::new(AtomicU64::new(0));
        let rng = Arc::new(AtomicU64::new(0x2545_F491_4F6C_DD1D));
        let (t, f, inj) = (target.clone(), faults.clone(), injected.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let target = *t.lock().unwrap();
                let Ok(server) = TcpStream::connect(target) else { continue };
                // Each direction rolls the dice on every chunk it forwards,
                // so keep-alive connections see faults on every request.
                for (from, to) in [(client.try_clone(), server.try_clone()), (server.try_clone(), client.try_clone())] {
                    let (Ok(from), Ok(to)) = (from, to) else { continue };
                    let (rng, f, inj) = (rng.clone(), f.clone(), inj.clone());
                    std::thread::spawn(move || pump(from, to, &rng, &f, &inj));
                }
            }
        });
        Proxy { addr, target, faults, injected }
    }
}

/// Forwards one direction. On each chunk, while faults are on: 1 in 8 the
/// connection is cut (a request lost, or an answer lost after the server
/// acted), 1 in 8 the chunk is delayed.
fn pump(mut from: TcpStream, mut to: TcpStream, rng: &AtomicU64, faults: &AtomicBool, injected: &AtomicU64) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if faults.load(Ordering::SeqCst) {
            match next(rng) % 8 {
                0 => {
                    injected.fetch_add(1, Ordering::SeqCst);
                    // Pass part of the chunk, then cut: a truncated message.
                    let _ = to.write_all(&buf[..n / 2]);
                    break;
                }
                1 => std::thread::sleep(Duration::from_millis(100)),
                _ => {}
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

fn request() -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: "Токтогулов".into(),
            given_name: "Нурлан".into(),
            patronymic: None,
            date_of_birth: "1990-01-01".parse().unwrap(),
            place_of_birth: "Нарын".into(),
            sex: Sex::M,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::VerificationRequested],
        loss: DocumentLoss::HeldByEmployer,
        trafficking: None,
        children: vec![],
        route: "Moscow - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "ok".into(),
        issuing_office: "MOW".into(),
        request_date: IsoDate::today(),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Syncs until a sync completes; faults may make single attempts fail.
fn sync_until_done(v: &mut Vault) -> u32 {
    sync_until_done_at(v, Arc::new(homeward_core::vault::SystemClock))
}

/// The same, on a device clock that may be wrong.
fn sync_until_done_at(v: &mut Vault, clock: Arc<dyn Clock>) -> u32 {
    let policy = RetryPolicy {
        attempts: 4,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(80),
        timeout: Duration::from_secs(5),
    };
    for round in 1..=40 {
        match homeward_core::sync::sync_with_clock(v, policy, &|_| {}, &AtomicBool::new(false), clock.clone()) {
            Ok(_) => return round,
            Err(SyncError::Network { .. }) | Err(SyncError::BadResponse(_)) => continue,
            Err(e) => panic!("unexpected sync error: {e}"),
        }
    }
    panic!("sync never completed through the faults");
}

#[test]
fn every_event_arrives_exactly_once_through_drops_cuts_and_a_restart() {
    let t = tempfile::tempdir().unwrap();
    let hq_dir: PathBuf = t.path().join("hq");
    let mut server = Server::start(&hq_dir);
    let proxy = Proxy::start(server.addr);
    let url = format!("http://{}", proxy.addr);

    let options = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    let mut v =
        Vault::create(&t.path().join("mow"), &Secret::new("correct horse battery staple"), None, options).unwrap();
    let code = server.admin().enrollment_code("MOW", Role::ConsularOfficer, 15).unwrap();
    // Enrolment itself is retried by hand through the faults.
    let mut enrolled = false;
    for _ in 0..40 {
        if homeward_core::sync::enroll(&mut v, &url, &code, "faults").is_ok() {
            enrolled = true;
            break;
        }
        // A cut answer may have used the code: make a new one.
        let c2 = server.admin().enrollment_code("MOW", Role::ConsularOfficer, 15).unwrap();
        if homeward_core::sync::enroll(&mut v, &url, &c2, "faults").is_ok() {
            enrolled = true;
            break;
        }
    }
    assert!(enrolled, "could not enrol through the faults");
    let me = DeviceProfile::load(&v).unwrap().identity().unwrap();

    // The officer syncs after every case, as on a field device.
    let mut cases = Vec::new();
    let mut rounds = 0;
    for _ in 0..25 {
        let case = CertificateCases::new(&mut v).create(&me, request(), now_ms()).unwrap().case_id;
        CertificateCases::new(&mut v).record(&me, &case, CertificateEvent::Submitted, now_ms()).unwrap();
        cases.push(case);
        rounds += sync_until_done(&mut v);
    }
    assert!(CertificateCases::new(&mut v).outbox().unwrap().is_empty());

    // Headquarters restarts (same data), then decides on every case.
    let database_url = server.database_url.clone();
    drop(server);
    server = Server::start_on(&hq_dir, database_url);
    *proxy.target.lock().unwrap() = server.addr;
    let hq = server.admin();
    for c in &cases {
        hq.decide(c, CertificateEvent::IdentityVerified { note: "ok".into() }).unwrap();
    }
    sync_until_done(&mut v);

    // Exactly once: every event at headquarters once, and the device agrees.
    proxy.faults.store(false, Ordering::SeqCst);
    sync_until_done(&mut v);
    assert!(proxy.injected.load(Ordering::SeqCst) > 5, "the proxy injected too few faults to mean anything");
    let keys = hq.key_ring().unwrap();
    for c in &cases {
        let at_hq = hq.db.case_events(c).unwrap();
        assert_eq!(at_hq.len(), 3, "case {c}: created, submitted, identity verified, each once");
        let mut ids: Vec<_> = at_hq.iter().map(|e| e.id.clone()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3);
        let hq_view = homeward_core::certificate::fold(c, &at_hq, &keys);
        let device_view = CertificateCases::new(&mut v).view(c).unwrap();
        assert_eq!(hq_view.history, device_view.history, "case {c}");
    }
    eprintln!("converged after {rounds} sync rounds, {} faults injected", proxy.injected.load(Ordering::SeqCst));
}

/// A device clock off by a fixed amount.
struct Skewed(i64);

impl Clock for Skewed {
    fn now_unix_ms(&self) -> i64 {
        now_ms() + self.0
    }
}

const DAY: i64 = 86_400_000;

#[test]
fn devices_with_clocks_a_day_off_either_way_converge_through_faults() {
    use homeward_core::certificate::{verify, RequestState, VerifyContext};
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let proxy = Proxy::start(server.addr);
    let via_proxy = format!("http://{}", proxy.addr);
    let options = || VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    // Enrolled on a good line, then working through the bad one.
    let enrolled = |name: &str, office: &str, role: Role| {
        let mut v =
            Vault::create(&t.path().join(name), &Secret::new("correct horse battery staple"), None, options()).unwrap();
        let code = server.admin().enrollment_code(office, role, 15).unwrap();
        homeward_core::sync::enroll(&mut v, &server.url, &code, name).unwrap();
        let mut p = DeviceProfile::load(&v).unwrap();
        p.server_url = Some(via_proxy.clone());
        p.save(&mut v).unwrap();
        v
    };
    let mut behind = enrolled("behind", "MOW", Role::ConsularOfficer);
    let mut ahead = enrolled("ahead", "MOW", Role::ConsularOfficer);
    let mut guard = enrolled("guard", "MANAS", Role::BorderGuard);
    let (slow, fast): (Arc<dyn Clock>, Arc<dyn Clock>) = (Arc::new(Skewed(-DAY)), Arc::new(Skewed(DAY)));
    let who = |v: &Vault| DeviceProfile::load(v).unwrap().identity().unwrap();

    // The consulate whose clock is a day behind takes the requests.
    let me = who(&behind);
    let mut cases = Vec::new();
    for _ in 0..6 {
        let c = CertificateCases::new(&mut behind).create(&me, request(), slow.now_unix_ms()).unwrap().case_id;
        CertificateCases::new(&mut behind).record(&me, &c, CertificateEvent::Submitted, slow.now_unix_ms()).unwrap();
        cases.push(c);
        sync_until_done_at(&mut behind, slow.clone());
    }
    let hq = server.admin();
    for c in &cases {
        hq.decide(c, CertificateEvent::IdentityVerified { note: "ok".into() }).unwrap();
        hq.decide(c, CertificateEvent::Approved { validity_days: 30 }).unwrap();
    }
    // The consulate whose clock is a day ahead issues them.
    sync_until_done_at(&mut ahead, fast.clone());
    let officer = who(&ahead);
    let mut barcodes = Vec::new();
    for c in &cases {
        let view =
            CertificateCases::new(&mut ahead).issue(&officer, c, None, IsoDate::today(), fast.now_unix_ms()).unwrap();
        barcodes.push(view.certificate.unwrap().barcode);
        sync_until_done_at(&mut ahead, fast.clone());
    }
    // The border post, also a day ahead, verifies offline and records entries.
    sync_until_done_at(&mut guard, fast.clone());
    let g = who(&guard);
    for b in &barcodes {
        let profile = DeviceProfile::load(&guard).unwrap();
        let used = |_: &str| None;
        let ctx = VerifyContext {
            store: &profile.trust,
            now_ms: fast.now_unix_ms(),
            today: IsoDate::today(),
            used: &used,
            photo: None,
        };
        let ok = verify(b, &ctx).unwrap();
        CertificateCases::new(&mut guard).enter(&g, &ok, "MANAS", IsoDate::today(), fast.now_unix_ms()).unwrap();
        sync_until_done_at(&mut guard, fast.clone());
    }

    // Faults stop; every device syncs once more, and all agree with headquarters.
    proxy.faults.store(false, Ordering::SeqCst);
    sync_until_done_at(&mut guard, fast.clone());
    sync_until_done_at(&mut behind, slow.clone());
    sync_until_done_at(&mut ahead, fast.clone());
    let injected = proxy.injected.load(Ordering::SeqCst);
    assert!(injected > 3, "too few faults to mean anything: {injected}");
    let keys = hq.key_ring().unwrap();
    for c in &cases {
        let at_hq = hq.db.case_events(c).unwrap();
        assert_eq!(at_hq.len(), 6, "created, submitted, verified, approved, issued, entered: each once");
        let hq_view = homeward_core::certificate::fold(c, &at_hq, &keys);
        assert_eq!(hq_view.state, Some(RequestState::Entered));
        for v in [&mut behind, &mut ahead] {
            let view = CertificateCases::new(v).view(c).unwrap();
            assert_eq!(view.history, hq_view.history, "case {c}");
            assert_eq!(CertificateCases::new(v).events(c).unwrap().len(), 6, "nothing duplicated on the device");
        }
    }
}

#[test]
fn a_server_restarted_in_the_middle_of_a_sync_loses_and_duplicates_nothing() {
    let t = tempfile::tempdir().unwrap();
    let hq_dir: PathBuf = t.path().join("hq");
    let server = Server::start(&hq_dir);
    let database_url = server.database_url.clone();
    let proxy = Proxy::start(server.addr);
    proxy.faults.store(false, Ordering::SeqCst);
    let options = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    let mut v =
        Vault::create(&t.path().join("mow"), &Secret::new("correct horse battery staple"), None, options).unwrap();
    let code = server.admin().enrollment_code("MOW", Role::ConsularOfficer, 15).unwrap();
    homeward_core::sync::enroll(&mut v, &server.url, &code, "restart").unwrap();
    let mut p = DeviceProfile::load(&v).unwrap();
    p.server_url = Some(format!("http://{}", proxy.addr));
    p.save(&mut v).unwrap();
    let me = p.identity().unwrap();
    let mut cases = Vec::new();
    for _ in 0..250 {
        let c = CertificateCases::new(&mut v).create(&me, request(), now_ms()).unwrap().case_id;
        CertificateCases::new(&mut v).record(&me, &c, CertificateEvent::Submitted, now_ms()).unwrap();
        cases.push(c);
    }
    // The sync runs on its own thread; after its first batch is in,
    // headquarters stops and starts again on the same data.
    let (first_batch, restarted) = (std::sync::mpsc::channel::<()>(), std::sync::mpsc::channel::<()>());
    let (tx_first, rx_first) = first_batch;
    let (tx_restarted, rx_restarted) = restarted;
    let syncing = std::thread::spawn(move || {
        let policy = RetryPolicy {
            attempts: 8,
            base: Duration::from_millis(20),
            cap: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
        };
        let signalled = std::sync::atomic::AtomicBool::new(false);
        let progress = |p: &homeward_core::sync::SyncProgress| {
            if p.events_sent >= 200 && !signalled.swap(true, Ordering::SeqCst) {
                tx_first.send(()).unwrap();
                // Hold the sync here until the server is down and up again.
                rx_restarted.recv().unwrap();
            }
        };
        let r = homeward_core::sync::sync(&mut v, policy, &progress, &AtomicBool::new(false));
        (v, r)
    });
    rx_first.recv().unwrap();
    drop(server);
    let server = Server::start_on(&hq_dir, database_url);
    *proxy.target.lock().unwrap() = server.addr;
    tx_restarted.send(()).unwrap();
    let (mut v, r) = syncing.join().unwrap();
    let r = r.expect("the sync finishes across the restart");
    assert_eq!(r.accepted + r.duplicates, 500);
    sync_until_done(&mut v);
    assert!(CertificateCases::new(&mut v).outbox().unwrap().is_empty());
    let hq = server.admin();
    let keys = hq.key_ring().unwrap();
    for c in &cases {
        let held = hq.db.case_events(c).unwrap();
        assert_eq!(held.len(), 2, "created and submitted, once each");
        let hq_view = homeward_core::certificate::fold(c, &held, &keys);
        assert_eq!(hq_view.history, CertificateCases::new(&mut v).view(c).unwrap().history);
    }
}
