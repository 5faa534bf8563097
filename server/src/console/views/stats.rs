//! Statistics for the monitoring the report asks for, for analysts: every
//! table is read from the aggregates, protected by small-count suppression
//! (cells under k and their complements hidden) before anything is drawn
//! or exported, and shown as an SVG chart beside an HTML table with the
//! same numbers. Exports are labelled FOR OFFICIAL USE ONLY and audited.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::header;
use axum::response::IntoResponse;

use homeward_domain::audit::{AuditAction, Subject, SubjectKind};

use super::super::chart::stacked_bars;
use super::super::i18n::T;
use super::super::staff::StaffRole;
use super::super::suppress::{protect, Cell, Protected};
use super::super::{index, Console, Page, Problem, Req};
use super::{html, with_param, Chrome};
use crate::db::sql::P;

const ANALYST: &[StaffRole] = &[StaffRole::Analyst];

/// A table as the page and the export show it.
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub row_head: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub p: Protected,
    pub svg: String,
    pub hidden: usize,
    /// (row name, cells, row total) as shown.
    pub body: Vec<(String, Vec<String>, String)>,
    /// (column totals, grand total) as shown.
    pub foot: (Vec<String>, String),
}

fn show(c: Cell) -> String {
    match c {
        Cell::Shown(n) => super::super::i18n::format_int(n, "\u{a0}"),
        Cell::Hidden => "•".into(),
    }
}

/// Builds a protected table from (row key, column key, count) rows.
#[allow(clippy::too_many_arguments)]
fn table(
    c: &Console,
    t: &T<'_>,
    id: &'static str,
    title_id: &str,
    row_head_id: &str,
    rows: Vec<(String, String)>,
    cols: Vec<(String, String)>,
    data: &[(String, String, i64)],
) -> Table {
    let mut counts = vec![vec![0i64; cols.len()]; rows.len()];
    for (r, col, n) in data {
        if let (Some(i), Some(j)) = (rows.iter().position(|x| &x.0 == r), cols.iter().position(|x| &x.0 == col)) {
            counts[i][j] += n;
        }
    }
    let p = protect(&counts, c.cfg.k);
    let labels: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let series: Vec<String> = cols.iter().map(|x| x.1.clone()).collect();
    let title = t.s(title_id);
    let svg = stacked_bars(id, &title, &labels, &series, &p, &t.n("suppressed-cell", c.cfg.k));
    let hidden = p.cells.iter().flatten().filter(|x| **x == Cell::Hidden).count();
    let body = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.clone(), p.cells[i].iter().map(|x| show(*x)).collect(), show(p.row_totals[i])))
        .collect();
    let foot = (p.col_totals.iter().map(|x| show(*x)).collect(), show(p.total));
    Table { id, title, row_head: t.s(row_head_id), rows: labels, cols: series, p, svg, hidden, body, foot }
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub from: String,
    pub to: String,
    pub crossing: String,
}

impl Filters {
    fn of(req: &Req) -> Filters {
        let month = |v: Option<&str>| {
            v.filter(|m| {
                m.len() == 7
                    && m.as_bytes()[4] == b'-'
                    && m.chars().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
            })
            .unwrap_or("")
            .to_string()
        };
        Filters {
            from: month(req.q("from")),
            to: month(req.q("to")),
            crossing: req
                .q("crossing")
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(12)
                .collect::<String>()
                .to_uppercase(),
        }
    }
    fn query(&self) -> Vec<(String, String)> {
        [("from", &self.from), ("to", &self.to), ("crossing", &self.crossing)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.into(), v.clone()))
            .collect()
    }
    /// WHERE over a month column and a crossing point column.
    fn clause(&self, month_col: &str, cp_col: &str) -> (String, Vec<String>) {
        let mut w = vec![];
        let mut p = vec![];
        if !self.from.is_empty() {
            p.push(self.from.clone());
            w.push(format!("{month_col} >= ?{}", p.len()));
        }
        if !self.to.is_empty() {
            p.push(self.to.clone());
            w.push(format!("{month_col} <= ?{}", p.len()));
        }
        if !self.crossing.is_empty() && !cp_col.is_empty() {
            p.push(self.crossing.clone());
            w.push(format!("{cp_col} = ?{}", p.len()));
        }
        (if w.is_empty() { String::new() } else { format!("WHERE {}", w.join(" AND ")) }, p)
    }
}

