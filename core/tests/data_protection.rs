//! The data-protection lifecycle on real vaults: the audit log, retention
//! (a purged case leaves no byte behind), the duress passphrase, and
//! referrals with consent and encrypted packages.

mod common;

use homeward_core::audit::{AuditAction, AuditChainError, AuditFact, AuditLog, Subject, SubjectKind};
use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::store::SyncState;
use homeward_core::certificate::{CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Role};
use homeward_core::random::OsRng;
use homeward_core::retention::{self, CASE_PHOTO_KIND};
use homeward_core::screening::ScreeningRecordId;
use homeward_core::screening::{
    default_checklist, AnswerValue, Lang, NewScreening, ScreeningRecords, Subject as Person, YesNo,
};
use homeward_core::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault};

const NOW: i64 = 1_795_910_400_000; // 2026-11-29T00:00Z
const DAY: i64 = 86_400_000;

fn d(s: &str) -> IsoDate {
    s.parse().unwrap()
}

fn enrolled_vault(dir: &std::path::Path, me: &DeviceIdentity, hq: &DeviceIdentity) -> Vault {
    let mut v = common::new_vault(dir);
    let mut p = DeviceProfile::load(&v).unwrap();
    p.identity = Some(me.to_stored());
    p.keyring.add(me.public());
    p.keyring.add(hq.public());
    p.save(&mut v).unwrap();
    v
}

fn request(surname: &str, passport: &str) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: surname.into(),
            given_name: "Aigul".into(),
            patronymic: None,
            date_of_birth: d("1994-03-12"),
            place_of_birth: "Osh".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::OldPassport { number: passport.into() }],
        loss: DocumentLoss::HeldByTrafficker,
        trafficking: None,
        children: vec![],
        route: "Istanbul - Bishkek".into(),
        travel_date: d("2026-12-05"),
        officer_assessment: "consistent account".into(),
        issuing_office: "IST".into(),
        request_date: d("2026-11-29"),
    }
}

/// Every byte string that betrays a stored record: its id, its blind-index
/// tags, slices of its ciphertext, its attachment files' contents.
fn traces(dir: &std::path::Path, ids: &[RecordId]) -> Vec<Vec<u8>> {
    let db = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    let mut out = Vec::new();
    let doomed: Vec<Vec<u8>> = ids.iter().map(|i| i.0.as_bytes().to_vec()).collect();
    let all_tags: Vec<(Vec<u8>, Vec<u8>)> = db
        .prepare("SELECT tag, record_id FROM blind_index")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for id in ids {
        let idb = id.0.as_bytes().to_vec();
        out.push(idb.clone());
        let sealed: Vec<u8> = db.query_row("SELECT sealed FROM records WHERE id = ?1", [&idb], |r| r.get(0)).unwrap();
        for chunk in sealed.chunks(32).filter(|c| c.len() == 32) {
            out.push(chunk.to_vec());
        }
        // Only tags no surviving record shares ("stream = certificate" is everyone's).
        for (tag, rid) in &all_tags {
            if rid == &idb && !all_tags.iter().any(|(t, r)| t == tag && !doomed.contains(r)) {
                out.push(tag.clone());
            }
        }
        let mut st = db.prepare("SELECT id FROM attachments WHERE record_id = ?1").unwrap();
        for a in st.query_map([&idb], |r| r.get::<_, Vec<u8>>(0)).unwrap() {
            let a = a.unwrap();
            out.push(a.clone());
            let name = uuid::Uuid::from_slice(&a).map(|u| u.to_string()).unwrap_or_default();
            for entry in std::fs::read_dir(dir.join("attachments")).unwrap() {
                let p = entry.unwrap().path();
                if p.file_name().unwrap().to_string_lossy().contains(&name) {
                    let bytes = std::fs::read(&p).unwrap();
                    out.extend(bytes.chunks(32).skip(2).take(8).filter(|c| c.len() == 32).map(<[u8]>::to_vec));
                }
            }
        }
    }
    assert!(out.len() > ids.len(), "ciphertexts and tags collected");
    out
}

