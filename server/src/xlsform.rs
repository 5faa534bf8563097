//! Checklists authored in XLSForm: headquarters staff write forms in
//! spreadsheets, and XLSForm (`survey`, `choices` and `settings` sheets,
//! `relevant` conditions, `label::Kyrgyz (ky)` language columns) is the
//! convention of that world. [`import`] reads such a workbook into a
//! checklist [`Template`] and checks it with the core's own validator;
//! [`export`] writes a template back. The format, with its extra Protocol
//! columns, is described in docs/SCREENING.md ("Authoring in XLSForm").
//!
//! Server side only: the phone's core never links a spreadsheet reader.
//!
//! Every problem names its sheet, row and column (`survey!C12: ...`) and
//! nothing is produced unless there are none: a workbook with formulas,
//! merged cells, more than [`MAX_ROWS`] rows, a missing sheet, a duplicate
//! name, an unknown choice list or a language column without its label is
//! refused as a whole.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use calamine::{open_workbook_from_rs, DataRef, Reader, Xlsx};
use homeward_domain::screening::template::{
    AnswerType, AskedIn, Choice, Condition, DocumentSituation, Element, Exploitation, Indicator, Lang, Question,
    Review, Role, Section, Template, Texts, LANGUAGES,
};
use homeward_domain::screening::ProblemKind;

/// Rows a sheet may have below its header. A checklist has tens of
/// questions; the limit bounds what a mistaken or hostile upload costs.
pub const MAX_ROWS: u32 = 10_000;
/// Columns a sheet may have.
pub const MAX_COLUMNS: u32 = 200;
/// The largest workbook accepted, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The choice list name that means the template's yes/no answer (whose
/// answers are yes, no and unknown, worded by the app itself).
pub const YES_NO_LIST: &str = "yes_no";

/// Why a workbook was refused.
#[derive(Debug, thiserror::Error)]
pub enum XlsFormError {
    #[error("the workbook is {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    #[error("not a readable .xlsx workbook: {0}")]
    Unreadable(String),
    #[error("{}", render_problems(.0))]
    Problems(Vec<CellProblem>),
}

fn render_problems(ps: &[CellProblem]) -> String {
    const SHOWN: usize = 50;
    let mut s = format!("the workbook has {} problem{}:", ps.len(), if ps.len() == 1 { "" } else { "s" });
    for p in ps.iter().take(SHOWN) {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    if ps.len() > SHOWN {
        s.push_str(&format!("\n  ... and {} more", ps.len() - SHOWN));
    }
    s
}

/// One problem at a place in the workbook.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CellProblem {
    pub sheet: String,
    /// 1-based, as the spreadsheet shows it; none for the sheet as a whole.
    pub row: Option<u32>,
    /// 1-based; none for a whole row or sheet.
    pub column: Option<u32>,
    #[serde(flatten)]
    pub kind: CellProblemKind,
}

impl CellProblem {
    /// `survey!C12`, `survey!12`, `survey`.
    pub fn place(&self) -> String {
        match (self.row, self.column) {
            (Some(r), Some(c)) => format!("{}!{}{r}", self.sheet, column_letters(c)),
            (Some(r), None) => format!("{}!{r}", self.sheet),
            (None, Some(c)) => format!("{}!{}", self.sheet, column_letters(c)),
            (None, None) => self.sheet.clone(),
        }
    }
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place(), self.kind)
    }
}

/// `1` -> `A`, `27` -> `AA`.
pub fn column_letters(mut c: u32) -> String {
    let mut out = Vec::new();
    while c > 0 {
        let d = (c - 1) % 26;
        out.push(b'A' + d as u8);
        c = (c - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CellProblemKind {
    #[error("the workbook has no sheet {sheet:?}")]
    MissingSheet { sheet: String },
    #[error("a formula ({formula}) is not accepted: type the value itself")]
    Formula { formula: String },
    #[error("merged cells ({range}) are not accepted: unmerge them and fill each cell")]
    MergedCells { range: String },
    #[error("more than {max} rows: a checklist sheet may have at most {max} below its header")]
    TooManyRows { max: u32 },
    #[error("more than {max} columns")]
    TooManyColumns { max: u32 },
    #[error("settings has one row of values under its header; this row would be lost")]
    ExtraSettingsRow,
    #[error("no {column:?} column")]
    MissingColumn { column: String },
    #[error("the column {column:?} appears twice")]
    DuplicateColumn { column: String },
    #[error(
        "column {column:?} is not part of a Homeward checklist (its values would be lost); remove it or leave it empty"
    )]
    UnsupportedColumn { column: String },
    #[error("unknown language {found:?} in {column:?}: use Kyrgyz (ky), Russian (ru) or English (en)")]
    UnknownLanguage { column: String, found: String },
    #[error(
        "column {column:?} has no language: write it as {column}::English (en) (or set default_language in settings)"
    )]
    NoLanguage { column: String },
    #[error("column {column:?} gives a language with no label column: add label::{lang_name}")]
    LanguageWithoutLabel { column: String, lang_name: String },
    #[error("unknown type {found:?}")]
    UnknownType { found: String },
    #[error("type {found:?} is XLSForm but not something a Homeward checklist can ask ({hint})")]
    UnsupportedType { found: String, hint: String },
    #[error("{found:?} needs a choice list name: {found} LIST")]
    NoListName { found: String },
    #[error("no choice list {list:?} in the choices sheet")]
    UnknownList { list: String },
    #[error("the name {name:?} is used more than once (first in row {first_row})")]
    DuplicateName { name: String, first_row: u32 },
    #[error("no name")]
    NoName,
    #[error("a question outside any group: a Homeward checklist is made of sections (begin_group ... end_group)")]
    OutsideGroup,
    #[error("a group inside a group: a Homeward checklist has one level of sections")]
    NestedGroup,
    #[error("end_group without a begin_group")]
    UnmatchedEndGroup,
    #[error("the group {name:?} is never closed with end_group")]
    UnclosedGroup { name: String },
    #[error("column {column:?} does not apply to {what}")]
    NotApplicable { column: String, what: String },
    #[error("{value:?} is not {expected}")]
    BadValue { value: String, expected: String },
    #[error("the relevant condition {expression:?} cannot be used: {reason}")]
    BadRelevant { expression: String, reason: String },
    #[error("the yes_no list must have the options yes and no (and optionally unknown); found {found:?}")]
    BadYesNoList { found: String },
    #[error("{kind} (template {path})")]
    Template { path: String, kind: ProblemKind },
}

// ---- reading cells

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Num(n) => fmt_number(*n),
            Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        }
    }
}

fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A sheet's non-empty cells, 0-based positions.
struct Sheet {
    name: String,
    cells: BTreeMap<(u32, u32), Value>,
}

impl Sheet {
    fn get(&self, row: u32, col: u32) -> Option<&Value> {
        self.cells.get(&(row, col))
    }
    fn last_row(&self) -> u32 {
        self.cells.keys().map(|(r, _)| *r).max().unwrap_or(0)
    }
}

struct Problems(Vec<CellProblem>);

impl Problems {
    /// `row`, `col` 0-based.
    fn at(&mut self, sheet: &str, row: Option<u32>, col: Option<u32>, kind: CellProblemKind) {
        self.0.push(CellProblem {
            sheet: sheet.to_string(),
            row: row.map(|r| r + 1),
            column: col.map(|c| c + 1),
            kind,
        });
    }
}

