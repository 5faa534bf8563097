//! Signing in: password, then the second factor (and its enrolment on the
//! first sign-in), first-time setup with a one-time code, signing out, and
//! the language switch.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use super::super::session::{self, Stage};
use super::super::staff;
use super::super::{redirect, same_origin, Console, Page, Problem, Req};
use super::{html, html_status, Chrome};
use crate::hq::now_ms;
use subtle::ConstantTimeEq;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignIn<'a> {
    c: Chrome<'a>,
    username: String,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactor<'a> {
    c: Chrome<'a>,
    enrol: bool,
    intro: String,
    qr_svg: String,
    secret: String,
    demo_hint: Option<String>,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct Setup<'a> {
    c: Chrome<'a>,
    username: String,
}

fn with_cookie(mut r: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The sign-in and setup forms are protected before any session exists by
/// a double-submit token in a `__Host-` cookie (and the origin checks).
fn pre_token(req: &Req) -> (String, Option<String>) {
    match session::cookie(&req.headers, session::PRE_COOKIE) {
        Some(t) if t.len() >= 32 => (t.to_string(), None),
        _ => {
            let t = session::new_token();
            (t.clone(), Some(session::set_cookie(session::PRE_COOKIE, &t)))
        }
    }
}

fn check_pre_token(req: &Req) -> Result<(), Problem> {
    same_origin(req)?;
    let cookie = session::cookie(&req.headers, session::PRE_COOKIE).unwrap_or("");
    let sent = req.f("csrf").unwrap_or("");
    if cookie.len() < 32 || !bool::from(cookie.as_bytes().ct_eq(sent.as_bytes())) {
        return Err(Problem::Csrf);
    }
    Ok(())
}

fn sign_in_form(
    c: &Console,
    req: &Req,
    status: StatusCode,
    username: &str,
    error: Option<String>,
    notice: Option<String>,
) -> Page {
    let (token, set) = pre_token(req);
    let mut chrome = c.chrome(req, None, "sign-in-title");
    chrome.csrf = token;
    chrome.error = error;
    let r = html_status(status, &SignIn { c: chrome, username: username.to_string(), notice })?;
    Ok(match set {
        Some(cookie) => with_cookie(r, cookie),
        None => r,
    })
}

pub fn sign_in_page(c: &Console, req: &Req) -> Page {
    if c.me(req, &[]).is_ok() {
        return Ok(redirect("/console/"));
    }
    let t = c.t(req.lang);
    let notice = match req.q("why") {
        Some("expired") => Some(t.s("session-expired")),
        Some("signed-out") => Some(t.s("signed-out")),
        Some("setup-done") => Some(t.s("setup-done")),
        _ => None,
    };
    sign_in_form(c, req, StatusCode::OK, "", None, notice)
}

pub fn sign_in(c: &Console, req: &Req) -> Page {
    check_pre_token(req)?;
    let now = now_ms();
    c.throttle.attempt(&c.hq.db, req.addr, now)?.map_err(Problem::TooMany)?;
    let username = req.f("username").unwrap_or("").trim().to_string();
    let password = req.f("password").unwrap_or("");
    let t = c.t(req.lang);
    let account = staff::by_username(&c.hq.db, &username)?;
    if let Some(a) = &account {
        if a.next_attempt_ms > now {
            let secs = ((a.next_attempt_ms - now) / 1000).max(1);
            staff::log_signin(&c.hq.db, &username, "backoff", &req.address(), now)?;
            return sign_in_form(
                c,
                req,
                StatusCode::TOO_MANY_REQUESTS,
                &username,
                Some(t.n("sign-in-wait", secs)),
                None,
            );
        }
    }
    // The same argon2id work for an unknown name as for a known one.
    let phc = account.as_ref().and_then(|a| a.password_phc.clone()).unwrap_or_else(|| staff::dummy_hash().to_string());
    let ok = staff::verify_password(password, &phc) && account.as_ref().is_some_and(|a| a.password_phc.is_some());
    let account = match account {
        Some(a) if ok && !a.disabled => a,
        other => {
            let outcome = match &other {
                Some(a) if a.disabled => "disabled",
                Some(_) => "wrong_password",
                None => "unknown_user",
            };
            if let Some(a) = &other {
                staff::note_failure(&c.hq.db, &a.id, now)?;
            }
            staff::log_signin(&c.hq.db, &username, outcome, &req.address(), now)?;
            return sign_in_form(c, req, StatusCode::UNAUTHORIZED, &username, Some(t.s("sign-in-wrong")), None);
        }
    };
    let stage = if account.totp_confirmed { Stage::SecondFactor } else { Stage::EnrolSecondFactor };
    let token = session::create(&c.hq.db, &account.id, stage, &req.address(), &req.agent(), now, c.cfg.timeouts)?;
    staff::log_signin(&c.hq.db, &username, "password_ok", &req.address(), now)?;
    Ok(with_cookie(redirect("/console/second-factor"), session::set_cookie(session::COOKIE, &token)))
}

/// The half-finished sign-in of this browser, if any.
fn pending(c: &Console, req: &Req) -> Result<(session::SessionRow, staff::StaffRow), Problem> {
    let token = session::cookie(&req.headers, session::COOKIE).ok_or(Problem::SignIn { expired: false })?;
    let row = match session::lookup(&c.hq.db, token, now_ms(), c.cfg.timeouts)? {
        Ok(r) if r.stage != Stage::Full => r,
        Ok(_) => return Err(Problem::Redirect("/console/".into())),
        Err(session::Gone::Expired) => return Err(Problem::SignIn { expired: true }),
        Err(session::Gone::None) => return Err(Problem::SignIn { expired: false }),
    };
    let s = staff::by_id(&c.hq.db, &row.staff_id)?.ok_or(Problem::SignIn { expired: false })?;
    Ok((row, s))
}

fn second_factor_form(c: &Console, req: &Req, status: StatusCode, error: Option<String>) -> Page {
    let (row, s) = pending(c, req)?;
    let lang = super::super::i18n::Lang::parse(&s.language).unwrap_or(req.lang);
    let mut chrome = c.chrome(req, None, "second-factor-title");
    chrome.t = c.t(lang);
    chrome.title = chrome.t.s("second-factor-title");
    chrome.csrf = row.csrf.clone();
    chrome.error = error;
    let enrol = row.stage == Stage::EnrolSecondFactor;
    let uri = staff::otpauth_uri(&chrome.t.s("product"), &s.username, &s.totp_secret);
    let secret = staff::base32(&hex::decode(&s.totp_secret).unwrap_or_default())
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let demo_hint = c.cfg.demo.then(|| {
        let code = staff::totp_code(&s.totp_secret, (now_ms() / 1000) as u64);
        chrome.t.a("demo-code-hint", &[("code", &code)])
    });
    let page = SecondFactor {
        intro: chrome.t.a("second-factor-intro", &[("name", &s.display_name)]),
        c: chrome,
        enrol,
        qr_svg: if enrol { qr_svg(&uri) } else { String::new() },
        secret: if enrol { secret } else { String::new() },
        demo_hint,
    };
    html_status(status, &page)
}

pub fn second_factor_page(c: &Console, req: &Req) -> Page {
    second_factor_form(c, req, StatusCode::OK, None)
}

pub fn second_factor(c: &Console, req: &Req) -> Page {
    same_origin(req)?;
    let (row, s) = pending(c, req)?;
    if !bool::from(req.f("csrf").unwrap_or("").as_bytes().ct_eq(row.csrf.as_bytes())) {
        return Err(Problem::Csrf);
    }
    let now = now_ms();
    c.throttle.attempt(&c.hq.db, req.addr, now)?.map_err(Problem::TooMany)?;
    let t = c.t(super::super::i18n::Lang::parse(&s.language).unwrap_or(req.lang));
    if s.next_attempt_ms > now {
        let secs = ((s.next_attempt_ms - now) / 1000).max(1);
        return second_factor_form(c, req, StatusCode::TOO_MANY_REQUESTS, Some(t.n("sign-in-wait", secs)));
    }
    let code = req.f("code").unwrap_or("");
    let step = staff::totp_step_matching(&s.totp_secret, code, (now / 1000) as u64, s.totp_last_step);
    let used = match step {
        Some(step) => staff::use_totp_step(&c.hq.db, &s.id, step)?,
        None => false,
    };
    if !used || s.disabled {
        staff::note_failure(&c.hq.db, &s.id, now)?;
        staff::log_signin(&c.hq.db, &s.username, "wrong_code", &req.address(), now)?;
        return second_factor_form(c, req, StatusCode::UNAUTHORIZED, Some(t.s("second-factor-wrong")));
    }
    staff::clear_failures(&c.hq.db, &s.id)?;
    // A new session id at sign-in: the half session's token is dropped.
    session::end(&c.hq.db, &row.id_hash, now)?;
    let token = session::create(&c.hq.db, &s.id, Stage::Full, &req.address(), &req.agent(), now, c.cfg.timeouts)?;
    staff::log_signin(&c.hq.db, &s.username, "signed_in", &req.address(), now)?;
    Ok(with_cookie(redirect("/console/"), session::set_cookie(session::COOKIE, &token)))
}

pub fn setup_page(c: &Console, req: &Req) -> Page {
    let (token, set) = pre_token(req);
    let mut chrome = c.chrome(req, None, "setup-title");
    chrome.csrf = token;
    let r = html(&Setup { c: chrome, username: String::new() })?;
    Ok(match set {
        Some(cookie) => with_cookie(r, cookie),
        None => r,
    })
}

pub fn setup(c: &Console, req: &Req) -> Page {
    check_pre_token(req)?;
    let now = now_ms();
    c.throttle.attempt(&c.hq.db, req.addr, now)?.map_err(Problem::TooMany)?;
    let username = req.f("username").unwrap_or("").trim().to_string();
    let t = c.t(req.lang);
    let fail = |msg: String| -> Page {
        let mut chrome = c.chrome(req, None, "setup-title");
        chrome.csrf = session::cookie(&req.headers, session::PRE_COOKIE).unwrap_or("").to_string();
        chrome.error = Some(msg);
        html_status(StatusCode::UNPROCESSABLE_ENTITY, &Setup { c: chrome, username: username.clone() })
    };
    let Some(account) = staff::by_setup_code(&c.hq.db, &username, req.f("setup_code").unwrap_or(""), now)? else {
        staff::log_signin(&c.hq.db, &username, "wrong_setup_code", &req.address(), now)?;
        return fail(t.s("setup-wrong"));
    };
    let (p1, p2) = (req.f("new_password").unwrap_or(""), req.f("repeat_password").unwrap_or(""));
    if p1 != p2 {
        return fail(t.s("password-mismatch"));
    }
    if let Err(e) = staff::set_password(&c.hq.db, &account.id, p1) {
        return fail(t.s(e.message_id()));
    }
    session::end_all(&c.hq.db, &account.id, now)?;
    let token = session::create(
        &c.hq.db,
        &account.id,
        Stage::EnrolSecondFactor,
        &req.address(),
        &req.agent(),
        now,
        c.cfg.timeouts,
    )?;
    staff::log_signin(&c.hq.db, &username, "setup_password_set", &req.address(), now)?;
    Ok(with_cookie(redirect("/console/second-factor"), session::set_cookie(session::COOKIE, &token)))
}

pub fn sign_out(c: &Console, req: &Req) -> Page {
    same_origin(req)?;
    let token = session::cookie(&req.headers, session::COOKIE).unwrap_or("");
    if let Ok(Ok(row)) = session::lookup(&c.hq.db, token, now_ms(), c.cfg.timeouts) {
        if !bool::from(req.f("csrf").unwrap_or("").as_bytes().ct_eq(row.csrf.as_bytes())) {
            return Err(Problem::Csrf);
        }
        let everywhere = req.f("everywhere") == Some("1");
        if everywhere {
            session::end_all(&c.hq.db, &row.staff_id, now_ms())?;
        } else {
            session::end(&c.hq.db, &row.id_hash, now_ms())?;
        }
        if let Some(s) = staff::by_id(&c.hq.db, &row.staff_id)? {
            staff::log_signin(
                &c.hq.db,
                &s.username,
                if everywhere { "signed_out_everywhere" } else { "signed_out" },
                &req.address(),
                now_ms(),
            )?;
        }
    }
    Ok(with_cookie(redirect("/console/sign-in?why=signed-out"), session::clear_cookie(session::COOKIE)))
}

pub fn language(c: &Console, req: &Req) -> Page {
    same_origin(req)?;
    let lang =
        super::super::i18n::Lang::parse(req.f("lang").unwrap_or("")).ok_or(Problem::BadForm("form-malformed"))?;
    let back = req.f("back").filter(|b| b.starts_with("/console/") && !b.starts_with("//")).unwrap_or("/console/");
    // Only pages that can be reloaded with GET are returned to.
    let back = if back.ends_with("/decision") || back.ends_with("/full-record") { "/console/" } else { back };
    match c.me(req, &[]) {
        Ok(me) => {
            if !bool::from(req.f("csrf").unwrap_or("").as_bytes().ct_eq(me.session.csrf.as_bytes())) {
                return Err(Problem::Csrf);
            }
            staff::set_language(&c.hq.db, &me.staff.id, lang.code())?;
            Ok(redirect(back))
        }
        Err(_) => Ok(with_cookie(redirect(back), session::set_cookie(session::LANG_COOKIE, lang.code()))),
    }
}

/// A QR code as inline SVG (presentation attributes only: no style, so the
/// strict CSP holds).
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Drop the XML declaration; give the picture a role and a name for screen readers.
    let svg = svg
        .split_once("<svg")
        .map(|(_, rest)| format!("<svg role=\"img\" aria-label=\"QR\"{rest}"))
        .unwrap_or_default();
    svg
}