fn assert_no_trace(dir: &std::path::Path, markers: &[Vec<u8>]) {
    for (i, m) in markers.iter().enumerate() {
        let hits: Vec<_> = common::all_files(dir)
            .into_iter()
            .filter(|(_, b)| memchr::memmem::find(b, m).is_some())
            .map(|(p, _)| p)
            .collect();
        assert!(hits.is_empty(), "trace {i} ({}) of the purged record is still in {hits:?}", hex::encode(m));
    }
}

fn finalised_screening(v: &mut Vault, name: &str) -> RecordId {
    let c = default_checklist();
    let mut book = ScreeningRecords::new(v, &c);
    let id = book
        .start(NewScreening {
            crossing_point: "TORUGART".into(),
            officer: None,
            language: Lang::En,
            screening_date: d("2026-11-29"),
            now_unix_ms: NOW,
        })
        .unwrap()
        .record_id()
        .unwrap();
    book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::No)).unwrap();
    book.answer(id, "recruited", AnswerValue::YesNo(YesNo::Yes)).unwrap();
    book.answer(id, "documents", AnswerValue::Choice("held_by_other".into())).unwrap();
    book.answer(id, "deceived", AnswerValue::YesNo(YesNo::Yes)).unwrap();
    book.set_subject(id, Person { name: Some(name.into()), ..Default::default() }).unwrap();
    book.finalise(id, NOW).unwrap();
    id
}

