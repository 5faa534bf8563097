//! The sync protocol as both sides speak it (docs/PROTOCOL.md): its
//! messages and the request-signature profile. The device's client is in
//! `homeward_core::sync`; headquarters' handlers in `homeward-hq`.

pub mod forward;
pub mod httpsig;
pub mod protocol;