fn read_sheet(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str, ps: &mut Problems) -> Result<Sheet, XlsFormError> {
    let merged = wb.merge_cells_by_sheet_name(name).map_err(|e| XlsFormError::Unreadable(e.to_string()))?;
    for d in merged {
        ps.at(
            name,
            Some(d.start.0),
            Some(d.start.1),
            CellProblemKind::MergedCells {
                range: format!(
                    "{}{}:{}{}",
                    column_letters(d.start.1 + 1),
                    d.start.0 + 1,
                    column_letters(d.end.1 + 1),
                    d.end.0 + 1
                ),
            },
        );
    }
    let mut cells = BTreeMap::new();
    let mut reader = wb.worksheet_cells_reader(name).map_err(|e| XlsFormError::Unreadable(e.to_string()))?;
    let mut wide = false;
    // Streamed, and stopped at the row limit: a sheet of a million rows costs
    // no more than one of ten thousand.
    while let Some(cell) = reader.next_cell_with_formula().map_err(|e| XlsFormError::Unreadable(e.to_string()))? {
        let (row, col) = cell.pos;
        if row > MAX_ROWS {
            ps.at(name, Some(row), None, CellProblemKind::TooManyRows { max: MAX_ROWS });
            break;
        }
        if col >= MAX_COLUMNS {
            if !wide {
                ps.at(name, Some(row), Some(col), CellProblemKind::TooManyColumns { max: MAX_COLUMNS });
                wide = true;
            }
            continue;
        }
        if let Some(f) = cell.formula.filter(|f| !f.is_empty()) {
            ps.at(name, Some(row), Some(col), CellProblemKind::Formula { formula: format!("={f}") });
            continue;
        }
        let v = match cell.value {
            DataRef::Empty => continue,
            DataRef::String(s) => Value::Str(s),
            DataRef::SharedString(s) => Value::Str(s.to_string()),
            DataRef::Int(i) => Value::Num(i as f64),
            DataRef::Float(f) => Value::Num(f),
            DataRef::Bool(b) => Value::Bool(b),
            DataRef::DateTime(d) => Value::Num(d.as_f64()),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Str(s),
            DataRef::Error(e) => Value::Str(format!("#{e}")),
        };
        if matches!(&v, Value::Str(s) if s.trim().is_empty()) {
            continue;
        }
        cells.insert((row, col), v);
    }
    Ok(Sheet { name: name.to_string(), cells })
}

// ---- columns

/// A header: its base name (`label`) and language, if it has one.
#[derive(Debug, Clone)]
struct Column {
    index: u32,
    header: String,
    base: String,
    lang: Option<Lang>,
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Ky => "Kyrgyz (ky)",
        Lang::Ru => "Russian (ru)",
        Lang::En => "English (en)",
    }
}

/// `Kyrgyz (ky)`, `ky`, `Kyrgyz`, `English (en)`...
fn parse_lang(s: &str) -> Option<Lang> {
    let s = s.trim();
    let code = match (s.rfind('('), s.rfind(')')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim().to_lowercase(),
        _ => s.to_lowercase(),
    };
    match code.as_str() {
        "ky" | "kyrgyz" | "kirghiz" => Some(Lang::Ky),
        "ru" | "russian" => Some(Lang::Ru),
        "en" | "english" => Some(Lang::En),
        _ => None,
    }
}

/// The columns of a sheet. `localized` are the base names that carry a
/// language (`label`, `hint`...); `known` the others.
struct Columns {
    sheet: String,
    cols: Vec<Column>,
}

impl Columns {
    fn read(
        sheet: &Sheet,
        localized: &[&str],
        known: &[&str],
        default_lang: Option<Lang>,
        ps: &mut Problems,
    ) -> Columns {
        let mut cols: Vec<Column> = Vec::new();
        let mut seen: HashMap<(String, Option<Lang>), u32> = HashMap::new();
        let headers: Vec<(u32, String)> =
            sheet.cells.range((0, 0)..(1, 0)).map(|((_, c), v)| (*c, v.text().trim().to_string())).collect();
        for (index, header) in headers {
            let (base, lang_part) = match header.split_once("::") {
                Some((b, l)) => (b.trim().to_lowercase(), Some(l.trim().to_string())),
                None => (header.to_lowercase(), None),
            };
            // XLSForm writes `begin group` and `begin_group`, `list name` and `list_name`.
            let base = base.replace(' ', "_");
            let lang = if localized.contains(&base.as_str()) {
                match lang_part {
                    Some(l) => match parse_lang(&l) {
                        Some(l) => Some(l),
                        None => {
                            ps.at(
                                &sheet.name,
                                Some(0),
                                Some(index),
                                CellProblemKind::UnknownLanguage { column: header.clone(), found: l },
                            );
                            continue;
                        }
                    },
                    None => match default_lang {
                        Some(l) => Some(l),
                        None => {
                            ps.at(&sheet.name, Some(0), Some(index), CellProblemKind::NoLanguage { column: header });
                            continue;
                        }
                    },
                }
            } else if known.contains(&base.as_str()) && lang_part.is_none() {
                None
            } else {
                // Unknown columns are refused only when they hold something:
                // an empty helper column loses nothing.
                if let Some(((r, c), _)) = sheet.cells.iter().find(|((r, c), _)| *r > 0 && *c == index) {
                    ps.at(&sheet.name, Some(*r), Some(*c), CellProblemKind::UnsupportedColumn { column: header });
                }
                continue;
            };
            if seen.insert((base.clone(), lang), index).is_some() {
                ps.at(&sheet.name, Some(0), Some(index), CellProblemKind::DuplicateColumn { column: header });
                continue;
            }
            cols.push(Column { index, header, base, lang });
        }
        // A hint or traveller wording in a language must come with its label.
        let labelled: BTreeSet<Lang> = cols.iter().filter(|c| c.base == "label").filter_map(|c| c.lang).collect();
        for c in &cols {
            if let Some(l) = c.lang {
                if c.base != "label" && c.base != "form_title" && !labelled.contains(&l) {
                    ps.at(
                        &sheet.name,
                        Some(0),
                        Some(c.index),
                        CellProblemKind::LanguageWithoutLabel {
                            column: c.header.clone(),
                            lang_name: lang_name(l).into(),
                        },
                    );
                }
            }
        }
        Columns { sheet: sheet.name.clone(), cols }
    }

    fn index(&self, base: &str) -> Option<u32> {
        self.cols.iter().find(|c| c.base == base && c.lang.is_none()).map(|c| c.index)
    }

    fn require(&self, base: &str, ps: &mut Problems) -> Option<u32> {
        let i = self.index(base);
        if i.is_none() {
            ps.at(&self.sheet, Some(0), None, CellProblemKind::MissingColumn { column: base.into() });
        }
        i
    }

    fn localized(&self, base: &str) -> Vec<(Lang, u32)> {
        self.cols.iter().filter(|c| c.base == base).filter_map(|c| c.lang.map(|l| (l, c.index))).collect()
    }
}

