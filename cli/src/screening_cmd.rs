//! `homeward template ...` and `homeward screening ...`: the border guard's
//! checklist on a terminal. Every rule comes from homeward-core; this file
//! only asks, reads and prints.

use homeward_core::date::Today;
use homeward_core::screening::ScreeningRecordId;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use homeward_core::date::IsoDate;
use homeward_core::screening::{
    self, answer_hint, answers, default_checklist, explain, template::text, Answers, Checklist, Lang, ListFilter,
    NewScreening, Screening, ScreeningRecords, Subject, Template,
};
use homeward_core::vault::DeviceKeyStore;

use crate::dataprot_cmd::{audit, sensitive_view};
use crate::output::{CliError, Output};
use homeward_core::audit::{AuditAction, SubjectKind};

#[derive(Subcommand)]
pub enum TemplateCmd {
    /// Validate a template file; lists every problem with its path, then
    /// the texts not yet reviewed in each language (counts and ids).
    Validate { file: PathBuf },
    /// Every text of a template in a language with its id and digest: what
    /// a reviewer copies into the template's `reviews`.
    Texts {
        file: PathBuf,
        #[arg(long)]
        lang: Lang,
    },
    /// Show a template (default: the built-in one) in a language.
    Show {
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long, default_value = "en")]
        lang: Lang,
    },
}

