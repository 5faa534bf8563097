//! Issue 18, findings 4 to 12: each attack from the review, made for real
//! against a server on a loopback socket (SQLite, or PostgreSQL when
//! `HOMEWARD_TEST_POSTGRES` is set), and refused.

use std::sync::{Arc, Barrier};

use homeward_core::events::{DeviceIdentity, Role};
use homeward_core::random::OsRng;
use homeward_core::sync::protocol::EnrollRequest;

mod common;
use common::Server;

#[allow(dead_code)]
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn new_key() -> String {
    hex::encode(DeviceIdentity::generate("k", Role::ConsularOfficer, "IST", &mut OsRng).public_key())
}

/// POSTs a raw body to `path`, with extra headers; (status, body as text).
fn post(url: &str, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = reqwest::blocking::Client::new().post(format!("{url}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.body(body).send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

fn enroll_raw(url: &str, code: &str, key: &str, label: &str) -> (u16, String) {
    let body =
        serde_json::to_vec(&EnrollRequest { code: code.into(), public_key: key.into(), label: label.into() }).unwrap();
    post(url, "/v1/enroll", body, &[("content-type", "application/json")])
}

/// Finding 6: enrolments racing for an office's next device number each
/// get their own (certificate numbers embed it), and a key enrolled twice
/// is refused clearly without spending the second code.
#[test]
fn concurrent_enrolments_get_distinct_numbers_and_a_reused_key_keeps_the_code() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let admin = server.admin();
    let codes: Vec<String> =
        (0..12).map(|_| admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap()).collect();
    let start = Arc::new(Barrier::new(codes.len()));
    let threads: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let (url, start) = (server.url.clone(), start.clone());
            std::thread::spawn(move || {
                let key = new_key();
                start.wait();
                enroll_raw(&url, &code, &key, "racer")
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for th in threads {
        let (status, body) = th.join().unwrap();
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        numbers.push(v["device_no"].as_u64().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=12).collect::<Vec<u64>>(), "every device its own number ({})", common::backend());
    let stored: Vec<u16> = admin.db.devices().unwrap().iter().map(|d| d.device_no).collect();
    assert_eq!(stored.len(), 12);
    assert_eq!(stored.iter().collect::<std::collections::BTreeSet<_>>().len(), 12);

    // The same key again, with a fresh code: a clear refusal, not a 503 ...
    let key = new_key();
    let first = admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    assert_eq!(enroll_raw(&server.url, &first, &key, "a").0, 200);
    let second = admin.enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let (status, body) = enroll_raw(&server.url, &second, &key, "b");
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("key_enrolled"), "{body}");
    // ... and the code still works for a device with its own key.
    let (status, body) = enroll_raw(&server.url, &second, &new_key(), "c");
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["device_no"], 14);
}

/// Finding 4: a small zstd body that inflates to 32 MiB is refused as too
/// large before anything is parsed, and so is a plain body over the cap;
/// both as typed JSON refusals.
#[test]
fn an_enrolment_zstd_bomb_is_refused_before_it_is_inflated_far() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("hq"));
    let bomb = zstd::encode_all(std::io::Read::take(std::io::repeat(b' '), 32 * 1024 * 1024), 3).unwrap();
    assert!(bomb.len() < 4096, "a real bomb: {} bytes", bomb.len());
    let started = std::time::Instant::now();
    let (status, body) =
        post(&server.url, "/v1/enroll", bomb, &[("content-encoding", "zstd"), ("content-type", "application/json")]);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"too_large\""), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());

    // A frame that asks the decoder for a 64 MiB window is not decoded at all.
    let mut big_window = Vec::new();
    {
        let mut enc = zstd::stream::write::Encoder::new(&mut big_window, 3).unwrap();
        enc.window_log(26).unwrap();
        std::io::Write::write_all(&mut enc, b"{}").unwrap();
        enc.finish().unwrap();
    }
    let (status, body) = post(&server.url, "/v1/enroll", big_window, &[("content-encoding", "zstd")]);
    assert_eq!(status, 413, "{body}");

    // A plain body over the enrolment cap.
    let (status, body) = post(&server.url, "/v1/enroll", vec![b' '; 64 * 1024], &[]);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"too_large\""), "{body}");

    // An honest enrolment still fits.
    let code = server.admin().enrollment_code("IST", Role::ConsularOfficer, 15).unwrap();
    let req = serde_json::to_vec(&EnrollRequest { code, public_key: new_key(), label: "phone".into() }).unwrap();
    let (status, body) =
        post(&server.url, "/v1/enroll", zstd::encode_all(req.as_slice(), 3).unwrap(), &[("content-encoding", "zstd")]);
    assert_eq!(status, 200, "{body}");
}
