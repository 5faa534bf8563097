//! Devices: enrolment codes (text and QR), the list with last contact and
//! alerts, revocation and wipe (the administrator's password first), and
//! unlock codes for an officer whose phone locked after two weeks offline.

use askama::Template;
use axum::http::StatusCode;

use homeward_domain::audit::{AuditAction, Subject};
use homeward_domain::events::Role;

use super::super::staff::{self, StaffRole};
use super::super::{Console, Me, Page, Problem, Req};
use super::{html_status, Chrome};
use crate::hq::now_ms;

const ADMIN: &[StaffRole] = &[StaffRole::Administrator];

pub struct DeviceLine {
    pub id: String,
    pub office: String,
    pub role: String,
    pub label: String,
    pub last_contact: String,
    pub alerts: Vec<String>,
    pub revoked: bool,
}

pub struct Issued {
    pub code: String,
    pub office: String,
    pub role: String,
    pub qr: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct Devices<'a> {
    c: Chrome<'a>,
    devices: Vec<DeviceLine>,
    issued: Option<Issued>,
    unlock: Option<(String, String)>,
    roles: Vec<(&'static str, String)>,
    offices: Vec<(String, String)>,
    fingerprint: String,
    filter_alerts: bool,
}

/// A device that has not reached headquarters within its check-in period.
pub fn overdue(c: &Console, last_ms: i64) -> bool {
    now_ms() - last_ms > c.hq.check_in_days as i64 * 86_400_000
}

fn role_label(t: &super::super::i18n::T<'_>, r: Role) -> String {
    t.s(match r {
        Role::BorderGuard => "device-role-border-guard",
        Role::ConsularOfficer => "device-role-consular-officer",
        Role::Headquarters => "device-role-headquarters",
    })
}

fn render(
    c: &Console,
    req: &Req,
    me: &Me,
    issued: Option<Issued>,
    unlock: Option<(String, String)>,
    error: Option<String>,
    status: StatusCode,
) -> Page {
    let mut chrome = c.chrome(req, Some(me), "devices-title");
    chrome.error = error;
    let t = chrome.t;
    let places = super::publish::places(c)?;
    let filter_alerts = req.q("alerts") == Some("1");
    let mut devices = vec![];
    for d in c.hq.db.devices()? {
        // The same alerts, in the same order, as `homeward-hq devices [--json]`.
        let alerts: Vec<String> = c.hq.device_alerts(&d, now_ms())?.into_iter().map(|a| t.s(a.message_id())).collect();
        if filter_alerts && alerts.is_empty() {
            continue;
        }
        devices.push(DeviceLine {
            office: places.name(&d.office, t.lang),
            role: role_label(&t, d.role),
            label: crate::hq::printable(&d.label),
            last_contact: d.last_seen_ms.map(|ms| t.datetime(ms)).unwrap_or_else(|| t.s("never")),
            alerts,
            revoked: d.revoked,
            id: d.id,
        });
    }
    let roles = vec![
        ("consular_officer", t.s("device-role-consular-officer")),
        ("border_guard", t.s("device-role-border-guard")),
    ];
    let offices = places.all(t.lang);
    let fingerprint = c.cfg.ca_fingerprint.clone().unwrap_or_default();
    html_status(status, &Devices { c: chrome, devices, issued, unlock, roles, offices, fingerprint, filter_alerts })
}

pub fn list(c: &Console, req: &Req) -> Page {
    let me = c.me(req, ADMIN)?;
    render(c, req, &me, None, None, None, StatusCode::OK)
}

pub fn enrolment_code(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let role: Role = match req.need("role")? {
        "consular_officer" => Role::ConsularOfficer,
        "border_guard" => Role::BorderGuard,
        _ => return Err(Problem::BadForm("form-malformed")),
    };
    let office = req.need("office")?.to_string();
    let t = c.t(me.lang);
    let code = match c.hq.enrollment_code(&office, role, 15) {
        Ok(code) => code,
        Err(crate::hq::HqError::Invalid(_)) => {
            return render(c, req, &me, None, None, Some(t.s("office-invalid")), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    c.hq.audit(AuditAction::Create, Subject::device(), &me.actor())?;
    let places = super::publish::places(c)?;
    let issued = Issued {
        qr: super::auth::qr_svg(&code),
        office: places.name(&office.to_uppercase(), t.lang),
        role: role_label(&t, role),
        expires: t.datetime(now_ms() + 15 * 60_000),
        code,
    };
    render(c, req, &me, Some(issued), None, None, StatusCode::OK)
}

/// The administrator's password again before an irreversible order.
fn reauthenticate(c: &Console, me: &Me, req: &Req) -> Result<bool, Problem> {
    let ok =
        me.staff.password_phc.as_deref().is_some_and(|p| staff::verify_password(req.f("password").unwrap_or(""), p));
    if !ok {
        staff::note_failure(&c.hq.db, &me.staff.id, now_ms())?;
    }
    Ok(ok)
}

pub fn revoke(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let device = req.need("device")?.to_string();
    let wipe = req.f("wipe") == Some("1");
    let t = c.t(me.lang);
    if !reauthenticate(c, &me, req)? {
        return render(c, req, &me, None, None, Some(t.s("password-wrong")), StatusCode::UNAUTHORIZED);
    }
    c.hq.revoke(&device, wipe)?;
    c.hq.audit(AuditAction::Change, Subject::device(), &me.actor())?;
    Err(Problem::Redirect(format!("/console/devices?done={}", if wipe { "device-wiped" } else { "device-revoked" })))
}

pub fn unlock_code(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let device = req.need("device")?.to_string();
    let code = c.hq.unlock_code(&device)?;
    c.hq.audit(AuditAction::Unlock, Subject::device(), &me.actor())?;
    render(c, req, &me, None, Some((device, code)), None, StatusCode::OK)
}
