//! Certificates of Return end to end on a real vault: the lifecycle, every
//! invalid transition and wrong role, conflicts, validation, fees, and
//! offline verification with each of its refusals.

mod common;

use homeward_core::certificate::barcode::{self, CertificatePayload};
use homeward_core::certificate::request::{
    AccompanyingChild, Applicant, CitizenshipEvidence, DocumentLoss, Sex, TraffickingFlag,
};
use homeward_core::certificate::trust::{sign_list, signer_entry, REVOCATION_LIST, TRUST_LIST};
use homeward_core::certificate::{
    fold, validate, verify, CaseError, CertificateCases, CertificateEvent, CertificateRequest, DecodeError,
    DeviceProfile, RequestState, RevocationList, RootKey, TransitionError, TrustList, TrustStore, VerifyContext,
    VerifyError, VerifyWarning,
};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Event, Hlc, KeyRing, Role};
use homeward_core::random::OsRng;
use homeward_core::vault::Vault;

fn d(s: &str) -> IsoDate {
    s.parse().unwrap()
}

const TODAY: &str = "2026-11-29";
const NOW: i64 = 1_795_910_400_000; // 2026-11-29T00:00Z

struct World {
    hq: DeviceIdentity,
    consul: DeviceIdentity,
    consul2: DeviceIdentity,
    guard: DeviceIdentity,
}

fn world() -> World {
    World {
        hq: DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", &mut OsRng),
        consul: DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", &mut OsRng),
        consul2: DeviceIdentity::generate("ist-04", Role::ConsularOfficer, "IST", &mut OsRng),
        guard: DeviceIdentity::generate("osh-07", Role::BorderGuard, "OSH", &mut OsRng),
    }
}

fn trust_store(w: &World, issued_at_ms: i64) -> TrustStore {
    let mut t = TrustStore::with_root(RootKey::of(&w.hq));
    let list = TrustList {
        sequence: 1,
        issued_at_ms,
        signers: vec![
            signer_entry(&w.consul, d("2026-01-01"), d("2027-12-31")),
            signer_entry(&w.consul2, d("2026-01-01"), d("2027-12-31")),
        ],
    };
    t.install_trust_list(sign_list(TRUST_LIST, &list, &w.hq)).unwrap();
    let rev = RevocationList {
        sequence: 1,
        issued_at_ms,
        certificates: vec![],
        signers: vec![],
        kept: vec![],
        kept_signers: vec![],
    };
    t.install_revocations(sign_list(REVOCATION_LIST, &rev, &w.hq)).unwrap();
    t
}

/// A vault whose profile trusts every identity of the world.
fn device_vault(dir: &std::path::Path, w: &World, me: &DeviceIdentity) -> Vault {
    let mut v = common::new_vault(dir);
    let mut p = DeviceProfile::load(&v).unwrap();
    p.identity = Some(me.to_stored());
    p.device_no = 3;
    for id in [&w.hq, &w.consul, &w.consul2, &w.guard] {
        p.keyring.add(id.public());
    }
    p.trust = trust_store(w, NOW);
    p.standard_fee_minor = 2500;
    p.fee_currency = "USD".into();
    p.save(&mut v).unwrap();
    v
}

fn request(trafficking: bool) -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: "Асанова".into(),
            given_name: "Айгүл".into(),
            patronymic: Some("Бакытовна".into()),
            date_of_birth: d("1994-03-12"),
            place_of_birth: "Ош".into(),
            sex: Sex::F,
            photo_sha256: Some(hex::encode([7u8; 32])),
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::OldPassport { number: "AN1234567".into() }],
        loss: DocumentLoss::HeldByTrafficker,
        trafficking: trafficking.then(|| TraffickingFlag { screening_id: Some("screening-1".into()), note: None }),
        children: vec![AccompanyingChild {
            surname: "Асанов".into(),
            given_name: "Эмир".into(),
            date_of_birth: d("2019-06-01"),
            guardian: Some("mother, the applicant".into()),
            child_procedure: false,
        }],
        route: "Istanbul - Bishkek (Manas)".into(),
        travel_date: d("2026-12-05"),
        officer_assessment: "Passport held by the employer; consistent account.".into(),
        issuing_office: "IST".into(),
        request_date: d(TODAY),
    }
}

