//! The crossing points a screening may name: border posts (and the
//! consulates, which screen people too), published by headquarters as a list
//! signed by its root, like the referral directory, and held offline on
//! every device with its age. A screening starts only at a listed id, so
//! every report headquarters counts names a place it knows (issue 17: any
//! string was accepted and "Osh airport", "OSH" and "OSH-AIRPORT" were three
//! places in the counts).
//!
//! Published by `homeward-hq crossing-points publish`, carried by enrolment
//! and pulls, kept in the device profile. A device that holds no list yet
//! (never enrolled: training, tests) uses the compiled-in [`sample`], as it
//! uses the compiled-in checklist before headquarters publishes one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::certificate::trust::{verify_signed, Signed, TrustStore};

pub const CROSSING_DOMAIN: &str = "homeward/crossing-points/v1";

/// The languages every name is published in.
pub const LANGUAGES: [&str; 3] = ["ky", "ru", "en"];

/// One place where screenings happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossingPoint {
    /// Stable code the screening records and headquarters counts by
    /// ("OSH-AIRPORT"): 1-12 capital letters, digits or dashes.
    pub id: String,
    /// The name in each language ("ky", "ru", "en").
    pub name: BTreeMap<String, String>,
    /// The region it lies in ("Osh", "Chui"), or the country of a consulate.
    pub region: String,
}

impl CrossingPoint {
    /// The name in `lang` ("ky", "ru", "en"), else in English, else the id.
    pub fn name_in(&self, lang: &str) -> &str {
        self.name.get(lang).or_else(|| self.name.get("en")).map(String::as_str).unwrap_or(&self.id)
    }
}

/// The list as headquarters publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossingPointList {
    /// Raised at each publication; a device refuses one not newer than its own.
    pub sequence: u64,
    pub published_ms: i64,
    pub points: Vec<CrossingPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossingError {
    #[error("the crossing-point list is not signed by headquarters' root")]
    BadSignature,
    #[error("crossing-point list {found} is not newer than the one held ({held})")]
    NotNewer { found: u64, held: u64 },
    #[error("crossing point {id:?}: {problem}")]
    Invalid { id: String, problem: String },
    #[error("crossing point {id:?} is listed twice")]
    Duplicate { id: String },
    #[error("the list names no crossing point")]
    Empty,
    #[error("{id:?} is not a crossing point headquarters lists")]
    Unknown { id: String },
}

/// Every entry valid: ids well-formed and unique, a name in each language
/// and a region.
pub fn validate(list: &CrossingPointList) -> Result<(), CrossingError> {
    if list.points.is_empty() {
        return Err(CrossingError::Empty);
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in &list.points {
        let invalid = |problem: String| CrossingError::Invalid { id: p.id.clone(), problem };
        if p.id.is_empty()
            || p.id.len() > 12
            || !p.id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid("the id must be 1-12 capital letters, digits or dashes".into()));
        }
        if !seen.insert(p.id.as_str()) {
            return Err(CrossingError::Duplicate { id: p.id.clone() });
        }
        for lang in LANGUAGES {
            if p.name.get(lang).is_none_or(|n| n.trim().is_empty()) {
                return Err(invalid(format!("no name in {lang:?}")));
            }
        }
        if let Some(k) = p.name.keys().find(|k| !LANGUAGES.contains(&k.as_str())) {
            return Err(invalid(format!("unknown language {k:?}; use ky, ru or en")));
        }
        if p.region.trim().is_empty() {
            return Err(invalid("no region".into()));
        }
    }
    Ok(())
}

/// Checks a published list before a device keeps it: headquarters' root
/// signature, newer than `held` (the sequence kept, 0 for none), every
/// entry valid.
pub fn check(trust: &TrustStore, signed: &Signed<CrossingPointList>, held: u64) -> Result<(), CrossingError> {
    verify_signed(&trust.roots, CROSSING_DOMAIN, signed).map_err(|_| CrossingError::BadSignature)?;
    if signed.body.sequence <= held {
        return Err(CrossingError::NotNewer { found: signed.body.sequence, held });
    }
    validate(&signed.body)
}

impl CrossingPointList {
    /// Whole days since publication (the age a device shows beside it).
    pub fn age_days(&self, now_ms: i64) -> i64 {
        (now_ms - self.published_ms).max(0) / 86_400_000
    }

    /// The listed point with this id, or `Unknown`.
    pub fn find(&self, id: &str) -> Result<&CrossingPoint, CrossingError> {
        self.points.iter().find(|p| p.id == id).ok_or_else(|| CrossingError::Unknown { id: id.into() })
    }
}

