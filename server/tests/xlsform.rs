//! Checklists authored in XLSForm (`homeward_hq::xlsform`): the default
//! checklist survives a trip through a workbook unchanged; each kind of
//! mistake in a workbook is reported with its sheet, row and column and
//! nothing is produced; formulas, merged cells and oversized sheets are
//! refused; and the admin commands write or publish only a valid checklist
//! (on SQLite, or PostgreSQL when `HOMEWARD_TEST_POSTGRES` is set).

mod common;

use homeward_domain::screening::template::Template;
use homeward_domain::screening::{BUILT_IN_TEMPLATES, DEFAULT_TEMPLATE_JSON};
use homeward_hq::xlsform::{self, CellProblem, CellProblemKind, XlsFormError, MAX_ROWS};
use rust_xlsxwriter::{Format, Formula, Workbook};

// ---- building workbooks

type Rows<'a> = &'a [&'a [&'a str]];

const SURVEY_HEAD: &[&str] = &[
    "type",
    "name",
    "label::Kyrgyz (ky)",
    "label::Russian (ru)",
    "label::English (en)",
    "relevant",
    "element",
    "exploitation",
];

/// A small valid checklist: one section, a yes/no question, a choice
/// question whose options carry indicators, one shown only on a "yes".
fn survey() -> Vec<Vec<String>> {
    let rows: Rows = &[
        SURVEY_HEAD,
        &["begin_group", "person", "Адам", "Человек", "Person", "", "", ""],
        &["select_one yes_no", "recruited", "Тартылган", "Завербован", "Recruited", "", "act", ""],
        &["select_one work", "work", "Иш", "Работа", "Work", "${recruited} = 'yes'", "", ""],
        &["integer", "days", "Күн", "Дни", "Days", "", "", ""],
        &["end_group", "", "", "", "", "", "", ""],
    ];
    owned(rows)
}

fn choices() -> Vec<Vec<String>> {
    owned(&[
        &[
            "list_name",
            "name",
            "label::Kyrgyz (ky)",
            "label::Russian (ru)",
            "label::English (en)",
            "element",
            "exploitation",
        ],
        &["yes_no", "yes", "Ооба", "Да", "Yes", "", ""],
        &["yes_no", "no", "Жок", "Нет", "No", "", ""],
        &["work", "farm", "Ферма", "Ферма", "Farm", "purpose", "forced_labour"],
        &["work", "office", "Кеңсе", "Офис", "Office", "", ""],
    ])
}

fn settings() -> Vec<Vec<String>> {
    owned(&[
        &["form_id", "version", "form_title::Kyrgyz (ky)", "form_title::Russian (ru)", "form_title::English (en)"],
        &["test-checklist", "3", "Текшерүү", "Проверка", "Check"],
    ])
}

fn owned(rows: Rows) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
}

struct Book {
    sheets: Vec<(String, Vec<Vec<String>>)>,
}

impl Book {
    fn valid() -> Book {
        Book {
            sheets: vec![("survey".into(), survey()), ("choices".into(), choices()), ("settings".into(), settings())],
        }
    }
    fn sheet(&mut self, name: &str) -> &mut Vec<Vec<String>> {
        &mut self.sheets.iter_mut().find(|(n, _)| n == name).expect("a sheet of the book").1
    }
    /// Sets the cell at a 1-based row and a column letter.
    fn set(mut self, sheet: &str, cell: (u32, char), v: &str) -> Book {
        let rows = self.sheet(sheet);
        let (r, c) = ((cell.0 - 1) as usize, (cell.1 as u8 - b'A') as usize);
        while rows.len() <= r {
            rows.push(vec![]);
        }
        while rows[r].len() <= c {
            rows[r].push(String::new());
        }
        rows[r][c] = v.to_string();
        self
    }
    fn without(mut self, sheet: &str) -> Book {
        self.sheets.retain(|(n, _)| n != sheet);
        self
    }
    fn workbook(&self) -> Workbook {
        let mut wb = Workbook::new();
        for (name, rows) in &self.sheets {
            let ws = wb.add_worksheet().set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, v).unwrap();
                    }
                }
            }
        }
        wb
    }
    fn bytes(&self) -> Vec<u8> {
        self.workbook().save_to_buffer().unwrap()
    }
}

