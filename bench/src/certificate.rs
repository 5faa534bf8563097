//! `certificate-bench`: offline verifications per second on one core for
//! 10,000 distinct certificates (target: over 5,000 per second), beside the
//! cost of the signature check alone; and the barcode's sizes (payload,
//! compressed, base45 text, QR version at level M) for a typical and a
//! worst-case certificate. `--quick` is the smoke run.

use homeward_core::random::OsRng;
use std::time::Instant;

use homeward_core::certificate::barcode::{self, CertificatePayload, ChildOnCertificate};
use homeward_core::certificate::request::Sex;
use homeward_core::certificate::trust::{sign_list, signer_entry, REVOCATION_LIST, TRUST_LIST};
use homeward_core::certificate::{verify, RevocationList, RootKey, TrustList, TrustStore, VerifyContext};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Role};

fn d(s: &str) -> IsoDate {
    s.parse().unwrap()
}

fn payload(i: usize) -> CertificatePayload {
    CertificatePayload {
        number: format!("IST-2603-{i:05}"),
        surname: format!("Асанова{}", i % 97),
        given_name: "Айгүл".into(),
        patronymic: Some("Бакытовна".into()),
        date_of_birth: d("1994-03-12"),
        sex: Sex::F,
        issuing_office: "IST".into(),
        issue_date: d("2026-11-29"),
        expiry_date: d("2026-12-29"),
        photo_hash: Some(barcode::photo_hash(&i.to_le_bytes())),
        case_id: uuid::Uuid::new_v4().to_string(),
        issued_event: uuid::Uuid::new_v4().to_string(),
        children: vec![],
    }
}

fn sizes(label: &str, text: &str) {
    let b = barcode::decode(text).unwrap();
    let z = base45::decode(&text[4..]).unwrap();
    let qr = barcode::qr_matrix(text).unwrap();
    println!(
        "| {label} | {} | {} | {} | {} ({}x{} modules) | <= 15 | {} |",
        b.payload_bytes.len(),
        z.len(),
        text.len(),
        qr.version,
        qr.width,
        qr.width,
        if qr.version <= 15 { "yes" } else { "no" }
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 500 } else { 10_000 };
    let hq = DeviceIdentity::generate("hq", Role::Headquarters, "HQ", &mut OsRng);
    let consul = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", &mut OsRng);
    let now = 1_795_910_400_000i64;
    let mut store = TrustStore::with_root(RootKey::of(&hq));
    store
        .install_trust_list(sign_list(
            TRUST_LIST,
            &TrustList {
                sequence: 1,
                issued_at_ms: now,
                signers: vec![signer_entry(&consul, d("2026-01-01"), d("2027-12-31"))],
            },
            &hq,
        ))
        .unwrap();
    // A realistic revocation list: a few hundred numbers.
    let revoked: Vec<String> = (0..300).map(|i| format!("MOW-2601-{i:05}")).collect();
    store
        .install_revocations(sign_list(
            REVOCATION_LIST,
            &RevocationList {
                sequence: 1,
                issued_at_ms: now,
                certificates: revoked,
                signers: vec![],
                kept: vec![],
                kept_signers: vec![],
            },
            &hq,
        ))
        .unwrap();

    let texts: Vec<String> = (0..n).map(|i| barcode::encode(&payload(i), &consul)).collect();
    let used = |_: &str| None;
    let ctx = VerifyContext { store: &store, now_ms: now, today: d("2026-12-05"), used: &used, photo: None };

    let t = Instant::now();
    let mut valid = 0;
    for text in &texts {
        valid += verify(text, &ctx).is_ok() as usize;
    }
    let full = t.elapsed();
    assert_eq!(valid, n, "every benchmark certificate must verify");

    // The signature check alone, on already decoded barcodes: the floor.
    let decoded: Vec<_> = texts.iter().map(|t| barcode::decode(t).unwrap()).collect();
    let pk = consul.public_key();
    let t = Instant::now();
    let mut sig_ok = 0;
    for b in &decoded {
        sig_ok += barcode::signature_valid(b, &pk) as usize;
    }
    let sig_only = t.elapsed();
    assert_eq!(sig_ok, n);

    let per_sec = n as f64 / full.as_secs_f64();
    let sig_per_sec = n as f64 / sig_only.as_secs_f64();
    println!("| measure | value | reference | ratio | met |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| verifications per second, {n} certificates, one thread | {per_sec:.0} | 5000 (target) | {:.2}x | {} |",
        per_sec / 5000.0,
        if per_sec > 5000.0 { "yes" } else { "no" }
    );
    println!(
        "| Ed25519 signature checks alone per second (the floor) | {sig_per_sec:.0} | full verification | {:.2}x | |",
        sig_per_sec / per_sec
    );

    println!("\n| barcode | CBOR payload bytes | zlib bytes | base45 characters | QR version at M | limit | met |");
    println!("|---|---:|---:|---:|---|---|---|");
    sizes("typical (Cyrillic names, photo hash, no child)", &texts[0]);
    let mut worst = payload(1);
    worst.surname = "Ж".repeat(40);
    worst.given_name = "Ү".repeat(40);
    worst.patronymic = Some("Ө".repeat(40));
    worst.children = (0..3)
        .map(|i| ChildOnCertificate {
            surname: "Ң".repeat(30),
            given_name: format!("{}{i}", "Ы".repeat(30)),
            date_of_birth: d("2015-01-01"),
        })
        .collect();
    sizes("worst case (40-letter names, three children)", &barcode::encode(&worst, &consul));
    if quick {
        println!("certificate-bench smoke: 2 passed, 0 failed");
    }
}
