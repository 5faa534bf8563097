//! `SyncService.restoreReport()` and `acknowledgeRestore()` (issue 16 item
//! 1), as the app calls them: a vault put back from an older copy syncs
//! against a real headquarters on loopback, and the officer is shown which
//! cases made after the copy headquarters holds, then acknowledges it.

use std::path::Path;
use std::sync::Arc;

use homeward_ffi::certificate::{
    ApplicantData, CertificateRequestData, CitizenshipEvidenceData, DocumentLossKind, SexKind,
};
use homeward_ffi::sync::LostItemKind;
use homeward_ffi::vault::{HomewardVault, VaultSettings};
use homeward_ffi::HomewardError;

const PASS: &str = "correct horse battery staple";

/// Headquarters in this process, on loopback, until dropped.
struct Hq {
    url: String,
    dir: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hq {
    fn start(dir: &Path) -> Hq {
        let hq = homeward_hq::Hq::open_with(dir, None).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                homeward_hq::serve(hq, listener, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Hq { url: format!("http://{addr}"), dir: dir.to_path_buf(), stop: Some(tx), thread: Some(thread) }
    }

    fn open(&self) -> homeward_hq::Hq {
        homeward_hq::Hq::open_with(&self.dir, None).unwrap()
    }
}

impl Drop for Hq {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
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

fn request() -> CertificateRequestData {
    CertificateRequestData {
        applicant: ApplicantData {
            surname: "Асанова".into(),
            given_name: "Айгүл".into(),
            patronymic: None,
            date_of_birth: "1994-03-12".into(),
            place_of_birth: "Ош".into(),
            sex: SexKind::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidenceData::OldPassport { number: "AN1234567".into() }],
        loss: DocumentLossKind::Lost,
        trafficking: None,
        children: vec![],
        route: "Istanbul - Bishkek (Manas)".into(),
        travel_date: "2099-12-05".into(),
        officer_assessment: "consistent account".into(),
        issuing_office: None,
        request_date: None,
    }
}

fn open(dir: &Path) -> Arc<HomewardVault> {
    let v = HomewardVault::open(dir.to_string_lossy().into_owned(), None).unwrap();
    v.unlock(PASS.into()).unwrap();
    v
}

#[test]
fn a_restored_vault_shows_its_restore_report_once_and_the_officer_acknowledges_it() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("ist");
    let copy = t.path().join("copy");
    let hq = Hq::start(&t.path().join("hq"));
    let code = hq.open().enrollment_code("IST", homeward_core::events::Role::ConsularOfficer, 15).unwrap();
    let settings = VaultSettings { kdf_memory_mib: 19, kdf_passes: 2, max_attempts: 10, unlock_delay_ms: 0 };
    let v = HomewardVault::create(dir.to_string_lossy().into_owned(), PASS.into(), settings, None).unwrap();
    let sync = v.sync_service();
    sync.enroll(hq.url.clone(), code, "phone".into(), None).unwrap();

    // Never restored: no report, nothing to acknowledge.
    assert_eq!(sync.restore_report().unwrap(), None);
    assert!(matches!(sync.acknowledge_restore(), Err(HomewardError::NotAllowed { .. })));
    v.certificates().create_request(request(), true, None).unwrap();
    assert_eq!(sync.sync(None).unwrap().restore_items, None);
    v.close_vault();
    copy_dir(&dir, &copy);

    // After the copy: a case reaches headquarters; then the copy is put back.
    let v = open(&dir);
    let lost = v.certificates().create_request(request(), true, None).unwrap().case_id;
    v.sync_service().sync(None).unwrap();
    v.close_vault();
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&copy, &dir);

    let v = open(&dir);
    v.set_officer(Some("officer-7".into()));
    let sync = v.sync_service();
    v.certificates().create_request(request(), true, None).unwrap();
    let r = sync.sync(None).expect("a restored vault syncs");
    assert!(r.rollback_detected);
    assert_eq!(r.restore_items, Some(1));
    let report = sync.restore_report().unwrap().expect("a report to show");
    assert_eq!(report.acknowledged_ms, None);
    assert_eq!(report.items.len(), 1, "{report:?}");
    let item = &report.items[0];
    assert_eq!((item.kind, item.id.as_str()), (LostItemKind::CertificateCase, lost.as_str()));
    assert!(item.recovered, "the pull brought the case back");
    assert_eq!(item.made_date.len(), 10, "{}", item.made_date);
    assert!(item.made_ms > 0 && item.received_ms >= item.made_ms - 60_000);
    assert!(!format!("{report:?}").contains("Асанова"), "ids and dates, never a name");

    // Told once: the next sync is ordinary, the report still to be shown.
    assert_eq!(sync.sync(None).unwrap().restore_items, None);
    assert!(sync.restore_report().unwrap().unwrap().acknowledged_ms.is_none());

    let acked = sync.acknowledge_restore().unwrap();
    assert!(acked.acknowledged_ms.is_some());
    assert_eq!(sync.restore_report().unwrap().unwrap().acknowledged_ms, acked.acknowledged_ms, "still readable");
    match sync.acknowledge_restore() {
        Err(HomewardError::NotAllowed { reason }) => assert!(reason.contains("restore report"), "{reason}"),
        other => panic!("acknowledged once: {other:?}"),
    }
    // Headquarters holds the acknowledgement, by the officer, in a chain
    // that verifies end to end.
    sync.sync(None).unwrap();
    let admin = hq.open();
    let device = v.certificates().device_info().unwrap().device_id.expect("enrolled");
    let held = admin.db.audit_entries(Some(&device)).unwrap();
    let chain = admin.db.audit_chain(&device).unwrap().unwrap();
    let key: [u8; 32] = hex_key(&chain.audit_key);
    homeward_core::audit::verify_chain(&held, &key).unwrap();
    let last = held.last().unwrap();
    assert_eq!(
        (last.action, last.actor.as_deref()),
        (homeward_core::audit::AuditAction::Acknowledge, Some("officer-7"))
    );
}

fn hex_key(s: &str) -> [u8; 32] {
    let b: Vec<u8> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
    b.try_into().unwrap()
}
