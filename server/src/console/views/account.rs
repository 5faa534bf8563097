//! A person's own account: their live sessions (and ending them), changing
//! the password (every other session ends), and the help page.

use askama::Template;

use super::super::{session, staff, Console, Page, Problem, Req};
use super::{html, html_status, role_label, Chrome};
use crate::hq::now_ms;

pub struct SessionLine {
    pub id: String,
    pub started: String,
    pub last: String,
    pub address: String,
    pub agent: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct Account<'a> {
    c: Chrome<'a>,
    username: String,
    role: String,
    sessions: Vec<SessionLine>,
}

fn render(c: &Console, req: &Req, me: &super::super::Me, error: Option<String>) -> Page {
    let mut chrome = c.chrome(req, Some(me), "account-title");
    chrome.error = error.clone();
    let t = chrome.t;
    let sessions = session::live(&c.hq.db, &me.staff.id, now_ms(), c.cfg.timeouts)?
        .into_iter()
        .map(|s| SessionLine {
            current: s.id_hash == me.session.id_hash,
            id: s.id_hash,
            started: t.datetime(s.created_ms),
            last: t.datetime(s.last_ms),
            address: s.address,
            agent: s.agent,
        })
        .collect();
    let page =
        Account { role: role_label(&t, me.staff.role), username: me.staff.username.clone(), c: chrome, sessions };
    if error.is_some() {
        html_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        html(&page)
    }
}

pub fn account(c: &Console, req: &Req) -> Page {
    let me = c.me(req, &[])?;
    render(c, req, &me, None)
}

pub fn end_session(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, &[])?;
    if !session::end_own(&c.hq.db, &me.staff.id, req.need("session")?, now_ms())? {
        return Err(Problem::NotFound);
    }
    Err(Problem::Redirect("/console/account?done=session-ended".into()))
}

pub fn change_password(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, &[])?;
    let t = c.t(me.lang);
    let current = req.f("current_password").unwrap_or("");
    if !me.staff.password_phc.as_deref().is_some_and(|p| staff::verify_password(current, p)) {
        staff::note_failure(&c.hq.db, &me.staff.id, now_ms())?;
        return render(c, req, &me, Some(t.s("password-wrong")));
    }
    let (p1, p2) = (req.f("new_password").unwrap_or(""), req.f("repeat_password").unwrap_or(""));
    if p1 != p2 {
        return render(c, req, &me, Some(t.s("password-mismatch")));
    }
    if let Err(e) = staff::set_password(&c.hq.db, &me.staff.id, p1) {
        return render(c, req, &me, Some(t.s(e.message_id())));
    }
    // Every other session ends with the old password; this one stays.
    for s in session::live(&c.hq.db, &me.staff.id, now_ms(), c.cfg.timeouts)? {
        if s.id_hash != me.session.id_hash {
            session::end(&c.hq.db, &s.id_hash, now_ms())?;
        }
    }
    staff::log_signin(&c.hq.db, &me.staff.username, "password_changed", &req.address(), now_ms())?;
    Err(Problem::Redirect("/console/account?done=password-changed".into()))
}

#[derive(Template)]
#[template(path = "help.html")]
struct Help<'a> {
    c: Chrome<'a>,
    keys: Vec<(&'static str, String)>,
}

/// The keyboard shortcuts (console.js) and what the console does with personal data.
pub fn help(c: &Console, req: &Req) -> Page {
    let me = c.me(req, &[])?;
    let chrome = c.chrome(req, Some(&me), "help-title");
    let t = chrome.t;
    let keys = [
        ("j", "key-next-row"),
        ("k", "key-previous-row"),
        ("o", "key-open"),
        ("/", "key-filter"),
        ("v", "key-verify"),
        ("m", "key-more-info"),
        ("a", "key-approve"),
        ("r", "key-reject"),
        ("n", "key-next-case"),
        ("?", "key-help"),
    ]
    .into_iter()
    .map(|(k, id)| (k, t.s(id)))
    .collect();
    html(&Help { c: chrome, keys })
}