fn rows3(c: &Console, sql: &str, p: &[String]) -> Result<Vec<(String, String, i64)>, Problem> {
    let params: Vec<P<'_>> = p.iter().map(|s| P::T(s)).collect();
    Ok(c.hq.db.tx(|s| {
        s.query(sql, &params)?
            .iter()
            .map(|r| Ok((r[0].t()?, r[1].t()?, r[2].i()?)))
            .collect::<crate::db::DbResult<Vec<_>>>()
    })?)
}

pub struct Timing {
    pub office: String,
    pub n: String,
    pub median: String,
    pub p90: String,
}

/// Every table of the page, protected.
fn tables(c: &Console, t: &T<'_>, f: &Filters) -> Result<(Vec<Table>, Vec<Timing>), Problem> {
    let places = super::publish::places(c)?;
    let verdicts: Vec<(String, String)> = ["no_indicators", "further_interview", "presumed_victim"]
        .iter()
        .map(|v| (v.to_string(), t.s(&format!("verdict-{}", v.replace('_', "-")))))
        .collect();
    let (w, p) = f.clause("month", "crossing_point");
    let by_cp = rows3(
        c,
        &format!(
            "SELECT crossing_point, verdict, CAST(SUM(n) AS BIGINT) FROM console_screening_agg {w} GROUP BY crossing_point, verdict"
        ),
        &p,
    )?;
    let mut cps: Vec<String> = by_cp.iter().map(|r| r.0.clone()).collect();
    cps.sort();
    cps.dedup();
    let cp_rows = cps.iter().map(|x| (x.clone(), places.name(x, t.lang))).collect();
    let mut out =
        vec![table(c, t, "by-crossing", "stats-by-crossing", "col-crossing", cp_rows, verdicts.clone(), &by_cp)];

    let by_month = rows3(
        c,
        &format!(
            "SELECT month, verdict, CAST(SUM(n) AS BIGINT) FROM console_screening_agg {w} GROUP BY month, verdict"
        ),
        &p,
    )?;
    let mut months: Vec<String> = by_month.iter().map(|r| r.0.clone()).collect();
    months.sort();
    months.dedup();
    let month_rows = months.iter().map(|m| (m.clone(), t.month(m))).collect();
    out.push(table(c, t, "by-month", "stats-by-month", "col-month", month_rows, verdicts, &by_month));

    let kinds = rows3(
        c,
        &format!("SELECT exploitation, CASE WHEN child = 1 THEN 'child' ELSE 'adult' END, CAST(SUM(n) AS BIGINT) FROM console_exploitation_agg {w} GROUP BY exploitation, child"),
        &p,
    )?;
    let kind_rows = homeward_domain::screening::template::Exploitation::ALL
        .iter()
        .filter_map(|x| serde_json::to_value(x).ok()?.as_str().map(str::to_string))
        .map(|k| (k.clone(), t.s(&format!("exploitation-{}", k.replace('_', "-")))))
        .collect();
    let ages = vec![("adult".to_string(), t.s("stats-adult")), ("child".to_string(), t.s("stats-child"))];
    out.push(table(c, t, "by-exploitation", "stats-by-exploitation", "col-exploitation", kind_rows, ages, &kinds));

    // Certificate requests: months of the request, consulate instead of crossing point.
    // Cases are counted by the month their request was taken, from the kept counts.
    let (mw, mp) = f.clause("month", "");
    let cond = |extra: &str| match (mw.is_empty(), extra.is_empty()) {
        (true, true) => String::new(),
        (true, false) => format!("WHERE {extra}"),
        (false, true) => mw.clone(),
        (false, false) => format!("{mw} AND {extra}"),
    };
    let victims = rows3(
        c,
        &format!(
            "SELECT age_band, sex, CAST(SUM(n) AS BIGINT) FROM console_case_counts {} GROUP BY age_band, sex",
            cond("victim = 1")
        ),
        &mp,
    )?;
    let band_rows = index::AGE_BANDS.iter().map(|b| (b.to_string(), b.replace("50+", "50 +"))).collect();
    let sexes = ["f", "m", "x"].iter().map(|s| (s.to_string(), t.s(&format!("sex-{s}")))).collect();
    out.push(table(c, t, "victims-sex-age", "stats-victims-sex-age", "col-age-band", band_rows, sexes, &victims));

    let groups = [
        ("waiting", "stats-group-waiting"),
        ("approved", "stats-group-approved"),
        ("issued", "stats-group-issued"),
        ("entered", "stats-group-entered"),
        ("closed", "stats-group-closed"),
    ];
    let state_rows = rows3(
        c,
        &format!(
            "SELECT office, CASE WHEN state IN ('draft', 'submitted', 'identity_verified', 'more_information_requested') THEN 'waiting'
                     WHEN state = 'approved' THEN 'approved' WHEN state = 'issued' THEN 'issued' WHEN state = 'entered' THEN 'entered' ELSE 'closed' END,
                    CAST(SUM(n) AS BIGINT) FROM console_case_counts {} GROUP BY office, 2",
            cond("")
        ),
        &mp,
    )?;
    let mut offices: Vec<String> = state_rows.iter().map(|r| r.0.clone()).collect();
    offices.sort();
    offices.dedup();
    let office_rows: Vec<(String, String)> = offices.iter().map(|o| (o.clone(), places.name(o, t.lang))).collect();
    out.push(table(
        c,
        t,
        "certificates-state",
        "stats-certificates-state",
        "col-consulate",
        office_rows.clone(),
        groups.iter().map(|(k, id)| (k.to_string(), t.s(id))).collect(),
        &state_rows,
    ));

    let fees = rows3(
        c,
        &format!(
            "SELECT office, CASE WHEN fee_waived = 1 THEN 'waived' ELSE 'standard' END, CAST(SUM(n) AS BIGINT) FROM console_case_counts {} GROUP BY office, 2",
            cond("state IN ('issued', 'entered', 'expired', 'revoked')")
        ),
        &mp,
    )?;
    out.push(table(
        c,
        t,
        "fee-waiver",
        "stats-fee-waiver",
        "col-consulate",
        office_rows,
        vec![("waived".into(), t.s("stats-fee-waived")), ("standard".into(), t.s("stats-fee-standard"))],
        &fees,
    ));

    // Request to issue: median and 90th percentile from the hours histogram.
    let hist = rows3(c, "SELECT office, CAST(hours AS TEXT), n FROM console_issue_hours ORDER BY office, hours", &[])?;
    let mut by_office: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for (o, h, n) in hist {
        by_office.entry(o).or_default().push((h.parse().unwrap_or(0), n));
    }
    let mut timings = vec![];
    let mut all: Vec<(i64, i64)> = vec![];
    for (office, h) in &by_office {
        all.extend(h.iter().copied());
        timings.push(timing(c, t, places.name(office, t.lang), h));
    }
    all.sort();
    if !by_office.is_empty() {
        timings.push(timing(c, t, t.s("stats-all-consulates"), &all));
    }
    Ok((out, timings))
}