/// Takes a request through to approval and issuance; returns the vault and case id.
fn issued(w: &World, dir: &std::path::Path) -> (Vault, String) {
    let mut v = device_vault(dir, w, &w.consul);
    let mut cases = CertificateCases::new(&mut v);
    let case = cases.create(&w.consul, request(true), NOW).unwrap().case_id;
    cases.record(&w.consul, &case, CertificateEvent::Submitted, NOW + 1).unwrap();
    cases.record(&w.hq, &case, CertificateEvent::IdentityVerified { note: "records match".into() }, NOW + 2).unwrap();
    cases.record(&w.hq, &case, CertificateEvent::Approved { validity_days: 30 }, NOW + 3).unwrap();
    let view = cases.issue(&w.consul, &case, None, d(TODAY), NOW + 4).unwrap();
    assert_eq!(view.state, Some(RequestState::Issued));
    (v, case)
}

fn no_use(_: &str) -> Option<(String, IsoDate)> {
    None
}

fn ctx<'a>(store: &'a TrustStore, today: &str, now_ms: i64) -> VerifyContext<'a> {
    VerifyContext { store, now_ms, today: d(today), used: &no_use, photo: None }
}

#[test]
fn the_whole_lifecycle() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let (mut v, case) = issued(&w, dir.path());
    let cases = CertificateCases::new(&mut v);
    let view = cases.view(&case).unwrap();
    let cert = view.certificate.clone().unwrap();
    assert!(cert.number.starts_with("IST-2603-"), "{}", cert.number);
    assert_eq!(cert.expiry_date, d("2026-12-29"), "30 days by default");
    assert!(cert.fee_waived);
    assert!(cert.fee_reason.contains("No. 839"));
    assert_eq!(view.history.len(), 5);

    // The border device verifies offline and records the entry.
    let gdir = tempfile::tempdir().unwrap();
    let mut gv = device_vault(gdir.path(), &w, &w.guard);
    let mut gcases = CertificateCases::new(&mut gv);
    let store = gcases.profile().unwrap().trust;
    let ok = verify(&cert.barcode, &ctx(&store, "2026-12-05", NOW + 86_400_000)).unwrap();
    assert_eq!(ok.payload.surname, "Асанова");
    assert_eq!(ok.payload.children.len(), 1);
    assert_eq!(ok.signer_office, "IST");
    assert!(ok.warnings.is_empty());
    let entry = gcases.enter(&w.guard, &ok, "MANAS", d("2026-12-05"), NOW + 86_400_000).unwrap();
    assert_eq!(gcases.entry_of(&case).unwrap().unwrap().0, "MANAS");

    // Used once: a second verification on that device is refused.
    let used = |n: &str| {
        if n == ok.payload.number {
            Some(("MANAS".to_string(), d("2026-12-05")))
        } else {
            None
        }
    };
    let c = VerifyContext { store: &store, now_ms: NOW, today: d("2026-12-06"), used: &used, photo: None };
    assert!(matches!(verify(&cert.barcode, &c), Err(VerifyError::AlreadyUsed { .. })));

    // The consulate (or headquarters) receives the entry: the case closes.
    let mut cases = CertificateCases::new(&mut v);
    cases.import(&entry).unwrap();
    cases.import(&entry).unwrap(); // the same event twice counts once
    let view = cases.view(&case).unwrap();
    assert_eq!(view.state, Some(RequestState::Entered));
    assert_eq!(view.history.len(), 6);
}

#[test]
fn the_fee_is_charged_unless_the_person_is_a_victim() {
    let r = request(false);
    let f = homeward_core::certificate::fee_for(&r, 2500, "USD");
    assert!(!f.waived);
    assert_eq!(f.amount_minor, Some(2500));
    let f = homeward_core::certificate::fee_for(&request(true), 2500, "USD");
    assert!(f.waived);
    assert!(f.reason.contains("screening-1"));
}

