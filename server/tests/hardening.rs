//! Issue 18, findings 4 to 12: each attack from the review, made for real
//! against a server on a loopback socket (SQLite, or PostgreSQL when
//! `HOMEWARD_TEST_POSTGRES` is set), and refused.

use std::sync::{Arc, Barrier};

use homeward_core::certificate::CertificateEvent;
use homeward_core::date::{IsoDate, Today};
use homeward_core::events::{DeviceIdentity, Event, Hlc, Role};
use homeward_core::random::OsRng;
use homeward_core::sync::httpsig;
use homeward_core::sync::protocol::{EnrollRequest, PushRequest, PushResponse, PushStatus};

mod common;
use common::{request, Server};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn new_key() -> String {
    hex::encode(DeviceIdentity::generate("k", Role::ConsularOfficer, "IST", &mut OsRng).public_key())
}

/// POSTs a raw body to `path`, with extra headers; (status, body as text).
fn post(url: &str, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = reqwest::blocking::Client::new().post(format!("{url}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.body(body).send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

fn enroll_raw(url: &str, code: &str, key: &str, label: &str) -> (u16, String) {
    let body =
        serde_json::to_vec(&EnrollRequest { code: code.into(), public_key: key.into(), label: label.into() }).unwrap();
    post(url, "/v1/enroll", body, &[("content-type", "application/json")])
}

/// A device enrolled by hand (no vault): its identity under the id
/// headquarters gave it.
fn enrolled(server: &Server, office: &str, role: Role) -> DeviceIdentity {
    let id = DeviceIdentity::generate("pending", role, office, &mut OsRng);
    let code = server.admin().enrollment_code(office, role, 15).unwrap();
    let (status, body) = enroll_raw(&server.url, &code, &hex::encode(id.public_key()), "test");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    id.renamed(v["device_id"].as_str().unwrap(), role, office)
}

/// A request signed by `who` at `created` (unix seconds), sent to `url`
/// (which may differ from the authority it was signed for).
struct Signed<'a> {
    who: &'a DeviceIdentity,
    method: &'a str,
    path: &'a str,
    query: &'a str,
    body: &'a [u8],
    created: i64,
    idempotency_key: Option<&'a str>,
}

impl Signed<'_> {
    fn headers(&self, authority: &str) -> httpsig::SignatureHeaders {
        httpsig::sign(self.who, self.method, authority, self.path, self.query, self.body, self.created, &mut OsRng)
    }

    fn send(&self, url: &str) -> (u16, String) {
        let h = self.headers(authority(url));
        send_signed(url, self, &h)
    }
}

fn authority(url: &str) -> &str {
    url.split("://").nth(1).unwrap().trim_end_matches('/')
}

fn send_signed(url: &str, r: &Signed<'_>, h: &httpsig::SignatureHeaders) -> (u16, String) {
    let client = reqwest::blocking::Client::new();
    let full = if r.query.is_empty() { format!("{url}{}", r.path) } else { format!("{url}{}?{}", r.path, r.query) };
    let mut req = if r.method == "POST" { client.post(full) } else { client.get(full) };
    req = req
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature);
    if let Some(k) = r.idempotency_key {
        req = req.header("idempotency-key", k);
    }
    let resp = req.body(r.body.to_vec()).send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

fn push<'a>(who: &'a DeviceIdentity, body: &'a [u8], key: Option<&'a str>) -> Signed<'a> {
    Signed { who, method: "POST", path: "/v1/events", query: "", body, created: now_ms() / 1000, idempotency_key: key }
}

/// A new case's first event, by `who`.
fn created(who: &DeviceIdentity) -> Event<CertificateEvent> {
    let case = uuid::Uuid::new_v4().to_string();
    let hlc = Hlc::tick(Hlc { wall_ms: 0, counter: 0 }, now_ms());
    Event::new(
        who,
        &case,
        None,
        hlc,
        CertificateEvent::Created { request: Box::new(request(who.office())) },
        &mut OsRng,
    )
}

fn batch(events: Vec<Event<CertificateEvent>>) -> Vec<u8> {
    serde_json::to_vec(&PushRequest { events, screenings: vec![] }).unwrap()
}

