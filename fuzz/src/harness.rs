//! What each fuzz target runs on its input, in one file that both the
//! cargo-fuzz targets (fuzz/fuzz_targets/) and the stable replay of their
//! seed corpora (domain/tests/fuzz_corpus.rs, run by `cargo test`) compile,
//! so the two cannot drift apart. Each takes arbitrary bytes, as they arrive
//! from a file an officer chose or from the network, and must return
//! (a typed error or a value), never panic, hang or allocate without bound.
//! Only the pure domain is linked.

#![allow(dead_code)] // each fuzz target uses one of these

use homeward_domain::certificate::request::{fee_for, validate as validate_request, CertificateRequest};
use homeward_domain::certificate::trust::{RootKey, Signed, TrustStore};
use homeward_domain::date::IsoDate;
use homeward_domain::events::identity::StoredIdentity;
use homeward_domain::events::{DeviceIdentity, KeyRing, Role};
use homeward_domain::screening::answers;
use homeward_domain::screening::checklist::Checklist;
use homeward_domain::screening::published::{check_reference, TemplateShelf};
use homeward_domain::screening::report::check_event;
use homeward_domain::screening::template::Template;
use homeward_domain::sync::protocol::{
    AuditPush, DeviceReport, EnrollRequest, EnrollResponse, PushRequest, IDENTITY_DOMAIN,
};

/// What a target runs on one input.
pub type Target = fn(&[u8]);

/// The corpus directories, one per target, under fuzz/corpus/.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_barcode", decode_barcode),
    ("template", template),
    ("answers_file", answers_file),
    ("certificate_request", certificate_request),
    ("hq_sync_messages", hq_sync_messages),
    ("audit_batch", audit_batch),
    ("enroll_answer", enroll_answer),
    ("mrz", mrz),
    ("forward_bundle", forward_bundle),
];

/// A fixed identity (fuzzing needs no secret; it needs the same keys each run).
fn identity(device_id: &str, role: Role, seed: u8) -> DeviceIdentity {
    DeviceIdentity::from_stored(&StoredIdentity {
        device_id: device_id.into(),
        role,
        office: "OSH".into(),
        secret_key: hex_of(&[seed; 32]),
    })
    .expect("a 32-byte key")
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Parsed once: the fuzzer spends its time on the input, not on this.
fn bundled_checklist() -> &'static Checklist {
    static CHECKLIST: std::sync::OnceLock<Checklist> = std::sync::OnceLock::new();
    CHECKLIST.get_or_init(|| {
        Checklist::new(
            Template::from_json(homeward_domain::screening::DEFAULT_TEMPLATE_JSON).expect("bundled template"),
        )
        .expect("the bundled template is valid")
    })
}

/// A camera's reading of a certificate's barcode.
pub fn decode_barcode(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = homeward_domain::certificate::barcode::decode(s);
    }
}

/// A checklist template file (`homeward template validate`, headquarters'
/// publication): parsed, then every rule of the validator, then prepared.
pub fn template(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(t) = Template::from_json(s) {
        let _ = homeward_domain::screening::validate::validate(&t);
        if let Ok(c) = Checklist::new(t) {
            let _ = c.template().questions().count();
        }
    }
}

/// An answers file (`homeward screening new --answers`): each answer, as
/// JSON or as typed text, is read for the question of the bundled checklist
/// it names and checked against a screening date.
pub fn answers_file(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let checklist = bundled_checklist();
    let date: IsoDate = "2026-11-29".parse().expect("date");
    let Some(map) = v.get("answers").and_then(|a| a.as_object()) else { return };
    for (id, value) in map {
        let Some(q) = checklist.template().question(id) else { continue };
        if let Ok(a) = answers::from_json(q, value) {
            let _ = answers::check(q, &a, date);
            for lang in [
                homeward_domain::screening::template::Lang::Ky,
                homeward_domain::screening::template::Lang::Ru,
                homeward_domain::screening::template::Lang::En,
            ] {
                let _ = answers::display(q, &a, lang);
            }
        }
        if let Some(text) = value.as_str() {
            if let Ok(a) = answers::from_input(q, text) {
                let _ = answers::check(q, &a, date);
            }
        }
    }
}

/// A certificate request file (`homeward certificate request --file`):
/// parsed, validated field by field, and its fee decided.
pub fn certificate_request(data: &[u8]) {
    if let Ok(r) = serde_json::from_slice::<CertificateRequest>(data) {
        let _ = validate_request(&r);
        let _ = fee_for(&r, 2500, "USD");
    }
}