#[test]
fn validation_reports_each_field() {
    let mut r = request(false);
    assert_eq!(validate(&r), vec![]);
    r.applicant.date_of_birth = d("2027-01-01");
    r.evidence.clear();
    r.travel_date = d("2026-11-01");
    r.children[0].date_of_birth = d("2000-01-01");
    r.children[0].guardian = None;
    r.applicant.surname = " ".into();
    let fields: Vec<String> = validate(&r).into_iter().map(|e| e.field).collect();
    for f in [
        "applicant.surname",
        "applicant.date_of_birth",
        "evidence",
        "travel_date",
        "children[0].date_of_birth",
        "children[0].guardian",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
    }
    // A minor applicant needs a guardian or the child procedure.
    let mut r = request(false);
    r.applicant.date_of_birth = d("2012-01-01");
    assert!(validate(&r).iter().any(|e| e.field == "applicant.guardian"));
    r.applicant.child_procedure = true;
    assert!(validate(&r).is_empty());
    // "Verification requested" counts as evidence.
    let mut r = request(false);
    r.evidence = vec![CitizenshipEvidence::VerificationRequested];
    assert!(validate(&r).is_empty());
}

#[test]
fn an_incomplete_request_cannot_be_submitted() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let mut v = device_vault(dir.path(), &w, &w.consul);
    let mut cases = CertificateCases::new(&mut v);
    let mut r = request(false);
    r.evidence.clear();
    let case = cases.create(&w.consul, r, NOW).unwrap().case_id;
    match cases.record(&w.consul, &case, CertificateEvent::Submitted, NOW + 1) {
        Err(CaseError::Transition(TransitionError::IncompleteRequest(p))) => assert_eq!(p[0].field, "evidence"),
        other => panic!("{other:?}"),
    }
    cases.record(&w.consul, &case, CertificateEvent::Updated { request: Box::new(request(false)) }, NOW + 2).unwrap();
    assert_eq!(
        cases.record(&w.consul, &case, CertificateEvent::Submitted, NOW + 3).unwrap().state,
        Some(RequestState::Submitted)
    );
}

fn every_event() -> Vec<CertificateEvent> {
    vec![
        CertificateEvent::Created { request: Box::new(request(false)) },
        CertificateEvent::Updated { request: Box::new(request(false)) },
        CertificateEvent::Submitted,
        CertificateEvent::IdentityVerified { note: "ok".into() },
        CertificateEvent::MoreInformationRequested { question: "?".into() },
        CertificateEvent::Approved { validity_days: 30 },
        CertificateEvent::Rejected { reason: "no".into() },
        CertificateEvent::Issued {
            certificate: Box::new(homeward_core::certificate::IssuedCertificate {
                number: "X".into(),
                issue_date: d(TODAY),
                expiry_date: d(TODAY),
                barcode: String::new(),
                signer_kid: String::new(),
                fee_waived: false,
                fee_reason: String::new(),
            }),
        },
        CertificateEvent::Entered { crossing_point: "MANAS".into(), date: d(TODAY) },
        CertificateEvent::Expired,
        CertificateEvent::Cancelled { reason: "withdrawn".into() },
        CertificateEvent::Revoked { reason: "misuse".into() },
    ]
}

/// The transitions the lifecycle allows, and nothing else.
fn allowed(from: Option<RequestState>, e: &CertificateEvent) -> bool {
    use CertificateEvent as E;
    use RequestState as S;
    matches!(
        (from, e),
        (None, E::Created { .. })
            | (Some(S::Draft | S::MoreInformationRequested), E::Updated { .. } | E::Submitted)
            | (Some(S::Submitted), E::IdentityVerified { .. })
            | (Some(S::Submitted | S::IdentityVerified), E::MoreInformationRequested { .. })
            | (Some(S::IdentityVerified), E::Approved { .. })
            | (
                Some(S::Submitted | S::IdentityVerified | S::MoreInformationRequested | S::Approved),
                E::Rejected { .. }
            )
            | (Some(S::Approved), E::Issued { .. })
            | (Some(S::Issued), E::Entered { .. } | E::Expired | E::Revoked { .. })
            | (
                Some(S::Draft | S::Submitted | S::MoreInformationRequested | S::IdentityVerified | S::Approved),
                E::Cancelled { .. }
            )
    )
}

