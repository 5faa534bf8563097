//! Which checklist this device works on: the newest that headquarters
//! published and the device installed (kept in its profile), else the
//! default; and, for a draft, the version it was started on.

use super::{default_checklist, Checklist, Screening, ScreeningRecords};
use crate::certificate::DeviceProfile;
use crate::vault::{RecordId, Vault};

/// The checklist new screenings on this device use: the newest headquarters
/// published and the device installed, else the default.
pub fn current_checklist(vault: &Vault) -> Checklist {
    DeviceProfile::load(vault).map(|p| p.templates.current_checklist()).unwrap_or_else(|_| default_checklist())
}

/// The checklist a screening was started on (the default when this device
/// does not hold that version, or the screening cannot be read: then the
/// caller's own load reports why).
pub fn checklist_of_screening(vault: &mut Vault, screening: RecordId) -> Checklist {
    let default = default_checklist();
    let Ok(s) = ScreeningRecords::new(vault, &default).load(screening) else { return default };
    checklist_for_screening(vault, &s)
}

/// The same, for a screening already loaded.
pub fn checklist_for_screening(vault: &Vault, s: &Screening) -> Checklist {
    DeviceProfile::load(vault)
        .ok()
        .and_then(|p| p.templates.checklist_for(&s.template_id, s.template_version))
        .unwrap_or_else(default_checklist)
}