fn percentile(h: &[(i64, i64)], q: f64) -> i64 {
    let n: i64 = h.iter().map(|x| x.1).sum();
    let want = ((n as f64) * q).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (hours, count) in h {
        seen += count;
        if seen >= want {
            return *hours;
        }
    }
    0
}

/// A timing line; below k cases the figures are hidden like any small cell.
fn timing(c: &Console, t: &T<'_>, office: String, h: &[(i64, i64)]) -> Timing {
    let n: i64 = h.iter().map(|x| x.1).sum();
    if n < c.cfg.k {
        return Timing { office, n: "•".into(), median: "•".into(), p90: "•".into() };
    }
    Timing { office, n: t.num(n), median: t.hours(percentile(h, 0.5)), p90: t.hours(percentile(h, 0.9)) }
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct Stats<'a> {
    c: Chrome<'a>,
    f: Filters,
    tables: Vec<Table>,
    timings: Vec<Timing>,
    crossings: Vec<(String, String)>,
    export: String,
    k_note: String,
}

pub fn statistics(c: &Console, req: &Req) -> Page {
    let me = c.me(req, ANALYST)?;
    index::catch_up(&c.hq)?;
    let f = Filters::of(req);
    let chrome = c.chrome(req, Some(&me), "stats-title");
    let t = chrome.t;
    let (tables, timings) = tables(c, &t, &f)?;
    let places = super::publish::places(c)?;
    let crossings = places.crossing_points.iter().map(|p| (p.code.clone(), places.name(&p.code, t.lang))).collect();
    c.hq.audit(AuditAction::Search, Subject::new(SubjectKind::Statistics, ""), &me.actor())?;
    let export = with_param("/console/statistics/export.csv", &f.query(), "", "");
    html(&Stats { k_note: t.n("stats-k-note", c.cfg.k), c: chrome, f, tables, timings, crossings, export })
}