/// Finding 6: enrolments racing for an office's next device number each
/// get their own (certificate numbers embed it), and a key enrolled twice
/// is refused clearly without spending the second code.
#[test]
fn concurrent_enrolments_get_distinct_numbers_and_a_reused_key_keeps_the_code() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let admin = server.admin();
    let codes: Vec<String> =
        (0..12).map(|_| admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap()).collect();
    let start = Arc::new(Barrier::new(codes.len()));
    let threads: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let (url, start) = (server.url.clone(), start.clone());
            std::thread::spawn(move || {
                let key = new_key();
                start.wait();
                enroll_raw(&url, &code, &key, "racer")
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for th in threads {
        let (status, body) = th.join().unwrap();
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        numbers.push(v["device_no"].as_u64().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=12).collect::<Vec<u64>>(), "every device its own number ({})", common::backend());
    let stored: Vec<u16> = admin.db.devices().unwrap().iter().map(|d| d.device_no).collect();
    assert_eq!(stored.len(), 12);
    assert_eq!(stored.iter().collect::<std::collections::BTreeSet<_>>().len(), 12);

    // The same key again, with a fresh code: a clear refusal, not a 503 ...
    let key = new_key();
    let first = admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    assert_eq!(enroll_raw(&server.url, &first, &key, "a").0, 200);
    let second = admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let (status, body) = enroll_raw(&server.url, &second, &key, "b");
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("key_enrolled"), "{body}");
    // ... and the code still works for a device with its own key.
    let (status, body) = enroll_raw(&server.url, &second, &new_key(), "c");
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["device_no"], 14);
}

/// Finding 4: a small zstd body that inflates to 32 MiB is refused as too
/// large before anything is parsed, and so is a plain body over the cap;
/// both as typed JSON refusals.
#[test]
fn an_enrolment_zstd_bomb_is_refused_before_it_is_inflated_far() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let bomb = zstd::encode_all(std::io::Read::take(std::io::repeat(b' '), 32 * 1024 * 1024), 3).unwrap();
    assert!(bomb.len() < 4096, "a real bomb: {} bytes", bomb.len());
    let started = std::time::Instant::now();
    let (status, body) =
        post(&server.url, "/v1/enroll", bomb, &[("content-encoding", "zstd"), ("content-type", "application/json")]);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"too_large\""), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());

    // A frame that asks the decoder for a 64 MiB window is not decoded at all.
    let mut big_window = Vec::new();
    {
        let mut enc = zstd::stream::write::Encoder::new(&mut big_window, 3).unwrap();
        enc.window_log(26).unwrap();
        std::io::Write::write_all(&mut enc, b"{}").unwrap();
        enc.finish().unwrap();
    }
    let (status, body) = post(&server.url, "/v1/enroll", big_window, &[("content-encoding", "zstd")]);
    assert_eq!(status, 413, "{body}");

    // A plain body over the enrolment cap.
    let (status, body) = post(&server.url, "/v1/enroll", vec![b' '; 64 * 1024], &[]);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"too_large\""), "{body}");

    // An honest enrolment still fits.
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let req = serde_json::to_vec(&EnrollRequest { code, public_key: new_key(), label: "phone".into() }).unwrap();
    let (status, body) =
        post(&server.url, "/v1/enroll", zstd::encode_all(req.as_slice(), 3).unwrap(), &[("content-encoding", "zstd")]);
    assert_eq!(status, 200, "{body}");
}

/// Finding 7: an Idempotency-Key answers only the body it first answered; a
/// new batch sent under an old key is refused, not answered with the old
/// answer (and silently dropped).
#[test]
fn an_old_idempotency_key_with_a_new_body_is_refused_not_answered() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let me = enrolled(&server, "IST", Role::ConsularOfficer);
    let first = batch(vec![created(&me)]);
    let (status, body) = push(&me, &first, Some("k1")).send(&server.url);
    assert_eq!(status, 200, "{body}");
    let answer: PushResponse = serde_json::from_str(&body).unwrap();
    // A retry of the same body: the same answer.
    let (status, again) = push(&me, &first, Some("k1")).send(&server.url);
    assert_eq!((status, serde_json::from_str::<PushResponse>(&again).unwrap()), (200, answer));

    let other = created(&me);
    let second = batch(vec![other.clone()]);
    let (status, body) = push(&me, &second, Some("k1")).send(&server.url);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("idempotency_key_reused"), "{body}");
    assert!(server.admin().db.case_events(&other.case_id).unwrap().is_empty());
    // Under its own key the batch goes in.
    let (status, body) = push(&me, &second, Some("k2")).send(&server.url);
    assert_eq!(status, 200, "{body}");
    let r: PushResponse = serde_json::from_str(&body).unwrap();
    assert_eq!(r.results[0].status, PushStatus::Accepted);
    assert_eq!(server.admin().db.case_events(&other.case_id).unwrap().len(), 1);
}

