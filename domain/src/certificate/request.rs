//! The request for a Certificate of Return, taken by a consular officer, its
//! field-level validation, and the fee decision (Government Decree No. 839).

use serde::{Deserialize, Serialize};

use crate::date::IsoDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    F,
    M,
    /// Unspecified (as ICAO's "X" / "<").
    X,
}

/// The applicant. Names as in the national records; never used as a key
/// (a victim at risk may change name and date of birth, Law art. 25 p.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub surname: String,
    pub given_name: String,
    #[serde(default)]
    pub patronymic: Option<String>,
    pub date_of_birth: IsoDate,
    pub place_of_birth: String,
    pub sex: Sex,
    /// SHA-256 of the photo (hex); the photo itself is a sealed attachment.
    #[serde(default)]
    pub photo_sha256: Option<String>,
    /// For an applicant under 18: the parent or guardian, or the child procedure.
    #[serde(default)]
    pub guardian: Option<String>,
    #[serde(default)]
    pub child_procedure: bool,
}

/// Evidence of citizenship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CitizenshipEvidence {
    OldPassport {
        number: String,
    },
    NationalId {
        number: String,
    },
    BirthCertificate {
        number: String,
    },
    /// Relatives or witnesses who confirm citizenship.
    Witnesses {
        names: Vec<String>,
    },
    /// No document: the interior ministry is asked to verify.
    VerificationRequested,
}

/// How the passport was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentLoss {
    Lost,
    Stolen,
    HeldByEmployer,
    HeldByTrafficker,
}

/// The trafficking flag: the person is (presumed) a victim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraffickingFlag {
    /// The screening it came from, if there was one.
    #[serde(default)]
    pub screening_id: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccompanyingChild {
    pub surname: String,
    pub given_name: String,
    pub date_of_birth: IsoDate,
    /// The parent or legal guardian travelling with the child.
    #[serde(default)]
    pub guardian: Option<String>,
    /// Returned under the procedure for children without parental care
    /// (Government resolution No. 571 of 21 Oct 2013).
    #[serde(default)]
    pub child_procedure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRequest {
    pub applicant: Applicant,
    pub evidence: Vec<CitizenshipEvidence>,
    pub loss: DocumentLoss,
    #[serde(default)]
    pub trafficking: Option<TraffickingFlag>,
    #[serde(default)]
    pub children: Vec<AccompanyingChild>,
    /// Travel route, e.g. "Istanbul - Bishkek (Manas)".
    pub route: String,
    pub travel_date: IsoDate,
    pub officer_assessment: String,
    /// The consulate taking the request (reference data code).
    pub issuing_office: String,
    /// The date the request was taken.
    pub request_date: IsoDate,
}

/// A problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// For example `applicant.date_of_birth` or `children[1].guardian`.
    pub field: String,
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Every problem with a request. A request with problems can be saved as a
/// draft but not submitted.
pub fn validate(r: &CertificateRequest) -> Vec<FieldError> {
    let mut out = Vec::new();
    let a = &r.applicant;
    let today = r.request_date;
    if blank(&a.surname) {
        out.push(err("applicant.surname", "the surname is required"));
    }
    if blank(&a.given_name) {
        out.push(err("applicant.given_name", "the given name is required"));
    }
    if blank(&a.place_of_birth) {
        out.push(err("applicant.place_of_birth", "the place of birth is required"));
    }
    match a.date_of_birth.age_on(today) {
        None => out.push(err("applicant.date_of_birth", "the date of birth is after the request date")),
        Some(age) if age > 120 => {
            out.push(err("applicant.date_of_birth", "the date of birth is more than 120 years ago"))
        }
        Some(age) if age < 18 && blank(a.guardian.as_deref().unwrap_or("")) && !a.child_procedure => out.push(err(
            "applicant.guardian",
            "the applicant is a minor: name a parent or guardian, or follow the child procedure (resolution No. 571)",
        )),
        _ => {}
    }
    if let Some(h) = &a.photo_sha256 {
        if h.len() != 64 || hex::decode(h).is_err() {
            out.push(err("applicant.photo_sha256", "not a SHA-256 hash"));
        }
    }
    if r.evidence.is_empty() {
        out.push(err(
            "evidence",
            "give at least one evidence of citizenship, or \"verification requested\" for the interior ministry",
        ));
    }
    for (i, e) in r.evidence.iter().enumerate() {
        match e {
            CitizenshipEvidence::OldPassport { number }
            | CitizenshipEvidence::NationalId { number }
            | CitizenshipEvidence::BirthCertificate { number }
                if blank(number) =>
            {
                out.push(err(format!("evidence[{i}].number"), "the number is required"))
            }
            CitizenshipEvidence::Witnesses { names } if names.iter().all(|n| blank(n)) => {
                out.push(err(format!("evidence[{i}].names"), "name at least one relative or witness"))
            }
            _ => {}
        }
    }
    if r.travel_date < today {
        out.push(err("travel_date", "the travel date is before the request date"));
    }
    if blank(&r.route) {
        out.push(err("route", "the travel route is required"));
    }
    if blank(&r.officer_assessment) {
        out.push(err("officer_assessment", "the officer's assessment is required"));
    }
    if blank(&r.issuing_office) {
        out.push(err("issuing_office", "the issuing office is required"));
    }
    for (i, c) in r.children.iter().enumerate() {
        let f = |name: &str| format!("children[{i}].{name}");
        if blank(&c.surname) || blank(&c.given_name) {
            out.push(err(f("name"), "the child's names are required"));
        }
        match c.date_of_birth.age_on(today) {
            None => out.push(err(f("date_of_birth"), "the date of birth is after the request date")),
            Some(age) if age >= 18 => {
                out.push(err(f("date_of_birth"), "18 or over: an adult needs a request of their own"))
            }
            _ => {}
        }
        if blank(c.guardian.as_deref().unwrap_or("")) && !c.child_procedure {
            out.push(err(
                f("guardian"),
                "name the parent or guardian, or follow the child procedure (resolution No. 571)",
            ));
        }
    }
    out
}

/// The consular fee decision, shown on the request and the certificate record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeDecision {
    pub waived: bool,
    /// The standard fee in the consulate's fee schedule (minor units), if charged.
    pub amount_minor: Option<u64>,
    pub currency: Option<String>,
    pub reason: String,
}

/// Victims of trafficking are issued the certificate free of charge
/// (Government Decree No. 839 of 18 Dec 2012; the report notes victims were
/// not listed among the free categories, so the reason is always recorded).
pub fn fee_for(r: &CertificateRequest, standard_minor: u64, currency: &str) -> FeeDecision {
    match &r.trafficking {
        Some(flag) => FeeDecision {
            waived: true,
            amount_minor: None,
            currency: None,
            reason: format!(
                "Fee waived: victim of trafficking{} (Government Decree No. 839 of 18 Dec 2012; Law art. 26 p.2)",
                flag.screening_id.as_ref().map(|s| format!(", screening {s}")).unwrap_or_default()
            ),
        },
        None => FeeDecision {
            waived: false,
            amount_minor: Some(standard_minor),
            currency: Some(currency.to_string()),
            reason: "Standard consular fee (Government Decree No. 839 of 18 Dec 2012)".into(),
        },
    }
}
