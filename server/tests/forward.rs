//! Store and forward for real (docs/PROTOCOL.md, "Store and forward"):
//! headquarters on a loopback socket, each device a vault in its own
//! directory. A border post without a link exports its outbox as a bundle;
//! colleagues of its office carry it and forward it at their sync;
//! headquarters takes it once; the first device learns of it at its own
//! next sync and sends nothing twice. Refusals: altered, replayed,
//! truncated, for another headquarters, carried by another office, forged.
//! And the QR path: 200 screenings over fountain-coded frames with a fifth
//! of them lost.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use homeward_core::date::{IsoDate, Today};
use homeward_core::events::Role;
use homeward_core::forward::{self, frames, BundleError, ForwardError, ForwardFile};
use homeward_core::screening::ScreeningRecordId;
use homeward_core::screening::{
    default_checklist, AnswerValue, Lang, NewScreening, ScreeningEvents, ScreeningRecords, YesNo,
};
use homeward_core::sync::{RetryPolicy, SyncError};
use homeward_core::vault::{Secret, Vault};

mod common;
use common::{options, Server};

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

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// `n` finalised screenings at a crossing (reports only reach headquarters).
fn screen(v: &mut Vault, n: usize) {
    let c = default_checklist();
    for i in 0..n {
        let mut book = ScreeningRecords::new(v, &c);
        let s = book
            .start(NewScreening {
                crossing_point: "OSH-AIRPORT".into(),
                officer: None,
                language: Lang::Ru,
                screening_date: IsoDate::today(),
                now_unix_ms: now_ms(),
            })
            .unwrap();
        let id = s.record_id().unwrap();
        book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
        book.answer(id, "documents", AnswerValue::Choice("own".into())).unwrap();
        if i % 2 == 1 {
            book.answer(id, "recruited", AnswerValue::YesNo(YesNo::Yes)).unwrap();
        }
        book.finalise(id, now_ms()).unwrap();
    }
}

fn held_at_hq(server: &Server) -> usize {
    server.admin().db.screening_events().unwrap().len()
}

fn bundle_of(bytes: &[u8]) -> forward::ForwardBundle {
    match ForwardFile::parse(bytes).unwrap() {
        ForwardFile::Bundle(b) => *b,
        _ => panic!("not a bundle"),
    }
}