fn cell_text(sheet: &Sheet, row: u32, col: Option<u32>) -> Option<String> {
    let v = sheet.get(row, col?)?;
    let s = v.text().trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn texts_of(sheet: &Sheet, row: u32, cols: &[(Lang, u32)]) -> Texts {
    // Texts are kept exactly as typed: reviews hold digests of exact texts.
    cols.iter()
        .filter_map(|(l, c)| match sheet.get(row, *c)? {
            Value::Str(s) => Some((*l, s.clone())),
            v => Some((*l, v.text())),
        })
        .collect()
}

fn optional_texts(sheet: &Sheet, row: u32, cols: &[(Lang, u32)]) -> Option<Texts> {
    let t = texts_of(sheet, row, cols);
    (!t.is_empty()).then_some(t)
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

const ELEMENTS: &str = "act, means, purpose, control or child";
const EXPLOITATIONS: &str = "sexual_exploitation, forced_labour, slavery, servitude, organ_removal, criminal_activity, commercial_adoption or armed_conflict";

// ---- import

/// What a successful import gives: the template, valid by the core's rules.
#[derive(Debug, Clone)]
pub struct Imported {
    pub template: Template,
}

struct Ctx<'a> {
    ps: &'a mut Problems,
}

/// Where each part of the template came from, to put the validator's
/// problems (template paths) back on the cells.
#[derive(Default)]
struct Origins {
    sections: HashMap<String, u32>,
    questions: HashMap<String, (u32, String)>, // row, list name
    options: HashMap<(String, String), u32>,   // (list, option) -> choices row
    survey_cols: HashMap<String, u32>,         // header base[::code] -> column
    choices_cols: HashMap<String, u32>,
    settings_cols: HashMap<String, u32>,
    reviews_cols: HashMap<String, u32>,
}

fn col_key(base: &str, lang: Option<Lang>) -> String {
    match lang {
        Some(l) => format!("{base}::{}", l.code()),
        None => base.to_string(),
    }
}

/// Reads an XLSForm workbook into a checklist template, then checks it with
/// the core's validator. Nothing is returned unless there is no problem.
pub fn import(bytes: &[u8]) -> Result<Imported, XlsFormError> {
    if bytes.len() > MAX_BYTES {
        return Err(XlsFormError::TooLarge { size: bytes.len(), max: MAX_BYTES });
    }
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| XlsFormError::Unreadable(e.to_string()))?;
    let mut ps = Problems(Vec::new());
    let names = wb.sheet_names();
    let find = |want: &str| names.iter().find(|n| n.trim().eq_ignore_ascii_case(want)).cloned();
    let mut sheets: HashMap<&str, Sheet> = HashMap::new();
    for want in ["survey", "choices", "settings", "reviews"] {
        match find(want) {
            Some(n) => {
                let s = read_sheet(&mut wb, &n, &mut ps)?;
                sheets.insert(want, s);
            }
            None if want == "survey" || want == "settings" => {
                ps.at(want, None, None, CellProblemKind::MissingSheet { sheet: want.into() })
            }
            None => {}
        }
    }
    // A sheet with formulas, merged cells or too many rows is not read further:
    // what it says cannot be trusted to be what the author sees.
    if !ps.0.is_empty() {
        return Err(XlsFormError::Problems(ps.0));
    }
    let mut origins = Origins::default();
    let mut ctx = Ctx { ps: &mut ps };
    let settings = &sheets["settings"];
    let survey = &sheets["survey"];
    let (id, version, title, jurisdiction, default_lang) = read_settings(settings, &mut ctx, &mut origins);
    let lists = match sheets.get("choices") {
        Some(ch) => read_choices(ch, default_lang, &mut ctx, &mut origins),
        None => BTreeMap::new(),
    };
    let sections = read_survey(survey, default_lang, &lists, sheets.contains_key("choices"), &mut ctx, &mut origins);
    let reviews = match sheets.get("reviews") {
        Some(r) => read_reviews(r, &mut ctx, &mut origins),
        None => vec![],
    };
    if !ps.0.is_empty() {
        return Err(XlsFormError::Problems(ps.0));
    }
    let template = Template {
        id: id.unwrap_or_default(),
        version: version.unwrap_or_default(),
        title,
        jurisdiction,
        sections,
        reviews,
    };
    let problems = homeward_domain::screening::validate(&template);
    if !problems.is_empty() {
        let located = problems.into_iter().map(|p| origins.locate(p.path, p.kind)).collect();
        return Err(XlsFormError::Problems(located));
    }
    Ok(Imported { template })
}

fn read_settings(
    sheet: &Sheet,
    ctx: &mut Ctx<'_>,
    origins: &mut Origins,
) -> (Option<String>, Option<u32>, Texts, Option<String>, Option<Lang>) {
    let name = sheet.name.clone();
    // default_language first: it gives plain `form_title` its language.
    let dl_col = sheet
        .cells
        .range((0, 0)..(1, 0))
        .find(|(_, v)| v.text().trim().eq_ignore_ascii_case("default_language"))
        .map(|((_, c), _)| *c);
    let default_lang = match cell_text(sheet, 1, dl_col) {
        Some(s) => match parse_lang(&s) {
            Some(l) => Some(l),
            None => {
                ctx.ps.at(
                    &name,
                    Some(1),
                    dl_col,
                    CellProblemKind::UnknownLanguage { column: "default_language".into(), found: s },
                );
                None
            }
        },
        None => None,
    };
    let cols = Columns::read(
        sheet,
        &["form_title"],
        &["form_id", "version", "jurisdiction", "default_language"],
        default_lang,
        ctx.ps,
    );
    for c in &cols.cols {
        origins.settings_cols.insert(col_key(&c.base, c.lang), c.index);
    }
    if sheet.last_row() > 1 {
        ctx.ps.at(&name, Some(sheet.last_row()), None, CellProblemKind::ExtraSettingsRow);
    }
    let id_col = cols.require("form_id", ctx.ps);
    let v_col = cols.require("version", ctx.ps);
    let id = cell_text(sheet, 1, id_col);
    if id.is_none() && id_col.is_some() {
        ctx.ps.at(&name, Some(1), id_col, CellProblemKind::NoName);
    }
    let version = match (v_col, sheet.get(1, v_col.unwrap_or(u32::MAX))) {
        (Some(c), Some(v)) => {
            let t = v.text();
            match t.trim().parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    ctx.ps.at(
                        &name,
                        Some(1),
                        Some(c),
                        CellProblemKind::BadValue { value: t, expected: "a whole version number (1, 2, 3...)".into() },
                    );
                    None
                }
            }
        }
        (Some(c), None) => {
            ctx.ps.at(
                &name,
                Some(1),
                Some(c),
                CellProblemKind::BadValue { value: String::new(), expected: "a version number".into() },
            );
            None
        }
        (None, _) => None,
    };
    let title_cols = cols.localized("form_title");
    if title_cols.is_empty() {
        ctx.ps.at(&name, Some(0), None, CellProblemKind::MissingColumn { column: "form_title::English (en)".into() });
    }
    let title = texts_of(sheet, 1, &title_cols);
    let jurisdiction = cell_text(sheet, 1, cols.index("jurisdiction"));
    (id, version, title, jurisdiction, default_lang)
}

/// A choice list: its options, in order, with their rows.
struct List {
    first_row: u32,
    options: Vec<(u32, Choice)>,
}

fn read_choices(
    sheet: &Sheet,
    default_lang: Option<Lang>,
    ctx: &mut Ctx<'_>,
    origins: &mut Origins,
) -> BTreeMap<String, List> {
    let name = sheet.name.clone();
    let cols = Columns::read(
        sheet,
        &["label"],
        &["list_name", "name", "element", "exploitation", "documents"],
        default_lang,
        ctx.ps,
    );
    for c in &cols.cols {
        origins.choices_cols.insert(col_key(&c.base, c.lang), c.index);
    }
    let mut lists: BTreeMap<String, List> = BTreeMap::new();
    let (Some(list_col), Some(name_col)) = (cols.require("list_name", ctx.ps), cols.require("name", ctx.ps)) else {
        return lists;
    };
    let labels = cols.localized("label");
    let el_col = cols.index("element");
    let ex_col = cols.index("exploitation");
    let doc_col = cols.index("documents");
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in 1..=sheet.last_row() {
        if !sheet.cells.range((row, 0)..(row + 1, 0)).any(|_| true) {
            continue;
        }
        let Some(list) = cell_text(sheet, row, Some(list_col)) else {
            ctx.ps.at(&name, Some(row), Some(list_col), CellProblemKind::NoName);
            continue;
        };
        let Some(opt) = cell_text(sheet, row, Some(name_col)) else {
            ctx.ps.at(&name, Some(row), Some(name_col), CellProblemKind::NoName);
            continue;
        };
        if let Some(first) = seen.insert((list.clone(), opt.clone()), row) {
            ctx.ps.at(
                &name,
                Some(row),
                Some(name_col),
                CellProblemKind::DuplicateName { name: format!("{list}/{opt}"), first_row: first + 1 },
            );
            continue;
        }
        if list == YES_NO_LIST {
            for (col, what) in [(el_col, "element"), (ex_col, "exploitation"), (doc_col, "documents")] {
                if cell_text(sheet, row, col).is_some() {
                    ctx.ps.at(
                        &name,
                        Some(row),
                        col,
                        CellProblemKind::NotApplicable {
                            column: what.into(),
                            what: "the yes_no list (put a yes/no question's indicator on its survey row)".into(),
                        },
                    );
                }
            }
        }
        let indicator = read_indicator(sheet, row, el_col, ex_col, ctx);
        let documents = match cell_text(sheet, row, doc_col) {
            Some(s) => match parse_enum::<DocumentSituation>(&s) {
                Some(d) => Some(d),
                None => {
                    ctx.ps.at(
                        &name,
                        Some(row),
                        doc_col,
                        CellProblemKind::BadValue {
                            value: s,
                            expected: "own, none, another_persons or held_by_someone_else".into(),
                        },
                    );
                    None
                }
            },
            None => None,
        };
        origins.options.insert((list.clone(), opt.clone()), row);
        let choice = Choice { id: opt, text: texts_of(sheet, row, &labels), indicator, documents };
        lists.entry(list).or_insert_with(|| List { first_row: row, options: vec![] }).options.push((row, choice));
    }
    if let Some(yn) = lists.get(YES_NO_LIST) {
        let names: BTreeSet<&str> = yn.options.iter().map(|(_, c)| c.id.as_str()).collect();
        let ok =
            names.contains("yes") && names.contains("no") && names.iter().all(|n| ["yes", "no", "unknown"].contains(n));
        if !ok {
            ctx.ps.at(
                &name,
                Some(yn.first_row),
                Some(name_col),
                CellProblemKind::BadYesNoList { found: names.into_iter().collect::<Vec<_>>().join(", ") },
            );
        }
    }
    lists
}

