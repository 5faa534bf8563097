//! Headquarters and devices for real: the server on a loopback socket, each
//! device a vault in its own directory talking through the core's sync
//! client. Convergence, idempotency and replays, and authorisation.

use homeward_core::date::Today;
use homeward_core::random::OsRng;
use homeward_core::screening::ScreeningRecordId;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use homeward_core::certificate::{
    verify, CertificateCases, CertificateEvent, DeviceProfile, RequestState, VerifyContext,
};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Event, Hlc, Role};
use homeward_core::sync::protocol::{PushRequest, PushResponse, PushStatus};
use homeward_core::sync::{httpsig, RetryPolicy, SyncError};
use homeward_core::vault::{Secret, Vault};

mod common;
use common::{options, request, Server};

const PASS: &str = "correct horse battery staple";

fn device(dir: &Path, server: &Server, office: &str, role: Role) -> Vault {
    let mut v = Vault::create(dir, &Secret::new(PASS), None, options()).unwrap();
    let code = server.admin().enrollment_code(office, role, 15).unwrap();
    homeward_core::sync::enroll(&mut v, &server.url, &code, "test").unwrap();
    v
}

fn sync(v: &mut Vault) -> Result<homeward_core::sync::SyncReport, SyncError> {
    let quick = RetryPolicy { attempts: 3, base: std::time::Duration::from_millis(20), ..RetryPolicy::default() };
    homeward_core::sync::sync(v, quick, &|_| {}, &AtomicBool::new(false))
}

fn identity(v: &Vault) -> DeviceIdentity {
    DeviceProfile::load(v).unwrap().identity().unwrap()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn two_devices_and_headquarters_converge() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut consulate = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let mut border = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    let me = identity(&consulate);

    let case = CertificateCases::new(&mut consulate).create(&me, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut consulate).record(&me, &case, CertificateEvent::Submitted, now_ms()).unwrap();
    let r = sync(&mut consulate).unwrap();
    assert_eq!(r.accepted, 2);
    assert!(CertificateCases::new(&mut consulate).outbox().unwrap().is_empty());

    let hq = server.admin();
    hq.decide(&case, CertificateEvent::IdentityVerified { note: "ok".into() }).unwrap();
    hq.decide(&case, CertificateEvent::Approved { validity_days: 30 }).unwrap();
    let r = sync(&mut consulate).unwrap();
    assert_eq!(r.progress.events_received, 2);
    assert_eq!(CertificateCases::new(&mut consulate).view(&case).unwrap().state, Some(RequestState::Approved));

    let issued = CertificateCases::new(&mut consulate).issue(&me, &case, None, IsoDate::today(), now_ms()).unwrap();
    sync(&mut consulate).unwrap();
    let barcode = issued.certificate.unwrap().barcode;

    // The border post gets the new trust list on its next sync and verifies offline.
    sync(&mut border).unwrap();
    let profile = DeviceProfile::load(&border).unwrap();
    let used = |_: &str| None;
    let ctx =
        VerifyContext { store: &profile.trust, now_ms: now_ms(), today: IsoDate::today(), used: &used, photo: None };
    let ok = verify(&barcode, &ctx).unwrap();
    let guard = identity(&border);
    CertificateCases::new(&mut border).enter(&guard, &ok, "MANAS", IsoDate::today(), now_ms()).unwrap();
    let r = sync(&mut border).unwrap();
    assert_eq!(r.accepted, 1);

    sync(&mut consulate).unwrap();
    let view = CertificateCases::new(&mut consulate).view(&case).unwrap();
    assert_eq!(view.state, Some(RequestState::Entered));
    let hq_view = hq.cases().unwrap().into_iter().find(|c| c.case_id == case).unwrap();
    assert_eq!(hq_view.state, Some(RequestState::Entered));
    assert_eq!(hq_view.history, view.history, "the same events in the same order on both sides");

    // Syncing again changes nothing: nothing lost, nothing duplicated.
    let r = sync(&mut consulate).unwrap();
    assert_eq!((r.accepted, r.progress.events_received), (0, 0));
    assert_eq!(CertificateCases::new(&mut consulate).events(&case).unwrap().len(), 6);
}

/// host:port of a server's URL, as a request to it signs `@authority`.
fn authority(url: &str) -> &str {
    url.split("://").nth(1).unwrap_or(url).trim_end_matches('/')
}

/// Sends a signed push by hand, so a test can replay or tamper with it.
fn raw_push(
    url: &str,
    signer: &DeviceIdentity,
    keyid_override: Option<&str>,
    body: &[u8],
    key: Option<&str>,
) -> (u16, Vec<u8>, httpsig::SignatureHeaders) {
    let mut h = httpsig::sign(signer, "POST", authority(url), "/v1/events", "", body, now_ms() / 1000, &mut OsRng);
    if let Some(k) = keyid_override {
        h.signature_input = h.signature_input.replace(signer.device_id(), k);
    }
    let (status, bytes) = send_raw(url, &h, body, key);
    (status, bytes, h)
}

fn send_raw(url: &str, h: &httpsig::SignatureHeaders, body: &[u8], key: Option<&str>) -> (u16, Vec<u8>) {
    let client = reqwest::blocking::Client::new();
    let mut req = client
        .post(format!("{url}/v1/events"))
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let resp = req.body(body.to_vec()).send().unwrap();
    (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
}

#[test]
fn pushes_are_exactly_once_and_replays_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut consulate = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let me = identity(&consulate);
    let view = CertificateCases::new(&mut consulate).create(&me, request("IST"), now_ms()).unwrap();
    let events = CertificateCases::new(&mut consulate).outbox().unwrap();
    let body = serde_json::to_vec(&PushRequest { events: events.clone(), screenings: vec![] }).unwrap();

    let (status, bytes, headers) = raw_push(&server.url, &me, None, &body, Some("batch-1"));
    assert_eq!(status, 200);
    let first: PushResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(first.results[0].status, PushStatus::Accepted);

    // The very same request again (a replay): refused.
    let (status, bytes) = send_raw(&server.url, &headers, &body, Some("batch-1"));
    assert_eq!(status, 401);
    assert!(String::from_utf8_lossy(&bytes).contains("replayed"));

    // A retry (new signature, same Idempotency-Key): the same answer.
    let (status, bytes, _) = raw_push(&server.url, &me, None, &body, Some("batch-1"));
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<PushResponse>(&bytes).unwrap(), first);

    // The same events in a new batch: duplicates, stored once.
    let (_, bytes, _) = raw_push(&server.url, &me, None, &body, Some("batch-2"));
    assert_eq!(serde_json::from_slice::<PushResponse>(&bytes).unwrap().results[0].status, PushStatus::Duplicate);
    assert_eq!(server.admin().db.case_events(&view.case_id).unwrap().len(), 1);

    // A body altered after signing, or a request signed by another key under this device's id.
    let (status, _) = send_raw(&server.url, &headers, b"{\"events\":[]}", None);
    assert_eq!(status, 401);
    let mallory = DeviceIdentity::generate("x", Role::ConsularOfficer, "IST", &mut OsRng);
    let (status, bytes, _) = raw_push(&server.url, &mallory, Some(me.device_id()), &body, None);
    assert_eq!(status, 401);
    assert!(String::from_utf8_lossy(&bytes).contains("bad_signature"));
    // Unsigned.
    let status = reqwest::blocking::Client::new()
        .post(format!("{}/v1/events", server.url))
        .body(body.clone())
        .send()
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 401);
}

