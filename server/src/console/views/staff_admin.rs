//! Staff accounts, for administrators: add one (its owner chooses the
//! password and second factor with a one-time setup code), disable or
//! enable one (disabling ends every session at once), reset a lost
//! password or second factor (a new setup code).

use askama::Template;
use axum::http::StatusCode;

use homeward_domain::audit::{AuditAction, Subject};

use super::super::staff::{self, StaffRole};
use super::super::{session, Console, Me, Page, Problem, Req};
use super::{html_status, role_label, Chrome};
use crate::hq::now_ms;

const ADMIN: &[StaffRole] = &[StaffRole::Administrator];

pub struct StaffLine {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub state: String,
    pub disabled: bool,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    c: Chrome<'a>,
    staff: Vec<StaffLine>,
    roles: Vec<(&'static str, String)>,
    /// (username, setup code) just issued.
    issued: Option<(String, String)>,
}

fn render(
    c: &Console,
    req: &Req,
    me: &Me,
    issued: Option<(String, String)>,
    error: Option<String>,
    status: StatusCode,
) -> Page {
    let mut chrome = c.chrome(req, Some(me), "staff-title");
    chrome.error = error;
    let t = chrome.t;
    let staff = staff::list(&c.hq.db)?
        .into_iter()
        .map(|s| StaffLine {
            state: if s.disabled {
                t.s("staff-disabled")
            } else if s.password_phc.is_none() {
                t.s("staff-awaiting-setup")
            } else if !s.totp_confirmed {
                t.s("staff-awaiting-second-factor")
            } else {
                t.s("staff-active")
            },
            me: s.id == me.staff.id,
            disabled: s.disabled,
            role: role_label(&t, s.role),
            name: s.display_name,
            username: s.username,
            id: s.id,
        })
        .collect();
    let roles = StaffRole::ALL.iter().map(|r| (r.code(), role_label(&t, *r))).collect();
    html_status(status, &StaffPage { c: chrome, staff, roles, issued })
}

pub fn list(c: &Console, req: &Req) -> Page {
    let me = c.me(req, ADMIN)?;
    render(c, req, &me, None, None, StatusCode::OK)
}

pub fn add(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let t = c.t(me.lang);
    let role: StaffRole = req.need("role")?.parse().map_err(|_| Problem::BadForm("form-malformed"))?;
    let created = staff::add(
        &c.hq.db,
        staff::NewStaff {
            username: req.f("username").unwrap_or(""),
            display_name: req.f("display_name").unwrap_or(""),
            role,
            password: None,
            language: req.f("language").unwrap_or("ru"),
            created_by: &me.actor(),
        },
        now_ms(),
    );
    match created {
        Ok(cr) => {
            c.hq.audit(AuditAction::Create, Subject::device(), &me.actor())?;
            render(c, req, &me, Some((cr.username, cr.setup_code.unwrap_or_default())), None, StatusCode::OK)
        }
        Err(staff::StaffError::Db(e)) => Err(e.into()),
        Err(e) => render(c, req, &me, None, Some(t.s(e.message_id())), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

pub fn change(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let id = req.need("staff")?.to_string();
    let target = staff::by_id(&c.hq.db, &id)?.ok_or(Problem::NotFound)?;
    let t = c.t(me.lang);
    if target.id == me.staff.id {
        return render(c, req, &me, None, Some(t.s("staff-not-yourself")), StatusCode::CONFLICT);
    }
    match req.need("action")? {
        "disable" => {
            staff::set_disabled(&c.hq.db, &id, true)?;
            session::end_all(&c.hq.db, &id, now_ms())?;
        }
        "enable" => {
            staff::set_disabled(&c.hq.db, &id, false)?;
        }
        "reset" => {
            let code = staff::reset(&c.hq.db, &id, now_ms())?;
            session::end_all(&c.hq.db, &id, now_ms())?;
            c.hq.audit(AuditAction::Setting, Subject::device(), &me.actor())?;
            return render(c, req, &me, Some((target.username, code)), None, StatusCode::OK);
        }
        _ => return Err(Problem::BadForm("form-malformed")),
    }
    c.hq.audit(AuditAction::Setting, Subject::device(), &me.actor())?;
    Err(Problem::Redirect("/console/staff?done=staff-changed".into()))
}