/// The demo list (DOMAIN.md's posts and consulates, the codes the tests
/// and the demo use): what headquarters serves before an administrator
/// publishes one, and what a device uses before it holds one. Sequence 0 on
/// a device, so the first list published (sequence 1 or more) replaces it.
pub fn sample() -> CrossingPointList {
    let p = |id: &str, ky: &str, ru: &str, en: &str, region: &str| CrossingPoint {
        id: id.into(),
        name: [("ky", ky), ("ru", ru), ("en", en)].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        region: region.into(),
    };
    CrossingPointList {
        sequence: 0,
        published_ms: 0,
        points: vec![
            p("MANAS", "Манас аэропорту", "Аэропорт Манас", "Manas airport", "Chui"),
            p("OSH-AIRPORT", "Ош аэропорту", "Аэропорт Ош", "Osh airport", "Osh"),
            p("AK-JOL", "Ак-Жол", "Ак-Жол", "Ak-Jol", "Chui"),
            p("DOSTUK", "Достук", "Достук", "Dostuk", "Osh"),
            p("TORUGART", "Торугарт", "Торугарт", "Torugart", "Naryn"),
            p("IRKESHTAM", "Эркечтам", "Иркештам", "Irkeshtam", "Osh"),
            p("MOW", "Москва (элчилик)", "Москва (посольство)", "Moscow (embassy)", "Russia"),
            p(
                "SVX",
                "Екатеринбург (башкы консулдук)",
                "Екатеринбург (генконсульство)",
                "Yekaterinburg (consulate general)",
                "Russia",
            ),
            p(
                "OVB",
                "Новосибирск (башкы консулдук)",
                "Новосибирск (генконсульство)",
                "Novosibirsk (consulate general)",
                "Russia",
            ),
            p("ALA", "Алматы (башкы консулдук)", "Алматы (генконсульство)", "Almaty (consulate general)", "Kazakhstan"),
            p("IST", "Стамбул (башкы консулдук)", "Стамбул (генконсульство)", "Istanbul (consulate general)", "Turkey"),
            p("DXB", "Дубай (башкы консулдук)", "Дубай (генконсульство)", "Dubai (consulate general)", "UAE"),
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

    fn list(sequence: u64) -> CrossingPointList {
        CrossingPointList { sequence, ..sample() }
    }

    #[test]
    fn the_sample_is_valid_and_lists_osh_airport() {
        validate(&sample()).unwrap();
        let osh = sample().find("OSH-AIRPORT").unwrap().clone();
        assert_eq!(osh.name_in("ru"), "Аэропорт Ош");
        assert_eq!(osh.name_in("uz"), "Osh airport", "an unknown language falls back to English");
        assert_eq!(osh.region, "Osh");
    }

    #[test]
    fn a_forged_altered_or_older_list_is_refused() {
        let hq = root(1);
        let signed = sign_list(CROSSING_DOMAIN, &list(2), &hq);
        check(&trust(&hq), &signed, 1).unwrap();
        assert_eq!(check(&trust(&hq), &signed, 2), Err(CrossingError::NotNewer { found: 2, held: 2 }));
        let forged = sign_list(CROSSING_DOMAIN, &list(2), &root(2));
        assert_eq!(check(&trust(&hq), &forged, 0), Err(CrossingError::BadSignature));
        let mut altered = signed.clone();
        altered.body.points[0].id = "FAKE".into();
        assert_eq!(check(&trust(&hq), &altered, 0), Err(CrossingError::BadSignature));
        // A directory signature does not pass for a crossing-point list.
        let other_domain = sign_list(crate::directory::DIRECTORY_DOMAIN, &list(2), &hq);
        assert_eq!(check(&trust(&hq), &other_domain, 0), Err(CrossingError::BadSignature));
    }

    #[test]
    fn bad_entries_are_refused_by_name() {
        let mut l = list(1);
        l.points[1].name.remove("ky");
        assert!(
            matches!(validate(&l), Err(CrossingError::Invalid { id, problem }) if id == "OSH-AIRPORT" && problem.contains("ky"))
        );
        let mut l = list(1);
        l.points[2].id = "osh airport".into();
        assert!(matches!(validate(&l), Err(CrossingError::Invalid { .. })));
        let mut l = list(1);
        l.points[2].id = "MANAS".into();
        assert_eq!(validate(&l), Err(CrossingError::Duplicate { id: "MANAS".into() }));
        let mut l = list(1);
        l.points[0].region = " ".into();
        assert!(matches!(validate(&l), Err(CrossingError::Invalid { .. })));
        assert_eq!(validate(&CrossingPointList { points: vec![], ..list(1) }), Err(CrossingError::Empty));
    }

    #[test]
    fn an_unknown_id_is_named_and_the_age_is_in_whole_days() {
        assert_eq!(sample().find("OSH").unwrap_err(), CrossingError::Unknown { id: "OSH".into() });
        let l = CrossingPointList { published_ms: 1_000, ..sample() };
        assert_eq!(l.age_days(1_000 + 3 * 86_400_000 + 5), 3);
        assert_eq!(l.age_days(0), 0);
    }
}
