//! The reviewer's work: the queue of certificate requests waiting for
//! headquarters (paged and filtered in the database, oldest first), the
//! case view (summary, history, the screening it came from, conflicts,
//! the decision forms), the justified full record, and decisions, signed by
//! headquarters' key and checked by the core's fold (`Hq::decide_as`, as
//! the operators' API does). After a decision the next case opens.

use askama::Template;
use axum::http::StatusCode;

use homeward_domain::audit::{check_view, AuditAction, ViewKind};
use homeward_domain::certificate::lifecycle::transition;
use homeward_domain::certificate::request::CitizenshipEvidence;
use homeward_domain::certificate::{fold, CaseView, CertificateEvent};

use super::super::i18n::T;
use super::super::staff::StaffRole;
use super::super::{index, Console, Me, Page, Problem, Req};
use super::{html, html_status, with_param, Chrome};
use crate::db::sql::P;
use crate::hq::{case_subject, now_ms};

const PAGE: i64 = 50;
const REVIEWER: &[StaffRole] = &[StaffRole::Reviewer];

/// One decision at a time in this process; across servers the decision is
/// stored only if the case's head is still the one the reviewer saw
/// (`Hq::decide_as_at`), so two reviewers never both apply.
static DECIDING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The queue's filters, as the query string carries them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub office: String,
    /// "waiting" (default), a state code, "conflict" or "all".
    pub state: String,
    /// Waiting at least this many days.
    pub min_days: i64,
    /// "", "yes" or "no".
    pub victim: String,
}

impl Filters {
    pub fn of(req: &Req) -> Filters {
        let office: String = req
            .q("office")
            .unwrap_or("")
            .trim()
            .to_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(12)
            .collect();
        let state = req
            .q("state")
            .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .unwrap_or("waiting")
            .to_string();
        let min_days = req.q("age").and_then(|a| a.parse().ok()).unwrap_or(0i64).clamp(0, 3650);
        let victim = match req.q("victim") {
            Some("yes") => "yes",
            Some("no") => "no",
            _ => "",
        }
        .to_string();
        Filters { office, state, min_days, victim }
    }

    /// The filters as a query string (kept through a case and its decision).
    pub fn query(&self) -> Vec<(String, String)> {
        let mut q = vec![];
        if !self.office.is_empty() {
            q.push(("office".into(), self.office.clone()));
        }
        if self.state != "waiting" {
            q.push(("state".into(), self.state.clone()));
        }
        if self.min_days > 0 {
            q.push(("age".into(), self.min_days.to_string()));
        }
        if !self.victim.is_empty() {
            q.push(("victim".into(), self.victim.clone()));
        }
        q
    }

    pub fn qs(&self) -> String {
        serde_urlencoded::to_string(self.query()).unwrap_or_default()
    }

    /// WHERE clause and its parameters (texts owned by the caller's strings).
    fn clause(&self, now: i64) -> (String, Vec<Param>) {
        let mut w = vec![];
        let mut p: Vec<Param> = vec![];
        match self.state.as_str() {
            "waiting" => w.push("waiting = 1".to_string()),
            "all" => {}
            "conflict" => w.push("conflict = 1".to_string()),
            s => {
                p.push(Param::T(s.to_string()));
                w.push(format!("state = ?{}", p.len()));
            }
        }
        if !self.office.is_empty() {
            p.push(Param::T(self.office.clone()));
            w.push(format!("office = ?{}", p.len()));
        }
        if self.min_days > 0 {
            p.push(Param::I(now - self.min_days * 86_400_000));
            w.push(format!("waiting_ms <= ?{}", p.len()));
        }
        match self.victim.as_str() {
            "yes" => w.push("victim = 1".into()),
            "no" => w.push("victim = 0".into()),
            _ => {}
        }
        let clause = if w.is_empty() { String::new() } else { format!("WHERE {}", w.join(" AND ")) };
        (clause, p)
    }
}

#[derive(Debug, Clone)]
enum Param {
    I(i64),
    T(String),
}

fn params(p: &[Param]) -> Vec<P<'_>> {
    p.iter()
        .map(|x| match x {
            Param::I(i) => P::I(*i),
            Param::T(t) => P::T(t),
        })
        .collect()
}

