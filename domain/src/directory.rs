//! The referral directory: the partners an officer may refer a person to
//! (IOM, shelters, the rehabilitation centre for minors, the national
//! hotline), published by headquarters and signed by its root like the
//! checklists, held offline on every device with its age. Pure rules:
//! checking a published directory, choosing the partners an outcome's
//! actions point to, and refusing a referral to a partner the directory no
//! longer lists or that does not serve children.
//!
//! Published by `homeward-hq directory publish`, carried by enrolment and
//! pulls, kept in the device profile; `core::referral::refer_listed` seals a
//! referral to the key listed here (docs/SCREENING.md, "Referral directory").

use serde::{Deserialize, Serialize};

use crate::certificate::trust::{verify_signed, Signed, TrustStore};
use crate::screening::actions::Action;

pub const DIRECTORY_DOMAIN: &str = "homeward/referral-directory/v1";

/// What a partner offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Shelter,
    Medical,
    Legal,
    ReturnAndReintegration,
    /// A telephone line giving advice and referring on.
    Hotline,
}

/// Who a partner serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Serves {
    Adults,
    Children,
    Everyone,
}

impl Serves {
    pub fn children(self) -> bool {
        matches!(self, Serves::Children | Serves::Everyone)
    }
    pub fn adults(self) -> bool {
        matches!(self, Serves::Adults | Serves::Everyone)
    }
}

/// How to reach a partner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// One partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Stable id, e.g. "iom-bishkek"; referrals and consents name it.
    pub id: String,
    pub name: String,
    pub services: Vec<Service>,
    pub serves: Serves,
    /// Regions served ("Bishkek", "Osh", "national").
    pub regions: Vec<String>,
    /// Languages spoken: "ky", "ru", "en", "uz"...
    pub languages: Vec<String>,
    /// Opening hours as published, e.g. "Mon-Fri 09:00-18:00", "24/7".
    pub hours: String,
    pub contact: Contact,
    /// The X25519 public key referral packages are sealed to (64 hex
    /// characters). A partner without one cannot receive a package.
    #[serde(default)]
    pub package_key: Option<String>,
}

/// The directory as headquarters publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralDirectory {
    /// Raised at each publication; a device refuses one not newer than its own.
    pub sequence: u64,
    pub published_ms: i64,
    pub partners: Vec<Partner>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("the directory is not signed by headquarters' root")]
    BadSignature,
    #[error("directory {found} is not newer than the one held ({held})")]
    NotNewer { found: u64, held: u64 },
    #[error("partner {partner:?} has no key for sealed referral packages")]
    MissingKey { partner: String },
    #[error("partner {partner:?}: the package key is not 32 bytes of hex")]
    BadKey { partner: String },
    #[error("partner {partner:?}: {problem}")]
    Invalid { partner: String, problem: String },
    #[error("partner id {partner:?} is listed twice")]
    Duplicate { partner: String },
    #[error("partner {partner:?} is not in the referral directory (removed, or never listed)")]
    NotListed { partner: String },
    #[error("partner {partner:?} does not serve children")]
    NotForChildren { partner: String },
}

/// Every entry's problems, or none: ids unique, a name, at least one
/// service and region, and a well-formed package key.
pub fn validate(d: &ReferralDirectory) -> Result<(), DirectoryError> {
    let mut seen = std::collections::BTreeSet::new();
    for p in &d.partners {
        let invalid = |problem: &str| DirectoryError::Invalid { partner: p.id.clone(), problem: problem.into() };
        if p.id.is_empty() || !p.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(invalid("the id must be lower-case letters, digits and hyphens"));
        }
        if !seen.insert(p.id.as_str()) {
            return Err(DirectoryError::Duplicate { partner: p.id.clone() });
        }
        if p.name.trim().is_empty() {
            return Err(invalid("no name"));
        }
        if p.services.is_empty() {
            return Err(invalid("no service"));
        }
        if p.regions.is_empty() {
            return Err(invalid("no region"));
        }
        match &p.package_key {
            None => return Err(DirectoryError::MissingKey { partner: p.id.clone() }),
            Some(k) => {
                let ok = hex::decode(k).is_ok_and(|b| b.len() == 32);
                if !ok {
                    return Err(DirectoryError::BadKey { partner: p.id.clone() });
                }
            }
        }
    }
    Ok(())
}

