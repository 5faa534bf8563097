//! The console's read models, kept up to date from headquarters' logs:
//! certificate cases as the core folds them (for the review queue and the
//! statistics), screening counts by month, crossing point and verdict, the
//! request-to-issue time histogram, and the audit index (actor, action,
//! record, device, office, time). Each follows its log with a cursor and
//! is caught up before a read and by a background task, so a page costs an
//! indexed query, never a scan of the logs.
//!
//! A catch-up advances its cursor with a compare-and-set in the same
//! transaction as its writes: two servers (or two requests) catching up at
//! once apply each event exactly once.

use std::collections::{BTreeSet, HashMap};

use homeward_domain::certificate::{fold, CaseView, RequestState};
use homeward_domain::date::IsoDate;
use homeward_domain::screening::ScreeningEvent;

use crate::db::sql::{Sql, P};
use crate::db::{DbError, DbResult};
use crate::hq::{Hq, HqError};

const BATCH: i64 = 2000;

/// Serialises this process's catch-ups (the cursor's compare-and-set guards
/// against other processes).
static CATCH_UP: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn state_code(s: Option<RequestState>) -> String {
    s.and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "none".into())
}

pub fn age_band(dob: IsoDate, on: IsoDate) -> &'static str {
    match dob.age_on(on).unwrap_or(0) {
        0..=13 => "0-13",
        14..=17 => "14-17",
        18..=24 => "18-24",
        25..=34 => "25-34",
        35..=49 => "35-49",
        _ => "50+",
    }
}

pub const AGE_BANDS: [&str; 6] = ["0-13", "14-17", "18-24", "25-34", "35-49", "50+"];

fn cursor(s: &mut dyn Sql, name: &str) -> DbResult<i64> {
    s.exec("INSERT INTO console_cursor (name, value) VALUES (?1, 0) ON CONFLICT DO NOTHING", &[name.into()])?;
    Ok(s.one("SELECT value FROM console_cursor WHERE name = ?1", &[name.into()])?
        .map(|r| r[0].i())
        .transpose()?
        .unwrap_or(0))
}

/// The offices whose `log` (`events` or `screenings`) moved past the read
/// model `model`'s cursor in it: (office, cursor name, cursor). Each office's
/// log is followed by its own cursor (`<model>/<office>`), because numbers
/// are ordered per office (docs/SCALING.md); a cursor kept from before, one
/// for the whole log, is where every office's starts, which is the same
/// place (the offices' logs started after it).
fn behind(s: &mut dyn Sql, log: &str, model: &str) -> DbResult<Vec<(String, String, i64)>> {
    let legacy = s
        .one("SELECT value FROM console_cursor WHERE name = ?1", &[model.into()])?
        .map(|r| r[0].i())
        .transpose()?
        .unwrap_or(0);
    let heads = s.query(
        "SELECT h.office, h.last, c.value FROM log_heads h LEFT JOIN console_cursor c ON c.name = CAST(?2 AS TEXT) || '/' || h.office
         WHERE h.log = ?1 ORDER BY h.office",
        &[log.into(), model.into()],
    )?;
    let mut out = Vec::new();
    for h in heads {
        let (office, last, at) = (h[0].t()?, h[1].i()?, h[2].oi()?);
        let name = format!("{model}/{office}");
        let from = match at {
            Some(v) => v,
            None => {
                s.exec(
                    "INSERT INTO console_cursor (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    &[name.as_str().into(), legacy.into()],
                )?;
                cursor(s, &name)?
            }
        };
        if last > from {
            out.push((office, name, from));
        }
    }
    Ok(out)
}

/// Moves a cursor from `from` to `to`; false when someone else moved it first.
fn advance(s: &mut dyn Sql, name: &str, from: i64, to: i64) -> DbResult<bool> {
    Ok(s.exec(
        "UPDATE console_cursor SET value = ?1 WHERE name = ?2 AND value = ?3",
        &[to.into(), name.into(), from.into()],
    )? == 1)
}

/// Catches every read model up with the logs.
pub fn catch_up(hq: &Hq) -> Result<(), HqError> {
    let _one = CATCH_UP.lock().unwrap_or_else(|p| p.into_inner());
    while cases(hq)? {}
    while screenings(hq)? {}
    audit(hq)?;
    Ok(())
}

