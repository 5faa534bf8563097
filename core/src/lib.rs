//! Homeward's core on a device: the encrypted vault, the stores that keep
//! the domain's types in it, and the sync client. Every rule is in
//! `homeward-domain` (pure, no I/O); this crate keeps what it decides. The
//! shells (Android, iOS, the CLI) call into it and re-implement nothing.
//!
//! The domain's modules are re-exported under the same names, each merged
//! with the store that keeps its types, so a shell needs one crate:
//! `homeward_core::screening::Template` (a rule) beside
//! `homeward_core::screening::ScreeningRecords` (the vault's records).
//!
//! - [`vault`]: the encrypted local store (rusqlite + XChaCha20-Poly1305,
//!   keys from argon2id).
//! - [`screening`]: screening records and their signed reports in the vault;
//!   which checklist version the device works on.
//! - [`certificate`]: the device's cases (signed events) and its profile
//!   (identity, key ring, trust lists, installed templates).
//! - [`audit`]: the audit log in the vault.
//! - [`referral`]: referrals to partners, checked against consent, and
//!   packages encrypted to the partner's key.
//! - [`directory`]: the referral directory's rules (the partners a
//!   referral may go to); the device keeps it in its profile.
//! - [`retention`]: purging acknowledged cases after the retention period.
//! - [`export`]: classification labels and the statistics export.
//! - [`sync`]: the device's sync client (reqwest + rustls).
//! - [`random`]: the operating system's generator, for the domain's calls;
//!   [`date`]: the domain's dates, and today's from the device's clock.

pub mod audit;
pub mod certificate;
pub mod crossing_points;
pub mod date;
pub mod export;
pub mod forward;
pub mod random;
pub mod referral;
pub mod retention;
pub mod screening;
pub mod sync;
pub mod vault;

pub use homeward_domain::{checkin, crossing, directory, events, mrz, text};