/// Checks a published directory before a device keeps it: headquarters'
/// root signature, newer than `held` (the sequence kept, 0 for none), every
/// entry valid.
pub fn check(trust: &TrustStore, signed: &Signed<ReferralDirectory>, held: u64) -> Result<(), DirectoryError> {
    verify_signed(&trust.roots, DIRECTORY_DOMAIN, signed).map_err(|_| DirectoryError::BadSignature)?;
    if signed.body.sequence <= held {
        return Err(DirectoryError::NotNewer { found: signed.body.sequence, held });
    }
    validate(&signed.body)
}

/// The services a recommended action calls for.
pub fn services_for(action: Action) -> &'static [Service] {
    match action {
        Action::OfferShelter => &[Service::Shelter],
        Action::ReferToPartners => {
            &[Service::Shelter, Service::Medical, Service::Legal, Service::ReturnAndReintegration]
        }
        Action::TraceFamily => &[Service::ReturnAndReintegration],
        _ => &[],
    }
}

impl ReferralDirectory {
    /// Whole days since publication (the age a device shows beside it).
    pub fn age_days(&self, now_ms: i64) -> i64 {
        (now_ms - self.published_ms).max(0) / 86_400_000
    }

    /// The partners the recommended actions point to: offering a service
    /// they call for, and for a child only those serving children. In the
    /// directory's order.
    pub fn partners_for(&self, actions: &[Action], child: bool) -> Vec<&Partner> {
        let wanted: Vec<Service> = actions.iter().flat_map(|a| services_for(*a).iter().copied()).collect();
        self.partners
            .iter()
            .filter(|p| p.services.iter().any(|s| wanted.contains(s)))
            .filter(|p| if child { p.serves.children() } else { p.serves.adults() })
            .collect()
    }

    /// The partner a referral goes to: listed now, serving children when
    /// the person is one, with a package key.
    pub fn partner_for_referral(&self, id: &str, child: bool) -> Result<&Partner, DirectoryError> {
        let p = self
            .partners
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| DirectoryError::NotListed { partner: id.into() })?;
        if child && !p.serves.children() {
            return Err(DirectoryError::NotForChildren { partner: id.into() });
        }
        if p.package_key.is_none() {
            return Err(DirectoryError::MissingKey { partner: id.into() });
        }
        Ok(p)
    }
}