/// Finding 8: a request signed as far ahead as the window allows keeps its
/// nonce until after the last moment it could be accepted.
#[test]
fn a_request_signed_ahead_keeps_its_nonce_for_the_whole_window() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let me = enrolled(&server, "IST", Role::ConsularOfficer);
    let body = batch(vec![]);
    let mut r = push(&me, &body, None);
    r.created = now_ms() / 1000 + httpsig::WINDOW_SECS;
    let h = r.headers(authority(&server.url));
    let (status, text) = send_signed(&server.url, &r, &h);
    assert_eq!(status, 200, "{text}");
    assert!(send_signed(&server.url, &r, &h).1.contains("replayed"));
    let nonce = h.signature_input.split("nonce=\"").nth(1).unwrap().trim_end_matches('"').to_string();
    let expires = server
        .admin()
        .db
        .tx(|s| s.one("SELECT expires_ms FROM nonces WHERE nonce = ?1", &[nonce.as_str().into()]))
        .unwrap()
        .unwrap()[0]
        .i()
        .unwrap();
    // Accepted while the server's clock, in whole seconds, is within the
    // window of `created`: until (created + WINDOW + 1) s.
    let last_accepted_ms = (r.created + httpsig::WINDOW_SECS + 1) * 1000;
    assert!(
        expires > last_accepted_ms,
        "the nonce is forgotten at {expires}, the request accepted until {last_accepted_ms}"
    );
}