#[test]
fn offices_are_kept_apart_and_forged_authors_refused() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut ist = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let mut dxb = device(&t.path().join("dxb"), &server, "DXB", Role::ConsularOfficer);
    let ist_id = identity(&ist);
    let dxb_id = identity(&dxb);
    let case = CertificateCases::new(&mut ist).create(&ist_id, request("IST"), now_ms()).unwrap();
    sync(&mut ist).unwrap();

    // Dubai pulls: nothing of Istanbul's case reaches it.
    let r = sync(&mut dxb).unwrap();
    assert_eq!(r.progress.events_received, 0);
    assert!(CertificateCases::new(&mut dxb).list().unwrap().is_empty());

    // Dubai writes on Istanbul's case: refused, kept on the device with the reason.
    let e = Event::new(
        &dxb_id,
        &case.case_id,
        case.head.clone(),
        Hlc { wall_ms: now_ms(), counter: 0 },
        CertificateEvent::Submitted,
        &mut OsRng,
    );
    let body = serde_json::to_vec(&PushRequest { events: vec![e], screenings: vec![] }).unwrap();
    let (_, bytes, _) = raw_push(&server.url, &dxb_id, None, &body, None);
    let r: PushResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(r.results[0].status, PushStatus::Rejected);
    assert!(
        r.results[0].reason.as_ref().unwrap().contains("no such case in this device's office"),
        "the same answer as for a case that does not exist"
    );

    // A Dubai request for a Dubai case created with Istanbul as the author: refused.
    let forged = Event::new(
        &ist_id,
        "forged-case",
        None,
        Hlc { wall_ms: now_ms(), counter: 0 },
        CertificateEvent::Created { request: Box::new(request("DXB")) },
        &mut OsRng,
    );
    let body = serde_json::to_vec(&PushRequest { events: vec![forged], screenings: vec![] }).unwrap();
    let (_, bytes, _) = raw_push(&server.url, &dxb_id, None, &body, None);
    let r: PushResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(r.results[0].status, PushStatus::Rejected);

    // A device's own invalid transition is refused and stays on the device, marked.
    CertificateCases::new(&mut dxb).create(&dxb_id, request("IST"), now_ms()).unwrap();
    let r = sync(&mut dxb).unwrap();
    assert_eq!(r.rejected.len(), 1, "a Dubai device cannot open an Istanbul case");
    let rejected = CertificateCases::new(&mut dxb).rejected().unwrap();
    assert_eq!(rejected.len(), 1);
    assert!(CertificateCases::new(&mut dxb).outbox().unwrap().is_empty());
}

#[test]
fn enrolment_codes_are_single_use_and_revoked_devices_are_refused_and_wiped() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let admin = server.admin();
    let code = admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let mut a = Vault::create(&t.path().join("a"), &Secret::new(PASS), None, options()).unwrap();
    homeward_core::sync::enroll(&mut a, &server.url, &code, "a").unwrap();
    let mut b = Vault::create(&t.path().join("b"), &Secret::new(PASS), None, options()).unwrap();
    assert!(matches!(
        homeward_core::sync::enroll(&mut b, &server.url, &code, "b"),
        Err(SyncError::Refused { status: 403, .. })
    ));
    let expired = admin.enrollment_code("IST", Role::ConsularOfficer, 0).unwrap();
    assert!(matches!(
        homeward_core::sync::enroll(&mut b, &server.url, &expired, "b"),
        Err(SyncError::Refused { status: 403, .. })
    ));
    assert!(admin.enrollment_code("IST/../x", Role::ConsularOfficer, 15).is_err(), "office codes are checked");

    // Revoked: refused at the next contact.
    let id = identity(&a);
    CertificateCases::new(&mut a).create(&id, request("IST"), now_ms()).unwrap();
    admin.revoke(id.device_id(), false).unwrap();
    assert!(matches!(sync(&mut a), Err(SyncError::Revoked)));
    // Its key is now on the revocation list every device receives.
    let rev = admin.lists().unwrap().1.unwrap();
    assert_eq!(rev.body.signers.len(), 1);

    // A wipe order is carried out at the next contact.
    let code = admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let dir_c = t.path().join("c");
    let mut c = Vault::create(&dir_c, &Secret::new(PASS), None, options()).unwrap();
    homeward_core::sync::enroll(&mut c, &server.url, &code, "c").unwrap();
    admin.revoke(identity(&c).device_id(), true).unwrap();
    assert!(matches!(sync(&mut c), Err(SyncError::Wiped)));
    assert!(!homeward_core::vault::exists(&dir_c), "the vault was wiped");
}

#[test]
fn a_device_that_has_not_checked_in_locks_until_it_syncs() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    let mut p = DeviceProfile::load(&v).unwrap();
    assert_eq!(p.check_in_days, 14, "headquarters sets the period at enrolment");
    // Fifteen days without a contact.
    p.last_check_in_ms = Some(now_ms() - 15 * 86_400_000);
    p.save(&mut v).unwrap();
    match CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()) {
        Err(homeward_core::certificate::CaseError::CheckInOverdue { days, limit }) => {
            assert_eq!((days, limit), (15, 14))
        }
        other => panic!("expected the check-in lock, got {other:?}"),
    }
    // Screenings are locked too.
    let c = homeward_core::screening::default_checklist();
    let new = || homeward_core::screening::NewScreening {
        crossing_point: "IST".into(),
        officer: None,
        language: homeward_core::screening::Lang::En,
        screening_date: IsoDate::today(),
        now_unix_ms: now_ms(),
    };
    assert!(matches!(
        homeward_core::screening::ScreeningRecords::new(&mut v, &c).start(new()),
        Err(homeward_core::screening::ScreeningError::CheckInOverdue { .. })
    ));
    // No link: headquarters reads an unlock code over the phone.
    let code = server.admin().unlock_code(me.device_id()).unwrap();
    let mut p = DeviceProfile::load(&v).unwrap();
    assert!(matches!(
        p.enter_unlock_code("AAAAA-BBBBB", now_ms()),
        Err(homeward_core::certificate::CaseError::BadUnlockCode { retry_after_secs: 0 })
    ));
    p.enter_unlock_code(&code, now_ms()).unwrap();
    p.save(&mut v).unwrap();
    CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()).unwrap();
    homeward_core::screening::ScreeningRecords::new(&mut v, &c).start(new()).unwrap();
    // Each code works once, and only for a few days.
    let mut p = DeviceProfile::load(&v).unwrap();
    assert!(p.enter_unlock_code(&code, now_ms()).is_err(), "used once");
    assert!(p.check_in(now_ms() + 4 * 86_400_000).is_err(), "the grace ends; a sync is still needed");
    // A sync lifts the lock for good.
    sync(&mut v).unwrap();
    CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()).unwrap();
}

