//! Checklists and reference data: upload a file, see every validation
//! problem with its path (the core's own validation for templates), see
//! what changed from what is in force, and publish it signed by
//! headquarters' root (`Hq::publish_template`, `Hq::publish_reference`).
//! Crossing points and consulates (codes and names in each language) are
//! part of the reference file.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use homeward_domain::audit::{AuditAction, Subject};
use homeward_domain::screening::template::{text, Template as Checklist};

use super::super::i18n::{Lang, T};
use super::super::staff::StaffRole;
use super::super::{Console, Me, Page, Problem, Req};
use super::{html_status, Chrome};
use crate::hq::now_ms;

const ADMIN: &[StaffRole] = &[StaffRole::Administrator];

/// A crossing point or consulate: its code and its name in each language.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub code: String,
    pub name: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Places {
    #[serde(default)]
    pub crossing_points: Vec<Place>,
    #[serde(default)]
    pub consulates: Vec<Place>,
}

impl Places {
    /// The name of an office or crossing point in `lang` (its code when unknown).
    pub fn name(&self, code: &str, lang: Lang) -> String {
        self.crossing_points
            .iter()
            .chain(&self.consulates)
            .find(|p| p.code == code)
            .and_then(|p| p.name.get(lang.code()).or_else(|| p.name.get("en")).cloned())
            .unwrap_or_else(|| code.to_string())
    }

    /// (name, code) of every consulate and crossing point.
    pub fn all(&self, lang: Lang) -> Vec<(String, String)> {
        self.consulates
            .iter()
            .chain(&self.crossing_points)
            .map(|p| (self.name(&p.code, lang), p.code.clone()))
            .collect()
    }
}

/// The reference data as uploaded: fees, validity and the places.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    pub standard_fee_minor: u64,
    pub fee_currency: String,
    pub validity_days: u32,
    #[serde(default)]
    pub crossing_points: Vec<Place>,
    #[serde(default)]
    pub consulates: Vec<Place>,
}

/// The samples headquarters starts with (DOMAIN.md), replaced by the first upload.
pub const SAMPLE_REFERENCE: &str = include_str!("../sample-reference.json");

pub fn places(c: &Console) -> Result<Places, Problem> {
    let stored = c.hq.db.get_kv("console_places")?;
    Ok(match stored {
        Some(s) => serde_json::from_str(&s).unwrap_or_default(),
        None => serde_json::from_str::<ReferenceFile>(SAMPLE_REFERENCE)
            .map(|r| Places { crossing_points: r.crossing_points, consulates: r.consulates })
            .unwrap_or_default(),
    })
}

