//! Certificates of Return: the consular officer's request and issuance, and
//! the border guard's offline verification and entry. Validation messages,
//! the fee decision and every verification check come from the core.

use homeward_core::date::Today;
use std::sync::Arc;

use homeward_core::audit::{AuditAction, SubjectKind};
use homeward_core::certificate::request::{
    AccompanyingChild, Applicant, CitizenshipEvidence, DocumentLoss, Sex, TraffickingFlag,
};
use homeward_core::certificate::{
    self as cert, barcode, fee_for, qr_matrix, CaseView, CertificateCases, CertificateEvent, CertificateRequest,
    DeviceProfile, FeeDecision, FieldError, PhotoCheck, RequestState, Verified, VerifyContext, VerifyError,
    VerifyWarning,
};
use homeward_core::date::IsoDate;
use homeward_core::events::Role;
use homeward_core::vault::Vault;

use crate::error::{HomewardError, Result};
use crate::num::{int, long, unsigned};
use crate::screening::{now_ms, parse_date};
use crate::vault::Shared;

/// A problem with one field of a request: show `message` under `field`
/// (e.g. `applicant.date_of_birth`, `children[1].guardian`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl From<FieldError> for FieldProblem {
    fn from(e: FieldError) -> Self {
        FieldProblem { field: e.field, message: e.message }
    }
}

/// Sex as in the passport: F, M, or X (unspecified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SexKind {
    F,
    M,
    X,
}

/// How the passport was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DocumentLossKind {
    Lost,
    Stolen,
    HeldByEmployer,
    HeldByTrafficker,
}

/// Evidence of citizenship.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CitizenshipEvidenceData {
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

/// The applicant, names as in the national records.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ApplicantData {
    pub surname: String,
    pub given_name: String,
    #[uniffi(default = None)]
    pub patronymic: Option<String>,
    /// "YYYY-MM-DD".
    pub date_of_birth: String,
    pub place_of_birth: String,
    pub sex: SexKind,
    /// SHA-256 of the photo, hex.
    #[uniffi(default = None)]
    pub photo_sha256: Option<String>,
    /// For an applicant under 18: the parent or guardian.
    #[uniffi(default = None)]
    pub guardian: Option<String>,
    /// For an applicant under 18 without a guardian: the child procedure.
    #[uniffi(default = false)]
    pub child_procedure: bool,
}

/// A child travelling with the applicant.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChildData {
    pub surname: String,
    pub given_name: String,
    /// "YYYY-MM-DD".
    pub date_of_birth: String,
    #[uniffi(default = None)]
    pub guardian: Option<String>,
    #[uniffi(default = false)]
    pub child_procedure: bool,
}

/// The trafficking flag: the person is a (presumed) victim; the fee is waived.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TraffickingData {
    /// The screening it came from, if any.
    #[uniffi(default = None)]
    pub screening_id: Option<String>,
    #[uniffi(default = None)]
    pub note: Option<String>,
}

/// A request for a Certificate of Return, as the form collects it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CertificateRequestData {
    pub applicant: ApplicantData,
    pub evidence: Vec<CitizenshipEvidenceData>,
    pub loss: DocumentLossKind,
    #[uniffi(default = None)]
    pub trafficking: Option<TraffickingData>,
    #[uniffi(default = [])]
    pub children: Vec<ChildData>,
    /// E.g. "Istanbul - Bishkek (Manas)".
    pub route: String,
    /// "YYYY-MM-DD".
    pub travel_date: String,
    pub officer_assessment: String,
    /// The consulate's code; this device's office when absent.
    #[uniffi(default = None)]
    pub issuing_office: Option<String>,
    /// "YYYY-MM-DD"; today when absent.
    #[uniffi(default = None)]
    pub request_date: Option<String>,
}

