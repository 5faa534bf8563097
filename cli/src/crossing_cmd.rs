//! The crossing points this device may start a screening at, on a terminal:
//! the list headquarters published (installed at enrolment and each sync),
//! or the compiled-in demo list before the first, with its age.

use homeward_core::crossing_points;
use homeward_core::screening::Lang;
use homeward_core::vault::DeviceKeyStore;

use crate::dataprot_cmd::now_ms;
use crate::output::{CliError, Output};

pub fn crossing_points_cmd(
    out: &Output,
    dir: &std::path::Path,
    ks: Option<&dyn DeviceKeyStore>,
    lang: Lang,
) -> Result<(), CliError> {
    let v = crate::open_unlocked(dir, ks)?;
    let list = crossing_points::held(&v).map_err(CliError::Case)?;
    // Sequence 0 is the compiled-in list: it was never published, so it has no age.
    let age = (list.sequence > 0).then(|| list.age_days(now_ms()));
    let what = match age {
        Some(d) => format!("{d} day{} old", if d == 1 { "" } else { "s" }),
        None => "the demo list: this device has not synced yet".into(),
    };
    let mut text = format!("Crossing points {} ({what}):", list.sequence);
    for p in &list.points {
        text.push_str(&format!("\n  {:<12} {:<12} {}", p.id, p.region, p.name_in(lang.code())));
    }
    let points: Vec<serde_json::Value> = list
        .points
        .iter()
        .map(|p| serde_json::json!({ "id": p.id, "name": p.name_in(lang.code()), "region": p.region }))
        .collect();
    out.print(&text, &serde_json::json!({ "sequence": list.sequence, "age_days": age, "points": points }));
    Ok(())
}