#[test]
fn a_bundle_relayed_over_two_hops_arrives_once_and_the_first_device_sends_nothing_twice() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut post = device(&t.path().join("post"), &server, "OSH", Role::BorderGuard);
    let mut supervisor = device(&t.path().join("sup"), &server, "OSH", Role::BorderGuard);
    let mut office_pc = device(&t.path().join("pc"), &server, "OSH", Role::BorderGuard);

    // Offline at the crossing: three screenings, exported as one bundle file.
    screen(&mut post, 3);
    let bundle = forward::export(&mut post, now_ms()).unwrap();
    assert_eq!(bundle.events, 3);
    let file = bundle.to_json();
    assert!(file.starts_with("{\n  \"classification\": \"FOR OFFICIAL USE ONLY\""), "the marking comes first");
    assert!(!file.contains("OSH-AIRPORT"), "the carrier sees no report in clear");

    // Hop one: the supervisor takes it from the post; it stores it once.
    let a = forward::import(&mut supervisor, bundle_of(file.as_bytes()), now_ms()).unwrap();
    assert_eq!((a.events, a.sender_device.as_str()), (3, bundle.sender_device.as_str()));
    let again = forward::import(&mut supervisor, bundle_of(file.as_bytes()), now_ms()).unwrap_err();
    assert!(matches!(again, ForwardError::Replayed(_)), "{again}");
    assert_eq!(forward::carried(&supervisor).unwrap().len(), 1, "not stored twice");
    // Hop two: the supervisor passes its copy on to the office PC, which
    // checks it as the supervisor did (still whole, still the post's).
    let relayed = forward::carried_bundle(&supervisor, &bundle.bundle_id).unwrap().to_json();
    forward::import(&mut office_pc, bundle_of(relayed.as_bytes()), now_ms()).unwrap();
    assert!(matches!(forward::carried_bundle(&office_pc, "fwd-none"), Err(ForwardError::NotCarried)));

    // The supervisor reaches headquarters first: the three reports are taken
    // as the post's own.
    let r = sync(&mut supervisor).unwrap();
    assert_eq!((r.forwarded, r.forward_refused.len()), (1, 0));
    assert_eq!(held_at_hq(&server), 3);
    let authors: Vec<String> = server.admin().db.screening_events().unwrap().into_iter().map(|e| e.author).collect();
    assert!(authors.iter().all(|a| *a == bundle.sender_device), "as if the post had pushed");
    let receipts = forward::receipts_held(&supervisor).unwrap();
    assert_eq!(receipts.len(), 1);
    assert!(receipts[0].body.results.iter().all(|r| r.status == homeward_core::sync::protocol::PushStatus::Accepted));

    // Delivered: nothing left to pass on.
    assert!(matches!(forward::carried_bundle(&supervisor, &bundle.bundle_id), Err(ForwardError::Replayed(_))));
    // The office PC, at the end of the second hop, forwards it later: the
    // same answer, nothing stored twice.
    let r = sync(&mut office_pc).unwrap();
    assert_eq!(r.forwarded, 1);
    assert_eq!(held_at_hq(&server), 3);
    assert_eq!(forward::receipts_held(&office_pc).unwrap(), receipts, "headquarters answers idempotently");
    // Already forwarded: importing it again is refused as replayed.
    let again = forward::import(&mut office_pc, bundle_of(file.as_bytes()), now_ms()).unwrap_err();
    assert!(matches!(again, ForwardError::Replayed(_)), "{again}");

    // The post's next real sync asks first: nothing is sent again.
    assert_eq!(ScreeningEvents::new(&mut post).outbox().unwrap().len(), 3);
    let r = sync(&mut post).unwrap();
    assert_eq!(r.receipts_applied, 1);
    assert_eq!(r.accepted, 3, "counted from the receipt");
    assert_eq!(r.progress.events_to_send, 0, "what headquarters holds is not sent again");
    assert!(ScreeningEvents::new(&mut post).outbox().unwrap().is_empty());
    assert_eq!(held_at_hq(&server), 3);
    // And again: nothing.
    let r = sync(&mut post).unwrap();
    assert_eq!((r.receipts_applied, r.accepted, r.duplicates), (0, 0, 0));
}

#[test]
fn a_receipt_carried_back_by_file_clears_the_outbox_and_an_undelivered_bundle_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut post = device(&t.path().join("post"), &server, "OSH", Role::BorderGuard);
    let mut supervisor = device(&t.path().join("sup"), &server, "OSH", Role::BorderGuard);

    // Delivered, and the receipt comes back the same way (a file).
    screen(&mut post, 2);
    let b = forward::export(&mut post, now_ms()).unwrap();
    forward::import(&mut supervisor, b, now_ms()).unwrap();
    sync(&mut supervisor).unwrap();
    let receipts = forward::receipts_held(&supervisor).unwrap();
    let json = serde_json::to_vec(&serde_json::json!({ "receipts": receipts })).unwrap();
    let ForwardFile::Receipts { receipts } = ForwardFile::parse(&json).unwrap() else { panic!("receipts") };
    let applied = forward::apply_receipt(&mut post, &receipts[0]).unwrap();
    assert_eq!(applied.accepted, 2);
    assert!(ScreeningEvents::new(&mut post).outbox().unwrap().is_empty(), "offline, the outbox is cleared");
    // A receipt altered on the way is refused.
    let mut forged = receipts[0].clone();
    forged.body.results[0].status = homeward_core::sync::protocol::PushStatus::Rejected;
    assert!(matches!(forward::apply_receipt(&mut post, &forged), Err(ForwardError::Bundle(BundleError::Altered(_)))));
    // Applying it twice changes nothing.
    assert_eq!(forward::apply_receipt(&mut post, &receipts[0]).unwrap().ignored, 1);

    // Exported but never carried: the next real sync pushes it as usual.
    screen(&mut post, 2);
    let stale = forward::export(&mut post, now_ms()).unwrap();
    let r = sync(&mut post).unwrap();
    assert_eq!((r.receipts_applied, r.accepted), (0, 2));
    assert_eq!(held_at_hq(&server), 4);
    // Its events left the outbox by the push: the next sync stops asking for its receipt.
    assert_eq!(forward::unreceipted(&post).unwrap().len(), 1);
    sync(&mut post).unwrap();
    assert!(forward::unreceipted(&post).unwrap().is_empty(), "settled, not asked about forever");
    // The stale bundle turns up later: headquarters holds it all already.
    forward::import(&mut supervisor, stale, now_ms()).unwrap();
    let r = sync(&mut supervisor).unwrap();
    assert_eq!(r.forwarded, 1);
    let receipts = forward::receipts_held(&supervisor).unwrap();
    let last = receipts.iter().find(|r| r.body.results.len() == 2 && r.body.bundle_id != receipts[0].body.bundle_id);
    assert!(last
        .unwrap()
        .body
        .results
        .iter()
        .all(|r| r.status == homeward_core::sync::protocol::PushStatus::Duplicate));
    assert_eq!(held_at_hq(&server), 4, "exactly once");
}