pub struct Row {
    pub short: String,
    pub office: String,
    pub state: String,
    pub victim: bool,
    pub conflict: bool,
    pub waiting_since: String,
    pub waiting_iso: String,
    pub waiting_for: String,
    pub href: String,
}

/// A queue row as read: case id, office, state, victim, conflict, waiting since (ms).
pub type QueueRow = (String, String, String, bool, bool, i64);

/// A page of the queue: rows after `after` (waiting time, case id), and the total.
pub fn queue_page(
    c: &Console,
    f: &Filters,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<(Vec<QueueRow>, i64), Problem> {
    let now = now_ms();
    let (clause, mut p) = f.clause(now);
    let total = c.hq.db.tx(|s| {
        s.one(&format!("SELECT COUNT(*) FROM console_cases {clause}"), &params(&p))?.map(|r| r[0].i()).transpose()
    })?;
    let mut clause = clause;
    if let Some((ms, id)) = after {
        p.push(Param::I(ms));
        let a = p.len();
        p.push(Param::T(id));
        let b = p.len();
        let cond = format!("(waiting_ms > ?{a} OR (waiting_ms = ?{a} AND case_id > ?{b}))");
        clause = if clause.is_empty() { format!("WHERE {cond}") } else { format!("{clause} AND {cond}") };
    }
    p.push(Param::I(limit));
    let sql = format!(
        "SELECT case_id, office, state, victim, conflict, waiting_ms FROM console_cases {clause} ORDER BY waiting_ms, case_id LIMIT ?{}",
        p.len()
    );
    let rows = c.hq.db.tx(|s| {
        s.query(&sql, &params(&p))?
            .iter()
            .map(|r| Ok((r[0].t()?, r[1].t()?, r[2].t()?, r[3].i()? != 0, r[4].i()? != 0, r[5].i()?)))
            .collect::<crate::db::DbResult<Vec<_>>>()
    })?;
    Ok((rows, total.unwrap_or(0)))
}

#[derive(Template)]
#[template(path = "queue.html")]
struct Queue<'a> {
    c: Chrome<'a>,
    f: Filters,
    rows: Vec<Row>,
    total_line: String,
    next: Option<String>,
    first: Option<String>,
    offices: Vec<(String, String)>,
    states: Vec<(String, String)>,
    ages: Vec<(i64, String)>,
    /// What was typed in the find form, shown back after a lookup.
    find: Find,
}

pub fn state_label(t: &T<'_>, code: &str) -> String {
    t.s(&format!("state-{}", code.replace('_', "-")))
}

pub fn queue(c: &Console, req: &Req) -> Page {
    let me = c.me(req, REVIEWER)?;
    render_queue(c, req, &me, None)
}

/// What a reviewer typed to find a person's cases: never in a URL (it is
/// personal data), so the form is a POST and the answer a page of its own.
#[derive(Debug, Clone, Default)]
pub struct Find {
    pub document: String,
    pub surname: String,
    pub given: String,
    pub dob: String,
}

impl Find {
    fn of(req: &Req) -> Find {
        let f = |n: &str| req.f(n).unwrap_or("").trim().chars().take(80).collect::<String>();
        Find { document: f("document"), surname: f("surname"), given: f("given"), dob: f("dob") }
    }
}

/// Cases found through the keyed lookup index (the fields themselves are
/// sealed): by a document number, or by surname, given name and date of
/// birth together. The lookup is audited; what was looked up is not written.
pub fn find(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, REVIEWER)?;
    let find = Find::of(req);
    let mut ids: Vec<String> = vec![];
    if !find.document.is_empty() {
        ids.extend(c.hq.db.cases_matching(crate::db::LookupKind::Document, &find.document)?);
    }
    if !find.surname.is_empty() && !find.given.is_empty() && !find.dob.is_empty() {
        let person = crate::db::person_key(&find.surname, &find.given, &find.dob);
        ids.extend(c.hq.db.cases_matching(crate::db::LookupKind::Person, &person)?);
    }
    ids.sort();
    ids.dedup();
    c.hq.audit(
        AuditAction::Search,
        homeward_domain::audit::Subject::new(homeward_domain::audit::SubjectKind::CertificateCase, ""),
        &me.actor(),
    )?;
    render_queue(c, req, &me, Some((find, ids)))
}