#[test]
fn every_invalid_transition_and_every_wrong_role_is_a_typed_error() {
    use homeward_core::certificate::lifecycle::transition;
    let states = [
        None,
        Some(RequestState::Draft),
        Some(RequestState::Submitted),
        Some(RequestState::MoreInformationRequested),
        Some(RequestState::IdentityVerified),
        Some(RequestState::Approved),
        Some(RequestState::Rejected),
        Some(RequestState::Issued),
        Some(RequestState::Entered),
        Some(RequestState::Expired),
        Some(RequestState::Cancelled),
        Some(RequestState::Revoked),
    ];
    let r = request(false);
    let mut checked = 0;
    for from in states {
        for e in every_event() {
            let got = transition(from, &e, Some(&r));
            if allowed(from, &e) {
                assert!(got.is_ok(), "{from:?} + {} should be allowed", e.name());
            } else {
                assert!(
                    matches!(got, Err(TransitionError::Invalid { .. })),
                    "{from:?} + {} should be refused, got {got:?}",
                    e.name()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100);

    // Wrong roles, through the real check on a real case.
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let mut v = device_vault(dir.path(), &w, &w.consul);
    let mut cases = CertificateCases::new(&mut v);
    let case = cases.create(&w.consul, request(false), NOW).unwrap().case_id;
    for e in every_event() {
        for who in [&w.hq, &w.consul, &w.guard] {
            if e.allowed_roles().contains(&who.role()) {
                continue;
            }
            match cases.record(who, &case, e.clone(), NOW + 10) {
                Err(CaseError::Transition(TransitionError::WrongRole { role, .. })) => assert_eq!(role, who.role()),
                other => panic!("{:?} making {}: {other:?}", who.role(), e.name()),
            }
        }
    }
    // A guard cannot create a request; headquarters cannot issue.
    assert!(matches!(
        cases.create(&w.guard, request(false), NOW),
        Err(CaseError::Transition(TransitionError::WrongRole { .. }))
    ));
}

#[test]
fn two_issuances_from_two_devices_are_a_visible_conflict() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let mut v = device_vault(dir.path(), &w, &w.consul);
    let mut cases = CertificateCases::new(&mut v);
    let case = cases.create(&w.consul, request(true), NOW).unwrap().case_id;
    cases.record(&w.consul, &case, CertificateEvent::Submitted, NOW + 1).unwrap();
    cases.record(&w.hq, &case, CertificateEvent::IdentityVerified { note: "ok".into() }, NOW + 2).unwrap();
    let approved = cases.record(&w.hq, &case, CertificateEvent::Approved { validity_days: 30 }, NOW + 3).unwrap();
    // Another device of the consulate issues offline from the same approval.
    let other = homeward_core::certificate::IssuedCertificate {
        number: "IST-2604-00001".into(),
        issue_date: d(TODAY),
        expiry_date: d("2026-12-29"),
        barcode: String::new(),
        signer_kid: String::new(),
        fee_waived: true,
        fee_reason: "waived".into(),
    };
    let theirs = Event::new(
        &w.consul2,
        &case,
        approved.head.clone(),
        Hlc { wall_ms: NOW + 5, counter: 0 },
        CertificateEvent::Issued { certificate: Box::new(other) },
        &mut OsRng,
    );
    let mine = cases.issue(&w.consul, &case, None, d(TODAY), NOW + 4).unwrap();
    assert_eq!(mine.state, Some(RequestState::Issued));
    cases.import(&theirs).unwrap();

    let view = cases.view(&case).unwrap();
    let conflict = view.conflict.clone().expect("a conflict, not a silent choice");
    assert_eq!(view.state, Some(RequestState::Approved), "the fold stops at the fork");
    assert_eq!(conflict.branches.len(), 2);
    let numbers: Vec<_> = conflict.branches.iter().filter_map(|b| b.certificate_number.clone()).collect();
    assert!(numbers.contains(&"IST-2604-00001".to_string()));
    assert!(cases.list().unwrap()[0].conflict);
    // Nothing else may happen until a person resolves it.
    assert!(matches!(
        cases.record(
            &w.guard,
            &case,
            CertificateEvent::Entered { crossing_point: "MANAS".into(), date: d(TODAY) },
            NOW + 6
        ),
        Err(CaseError::Transition(TransitionError::InConflict))
    ));

    // Headquarters keeps the first issuance; the other is discarded (and would be revoked).
    let keep = mine.head.clone().unwrap();
    let resolution = Event::new(
        &w.hq,
        &case,
        Some(keep.clone()),
        Hlc { wall_ms: NOW + 7, counter: 0 },
        CertificateEvent::ConflictResolved {
            after: conflict.after.clone(),
            keep: keep.clone(),
            reason: "first issued".into(),
        },
        &mut OsRng,
    );
    cases.import(&resolution).unwrap();
    let view = cases.view(&case).unwrap();
    assert!(view.conflict.is_none());
    assert_eq!(view.state, Some(RequestState::Issued));
    assert_eq!(view.certificate.unwrap().number, mine.certificate.unwrap().number);
}

#[test]
fn forged_events_are_refused() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let mut v = device_vault(dir.path(), &w, &w.consul);
    let mut cases = CertificateCases::new(&mut v);
    let case = cases.create(&w.consul, request(false), NOW).unwrap();
    let mallory = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", &mut OsRng);
    let forged = Event::new(
        &mallory,
        &case.case_id,
        case.head.clone(),
        Hlc { wall_ms: NOW, counter: 1 },
        CertificateEvent::Approved { validity_days: 365 },
        &mut OsRng,
    );
    assert!(cases.import(&forged).is_err());
    let mut keys = KeyRing::default();
    keys.add(w.consul.public());
    // Folded with a key ring that does not trust headquarters: the approval is refused, listed.
    let hq_event = Event::new(
        &w.hq,
        &case.case_id,
        case.head.clone(),
        Hlc { wall_ms: NOW, counter: 2 },
        CertificateEvent::Submitted,
        &mut OsRng,
    );
    let events = vec![cases.events(&case.case_id).unwrap()[0].clone(), hq_event];
    let view = fold(&case.case_id, &events, &keys);
    assert_eq!(view.refused.len(), 1);
    assert_eq!(view.state, Some(RequestState::Draft));
}

// ---- verification: each refusal its own reason ----

fn issued_barcode(w: &World) -> (String, TrustStore) {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, case) = issued(w, dir.path());
    let cases = CertificateCases::new(&mut v);
    let text = cases.view(&case).unwrap().certificate.unwrap().barcode;
    (text, trust_store(w, NOW))
}

