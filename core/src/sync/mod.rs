//! Sync with headquarters (docs/PROTOCOL.md): the protocol's messages, the
//! request signature profile, and the device's client.

pub mod client;
pub mod httpsig;
pub mod protocol;

pub use client::{enroll, enroll_pinned, sync, RetryPolicy, SyncError, SyncProgress, SyncReport};