/// One batch of the case model per office behind; true if there may be more.
fn cases(hq: &Hq) -> Result<bool, HqError> {
    let batches = hq.db.tx(|s| {
        let mut out = Vec::new();
        for (office, name, from) in behind(s, "events", "cases")? {
            let rows = s.query(
                "SELECT pos, case_id FROM events WHERE office = ?1 AND pos > ?2 ORDER BY pos LIMIT ?3",
                &[office.as_str().into(), from.into(), BATCH.into()],
            )?;
            let rows = rows.iter().map(|r| Ok((r[0].i()?, r[1].t()?))).collect::<DbResult<Vec<_>>>()?;
            if let Some(to) = rows.last().map(|r| r.0) {
                out.push((name, from, to, rows.into_iter().map(|r| r.1).collect::<BTreeSet<String>>()));
            }
        }
        Ok(out)
    })?;
    if batches.is_empty() {
        return Ok(false);
    }
    let keys = hq.key_ring()?;
    for (name, from, to, ids) in batches {
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            let events = hq.db.case_events(&id)?;
            let office = hq.db.case_office(&id)?.unwrap_or_default();
            views.push((fold(&id, &events, &keys), office));
        }
        hq.db.tx(|s| {
            if !advance(s, &name, from, to)? {
                return Ok(());
            }
            for (v, office) in &views {
                upsert_case(s, v, office)?;
            }
            Ok(())
        })?;
    }
    Ok(true)
}

/// The statistics key of a case row: (month, office, state, victim, sex, age band, fee waived).
type CountKey = (String, String, String, i64, String, String, i64);

fn count(s: &mut dyn Sql, k: &CountKey, by: i64) -> DbResult<()> {
    s.exec(
        "INSERT INTO console_case_counts (month, office, state, victim, sex, age_band, fee_waived, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (month, office, state, victim, sex, age_band, fee_waived) DO UPDATE SET n = console_case_counts.n + excluded.n",
        &[k.0.as_str().into(), k.1.as_str().into(), k.2.as_str().into(), k.3.into(), k.4.as_str().into(), k.5.as_str().into(), k.6.into(), by.into()],
    )
    .map(|_| ())
}

fn upsert_case(s: &mut dyn Sql, v: &CaseView, office: &str) -> DbResult<()> {
    let when = |name: &str| v.history.iter().rev().find(|h| h.1 == name).map(|h| h.4);
    let created = v.history.first().map(|h| h.4).unwrap_or(0);
    let waiting_ms = v.history.last().map(|h| h.4).unwrap_or(created);
    let (sex, band, victim) = match &v.request {
        Some(r) => (
            serde_json::to_value(r.applicant.sex).ok().and_then(|x| x.as_str().map(str::to_string)).unwrap_or_default(),
            age_band(r.applicant.date_of_birth, r.request_date),
            r.trafficking.is_some(),
        ),
        None => (String::new(), "", false),
    };
    let fee_waived = v.certificate.as_ref().map(|c| c.fee_waived).unwrap_or(victim);
    let submitted = when("submitted");
    let issued = when("issued");
    let state = state_code(v.state);
    let waiting = matches!(v.state, Some(RequestState::Submitted | RequestState::IdentityVerified));
    let month =
        v.request.as_ref().map(|r| r.request_date.to_string().chars().take(7).collect::<String>()).unwrap_or_default();
    let before = s.one(
        "SELECT issued_ms, month, office, state, victim, sex, age_band, fee_waived FROM console_cases WHERE case_id = ?1",
        &[v.case_id.as_str().into()],
    )?;
    let mut was_issued = false;
    if let Some(b) = before {
        was_issued = b[0].oi()?.is_some();
        count(s, &(b[1].t()?, b[2].t()?, b[3].t()?, b[4].i()?, b[5].t()?, b[6].t()?, b[7].i()?), -1)?;
    }
    count(
        s,
        &(
            month.clone(),
            office.to_string(),
            state.clone(),
            victim as i64,
            sex.clone(),
            band.to_string(),
            fee_waived as i64,
        ),
        1,
    )?;
    if let (Some(i), Some(sub), false) = (issued, submitted, was_issued) {
        let hours = ((i - sub).max(0)) / 3_600_000;
        s.exec(
            "INSERT INTO console_issue_hours (office, hours, n) VALUES (?1, ?2, 1) ON CONFLICT (office, hours) DO UPDATE SET n = console_issue_hours.n + 1",
            &[office.into(), hours.into()],
        )?;
    }
    s.exec(
        "INSERT INTO console_cases (case_id, office, state, waiting, victim, conflict, sex, age_band, fee_waived, month, created_ms, submitted_ms, issued_ms, waiting_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (case_id) DO UPDATE SET office = excluded.office, state = excluded.state, waiting = excluded.waiting,
           victim = excluded.victim, conflict = excluded.conflict, sex = excluded.sex, age_band = excluded.age_band,
           fee_waived = excluded.fee_waived, month = excluded.month, created_ms = excluded.created_ms,
           submitted_ms = excluded.submitted_ms, issued_ms = excluded.issued_ms,
           waiting_ms = excluded.waiting_ms, updated_ms = excluded.updated_ms",
        &[
            v.case_id.as_str().into(),
            office.into(),
            state.as_str().into(),
            (waiting as i64).into(),
            (victim as i64).into(),
            (v.conflict.is_some() as i64).into(),
            sex.as_str().into(),
            band.into(),
            (fee_waived as i64).into(),
            month.as_str().into(),
            created.into(),
            submitted.into(),
            issued.into(),
            waiting_ms.into(),
            crate::hq::now_ms().into(),
        ],
    )?;
    Ok(())
}

