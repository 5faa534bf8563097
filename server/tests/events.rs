//! Attacks on the event log through real requests to a real headquarters
//! (issue 18): where an event may attach, who may claim an event id, and
//! what a device's revocation keeps. Each test also shows that honest
//! devices still converge.

use homeward_core::date::Today;
use homeward_core::random::OsRng;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use homeward_core::certificate::{
    verify, CaseView, CertificateCases, CertificateEvent, DeviceProfile, RequestState, VerifyContext,
};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Event, Hlc, Role};
use homeward_core::sync::protocol::{Decision, PushRequest, PushResponse, PushStatus};
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

/// A case taken, approved by headquarters and issued by `consulate`, all synced.
fn issued_case(server: &Server, consulate: &mut Vault) -> CaseView {
    let me = identity(consulate);
    let case = CertificateCases::new(consulate).create(&me, request(me.office()), now_ms()).unwrap();
    CertificateCases::new(consulate).record(&me, &case.case_id, CertificateEvent::Submitted, now_ms()).unwrap();
    sync(consulate).unwrap();
    let hq = server.admin();
    hq.decide(&case.case_id, CertificateEvent::IdentityVerified { note: "ok".into() }).unwrap();
    hq.decide(&case.case_id, CertificateEvent::Approved { validity_days: 30 }).unwrap();
    sync(consulate).unwrap();
    let issued = CertificateCases::new(consulate).issue(&me, &case.case_id, None, IsoDate::today(), now_ms()).unwrap();
    assert_eq!(sync(consulate).unwrap().accepted, 1);
    issued
}

/// The `@authority` a request to `url` is signed for.
fn authority(url: &str) -> &str {
    url.split("://").nth(1).unwrap_or(url).trim_end_matches('/')
}

/// Pushes `events` signed by `signer`, as any device could.
fn push(server: &Server, signer: &DeviceIdentity, events: Vec<Event<CertificateEvent>>) -> (u16, Option<PushResponse>) {
    let body = serde_json::to_vec(&PushRequest { events, screenings: vec![] }).unwrap();
    let h = httpsig::sign(signer, "POST", authority(&server.url), "/v1/events", "", &body, now_ms() / 1000, &mut OsRng);
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/events", server.url))
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature)
        .body(body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, serde_json::from_slice(&resp.bytes().unwrap()).ok())
}

/// A signed request to headquarters' operator API.
fn operator_call(server: &Server, who: &DeviceIdentity, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let h = httpsig::sign(who, method, authority(&server.url), path, "", body, now_ms() / 1000, &mut OsRng);
    let client = reqwest::blocking::Client::new();
    let url = format!("{}{path}", server.url);
    let req = if method == "POST" { client.post(url) } else { client.get(url) };
    let resp = req
        .header("content-digest", &h.content_digest)
        .header("signature-input", &h.signature_input)
        .header("signature", &h.signature)
        .body(body.to_vec())
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
}