fn to_request(d: CertificateRequestData, default_office: Option<&str>) -> Result<CertificateRequest> {
    let a = d.applicant;
    Ok(CertificateRequest {
        applicant: Applicant {
            surname: a.surname,
            given_name: a.given_name,
            patronymic: a.patronymic,
            date_of_birth: parse_date("applicant.date_of_birth", &a.date_of_birth)?,
            place_of_birth: a.place_of_birth,
            sex: match a.sex {
                SexKind::F => Sex::F,
                SexKind::M => Sex::M,
                SexKind::X => Sex::X,
            },
            photo_sha256: a.photo_sha256,
            guardian: a.guardian,
            child_procedure: a.child_procedure,
        },
        evidence: d
            .evidence
            .into_iter()
            .map(|e| match e {
                CitizenshipEvidenceData::OldPassport { number } => CitizenshipEvidence::OldPassport { number },
                CitizenshipEvidenceData::NationalId { number } => CitizenshipEvidence::NationalId { number },
                CitizenshipEvidenceData::BirthCertificate { number } => {
                    CitizenshipEvidence::BirthCertificate { number }
                }
                CitizenshipEvidenceData::Witnesses { names } => CitizenshipEvidence::Witnesses { names },
                CitizenshipEvidenceData::VerificationRequested => CitizenshipEvidence::VerificationRequested,
            })
            .collect(),
        loss: match d.loss {
            DocumentLossKind::Lost => DocumentLoss::Lost,
            DocumentLossKind::Stolen => DocumentLoss::Stolen,
            DocumentLossKind::HeldByEmployer => DocumentLoss::HeldByEmployer,
            DocumentLossKind::HeldByTrafficker => DocumentLoss::HeldByTrafficker,
        },
        trafficking: d.trafficking.map(|t| TraffickingFlag { screening_id: t.screening_id, note: t.note }),
        children: d
            .children
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(AccompanyingChild {
                    surname: c.surname,
                    given_name: c.given_name,
                    date_of_birth: parse_date(&format!("children[{i}].date_of_birth"), &c.date_of_birth)?,
                    guardian: c.guardian,
                    child_procedure: c.child_procedure,
                })
            })
            .collect::<Result<_>>()?,
        route: d.route,
        travel_date: parse_date("travel_date", &d.travel_date)?,
        officer_assessment: d.officer_assessment,
        issuing_office: d.issuing_office.or_else(|| default_office.map(str::to_string)).unwrap_or_default(),
        request_date: match d.request_date {
            Some(s) => parse_date("request_date", &s)?,
            None => IsoDate::today(),
        },
    })
}

fn from_request(r: &CertificateRequest) -> CertificateRequestData {
    let a = &r.applicant;
    CertificateRequestData {
        applicant: ApplicantData {
            surname: a.surname.clone(),
            given_name: a.given_name.clone(),
            patronymic: a.patronymic.clone(),
            date_of_birth: a.date_of_birth.to_string(),
            place_of_birth: a.place_of_birth.clone(),
            sex: sex_kind(a.sex),
            photo_sha256: a.photo_sha256.clone(),
            guardian: a.guardian.clone(),
            child_procedure: a.child_procedure,
        },
        evidence: r
            .evidence
            .iter()
            .map(|e| match e.clone() {
                CitizenshipEvidence::OldPassport { number } => CitizenshipEvidenceData::OldPassport { number },
                CitizenshipEvidence::NationalId { number } => CitizenshipEvidenceData::NationalId { number },
                CitizenshipEvidence::BirthCertificate { number } => {
                    CitizenshipEvidenceData::BirthCertificate { number }
                }
                CitizenshipEvidence::Witnesses { names } => CitizenshipEvidenceData::Witnesses { names },
                CitizenshipEvidence::VerificationRequested => CitizenshipEvidenceData::VerificationRequested,
            })
            .collect(),
        loss: match r.loss {
            DocumentLoss::Lost => DocumentLossKind::Lost,
            DocumentLoss::Stolen => DocumentLossKind::Stolen,
            DocumentLoss::HeldByEmployer => DocumentLossKind::HeldByEmployer,
            DocumentLoss::HeldByTrafficker => DocumentLossKind::HeldByTrafficker,
        },
        trafficking: r
            .trafficking
            .as_ref()
            .map(|t| TraffickingData { screening_id: t.screening_id.clone(), note: t.note.clone() }),
        children: r
            .children
            .iter()
            .map(|c| ChildData {
                surname: c.surname.clone(),
                given_name: c.given_name.clone(),
                date_of_birth: c.date_of_birth.to_string(),
                guardian: c.guardian.clone(),
                child_procedure: c.child_procedure,
            })
            .collect(),
        route: r.route.clone(),
        travel_date: r.travel_date.to_string(),
        officer_assessment: r.officer_assessment.clone(),
        issuing_office: Some(r.issuing_office.clone()),
        request_date: Some(r.request_date.to_string()),
    }
}