/// Every text in a CBOR value, depth first, and the kind of each element
/// (so that a flag, a boolean or an extra field shows up).
fn cbor_texts_and_shape(v: &ciborium::Value, texts: &mut Vec<String>) -> String {
    use ciborium::Value;
    match v {
        Value::Text(t) => {
            texts.push(t.clone());
            "text".into()
        }
        Value::Array(a) => {
            let inner: Vec<String> = a.iter().map(|x| cbor_texts_and_shape(x, texts)).collect();
            format!("[{}]", inner.join(","))
        }
        Value::Map(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{}:{}", cbor_texts_and_shape(k, texts), cbor_texts_and_shape(x, texts)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Bytes(_) => "bytes".into(),
        Value::Integer(_) => "int".into(),
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        other => format!("{other:?}"),
    }
}

/// Issue 16 item 7: the holder's document says nothing of why it was free
/// or that she was screened. The case record keeps the waiver; the barcode
/// of a victim's certificate has exactly the shape of anyone else's, and no
/// text in it (nor in the verification result a border post sees) carries
/// a revealing word in English, Russian or Kyrgyz.
#[test]
fn the_barcode_and_the_verification_result_say_nothing_of_the_screening() {
    use homeward_core::certificate::disclosure::revealing_word;
    let w = world();
    let shape_of = |trafficking: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut v = device_vault(dir.path(), &w, &w.consul);
        let mut cases = CertificateCases::new(&mut v);
        let mut r = request(trafficking);
        if let Some(t) = r.trafficking.as_mut() {
            t.note = Some("referred by IOM after screening".into());
        }
        let case = cases.create(&w.consul, r, NOW).unwrap().case_id;
        cases.record(&w.consul, &case, CertificateEvent::Submitted, NOW + 1).unwrap();
        cases.record(&w.hq, &case, CertificateEvent::IdentityVerified { note: "ok".into() }, NOW + 2).unwrap();
        cases.record(&w.hq, &case, CertificateEvent::Approved { validity_days: 30 }, NOW + 3).unwrap();
        let cert = cases.issue(&w.consul, &case, None, d(TODAY), NOW + 4).unwrap().certificate.unwrap();
        // The case record keeps the decision and its reason.
        assert_eq!(cert.fee_waived, trafficking);
        assert!(revealing_word(&cert.fee_reason).is_some(), "the record says why: {}", cert.fee_reason);

        let decoded = barcode::decode(&cert.barcode).unwrap();
        let mut texts = vec![];
        let envelope: ciborium::Value = {
            let z = base45::decode(cert.barcode.strip_prefix("HW1:").unwrap()).unwrap();
            let cbor = miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap();
            ciborium::from_reader(cbor.as_slice()).unwrap()
        };
        cbor_texts_and_shape(&envelope, &mut texts);
        let payload: ciborium::Value = ciborium::from_reader(decoded.payload_bytes.as_slice()).unwrap();
        let shape = cbor_texts_and_shape(&payload, &mut texts);
        for t in &texts {
            assert_eq!(revealing_word(t), None, "barcode field {t:?}");
        }
        let store = trust_store(&w, NOW);
        let verified = verify(&cert.barcode, &ctx(&store, TODAY, NOW)).unwrap();
        let shown = serde_json::to_string(&verified).unwrap();
        assert_eq!(revealing_word(&shown), None, "verification result {shown}");
        let payload_json = serde_json::to_string(&decoded.payload).unwrap();
        assert_eq!(revealing_word(&payload_json), None, "decoded payload {payload_json}");
        shape
    };
    let victim = shape_of(true);
    let other = shape_of(false);
    assert_eq!(victim, other, "a victim's barcode has the same fields as anyone's");
    assert!(!victim.contains("bool"), "no flag in the payload: {victim}");
}