fn csv(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The page's tables as CSV: the same suppressed cells ("suppressed"), labelled.
pub fn export(c: &Console, req: &Req) -> Page {
    let me = c.me(req, ANALYST)?;
    index::catch_up(&c.hq)?;
    let f = Filters::of(req);
    let t = c.t(me.lang);
    let (tables, timings) = tables(c, &t, &f)?;
    let cell = |x: Cell| match x {
        Cell::Shown(n) => n.to_string(),
        Cell::Hidden => "suppressed".into(),
    };
    let mut out = format!("FOR OFFICIAL USE ONLY\n# {}\n", t.n("stats-k-note", c.cfg.k));
    for tb in &tables {
        out.push_str(&format!("\n{}\n{}", csv(&tb.title), csv(&tb.row_head)));
        for col in &tb.cols {
            out.push_str(&format!(",{}", csv(col)));
        }
        out.push_str(&format!(",{}\n", csv(&t.s("col-total"))));
        for (i, row) in tb.rows.iter().enumerate() {
            out.push_str(&csv(row));
            for x in &tb.p.cells[i] {
                out.push_str(&format!(",{}", cell(*x)));
            }
            out.push_str(&format!(",{}\n", cell(tb.p.row_totals[i])));
        }
        out.push_str(&csv(&t.s("col-total")));
        for x in &tb.p.col_totals {
            out.push_str(&format!(",{}", cell(*x)));
        }
        out.push_str(&format!(",{}\n", cell(tb.p.total)));
    }
    out.push_str(&format!("\n{}\n", csv(&t.s("stats-timing"))));
    for tm in timings {
        out.push_str(&format!("{},{},{},{}\n", csv(&tm.office), csv(&tm.n), csv(&tm.median), csv(&tm.p90)));
    }
    c.hq.audit(AuditAction::Export, Subject::new(SubjectKind::Statistics, ""), &me.actor())?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"statistics-FOR-OFFICIAL-USE-ONLY.csv\""),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_come_from_the_histogram() {
        let h = [(1, 5), (2, 3), (10, 2)];
        assert_eq!(super::percentile(&h, 0.5), 1);
        assert_eq!(super::percentile(&h, 0.9), 10);
        assert_eq!(super::percentile(&[], 0.5), 0);
    }
}