fn read_indicator(
    sheet: &Sheet,
    row: u32,
    el_col: Option<u32>,
    ex_col: Option<u32>,
    ctx: &mut Ctx<'_>,
) -> Option<Indicator> {
    let els = cell_text(sheet, row, el_col);
    let ex = cell_text(sheet, row, ex_col);
    if els.is_none() && ex.is_none() {
        return None;
    }
    let mut elements = Vec::new();
    for word in els.as_deref().unwrap_or("").split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
        match parse_enum::<Element>(&word.to_lowercase()) {
            Some(e) => elements.push(e),
            None => ctx.ps.at(
                &sheet.name,
                Some(row),
                el_col,
                CellProblemKind::BadValue { value: word.into(), expected: format!("an element: {ELEMENTS}") },
            ),
        }
    }
    let exploitation = match ex {
        Some(s) => match parse_enum::<Exploitation>(&s.to_lowercase()) {
            Some(e) => Some(e),
            None => {
                ctx.ps.at(
                    &sheet.name,
                    Some(row),
                    ex_col,
                    CellProblemKind::BadValue {
                        value: s,
                        expected: format!("a form of exploitation: {EXPLOITATIONS}"),
                    },
                );
                None
            }
        },
        None => None,
    };
    Some(Indicator { elements, exploitation })
}

/// The kinds a survey row's type names.
#[derive(Debug, Clone, PartialEq)]
enum RowType {
    BeginGroup,
    EndGroup,
    YesNo,
    SelectOne(String),
    SelectMultiple(String),
    Integer,
    Decimal,
    Date,
    Text,
    /// A row whose type could not be read (already reported): conditions
    /// naming it are not reported again.
    Broken,
}

fn parse_type(s: &str) -> Result<RowType, CellProblemKind> {
    let norm = s.trim().to_lowercase();
    let mut words = norm.split_whitespace();
    let first = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    let simple =
        |t: RowType| if rest.is_empty() { Ok(t) } else { Err(CellProblemKind::UnknownType { found: s.into() }) };
    match first {
        "begin_group" => simple(RowType::BeginGroup),
        "end_group" => simple(RowType::EndGroup),
        "begin" if rest == ["group"] => Ok(RowType::BeginGroup),
        "end" if rest == ["group"] => Ok(RowType::EndGroup),
        "select_one" | "select_multiple" => match rest.as_slice() {
            [list] if first == "select_one" && *list == YES_NO_LIST => Ok(RowType::YesNo),
            [list] if first == "select_one" => Ok(RowType::SelectOne(list.to_string())),
            [list] => Ok(RowType::SelectMultiple(list.to_string())),
            [] => Err(CellProblemKind::NoListName { found: first.into() }),
            _ => Err(CellProblemKind::UnknownType { found: s.into() }),
        },
        "integer" => simple(RowType::Integer),
        "decimal" => simple(RowType::Decimal),
        "date" => simple(RowType::Date),
        "text" => simple(RowType::Text),
        "note" => Err(CellProblemKind::UnsupportedType {
            found: s.into(),
            hint: "a checklist has no display-only rows: put the words in a question's hint".into(),
        }),
        "begin_repeat" | "end_repeat" => Err(CellProblemKind::UnsupportedType {
            found: s.into(),
            hint: "a checklist asks each question once".into(),
        }),
        "calculate"
        | "time"
        | "datetime"
        | "geopoint"
        | "geotrace"
        | "geoshape"
        | "image"
        | "audio"
        | "video"
        | "file"
        | "barcode"
        | "acknowledge"
        | "range"
        | "rank"
        | "select_one_from_file"
        | "select_multiple_from_file"
        | "hidden"
        | "start"
        | "end"
        | "today"
        | "deviceid"
        | "username"
        | "phonenumber"
        | "audit"
        | "trigger" => Err(CellProblemKind::UnsupportedType {
            found: s.into(),
            hint: "use select_one, select_multiple, integer, decimal, date or text".into(),
        }),
        _ => Err(CellProblemKind::UnknownType { found: s.into() }),
    }
}

