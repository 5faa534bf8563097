//! `homeward-demo`: headquarters with its embedded database, seeded by
//! two simulated field devices that really enrol and sync over HTTP (a
//! consulate in Istanbul, a border post at Manas airport), and a read-only
//! dashboard at `/` that a newcomer can follow in a browser. The dashboard
//! exists only in demo mode and shows no personal data: case ids, states,
//! counts, devices.

use homeward_core::date::Today;
use homeward_core::screening::ScreeningRecordId;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex, TraffickingFlag};
use homeward_core::certificate::{
    verify, CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile, VerifyContext,
};
use homeward_core::date::IsoDate;
use homeward_core::events::Role;
use homeward_core::screening::{default_checklist, AnswerValue, Lang, NewScreening, ScreeningRecords, YesNo};
use homeward_core::sync::RetryPolicy;
use homeward_core::vault::{KdfParams, Secret, Vault, VaultOptions};

use homeward_hq::api::Shared;
use homeward_hq::hq::{now_ms, Hq};

/// The demo devices' passphrase: fictional data only.
pub const DEMO_PASSPHRASE: &str = "demo passphrase, fictional data only";

/// What the seeding did, step by step, for the dashboard's walkthrough.
pub fn seed(hq: &Hq, url: &str, devices_dir: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut steps = Vec::new();
    let options = || VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() };
    let _ = std::fs::remove_dir_all(devices_dir);
    let sync = |v: &mut Vault| homeward_core::sync::sync(v, RetryPolicy::default(), &|_| {}, &AtomicBool::new(false));

    let mut consulate =
        Vault::create(&devices_dir.join("consulate-ist"), &Secret::new(DEMO_PASSPHRASE), None, options())?;
    let code = hq.enrollment_code("IST", Role::ConsularOfficer, 15)?;
    let r = homeward_core::sync::enroll(&mut consulate, url, &code, "demo consulate, Istanbul")?;
    steps.push(format!(
        "A consular officer's phone in Istanbul enrolled with a one-time code and became {}.",
        r.device_id
    ));
    let mut border = Vault::create(&devices_dir.join("border-manas"), &Secret::new(DEMO_PASSPHRASE), None, options())?;
    let code = hq.enrollment_code("MANAS", Role::BorderGuard, 15)?;
    let r = homeward_core::sync::enroll(&mut border, url, &code, "demo border post, Manas airport")?;
    steps.push(format!("A border guard's phone at Manas airport enrolled and became {}.", r.device_id));

    let officer = DeviceProfile::load(&consulate)?.identity()?;
    let request = CertificateRequest {
        applicant: Applicant {
            surname: "Демо".into(),
            given_name: "Вымышленная".into(),
            patronymic: None,
            date_of_birth: "1996-06-01".parse()?,
            place_of_birth: "Ош".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::VerificationRequested],
        loss: DocumentLoss::HeldByEmployer,
        trafficking: Some(TraffickingFlag { screening_id: None, note: Some("referred to IOM".into()) }),
        children: vec![],
        route: "Istanbul - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "passport held by the employer; consistent account".into(),
        issuing_office: "IST".into(),
        request_date: IsoDate::today(),
    };
    let case = CertificateCases::new(&mut consulate).create(&officer, request, now_ms())?.case_id;
    CertificateCases::new(&mut consulate).record(&officer, &case, CertificateEvent::Submitted, now_ms())?;
    sync(&mut consulate)?;
    steps.push(format!(
        "The consulate took a request for a Certificate of Return (case {case}), offline, and synced it: signed events, sealed on the phone."
    ));
    hq.decide_as(
        &case,
        CertificateEvent::IdentityVerified { note: "population register match".into() },
        "demo-operator",
    )?;
    hq.decide_as(&case, CertificateEvent::Approved { validity_days: 30 }, "demo-operator")?;
    steps.push("Headquarters checked the identity and approved, each decision an event signed with its key.".into());
    sync(&mut consulate)?;
    let issued = CertificateCases::new(&mut consulate).issue(&officer, &case, None, IsoDate::today(), now_ms())?;
    sync(&mut consulate)?;
    let number = issued.certificate.as_ref().map(|c| c.number.clone()).unwrap_or_default();
    steps.push(format!(
        "The consulate issued certificate {number} with a signed QR code, with no fee (a trafficking victim)."
    ));

    sync(&mut border)?;
    let guard = DeviceProfile::load(&border)?.identity()?;
    let profile = DeviceProfile::load(&border)?;
    let used = |_: &str| None;
    let ctx =
        VerifyContext { store: &profile.trust, now_ms: now_ms(), today: IsoDate::today(), used: &used, photo: None };
    let barcode = issued.certificate.map(|c| c.barcode).unwrap_or_default();
    let ok = verify(&barcode, &ctx)?;
    CertificateCases::new(&mut border).enter(&guard, &ok, "MANAS", IsoDate::today(), now_ms())?;
    steps.push(
        "At Manas the guard verified the certificate offline against the trust list and recorded the entry.".into(),
    );

    let c = default_checklist();
    let yes = || AnswerValue::YesNo(YesNo::Yes);
    for profile in 0..3 {
        let mut book = ScreeningRecords::new(&mut border, &c);
        let s = book.start(NewScreening {
            crossing_point: "MANAS".into(),
            officer: None,
            language: Lang::Ru,
            screening_date: IsoDate::today(),
            now_unix_ms: now_ms(),
        })?;
        let id = s.record_id()?;
        book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No))?;
        book.answer(id, "date_of_birth", AnswerValue::Date("1990-04-02".parse()?))?;
        book.answer(id, "documents", AnswerValue::Choice(if profile == 2 { "held_by_other" } else { "own" }.into()))?;
        if profile >= 1 {
            book.answer(id, "recruited", yes())?;
        }
        if profile == 2 {
            book.answer(id, "deceived", yes())?;
            book.answer(id, "forced_labour", yes())?;
        }
        book.finalise(id, now_ms())?;
    }
    sync(&mut border)?;
    steps.push(
        "The guard screened three travellers with the checklist; the reports (verdicts and indicators, never names) reached headquarters."
            .into(),
    );
    Ok(steps)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The dashboard: devices, cases, screenings, audit, and the walkthrough.
