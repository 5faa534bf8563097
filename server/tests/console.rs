//! The staff console in a real browser: headless Chromium driven through
//! chromedriver over the real `homeward-hq serve --tls` binary, on SQLite,
//! and on PostgreSQL when `HOMEWARD_TEST_POSTGRES` is set (scripts/test
//! runs both). Field devices are real vaults syncing over TLS.
//!
//! What it shows: sign-in with the second factor (enrolled at the first
//! sign-in); review and decisions, keyboard only with visible focus, the
//! next case after each; a device receiving the decision at its next sync,
//! issuing, a border post verifying offline and recording the entry, and
//! the console showing it; every attack the issue lists refused with a
//! clear message and nothing changed; every page in ky, ru and en with no
//! untranslated message, the right `<html lang>`, no serious or critical
//! axe-core finding; zero CSP reports (and a positive control that one is
//! caught); a screenshot of every page under target/console-screenshots/.

mod common;

use homeward_core::date::Today;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use common::webdriver::{chromedriver, Driver};
use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex, TraffickingFlag};
use homeward_core::certificate::{
    verify, CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile, VerifyContext,
};
use homeward_core::date::IsoDate;
use homeward_core::sync::RetryPolicy;
use homeward_core::vault::{KdfParams, Secret, Vault, VaultOptions};
use serde_json::json;

const PASSWORD: &str = "a long day of careful review";
const AXE: &str = include_str!("vendor/axe.min.js");

fn now_ms() -> i64 {
    homeward_hq::hq::now_ms()
}

struct Hq {
    child: Child,
    url: String,
    dir: PathBuf,
    database_url: Option<String>,
    log: Arc<Mutex<Vec<String>>>,
    ca: String,
}

impl Drop for Hq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_homeward-hq")
}

fn hq_cmd(dir: &Path, database_url: Option<&str>) -> Command {
    let mut c = Command::new(bin());
    c.arg("--data-dir").arg(dir);
    match database_url {
        Some(u) => c.env("DATABASE_URL", u),
        None => c.env_remove("DATABASE_URL"),
    };
    c
}

fn start(dir: &Path) -> Hq {
    let database_url = common::fresh_database();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = hq_cmd(dir, database_url.as_deref())
        .args(["serve", "--tls", "--listen", &format!("127.0.0.1:{port}"), "--k-anonymity", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().unwrap();
    let l2 = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if line.contains("staff console at") {
                let _ = tx.send(());
            }
            l2.lock().unwrap().push(line);
        }
    });
    rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the server starts");
    let ca = std::fs::read_to_string(dir.join("tls/ca.pem")).unwrap();
    Hq { child, url: format!("https://127.0.0.1:{port}"), dir: dir.to_path_buf(), database_url, log, ca }
}

