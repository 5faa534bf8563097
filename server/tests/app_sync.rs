//! A sync as the app runs it, through the bindings, against a real
//! headquarters behind a loopback proxy that stalls on demand: the officer's
//! calls (screening steps, status, lock) answer while the sync waits on the
//! network, `cancel()` stops a stalled sync or enrolment at once, and
//! nothing is sent twice or lost when a stalled sync is cancelled and run again.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use homeward_core::events::Role;
use homeward_ffi::screening::{AnswerInput, AnswerKind, Language, NewScreeningInput, SubjectInput};
use homeward_ffi::sync::SyncReportView;
use homeward_ffi::vault::{HomewardVault, VaultSettings};
use homeward_ffi::HomewardError;

mod common;
use common::Server;

const PASS: &str = "correct horse battery staple";

/// A TCP proxy on loopback in front of headquarters. While `stall` is set,
/// a request that starts with `stall_on` is held (not forwarded) until it
/// is cleared: a link that has gone quiet in the middle of a sync.
struct StallingProxy {
    url: String,
    stall: Arc<AtomicBool>,
    /// Requests being held right now.
    held: Arc<AtomicUsize>,
}

impl StallingProxy {
    fn start(upstream: std::net::SocketAddr, stall_on: &'static str) -> StallingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stall = Arc::new(AtomicBool::new(false));
        let held = Arc::new(AtomicUsize::new(0));
        let (s, h) = (stall.clone(), held.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(upstream) else { continue };
                let (s, h) = (s.clone(), h.clone());
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                thread::spawn(move || pump(client, server, Some((s, h, stall_on))));
                thread::spawn(move || pump(s2, c2, None));
            }
        });
        StallingProxy { url, stall, held }
    }

    /// Waits until a request is held (the sync is waiting on the network).
    fn wait_until_held(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.held.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "no request reached the stalled link");
            thread::sleep(Duration::from_millis(10));
        }
    }
}

type Gate = (Arc<AtomicBool>, Arc<AtomicUsize>, &'static str);

/// Copies `from` to `to`; with a gate, holds each chunk that starts a
/// matching request while the gate is closed.
fn pump(mut from: TcpStream, mut to: TcpStream, gate: Option<Gate>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some((stall, held, prefix)) = &gate {
            if buf[..n].starts_with(prefix.as_bytes()) && stall.load(Ordering::SeqCst) {
                held.fetch_add(1, Ordering::SeqCst);
                while stall.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(10));
                }
                held.fetch_sub(1, Ordering::SeqCst);
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

fn light() -> VaultSettings {
    VaultSettings { kdf_memory_mib: 19, kdf_passes: 2, max_attempts: 5, unlock_delay_ms: 0 }
}

fn enrolled_device(t: &tempfile::TempDir, server: &Server, url: &str) -> Arc<HomewardVault> {
    let v = HomewardVault::create(t.path().join("phone").display().to_string(), PASS.into(), light(), None).unwrap();
    let code = server.admin().enrollment_code("OSH", Role::BorderGuard, 15).unwrap();
    v.sync_service().enroll(url.into(), code, "app-sync test".into(), None).unwrap();
    v
}

/// A screening finished to its outcome: one report in the outbox.
fn finished_screening(v: &HomewardVault) -> String {
    let s = v
        .start_screening(NewScreeningInput {
            crossing_point: "OSH-AIRPORT".into(),
            officer: None,
            language: Language::En,
            screening_date: None,
        })
        .unwrap();
    s.answer("date_of_birth".into(), AnswerInput::Date { date: "1990-04-02".into() }).unwrap();
    s.answer("documents".into(), AnswerInput::Choice { option_id: "held_by_other".into() }).unwrap();
    while let Some(q) = s.next_question().unwrap() {
        match q.kind {
            AnswerKind::YesNo => s.answer_text(q.id, "n".into()).map(|_| ()),
            _ => s.skip(q.id).map(|_| ()),
        }
        .unwrap();
    }
    s.set_subject(SubjectInput { refused: true, ..Default::default() }).unwrap();
    s.finalise().unwrap();
    s.id()
}

/// Runs `f` on another thread and waits at most `limit` for it: a call
/// stuck behind the stalled sync fails the test instead of hanging it.
fn within<T: Send + 'static>(limit: Duration, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).unwrap_or_else(|_| panic!("{what} waited behind the stalled sync"))
}

fn sync_in_background(v: &Arc<HomewardVault>) -> mpsc::Receiver<Result<SyncReportView, HomewardError>> {
    let (tx, rx) = mpsc::channel();
    let sync = v.sync_service();
    thread::spawn(move || {
        let _ = tx.send(sync.sync(None));
    });
    rx
}

#[test]
fn the_officer_works_on_while_a_sync_waits_on_a_stalled_link() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let proxy = StallingProxy::start(server.addr, "POST /v1/events");
    let v = enrolled_device(&t, &server, &proxy.url);
    finished_screening(&v);

    proxy.stall.store(true, Ordering::SeqCst);
    let done = sync_in_background(&v);
    proxy.wait_until_held();

    // The push is stalled, the vault is free: a whole screening, the state
    // calls and a second sync's refusal all answer while it waits. (The
    // link stays stalled until they are done, so they cannot have waited.)
    let app = v.clone();
    let during = within(Duration::from_secs(20), "a screening", move || {
        let id = finished_screening(&app);
        let status = app.status().unwrap();
        assert!(status.unlocked && app.is_unlocked());
        let second = app.sync_service().sync(None);
        assert!(matches!(second, Err(HomewardError::NotAllowed { .. })), "{second:?}");
        id
    });
    assert!(proxy.held.load(Ordering::SeqCst) > 0, "the sync was still waiting on the link");
    assert!(done.try_recv().is_err(), "the sync had not finished");

    proxy.stall.store(false, Ordering::SeqCst);
    let first = done.recv_timeout(Duration::from_secs(60)).unwrap().unwrap();
    // The outbox was read before the stall: the screening made during the
    // sync goes at the next one, exactly once.
    assert_eq!((first.accepted, first.duplicates), (1, 0), "{first:?}");
    let second = v.sync_service().sync(None).unwrap();
    assert_eq!((second.accepted, second.duplicates), (1, 0), "{second:?} (the one made during the sync: {during})");
    let third = v.sync_service().sync(None).unwrap();
    assert_eq!((third.accepted, third.duplicates), (0, 0), "{third:?}");
}

