//! The staff console: the web pages ministry staff work in all day (review
//! queue and case view, devices, checklists and reference data, staff
//! accounts, the audit trail, statistics), served by headquarters itself
//! over TLS. Server-rendered HTML (askama, escaped by default), a little
//! vendored script for keyboard shortcuts, no inline script or style, every
//! form a plain POST that works without script.
//!
//! Layers: `staff`, `session`, `throttle` (who is signed in); `index` (read
//! models caught up from the logs); `suppress`, `chart` (pure: what the
//! statistics may show, and how it is drawn); `views/` (one module per
//! area: check the session and role, call `Hq`, render a template).

pub mod chart;
pub mod i18n;
pub mod index;
pub mod schema;
pub mod session;
pub mod staff;
pub mod suppress;
pub mod throttle;
mod views;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use subtle::ConstantTimeEq;

use crate::hq::{now_ms, Hq, HqError};
use i18n::{Lang, T};
use session::{SessionRow, Stage, Timeouts};
use staff::{StaffRole, StaffRow};

/// How the console is run.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// The smallest count statistics show (never below [`suppress::MIN_K`]).
    pub k: i64,
    /// Demo mode: the second-factor page shows the demo accounts' current code.
    pub demo: bool,
    pub timeouts: Timeouts,
    /// The console's time zone for dates (minutes east of UTC; Bishkek is +6 h).
    pub utc_offset_minutes: i32,
    /// SHA-256 of headquarters' TLS authority, shown with enrolment codes.
    pub ca_fingerprint: Option<String>,
    /// Sign-in attempts allowed per address in ten minutes.
    pub attempts_per_address: u32,
    /// The TLS listener's timeouts and connections per address.
    pub connection_limits: crate::tls::Limits,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            k: suppress::DEFAULT_K,
            demo: false,
            timeouts: Timeouts::default(),
            utc_offset_minutes: 360,
            ca_fingerprint: None,
            attempts_per_address: 100,
            connection_limits: crate::tls::Limits::default(),
        }
    }
}

impl ConsoleConfig {
    /// Refuses a threshold below the floor rather than quietly raising it.
    pub fn with_k(mut self, k: i64) -> Result<Self, String> {
        if k < suppress::MIN_K {
            return Err(format!("k must be at least {} (asked for {k})", suppress::MIN_K));
        }
        self.k = k;
        Ok(self)
    }
}

pub struct Console {
    pub hq: Arc<Hq>,
    pub cfg: ConsoleConfig,
    pub i18n: i18n::I18n,
    throttle: throttle::Throttle,
    /// Content-Security-Policy violation reports received (the browser tests expect none).
    pub csp_reports: AtomicU64,
}

pub type Shared = Arc<Console>;

impl Console {
    pub fn new(hq: Arc<Hq>, cfg: ConsoleConfig) -> Result<Console, HqError> {
        schema::migrate(&hq.db)?;
        let throttle = throttle::Throttle::new(cfg.attempts_per_address, 10 * 60_000);
        Ok(Console { hq, cfg, i18n: i18n::I18n::new(), throttle, csp_reports: AtomicU64::new(0) })
    }

    pub fn t(&self, lang: Lang) -> T<'_> {
        T { i18n: &self.i18n, lang, utc_offset_minutes: self.cfg.utc_offset_minutes }
    }
}

/// One request as the views see it (already off the async threads).
pub struct Req {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub addr: IpAddr,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    /// Uploaded files: (field, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The language before sign-in (cookie, else Accept-Language).
    pub lang: Lang,
}