pub(crate) fn sex_kind(s: Sex) -> SexKind {
    match s {
        Sex::F => SexKind::F,
        Sex::M => SexKind::M,
        Sex::X => SexKind::X,
    }
}

/// The fee decision: waived for victims of trafficking, with the reason to print.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FeeView {
    pub waived: bool,
    /// The fee in minor units (tyiyn, kuruş...), when charged.
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub reason: String,
}

impl From<FeeDecision> for FeeView {
    fn from(f: FeeDecision) -> Self {
        FeeView { waived: f.waived, amount_minor: f.amount_minor.map(long), currency: f.currency, reason: f.reason }
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CaseState {
    Draft,
    Submitted,
    MoreInformationRequested,
    IdentityVerified,
    Approved,
    Rejected,
    Issued,
    Entered,
    Expired,
    Cancelled,
    Revoked,
}

impl From<RequestState> for CaseState {
    fn from(s: RequestState) -> Self {
        match s {
            RequestState::Draft => CaseState::Draft,
            RequestState::Submitted => CaseState::Submitted,
            RequestState::MoreInformationRequested => CaseState::MoreInformationRequested,
            RequestState::IdentityVerified => CaseState::IdentityVerified,
            RequestState::Approved => CaseState::Approved,
            RequestState::Rejected => CaseState::Rejected,
            RequestState::Issued => CaseState::Issued,
            RequestState::Entered => CaseState::Entered,
            RequestState::Expired => CaseState::Expired,
            RequestState::Cancelled => CaseState::Cancelled,
            RequestState::Revoked => CaseState::Revoked,
        }
    }
}

/// A device's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DeviceRole {
    BorderGuard,
    ConsularOfficer,
    Headquarters,
}

impl From<Role> for DeviceRole {
    fn from(r: Role) -> Self {
        match r {
            Role::BorderGuard => DeviceRole::BorderGuard,
            Role::ConsularOfficer => DeviceRole::ConsularOfficer,
            Role::Headquarters => DeviceRole::Headquarters,
        }
    }
}

/// An issued certificate as the case holds it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CertificateInfo {
    pub number: String,
    pub issue_date: String,
    pub expiry_date: String,
    /// The signed barcode text (what the QR code holds).
    pub barcode: String,
    pub fee_waived: bool,
    pub fee_reason: String,
}

/// One step of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HistoryEntry {
    pub event: String,
    pub author: String,
    pub role: DeviceRole,
    pub at_unix_ms: i64,
}

/// An event the device holds but could not apply, with why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RefusedEvent {
    pub event: String,
    pub reason: String,
}

/// A case as its screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CaseDetails {
    pub case_id: String,
    /// None only for a case with no valid event.
    pub state: Option<CaseState>,
    pub request: Option<CertificateRequestData>,
    /// What to fix before the request can be submitted (empty when none).
    pub problems: Vec<FieldProblem>,
    pub fee: Option<FeeView>,
    pub certificate: Option<CertificateInfo>,
    /// Where and when the holder entered (crossing point, "YYYY-MM-DD").
    pub entry_crossing_point: Option<String>,
    pub entry_date: Option<String>,
    /// The last reason given or question asked by headquarters.
    pub last_note: Option<String>,
    /// Two branches of the case (e.g. two issuances): headquarters must resolve it.
    pub in_conflict: bool,
    pub refused: Vec<RefusedEvent>,
    pub history: Vec<HistoryEntry>,
}

fn case_details(v: CaseView, profile: &DeviceProfile) -> CaseDetails {
    CaseDetails {
        problems: v.request.as_ref().map(cert::validate).unwrap_or_default().into_iter().map(Into::into).collect(),
        fee: v.request.as_ref().map(|r| fee_for(r, profile.standard_fee_minor, &profile.fee_currency).into()),
        request: v.request.as_ref().map(from_request),
        case_id: v.case_id,
        state: v.state.map(Into::into),
        certificate: v.certificate.map(|c| CertificateInfo {
            number: c.number,
            issue_date: c.issue_date.to_string(),
            expiry_date: c.expiry_date.to_string(),
            barcode: c.barcode,
            fee_waived: c.fee_waived,
            fee_reason: c.fee_reason,
        }),
        entry_crossing_point: v.entry.as_ref().map(|e| e.0.clone()),
        entry_date: v.entry.as_ref().map(|e| e.1.to_string()),
        last_note: v.last_note,
        in_conflict: v.conflict.is_some(),
        refused: v.refused.into_iter().map(|r| RefusedEvent { event: r.event.to_string(), reason: r.reason }).collect(),
        history: v
            .history
            .into_iter()
            .map(|(_, event, author, role, at)| HistoryEntry {
                event: event.to_string(),
                author,
                role: role.into(),
                at_unix_ms: at,
            })
            .collect(),
    }
}