#[test]
fn cancel_and_lock_stop_a_stalled_sync_at_once_and_nothing_is_lost() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let proxy = StallingProxy::start(server.addr, "POST /v1/events");
    let v = enrolled_device(&t, &server, &proxy.url);
    finished_screening(&v);
    proxy.stall.store(true, Ordering::SeqCst);

    // Cancel, while the request is stalled (not between steps).
    let done = sync_in_background(&v);
    proxy.wait_until_held();
    v.sync_service().cancel();
    let r = done.recv_timeout(Duration::from_secs(10)).expect("cancel stopped the stalled sync");
    assert!(matches!(r, Err(HomewardError::Cancelled { .. })), "{r:?}");

    // Lock, from onStop: it returns at once and stops the sync too.
    let done = sync_in_background(&v);
    proxy.wait_until_held();
    let app = v.clone();
    within(Duration::from_secs(5), "lock", move || app.lock());
    assert!(!v.is_unlocked());
    let r = done.recv_timeout(Duration::from_secs(10)).expect("lock stopped the stalled sync");
    assert!(matches!(r, Err(HomewardError::Locked { .. })), "{r:?}");
    assert!(matches!(v.status(), Ok(s) if !s.unlocked));

    // Back on a good link: the report goes once.
    proxy.stall.store(false, Ordering::SeqCst);
    v.unlock(PASS.into()).unwrap();
    let r = v.sync_service().sync(None).unwrap();
    assert_eq!(r.accepted + r.duplicates, 1, "{r:?}");
    assert_eq!(v.sync_service().sync(None).unwrap().accepted, 0);
}

#[test]
fn an_enrolment_to_a_silent_host_is_cancelled_at_once_and_blocks_nothing() {
    let t = tempfile::tempdir().unwrap();
    // A host that accepts the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let v = HomewardVault::create(t.path().join("phone").display().to_string(), PASS.into(), light(), None).unwrap();
    let (tx, rx) = mpsc::channel();
    let sync = v.sync_service();
    thread::spawn(move || {
        let _ = tx.send(sync.enroll(url, "CODE".into(), "x".into(), None));
    });
    let _connection = silent.accept().unwrap();

    let app = v.clone();
    within(Duration::from_secs(20), "a screening step", move || {
        finished_screening(&app);
        assert!(app.status().unwrap().unlocked);
    });
    v.sync_service().cancel();
    let r = rx.recv_timeout(Duration::from_secs(10)).expect("cancel stopped the enrolment");
    assert!(matches!(r, Err(HomewardError::Cancelled { .. })), "{r:?}");
    // Nothing was stored: the device is still not enrolled.
    assert!(!v.certificates().device_info().unwrap().enrolled);
}

#[test]
fn an_enrolled_device_is_told_so() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let v = enrolled_device(&t, &server, &server.url);
    let code = server.admin().enrollment_code("OSH", Role::BorderGuard, 15).unwrap();
    let again = v.sync_service().enroll(server.url.clone(), code, "again".into(), None);
    assert!(matches!(again, Err(HomewardError::AlreadyEnrolled { .. })), "{again:?}");
}