#[test]
fn wrong_unlock_codes_are_counted_on_disk_and_make_the_next_try_wait() {
    use homeward_core::certificate::CaseError;
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    let code = server.admin().unlock_code(me.device_id()).unwrap();
    let t0 = now_ms();
    let free = homeward_core::checkin::FREE_TRIES;
    // The first wrong codes cost nothing but are counted, in the vault
    // (each call loads and saves the profile, as the app and CLI do).
    for i in 1..free {
        match DeviceProfile::enter_unlock_code_in(&mut v, "AAAAA-BBBBB", t0 + i as i64) {
            Err(CaseError::BadUnlockCode { retry_after_secs: 0 }) => {}
            other => panic!("wrong code {i}: {other:?}"),
        }
    }
    assert_eq!(DeviceProfile::load(&v).unwrap().unlock_code_failures, free - 1);
    // The last free one says how long the next must wait.
    match DeviceProfile::enter_unlock_code_in(&mut v, "AAAAA-BBBBC", t0 + 10) {
        Err(CaseError::BadUnlockCode { retry_after_secs: 60 }) => {}
        other => panic!("{other:?}"),
    }
    // Within the wait even the right code is not tried (and not spent).
    match DeviceProfile::enter_unlock_code_in(&mut v, &code, t0 + 30_000) {
        Err(CaseError::UnlockCodeTooSoon { retry_after_secs }) => assert_eq!(retry_after_secs, 31),
        other => panic!("{other:?}"),
    }
    assert_eq!(DeviceProfile::load(&v).unwrap().unlock_code_retry_after_secs(t0 + 30_000), 31);
    // Setting the clock back does not skip the wait.
    assert!(matches!(
        DeviceProfile::enter_unlock_code_in(&mut v, &code, t0 - 3_600_000),
        Err(CaseError::UnlockCodeTooSoon { retry_after_secs: 60 })
    ));
    // Another wrong code after the wait doubles it.
    match DeviceProfile::enter_unlock_code_in(&mut v, "AAAAA-BBBBD", t0 + 61_000) {
        Err(CaseError::BadUnlockCode { retry_after_secs: 120 }) => {}
        other => panic!("{other:?}"),
    }
    // The count survives closing and reopening the vault.
    drop(v);
    let mut v = unlock(&t.path().join("ist"));
    let p = DeviceProfile::load(&v).unwrap();
    assert_eq!(p.unlock_code_failures, free + 1);
    // Once the wait is over, the right code works and clears the count.
    DeviceProfile::enter_unlock_code_in(&mut v, &code, t0 + 61_000 + 120_000).unwrap();
    let p = DeviceProfile::load(&v).unwrap();
    assert_eq!((p.unlock_code_failures, p.unlock_code_failed_at_ms), (0, None));
    assert!(p.unlocked_until_ms.is_some());
}

/// A signed request to headquarters' operator API.
fn operator_call(
    url: &str,
    who: &DeviceIdentity,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let h = httpsig::sign(who, method, authority(url), path, query, body, now_ms() / 1000, &mut OsRng);
    let client = reqwest::blocking::Client::new();
    let full = if query.is_empty() { format!("{url}{path}") } else { format!("{url}{path}?{query}") };
    let req = if method == "POST" { client.post(full) } else { client.get(full) };
    let resp = req
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature)
        .body(body.to_vec())
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
}

#[test]
fn operators_list_requests_and_decide_over_the_api() {
    use homeward_core::sync::protocol::Decision;
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut consulate = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let console = device(&t.path().join("console"), &server, "HQ", Role::Headquarters);
    let op = identity(&console);
    let officer = identity(&consulate);
    let case = CertificateCases::new(&mut consulate).create(&officer, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut consulate).record(&officer, &case, CertificateEvent::Submitted, now_ms()).unwrap();
    sync(&mut consulate).unwrap();

    // The console lists what waits for an identity check.
    let (status, body) = operator_call(&server.url, &op, "GET", "/v1/hq/cases", "state=submitted", b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["case_id"], case.as_str());
    let (_, body) = operator_call(&server.url, &op, "GET", "/v1/hq/cases", "state=approved", b"");
    assert!(serde_json::from_slice::<Vec<serde_json::Value>>(&body).unwrap().is_empty());

    let path = format!("/v1/hq/cases/{case}/decisions");
    let decide = |d: &Decision| operator_call(&server.url, &op, "POST", &path, "", &serde_json::to_vec(d).unwrap());
    assert_eq!(decide(&Decision::VerifyIdentity { note: "registry match".into() }).0, 200);
    // Out of order: approval before the identity check would be refused; here a
    // second identity check is not a valid transition.
    let (status, body) = decide(&Decision::VerifyIdentity { note: "again".into() });
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&body));
    let (status, body) = decide(&Decision::Approve { validity_days: 30 });
    assert_eq!(status, 200);
    let view: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(view["state"], "approved");
    // Who asked is on record; the events are signed by headquarters' key.
    let admin = server.admin();
    let actions = admin.db.actions(&case).unwrap();
    assert_eq!(actions.len(), 2);
    assert!(actions.iter().all(|(_, who, _)| who == op.device_id()));
    let events = admin.db.case_events(&case).unwrap();
    assert!(events[2..].iter().all(|e| e.author == "hq"));
    // Headquarters' own audit trail: the listings and both decisions, by
    // that operator, signed and chained under headquarters' key.
    let trail = admin.db.audit_entries(Some("hq")).unwrap();
    use homeward_core::audit::AuditAction;
    assert_eq!(trail.iter().filter(|e| e.action == AuditAction::View).count(), 2, "two listings: {trail:?}");
    assert_eq!(trail.iter().filter(|e| e.action == AuditAction::Change && e.subject.id == case).count(), 2);
    assert!(trail.iter().all(|e| e.actor.as_deref() == Some(op.device_id())));
    homeward_core::audit::verify_chain(&trail, &admin.identity.public_key()).unwrap();
    let mut cut = trail.clone();
    cut.remove(1);
    assert!(homeward_core::audit::verify_chain(&cut, &admin.identity.public_key()).is_err(), "a deleted entry shows");

    // The consulate sees the approval; a consular device may not use the
    // operator API; an operator's console may not push events of its own.
    sync(&mut consulate).unwrap();
    assert_eq!(CertificateCases::new(&mut consulate).view(&case).unwrap().state, Some(RequestState::Approved));
    let (status, _) = operator_call(&server.url, &officer, "GET", "/v1/hq/cases", "", b"");
    assert_eq!(status, 403);
    let forged = Event::new(
        &op,
        &case,
        None,
        Hlc { wall_ms: now_ms(), counter: 0 },
        CertificateEvent::Rejected { reason: "by console".into() },
        &mut OsRng,
    );
    let body = serde_json::to_vec(&PushRequest { events: vec![forged], screenings: vec![] }).unwrap();
    let (status, bytes, _) = raw_push(&server.url, &op, None, &body, None);
    assert_eq!(status, 200);
    let resp: PushResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(resp.results[0].status, PushStatus::Rejected);
    // Unknown case and malformed decision: typed answers, nothing stored.
    let (status, _) = operator_call(
        &server.url,
        &op,
        "POST",
        "/v1/hq/cases/nope/decisions",
        "",
        br#"{"decision":"approve","validity_days":30}"#,
    );
    assert_eq!(status, 404);
    let (status, _) = operator_call(&server.url, &op, "POST", &path, "", br#"{"decision":"bless"}"#);
    assert_eq!(status, 400);
    assert_eq!(admin.db.case_events(&case).unwrap().len(), 4);
}