fn problems(bytes: &[u8]) -> Vec<CellProblem> {
    match xlsform::import(bytes) {
        Err(XlsFormError::Problems(ps)) => ps,
        Err(e) => panic!("expected problems, got {e}"),
        Ok(i) => panic!("expected problems, imported {}", i.template.id),
    }
}

// ---- the round trip

#[test]
fn every_built_in_checklist_exported_and_imported_again_is_the_same_template() {
    for json in BUILT_IN_TEMPLATES {
        let t = Template::from_json(json).unwrap();
        let bytes = xlsform::export(&t).unwrap();
        let back = xlsform::import(&bytes).unwrap_or_else(|e| panic!("{} v{}: {e}", t.id, t.version)).template;
        assert_eq!(back, t, "{} v{} changed in the round trip", t.id, t.version);
        // And a second trip writes the same sheets (nothing drifts).
        assert_eq!(xlsform::import(&xlsform::export(&back).unwrap()).unwrap().template, t);
    }
}

#[test]
fn reviews_and_conditions_of_every_kind_survive_the_round_trip() {
    use homeward_domain::screening::template::{Condition, Review};
    let mut t = Template::from_json(DEFAULT_TEMPLATE_JSON).unwrap();
    let first = t.sections[0].questions[0].clone();
    let text = first.text[&homeward_domain::screening::Lang::Ky].clone();
    t.reviews.push(Review {
        text: format!("{}.text", first.id),
        lang: homeward_domain::screening::Lang::Ky,
        by: "A. Reviewer".into(),
        on: "2026-11-30".into(),
        digest: homeward_domain::screening::text_digest(&text),
    });
    // A nested condition on the last question of the last section: not, any, all.
    let q_ids: Vec<String> = t.questions().map(|(_, q)| q.id.clone()).collect();
    let yes_no = t
        .questions()
        .find(|(_, q)| q.answer == homeward_domain::screening::AnswerType::YesNo)
        .map(|(_, q)| q.id.clone())
        .unwrap();
    let last = t.sections.last_mut().unwrap().questions.last_mut().unwrap();
    assert_ne!(last.id, yes_no);
    last.show_if = Some(Condition::Any {
        of: vec![
            Condition::Not { of: Box::new(Condition::IsYes { question: yes_no.clone() }) },
            Condition::All { of: vec![Condition::IsChild, Condition::Answered { question: q_ids[0].clone() }] },
        ],
    });
    homeward_domain::screening::Checklist::new(t.clone()).expect("the edited template is valid");
    let back = xlsform::import(&xlsform::export(&t).unwrap()).unwrap().template;
    assert_eq!(back, t);
    assert_eq!(back.reviews.len(), 1);
}

#[test]
fn the_small_valid_workbook_reads_as_written() {
    let t = xlsform::import(&Book::valid().bytes()).unwrap().template;
    assert_eq!((t.id.as_str(), t.version, t.sections.len()), ("test-checklist", 3, 1));
    let work = t.question("work").unwrap();
    assert_eq!(work.show_if, Some(homeward_domain::screening::Condition::IsYes { question: "recruited".into() }));
    let farm = &work.answer.options()[0];
    assert_eq!(
        farm.indicator.as_ref().unwrap().exploitation,
        Some(homeward_domain::screening::Exploitation::ForcedLabour)
    );
    assert_eq!(t.question("recruited").unwrap().answer, homeward_domain::screening::AnswerType::YesNo);
    assert!(matches!(
        t.question("days").unwrap().answer,
        homeward_domain::screening::AnswerType::Number { integer: true, .. }
    ));
}

// ---- one mistake each, with its place