fn read_survey(
    sheet: &Sheet,
    default_lang: Option<Lang>,
    lists: &BTreeMap<String, List>,
    have_choices: bool,
    ctx: &mut Ctx<'_>,
    origins: &mut Origins,
) -> Vec<Section> {
    let sname = sheet.name.clone();
    let cols = Columns::read(
        sheet,
        &["label", "hint", "traveller_label"],
        &[
            "type",
            "name",
            "relevant",
            "required",
            "asked_in",
            "element",
            "exploitation",
            "role",
            "min",
            "max",
            "max_length",
        ],
        default_lang,
        ctx.ps,
    );
    for c in &cols.cols {
        origins.survey_cols.insert(col_key(&c.base, c.lang), c.index);
    }
    let (Some(type_col), Some(name_col)) = (cols.require("type", ctx.ps), cols.require("name", ctx.ps)) else {
        return vec![];
    };
    if cols.localized("label").is_empty() {
        ctx.ps.at(&sname, Some(0), None, CellProblemKind::MissingColumn { column: "label::English (en)".into() });
    }
    let labels = cols.localized("label");
    let hints = cols.localized("hint");
    let travellers = cols.localized("traveller_label");
    let c = |b: &str| cols.index(b);
    let (rel_col, req_col, asked_col, el_col, ex_col, role_col, min_col, max_col, len_col) = (
        c("relevant"),
        c("required"),
        c("asked_in"),
        c("element"),
        c("exploitation"),
        c("role"),
        c("min"),
        c("max"),
        c("max_length"),
    );

    // Pass 1: every row's type and name, so that conditions can be read
    // against the kind of question they name.
    let mut rows: Vec<(u32, RowType, String)> = Vec::new();
    let mut names: HashMap<String, u32> = HashMap::new();
    let mut kinds: HashMap<String, RowType> = HashMap::new();
    let mut told_no_choices = false;
    for row in 1..=sheet.last_row() {
        if !sheet.cells.range((row, 0)..(row + 1, 0)).any(|_| true) {
            continue;
        }
        let Some(ty) = cell_text(sheet, row, Some(type_col)) else {
            ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::UnknownType { found: String::new() });
            continue;
        };
        let ty = match parse_type(&ty) {
            Ok(t) => t,
            Err(k) => {
                ctx.ps.at(&sname, Some(row), Some(type_col), k);
                if let Some(name) = cell_text(sheet, row, Some(name_col)) {
                    kinds.entry(name).or_insert(RowType::Broken);
                }
                continue;
            }
        };
        if let RowType::SelectOne(l) | RowType::SelectMultiple(l) = &ty {
            if !lists.contains_key(l) {
                if !have_choices && !told_no_choices {
                    ctx.ps.at("choices", None, None, CellProblemKind::MissingSheet { sheet: "choices".into() });
                    told_no_choices = true;
                }
                ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::UnknownList { list: l.clone() });
            }
        }
        if ty == RowType::YesNo && !lists.contains_key(YES_NO_LIST) {
            ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::UnknownList { list: YES_NO_LIST.into() });
        }
        let name = cell_text(sheet, row, Some(name_col)).unwrap_or_default();
        if ty != RowType::EndGroup {
            if name.is_empty() {
                ctx.ps.at(&sname, Some(row), Some(name_col), CellProblemKind::NoName);
            } else if let Some(first) = names.insert(name.clone(), row) {
                ctx.ps.at(
                    &sname,
                    Some(row),
                    Some(name_col),
                    CellProblemKind::DuplicateName { name: name.clone(), first_row: first + 1 },
                );
                names.insert(name.clone(), first);
            } else {
                kinds.insert(name.clone(), ty.clone());
            }
        }
        rows.push((row, ty, name));
    }

    // Pass 2: sections and questions.
    let mut sections: Vec<Section> = Vec::new();
    let mut open: Option<(u32, Section)> = None;
    for (row, ty, name) in rows {
        let row_what = match &ty {
            RowType::BeginGroup => "a group".to_string(),
            RowType::EndGroup => "end_group".to_string(),
            _ => format!("a {} question", type_word(&ty)),
        };
        // Columns that mean nothing on this row: refused, not dropped.
        let allowed: &[Option<u32>] = match &ty {
            RowType::BeginGroup => &[rel_col],
            RowType::EndGroup => &[],
            RowType::YesNo => &[rel_col, req_col, asked_col, el_col, ex_col, role_col],
            RowType::SelectOne(_) | RowType::SelectMultiple(_) => {
                &[rel_col, req_col, asked_col, el_col, ex_col, role_col]
            }
            RowType::Integer | RowType::Decimal => {
                &[rel_col, req_col, asked_col, el_col, ex_col, role_col, min_col, max_col]
            }
            RowType::Date => &[rel_col, req_col, asked_col, el_col, ex_col, role_col],
            RowType::Text => &[rel_col, req_col, asked_col, el_col, ex_col, role_col, len_col],
            RowType::Broken => &[],
        };
        for (col, base) in [
            (rel_col, "relevant"),
            (req_col, "required"),
            (asked_col, "asked_in"),
            (el_col, "element"),
            (ex_col, "exploitation"),
            (role_col, "role"),
            (min_col, "min"),
            (max_col, "max"),
            (len_col, "max_length"),
        ] {
            if col.is_some() && !allowed.contains(&col) && cell_text(sheet, row, col).is_some() {
                ctx.ps.at(
                    &sname,
                    Some(row),
                    col,
                    CellProblemKind::NotApplicable { column: base.into(), what: row_what.clone() },
                );
            }
        }
        let no_texts_on_group = |ctx: &mut Ctx<'_>, what: &str| {
            for (_, col) in hints.iter().chain(&travellers) {
                if sheet.get(row, *col).is_some() {
                    ctx.ps.at(
                        &sname,
                        Some(row),
                        Some(*col),
                        CellProblemKind::NotApplicable { column: "hint/traveller_label".into(), what: what.into() },
                    );
                }
            }
        };
        let relevant = match cell_text(sheet, row, rel_col) {
            Some(expr) => match parse_relevant(&expr, &kinds) {
                Ok(c) => Some(c),
                Err(reason) => {
                    ctx.ps.at(&sname, Some(row), rel_col, CellProblemKind::BadRelevant { expression: expr, reason });
                    None
                }
            },
            None => None,
        };
        match ty {
            RowType::BeginGroup => {
                no_texts_on_group(ctx, "a group");
                if let Some((_, s)) = open.take() {
                    ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::NestedGroup);
                    sections.push(s);
                }
                origins.sections.insert(name.clone(), row);
                open = Some((
                    row,
                    Section { id: name, title: texts_of(sheet, row, &labels), show_if: relevant, questions: vec![] },
                ));
            }
            RowType::EndGroup => {
                no_texts_on_group(ctx, "end_group");
                for (_, col) in &labels {
                    if sheet.get(row, *col).is_some() {
                        ctx.ps.at(
                            &sname,
                            Some(row),
                            Some(*col),
                            CellProblemKind::NotApplicable { column: "label".into(), what: "end_group".into() },
                        );
                    }
                }
                match open.take() {
                    Some((_, s)) => sections.push(s),
                    None => ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::UnmatchedEndGroup),
                }
            }
            ty => {
                let answer = match &ty {
                    RowType::YesNo => AnswerType::YesNo,
                    RowType::SelectOne(l) | RowType::SelectMultiple(l) => {
                        let options = lists
                            .get(l)
                            .map(|l| l.options.iter().map(|(_, c)| c.clone()).collect())
                            .unwrap_or_default();
                        if matches!(ty, RowType::SelectOne(_)) {
                            AnswerType::SingleChoice { options }
                        } else {
                            AnswerType::MultipleChoice { options }
                        }
                    }
                    RowType::Integer | RowType::Decimal => AnswerType::Number {
                        min: number_cell(sheet, row, min_col, ctx),
                        max: number_cell(sheet, row, max_col, ctx),
                        integer: ty == RowType::Integer,
                    },
                    RowType::Date => AnswerType::Date,
                    RowType::Text => AnswerType::Text {
                        max_len: number_cell(sheet, row, len_col, ctx).and_then(|n| {
                            if n >= 1.0 && n.fract() == 0.0 {
                                Some(n as usize)
                            } else {
                                ctx.ps.at(
                                    &sname,
                                    Some(row),
                                    len_col,
                                    CellProblemKind::BadValue {
                                        value: fmt_number(n),
                                        expected: "a whole number of characters".into(),
                                    },
                                );
                                None
                            }
                        }),
                    },
                    RowType::BeginGroup | RowType::EndGroup | RowType::Broken => unreachable!("not in rows"),
                };
                let required = match cell_text(sheet, row, req_col) {
                    None => false,
                    Some(s) => match s.to_lowercase().as_str() {
                        "yes" | "true" | "true()" | "1" => true,
                        "no" | "false" | "false()" | "0" => false,
                        _ => {
                            ctx.ps.at(
                                &sname,
                                Some(row),
                                req_col,
                                CellProblemKind::BadValue { value: s, expected: "yes or no".into() },
                            );
                            false
                        }
                    },
                };
                let asked_in = match cell_text(sheet, row, asked_col) {
                    None => AskedIn::Queue,
                    Some(s) if s == "queue" => AskedIn::Queue,
                    Some(s) if s == "private" => AskedIn::Private,
                    Some(s) => AskedIn::Unknown(s),
                };
                let role = match cell_text(sheet, row, role_col) {
                    None => None,
                    Some(s) => match parse_enum::<Role>(&s) {
                        Some(r) => Some(r),
                        None => {
                            ctx.ps.at(&sname, Some(row), role_col, CellProblemKind::BadValue {
                                value: s,
                                expected: "a role: date_of_birth, appears_minor, consent_given, wants_shelter, citizen or documents".into(),
                            });
                            None
                        }
                    },
                };
                let list = match &ty {
                    RowType::SelectOne(l) | RowType::SelectMultiple(l) => l.clone(),
                    _ => String::new(),
                };
                let q = Question {
                    id: name.clone(),
                    text: texts_of(sheet, row, &labels),
                    traveller_text: optional_texts(sheet, row, &travellers),
                    help: optional_texts(sheet, row, &hints),
                    asked_in,
                    answer,
                    required,
                    show_if: relevant,
                    indicator: read_indicator(sheet, row, el_col, ex_col, ctx),
                    role,
                };
                origins.questions.insert(name, (row, list));
                match &mut open {
                    Some((_, s)) => s.questions.push(q),
                    None => ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::OutsideGroup),
                }
            }
        }
    }
    if let Some((row, s)) = open {
        ctx.ps.at(&sname, Some(row), Some(type_col), CellProblemKind::UnclosedGroup { name: s.id.clone() });
        sections.push(s);
    }
    sections
}

