//! The audit trail, for auditors: headquarters' own chain and every
//! device's, filtered in the database (actor, action, record, device,
//! office, dates), newest first, exported as CSV, and verified chain by
//! chain (where it breaks, if it does). Looking and exporting are audited.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use homeward_domain::audit::{verify_chain_from, AuditAction, AuditEntry, Subject};

use super::super::staff::StaffRole;
use super::super::{index, Console, Me, Page, Problem, Req};
use super::{day_start_ms, html_status, with_param, Chrome};
use crate::db::sql::P;

const AUDITOR: &[StaffRole] = &[StaffRole::Auditor];
const PAGE: i64 = 100;
pub const ACTIONS: [&str; 13] = [
    "view",
    "search",
    "create",
    "change",
    "export",
    "referral",
    "consent",
    "purge",
    "unlock",
    "unlock_refused",
    "setting",
    "restore",
    "acknowledge",
];

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub source: String,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub device: String,
    pub office: String,
    pub from: String,
    pub to: String,
}

fn clean(s: Option<&str>, max: usize) -> String {
    s.unwrap_or("").trim().chars().filter(|c| !c.is_control()).take(max).collect()
}

impl Filters {
    pub fn of(req: &Req) -> Filters {
        Filters {
            source: match req.q("source") {
                Some("hq") => "hq",
                Some("devices") => "devices",
                _ => "",
            }
            .into(),
            actor: clean(req.q("actor"), 64),
            action: req.q("action").filter(|a| ACTIONS.contains(a)).unwrap_or("").into(),
            record: clean(req.q("record"), 64).to_lowercase(),
            device: clean(req.q("device"), 64).to_lowercase(),
            office: clean(req.q("office"), 12).to_uppercase(),
            from: clean(req.q("from"), 10),
            to: clean(req.q("to"), 10),
        }
    }