#[test]
fn a_purged_case_leaves_no_trace_in_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let me = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", &mut OsRng);
    let hq = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", &mut OsRng);
    let mut v = enrolled_vault(dir.path(), &me, &hq);

    // Case A: every event held by headquarters, with a photo.
    let mut cases = CertificateCases::new(&mut v);
    let a = cases.create(&me, request("Purgedova", "PRG7654321"), NOW).unwrap().case_id;
    cases.record(&me, &a, CertificateEvent::Submitted, NOW + 1).unwrap();
    // Closed (the applicant withdrew): only a closed case is purged.
    cases.record(&me, &a, CertificateEvent::Cancelled { reason: "withdrawn".into() }, NOW + 2).unwrap();
    let acks: Vec<(String, SyncState)> =
        cases.events(&a).unwrap().into_iter().map(|e| (e.id, SyncState::Accepted)).collect();
    cases.mark_many(&acks).unwrap();
    // Case C: every event held by headquarters, but still open (submitted,
    // awaiting headquarters): kept.
    let open = cases.create(&me, request("Openova", "OPN1112223"), NOW).unwrap().case_id;
    cases.record(&me, &open, CertificateEvent::Submitted, NOW + 1).unwrap();
    let acks: Vec<(String, SyncState)> =
        cases.events(&open).unwrap().into_iter().map(|e| (e.id, SyncState::Accepted)).collect();
    cases.mark_many(&acks).unwrap();
    // Case B: still waiting for headquarters (pending): never purged.
    let b = cases.create(&me, request("Keptova", "KPT1112223"), NOW).unwrap().case_id;
    let photo = RecordId::random();
    v.put(&NewRecord {
        id: photo,
        kind: CASE_PHOTO_KIND,
        schema_version: 1,
        body: b"{}",
        index: &[IndexTerm::Keyword { field: "case-photo", value: a.clone() }],
    })
    .unwrap();
    v.put_attachment(photo, &mut &b"PHOTO-OF-PURGEDOVA-JPEG-BYTES"[..]).unwrap();
    // A finalised, acknowledged screening and a draft one.
    let gone = finalised_screening(&mut v, "Screenedova Purged");
    let kept = finalised_screening(&mut v, "Screenedova Kept");
    // This device has an identity, so finalising put the screening on the
    // signed log; headquarters acknowledges its events.
    let acks: Vec<_> = homeward_core::screening::ScreeningEvents::new(&mut v)
        .of_screening(&gone.to_string())
        .unwrap()
        .into_iter()
        .map(|s| (s.event.id, SyncState::Accepted))
        .collect();
    assert_eq!(acks.len(), 1);
    homeward_core::screening::ScreeningEvents::new(&mut v).mark_many(&acks).unwrap();
    // The acknowledged screening was referred: its referral record goes with it.
    let c = default_checklist();
    ScreeningRecords::new(&mut v, &c)
        .add_consent(
            gone,
            homeward_core::screening::ReferralConsent {
                id: "c1".into(),
                partner: "iom".into(),
                purpose: "shelter".into(),
                given_on: d("2026-11-29"),
                revoked_on: None,
                basis: homeward_core::screening::ReferralBasis::Consent {
                    given_by: homeward_core::screening::ConsentGiver::ThePerson,
                },
            },
        )
        .unwrap();
    let request = homeward_core::referral::ReferralRequest {
        screening_id: gone,
        partner: "iom".into(),
        purpose: "shelter".into(),
        categories: vec![homeward_core::referral::DataCategory::Identity],
        on: d("2026-11-29"),
        made_by: None,
    };
    let partner = homeward_core::referral::PartnerSecretKey::generate().public();
    let (referral, _) = homeward_core::referral::refer(&mut v, &c, &me, &request, &partner, NOW).unwrap();

    let mut doomed = v.find(Lookup::Keyword { field: "case", value: &a }).unwrap();
    doomed.extend([photo, gone, referral.id.parse().unwrap()]);
    // The screening's clear tags of its name are traces too.
    let markers = traces(dir.path(), &doomed);
    let kept_ids = v.find(Lookup::Keyword { field: "case", value: &b }).unwrap();
    for m in traces(dir.path(), &kept_ids).iter().take(1) {
        assert!(common::find_in_files(dir.path(), m), "positive control: the scanner finds a live record");
    }

    // Within the period: nothing goes, both acknowledged items wait.
    let r = retention::run(&mut v, NOW + DAY).unwrap();
    assert_eq!((r.purged_cases.len(), r.purged_screenings.len(), r.waiting), (0, 0, 2));
    for m in &markers[..1] {
        assert!(common::find_in_files(dir.path(), m));
    }

    // After 30 days: case A and the acknowledged screening are purged.
    let r = retention::run(&mut v, NOW + 31 * DAY).unwrap();
    assert_eq!(r.purged_cases, vec![a.clone()]);
    assert_eq!(r.purged_screenings, vec![gone.to_string()]);
    let cases = CertificateCases::new(&mut v);
    assert!(cases.events(&a).unwrap().is_empty());
    assert_eq!(cases.events(&b).unwrap().len(), 1, "an unsynced case is never purged");
    assert_eq!(cases.events(&open).unwrap().len(), 2, "an open case is kept, acknowledged or not");
    assert!(ScreeningRecords::new(&mut v, &c).load(kept).is_ok(), "an unacknowledged screening stays");
    assert!(homeward_core::referral::referrals_of(&v, &gone.to_string()).unwrap().is_empty());
    assert!(v.find(Lookup::Name("Screenedova Purged")).unwrap().is_empty());
    // Each purge is audited, by opaque id only.
    let log = AuditLog::new(&mut v).entries().unwrap();
    assert!(log.iter().any(|e| e.action == AuditAction::Purge && e.subject.id == a));
    // Scanned while the vault is still open (a device seized running: no
    // close has checkpointed the WAL yet), then again after closing.
    assert_no_trace(dir.path(), &markers);
    drop(v);
    assert_no_trace(dir.path(), &markers);
    common::assert_no_plaintext(dir.path(), &["Purgedova", "PRG7654321", "PHOTO-OF-PURGEDOVA"]);
    // The vault still opens with the rest in it.
    let mut v = common::open_unlocked(dir.path());
    assert_eq!(CertificateCases::new(&mut v).events(&b).unwrap().len(), 1);
    assert_eq!(AuditLog::new(&mut v).verify().unwrap(), 4, "referral, export, two purges");
}