fn render_queue(c: &Console, req: &Req, me: &Me, found: Option<(Find, Vec<String>)>) -> Page {
    index::catch_up(&c.hq)?;
    let f = Filters::of(req);
    let after =
        req.q("after").and_then(|a| a.split_once(':')).and_then(|(ms, id)| Some((ms.parse().ok()?, id.to_string())));
    let (rows, total) = match &found {
        None => queue_page(c, &f, after.clone(), PAGE)?,
        Some((_, ids)) => {
            let rows = found_rows(c, ids)?;
            let n = rows.len() as i64;
            (rows, n)
        }
    };
    let chrome = c.chrome(req, Some(me), "queue-title");
    let t = chrome.t;
    let now = now_ms();
    let qs = f.qs();
    let next = (found.is_none() && rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| with_param("/console/queue", &f.query(), "after", &format!("{}:{}", r.5, r.0))))
        .flatten();
    let first = after.is_some().then(|| with_param("/console/queue", &f.query(), "after", ""));
    let places = super::publish::places(c)?;
    let rows = rows
        .into_iter()
        .map(|(id, office, state, victim, conflict, waiting)| Row {
            short: id.chars().take(8).collect(),
            href: if qs.is_empty() { format!("/console/cases/{id}") } else { format!("/console/cases/{id}?{qs}") },
            office: places.name(&office, t.lang),
            state: state_label(&t, &state),
            victim,
            conflict,
            waiting_since: t.datetime(waiting),
            waiting_iso: t.iso(waiting),
            waiting_for: match (now - waiting) / 86_400_000 {
                0 => t.s("days-less-than-one"),
                d => t.n("days", d),
            },
        })
        .collect();
    let offices = office_options(c, &places, &t)?;
    let states = [
        "waiting",
        "submitted",
        "identity_verified",
        "more_information_requested",
        "approved",
        "issued",
        "entered",
        "rejected",
        "conflict",
        "all",
    ]
    .iter()
    .map(|s| (s.to_string(), t.s(&format!("filter-state-{}", s.replace('_', "-")))))
    .collect();
    let ages = [0, 1, 3, 7, 14, 30]
        .iter()
        .map(|d| (*d, if *d == 0 { t.s("filter-any-age") } else { t.n("filter-days-or-more", *d) }))
        .collect();
    let total_line = if found.is_some() { t.n("find-total", total) } else { t.n("queue-total", total) };
    let find = found.map(|(f, _)| f).unwrap_or_default();
    html(&Queue { total_line, c: chrome, f, rows, next, first, offices, states, ages, find })
}

/// The queue rows of these cases, in the queue's order.
fn found_rows(c: &Console, ids: &[String]) -> Result<Vec<QueueRow>, Problem> {
    let mut rows = vec![];
    for id in ids.iter().take(PAGE as usize) {
        let row = c.hq.db.tx(|s| {
            s.one(
                "SELECT case_id, office, state, victim, conflict, waiting_ms FROM console_cases WHERE case_id = ?1",
                &[id.as_str().into()],
            )?
            .map(|r| Ok((r[0].t()?, r[1].t()?, r[2].t()?, r[3].i()? != 0, r[4].i()? != 0, r[5].i()?)))
            .transpose()
        })?;
        rows.extend(row);
    }
    rows.sort_by(|a, b| (a.5, &a.0).cmp(&(b.5, &b.0)));
    Ok(rows)
}

fn office_options(c: &Console, places: &super::publish::Places, t: &T<'_>) -> Result<Vec<(String, String)>, Problem> {
    let codes: Vec<String> = c.hq.db.tx(|s| {
        s.query("SELECT DISTINCT office FROM console_cases ORDER BY office", &[])?.iter().map(|r| r[0].t()).collect()
    })?;
    Ok(codes.into_iter().map(|code| (places.name(&code, t.lang), code)).collect())
}

pub struct HistoryLine {
    pub when: String,
    pub iso: String,
    pub what: String,
    pub who: String,
    pub detail: String,
}

