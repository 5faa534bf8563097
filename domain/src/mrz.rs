//! Reading a travel document's machine-readable zone (ICAO Doc 9303, parts
//! 4 to 7): TD3 (passports), TD1 and TD2 (identity cards) and the visas
//! MRV-A and MRV-B. Pure: the text comes from the platform's OCR (ML Kit,
//! Vision) or a person typing it; what it says is decided here.
//!
//! OCR confuses letters and digits that look alike. A character is
//! corrected only when the field's kind and a check digit prove it:
//! - a letter where the field holds digits only (dates, check digits) is
//!   read as its look-alike digit, and the field's check digit must then
//!   pass; a digit in a letters-only field (codes, names, which no check
//!   digit covers) is read as its look-alike letter, the field's kind being
//!   the only proof (reported as such);
//! - in a field that holds both (document number, optional data) the
//!   reading that passes the check digits with the fewest corrections is
//!   taken, one correction at most per field; when two readings pass
//!   equally the zone is refused ([`MrzError::Ambiguous`]), never guessed.
//!
//! Some confusions no check digit can see: G (16) and 6 differ by 10, so
//! every 7-3-1 sum is the same for both. Such characters in a field that
//! holds both letters and digits are listed in [`MrzDocument::unconfirmed`]
//! for the officer to compare with the printed page; nothing else is.
//!
//! Dates carry no century: a birth date is the latest one not after the
//! reference date; an expiry date is the one within fifty years either side
//! of the reference date (documents are valid ten years at most), so a
//! passport that expired last year reads as expired, not as valid in the
//! next century.
//!
//! Errors name the field and positions, never the characters read: the
//! zone is personal data and error messages may end up in logs.

use serde::{Deserialize, Serialize};

use crate::certificate::request::{CitizenshipEvidence, Sex};
use crate::date::IsoDate;
use crate::screening::record::Subject;
use crate::text;

/// The layouts of Doc 9303.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzFormat {
    /// Passports: 2 lines of 44 characters.
    Td3,
    /// Identity cards: 3 lines of 30.
    Td1,
    /// Identity cards: 2 lines of 36.
    Td2,
    /// Visas, full size: 2 lines of 44 starting with V.
    MrvA,
    /// Visas, small: 2 lines of 36 starting with V.
    MrvB,
}

impl MrzFormat {
    pub fn shape(self) -> (usize, usize) {
        match self {
            MrzFormat::Td3 | MrzFormat::MrvA => (2, 44),
            MrzFormat::Td2 | MrzFormat::MrvB => (2, 36),
            MrzFormat::Td1 => (3, 30),
        }
    }
}

/// A field of the zone, as errors and corrections name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzField {
    DocumentCode,
    IssuingState,
    Names,
    DocumentNumber,
    Nationality,
    DateOfBirth,
    Sex,
    DateOfExpiry,
    /// TD3: the personal number; TD1: optional data of line 1; TD2, MRV: optional data.
    OptionalData,
    /// TD1 only: optional data of line 2.
    OptionalData2,
    /// The composite check digit over the number, dates and optional data.
    Composite,
}

impl MrzField {
    pub fn name(self) -> &'static str {
        match self {
            MrzField::DocumentCode => "document_code",
            MrzField::IssuingState => "issuing_state",
            MrzField::Names => "names",
            MrzField::DocumentNumber => "document_number",
            MrzField::Nationality => "nationality",
            MrzField::DateOfBirth => "date_of_birth",
            MrzField::Sex => "sex",
            MrzField::DateOfExpiry => "date_of_expiry",
            MrzField::OptionalData => "optional_data",
            MrzField::OptionalData2 => "optional_data_2",
            MrzField::Composite => "composite",
        }
    }
}

impl std::fmt::Display for MrzField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a zone was refused. Positions are 1-based (line, column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("not a machine-readable zone: {0}")]
    Shape(String),
    #[error("line {line}, column {column}: a character the zone cannot hold (only A-Z, 0-9 and <)")]
    Character { line: usize, column: usize },
    /// No reading of this field passes its kind and check digit.
    #[error("{field}: {reason}; rescan the zone or type it from the page")]
    Field { field: MrzField, reason: String },
    /// Two or more corrections explain the damage equally well.
    #[error("{field}: {readings} readings pass the check digits (damage at line {line}, columns {columns:?}); rescan rather than guess")]
    Ambiguous { field: MrzField, readings: usize, line: usize, columns: Vec<usize> },
}

/// What proved a correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// The field's check digit (or the composite) passes only with it.
    CheckDigit,
    /// The field holds letters only and no check digit covers it: the digit
    /// read has exactly one look-alike letter.
    FieldKind,
}

