#![allow(dead_code)]
//! A small W3C WebDriver client over blocking HTTP, enough to drive the
//! system's headless Chromium through chromedriver: open pages, find
//! elements, type, click, read, run scripts, take screenshots. (The wire
//! protocol is a handful of JSON calls; a full client crate would bring an
//! async stack the tests do not otherwise need.)

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

pub fn chromedriver() -> Option<String> {
    ["chromedriver", "chromium-driver"]
        .iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
        .map(|b| b.to_string())
}

pub struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Debug, Clone)]
pub struct El(pub String);

impl Driver {
    /// chromedriver on a free port, and one headless Chromium session that
    /// accepts headquarters' own TLS authority (tests have no CA store).
    pub fn start(lang: &str) -> Driver {
        let bin = chromedriver().expect("chromedriver is installed");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "acceptInsecureCerts": true,
            "goog:chromeOptions": {"args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", format!("--lang={lang}"), "--force-device-scale-factor=1",
                "--disable-extensions", "--no-first-run", "--password-store=basic"
            ], "prefs": {"intl.accept_languages": lang}}
        }}});
        let r: Value = http.post(format!("{base}/session")).json(&caps).send().unwrap().json().unwrap();
        let session = r["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {r}")).to_string();
        Driver { child, base, session, http }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r: Value = req.send().unwrap().json().unwrap();
        if let Some(err) = r["value"].get("error") {
            panic!("webdriver {path}: {err} {}", r["value"]["message"]);
        }
        r["value"].clone()
    }

    fn try_call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r: Value = req.send().map_err(|e| e.to_string())?.json().map_err(|e| e.to_string())?;
        match r["value"].get("error") {
            Some(e) => Err(e.to_string()),
            None => Ok(r["value"].clone()),
        }
    }

    pub fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).as_str().unwrap_or("").to_string()
    }

    pub fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None).as_str().unwrap_or("").to_string()
    }

    /// The visible text of the page.
    pub fn text(&self) -> String {
        self.exec("return document.body.innerText", json!([])).as_str().unwrap_or("").to_string()
    }

    pub fn find(&self, css: &str) -> El {
        match self.try_call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))) {
            Ok(v) => El(v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element id in {v}")).to_string()),
            Err(e) => panic!("no element {css} ({e}) on {}:\n{}", self.url(), self.text()),
        }
    }

    pub fn find_opt(&self, css: &str) -> Option<El> {
        self.try_call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css})))
            .ok()
            .and_then(|v| v[ELEMENT].as_str().map(|s| El(s.to_string())))
    }

    pub fn find_all(&self, css: &str) -> Vec<El> {
        self.call(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css})))
            .as_array()
            .map(|a| a.iter().filter_map(|v| v[ELEMENT].as_str().map(|s| El(s.to_string()))).collect())
            .unwrap_or_default()
    }

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.call(reqwest::Method::POST, &format!("/element/{}/click", e.0), Some(json!({})));
    }

    pub fn clear(&self, css: &str) {
        let e = self.find(css);
        self.call(reqwest::Method::POST, &format!("/element/{}/clear", e.0), Some(json!({})));
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call(reqwest::Method::POST, &format!("/element/{}/value", e.0), Some(json!({ "text": text })));
    }

    /// Sends a file path to an `<input type=file>`.
    pub fn upload(&self, css: &str, path: &std::path::Path) {
        self.type_into(css, &path.display().to_string());
    }

    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let e = self.find(css);
        self.call(reqwest::Method::GET, &format!("/element/{}/attribute/{name}", e.0), None)
            .as_str()
            .map(str::to_string)
    }

    /// Presses keys on whatever has focus (W3C actions; "\u{E007}" is Enter, "\u{E004}" Tab).
    pub fn keys(&self, keys: &str) {
        let mut actions = vec![];
        for ch in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": ch.to_string()}));
            actions.push(json!({"type": "keyUp", "value": ch.to_string()}));
        }
        self.call(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "kb", "actions": actions}]})),
        );
        self.call(reqwest::Method::DELETE, "/actions", None);
    }

    pub fn exec(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    /// A screenshot of the whole page (resized to its height first), as PNG.
    pub fn screenshot(&self, path: &std::path::Path) {
        let h = self
            .exec("return Math.min(6000, Math.max(document.documentElement.scrollHeight, 700))", json!([]))
            .as_i64()
            .unwrap_or(1000);
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({"width": 1400, "height": h + 100})));
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap_or("")).unwrap();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({"width": 1400, "height": 1000})));
    }

    pub fn cookies(&self) -> Vec<Value> {
        self.call(reqwest::Method::GET, "/cookie", None).as_array().cloned().unwrap_or_default()
    }

    pub fn delete_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None);
    }

    /// Waits until `f` holds (the page may still be loading), at most 10 s.
    pub fn wait_for(&self, what: &str, f: impl Fn(&Driver) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !f(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what} on {}:\n{}", self.url(), self.text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
