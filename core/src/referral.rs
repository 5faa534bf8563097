//! Referrals to partner organisations (IOM, shelters, the hotline) and the
//! packages that carry a person's data to them.
//!
//! A referral carries personal data only with a consent in force for that
//! partner and purpose, or a recorded legal override; for a child, a parent's
//! or guardian's consent or a best-interests decision naming who took it
//! ([`crate::screening::may_share`], Law art. 25 and 27). Refusals are typed.
//!
//! A package is sealed to the partner's X25519 public key (libsodium sealed
//! box: an ephemeral key per package, XSalsa20-Poly1305), so headquarters and
//! any server in between see only its clear header: the classification label,
//! the partner id, the sending device and a package id. The device signs the
//! header and ciphertext with its Ed25519 key so the partner knows who sent it.

use base64::Engine;
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::audit::{AuditAction, AuditFact, AuditLog, AuditLogError, Subject as AuditSubject, SubjectKind};
use crate::date::IsoDate;
use crate::events::DeviceIdentity;
use crate::export::{classification_of, Classification, ExportKind};
use crate::screening::consent::{ReferralBasis, ReferralRefused};
use crate::screening::{may_share, Checklist, Screening, ScreeningError, ScreeningOutcome, ScreeningRecords};
use crate::vault::{IndexTerm, NewRecord, RecordId, Vault, VaultError};

pub const REFERRAL_KIND: &str = "referral";
const PACKAGE_FORMAT: &str = "homeward/referral-package/v1";

/// What part of a person's data a referral shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Name, document number, nationality.
    Identity,
    /// The screening's indicators and outcome (verdict, evidence, actions).
    Screening,
}

/// What the officer asks for.
#[derive(Debug, Clone)]
pub struct ReferralRequest {
    pub screening_id: RecordId,
    pub partner: String,
    pub purpose: String,
    pub categories: Vec<DataCategory>,
    pub on: IsoDate,
    pub made_by: Option<String>,
}

/// A referral as recorded on the device (sealed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub id: String,
    pub screening_id: String,
    pub partner: String,
    pub purpose: String,
    pub categories: Vec<DataCategory>,
    pub date: IsoDate,
    pub made_by: Option<String>,
    /// The consent or override it rests on (its id) and its basis.
    pub consent_id: String,
    pub basis: ReferralBasis,
    pub created_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    #[error("referral refused: {0}")]
    Refused(#[from] ReferralRefused),
    #[error("a legal override must name the authority, the reason and who decided")]
    IncompleteOverride,
    #[error("a referral must name at least one category of data")]
    NoCategories,
    #[error(transparent)]
    Screening(#[from] ScreeningError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Audit(#[from] AuditLogError),
    #[error("the package could not be opened: {0}")]
    Package(&'static str),
    #[error("the device profile could not be read: {0}")]
    Profile(String),
    #[error("no referral directory on this device yet: sync with headquarters first")]
    NoDirectory,
    #[error(transparent)]
    Directory(#[from] crate::directory::DirectoryError),
}

/// Whether `req` may go ahead for this screening, and on what basis. Pure.
pub fn authorise(
    screening: &Screening,
    checklist: &Checklist,
    req: &ReferralRequest,
    now_ms: i64,
) -> Result<Referral, ReferralError> {
    if req.categories.is_empty() {
        return Err(ReferralError::NoCategories);
    }
    let answers = screening.effective_answers();
    let is_child = checklist.view(&answers, screening.screening_date).child_status().is_child();
    let consent = may_share(&screening.consents, &req.partner, &req.purpose, req.on, is_child)?;
    if let ReferralBasis::LegalOverride { authority, reason, decided_by, .. } = &consent.basis {
        if [authority, reason, decided_by].iter().any(|s| s.trim().is_empty()) {
            return Err(ReferralError::IncompleteOverride);
        }
    }
    let mut categories = req.categories.clone();
    categories.sort();
    categories.dedup();
    Ok(Referral {
        id: RecordId::random().to_string(),
        screening_id: screening.id.clone(),
        partner: req.partner.clone(),
        purpose: req.purpose.clone(),
        categories,
        date: req.on,
        made_by: req.made_by.clone(),
        consent_id: consent.id.clone(),
        basis: consent.basis.clone(),
        created_ms: now_ms,
    })
}

/// What the partner reads once the package is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralPayload {
    pub referral: Referral,
    #[serde(default)]
    pub subject: Option<crate::screening::Subject>,
    #[serde(default)]
    pub outcome: Option<ScreeningOutcome>,
}

/// A package as it travels: a clear header (no personal data) and a sealed body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralPackage {
    /// First, so a person handling the file sees the marking.
    pub classification: Classification,
    pub format: String,
    pub package_id: String,
    pub partner: String,
    /// SHA-256 (first 8 bytes, hex) of the partner key it is sealed to.
    pub recipient_key_id: String,
    pub sender_device: String,
    /// Sealed box (base64).
    pub sealed: String,
    /// Ed25519 (hex) by the sending device over everything above.
    pub signature: String,
}

#[derive(Serialize)]
struct UnsignedPackage<'a> {
    domain: &'static str,
    classification: Classification,
    format: &'a str,
    package_id: &'a str,
    partner: &'a str,
    recipient_key_id: &'a str,
    sender_device: &'a str,
    sealed: &'a str,
}