fn type_word(t: &RowType) -> &'static str {
    match t {
        RowType::YesNo => "yes/no (select_one yes_no)",
        RowType::SelectOne(_) => "select_one",
        RowType::SelectMultiple(_) => "select_multiple",
        RowType::Integer => "integer",
        RowType::Decimal => "decimal",
        RowType::Date => "date",
        RowType::Text => "text",
        RowType::BeginGroup => "begin_group",
        RowType::EndGroup => "end_group",
        RowType::Broken => "unreadable",
    }
}

fn number_cell(sheet: &Sheet, row: u32, col: Option<u32>, ctx: &mut Ctx<'_>) -> Option<f64> {
    match sheet.get(row, col?)? {
        Value::Num(n) => Some(*n),
        v => {
            let t = v.text();
            match t.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    ctx.ps.at(
                        &sheet.name,
                        Some(row),
                        col,
                        CellProblemKind::BadValue { value: t, expected: "a number".into() },
                    );
                    None
                }
            }
        }
    }
}

fn read_reviews(sheet: &Sheet, ctx: &mut Ctx<'_>, origins: &mut Origins) -> Vec<Review> {
    let cols = Columns::read(sheet, &[], &["text", "lang", "by", "on", "digest"], None, ctx.ps);
    for c in &cols.cols {
        origins.reviews_cols.insert(col_key(&c.base, c.lang), c.index);
    }
    let idx: Vec<Option<u32>> =
        ["text", "lang", "by", "on", "digest"].iter().map(|b| cols.require(b, ctx.ps)).collect();
    if idx.iter().any(Option::is_none) {
        return vec![];
    }
    let mut out = Vec::new();
    for row in 1..=sheet.last_row() {
        if !sheet.cells.range((row, 0)..(row + 1, 0)).any(|_| true) {
            continue;
        }
        let get = |i: usize| cell_text(sheet, row, idx[i]).unwrap_or_default();
        let lang = match parse_lang(&get(1)) {
            Some(l) => l,
            None => {
                ctx.ps.at(
                    &sheet.name,
                    Some(row),
                    idx[1],
                    CellProblemKind::BadValue { value: get(1), expected: "ky, ru or en".into() },
                );
                continue;
            }
        };
        out.push(Review { text: get(0), lang, by: get(2), on: get(3), digest: get(4) });
    }
    out
}

impl Origins {
    /// Puts a validator problem (a template path) back on its cell.
    fn locate(&self, path: String, kind: ProblemKind) -> CellProblem {
        let (sheet, row, col) = self.place_of(&path);
        CellProblem {
            sheet,
            row: row.map(|r| r + 1),
            column: col.map(|c| c + 1),
            kind: CellProblemKind::Template { path, kind },
        }
    }

    fn place_of(&self, path: &str) -> (String, Option<u32>, Option<u32>) {
        let survey = |row: Option<u32>, col: Option<u32>| ("survey".to_string(), row, col);
        let field_col = |cols: &HashMap<String, u32>, rest: &str| -> Option<u32> {
            // `text.ky` -> label::ky; `help.ru` -> hint::ru; `show_if...` -> relevant.
            let (field, lang) = match rest.split_once('.') {
                Some((f, l)) => (f, Some(l)),
                None => (rest, None),
            };
            let base = match field {
                "text" | "title" => "label",
                "help" => "hint",
                "traveller_text" => "traveller_label",
                "show_if" => return cols.get("relevant").copied(),
                "id" => "name",
                "indicator" => "element",
                "answer" => "min",
                other => other,
            };
            match lang {
                Some(l) if base != "element" => cols.get(&format!("{base}::{l}")).copied(),
                _ => cols.get(base).copied(),
            }
        };
        match path {
            "version" => return ("settings".into(), Some(1), self.settings_cols.get("version").copied()),
            "id" => return ("settings".into(), Some(1), self.settings_cols.get("form_id").copied()),
            _ => {}
        }
        if let Some(rest) = path.strip_prefix("title.") {
            return ("settings".into(), Some(1), self.settings_cols.get(&format!("form_title::{rest}")).copied());
        }
        if let Some(rest) = path.strip_prefix("reviews[") {
            let (i, field) = rest.split_once("].").unwrap_or((rest.trim_end_matches(']'), ""));
            let row = i.parse::<u32>().ok().map(|i| i + 1);
            return ("reviews".into(), row, self.reviews_cols.get(field).copied());
        }
        let Some(rest) = path.strip_prefix("sections[") else {
            return survey(None, None);
        };
        let Some((sid, rest)) = rest.split_once(']') else { return survey(None, None) };
        let rest = rest.trim_start_matches('.');
        let Some(qrest) = rest.strip_prefix("questions[") else {
            return survey(self.sections.get(sid).copied(), field_col(&self.survey_cols, rest));
        };
        let Some((qid, rest)) = qrest.split_once(']') else { return survey(None, None) };
        let rest = rest.trim_start_matches('.');
        let Some((qrow, list)) = self.questions.get(qid) else { return survey(None, None) };
        if let Some(orest) = rest.strip_prefix("answer.options[") {
            if let Some((oid, ofield)) = orest.split_once(']') {
                let ofield = ofield.trim_start_matches('.');
                let row = self.options.get(&(list.clone(), oid.to_string())).copied();
                return ("choices".into(), row, field_col(&self.choices_cols, ofield));
            }
        }
        if rest == "answer.options" {
            return survey(Some(*qrow), self.survey_cols.get("type").copied());
        }
        survey(Some(*qrow), field_col(&self.survey_cols, rest))
    }
}

