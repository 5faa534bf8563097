//! homeward-hq as its own process: the `serve` binary on a loopback port,
//! its admin commands as further processes on the same data directory, and
//! two devices syncing through it.

use homeward_core::date::Today;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::{CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile, RequestState};
use homeward_core::date::IsoDate;
use homeward_core::sync::RetryPolicy;
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};

mod common;

/// This test's database (PostgreSQL when the run tests that backend), shared
/// by the server process and every admin command.
static DATABASE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

fn hq_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
    c.arg("--data-dir").arg(dir);
    match DATABASE.get_or_init(common::fresh_database) {
        Some(url) => c.env("DATABASE_URL", url),
        None => c.env_remove("DATABASE_URL"),
    };
    c
}

/// The server process, and an HTTPS client that trusts its authority.
struct Hq(Child, reqwest::blocking::Client);

impl Drop for Hq {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn admin(dir: &Path, args: &[&str]) -> String {
    let out = hq_command(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn start(dir: &Path) -> (Hq, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let child = hq_command(dir)
        .args(["serve", "--tls", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned at once, so a failed start still kills and reaps the process.
    let mut server = Hq(child, reqwest::blocking::Client::new());
    let url = format!("https://{listen}");
    let started = Instant::now();
    let ca = dir.join("tls/ca.pem");
    loop {
        assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
        let Ok(pem) = std::fs::read(&ca) else { continue };
        let client = reqwest::blocking::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap();
        if client.get(format!("{url}/v1/time")).send().is_ok() {
            server.1 = client;
            return (server, url);
        }
    }
}

fn device(dir: &Path, url: &str, code: &str) -> Vault {
    let o = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    let mut v = Vault::create(dir, &Secret::new("correct horse battery staple"), None, o).unwrap();
    let ca = std::fs::read_to_string(dir.parent().unwrap().join("hq/tls/ca.pem")).unwrap();
    homeward_core::sync::enroll_pinned(&mut v, url, code, "process-test", Some(&ca)).unwrap();
    v
}

fn sync(v: &mut Vault) -> homeward_core::sync::SyncReport {
    homeward_core::sync::sync(v, RetryPolicy::default(), &|_| {}, &AtomicBool::new(false)).unwrap()
}

#[test]
fn the_server_binary_and_its_admin_commands_serve_two_devices() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("hq");
    let (server, url) = start(&data);
    let spec: serde_json::Value =
        serde_json::from_slice(&server.1.get(format!("{url}/openapi.json")).send().unwrap().bytes().unwrap()).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/v1/events"]["post"].is_object());

    let code_a = admin(&data, &["enrollment-code", "--office", "IST", "--role", "consular_officer"]);
    let code_b = admin(&data, &["enrollment-code", "--office", "IST", "--role", "consular_officer"]);
    let mut a = device(&t.path().join("a"), &url, &code_a);
    let mut b = device(&t.path().join("b"), &url, &code_b);
    let me = DeviceProfile::load(&a).unwrap().identity().unwrap();
    let request = CertificateRequest {
        applicant: Applicant {
            surname: "Sadykov".into(),
            given_name: "Bakyt".into(),
            patronymic: None,
            date_of_birth: "1988-08-08".parse().unwrap(),
            place_of_birth: "Talas".into(),
            sex: Sex::M,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::OldPassport { number: "AN7000001".into() }],
        loss: DocumentLoss::Lost,
        trafficking: None,
        children: vec![],
        route: "Istanbul - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "ok".into(),
        issuing_office: "IST".into(),
        request_date: IsoDate::today(),
    };
    let case = CertificateCases::new(&mut a).create(&me, request, 1).unwrap().case_id;
    CertificateCases::new(&mut a).record(&me, &case, CertificateEvent::Submitted, 2).unwrap();
    assert_eq!(sync(&mut a).accepted, 2);

    let listed = admin(&data, &["--json", "cases"]);
    assert!(listed.contains(&case));
    admin(&data, &["decide", &case, "verify-identity"]);
    admin(&data, &["decide", &case, "approve", "--days", "20"]);
    // An invalid decision is refused by the admin command, not stored.
    let out = hq_command(&data).args(["decide", &case, "approve"]).output().unwrap();
    assert!(!out.status.success());

    sync(&mut a);
    sync(&mut b);
    for v in [&mut a, &mut b] {
        assert_eq!(CertificateCases::new(v).view(&case).unwrap().state, Some(RequestState::Approved));
    }
    let devices = admin(&data, &["--json", "devices"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&devices).unwrap().as_array().unwrap().len(), 2);
    drop(server);
}
