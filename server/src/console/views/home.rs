//! The first page after sign-in: what is waiting for this person's role.

use askama::Template;

use super::super::staff::StaffRole;
use super::super::{index, Console, Page, Problem, Req};
use super::{html, Chrome};

pub struct Tile {
    pub href: &'static str,
    pub figure: String,
    pub label: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    c: Chrome<'a>,
    greeting: String,
    role_intro: String,
    tiles: Vec<Tile>,
}

pub fn home(c: &Console, req: &Req) -> Page {
    let me = c.me(req, &[])?;
    index::catch_up(&c.hq)?;
    let chrome = c.chrome(req, Some(&me), "nav-home");
    let t = chrome.t;
    let db = &c.hq.db;
    let count = |sql: &str| -> Result<i64, Problem> {
        Ok(db.tx(|s| s.one(sql, &[])?.map(|r| r[0].i()).transpose())?.unwrap_or(0))
    };
    let tiles = match me.staff.role {
        StaffRole::Reviewer => {
            let waiting = count("SELECT COUNT(*) FROM console_cases WHERE waiting = 1")?;
            let victims = count("SELECT COUNT(*) FROM console_cases WHERE waiting = 1 AND victim = 1")?;
            let conflicts = count("SELECT COUNT(*) FROM console_cases WHERE conflict = 1")?;
            vec![
                Tile {
                    href: "/console/queue",
                    figure: t.num(waiting),
                    label: t.n("home-waiting", waiting),
                    note: t.n("home-waiting-victims", victims),
                },
                Tile {
                    href: "/console/queue?state=more_information_requested",
                    figure: t
                        .num(count("SELECT COUNT(*) FROM console_cases WHERE state = 'more_information_requested'")?),
                    label: t.s("home-asked"),
                    note: String::new(),
                },
                Tile {
                    href: "/console/queue?state=conflict",
                    figure: t.num(conflicts),
                    label: t.n("home-conflicts", conflicts),
                    note: String::new(),
                },
            ]
        }
        StaffRole::Administrator => {
            let devices = c.hq.db.devices()?;
            let active = devices.iter().filter(|d| !d.revoked).count() as i64;
            let overdue = devices
                .iter()
                .filter(|d| !d.revoked && super::devices::overdue(c, d.last_seen_ms.unwrap_or(d.enrolled_ms)))
                .count() as i64;
            let staff = super::super::staff::list(db)?.iter().filter(|s| !s.disabled).count() as i64;
            vec![
                Tile {
                    href: "/console/devices",
                    figure: t.num(active),
                    label: t.n("home-devices", active),
                    note: t.n("home-overdue", overdue),
                },
                Tile {
                    href: "/console/checklists",
                    figure: format!("v{}", c.hq.current_checklist()?.template().version),
                    label: t.s("home-checklist"),
                    note: String::new(),
                },
                Tile {
                    href: "/console/staff",
                    figure: t.num(staff),
                    label: t.n("home-staff", staff),
                    note: String::new(),
                },
            ]
        }
        StaffRole::Analyst => {
            let screenings = count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM console_screening_agg")?;
            let victims =
                count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM console_screening_agg WHERE verdict = 'presumed_victim'")?;
            let k = c.cfg.k;
            let shown = |n: i64| if n > 0 && n < k { format!("<{k}") } else { t.num(n) };
            vec![
                Tile {
                    href: "/console/statistics",
                    figure: shown(screenings),
                    label: t.s("home-screenings"),
                    note: String::new(),
                },
                Tile {
                    href: "/console/statistics",
                    figure: shown(victims),
                    label: t.s("home-presumed"),
                    note: String::new(),
                },
            ]
        }
        StaffRole::Auditor => {
            let entries = count("SELECT CAST(COALESCE(SUM(anchor_seq), 0) AS BIGINT) FROM audit_chains")?;
            let tampered = count("SELECT COUNT(*) FROM audit_chains WHERE tampered_ms IS NOT NULL")?;
            vec![
                Tile {
                    href: "/console/audit",
                    figure: t.num(entries),
                    label: t.n("home-audit-entries", entries),
                    note: String::new(),
                },
                Tile {
                    href: "/console/audit",
                    figure: t.num(tampered),
                    label: t.n("home-tampered", tampered),
                    note: String::new(),
                },
            ]
        }
    };
    let greeting = t.a("home-greeting", &[("name", &me.staff.display_name)]);
    let role_intro = t.s(&format!("home-intro-{}", me.staff.role.code()));
    html(&Home { c: chrome, greeting, role_intro, tiles })
}

pub fn not_found(c: &Console, req: &Req) -> Page {
    let _ = c;
    let _ = req;
    Err(Problem::NotFound)
}