// ---- relevant expressions

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ref(String),
    Str(String),
    Num(f64),
    Word(String),
    Op(&'static str),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '$' && cs.get(i + 1) == Some(&'{') {
            let end = cs[i..].iter().position(|&c| c == '}').ok_or("a ${ is never closed")?;
            out.push(Tok::Ref(cs[i + 2..i + end].iter().collect::<String>().trim().to_string()));
            i += end + 1;
        } else if c == '\'' || c == '"' {
            let end = cs[i + 1..].iter().position(|&x| x == c).ok_or("a quoted value is never closed")?;
            out.push(Tok::Str(cs[i + 1..i + 1 + end].iter().collect()));
            i += end + 2;
        } else if c.is_ascii_digit() || (c == '-' && cs.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            i += 1;
            while i < cs.len() && (cs[i].is_ascii_digit() || cs[i] == '.') {
                i += 1;
            }
            let t: String = cs[start..i].iter().collect();
            out.push(Tok::Num(t.parse().map_err(|_| format!("{t:?} is not a number"))?));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < cs.len() && (cs[i].is_alphanumeric() || cs[i] == '_' || cs[i] == '-') {
                i += 1;
            }
            out.push(Tok::Word(cs[start..i].iter().collect::<String>().to_lowercase()));
        } else {
            let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
            let op = match (two.as_str(), c) {
                ("!=", _) => "!=",
                ("<=", _) | (">=", _) => return Err(format!("{two} is not supported; use <")),
                (_, '=') => "=",
                (_, '<') => "<",
                (_, '(') => "(",
                (_, ')') => ")",
                (_, ',') => ",",
                (_, '>') => return Err("> is not supported; use <, or not(... < ...)".into()),
                _ => return Err(format!("{c:?} is not part of the conditions a checklist supports")),
            };
            i += op.len();
            out.push(Tok::Op(op));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    kinds: &'a HashMap<String, RowType>,
}

const SUPPORTED: &str = "${q} = 'yes' (yes/no), ${q} = 'option' (select_one), selected(${q}, 'option'), ${q} != '', ${q} < N, age(${q}) < N, is_child(), joined with and, or, not(...)";

fn parse_relevant(expr: &str, kinds: &HashMap<String, RowType>) -> Result<Condition, String> {
    let toks = tokenize(expr)?;
    let mut p = Parser { toks, at: 0, kinds };
    let c = p.or()?;
    if p.at < p.toks.len() {
        return Err(format!("unexpected {} after a complete condition", p.describe()));
    }
    Ok(c)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn describe(&self) -> String {
        match self.peek() {
            None => "end".into(),
            Some(Tok::Ref(r)) => format!("${{{r}}}"),
            Some(Tok::Str(s)) => format!("'{s}'"),
            Some(Tok::Num(n)) => fmt_number(*n),
            Some(Tok::Word(w)) => w.clone(),
            Some(Tok::Op(o)) => o.to_string(),
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek() == Some(&Tok::Word(w.into())) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn expect_op(&mut self, op: &'static str) -> Result<(), String> {
        if self.peek() == Some(&Tok::Op(op)) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected {op}, found {}", self.describe()))
        }
    }
    fn or(&mut self) -> Result<Condition, String> {
        let mut of = vec![self.and()?];
        while self.eat_word("or") {
            of.push(self.and()?);
        }
        Ok(if of.len() == 1 { of.pop().expect("one") } else { Condition::Any { of } })
    }
    fn and(&mut self) -> Result<Condition, String> {
        let mut of = vec![self.unary()?];
        while self.eat_word("and") {
            of.push(self.unary()?);
        }
        Ok(if of.len() == 1 { of.pop().expect("one") } else { Condition::All { of } })
    }
    fn unary(&mut self) -> Result<Condition, String> {
        if self.eat_word("not") {
            self.expect_op("(")?;
            let c = self.or()?;
            self.expect_op(")")?;
            return Ok(Condition::Not { of: Box::new(c) });
        }
        self.primary()
    }
    fn reference(&mut self) -> Result<(String, RowType), String> {
        match self.peek().cloned() {
            Some(Tok::Ref(q)) => {
                self.at += 1;
                let kind =
                    self.kinds.get(&q).cloned().ok_or_else(|| format!("${{{q}}} names no question of the survey"))?;
                Ok((q, kind))
            }
            _ => Err(format!("expected a question ${{name}}, found {}", self.describe())),
        }
    }
    fn string(&mut self) -> Result<String, String> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.at += 1;
                Ok(s)
            }
            _ => Err(format!("expected a quoted value, found {}", self.describe())),
        }
    }
    fn number(&mut self) -> Result<f64, String> {
        match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.at += 1;
                Ok(n)
            }
            _ => Err(format!("expected a number, found {}", self.describe())),
        }
    }
    fn primary(&mut self) -> Result<Condition, String> {
        match self.peek().cloned() {
            Some(Tok::Op("(")) => {
                self.at += 1;
                let c = self.or()?;
                self.expect_op(")")?;
                Ok(c)
            }
            Some(Tok::Word(w)) if w == "is_child" => {
                self.at += 1;
                self.expect_op("(")?;
                self.expect_op(")")?;
                Ok(Condition::IsChild)
            }
            Some(Tok::Word(w)) if w == "selected" => {
                self.at += 1;
                self.expect_op("(")?;
                let (q, kind) = self.reference()?;
                self.expect_op(",")?;
                let option = self.string()?;
                self.expect_op(")")?;
                match kind {
                    RowType::SelectOne(_) | RowType::SelectMultiple(_) => Ok(Condition::Chose { question: q, option }),
                    RowType::YesNo if option == "yes" => Ok(Condition::IsYes { question: q }),
                    RowType::Broken => Ok(Condition::Chose { question: q, option }),
                    _ => Err(format!("selected() needs a select question; ${{{q}}} is not one")),
                }
            }
            Some(Tok::Word(w)) if w == "age" => {
                self.at += 1;
                self.expect_op("(")?;
                let (q, _) = self.reference()?;
                self.expect_op(")")?;
                self.expect_op("<")?;
                let n = self.number()?;
                if n < 0.0 || n.fract() != 0.0 || n > 200.0 {
                    return Err("age(...) < N needs a whole number of years".into());
                }
                Ok(Condition::AgeUnder { question: q, years: n as u32 })
            }
            Some(Tok::Ref(_)) => {
                let (q, kind) = self.reference()?;
                if kind == RowType::Broken {
                    // Its row is already reported; read past the comparison.
                    self.at += 2;
                    return Ok(Condition::Answered { question: q });
                }
                match self.peek().cloned() {
                    Some(Tok::Op("=")) => {
                        self.at += 1;
                        let v = self.string()?;
                        match kind {
                            RowType::YesNo if v == "yes" => Ok(Condition::IsYes { question: q }),
                            RowType::YesNo => Err(format!(
                                "a yes/no question can be tested for 'yes' only (no is not told apart from unknown); write ${{{q}}} = 'yes' or not(${{{q}}} = 'yes')"
                            )),
                            RowType::SelectOne(_) => Ok(Condition::Chose { question: q, option: v }),
                            RowType::SelectMultiple(_) => Err(format!("use selected(${{{q}}}, '{v}') for a select_multiple")),
                            _ => Err(format!("${{{q}}} is not a yes/no or select_one question; = 'value' needs one")),
                        }
                    }
                    Some(Tok::Op("!=")) => {
                        self.at += 1;
                        let v = self.string()?;
                        if v.is_empty() {
                            Ok(Condition::Answered { question: q })
                        } else {
                            Err(format!(
                                "only != '' (answered) is supported; for \"not chosen\" write not(${{{q}}} = '{v}')"
                            ))
                        }
                    }
                    Some(Tok::Op("<")) => {
                        self.at += 1;
                        let n = self.number()?;
                        Ok(Condition::LessThan { question: q, value: n })
                    }
                    _ => Err(format!("expected =, != or < after ${{{q}}}, found {}", self.describe())),
                }
            }
            _ => Err(format!("{} cannot start a condition; supported: {SUPPORTED}", self.describe())),
        }
    }
}

// ---- export

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {reason}")]
    Unrepresentable { path: String, reason: String },
    #[error("writing the workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
}

fn condition_expr(c: &Condition, t: &Template, path: &str) -> Result<String, ExportError> {
    let group = |of: &[Condition], word: &str| -> Result<String, ExportError> {
        if of.len() < 2 {
            return Err(ExportError::Unrepresentable {
                path: path.into(),
                reason: format!("an {word} of fewer than two conditions has no XLSForm form"),
            });
        }
        let parts = of
            .iter()
            .map(|c| {
                let e = condition_expr(c, t, path)?;
                Ok(if matches!(c, Condition::All { .. } | Condition::Any { .. }) { format!("({e})") } else { e })
            })
            .collect::<Result<Vec<_>, ExportError>>()?;
        Ok(parts.join(&format!(" {word} ")))
    };
    Ok(match c {
        Condition::Answered { question } => format!("${{{question}}} != ''"),
        Condition::IsYes { question } => format!("${{{question}}} = 'yes'"),
        Condition::Chose { question, option } => match t.question(question).map(|q| &q.answer) {
            Some(AnswerType::MultipleChoice { .. }) => format!("selected(${{{question}}}, '{option}')"),
            _ => format!("${{{question}}} = '{option}'"),
        },
        Condition::LessThan { question, value } => format!("${{{question}}} < {}", fmt_float(*value)),
        Condition::AgeUnder { question, years } => format!("age(${{{question}}}) < {years}"),
        Condition::IsChild => "is_child()".into(),
        Condition::All { of } => group(of, "and")?,
        Condition::Any { of } => group(of, "or")?,
        Condition::Not { of } => format!("not({})", condition_expr(of, t, path)?),
    })
}