impl ReferralPackage {
    fn signing_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&UnsignedPackage {
            domain: PACKAGE_FORMAT,
            classification: self.classification,
            format: &self.format,
            package_id: &self.package_id,
            partner: &self.partner,
            recipient_key_id: &self.recipient_key_id,
            sender_device: &self.sender_device,
            sealed: &self.sealed,
        })
        .expect("a package header serialises")
    }

    /// Seals `payload` to `partner_key` and signs it as `sender`.
    pub fn seal(
        payload: &ReferralPayload,
        partner_key: &PartnerPublicKey,
        sender: &DeviceIdentity,
    ) -> Result<ReferralPackage, ReferralError> {
        let plain = Zeroizing::new(serde_json::to_vec(payload).expect("a payload serialises"));
        let sealed = partner_key.0.seal(&mut OsRng, &plain).map_err(|_| ReferralError::Package("sealing failed"))?;
        let mut p = ReferralPackage {
            classification: classification_of(ExportKind::ReferralPackage),
            format: PACKAGE_FORMAT.into(),
            package_id: payload.referral.id.clone(),
            partner: payload.referral.partner.clone(),
            recipient_key_id: partner_key.key_id(),
            sender_device: sender.device_id().to_string(),
            sealed: base64::engine::general_purpose::STANDARD.encode(sealed),
            signature: String::new(),
        };
        p.signature = hex::encode(sender.sign(&p.signing_bytes()).to_bytes());
        Ok(p)
    }

    /// The partner's side: checks the sender's signature, then opens.
    pub fn open(&self, key: &PartnerSecretKey, sender_public_key: &[u8; 32]) -> Result<ReferralPayload, ReferralError> {
        let vk = VerifyingKey::from_bytes(sender_public_key).map_err(|_| ReferralError::Package("sender key"))?;
        let sig: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(ReferralError::Package("signature"))?;
        vk.verify(&self.signing_bytes(), &Signature::from_bytes(&sig))
            .map_err(|_| ReferralError::Package("the sender's signature does not verify"))?;
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(&self.sealed)
            .map_err(|_| ReferralError::Package("malformed body"))?;
        let plain =
            Zeroizing::new(key.0.unseal(&sealed).map_err(|_| ReferralError::Package("not sealed to this key"))?);
        serde_json::from_slice(&plain).map_err(|_| ReferralError::Package("malformed payload"))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a package serialises")
    }
}

/// A partner organisation's public key (X25519), as headquarters publishes it.
#[derive(Clone)]
pub struct PartnerPublicKey(PublicKey);

impl PartnerPublicKey {
    pub fn from_hex(s: &str) -> Option<PartnerPublicKey> {
        let b: [u8; 32] = hex::decode(s.trim()).ok()?.try_into().ok()?;
        Some(PartnerPublicKey(PublicKey::from(b)))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0.as_bytes())[..8])
    }
}

/// A partner's secret key (kept by the partner; here for the partner-side
/// tool and tests). Wiped from memory on drop by `crypto_box`.
pub struct PartnerSecretKey(SecretKey);

impl PartnerSecretKey {
    pub fn generate() -> PartnerSecretKey {
        PartnerSecretKey(SecretKey::generate(&mut OsRng))
    }

    pub fn from_hex(s: &str) -> Option<PartnerSecretKey> {
        let b = Zeroizing::new(hex::decode(s.trim()).ok()?);
        let arr: [u8; 32] = b.as_slice().try_into().ok()?;
        Some(PartnerSecretKey(SecretKey::from(arr)))
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.to_bytes()))
    }

    pub fn public(&self) -> PartnerPublicKey {
        PartnerPublicKey(self.0.public_key())
    }
}