/// Finding 12: the same key enrolled at two headquarters gets the same id at
/// both (the first device of the office); a request captured on its way to
/// one is refused by the other, because it signs the authority it was for.
#[test]
fn a_request_replayed_to_another_headquarters_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let a = Server::start(&t.path().join("hq-a"));
    let b = Server::start(&t.path().join("hq-b"));
    let id = DeviceIdentity::generate("pending", Role::ConsularOfficer, "IST", &mut OsRng);
    let key = hex::encode(id.public_key());
    let mut ids = Vec::new();
    for s in [&a, &b] {
        let code = s.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
        let (status, body) = enroll_raw(&s.url, &code, &key, "twin");
        assert_eq!(status, 200, "{body}");
        ids.push(serde_json::from_str::<serde_json::Value>(&body).unwrap()["device_id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids[0], ids[1], "the same device id at both");
    let me = id.renamed(&ids[0], Role::ConsularOfficer, "IST");
    let event = created(&me);
    let body = batch(vec![event.clone()]);
    let r = push(&me, &body, None);
    let captured = r.headers(authority(&a.url));
    let (status, text) = send_signed(&b.url, &r, &captured);
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("bad_signature"), "{text}");
    assert!(b.admin().db.case_events(&event.case_id).unwrap().is_empty());
    // Where it was meant to go, it is accepted.
    assert_eq!(send_signed(&a.url, &r, &captured).0, 200);
    // Signed for `localhost` but sent to 127.0.0.1: not the same authority.
    let r = push(&me, &body, None);
    let (status, _) = send_signed(&a.url, &r, &r.headers(&authority(&a.url).replace("127.0.0.1", "localhost")));
    assert_eq!(status, 401);
}

/// Finding 10: refusals do not tell one office about another's cases, an
/// unknown device id fails like a bad signature, and a label with terminal
/// escapes cannot forge a line of `homeward-hq devices`.
#[test]
fn refusals_leak_nothing_and_labels_cannot_forge_lines() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let ist = enrolled(&server, "IST", Role::ConsularOfficer);
    let osh = enrolled(&server, "OSH", Role::ConsularOfficer);
    let guard = enrolled(&server, "MANAS", Role::BorderGuard);
    let case = created(&ist);
    assert_eq!(push(&ist, &batch(vec![case.clone()]), None).send(&server.url).0, 200);

    let reason = |who: &DeviceIdentity, e: Event<CertificateEvent>| {
        let (status, body) = push(who, &batch(vec![e]), None).send(&server.url);
        assert_eq!(status, 200, "{body}");
        let r: PushResponse = serde_json::from_str(&body).unwrap();
        assert_eq!(r.results[0].status, PushStatus::Rejected);
        r.results[0].reason.clone().unwrap()
    };
    let hlc = Hlc::tick(case.hlc, now_ms());
    let on = |who: &DeviceIdentity, case_id: &str, body: CertificateEvent| {
        Event::new(who, case_id, Some(case.id.clone()), hlc, body, &mut OsRng)
    };
    // A border post recording an entry on a case that was never issued: no state named.
    let entered = CertificateEvent::Entered { crossing_point: "MANAS".into(), date: IsoDate::today() };
    let r = reason(&guard, on(&guard, &case.case_id, entered));
    assert!(!r.contains("Created") && !r.contains("created") && !r.contains("Some("), "{r}");
    // Another office's case and a case that does not exist: the same answer.
    let theirs = reason(&osh, on(&osh, &case.case_id, CertificateEvent::Submitted));
    let nowhere = reason(&osh, on(&osh, &uuid::Uuid::new_v4().to_string(), CertificateEvent::Submitted));
    assert_eq!(theirs, nowhere);

    // A known device id signed with the wrong key, and an unknown id.
    let mallory = DeviceIdentity::generate(ist.device_id(), Role::ConsularOfficer, "IST", &mut OsRng);
    let (s1, known) = push(&mallory, b"{}", None).send(&server.url);
    let nobody = DeviceIdentity::generate("ist-77-00000000", Role::ConsularOfficer, "IST", &mut OsRng);
    let (s2, unknown) = push(&nobody, b"{}", None).send(&server.url);
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(known, unknown.replace("ist-77-00000000", ist.device_id()));
    let error = |b: &str| serde_json::from_str::<serde_json::Value>(b).unwrap()["error"].clone();
    assert_eq!(error(&known), error(&unknown));

    // A label meant to forge a line of the device list.
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let forged = "phone\u{1b}[2K\r\nist-01-00000000  ConsularOfficer  HQ-APPROVED\u{202e}";
    assert_eq!(enroll_raw(&server.url, &code, &new_key(), forged).0, 200);
    let stored: Vec<String> = server.admin().db.devices().unwrap().into_iter().map(|d| d.label).collect();
    assert!(stored.iter().all(|l| !l.chars().any(|c| c.is_control() || c == '\u{202e}')), "{stored:?}");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
    cmd.arg("--data-dir").arg(&server.dir).arg("devices");
    if let Some(url) = &server.database_url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert_eq!(text.lines().count(), 4, "one line per device: {text}");
}

