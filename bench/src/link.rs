//! `link-bench`: screenings over the wire, as a border post sends them.
//!
//! 1. Bytes on the wire per finalised screening (target: under 1 KiB after
//!    compression and encryption): everything the TCP connection carries
//!    (TLS handshake, headers, bodies both ways), counted by a proxy, for a
//!    sync of one screening, of many, and of none (the fixed cost of a sync).
//! 2. 1,000 screenings over an emulated EDGE link (target: under 60 s): a
//!    user-space proxy (the kernel here has no netem) shapes each direction to
//!    200 kbit/s, adds 150 ms each way (300 ms round trip), and holds back 1%
//!    of 1460-byte segments for a retransmission timeout (600 ms), delivering
//!    in order as TCP does, so a "lost" segment delays everything behind it.
//!
//! `--quick` is the smoke run (few screenings, shortened link delays).

use homeward_core::date::Today;
use homeward_core::screening::ScreeningRecordId;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use homeward_core::date::IsoDate;
use homeward_core::events::Role;
use homeward_core::screening::{default_checklist, AnswerValue, Lang, NewScreening, ScreeningRecords, YesNo};
use homeward_core::sync::RetryPolicy;
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};
use homeward_hq::Hq;

#[path = "hq_server.rs"]
mod hq_server;

/// How the proxy treats the link.
#[derive(Clone, Copy)]
struct Shape {
    /// bits per second each way (0: unlimited)
    rate_bps: u64,
    one_way: Duration,
    loss_per_mille: u64,
    rto: Duration,
}

const CLEAR: Shape = Shape { rate_bps: 0, one_way: Duration::ZERO, loss_per_mille: 0, rto: Duration::ZERO };

struct Proxy {
    addr: SocketAddr,
    bytes: Arc<AtomicU64>,
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

impl Proxy {
    fn start(target: SocketAddr, shape: Shape) -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let bytes = Arc::new(AtomicU64::new(0));
        let counted = bytes.clone();
        std::thread::spawn(move || {
            let mut seed = 0x9E37_79B9_7F4A_7C15u64;
            for c in l.incoming() {
                let Ok(c) = c else { continue };
                let Ok(s) = TcpStream::connect(target) else { continue };
                let _ = (c.set_nodelay(true), s.set_nodelay(true));
                for (from, to) in
                    [(c.try_clone().unwrap(), s.try_clone().unwrap()), (s.try_clone().unwrap(), c.try_clone().unwrap())]
                {
                    seed = seed.wrapping_add(0x1234_5678_9ABC_DEF1);
                    let (counted, seed) = (counted.clone(), seed);
                    std::thread::spawn(move || shape_one_way(from, to, shape, &counted, seed));
                }
            }
        });
        Proxy { addr, bytes }
    }
}

