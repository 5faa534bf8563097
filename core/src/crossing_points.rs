//! The crossing points this device may start a screening at: the list
//! headquarters published and the device installed at enrolment or its last
//! pull, or, before it holds one, the compiled-in sample (as the compiled-in
//! checklist stands in before headquarters publishes one). See
//! `homeward_domain::crossing`.

use homeward_domain::crossing::{sample, CrossingPointList};

use crate::certificate::{CaseError, DeviceProfile};
use crate::vault::Vault;

/// The list in `profile`, or the sample (sequence 0) when none is installed.
pub fn of(profile: &DeviceProfile) -> CrossingPointList {
    profile.crossing_points.as_ref().map(|c| c.body.clone()).unwrap_or_else(sample)
}

/// The list held in this vault (see [`of`]).
pub fn held(vault: &Vault) -> Result<CrossingPointList, CaseError> {
    Ok(of(&DeviceProfile::load(vault)?))
}