fn decide(server: &Server, op: &DeviceIdentity, case: &str, d: &Decision) -> (u16, serde_json::Value) {
    let (status, body) =
        operator_call(server, op, "POST", &format!("/v1/hq/cases/{case}/decisions"), &serde_json::to_vec(d).unwrap());
    (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
}

fn hq_view(server: &Server, case: &str) -> CaseView {
    server.admin().cases().unwrap().into_iter().find(|c| c.case_id == case).unwrap()
}

/// The admin CLI on the server's data directory and database.
fn admin_cli(server: &Server, args: &[&str]) -> String {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
    c.arg("--data-dir").arg(&server.dir).args(args);
    match &server.database_url {
        Some(url) => c.env("DATABASE_URL", url),
        None => c.env_remove("DATABASE_URL"),
    };
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Issue 18, finding 1: a border device that saw a certificate's barcode
/// pushed an entry with no `prev` on another office's issued case; it was
/// accepted, forked the case at its root, and headquarters could no longer
/// revoke. Now it is refused, and the case stays whole.
#[test]
fn an_event_that_does_not_attach_to_the_head_is_refused_and_the_case_stays_decidable() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut ist = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let border = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    let console = device(&t.path().join("console"), &server, "HQ", Role::Headquarters);
    let guard = identity(&border);
    let issued = issued_case(&server, &mut ist);
    let case = issued.case_id.clone();
    let entry = CertificateEvent::Entered { crossing_point: "MANAS".into(), date: IsoDate::today() };
    let at = |prev: Option<String>| {
        Event::new(&guard, &case, prev, Hlc { wall_ms: now_ms(), counter: 0 }, entry.clone(), &mut OsRng)
    };

    // At the root, on an unknown event, and on an event that is not the issuing one.
    let created = issued.history[0].0.clone();
    for (what, e) in
        [("root", at(None)), ("unknown", at(Some(uuid::Uuid::now_v7().to_string()))), ("stale", at(Some(created)))]
    {
        let (status, resp) = push(&server, &guard, vec![e]);
        assert_eq!(status, 200);
        let r = &resp.unwrap().results[0];
        assert_eq!(r.status, PushStatus::Rejected, "an entry attached at the {what} must be refused");
        assert!(r.reason.as_deref().unwrap().contains("does not follow"), "{:?}", r.reason);
    }
    // A consulate's own event on a stale `prev` is refused the same way.
    let me = identity(&ist);
    let stale = Event::new(
        &me,
        &case,
        Some(issued.history[1].0.clone()),
        Hlc { wall_ms: now_ms(), counter: 0 },
        CertificateEvent::Cancelled { reason: "x".into() },
        &mut OsRng,
    );
    let (_, resp) = push(&server, &me, vec![stale]);
    assert_eq!(resp.unwrap().results[0].status, PushStatus::Rejected);

    // The case is whole: issued, no conflict, on both sides alike.
    let view = hq_view(&server, &case);
    assert_eq!(view.state, Some(RequestState::Issued));
    assert!(view.conflict.is_none());
    sync(&mut ist).unwrap();
    assert_eq!(CertificateCases::new(&mut ist).view(&case).unwrap().history, view.history);
    // Headquarters can still revoke it.
    let (status, body) = decide(&server, &identity(&console), &case, &Decision::Revoke { reason: "stolen".into() });
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "revoked");
}

/// A real concurrent fork from honest parties (headquarters revokes while a
/// border post, offline, admits the holder) stays a visible conflict on
/// every replica; an operator resolves it over the API or the admin CLI,
/// and everyone folds the outcome alike.
#[test]
fn a_concurrent_fork_stays_a_visible_conflict_until_an_operator_resolves_it() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut ist = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let mut border = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    let console = device(&t.path().join("console"), &server, "HQ", Role::Headquarters);
    let op = identity(&console);
    let guard = identity(&border);
    sync(&mut border).unwrap();
    let mut enter_offline = |issued: &CaseView| {
        let profile = DeviceProfile::load(&border).unwrap();
        let used = |_: &str| None;
        let ctx = VerifyContext {
            store: &profile.trust,
            now_ms: now_ms(),
            today: IsoDate::today(),
            used: &used,
            photo: None,
        };
        let ok = verify(&issued.certificate.as_ref().unwrap().barcode, &ctx).unwrap();
        CertificateCases::new(&mut border).enter(&guard, &ok, "MANAS", IsoDate::today(), now_ms()).unwrap()
    };

    // Two cases, each revoked at headquarters while the border admits the holder.
    let mut forks = Vec::new();
    for _ in 0..2 {
        let issued = issued_case(&server, &mut ist);
        let entered = enter_offline(&issued);
        let (status, _) = decide(&server, &op, &issued.case_id, &Decision::Revoke { reason: "reported stolen".into() });
        assert_eq!(status, 200);
        forks.push((issued.case_id.clone(), entered));
    }
    let r = sync(&mut border).unwrap();
    assert_eq!((r.accepted, r.rejected.len()), (2, 0), "a real fork is accepted: {:?}", r.rejected);
    sync(&mut ist).unwrap();
    for (case, entered) in &forks {
        let view = hq_view(&server, case);
        let conflict = view.conflict.clone().expect("a visible conflict, not a silent choice");
        assert_eq!(conflict.branches.len(), 2);
        assert!(conflict.branches.iter().any(|b| b.event_id == entered.id));
        assert_eq!(view.state, Some(RequestState::Issued), "the fold stops at the fork");
        let at_ist = CertificateCases::new(&mut ist).view(case).unwrap();
        assert_eq!(at_ist.conflict, view.conflict, "the consulate sees the same conflict");
        // Nothing else is decided until it is resolved.
        let (status, _) = decide(&server, &op, case, &Decision::Reject { reason: "x".into() });
        assert_eq!(status, 409);
    }

    // Over the API: a resolution must keep one of the branches.
    let (case, entered) = &forks[0];
    let bogus = Decision::ResolveConflict { keep: uuid::Uuid::now_v7().to_string(), reason: "x".into() };
    assert_eq!(decide(&server, &op, case, &bogus).0, 409);
    let keep = Decision::ResolveConflict { keep: entered.id.clone(), reason: "the holder entered".into() };
    let (status, body) = decide(&server, &op, case, &keep);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "entered");
    assert!(body["conflict"].is_null());
    assert_eq!(decide(&server, &op, case, &keep).0, 409, "nothing left to resolve");

    // With the admin CLI: the listing shows the branches, the command keeps one.
    let (case2, entered2) = &forks[1];
    let listing = admin_cli(&server, &["cases"]);
    assert!(listing.contains("CONFLICT") && listing.contains(&entered2.id), "{listing}");
    let revoked = hq_view(&server, case2).conflict.unwrap().branches.into_iter().find(|b| b.event == "revoked");
    let revoked = revoked.unwrap().event_id;
    admin_cli(&server, &["decide", case2, "resolve-conflict", "--keep", &revoked, "--reason", "revoked first"]);
    assert_eq!(hq_view(&server, case2).state, Some(RequestState::Revoked));

    // Every replica folds the outcome alike.
    sync(&mut ist).unwrap();
    for (case, _) in &forks {
        let want = hq_view(&server, case);
        assert!(want.conflict.is_none());
        let got = CertificateCases::new(&mut ist).view(case).unwrap();
        assert_eq!((got.state, &got.history), (want.state, &want.history));
    }
}