/// A screening event as the event log keeps it (`core/src/screening/events.rs`
/// on main): only its sync state matters to retention.
fn put_screening_event(v: &mut Vault, screening: RecordId, state: &str) -> RecordId {
    let id = RecordId::random();
    let body = serde_json::json!({ "event": { "case_id": screening.to_string() }, "sync": { "state": state } });
    v.put(&NewRecord {
        id,
        kind: "screening_event",
        schema_version: 1,
        body: body.to_string().as_bytes(),
        index: &[IndexTerm::Keyword { field: "screening-case", value: screening.to_string() }],
    })
    .unwrap();
    id
}

#[test]
fn screenings_on_the_event_log_go_once_headquarters_holds_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = common::new_vault(dir.path());
    let held = finalised_screening(&mut v, "Heldova");
    let amended = finalised_screening(&mut v, "Amendedova");
    let held_events = [put_screening_event(&mut v, held, "accepted"), put_screening_event(&mut v, held, "accepted")];
    put_screening_event(&mut v, amended, "accepted");
    put_screening_event(&mut v, amended, "pending"); // an addendum not yet synced
    let markers = traces(dir.path(), &[held, held_events[0], held_events[1]]);

    let r = retention::run(&mut v, NOW).unwrap();
    assert_eq!((r.purged_screenings.len(), r.waiting), (0, 1), "the period starts when all are held");
    let r = retention::run(&mut v, NOW + 31 * DAY).unwrap();
    assert_eq!(r.purged_screenings, vec![held.to_string()]);
    assert!(v.get("screening", amended).is_ok(), "a screening with a pending event stays");
    assert_no_trace(dir.path(), &markers);
}

#[test]
fn drafts_are_never_acknowledged_or_purged() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = common::new_vault(dir.path());
    let c = default_checklist();
    let draft = ScreeningRecords::new(&mut v, &c)
        .start(NewScreening {
            crossing_point: "DOSTUK".into(),
            officer: None,
            language: Lang::Ru,
            screening_date: d("2026-11-29"),
            now_unix_ms: NOW,
        })
        .unwrap()
        .record_id()
        .unwrap();
    assert!(matches!(
        retention::mark_screening_acknowledged(&mut v, draft, NOW),
        Err(retention::RetentionError::NotFinal)
    ));
    retention::set_period_days(&mut v, 0).unwrap();
    let r = retention::run(&mut v, NOW + 365 * DAY).unwrap();
    assert!(r.purged_screenings.is_empty());
    assert!(ScreeningRecords::new(&mut v, &c).load(draft).is_ok());
}

#[test]
fn the_audit_log_detects_deleted_rows_and_prunes_only_what_headquarters_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = common::new_vault(dir.path());
    let id = RecordId::random().to_string();
    for i in 0..4 {
        AuditLog::new(&mut v)
            .append(
                NOW + i,
                AuditFact::new(AuditAction::View, Subject::new(SubjectKind::Screening, &id))
                    .justified(Some("follow-up interview")),
            )
            .unwrap();
    }
    let mut log = AuditLog::new(&mut v);
    // A full view without a reason is refused and leaves no entry.
    assert!(matches!(
        log.record_view(NOW, Subject::new(SubjectKind::Screening, &id), None, None),
        Err(homeward_core::audit::AuditLogError::Audit(homeward_core::audit::AuditError::JustificationRequired))
    ));
    assert_eq!(log.verify().unwrap(), 4);
    assert_eq!(log.unsynced().unwrap().len(), 4);
    log.mark_synced(2).unwrap();
    assert_eq!(log.unsynced().unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4]);
    let pk = log.public_key().unwrap().unwrap();
    homeward_core::audit::verify_chain(&log.entries().unwrap(), &pk).unwrap();
    // Pruning keeps everything headquarters does not hold yet.
    assert_eq!(log.prune_synced(NOW + 10).unwrap(), 2);
    assert_eq!(log.verify().unwrap(), 2);
    drop(v);

    // Someone with the files but not the keys deletes the last row.
    let db = rusqlite::Connection::open(dir.path().join("vault.db")).unwrap();
    let n: i64 = db.query_row("SELECT count(*) FROM records", [], |r| r.get(0)).unwrap();
    assert!(n >= 3);
    let mut v = common::open_unlocked(dir.path());
    let last_row = {
        let log = AuditLog::new(&mut v);
        let entries = log.entries().unwrap();
        assert_eq!(entries.last().unwrap().seq, 4);
        v.find(Lookup::Keyword { field: "audit-seq", value: "4" }).unwrap()[0]
    };
    drop(v);
    db.execute("DELETE FROM records WHERE id = ?1", [last_row.0.as_bytes().to_vec()]).unwrap();
    let mut v = common::open_unlocked(dir.path());
    assert!(matches!(
        AuditLog::new(&mut v).verify(),
        Err(homeward_core::audit::AuditLogError::Chain(AuditChainError::Deleted { first: 4, last: 4 }))
    ));
}