#[test]
fn altered_truncated_foreign_and_forged_bundles_are_refused_with_their_reason() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let other_hq = Server::start(&t.path().join("hq2"));
    let mut post = device(&t.path().join("post"), &server, "OSH", Role::BorderGuard);
    let mut supervisor = device(&t.path().join("sup"), &server, "OSH", Role::BorderGuard);
    let mut consulate = device(&t.path().join("ist"), &server, "IST", Role::ConsularOfficer);
    let mut elsewhere = device(&t.path().join("else"), &other_hq, "OSH", Role::BorderGuard);
    screen(&mut post, 2);
    let bundle = forward::export(&mut post, now_ms()).unwrap();

    // Altered: a byte of the sealed body, or the header's count.
    let mut b = bundle.clone();
    b.sealed[5] ^= 1;
    let e = forward::import(&mut supervisor, b, now_ms()).unwrap_err();
    assert!(matches!(e, ForwardError::Bundle(BundleError::Altered(_))), "{e}");
    let mut b = bundle.clone();
    b.events = 1;
    let e = forward::import(&mut supervisor, b, now_ms()).unwrap_err();
    assert!(matches!(e, ForwardError::Bundle(BundleError::Altered(_))), "{e}");

    // Truncated: the file cut short.
    let json = bundle.to_json();
    let e = ForwardFile::parse(&json.as_bytes()[..json.len() / 2]).unwrap_err();
    assert!(matches!(e, ForwardError::Bundle(BundleError::Malformed(_))), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");

    // Another office's device will not carry it; nor another headquarters'.
    let e = forward::import(&mut consulate, bundle.clone(), now_ms()).unwrap_err();
    assert!(matches!(e, ForwardError::Bundle(BundleError::OtherOffice { .. })), "{e}");
    let e = forward::import(&mut elsewhere, bundle.clone(), now_ms()).unwrap_err();
    assert!(matches!(e, ForwardError::Bundle(BundleError::OtherHeadquarters)), "{e}");
    // Nor its own maker.
    assert!(matches!(forward::import(&mut post, bundle.clone(), now_ms()), Err(ForwardError::OwnBundle)));

    // Forged: re-signed by a key that is not the post's. The carrier cannot
    // tell (it holds no key of the post's); headquarters refuses it, typed.
    let mallory = homeward_core::events::DeviceIdentity::generate(
        &bundle.sender_device,
        Role::BorderGuard,
        "OSH",
        &mut homeward_core::random::OsRng,
    );
    // Sealed and signed by the forger: a fresh bundle claiming to be the post's.
    let mut guard_events = ScreeningEvents::new(&mut post).outbox().unwrap();
    guard_events.truncate(1);
    let profile = homeward_core::certificate::DeviceProfile::load(&post).unwrap();
    let forged = forward::ForwardBundle::seal(
        homeward_core::sync::protocol::PushRequest { events: vec![], screenings: guard_events },
        profile.sealing_key.as_ref().unwrap(),
        &profile.trust.roots[0],
        &mallory,
        now_ms(),
        &mut homeward_core::random::OsRng,
    )
    .unwrap();
    forward::import(&mut supervisor, forged, now_ms()).unwrap();
    let r = sync(&mut supervisor).unwrap();
    assert_eq!(r.forward_refused.len(), 1);
    assert_eq!(r.forward_refused[0].1, "unknown_sender");
    assert_eq!(held_at_hq(&server), 0, "nothing of it stored");

    // The genuine one still goes through.
    forward::import(&mut supervisor, bundle, now_ms()).unwrap();
    assert_eq!(sync(&mut supervisor).unwrap().forwarded, 1);
    assert_eq!(held_at_hq(&server), 2);
}

