//! `homeward forward` as officers would use it (docs/PROTOCOL.md, "Store and
//! forward"): a post without a link exports its screenings as a sealed
//! bundle (a file, QR frames as text and as PNG images); a supervisor of
//! the same office imports it (from images, some lost) and forwards it at
//! its sync; headquarters takes it once; the receipt goes back by file.
//! Refusals come with their reason in `--json`.

mod common;

use std::path::Path;
use std::process::Output;

use common::{json, ok, run, Hq};
use homeward_core::events::Role;

fn json_run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    run(dir, &all)
}

fn device(dir: &Path, hq: &Hq, office: &str, role: Role) {
    ok(run(dir, &["init", "--kdf-memory-mib", "19", "--kdf-passes", "2"]));
    ok(run(dir, &["enroll", &hq.url, &hq.code_for(office, role)]));
}

/// `n` finalised screenings at the crossing, from answers files.
fn screen(dir: &Path, n: usize) {
    for i in 0..n {
        let answers = dir.join(format!("answers-{i}.json"));
        std::fs::write(
            &answers,
            serde_json::json!({
                "crossing_point": "OSH-AIRPORT",
                "language": "ru",
                "answers": { "appears_minor": "no", "documents": "own", "recruited": "no" },
                "finalise": true
            })
            .to_string(),
        )
        .unwrap();
        let s = json(&ok(json_run(dir, &["screening", "new", "--answers", answers.to_str().unwrap()])));
        assert_eq!(s["state"], "final", "{s}");
    }
}

fn held_at_hq(hq: &Hq) -> usize {
    hq.admin().db.screening_events().unwrap().len()
}

