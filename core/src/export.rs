//! Exports and their classification labels. Every document that leaves the
//! device carries the interior ministry's marking ("Confidential" or "For
//! official use only", DOMAIN.md) and writes an audit entry.
//!
//! Which label, and why:
//! - a referral package: CONFIDENTIAL. It holds a victim's identity and the
//!   trafficking indicators (Law art. 25 p.2: access to identity is closed).
//! - a certificate PDF: FOR OFFICIAL USE ONLY. It is a travel document that
//!   its holder carries and shows to carriers and border guards; it names the
//!   holder but never says why it was issued (no trafficking flag is printed).
//! - statistics CSV: FOR OFFICIAL USE ONLY. Counts only, no person; yet small
//!   counts at a remote crossing can point to someone, so not for the public.

use serde::Serialize;

use crate::audit::{AuditAction, AuditFact, AuditLog, AuditLogError, Subject, SubjectKind};
use crate::certificate::{CaseError, CertificateCases, RequestState};
use crate::screening::ListFilter;
use crate::screening::{Checklist, ScreeningError, ScreeningRecords, Verdict};
use crate::vault::Vault;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Classification {
    #[serde(rename = "CONFIDENTIAL")]
    Confidential,
    #[serde(rename = "FOR OFFICIAL USE ONLY")]
    ForOfficialUseOnly,
}

impl Classification {
    pub fn label(self) -> &'static str {
        match self {
            Classification::Confidential => "CONFIDENTIAL",
            Classification::ForOfficialUseOnly => "FOR OFFICIAL USE ONLY",
        }
    }
}

/// The kinds of document the device exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    CertificatePdf,
    ReferralPackage,
    StatisticsCsv,
}

/// The label each export carries (reasons in the module comment).
pub fn classification_of(kind: ExportKind) -> Classification {
    match kind {
        ExportKind::ReferralPackage => Classification::Confidential,
        ExportKind::CertificatePdf | ExportKind::StatisticsCsv => Classification::ForOfficialUseOnly,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Screening(#[from] ScreeningError),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Audit(#[from] AuditLogError),
}

/// Counts held on this device: no id, no name, no date finer than the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub screenings_draft: u64,
    pub screenings_presumed_victim: u64,
    pub screenings_further_interview: u64,
    pub screenings_no_indicators: u64,
    pub certificates_by_state: std::collections::BTreeMap<String, u64>,
}

impl Statistics {
    /// Collects the counts and writes an audit entry for the export.
    pub fn export(
        vault: &mut Vault,
        checklist: &Checklist,
        actor: Option<String>,
        now_ms: i64,
    ) -> Result<Statistics, ExportError> {
        let mut s = Statistics::default();
        for sc in ScreeningRecords::new(vault, checklist).list(&ListFilter::default())? {
            match sc.verdict {
                None => s.screenings_draft += 1,
                Some(Verdict::PresumedVictim) => s.screenings_presumed_victim += 1,
                Some(Verdict::FurtherInterview) => s.screenings_further_interview += 1,
                Some(Verdict::NoIndicators) => s.screenings_no_indicators += 1,
            }
        }
        for c in CertificateCases::new(vault).list()? {
            let state = match c.state {
                Some(st) => state_name(st),
                None => "unknown".into(),
            };
            *s.certificates_by_state.entry(state).or_default() += 1;
        }
        let mut fact = AuditFact::new(AuditAction::Export, Subject::new(SubjectKind::Statistics, ""));
        fact.actor = actor;
        AuditLog::new(vault).append(now_ms, fact)?;
        Ok(s)
    }

    /// CSV with the classification on its first line.
    pub fn to_csv(&self) -> String {
        let label = classification_of(ExportKind::StatisticsCsv).label();
        let mut out = format!("# {label}\nmetric,count\n");
        for (k, v) in [
            ("screenings.draft", self.screenings_draft),
            ("screenings.presumed_victim", self.screenings_presumed_victim),
            ("screenings.further_interview", self.screenings_further_interview),
            ("screenings.no_indicators", self.screenings_no_indicators),
        ] {
            out.push_str(&format!("{k},{v}\n"));
        }
        for (k, v) in &self.certificates_by_state {
            out.push_str(&format!("certificates.{k},{v}\n"));
        }
        out
    }
}

fn state_name(s: RequestState) -> String {
    serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| format!("{s:?}"))
}