/// A small seeded generator (xorshift64*), so the dropped frames are the
/// same on every run.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn two_hundred_screenings_cross_by_qr_frames_with_a_fifth_of_them_lost() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut post = device(&t.path().join("post"), &server, "OSH", Role::BorderGuard);
    let mut supervisor = device(&t.path().join("sup"), &server, "OSH", Role::BorderGuard);
    screen(&mut post, 200);
    let bundle = forward::export(&mut post, now_ms()).unwrap();
    let all = frames::encode(&bundle, 50);
    let source = bundle.to_cbor().len().div_ceil(frames::SYMBOL_SIZE as usize);
    for f in &all {
        homeward_core::certificate::qr_matrix(f).expect("every frame fits a QR code of version 15 at M");
    }

    // The screen cycles through the frames; the camera misses 20% at random
    // and reads the rest in a shuffled order.
    let mut rng = Seeded(0x5eed_2026);
    let mut shown: Vec<&String> = all.iter().filter(|_| rng.next() % 100 >= 20).collect();
    for i in (1..shown.len()).rev() {
        shown.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let mut c = frames::FrameCollector::new();
    let mut done = false;
    for f in shown {
        if c.push(f).unwrap() {
            done = true;
            break;
        }
    }
    assert!(done, "completes with {} of {} frames read", c.received(), all.len());

    // The figure (docs/PERFORMANCE.md): the screen shows the frames in a
    // loop at 5 a second; the camera misses each frame shown with
    // probability 20%, afresh on every pass. Frames shown until the bundle
    // decodes, over 20 seeds.
    let mut shown_until_done: Vec<usize> = (0..20u64)
        .map(|seed| {
            let mut rng = Seeded(0x0f0f_2026 + seed * 7919);
            let mut c = frames::FrameCollector::new();
            let mut n = 0;
            for f in all.iter().cycle() {
                n += 1;
                if rng.next() % 100 >= 20 && c.push(f).unwrap() {
                    return n;
                }
                assert!(n <= 2 * all.len(), "seed {seed}: not complete after two passes");
            }
            unreachable!()
        })
        .collect();
    shown_until_done.sort();
    let version = all.iter().map(|f| homeward_core::certificate::qr_matrix(f).unwrap().version).max().unwrap();
    let (lo, mid, hi) = (shown_until_done[0], shown_until_done[10], shown_until_done[19]);
    eprintln!(
        "FIGURE 200 screenings: bundle {} bytes (CBOR, {} as a JSON file), {source} source frames, {} frames made \
         (QR version {version}, EC M); at 20% missed: frames shown until complete min {lo} / median {mid} / max {hi} \
         = {:.1} / {:.1} / {:.1} s at 5 frames/s",
        bundle.to_cbor().len(),
        bundle.to_json().len(),
        all.len(),
        lo as f64 / 5.0,
        mid as f64 / 5.0,
        hi as f64 / 5.0,
    );

    // A frame of another bundle mixed in is refused with a reason.
    screen(&mut post, 1);
    let other = frames::encode(&forward::export(&mut post, now_ms()).unwrap(), 50);
    let mut mixed = frames::FrameCollector::new();
    mixed.push(&all[0]).unwrap();
    let e = mixed.push(&other[0]).unwrap_err();
    assert!(matches!(e, frames::FrameError::MixedBundles { .. }), "{e}");
    assert!(matches!(mixed.finish(), Err(frames::FrameError::Incomplete { .. })));
    assert!(matches!(mixed.push("HW1:not-a-frame"), Err(frames::FrameError::NotAFrame(_))));

    let got = c.finish().unwrap();
    assert_eq!(got, bundle);
    forward::import(&mut supervisor, got, now_ms()).unwrap();
    let r = sync(&mut supervisor).unwrap();
    assert_eq!(r.forwarded, 1);
    assert_eq!(held_at_hq(&server), 200);
}