/// A line of the cases list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CaseListItem {
    pub case_id: String,
    pub state: Option<CaseState>,
    pub office: Option<String>,
    pub certificate_number: Option<String>,
    pub trafficking: bool,
    pub in_conflict: bool,
}

/// A QR code's modules, row-major, `true` for dark: draw it at any size.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrCode {
    pub version: i16,
    pub width: i32,
    pub modules: Vec<bool>,
}

/// An issued certificate: the case, and the barcode and its QR code to print.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IssuedCertificate {
    pub case: CaseDetails,
    pub barcode: String,
    pub qr: QrCode,
}

/// This device: its identity, trust lists, and the settings headquarters gave it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeviceInfo {
    /// False until enrolment with headquarters.
    pub enrolled: bool,
    pub device_id: Option<String>,
    pub role: Option<DeviceRole>,
    pub office: Option<String>,
    pub device_no: i32,
    pub server_url: Option<String>,
    /// True when headquarters' TLS authority was pinned at enrolment.
    pub tls_pinned: bool,
    pub trust_list_sequence: Option<i64>,
    pub revocation_list_sequence: Option<i64>,
    pub certificates_issued: i64,
    /// Default validity of a certificate in days.
    pub validity_days: i32,
    pub standard_fee_minor: i64,
    pub fee_currency: String,
    /// Days without reaching headquarters after which the device locks.
    pub check_in_days: i32,
    pub last_check_in_unix_ms: Option<i64>,
    /// The core's check-in rule now: true while new work is refused
    /// (`CheckInOverdue`) until a sync or an unlock code.
    pub check_in_locked: bool,
    /// Until when an unlock code lifts the check-in lock, if one was entered.
    pub unlocked_until_unix_ms: Option<i64>,
}

/// Why a certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RefusalReason {
    /// Not a Certificate of Return barcode, or damaged.
    Unreadable,
    /// No trust list on this device: sync.
    NoTrustList,
    TrustListTooOld,
    RevocationListTooOld,
    /// Signed by a key this device does not trust.
    UnknownSigner,
    /// Forged or altered.
    BadSignature,
    SignerNotValid,
    SignerRevoked,
    /// The certificate was revoked.
    Revoked,
    Expired,
    NotYetValid,
    /// Already used to enter.
    AlreadyUsed,
    BadDates,
}

fn refusal_reason(e: &VerifyError) -> RefusalReason {
    match e {
        VerifyError::Decode(_) => RefusalReason::Unreadable,
        VerifyError::NoTrustList => RefusalReason::NoTrustList,
        VerifyError::TrustListTooOld { .. } => RefusalReason::TrustListTooOld,
        VerifyError::RevocationListTooOld { .. } => RefusalReason::RevocationListTooOld,
        VerifyError::UnknownSigner { .. } => RefusalReason::UnknownSigner,
        VerifyError::BadSignature => RefusalReason::BadSignature,
        VerifyError::SignerNotValid { .. } => RefusalReason::SignerNotValid,
        VerifyError::RevokedSigner => RefusalReason::SignerRevoked,
        VerifyError::Revoked { .. } => RefusalReason::Revoked,
        VerifyError::Expired { .. } => RefusalReason::Expired,
        VerifyError::NotYetValid { .. } => RefusalReason::NotYetValid,
        VerifyError::AlreadyUsed { .. } => RefusalReason::AlreadyUsed,
        VerifyError::BadDates => RefusalReason::BadDates,
    }
}

/// Whether the photo on file matches the certificate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhotoCheckKind {
    Match,
    Mismatch,
    NotChecked,
}

/// A child on the certificate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChildOnCertificateView {
    pub surname: String,
    pub given_name: String,
    pub date_of_birth: String,
}