#[test]
fn finalised_screenings_reach_headquarters_once_and_forged_ones_stay_on_the_device() {
    use homeward_core::screening::{default_checklist, AnswerValue, Lang, NewScreening, ScreeningRecords, YesNo};
    use homeward_core::screening::{ScreeningEvent, ScreeningEvents};
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut guard = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    let c = default_checklist();
    let yes = || AnswerValue::YesNo(YesNo::Yes);
    for i in 0..3 {
        let mut book = ScreeningRecords::new(&mut guard, &c);
        let s = book
            .start(NewScreening {
                crossing_point: "DOSTUK".into(),
                officer: None,
                language: Lang::Ru,
                screening_date: IsoDate::today(),
                now_unix_ms: now_ms(),
            })
            .unwrap();
        let id = s.record_id().unwrap();
        book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
        book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
        if i > 0 {
            book.answer(id, "recruited", yes()).unwrap();
        }
        book.finalise(id, now_ms()).unwrap();
    }
    let r = sync(&mut guard).unwrap();
    assert_eq!(r.accepted, 3);
    assert!(ScreeningEvents::new(&mut guard).outbox().unwrap().is_empty());
    let counts = server.admin().db.screening_counts().unwrap();
    assert_eq!(
        counts,
        vec![
            ("OSH".to_string(), "further_interview".to_string(), 2),
            ("OSH".to_string(), "no_indicators".to_string(), 1)
        ]
    );

    // A report whose verdict does not follow from its indicators is refused,
    // stays on the device with the reason, and is not counted.
    let me = identity(&guard);
    let mut forged = server.admin().db.screening_events().unwrap()[0].clone();
    let ScreeningEvent::Finalised { r } = &mut forged.body else { panic!() };
    r.verdict = homeward_core::screening::Verdict::PresumedVictim;
    let forged =
        Event::new(&me, "forged-screening", None, Hlc { wall_ms: now_ms(), counter: 9 }, forged.body, &mut OsRng);
    let body = serde_json::to_vec(&PushRequest { events: vec![], screenings: vec![forged.clone()] }).unwrap();
    let (status, bytes, _) = raw_push(&server.url, &me, None, &body, None);
    assert_eq!(status, 200);
    let resp: PushResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(resp.results[0].status, PushStatus::Rejected);
    assert!(resp.results[0].reason.as_deref().unwrap().contains("does not follow"));
    assert_eq!(server.admin().db.screening_events().unwrap().len(), 3);
    // Sync again: nothing new, nothing duplicated.
    let r = sync(&mut guard).unwrap();
    assert_eq!((r.accepted, r.duplicates), (0, 0));
}

#[test]
fn a_wipe_order_received_mid_sync_is_confirmed_then_carried_out() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let dir = t.path().join("ist");
    let mut v = device(&dir, &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    // Three push batches' worth of events.
    for _ in 0..250 {
        CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()).unwrap();
    }
    let admin = server.admin();
    let ordered = std::sync::atomic::AtomicBool::new(false);
    // Headquarters orders the wipe while the first batch is in.
    let on_progress = |p: &homeward_core::sync::SyncProgress| {
        if p.events_sent > 0 && !ordered.swap(true, std::sync::atomic::Ordering::SeqCst) {
            admin.revoke(me.device_id(), true).unwrap();
        }
    };
    let quick = RetryPolicy { attempts: 2, base: std::time::Duration::from_millis(10), ..RetryPolicy::default() };
    let r = homeward_core::sync::sync(&mut v, quick, &on_progress, &AtomicBool::new(false));
    assert!(matches!(r, Err(SyncError::Wiped)), "{r:?}");
    assert!(!homeward_core::vault::exists(&dir), "the vault was wiped");
    let (_, confirmed) = admin.db.device_alerts(me.device_id()).unwrap();
    assert!(confirmed.is_some(), "the device confirmed the wipe");
    // What arrived before the order is kept, once.
    let held: usize = admin.cases().unwrap().len();
    assert_eq!(held, 200, "the first batch");
}

#[test]
fn a_vault_restored_from_an_older_copy_is_reported_to_the_officer_and_headquarters() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let dir = t.path().join("ist");
    let backup = t.path().join("backup");
    let me = {
        let mut v = device(&dir, &server, "IST", Role::ConsularOfficer);
        let me = identity(&v);
        CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()).unwrap();
        assert!(!sync(&mut v).unwrap().rollback_detected);
        me
    };
    // Someone copies the vault, the officer works on, then the copy is put back.
    copy_dir(&dir, &backup);
    {
        let mut v = unlock(&dir);
        CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()).unwrap();
        assert!(!sync(&mut v).unwrap().rollback_detected);
    }
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&backup, &dir);
    let mut v = unlock(&dir);
    let r = sync(&mut v).unwrap();
    assert!(r.rollback_detected, "the officer is told");
    let (rollback, _) = server.admin().db.device_alerts(me.device_id()).unwrap();
    assert!(rollback.is_some(), "headquarters is told");
    // The case made after the copy comes back from headquarters.
    assert_eq!(CertificateCases::new(&mut v).list().unwrap().len(), 2);
}

#[test]
fn a_case_purged_after_acknowledgement_is_not_taken_for_a_restore() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    // Purge as soon as headquarters holds a closed case.
    homeward_core::retention::set_period_days(&mut v, 0).unwrap();
    let case = CertificateCases::new(&mut v).create(&me, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut v)
        .record(&me, &case, CertificateEvent::Cancelled { reason: "withdrawn".into() }, now_ms())
        .unwrap();
    let r = sync(&mut v).unwrap();
    assert_eq!(r.purged, 0, "acknowledged, but no backup of headquarters holds it yet");
    let backup = tempfile::tempdir().unwrap();
    homeward_hq::backup::backup(&server.admin(), server.database_url.as_deref(), &backup.path().join("hq.backup"))
        .unwrap();
    let r = sync(&mut v).unwrap();
    assert_eq!(r.purged, 1, "closed, acknowledged, held by a finished backup: purged after the sync");
    assert!(CertificateCases::new(&mut v).events(&case).unwrap().is_empty());
    // Headquarters' newest event from this device is no longer here, and
    // that is not a restore from an older copy.
    let r = sync(&mut v).unwrap();
    assert!(!r.rollback_detected);
    assert!(server.admin().db.device_alerts(me.device_id()).unwrap().0.is_none());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn unlock(dir: &Path) -> Vault {
    let mut v = Vault::open(dir, options()).unwrap();
    v.unlock(&Secret::new(PASS), None).unwrap();
    v
}