/// One direction: a reader stamps each segment with its delivery time
/// (serialisation at the link rate, propagation, and 1% held for a
/// retransmission), a writer delivers in order at those times.
fn shape_one_way(mut from: TcpStream, to: TcpStream, shape: Shape, counted: &AtomicU64, mut seed: u64) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = std::thread::spawn(move || {
        let mut to = to;
        for (at, seg) in rx {
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            if to.write_all(&seg).is_err() {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
    let mut buf = [0u8; 16 * 1024];
    let mut line_free = Instant::now();
    let mut last_delivery = Instant::now();
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        counted.fetch_add(n as u64, Ordering::Relaxed);
        for seg in buf[..n].chunks(1460) {
            let now = Instant::now();
            let start = line_free.max(now);
            // 40 bytes of TCP/IP header per segment travel too; rate 0 is unlimited.
            let on_wire = Duration::from_nanos(
                ((seg.len() as u64 + 40) * 8 * 1_000_000_000).checked_div(shape.rate_bps).unwrap_or(0),
            );
            line_free = start + on_wire;
            let mut at = line_free + shape.one_way;
            if shape.loss_per_mille > 0 && xorshift(&mut seed) % 1000 < shape.loss_per_mille {
                at += shape.rto;
            }
            last_delivery = last_delivery.max(at);
            if tx.send((last_delivery, seg.to_vec())).is_err() {
                break;
            }
        }
    }
    drop(tx);
    let _ = writer.join();
}

fn vault(dir: &std::path::Path) -> Vault {
    let o = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    Vault::create(dir, &Secret::new("benchmark passphrase, not secret"), None, o).unwrap()
}

/// Finalises `n` screenings of a realistic mix (a third with no indicators,
/// a third for a further interview, a third presumed victims).
fn screen(v: &mut Vault, n: usize) {
    let c = default_checklist();
    let yes = || AnswerValue::YesNo(YesNo::Yes);
    for i in 0..n {
        let mut book = ScreeningRecords::new(v, &c);
        let s = book
            .start(NewScreening {
                crossing_point: "DOSTUK".into(),
                officer: None,
                language: Lang::Ru,
                screening_date: IsoDate::today(),
                now_unix_ms: 1_780_000_000_000 + i as i64,
            })
            .unwrap();
        let id = s.record_id().unwrap();
        book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
        book.answer(id, "date_of_birth", AnswerValue::Date("1990-04-02".parse().unwrap())).unwrap();
        book.answer(id, "documents", AnswerValue::Choice(if i % 3 == 2 { "held_by_other" } else { "own" }.into()))
            .unwrap();
        if i % 3 >= 1 {
            book.answer(id, "recruited", yes()).unwrap();
        }
        if i % 3 == 2 {
            book.answer(id, "deceived", yes()).unwrap();
            book.answer(id, "forced_labour", yes()).unwrap();
        }
        book.finalise(id, 1_780_000_000_000 + i as i64).unwrap();
    }
}

struct Site {
    _dir: tempfile::TempDir,
    url: String,
    ca: String,
    _server: hq_server::Running,
    hq_dir: std::path::PathBuf,
}

/// Headquarters over TLS, reached through a proxy shaped as `shape`.
fn site(shape: Shape) -> (Site, Proxy) {
    let dir = tempfile::tempdir().unwrap();
    let hq_dir = dir.path().join("hq");
    let hq = Hq::open(&hq_dir).unwrap();
    let files = homeward_hq::tls::issue_server_certificate(&hq_dir, &["127.0.0.1".into()]).unwrap();
    let acceptor = homeward_hq::tls::acceptor(&files.cert, &files.key).unwrap();
    let ca = std::fs::read_to_string(&files.ca).unwrap();
    let server = hq_server::Running::start(hq, Some(acceptor));
    let proxy = Proxy::start(server.addr, shape);
    let url = format!("https://{}", proxy.addr);
    (Site { _dir: dir, url, ca, _server: server, hq_dir }, proxy)
}

fn guard(site: &Site, dir: &std::path::Path) -> Vault {
    let mut v = vault(dir);
    let code = Hq::open(&site.hq_dir).unwrap().enrollment_code("OSH", Role::BorderGuard, 15).unwrap();
    homeward_core::sync::enroll_pinned(&mut v, &site.url, &code, "bench", Some(&site.ca)).unwrap();
    v
}

/// Bytes through the proxy for one sync.
fn sync_bytes(v: &mut Vault, proxy: &Proxy) -> (u64, homeward_core::sync::SyncReport, Duration) {
    let before = proxy.bytes.load(Ordering::SeqCst);
    let t = Instant::now();
    let policy = RetryPolicy { timeout: Duration::from_secs(120), ..RetryPolicy::default() };
    let r = homeward_core::sync::sync(v, policy, &|_| {}, &AtomicBool::new(false)).unwrap();
    let took = t.elapsed();
    // The proxy counts as it forwards: let the last bytes land.
    std::thread::sleep(Duration::from_millis(50));
    (proxy.bytes.load(Ordering::SeqCst) - before, r, took)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let batch = if quick { 30 } else { 1000 };
    println!("| measure | value | reference | ratio | met |");
    println!("|---|---:|---:|---:|---|");

    // 1. Bytes per finalised screening, over TLS, everything on the wire.
    let (site1, proxy) = site(CLEAR);
    let t = tempfile::tempdir().unwrap();
    let mut v = guard(&site1, &t.path().join("g"));
    let (empty, _, _) = sync_bytes(&mut v, &proxy);
    screen(&mut v, 1);
    let (one, r, _) = sync_bytes(&mut v, &proxy);
    assert_eq!(r.accepted, 1);
    screen(&mut v, batch);
    let (many, r, _) = sync_bytes(&mut v, &proxy);
    assert_eq!(r.accepted as usize, batch, "every screening accepted");
    let marginal_one = one.saturating_sub(empty);
    let marginal_many = many.saturating_sub(empty) as f64 / batch as f64;
    println!(
        "| bytes on the wire for a sync with nothing to send (TLS handshake, time, pull, audit) | {empty} | | | |"
    );
    println!(
        "| bytes per finalised screening, one per sync, beyond that fixed cost (B) | {marginal_one} | 1024 (target) | {:.2}x | {} |",
        marginal_one as f64 / 1024.0,
        if marginal_one < 1024 { "yes" } else { "no" }
    );
    println!(
        "| bytes per finalised screening, {batch} in one sync, all costs included (B) | {:.0} | 1024 (target) | {:.2}x | {} |",
        many as f64 / batch as f64,
        many as f64 / batch as f64 / 1024.0,
        if (many as f64 / batch as f64) < 1024.0 { "yes" } else { "no" }
    );
    println!("| bytes per screening, {batch} in one sync, beyond the fixed cost (B) | {marginal_many:.0} | | | |");
    drop(site1);

    // 2. Screenings over EDGE.
    let edge = if quick {
        Shape {
            rate_bps: 200_000,
            one_way: Duration::from_millis(20),
            loss_per_mille: 10,
            rto: Duration::from_millis(60),
        }
    } else {
        Shape {
            rate_bps: 200_000,
            one_way: Duration::from_millis(150),
            loss_per_mille: 10,
            rto: Duration::from_millis(600),
        }
    };
    let (site2, proxy) = site(edge);
    let t = tempfile::tempdir().unwrap();
    let mut v = guard(&site2, &t.path().join("g"));
    screen(&mut v, batch);
    let (bytes, r, took) = sync_bytes(&mut v, &proxy);
    assert_eq!(r.accepted as usize, batch, "every screening accepted over EDGE");
    let limit = 60.0 * batch as f64 / 1000.0;
    println!(
        "| {batch} screenings over EDGE (200 kbit/s, 300 ms RTT, 1% loss), TLS, one sync (s) | {:.1} | {limit:.0} (target) | {:.2}x | {} |",
        took.as_secs_f64(),
        took.as_secs_f64() / limit,
        if took.as_secs_f64() < limit { "yes" } else { "no" }
    );
    println!(
        "| the same sync: bytes on the wire, and its floor at 200 kbit/s (s) | {bytes} | {:.1} | {:.2}x | |",
        bytes as f64 * 8.0 / 200_000.0,
        took.as_secs_f64() / (bytes as f64 * 8.0 / 200_000.0)
    );
    drop(site2);
    if quick {
        println!("link-bench smoke: 1 passed, 0 failed");
    }
}