pub fn dashboard(hq: &Hq, steps: &[String]) -> Result<String, homeward_hq::HqError> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Homeward headquarters — demo</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}}\
         .note{{background:#fff6d6;padding:.5rem}}</style></head><body>\
         <h1>Homeward headquarters — demo</h1>\
         <p class=\"note\">Demo mode: fictional data. This page shows no personal data, only case ids, states and counts. \
         It is served only by <code>homeward-demo</code>.</p><h2>What just happened</h2><ol id=\"steps\">"
    );
    for s in steps {
        let _ = write!(h, "<li>{}</li>", esc(s));
    }
    h.push_str("</ol><h2>Devices</h2><table id=\"devices\"><tr><th>Device</th><th>Role</th><th>Office</th><th>Status</th></tr>");
    for d in hq.db.devices()? {
        let status = if d.revoked { "revoked" } else { "active" };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:?}</td><td>{}</td><td>{status}</td></tr>",
            esc(&d.id),
            d.role,
            esc(&d.office)
        );
    }
    h.push_str("</table><h2>Certificate cases</h2><table id=\"cases\"><tr><th>Case</th><th>Office</th><th>State</th><th>Certificate</th><th>Events</th></tr>");
    for c in hq.cases()? {
        let office = c.request.as_ref().map(|r| r.issuing_office.clone()).unwrap_or_default();
        let state = c.state.map(|s| format!("{s:?}")).unwrap_or_else(|| "-".into());
        let number = c.certificate.as_ref().map(|x| x.number.clone()).unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"state\">{state}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.case_id),
            esc(&office),
            esc(&number),
            c.history.len()
        );
    }
    h.push_str("</table><h2>Screenings received</h2><table id=\"screenings\"><tr><th>Office</th><th>Verdict</th><th>Screenings</th></tr>");
    for (office, verdict, n) in hq.db.screening_counts()? {
        let _ = write!(h, "<tr><td>{}</td><td>{}</td><td>{n}</td></tr>", esc(&office), esc(&verdict));
    }
    let audit = hq.db.audit_entries(None)?.len();
    let _ = write!(
        h,
        "</table><h2>Audit trail</h2><p id=\"audit\">{audit} entries received from devices (every view, change and export of a record).</p>\
         <h2>Try it yourself</h2><pre>homeward-hq --data-dir hq-demo enrollment-code --office IST --role consular_officer\n\
         homeward --data-dir my-phone init\nhomeward --data-dir my-phone enroll http://127.0.0.1:8480 CODE\n\
         homeward --data-dir my-phone sync</pre><p>API description: <a href=\"/openapi.json\">/openapi.json</a>. \
         Server time: {}.</p></body></html>",
        now_ms()
    );
    Ok(h)
}

#[derive(Clone)]
pub struct DemoState {
    pub hq: Shared,
    pub steps: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub async fn page(State(s): State<DemoState>) -> Response {
    let steps = s.steps.lock().map(|g| g.clone()).unwrap_or_default();
    match tokio::task::spawn_blocking(move || dashboard(&s.hq, &steps)).await {
        Ok(Ok(html)) => Html(html).into_response(),
        _ => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "try again").into_response(),
    }
}
