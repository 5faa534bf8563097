//! Version 2 is the default; version 1 stays compiled in so that drafts
//! started on it are finished on it. What a device holds: the installed
//! (headquarters-signed) text wins over the build's on the same id and
//! version; a newer compiled-in default wins over an older installed one.

use homeward_domain::screening::published::TemplateShelf;
use homeward_domain::screening::template::text;
use homeward_domain::screening::*;

const ID: &str = "kg-border-screening";

fn sexual_ru(c: &Checklist) -> String {
    text(&c.question("sexual").unwrap().text, Lang::Ru).to_string()
}

fn with_version(json: &str, version: u32, title_en: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["version"] = version.into();
    v["title"]["en"] = title_en.into();
    v.to_string()
}

#[test]
fn the_default_is_version_2_and_version_1_stays() {
    assert_eq!(default_checklist().template().version, 2);
    let v1 = built_in_checklist(ID, 1).expect("version 1 is compiled in");
    let v2 = built_in_checklist(ID, 2).expect("version 2 is compiled in");
    assert_eq!(v1.template().version, 1);
    assert_ne!(sexual_ru(&v1), sexual_ru(&v2), "the versions differ in wording");
    // Same ids and structure: statistics by question id carry across.
    let ids = |c: &Checklist| c.questions().map(|q| q.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&v1), ids(&v2));
    assert!(built_in_checklist(ID, 3).is_none());
    assert!(built_in_checklist("other", 1).is_none());
}

#[test]
fn a_device_with_nothing_installed_starts_on_version_2_and_finishes_version_1_drafts_on_version_1() {
    let shelf = TemplateShelf::default();
    assert_eq!(shelf.current_checklist().template().version, 2);
    let draft = shelf.checklist_for(ID, 1).expect("a version 1 draft finds its checklist");
    assert_eq!(sexual_ru(&draft), sexual_ru(&built_in_checklist(ID, 1).unwrap()));
    assert_eq!(shelf.checklist_for(ID, 2).unwrap().template().version, 2);
    assert!(shelf.checklist_for(ID, 7).is_none());
}

#[test]
fn an_installed_version_2_from_headquarters_wins_over_the_compiled_in_one() {
    // Headquarters published its own "version 2" (an edit of version 1)
    // before this build: drafts started on it must keep its text.
    let theirs = with_version(TEMPLATE_V1_JSON, 2, "Headquarters' edit");
    let mut shelf = TemplateShelf::default();
    shelf.templates.insert(format!("{ID}@2"), theirs);
    shelf.current = Some(format!("{ID}@2"));
    assert_eq!(text(&shelf.current_checklist().template().title, Lang::En), "Headquarters' edit");
    assert_eq!(text(&shelf.checklist_for(ID, 2).unwrap().template().title, Lang::En), "Headquarters' edit");
    // Version 1 drafts still open on the compiled-in version 1.
    assert_eq!(shelf.checklist_for(ID, 1).unwrap().template().version, 1);
}

#[test]
fn a_newer_installed_version_is_current_and_an_older_one_is_not() {
    let mut shelf = TemplateShelf::default();
    shelf.templates.insert(format!("{ID}@3"), with_version(DEFAULT_TEMPLATE_JSON, 3, "Three"));
    shelf.current = Some(format!("{ID}@3"));
    assert_eq!(shelf.current_checklist().template().version, 3);
    assert_eq!(shelf.checklist_for(ID, 2).unwrap().template().version, 2);

    // An installed version older than this build's default (installed by an
    // older build) no longer starts new screenings, but finishes its drafts.
    let mut old = TemplateShelf::default();
    old.templates.insert(format!("{ID}@1"), with_version(TEMPLATE_V1_JSON, 1, "Old"));
    old.current = Some(format!("{ID}@1"));
    assert_eq!(old.current_checklist().template().version, 2);
    assert_eq!(text(&old.checklist_for(ID, 1).unwrap().template().title, Lang::En), "Old");
}