/// What headquarters decodes from a device: the first byte picks the
/// message (enrolment request, push, device report, audit batch, or the
/// Signature-Input header), the rest is its body; a push's events are then
/// verified against a key ring, and its screening reports checked against
/// the checklist, as headquarters does before storing anything.
pub fn hq_sync_messages(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else { return };
    match which % 5 {
        0 => {
            let _ = serde_json::from_slice::<EnrollRequest>(body);
        }
        1 => {
            if let Ok(req) = serde_json::from_slice::<PushRequest>(body) {
                let mut ring = KeyRing::default();
                ring.add(identity("osh-01", Role::BorderGuard, 1).public());
                ring.add(identity("hq", Role::Headquarters, 9).public());
                for e in req.events.iter().take(1000) {
                    let _ = e.check_ids(true);
                    let _ = e.verify(&ring);
                }
                let checklist = bundled_checklist();
                for e in req.screenings.iter().take(1000) {
                    let _ = check_event(e, &ring, checklist);
                }
            }
        }
        2 => {
            let _ = serde_json::from_slice::<DeviceReport>(body);
        }
        3 => audit_batch(body),
        _ => {
            if let Ok(s) = std::str::from_utf8(body) {
                let _ = homeward_domain::sync::httpsig::parse_input(s);
            }
        }
    }
}

/// An audit batch headquarters imports (`POST /v1/audit`): the key
/// certificate checked against the device's key, the entries against the
/// chain, from the start and from an anchor.
pub fn audit_batch(data: &[u8]) {
    let Ok(push) = serde_json::from_slice::<AuditPush>(data) else { return };
    let device = identity("osh-01", Role::BorderGuard, 1);
    let audit_key = push.key_cert.as_ref().and_then(|c| c.verify(&device.public_key())).unwrap_or([7u8; 32]);
    let entries = &push.entries[..push.entries.len().min(1000)];
    let _ = homeward_domain::audit::verify_chain(entries, &audit_key);
    if let Some(anchor) = homeward_domain::audit::anchor_of(entries) {
        let _ = homeward_domain::audit::verify_chain_from(Some(&anchor), entries, &audit_key);
    }
}

/// Headquarters' answer to an enrolment, as the device takes it in: the
/// root, the lists checked against it, the identities it vouches for, the
/// published template and reference data.
pub fn enroll_answer(data: &[u8]) {
    let Ok(resp) = serde_json::from_slice::<EnrollResponse>(data) else { return };
    let root = RootKey::of(&identity("hq", Role::Headquarters, 9));
    for root in [resp.root.clone(), root] {
        let mut trust = TrustStore::with_root(root);
        if let Some(t) = resp.trust_list.clone() {
            let _ = trust.install_trust_list(t);
        }
        if let Some(r) = resp.revocations.clone() {
            let _ = trust.install_revocations(r);
        }
        let _ = trust.check();
        let mut ring = KeyRing::default();
        for s in resp.identities.iter().take(1000) {
            if verify_identity(&trust, s) {
                ring.add(s.body.clone());
            }
        }
        if let Some(t) = &resp.template {
            let _ = TemplateShelf::default().install(&trust, t);
        }
        if let Some(r) = &resp.reference {
            let _ = check_reference(&trust, r, 0);
        }
    }
}

fn verify_identity(trust: &TrustStore, s: &Signed<homeward_domain::events::PublicIdentity>) -> bool {
    homeward_domain::certificate::trust::verify_signed(&trust.roots, IDENTITY_DOMAIN, s).is_ok()
}

/// A travel document's machine-readable zone as the OCR read it (or a
/// person typed it): any text, with its look-alike corrections.
pub fn mrz(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = homeward_domain::mrz::read(s, "2026-11-29".parse().expect("date"));
    }
}

/// A store-and-forward bundle as a carrier imports it (a JSON file, or the
/// CBOR that QR frames decode to) and headquarters opens it, and the
/// request a carrier forwards. Keys: the harness's fixed headquarters (seed
/// 9) and post (seed 1), so a valid seed reaches the AEAD and the payload.
pub fn forward_bundle(data: &[u8]) {
    use homeward_domain::sync::forward::{ForwardBundle, ForwardRequest, SealingSecret};
    static KEYS: std::sync::OnceLock<(RootKey, SealingSecret, String)> = std::sync::OnceLock::new();
    let (root, secret, sender) = KEYS.get_or_init(|| {
        let hq = identity("hq", Role::Headquarters, 9);
        (RootKey::of(&hq), SealingSecret::derive(&hq), hex_of(&identity("osh-01", Role::BorderGuard, 1).public_key()))
    });
    let parsed = ForwardBundle::from_json(data).or_else(|_| ForwardBundle::from_cbor(data));
    if let Ok(b) = parsed {
        let _ = b.check_carried(root, "OSH");
        if let Ok(p) = b.open(root, secret, sender) {
            let _ = p.push.events.len() + p.push.screenings.len();
        }
    }
    if let Ok(req) = serde_json::from_slice::<ForwardRequest>(data) {
        for b in req.bundles.iter().take(100) {
            let _ = b.check_carried(root, "OSH");
        }
    }
}