#[derive(Subcommand)]
pub enum ScreeningCmd {
    /// Start a screening: interactive in a terminal, or from an answers file.
    New {
        /// Crossing point id from `homeward crossing-points`, e.g. OSH-AIRPORT;
        /// any other is refused and nothing is saved.
        #[arg(long)]
        crossing: Option<String>,
        #[arg(long, default_value = "ru")]
        lang: Lang,
        /// Screening date (default today), YYYY-MM-DD.
        #[arg(long)]
        date: Option<IsoDate>,
        #[arg(long)]
        officer: Option<String>,
        /// Answers file (docs/SCREENING.md) instead of asking.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Finalise at the end without asking.
        #[arg(long)]
        finalise: bool,
        /// The person's document zone (ICAO Doc 9303, a text file, `-` for
        /// standard input): its name, number and nationality become the subject.
        #[arg(long)]
        mrz: Option<PathBuf>,
    },
    /// Continue a draft where it stopped.
    Resume {
        id: String,
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Move a draft to a private interview (after the non-punishment
    /// assurance) and continue there: the questions asked only in private
    /// are then asked. `resume` later continues in the private interview.
    Private {
        id: String,
        #[arg(long)]
        lang: Option<Lang>,
        #[arg(long)]
        officer: Option<String>,
    },
    /// Finalise a draft (all required questions answered).
    Finalise { id: String },
    /// List screenings, newest first.
    List {
        #[arg(long)]
        from: Option<IsoDate>,
        #[arg(long)]
        to: Option<IsoDate>,
        #[arg(long)]
        crossing: Option<String>,
    },
    /// Show one screening with its outcome explained.
    Show {
        id: String,
        #[arg(long)]
        lang: Option<Lang>,
        /// Why the person's full record is opened (required; kept in the audit trail).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Find screenings by document number or name (either script, any order).
    Search {
        #[arg(long, conflicts_with = "name", required_unless_present = "name")]
        document: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Correct a finalised screening with an addendum; the original stays.
    Amend {
        id: String,
        /// Answers file holding only the changed answers (and subject, if changed).
        #[arg(long)]
        answers: PathBuf,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        officer: Option<String>,
    },
}

fn load_template(path: &Path) -> Result<Template, CliError> {
    let json =
        std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
    Template::from_json(&json).map_err(|e| CliError::Input(format!("{} is not a template: {e}", path.display())))
}

pub fn template(out: &Output, cmd: TemplateCmd) -> Result<(), CliError> {
    match cmd {
        TemplateCmd::Validate { file } => {
            let t = load_template(&file)?;
            let problems = screening::validate(&t);
            if !problems.is_empty() {
                return Err(CliError::Template(problems));
            }
            let review = screening::review_state(&t);
            let mut s = format!("{} v{}: valid ({} questions)\n", t.id, t.version, t.questions().count());
            for r in &review {
                s.push_str(&format!(
                    "{}: {} of {} texts reviewed, {} not reviewed\n",
                    r.lang.code(),
                    r.reviewed,
                    r.total,
                    r.unreviewed.len()
                ));
                for id in &r.unreviewed {
                    s.push_str(&format!("    {id}\n"));
                }
            }
            out.print(
                s.trim_end(),
                &serde_json::json!({ "valid": true, "id": t.id, "version": t.version, "review": review,
                    "unreviewed": screening::unreviewed_count(&t) }),
            );
            Ok(())
        }
        TemplateCmd::Texts { file, lang } => {
            let t = load_template(&file)?;
            let texts: Vec<serde_json::Value> = screening::localized_texts(&t)
                .iter()
                .map(|lt| {
                    let text = lt.texts.get(&lang).map(String::as_str).unwrap_or("");
                    serde_json::json!({ "text": lt.id, "lang": lang, "digest": screening::text_digest(text),
                        "content": text })
                })
                .collect();
            let s = texts
                .iter()
                .map(|j| {
                    format!(
                        "{}  {}  {}",
                        j["digest"].as_str().unwrap_or(""),
                        j["text"].as_str().unwrap_or(""),
                        j["content"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.print(&s, &serde_json::Value::Array(texts));
            Ok(())
        }
        TemplateCmd::Show { file, lang } => {
            let checklist = match file {
                Some(f) => Checklist::new(load_template(&f)?).map_err(CliError::Template)?,
                None => default_checklist(),
            };
            let t = checklist.template();
            let mut s = format!("{} ({} v{})\n", text(&t.title, lang), t.id, t.version);
            let mut n = 0;
            for sec in &t.sections {
                s.push_str(&format!("\n== {} ==\n", text(&sec.title, lang)));
                for q in &sec.questions {
                    n += 1;
                    let req = if q.required { " *" } else { "" };
                    let private = if q.asked_in.is_private() { "  (private interview)" } else { "" };
                    s.push_str(&format!("{n:>3}. {}{req}  [{}]{private}\n", text(&q.text, lang), q.id));
                    if let Some(tt) = q.traveller_text(lang) {
                        s.push_str(&format!("     » {tt}\n"));
                    }
                    s.push_str(&format!("     {}\n", answer_hint(q, lang)));
                    if let Some(ind) = &q.indicator {
                        s.push_str(&format!("     -> {:?}\n", ind.elements));
                    }
                }
            }
            out.print(&s, &crate::output::to_json(t));
            Ok(())
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn parse_id(id: &str) -> Result<homeward_core::vault::RecordId, CliError> {
    id.parse().map_err(|_| CliError::Input(format!("{id:?} is not a screening id")))
}

/// The answers file (docs/SCREENING.md).
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    #[serde(default)]
    crossing_point: Option<String>,
    #[serde(default)]
    date: Option<IsoDate>,
    #[serde(default)]
    language: Option<Lang>,
    #[serde(default)]
    officer: Option<String>,
    #[serde(default)]
    subject: Option<Subject>,
    #[serde(default)]
    answers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    skip: Vec<String>,
    /// The answers were given in a private interview (after the
    /// non-punishment assurance): questions asked only there may be answered.
    #[serde(default)]
    private_interview: bool,
    #[serde(default)]
    finalise: bool,
}

fn read_answers_file(path: &Path) -> Result<AnswersFile, CliError> {
    let s =
        std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&s).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

fn typed_answers(c: &Checklist, raw: &serde_json::Map<String, serde_json::Value>) -> Result<Answers, CliError> {
    let mut out = Answers::new();
    for (qid, v) in raw {
        let q = c
            .question(qid)
            .ok_or_else(|| CliError::Screening(screening::AnswerError::UnknownQuestion(qid.clone()).into()))?;
        let value = answers::from_json(q, v).map_err(|e| CliError::Screening(e.into()))?;
        out.insert(qid.clone(), value);
    }
    Ok(out)
}

/// The checklist to work with: for a screening, the version it was started
/// on; for a new one, the newest headquarters published (else the default).
fn checklist_in(v: &mut homeward_core::vault::Vault, id: Option<&str>) -> Result<Checklist, CliError> {
    use homeward_core::screening::installed;
    Ok(match id {
        Some(id) => installed::checklist_of_screening(v, parse_id(id)?),
        None => installed::current_checklist(v),
    })
}

pub fn screening(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: ScreeningCmd) -> Result<(), CliError> {
    let checklist = default_checklist();
    match cmd {
        ScreeningCmd::New { crossing, lang, date, officer, answers: file, finalise, mrz } => {
            let file = file.as_deref().map(read_answers_file).transpose()?;
            // Read before the vault opens: a refused zone changes nothing.
            let zone = mrz.as_deref().map(|p| crate::mrz_cmd::read_zone_file(p, IsoDate::today())).transpose()?;
            let crossing = crossing
                .or_else(|| file.as_ref().and_then(|f| f.crossing_point.clone()))
                .ok_or_else(|| CliError::Input("name the crossing point with --crossing".into()))?;
            let mut v = crate::open_unlocked(dir, ks)?;
            let checklist = checklist_in(&mut v, None)?;
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            let lang = file.as_ref().and_then(|f| f.language).unwrap_or(lang);
            let s = book.start(NewScreening {
                crossing_point: crossing,
                officer: officer.or_else(|| file.as_ref().and_then(|f| f.officer.clone())),
                language: lang,
                screening_date: date.or_else(|| file.as_ref().and_then(|f| f.date)).unwrap_or_else(IsoDate::today),
                now_unix_ms: now_ms(),
            })?;
            let id = s.record_id()?;
            audit(&mut v, AuditAction::Create, SubjectKind::Screening, &s.id, None)?;
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            if let Some(doc) = &zone {
                book.set_subject(id, doc.subject())?;
            }
            match file {
                Some(f) => {
                    if f.private_interview {
                        book.move_to_private(id, s.officer.clone(), now_ms())?;
                    }
                    // Answers in template order, so that each one's condition
                    // is decided by the earlier ones, as in the interactive flow.
                    let typed = typed_answers(&checklist, &f.answers)?;
                    let mut ordered: Vec<_> = typed.into_iter().collect();
                    ordered.sort_by_key(|(q, _)| checklist.position(q));
                    for (qid, value) in ordered {
                        book.answer(id, &qid, value)?;
                    }
                    for qid in &f.skip {
                        book.skip(id, qid)?;
                    }
                    if let Some(subject) = f.subject {
                        book.set_subject(id, subject)?;
                    }
                    let s = if f.finalise || finalise { book.finalise(id, now_ms())? } else { book.load(id)? };
                    print_screening(out, &checklist, &s, lang);
                    Ok(())
                }
                None => interactive(out, &mut book, &checklist, id, lang, finalise),
            }
        }
        ScreeningCmd::Resume { id, lang } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let checklist = checklist_in(&mut v, Some(&id))?;
            let book = ScreeningRecords::new(&mut v, &checklist);
            let id = parse_id(&id)?;
            let s = book.load(id)?;
            if s.is_final() {
                return Err(CliError::Screening(screening::ScreeningError::Finalised));
            }
            audit(&mut v, AuditAction::Change, SubjectKind::Screening, &s.id, None)?;
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            interactive(out, &mut book, &checklist, id, lang.unwrap_or(s.language), false)
        }
        ScreeningCmd::Private { id, lang, officer } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let checklist = checklist_in(&mut v, Some(&id))?;
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            let rid = parse_id(&id)?;
            let s = book.move_to_private(rid, officer, now_ms())?;
            audit(&mut v, AuditAction::Change, SubjectKind::Screening, &s.id, None)?;
            let lang = lang.unwrap_or(s.language);
            if out.json {
                println!("{}", crate::output::to_json_text(&s));
                return Ok(());
            }
            print_assurance(lang);
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            interactive(out, &mut book, &checklist, rid, lang, false)
        }
        ScreeningCmd::Finalise { id } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let checklist = checklist_in(&mut v, Some(&id))?;
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            let s = book.finalise(parse_id(&id)?, now_ms())?;
            audit(&mut v, AuditAction::Change, SubjectKind::Screening, &s.id, None)?;
            print_screening(out, &checklist, &s, s.language);
            Ok(())
        }
        ScreeningCmd::List { from, to, crossing } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let book = ScreeningRecords::new(&mut v, &checklist);
            let list = book.list(&ListFilter { from, to, crossing_point: crossing })?;
            let mut s = String::new();
            for item in &list {
                let verdict = item
                    .verdict
                    .map(|v| screening::explain::verdict_text(v, Lang::En))
                    .unwrap_or_else(|| "draft".into());
                s.push_str(&format!(
                    "{}  {}  {:<14} {:>3} answers  {}\n",
                    item.id, item.screening_date, item.crossing_point, item.answered, verdict
                ));
            }
            if list.is_empty() {
                s.push_str("no screenings\n");
            }
            out.print(s.trim_end(), &crate::output::to_json(&list));
            Ok(())
        }
        ScreeningCmd::Show { id, lang, reason } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let checklist = checklist_in(&mut v, Some(&id))?;
            crate::dataprot_cmd::check_reason(reason.as_deref())?;
            let book = ScreeningRecords::new(&mut v, &checklist);
            let s = book.load(parse_id(&id)?)?;
            sensitive_view(&mut v, SubjectKind::Screening, &s.id, reason.as_deref())?;
            print_screening(out, &checklist, &s, lang.unwrap_or(s.language));
            Ok(())
        }
        ScreeningCmd::Search { document, name } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let book = ScreeningRecords::new(&mut v, &checklist);
            let found = match (document, name) {
                (Some(d), _) => book.search_document(&d)?,
                (None, Some(n)) => book.search_name(&n)?,
                (None, None) => unreachable!("clap requires one"),
            };
            // Summaries only: the full record opens with `show --reason`.
            let found: Vec<serde_json::Value> = found
                .iter()
                .map(|s| {
                    serde_json::json!({ "id": s.id, "screening_date": s.screening_date,
                        "crossing_point": s.crossing_point, "is_final": s.is_final() })
                })
                .collect();
            for s in &found {
                audit(&mut v, AuditAction::Search, SubjectKind::Screening, s["id"].as_str().unwrap_or(""), None)?;
            }
            let text = if found.is_empty() {
                "no match".to_string()
            } else {
                found
                    .iter()
                    .map(|s| format!("{}  {}  {}", s["id"], s["screening_date"], s["crossing_point"]))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.print(&text, &serde_json::Value::Array(found));
            Ok(())
        }
        ScreeningCmd::Amend { id, answers: file, reason, officer } => {
            let f = read_answers_file(&file)?;
            let mut v = crate::open_unlocked(dir, ks)?;
            let checklist = checklist_in(&mut v, Some(&id))?;
            let mut book = ScreeningRecords::new(&mut v, &checklist);
            let changes = typed_answers(&checklist, &f.answers)?;
            let s = book.amend(parse_id(&id)?, changes, f.subject, &reason, officer, now_ms())?;
            audit(&mut v, AuditAction::Change, SubjectKind::Screening, &s.id, Some(&reason))?;
            print_screening(out, &checklist, &s, s.language);
            Ok(())
        }
    }
}

/// The reminder at the start of a private interview: the non-punishment
/// assurance comes before the questions asked only there.
fn print_assurance(lang: Lang) {
    let a = screening::Action::NonPunishment;
    println!(
        "\n== {} ==\n{} ({})",
        pick(lang, "Жеке маектешүү", "Беседа наедине", "Private interview"),
        a.text(lang),
        a.basis_text(lang)
    );
}

fn pick(lang: Lang, ky: &'static str, ru: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ky => ky,
        Lang::Ru => ru,
        Lang::En => en,
    }
}

fn is_yes(s: &str) -> bool {
    matches!(s.trim().to_lowercase().as_str(), "y" | "yes" | "д" | "да" | "о" | "ооба")
}

/// Prints a prompt and reads one line; `None` at end of input.
fn ask(prompt: &str) -> Result<Option<String>, CliError> {
    print!("{prompt}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\n', '\r']).to_string()))
}

/// The checklist question by question, from the core's next question. Each
/// answer is saved before the next is asked; closing the input stops with
/// the draft saved, to resume later.
fn interactive(
    out: &Output,
    book: &mut ScreeningRecords<'_>,
    c: &Checklist,
    id: homeward_core::vault::RecordId,
    lang: Lang,
    finalise: bool,
) -> Result<(), CliError> {
    println!("Screening {id} (draft saved after every answer; resume with `homeward screening resume {id}`)");
    let mut s = book.load(id)?;
    let mut section = String::new();
    loop {
        let Some(q) = c.next_for(&s) else {
            // The queue is done; what is left is for the private interview.
            let left = c.left_for_private(&s.answers, &s.skipped, s.screening_date);
            if s.stage() == screening::Stage::Private || left.is_empty() {
                break;
            }
            println!(
                "\n{} {}",
                left.len(),
                pick(
                    lang,
                    "суроо жеке маектешүүгө калтырылды (кезекте берилбейт):",
                    "вопрос(ов) оставлено для беседы наедине (в очереди не задаются):",
                    "question(s) are left for the private interview (not asked in the queue):",
                )
            );
            println!("      {}", left.join(", "));
            let a = ask(pick(
                lang,
                "Азыр жеке маектешүүгө өтөсүзбү? (о/ж) > ",
                "Перейти к беседе наедине сейчас? (д/н) > ",
                "Move to the private interview now? (y/n) > ",
            ))?
            .unwrap_or_default();
            if !is_yes(&a) {
                break;
            }
            s = book.move_to_private(id, s.officer.clone(), now_ms())?;
            print_assurance(lang);
            continue;
        };
        let sec = c.section_of(&q.id).map(|s| text(&s.title, lang).to_string()).unwrap_or_default();
        if sec != section {
            println!("\n== {sec} ==");
            section = sec;
        }
        // Counted among the questions this path asks: the last is [N/N].
        let place = c.place_for(&s, &q.id).map(|p| (p.position, p.total)).unwrap_or_default();
        println!("[{}/{}] {}{}", place.0, place.1, q.officer_text(lang), if q.required { " *" } else { "" });
        if let Some(tt) = q.traveller_text(lang) {
            // Read aloud or shown to the traveller.
            println!("      » {tt}");
        }
        if let Some(h) = &q.help {
            println!("      ({})", text(h, lang));
        }
        let Some(line) = ask(&format!("      {} > ", answer_hint(q, lang)))? else {
            println!("\nInput closed: the draft is saved. Resume with `homeward screening resume {id}`.");
            return Ok(());
        };
        if line.trim().is_empty() {
            if q.required {
                println!("      ! an answer is required");
                continue;
            }
            s = book.skip(id, &q.id)?;
            continue;
        }
        let value = match answers::from_input(q, &line) {
            Ok(v) => v,
            Err(e) => {
                println!("      ! {e}");
                continue;
            }
        };
        match book.answer(id, &q.id, value) {
            Ok(next) => s = next,
            Err(screening::ScreeningError::Answer(e)) => println!("      ! {e}"),
            Err(e) => return Err(e.into()),
        }
    }
    // Identifying details: minimal and optional.
    if s.subject == Subject::default() {
        println!();
        let consent = ask(pick(
            lang,
            "Адам өзүнүн маалыматтарын берүүгө макулбу? (о/ж) > ",
            "Согласен ли человек сообщить свои данные? (д/н) > ",
            "Does the person agree to give identifying details? (y/n) > ",
        ))?
        .unwrap_or_default();
        let mut subject = Subject::default();
        if is_yes(&consent) {
            let opt = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            subject.name = opt(ask(pick(
                lang,
                "Аты-жөнү (Enter — өткөрүү) > ",
                "ФИО (Enter — пропустить) > ",
                "Name (Enter to skip) > ",
            ))?);
            subject.document_number = opt(ask(pick(
                lang,
                "Документтин номери (Enter — өткөрүү) > ",
                "Номер документа (Enter — пропустить) > ",
                "Document number (Enter to skip) > ",
            ))?);
            if c.view(&s.answers, s.screening_date).documents()
                == Some(screening::template::DocumentSituation::AnotherPersons)
            {
                subject.document_holder_name = opt(ask(pick(
                    lang,
                    "Башка адамдын документиндеги ат (Enter — өткөрүү) > ",
                    "Имя в чужом документе (Enter — пропустить) > ",
                    "Name on the other person's document (Enter to skip) > ",
                ))?);
            }
        } else {
            subject.refused = true;
        }
        s = book.set_subject(id, subject)?;
    }
    let outcome = screening::evaluate_screening(c, &s);
    print_outcome(c, &outcome, &s.answers, lang);
    let go = finalise || {
        let a = ask(pick(
            lang,
            "\nАзыр бүтүрөсүзбү? Андан кийин жазуу өзгөрбөйт, толуктоо гана кошулат. (о/ж) > ",
            "\nЗавершить сейчас? После этого запись нельзя изменить, только дополнить. (д/н) > ",
            "\nFinalise now? The record then cannot be changed, only amended. (y/n) > ",
        ))?
        .unwrap_or_default();
        is_yes(&a)
    };
    if go {
        s = book.finalise(id, now_ms())?;
        println!("{}", pick(lang, "Бүтүрүлдү.", "Завершено.", "Finalised."));
    } else {
        println!("{}", pick(lang, "Долбоор катары сакталды.", "Сохранено как черновик.", "Kept as a draft."));
    }
    if out.json {
        println!("{}", crate::output::to_json_text(&s));
    }
    Ok(())
}

fn print_outcome(c: &Checklist, outcome: &screening::ScreeningOutcome, answers: &Answers, lang: Lang) {
    let e = explain(c, outcome, answers, lang);
    println!("\n*** {} ***\n{}", e.verdict, e.verdict_detail);
    if let Some(n) = &e.child_note {
        println!("{n}");
    }
    if let Some(n) = &e.consent_note {
        println!("{n}");
    }
    if !e.exploitation.is_empty() {
        println!("Exploitation: {}", e.exploitation.join(", "));
    }
    for w in &e.why {
        println!("\n{}:", w.element);
        for a in &w.answers {
            println!("  - {a}");
        }
    }
    if !e.actions.is_empty() {
        println!("\nWhat to do:");
        for (i, a) in e.actions.iter().enumerate() {
            println!("  {}. {} ({})", i + 1, a.text, a.basis);
        }
    }
    if !outcome.unanswered_required.is_empty() {
        println!("\nStill required: {}", outcome.unanswered_required.join(", "));
    }
    if !outcome.left_for_private.is_empty() {
        // Not asked in the queue: the verdict was reached without them.
        println!("\nLeft for the private interview (not asked, not \"no\"): {}", outcome.left_for_private.join(", "));
    }
    println!("\n{}", e.disclaimer);
}

fn print_screening(out: &Output, c: &Checklist, s: &Screening, lang: Lang) {
    if out.json {
        let mut j = crate::output::to_json(s);
        if let Some(o) = s.outcome() {
            j["explanation"] = crate::output::to_json(explain(c, o, &s.effective_answers(), lang));
        }
        println!("{}", crate::output::to_json_text(&j));
        return;
    }
    println!(
        "Screening {}  {}  {}  {}",
        s.id,
        s.screening_date,
        s.crossing_point,
        match (s.is_final(), s.stage()) {
            (true, _) => "final",
            (false, screening::Stage::Private) => "draft (private interview)",
            (false, screening::Stage::Queue) => "draft",
        }
    );
    let answers = s.effective_answers();
    match s.outcome() {
        Some(o) => print_outcome(c, o, &answers, lang),
        None => {
            let o = screening::evaluate_screening(c, s);
            println!("(draft: provisional outcome)");
            print_outcome(c, &o, &answers, lang);
        }
    }
    for a in &s.addenda {
        println!("\nAddendum: {} ({} changed answer(s))", a.reason, a.answers.len());
    }
}
