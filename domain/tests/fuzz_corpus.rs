//! Replays every fuzz target's seed corpus (fuzz/corpus/<target>/) through
//! the very function the cargo-fuzz target runs (fuzz/src/harness.rs), on
//! stable, in `cargo test`: a seed that panics fails here without a nightly
//! toolchain. Also keeps each corpus from going empty or missing its
//! valid seed (a corpus of rejects only never reaches the deeper checks).

#[path = "../../fuzz/src/harness.rs"]
mod harness;

use std::path::Path;

#[test]
fn every_seed_of_every_target_runs_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (target, run) in harness::TARGETS {
        let dir = root.join(target);
        let mut n = 0;
        let mut valid = false;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            valid |= path.file_name().unwrap().to_string_lossy().starts_with("seed-valid");
            run(&bytes);
            n += 1;
        }
        assert!(n >= 5, "{target}: seed corpus too small ({n})");
        assert!(valid, "{target}: no seed-valid* seed");
    }
}

#[test]
fn every_fuzz_target_has_its_binary_and_its_corpus() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for (target, _) in harness::TARGETS {
        assert!(fuzz.join("fuzz_targets").join(format!("{target}.rs")).exists(), "{target}: no fuzz target");
        assert!(manifest.contains(&format!("name = \"{target}\"")), "{target}: not in fuzz/Cargo.toml");
    }
}