/// A certificate that passed every check: what the border guard compares
/// with the person in front of them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedCertificate {
    pub number: String,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub date_of_birth: String,
    pub sex: SexKind,
    pub issuing_office: String,
    pub issue_date: String,
    pub expiry_date: String,
    pub children: Vec<ChildOnCertificateView>,
    pub case_id: String,
    pub signer_office: String,
    pub photo: PhotoCheckKind,
    /// Things to act on soon (lists getting old), in words.
    pub warnings: Vec<String>,
    pub trust_list_age_hours: i64,
    pub revocation_list_age_hours: Option<i64>,
}

fn warning_text(w: &VerifyWarning) -> String {
    crate::reason::verify_warning(w)
}

fn verified_view(v: &Verified) -> VerifiedCertificate {
    let p = &v.payload;
    VerifiedCertificate {
        number: p.number.clone(),
        surname: p.surname.clone(),
        given_name: p.given_name.clone(),
        patronymic: p.patronymic.clone(),
        date_of_birth: p.date_of_birth.to_string(),
        sex: sex_kind(p.sex),
        issuing_office: p.issuing_office.clone(),
        issue_date: p.issue_date.to_string(),
        expiry_date: p.expiry_date.to_string(),
        children: p
            .children
            .iter()
            .map(|c| ChildOnCertificateView {
                surname: c.surname.clone(),
                given_name: c.given_name.clone(),
                date_of_birth: c.date_of_birth.to_string(),
            })
            .collect(),
        case_id: p.case_id.clone(),
        signer_office: v.signer_office.clone(),
        photo: match v.photo {
            PhotoCheck::Match => PhotoCheckKind::Match,
            PhotoCheck::Mismatch => PhotoCheckKind::Mismatch,
            PhotoCheck::NotChecked => PhotoCheckKind::NotChecked,
        },
        warnings: v.warnings.iter().map(warning_text).collect(),
        trust_list_age_hours: v.trust_list_age_hours,
        revocation_list_age_hours: v.revocation_list_age_hours,
    }
}

/// The answer of a verification: valid, or refused with the reason.
// Crosses the FFI by value (uniffi cannot pass a Box), so no boxing here.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationResult {
    Valid {
        certificate: VerifiedCertificate,
    },
    /// Refused: `explanation` says why in words for the border guard.
    Refused {
        reason: RefusalReason,
        explanation: String,
    },
}

fn refused(e: VerifyError) -> VerificationResult {
    // Worded for the border guard in the call's language (the vault's), not the core's English.
    VerificationResult::Refused { reason: refusal_reason(&e), explanation: crate::reason::verification(&e) }
}

/// Verifies `text` against the trust store held on this device (offline),
/// treating a certificate whose case already has an entry as used.
fn verify_on(
    v: &mut Vault,
    profile: &DeviceProfile,
    text: &str,
    photo: Option<&[u8]>,
    today: IsoDate,
) -> Result<std::result::Result<Verified, VerifyError>> {
    let cases = CertificateCases::new(v);
    let prior = match barcode::decode(text) {
        Ok(b) => cases.entry_of(&b.payload.case_id)?,
        Err(_) => None,
    };
    let used = |_: &str| prior.clone();
    let ctx = VerifyContext { store: &profile.trust, now_ms: now_ms(), today, used: &used, photo };
    Ok(cert::verify(text, &ctx))
}

/// Certificates of Return on this device. Every call takes milliseconds
/// (issuance signs and builds a QR code: ~20 ms).
#[derive(uniffi::Object)]
pub struct CertificateService {
    shared: Arc<Shared>,
}

impl CertificateService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        CertificateService { shared }
    }
}

#[uniffi::export]
impl CertificateService {
    /// This device's identity, trust lists and settings.
    pub fn device_info(&self) -> Result<DeviceInfo> {
        self.shared.with(|v| {
            let p = DeviceProfile::load(v)?;
            let id = p.identity().ok();
            Ok(DeviceInfo {
                enrolled: id.is_some(),
                device_id: id.as_ref().map(|i| i.device_id().to_string()),
                role: id.as_ref().map(|i| i.role().into()),
                office: id.as_ref().map(|i| i.office().to_string()),
                device_no: p.device_no.into(),
                server_url: p.server_url.clone(),
                tls_pinned: p.server_ca_pem.is_some(),
                trust_list_sequence: p.trust.trust_list.as_ref().map(|t| long(t.body.sequence)),
                revocation_list_sequence: p.trust.revocations.as_ref().map(|t| long(t.body.sequence)),
                certificates_issued: long(p.certificate_sequence),
                validity_days: int(p.validity_days),
                standard_fee_minor: long(p.standard_fee_minor),
                fee_currency: p.fee_currency.clone(),
                check_in_days: int(p.check_in_days),
                last_check_in_unix_ms: p.last_check_in_ms,
                check_in_locked: p.check_in(crate::screening::now_ms()).is_err(),
                unlocked_until_unix_ms: p.unlocked_until_ms,
            })
        })
    }

