//! Headquarters down (issue 16 item 6): a sync gives up at once when the
//! connection is refused or the name does not resolve, retries only what
//! may pass on its own (timeouts, a cut connection, 5xx, 429) a bounded
//! number of times, says so in one plain sentence, and loses nothing: the
//! outbox stays as it was and the next sync sends it. The assertions count
//! attempts (headquarters' fakes count the requests they saw), never time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use homeward_core::certificate::{CertificateCases, CertificateEvent, DeviceProfile};
use homeward_core::events::Role;
use homeward_core::sync::{NetworkFailure, RetryPolicy, SyncError};
use homeward_core::vault::{Secret, Vault};

mod common;
use common::{options, request, Server};

const PASS: &str = "correct horse battery staple";

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A loopback port that is bound (so nothing else can take it) but not
/// listening: a connect to it is refused, as to a headquarters that is down.
fn closed_port() -> (tokio::net::TcpSocket, SocketAddr) {
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = s.local_addr().unwrap();
    (s, addr)
}

fn device(dir: &Path, server: &Server) -> Vault {
    let mut v = Vault::create(dir, &Secret::new(PASS), None, options()).unwrap();
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    homeward_core::sync::enroll(&mut v, &server.url, &code, "unreachable").unwrap();
    v
}

/// `cases` new cases, each created and submitted: two events each.
fn make_cases(v: &mut Vault, cases: usize) {
    let me = DeviceProfile::load(v).unwrap().identity().unwrap();
    for _ in 0..cases {
        let c = CertificateCases::new(v).create(&me, request("IST"), now_ms()).unwrap().case_id;
        CertificateCases::new(v).record(&me, &c, CertificateEvent::Submitted, now_ms()).unwrap();
    }
}

fn point_at(v: &mut Vault, url: &str) {
    let mut p = DeviceProfile::load(v).unwrap();
    p.server_url = Some(url.to_string());
    p.save(v).unwrap();
}

fn outbox(v: &mut Vault) -> Vec<String> {
    CertificateCases::new(v).outbox().unwrap().into_iter().map(|e| e.id).collect()
}

fn sync(v: &mut Vault, policy: RetryPolicy) -> Result<homeward_core::sync::SyncReport, SyncError> {
    homeward_core::sync::sync(v, policy, &|_| {}, &AtomicBool::new(false))
}

#[test]
fn a_refused_connection_gives_up_at_the_first_attempt_in_one_sentence_and_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server);
    make_cases(&mut v, 3);
    let before = outbox(&mut v);
    assert_eq!(before.len(), 6);

    // The default policy, as the CLI and the app use it.
    let (_held, down) = closed_port();
    point_at(&mut v, &format!("http://{down}"));
    let started = std::time::Instant::now();
    let e = sync(&mut v, RetryPolicy::default()).unwrap_err();
    let took = started.elapsed();
    match &e {
        SyncError::Network { failure, attempts } => {
            assert_eq!(*failure, NetworkFailure::Refused, "{e}");
            assert_eq!(*attempts, 1, "a refused connection is not retried: {e}");
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    let text = e.to_string();
    assert!(!text.contains("os error") && !text.contains("error sending request") && !text.contains("tcp connect"));
    assert!(!text.contains('\n'), "one sentence: {text}");
    assert!(text.contains("not answering") && text.contains("nothing was lost"), "{text}");
    eprintln!("refused: gave up after {took:?}: {text}");

    // Nothing lost: the same outbox, and the next sync (headquarters back) sends it.
    assert_eq!(outbox(&mut v), before);
    point_at(&mut v, &server.url);
    let r = sync(&mut v, RetryPolicy::default()).unwrap();
    assert_eq!(r.accepted, 6);
    assert_eq!(r.retries, 0);
    assert!(outbox(&mut v).is_empty());
}

#[test]
fn an_unknown_name_gives_up_at_the_first_attempt() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server);
    make_cases(&mut v, 1);
    // `.invalid` never resolves (RFC 6761), with or without a resolver.
    let mut p = DeviceProfile::load(&v).unwrap();
    p.server_url = Some("https://headquarters.homeward.invalid".into());
    p.public_pki = Some(true);
    p.save(&mut v).unwrap();
    let e = sync(&mut v, RetryPolicy::default()).unwrap_err();
    assert!(matches!(e, SyncError::Network { failure: NetworkFailure::UnknownHost, attempts: 1 }), "{e:?}: {e}");
    assert_eq!(outbox(&mut v).len(), 2);
}