/// Refers a screening's person to a partner: checks consent, records the
/// referral (sealed), builds the package and audits both the referral and
/// the export. Nothing is written if consent is missing.
pub fn refer(
    vault: &mut Vault,
    checklist: &Checklist,
    sender: &DeviceIdentity,
    req: &ReferralRequest,
    partner_key: &PartnerPublicKey,
    now_ms: i64,
) -> Result<(Referral, ReferralPackage), ReferralError> {
    let screening = ScreeningRecords::new(vault, checklist).load(req.screening_id)?;
    let referral = authorise(&screening, checklist, req, now_ms)?;
    let payload = ReferralPayload {
        referral: referral.clone(),
        subject: referral.categories.contains(&DataCategory::Identity).then(|| screening.effective_subject().clone()),
        outcome: if referral.categories.contains(&DataCategory::Screening) {
            screening.outcome().cloned()
        } else {
            None
        },
    };
    let package = ReferralPackage::seal(&payload, partner_key, sender)?;
    let body = serde_json::to_vec(&referral).expect("a referral serialises");
    let rid: RecordId = referral.id.parse()?;
    vault.insert(&NewRecord {
        id: rid,
        kind: REFERRAL_KIND,
        schema_version: 1,
        body: &body,
        index: &[IndexTerm::Keyword { field: "referral-screening", value: screening.id.clone() }],
    })?;
    for action in [AuditAction::Referral, AuditAction::Export] {
        let mut fact = AuditFact::new(action, AuditSubject::new(SubjectKind::Screening, &screening.id));
        fact.actor = req.made_by.clone();
        AuditLog::new(vault).append(now_ms, fact)?;
    }
    Ok((referral, package))
}

/// The directory this device holds (installed at its last sync), or
/// `NoDirectory`.
pub fn held_directory(vault: &Vault) -> Result<crate::directory::ReferralDirectory, ReferralError> {
    let profile = crate::certificate::DeviceProfile::load(vault).map_err(|e| match e {
        crate::certificate::CaseError::Vault(v) => ReferralError::Vault(v),
        other => ReferralError::Profile(other.to_string()),
    })?;
    profile.directory.map(|d| d.body).ok_or(ReferralError::NoDirectory)
}

/// Whether the screening's person is a child (the checklist's rule).
fn is_child(screening: &Screening, checklist: &Checklist) -> bool {
    checklist.view(&screening.effective_answers(), screening.screening_date).child_status().is_child()
}

/// The partners a screening's recommended actions point to, from the held
/// directory: offering a service the actions call for, and for a child only
/// those serving children.
pub fn partners_for_screening(
    vault: &mut Vault,
    checklist: &Checklist,
    screening_id: RecordId,
) -> Result<Vec<crate::directory::Partner>, ReferralError> {
    let directory = held_directory(vault)?;
    let screening = ScreeningRecords::new(vault, checklist).load(screening_id)?;
    let actions: Vec<crate::screening::Action> =
        screening.outcome().map(|o| o.actions.iter().map(|a| a.action).collect()).unwrap_or_default();
    Ok(directory.partners_for(&actions, is_child(&screening, checklist)).into_iter().cloned().collect())
}

/// [`refer`] to a partner the held directory lists, sealed to the key it
/// publishes: a partner removed from the directory, one without a key, or
/// (for a child) one that does not serve children is refused before
/// anything is written.
pub fn refer_listed(
    vault: &mut Vault,
    checklist: &Checklist,
    sender: &DeviceIdentity,
    req: &ReferralRequest,
    now_ms: i64,
) -> Result<(Referral, ReferralPackage), ReferralError> {
    let directory = held_directory(vault)?;
    let screening = ScreeningRecords::new(vault, checklist).load(req.screening_id)?;
    let partner = directory.partner_for_referral(&req.partner, is_child(&screening, checklist))?;
    let key = partner
        .package_key
        .as_deref()
        .and_then(PartnerPublicKey::from_hex)
        .ok_or_else(|| crate::directory::DirectoryError::BadKey { partner: partner.id.clone() })?;
    refer(vault, checklist, sender, req, &key, now_ms)
}

/// The referrals recorded for a screening.
pub fn referrals_of(vault: &Vault, screening_id: &str) -> Result<Vec<Referral>, ReferralError> {
    let mut out = Vec::new();
    for id in vault.find(crate::vault::Lookup::Keyword { field: "referral-screening", value: screening_id })? {
        match vault.get(REFERRAL_KIND, id) {
            Ok(r) => out.push(serde_json::from_slice(&r.body).map_err(|_| ReferralError::Package("stored referral"))?),
            Err(VaultError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}