#[test]
fn audit_trails_reach_headquarters_whole_and_a_broken_chain_is_refused() {
    use homeward_core::audit::{AuditAction, AuditFact, AuditLog, Subject, SubjectKind};
    use homeward_core::sync::protocol::AuditPush;
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut v = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    let subject = uuid::Uuid::new_v4().to_string();
    for i in 0..5 {
        AuditLog::new(&mut v)
            .record_view(
                now_ms() + i,
                Subject::new(SubjectKind::CertificateCase, &subject),
                Some("identity check"),
                None,
            )
            .unwrap();
    }
    let r = sync(&mut v).unwrap();
    assert_eq!(r.audit_entries_sent, 5);
    let admin = server.admin();
    let held = admin.db.audit_entries(Some(me.device_id())).unwrap();
    assert_eq!(held.len(), 5);
    assert!(held.iter().all(|e| e.action == AuditAction::View && e.justification.as_deref() == Some("identity check")));
    // More later: they continue the chain; a second sync sends nothing again.
    AuditLog::new(&mut v)
        .append(now_ms(), AuditFact::new(AuditAction::Export, Subject::new(SubjectKind::CertificateCase, &subject)))
        .unwrap();
    assert_eq!(sync(&mut v).unwrap().audit_entries_sent, 1);
    assert_eq!(sync(&mut v).unwrap().audit_entries_sent, 0);
    assert_eq!(admin.db.audit_entries(Some(me.device_id())).unwrap().len(), 6);

    // Operators read it over the API.
    let console = device(&t.path().join("console"), &server, "HQ", Role::Headquarters);
    let (status, body) = operator_call(
        &server.url,
        &identity(&console),
        "GET",
        "/v1/hq/audit",
        &format!("device={}", me.device_id()),
        b"",
    );
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Vec<serde_json::Value>>(&body).unwrap().len(), 6);

    // A batch that skips an entry (one deleted on the device) is refused and noted.
    for _ in 0..3 {
        AuditLog::new(&mut v).append(now_ms(), AuditFact::new(AuditAction::Search, Subject::device())).unwrap();
    }
    let mut entries = AuditLog::new(&mut v).unsynced().unwrap();
    entries.remove(1);
    let body = serde_json::to_vec(&AuditPush { key_cert: None, entries }).unwrap();
    let h = httpsig::sign(&me, "POST", authority(&server.url), "/v1/audit", "", &body, now_ms() / 1000, &mut OsRng);
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/audit", server.url))
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    assert!(resp.text().unwrap().contains("are missing"));
    assert!(admin.db.audit_chain(me.device_id()).unwrap().unwrap().tampered, "headquarters records the broken chain");
    assert_eq!(admin.db.audit_entries(Some(me.device_id())).unwrap().len(), 6, "nothing of the broken batch is kept");
}