pub struct Indicator {
    pub element: String,
    pub questions: Vec<String>,
}

pub struct ScreeningSummary {
    pub date: String,
    pub crossing_point: String,
    pub verdict: String,
    pub child: bool,
    pub indicators: Vec<Indicator>,
    pub exploitation: Vec<String>,
}

pub struct FullRecord {
    pub fields: Vec<(String, String)>,
    pub children: Vec<String>,
    pub evidence: Vec<String>,
}

/// A decision the fold allows from the case's state.
pub struct DecisionForm {
    pub kind: &'static str,
    pub label: String,
    pub field: &'static str,
    pub field_label: String,
    pub key: &'static str,
    pub default_value: String,
    pub number: bool,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage<'a> {
    c: Chrome<'a>,
    case_id: String,
    head: String,
    state: String,
    summary: Vec<(String, String)>,
    victim: bool,
    history: Vec<HistoryLine>,
    screening: Option<ScreeningSummary>,
    /// Each branch of a conflict: what it did, and its first event (to keep it).
    conflict: Option<Vec<(String, String)>>,
    refused: Vec<String>,
    decisions: Vec<DecisionForm>,
    last_note: Option<String>,
    full: Option<FullRecord>,
    back_qs: String,
    queue_href: String,
    /// The next case in the same filters (the `n` key).
    next_href: Option<String>,
    reasons: Vec<(String, String)>,
    photo: String,
}

fn load(c: &Console, case_id: &str) -> Result<CaseView, Problem> {
    if uuid::Uuid::parse_str(case_id).is_err() {
        return Err(Problem::NotFound);
    }
    let events = c.hq.db.case_events(case_id)?;
    if events.is_empty() {
        return Err(Problem::NotFound);
    }
    Ok(fold(case_id, &events, &c.hq.key_ring()?))
}

fn full_view_open(c: &Console, me: &Me, case_id: &str) -> Result<bool, Problem> {
    Ok(c.hq
        .db
        .tx(|s| {
            s.one(
                "SELECT until_ms FROM console_full_views WHERE session_hash = ?1 AND case_id = ?2 AND until_ms > ?3",
                &[me.session.id_hash.as_str().into(), case_id.into(), now_ms().into()],
            )
        })?
        .is_some())
}

pub fn case(c: &Console, req: &Req) -> Page {
    let me = c.me(req, REVIEWER)?;
    let case_id = req.path.trim_start_matches("/console/cases/").to_string();
    let view = load(c, &case_id)?;
    c.hq.audit(AuditAction::Search, case_subject(&case_id), &me.actor())?;
    render_case(c, req, &me, view, None, StatusCode::OK)
}

