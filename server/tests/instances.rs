//! Headquarters as several stateless processes on one PostgreSQL database
//! behind a real reverse proxy (issue 13, item 2): three `homeward-hq serve`
//! processes, nginx in front of them (round-robin upstream, plain HTTP on
//! loopback), and field devices syncing through nginx with the real sync
//! client. It shows that devices syncing through different instances
//! converge with every event held once; that a signed request replayed to
//! another instance is refused and an Idempotency-Key's answer is the same
//! from every instance; that a device revoked through one instance is
//! refused by every other at once, however warm its caches; that an instance
//! killed (SIGKILL) in the middle of a push loses nothing, before and after
//! the push's commit; and that a server with another headquarters key than
//! the database's refuses to start. A second test runs the recommended
//! TLS set-up: nginx's `stream` passing TLS through with the PROXY protocol.
//!
//! Runs only when `HOMEWARD_TEST_POSTGRES` names a server (scripts/test
//! starts one) and nginx is installed (the second test: with its stream
//! module); otherwise it says why and passes (unless
//! `HOMEWARD_REQUIRE_NGINX` is set, as scripts/test does when it installed
//! nginx). The "middle of a push" is made deterministic without
//! any hook in the server: the test holds a table lock in its own
//! transaction, waits until PostgreSQL shows an instance's push waiting on
//! it, and kills that instance there. Nothing is timed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeward_core::certificate::{CertificateCases, CertificateEvent, DeviceProfile};
use homeward_core::events::DeviceIdentity;
use homeward_core::sync::{RetryPolicy, SyncError, SyncReport};
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};
use homeward_domain::sync::httpsig;

mod common;

/// Bounds a wait for a process to come up, so a broken start fails instead
/// of hanging; never a measure of speed.
const START_BOUND: Duration = Duration::from_secs(60);

fn nginx() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
}