#[test]
fn each_mistake_is_named_with_its_sheet_row_and_column() {
    let cases: Vec<(&str, Book, &str)> = vec![
        ("misspelt type", Book::valid().set("survey", (3, 'A'), "select_onee yes_no"), r#"survey!A3: unknown type "select_onee yes_no""#),
        ("note", Book::valid().set("survey", (5, 'A'), "note"), r#"survey!A5: type "note" is XLSForm but not"#),
        ("unknown list", Book::valid().set("survey", (4, 'A'), "select_one jobs"), r#"survey!A4: no choice list "jobs""#),
        ("duplicate name", Book::valid().set("survey", (5, 'B'), "recruited"), r#"survey!B5: the name "recruited" is used more than once (first in row 3)"#),
        ("duplicate option", Book::valid().set("choices", (5, 'B'), "farm"), r#"choices!B5: the name "work/farm" is used more than once (first in row 4)"#),
        (
            "a language Homeward does not have",
            Book::valid().set("survey", (1, 'I'), "hint::Uzbek (uz)"),
            r#"survey!I1: unknown language "Uzbek (uz)""#,
        ),
        (
            "relevant not supported",
            Book::valid().set("survey", (4, 'F'), "${recruited} > 2"),
            r#"survey!F4: the relevant condition "${recruited} > 2" cannot be used: > is not supported"#,
        ),
        (
            "relevant on an unknown question",
            Book::valid().set("survey", (4, 'F'), "${recruted} = 'yes'"),
            "survey!F4: the relevant condition \"${recruted} = 'yes'\" cannot be used: ${recruted} names no question",
        ),
        (
            "relevant testing no",
            Book::valid().set("survey", (4, 'F'), "${recruited} = 'no'"),
            "survey!F4: the relevant condition \"${recruited} = 'no'\" cannot be used: a yes/no question can be tested for 'yes' only",
        ),
        ("bad element", Book::valid().set("survey", (3, 'G'), "acts"), r#"survey!G3: "acts" is not an element"#),
        ("bad exploitation", Book::valid().set("choices", (4, 'G'), "forced_labor"), r#"choices!G4: "forced_labor" is not a form of exploitation"#),
        ("question outside a group", Book::valid().set("survey", (2, 'A'), "text"), "survey!A6: end_group without a begin_group"),
        ("group not closed", Book::valid().set("survey", (6, 'A'), "text").set("survey", (6, 'B'), "notes").set("survey", (6, 'C'), "a").set("survey", (6, 'D'), "a").set("survey", (6, 'E'), "a"), r#"survey!A2: the group "person" is never closed"#),
        ("column that does not apply", Book::valid().set("survey", (2, 'G'), "act"), r#"survey!G2: column "element" does not apply to a group"#),
        ("unsupported column with values", Book::valid().set("survey", (1, 'I'), "constraint").set("survey", (5, 'I'), ". < 90"), r#"survey!I5: column "constraint" is not part of a Homeward checklist"#),
        ("missing settings sheet", Book::valid().without("settings"), r#"settings: the workbook has no sheet "settings""#),
        ("missing choices sheet", Book::valid().without("choices"), r#"choices: the workbook has no sheet "choices""#),
        ("a second settings row", Book::valid().set("settings", (3, 'A'), "other"), "settings!3: settings has one row of values"),
        ("version not a number", Book::valid().set("settings", (2, 'B'), "three"), r#"settings!B2: "three" is not a whole version number"#),
        ("no form_id column", Book::valid().set("settings", (1, 'A'), "id"), r#"settings!A2: column "id" is not part of a Homeward checklist"#),
        // Found by the core's own validator, put back on the cell:
        ("missing translation", Book::valid().set("survey", (5, 'C'), ""), "survey!C5: the ky text is missing or empty (template sections[person].questions[days].text.ky)"),
        ("purpose without exploitation", Book::valid().set("choices", (4, 'G'), ""), "choices!F4: a purpose indicator must name its form of exploitation (template sections[person].questions[work].answer.options[farm].indicator)"),
        (
            "forward reference",
            Book::valid().set("survey", (3, 'F'), "${days} < 3"),
            "survey!F3: refers to \"days\", which is not asked before it (template sections[person].questions[recruited].show_if)",
        ),
        ("bad version", Book::valid().set("settings", (2, 'B'), "0"), "settings!B2: the version must be 1 or more (template version)"),
    ];
    let mut failures = vec![];
    for (what, book, expected) in cases {
        let ps = problems(&book.bytes());
        let printed: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
        if std::env::var("XLSFORM_SHOW").is_ok() {
            eprintln!("{what}:\n  {}", printed.join("\n  "));
        }
        if !printed.iter().any(|p| p.starts_with(expected)) {
            failures.push(format!("{what}: expected a problem starting {expected:?}, got {printed:#?}"));
        }
        // One mistake, one problem: no cascade of consequences, except
        // where the mistake really does touch several rows.
        let cascades = ["question outside a group", "missing choices sheet", "no form_id column"];
        if !cascades.contains(&what) && printed.len() != 1 {
            failures.push(format!("{what}: expected one problem, got {printed:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_hint_in_a_language_with_no_label_column_is_refused_at_its_header() {
    let mut b = Book::valid();
    // Drop the Russian labels (column D) and add a Russian hint in column I.
    for row in b.sheet("survey").iter_mut() {
        if row.len() > 3 {
            row[3] = String::new();
        }
    }
    let b = b.set("survey", (1, 'I'), "hint::Russian (ru)").set("survey", (3, 'I'), "подсказка");
    let ps = problems(&b.bytes());
    assert!(
        ps.iter().any(|p| p.to_string()
            == r#"survey!I1: column "hint::Russian (ru)" gives a language with no label column: add label::Russian (ru)"#),
        "{ps:#?}"
    );
    assert!(
        ps.iter().all(|p| p.sheet == "survey" && p.row == Some(1)),
        "nothing else read from a broken header: {ps:#?}"
    );
}

#[test]
fn problems_are_typed_and_serialise_with_their_place() {
    let ps = problems(&Book::valid().set("survey", (3, 'A'), "select_onee yes_no").bytes());
    assert_eq!(
        ps[0],
        CellProblem {
            sheet: "survey".into(),
            row: Some(3),
            column: Some(1),
            kind: CellProblemKind::UnknownType { found: "select_onee yes_no".into() }
        }
    );
    let v = serde_json::to_value(&ps[0]).unwrap();
    assert_eq!((v["sheet"].as_str(), v["row"].as_u64(), v["column"].as_u64()), (Some("survey"), Some(3), Some(1)));
    assert_eq!(v["problem"], "unknown_type");
}

// ---- refused outright

#[test]
fn a_formula_is_refused_with_its_cell() {
    let mut wb = Book::valid().workbook();
    wb.worksheet_from_name("survey").unwrap().write_formula(4, 4, Formula::new("=CONCAT(\"Da\",\"ys\")")).unwrap();
    let ps = problems(&wb.save_to_buffer().unwrap());
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(ps[0].place(), "survey!E5");
    assert!(matches!(ps[0].kind, CellProblemKind::Formula { .. }), "{ps:#?}");
    assert!(ps[0].to_string().contains("CONCAT"), "{}", ps[0]);
}

#[test]
fn merged_cells_are_refused_with_their_range() {
    let mut wb = Book::valid().workbook();
    wb.worksheet_from_name("choices").unwrap().merge_range(3, 5, 4, 5, "purpose", &Format::new()).unwrap();
    let ps = problems(&wb.save_to_buffer().unwrap());
    assert!(ps.iter().any(|p| p.to_string().starts_with("choices!F4: merged cells (F4:F5)")), "{ps:#?}");
}

#[test]
fn a_sheet_longer_than_the_limit_is_refused_and_one_at_the_limit_is_read() {
    let at_limit = |extra: u32| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("survey").unwrap();
        for (c, h) in ["type", "name", "label::English (en)"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "begin_group").unwrap();
        ws.write_string(1, 1, "g").unwrap();
        ws.write_string(1, 2, "G").unwrap();
        let last = MAX_ROWS + extra; // 1-based data rows 2..=last
        for r in 2..last {
            ws.write_string(r, 0, "text").unwrap();
            ws.write_string(r, 1, format!("q{r}")).unwrap();
            ws.write_string(r, 2, "Q").unwrap();
        }
        ws.write_string(last, 0, "end_group").unwrap();
        let s = wb.add_worksheet().set_name("settings").unwrap();
        for (c, (h, v)) in
            [("form_id", "big"), ("version", "1"), ("form_title::English (en)", "Big")].iter().enumerate()
        {
            s.write_string(0, c as u16, *h).unwrap();
            s.write_string(1, c as u16, *v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let started = std::time::Instant::now();
    let ps = problems(&at_limit(1));
    assert_eq!(ps.len(), 1, "{:#?}", &ps[..ps.len().min(5)]);
    assert_eq!(
        ps[0].to_string(),
        format!(
            "survey!{}: more than {MAX_ROWS} rows: a checklist sheet may have at most {MAX_ROWS} below its header",
            MAX_ROWS + 2
        )
    );
    // Exactly MAX_ROWS rows below the header: read (the only complaint is
    // the core's, that English alone is not every language).
    let ps = problems(&at_limit(0));
    assert!(ps.iter().all(|p| matches!(&p.kind, CellProblemKind::Template { .. })), "{:#?}", &ps[..ps.len().min(5)]);
    eprintln!("two {MAX_ROWS}-row workbooks checked in {:?}", started.elapsed());
}

#[test]
fn not_a_workbook_and_too_large_are_typed_errors() {
    assert!(matches!(xlsform::import(b"{\"id\": 1}"), Err(XlsFormError::Unreadable(_))));
    let big = vec![0u8; xlsform::MAX_BYTES + 1];
    assert!(matches!(xlsform::import(&big), Err(XlsFormError::TooLarge { .. })));
}

// ---- the admin commands

#[test]
fn the_admin_cli_imports_exports_and_publishes_only_a_valid_workbook() {
    let t = tempfile::tempdir().unwrap();
    let db = common::fresh_database();
    let hq = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homeward-hq"));
        c.arg("--data-dir").arg(t.path().join("hq"));
        match &db {
            Some(url) => c.env("DATABASE_URL", url),
            None => c.env_remove("DATABASE_URL"),
        };
        c.args(args).output().unwrap()
    };
    let path = |n: &str| t.path().join(n).to_str().unwrap().to_string();

    // Export the checklist in force, and version 1 by number.
    let out = hq(&["checklist", "export-xlsform", "--out", &path("v2.xlsx")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v2 = xlsform::import(&std::fs::read(path("v2.xlsx")).unwrap()).unwrap().template;
    assert_eq!(v2, Template::from_json(DEFAULT_TEMPLATE_JSON).unwrap());
    let out = hq(&["checklist", "export-xlsform", "--version", "1", "--out", &path("v1.xlsx")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(xlsform::import(&std::fs::read(path("v1.xlsx")).unwrap()).unwrap().template.version, 1);
    let out = hq(&["checklist", "export-xlsform", "--version", "9", "--out", &path("v9.xlsx")]);
    assert!(!out.status.success() && !t.path().join("v9.xlsx").exists());

    // A bad workbook: every problem printed with its place; no file, nothing published.
    std::fs::write(path("bad.xlsx"), Book::valid().set("survey", (3, 'A'), "select_onee yes_no").bytes()).unwrap();
    let out = hq(&["checklist", "import-xlsform", &path("bad.xlsx"), "--out", &path("bad.json")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains(r#"survey!A3: unknown type "select_onee yes_no""#) && err.contains("nothing written"),
        "{err}"
    );
    assert!(!t.path().join("bad.json").exists());
    let out =
        hq(&["--json", "checklist", "import-xlsform", &path("bad.xlsx"), "--publish", "--allow-unreviewed", "test"]);
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["problems"][0]["row"], 3);
    let admin = homeward_hq::Hq::open_with(&t.path().join("hq"), db.as_deref()).unwrap();
    assert!(admin.published_template().unwrap().is_none(), "nothing published");

    // A good one: written as JSON that publish-template takes, or published at once.
    let good = xlsform::export(&Template { version: 3, ..v2.clone() }).unwrap();
    std::fs::write(path("v3.xlsx"), good).unwrap();
    let out = hq(&["checklist", "import-xlsform", &path("v3.xlsx"), "--out", &path("v3.json")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(Template::from_json(&std::fs::read_to_string(path("v3.json")).unwrap()).unwrap().version, 3);
    let out = hq(&["checklist", "import-xlsform", &path("v3.xlsx"), "--publish"]);
    assert!(!out.status.success(), "unreviewed texts need the override");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not reviewed"));
    let out = hq(&["checklist", "import-xlsform", &path("v3.xlsx"), "--publish", "--allow-unreviewed", "pilot"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(admin.current_checklist().unwrap().template().version, 3);
    // The published one exports back to the same workbook content.
    let out = hq(&["checklist", "export-xlsform", "--out", &path("again.xlsx")]);
    assert!(out.status.success());
    assert_eq!(xlsform::import(&std::fs::read(path("again.xlsx")).unwrap()).unwrap().template.version, 3);
    eprintln!("admin commands checked on {}", common::backend());
}