/// Finding 9: a revoked device may pull (to learn it is revoked and carry
/// out a wipe order) and confirm the wipe; everything else is refused.
#[test]
fn a_revoked_device_may_only_learn_its_orders_and_confirm_a_wipe() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let me = enrolled(&server, "IST", Role::ConsularOfficer);
    let case = created(&me);
    assert_eq!(push(&me, &batch(vec![case.clone()]), None).send(&server.url).0, 200);
    server.admin().revoke(me.device_id(), true).unwrap();

    let call = |path: &'static str, body: &[u8]| {
        let r = Signed { path, ..push(&me, body, None) };
        r.send(&server.url)
    };
    let refused = |(status, body): (u16, String)| {
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("\"revoked\""), "{body}");
    };
    refused(call("/v1/events", &batch(vec![created(&me)])));
    refused(call("/v1/audit", br#"{"entries":[]}"#));
    refused(call("/v1/device/report", br#"{"kind":"rolled_back","missing_event":null}"#));
    refused(call("/v1/hq/cases/x/decisions", br#"{}"#));
    // The pull answers its orders and nothing else.
    let pull = Signed { method: "GET", query: "after=0", ..push(&me, b"", None) };
    let (status, body) = pull.send(&server.url);
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["orders"]["revoked"], true);
    assert_eq!(page["orders"]["wipe"], true);
    assert_eq!(page["events"].as_array().map(Vec::len), Some(0), "{page}");
    assert!(page["identities"].as_array().is_none_or(Vec::is_empty), "{page}");
    assert!(page["trust_list"].is_null() && page["template"].is_null(), "{page}");
    // And the wipe's confirmation is taken.
    let (status, body) = call("/v1/device/report", br#"{"kind":"wiped"}"#);
    assert_eq!(status, 200, "{body}");
    assert!(server.admin().db.device_alerts(me.device_id()).unwrap().1.is_some());
}

mod slowloris {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};

    type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

    fn config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(c.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    fn connect(addr: std::net::SocketAddr, cfg: &Arc<rustls::ClientConfig>) -> Tls {
        let tcp = TcpStream::connect(addr).unwrap();
        let conn = rustls::ClientConnection::new(cfg.clone(), ServerName::try_from("127.0.0.1").unwrap()).unwrap();
        let mut s = rustls::StreamOwned::new(conn, tcp);
        while s.conn.is_handshaking() {
            s.conn.complete_io(&mut s.sock).unwrap();
        }
        s
    }

    /// Whether the server closed the connection within `wait` (an end of
    /// stream or a reset; data before it, such as a 408, is read past).
    fn closed_within(r: &mut impl Read, sock: &TcpStream, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        let mut buf = [0u8; 4096];
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            sock.set_read_timeout(Some(left.min(Duration::from_millis(100)))).unwrap();
            match r.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(_) => return true,
            }
        }
    }

    fn get_time(s: &mut Tls) -> String {
        s.write_all(b"GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        s.flush().unwrap();
        s.sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&got).contains("server_time_ms") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "closed before answering: {}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got).into_owned()
    }

    /// Finding 5: half-sent requests, silent connections and one address
    /// hoarding connections are all cut off, and honest clients still get in.
    #[test]
    fn half_sent_and_hoarded_connections_are_closed() {
        let t = tempfile::tempdir().unwrap();
        let limits = homeward_hq::tls::Limits {
            handshake: Duration::from_secs(1),
            header_read: Duration::from_secs(1),
            idle: Duration::from_secs(2),
            per_address: 4,
            proxy_protocol_from: None,
        };
        let server = super::Server::start_tls_with(&t.path().join("hq"), limits);
        let cfg = config(server.ca_pem.as_deref().unwrap());

        // Headers dribbled one line at a time, never finished.
        let mut s = connect(server.addr, &cfg);
        let started = Instant::now();
        s.write_all(b"POST /v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
        let mut cut = false;
        while started.elapsed() < Duration::from_secs(6) {
            if s.write_all(b"X-Slow: 1\r\n").and_then(|_| s.flush()).is_err() {
                cut = true;
                break;
            }
            let sock = s.sock.try_clone().unwrap();
            if closed_within(&mut s, &sock, Duration::from_millis(250)) {
                cut = true;
                break;
            }
        }
        assert!(cut, "a request whose headers never end is cut off");
        assert!(started.elapsed() < Duration::from_secs(4), "within the header timeout: {:?}", started.elapsed());

        // A TCP connection that never starts the handshake.
        let mut tcp = TcpStream::connect(server.addr).unwrap();
        let started = Instant::now();
        let sock = tcp.try_clone().unwrap();
        assert!(closed_within(&mut tcp, &sock, Duration::from_secs(4)));
        assert!(started.elapsed() >= Duration::from_millis(800), "{:?}", started.elapsed());

        // A kept-alive connection gone quiet after its request.
        let mut s = connect(server.addr, &cfg);
        assert!(get_time(&mut s).starts_with("HTTP/1.1 200"));
        let sock = s.sock.try_clone().unwrap();
        assert!(closed_within(&mut s, &sock, Duration::from_secs(5)), "an idle connection is closed");

        // One address holding its four connections: the fifth is closed at once.
        let hoard: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(server.addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut fifth = TcpStream::connect(server.addr).unwrap();
        let sock = fifth.try_clone().unwrap();
        assert!(closed_within(&mut fifth, &sock, Duration::from_millis(500)), "over the per-address limit");
        let mut first = hoard[0].try_clone().unwrap();
        assert!(!closed_within(&mut first, &hoard[0], Duration::from_millis(100)), "the four are still held");
        // Once they are cut off (handshake timeout), honest clients get in.
        std::thread::sleep(Duration::from_millis(1500));
        drop(hoard);
        let mut s = connect(server.addr, &cfg);
        assert!(get_time(&mut s).starts_with("HTTP/1.1 200"));
    }

    /// Connects, writes `header` first (a PROXY protocol line, or nothing),
    /// then does the TLS handshake: an error when the server closed instead.
    fn connect_after(
        addr: std::net::SocketAddr,
        cfg: &Arc<rustls::ClientConfig>,
        header: &str,
    ) -> Result<Tls, rustls::Error> {
        let mut tcp = TcpStream::connect(addr).unwrap();
        tcp.write_all(header.as_bytes()).unwrap();
        let conn = rustls::ClientConnection::new(cfg.clone(), ServerName::try_from("127.0.0.1").unwrap()).unwrap();
        let mut s = rustls::StreamOwned::new(conn, tcp);
        while s.conn.is_handshaking() {
            match s.conn.complete_io(&mut s.sock) {
                Ok((0, 0)) => return Err(rustls::Error::General("closed during the handshake".into())),
                Ok(_) => {}
                Err(e) => return Err(rustls::Error::General(e.to_string())),
            }
        }
        Ok(s)
    }

    /// Behind a proxy that passes TLS through (nginx stream with
    /// `proxy_protocol on`), the address counted is the client's from the
    /// PROXY header, not the proxy's: with one connection allowed per
    /// address, a second client behind the same proxy still gets in and the
    /// same client's second connection does not. From the proxy, a
    /// connection without the header is refused; from anyone else, a
    /// header is not believed (the connection is TLS from its first byte).
    #[test]
    fn a_proxy_protocol_header_names_the_client_only_from_the_trusted_proxy() {
        let t = tempfile::tempdir().unwrap();
        let limits = homeward_hq::tls::Limits {
            per_address: 1,
            proxy_protocol_from: Some("127.0.0.1".parse().unwrap()),
            ..Default::default()
        };
        let server = super::Server::start_tls_with(&t.path().join("hq"), limits);
        let cfg = config(server.ca_pem.as_deref().unwrap());
        let from = |ip: &str| format!("PROXY TCP4 {ip} 127.0.0.1 40000 443\r\n");
        let mut first = connect_after(server.addr, &cfg, &from("192.0.2.7")).expect("the first client gets in");
        assert!(get_time(&mut first).starts_with("HTTP/1.1 200"));
        assert!(
            connect_after(server.addr, &cfg, &from("192.0.2.7")).is_err(),
            "its second connection is over its limit"
        );
        let mut other = connect_after(server.addr, &cfg, &from("192.0.2.8")).expect("another client behind the proxy");
        assert!(get_time(&mut other).starts_with("HTTP/1.1 200"));
        assert!(connect_after(server.addr, &cfg, "").is_err(), "from the proxy, no header: refused");
        assert!(connect_after(server.addr, &cfg, "PROXY TCP4 nonsense\r\n").is_err());
        drop((first, other));

        // A server that trusts another address reads a header as the start
        // of TLS, which it is not; a plain TLS client still gets in.
        let t2 = tempfile::tempdir().unwrap();
        let limits =
            homeward_hq::tls::Limits { proxy_protocol_from: Some("192.0.2.1".parse().unwrap()), ..Default::default() };
        let server = super::Server::start_tls_with(&t2.path().join("hq"), limits);
        let cfg = config(server.ca_pem.as_deref().unwrap());
        assert!(
            connect_after(server.addr, &cfg, &from("192.0.2.9")).is_err(),
            "a header from a non-proxy is not believed"
        );
        let mut plain = connect_after(server.addr, &cfg, "").expect("a plain TLS client");
        assert!(get_time(&mut plain).starts_with("HTTP/1.1 200"));
    }
}