/// Adds a staff account through the admin CLI; returns its TOTP secret (hex).
fn add_staff(hq: &Hq, username: &str, role: &str, name: &str, lang: &str) -> String {
    let out = hq_cmd(&hq.dir, hq.database_url.as_deref())
        .args(["--json", "staff", "add", username, "--role", role, "--name", name, "--language", lang])
        .env("HOMEWARD_STAFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "staff add: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    hex::encode(base32_decode(v["totp_key"].as_str().unwrap()))
}

fn base32_decode(s: &str) -> Vec<u8> {
    let (mut buf, mut bits, mut out) = (0u32, 0u32, vec![]);
    for c in s.chars() {
        let v = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".find(c).unwrap() as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

fn code(secret: &str) -> String {
    homeward_hq::console::staff::totp_code(secret, (now_ms() / 1000) as u64)
}

fn vault(dir: &Path) -> Vault {
    let o = VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() };
    Vault::create(dir, &Secret::new("correct horse battery staple"), None, o).unwrap()
}

fn enrol(hq: &Hq, dir: &Path, office: &str, role: &str) -> Vault {
    let out = hq_cmd(&hq.dir, hq.database_url.as_deref())
        .args(["--json", "enrollment-code", "--office", office, "--role", role])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut vault = vault(dir);
    homeward_core::sync::enroll_pinned(&mut vault, &hq.url, v["code"].as_str().unwrap(), "test phone", Some(&hq.ca))
        .unwrap();
    vault
}

fn sync(v: &mut Vault) {
    homeward_core::sync::sync(v, RetryPolicy::default(), &|_| {}, &AtomicBool::new(false)).unwrap();
}

fn request(victim: bool, surname: &str) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: surname.into(),
            given_name: "Айгүл".into(),
            patronymic: None,
            date_of_birth: "1995-03-14".parse().unwrap(),
            place_of_birth: "Ош".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::NationalId { number: "ID1234567".into() }],
        loss: if victim { DocumentLoss::HeldByEmployer } else { DocumentLoss::Lost },
        trafficking: victim.then(|| TraffickingFlag { screening_id: None, note: Some("referred to IOM".into()) }),
        children: vec![],
        route: "Istanbul - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "consistent account".into(),
        issuing_office: "IST".into(),
        request_date: IsoDate::today(),
    }
}

fn screenshots(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/console-screenshots").join(backend)
}

/// axe-core on the page: the serious and critical findings.
fn axe(d: &Driver) -> Vec<String> {
    let script = format!(
        "{AXE}\n;return axe.run(document, {{resultTypes: ['violations']}}).then(function (r) {{ return r.violations.filter(function (v) {{ return v.impact === 'serious' || v.impact === 'critical'; }}).map(function (v) {{ return v.id + ': ' + v.nodes.map(function (n) {{ return n.target.join(' '); }}).join(', '); }}); }});"
    );
    d.exec(&script, json!([])).as_array().map(|a| a.iter().map(|v| v.to_string()).collect()).unwrap_or_default()
}

/// The checks every page gets: its language, no message id left untranslated, axe, a screenshot.
fn check_page(d: &Driver, backend: &str, lang: &str, name: &str) {
    let html_lang = d.exec("return document.documentElement.lang", json!([])).as_str().unwrap_or("").to_string();
    assert_eq!(html_lang, lang, "<html lang> on {name}");
    let source = d.source();
    if name != "forbidden" {
        assert!(!source.contains("id=\"problem\""), "{name} ({lang}) is a problem page:\n{}", d.text());
    }
    assert!(!source.contains('⟦'), "{name} ({lang}) shows an untranslated message id:\n{}", d.text());
    let findings = axe(d);
    assert!(findings.is_empty(), "axe-core on {name} ({lang}): {findings:?}");
    d.screenshot(&screenshots(backend).join(format!("{name}-{lang}.png")));
}

fn switch_language(d: &Driver, lang: &str) {
    d.exec("document.getElementById('lang-select').value = arguments[0];", json!([lang]));
    d.click("form.lang button");
    d.wait_for("the language switch", |d| {
        d.exec("return document.documentElement.lang", json!([])).as_str() == Some(lang)
    });
}

fn sign_in(d: &Driver, hq: &Hq, username: &str, secret: &str) {
    d.delete_cookies();
    d.goto(&format!("{}/console/sign-in", hq.url));
    d.type_into("#username", username);
    d.type_into("#password", PASSWORD);
    d.click("form.stack button[type=submit]");
    d.wait_for("the second-factor page", |d| d.url().contains("/second-factor"));
    d.type_into("#code", &code(secret));
    d.click("form.stack button[type=submit]");
    d.wait_for("the home page", |d| d.url().ends_with("/console/"));
}

/// A cookie-carrying client outside the browser, for requests a browser would never send.
fn raw_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn session_cookie(d: &Driver) -> String {
    d.cookies()
        .into_iter()
        .find(|c| c["name"] == "__Host-hw_session")
        .and_then(|c| c["value"].as_str().map(str::to_string))
        .expect("signed in")
}

