//! Certificates of Return on the device: the cases (signed events) in the
//! vault and the device's profile. The rules (requests, fees, the lifecycle
//! fold, the barcode, trust lists, verification) are the domain's,
//! re-exported here. See docs/CERTIFICATES.md.

pub use homeward_domain::certificate::*;

pub mod photo;
pub mod store;

pub use store::{CaseError, CaseSummary, CertificateCases, DeviceProfile};