/// Issue 18, finding 2: a device of one office pushed its own event under
/// the id another office's event would use (an issuing event's id is printed
/// in the barcode before the consulate syncs); the real event was answered
/// `duplicate`, never stored, and counted as accepted. Now `duplicate`
/// means byte for byte the held event; anything else is refused and the
/// device keeps it, shown. Ids must be UUIDs.
#[test]
fn an_event_id_claimed_by_another_device_is_refused_not_taken_for_a_duplicate() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut ist = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let dxb = device(&t.path().join("dxb"), &server, "DXB", Role::ConsularOfficer);
    let me = identity(&ist);
    let mallory = identity(&dxb);
    let case = CertificateCases::new(&mut ist).create(&me, request("IST"), now_ms()).unwrap().case_id;
    CertificateCases::new(&mut ist).record(&me, &case, CertificateEvent::Submitted, now_ms()).unwrap();
    sync(&mut ist).unwrap();
    let hq = server.admin();
    hq.decide(&case, CertificateEvent::IdentityVerified { note: "ok".into() }).unwrap();
    hq.decide(&case, CertificateEvent::Approved { validity_days: 30 }).unwrap();
    sync(&mut ist).unwrap();
    // Issued offline: the barcode, handed over, names the issuing event.
    let issued = CertificateCases::new(&mut ist).issue(&me, &case, None, IsoDate::today(), now_ms()).unwrap();
    let taken = issued.head.clone().unwrap();

    // Dubai claims that id first, for a case of its own.
    let claim = Event::new_with_id(
        &mallory,
        &taken,
        &uuid::Uuid::new_v4().to_string(),
        None,
        Hlc { wall_ms: now_ms(), counter: 0 },
        CertificateEvent::Created { request: Box::new(request("DXB")) },
    );
    let (_, resp) = push(&server, &mallory, vec![claim.clone()]);
    assert_eq!(resp.unwrap().results[0].status, PushStatus::Accepted, "the id was free");
    // Its own retry, byte for byte, is a duplicate; another event under the id is not.
    let (_, resp) = push(&server, &mallory, vec![claim.clone()]);
    assert_eq!(resp.unwrap().results[0].status, PushStatus::Duplicate);
    let mut altered = claim.clone();
    altered.hlc.counter += 1;
    let altered = Event::new_with_id(&mallory, &taken, &altered.case_id, None, altered.hlc, altered.body);
    let (_, resp) = push(&server, &mallory, vec![altered]);
    assert_eq!(resp.unwrap().results[0].status, PushStatus::Rejected);

    // Istanbul's issuance is refused, not swallowed: kept on the device and shown.
    let r = sync(&mut ist).unwrap();
    assert_eq!(r.duplicates, 0, "not counted as accepted");
    assert_eq!(r.rejected.len(), 1, "{r:?}");
    assert_eq!(r.rejected[0].0, taken);
    assert!(r.rejected[0].1.contains("already held"), "{:?}", r.rejected);
    let kept = CertificateCases::new(&mut ist).rejected().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0.id, taken);
    assert_eq!(hq_view(&server, &case).state, Some(RequestState::Approved), "nothing issued at headquarters");
    let held: Event<CertificateEvent> = serde_json::from_str(&hq.db.event_body(&taken).unwrap().unwrap()).unwrap();
    assert_eq!(held.author, mallory.device_id(), "the first claim stays as it was");

    // Ids (and case ids) must be UUIDs, written one way.
    let odd = |id: &str, case: &str| {
        Event::new_with_id(
            &mallory,
            id,
            case,
            None,
            Hlc { wall_ms: now_ms(), counter: 0 },
            CertificateEvent::Created { request: Box::new(request("DXB")) },
        )
    };
    let fresh = uuid::Uuid::new_v4().to_string();
    let long = "x".repeat(5000);
    let upper = uuid::Uuid::now_v7().to_string().to_uppercase();
    let (_, resp) = push(
        &server,
        &mallory,
        vec![odd(&long, &fresh), odd(&upper, &fresh), odd(&uuid::Uuid::now_v7().to_string(), "a-case")],
    );
    for r in resp.unwrap().results {
        assert_eq!(r.status, PushStatus::Rejected);
        assert!(r.reason.as_deref().unwrap().contains("is not a UUID"), "{:?}", r.reason);
    }
    assert!(!hq.db.has_event(&long).unwrap());
}