/// Writes the `forward_bundle` seeds (run by hand after a format change:
/// `cargo test -p homeward-domain --test fuzz_corpus write_forward_seeds --
/// --ignored`): the valid push of `hq_sync_messages` sealed to the harness's
/// headquarters by its post, as JSON and CBOR, and damaged copies.
#[test]
#[ignore]
fn write_forward_seeds() {
    use homeward_domain::certificate::trust::RootKey;
    use homeward_domain::events::identity::StoredIdentity;
    use homeward_domain::events::{DeviceIdentity, Role};
    use homeward_domain::sync::forward::{ForwardBundle, SealingSecret};
    use homeward_domain::sync::protocol::PushRequest;
    use rand_chacha::rand_core::SeedableRng;

    let id = |device_id: &str, role: Role, seed: u8| {
        DeviceIdentity::from_stored(&StoredIdentity {
            device_id: device_id.into(),
            role,
            office: "OSH".into(),
            secret_key: hex::encode([seed; 32]),
        })
        .unwrap()
    };
    let (post, hq) = (id("osh-01", Role::BorderGuard, 1), id("hq", Role::Headquarters, 9));
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let push = std::fs::read(corpus.join("hq_sync_messages/seed-valid-push")).unwrap();
    let push: PushRequest = serde_json::from_slice(&push[1..]).unwrap();
    let key = SealingSecret::derive(&hq).publish(&hq);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(14);
    let b = ForwardBundle::seal(push, &key, &RootKey::of(&hq), &post, 1_795_910_400_000, &mut rng).unwrap();
    // The valid seed reaches the payload: the fuzzer starts past the AEAD.
    b.open(&RootKey::of(&hq), &SealingSecret::derive(&hq), &hex::encode(post.public_key())).unwrap();
    let json = b.to_json().into_bytes();
    let mut altered = b.clone();
    altered.sealed[3] ^= 1;
    let mut other_office = b.clone();
    other_office.office = "IST".into();
    let dir = corpus.join("forward_bundle");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        ("seed-valid-json", json.clone()),
        ("seed-valid-cbor", b.to_cbor()),
        ("seed-valid-request", serde_json::to_vec(&serde_json::json!({ "bundles": [b] })).unwrap()),
        ("seed-altered", altered.to_json().into_bytes()),
        ("seed-other-office", other_office.to_json().into_bytes()),
        ("seed-truncated", json[..json.len() / 2].to_vec()),
        ("seed-empty", vec![]),
        ("seed-deep", "[".repeat(200).into_bytes()),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Writes the seed corpora of the new targets (run by hand after a format
/// change: `cargo test -p homeward-domain --test fuzz_corpus write_fuzz_seeds
/// -- --ignored`). The valid seeds are real, signed messages under the
/// harness's fixed keys, so the fuzzer starts inside the deeper checks.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    use homeward_domain::audit::{AuditAction, AuditEntry, AuditFact, AuditKeyCert, Subject, SubjectKind};
    use homeward_domain::certificate::trust::{sign_list, signer_entry, RevocationList, RootKey, TrustList};
    use homeward_domain::certificate::{CertificateEvent, CertificateRequest};
    use homeward_domain::events::identity::StoredIdentity;
    use homeward_domain::events::{DeviceIdentity, Event, Hlc, Role};
    use homeward_domain::sync::protocol::{AuditPush, EnrollRequest, EnrollResponse, PushRequest, IDENTITY_DOMAIN};
    use rand_chacha::rand_core::SeedableRng;

    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(16);
    let id = |device_id: &str, role: Role, seed: u8| {
        DeviceIdentity::from_stored(&StoredIdentity {
            device_id: device_id.into(),
            role,
            office: "OSH".into(),
            secret_key: hex::encode([seed; 32]),
        })
        .unwrap()
    };
    let device = id("osh-01", Role::BorderGuard, 1);
    let hq = id("hq", Role::Headquarters, 9);
    let now = 1_795_910_400_000i64;
    let root_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let write = |target: &str, seeds: Vec<(&str, Vec<u8>)>| {
        let dir = root_dir.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    };
    let common = |valid: Vec<u8>| -> Vec<(&'static str, Vec<u8>)> {
        let half = valid[..valid.len() / 2].to_vec();
        vec![
            ("seed-empty", vec![]),
            ("seed-not-json", b"\xff\xfe not JSON".to_vec()),
            ("seed-wrong-type", b"[1, 2, 3]".to_vec()),
            ("seed-truncated", half),
            ("seed-deep", "[".repeat(200).into_bytes()),
        ]
    };

    // Templates: both bundled versions, and one with a problem the validator finds.
    let v2 = homeward_domain::screening::DEFAULT_TEMPLATE_JSON.as_bytes().to_vec();
    let mut seeds = common(v2.clone());
    seeds.push(("seed-valid-v2", v2.clone()));
    seeds.push(("seed-valid-v1", homeward_domain::screening::TEMPLATE_V1_JSON.as_bytes().to_vec()));
    let mut broken: serde_json::Value = serde_json::from_slice(&v2).unwrap();
    broken["sections"][0]["questions"][0]["id"] = "".into();
    seeds.push(("seed-invalid-rules", serde_json::to_vec(&broken).unwrap()));
    write("template", seeds);

    // Answers files.
    let answers = serde_json::json!({
        "crossing_point": "OSH-AIRPORT", "date": "2026-11-29", "language": "ky",
        "subject": { "name": "Асанова Айгүл", "document_number": "AN1234567" },
        "answers": {
            "appears_minor": "no", "date_of_birth": "1990-04-02", "documents": "held_by_other",
            "recruited": "yes", "consent_given": "yes", "deceived": "yes", "promised_work": ["domestic"],
            "companions": 1, "notes": "met at the gate"
        },
        "skip": ["citizen"], "finalise": false
    });
    let valid = serde_json::to_vec(&answers).unwrap();
    let mut seeds = common(valid.clone());
    seeds.push(("seed-valid", valid));
    let mut odd = answers.clone();
    odd["answers"] = serde_json::json!({
        "date_of_birth": "2099-02-30", "companions": -1, "promised_work": "domestic", "recruited": 1,
        "documents": ["held_by_other", "held_by_other"], "notes": "x".repeat(5000)
    });
    seeds.push(("seed-wrong-values", serde_json::to_vec(&odd).unwrap()));
    write("answers_file", seeds);

    // Certificate requests.
    let request = serde_json::json!({
        "applicant": {"surname": "Асанова", "given_name": "Айгүл", "patronymic": "Бакытовна",
                      "date_of_birth": "1994-03-12", "place_of_birth": "Ош", "sex": "f"},
        "evidence": [{"type": "old_passport", "number": "AN1234567"}],
        "loss": "held_by_trafficker",
        "trafficking": {"note": "referred by IOM"},
        "children": [{"surname": "Асанов", "given_name": "Эмир", "date_of_birth": "2019-06-01", "guardian": "the applicant"}],
        "route": "Istanbul - Bishkek (Manas)", "travel_date": "2099-12-05",
        "officer_assessment": "consistent account", "issuing_office": "IST", "request_date": "2026-11-29"
    });
    let valid = serde_json::to_vec(&request).unwrap();
    let mut seeds = common(valid.clone());
    seeds.push(("seed-valid", valid.clone()));
    let mut bad = request.clone();
    bad["applicant"]["date_of_birth"] = "2099-01-01".into();
    bad["children"][0]["date_of_birth"] = "1900-01-01".into();
    bad["evidence"] = serde_json::json!([]);
    seeds.push(("seed-field-errors", serde_json::to_vec(&bad).unwrap()));
    write("certificate_request", seeds);
    let request: CertificateRequest = serde_json::from_slice(&valid).unwrap();

    // What headquarters decodes: the first byte picks the message.
    let case = homeward_domain::random::uuid_v7(now, &mut rng).to_string();
    let created = Event::new(
        &device,
        &case,
        None,
        Hlc { wall_ms: now, counter: 0 },
        CertificateEvent::Created { request: Box::new(request) },
        &mut rng,
    );
    let push = PushRequest { events: vec![created], screenings: vec![] };
    let push_json = serde_json::to_vec(&push).unwrap();
    let mut forged: serde_json::Value = serde_json::from_slice(&push_json).unwrap();
    forged["events"][0]["author"] = "hq".into();
    let tagged = |tag: u8, body: &[u8]| [&[tag][..], body].concat();
    let enroll =
        EnrollRequest { code: "ABCD-EFGH".into(), public_key: hex::encode(device.public_key()), label: "Pixel".into() };
    let sig = homeward_domain::sync::httpsig::sign(
        &device,
        "POST",
        "hq.example:8443",
        "/v1/events",
        "",
        &push_json,
        now / 1000,
        &mut rng,
    );

    // Audit batches: a two-entry chain with its key certificate.
    let audit_key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
    let cert = AuditKeyCert::issue(&device, &audit_key.verifying_key().to_bytes());
    let e1 = AuditEntry::next(
        None,
        "osh-01",
        &audit_key,
        now,
        AuditFact::new(AuditAction::Create, Subject::new(SubjectKind::Screening, &case)),
    )
    .unwrap();
    let e2 = AuditEntry::next(
        Some(&e1),
        "osh-01",
        &audit_key,
        now + 1,
        AuditFact::new(AuditAction::View, Subject::new(SubjectKind::Screening, &case)).justified(Some("review")),
    )
    .unwrap();
    let audit = serde_json::to_vec(&AuditPush { key_cert: Some(cert), entries: vec![e1.clone(), e2.clone()] }).unwrap();
    let reordered = serde_json::to_vec(&AuditPush { key_cert: None, entries: vec![e2, e1] }).unwrap();
    let mut seeds = common(audit.clone());
    seeds.push(("seed-valid", audit.clone()));
    seeds.push(("seed-reordered", reordered.clone()));
    write("audit_batch", seeds);

    let mut seeds = common(tagged(1, &push_json));
    seeds.push(("seed-valid-push", tagged(1, &push_json)));
    seeds.push(("seed-forged-push", tagged(1, &serde_json::to_vec(&forged).unwrap())));
    seeds.push(("seed-valid-enroll", tagged(0, &serde_json::to_vec(&enroll).unwrap())));
    seeds.push(("seed-valid-report", tagged(2, br#"{"kind": "rolled_back", "missing_event": null}"#)));
    seeds.push(("seed-valid-audit", tagged(3, &audit)));
    seeds.push(("seed-valid-signature-input", tagged(4, sig.signature_input.as_bytes())));
    write("hq_sync_messages", seeds);

    // Headquarters' answer to an enrolment.
    let trust = TrustList {
        sequence: 1,
        issued_at_ms: now,
        signers: vec![signer_entry(&device, "2026-01-01".parse().unwrap(), "2027-12-31".parse().unwrap())],
    };
    let rev = RevocationList {
        sequence: 1,
        issued_at_ms: now,
        certificates: vec![],
        signers: vec![],
        kept: vec![],
        kept_signers: vec![],
    };
    let resp = EnrollResponse {
        device_id: "osh-01".into(),
        office: "OSH".into(),
        role: Role::BorderGuard,
        device_no: 1,
        root: RootKey::of(&hq),
        identities: vec![
            sign_list(IDENTITY_DOMAIN, &device.public(), &hq),
            sign_list(IDENTITY_DOMAIN, &hq.public(), &hq),
        ],
        trust_list: Some(sign_list(homeward_domain::certificate::trust::TRUST_LIST, &trust, &hq)),
        revocations: Some(sign_list(homeward_domain::certificate::trust::REVOCATION_LIST, &rev, &hq)),
        server_time_ms: now,
        check_in_days: 14,
        unlock_secret: Some(hex::encode([5u8; 32])),
        template: None,
        reference: None,
        directory: None,
        crossing_points: None,
        sealing_key: None,
    };
    let valid = serde_json::to_vec(&resp).unwrap();
    let mut wrong_root: serde_json::Value = serde_json::from_slice(&valid).unwrap();
    wrong_root["root"]["public_key"] = hex::encode([1u8; 32]).into();
    let mut seeds = common(valid.clone());
    seeds.push(("seed-valid", valid));
    seeds.push(("seed-wrong-root", serde_json::to_vec(&wrong_root).unwrap()));
    write("enroll_answer", seeds);
}