/// Every problem of a reference file, each with its path.
pub fn check_reference(r: &ReferenceFile) -> Vec<(String, String)> {
    let mut out = vec![];
    if r.fee_currency.len() != 3 || !r.fee_currency.chars().all(|c| c.is_ascii_uppercase()) {
        out.push(("fee_currency".into(), "the currency is a three-letter ISO 4217 code, e.g. KGS".into()));
    }
    if !(1..=365).contains(&r.validity_days) {
        out.push(("validity_days".into(), "validity is 1 to 365 days".into()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (list, places) in [("crossing_points", &r.crossing_points), ("consulates", &r.consulates)] {
        for (i, p) in places.iter().enumerate() {
            let at = format!("{list}[{i}]");
            if p.code.is_empty()
                || p.code.len() > 12
                || !p.code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            {
                out.push((format!("{at}.code"), "a code is 1-12 capital letters, digits or dashes".into()));
            }
            if !seen.insert(p.code.clone()) {
                out.push((format!("{at}.code"), format!("the code {:?} is used more than once", p.code)));
            }
            for lang in Lang::ALL {
                if p.name.get(lang.code()).is_none_or(|n| n.trim().is_empty()) {
                    out.push((format!("{at}.name.{}", lang.code()), "the name is missing in this language".into()));
                }
            }
            for k in p.name.keys() {
                if Lang::parse(k).is_none() {
                    out.push((format!("{at}.name.{k}"), "unknown language; use ky, ru or en".into()));
                }
            }
        }
    }
    out
}

pub struct Change {
    pub what: String,
    pub detail: String,
}

pub struct Draft {
    pub id: String,
    pub title: String,
    pub problems: Vec<(String, String)>,
    pub changes: Vec<Change>,
    /// "3 problems must be fixed…", in the person's language.
    pub problems_line: String,
    /// A checklist's review state: (language, "12 of 120 reviewed", the ids not reviewed).
    pub review: Vec<(String, String, String)>,
    /// How many (text, language) pairs are not reviewed: publishing then
    /// needs a reason, kept in the audit trail.
    pub unreviewed: usize,
    /// The override field's label, in the person's language.
    pub review_line: String,
}

/// A checklist's review state per language, as the page shows it.
fn review_rows(t: &T<'_>, tpl: &Checklist) -> Vec<(String, String, String)> {
    homeward_domain::screening::review_state(tpl)
        .into_iter()
        .map(|r| {
            (
                r.lang.code().to_string(),
                t.a("review-count", &[("reviewed", &r.reviewed.to_string()), ("total", &r.total.to_string())]),
                r.unreviewed.join(", "),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "publish.html")]
struct PublishPage<'a> {
    c: Chrome<'a>,
    kind: &'static str,
    current: Vec<(String, String)>,
    draft: Option<Draft>,
    sample_note: bool,
}

fn save_draft(c: &Console, me: &Me, kind: &str, body: &str) -> Result<String, Problem> {
    let id = hex::encode(&Sha256::digest(format!("{kind}\n{body}").as_bytes())[..12]);
    c.hq.db.tx(|s| {
        s.exec(
            "INSERT INTO console_drafts (id, kind, body, created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            &[id.as_str().into(), kind.into(), body.into(), me.actor().as_str().into(), now_ms().into()],
        )
        .map(|_| ())
    })?;
    Ok(id)
}

fn draft(c: &Console, kind: &str, id: &str) -> Result<String, Problem> {
    c.hq.db
        .tx(|s| {
            s.one("SELECT body FROM console_drafts WHERE id = ?1 AND kind = ?2", &[id.into(), kind.into()])?
                .map(|r| r[0].t())
                .transpose()
        })?
        .ok_or(Problem::NotFound)
}

fn uploaded(req: &Req) -> Result<String, Problem> {
    let (_, bytes) = req.files.iter().find(|(name, _)| name == "file").ok_or(Problem::BadForm("upload-missing"))?;
    if bytes.is_empty() {
        return Err(Problem::BadForm("upload-missing"));
    }
    String::from_utf8(bytes.clone()).map_err(|_| Problem::BadForm("upload-not-text"))
}

// ---- checklists

fn checklist_current(c: &Console, t: &T<'_>) -> Result<Vec<(String, String)>, Problem> {
    let cur = c.hq.current_checklist()?;
    let tpl = cur.template();
    let questions: usize = tpl.sections.iter().map(|s| s.questions.len()).sum();
    let published =
        c.hq.published_template()?
            .map(|p| t.datetime(p.body.published_ms))
            .unwrap_or_else(|| t.s("checklist-built-in"));
    Ok([
        (t.s("checklist-id"), tpl.id.clone()),
        (t.s("checklist-version"), tpl.version.to_string()),
        (t.s("checklist-title-field"), text(&tpl.title, t.lang.checklist()).to_string()),
        (t.s("checklist-questions"), t.num(questions as i64)),
        (t.s("checklist-published"), published),
    ]
    .into_iter()
    .chain(review_rows(t, tpl).into_iter().map(|(lang, count, _)| (t.a("review-in", &[("lang", &lang)]), count)))
    .collect())
}

/// Questions added, removed and reworded (per language) from `old` to `new`.
pub fn checklist_changes(t: &T<'_>, old: &Checklist, new: &Checklist) -> Vec<Change> {
    let questions = |tpl: &Checklist| -> BTreeMap<String, homeward_domain::screening::template::Question> {
        tpl.sections.iter().flat_map(|s| s.questions.iter().map(|q| (q.id.clone(), q.clone()))).collect()
    };
    let (a, b) = (questions(old), questions(new));
    let lang = t.lang.checklist();
    let mut out = vec![];
    for (id, q) in &b {
        match a.get(id) {
            None => {
                out.push(Change { what: t.a("change-added", &[("code", id)]), detail: text(&q.text, lang).to_string() })
            }
            Some(before) => {
                for l in homeward_domain::screening::template::LANGUAGES {
                    if before.text.get(&l) != q.text.get(&l) {
                        out.push(Change {
                            what: t.a("change-reworded", &[("code", id), ("lang", l.code())]),
                            detail: format!(
                                "{} → {}",
                                before.text.get(&l).map(String::as_str).unwrap_or("-"),
                                q.text.get(&l).map(String::as_str).unwrap_or("-")
                            ),
                        });
                    }
                }
                if before.answer != q.answer || before.required != q.required {
                    out.push(Change { what: t.a("change-answer", &[("code", id)]), detail: String::new() });
                }
            }
        }
    }
    for (id, q) in &a {
        if !b.contains_key(id) {
            out.push(Change { what: t.a("change-removed", &[("code", id)]), detail: text(&q.text, lang).to_string() });
        }
    }
    out
}

fn render(
    c: &Console,
    req: &Req,
    me: &Me,
    kind: &'static str,
    draft: Option<Draft>,
    error: Option<String>,
    status: StatusCode,
) -> Page {
    let title = if kind == "template" { "checklists-title" } else { "reference-title" };
    let mut chrome = c.chrome(req, Some(me), title);
    chrome.error = error;
    let t = chrome.t;
    let (current, sample_note) = if kind == "template" {
        (checklist_current(c, &t)?, false)
    } else {
        let r = c.hq.reference()?;
        let places = places(c)?;
        let mut v = vec![];
        match &r {
            Some(r) => {
                v.push((
                    t.s("reference-fee"),
                    format!("{} {}", t.dec1(r.body.standard_fee_minor as f64 / 100.0), r.body.fee_currency),
                ));
                v.push((t.s("reference-validity"), t.n("days", r.body.validity_days as i64)));
                v.push((t.s("reference-sequence"), r.body.sequence.to_string()));
            }
            None => v.push((t.s("reference-fee"), t.s("reference-none"))),
        }
        v.push((
            t.s("reference-crossings"),
            places.crossing_points.iter().map(|p| places.name(&p.code, t.lang)).collect::<Vec<_>>().join(", "),
        ));
        v.push((
            t.s("reference-consulates"),
            places.consulates.iter().map(|p| places.name(&p.code, t.lang)).collect::<Vec<_>>().join(", "),
        ));
        (v, c.hq.db.get_kv("console_places")?.is_none())
    };
    let draft = draft.map(|mut d| {
        d.problems_line = t.n("publish-problems", d.problems.len() as i64);
        d.review_line = t.n("review-override", d.unreviewed as i64);
        d
    });
    html_status(status, &PublishPage { c: chrome, kind, current, draft, sample_note })
}

pub fn checklists(c: &Console, req: &Req) -> Page {
    let me = c.me(req, ADMIN)?;
    let draft = match req.q("draft") {
        Some(id) => Some(checklist_draft(c, &c.t(me.lang), id, &draft(c, "template", id)?)?),
        None => None,
    };
    render(c, req, &me, "template", draft, None, StatusCode::OK)
}

fn checklist_draft(c: &Console, t: &T<'_>, id: &str, json: &str) -> Result<Draft, Problem> {
    let current = c.hq.current_checklist()?;
    let mut review = vec![];
    let mut unreviewed = 0;
    let (problems, changes, title) = match Checklist::from_json(json) {
        Err(e) => (vec![(t.s("problem-file"), e.to_string())], vec![], String::new()),
        Ok(tpl) => {
            let title = format!("{} v{}", tpl.id, tpl.version);
            let mut problems: Vec<(String, String)> = match homeward_domain::screening::Checklist::new(tpl.clone()) {
                Ok(_) => vec![],
                Err(ps) => ps.iter().map(|p| (p.path.clone(), p.kind.to_string())).collect(),
            };
            if current.template().id == tpl.id && current.template().version >= tpl.version {
                problems.push((
                    "version".into(),
                    t.a("checklist-not-newer", &[("version", &current.template().version.to_string())]),
                ));
            }
            review = review_rows(t, &tpl);
            unreviewed = homeward_domain::screening::unreviewed_count(&tpl);
            (problems, checklist_changes(t, current.template(), &tpl), title)
        }
    };
    Ok(Draft {
        id: id.to_string(),
        title,
        problems,
        changes,
        problems_line: String::new(),
        review,
        unreviewed,
        review_line: String::new(),
    })
}

pub fn upload_checklist(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    // An XLSForm workbook (a zip: .xlsx) is read into a template first; its
    // problems are shown by sheet, row and column, and nothing is kept.
    if let Some((_, bytes)) =
        req.files.iter().find(|(name, _)| name == "file").filter(|(_, b)| b.starts_with(b"PK\x03\x04"))
    {
        let problems: Vec<(String, String)> = match crate::xlsform::import(bytes) {
            Ok(imported) => {
                let json = serde_json::to_string_pretty(&imported.template).expect("serialises") + "\n";
                let id = save_draft(c, &me, "template", &json)?;
                return Err(Problem::Redirect(format!("/console/checklists?draft={id}")));
            }
            Err(crate::xlsform::XlsFormError::Problems(ps)) => {
                ps.iter().map(|p| (p.place(), p.kind.to_string())).collect()
            }
            Err(e) => vec![("xlsx".into(), e.to_string())],
        };
        let draft = Draft {
            id: String::new(),
            title: "(XLSForm)".into(),
            problems,
            changes: vec![],
            problems_line: String::new(),
            review: vec![],
            unreviewed: 0,
            review_line: String::new(),
        };
        return render(c, req, &me, "template", Some(draft), None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let body = uploaded(req)?;
    let id = save_draft(c, &me, "template", &body)?;
    Err(Problem::Redirect(format!("/console/checklists?draft={id}")))
}

pub fn publish_checklist(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let id = req.need("draft")?;
    let json = draft(c, "template", id)?;
    let t = c.t(me.lang);
    // Texts not reviewed are published only with a reason, which headquarters records.
    let actor = me.actor();
    let reason = req.f("allow_unreviewed").map(str::trim).filter(|r| !r.is_empty());
    let allow = reason.map(|reason| crate::hq::AllowUnreviewed { actor: &actor, reason });
    match c.hq.publish_template(&json, allow) {
        Ok(_) => {
            c.hq.audit(AuditAction::Setting, Subject::device(), &me.actor())?;
            Err(Problem::Redirect("/console/checklists?done=checklist-published".into()))
        }
        Err(e @ (crate::hq::HqError::Invalid(_) | crate::hq::HqError::Unreviewed { .. })) => {
            let m = match e {
                crate::hq::HqError::Unreviewed { count, .. } => t.n("review-refused", count as i64),
                other => other.to_string(),
            };
            let d = checklist_draft(c, &t, id, &json)?;
            render(c, req, &me, "template", Some(d), Some(m), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- reference data

fn reference_draft(c: &Console, t: &T<'_>, id: &str, json: &str) -> Result<Draft, Problem> {
    let parsed: Result<ReferenceFile, _> = serde_json::from_str(json);
    let r = match parsed {
        Err(e) => {
            return Ok(Draft {
                id: id.into(),
                title: String::new(),
                problems: vec![(t.s("problem-file"), e.to_string())],
                changes: vec![],
                problems_line: String::new(),
                review: vec![],
                unreviewed: 0,
                review_line: String::new(),
            })
        }
        Ok(r) => r,
    };
    let problems = check_reference(&r);
    let mut changes = vec![];
    let cur = c.hq.reference()?;
    let fee = |minor: u64, cur: &str| format!("{} {cur}", t.dec1(minor as f64 / 100.0));
    match &cur {
        Some(old) => {
            if old.body.standard_fee_minor != r.standard_fee_minor || old.body.fee_currency != r.fee_currency {
                changes.push(Change {
                    what: t.s("reference-fee"),
                    detail: format!(
                        "{} → {}",
                        fee(old.body.standard_fee_minor, &old.body.fee_currency),
                        fee(r.standard_fee_minor, &r.fee_currency)
                    ),
                });
            }
            if old.body.validity_days != r.validity_days {
                changes.push(Change {
                    what: t.s("reference-validity"),
                    detail: format!("{} → {}", old.body.validity_days, r.validity_days),
                });
            }
        }
        None => changes.push(Change { what: t.s("reference-fee"), detail: fee(r.standard_fee_minor, &r.fee_currency) }),
    }
    let old = places(c)?;
    for (list, new, before) in
        [("crossing", &r.crossing_points, &old.crossing_points), ("consulate", &r.consulates, &old.consulates)]
    {
        for p in new {
            match before.iter().find(|b| b.code == p.code) {
                None => changes.push(Change {
                    what: t.a(&format!("change-{list}-added"), &[("code", &p.code)]),
                    detail: p.name.get(t.code()).cloned().unwrap_or_default(),
                }),
                Some(b) => {
                    for lang in Lang::ALL {
                        if b.name.get(lang.code()) != p.name.get(lang.code()) {
                            changes.push(Change {
                                what: t.a("change-reworded", &[("code", &p.code), ("lang", lang.code())]),
                                detail: format!(
                                    "{} → {}",
                                    b.name.get(lang.code()).map(String::as_str).unwrap_or("-"),
                                    p.name.get(lang.code()).map(String::as_str).unwrap_or("-")
                                ),
                            });
                        }
                    }
                }
            }
        }
        for b in before {
            if !new.iter().any(|p| p.code == b.code) {
                changes.push(Change {
                    what: t.a(&format!("change-{list}-removed"), &[("code", &b.code)]),
                    detail: String::new(),
                });
            }
        }
    }
    Ok(Draft {
        id: id.into(),
        title: t.s("reference-title"),
        problems,
        changes,
        problems_line: String::new(),
        review: vec![],
        unreviewed: 0,
        review_line: String::new(),
    })
}

pub fn reference(c: &Console, req: &Req) -> Page {
    let me = c.me(req, ADMIN)?;
    let draft = match req.q("draft") {
        Some(id) => Some(reference_draft(c, &c.t(me.lang), id, &draft(c, "reference", id)?)?),
        None => None,
    };
    render(c, req, &me, "reference", draft, None, StatusCode::OK)
}

pub fn upload_reference(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let body = uploaded(req)?;
    let id = save_draft(c, &me, "reference", &body)?;
    Err(Problem::Redirect(format!("/console/reference?draft={id}")))
}

pub fn publish_reference(c: &Console, req: &Req) -> Page {
    let me = c.me_post(req, ADMIN)?;
    let id = req.need("draft")?;
    let json = draft(c, "reference", id)?;
    let t = c.t(me.lang);
    let r: ReferenceFile = match serde_json::from_str(&json) {
        Ok(r) if check_reference(&r).is_empty() => r,
        _ => {
            let d = reference_draft(c, &t, id, &json)?;
            return render(
                c,
                req,
                &me,
                "reference",
                Some(d),
                Some(t.s("publish-has-problems")),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    c.hq.publish_reference(r.standard_fee_minor, &r.fee_currency, r.validity_days)?;
    let places = Places { crossing_points: r.crossing_points, consulates: r.consulates };
    c.hq.db.set_kv("console_places", &serde_json::to_string(&places).expect("serialises"))?;
    c.hq.audit(AuditAction::Setting, Subject::device(), &me.actor())?;
    Err(Problem::Redirect("/console/reference?done=reference-published".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_reference_data_is_valid() {
        let r: ReferenceFile = serde_json::from_str(SAMPLE_REFERENCE).unwrap();
        assert_eq!(check_reference(&r), Vec::<(String, String)>::new());
        assert!(r.consulates.iter().any(|p| p.code == "IST") && r.crossing_points.iter().any(|p| p.code == "MANAS"));
    }

    #[test]
    fn reference_problems_name_their_path() {
        let mut r: ReferenceFile = serde_json::from_str(SAMPLE_REFERENCE).unwrap();
        r.fee_currency = "som".into();
        r.consulates[0].name.remove("ky");
        r.crossing_points[1].code = r.crossing_points[0].code.clone();
        let paths: Vec<String> = check_reference(&r).into_iter().map(|p| p.0).collect();
        assert!(paths.contains(&"fee_currency".to_string()), "{paths:?}");
        assert!(paths.contains(&"consulates[0].name.ky".to_string()), "{paths:?}");
        assert!(paths.contains(&"crossing_points[1].code".to_string()), "{paths:?}");
    }
}