/// One corrected character. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub field: MrzField,
    pub line: usize,
    pub column: usize,
    pub read: char,
    pub corrected: char,
    pub proof: Proof,
}

/// A character whose OCR look-alike no check digit can tell apart from it
/// (G and 6): to be compared with the printed page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unconfirmed {
    pub field: MrzField,
    pub line: usize,
    pub column: usize,
    pub read: char,
    pub look_alike: char,
}

/// A date as the zone writes it (YYMMDD, `<` where unknown) and the
/// calendar date with its century, when every part is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzDate {
    pub raw: String,
    pub date: Option<IsoDate>,
}

/// A zone read and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzDocument {
    pub format: MrzFormat,
    /// "P", "PK", "I", "ID", "AC", "V"... (fillers removed).
    pub document_code: String,
    /// ICAO three-letter code ("KGZ", "D" for Germany, "UTO" in specimens).
    pub issuing_state: String,
    /// The primary identifier (surname), fillers as spaces.
    pub surname: String,
    /// The secondary identifiers (given names), fillers as spaces.
    pub given_names: String,
    /// The name filled its field to the end: it may have been truncated.
    pub names_truncated: bool,
    pub document_number: String,
    pub nationality: String,
    pub date_of_birth: MrzDate,
    pub sex: Sex,
    pub date_of_expiry: MrzDate,
    /// Expired on the reference date.
    pub expired: bool,
    /// Fillers removed; the personal number in a TD3.
    pub optional_data: String,
    /// TD1 only.
    pub optional_data_2: String,
    /// The zone as corrected, one string per line.
    pub lines: Vec<String>,
    pub corrections: Vec<Correction>,
    pub unconfirmed: Vec<Unconfirmed>,
}

/// The value of a zone character in the 7-3-1 check: digits as themselves,
/// A-Z as 10-35, the filler as 0.
fn char_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        b'A'..=b'Z' => (c - b'A') as u32 + 10,
        _ => 0,
    }
}

/// The check digit of Doc 9303 part 3, 4.9: weights 7, 3, 1 repeated, modulo 10.
pub fn check_digit(chars: impl IntoIterator<Item = u8>) -> u8 {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = chars.into_iter().enumerate().map(|(i, c)| char_value(c) * WEIGHTS[i % 3]).sum();
    b'0' + (sum % 10) as u8
}

/// The look-alikes OCR confuses in this typeface, one letter per digit so a
/// correction by kind alone is never a choice.
const LOOK_ALIKES: [(u8, u8); 6] = [(b'O', b'0'), (b'I', b'1'), (b'Z', b'2'), (b'S', b'5'), (b'G', b'6'), (b'B', b'8')];