/// One `homeward-hq serve` process on plain HTTP on loopback.
struct Instance {
    name: String,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Instance {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL (std's `kill` on Unix), and reap it.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // master_process off: one process, so SIGKILL leaves no worker behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `homeward-hq` on `dir` and the shared database, named in PostgreSQL's
/// `application_name` so the test can tell which instance holds a lock.
fn hq(dir: &Path, database: &str, name: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
    c.arg("--data-dir").arg(dir).env("DATABASE_URL", format!("{database} application_name={name}"));
    c
}

fn admin(dir: &Path, database: &str, args: &[&str]) -> String {
    let out = hq(dir, database, "hq-admin").args(args).output().unwrap();
    assert!(out.status.success(), "homeward-hq {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn wait_up(url: &str, child: &mut Child, what: &str) {
    let client = reqwest::blocking::Client::new();
    let started = Instant::now();
    loop {
        assert!(child.try_wait().unwrap().is_none(), "{what} exited at start");
        if client.get(format!("{url}/v1/time")).send().is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(started.elapsed() < START_BOUND, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn start_instance(root: &Path, database: &str, n: usize) -> Instance {
    let name = format!("hq-{n}");
    let dir = root.join(&name);
    let port = free_port();
    let log = std::fs::File::create(root.join(format!("{name}.log"))).unwrap();
    let mut child = hq(&dir, database, &name)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    wait_up(&format!("http://127.0.0.1:{port}"), &mut child, &name);
    Instance { name, dir, port, child: Some(child) }
}

/// nginx in front of `instances`: round-robin, the client's Host passed on
/// (requests are signed for the authority the device addressed), an
/// instance that fails once taken out for the rest of the test.
fn start_nginx(nginx: &Path, root: &Path, instances: &[Instance]) -> Nginx {
    let dir = root.join("nginx");
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let upstreams: String = instances
        .iter()
        .map(|i| format!("        server 127.0.0.1:{} max_fails=1 fail_timeout=600s;\n", i.port))
        .collect();
    let d = dir.display();
    let conf = format!(
        "daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$request_method $uri $status $upstream_addr';
    access_log {d}/access.log upstream;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_max_body_size 8m;
    upstream homeward_hq {{
{upstreams}    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://homeward_hq;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let mut child = Command::new(nginx)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_up(&format!("http://127.0.0.1:{port}"), &mut child, "nginx");
    Nginx { child, port, dir }
}

fn device(dir: &Path, url: &str, code: &str) -> Vault {
    let o = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    let mut v = Vault::create(dir, &Secret::new("correct horse battery staple"), None, o).unwrap();
    homeward_core::sync::enroll(&mut v, url, code, "instances-test").unwrap();
    v
}

/// Retries quickly: a killed instance answers through nginx as a 502.
fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 8,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(200),
        timeout: Duration::from_secs(120),
    }
}

fn sync(v: &mut Vault) -> Result<SyncReport, SyncError> {
    homeward_core::sync::sync(v, retry(), &|_| {}, &AtomicBool::new(false))
}

fn me(v: &Vault) -> DeviceIdentity {
    DeviceProfile::load(v).unwrap().identity().unwrap()
}

/// A new case, submitted: two events in the device's outbox.
fn new_case(v: &mut Vault, office: &str) -> String {
    let id = me(v);
    let case = CertificateCases::new(v).create(&id, common::request(office), 1).unwrap().case_id;
    CertificateCases::new(v).record(&id, &case, CertificateEvent::Submitted, 2).unwrap();
    case
}

/// A request signed by `id` for `authority` (what the device addressed:
/// nginx), sent to `url` (an instance, perhaps directly).
fn signed(
    url: &str,
    authority: &str,
    id: &DeviceIdentity,
    method: &str,
    path: &str,
    body: &[u8],
) -> reqwest::blocking::RequestBuilder {
    let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let h = httpsig::sign(id, method, authority, path, "", body, created, &mut rand_core::OsRng);
    headers(url, authority, method, path, body, &h)
}

fn headers(
    url: &str,
    authority: &str,
    method: &str,
    path: &str,
    body: &[u8],
    h: &httpsig::SignatureHeaders,
) -> reqwest::blocking::RequestBuilder {
    let client = reqwest::blocking::Client::new();
    let req = if method == "POST" { client.post(format!("{url}{path}")) } else { client.get(format!("{url}{path}")) };
    req.header("host", authority)
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature)
        .header("content-type", "application/json")
        .body(body.to_vec())
}

fn count(pg: &mut postgres::Client, sql: &str, case: &str) -> i64 {
    pg.query_one(sql, &[&case]).unwrap().get(0)
}

/// Waits until PostgreSQL shows an instance waiting for `table`'s lock
/// (held by the test), and names it.
fn waiting_on(pg: &mut postgres::Client, table: &str) -> String {
    let started = Instant::now();
    loop {
        let rows = pg
            .query(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.relation = $1::text::regclass AND NOT l.granted",
                &[&table],
            )
            .unwrap();
        if let Some(r) = rows.first() {
            return r.get(0);
        }
        assert!(started.elapsed() < START_BOUND, "no push reached the lock on {table}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn several_instances_behind_nginx_on_one_database() {
    let Some(database) = common::fresh_database() else {
        eprintln!("skipped: several instances need PostgreSQL (set HOMEWARD_TEST_POSTGRES; scripts/test does)");
        return;
    };
    let Some(nginx_bin) = nginx() else {
        assert!(
            std::env::var_os("HOMEWARD_REQUIRE_NGINX").is_none(),
            "HOMEWARD_REQUIRE_NGINX is set but nginx is not installed"
        );
        eprintln!("skipped: nginx is not installed (apt-get install nginx-light)");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let mut pg = postgres::Client::connect(&database, postgres::NoTls).unwrap();

    // The first data directory makes headquarters' key; the others get a
    // copy of it (as separate machines would), and nothing else.
    let first = root.join("hq-1");
    let code =
        |office: &str| admin(&first, &database, &["enrollment-code", "--office", office, "--role", "consular_officer"]);
    let codes = [code("IST"), code("IST"), code("IST"), code("ALA")];
    for n in 2..=3 {
        let dir = root.join(format!("hq-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(first.join("hq-identity.json"), dir.join("hq-identity.json")).unwrap();
        // The key file that opens the sealed records, kept beside (not in) the data directory.
        std::fs::copy(root.join("hq-1.key"), root.join(format!("hq-{n}.key"))).unwrap();
    }
    let mut instances: Vec<Instance> = (1..=3).map(|n| start_instance(root, &database, n)).collect();
    let proxy = start_nginx(&nginx_bin, root, &instances);
    let url = format!("http://127.0.0.1:{}", proxy.port);
    let authority = format!("127.0.0.1:{}", proxy.port);

    // A server whose data directory holds another key refuses the database.
    let out = hq(&root.join("stranger"), &database, "hq-stranger").arg("devices").output().unwrap();
    assert!(!out.status.success(), "a server with another headquarters key started");
    assert!(String::from_utf8_lossy(&out.stderr).contains("hq-identity.json"));
    // One with headquarters' key but not the key file opens nothing sealed, and says which file it needs.
    let keyless = root.join("hq-keyless");
    std::fs::create_dir_all(&keyless).unwrap();
    std::fs::copy(first.join("hq-identity.json"), keyless.join("hq-identity.json")).unwrap();
    let out = hq(&keyless, &database, "hq-keyless").arg("devices").output().unwrap();
    assert!(!out.status.success(), "a server without the key file opened the sealed database");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hq-keyless.key") && err.contains("missing"), "{err}");
    assert!(!root.join("hq-keyless.key").exists(), "a new key file was made for a sealed database");

    // Enrolment through nginx, all four at once: each instance that enrols
    // republishes the trust list, and none may drop another's device.
    let [mut a, mut b, mut c, mut far] = std::thread::scope(|s| {
        let handles: Vec<_> = ["a", "b", "c", "far"]
            .iter()
            .zip(&codes)
            .map(|(name, code)| {
                let (dir, url) = (root.join(name), url.clone());
                s.spawn(move || device(&dir, &url, code))
            })
            .collect();
        let vaults: Vec<Vault> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        <[Vault; 4]>::try_from(vaults).ok().unwrap()
    });
    let trust: serde_json::Value = serde_json::from_str(
        &pg.query_one("SELECT v FROM kv WHERE k = 'trust_list'", &[]).unwrap().get::<_, String>(0),
    )
    .unwrap();
    let signers: BTreeSet<&str> =
        trust["body"]["signers"].as_array().unwrap().iter().filter_map(|s| s["device_id"].as_str()).collect();
    for v in [&a, &b, &c, &far] {
        assert!(signers.contains(me(v).device_id()), "the trust list lost a device enrolled at the same time");
    }

    // 1. Three colleagues at one consulate, each with cases of its own,
    // syncing at once (each vault on its own thread: nothing shared).
    let mut cases = BTreeSet::new();
    for v in [&mut a, &mut b, &mut c] {
        for _ in 0..3 {
            cases.insert(new_case(v, "IST"));
        }
    }
    let far_case = new_case(&mut far, "ALA");
    for _ in 0..2 {
        std::thread::scope(|s| {
            for v in [&mut a, &mut b, &mut c, &mut far] {
                s.spawn(move || sync(v).unwrap());
            }
        });
    }
    // A decision taken through another data directory reaches everyone.
    let decided = cases.iter().next().unwrap().clone();
    admin(&root.join("hq-2"), &database, &["decide", &decided, "verify-identity"]);
    for v in [&mut a, &mut b, &mut c, &mut far] {
        sync(v).unwrap();
    }
    // Exactly once: 9 cases of 2 events, the far office's 2, one decision.
    let (held, distinct): (i64, i64) = {
        let r = pg.query_one("SELECT COUNT(*), COUNT(DISTINCT id) FROM events", &[]).unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!((held, distinct), (9 * 2 + 2 + 1, 9 * 2 + 2 + 1), "every event held once");
    // Converged: every colleague folds every case of the office alike.
    for case in &cases {
        let views: Vec<_> = [&mut a, &mut b, &mut c]
            .into_iter()
            .map(|v| {
                let view = CertificateCases::new(v).view(case).unwrap();
                (view.state, view.head)
            })
            .collect();
        assert!(views[0].0.is_some(), "case {case} reached every colleague");
        assert!(views.iter().all(|v| *v == views[0]), "case {case} folds alike on every device: {views:?}");
    }
    assert_eq!(
        CertificateCases::new(&mut a).view(&decided).unwrap().state,
        Some(homeward_core::certificate::RequestState::IdentityVerified)
    );
    // Another office's cases stay there, both ways.
    assert!(CertificateCases::new(&mut far).view(&decided).is_err());
    assert!(CertificateCases::new(&mut a).view(&far_case).is_err());
    assert!(CertificateCases::new(&mut far).view(&far_case).unwrap().state.is_some());
    // The syncs really went through different instances.
    let log = std::fs::read_to_string(proxy.dir.join("access.log")).unwrap();
    for route in ["POST /v1/events 200", "GET /v1/events 200"] {
        let upstreams: BTreeSet<&str> =
            log.lines().filter(|l| l.starts_with(route)).filter_map(|l| l.rsplit(' ').next()).collect();
        assert!(upstreams.len() >= 2, "{route} went through one instance only: {upstreams:?}");
    }

    // 2. A request replayed to another instance is refused: the nonce
    // lives in the database, not in the instance that saw it.
    let ida = me(&a);
    let sig = httpsig::sign(
        &ida,
        "GET",
        &authority,
        "/v1/events",
        "",
        b"",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64,
        &mut rand_core::OsRng,
    );
    let first_answer = headers(&instances[0].url(), &authority, "GET", "/v1/events", b"", &sig).send().unwrap();
    assert_eq!(first_answer.status(), 200);
    for other in &instances[1..] {
        let replay = headers(&other.url(), &authority, "GET", "/v1/events", b"", &sig).send().unwrap();
        assert_eq!(replay.status(), 401, "{} took a replayed request", other.name);
        assert!(replay.text().unwrap().contains("replayed"));
    }
    // An Idempotency-Key's answer is the one first given, from any instance:
    // a second instance does not answer "duplicate" for what the first accepted.
    let fresh = new_case(&mut a, "IST");
    let outbox = CertificateCases::new(&mut a).outbox().unwrap();
    let push = serde_json::to_vec(&serde_json::json!({ "events": outbox, "screenings": [] })).unwrap();
    let answers: Vec<String> = instances
        .iter()
        .map(|i| {
            signed(&i.url(), &authority, &ida, "POST", "/v1/events", &push)
                .header("idempotency-key", "instances-test-1")
                .send()
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    assert!(answers[0].contains("\"accepted\""), "{}", answers[0]);
    assert!(answers.iter().all(|x| *x == answers[0]), "every instance gives the first answer: {answers:?}");
    assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM events WHERE case_id = $1", &fresh), 2);
    sync(&mut a).unwrap();

    // 3. Revoked through one instance, refused by every other at once. Each
    // instance first serves the device (its key ring and whatever else it
    // might keep are warm), then the revocation goes in through hq-3's
    // data directory, then each instance is asked at once, no waiting.
    let idb = me(&b);
    let empty = br#"{"events":[],"screenings":[]}"#;
    for i in &instances {
        let r = signed(&i.url(), &authority, &idb, "POST", "/v1/events", empty).send().unwrap();
        assert_eq!(r.status(), 200, "{} serves the device before its revocation", i.name);
    }
    admin(&instances[2].dir, &database, &["revoke", idb.device_id(), "--wipe"]);
    for i in &instances {
        let r = signed(&i.url(), &authority, &idb, "POST", "/v1/events", empty).send().unwrap();
        assert_eq!(r.status(), 403, "{} still took a push from the revoked device", i.name);
        assert!(r.text().unwrap().contains("revoked"));
    }
    // Its own sync through nginx carries nothing in: whichever instance
    // answers, the case it made after its revocation is not held.
    let late = new_case(&mut b, "IST");
    let _ = sync(&mut b);
    assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM events WHERE case_id = $1", &late), 0);
    assert_eq!(
        pg.query_one("SELECT COUNT(*) FROM events WHERE author = $1 AND received_ms > 0", &[&idb.device_id()])
            .unwrap()
            .get::<_, i64>(0),
        6,
        "nothing from the revoked device after its revocation"
    );

    // 4. An instance killed in the middle of a push loses nothing.
    // (a) After the push's events committed, before its answer was saved
    // or sent: the test holds the idempotency table, the instance waits
    // there with the events stored, and is killed.
    for (table, committed_before_kill) in [("idempotency", 2), ("events", 0)] {
        let case = new_case(&mut a, "IST");
        let mut lock = pg_lock(&database, table);
        let pusher = std::thread::scope(|s| {
            let h = s.spawn(|| sync(&mut a));
            let victim = waiting_on(&mut pg, table);
            assert_eq!(
                count(&mut pg, "SELECT COUNT(*) FROM events WHERE case_id = $1", &case),
                committed_before_kill,
                "where the push was when {victim} was killed"
            );
            let i = instances.iter_mut().find(|i| i.name == victim).unwrap();
            i.kill();
            // PostgreSQL ends a dead client's session when it next writes to
            // it; ending it here makes the order of what follows fixed.
            pg.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&victim],
            )
            .unwrap();
            lock.batch_execute("ROLLBACK").unwrap();
            h.join().unwrap()
        });
        let report = pusher.expect("the device's sync went on through another instance");
        assert!(report.retries >= 1, "the push to the killed instance failed and was sent again");
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        assert_eq!(
            count(&mut pg, "SELECT COUNT(*) FROM events WHERE case_id = $1", &case),
            2,
            "the push held at {table} landed exactly once"
        );
        assert!(CertificateCases::new(&mut a).outbox().unwrap().is_empty(), "nothing left to send");
    }
    assert_eq!(instances.iter().filter(|i| i.child.is_some()).count(), 1, "two instances were killed");
    // The one left still serves everyone, and a last sync changes nothing.
    let before: i64 = pg.query_one("SELECT COUNT(*) FROM events", &[]).unwrap().get(0);
    for v in [&mut a, &mut c] {
        assert_eq!(sync(v).unwrap().accepted, 0);
    }
    assert_eq!(pg.query_one("SELECT COUNT(*) FROM events", &[]).unwrap().get::<_, i64>(0), before);
    drop(proxy);
}

/// A connection holding `table` in EXCLUSIVE mode (reads go on, writes
/// wait) until it rolls back.
fn pg_lock(database: &str, table: &str) -> postgres::Client {
    let mut c = postgres::Client::connect(&format!("{database} application_name=test-lock"), postgres::NoTls).unwrap();
    c.batch_execute(&format!("BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE")).unwrap();
    c
}

/// nginx's `stream` module: built in, or Debian's dynamic module to load.
/// `Some(None)` when built in, `Some(Some(path))` to load, `None` when absent.
fn stream_module(nginx: &Path) -> Option<Option<PathBuf>> {
    let out = Command::new(nginx).arg("-V").output().ok()?;
    let flags = String::from_utf8_lossy(&out.stderr).to_string();
    if flags.split_whitespace().any(|f| f == "--with-stream") {
        return Some(None);
    }
    let module = PathBuf::from("/usr/lib/nginx/modules/ngx_stream_module.so");
    module.is_file().then_some(Some(module))
}

fn wait_listening(port: u16, child: &mut Child, what: &str) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "{what} exited at start");
        assert!(started.elapsed() < START_BOUND, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The configuration docs/INSTANCES.md recommends: nginx passes TLS
/// through (`stream`, `proxy_protocol on`) to two instances that serve TLS
/// with one shared certificate and take the client's address from the
/// PROXY header (`--proxy-protocol-from`). A device pinned to
/// headquarters' authority enrols and syncs through nginx, the pin holding
/// end to end; with the instance it may have used killed, its next sync
/// goes through the other; and from nginx's address a connection without
/// the header is refused.
#[test]
fn tls_passed_through_nginx_with_the_proxy_protocol() {
    let Some(database) = common::fresh_database() else {
        eprintln!("skipped: several instances need PostgreSQL (set HOMEWARD_TEST_POSTGRES; scripts/test does)");
        return;
    };
    let required = std::env::var_os("HOMEWARD_REQUIRE_NGINX").is_some();
    let Some((nginx_bin, module)) = nginx().and_then(|n| stream_module(&n).map(|m| (n, m))) else {
        assert!(!required, "HOMEWARD_REQUIRE_NGINX is set but nginx or its stream module is missing");
        eprintln!(
            "skipped: nginx with its stream module is not installed (apt-get install nginx-light libnginx-mod-stream)"
        );
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let first = root.join("hq-1");
    admin(&first, &database, &["tls-init", "--host", "127.0.0.1"]);
    let code = admin(&first, &database, &["enrollment-code", "--office", "IST", "--role", "consular_officer"]);
    // The second instance gets the key and the server's certificate, not the authority's key.
    let second = root.join("hq-2");
    std::fs::create_dir_all(second.join("tls")).unwrap();
    for f in ["hq-identity.json", "tls/ca.pem", "tls/server.pem", "tls/server-key.pem"] {
        std::fs::copy(first.join(f), second.join(f)).unwrap();
    }
    std::fs::copy(root.join("hq-1.key"), root.join("hq-2.key")).unwrap();
    let mut instances: Vec<Instance> = [first, second]
        .into_iter()
        .enumerate()
        .map(|(n, dir)| {
            let (name, port) = (format!("hq-{}", n + 1), free_port());
            let log = std::fs::File::create(root.join(format!("{name}.log"))).unwrap();
            let listen = format!("127.0.0.1:{port}");
            let mut child = hq(&dir, &database, &name)
                .args(["serve", "--tls", "--listen", &listen, "--proxy-protocol-from", "127.0.0.1"])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap();
            wait_listening(port, &mut child, &name);
            Instance { name, dir, port, child: Some(child) }
        })
        .collect();

    let dir = root.join("nginx");
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let d = dir.display();
    let load = module.map(|m| format!("load_module {};\n", m.display())).unwrap_or_default();
    let upstreams: String = instances
        .iter()
        .map(|i| format!("        server 127.0.0.1:{} max_fails=1 fail_timeout=600s;\n", i.port))
        .collect();
    let conf = format!(
        "{load}daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
stream {{
    upstream homeward_hq {{
{upstreams}    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_pass homeward_hq;
        proxy_protocol on;
    }}
}}
"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(&nginx_bin)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut proxy = Nginx { child, port, dir };
    wait_listening(port, &mut proxy.child, "nginx");

    let url = format!("https://127.0.0.1:{port}");
    let ca = std::fs::read_to_string(instances[0].dir.join("tls/ca.pem")).unwrap();
    let o = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    let mut v = Vault::create(&root.join("a"), &Secret::new("correct horse battery staple"), None, o).unwrap();
    homeward_core::sync::enroll_pinned(&mut v, &url, &code, "instances-test", Some(&ca)).unwrap();
    let one = new_case(&mut v, "IST");
    assert_eq!(sync(&mut v).unwrap().accepted, 2);
    // Whichever instance served that, the other one serves the next sync.
    instances[0].kill();
    let two = new_case(&mut v, "IST");
    assert_eq!(sync(&mut v).unwrap().accepted, 2);
    let mut pg = postgres::Client::connect(&database, postgres::NoTls).unwrap();
    for case in [&one, &two] {
        assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM events WHERE case_id = $1", case), 2);
    }
    // From nginx's address (this machine's), a connection that does not
    // start with the PROXY header gets no TLS handshake.
    let direct = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .build()
        .unwrap()
        .get(format!("https://127.0.0.1:{}/v1/time", instances[1].port))
        .send();
    assert!(direct.is_err(), "a connection from the trusted proxy's address without the header was served");
    drop(proxy);
}