#[test]
fn headquarters_publishes_checklists_and_reference_data_that_devices_apply_on_pull() {
    use homeward_core::screening::published::{PublishedTemplate, TemplateShelf, TEMPLATE_DOMAIN};
    use homeward_core::screening::{AnswerValue, Lang, NewScreening, ScreeningRecords, YesNo, DEFAULT_TEMPLATE_JSON};
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut guard = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    let admin = server.admin();

    // The next version of the default checklist, and new fees.
    let mut v2: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    let default = v2["version"].as_u64().unwrap() as u32;
    let next = default + 1;
    v2["version"] = serde_json::json!(next);
    let v2 = serde_json::to_string(&v2).unwrap();
    // The default's texts carry no reviews: publishing needs the recorded override.
    let allow = Some(homeward_hq::hq::AllowUnreviewed { actor: "admin-test", reason: "training release" });
    let mut same: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    same["title"]["en"] = serde_json::json!("Not newer than the build's default");
    assert!(admin.publish_template(&same.to_string(), allow).is_err(), "not newer than the compiled-in default");
    assert_eq!(admin.publish_template(&v2, allow).unwrap(), next);
    // Reports naming the compiled-in versions are still checked against them
    // (drafts started on version 1 are finalised on it), the published one
    // against what was published.
    for v in 1..=next {
        let c = admin.checklist_for("kg-border-screening", v).unwrap().expect("a known version");
        assert_eq!(c.template().version, v);
    }
    assert!(admin.checklist_for("kg-border-screening", next + 1).unwrap().is_none());
    assert!(admin.publish_template(&v2, allow).is_err(), "not newer");
    assert!(admin.publish_template(r#"{"id":"x","version":9}"#, allow).is_err(), "does not validate");
    admin.publish_reference(125_000, "KGS", 20).unwrap();
    assert!(admin.publish_reference(1, "som", 20).is_err());

    let r = sync(&mut guard).unwrap();
    assert_eq!(r.template_installed, Some(next));
    assert!(r.reference_updated);
    let p = DeviceProfile::load(&guard).unwrap();
    assert_eq!(p.templates.current_checklist().template().version, next);
    assert_eq!((p.standard_fee_minor, p.fee_currency.as_str(), p.validity_days), (125_000, "KGS", 20));
    // Applied once: the next sync brings nothing new.
    let r = sync(&mut guard).unwrap();
    assert_eq!((r.template_installed, r.reference_updated), (None, false));

    // A screening on the new version is accepted by headquarters, checked against it.
    let c = p.templates.current_checklist();
    let mut book = ScreeningRecords::new(&mut guard, &c);
    let s = book
        .start(NewScreening {
            crossing_point: "OSH-AIRPORT".into(),
            officer: None,
            language: Lang::En,
            screening_date: IsoDate::today(),
            now_unix_ms: now_ms(),
        })
        .unwrap();
    let id = s.record_id().unwrap();
    book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
    book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
    book.finalise(id, now_ms()).unwrap();
    assert_eq!(sync(&mut guard).unwrap().accepted, 1);

    // A device enrolled now gets the new version with its enrolment.
    let late = device(&t.path().join("late"), &server, "OSH", Role::BorderGuard);
    assert_eq!(DeviceProfile::load(&late).unwrap().templates.current_checklist().template().version, next);

    // A template not signed by headquarters' root is never installed.
    let impostor = DeviceIdentity::generate("hq", Role::Headquarters, "HQ", &mut OsRng);
    let mut v3: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    v3["version"] = serde_json::json!(next + 1);
    let forged = homeward_core::certificate::trust::sign_list(
        TEMPLATE_DOMAIN,
        &PublishedTemplate { template_json: v3.to_string(), published_ms: 0 },
        &impostor,
    );
    let mut shelf = TemplateShelf::default();
    assert!(shelf.install(&p.trust, &forged).is_err());
    assert_eq!(shelf.current_checklist().template().version, default);
}

#[test]
fn publishing_unreviewed_texts_needs_an_override_that_headquarters_records() {
    use homeward_core::screening::template::LANGUAGES;
    use homeward_core::screening::{localized_texts, text_digest, Lang, Template, DEFAULT_TEMPLATE_JSON};
    use homeward_hq::hq::{AllowUnreviewed, HqError};
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let admin = server.admin();
    let mut v2: serde_json::Value = serde_json::from_str(DEFAULT_TEMPLATE_JSON).unwrap();
    let next = v2["version"].as_u64().unwrap() + 1;
    v2["version"] = next.into();
    let tpl: Template = serde_json::from_value(v2.clone()).unwrap();
    let texts = localized_texts(&tpl);
    // Every text reviewed in Russian and English, none in Kyrgyz.
    v2["reviews"] = texts
        .iter()
        .flat_map(|lt| {
            [Lang::Ru, Lang::En].map(|l| {
                serde_json::json!({"text": lt.id, "lang": l, "by": "Reviewer", "on": "2026-11-30",
                    "digest": text_digest(&lt.texts[&l])})
            })
        })
        .collect();
    let json = v2.to_string();
    let audit_len = || admin.db.audit_entries(Some(admin.identity.device_id())).unwrap().len();
    let before = audit_len();

    // Refused, typed, with the count per language; nothing published or recorded.
    match admin.publish_template(&json, None) {
        Err(HqError::Unreviewed { count, per_language }) => {
            assert_eq!(count, texts.len());
            assert_eq!(per_language, vec![("ky".to_string(), texts.len()), ("ru".into(), 0), ("en".into(), 0)]);
        }
        other => panic!("{other:?}"),
    }
    let blank = AllowUnreviewed { actor: "admin-test", reason: "  " };
    assert!(matches!(admin.publish_template(&json, Some(blank)), Err(HqError::Invalid(_))), "a reason is needed");
    assert_eq!(admin.current_checklist().unwrap().template().version, next as u32 - 1, "still the default");
    assert_eq!(audit_len(), before);

    // With the override: published, and the decision is in the audit trail.
    let allow = AllowUnreviewed { actor: "admin-test", reason: "Kyrgyz review booked for next week" };
    assert_eq!(admin.publish_template(&json, Some(allow)).unwrap(), next as u32);
    assert_eq!(admin.current_checklist().unwrap().template().version, next as u32);
    let trail = admin.db.audit_entries(Some(admin.identity.device_id())).unwrap();
    assert_eq!(trail.len(), before + 1);
    let e = trail.last().unwrap();
    assert_eq!(e.actor.as_deref(), Some("admin-test"));
    let why = e.justification.as_deref().unwrap();
    assert!(
        why.contains(&format!("{} unreviewed texts", texts.len())) && why.contains("Kyrgyz review booked"),
        "{why}"
    );

    // Fully reviewed: published without any override, nothing extra recorded.
    let mut v3 = v2.clone();
    v3["version"] = (next + 1).into();
    let mut reviews = v3["reviews"].as_array().unwrap().clone();
    reviews.extend(texts.iter().map(|lt| {
        serde_json::json!({"text": lt.id, "lang": "ky", "by": "Reviewer", "on": "2026-11-30",
            "digest": text_digest(&lt.texts[&Lang::Ky])})
    }));
    v3["reviews"] = reviews.into();
    assert_eq!(LANGUAGES.len(), 3);
    assert_eq!(admin.publish_template(&v3.to_string(), None).unwrap(), next as u32 + 1);
    assert_eq!(admin.db.audit_entries(Some(admin.identity.device_id())).unwrap().len(), before + 1);
}

#[test]
fn a_pull_carries_only_the_identities_of_the_signers_it_needs() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut first = device(&t.path().join("ist1"), &server, "IST", Role::ConsularOfficer);
    let dxb = device(&t.path().join("dxb"), &server, "DXB", Role::ConsularOfficer);
    let mut border = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    let me = identity(&first);
    let case = CertificateCases::new(&mut first).create(&me, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut first).record(&me, &case, CertificateEvent::Submitted, now_ms()).unwrap();
    sync(&mut first).unwrap();

    // A colleague enrolled later folds the case from the signers its pages carry,
    // and learns nothing of Dubai's device or of the border post.
    let mut second = device(&t.path().join("ist2"), &server, "IST", Role::ConsularOfficer);
    sync(&mut second).unwrap();
    assert!(CertificateCases::new(&mut second).view(&case).unwrap().state.is_some());
    let known = |v: &Vault| -> Vec<String> {
        DeviceProfile::load(v).unwrap().keyring.iter().map(|i| i.device_id.clone()).collect()
    };
    let ring = known(&second);
    assert!(ring.contains(&me.device_id().to_string()), "{ring:?}");
    assert!(!ring.contains(&identity(&dxb).device_id().to_string()), "another post's device: {ring:?}");
    assert!(!ring.contains(&identity(&border).device_id().to_string()), "{ring:?}");
    // The border post, which pulls no case, knows only headquarters and itself.
    sync(&mut border).unwrap();
    assert_eq!(known(&border).len(), 2, "{:?}", known(&border));

    // Once the border post records an entry on the case, its identity travels with that page.
    let hq = server.admin();
    hq.decide(&case, CertificateEvent::IdentityVerified { note: "ok".into() }).unwrap();
    hq.decide(&case, CertificateEvent::Approved { validity_days: 30 }).unwrap();
    sync(&mut first).unwrap();
    let issued = CertificateCases::new(&mut first).issue(&me, &case, None, IsoDate::today(), now_ms()).unwrap();
    sync(&mut first).unwrap();
    sync(&mut border).unwrap();
    let profile = DeviceProfile::load(&border).unwrap();
    let used = |_: &str| None;
    let ctx =
        VerifyContext { store: &profile.trust, now_ms: now_ms(), today: IsoDate::today(), used: &used, photo: None };
    let ok = verify(&issued.certificate.unwrap().barcode, &ctx).unwrap();
    let guard = identity(&border);
    CertificateCases::new(&mut border).enter(&guard, &ok, "MANAS", IsoDate::today(), now_ms()).unwrap();
    sync(&mut border).unwrap();
    sync(&mut second).unwrap();
    assert_eq!(CertificateCases::new(&mut second).view(&case).unwrap().state, Some(RequestState::Entered));
    assert!(known(&second).contains(&guard.device_id().to_string()));
    assert!(!known(&second).contains(&identity(&dxb).device_id().to_string()));
}

/// A finalised screening made at `at_ms`; returns the screening's id as
/// headquarters files it (the event's case id).
fn screen(v: &mut Vault, at_ms: i64) -> String {
    use homeward_core::screening::{
        default_checklist, AnswerValue, Lang, NewScreening, ScreeningEvents, ScreeningRecords, YesNo,
    };
    let c = default_checklist();
    let before: Vec<String> = ScreeningEvents::new(v).outbox().unwrap().into_iter().map(|e| e.id).collect();
    let mut book = ScreeningRecords::new(v, &c);
    let s = book
        .start(NewScreening {
            crossing_point: "IST".into(),
            officer: None,
            language: Lang::En,
            screening_date: IsoDate::today(),
            now_unix_ms: at_ms,
        })
        .unwrap();
    let id = s.record_id().unwrap();
    book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
    book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
    book.finalise(id, at_ms).unwrap();
    let new = ScreeningEvents::new(v).outbox().unwrap().into_iter().find(|e| !before.contains(&e.id)).unwrap();
    new.case_id
}

/// The audit entries a device pushes, sent as they are (no branch): what a
/// tampered trail, or a client that does not branch, sends.
fn raw_audit(url: &str, me: &DeviceIdentity, entries: Vec<homeward_core::audit::AuditEntry>) -> (u16, String) {
    use homeward_core::sync::protocol::AuditPush;
    let body = serde_json::to_vec(&AuditPush { key_cert: None, entries }).unwrap();
    let h = httpsig::sign(me, "POST", authority(url), "/v1/audit", "", &body, now_ms() / 1000, &mut OsRng);
    let resp = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/audit"))
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature)
        .body(body)
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

/// Issue 16 item 1: a phone restored from an older copy keeps working.
/// Its audit chain branches onto headquarters' (no 409), the pull delivers,
/// both sides converge and verify their chains end to end, and the officer
/// is told once which cases and screenings the copy lacks.
#[test]
fn a_phone_restored_from_an_older_copy_keeps_working_and_is_told_what_it_lost() {
    use homeward_core::audit::{verify_chain, AuditAction, AuditLog, Subject, SubjectKind};
    use homeward_core::screening::ScreeningEvents;
    use homeward_core::sync::protocol::ItemKind;
    use homeward_core::sync::restore;
    use homeward_core::vault::{Clock, ManualClock};
    use std::collections::BTreeSet;
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let admin = server.admin();
    let dir = t.path().join("ist");
    let backup = t.path().join("backup");
    let clock = std::sync::Arc::new(ManualClock::new(now_ms()));
    let day = std::time::Duration::from_secs(86_400);
    let now = || clock.now_unix_ms();
    let sync = |v: &mut Vault| {
        let quick = RetryPolicy { attempts: 3, base: std::time::Duration::from_millis(20), ..RetryPolicy::default() };
        homeward_core::sync::sync_with_clock(v, quick, &|_| {}, &AtomicBool::new(false), clock.clone())
    };
    let view = |v: &mut Vault, at: i64| {
        let subject = Subject::new(SubjectKind::CertificateCase, &uuid::Uuid::new_v4().to_string());
        AuditLog::new(v).record_view(at, subject, Some("identity check"), None).unwrap();
    };

    // Enrolled, some work, synced.
    let mut v = device(&dir, &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    let first = CertificateCases::new(&mut v).create(&me, request("IST"), now()).unwrap().case_id;
    CertificateCases::new(&mut v).record(&me, &first, CertificateEvent::Submitted, now()).unwrap();
    let first_screening = screen(&mut v, now());
    view(&mut v, now());
    assert!(!sync(&mut v).unwrap().rollback_detected);
    // Work not yet synced when the copy is taken: the copy still holds it.
    let held_case = CertificateCases::new(&mut v).create(&me, request("IST"), now()).unwrap().case_id;
    view(&mut v, now());
    drop(v);
    copy_dir(&dir, &backup);

    // The original works on and syncs: that is what the copy will lack.
    clock.advance(day);
    let mut v = unlock(&dir);
    let lost_case = CertificateCases::new(&mut v).create(&me, request("IST"), now()).unwrap().case_id;
    let lost_screening = screen(&mut v, now());
    view(&mut v, now());
    view(&mut v, now());
    let r = sync(&mut v).unwrap();
    assert!(!r.rollback_detected);
    let hq_seq_before_restore = admin.db.audit_chain(me.device_id()).unwrap().unwrap().anchor_seq;
    drop(v);

    // The copy is put back; the officer works on, offline, for days.
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&backup, &dir);
    let mut v = unlock(&dir);
    let mut kept_cases = vec![];
    let mut kept_screenings = vec![];
    for _ in 0..3 {
        clock.advance(day);
        kept_cases.push(CertificateCases::new(&mut v).create(&me, request("IST"), now()).unwrap().case_id);
        kept_screenings.push(screen(&mut v, now()));
        view(&mut v, now());
    }
    // Headquarters decides meanwhile: the device must receive it.
    admin.decide(&first, CertificateEvent::IdentityVerified { note: "confirmed".into() }).unwrap();

    let r = sync(&mut v).expect("a restored phone syncs: no 409");
    assert!(r.rollback_detected, "the officer is told");
    let branch = r.audit_branch.clone().expect("the audit chain branched onto headquarters'");
    assert_eq!(branch.onto_seq, hq_seq_before_restore);
    assert_eq!(branch.reissued, 3, "the three views made on the restored vault");
    assert!(branch.fork_seq < branch.onto_seq);
    assert_eq!(r.restore_items, Some(2));
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);

    // The pull delivered: the decision, and the lost case headquarters held.
    assert_eq!(
        CertificateCases::new(&mut v).view(&first).unwrap().state,
        Some(RequestState::IdentityVerified),
        "headquarters' decision arrived"
    );
    // Everything converges: headquarters holds every case and screening,
    // the device every case, and nothing waits in an outbox.
    assert!(CertificateCases::new(&mut v).outbox().unwrap().is_empty());
    assert!(ScreeningEvents::new(&mut v).outbox().unwrap().is_empty());
    let mut all_cases: BTreeSet<String> = [first.clone(), held_case.clone(), lost_case.clone()].into();
    all_cases.extend(kept_cases.iter().cloned());
    let device_cases: BTreeSet<String> =
        CertificateCases::new(&mut v).list().unwrap().into_iter().map(|c| c.case_id).collect();
    let hq_cases: BTreeSet<String> = admin.cases().unwrap().into_iter().map(|c| c.case_id).collect();
    assert_eq!(device_cases, all_cases);
    assert_eq!(hq_cases, all_cases);
    let hq_screenings: BTreeSet<String> = admin.db.screening_events().unwrap().into_iter().map(|e| e.case_id).collect();
    let mut all_screenings: BTreeSet<String> = [first_screening, lost_screening.clone()].into();
    all_screenings.extend(kept_screenings.iter().cloned());
    assert_eq!(hq_screenings, all_screenings);

    // Both audit chains verify end to end, and agree from the branch on.
    let log = AuditLog::new(&mut v);
    log.verify().expect("the device's chain verifies across the branch");
    assert!(log.unsynced().unwrap().is_empty());
    let mine = log.entries().unwrap();
    let key: [u8; 32] = log.public_key().unwrap().unwrap();
    let held = admin.db.audit_entries(Some(me.device_id())).unwrap();
    verify_chain(&held, &key).expect("headquarters' chain verifies end to end");
    let at_branch = held.iter().position(|e| e.action == AuditAction::Restore).expect("the branch entry is held");
    assert_eq!(held[at_branch].seq, hq_seq_before_restore + 1);
    assert_eq!(held[at_branch].fork.as_ref().unwrap().seq, branch.fork_seq);
    let from = mine.iter().position(|e| e.action == AuditAction::Restore).unwrap();
    assert_eq!(&mine[from..], &held[at_branch..], "the same entries from the branch on");
    assert_eq!(&mine[..from], &held[..from], "and the same before the fork");
    assert!(!admin.db.audit_chain(me.device_id()).unwrap().unwrap().tampered, "a restore is not tampering");
    // Headquarters agrees: the device is shown restored, in every view.
    let d = admin.db.devices().unwrap().into_iter().find(|d| d.id == me.device_id()).unwrap();
    assert!(admin.device_alerts(&d, now_ms()).unwrap().contains(&homeward_hq::hq::DeviceAlert::Restored));

    // The officer is told what was lost: exactly what was made after the
    // copy and synced before the restore, not what the device still holds.
    let report = restore::pending(&mut v).unwrap().expect("a restore report to show");
    let listed: BTreeSet<(ItemKind, String)> = report.items.iter().map(|i| (i.kind, i.id.clone())).collect();
    assert_eq!(
        listed,
        [(ItemKind::CertificateCase, lost_case.clone()), (ItemKind::Screening, lost_screening.clone())].into()
    );
    let case_item = report.items.iter().find(|i| i.id == lost_case).unwrap();
    assert!(case_item.recovered, "the case came back with the pull");
    let screening_item = report.items.iter().find(|i| i.id == lost_screening).unwrap();
    assert!(!screening_item.recovered, "headquarters holds only the screening's report");
    assert!(report.items.iter().all(|i| i.made_ms > 0 && i.received_ms > 0));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("Aida") && !json.contains("Bekova"), "ids and dates, never a name: {json}");

    // Told once: days later, the next syncs are ordinary.
    for _ in 0..3 {
        clock.advance(day * 4);
        CertificateCases::new(&mut v).create(&me, request("IST"), now()).unwrap();
        view(&mut v, now());
        let r = sync(&mut v).unwrap();
        assert!(!r.rollback_detected && r.audit_branch.is_none() && r.restore_items.is_none(), "{r:?}");
        assert_eq!(r.audit_entries_sent, 1);
    }
    assert_eq!(restore::pending(&mut v).unwrap().unwrap().items.len(), 2, "the same report, still to be acknowledged");

    // Acknowledged: the alert clears, the trail says who and when.
    restore::acknowledge(&mut v, Some("officer-7".into()), now()).unwrap();
    assert!(restore::pending(&mut v).unwrap().is_none());
    assert!(restore::report(&mut v).unwrap().unwrap().acknowledged_ms.is_some(), "still readable");
    assert!(matches!(restore::acknowledge(&mut v, None, now()), Err(restore::RestoreError::NothingToAcknowledge)));
    let r = sync(&mut v).unwrap();
    assert_eq!(r.audit_entries_sent, 1);
    let held = admin.db.audit_entries(Some(me.device_id())).unwrap();
    verify_chain(&held, &key).unwrap();
    let ack = held.last().unwrap();
    assert_eq!((ack.action, ack.actor.as_deref()), (AuditAction::Acknowledge, Some("officer-7")));
    AuditLog::new(&mut v).verify().unwrap();
    // The check-in holds: 13 days after this sync the device still works.
    clock.advance(day * 13);
    CertificateCases::new(&mut v).create(&me, request("IST"), now()).unwrap();
}

