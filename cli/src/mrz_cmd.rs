//! `homeward mrz read`: a travel document's machine-readable zone, read and
//! checked by the core (ICAO Doc 9303), the corrections it proved, what a
//! screening's subject and a certificate request take from it, and, with
//! `--lookup`, the screenings this vault holds for its number or name.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use homeward_core::audit::{AuditAction, SubjectKind};
use homeward_core::date::{IsoDate, Today};
use homeward_core::mrz::{self, MrzDocument, Proof};
use homeward_core::screening::{default_checklist, ScreeningRecords};
use homeward_core::vault::DeviceKeyStore;

use crate::dataprot_cmd::audit;
use crate::output::{CliError, Output};

#[derive(Subcommand)]
pub enum MrzCmd {
    /// Read a zone (2 or 3 lines, as OCR or a person gives them) from a file,
    /// or from standard input with `-`.
    Read {
        #[arg(default_value = "-")]
        file: PathBuf,
        /// The reference date for the dates' centuries and expiry (default today).
        #[arg(long)]
        today: Option<IsoDate>,
        /// Also look the number and the name up in this vault's screenings
        /// (Latin zone names meet Cyrillic records).
        #[arg(long)]
        lookup: bool,
    },
}

/// Reads a zone from a file or standard input, and the core's reading of it.
pub fn read_zone_file(file: &Path, today: IsoDate) -> Result<MrzDocument, CliError> {
    let mut text = String::new();
    if file == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map_err(|e| CliError::Input(format!("standard input: {e}")))?;
    } else {
        text = std::fs::read_to_string(file).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    }
    mrz::read(&text, today).map_err(CliError::Mrz)
}

pub fn mrz(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: MrzCmd) -> Result<(), CliError> {
    match cmd {
        MrzCmd::Read { file, today, lookup } => {
            let doc = read_zone_file(&file, today.unwrap_or_else(IsoDate::today))?;
            let mut json = serde_json::json!({
                "document": doc,
                "subject": doc.subject(),
                "request_prefill": doc.request_prefill(),
            });
            let mut text = describe(&doc);
            if lookup {
                let mut v = crate::open_unlocked(dir, ks)?;
                let checklist = default_checklist();
                let book = ScreeningRecords::new(&mut v, &checklist);
                let mut found = book.search_document(&doc.document_number)?;
                found.extend(book.search_name(&doc.full_name())?);
                found.sort_by(|a, b| a.id.cmp(&b.id));
                found.dedup_by(|a, b| a.id == b.id);
                let mut matches = Vec::new();
                for s in &found {
                    let subject = s.effective_subject();
                    let by_number = subject.document_number.as_deref().is_some_and(|n| {
                        homeward_core::text::document_number_keys(n)
                            .iter()
                            .any(|k| homeward_core::text::document_number_keys(&doc.document_number).contains(k))
                    });
                    let by_name = subject.name.as_deref().is_some_and(|n| doc.name_matches(n));
                    matches.push(serde_json::json!({ "id": s.id, "screening_date": s.screening_date,
                        "crossing_point": s.crossing_point, "by_document_number": by_number, "by_name": by_name }));
                }
                for m in &matches {
                    audit(&mut v, AuditAction::Search, SubjectKind::Screening, m["id"].as_str().unwrap_or(""), None)?;
                }
                text.push_str(&format!("\nscreenings in this vault: {}", matches.len()));
                for m in &matches {
                    text.push_str(&format!(
                        "\n  {}  {}  {}{}{}",
                        m["id"].as_str().unwrap_or(""),
                        m["screening_date"].as_str().unwrap_or(""),
                        m["crossing_point"].as_str().unwrap_or(""),
                        if m["by_document_number"] == true { "  (number)" } else { "" },
                        if m["by_name"] == true { "  (name)" } else { "" },
                    ));
                }
                json["screenings"] = serde_json::Value::Array(matches);
            }
            out.print(&text, &json);
            Ok(())
        }
    }
}

fn describe(doc: &MrzDocument) -> String {
    let date = |d: &mrz::MrzDate| d.date.map_or_else(|| format!("unknown ({})", d.raw), |d| d.to_string());
    let mut t = format!(
        "{:?} {} issued by {}\n  number       {}\n  surname      {}\n  given names  {}{}\n  nationality  {}\n  born         {}\n  sex          {:?}\n  expires      {}{}",
        doc.format,
        doc.document_code,
        doc.issuing_state,
        doc.document_number,
        doc.surname,
        doc.given_names,
        if doc.names_truncated { " (may be truncated)" } else { "" },
        doc.nationality,
        date(&doc.date_of_birth),
        doc.sex,
        date(&doc.date_of_expiry),
        if doc.expired { " (EXPIRED)" } else { "" },
    );
    if !doc.optional_data.is_empty() {
        t.push_str(&format!("\n  optional     {}", doc.optional_data));
    }
    for c in &doc.corrections {
        let proof = match c.proof {
            Proof::CheckDigit => "its check digit proves it",
            Proof::FieldKind => "the field holds letters only",
        };
        t.push_str(&format!(
            "\ncorrected: line {} column {} ({}): read {:?}, is {:?}; {proof}",
            c.line, c.column, c.field, c.read, c.corrected
        ));
    }
    for u in &doc.unconfirmed {
        t.push_str(&format!(
            "\nCOMPARE WITH THE PAGE: line {} column {} ({}): {:?} could be {:?}, no check digit tells them apart",
            u.line, u.column, u.field, u.read, u.look_alike
        ));
    }
    t
}