/// Issue 18, finding 3: revoking a device removed its key, so every event it
/// ever made failed at headquarters and its cases folded to nothing, while
/// devices kept the identity and folded them differently. Now what
/// headquarters accepted before the revocation stays valid everywhere,
/// nothing later is accepted, and every replica folds alike.
#[test]
fn a_revoked_device_keeps_its_earlier_cases_valid_everywhere_and_nothing_later_is_taken() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut lost = device(&t.path().join("lost"), &server, "IST", Role::ConsularOfficer);
    let mut colleague = device(&t.path().join("ist2"), &server, "IST", Role::ConsularOfficer);
    let console = device(&t.path().join("console"), &server, "HQ", Role::Headquarters);
    let thief = identity(&lost);
    let issued = issued_case(&server, &mut lost);
    let case = issued.case_id.clone();
    let draft = CertificateCases::new(&mut lost).create(&thief, request("IST"), now_ms()).unwrap().case_id;
    sync(&mut lost).unwrap();
    let before = hq_view(&server, &case);
    assert_eq!(before.state, Some(RequestState::Issued));
    let row = server.admin().db.device(thief.device_id()).unwrap().unwrap();

    // The phone is lost: revoked.
    server.admin().revoke(thief.device_id(), false).unwrap();

    // Its cases are not stranded at headquarters.
    let view = hq_view(&server, &case);
    assert_eq!(view.state, Some(RequestState::Issued), "refused: {:?}", view.refused);
    assert!(view.refused.is_empty());
    assert_eq!(view.history, before.history);
    assert_eq!(hq_view(&server, &draft).state, Some(RequestState::Draft));
    // A colleague's device, and one enrolled after the revocation, fold them alike.
    let mut late = device(&t.path().join("ist3"), &server, "IST", Role::ConsularOfficer);
    for v in [&mut colleague, &mut late] {
        sync(v).unwrap();
        for c in [&case, &draft] {
            let want = hq_view(&server, c);
            let got = CertificateCases::new(v).view(c).unwrap();
            assert_eq!((got.state, &got.history, &got.refused), (want.state, &want.history, &want.refused));
        }
    }
    // At the border, the certificate it issued before still verifies; one
    // signed now with the stolen key, for someone else, does not.
    let mut border = device(&t.path().join("osh"), &server, "OSH", Role::BorderGuard);
    sync(&mut border).unwrap();
    let profile = DeviceProfile::load(&border).unwrap();
    let used = |_: &str| None;
    let ctx =
        VerifyContext { store: &profile.trust, now_ms: now_ms(), today: IsoDate::today(), used: &used, photo: None };
    let barcode = issued.certificate.as_ref().unwrap().barcode.clone();
    let ok = verify(&barcode, &ctx).expect("a certificate issued before the revocation stays valid");
    let mut payload = ok.payload.clone();
    payload.surname = "Someone Else".into();
    let forged = homeward_core::certificate::barcode::encode(&payload, &thief);
    // The key is offered only for the kept barcodes: for anything else it is unknown.
    assert!(
        matches!(verify(&forged, &ctx), Err(homeward_core::certificate::VerifyError::UnknownSigner { .. })),
        "a new barcode signed with the revoked key is refused"
    );

    // Headquarters still decides on them, and the colleague carries on.
    let (status, body) =
        decide(&server, &identity(&console), &case, &Decision::Revoke { reason: "device lost".into() });
    assert_eq!(status, 200, "{body}");
    let mate = identity(&colleague);
    CertificateCases::new(&mut colleague)
        .record(&mate, &draft, CertificateEvent::Cancelled { reason: "device lost".into() }, now_ms())
        .unwrap();
    assert_eq!(sync(&mut colleague).unwrap().accepted, 1);
    assert_eq!(hq_view(&server, &draft).state, Some(RequestState::Cancelled));

    // Nothing made with the revoked key is taken: not by a push (403), and not by
    // a batch that was authenticated just before the revocation (the race).
    let later = CertificateCases::new(&mut lost).create(&thief, request("IST"), now_ms()).unwrap();
    assert!(matches!(sync(&mut lost), Err(SyncError::Revoked)));
    let (status, _) = push(&server, &thief, CertificateCases::new(&mut lost).outbox().unwrap());
    assert_eq!(status, 403);
    let raced = server.admin().accept_batch(&row, &CertificateCases::new(&mut lost).outbox().unwrap());
    assert!(matches!(raced, Err(homeward_hq::hq::HqError::Revoked)), "{raced:?}");
    assert!(server.admin().db.case_events(&later.case_id).unwrap().is_empty());
}

