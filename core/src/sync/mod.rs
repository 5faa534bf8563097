//! Sync with headquarters (docs/PROTOCOL.md): the device's client. The
//! protocol's messages and request signatures are the domain's, re-exported.

pub use homeward_domain::sync::{httpsig, protocol};

pub mod client;
pub mod restore;

pub use client::{
    enroll, enroll_pinned, enroll_public_pki, enroll_shared, sync, sync_shared, sync_with_clock, Enrolling, Exclusive,
    HeadquartersRecovery, NetworkFailure, RetryPolicy, SyncError, SyncPhase, SyncProgress, SyncReport, VaultAccess,
};
