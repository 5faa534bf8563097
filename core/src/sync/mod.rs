//! Sync with headquarters (docs/PROTOCOL.md): the protocol's messages, the
//! request signature profile, and the device's client.

pub mod client;
pub mod httpsig;
pub mod protocol;

pub use client::{enroll, enroll_pinned, sync, sync_with_clock, RetryPolicy, SyncError, SyncProgress, SyncReport};
