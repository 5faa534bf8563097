//! Screenings on the device: records in the vault (drafts saved per answer,
//! finalisation, addenda, consent, listing and search), their signed reports
//! on the event log, and which checklist version the device works on. The
//! rules (templates, evaluation, actions, consent, the report) are the
//! domain's, re-exported here.

pub use homeward_domain::screening::*;

pub mod events;
pub mod installed;
pub mod records;

pub use events::{ScreeningEvents, StoredScreeningEvent};
pub use records::{
    ListFilter, NewScreening, ScreeningError, ScreeningRecordId, ScreeningRecords, ScreeningSummary, SCREENING_KIND,
};
