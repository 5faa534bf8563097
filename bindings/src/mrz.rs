//! Machine-readable zones for the shells: the platform's OCR (ML Kit on
//! Android, Vision on iOS) hands the recognised text to [`read_mrz`]; the
//! core decides what it says, which characters it corrected and why, or
//! refuses with the failing field. Nothing is stored: the reading pre-fills
//! a screening's subject ([`MrzReading::subject`]) and a certificate
//! request, and its number and name go to the screening lookups.

use homeward_core::date::{IsoDate, Today};
use homeward_core::mrz::{self, MrzDocument, MrzError, Proof};

use crate::certificate::{sex_kind, CitizenshipEvidenceData, SexKind};
use crate::error::{HomewardError, Result};
use crate::screening::SubjectInput;
use homeward_core::certificate::request::CitizenshipEvidence;

/// One character the core corrected. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzCorrection {
    /// The field, e.g. "document_number", "date_of_birth".
    pub field: String,
    pub line: i32,
    pub column: i32,
    pub read: String,
    pub corrected: String,
    /// True when a check digit proves it; false when the field holds
    /// letters only and no check digit covers it (the kind is the proof).
    pub by_check_digit: bool,
}

/// A character no check digit can tell from its look-alike (G and 6): show
/// it highlighted and ask the officer to compare it with the page.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzUnconfirmed {
    pub field: String,
    pub line: i32,
    pub column: i32,
    pub read: String,
    pub look_alike: String,
}

/// What a zone pre-fills in a certificate request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzRequestPrefill {
    pub surname: String,
    pub given_name: String,
    /// "YYYY-MM-DD", when the zone gives the whole date.
    pub date_of_birth: Option<String>,
    pub sex: SexKind,
    pub evidence: CitizenshipEvidenceData,
}

/// A zone read and checked.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MrzReading {
    /// "td3", "td1", "td2", "mrv_a" or "mrv_b".
    pub format: String,
    pub document_code: String,
    pub issuing_state: String,
    pub surname: String,
    pub given_names: String,
    /// "SURNAME GIVEN NAMES", for `ScreeningService.searchByName`.
    pub full_name: String,
    pub names_truncated: bool,
    pub document_number: String,
    pub nationality: String,
    /// "YYYY-MM-DD" with its century, or null when a part is unknown.
    pub date_of_birth: Option<String>,
    pub sex: SexKind,
    pub date_of_expiry: Option<String>,
    pub expired: bool,
    pub optional_data: String,
    pub optional_data_2: String,
    /// The zone as corrected, one string per line.
    pub lines: Vec<String>,
    pub corrections: Vec<MrzCorrection>,
    pub unconfirmed: Vec<MrzUnconfirmed>,
    /// For `ScreeningSession.setSubject`.
    pub subject: SubjectInput,
    pub request_prefill: MrzRequestPrefill,
}

impl From<MrzError> for HomewardError {
    fn from(e: MrzError) -> Self {
        let reason = e.to_string();
        match e {
            MrzError::Ambiguous { field, .. } => {
                HomewardError::MrzRefused { field: field.name().into(), ambiguous: true, reason }
            }
            MrzError::Field { field, .. } => {
                HomewardError::MrzRefused { field: field.name().into(), ambiguous: false, reason }
            }
            MrzError::Shape(_) | MrzError::Character { .. } => {
                HomewardError::MrzRefused { field: String::new(), ambiguous: false, reason }
            }
        }
    }
}

fn reading(doc: &MrzDocument) -> MrzReading {
    let format = serde_json::to_value(doc.format).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let subject = doc.subject();
    let prefill = doc.request_prefill();
    MrzReading {
        format,
        document_code: doc.document_code.clone(),
        issuing_state: doc.issuing_state.clone(),
        surname: doc.surname.clone(),
        given_names: doc.given_names.clone(),
        full_name: doc.full_name(),
        names_truncated: doc.names_truncated,
        document_number: doc.document_number.clone(),
        nationality: doc.nationality.clone(),
        date_of_birth: doc.date_of_birth.date.map(|d| d.to_string()),
        sex: sex_kind(doc.sex),
        date_of_expiry: doc.date_of_expiry.date.map(|d| d.to_string()),
        expired: doc.expired,
        optional_data: doc.optional_data.clone(),
        optional_data_2: doc.optional_data_2.clone(),
        lines: doc.lines.clone(),
        corrections: doc
            .corrections
            .iter()
            .map(|c| MrzCorrection {
                field: c.field.name().into(),
                line: crate::num::int(c.line),
                column: crate::num::int(c.column),
                read: c.read.to_string(),
                corrected: c.corrected.to_string(),
                by_check_digit: c.proof == Proof::CheckDigit,
            })
            .collect(),
        unconfirmed: doc
            .unconfirmed
            .iter()
            .map(|u| MrzUnconfirmed {
                field: u.field.name().into(),
                line: crate::num::int(u.line),
                column: crate::num::int(u.column),
                read: u.read.to_string(),
                look_alike: u.look_alike.to_string(),
            })
            .collect(),
        subject: SubjectInput {
            refused: false,
            name: subject.name,
            document_number: subject.document_number,
            document_holder_name: None,
            nationality: subject.nationality,
        },
        request_prefill: MrzRequestPrefill {
            surname: prefill.surname,
            given_name: prefill.given_name,
            date_of_birth: prefill.date_of_birth.map(|d| d.to_string()),
            sex: sex_kind(prefill.sex),
            evidence: match prefill.evidence {
                CitizenshipEvidence::OldPassport { number } => CitizenshipEvidenceData::OldPassport { number },
                CitizenshipEvidence::NationalId { number } => CitizenshipEvidenceData::NationalId { number },
                // A zone pre-fills a passport or an identity card only.
                _ => CitizenshipEvidenceData::VerificationRequested,
            },
        },
    }
}

/// Reads a zone as the platform's OCR gives it (2 or 3 lines; spaces and
/// case do not matter). `today` ("YYYY-MM-DD", default the device's date)
/// decides the dates' centuries and whether the document has expired.
/// Throws `MrzRefused` naming the field when no reading passes, or when two
/// corrections would explain the damage (`ambiguous`): ask for a rescan.
#[uniffi::export]
pub fn read_mrz(text: String, today: Option<String>) -> Result<MrzReading> {
    let today = match today {
        Some(t) => t.parse::<IsoDate>().map_err(HomewardError::input)?,
        None => IsoDate::today(),
    };
    Ok(reading(&mrz::read(&text, today)?))
}

/// Whether a zone's name (`MrzReading.fullName`) and a record's name, in
/// Cyrillic or Latin and in any order, are one name under the
/// transliterations the vault's lookups use (ICAO Doc 9303, BGN/PCGN).
#[uniffi::export]
pub fn mrz_name_matches(zone_name: String, record_name: String) -> bool {
    mrz::names_match(&zone_name, &record_name)
}
