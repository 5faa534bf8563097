//! The referral directory end to end, as the app meets it: headquarters
//! publishes it (signed by its root), an enrolled device receives it at
//! enrolment and newer ones at a sync, the outcome points to the partners
//! its actions call for (a child's only to those serving children), and a
//! referral to a partner a later directory dropped is refused.

use std::collections::HashMap;
use std::sync::Arc;

use homeward_core::directory::{sample, Partner};
use homeward_core::events::Role;
use homeward_core::referral::PartnerSecretKey;
use homeward_ffi::directory::ReferralData;
use homeward_ffi::screening::{AnswerInput, AnswerKind, Language, NewScreeningInput, ScreeningSession, SubjectInput};
use homeward_ffi::vault::{HomewardVault, VaultSettings};
use homeward_ffi::HomewardError;

mod common;
use common::Server;

const PASS: &str = "correct horse battery staple";

fn light() -> VaultSettings {
    VaultSettings { kdf_memory_mib: 19, kdf_passes: 2, max_attempts: 5, unlock_delay_ms: 0 }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A finalised screening answering `given` (the rest "no" or skipped), with
/// the person's consent to a shelter referral to each of `partners`.
fn screening(v: &HomewardVault, given: &[(&str, &str)], partners: &[&str]) -> Arc<ScreeningSession> {
    let s = v
        .start_screening(NewScreeningInput {
            crossing_point: "OSH-AIRPORT".into(),
            officer: None,
            language: Language::En,
            screening_date: None,
        })
        .unwrap();
    let given: HashMap<&str, &str> = given.iter().copied().collect();
    while let Some(q) = s.next_question().unwrap() {
        match (given.get(q.id.as_str()), &q.kind) {
            (Some(a), AnswerKind::SingleChoice { .. }) => {
                s.answer(q.id, AnswerInput::Choice { option_id: (*a).into() }).map(|_| ())
            }
            (Some(a), _) => s.answer_text(q.id, (*a).into()).map(|_| ()),
            (None, AnswerKind::YesNo) => s.answer_text(q.id, "n".into()).map(|_| ()),
            (None, _) => s.skip(q.id).map(|_| ()),
        }
        .unwrap();
    }
    s.set_subject(SubjectInput { refused: true, ..Default::default() }).unwrap();
    s.finalise().unwrap();
    for p in partners {
        s.add_consent(
            (*p).into(),
            "shelter".into(),
            None,
            homeward_ffi::screening::ReferralBasisData::Consent {
                given_by: homeward_ffi::screening::ConsentGiverKind::ParentOrGuardian,
            },
        )
        .unwrap();
    }
    s
}

#[test]
fn a_device_refers_only_to_partners_the_published_directory_lists() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let hq = server.admin();
    // The minors' centre gets a real key, to open its package below.
    let centre = PartnerSecretKey::generate();
    let mut partners: Vec<Partner> = sample().partners;
    for p in partners.iter_mut().filter(|p| p.id == "minors-centre-osh") {
        p.package_key = Some(centre.public().to_hex());
    }
    assert_eq!(hq.publish_directory(partners.clone(), now_ms()).unwrap(), 1);

    let v = HomewardVault::create(t.path().join("phone").display().to_string(), PASS.into(), light(), None).unwrap();
    assert!(v.screenings().referral_directory().unwrap().is_none(), "nothing before enrolment");
    let code = hq.enrollment_code("OSH", Role::ConsularOfficer, 15).unwrap();
    v.sync_service().enroll(server.url.clone(), code, "directory test".into(), None).unwrap();
    let held = v.screenings().referral_directory().unwrap().expect("enrolment carries the directory");
    assert_eq!((held.sequence, held.partners.len()), (1, partners.len()));
    assert_eq!(held.age_days, 0);

    // A child (act and purpose suffice): only partners serving children.
    let child = screening(
        &v,
        &[
            ("appears_minor", "y"),
            ("date_of_birth", "2011-03-04"),
            ("documents", "held_by_other"),
            ("recruited", "y"),
            ("forced_labour", "y"),
        ],
        &["minors-centre-osh", "shelter-osh"],
    );
    let offered: Vec<String> = child.referral_partners().unwrap().into_iter().map(|p| p.id).collect();
    assert!(offered.contains(&"minors-centre-osh".to_string()), "{offered:?}");
    assert!(!offered.iter().any(|p| p.starts_with("shelter-")), "adult shelters offered for a child: {offered:?}");
    for p in child.referral_partners().unwrap() {
        assert!(p.serves_children, "{} does not serve children", p.id);
    }
    let refused = child.refer("shelter-osh".into(), "shelter".into(), vec![ReferralData::Identity]);
    assert!(
        matches!(&refused, Err(HomewardError::NotAllowed { reason }) if reason.contains("children")),
        "{refused:?}"
    );
    let made = child.refer("minors-centre-osh".into(), "shelter".into(), vec![ReferralData::Screening]).unwrap();
    let package: homeward_core::referral::ReferralPackage = serde_json::from_str(&made.package_json).unwrap();
    let sender = hq.db.device(&package.sender_device).unwrap().expect("the sender is enrolled");
    let sender: [u8; 32] = hex::decode(sender.public_key).unwrap().try_into().unwrap();
    let opened = package.open(&centre, &sender).expect("the centre opens its package");
    assert_eq!(opened.referral.partner, "minors-centre-osh");

    // Headquarters drops the centre; the device learns it at its next sync.
    let kept: Vec<Partner> = partners.iter().filter(|p| p.id != "minors-centre-osh").cloned().collect();
    assert_eq!(hq.publish_directory(kept, now_ms()).unwrap(), 2);
    v.sync_service().sync(None).unwrap();
    assert_eq!(v.screenings().referral_directory().unwrap().unwrap().sequence, 2);
    let gone = child.refer("minors-centre-osh".into(), "shelter".into(), vec![ReferralData::Screening]);
    assert!(
        matches!(&gone, Err(HomewardError::NotAllowed { reason }) if reason.contains("not in the referral directory")),
        "{gone:?}"
    );
}

