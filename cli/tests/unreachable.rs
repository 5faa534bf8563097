//! `homeward enroll` and `homeward sync` when headquarters is down (issue
//! 16 item 6): a refused connection is answered at the first attempt, in
//! one sentence without the transport's error chain (text and `--json`),
//! and nothing is lost: the outbox is as it was and the next sync sends it.

mod common;

use std::path::Path;
use std::process::Output;

use common::{json, ok, run, Hq, PASS, REQUEST};
use homeward_core::certificate::{CertificateCases, DeviceProfile};
use homeward_core::vault::{KdfParams, Secret, Vault, VaultOptions};

/// A loopback port bound (nothing else can take it) but not listening: a
/// connect is refused, as by a headquarters that is down.
fn closed_port() -> (tokio::net::TcpSocket, String) {
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}", s.local_addr().unwrap());
    (s, url)
}

fn json_run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    run(dir, &all)
}

/// A refusal for being unreachable: exit 70, one plain line on stderr in
/// text mode; `kind: network`, the failure and the attempts in JSON.
fn assert_unreachable(dir: &Path, args: &[&str]) {
    let text = run(dir, args);
    assert_eq!(text.status.code(), Some(70), "{text:?}");
    let err = String::from_utf8_lossy(&text.stderr);
    let lines: Vec<_> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    // `sync` draws its progress line first; the error is the last line.
    let message = lines.last().expect("an error line");
    assert!(message.starts_with("error: headquarters is not answering"), "{err}");
    assert!(message.contains("after 1 attempt(s)") && message.contains("nothing was lost"), "{err}");
    for noise in ["os error", "error sending request", "tcp connect", "Connection refused", "client error"] {
        assert!(!err.contains(noise), "{noise:?} in {err}");
    }
    assert_eq!(lines.iter().filter(|l| l.starts_with("error:")).count(), 1, "{err}");

    let j = json_run(dir, args);
    assert_eq!(j.status.code(), Some(70));
    let j = json(&j);
    assert_eq!(j["error"]["kind"], "network", "{j}");
    assert_eq!(j["error"]["failure"]["kind"], "refused", "{j}");
    assert_eq!(j["error"]["attempts"], 1, "{j}");
    assert!(!j["error"]["message"].as_str().unwrap().contains("os error"), "{j}");
}

fn set_server(dir: &Path, url: &str) {
    let mut v = Vault::open(dir, VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() }).unwrap();
    v.unlock(&Secret::new(PASS), None).unwrap();
    let mut p = DeviceProfile::load(&v).unwrap();
    p.server_url = Some(url.to_string());
    p.save(&mut v).unwrap();
}

fn outbox(dir: &Path) -> Vec<String> {
    let mut v = Vault::open(dir, VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() }).unwrap();
    v.unlock(&Secret::new(PASS), None).unwrap();
    CertificateCases::new(&mut v).outbox().unwrap().into_iter().map(|e| e.id).collect()
}

#[test]
fn enroll_and_sync_with_headquarters_down_say_so_at_once_and_lose_nothing() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("ist");
    ok(run(&dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    let hq = Hq::start(&t.path().join("hq"));
    let code = hq.code();
    let (_held, down) = closed_port();

    // Enrolment to a headquarters that is down: refused at once; the code
    // was not used, so it still enrols once headquarters answers.
    assert_unreachable(&dir, &["enroll", &down, &code]);
    ok(run(&dir, &["enroll", &hq.url, &code]));

    let req = t.path().join("request.json");
    std::fs::write(&req, REQUEST).unwrap();
    ok(json_run(&dir, &["certificate", "request", "--file", req.to_str().unwrap(), "--submit"]));
    let before = outbox(&dir);
    assert_eq!(before.len(), 2, "created and submitted");

    // Headquarters' address answers nothing: one sentence, nothing lost.
    set_server(&dir, &down);
    assert_unreachable(&dir, &["sync"]);
    assert_eq!(outbox(&dir), before);

    // Headquarters answers again: the next sync sends what waited.
    set_server(&dir, &hq.url);
    let synced = json(&ok(json_run(&dir, &["sync"])));
    assert_eq!(synced["accepted"], 2, "{synced}");
    assert_eq!(synced["retries"], 0, "{synced}");
    assert!(outbox(&dir).is_empty());
}