/// The character OCR may have read this one for, if any.
pub fn look_alike(c: u8) -> Option<u8> {
    LOOK_ALIKES.iter().find_map(|&(l, d)| {
        if c == l {
            Some(d)
        } else if c == d {
            Some(l)
        } else {
            None
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A-Z and the filler.
    Alpha,
    /// 0-9 and the filler (dates with unknown parts, empty check digits).
    Numeric,
    /// A-Z, 0-9 and the filler.
    AlphaNumeric,
    /// M, F, X or the filler.
    Sex,
}

type Pos = (usize, usize);
/// One look-alike correction (where, and the character put there), or none.
type Flip = Option<(Pos, u8)>;
/// The corrections of one reading of the zone.
type Reading = Vec<(Pos, u8)>;
/// A correction by kind: where, which field, read, corrected, proof.
type KindFix = (Pos, MrzField, u8, u8, Proof);

#[derive(Debug, Clone)]
struct FieldSpec {
    field: MrzField,
    kind: Kind,
    positions: Vec<Pos>,
    /// The field's own check digit.
    check: Option<Pos>,
    /// The check digit may be a filler when the field is all fillers.
    check_may_be_empty: bool,
}

struct Layout {
    fields: Vec<FieldSpec>,
    /// Positions the composite check digit covers, and where it is.
    composite: Option<(Vec<Pos>, Pos)>,
}

fn span(line: usize, from: usize, to: usize) -> Vec<Pos> {
    (from..to).map(|c| (line, c)).collect()
}

fn spec(field: MrzField, kind: Kind, positions: Vec<Pos>, check: Option<Pos>) -> FieldSpec {
    FieldSpec { field, kind, positions, check, check_may_be_empty: false }
}

/// Where each field sits, for a zone of this format. TD1 and TD2 numbers
/// longer than nine characters continue in the optional data (Doc 9303
/// part 5, 4.2.4 note j): the check digit's place holds a filler and the
/// number's last characters and check digit open the optional data.
fn layout(format: MrzFormat, grid: &[Vec<u8>]) -> Layout {
    use Kind::*;
    use MrzField::*;
    let header = |names_len: usize| {
        vec![
            spec(DocumentCode, Alpha, span(0, 0, 2), None),
            spec(IssuingState, Alpha, span(0, 2, 5), None),
            spec(Names, Alpha, span(0, 5, 5 + names_len), None),
        ]
    };
    // The document number, nationality, dates and sex of line 2 in TD2, TD3, MRV.
    let second = |number: FieldSpec, optional_end: usize, optional_check: bool| {
        let mut optional =
            spec(OptionalData, AlphaNumeric, span(1, 28, optional_end), optional_check.then_some((1, optional_end)));
        optional.check_may_be_empty = true;
        vec![
            number,
            spec(Nationality, Alpha, span(1, 10, 13), None),
            spec(DateOfBirth, Numeric, span(1, 13, 19), Some((1, 19))),
            spec(MrzField::Sex, Kind::Sex, span(1, 20, 21), None),
            spec(DateOfExpiry, Numeric, span(1, 21, 27), Some((1, 27))),
            optional,
        ]
    };
    match format {
        MrzFormat::Td3 => {
            let mut fields = header(39);
            fields.extend(second(spec(DocumentNumber, AlphaNumeric, span(1, 0, 9), Some((1, 9))), 42, true));
            let mut covered = span(1, 0, 10);
            covered.extend(span(1, 13, 20));
            covered.extend(span(1, 21, 43));
            Layout { fields, composite: Some((covered, (1, 43))) }
        }
        MrzFormat::MrvA | MrzFormat::MrvB => {
            let (_, width) = format.shape();
            let mut fields = header(width - 5);
            fields.extend(second(spec(DocumentNumber, AlphaNumeric, span(1, 0, 9), Some((1, 9))), width, false));
            Layout { fields, composite: None }
        }
        MrzFormat::Td2 => {
            let mut fields = header(31);
            let (number, optional_start) = long_number(grid, (1, 0), 28, 35);
            let mut rest = second(number, 35, false);
            rest[5].positions = span(1, optional_start, 35);
            fields.extend(rest);
            let mut covered = span(1, 0, 10);
            covered.extend(span(1, 13, 20));
            covered.extend(span(1, 21, 35));
            Layout { fields, composite: Some((covered, (1, 35))) }
        }
        MrzFormat::Td1 => {
            let (number, optional_start) = long_number(grid, (0, 5), 15, 30);
            let fields = vec![
                spec(DocumentCode, Alpha, span(0, 0, 2), None),
                spec(IssuingState, Alpha, span(0, 2, 5), None),
                number,
                spec(OptionalData, AlphaNumeric, span(0, optional_start, 30), None),
                spec(DateOfBirth, Numeric, span(1, 0, 6), Some((1, 6))),
                spec(MrzField::Sex, Kind::Sex, span(1, 7, 8), None),
                spec(DateOfExpiry, Numeric, span(1, 8, 14), Some((1, 14))),
                spec(Nationality, Alpha, span(1, 15, 18), None),
                spec(OptionalData2, AlphaNumeric, span(1, 18, 29), None),
                spec(Names, Alpha, span(2, 0, 30), None),
            ];
            let mut covered = span(0, 5, 30);
            covered.extend(span(1, 0, 7));
            covered.extend(span(1, 8, 15));
            covered.extend(span(1, 18, 29));
            Layout { fields, composite: Some((covered, (1, 29))) }
        }
    }
}

/// The document number of a TD1 or TD2 starting at `start`, with its check
/// digit, and where the optional data then starts. `optional_start` is the
/// column after the check digit's place; `optional_end` the end of the
/// optional data.
fn long_number(grid: &[Vec<u8>], start: Pos, optional_start: usize, optional_end: usize) -> (FieldSpec, usize) {
    let (line, col) = start;
    let check = (line, col + 9);
    let mut positions = span(line, col, col + 9);
    if grid[line][col + 9] == b'<' {
        // The number goes on in the optional data up to its first filler;
        // the character before that filler is the check digit.
        let rest = &grid[line][optional_start..optional_end];
        if let Some(end) = rest.iter().position(|&c| c == b'<') {
            if end >= 1 {
                positions.extend(span(line, optional_start, optional_start + end - 1));
                let number = spec(
                    MrzField::DocumentNumber,
                    Kind::AlphaNumeric,
                    positions,
                    Some((line, optional_start + end - 1)),
                );
                return (number, optional_start + end);
            }
        }
    }
    (spec(MrzField::DocumentNumber, Kind::AlphaNumeric, positions, Some(check)), optional_start)
}

/// Splits OCR text into the zone's lines: spaces dropped, letters upper-cased;
/// one unbroken string of 88, 72 or 90 characters is cut into its lines.
fn normalise(text: &str) -> Result<Vec<Vec<u8>>, MrzError> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let mut line = Vec::new();
        for (j, c) in raw.chars().filter(|c| !c.is_whitespace()).enumerate() {
            let c = c.to_ascii_uppercase();
            if !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
                return Err(MrzError::Character { line: i + 1, column: j + 1 });
            }
            line.push(c as u8);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.len() == 1 {
        let one = lines.pop().unwrap_or_default();
        let width = match one.len() {
            88 => 44,
            72 => 36,
            90 => 30,
            n => return Err(MrzError::Shape(format!("one line of {n} characters (a zone is 2x44, 2x36 or 3x30)"))),
        };
        lines = one.chunks(width).map(<[u8]>::to_vec).collect();
    }
    Ok(lines)
}

fn format_of(lines: &[Vec<u8>]) -> Result<MrzFormat, MrzError> {
    let widths: Vec<usize> = lines.iter().map(Vec::len).collect();
    let visa = lines.first().is_some_and(|l| l.first() == Some(&b'V'));
    match widths.as_slice() {
        [44, 44] if visa => Ok(MrzFormat::MrvA),
        [44, 44] => Ok(MrzFormat::Td3),
        [36, 36] if visa => Ok(MrzFormat::MrvB),
        [36, 36] => Ok(MrzFormat::Td2),
        [30, 30, 30] => Ok(MrzFormat::Td1),
        _ => Err(MrzError::Shape(format!(
            "{} line(s) of {:?} characters (a zone is 2x44, 2x36 or 3x30)",
            widths.len(),
            widths
        ))),
    }
}

fn allowed(kind: Kind, c: u8) -> bool {
    match kind {
        Kind::Alpha => c.is_ascii_uppercase() || c == b'<',
        Kind::Numeric => c.is_ascii_digit() || c == b'<',
        Kind::AlphaNumeric => c.is_ascii_alphanumeric() || c == b'<',
        Kind::Sex => matches!(c, b'M' | b'F' | b'X' | b'<'),
    }
}

fn at(grid: &[Vec<u8>], p: Pos) -> u8 {
    grid[p.0][p.1]
}

fn check_passes(grid: &[Vec<u8>], positions: &[Pos], check: Pos, may_be_empty: bool) -> bool {
    let digit = at(grid, check);
    if may_be_empty && digit == b'<' && positions.iter().all(|&p| at(grid, p) == b'<') {
        return true;
    }
    digit == check_digit(positions.iter().map(|&p| at(grid, p)))
}

/// Reads a zone. `today` is the reference date for the dates' centuries and
/// for `expired`.
pub fn read(text: &str, today: IsoDate) -> Result<MrzDocument, MrzError> {
    let mut grid = normalise(text)?;
    let format = format_of(&grid)?;
    let layout = layout(format, &grid);
    let mut corrections = Vec::new();

    // 1. Kind: a character a field cannot hold is its look-alike or a refusal.
    let mut kind_fixed: Vec<KindFix> = Vec::new();
    for f in &layout.fields {
        let mut cells: Vec<(Pos, Kind)> = f.positions.iter().map(|&p| (p, f.kind)).collect();
        if let Some(c) = f.check {
            cells.push((c, Kind::Numeric));
        }
        for (p, kind) in cells {
            let c = at(&grid, p);
            if allowed(kind, c) {
                continue;
            }
            match look_alike(c).filter(|&l| allowed(kind, l)) {
                Some(l) => {
                    // Letters-only fields have no check digit: their kind is the proof.
                    let proof = if kind == Kind::Alpha { Proof::FieldKind } else { Proof::CheckDigit };
                    grid[p.0][p.1] = l;
                    kind_fixed.push((p, f.field, c, l, proof));
                }
                None => {
                    return Err(MrzError::Field {
                        field: f.field,
                        reason: format!("line {}, column {} cannot hold the character read there", p.0 + 1, p.1 + 1),
                    })
                }
            }
        }
    }
    if let Some((_, c)) = &layout.composite {
        let p = *c;
        let ch = at(&grid, p);
        if !ch.is_ascii_digit() {
            match look_alike(ch).filter(u8::is_ascii_digit) {
                Some(l) => {
                    grid[p.0][p.1] = l;
                    kind_fixed.push((p, MrzField::Composite, ch, l, Proof::CheckDigit));
                }
                None => {
                    return Err(MrzError::Field {
                        field: MrzField::Composite,
                        reason: format!("line {}, column {} is not a digit", p.0 + 1, p.1 + 1),
                    })
                }
            }
        }
    }

    // 2. Check digits: each checked field's readings with the fewest corrections.
    // A field with no check digit of its own is left to the composite.
    let mut choices: Vec<(usize, Vec<Flip>)> = Vec::new();
    for (i, f) in layout.fields.iter().enumerate() {
        if f.kind != Kind::AlphaNumeric && f.kind != Kind::Numeric {
            continue;
        }
        let Some(check) = f.check else {
            if layout.composite.is_some() {
                choices.push((i, single_flips(&grid, f)));
            }
            continue;
        };
        if check_passes(&grid, &f.positions, check, f.check_may_be_empty) {
            continue;
        }
        if f.kind == Kind::Numeric {
            return Err(MrzError::Field { field: f.field, reason: "its check digit fails".into() });
        }
        let passing: Vec<Flip> = single_flips(&grid, f)
            .into_iter()
            .flatten()
            .filter(|&(p, c)| {
                let old = at(&grid, p);
                grid[p.0][p.1] = c;
                let ok = check_passes(&grid, &f.positions, check, f.check_may_be_empty);
                grid[p.0][p.1] = old;
                ok
            })
            .map(Some)
            .collect();
        match passing.len() {
            0 => {
                return Err(MrzError::Field {
                    field: f.field,
                    reason: "its check digit fails, and no single look-alike correction makes it pass".into(),
                })
            }
            1 => choices.push((i, passing)),
            n => {
                // The composite may still rule all but one out.
                if layout.composite.is_none() {
                    return Err(ambiguous(f.field, n, &passing));
                }
                choices.push((i, passing));
            }
        }
    }

    // 3. The composite: among the combinations of the readings above, those
    // that pass it with the fewest corrections.
    let chosen = choose(&mut grid, &layout, &choices)?;
    for (p, c) in chosen {
        let field = layout.fields.iter().find(|f| f.positions.contains(&p)).map_or(MrzField::Composite, |f| f.field);
        corrections.push(Correction {
            field,
            line: p.0 + 1,
            column: p.1 + 1,
            read: at(&grid, p) as char,
            corrected: c as char,
            proof: Proof::CheckDigit,
        });
        grid[p.0][p.1] = c;
    }
    for (p, field, read, corrected, proof) in kind_fixed {
        corrections.push(Correction {
            field,
            line: p.0 + 1,
            column: p.1 + 1,
            read: read as char,
            corrected: corrected as char,
            proof,
        });
    }
    corrections.sort_by_key(|c| (c.line, c.column));

    // 4. What no check digit can see.
    let mut unconfirmed = Vec::new();
    for f in &layout.fields {
        if f.kind != Kind::AlphaNumeric {
            continue;
        }
        let checked = f.check.is_some() || layout.composite.is_some();
        for &p in &f.positions {
            let c = at(&grid, p);
            if let Some(l) = look_alike(c) {
                if !checked || char_value(c) % 10 == char_value(l) % 10 {
                    unconfirmed.push(Unconfirmed {
                        field: f.field,
                        line: p.0 + 1,
                        column: p.1 + 1,
                        read: c as char,
                        look_alike: l as char,
                    });
                }
            }
        }
    }

    build(format, &layout, grid, today, corrections, unconfirmed)
}

/// Every single look-alike correction of a field, after `None` (as read).
fn single_flips(grid: &[Vec<u8>], f: &FieldSpec) -> Vec<Flip> {
    let mut out = vec![None];
    for &p in &f.positions {
        if let Some(l) = look_alike(at(grid, p)) {
            // G and 6 change no check digit: never proved, so never a correction.
            if char_value(l) % 10 != char_value(at(grid, p)) % 10 {
                out.push(Some((p, l)));
            }
        }
    }
    out
}

fn ambiguous(field: MrzField, readings: usize, options: &[Flip]) -> MrzError {
    let fixes: Vec<Pos> = options.iter().flatten().map(|&(p, _)| p).collect();
    MrzError::Ambiguous {
        field,
        readings,
        line: fixes.first().map_or(0, |p| p.0 + 1),
        columns: fixes.iter().map(|p| p.1 + 1).collect(),
    }
}

fn choose(grid: &mut [Vec<u8>], layout: &Layout, choices: &[(usize, Vec<Flip>)]) -> Result<Reading, MrzError> {
    let Some((covered, check)) = &layout.composite else {
        return Ok(choices.iter().filter_map(|(_, c)| c[0]).collect());
    };
    let mut best: Option<(usize, Vec<Reading>)> = None;
    let mut index = vec![0usize; choices.len()];
    loop {
        let picked: Vec<(Pos, u8)> = choices.iter().zip(&index).filter_map(|((_, c), &i)| c[i]).collect();
        let cost = picked.len();
        if best.as_ref().is_none_or(|(b, _)| cost <= *b) {
            let saved: Vec<u8> = picked.iter().map(|&(p, _)| at(grid, p)).collect();
            for &(p, c) in &picked {
                grid[p.0][p.1] = c;
            }
            if check_passes(grid, covered, *check, false) {
                match &mut best {
                    Some((b, list)) if *b == cost => list.push(picked.clone()),
                    _ => best = Some((cost, vec![picked.clone()])),
                }
            }
            for (&(p, _), old) in picked.iter().zip(saved) {
                grid[p.0][p.1] = old;
            }
        }
        // Next combination.
        let mut k = 0;
        loop {
            if k == index.len() {
                return finish(best, layout);
            }
            index[k] += 1;
            if index[k] < choices[k].1.len() {
                break;
            }
            index[k] = 0;
            k += 1;
        }
    }
}

fn finish(best: Option<(usize, Vec<Reading>)>, layout: &Layout) -> Result<Reading, MrzError> {
    match best {
        None => Err(MrzError::Field {
            field: MrzField::Composite,
            reason: "the composite check digit fails, and no single look-alike correction makes it pass".into(),
        }),
        Some((_, mut list)) if list.len() == 1 => Ok(list.pop().unwrap_or_default()),
        Some((_, list)) => {
            // Name the field the readings disagree on.
            let differing: Vec<Flip> = list.iter().flat_map(|l| l.iter().copied().map(Some)).collect();
            let field = differing
                .iter()
                .flatten()
                .find_map(|(p, _)| layout.fields.iter().find(|f| f.positions.contains(p)))
                .map_or(MrzField::Composite, |f| f.field);
            Err(ambiguous(field, list.len(), &differing))
        }
    }
}

fn text_of(grid: &[Vec<u8>], positions: &[Pos]) -> String {
    positions.iter().map(|&p| at(grid, p) as char).collect()
}

fn trim_fillers(s: &str) -> String {
    s.trim_end_matches('<').replace('<', " ").trim().to_string()
}

/// Reads YYMMDD; `birth` picks the latest century not after `today`,
/// otherwise the one within fifty years of it.
fn read_date(field: MrzField, raw: &str, today: IsoDate, birth: bool) -> Result<MrzDate, MrzError> {
    if raw.contains('<') {
        return Ok(MrzDate { raw: raw.to_string(), date: None });
    }
    let n = |r: std::ops::Range<usize>| raw[r].parse::<i32>().unwrap_or(0);
    let (yy, mm, dd) = (n(0..2), n(2..4) as u8, n(4..6) as u8);
    let bad = || MrzError::Field { field, reason: "not a calendar date".into() };
    // Validate the month and day on a leap year first, so 29 February is kept.
    IsoDate::from_ymd(2000, mm, dd).ok_or_else(bad)?;
    let year_now = today.0.year();
    let century = year_now - year_now.rem_euclid(100);
    let mut candidates: Vec<IsoDate> =
        [century - 100, century, century + 100].iter().filter_map(|c| IsoDate::from_ymd(c + yy, mm, dd)).collect();
    candidates.sort();
    let date = if birth {
        candidates.into_iter().filter(|d| *d <= today).max()
    } else {
        candidates.into_iter().find(|d| {
            let low = IsoDate::from_ymd(year_now - 50, 1, 1).unwrap_or(*d);
            *d >= low && d.0.year() < year_now + 50
        })
    };
    Ok(MrzDate { raw: raw.to_string(), date: Some(date.ok_or_else(bad)?) })
}

fn build(
    format: MrzFormat,
    layout: &Layout,
    grid: Vec<Vec<u8>>,
    today: IsoDate,
    corrections: Vec<Correction>,
    unconfirmed: Vec<Unconfirmed>,
) -> Result<MrzDocument, MrzError> {
    let get = |field: MrzField| -> String {
        layout.fields.iter().find(|f| f.field == field).map(|f| text_of(&grid, &f.positions)).unwrap_or_default()
    };
    let code = get(MrzField::DocumentCode);
    let first = code.as_bytes()[0];
    let code_ok = match format {
        MrzFormat::MrvA | MrzFormat::MrvB => first == b'V',
        MrzFormat::Td3 => first == b'P',
        MrzFormat::Td1 | MrzFormat::Td2 => matches!(first, b'I' | b'A' | b'C'),
    };
    if !code_ok {
        return Err(MrzError::Field {
            field: MrzField::DocumentCode,
            reason: "not a document code of this format".into(),
        });
    }
    let names = get(MrzField::Names);
    let (surname, given) = match names.find("<<") {
        Some(i) => (&names[..i], &names[i + 2..]),
        None => (names.as_str(), ""),
    };
    let surname = trim_fillers(surname);
    if surname.is_empty() {
        return Err(MrzError::Field { field: MrzField::Names, reason: "no primary identifier".into() });
    }
    let date_of_birth = read_date(MrzField::DateOfBirth, &get(MrzField::DateOfBirth), today, true)?;
    let date_of_expiry = read_date(MrzField::DateOfExpiry, &get(MrzField::DateOfExpiry), today, false)?;
    let sex = match get(MrzField::Sex).as_str() {
        "M" => Sex::M,
        "F" => Sex::F,
        _ => Sex::X,
    };
    let issuing_state = trim_fillers(&get(MrzField::IssuingState));
    let nationality = trim_fillers(&get(MrzField::Nationality));
    if issuing_state.is_empty() {
        return Err(MrzError::Field { field: MrzField::IssuingState, reason: "empty".into() });
    }
    Ok(MrzDocument {
        format,
        document_code: trim_fillers(&code),
        issuing_state,
        surname,
        given_names: trim_fillers(given),
        names_truncated: names.ends_with(|c: char| c != '<'),
        document_number: trim_fillers(&get(MrzField::DocumentNumber)).replace(' ', ""),
        nationality,
        expired: date_of_expiry.date.is_some_and(|d| d < today),
        date_of_birth,
        sex,
        date_of_expiry,
        optional_data: trim_fillers(&get(MrzField::OptionalData)),
        optional_data_2: trim_fillers(&get(MrzField::OptionalData2)),
        lines: grid.into_iter().map(|l| l.into_iter().map(char::from).collect()).collect(),
        corrections,
        unconfirmed,
    })
}

/// What a zone pre-fills in a request for a Certificate of Return: the old
/// document as evidence, the names, birth date and sex. The officer
/// completes the rest (place of birth, patronymic, which no zone holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPrefill {
    pub surname: String,
    pub given_name: String,
    pub date_of_birth: Option<IsoDate>,
    pub sex: Sex,
    pub evidence: CitizenshipEvidence,
}

impl MrzDocument {
    /// "SURNAME GIVEN NAMES", as the vault's name lookups take it.
    pub fn full_name(&self) -> String {
        if self.given_names.is_empty() {
            self.surname.clone()
        } else {
            format!("{} {}", self.surname, self.given_names)
        }
    }

    /// A passport is the old passport; an identity card or visa, the national id.
    pub fn request_prefill(&self) -> RequestPrefill {
        let number = self.document_number.clone();
        RequestPrefill {
            surname: self.surname.clone(),
            given_name: self.given_names.clone(),
            date_of_birth: self.date_of_birth.date,
            sex: self.sex,
            evidence: match self.format {
                MrzFormat::Td3 => CitizenshipEvidence::OldPassport { number },
                _ => CitizenshipEvidence::NationalId { number },
            },
        }
    }

    /// The screening's subject: name, document number, nationality.
    pub fn subject(&self) -> Subject {
        Subject {
            refused: false,
            name: Some(self.full_name()),
            document_number: Some(self.document_number.clone()),
            document_holder_name: None,
            nationality: Some(self.nationality.clone()),
        }
    }

    /// Whether a record's name (in Cyrillic or Latin, any order) is this
    /// zone's name under a transliteration the vault's lookups use (ICAO
    /// Doc 9303, as Kyrgyz passports print it, or BGN/PCGN).
    pub fn name_matches(&self, record_name: &str) -> bool {
        names_match(&self.full_name(), record_name)
    }
}

/// Whether a zone's name ("SURNAME GIVEN NAMES") and a record's name (in
/// Cyrillic or Latin, any order) are one name under a transliteration the
/// vault's lookups use.
pub fn names_match(zone_name: &str, record_name: &str) -> bool {
    let ours = text::name_keys(zone_name);
    text::name_keys(record_name).iter().any(|k| ours.contains(k))
}

/// The fields a zone is written from (for tests, corpora and training
/// documents). Names use spaces; dates are YYMMDD with `<` where unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneFields {
    pub format: MrzFormat,
    pub document_code: String,
    pub issuing_state: String,
    pub surname: String,
    pub given_names: String,
    pub document_number: String,
    pub nationality: String,
    pub date_of_birth: String,
    pub sex: char,
    pub date_of_expiry: String,
    pub optional_data: String,
    pub optional_data_2: String,
}