/// What one screening report adds to the counts.
#[derive(Debug, Clone, PartialEq)]
struct Contribution {
    month: String,
    crossing_point: String,
    verdict: String,
    child: bool,
    exploitation: Vec<String>,
}

fn contribution(body: &str) -> Option<(String, bool, Contribution)> {
    let e: homeward_domain::events::Event<ScreeningEvent> = serde_json::from_str(body).ok()?;
    let amended = matches!(e.body, ScreeningEvent::Amended { .. });
    let r = e.body.report();
    let verdict = serde_json::to_value(r.verdict).ok()?.as_str()?.to_string();
    let exploitation = if verdict == "presumed_victim" {
        r.exploitation.iter().filter_map(|x| serde_json::to_value(x).ok()?.as_str().map(str::to_string)).collect()
    } else {
        vec![]
    };
    let month = r.screening_date.to_string().chars().take(7).collect();
    Some((
        e.case_id,
        amended,
        Contribution { month, crossing_point: r.crossing_point.clone(), verdict, child: r.child, exploitation },
    ))
}

type AggKey = (String, String, String, bool);

/// One batch of the screening counts; true if there may be more.
fn screenings(hq: &Hq) -> Result<bool, HqError> {
    let moved = hq.db.tx(|s| {
        let mut more = false;
        for (office, name, from) in behind(s, "screenings", "screenings")? {
            more |= screening_batch(s, hq.db.sealer()?, &office, &name, from)?;
        }
        Ok(more)
    })?;
    Ok(moved)
}

/// One batch of one office's screenings into the counts; true if there may be more.
fn screening_batch(
    s: &mut dyn Sql,
    sealer: &crate::at_rest::Sealer,
    office: &str,
    name: &str,
    from: i64,
) -> DbResult<bool> {
    {
        let rows = s.query(
            "SELECT seq, screening_id, body, pos, id FROM screenings WHERE office = ?1 AND pos > ?2 ORDER BY pos LIMIT ?3",
            &[office.into(), from.into(), BATCH.into()],
        )?;
        let Some(to) = rows.last().map(|r| r[3].i()).transpose()? else { return Ok(false) };
        if !advance(s, name, from, to)? {
            return Ok(false);
        }
        let mut verdicts: HashMap<AggKey, i64> = HashMap::new();
        let mut kinds: HashMap<AggKey, i64> = HashMap::new();
        let mut apply = |c: &Contribution, sign: i64| {
            *verdicts.entry((c.month.clone(), c.crossing_point.clone(), c.verdict.clone(), c.child)).or_default() +=
                sign;
            for x in &c.exploitation {
                *kinds.entry((c.month.clone(), c.crossing_point.clone(), x.clone(), c.child)).or_default() += sign;
            }
        };
        for r in &rows {
            let seq = r[0].i()?;
            let Some((screening_id, amended, now)) =
                contribution(&sealer.open("screenings", &r[4].t()?, &r[2].t()?)?)
            else {
                continue;
            };
            if amended {
                // An amendment replaces what the screening counted before.
                let prev = s.one(
                    "SELECT id, body FROM screenings WHERE screening_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT 1",
                    &[screening_id.as_str().into(), seq.into()],
                )?;
                let prev =
                    prev.map(|p| Ok::<_, DbError>(sealer.open("screenings", &p[0].t()?, &p[1].t()?)?)).transpose()?;
                if let Some((_, _, old)) = prev.and_then(|b| contribution(&b)) {
                    apply(&old, -1);
                }
            }
            apply(&now, 1);
        }
        for ((month, cp, verdict, child), n) in verdicts.into_iter().filter(|(_, n)| *n != 0) {
            s.exec(
                "INSERT INTO console_screening_agg (month, crossing_point, verdict, child, n) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (month, crossing_point, verdict, child) DO UPDATE SET n = console_screening_agg.n + excluded.n",
                &[month.as_str().into(), cp.as_str().into(), verdict.as_str().into(), (child as i64).into(), n.into()],
            )?;
        }
        for ((month, cp, kind, child), n) in kinds.into_iter().filter(|(_, n)| *n != 0) {
            s.exec(
                "INSERT INTO console_exploitation_agg (month, crossing_point, exploitation, child, n) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (month, crossing_point, exploitation, child) DO UPDATE SET n = console_exploitation_agg.n + excluded.n",
                &[month.as_str().into(), cp.as_str().into(), kind.as_str().into(), (child as i64).into(), n.into()],
            )?;
        }
        Ok(rows.len() as i64 == BATCH)
    }
}

