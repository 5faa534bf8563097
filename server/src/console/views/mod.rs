//! The console's pages, one module per area. Each view checks the session
//! and role (`Console::me` / `me_post`), asks `Hq` or the read models, and
//! renders a template; errors become [`problem_page`].

pub mod account;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod devices;
pub mod home;
pub mod publish;
pub mod review;
pub mod staff_admin;
pub mod stats;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::i18n::{Lang, T};
use super::staff::StaffRole;
use super::{redirect, Console, Me, Page, Problem, Req};

pub struct Nav {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every page shows around its content.
pub struct Chrome<'a> {
    pub t: T<'a>,
    pub title: String,
    /// (display name, role) when signed in.
    pub user: Option<(String, String)>,
    pub nav: Vec<Nav>,
    pub csrf: String,
    pub flash: Option<String>,
    pub error: Option<String>,
    pub demo: bool,
    pub langs: Vec<(&'static str, &'static str, bool)>,
    pub path: String,
}

pub fn role_label(t: &T<'_>, r: StaffRole) -> String {
    t.s(&format!("role-{}", r.code()))
}

/// The pages a role works in, in the order of its menu.
pub fn nav_for(role: StaffRole) -> &'static [(&'static str, &'static str)] {
    match role {
        StaffRole::Reviewer => &[("/console/queue", "nav-queue")],
        StaffRole::Administrator => &[
            ("/console/devices", "nav-devices"),
            ("/console/checklists", "nav-checklists"),
            ("/console/reference", "nav-reference"),
            ("/console/staff", "nav-staff"),
        ],
        StaffRole::Analyst => &[("/console/statistics", "nav-statistics")],
        StaffRole::Auditor => &[("/console/audit", "nav-audit")],
    }
}

impl Console {
    /// The chrome of a page for `me` (or for a visitor not signed in).
    pub fn chrome<'a>(&'a self, req: &Req, me: Option<&Me>, title_id: &str) -> Chrome<'a> {
        let lang = me.map(|m| m.lang).unwrap_or(req.lang);
        let t = self.t(lang);
        let mut nav = vec![Nav { href: "/console/", label: t.s("nav-home"), current: req.path == "/console/" }];
        if let Some(m) = me {
            for (href, id) in nav_for(m.staff.role) {
                nav.push(Nav { href, label: t.s(id), current: req.path.starts_with(href) });
            }
            nav.push(Nav { href: "/console/help", label: t.s("nav-help"), current: req.path == "/console/help" });
        }
        let flash = req
            .q("done")
            .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(|d| t.s(&format!("done-{d}")));
        Chrome {
            t,
            title: t.s(title_id),
            user: me.map(|m| (m.staff.display_name.clone(), role_label(&t, m.staff.role))),
            nav: if me.is_some() { nav } else { vec![] },
            csrf: me.map(|m| m.session.csrf.clone()).unwrap_or_else(|| {
                super::session::cookie(&req.headers, super::session::PRE_COOKIE).unwrap_or("").to_string()
            }),
            flash,
            error: None,
            demo: self.cfg.demo,
            langs: Lang::ALL.iter().map(|l| (l.code(), l.own_name(), *l == lang)).collect(),
            path: req.path.clone(),
        }
    }
}

pub fn html(t: &impl Template) -> Page {
    let body = t.render().map_err(|e| {
        eprintln!("console: a template failed: {e}");
        Problem::Busy
    })?;
    Ok(Html(body).into_response())
}

pub fn html_status(status: StatusCode, t: &impl Template) -> Page {
    let mut r = html(t)?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    c: Chrome<'a>,
    heading: String,
    detail: String,
    back: Option<&'static str>,
}

/// The page for a [`Problem`]: a clear message in the person's language.
pub fn problem_page(c: &Console, req: &Req, p: Problem) -> Response {
    let me = c.me(req, &[]).ok();
    let mut chrome = c.chrome(req, me.as_ref(), "problem-title");
    let t = chrome.t;
    let (status, heading, detail, back) = match p {
        Problem::Redirect(to) => return redirect(&to),
        Problem::SignIn { expired } => {
            return redirect(if expired { "/console/sign-in?why=expired" } else { "/console/sign-in" });
        }
        Problem::Forbidden => {
            (StatusCode::FORBIDDEN, t.s("forbidden-title"), t.s("forbidden-detail"), Some("/console/"))
        }
        Problem::NotFound => {
            (StatusCode::NOT_FOUND, t.s("not-found-title"), t.s("not-found-detail"), Some("/console/"))
        }
        Problem::BadForm(id) => (StatusCode::BAD_REQUEST, t.s("bad-form-title"), t.s(id), None),
        Problem::Csrf => (StatusCode::FORBIDDEN, t.s("csrf-title"), t.s("csrf-detail"), Some("/console/")),
        Problem::TooMany(secs) => {
            (StatusCode::TOO_MANY_REQUESTS, t.s("too-many-title"), t.n("too-many-detail", secs), None)
        }
        Problem::Refused(m) => (StatusCode::CONFLICT, t.s("refused-title"), m, None),
        Problem::Busy => (StatusCode::SERVICE_UNAVAILABLE, t.s("busy-title"), t.s("busy-detail"), None),
    };
    chrome.title = heading.clone();
    let page = ProblemPage { c: chrome, heading, detail, back };
    match html_status(status, &page) {
        Ok(r) => {
            let mut r = r;
            if status == StatusCode::TOO_MANY_REQUESTS {
                r.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from(60));
            }
            r
        }
        Err(_) => (status, "error").into_response(),
    }
}

/// A link back to the same list with one query parameter changed.
pub fn with_param(base: &str, query: &[(String, String)], key: &str, value: &str) -> String {
    let mut q: Vec<(String, String)> = query.iter().filter(|(k, _)| k != key && k != "done").cloned().collect();
    if !value.is_empty() {
        q.push((key.to_string(), value.to_string()));
    }
    if q.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
    }
}

/// Parses a date field ("2026-11-29") into unix ms at midnight in the console's zone.
pub fn day_start_ms(date: &str, utc_offset_minutes: i32) -> Option<i64> {
    let d = time::Date::parse(date.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1000 - utc_offset_minutes as i64 * 60_000)
}