fn pad(s: &str, n: usize) -> String {
    let mut out: String = s.replace(' ', "<").chars().take(n).collect();
    while out.len() < n {
        out.push('<');
    }
    out
}

/// Writes a zone with its check digits. Numbers of TD1 and TD2 longer than
/// nine characters continue in the optional data as Doc 9303 prescribes.
pub fn write(f: &ZoneFields) -> Vec<String> {
    let (_, width) = f.format.shape();
    let cd = |s: &str| check_digit(s.bytes()) as char;
    let names = |n: usize| {
        let given = if f.given_names.is_empty() { String::new() } else { format!("<<{}", f.given_names) };
        pad(&format!("{}{given}", f.surname), n)
    };
    let sex = f.sex;
    let number_and_rest = |optional: &str, optional_len: usize| -> (String, String) {
        if f.document_number.len() <= 9 {
            let n = pad(&f.document_number, 9);
            let c = cd(&n);
            (format!("{n}{c}"), pad(optional, optional_len))
        } else {
            let (head, tail) = f.document_number.split_at(9);
            (format!("{head}<"), pad(&format!("{tail}{}<{optional}", cd(&f.document_number)), optional_len))
        }
    };
    match f.format {
        MrzFormat::Td3 | MrzFormat::MrvA | MrzFormat::MrvB => {
            let l1 = format!("{}{}{}", pad(&f.document_code, 2), pad(&f.issuing_state, 3), names(width - 5));
            let n = pad(&f.document_number, 9);
            let mut l2 = format!(
                "{n}{}{}{}{}{sex}{}{}",
                cd(&n),
                pad(&f.nationality, 3),
                f.date_of_birth,
                cd(&f.date_of_birth),
                f.date_of_expiry,
                cd(&f.date_of_expiry)
            );
            if f.format == MrzFormat::Td3 {
                let o = pad(&f.optional_data, 14);
                let oc = if o.bytes().all(|b| b == b'<') { '<' } else { cd(&o) };
                l2.push_str(&format!("{o}{oc}"));
                let composite: String = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
                l2.push(cd(&composite));
            } else {
                l2.push_str(&pad(&f.optional_data, width - 28));
            }
            vec![l1, l2]
        }
        MrzFormat::Td2 => {
            let l1 = format!("{}{}{}", pad(&f.document_code, 2), pad(&f.issuing_state, 3), names(31));
            let (number, optional) = number_and_rest(&f.optional_data, 7);
            let mut l2 = format!(
                "{number}{}{}{}{sex}{}{}{optional}",
                pad(&f.nationality, 3),
                f.date_of_birth,
                cd(&f.date_of_birth),
                f.date_of_expiry,
                cd(&f.date_of_expiry)
            );
            let composite: String = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..35]);
            l2.push(cd(&composite));
            vec![l1, l2]
        }
        MrzFormat::Td1 => {
            let (number, optional) = number_and_rest(&f.optional_data, 15);
            let l1 = format!("{}{}{number}{optional}", pad(&f.document_code, 2), pad(&f.issuing_state, 3));
            let mut l2 = format!(
                "{}{}{sex}{}{}{}{}",
                f.date_of_birth,
                cd(&f.date_of_birth),
                f.date_of_expiry,
                cd(&f.date_of_expiry),
                pad(&f.nationality, 3),
                pad(&f.optional_data_2, 11)
            );
            let composite: String = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
            l2.push(cd(&composite));
            vec![l1, l2, names(30)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_the_specimen() {
        assert_eq!(check_digit(*b"L898902C3"), b'6');
        assert_eq!(check_digit(*b"740812"), b'2');
        assert_eq!(check_digit(*b"120415"), b'9');
        assert_eq!(check_digit(*b"<<<<<<"), b'0');
    }

    #[test]
    fn look_alikes_are_one_to_one() {
        for &(l, d) in &LOOK_ALIKES {
            assert_eq!(look_alike(l), Some(d));
            assert_eq!(look_alike(d), Some(l));
        }
        assert_eq!(look_alike(b'X'), None);
    }
}