fn header_shape(dir: &std::path::Path) -> Vec<(String, usize)> {
    let db = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    let body: String = db.query_row("SELECT body FROM vault_header", [], |r| r.get(0)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut out: Vec<(String, usize)> = v["aux"]
        .as_object()
        .expect("every vault has the duress check")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().len()))
        .collect();
    out.sort();
    out
}

/// Opens and unlocks with a clock `after_ms` past the tests' start (past any
/// delay a failed attempt set).
fn open_at(dir: &std::path::Path, after_ms: i64, pass: &str) -> Vault {
    let clock = std::sync::Arc::new(homeward_core::vault::ManualClock::new(1_780_000_000_000 + after_ms));
    let mut v = Vault::open(dir, common::options(clock)).unwrap();
    v.unlock(&homeward_core::vault::Secret::new(pass), None).unwrap();
    v
}

const DURESS: &str = "blue river morning tea";

#[test]
fn the_duress_passphrase_leaves_an_empty_vault_and_nothing_recoverable() {
    use homeward_core::vault::{Secret, VaultError};
    let dir = tempfile::tempdir().unwrap();
    let mut v = common::new_vault(dir.path());
    let off = header_shape(dir.path());
    // Off by default: a wrong passphrase is just wrong.
    v.lock();
    assert!(matches!(v.unlock(&Secret::new(DURESS), None), Err(VaultError::WrongSecret { .. })));
    drop(v);
    let mut v = open_at(dir.path(), 60_000, common::PASS);

    let id = finalised_screening(&mut v, "Duressova Marker");
    assert!(matches!(
        v.set_duress_passphrase(&Secret::new(common::PASS), &Secret::new(common::PASS), None),
        Err(VaultError::InvalidInput(_))
    ));
    assert!(matches!(
        v.set_duress_passphrase(&Secret::new(common::PASS), &Secret::new("1234"), None),
        Err(VaultError::WeakSecret(_))
    ));
    v.set_duress_passphrase(&Secret::new(common::PASS), &Secret::new(DURESS), None).unwrap();
    // Set or not, the header has the same fields of the same sizes.
    assert_eq!(header_shape(dir.path()), off);
    let mut markers = traces(dir.path(), &[id]);
    // The old wrapped data key and salt, as stored (hex) and as bytes.
    let header: serde_json::Value = {
        let db = rusqlite::Connection::open(dir.path().join("vault.db")).unwrap();
        let body: String = db.query_row("SELECT body FROM vault_header", [], |r| r.get(0)).unwrap();
        serde_json::from_str(&body).unwrap()
    };
    for field in ["wrapped_data_key", "salt", "vault_id"] {
        let h = header[field].as_str().unwrap();
        markers.push(h.as_bytes().to_vec());
        markers.push(hex::decode(h).unwrap());
    }
    drop(v);

    let mut v = Vault::open(dir.path(), common::options(common::clock())).unwrap();
    v.unlock(&Secret::new(DURESS), None).unwrap();
    assert!(v.is_unlocked());
    let s = v.status().unwrap();
    assert_eq!((s.records, s.attachments, s.failed_attempts), (0, 0, 0), "looks like a fresh vault");
    assert!(v.list("screening").unwrap().is_empty());
    drop(v);

    assert_no_trace(dir.path(), &markers);
    common::assert_no_plaintext(dir.path(), &["Duressova", "TORUGART"]);
    // The new vault opens with the duress passphrase, not the old one.
    let mut v = Vault::open(dir.path(), common::options(common::clock())).unwrap();
    assert!(matches!(v.unlock(&Secret::new(common::PASS), None), Err(VaultError::WrongSecret { .. })));
    drop(v);
    let v = open_at(dir.path(), 120_000, DURESS);
    assert_eq!(v.status().unwrap().records, 0);
}