#[test]
fn verification_refuses_each_kind_of_bad_certificate() {
    let w = world();
    let (text, store) = issued_barcode(&w);
    let later = "2026-12-05";
    assert!(verify(&text, &ctx(&store, later, NOW)).is_ok());

    // Forged: the same payload signed by a key that claims a trusted key id.
    let b = barcode::decode(&text).unwrap();
    let mallory = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", &mut OsRng);
    let forged = barcode::encode(&b.payload, &mallory);
    assert!(matches!(verify(&forged, &ctx(&store, later, NOW)), Err(VerifyError::UnknownSigner { .. })));
    let resigned = reenvelope(&b.payload_bytes, &b.kid, &mallory.sign(b"anything").to_bytes());
    assert_eq!(verify(&resigned, &ctx(&store, later, NOW)).unwrap_err(), VerifyError::BadSignature);

    // Any altered field: keep the original signature, change one field.
    type Alteration = Box<dyn Fn(&mut CertificatePayload)>;
    let alterations: Vec<Alteration> = vec![
        Box::new(|p| p.surname.push('a')),
        Box::new(|p| p.given_name = "Other".into()),
        Box::new(|p| p.patronymic = None),
        Box::new(|p| p.date_of_birth = d("1994-03-13")),
        Box::new(|p| p.sex = homeward_core::certificate::request::Sex::M),
        Box::new(|p| p.number.push('9')),
        Box::new(|p| p.issuing_office = "DXB".into()),
        Box::new(|p| p.issue_date = d("2026-11-28")),
        Box::new(|p| p.expiry_date = d("2027-11-29")),
        Box::new(|p| p.photo_hash = Some("00".repeat(16))),
        Box::new(|p| p.children.clear()),
        Box::new(|p| p.case_id = uuid::Uuid::new_v4().to_string()),
    ];
    for (i, alter) in alterations.iter().enumerate() {
        let mut p = b.payload.clone();
        alter(&mut p);
        let altered = reenvelope(&payload_bytes_of(&p, &w.consul), &b.kid, &b.signature);
        assert_eq!(
            verify(&altered, &ctx(&store, later, NOW)).unwrap_err(),
            VerifyError::BadSignature,
            "alteration {i}"
        );
    }

    // Truncated, garbage, oversized, wrong prefix, empty.
    for cut in [text.len() - 1, text.len() / 2, 10, 4] {
        assert!(matches!(verify(&text[..cut], &ctx(&store, later, NOW)), Err(VerifyError::Decode(_))), "cut {cut}");
    }
    assert!(matches!(verify("HW1:%%%%", &ctx(&store, later, NOW)), Err(VerifyError::Decode(DecodeError::Base45))));
    assert!(matches!(
        verify(&format!("HW1:{}", base45::encode(b"not zlib")), &ctx(&store, later, NOW)),
        Err(VerifyError::Decode(DecodeError::Compression))
    ));
    assert!(matches!(
        verify(&"A".repeat(5000), &ctx(&store, later, NOW)),
        Err(VerifyError::Decode(DecodeError::Oversized { .. }))
    ));
    assert!(matches!(
        verify("HC1:6BFOXN", &ctx(&store, later, NOW)),
        Err(VerifyError::Decode(DecodeError::WrongPrefix))
    ));
    assert!(matches!(verify("  ", &ctx(&store, later, NOW)), Err(VerifyError::Decode(DecodeError::Empty))));
    // A zip bomb: small text that inflates past the limit.
    let bomb = format!("HW1:{}", base45::encode(miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 100_000], 9)));
    assert!(matches!(verify(&bomb, &ctx(&store, later, NOW)), Err(VerifyError::Decode(DecodeError::Compression))));

    // Expired, and not yet valid.
    assert!(matches!(verify(&text, &ctx(&store, "2026-12-30", NOW)), Err(VerifyError::Expired { .. })));
    assert!(matches!(verify(&text, &ctx(&store, "2026-11-28", NOW)), Err(VerifyError::NotYetValid { .. })));

    // Unknown signer: a trust list without the consulate's key.
    let mut bare = TrustStore::with_root(RootKey::of(&w.hq));
    bare.install_trust_list(sign_list(
        TRUST_LIST,
        &TrustList { sequence: 2, issued_at_ms: NOW, signers: vec![] },
        &w.hq,
    ))
    .unwrap();
    assert!(matches!(verify(&text, &ctx(&bare, later, NOW)), Err(VerifyError::UnknownSigner { .. })));
    assert_eq!(
        verify(&text, &ctx(&TrustStore::with_root(RootKey::of(&w.hq)), later, NOW)).unwrap_err(),
        VerifyError::NoTrustList
    );

    // Revoked signer, revoked certificate.
    let kid = hex::encode(b.kid);
    let mut rs = store.clone();
    rs.install_revocations(sign_list(
        REVOCATION_LIST,
        &RevocationList {
            sequence: 2,
            issued_at_ms: NOW,
            certificates: vec![],
            signers: vec![kid],
            kept: vec![],
            kept_signers: vec![],
        },
        &w.hq,
    ))
    .unwrap();
    assert_eq!(verify(&text, &ctx(&rs, later, NOW)).unwrap_err(), VerifyError::RevokedSigner);
    let mut rc = store.clone();
    rc.install_revocations(sign_list(
        REVOCATION_LIST,
        &RevocationList {
            sequence: 2,
            issued_at_ms: NOW,
            certificates: vec![b.payload.number.clone()],
            signers: vec![],
            kept: vec![],
            kept_signers: vec![],
        },
        &w.hq,
    ))
    .unwrap();
    assert!(matches!(verify(&text, &ctx(&rc, later, NOW)), Err(VerifyError::Revoked { .. })));

    // Stale lists: a warning after 7 days, a refusal after 30.
    let day = 86_400_000;
    let warned = verify(&text, &ctx(&store, later, NOW + 8 * day)).unwrap();
    assert!(warned.warnings.iter().any(|w| matches!(w, VerifyWarning::StaleTrustList { .. })));
    assert!(matches!(verify(&text, &ctx(&store, later, NOW + 31 * day)), Err(VerifyError::TrustListTooOld { .. })));

    // The photo: matched against the one on file.
    let photo = b"photo bytes";
    let mut p = b.payload.clone();
    p.photo_hash = Some(barcode::photo_hash(photo));
    let with_photo = barcode::encode(&p, &w.consul);
    let c = VerifyContext { store: &store, now_ms: NOW, today: d(later), used: &no_use, photo: Some(photo) };
    assert_eq!(verify(&with_photo, &c).unwrap().photo, homeward_core::certificate::PhotoCheck::Match);
    let c = VerifyContext { store: &store, now_ms: NOW, today: d(later), used: &no_use, photo: Some(b"someone else") };
    assert_eq!(verify(&with_photo, &c).unwrap().photo, homeward_core::certificate::PhotoCheck::Mismatch);
}

