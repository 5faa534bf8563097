//! The referral directory as the outcome screen needs it: the partners the
//! recommended actions point to (for a child, only those serving children),
//! the directory's age, and a referral sealed to the partner's published key.

use homeward_core::directory::{DirectoryError, Partner, ReferralDirectory, Serves, Service};
use homeward_core::referral::{DataCategory, ReferralError};

use crate::error::HomewardError;
use crate::reason::say;

/// A service a partner offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PartnerService {
    Shelter,
    Medical,
    Legal,
    ReturnAndReintegration,
    Hotline,
}

impl From<Service> for PartnerService {
    fn from(s: Service) -> Self {
        match s {
            Service::Shelter => PartnerService::Shelter,
            Service::Medical => PartnerService::Medical,
            Service::Legal => PartnerService::Legal,
            Service::ReturnAndReintegration => PartnerService::ReturnAndReintegration,
            Service::Hotline => PartnerService::Hotline,
        }
    }
}

/// One partner of the directory, as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PartnerView {
    /// The id a referral and a consent name ("iom-bishkek").
    pub id: String,
    pub name: String,
    pub services: Vec<PartnerService>,
    pub serves_children: bool,
    pub serves_adults: bool,
    pub regions: Vec<String>,
    pub languages: Vec<String>,
    pub hours: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
}

impl From<&Partner> for PartnerView {
    fn from(p: &Partner) -> Self {
        PartnerView {
            id: p.id.clone(),
            name: p.name.clone(),
            services: p.services.iter().map(|s| (*s).into()).collect(),
            serves_children: p.serves.children(),
            serves_adults: matches!(p.serves, Serves::Adults | Serves::Everyone),
            regions: p.regions.clone(),
            languages: p.languages.clone(),
            hours: p.hours.clone(),
            phone: p.contact.phone.clone(),
            address: p.contact.address.clone(),
            email: p.contact.email.clone(),
        }
    }
}

/// The directory this device holds: its sequence, age and partners.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DirectoryView {
    pub sequence: i64,
    /// Whole days since headquarters published it (show it beside the list).
    pub age_days: i64,
    pub partners: Vec<PartnerView>,
}

pub(crate) fn directory_view(d: &ReferralDirectory, now_ms: i64) -> DirectoryView {
    DirectoryView {
        sequence: crate::num::long(d.sequence),
        age_days: d.age_days(now_ms),
        partners: d.partners.iter().map(Into::into).collect(),
    }
}

/// What part of the person's data a referral shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReferralData {
    /// Name, document number, nationality.
    Identity,
    /// The screening's indicators and outcome.
    Screening,
}

impl From<ReferralData> for DataCategory {
    fn from(d: ReferralData) -> Self {
        match d {
            ReferralData::Identity => DataCategory::Identity,
            ReferralData::Screening => DataCategory::Screening,
        }
    }
}

/// A referral made: its id and the sealed package to hand to the partner
/// (only the partner's key opens it; its clear header names no person).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReferralMade {
    pub referral_id: String,
    pub partner: String,
    /// The package (JSON) to send or save; sealed to the partner.
    pub package_json: String,
    /// Its classification label ("RESTRICTED"...), to show on the share sheet.
    pub classification: String,
}

fn no_directory() -> String {
    say(
        "Бул түзмөктө өнөктөштөрдүн тизмеси азырынча жок: адегенде штаб менен шайкештириңиз.",
        "На этом устройстве ещё нет справочника партнёров: сначала синхронизируйтесь со штабом.",
        "This device has no referral directory yet: sync with headquarters first.",
    )
}

fn directory_refusal(e: &DirectoryError) -> String {
    match e {
        DirectoryError::NotListed { partner } => say(
            &format!("«{partner}» өнөктөштөр тизмесинде жок (алынып салынган же эч качан болгон эмес)."),
            &format!("Партнёра «{partner}» нет в справочнике (исключён или никогда в нём не был)."),
            &format!("{partner} is not in the referral directory (removed, or never listed)."),
        ),
        DirectoryError::NotForChildren { partner } => say(
            &format!("«{partner}» балдар менен иштебейт: балдарга кызмат көрсөткөн өнөктөштү тандаңыз."),
            &format!("«{partner}» не работает с детьми: выберите партнёра, который работает с детьми."),
            &format!("{partner} does not serve children: choose a partner that does."),
        ),
        DirectoryError::MissingKey { partner } | DirectoryError::BadKey { partner } => say(
            &format!("«{partner}» үчүн шифрлөө ачкычы жарыяланган эмес: штабга кайрылыңыз."),
            &format!("Для «{partner}» не опубликован ключ шифрования: обратитесь в штаб."),
            &format!("No encryption key is published for {partner}: contact headquarters."),
        ),
        other => other.to_string(),
    }
}

impl From<ReferralError> for HomewardError {
    fn from(e: ReferralError) -> Self {
        match e {
            ReferralError::Vault(v) => v.into(),
            ReferralError::Screening(s) => s.into(),
            ReferralError::Audit(a) => a.into(),
            ReferralError::NoDirectory => HomewardError::NotFound { reason: no_directory() },
            ReferralError::Directory(d) => HomewardError::NotAllowed { reason: directory_refusal(&d) },
            ReferralError::NoCategories | ReferralError::IncompleteOverride => {
                HomewardError::InvalidInput { reason: e.to_string() }
            }
            ReferralError::Refused(_) => HomewardError::NotAllowed { reason: e.to_string() },
            ReferralError::Profile(_) => HomewardError::Tampered { reason: e.to_string() },
            ReferralError::Package(_) => HomewardError::Internal { reason: e.to_string() },
        }
    }
}