impl Req {
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
    pub fn f(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// A required form field, trimmed and not empty.
    pub fn need(&self, name: &str) -> Result<&str, Problem> {
        self.f(name).map(str::trim).filter(|v| !v.is_empty()).ok_or(Problem::BadForm("form-field-missing"))
    }
    pub fn address(&self) -> String {
        self.addr.to_string()
    }
    pub fn agent(&self) -> String {
        self.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

/// A signed-in staff member on a page.
pub struct Me {
    pub staff: StaffRow,
    pub session: SessionRow,
    pub lang: Lang,
}

impl Me {
    /// How this person appears in headquarters' audit trail.
    pub fn actor(&self) -> String {
        format!("console:{}", self.staff.username)
    }
}

/// Why a request gets no page, each with its own clear answer.
#[derive(Debug)]
pub enum Problem {
    /// 303 to another page (after a POST, or to sign in).
    Redirect(String),
    /// No session, or it timed out: to the sign-in page, saying which.
    SignIn {
        expired: bool,
    },
    /// Signed in, but this page is for another role.
    Forbidden,
    NotFound,
    /// A malformed or incomplete form (message id).
    BadForm(&'static str),
    /// A state-changing request without the right token or from another origin.
    Csrf,
    TooMany(i64),
    /// A refusal by headquarters' rules, in its own words (e.g. a transition the fold refuses).
    Refused(String),
    Busy,
}

impl From<crate::db::DbError> for Problem {
    fn from(e: crate::db::DbError) -> Self {
        eprintln!("console: storage: {e}");
        Problem::Busy
    }
}

impl From<HqError> for Problem {
    fn from(e: HqError) -> Self {
        match e {
            HqError::Db(d) => d.into(),
            HqError::NoCase => Problem::NotFound,
            HqError::Invalid(m) | HqError::Refused(m) => Problem::Refused(m),
            HqError::BadCode | HqError::Revoked | HqError::KeyTaken | HqError::MovedOn | HqError::Unreviewed { .. } => {
                Problem::Refused(e.to_string())
            }
        }
    }
}

pub type Page = Result<Response, Problem>;

/// The routes, all under `/console/`.
pub fn router(console: Shared) -> Router {
    use axum::routing::{get, post};
    use views::*;
    Router::new()
        .route("/", get(|| async { redirect("/console/") }))
        .route("/console", get(|| async { redirect("/console/") }))
        .route("/console/", get(page(home::home)))
        .route("/console/sign-in", get(page(auth::sign_in_page)).post(form(auth::sign_in)))
        .route("/console/second-factor", get(page(auth::second_factor_page)).post(form(auth::second_factor)))
        .route("/console/setup", get(page(auth::setup_page)).post(form(auth::setup)))
        .route("/console/sign-out", post(form(auth::sign_out)))
        .route("/console/language", post(form(auth::language)))
        .route("/console/account", get(page(account::account)))
        .route("/console/account/sessions/end", post(form(account::end_session)))
        .route("/console/account/password", post(form(account::change_password)))
        .route("/console/help", get(page(account::help)))
        .route("/console/queue", get(page(review::queue)))
        .route("/console/queue/find", post(form(review::find)))
        .route("/console/cases/{case}", get(page(review::case)))
        .route("/console/cases/{case}/decision", post(form(review::decide)))
        .route("/console/cases/{case}/full-record", post(form(review::full_record)))
        .route("/console/devices", get(page(devices::list)))
        .route("/console/devices/enrolment", post(form(devices::enrolment_code)))
        .route("/console/devices/revoke", post(form(devices::revoke)))
        .route("/console/devices/unlock-code", post(form(devices::unlock_code)))
        .route("/console/checklists", get(page(publish::checklists)))
        .route("/console/checklists/upload", post(upload(publish::upload_checklist)))
        .route("/console/checklists/publish", post(form(publish::publish_checklist)))
        .route("/console/reference", get(page(publish::reference)))
        .route("/console/reference/upload", post(upload(publish::upload_reference)))
        .route("/console/reference/publish", post(form(publish::publish_reference)))
        .route("/console/staff", get(page(staff_admin::list)))
        .route("/console/staff/add", post(form(staff_admin::add)))
        .route("/console/staff/change", post(form(staff_admin::change)))
        .route("/console/audit", get(page(audit::audit)))
        .route("/console/audit/export.csv", get(page(audit::export)))
        .route("/console/audit/verify", post(form(audit::verify)))
        .route("/console/statistics", get(page(stats::statistics)))
        .route("/console/statistics/export.csv", get(page(stats::export)))
        .route("/console/assets/{file}", get(assets::asset))
        .route("/console/csp-report", post(csp_report))
        .fallback(page(home::not_found))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(console)
}

/// What every console answer carries: no inline script or style, no
/// framing, no sniffing, no referrer, TLS only, and no caching of pages.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let asset = req.uri().path().starts_with("/console/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; report-uri /console/csp-report",
    );
    set(h, "x-content-type-options", "nosniff");
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts.
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    set(h, "strict-transport-security", "max-age=63072000");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "cross-origin-resource-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
    if !asset {
        set(h, "cache-control", "no-store");
    }
    res
}

pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// An urlencoded body or query, refused (rather than mangled) when a
/// percent-escape is broken or decodes to something that is not UTF-8.
fn parse_pairs(s: &[u8]) -> Option<Vec<(String, String)>> {
    for part in s.split(|b| *b == b'&' || *b == b'=') {
        let mut out = Vec::with_capacity(part.len());
        let mut i = 0;
        while i < part.len() {
            match part[i] {
                b'%' => {
                    let hex = part.get(i + 1..i + 3)?;
                    out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                    i += 3;
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        std::str::from_utf8(&out).ok()?;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(s).ok()
}

/// The peer's address, as the server saw the connection.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl<'a> axum::extract::connect_info::Connected<axum::serve::IncomingStream<'a, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'a, crate::tls::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

fn peer(ext: &axum::http::Extensions) -> IpAddr {
    ext.get::<ConnectInfo<Peer>>().map(|c| c.0 .0.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

fn pre_lang(headers: &HeaderMap) -> Lang {
    session::cookie(headers, session::LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| Lang::negotiate(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())))
}

type View = fn(&Console, &Req) -> Page;
/// What the route adapters below return: a boxed future of the response.
type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>;

fn req_of(method: Method, uri: &Uri, headers: HeaderMap, addr: IpAddr, query: Option<String>) -> Req {
    let lang = pre_lang(&headers);
    Req {
        method,
        path: uri.path().to_string(),
        query: parse_pairs(query.unwrap_or_default().as_bytes()).unwrap_or_default(),
        headers,
        addr,
        form: vec![],
        files: vec![],
        lang,
    }
}

/// The problem page, off the async threads (it reads the session).
async fn fail(c: Shared, req: Req, p: Problem) -> Response {
    tokio::task::spawn_blocking(move || views::problem_page(&c, &req, p))
        .await
        .unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "the page failed").into_response())
}

async fn run(c: Shared, req: Req, view: View) -> Response {
    tokio::task::spawn_blocking(move || match view(&c, &req) {
        Ok(r) => r,
        Err(p) => views::problem_page(&c, &req, p),
    })
    .await
    .unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "the page failed").into_response())
}

/// A GET view.
fn page(
    view: View,
) -> impl Fn(State<Shared>, Method, Uri, HeaderMap, axum::http::Extensions, RawQuery) -> Answer + Clone + Send + Sync + 'static
{
    move |State(c), method, uri, headers, ext, RawQuery(q)| {
        let req = req_of(method, &uri, headers, peer(&ext), q);
        Box::pin(run(c, req, view))
    }
}

/// A POST view taking an urlencoded form.
fn form(
    view: View,
) -> impl Fn(State<Shared>, Method, Uri, HeaderMap, axum::http::Extensions, RawQuery, Bytes) -> Answer
       + Clone
       + Send
       + Sync
       + 'static {
    move |State(c), method, uri, headers, ext, RawQuery(q), body: Bytes| {
        let mut req = req_of(method, &uri, headers, peer(&ext), q);
        Box::pin(async move {
            match parse_pairs(&body) {
                Some(f) => {
                    req.form = f;
                    run(c, req, view).await
                }
                None => fail(c, req, Problem::BadForm("form-malformed")).await,
            }
        })
    }
}

/// Largest uploaded file (a checklist template is about 60 KiB).
pub const MAX_UPLOAD: usize = 512 * 1024;

/// A POST view taking a multipart form with a file.
fn upload(
    view: View,
) -> impl Fn(State<Shared>, Method, Uri, HeaderMap, axum::http::Extensions, axum::extract::Multipart) -> Answer
       + Clone
       + Send
       + Sync
       + 'static {
    move |State(c), method, uri, headers, ext, mut mp: axum::extract::Multipart| {
        let mut req = req_of(method, &uri, headers, peer(&ext), None);
        Box::pin(async move {
            loop {
                match mp.next_field().await {
                    Ok(Some(field)) => {
                        let name = field.name().unwrap_or("").to_string();
                        let is_file = field.file_name().is_some();
                        let mut data = Vec::new();
                        let mut field = field;
                        loop {
                            match field.chunk().await {
                                Ok(Some(chunk)) => {
                                    data.extend_from_slice(&chunk);
                                    if data.len() > MAX_UPLOAD {
                                        return fail(c, req, Problem::BadForm("upload-too-large")).await;
                                    }
                                }
                                Ok(None) => break,
                                Err(_) => return fail(c, req, Problem::BadForm("form-malformed")).await,
                            }
                        }
                        if is_file {
                            req.files.push((name, data));
                        } else {
                            req.form.push((name, String::from_utf8_lossy(&data).into_owned()));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let id = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            "upload-too-large"
                        } else {
                            "form-malformed"
                        };
                        return fail(c, req, Problem::BadForm(id)).await;
                    }
                }
            }
            run(c, req, view).await
        })
    }
}

/// A browser's report of a Content-Security-Policy violation: logged and
/// counted (there should be none).
async fn csp_report(State(c): State<Shared>, body: Bytes) -> StatusCode {
    c.csp_reports.fetch_add(1, Ordering::SeqCst);
    let text: String = String::from_utf8_lossy(&body).chars().filter(|ch| !ch.is_control()).take(600).collect();
    eprintln!("console: CSP violation reported: {text}");
    StatusCode::NO_CONTENT
}

impl Console {
    /// The signed-in person, if their session is full and their role is one of `roles`
    /// (an empty list: any role).
    pub fn me(&self, req: &Req, roles: &[StaffRole]) -> Result<Me, Problem> {
        let token = session::cookie(&req.headers, session::COOKIE).ok_or(Problem::SignIn { expired: false })?;
        let row = match session::lookup(&self.hq.db, token, now_ms(), self.cfg.timeouts)? {
            Ok(r) => r,
            Err(session::Gone::Expired) => return Err(Problem::SignIn { expired: true }),
            Err(session::Gone::None) => return Err(Problem::SignIn { expired: false }),
        };
        if row.stage != Stage::Full {
            return Err(Problem::SignIn { expired: false });
        }
        let staff = staff::by_id(&self.hq.db, &row.staff_id)?.ok_or(Problem::SignIn { expired: false })?;
        if staff.disabled {
            session::end_all(&self.hq.db, &staff.id, now_ms())?;
            return Err(Problem::SignIn { expired: false });
        }
        let lang = Lang::parse(&staff.language).unwrap_or(Lang::Ru);
        let me = Me { staff, session: row, lang };
        if !roles.is_empty() && !roles.contains(&me.staff.role) {
            return Err(Problem::Forbidden);
        }
        Ok(me)
    }