#[test]
fn a_cleared_duress_passphrase_is_just_a_wrong_one() {
    use homeward_core::vault::{Secret, VaultError};
    let dir = tempfile::tempdir().unwrap();
    let mut v = common::new_vault(dir.path());
    let id = finalised_screening(&mut v, "Clearova");
    v.set_duress_passphrase(&Secret::new(common::PASS), &Secret::new(DURESS), None).unwrap();
    v.clear_duress_passphrase(&Secret::new(common::PASS), None).unwrap();
    v.lock();
    assert!(matches!(v.unlock(&Secret::new(DURESS), None), Err(VaultError::WrongSecret { .. })));
    drop(v);
    let v = open_at(dir.path(), 60_000, common::PASS);
    assert!(v.get("screening", id).is_ok());
}

mod referrals {
    use super::*;
    use homeward_core::referral::{
        refer, referrals_of, DataCategory, PartnerSecretKey, ReferralError, ReferralPackage, ReferralRequest,
    };
    use homeward_core::screening::{ConsentGiver, ReferralBasis, ReferralConsent, ReferralRefused};

    fn consent(id: &str, basis: ReferralBasis, revoked: Option<&str>) -> ReferralConsent {
        ReferralConsent {
            id: id.into(),
            partner: "iom".into(),
            purpose: "shelter".into(),
            given_on: d("2026-11-29"),
            revoked_on: revoked.map(d),
            basis,
        }
    }

    fn req(id: RecordId) -> ReferralRequest {
        ReferralRequest {
            screening_id: id,
            partner: "iom".into(),
            purpose: "shelter".into(),
            categories: vec![DataCategory::Identity, DataCategory::Screening],
            on: d("2026-11-30"),
            made_by: Some("officer-0042".into()),
        }
    }

    fn child_screening(v: &mut Vault) -> RecordId {
        let c = default_checklist();
        let mut book = ScreeningRecords::new(v, &c);
        let id = book
            .start(NewScreening {
                crossing_point: "IRKESHTAM".into(),
                officer: None,
                language: Lang::En,
                screening_date: d("2026-11-29"),
                now_unix_ms: NOW,
            })
            .unwrap()
            .record_id()
            .unwrap();
        book.answer(id, "appears_minor", AnswerValue::YesNo(YesNo::Yes)).unwrap();
        book.set_subject(id, Person { name: Some("Childova Minor".into()), ..Default::default() }).unwrap();
        id
    }

    fn setup() -> (tempfile::TempDir, Vault, DeviceIdentity) {
        let dir = tempfile::tempdir().unwrap();
        let me = DeviceIdentity::generate("osh-07", Role::BorderGuard, "OSH", &mut OsRng);
        let hq = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", &mut OsRng);
        let v = enrolled_vault(dir.path(), &me, &hq);
        (dir, v, me)
    }