    fn query(&self) -> Vec<(String, String)> {
        [
            ("source", &self.source),
            ("actor", &self.actor),
            ("action", &self.action),
            ("record", &self.record),
            ("device", &self.device),
            ("office", &self.office),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    /// The WHERE clause over `console_audit a`, with its parameters.
    fn clause(&self, hq_device: &str, utc_offset: i32) -> (String, Vec<(bool, String)>) {
        // (is integer, value): the values outlive the borrowed parameters.
        let mut w = vec![];
        let mut p: Vec<(bool, String)> = vec![];
        let mut add = |cond: &str, v: String, int: bool, w: &mut Vec<String>| {
            p.push((int, v));
            w.push(cond.replace('#', &format!("?{}", p.len())));
        };
        match self.source.as_str() {
            "hq" => add("a.device = #", hq_device.to_string(), false, &mut w),
            "devices" => add("a.device <> #", hq_device.to_string(), false, &mut w),
            _ => {}
        }
        if !self.actor.is_empty() {
            add("a.actor = #", self.actor.clone(), false, &mut w);
        }
        if !self.action.is_empty() {
            add("a.action = #", self.action.clone(), false, &mut w);
        }
        if !self.record.is_empty() {
            add("a.subject_id = #", self.record.clone(), false, &mut w);
        }
        if !self.device.is_empty() {
            add("a.device = #", self.device.clone(), false, &mut w);
        }
        if !self.office.is_empty() {
            add("a.office = #", self.office.clone(), false, &mut w);
        }
        if let Some(ms) = day_start_ms(&self.from, utc_offset) {
            add("a.at_ms >= #", ms.to_string(), true, &mut w);
        }
        if let Some(ms) = day_start_ms(&self.to, utc_offset) {
            add("a.at_ms < #", (ms + 86_400_000).to_string(), true, &mut w);
        }
        (if w.is_empty() { String::new() } else { format!("WHERE {}", w.join(" AND ")) }, p)
    }
}

fn params(p: &[(bool, String)]) -> Vec<P<'_>> {
    p.iter().map(|(int, v)| if *int { P::I(v.parse().unwrap_or(0)) } else { P::T(v) }).collect()
}

/// Entries matching the filters, newest first, before `before` (time, device, seq).
pub fn search(
    c: &Console,
    f: &Filters,
    before: Option<(i64, String, i64)>,
    limit: i64,
) -> Result<Vec<(String, AuditEntry, String)>, Problem> {
    let (mut clause, mut p) = f.clause(c.hq.identity.device_id(), c.cfg.utc_offset_minutes);
    if let Some((ms, dev, seq)) = before {
        let n = p.len();
        p.push((true, ms.to_string()));
        p.push((false, dev));
        p.push((true, seq.to_string()));
        let cond = format!(
            "(a.at_ms < ?{a} OR (a.at_ms = ?{a} AND (a.device < ?{b} OR (a.device = ?{b} AND a.seq < ?{s}))))",
            a = n + 1,
            b = n + 2,
            s = n + 3
        );
        clause = if clause.is_empty() { format!("WHERE {cond}") } else { format!("{clause} AND {cond}") };
    }
    p.push((true, limit.to_string()));
    let sql = format!(
        "SELECT a.device, a.office, e.body, a.seq FROM console_audit a JOIN audit_entries e ON e.device = a.device AND e.seq = a.seq {clause}
         ORDER BY a.at_ms DESC, a.device DESC, a.seq DESC LIMIT ?{}",
        p.len()
    );
    let rows = c.hq.db.tx(|s| {
        s.query(&sql, &params(&p))?
            .iter()
            .map(|r| {
                let device = r[0].t()?;
                let body = c.hq.db.sealer()?.open("audit_entries", &format!("{device}/{}", r[3].i()?), &r[2].t()?)?;
                Ok((device, r[1].t()?, body))
            })
            .collect::<crate::db::DbResult<Vec<_>>>()
    })?;
    Ok(rows.into_iter().filter_map(|(d, o, b)| serde_json::from_str(&b).ok().map(|e| (d, e, o))).collect())
}

pub struct Line {
    pub when: String,
    pub iso: String,
    pub chain: String,
    pub seq: u64,
    pub office: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub why: String,
}

pub struct SignIn {
    pub when: String,
    pub username: String,
    pub outcome: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    c: Chrome<'a>,
    f: Filters,
    lines: Vec<Line>,
    older: Option<String>,
    newest: Option<String>,
    export: String,
    actions: Vec<(&'static str, String)>,
    chains: Vec<(String, String)>,
    verified: Option<(bool, String)>,
    signins: Vec<SignIn>,
}

fn render(c: &Console, req: &Req, me: &Me, verified: Option<(bool, String)>) -> Page {
    index::catch_up(&c.hq)?;
    let f = Filters::of(req);
    let before = req.q("before").and_then(|b| {
        let mut p = b.splitn(3, ':');
        Some((p.next()?.parse().ok()?, p.next()?.to_string(), p.next()?.parse().ok()?))
    });
    let found = search(c, &f, before.clone(), PAGE)?;
    let chrome = c.chrome(req, Some(me), "audit-title");
    let t = chrome.t;
    let older = (found.len() as i64 == PAGE)
        .then(|| {
            found.last().map(|(d, e, _)| {
                with_param("/console/audit", &f.query(), "before", &format!("{}:{d}:{}", e.at_ms, e.seq))
            })
        })
        .flatten();
    let newest = before.is_some().then(|| with_param("/console/audit", &f.query(), "before", ""));
    let lines = found
        .into_iter()
        .map(|(d, e, office)| Line {
            when: t.datetime(e.at_ms),
            iso: t.iso(e.at_ms),
            chain: d,
            seq: e.seq,
            office,
            actor: e.actor.clone().unwrap_or_default(),
            action: t.s(&format!(
                "action-{}",
                serde_json::to_value(e.action).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            )),
            subject: if e.subject.id.is_empty() {
                t.s(&format!(
                    "subject-{}",
                    serde_json::to_value(e.subject.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
                        .unwrap_or_default()
                ))
            } else {
                e.subject.id.clone()
            },
            why: e.justification.clone().unwrap_or_default(),
        })
        .collect();
    let chains = c.hq.db.tx(|s| {
        s.query("SELECT device, anchor_seq FROM audit_chains ORDER BY device", &[])?
            .iter()
            .map(|r| Ok((r[0].t()?, r[1].i()?.to_string())))
            .collect::<crate::db::DbResult<Vec<_>>>()
    })?;
    let signins = c
        .hq
        .db
        .tx(|s| {
            s.query("SELECT at_ms, username, outcome, address FROM console_signins ORDER BY at_ms DESC LIMIT 30", &[])?
                .iter()
                .map(|r| Ok((r[0].i()?, r[1].t()?, r[2].t()?, r[3].t()?)))
                .collect::<crate::db::DbResult<Vec<_>>>()
        })?
        .into_iter()
        .map(|(ms, username, outcome, address)| SignIn {
            when: t.datetime(ms),
            username,
            outcome: t.s(&format!("signin-{}", outcome.replace('_', "-"))),
            address,
        })
        .collect();
    let actions = ACTIONS.iter().map(|a| (*a, t.s(&format!("action-{a}")))).collect();
    let export = with_param("/console/audit/export.csv", &f.query(), "before", "");
    c.hq.audit(AuditAction::Search, Subject::device(), &me.actor())?;
    html_status(
        StatusCode::OK,
        &AuditPage { c: chrome, f, lines, older, newest, export, actions, chains, verified, signins },
    )
}

pub fn audit(c: &Console, req: &Req) -> Page {
    let me = c.me(req, AUDITOR)?;
    render(c, req, &me, None)
}

fn csv(s: &str) -> String {
    // Quoted, and a leading formula character neutralised (CSV injection).
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn export(c: &Console, req: &Req) -> Page {
    let me = c.me(req, AUDITOR)?;
    index::catch_up(&c.hq)?;
    let f = Filters::of(req);
    let found = search(c, &f, None, 50_000)?;
    c.hq.audit(AuditAction::Export, Subject::device(), &me.actor())?;
    let mut out = String::from(
        "FOR OFFICIAL USE ONLY\nchain,seq,time_utc_ms,office,actor,role,action,subject_kind,subject_id,justification\n",
    );
    for (d, e, office) in found {
        let kind =
            serde_json::to_value(e.subject.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let action =
            serde_json::to_value(e.action).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let role = e.role.map(|r| format!("{r:?}")).unwrap_or_default();
        out.push_str(
            &[
                csv(&d),
                e.seq.to_string(),
                e.at_ms.to_string(),
                csv(&office),
                csv(e.actor.as_deref().unwrap_or("")),
                csv(&role),
                csv(&action),
                csv(&kind),
                csv(&e.subject.id),
                csv(e.justification.as_deref().unwrap_or("")),
            ]
            .join(","),
        );
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit-FOR-OFFICIAL-USE-ONLY.csv\""),
        ],
        out,
    )
        .into_response())
}

/// Checks one chain from its first entry: signatures, sequence, hash links,
/// and that it ends where headquarters' anchor says.
pub fn verify_one(c: &Console, device: &str) -> Result<Result<u64, String>, Problem> {
    let chain = c.hq.db.audit_chain(device)?.ok_or(Problem::NotFound)?;
    let key: [u8; 32] = hex::decode(&chain.audit_key).ok().and_then(|b| b.try_into().ok()).ok_or(Problem::Busy)?;
    let entries = c.hq.db.audit_entries(Some(device))?;
    if let Err(e) = verify_chain_from(None, &entries, &key) {
        return Ok(Err(e.to_string()));
    }
    let last = entries.last();
    if last.map(|e| e.seq).unwrap_or(0) != chain.anchor_seq || last.map(|e| e.hash()) != chain.anchor_hash {
        return Ok(Err(format!(
            "the chain ends at entry {} but headquarters last accepted entry {}",
            last.map(|e| e.seq).unwrap_or(0),
            chain.anchor_seq
        )));
    }
    Ok(Ok(entries.len() as u64))
}

pub fn verify(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, AUDITOR)?;
    let device = req.need("chain")?.to_string();
    let t = c.t(me.lang);
    let result = verify_one(c, &device)?;
    c.hq.audit(AuditAction::Search, Subject::device(), &me.actor())?;
    let tampered =
        c.hq.db
            .tx(|s| {
                s.one("SELECT tamper_reason FROM audit_chains WHERE device = ?1", &[device.as_str().into()])?
                    .map(|r| r[0].ot())
                    .transpose()
            })?
            .flatten();
    let mut verdict = match result {
        Ok(n) => (true, t.a("verify-intact", &[("device", &device), ("n", &t.num(n as i64))])),
        Err(why) => (false, t.a("verify-broken", &[("device", &device), ("reason", &why)])),
    };
    if let Some(why) = tampered {
        verdict.1.push(' ');
        verdict.1.push_str(&t.a("verify-refused-batch", &[("reason", &why)]));
    }
    render(c, req, &me, Some(verdict))
}