fn focus_is_visible(d: &Driver) -> bool {
    d.exec(
        "var e = document.activeElement; if (!e || e === document.body) return false; var s = getComputedStyle(e); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
        json!([]),
    )
    .as_bool()
    .unwrap_or(false)
}

#[test]
fn staff_work_the_console_in_a_real_browser() {
    if chromedriver().is_none() {
        assert!(std::env::var("HOMEWARD_REQUIRE_BROWSER").is_err(), "chromium-driver is required here but missing");
        eprintln!("skipped: no chromedriver on this machine");
        return;
    }
    let backend = common::backend();
    let t = tempfile::tempdir().unwrap();
    let hq = start(&t.path().join("hq"));
    let reviewer = add_staff(&hq, "ainura", "reviewer", "Ainura Sadykova", "en");
    let reviewer2 = add_staff(&hq, "bakyt", "reviewer", "Bakyt Osmonov", "ru");
    let admin = add_staff(&hq, "admin", "administrator", "Chynara Abdieva", "en");
    let analyst = add_staff(&hq, "analyst", "analyst", "Daniyar Toktogulov", "en");
    let auditor = add_staff(&hq, "auditor", "auditor", "Elmira Jumabaeva", "en");

    // The field: a consulate in Istanbul takes three requests; a border post screens.
    let mut consulate = enrol(&hq, &t.path().join("ist"), "IST", "consular_officer");
    let mut border = enrol(&hq, &t.path().join("manas"), "MANAS", "border_guard");
    let officer = DeviceProfile::load(&consulate).unwrap().identity().unwrap();
    let mut cases = vec![];
    for (victim, name) in [(true, "Асанова"), (false, "Бекова"), (true, "Жумабаева")] {
        let id =
            CertificateCases::new(&mut consulate).create(&officer, request(victim, name), now_ms()).unwrap().case_id;
        CertificateCases::new(&mut consulate).record(&officer, &id, CertificateEvent::Submitted, now_ms()).unwrap();
        cases.push(id);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sync(&mut consulate);

    let d = Driver::start("en");

    // ---- Signing in: wrong password, wrong code, enrolment of the second factor.
    d.goto(&format!("{}/console/queue", hq.url));
    d.wait_for("a redirect to sign in", |d| d.url().contains("/console/sign-in"));
    check_page(&d, backend, "en", "sign-in");
    d.type_into("#username", "ainura");
    d.type_into("#password", "not the password at all");
    d.click("form.stack button[type=submit]");
    d.wait_for("the refusal", |d| d.text().contains("Wrong username or password"));
    assert!(d.find_opt("#code").is_none(), "no second step after a wrong password");
    d.clear("#username");
    d.type_into("#username", "ainura");
    d.type_into("#password", PASSWORD);
    d.click("form.stack button[type=submit]");
    d.wait_for("the enrolment of the second factor", |d| d.url().contains("/second-factor"));
    assert!(d.source().contains("<svg"), "a QR code to scan");
    check_page(&d, backend, "en", "second-factor-enrol");
    d.type_into("#code", &homeward_hq::console::staff::totp_code(&reviewer, (now_ms() / 1000) as u64 + 3600));
    d.click("form.stack button[type=submit]");
    d.wait_for("the refusal of a wrong code", |d| d.text().contains("That code is wrong"));
    let half = session_cookie(&d);
    d.type_into("#code", &code(&reviewer));
    d.click("form.stack button[type=submit]");
    d.wait_for("the home page", |d| d.url().ends_with("/console/"));
    assert_ne!(session_cookie(&d), half, "a new session id at sign-in");
    assert!(
        d.text().contains("3\nrequests wait for review")
            || d.text().contains("3 requests")
            || d.text().contains("requests wait for review")
    );
    let waiting_before = d.find("a.tile .tile-figure");
    let _ = waiting_before;
    assert!(d.text().contains("Good day, Ainura Sadykova"));
    check_page(&d, backend, "en", "home-reviewer");

    // ---- The queue, keyboard only: j selects the oldest, o opens it, v goes to the decision.
    d.goto(&format!("{}/console/queue", hq.url));
    assert!(d.text().contains("3 requests match"), "{}", d.text());
    assert!(!d.source().contains("Асанова"), "no name in the queue");
    check_page(&d, backend, "en", "queue");
    // ---- Finding a person's cases: names and numbers are sealed, so the
    // lookup goes through the keyed index; a POST, nothing of it in the URL.
    d.type_into("#find-surname", "бекова");
    d.type_into("#find-given", "Айгүл");
    d.exec("document.getElementById('find-dob').value = arguments[0]", serde_json::json!(["1995-03-14"]));
    d.click("form.find button[type=submit]");
    d.wait_for("the lookup's answer", |d| d.url().ends_with("/console/queue/find"));
    assert!(d.text().contains("1 case found for this person"), "{}", d.text());
    assert!(d.source().contains(&format!("/console/cases/{}", cases[1])), "the one case of that person");
    assert!(!d.source().contains(&format!("/console/cases/{}", cases[0])));
    check_page(&d, backend, "en", "queue-find");
    d.goto(&format!("{}/console/queue", hq.url));
    d.type_into("#find-document", "id 123-4567");
    d.click("form.find button[type=submit]");
    d.wait_for("the lookup by number", |d| d.text().contains("cases found"));
    assert!(d.text().contains("3 cases found for this person"), "all three carry that number: {}", d.text());
    d.goto(&format!("{}/console/queue", hq.url));
    d.type_into("#find-document", "ID7654321");
    d.click("form.find button[type=submit]");
    d.wait_for("the empty answer", |d| d.text().contains("cases found"));
    assert!(d.text().contains("0 cases found"), "{}", d.text());
    d.goto(&format!("{}/console/queue", hq.url));
    d.keys("j");
    assert!(focus_is_visible(&d), "the selected row's link shows its focus");
    d.keys("o");
    d.wait_for("the oldest case", |d| d.url().contains(&cases[0]));
    assert!(!d.source().contains("Асанова"), "the summary shows no name");
    check_page(&d, backend, "en", "case");
    d.keys("v");
    assert!(focus_is_visible(&d), "the decision field shows its focus");
    d.keys("\u{E004}");
    assert!(focus_is_visible(&d), "the decision button shows its focus");
    d.keys("\u{E007}");
    d.wait_for("the next case", |d| d.url().contains(&cases[1]));
    assert!(d.text().contains("Identity verified. Here is the next case."));

    // ---- The full record needs a reason, and is audited.
    d.click("#full-record button[type=submit]");
    d.wait_for("the full record", |d| d.text().contains("Бекова"));
    assert!(d.text().contains("ID1234567"));
    check_page(&d, backend, "en", "case-full-record");

    // Reject B with a reason (mouse).
    d.type_into("#f-reject", "citizenship not confirmed by the register");
    d.click("#decide-reject button");
    d.wait_for("the next case", |d| d.url().contains(&cases[2]));

    // ---- A decision on a case that moved on meanwhile: shown, not applied twice.
    let out =
        hq_cmd(&hq.dir, hq.database_url.as_deref()).args(["decide", &cases[2], "verify-identity"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    d.click("#decide-verify-identity button");
    d.wait_for("the refusal", |d| d.text().contains("This case changed while you were looking"));
    let history = d.find_all(".case-main table.data tbody tr").len();
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[2]));
    assert_eq!(d.find_all(".case-main table.data tbody tr").len(), history, "nothing was applied twice");

    // Approve A; the consulate receives it at its next sync, issues; the border verifies and records the entry.
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[0]));
    d.click("#decide-approve button");
    d.wait_for("the decision", |d| !d.url().contains(&cases[0]) || d.text().contains("Approved"));
    sync(&mut consulate);
    let issued =
        CertificateCases::new(&mut consulate).issue(&officer, &cases[0], None, IsoDate::today(), now_ms()).unwrap();
    sync(&mut consulate);
    sync(&mut border);
    let guard = DeviceProfile::load(&border).unwrap().identity().unwrap();
    let profile = DeviceProfile::load(&border).unwrap();
    let used = |_: &str| None;
    let ctx =
        VerifyContext { store: &profile.trust, now_ms: now_ms(), today: IsoDate::today(), used: &used, photo: None };
    let ok = verify(&issued.certificate.as_ref().unwrap().barcode, &ctx).unwrap();
    CertificateCases::new(&mut border).enter(&guard, &ok, "MANAS", IsoDate::today(), now_ms()).unwrap();
    sync(&mut border);
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[0]));
    d.wait_for("the entry", |d| d.text().contains("Entered the country"));
    assert!(d.text().contains("Certificate issued"));

    // ---- A second border device records the same certificate: a real fork,
    // shown as a conflict with a form per branch; the reviewer keeps the first.
    let mut border2 = enrol(&hq, &t.path().join("manas-2"), "MANAS", "border_guard");
    sync(&mut border2);
    let guard2 = DeviceProfile::load(&border2).unwrap().identity().unwrap();
    CertificateCases::new(&mut border2).enter(&guard2, &ok, "MANAS", IsoDate::today(), now_ms()).unwrap();
    sync(&mut border2);
    let first_entry = CertificateCases::new(&mut border).events(&cases[0]).unwrap()[0].id.clone();
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[0]));
    d.wait_for("the conflict", |d| d.find_opt(&format!("[id='resolve-{first_entry}']")).is_some());
    assert_eq!(d.find_all("form[id^='resolve-']").len(), 2, "one form per branch");
    check_page(&d, backend, "en", "case-conflict");
    d.type_into(&format!("[id='f-resolve-{first_entry}']"), "the first crossing is the holder's");
    d.click(&format!("[id='resolve-{first_entry}'] button"));
    d.wait_for("the resolution", |d| d.text().contains("Conflict resolved"));
    let out = hq_cmd(&hq.dir, hq.database_url.as_deref()).args(["--json", "cases"]).output().unwrap();
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let resolved = listed.iter().find(|c| c["case_id"] == cases[0].as_str()).unwrap();
    assert!(resolved["conflict"].is_null(), "{resolved}");
    assert_eq!(resolved["state"], "entered");
    assert_eq!(resolved["history"].as_array().unwrap().last().unwrap()[1], "conflict_resolved");

    // The home page changed: one request waits (C, identity verified by the CLI).
    d.goto(&format!("{}/console/", hq.url));
    assert!(d.text().contains("request waits for review"), "{}", d.text());

    // ---- Attacks, each refused with a clear message and nothing changed.
    // A reviewer opening an administrator's page.
    d.goto(&format!("{}/console/devices", hq.url));
    assert!(d.text().contains("Not for your role"));
    check_page(&d, backend, "en", "forbidden");
    // A POST without the CSRF token (from the console's own page).
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[2]));
    d.exec(
        "document.querySelectorAll('#decide-approve input[name=csrf]').forEach(function (e) { e.remove(); });",
        json!([]),
    );
    d.click("#decide-approve button");
    d.wait_for("the refusal", |d| d.text().contains("Request refused"));
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[2]));
    assert!(d.text().contains("Identity verified") && !d.text().contains("Approved\n"), "nothing approved");
    // From another origin, with the session cookie and even the right token.
    let cookie = session_cookie(&d);
    let csrf = d.attr("#decide-approve input[name=csrf]", "value").unwrap();
    let head = d.attr("#decide-approve input[name=head]", "value").unwrap();
    let form = [("csrf", csrf.as_str()), ("head", head.as_str()), ("kind", "approve"), ("validity_days", "30")];
    let post = |origin: Option<&str>, site: Option<&str>| {
        let mut r = raw_client()
            .post(format!("{}/console/cases/{}/decision", hq.url, cases[2]))
            .header("cookie", format!("__Host-hw_session={cookie}"))
            .form(&form);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        r.send().unwrap()
    };
    let r = post(Some("https://evil.example"), Some("cross-site"));
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("did not come from a page of this console"));
    assert_eq!(post(None, None).status(), 403, "neither Origin nor Fetch Metadata: refused");
    // A malformed form.
    let r = raw_client()
        .post(format!("{}/console/cases/{}/decision", hq.url, cases[2]))
        .header("cookie", format!("__Host-hw_session={cookie}"))
        .header("origin", hq.url.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"csrf=%FF%FE&kind=approve".to_vec())
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("The form was malformed"));
    d.goto(&format!("{}/console/cases/{}", hq.url, cases[2]));
    assert!(d.find_opt("#decide-approve").is_some(), "still waiting for approval: nothing changed");

    // ---- Account page, help page, in every language (switching is per user and kept).
    for lang in ["en", "ru", "ky"] {
        if lang != "en" {
            switch_language(&d, lang);
        }
        for (name, path) in [
            ("home-reviewer", "/console/".to_string()),
            ("queue", "/console/queue".into()),
            ("case", format!("/console/cases/{}", cases[0])),
            ("account", "/console/account".into()),
            ("help", "/console/help".into()),
        ] {
            d.goto(&format!("{}{path}", hq.url));
            check_page(&d, backend, lang, name);
        }
    }
    switch_language(&d, "en");

    // ---- An expired session: idle past its timeout, the next page asks to sign in again.
    {
        let db = homeward_hq::Hq::open_with(&hq.dir, hq.database_url.as_deref()).unwrap();
        let h = homeward_hq::console::staff::token_hash(&session_cookie(&d));
        db.db
            .tx(|s| {
                s.exec(
                    "UPDATE console_sessions SET last_ms = last_ms - 3600000 WHERE id_hash = ?1",
                    &[h.as_str().into()],
                )
            })
            .unwrap();
    }
    d.goto(&format!("{}/console/queue", hq.url));
    d.wait_for("the sign-in page", |d| d.url().contains("why=expired"));
    assert!(d.text().contains("Your session ended after a period without activity"));

    // ---- The administrator: devices, enrolment code with QR, checklists and reference data.
    sign_in(&d, &hq, "admin", &admin);
    d.goto(&format!("{}/console/devices", hq.url));
    assert!(d.text().contains("ist-01"), "{}", d.text());
    d.type_into("#e-office", "DXB");
    d.click("form.row-form button");
    d.wait_for("an enrolment code", |d| d.find_opt("#enrolment-code").is_some());
    assert!(d.source().contains("role=\"img\" aria-label=\"QR\""));
    let enrol_code = d.text();
    assert!(enrol_code.contains("Dubai"), "{enrol_code}");
    // Revoking asks for the password again.
    d.exec("document.querySelector('td.actions details').open = true;", json!([]));
    d.type_into("td.actions input[type=password]", "wrong password here");
    d.click("td.actions form.danger-zone button");
    d.wait_for("the refusal", |d| d.text().contains("The password is wrong"));
    assert!(!d.text().contains("Revoked"), "nothing revoked");
    check_page(&d, backend, "en", "devices");
    // An invalid template: every problem with its path.
    let bad = t.path().join("bad-template.json");
    let mut tpl: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/templates/kg-border-screening-v2.json"),
        )
        .unwrap(),
    )
    .unwrap();
    tpl["version"] = json!(tpl["version"].as_u64().unwrap() + 1);
    tpl["sections"][0]["questions"][0]["id"] = json!("Bad Id!");
    std::fs::write(&bad, serde_json::to_string(&tpl).unwrap()).unwrap();
    d.goto(&format!("{}/console/checklists", hq.url));
    d.upload("#file", &bad);
    d.click("form.row-form button");
    d.wait_for("the problems", |d| d.text().contains("must be fixed before publishing"));
    assert!(
        d.text().contains("sections[") && d.find_opt("form[action='/console/checklists/publish']").is_none(),
        "problems with paths, no publish button"
    );
    check_page(&d, backend, "en", "checklists");
    // An XLSForm workbook with a mistake: shown by sheet, row and column.
    let mut sheet_tpl = homeward_domain::screening::template::Template::from_json(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/templates/kg-border-screening-v2.json"),
        )
        .unwrap(),
    )
    .unwrap();
    sheet_tpl.version += 1;
    sheet_tpl.sections[0].questions[1].id = sheet_tpl.sections[0].questions[0].id.clone();
    let xlsx = t.path().join("bad-checklist.xlsx");
    std::fs::write(&xlsx, homeward_hq::xlsform::export(&sheet_tpl).unwrap()).unwrap();
    d.goto(&format!("{}/console/checklists", hq.url));
    d.upload("#file", &xlsx);
    d.click("form.row-form button");
    d.wait_for("the workbook's problems", |d| d.text().contains("used more than once"));
    assert!(
        d.text().contains("survey!B4") && d.find_opt("form[action='/console/checklists/publish']").is_none(),
        "the cell named, no publish button: {}",
        d.text()
    );
    check_page(&d, backend, "en", "checklist-xlsform-problems");
    // An oversized upload.
    let big = t.path().join("big.json");
    std::fs::write(&big, vec![b' '; 600 * 1024]).unwrap();
    d.goto(&format!("{}/console/checklists", hq.url));
    d.upload("#file", &big);
    d.click("form.row-form button");
    d.wait_for("the refusal", |d| d.text().contains("larger than 512 KiB"));
    // A valid new version: the diff, then publish.
    let good = t.path().join("good-template.json");
    let mut tpl: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/templates/kg-border-screening-v2.json"),
        )
        .unwrap(),
    )
    .unwrap();
    tpl["version"] = json!(tpl["version"].as_u64().unwrap() + 1);
    tpl["sections"][0]["questions"][0]["text"]["en"] = json!("Does the person look under 18?");
    std::fs::write(&good, serde_json::to_string(&tpl).unwrap()).unwrap();
    d.goto(&format!("{}/console/checklists", hq.url));
    d.upload("#file", &good);
    d.click("form.row-form button");
    d.wait_for("the diff", |d| d.text().contains("reworded (en)"));
    // The review state per language, and the override the unreviewed texts need.
    assert!(d.text().contains("Review of the texts") && d.text().contains("appears_minor.text"), "{}", d.text());
    check_page(&d, backend, "en", "checklist-draft");
    // Sent without a reason (the browser's own check removed): refused, nothing published.
    d.exec("document.getElementById('allow_unreviewed').removeAttribute('required');", json!([]));
    d.click("form[action='/console/checklists/publish'] button");
    d.wait_for("the refusal", |d| d.text().contains("give the reason for publishing them anyway"));
    d.type_into("#allow_unreviewed", "training release; Kyrgyz review booked");
    d.click("form[action='/console/checklists/publish'] button");
    d.wait_for("publication", |d| d.text().contains("The checklist is published"));
    assert!(d.text().contains("Reviewed (ky)"), "the review state of the checklist in force");
    d.goto(&format!("{}/console/reference", hq.url));
    check_page(&d, backend, "en", "reference");
    d.goto(&format!("{}/console/staff", hq.url));
    check_page(&d, backend, "en", "staff");
    for lang in ["ru", "ky"] {
        switch_language(&d, lang);
        for (name, path) in [
            ("devices", "/console/devices"),
            ("checklists", "/console/checklists"),
            ("reference", "/console/reference"),
            ("staff", "/console/staff"),
            ("home-administrator", "/console/"),
        ] {
            d.goto(&format!("{}{path}", hq.url));
            check_page(&d, backend, lang, name);
        }
    }

    // ---- The analyst: aggregates only, small cells hidden, the export labelled.
    sign_in(&d, &hq, "analyst", &analyst);
    d.goto(&format!("{}/console/queue", hq.url));
    assert!(d.text().contains("Not for your role"), "an analyst sees no case");
    d.goto(&format!("{}/console/statistics", hq.url));
    assert!(d.text().contains("FOR OFFICIAL USE ONLY"));
    let csv = raw_client()
        .get(format!("{}/console/statistics/export.csv", hq.url))
        .header("cookie", format!("__Host-hw_session={}", session_cookie(&d)))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(csv.starts_with("FOR OFFICIAL USE ONLY\n"), "{csv} {:?}", hq.log.lock().unwrap());
    assert!(csv.contains("suppressed"), "three requests: every small cell hidden\n{csv}");
    for line in csv.lines().filter(|l| !l.starts_with('#')) {
        for cell in line.split(',').skip(1) {
            if let Ok(n) = cell.trim_matches('"').parse::<i64>() {
                assert!(n == 0 || n >= 5, "a count under k in the export: {line}");
            }
        }
    }
    for lang in ["en", "ru", "ky"] {
        if lang != "en" {
            switch_language(&d, lang);
        }
        for (name, path) in [("statistics", "/console/statistics"), ("home-analyst", "/console/")] {
            d.goto(&format!("{}{path}", hq.url));
            check_page(&d, backend, lang, name);
        }
    }

    // ---- The auditor: filters, the reviewer's full-record view with its reason, chain verification.
    sign_in(&d, &hq, "auditor", &auditor);
    d.goto(&format!("{}/console/audit?actor=console:ainura&action=view", hq.url));
    assert!(d.text().contains("Identity check for this request"), "the justified view is in the trail:\n{}", d.text());
    d.click("form[action='/console/audit/verify'] button");
    d.wait_for("the verification", |d| d.find_opt("#verify-result").is_some());
    assert!(d.text().contains("is intact"), "{}", d.text());
    for lang in ["en", "ru", "ky"] {
        if lang != "en" {
            switch_language(&d, lang);
        }
        for (name, path) in [("audit", "/console/audit"), ("home-auditor", "/console/")] {
            d.goto(&format!("{}{path}", hq.url));
            check_page(&d, backend, lang, name);
        }
    }
    // Signed-out pages in every language.
    d.delete_cookies();
    for lang in ["ru", "ky", "en"] {
        d.goto(&format!("{}/console/sign-in", hq.url));
        switch_language(&d, lang);
        check_page(&d, backend, lang, "sign-in");
        d.goto(&format!("{}/console/setup", hq.url));
        check_page(&d, backend, lang, "setup");
    }
    // A second reviewer signs in in Russian (their account's language) and sees the second factor in Russian.
    d.goto(&format!("{}/console/sign-in", hq.url));
    d.type_into("#username", "bakyt");
    d.type_into("#password", PASSWORD);
    d.click("form.stack button[type=submit]");
    d.wait_for("the second factor", |d| d.url().contains("/second-factor"));
    check_page(&d, backend, "ru", "second-factor-enrol");
    let _ = reviewer2;

    // ---- No CSP report during the whole run; then a positive control.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let reports =
        |log: &Arc<Mutex<Vec<String>>>| log.lock().unwrap().iter().filter(|l| l.contains("CSP violation")).count();
    assert_eq!(reports(&hq.log), 0, "CSP reports: {:?}", hq.log.lock().unwrap());
    d.exec(
        "var s = document.createElement('div'); s.setAttribute('style', 'color: red'); document.body.appendChild(s);",
        json!([]),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while reports(&hq.log) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(reports(&hq.log), 1, "the positive control: an inline style is reported");
}
