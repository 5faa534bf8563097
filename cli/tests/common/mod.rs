//! What the CLI tests share: the `homeward` binary run on a vault directory
//! with the test passphrase, and its answers read as JSON.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const PASS: &str = "a long enough field passphrase";

/// `homeward --data-dir DIR ARGS...`, the passphrase from the environment.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HOMEWARD_PASSPHRASE", PASS)
        .env_remove("HOMEWARD_DIR")
        .output()
        .unwrap()
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// The output of a command that must succeed.
pub fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// A consulate's certificate request for Асанова Айгүл, lost passport, as a
/// request file.
pub const REQUEST: &str = r#"{
  "applicant": {"surname": "Асанова", "given_name": "Айгүл", "date_of_birth": "1994-03-12",
                "place_of_birth": "Ош", "sex": "f"},
  "evidence": [{"type": "old_passport", "number": "AN1234567"}],
  "loss": "lost",
  "children": [],
  "route": "Istanbul - Bishkek (Manas)",
  "travel_date": "2099-12-05",
  "officer_assessment": "consistent account"
}"#;

/// Headquarters in this process, on loopback, until dropped.
pub struct Hq {
    pub url: String,
    dir: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hq {
    pub fn start(dir: &Path) -> Hq {
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

    /// A one-time enrolment code for a consular officer at IST.
    pub fn code(&self) -> String {
        let hq = homeward_hq::Hq::open_with(&self.dir, None).unwrap();
        hq.enrollment_code("IST", homeward_core::events::Role::ConsularOfficer, 15).unwrap()
    }

    /// Headquarters' own handle on its data directory, beside the server.
    pub fn open(&self) -> homeward_hq::Hq {
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