/// Two servers on one database (two `Hq` handles, as two processes would
/// be), with reviewers who all read the case at the same head and decide at
/// the same moment: exactly one decision is stored, every other is refused
/// as moved on, and the case has no second branch. Without a seen head (the
/// admin CLI, the operators' API) a decision is checked against the case
/// as it is by then.
#[test]
fn reviewers_on_two_servers_deciding_on_one_head_apply_one_decision() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut consulate = device(&t.path().join("c"), &server, "IST", Role::ConsularOfficer);
    let me = identity(&consulate);
    let case = CertificateCases::new(&mut consulate).create(&me, request("IST"), 1).unwrap().case_id;
    CertificateCases::new(&mut consulate).record(&me, &case, CertificateEvent::Submitted, 2).unwrap();
    sync(&mut consulate).unwrap();
    let head = hq_view(&server, &case).head.unwrap();
    let servers = [server.admin(), server.admin()];
    let go = std::sync::Barrier::new(8);
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let (hq, go, case, head) = (&servers[n % 2], &go, &case, &head);
                s.spawn(move || {
                    go.wait();
                    let note = format!("reviewer {n}");
                    hq.decide_as_at(case, CertificateEvent::IdentityVerified { note }, &format!("r{n}"), Some(head))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "one decision applies");
    for o in outcomes.iter().filter(|o| o.is_err()) {
        assert!(matches!(o, Err(homeward_hq::HqError::MovedOn)), "{:?}", o.as_ref().err());
    }
    servers[1].decide_as(&case, CertificateEvent::Approved { validity_days: 20 }, "cli").unwrap();
    let view = hq_view(&server, &case);
    assert_eq!(view.state, Some(RequestState::Approved));
    assert!(view.conflict.is_none());
    assert_eq!(servers[0].db.case_events(&case).unwrap().len(), 4, "created, submitted, one verification, approval");
}
