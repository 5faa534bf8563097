#![allow(dead_code)]
//! A real homeward-hq on a loopback socket, for the integration tests, on
//! the embedded SQLite database, or on a fresh PostgreSQL database when
//! `HOMEWARD_TEST_POSTGRES` names a server (scripts/test starts one and runs
//! every server test on both backends).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex};
use homeward_core::certificate::CertificateRequest;
use homeward_core::date::{IsoDate, Today};
use homeward_core::vault::{KdfParams, LockoutPolicy, ManualClock, VaultOptions};
use homeward_hq::Hq;
use std::sync::Arc;

/// A fresh, empty PostgreSQL database on the test server, as a connection
/// string; `None` when the tests run on SQLite.
pub fn fresh_database() -> Option<String> {
    let admin = std::env::var("HOMEWARD_TEST_POSTGRES").ok().filter(|s| !s.is_empty())?;
    let name = format!("hw_{}", uuid::Uuid::new_v4().simple());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the test PostgreSQL server answers");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    Some(format!("{admin} dbname={name}"))
}

/// Which backend this run tests, for messages.
pub fn backend() -> &'static str {
    if std::env::var("HOMEWARD_TEST_POSTGRES").is_ok_and(|s| !s.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}

pub struct Server {
    pub url: String,
    pub addr: SocketAddr,
    pub dir: PathBuf,
    pub database_url: Option<String>,
    /// Headquarters' TLS authority (PEM) when serving HTTPS.
    pub ca_pem: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// A server on a new database.
    pub fn start(dir: &Path) -> Server {
        Server::start_on(dir, fresh_database())
    }

    /// A server on `database_url` (or SQLite in `dir`): a restart keeps both.
    pub fn start_on(dir: &Path, database_url: Option<String>) -> Server {
        Server::launch(dir, database_url, false)
    }

    /// A server on HTTPS with a certificate from its own TLS authority.
    pub fn start_tls(dir: &Path) -> Server {
        Server::launch(dir, fresh_database(), true)
    }

    /// The same with the TLS listener's timeouts and limits.
    pub fn start_tls_with(dir: &Path, limits: homeward_hq::tls::Limits) -> Server {
        Server::launch_with(dir, fresh_database(), true, limits)
    }

    fn launch(dir: &Path, database_url: Option<String>, tls: bool) -> Server {
        Server::launch_with(dir, database_url, tls, homeward_hq::tls::Limits::default())
    }

    /// Plain HTTP on `database_url` (or SQLite in `dir`) at `addr`: a
    /// restart where the devices enrolled (their profiles name the address).
    pub fn start_at(dir: &Path, database_url: Option<String>, addr: SocketAddr) -> Server {
        Server::launch_at(dir, database_url, false, homeward_hq::tls::Limits::default(), addr)
    }

    fn launch_with(dir: &Path, database_url: Option<String>, tls: bool, limits: homeward_hq::tls::Limits) -> Server {
        Server::launch_at(dir, database_url, tls, limits, "127.0.0.1:0".parse().unwrap())
    }

    fn launch_at(
        dir: &Path,
        database_url: Option<String>,
        tls: bool,
        limits: homeward_hq::tls::Limits,
        at: SocketAddr,
    ) -> Server {
        let hq = Hq::open_with(dir, database_url.as_deref()).unwrap();
        let acceptor = tls.then(|| {
            let files =
                homeward_hq::tls::issue_server_certificate(dir, &["localhost".into(), "127.0.0.1".into()]).unwrap();
            homeward_hq::tls::acceptor(&files.cert, &files.key).unwrap()
        });
        let ca_pem = tls.then(|| std::fs::read_to_string(homeward_hq::tls::TlsFiles::in_dir(dir).ca).unwrap());
        assert_eq!(hq.db.backend_name(), backend(), "the run must test the backend it names");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(at).await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let stop = async {
                    let _ = rx.await;
                };
                match acceptor {
                    Some(a) => homeward_hq::serve_tls_with(hq, listener, a, limits, stop).await,
                    None => homeward_hq::serve(hq, listener, stop).await,
                }
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Server {
            url: format!("{}://{addr}", if tls { "https" } else { "http" }),
            addr,
            dir: dir.to_path_buf(),
            database_url,
            ca_pem,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    /// Headquarters' admin side, on the same database.
    pub fn admin(&self) -> Hq {
        Hq::open_with(&self.dir, self.database_url.as_deref()).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
pub mod webdriver;

/// A fictional request for a Certificate of Return taken at `office`.
pub fn request(office: &str) -> homeward_core::certificate::CertificateRequest {
    CertificateRequest {
        applicant: Applicant {
            surname: "Асанова".into(),
            given_name: "Айгүл".into(),
            patronymic: None,
            date_of_birth: "1994-03-12".parse().unwrap(),
            place_of_birth: "Ош".into(),
            sex: Sex::F,
            photo_sha256: None,
            guardian: None,
            child_procedure: false,
        },
        evidence: vec![CitizenshipEvidence::NationalId { number: "ID0456123".into() }],
        loss: DocumentLoss::Stolen,
        trafficking: None,
        children: vec![],
        route: "Istanbul - Bishkek".into(),
        travel_date: IsoDate::today(),
        officer_assessment: "ok".into(),
        issuing_office: office.into(),
        request_date: IsoDate::today(),
    }
}

/// Vault options for tests: the lowest argon2id cost OWASP accepts.
pub fn options() -> homeward_core::vault::VaultOptions {
    VaultOptions {
        kdf: KdfParams::owasp_minimum(),
        lockout: LockoutPolicy::default(),
        clock: Arc::new(ManualClock::new(0)),
    }
}