    /// The same for a state-changing POST: it must come from this origin
    /// (Fetch Metadata, else Origin) and carry the session's CSRF token.
    pub fn me_post(&self, req: &Req, roles: &[StaffRole]) -> Result<Me, Problem> {
        same_origin(req)?;
        let me = self.me(req, roles)?;
        let sent = req.f("csrf").unwrap_or("");
        if !bool::from(sent.as_bytes().ct_eq(me.session.csrf.as_bytes())) {
            return Err(Problem::Csrf);
        }
        Ok(me)
    }
}

/// A POST must come from a page of this console: `Sec-Fetch-Site:
/// same-origin` where the browser sends it, and an `Origin` equal to this
/// host where it is sent; a request with neither is refused.
pub fn same_origin(req: &Req) -> Result<(), Problem> {
    let h = |k: &str| req.headers.get(k).and_then(|v| v.to_str().ok());
    let site = h("sec-fetch-site");
    let origin = h("origin");
    if let Some(site) = site {
        if site != "same-origin" {
            return Err(Problem::Csrf);
        }
    }
    match (origin, h("host")) {
        (Some(o), Some(host)) if o == format!("https://{host}") => Ok(()),
        (Some(_), _) => Err(Problem::Csrf),
        (None, _) if site.is_some() => Ok(()),
        (None, _) => Err(Problem::Csrf),
    }
}
