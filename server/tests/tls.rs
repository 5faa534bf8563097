//! TLS: headquarters serves HTTPS with a certificate from its own authority,
//! and a device trusts only the authority it pinned at enrolment.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use homeward_core::events::Role;
use homeward_core::sync::{enroll, enroll_pinned, enroll_public_pki, RetryPolicy, SyncError};
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, Secret, Vault, VaultOptions};

mod common;
use common::Server;

fn vault(dir: &std::path::Path) -> Vault {
    let o = VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    };
    Vault::create(dir, &Secret::new("correct horse battery staple"), None, o).unwrap()
}

#[test]
fn a_pinned_device_syncs_over_tls_and_refuses_any_other_certificate() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start_tls(&t.path().join("hq"));
    assert!(server.url.starts_with("https://"));
    let ca = server.ca_pem.clone().unwrap();

    // Pinned to headquarters' authority: enrols and syncs over TLS.
    let mut v = vault(&t.path().join("dev"));
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    enroll_pinned(&mut v, &server.url, &code, "tls", Some(&ca)).unwrap();
    let quick = RetryPolicy { attempts: 1, ..RetryPolicy::default() };
    let report = homeward_core::sync::sync(&mut v, quick, &|_| {}, &AtomicBool::new(false)).unwrap();
    assert!(report.progress.bytes_received > 0);

    // A device that pinned another authority (a look-alike server's, say)
    // does not talk to this server, and the code is not spent.
    let other = tempfile::tempdir().unwrap();
    let files = homeward_hq::tls::issue_server_certificate(other.path(), &["127.0.0.1".into()]).unwrap();
    let wrong = std::fs::read_to_string(files.ca).unwrap();
    let mut w = vault(&t.path().join("wrong"));
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    match enroll_pinned(&mut w, &server.url, &code, "tls", Some(&wrong)) {
        Err(SyncError::Untrusted(_)) => {}
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    // Without a pin, https is refused before anything is sent; a device
    // whose operator chose the public authorities does not find
    // headquarters' own among them.
    assert!(matches!(enroll(&mut w, &server.url, &code, "tls"), Err(SyncError::PinRequired(_))));
    assert!(matches!(enroll_public_pki(&mut w, &server.url, &code, "tls"), Err(SyncError::Untrusted(_))));
    // The code was never received, so it still works with the right pin.
    enroll_pinned(&mut w, &server.url, &code, "tls", Some(&ca)).unwrap();

    // A pin that is not a certificate is refused as such.
    let mut g = vault(&t.path().join("garbage"));
    assert!(matches!(enroll_pinned(&mut g, &server.url, "X", "tls", Some("not a pem")), Err(SyncError::BadPin(_))));
}

#[test]
fn plain_http_is_refused_beyond_this_machine() {
    let t = tempfile::tempdir().unwrap();
    let mut v = vault(&t.path().join("dev"));
    match enroll(&mut v, "http://hq.example.org:8480", "ABCD-EFGH-JKLM", "x") {
        Err(SyncError::Insecure(u)) => assert!(u.contains("hq.example.org")),
        other => panic!("expected Insecure, got {other:?}"),
    }
    assert!(matches!(enroll(&mut v, "ftp://127.0.0.1/", "A", "x"), Err(SyncError::Insecure(_))));
}