/// Written so that parsing it back gives the same f64.
fn fmt_float(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        fmt_number(n)
    } else {
        format!("{n:?}")
    }
}

fn enum_word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

const YES_NO_LABELS: [(&str, [&str; 3]); 3] =
    [("yes", ["Ооба", "Да", "Yes"]), ("no", ["Жок", "Нет", "No"]), ("unknown", ["Белгисиз", "Неизвестно", "Unknown"])];

/// Writes a template as an XLSForm workbook ([`import`] reads it back to
/// the same template).
pub fn export(t: &Template) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let langs = LANGUAGES;

    // survey
    let mut headers: Vec<String> = vec!["type".into(), "name".into()];
    for base in ["label", "hint", "traveller_label"] {
        for l in langs {
            headers.push(format!("{base}::{}", lang_name(l)));
        }
    }
    for h in ["relevant", "required", "asked_in", "element", "exploitation", "role", "min", "max", "max_length"] {
        headers.push(h.into());
    }
    let col = |h: &str| headers.iter().position(|x| x == h).expect("a known header") as u16;
    let ws = wb.add_worksheet().set_name("survey")?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, h, &bold)?;
    }
    let mut lists: Vec<(String, &[Choice])> = Vec::new();
    let mut yes_no_used = false;
    let mut row: u32 = 1;
    let write_texts =
        |ws: &mut rust_xlsxwriter::Worksheet, row: u32, base: &str, texts: &Texts| -> Result<(), ExportError> {
            for l in langs {
                if let Some(s) = texts.get(&l) {
                    ws.write_string(row, col(&format!("{base}::{}", lang_name(l))), s)?;
                }
            }
            Ok(())
        };
    for s in &t.sections {
        ws.write_string(row, col("type"), "begin_group")?;
        ws.write_string(row, col("name"), &s.id)?;
        write_texts(ws, row, "label", &s.title)?;
        if let Some(c) = &s.show_if {
            ws.write_string(row, col("relevant"), condition_expr(c, t, &format!("sections[{}].show_if", s.id))?)?;
        }
        row += 1;
        for q in &s.questions {
            let ty = match &q.answer {
                AnswerType::YesNo => {
                    yes_no_used = true;
                    format!("select_one {YES_NO_LIST}")
                }
                AnswerType::SingleChoice { options } | AnswerType::MultipleChoice { options } => {
                    let mut list = q.id.clone();
                    if list == YES_NO_LIST {
                        list.push_str("_options");
                    }
                    lists.push((list.clone(), options));
                    let word = if matches!(q.answer, AnswerType::SingleChoice { .. }) {
                        "select_one"
                    } else {
                        "select_multiple"
                    };
                    format!("{word} {list}")
                }
                AnswerType::Number { integer: true, .. } => "integer".into(),
                AnswerType::Number { .. } => "decimal".into(),
                AnswerType::Date => "date".into(),
                AnswerType::Text { .. } => "text".into(),
            };
            ws.write_string(row, col("type"), &ty)?;
            ws.write_string(row, col("name"), &q.id)?;
            write_texts(ws, row, "label", &q.text)?;
            if let Some(h) = &q.help {
                write_texts(ws, row, "hint", h)?;
            }
            if let Some(tt) = &q.traveller_text {
                write_texts(ws, row, "traveller_label", tt)?;
            }
            if let Some(c) = &q.show_if {
                let p = format!("sections[{}].questions[{}].show_if", s.id, q.id);
                ws.write_string(row, col("relevant"), condition_expr(c, t, &p)?)?;
            }
            if q.required {
                ws.write_string(row, col("required"), "yes")?;
            }
            if q.asked_in != AskedIn::Queue {
                ws.write_string(row, col("asked_in"), q.asked_in.as_str())?;
            }
            write_indicator(ws, row, col("element"), col("exploitation"), q.indicator.as_ref())?;
            if let Some(r) = &q.role {
                ws.write_string(row, col("role"), enum_word(r))?;
            }
            match &q.answer {
                AnswerType::Number { min, max, .. } => {
                    if let Some(m) = min {
                        ws.write_number(row, col("min"), *m)?;
                    }
                    if let Some(m) = max {
                        ws.write_number(row, col("max"), *m)?;
                    }
                }
                AnswerType::Text { max_len: Some(n) } => {
                    ws.write_number(row, col("max_length"), *n as f64)?;
                }
                _ => {}
            }
            row += 1;
        }
        ws.write_string(row, col("type"), "end_group")?;
        row += 1;
    }

    // choices
    let ws = wb.add_worksheet().set_name("choices")?;
    let ch_headers: Vec<String> = ["list_name".to_string(), "name".to_string()]
        .into_iter()
        .chain(langs.iter().map(|l| format!("label::{}", lang_name(*l))))
        .chain(["element", "exploitation", "documents"].map(String::from))
        .collect();
    for (i, h) in ch_headers.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, h, &bold)?;
    }
    let mut row: u32 = 1;
    if yes_no_used {
        for (name, labels) in YES_NO_LABELS {
            ws.write_string(row, 0, YES_NO_LIST)?;
            ws.write_string(row, 1, name)?;
            for (i, l) in labels.iter().enumerate() {
                ws.write_string(row, 2 + i as u16, *l)?;
            }
            row += 1;
        }
    }
    for (list, options) in lists {
        for o in options {
            ws.write_string(row, 0, &list)?;
            ws.write_string(row, 1, &o.id)?;
            for (i, l) in langs.iter().enumerate() {
                if let Some(s) = o.text.get(l) {
                    ws.write_string(row, 2 + i as u16, s)?;
                }
            }
            write_indicator(ws, row, 5, 6, o.indicator.as_ref())?;
            if let Some(d) = &o.documents {
                ws.write_string(row, 7, enum_word(d))?;
            }
            row += 1;
        }
    }

    // settings
    let ws = wb.add_worksheet().set_name("settings")?;
    let mut c: u16 = 0;
    let mut put = |ws: &mut rust_xlsxwriter::Worksheet, h: &str, v: Option<&str>| -> Result<(), ExportError> {
        ws.write_string_with_format(0, c, h, &bold)?;
        if let Some(v) = v {
            ws.write_string(1, c, v)?;
        }
        c += 1;
        Ok(())
    };
    put(ws, "form_id", Some(&t.id))?;
    put(ws, "version", Some(&t.version.to_string()))?;
    for l in langs {
        put(ws, &format!("form_title::{}", lang_name(l)), t.title.get(&l).map(String::as_str))?;
    }
    put(ws, "jurisdiction", t.jurisdiction.as_deref())?;

    // reviews (Homeward's own sheet: who reviewed which text)
    if !t.reviews.is_empty() {
        let ws = wb.add_worksheet().set_name("reviews")?;
        for (i, h) in ["text", "lang", "by", "on", "digest"].iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
        }
        for (i, r) in t.reviews.iter().enumerate() {
            let row = i as u32 + 1;
            for (j, v) in [&r.text, &r.lang.code().to_string(), &r.by, &r.on, &r.digest].iter().enumerate() {
                ws.write_string(row, j as u16, v.as_str())?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn write_indicator(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    el_col: u16,
    ex_col: u16,
    ind: Option<&Indicator>,
) -> Result<(), ExportError> {
    if let Some(ind) = ind {
        let words: Vec<String> = ind.elements.iter().map(enum_word).collect();
        if !words.is_empty() {
            ws.write_string(row, el_col, words.join(" "))?;
        }
        if let Some(e) = &ind.exploitation {
            ws.write_string(row, ex_col, enum_word(e))?;
        }
    }
    Ok(())
}