fn render_case(c: &Console, req: &Req, me: &Me, view: CaseView, error: Option<String>, status: StatusCode) -> Page {
    let f = Filters::of(req);
    let mut chrome = c.chrome(req, Some(me), "case-title");
    chrome.error = error;
    let t = chrome.t;
    let places = super::publish::places(c)?;
    chrome.title = format!("{} {}", t.s("case-title"), view.case_id.chars().take(8).collect::<String>());
    let operators: Vec<(String, String, i64)> = c.hq.db.actions(&view.case_id)?;
    let state = view.state.map(|s| index::state_code(Some(s))).unwrap_or_else(|| "none".into());
    let mut summary = vec![];
    let r = view.request.as_ref();
    if let Some(r) = r {
        summary.push((t.s("case-office"), places.name(&r.issuing_office, t.lang)));
        summary.push((t.s("case-request-date"), t.iso_date(&r.request_date.to_string())));
        summary.push((t.s("case-travel-date"), t.iso_date(&r.travel_date.to_string())));
        summary.push((t.s("case-route"), r.route.clone()));
        summary.push((
            t.s("case-loss"),
            t.s(&format!(
                "loss-{}",
                serde_json::to_value(r.loss)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
                    .unwrap_or_default()
            )),
        ));
        let kinds: Vec<String> = r.evidence.iter().map(|e| t.s(evidence_id(e))).collect();
        summary.push((t.s("case-evidence"), kinds.join(", ")));
        summary.push((t.s("case-children"), t.num(r.children.len() as i64)));
        summary.push((
            t.s("case-fee"),
            if r.trafficking.is_some() { t.s("fee-waived-victim") } else { t.s("fee-standard") },
        ));
    }
    if let Some(cert) = &view.certificate {
        summary.push((t.s("case-certificate"), cert.number.clone()));
        summary.push((t.s("case-valid-until"), t.iso_date(&cert.expiry_date.to_string())));
    }
    if let Some((cp, date)) = &view.entry {
        summary.push((t.s("case-entered"), format!("{} · {}", places.name(cp, t.lang), t.iso_date(&date.to_string()))));
    }
    let bodies: std::collections::HashMap<String, CertificateEvent> =
        c.hq.db.case_events(&view.case_id)?.into_iter().map(|e| (e.id, e.body)).collect();
    let history = view
        .history
        .iter()
        .map(|(id, name, author, _role, ms)| {
            let op = operators.iter().find(|o| &o.0 == id).map(|o| o.1.clone());
            HistoryLine {
                when: t.datetime(*ms),
                iso: t.iso(*ms),
                what: t.s(&format!("event-{}", name.replace('_', "-"))),
                who: match op {
                    Some(op) => {
                        t.a("history-by-operator", &[("user", op.trim_start_matches("console:")), ("device", author)])
                    }
                    None => author.clone(),
                },
                detail: match bodies.get(id) {
                    Some(CertificateEvent::IdentityVerified { note }) => note.clone(),
                    Some(CertificateEvent::MoreInformationRequested { question }) => question.clone(),
                    Some(
                        CertificateEvent::Rejected { reason }
                        | CertificateEvent::Revoked { reason }
                        | CertificateEvent::Cancelled { reason },
                    ) => reason.clone(),
                    Some(CertificateEvent::Approved { validity_days }) => t.n("days", *validity_days as i64),
                    Some(CertificateEvent::Issued { certificate }) => certificate.number.clone(),
                    Some(CertificateEvent::Entered { crossing_point, .. }) => places.name(crossing_point, t.lang),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let screening = match r.and_then(|r| r.trafficking.as_ref()).and_then(|f| f.screening_id.clone()) {
        Some(sid) => screening_summary(c, &t, &places, &sid)?,
        None => None,
    };
    let conflict = view.conflict.as_ref().map(|k| {
        k.branches
            .iter()
            .map(|b| {
                let label = t.a(
                    "conflict-branch",
                    &[
                        ("what", &t.s(&format!("event-{}", b.event.replace('_', "-")))),
                        ("device", &b.author),
                        ("number", b.certificate_number.as_deref().unwrap_or("-")),
                    ],
                );
                (label, b.event_id.clone())
            })
            .collect()
    });
    let refused = view
        .refused
        .iter()
        .map(|x| format!("{}: {}", t.s(&format!("event-{}", x.event.replace('_', "-"))), x.reason))
        .collect();
    let validity = c.hq.reference()?.map(|r| r.body.validity_days).unwrap_or(30);
    let decisions = decision_forms(&t, &view, validity);
    let full = if full_view_open(c, me, &view.case_id)? { r.map(|r| full_record_of(&t, r)) } else { None };
    let reasons = ["identity", "supervisor", "legal", "other"]
        .iter()
        .map(|k| (k.to_string(), t.s(&format!("justification-{k}"))))
        .collect();
    let photo = match r.and_then(|r| r.applicant.photo_sha256.as_deref()) {
        Some(h) => t.a("photo-sealed", &[("code", &h.chars().take(16).collect::<String>())]),
        None => t.s("photo-none"),
    };
    let qs = f.qs();
    let next_href = next_case(c, &f, &view.case_id)?.map(|id| {
        if qs.is_empty() {
            format!("/console/cases/{id}")
        } else {
            format!("/console/cases/{id}?{qs}")
        }
    });
    let page = CasePage {
        next_href,
        c: chrome,
        head: view.head.clone().unwrap_or_default(),
        state: state_label(&t, &state),
        victim: r.is_some_and(|r| r.trafficking.is_some()),
        summary,
        history,
        screening,
        conflict,
        refused,
        decisions,
        last_note: view.last_note.clone(),
        full,
        queue_href: if qs.is_empty() { "/console/queue".into() } else { format!("/console/queue?{qs}") },
        back_qs: qs,
        reasons,
        photo,
        case_id: view.case_id,
    };
    html_status(status, &page)
}

fn evidence_id(e: &CitizenshipEvidence) -> &'static str {
    match e {
        CitizenshipEvidence::OldPassport { .. } => "evidence-old-passport",
        CitizenshipEvidence::NationalId { .. } => "evidence-national-id",
        CitizenshipEvidence::BirthCertificate { .. } => "evidence-birth-certificate",
        CitizenshipEvidence::Witnesses { .. } => "evidence-witnesses",
        CitizenshipEvidence::VerificationRequested => "evidence-verification-requested",
    }
}

fn full_record_of(t: &T<'_>, r: &homeward_domain::certificate::CertificateRequest) -> FullRecord {
    let a = &r.applicant;
    let sex = serde_json::to_value(a.sex).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let mut fields = vec![
        (t.s("person-surname"), a.surname.clone()),
        (t.s("person-given-name"), a.given_name.clone()),
        (t.s("person-patronymic"), a.patronymic.clone().unwrap_or_else(|| "-".into())),
        (t.s("person-date-of-birth"), t.iso_date(&a.date_of_birth.to_string())),
        (t.s("person-place-of-birth"), a.place_of_birth.clone()),
        (t.s("person-sex"), t.s(&format!("sex-{sex}"))),
        (t.s("case-assessment"), r.officer_assessment.clone()),
    ];
    if let Some(g) = &a.guardian {
        fields.push((t.s("person-guardian"), g.clone()));
    }
    if let Some(note) = r.trafficking.as_ref().and_then(|f| f.note.clone()) {
        fields.push((t.s("case-victim-note"), note));
    }
    let evidence = r
        .evidence
        .iter()
        .map(|e| match e {
            CitizenshipEvidence::OldPassport { number }
            | CitizenshipEvidence::NationalId { number }
            | CitizenshipEvidence::BirthCertificate { number } => {
                format!("{}: {number}", t.s(evidence_id(e)))
            }
            CitizenshipEvidence::Witnesses { names } => format!("{}: {}", t.s(evidence_id(e)), names.join(", ")),
            CitizenshipEvidence::VerificationRequested => t.s(evidence_id(e)),
        })
        .collect();
    let children = r
        .children
        .iter()
        .map(|ch| format!("{} {} ({})", ch.surname, ch.given_name, t.iso_date(&ch.date_of_birth.to_string())))
        .collect();
    FullRecord { fields, children, evidence }
}

fn screening_summary(
    c: &Console,
    t: &T<'_>,
    places: &super::publish::Places,
    screening_id: &str,
) -> Result<Option<ScreeningSummary>, Problem> {
    let body = c.hq.db.tx(|s| {
        s.one(
            "SELECT id, body FROM screenings WHERE screening_id = ?1 ORDER BY seq DESC LIMIT 1",
            &[screening_id.into()],
        )?
        .map(|r| Ok::<_, crate::db::DbError>(c.hq.db.sealer()?.open("screenings", &r[0].t()?, &r[1].t()?)?))
        .transpose()
    })?;
    let Some(e) = body.and_then(|b| {
        serde_json::from_str::<homeward_domain::events::Event<homeward_domain::screening::ScreeningEvent>>(&b).ok()
    }) else {
        return Ok(None);
    };
    let r = e.body.report();
    let checklist = c.hq.checklist_for(&r.template_id, r.template_version)?.unwrap_or_else(|| c.hq.checklist.clone());
    let lang = t.lang.checklist();
    let question = |id: &str| -> String {
        checklist
            .template()
            .sections
            .iter()
            .flat_map(|s| &s.questions)
            .find(|q| q.id == id)
            .map(|q| homeward_domain::screening::template::text(&q.text, lang).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let mut indicators = vec![];
    for (element, ids) in [
        ("act", &r.act),
        ("means", &r.means),
        ("purpose", &r.purpose),
        ("control", &r.control),
        ("child", &r.child_signs),
    ] {
        if !ids.is_empty() {
            indicators.push(Indicator {
                element: t.s(&format!("element-{element}")),
                questions: ids.iter().map(|q| question(q)).collect(),
            });
        }
    }
    let verdict =
        serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(|s| s.replace('_', "-"))).unwrap_or_default();
    Ok(Some(ScreeningSummary {
        date: t.iso_date(&r.screening_date.to_string()),
        crossing_point: places.name(&r.crossing_point, t.lang),
        verdict: t.s(&format!("verdict-{verdict}")),
        child: r.child,
        indicators,
        exploitation: r
            .exploitation
            .iter()
            .filter_map(|x| {
                serde_json::to_value(x).ok()?.as_str().map(|s| t.s(&format!("exploitation-{}", s.replace('_', "-"))))
            })
            .collect(),
    }))
}

/// The decisions the core's lifecycle allows from this state, in the order
/// a reviewer works: verify, ask, approve, reject, revoke.
fn decision_forms(t: &T<'_>, view: &CaseView, validity: u32) -> Vec<DecisionForm> {
    if view.conflict.is_some() {
        return vec![];
    }
    let allowed = |e: CertificateEvent| transition(view.state, &e, view.request.as_ref()).is_ok();
    let mut out = vec![];
    let mut add = |ok: bool, kind, field, key, default_value: String, number, danger| {
        if ok {
            out.push(DecisionForm {
                kind,
                label: t.s(&format!("decide-{kind}")),
                field,
                field_label: t.s(&format!("decide-{kind}-field")),
                key,
                default_value,
                number,
                danger,
            });
        }
    };
    add(
        allowed(CertificateEvent::IdentityVerified { note: String::new() }),
        "verify-identity",
        "note",
        "v",
        t.s("decide-verify-identity-default"),
        false,
        false,
    );
    add(
        allowed(CertificateEvent::MoreInformationRequested { question: String::new() }),
        "more-info",
        "question",
        "m",
        String::new(),
        false,
        false,
    );
    add(
        allowed(CertificateEvent::Approved { validity_days: validity }),
        "approve",
        "validity_days",
        "a",
        validity.to_string(),
        true,
        false,
    );
    add(
        allowed(CertificateEvent::Rejected { reason: String::new() }),
        "reject",
        "reason",
        "r",
        String::new(),
        false,
        true,
    );
    add(
        allowed(CertificateEvent::Revoked { reason: String::new() }),
        "revoke",
        "reason",
        "x",
        String::new(),
        false,
        true,
    );
    out
}

/// The case a reviewer opens next: the oldest in the same filters other than `done`.
fn next_case(c: &Console, f: &Filters, done: &str) -> Result<Option<String>, Problem> {
    let (rows, _) = queue_page(c, f, None, 2)?;
    Ok(rows.into_iter().map(|r| r.0).find(|id| id != done))
}

pub fn decide(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, REVIEWER)?;
    let case_id = req.path.trim_start_matches("/console/cases/").trim_end_matches("/decision").to_string();
    let t = c.t(me.lang);
    let kind = req.need("kind")?;
    let text = |name: &str| -> Result<String, Problem> {
        let v = req.need(name)?.to_string();
        if v.chars().count() > 1000 {
            return Err(Problem::BadForm("text-too-long"));
        }
        Ok(v)
    };
    let event = match kind {
        "verify-identity" => CertificateEvent::IdentityVerified { note: text("note")? },
        "more-info" => CertificateEvent::MoreInformationRequested { question: text("question")? },
        "approve" => {
            let days: u32 = req.need("validity_days")?.parse().map_err(|_| Problem::BadForm("validity-invalid"))?;
            if !(1..=365).contains(&days) {
                return Err(Problem::BadForm("validity-invalid"));
            }
            CertificateEvent::Approved { validity_days: days }
        }
        "reject" => CertificateEvent::Rejected { reason: text("reason")? },
        "revoke" => CertificateEvent::Revoked { reason: text("reason")? },
        // Headquarters names the fork and attaches the resolution (`Hq::decide_as`).
        "resolve-conflict" => {
            CertificateEvent::ConflictResolved { after: String::new(), keep: text("keep")?, reason: text("reason")? }
        }
        _ => return Err(Problem::BadForm("form-malformed")),
    };
    let _one = DECIDING.lock().unwrap_or_else(|p| p.into_inner());
    let view = load(c, &case_id)?;
    let seen_head = req.f("head").unwrap_or("");
    // Someone decided (or the consulate acted) since this page was drawn: show what, apply nothing.
    let moved_on = |view: CaseView| -> Page {
        let last = view.history.last();
        let who = last
            .map(|l| {
                c.hq.db
                    .actions(&case_id)
                    .ok()
                    .and_then(|a| {
                        a.into_iter().find(|o| o.0 == l.0).map(|o| o.1.trim_start_matches("console:").to_string())
                    })
                    .unwrap_or_else(|| l.2.clone())
            })
            .unwrap_or_default();
        let msg = t.a(
            "decision-moved-on",
            &[
                ("user", &who),
                ("what", &last.map(|l| t.s(&format!("event-{}", l.1.replace('_', "-")))).unwrap_or_default()),
                ("when", &last.map(|l| t.datetime(l.4)).unwrap_or_default()),
            ],
        );
        render_case(c, req, &me, view, Some(msg), StatusCode::CONFLICT)
    };
    if view.head.as_deref().unwrap_or("") != seen_head {
        return moved_on(view);
    }
    // The same check again where the decision is stored: another server
    // may have taken a decision on this case since `load`.
    match c.hq.decide_as_at(&case_id, event, &me.actor(), Some(seen_head)) {
        Ok(_) => {}
        Err(crate::hq::HqError::MovedOn) => return moved_on(load(c, &case_id)?),
        Err(crate::hq::HqError::Refused(m)) => {
            let view = load(c, &case_id)?;
            return render_case(
                c,
                req,
                &me,
                view,
                Some(t.a("decision-refused", &[("reason", &m)])),
                StatusCode::CONFLICT,
            );
        }
        Err(e) => return Err(e.into()),
    }
    drop(_one);
    index::catch_up(&c.hq)?;
    let f = Filters::of(req);
    let qs = f.qs();
    let done = format!("decided-{kind}");
    let sep = if qs.is_empty() { String::new() } else { format!("{qs}&") };
    Err(Problem::Redirect(match next_case(c, &f, &case_id)? {
        Some(next) => format!("/console/cases/{next}?{sep}done={done}"),
        None => format!("/console/queue?{sep}done={done}"),
    }))
}

/// Opens the applicant's full record for this session for 15 minutes,
/// with the reason recorded in headquarters' audit trail.
pub fn full_record(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, REVIEWER)?;
    let case_id = req.path.trim_start_matches("/console/cases/").trim_end_matches("/full-record").to_string();
    let view = load(c, &case_id)?;
    let t = c.t(me.lang);
    let reason = match req.f("reason").unwrap_or("") {
        "other" | "" => req.f("reason_text").unwrap_or("").trim().to_string(),
        k @ ("identity" | "supervisor" | "legal") => {
            let extra = req.f("reason_text").unwrap_or("").trim();
            let base = t.s(&format!("justification-{k}"));
            if extra.is_empty() {
                base
            } else {
                format!("{base}: {extra}")
            }
        }
        _ => return Err(Problem::BadForm("form-malformed")),
    };
    if check_view(ViewKind::FullRecord, Some(&reason)).is_err() {
        return render_case(c, req, &me, view, Some(t.s("justification-required")), StatusCode::UNPROCESSABLE_ENTITY);
    }
    c.hq.audit_justified(AuditAction::View, case_subject(&case_id), &me.actor(), Some(&reason))?;
    c.hq.db.tx(|s| {
        s.exec(
            "INSERT INTO console_full_views (session_hash, case_id, until_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (session_hash, case_id) DO UPDATE SET until_ms = excluded.until_ms",
            &[me.session.id_hash.as_str().into(), case_id.as_str().into(), (now_ms() + 15 * 60_000).into()],
        )
        .map(|_| ())
    })?;
    let qs = Filters::of(req).qs();
    Err(Problem::Redirect(if qs.is_empty() {
        format!("/console/cases/{case_id}#full-record")
    } else {
        format!("/console/cases/{case_id}?{qs}#full-record")
    }))
}