/// The audit index: every chain's entries past its own cursor.
fn audit(hq: &Hq) -> Result<(), HqError> {
    let behind: Vec<(String, i64, String)> = hq.db.tx(|s| {
        let rows = s.query(
            "SELECT a.device, COALESCE(c.seq, 0), COALESCE(d.office, '') FROM audit_chains a
             LEFT JOIN console_audit_cursor c ON c.device = a.device
             LEFT JOIN devices d ON d.id = a.device
             WHERE a.anchor_seq > COALESCE(c.seq, 0)",
            &[],
        )?;
        rows.iter().map(|r| Ok((r[0].t()?, r[1].i()?, r[2].t()?))).collect()
    })?;
    for (device, mut from, office) in behind {
        let office = if device == hq.identity.device_id() { "HQ".to_string() } else { office };
        loop {
            let done = hq.db.tx(|s| {
                s.exec(
                    "INSERT INTO console_audit_cursor (device, seq) VALUES (?1, 0) ON CONFLICT DO NOTHING",
                    &[device.as_str().into()],
                )?;
                let rows = s.query(
                    "SELECT seq, body FROM audit_entries WHERE device = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    &[device.as_str().into(), from.into(), BATCH.into()],
                )?;
                let Some(to) = rows.last().map(|r| r[0].i()).transpose()? else { return Ok(true) };
                let n = s.exec(
                    "UPDATE console_audit_cursor SET seq = ?1 WHERE device = ?2 AND seq = ?3",
                    &[to.into(), device.as_str().into(), from.into()],
                )?;
                if n != 1 {
                    return Ok(true);
                }
                let mut values: Vec<[Owned; 7]> = Vec::with_capacity(rows.len());
                for r in &rows {
                    let body = hq.db.sealer()?.open("audit_entries", &format!("{device}/{}", r[0].i()?), &r[1].t()?)?;
                    let Ok(e) = serde_json::from_str::<homeward_domain::audit::AuditEntry>(&body) else {
                        continue;
                    };
                    let action = serde_json::to_value(e.action)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    values.push([
                        Owned::T(device.clone()),
                        Owned::I(e.seq as i64),
                        Owned::I(e.at_ms),
                        Owned::T(e.actor.clone().unwrap_or_default()),
                        Owned::T(action),
                        Owned::T(e.subject.id.clone()),
                        Owned::T(office.clone()),
                    ]);
                }
                insert_many(
                    s,
                    "INSERT INTO console_audit (device, seq, at_ms, actor, action, subject_id, office) VALUES ",
                    " ON CONFLICT DO NOTHING",
                    &values,
                )?;
                from = to;
                Ok(rows.len() < BATCH as usize)
            })?;
            if done {
                break;
            }
        }
    }
    Ok(())
}

/// An owned parameter, for statements built from many rows.
#[derive(Debug, Clone)]
pub enum Owned {
    I(i64),
    T(String),
}

impl Owned {
    pub fn p(&self) -> P<'_> {
        match self {
            Owned::I(i) => P::I(*i),
            Owned::T(t) => P::T(t),
        }
    }
}

/// Inserts rows 100 at a time in one statement each (one round trip per
/// hundred on PostgreSQL).
pub fn insert_many<const N: usize>(s: &mut dyn Sql, head: &str, tail: &str, rows: &[[Owned; N]]) -> DbResult<()> {
    for chunk in rows.chunks(100) {
        let mut sql = String::from(head);
        let mut params: Vec<P<'_>> = Vec::with_capacity(chunk.len() * N);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("?{}", i * N + j + 1));
                params.push(v.p());
            }
            sql.push(')');
        }
        sql.push_str(tail);
        s.exec(&sql, &params)?;
    }
    Ok(())
}

/// Keeps the read models caught up every few seconds, so that pages rarely
/// wait for a catch-up of their own.
pub fn spawn_follower(hq: std::sync::Arc<Hq>) {
    std::thread::Builder::new()
        .name("console-index".into())
        .spawn(move || loop {
            if let Err(e) = catch_up(&hq) {
                eprintln!("console: catching up the read models failed: {e}");
            }
            std::thread::sleep(std::time::Duration::from_secs(3));
        })
        .expect("a thread starts");
}
