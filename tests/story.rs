//! The whole story over the real binaries, as people would live it: a
//! consular officer's vault (`homeward`) takes a request for a Certificate
//! of Return and syncs it to headquarters (`homeward-hq serve --tls`); a
//! reviewer signs in to the console in headless Chromium (password and
//! second factor), verifies the identity and approves; the consulate syncs,
//! receives the decision and issues the certificate; a border post's vault
//! verifies it offline from the QR image and records the entry; the console
//! then shows the case entered.
//!
//! Needs the workspace's binaries (`cargo test --workspace` builds them;
//! alone: `cargo build -p homeward -p homeward-hq` first) and chromedriver.

#[path = "../server/tests/common/webdriver.rs"]
mod webdriver;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use webdriver::{chromedriver, Driver};

const PASS: &str = "a long enough field passphrase";
const STAFF_PASSWORD: &str = "the whole story, end to end";

fn bin(name: &str) -> PathBuf {
    let dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf();
    let p = dir.join(name);
    assert!(p.exists(), "{} is not built: run `cargo build -p homeward -p homeward-hq` first", p.display());
    p
}

fn field(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin("homeward"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HOMEWARD_PASSPHRASE", PASS)
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "homeward {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn hq(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(bin("homeward-hq"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--json")
        .args(args)
        .env_remove("DATABASE_URL")
        .env("HOMEWARD_STAFF_PASSWORD", STAFF_PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "homeward-hq {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn totp(key_base32: &str) -> String {
    let (mut buf, mut bits, mut secret) = (0u32, 0u32, vec![]);
    for c in key_base32.chars() {
        buf = (buf << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".find(c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            secret.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    homeward_hq::console::staff::totp_code(&hex::encode(secret), (homeward_hq::hq::now_ms() / 1000) as u64)
}

const REQUEST: &str = r#"{
  "applicant": {"surname": "Токтогулова", "given_name": "Назира", "date_of_birth": "1993-08-21",
                "place_of_birth": "Жалал-Абад", "sex": "f"},
  "evidence": [{"type": "verification_requested"}],
  "loss": "held_by_trafficker",
  "trafficking": {"note": "referred by IOM"},
  "route": "Istanbul - Bishkek (Manas)",
  "travel_date": "2099-12-05",
  "officer_assessment": "consistent account; passport held by the employer"
}"#;

#[test]
fn a_request_goes_from_a_consulate_through_the_console_to_an_entry_at_the_border() {
    if chromedriver().is_none() {
        assert!(std::env::var("HOMEWARD_REQUIRE_BROWSER").is_err(), "chromium-driver is required here but missing");
        eprintln!("skipped: no chromedriver on this machine");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let hq_dir = t.path().join("hq");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(bin("homeward-hq"))
        .arg("--data-dir")
        .arg(&hq_dir)
        .args(["serve", "--tls", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let _server = Server(child);
    let mut line = String::new();
    while !line.contains("staff console at") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "the server stopped");
    }
    std::thread::spawn(move || for _ in err.lines() {});
    let url = format!("https://127.0.0.1:{port}");
    let ca = hq_dir.join("tls/ca.pem");
    let staff = hq(
        &hq_dir,
        &["staff", "add", "reviewer", "--role", "reviewer", "--name", "Gulnara Asanova", "--language", "en"],
    );
    let key = staff["totp_key"].as_str().unwrap().to_string();

    // A consular officer in Istanbul: a vault, enrolment with the pinned authority, a request, a sync.
    let consulate = t.path().join("consulate");
    field(&consulate, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]);
    let code = hq(&hq_dir, &["enrollment-code", "--office", "IST", "--role", "consular_officer"]);
    field(&consulate, &["enroll", &url, code["code"].as_str().unwrap(), "--pin", ca.to_str().unwrap()]);
    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST).unwrap();
    let case =
        json(&field(&consulate, &["--json", "certificate", "request", "--file", req.to_str().unwrap(), "--submit"]))
            ["case_id"]
            .as_str()
            .unwrap()
            .to_string();
    field(&consulate, &["sync"]);

    // The reviewer, in the browser: sign in, find the case, verify, approve.
    let d = Driver::start("en");
    d.goto(&format!("{url}/console/sign-in"));
    d.type_into("#username", "reviewer");
    d.type_into("#password", STAFF_PASSWORD);
    d.click("form.stack button[type=submit]");
    d.wait_for("the second factor", |d| d.url().contains("/second-factor"));
    d.type_into("#code", &totp(&key));
    d.click("form.stack button[type=submit]");
    d.wait_for("the home page", |d| d.url().ends_with("/console/"));
    d.goto(&format!("{url}/console/queue"));
    d.wait_for("the request in the queue", |d| d.text().contains("1 request matches"));
    d.click("a.case-link");
    d.wait_for("the case", |d| d.url().contains(&case));
    assert!(d.text().contains("Presumed victim"), "the trafficking flag is shown");
    d.click("#decide-verify-identity button");
    d.wait_for("the queue again (no other case)", |d| d.text().contains("Identity verified"));
    d.goto(&format!("{url}/console/cases/{case}"));
    d.click("#decide-approve button");
    d.wait_for("the approval", |d| d.text().contains("Approved."));

    // The consulate receives the decision at its next sync and issues.
    field(&consulate, &["sync"]);
    let png = t.path().join("certificate-qr.png");
    let issued = json(&field(&consulate, &["--json", "certificate", "issue", &case, "--png", png.to_str().unwrap()]));
    assert_eq!(issued["state"], "issued");
    assert_eq!(issued["certificate"]["fee_waived"], true, "no fee for a trafficking victim");
    field(&consulate, &["sync"]);

    // A border post at Manas: enrolled, synced once (trust list), then offline verification and entry.
    let border = t.path().join("border");
    field(&border, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]);
    let code = hq(&hq_dir, &["enrollment-code", "--office", "MANAS", "--role", "border_guard"]);
    field(&border, &["enroll", &url, code["code"].as_str().unwrap(), "--pin", ca.to_str().unwrap()]);
    field(&border, &["sync"]);
    let v = json(&field(&border, &["--json", "certificate", "verify", "--image", png.to_str().unwrap()]));
    assert_eq!(v["signer_office"], "IST");
    field(&border, &["certificate", "enter", "--image", png.to_str().unwrap(), "--crossing", "MANAS"]);
    field(&border, &["sync"]);

    // The console shows the case entered, with who did what.
    d.goto(&format!("{url}/console/cases/{case}"));
    d.wait_for("the entry", |d| d.text().contains("Entered the country"));
    let text = d.text();
    assert!(
        text.contains("Certificate issued") && text.contains("Approved") && text.contains("Identity verified"),
        "{text}"
    );
    assert!(text.contains("Manas airport"), "where the entry was recorded: {text}");
    assert!(text.contains("reviewer (headquarters' key"), "the decisions name the reviewer: {text}");
    d.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/console-screenshots/story-entered.png"));
}
