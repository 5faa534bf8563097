//! README's main job in a real browser: `homeward-demo` seeds itself
//! through two simulated devices, and headless Chromium loads the dashboard.
//! Needs `chromium` (scripts/test installs it and sets
//! HOMEWARD_REQUIRE_BROWSER, so there the test cannot skip).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
        .map(|b| b.to_string())
}

#[test]
fn the_demo_dashboard_loads_in_a_real_browser_and_shows_no_personal_data() {
    let Some(browser) = chromium() else {
        assert!(std::env::var("HOMEWARD_REQUIRE_BROWSER").is_err(), "chromium is required here but missing");
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeward-demo"))
        .arg("--data-dir")
        .arg(t.path())
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.split_whitespace().find(|w| w.starts_with("http://")).expect("the demo prints its address").to_string();
    let out = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--timeout=20000",
            "--dump-dom",
            &url,
        ])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("Homeward headquarters — demo"), "the page loaded: {dom}");
    // The walkthrough, both devices, the case carried through to entry, the screenings.
    assert_eq!(dom.matches("<li>").count(), 7, "seven steps: {dom}");
    assert!(dom.contains("ConsularOfficer") && dom.contains("BorderGuard"));
    assert!(dom.contains("<td class=\"state\">Entered</td>"), "{dom}");
    assert!(dom.contains("presumed_victim") && dom.contains("no_indicators"));
    // No personal data: the fictional applicant's name never reaches the page.
    assert!(!dom.contains("Вымышленная") && !dom.contains("Демо"), "personal data on the dashboard");
}