    #[test]
    fn a_referral_without_valid_consent_is_refused_and_leaves_nothing() {
        let (_dir, mut v, me) = setup();
        let c = default_checklist();
        let partner = PartnerSecretKey::generate().public();
        let adult = finalised_screening(&mut v, "Refusedova");
        let r = refer(&mut v, &c, &me, &req(adult), &partner, NOW);
        assert!(matches!(r, Err(ReferralError::Refused(ReferralRefused::NoBasis { .. }))), "{r:?}");
        // Revoked before the referral date.
        ScreeningRecords::new(&mut v, &c)
            .add_consent(
                adult,
                consent("c1", ReferralBasis::Consent { given_by: ConsentGiver::ThePerson }, Some("2026-11-30")),
            )
            .unwrap();
        let r = refer(&mut v, &c, &me, &req(adult), &partner, NOW);
        assert!(matches!(r, Err(ReferralError::Refused(ReferralRefused::Revoked { .. }))), "{r:?}");
        // No categories is no referral.
        let mut none = req(adult);
        none.categories.clear();
        assert!(matches!(refer(&mut v, &c, &me, &none, &partner, NOW), Err(ReferralError::NoCategories)));
        assert!(referrals_of(&v, &adult.to_string()).unwrap().is_empty());
        assert!(AuditLog::new(&mut v).entries().unwrap().is_empty(), "a refused referral exports nothing");
    }

    #[test]
    fn a_child_needs_a_guardian_or_a_recorded_best_interests_decision() {
        let (_dir, mut v, me) = setup();
        let c = default_checklist();
        let partner = PartnerSecretKey::generate().public();
        let child = child_screening(&mut v);
        let mut book = ScreeningRecords::new(&mut v, &c);
        book.add_consent(child, consent("own", ReferralBasis::Consent { given_by: ConsentGiver::ThePerson }, None))
            .unwrap();
        let not_for_child = ReferralBasis::LegalOverride {
            authority: "border service".into(),
            reason: "urgent".into(),
            decided_by: "officer-0042".into(),
            best_interests_of_child: false,
        };
        book.add_consent(child, consent("ovr", not_for_child, None)).unwrap();
        let r = refer(&mut v, &c, &me, &req(child), &partner, NOW);
        assert!(matches!(r, Err(ReferralError::Refused(ReferralRefused::ChildNeedsGuardianOrDecision))), "{r:?}");
        // A best-interests decision that does not say who took it is refused too.
        let anonymous = ReferralBasis::LegalOverride {
            authority: "guardianship authority, Osh".into(),
            reason: "immediate protection".into(),
            decided_by: " ".into(),
            best_interests_of_child: true,
        };
        let mut v2 = v;
        let mut book = ScreeningRecords::new(&mut v2, &c);
        let s = book.load(child).unwrap();
        let mut only = s.clone();
        only.consents = vec![consent("bi", anonymous, None)];
        assert!(matches!(
            homeward_core::referral::authorise(&only, &c, &req(child), NOW),
            Err(ReferralError::IncompleteOverride)
        ));
        let decided = ReferralBasis::LegalOverride {
            authority: "guardianship authority, Osh".into(),
            reason: "immediate protection".into(),
            decided_by: "inspector Mamytova".into(),
            best_interests_of_child: true,
        };
        book.add_consent(child, consent("bi2", decided, None)).unwrap();
        let (referral, _) = refer(&mut v2, &c, &me, &req(child), &partner, NOW).unwrap();
        assert_eq!(referral.consent_id, "bi2");
    }