/// The sample directory for training (DOMAIN.md's partners). Its package
/// keys are placeholders: headquarters publishes the partners' real keys.
pub fn sample() -> ReferralDirectory {
    let key = |n: u8| Some(hex::encode([n; 32]));
    let partner =
        |id: &str, name: &str, services: Vec<Service>, serves, regions: &[&str], hours: &str, phone: &str, k| Partner {
            id: id.into(),
            name: name.into(),
            services,
            serves,
            regions: regions.iter().map(|s| s.to_string()).collect(),
            languages: vec!["ky".into(), "ru".into(), "en".into()],
            hours: hours.into(),
            contact: Contact { phone: Some(phone.into()), address: None, email: None },
            package_key: key(k),
        };
    use Service::*;
    ReferralDirectory {
        sequence: 1,
        published_ms: 0,
        partners: vec![
            partner(
                "iom-bishkek",
                "IOM (International Organization for Migration), Bishkek",
                vec![ReturnAndReintegration, Medical, Legal],
                Serves::Everyone,
                &["national"],
                "Mon-Fri 09:00-18:00",
                "+996 312 000000",
                1,
            ),
            partner(
                "shelter-bishkek",
                "Shelter, Bishkek",
                vec![Shelter, Medical],
                Serves::Adults,
                &["Bishkek", "Chui"],
                "24/7",
                "+996 312 000001",
                2,
            ),
            partner(
                "shelter-osh",
                "Shelter, Osh",
                vec![Shelter, Legal],
                Serves::Adults,
                &["Osh", "Jalal-Abad", "Batken"],
                "24/7",
                "+996 3222 00002",
                3,
            ),
            partner(
                "minors-centre-osh",
                "Rehabilitation centre for minors, Osh",
                vec![Shelter, Medical, ReturnAndReintegration],
                Serves::Children,
                &["Osh", "Jalal-Abad", "Batken"],
                "24/7",
                "+996 3222 00003",
                4,
            ),
            partner(
                "hotline",
                "National hotline",
                vec![Hotline, Legal],
                Serves::Everyone,
                &["national"],
                "24/7",
                "0 800 0000 189",
                5,
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::trust::{sign_list, RootKey};
    use crate::events::DeviceIdentity;
    use rand_chacha::rand_core::SeedableRng;

    fn root(seed: u64) -> DeviceIdentity {
        DeviceIdentity::generate(
            "hq",
            crate::events::Role::Headquarters,
            "HQ",
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed),
        )
    }

    fn trust(r: &DeviceIdentity) -> TrustStore {
        TrustStore { roots: vec![RootKey::of(r)], ..TrustStore::default() }
    }

    #[test]
    fn the_sample_is_valid_and_lists_the_hotline() {
        let d = sample();
        validate(&d).unwrap();
        assert!(d.partners.iter().any(|p| p.contact.phone.as_deref() == Some("0 800 0000 189")));
    }

    #[test]
    fn a_forged_or_older_directory_is_refused() {
        let hq = root(1);
        let signed = sign_list(DIRECTORY_DOMAIN, &sample(), &hq);
        check(&trust(&hq), &signed, 0).unwrap();
        assert_eq!(check(&trust(&hq), &signed, 1), Err(DirectoryError::NotNewer { found: 1, held: 1 }));
        let forged = sign_list(DIRECTORY_DOMAIN, &sample(), &root(2));
        assert_eq!(check(&trust(&hq), &forged, 0), Err(DirectoryError::BadSignature));
        let mut altered = signed.clone();
        altered.body.partners[0].package_key = Some(hex::encode([9u8; 32]));
        assert_eq!(check(&trust(&hq), &altered, 0), Err(DirectoryError::BadSignature));
    }

    #[test]
    fn an_entry_without_a_key_is_refused() {
        let hq = root(1);
        let mut d = sample();
        d.partners[1].package_key = None;
        let signed = sign_list(DIRECTORY_DOMAIN, &d, &hq);
        assert_eq!(
            check(&trust(&hq), &signed, 0),
            Err(DirectoryError::MissingKey { partner: "shelter-bishkek".into() })
        );
        d.partners[1].package_key = Some("abcd".into());
        assert_eq!(validate(&d), Err(DirectoryError::BadKey { partner: "shelter-bishkek".into() }));
    }

    #[test]
    fn a_childs_case_points_only_to_partners_serving_children() {
        let d = sample();
        let actions = [Action::OfferShelter, Action::ReferToPartners, Action::NotifyGuardianship];
        let child: Vec<&str> = d.partners_for(&actions, true).iter().map(|p| p.id.as_str()).collect();
        assert_eq!(child, vec!["iom-bishkek", "minors-centre-osh", "hotline"]);
        let adult: Vec<&str> = d.partners_for(&actions, false).iter().map(|p| p.id.as_str()).collect();
        assert_eq!(adult, vec!["iom-bishkek", "shelter-bishkek", "shelter-osh", "hotline"]);
        assert_eq!(
            d.partner_for_referral("shelter-osh", true).unwrap_err(),
            DirectoryError::NotForChildren { partner: "shelter-osh".into() }
        );
        assert!(d.partner_for_referral("minors-centre-osh", true).is_ok());
    }

    #[test]
    fn a_referral_to_a_removed_partner_is_refused() {
        let mut d = sample();
        d.partners.retain(|p| p.id != "shelter-osh");
        assert_eq!(
            d.partner_for_referral("shelter-osh", false).unwrap_err(),
            DirectoryError::NotListed { partner: "shelter-osh".into() }
        );
    }

    #[test]
    fn the_age_is_in_whole_days() {
        let d = ReferralDirectory { published_ms: 1_000, ..sample() };
        assert_eq!(d.age_days(1_000 + 3 * 86_400_000 + 5), 3);
        assert_eq!(d.age_days(0), 0);
    }
}