fn payload_bytes_of(p: &CertificatePayload, signer: &DeviceIdentity) -> Vec<u8> {
    barcode::decode(&barcode::encode(p, signer)).unwrap().payload_bytes
}

fn reenvelope(payload: &[u8], kid: &[u8; 8], sig: &[u8; 64]) -> String {
    use ciborium::Value;
    let env =
        Value::Array(vec![Value::Bytes(payload.to_vec()), Value::Bytes(kid.to_vec()), Value::Bytes(sig.to_vec())]);
    let mut cbor = Vec::new();
    ciborium::into_writer(&env, &mut cbor).unwrap();
    format!("HW1:{}", base45::encode(miniz_oxide::deflate::compress_to_vec_zlib(&cbor, 9)))
}

#[test]
fn trust_lists_are_checked_and_never_rolled_back() {
    let w = world();
    let mut t = trust_store(&w, NOW);
    let older = TrustList { sequence: 0, issued_at_ms: NOW, signers: vec![] };
    assert!(matches!(
        t.install_trust_list(sign_list(TRUST_LIST, &older, &w.hq)),
        Err(homeward_core::certificate::trust::TrustError::Rollback { .. })
    ));
    let mallory = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", &mut OsRng);
    let newer = TrustList { sequence: 9, issued_at_ms: NOW, signers: vec![] };
    assert!(t.install_trust_list(sign_list(TRUST_LIST, &newer, &mallory)).is_err());
    let mut tampered = sign_list(TRUST_LIST, &newer, &w.hq);
    tampered.body.sequence = 10;
    assert!(t.install_trust_list(tampered).is_err());
    // A revocation list is not a trust list.
    let as_rev = sign_list(REVOCATION_LIST, &newer, &w.hq);
    assert!(t.install_trust_list(as_rev).is_err());
}

