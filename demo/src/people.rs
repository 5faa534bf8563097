//! Fictional people and the shape of the demo's data, taken from the figures
//! in DOMAIN.md: in 2014 consulates issued 4,170 certificates of return in
//! Russia, 200 in Turkey and 30 in the UAE; victims in Turkey and the UAE were
//! mostly women in sexual exploitation, in Russia and Kazakhstan mostly men in
//! forced labour; about 70% of citizens at risk are men. The small offices are
//! scaled up so that each has something to show (and the smallest still falls
//! under the statistics' suppression threshold, as it would).

use rand_chacha::rand_core::RngCore;

/// A consulate the demo simulates, with its share of the requests.
pub struct Consulate {
    pub office: &'static str,
    pub label: &'static str,
    pub route: &'static str,
    /// Requests per 1,000 of the demo's total.
    pub share: u32,
    /// Per mille of requests from (presumed) trafficking victims.
    pub victims: u32,
    /// Per mille of applicants who are men.
    pub men: u32,
    /// The usual way the passport was lost, for victims.
    pub loss: &'static str,
}

pub const CONSULATES: [Consulate; 4] = [
    Consulate {
        office: "MOW",
        label: "consulate, Moscow",
        route: "Moscow - Bishkek",
        share: 780,
        victims: 80,
        men: 700,
        loss: "held_by_employer",
    },
    Consulate {
        office: "ALA",
        label: "consulate, Almaty",
        route: "Almaty - Bishkek (Ak-Jol)",
        share: 100,
        victims: 120,
        men: 650,
        loss: "held_by_employer",
    },
    Consulate {
        office: "IST",
        label: "consulate, Istanbul",
        route: "Istanbul - Bishkek",
        share: 80,
        victims: 450,
        men: 150,
        loss: "held_by_trafficker",
    },
    Consulate {
        office: "DXB",
        label: "consulate, Dubai",
        route: "Dubai - Osh",
        share: 40,
        victims: 500,
        men: 100,
        loss: "held_by_trafficker",
    },
];

/// A border post the demo simulates, with its share of the screenings.
pub struct BorderPost {
    pub office: &'static str,
    /// The crossing point its screenings name (on headquarters' list).
    pub crossing: &'static str,
    pub label: &'static str,
    pub share: u32,
}

/// The crossing point a device of `office` screens at: a border post's
/// own, else the office's code (a consulate: "IST").
pub fn crossing_of(office: &str) -> String {
    BORDER_POSTS.iter().find(|b| b.office == office).map(|b| b.crossing).unwrap_or(office).to_string()
}

pub const BORDER_POSTS: [BorderPost; 3] = [
    BorderPost { office: "MANAS", crossing: "MANAS", label: "border post, Manas airport", share: 500 },
    BorderPost { office: "OSH", crossing: "OSH-AIRPORT", label: "border post, Osh airport", share: 300 },
    BorderPost { office: "AKJOL", crossing: "AK-JOL", label: "border post, Ak-Jol road crossing", share: 200 },
];

const MEN: [&str; 10] = ["Азамат", "Бакыт", "Нурлан", "Эрлан", "Тимур", "Улан", "Адилет", "Бектур", "Канат", "Мирлан"];
const WOMEN: [&str; 10] =
    ["Айгуль", "Жылдыз", "Нургуль", "Айжан", "Гулзат", "Мээрим", "Асель", "Чолпон", "Бермет", "Динара"];
const SURNAMES: [&str; 10] = [
    "Асанов",
    "Токтогулов",
    "Жумабеков",
    "Осмонов",
    "Садыков",
    "Бекмуратов",
    "Исаков",
    "Мамытов",
    "Турдубаев",
    "Алиев",
];
const PLACES: [&str; 6] = ["Бишкек", "Ош", "Джалал-Абад", "Каракол", "Нарын", "Баткен"];

/// A fictional applicant.
pub struct Person {
    pub surname: String,
    pub given_name: String,
    pub man: bool,
    pub place_of_birth: &'static str,
    /// Years, 18 to 55.
    pub age: u32,
}

pub fn per_mille(rng: &mut impl RngCore, p: u32) -> bool {
    rng.next_u32() % 1000 < p
}

pub fn pick<'a, T>(rng: &mut impl RngCore, items: &'a [T]) -> &'a T {
    &items[rng.next_u32() as usize % items.len()]
}

/// Chooses an item by its share (per mille).
pub fn by_share<'a, T>(rng: &mut impl RngCore, items: &'a [T], share: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&share).sum();
    let mut r = rng.next_u32() % total.max(1);
    for i in items {
        let s = share(i);
        if r < s {
            return i;
        }
        r -= s;
    }
    &items[items.len() - 1]
}

pub fn person(rng: &mut impl RngCore, men_per_mille: u32) -> Person {
    let man = per_mille(rng, men_per_mille);
    let surname = pick(rng, &SURNAMES).to_string();
    Person {
        surname: if man { surname } else { format!("{surname}а") },
        given_name: pick(rng, if man { &MEN } else { &WOMEN }).to_string(),
        man,
        place_of_birth: pick::<&str>(rng, &PLACES),
        age: 18 + rng.next_u32() % 38,
    }
}

/// What a screened traveller's answers show, with how often each occurs at a
/// border (most travellers show nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreeningProfile {
    NoIndicators,
    /// An act only (a job abroad arranged by someone): at risk, not a victim.
    ActOnly,
    /// Act, means and forced labour: a presumed adult victim.
    ForcedLabour,
    /// Act, means and sexual exploitation: a presumed adult victim.
    Sexual,
    /// A child recruited for work: act and purpose suffice.
    ChildLabour,
}

pub fn screening_profile(rng: &mut impl RngCore) -> ScreeningProfile {
    match rng.next_u32() % 1000 {
        0..=799 => ScreeningProfile::NoIndicators,
        800..=909 => ScreeningProfile::ActOnly,
        910..=964 => ScreeningProfile::ForcedLabour,
        965..=989 => ScreeningProfile::Sexual,
        _ => ScreeningProfile::ChildLabour,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn shares_follow_the_figures() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut mow = 0;
        for _ in 0..10_000 {
            if by_share(&mut rng, &CONSULATES, |c| c.share).office == "MOW" {
                mow += 1;
            }
        }
        assert!((7_500..8_100).contains(&mow), "Moscow takes about 78%: {mow}");
        let men = (0..10_000).filter(|_| person(&mut rng, 700).man).count();
        assert!((6_700..7_300).contains(&men), "about 70% men: {men}");
        let plain = (0..10_000).filter(|_| screening_profile(&mut rng) == ScreeningProfile::NoIndicators).count();
        assert!((7_700..8_300).contains(&plain), "most travellers show nothing: {plain}");
    }
}