/// A restore is told apart from tampering: a trail whose entries at
/// numbers headquarters holds were changed and re-signed (no branch), and a
/// branch that starts from an entry headquarters does not hold, are both
/// still refused, recorded, and said to be tampering.
#[test]
fn real_tampering_of_the_audit_trail_is_still_refused_and_not_taken_for_a_restore() {
    use homeward_core::audit::{AuditLog, ChainAnchor, Subject, SubjectKind};
    use homeward_core::sync::protocol::AuditHeadResponse;
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let admin = server.admin();
    let dir = t.path().join("ist");
    let backup = t.path().join("backup");
    let view = |v: &mut Vault| {
        let subject = Subject::new(SubjectKind::CertificateCase, &uuid::Uuid::new_v4().to_string());
        AuditLog::new(v).record_view(now_ms(), subject, Some("identity check"), None).unwrap();
    };
    let mut v = device(&dir, &server, "IST", Role::ConsularOfficer);
    let me = identity(&v);
    view(&mut v);
    sync(&mut v).unwrap();
    drop(v);
    copy_dir(&dir, &backup);
    let mut v = unlock(&dir);
    view(&mut v);
    view(&mut v);
    sync(&mut v).unwrap();
    drop(v);
    let held_before = admin.db.audit_entries(Some(me.device_id())).unwrap();
    let head = admin.db.audit_chain(me.device_id()).unwrap().unwrap();

    // Other entries under numbers headquarters holds, re-signed with the
    // device's own key, sent as a continuation: refused as tampering.
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&backup, &dir);
    let mut v = unlock(&dir);
    for _ in 0..3 {
        view(&mut v);
    }
    let (status, text) = raw_audit(&server.url, &me, AuditLog::new(&mut v).unsynced().unwrap());
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("not a restore") && text.contains("altered and re-signed"), "{text}");
    assert!(admin.db.audit_chain(me.device_id()).unwrap().unwrap().tampered);
    assert_eq!(admin.db.audit_entries(Some(me.device_id())).unwrap(), held_before, "nothing of it is kept");

    // A branch onto headquarters' head that claims a fork headquarters
    // does not hold (this vault's own entry 2, not headquarters' entry 2).
    let mine = AuditLog::new(&mut v).entries().unwrap();
    let lie = AuditHeadResponse {
        head: Some(ChainAnchor { seq: head.anchor_seq, hash: head.anchor_hash.clone().unwrap() }),
        held: mine.iter().take(2).map(|e| ChainAnchor { seq: e.seq, hash: e.hash() }).collect(),
    };
    let b = AuditLog::new(&mut v).branch_onto(now_ms(), &lie).unwrap().expect("branched on the lie");
    assert_eq!(b.fork_seq, 2);
    AuditLog::new(&mut v).verify().expect("locally it is a well-formed branch");
    let (status, text) = raw_audit(&server.url, &me, AuditLog::new(&mut v).unsynced().unwrap());
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("tampering, not a restore") && text.contains("does not hold"), "{text}");
    assert_eq!(admin.db.audit_entries(Some(me.device_id())).unwrap(), held_before);
}