/// A refusal: exit code, `kind` and `reason` in `--json`.
fn refused(out: Output, code: i32, kind: &str, reason: &str) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stdout));
    let j = json(&out);
    assert_eq!(j["error"]["kind"], kind, "{j}");
    assert_eq!(j["error"]["reason"], reason, "{j}");
    j["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn a_bundle_crosses_by_qr_images_is_forwarded_once_and_its_receipt_comes_back_by_file() {
    let t = tempfile::tempdir().unwrap();
    let hq = Hq::start(&t.path().join("hq"));
    let post = t.path().join("post");
    let sup = t.path().join("sup");
    device(&post, &hq, "OSH", Role::BorderGuard);
    device(&sup, &hq, "OSH", Role::BorderGuard);
    screen(&post, 3);

    let (bundle, frames, images) = (t.path().join("bundle.json"), t.path().join("frames.txt"), t.path().join("qr"));
    let e = json(&ok(json_run(
        &post,
        &[
            "forward",
            "export",
            "--out",
            bundle.to_str().unwrap(),
            "--frames",
            frames.to_str().unwrap(),
            "--qr-dir",
            images.to_str().unwrap(),
        ],
    )));
    assert_eq!(e["events"], 3, "{e}");
    let (made, needed) = (e["frames"].as_u64().unwrap(), e["frames_needed"].as_u64().unwrap());
    assert!(made > needed, "{e}");
    assert_eq!(std::fs::read_dir(&images).unwrap().count() as u64, made);
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(!text.contains("OSH-AIRPORT"), "the carrier sees no report in clear");
    // A file already there is not overwritten.
    let again = json_run(&post, &["forward", "export", "--out", bundle.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(22));

    // The camera missed every third image; the rest read in any order.
    let mut n = 0;
    for entry in std::fs::read_dir(&images).unwrap() {
        n += 1;
        if n % 3 == 0 {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
    }
    let i = json(&ok(json_run(&sup, &["forward", "import", "--qr-dir", images.to_str().unwrap()])));
    assert_eq!(i["events"], 3, "{i}");
    assert_eq!(i["bundle_id"], e["bundle_id"]);
    // The same bundle by file now: replayed.
    refused(json_run(&sup, &["forward", "import", bundle.to_str().unwrap()]), 90, "bundle_refused", "replayed");
    let l = json(&ok(json_run(&sup, &["forward", "list"])));
    assert_eq!(l["carried"][0]["state"], "pending", "{l}");

    // A second hop: the supervisor passes it on to the office PC.
    let pc = t.path().join("pc");
    device(&pc, &hq, "OSH", Role::BorderGuard);
    let relay = t.path().join("relay.json");
    let id = e["bundle_id"].as_str().unwrap();
    ok(run(&sup, &["forward", "pass-on", id, "--out", relay.to_str().unwrap()]));
    ok(run(&pc, &["forward", "import", relay.to_str().unwrap()]));
    refused(json_run(&sup, &["forward", "pass-on", "fwd-none", "--out", "x"]), 90, "bundle_refused", "not_carried");

    let s = json(&ok(json_run(&sup, &["sync"])));
    assert_eq!(s["forwarded"], 1, "{s}");
    assert_eq!(held_at_hq(&hq), 3);
    let s = json(&ok(json_run(&pc, &["sync"])));
    assert_eq!(s["forwarded"], 1, "the same receipt: {s}");
    assert_eq!(held_at_hq(&hq), 3, "once, over two hops");
    let text = String::from_utf8(ok(run(&sup, &["forward", "list"])).stdout).unwrap();
    assert!(text.contains("delivered"), "{text}");

    // The receipt goes back by file; the post's outbox empties offline.
    let receipts = t.path().join("receipts.json");
    ok(run(&sup, &["forward", "receipts", "--out", receipts.to_str().unwrap()]));
    let a = json(&ok(json_run(&post, &["forward", "import", receipts.to_str().unwrap()])));
    assert_eq!((a["applied"].as_u64(), a["accepted"].as_u64()), (Some(1), Some(3)), "{a}");
    let l = json(&ok(json_run(&post, &["forward", "list"])));
    assert!(l["waiting_for_receipt"].as_array().unwrap().is_empty(), "{l}");
    // The post's next sync sends nothing again.
    let s = json(&ok(json_run(&post, &["sync"])));
    assert_eq!((s["accepted"].as_u64(), s["progress"]["events_to_send"].as_u64()), (Some(0), Some(0)), "{s}");
    assert_eq!(held_at_hq(&hq), 3);

    // Nothing left: exporting says so.
    refused(
        json_run(&post, &["forward", "export", "--out", t.path().join("b2").to_str().unwrap()]),
        90,
        "bundle_refused",
        "empty",
    );
}

#[test]
fn altered_truncated_mixed_and_foreign_bundles_are_refused_with_their_reason() {
    let t = tempfile::tempdir().unwrap();
    let hq = Hq::start(&t.path().join("hq"));
    let other_hq = Hq::start(&t.path().join("hq2"));
    let (post, sup, ist, far) =
        (t.path().join("post"), t.path().join("sup"), t.path().join("ist"), t.path().join("far"));
    device(&post, &hq, "OSH", Role::BorderGuard);
    device(&sup, &hq, "OSH", Role::BorderGuard);
    device(&ist, &hq, "IST", Role::ConsularOfficer);
    device(&far, &other_hq, "OSH", Role::BorderGuard);
    screen(&post, 2);
    let bundle = t.path().join("bundle.json");
    let frames_a = t.path().join("a.txt");
    ok(run(&post, &["forward", "export", "--out", bundle.to_str().unwrap(), "--frames", frames_a.to_str().unwrap()]));
    screen(&post, 1);
    let frames_b = t.path().join("b.txt");
    ok(run(&post, &["forward", "export", "--frames", frames_b.to_str().unwrap()]));
    let text = std::fs::read_to_string(&bundle).unwrap();

    // Altered: the count in the header.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["events"] = 1.into();
    let altered = t.path().join("altered.json");
    std::fs::write(&altered, v.to_string()).unwrap();
    let m = refused(json_run(&sup, &["forward", "import", altered.to_str().unwrap()]), 90, "bundle_refused", "altered");
    assert!(m.contains("altered"), "{m}");

    // Truncated.
    let cut = t.path().join("cut.json");
    std::fs::write(&cut, &text[..text.len() * 2 / 3]).unwrap();
    let m = refused(json_run(&sup, &["forward", "import", cut.to_str().unwrap()]), 90, "bundle_refused", "malformed");
    assert!(m.contains("truncated"), "{m}");

    // Frames of two bundles mixed: a clear error, nothing imported.
    let a = std::fs::read_to_string(&frames_a).unwrap();
    let b = std::fs::read_to_string(&frames_b).unwrap();
    let mixed = t.path().join("mixed.txt");
    std::fs::write(&mixed, format!("{}\n{}\n{a}", a.lines().next().unwrap(), b.lines().next().unwrap())).unwrap();
    let m = refused(
        json_run(&sup, &["forward", "import", "--frames", mixed.to_str().unwrap()]),
        91,
        "frames_refused",
        "mixed_bundles",
    );
    assert!(m.contains("another bundle"), "{m}");
    // Too few frames: says how many came.
    let few = t.path().join("few.txt");
    std::fs::write(&few, a.lines().next().unwrap()).unwrap();
    refused(
        json_run(&sup, &["forward", "import", "--frames", few.to_str().unwrap()]),
        91,
        "frames_refused",
        "incomplete",
    );

    // Another office's device, another headquarters' device.
    refused(json_run(&ist, &["forward", "import", bundle.to_str().unwrap()]), 90, "bundle_refused", "other_office");
    refused(
        json_run(&far, &["forward", "import", bundle.to_str().unwrap()]),
        90,
        "bundle_refused",
        "other_headquarters",
    );
    let l = json(&ok(json_run(&sup, &["forward", "list"])));
    assert!(l["carried"].as_array().unwrap().is_empty(), "nothing refused was kept: {l}");

    // The genuine one, from its frames, goes through.
    ok(run(&sup, &["forward", "import", "--frames", frames_a.to_str().unwrap()]));
    assert_eq!(json(&ok(json_run(&sup, &["sync"])))["forwarded"], 1);
    assert_eq!(held_at_hq(&hq), 2);
}