#[test]
fn headquarters_refuses_to_publish_an_entry_without_a_key() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let mut partners = sample().partners;
    partners[1].package_key = None;
    let e = server.admin().publish_directory(partners, now_ms()).unwrap_err();
    assert!(e.to_string().contains("no key"), "{e}");
    assert!(server.admin().directory().unwrap().is_none(), "nothing published");
}

#[test]
fn the_admin_cli_publishes_and_shows_the_directory_and_refuses_a_bad_file() {
    let t = tempfile::tempdir().unwrap();
    let hq = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"))
            .arg("--data-dir")
            .arg(t.path().join("hq"))
            .env_remove("DATABASE_URL")
            .args(args)
            .output()
            .unwrap()
    };
    let printed = hq(&["directory", "sample"]);
    assert!(printed.status.success());
    let file = t.path().join("partners.json");
    std::fs::write(&file, &printed.stdout).unwrap();
    let published = hq(&["--json", "directory", "publish", file.to_str().unwrap()]);
    assert!(published.status.success(), "{}", String::from_utf8_lossy(&published.stderr));
    let v: serde_json::Value = serde_json::from_slice(&published.stdout).unwrap();
    assert_eq!((v["sequence"].as_u64(), v["partners"].as_u64()), (Some(1), Some(sample().partners.len() as u64)));
    let shown = String::from_utf8(hq(&["directory", "show"]).stdout).unwrap();
    assert!(shown.contains("minors-centre-osh") && shown.contains("serves children"), "{shown}");

    // A partner without a key: refused with the partner named, nothing published.
    let mut bad: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    bad["partners"][2]["package_key"] = serde_json::Value::Null;
    std::fs::write(&file, bad.to_string()).unwrap();
    let refused = hq(&["directory", "publish", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("shelter-osh"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let still: serde_json::Value = serde_json::from_slice(&hq(&["--json", "directory", "show"]).stdout).unwrap();
    assert_eq!(still["sequence"], 1, "the directory in force is unchanged");
}