#[test]
fn headquarters_stopped_in_the_middle_of_a_sync_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let hq_dir = t.path().join("hq");
    let server = Server::start(&hq_dir);
    let database_url = server.database_url.clone();
    let mut v = device(&t.path().join("ist"), &server);
    make_cases(&mut v, 150); // 300 events: two batches of 200 and 100
    let all = outbox(&mut v);

    // After the first batch is in, headquarters really stops (its listener
    // closes); the second batch then meets a refused connection.
    let server = std::cell::RefCell::new(Some(server));
    let progress = |p: &homeward_core::sync::SyncProgress| {
        if p.events_sent >= 200 {
            drop(server.borrow_mut().take());
        }
    };
    let e = homeward_core::sync::sync(&mut v, RetryPolicy::default(), &progress, &AtomicBool::new(false)).unwrap_err();
    assert!(server.borrow().is_none(), "headquarters was stopped mid-way");
    match e {
        // The client may hold a kept-alive connection that headquarters
        // closed as it stopped: one cut, retried, then the refusal.
        SyncError::Network { failure: NetworkFailure::Refused, attempts } => assert!(attempts <= 2, "{attempts}"),
        other => panic!("expected a refused connection, got {other:?}"),
    }
    // The first batch is acknowledged, the rest is still to send: nothing lost.
    let left = outbox(&mut v);
    assert_eq!(left.len(), 100);
    assert_eq!(left[..], all[200..]);

    // Headquarters back on the same data (on a new port: a test cannot
    // hold its old one race-free): the next sync sends the rest, once.
    let server = Server::start_on(&hq_dir, database_url);
    point_at(&mut v, &server.url);
    let r = sync(&mut v, RetryPolicy::default()).unwrap();
    assert_eq!(r.accepted + r.duplicates, 100);
    assert!(outbox(&mut v).is_empty());
    let hq = server.admin();
    let cases: std::collections::BTreeSet<_> =
        CertificateCases::new(&mut v).list().unwrap().into_iter().map(|s| s.case_id).collect();
    assert_eq!(cases.len(), 150);
    for c in &cases {
        assert_eq!(hq.db.case_events(c).unwrap().len(), 2, "created and submitted, once each");
    }
}

/// A fake headquarters on loopback that answers every request the same
/// way, on a connection of its own, and counts the requests.
struct Fake {
    url: String,
    requests: Arc<AtomicU32>,
}

#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    /// Read the request, then close without answering.
    Cut,
    /// Read the request, then say nothing (until the client gives up).
    Silence,
}

impl Fake {
    fn start(answer: Answer) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicU32::new(0));
        let count = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let count = count.clone();
                std::thread::spawn(move || {
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    // The request's head is enough: /v1/time has no body.
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                    match answer {
                        Answer::Status(s) => {
                            let _ = write!(conn, "HTTP/1.1 {s} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                        }
                        Answer::Cut => {}
                        Answer::Silence => {
                            let _ = conn.read(&mut buf); // until the client closes
                        }
                    }
                });
            }
        });
        Fake { url, requests }
    }
}

#[test]
fn only_timeouts_cuts_5xx_and_429_are_retried_and_only_as_often_as_the_policy_says() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server);
    make_cases(&mut v, 1);
    let policy = RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(5),
        cap: Duration::from_millis(20),
        timeout: Duration::from_millis(500),
    };
    for (answer, expected) in [
        (Answer::Status(503), NetworkFailure::ServerError(503)),
        (Answer::Status(500), NetworkFailure::ServerError(500)),
        (Answer::Status(429), NetworkFailure::Busy),
        (Answer::Cut, NetworkFailure::Interrupted),
        (Answer::Silence, NetworkFailure::TimedOut),
    ] {
        let fake = Fake::start(answer);
        point_at(&mut v, &fake.url);
        let e = sync(&mut v, policy).unwrap_err();
        match &e {
            SyncError::Network { failure, attempts } => {
                assert_eq!(*failure, expected, "{e}");
                assert_eq!(*attempts, 3, "{e}");
            }
            other => panic!("{expected:?}: expected a network error, got {other:?}"),
        }
        assert_eq!(fake.requests.load(Ordering::SeqCst), 3, "{expected:?}: headquarters saw every attempt");
        assert!(!e.to_string().contains('\n'));
        assert_eq!(outbox(&mut v).len(), 2, "{expected:?}: nothing lost");
    }
    // A 4xx refusal is an answer, not a fault of the link: never retried.
    let fake = Fake::start(Answer::Status(404));
    point_at(&mut v, &fake.url);
    let e = sync(&mut v, policy).unwrap_err();
    assert!(matches!(e, SyncError::Refused { status: 404, .. }), "{e:?}");
    assert_eq!(fake.requests.load(Ordering::SeqCst), 1);

    point_at(&mut v, &server.url);
    assert_eq!(sync(&mut v, policy).unwrap().accepted, 2);
}