    /// Every problem with a request's fields, for the form (empty: it can be
    /// submitted). Malformed dates throw `InvalidInput` naming the field.
    pub fn validate_request(&self, request: CertificateRequestData) -> Result<Vec<FieldProblem>> {
        let office =
            self.shared.with(|v| Ok(DeviceProfile::load(v)?.identity().ok().map(|i| i.office().to_string())))?;
        let r = to_request(request, office.as_deref())?;
        Ok(cert::validate(&r).into_iter().map(Into::into).collect())
    }

    /// The fee for a request under this device's fee schedule.
    pub fn fee(&self, request: CertificateRequestData) -> Result<FeeView> {
        self.shared.with(|v| {
            let p = DeviceProfile::load(v)?;
            let r = to_request(request, None)?;
            Ok(fee_for(&r, p.standard_fee_minor, &p.fee_currency).into())
        })
    }

    /// Takes a request: saved as a draft, and submitted to headquarters when
    /// `submit` is true (then it must be complete, else `RequestIncomplete`
    /// lists the problems and nothing is saved). `photo`: the applicant's
    /// photo as the camera gave it (JPEG or PNG), sealed on this device; the
    /// request carries its hash (any `photoSha256` given is replaced), and a
    /// file that is not a photo is `InvalidInput` with nothing saved.
    #[uniffi::method(default(photo = None))]
    pub fn create_request(
        &self,
        request: CertificateRequestData,
        submit: bool,
        photo: Option<Vec<u8>>,
    ) -> Result<CaseDetails> {
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            let me = profile.identity()?;
            let mut r = to_request(request, Some(me.office()))?;
            if let Some(b) = &photo {
                cert::photo::check(b)?;
                r.applicant.photo_sha256 = Some(cert::photo::sha256_hex(b));
            }
            if submit {
                let problems = cert::validate(&r);
                if !problems.is_empty() {
                    return Err(homeward_core::certificate::TransitionError::IncompleteRequest(problems).into());
                }
            }
            let mut view = CertificateCases::new(v).create(&me, r, now_ms())?;
            // Sealed before the submission, so a request never leaves without its photo kept here.
            if let Some(b) = &photo {
                cert::photo::save(v, &view.case_id, b)?;
            }
            if submit {
                view = CertificateCases::new(v).record(&me, &view.case_id, CertificateEvent::Submitted, now_ms())?;
            }
            self.shared.audit(v, AuditAction::Create, SubjectKind::CertificateCase, &view.case_id, None)?;
            Ok(case_details(view, &profile))
        })
    }

    /// Submits a draft to headquarters (it goes with the next sync).
    pub fn submit(&self, case_id: String) -> Result<CaseDetails> {
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            let me = profile.identity()?;
            let view = CertificateCases::new(v).record(&me, &case_id, CertificateEvent::Submitted, now_ms())?;
            self.shared.audit(v, AuditAction::Change, SubjectKind::CertificateCase, &case_id, None)?;
            Ok(case_details(view, &profile))
        })
    }

    /// Cancels a request (consular officer), with a reason.
    pub fn cancel(&self, case_id: String, reason: String) -> Result<CaseDetails> {
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            let me = profile.identity()?;
            let view =
                CertificateCases::new(v).record(&me, &case_id, CertificateEvent::Cancelled { reason }, now_ms())?;
            self.shared.audit(v, AuditAction::Change, SubjectKind::CertificateCase, &case_id, None)?;
            Ok(case_details(view, &profile))
        })
    }

    /// The cases on this device. Decrypts and folds each: ~1 ms per case.
    pub fn list(&self) -> Result<Vec<CaseListItem>> {
        self.shared.with(|v| {
            Ok(CertificateCases::new(v)
                .list()?
                .into_iter()
                .map(|c| CaseListItem {
                    case_id: c.case_id,
                    state: c.state.map(Into::into),
                    office: c.office,
                    certificate_number: c.certificate_number,
                    trafficking: c.trafficking,
                    in_conflict: c.conflict,
                })
                .collect())
        })
    }

    /// One case, folded from its signed events: a person's full record, so
    /// it opens only with a `justification` (why it is looked at), kept in
    /// the audit trail; without one, `JustificationRequired` and nothing is read.
    pub fn show(&self, case_id: String, justification: Option<String>) -> Result<CaseDetails> {
        // Refused before anything is read when there is no justification.
        homeward_core::audit::check_view(homeward_core::audit::ViewKind::FullRecord, justification.as_deref())
            .map_err(homeward_core::audit::AuditLogError::from)?;
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            let view = CertificateCases::new(v).view(&case_id)?;
            self.shared.audit_view(v, SubjectKind::CertificateCase, &view.case_id, justification.as_deref())?;
            Ok(case_details(view, &profile))
        })
    }

    /// Issues an approved request: number, validity (`validity_days`, else
    /// what headquarters approved), fee decision, and the signed barcode
    /// with its QR code. `NotAllowed` unless the case is approved.
    pub fn issue(&self, case_id: String, validity_days: Option<i32>) -> Result<IssuedCertificate> {
        let validity_days = validity_days.map(|d| unsigned::<u32>("validity_days", d.into())).transpose()?;
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            let me = profile.identity()?;
            let view = CertificateCases::new(v).issue(&me, &case_id, validity_days, IsoDate::today(), now_ms())?;
            // Issued, and handed to the shell to print: a change and an export.
            self.shared.audit(v, AuditAction::Change, SubjectKind::CertificateCase, &case_id, None)?;
            self.shared.audit(v, AuditAction::Export, SubjectKind::CertificateCase, &case_id, None)?;
            let c = view.certificate.clone().ok_or_else(|| HomewardError::Internal { reason: "not issued".into() })?;
            let qr = qr_matrix(&c.barcode).map_err(|e| HomewardError::input(e.to_string()))?;
            let profile = DeviceProfile::load(v)?;
            Ok(IssuedCertificate {
                case: case_details(view, &profile),
                barcode: c.barcode,
                qr: QrCode { version: qr.version, width: int(qr.width), modules: qr.modules },
            })
        })
    }

    /// Verifies a certificate offline from its barcode text (what the camera
    /// read), against this device's trust and revocation lists. `photo`: the
    /// holder's photo on file, compared with the certificate's photo hash.
    /// `date`: "YYYY-MM-DD", today when absent. A refusal is a result, not an
    /// exception; exceptions are for a locked or closed vault.
    pub fn verify(&self, barcode: String, photo: Option<Vec<u8>>, date: Option<String>) -> Result<VerificationResult> {
        let today = match date {
            Some(d) => parse_date("date", &d)?,
            None => IsoDate::today(),
        };
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            Ok(match verify_on(v, &profile, barcode.trim(), photo.as_deref(), today)? {
                Ok(ok) => VerificationResult::Valid { certificate: verified_view(&ok) },
                Err(e) => refused(e),
            })
        })
    }

    /// The border guard's entry: verifies, and when valid records the entry
    /// at `crossing_point` (an event that syncs home). A refused certificate
    /// records nothing.
    pub fn record_entry(&self, barcode: String, crossing_point: String) -> Result<VerificationResult> {
        let today = IsoDate::today();
        self.shared.with(|v| {
            let profile = DeviceProfile::load(v)?;
            let me = profile.identity()?;
            match verify_on(v, &profile, barcode.trim(), None, today)? {
                Ok(ok) => {
                    let e = CertificateCases::new(v).enter(&me, &ok, &crossing_point, today, now_ms())?;
                    self.shared.audit(v, AuditAction::Change, SubjectKind::CertificateCase, &e.case_id, None)?;
                    Ok(VerificationResult::Valid { certificate: verified_view(&ok) })
                }
                Err(e) => Ok(refused(e)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_core::screening::Lang;

    pub(crate) fn request() -> CertificateRequestData {
        CertificateRequestData {
            applicant: ApplicantData {
                surname: "Sadykov".into(),
                given_name: "Bakyt".into(),
                patronymic: None,
                date_of_birth: "1988-08-08".into(),
                place_of_birth: "Talas".into(),
                sex: SexKind::M,
                photo_sha256: None,
                guardian: None,
                child_procedure: false,
            },
            evidence: vec![
                CitizenshipEvidenceData::OldPassport { number: "AN7000001".into() },
                CitizenshipEvidenceData::Witnesses { names: vec!["A".into()] },
            ],
            loss: DocumentLossKind::HeldByTrafficker,
            trafficking: Some(TraffickingData { screening_id: None, note: Some("n".into()) }),
            children: vec![ChildData {
                surname: "Sadykova".into(),
                given_name: "Aida".into(),
                date_of_birth: "2019-01-02".into(),
                guardian: Some("father".into()),
                child_procedure: false,
            }],
            route: "Istanbul - Bishkek".into(),
            travel_date: "2026-12-01".into(),
            officer_assessment: "ok".into(),
            issuing_office: None,
            request_date: Some("2026-11-29".into()),
        }
    }

    #[test]
    fn a_request_survives_the_round_trip_through_the_core_type() {
        let r = to_request(request(), Some("IST")).unwrap();
        assert_eq!(r.issuing_office, "IST", "the device's office fills a missing one");
        let back = from_request(&r);
        let mut expected = request();
        expected.issuing_office = Some("IST".into());
        assert_eq!(back, expected);
    }

    #[test]
    fn a_malformed_date_names_its_field() {
        let mut r = request();
        r.children[0].date_of_birth = "2019-13-40".into();
        match to_request(r, None) {
            Err(HomewardError::InvalidInput { reason }) => {
                assert!(reason.starts_with("children[0].date_of_birth"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_verification_failure_has_its_own_reason() {
        assert_eq!(refusal_reason(&VerifyError::BadSignature), RefusalReason::BadSignature);
        let r = refused(VerifyError::NoTrustList);
        assert_eq!(
            r,
            VerificationResult::Refused {
                reason: RefusalReason::NoTrustList,
                explanation: "This device has no list of trusted keys: sync with headquarters.".into()
            }
        );
        let damaged = VerifyError::Decode(homeward_core::certificate::DecodeError::Base45);
        for lang in [Lang::Ky, Lang::Ru, Lang::En] {
            let VerificationResult::Refused { explanation, .. } =
                crate::reason::in_language(lang, || refused(damaged.clone()))
            else {
                unreachable!()
            };
            assert!(!explanation.to_lowercase().contains("base45"), "no codec name for the guard: {explanation}");
            assert_ne!(explanation, damaged.to_string());
        }
        let ru = crate::reason::in_language(Lang::Ru, || refused(VerifyError::BadSignature));
        assert!(matches!(ru, VerificationResult::Refused { explanation, .. } if explanation.contains("подделано")));
    }
}

// The suspend versions (docs/BINDINGS.md, "Threads"): each is dropped if its
// coroutine is cancelled before it reached the vault, else runs to its end.
crate::background::suspend_versions!(CertificateService {
    /// `device_info` as a suspend call.
    fn device_info_async = device_info() -> Result<DeviceInfo>;
    /// `validate_request` as a suspend call.
    fn validate_request_async = validate_request(request: CertificateRequestData) -> Result<Vec<FieldProblem>>;
    /// `fee` as a suspend call.
    fn fee_async = fee(request: CertificateRequestData) -> Result<FeeView>;
    /// `create_request` as a suspend call.
    fn create_request_async = create_request(request: CertificateRequestData, submit: bool, photo: Option<Vec<u8>>) -> Result<CaseDetails>;
    /// `submit` as a suspend call.
    fn submit_async = submit(case_id: String) -> Result<CaseDetails>;
    /// `cancel` (of a request) as a suspend call.
    fn cancel_async = cancel(case_id: String, reason: String) -> Result<CaseDetails>;
    /// `list` as a suspend call.
    fn list_async = list() -> Result<Vec<CaseListItem>>;
    /// `show` as a suspend call.
    fn show_async = show(case_id: String, justification: Option<String>) -> Result<CaseDetails>;
    /// `issue` as a suspend call.
    fn issue_async = issue(case_id: String, validity_days: Option<i32>) -> Result<IssuedCertificate>;
    /// `verify` as a suspend call.
    fn verify_async = verify(barcode: String, photo: Option<Vec<u8>>, date: Option<String>) -> Result<VerificationResult>;
    /// `record_entry` as a suspend call.
    fn record_entry_async = record_entry(barcode: String, crossing_point: String) -> Result<VerificationResult>;
});