    #[test]
    fn a_package_opens_only_with_the_partners_key_and_shows_no_personal_data() {
        let (dir, mut v, me) = setup();
        let c = default_checklist();
        let partner = PartnerSecretKey::generate();
        let id = finalised_screening(&mut v, "Packagedova Secretna");
        ScreeningRecords::new(&mut v, &c)
            .add_consent(id, consent("c1", ReferralBasis::Consent { given_by: ConsentGiver::ThePerson }, None))
            .unwrap();
        let (referral, pkg) = refer(&mut v, &c, &me, &req(id), &partner.public(), NOW).unwrap();
        let bytes = pkg.to_json();
        assert!(bytes.trim_start().starts_with("{\n  \"classification\": \"CONFIDENTIAL\""), "{bytes}");
        for marker in ["Packagedova", "Secretna", "TORUGART", "shelter", "presumed", &id.to_string()] {
            assert!(!bytes.to_lowercase().contains(&marker.to_lowercase()), "{marker} in clear in the package");
        }
        let back: ReferralPackage = serde_json::from_str(&bytes).unwrap();
        let opened = back.open(&partner, &me.public_key()).unwrap();
        assert_eq!(opened.referral, referral);
        assert_eq!(opened.subject.unwrap().name.as_deref(), Some("Packagedova Secretna"));
        assert!(opened.outcome.is_some());
        // Another partner's key, or a forged sender, cannot open it.
        assert!(matches!(back.open(&PartnerSecretKey::generate(), &me.public_key()), Err(ReferralError::Package(_))));
        let stranger = DeviceIdentity::generate("osh-07", Role::BorderGuard, "OSH", &mut OsRng);
        assert!(matches!(back.open(&partner, &stranger.public_key()), Err(ReferralError::Package(_))));
        let mut relabelled = back.clone();
        relabelled.partner = "ngo-osh".into();
        assert!(matches!(relabelled.open(&partner, &me.public_key()), Err(ReferralError::Package(_))));
        // Recorded (sealed) and audited as a referral and an export.
        assert_eq!(referrals_of(&v, &id.to_string()).unwrap(), vec![referral]);
        let actions: Vec<_> = AuditLog::new(&mut v).entries().unwrap().iter().map(|e| e.action).collect();
        assert_eq!(actions, [AuditAction::Referral, AuditAction::Export]);
        drop(v);
        common::assert_no_plaintext(dir.path(), &["Packagedova", "inspector"]);
    }
}

#[test]
fn the_statistics_export_is_labelled_counts_only_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = common::new_vault(dir.path());
    finalised_screening(&mut v, "Statova Counted");
    let c = default_checklist();
    let stats = homeward_core::export::Statistics::export(&mut v, &c, Some("officer-0042".into()), NOW).unwrap();
    let csv = stats.to_csv();
    assert!(csv.starts_with("# FOR OFFICIAL USE ONLY\n"), "{csv}");
    assert!(csv.contains("screenings.presumed_victim,1") || csv.contains("screenings.further_interview,1"), "{csv}");
    assert!(!csv.contains("Statova") && !csv.contains("TORUGART"));
    let log = AuditLog::new(&mut v).entries().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].action, log[0].subject.kind), (AuditAction::Export, SubjectKind::Statistics));
}

#[test]
fn a_case_photo_is_sealed_replaced_by_a_new_one_and_refused_when_not_a_photo() {
    use homeward_core::certificate::photo::{self, PhotoError};
    let dir = tempfile::tempdir().unwrap();
    let me = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", &mut OsRng);
    let hq = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", &mut OsRng);
    let mut v = enrolled_vault(dir.path(), &me, &hq);
    let case = CertificateCases::new(&mut v).create(&me, request("Photova", "PHT1234567"), NOW).unwrap().case_id;
    assert!(photo::load(&v, &case).unwrap().is_none());

    let first = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"FIRST-PHOTO-OF-PHOTOVA"].concat();
    let second = [&b"\x89PNG\r\n\x1a\n"[..], b"SECOND-PHOTO-OF-PHOTOVA"].concat();
    photo::save(&mut v, &case, &first).unwrap();
    assert_eq!(photo::load(&v, &case).unwrap().unwrap().as_slice(), &first[..]);
    photo::save(&mut v, &case, &second).unwrap();
    assert_eq!(photo::load(&v, &case).unwrap().unwrap().as_slice(), &second[..], "the new photo replaces the old");
    drop(v);
    common::assert_no_plaintext(dir.path(), &["FIRST-PHOTO-OF-PHOTOVA", "SECOND-PHOTO-OF-PHOTOVA"]);

    let mut v = common::open_unlocked(dir.path());
    // A PDF chosen by mistake: refused, the photo kept before is untouched.
    assert!(matches!(photo::save(&mut v, &case, b"%PDF-1.7 not a photo"), Err(PhotoError::NotAnImage)));
    assert_eq!(photo::load(&v, &case).unwrap().unwrap().as_slice(), &second[..]);
    assert_eq!(photo::sha256_hex(&second).len(), 64);
}
