//! A property: whatever the interleaving of devices working offline, syncing
//! in any order, and headquarters deciding meanwhile, once everyone has
//! synced every replica folds every case to the same view as headquarters
//! (same events, same order, same state, same conflicts).

use homeward_core::date::Today;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::{CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile};
use homeward_core::date::IsoDate;
use homeward_core::events::Role;
use homeward_core::sync::RetryPolicy;
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};
use proptest::prelude::*;

mod common;
use common::Server;

const DEVICES: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// Device d takes a new request and submits it.
    Create(usize),
    /// Device d syncs.
    Sync(usize),
    /// Headquarters decides on the k-th case it holds.
    Decide(usize, u8),
    /// Device d issues (or cancels) the k-th case it holds, as it sees it.
    Act(usize, usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..DEVICES).prop_map(Op::Create),
        4 => (0..DEVICES).prop_map(Op::Sync),
        3 => (0usize..8, 0u8..5).prop_map(|(k, d)| Op::Decide(k, d)),
        2 => (0..DEVICES, 0usize..8, any::<bool>()).prop_map(|(d, k, i)| Op::Act(d, k, i)),
    ]
}

fn request() -> CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: "Абдыкадырова".into(),
            given_name: "Жылдыз".into(),
            patronymic: None,
            date_of_birth: "1992-05-05".parse().unwrap(),
            place_of_birth: "Каракол".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::VerificationRequested],
        loss: DocumentLoss::Stolen,
        trafficking: None,
        children: vec![],
        route: "Dubai - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "ok".into(),
        issuing_office: "DXB".into(),
        request_date: IsoDate::today(),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn sync(v: &mut Vault) {
    let quick = RetryPolicy { attempts: 2, base: std::time::Duration::from_millis(5), ..RetryPolicy::default() };
    homeward_core::sync::sync(v, quick, &|_| {}, &AtomicBool::new(false)).unwrap();
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let hq = server.admin();
    let options = || VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    let mut devices: Vec<Vault> = (0..DEVICES)
        .map(|i| {
            let mut v = Vault::create(
                &t.path().join(format!("d{i}")),
                &Secret::new("correct horse battery staple"),
                None,
                options(),
            )
            .unwrap();
            let code = hq.enrollment_code("DXB", Role::ConsularOfficer, 15).unwrap();
            homeward_core::sync::enroll(&mut v, &server.url, &code, "prop").unwrap();
            v
        })
        .collect();
    let ids: Vec<_> = devices.iter().map(|v| DeviceProfile::load(v).unwrap().identity().unwrap()).collect();
    for op in ops {
        match *op {
            Op::Create(d) => {
                let c = CertificateCases::new(&mut devices[d]).create(&ids[d], request(), now_ms()).unwrap().case_id;
                CertificateCases::new(&mut devices[d])
                    .record(&ids[d], &c, CertificateEvent::Submitted, now_ms())
                    .unwrap();
            }
            Op::Sync(d) => sync(&mut devices[d]),
            Op::Decide(k, which) => {
                let cases = hq.db.case_ids().unwrap();
                if cases.is_empty() {
                    continue;
                }
                let body = match which {
                    0 => CertificateEvent::IdentityVerified { note: "ok".into() },
                    1 => CertificateEvent::MoreInformationRequested { question: "which district?".into() },
                    2 | 3 => CertificateEvent::Approved { validity_days: 30 },
                    _ => CertificateEvent::Rejected { reason: "no match".into() },
                };
                // Refused decisions (not a valid transition now) change nothing.
                let _ = hq.decide(&cases[k % cases.len()], body);
            }
            Op::Act(d, k, issue) => {
                let list = CertificateCases::new(&mut devices[d]).list().unwrap();
                if list.is_empty() {
                    continue;
                }
                let case = list[k % list.len()].case_id.clone();
                let mut cases = CertificateCases::new(&mut devices[d]);
                // Offline, on what the device knows; may be refused locally or,
                // later, by headquarters (then it stays here, marked).
                let _ = if issue {
                    cases.issue(&ids[d], &case, None, IsoDate::today(), now_ms()).map(|_| ())
                } else {
                    cases
                        .record(&ids[d], &case, CertificateEvent::Cancelled { reason: "withdrawn".into() }, now_ms())
                        .map(|_| ())
                };
            }
        }
    }
    // Everyone syncs: pushes first, then a round that pulls what the others pushed.
    for _ in 0..2 {
        for v in devices.iter_mut() {
            sync(v);
        }
    }
    let keys = hq.key_ring().unwrap();
    for case in hq.db.case_ids().unwrap() {
        let at_hq = hq.db.case_events(&case).unwrap();
        let want = homeward_core::certificate::fold(&case, &at_hq, &keys);
        for (i, v) in devices.iter_mut().enumerate() {
            let got = CertificateCases::new(v).view(&case).unwrap();
            prop_assert_eq!(&got.history, &want.history, "device {} case {}", i, case);
            prop_assert_eq!(got.state, want.state);
            prop_assert_eq!(&got.conflict, &want.conflict);
        }
    }
    // And no device holds a case headquarters does not.
    for v in devices.iter_mut() {
        for c in CertificateCases::new(v).list().unwrap() {
            prop_assert!(!hq.db.case_events(&c.case_id).unwrap().is_empty(), "a case lost on the way: {}", c.case_id);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn every_replica_converges_whatever_the_interleaving(ops in proptest::collection::vec(op(), 5..30)) {
        run(&ops)?;
    }
}