#[test]
fn the_barcode_fits_qr_version_15_at_level_m_even_with_long_names() {
    let w = world();
    let (text, _) = issued_barcode(&w);
    let qr = barcode::qr_matrix(&text).unwrap();
    assert!(qr.version <= 15, "version {}", qr.version);
    // The longest names and three children.
    let mut p = barcode::decode(&text).unwrap().payload;
    p.surname = "Ж".repeat(40);
    p.given_name = "Ү".repeat(40);
    p.patronymic = Some("Ө".repeat(40));
    p.children = (0..3)
        .map(|i| barcode::ChildOnCertificate {
            surname: "Ң".repeat(30),
            given_name: format!("{}{i}", "Ы".repeat(30)),
            date_of_birth: d("2015-01-01"),
        })
        .collect();
    let long = barcode::encode(&p, &w.consul);
    let qr = barcode::qr_matrix(&long).unwrap();
    assert!(qr.version <= 15, "version {} for {} characters", qr.version, long.len());
}

#[test]
fn the_fuzz_seed_corpus_decodes_without_panicking() {
    // The same function the cargo-fuzz target calls (fuzz/fuzz_targets/decode_barcode.rs).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/decode_barcode");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = barcode::decode(s);
        }
        n += 1;
    }
    assert!(n >= 5, "seed corpus too small: {n}");
}

/// Writes the fuzz seed corpus (run by hand: `cargo test -p homeward-core
/// --test certificate write_fuzz_seeds -- --ignored`).
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let w = world();
    let (text, _) = issued_barcode(&w);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/decode_barcode");
    std::fs::create_dir_all(&dir).unwrap();
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("seed-valid", text.clone().into_bytes()),
        ("seed-truncated", text.as_bytes()[..text.len() / 2].to_vec()),
        ("seed-empty", vec![]),
        ("seed-wrong-prefix", b"HC1:NCFOXN%TS3DH".to_vec()),
        ("seed-bad-base45", b"HW1:%%%%:::".to_vec()),
        ("seed-not-zlib", format!("HW1:{}", base45::encode(b"plain bytes")).into_bytes()),
        (
            "seed-cbor-not-array",
            format!("HW1:{}", base45::encode(miniz_oxide::deflate::compress_to_vec_zlib(&[0xa0], 9))).into_bytes(),
        ),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
