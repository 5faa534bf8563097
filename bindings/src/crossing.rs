//! The crossing points a screening may start at, as the screening start
//! screen's picker needs them: id, name in the app's language, region; and
//! the list's age. The core refuses any other id (`InvalidInput`).

use homeward_core::screening::Lang;

use crate::error::Result;
use crate::reason::say;
use crate::vault::HomewardVault;

/// One place a screening can start at.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CrossingPoint {
    /// The code a screening records ("OSH-AIRPORT"): pass it as
    /// `NewScreeningInput.crossing_point`.
    pub id: String,
    /// The name in the vault's language (`set_language`).
    pub name: String,
    /// The region ("Osh", "Chui"), or a consulate's country.
    pub region: String,
}

/// Which list the device holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CrossingPointsInfo {
    /// The list's sequence: 0 for the compiled-in demo list.
    pub sequence: i64,
    /// Whole days since headquarters published it; none for the demo list
    /// (the device has not synced yet).
    pub age_days: Option<i64>,
    pub count: i32,
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Ky => "ky",
        Lang::Ru => "ru",
        Lang::En => "en",
    }
}

/// The reason an unknown crossing point is refused, in the call's language.
pub(crate) fn unknown(id: &str) -> String {
    say(
        &format!("«{id}» штаб бекиткен өткөрүү пункттарынын тизмесинде жок: тизмеден тандаңыз."),
        &format!("«{id}» нет в списке пунктов пропуска штаба: выберите пункт из списка."),
        &format!("{id:?} is not a crossing point on headquarters' list: choose one from the list."),
    )
}

#[uniffi::export]
impl HomewardVault {
    /// The crossing points a screening may start at, in the list's order,
    /// named in the vault's language: the list headquarters published
    /// (installed at enrolment and each sync), or the demo list before the
    /// first. Fast (reads the device profile).
    pub fn crossing_points(&self) -> Result<Vec<CrossingPoint>> {
        let lang = code(self.shared.language());
        let list = self.shared.with(|v| Ok(homeward_core::crossing_points::held(v)?))?;
        Ok(list
            .points
            .iter()
            .map(|p| CrossingPoint { id: p.id.clone(), name: p.name_in(lang).to_string(), region: p.region.clone() })
            .collect())
    }

    /// The list's sequence and age (show "updated N days ago" beside the picker).
    pub fn crossing_points_info(&self) -> Result<CrossingPointsInfo> {
        let list = self.shared.with(|v| Ok(homeward_core::crossing_points::held(v)?))?;
        Ok(CrossingPointsInfo {
            sequence: crate::num::long(list.sequence),
            age_days: (list.sequence > 0).then(|| list.age_days(crate::screening::now_ms())),
            count: crate::num::int(list.points.len()),
        })
    }
}
