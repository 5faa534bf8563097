//! Homeward's core: every rule of the product, once. The shells (Android,
//! iOS, CLI, the headquarters server) call into it and re-implement nothing.
//!
//! - [`audit`]: the signed, hash-chained audit trail and its verifier.
//! - [`export`]: classification labels and the statistics export.
//! - [`referral`]: referrals to partners, checked against consent, and
//!   packages encrypted to the partner's key.
//! - [`retention`]: purging acknowledged cases after the retention period.
//! - [`text`]: folding of names and document numbers for exact lookup (pure).
//! - [`events`]: the signed event log (Ed25519), its ordering and forks.
//! - [`certificate`]: Certificates of Return: requests, their lifecycle as a
//!   fold over events, issuance, the signed barcode and its offline verification.
//! - [`screening`]: checklist templates, the Protocol's evaluation (pure),
//!   screening records (in the vault).
//! - [`sync`]: the sync protocol's messages, request signatures (RFC 9421
//!   profile), and the device's sync client.
//! - [`vault`]: the encrypted local store (rusqlite + XChaCha20-Poly1305,
//!   keys from argon2id).

pub mod audit;
pub mod certificate;
pub mod checkin;
pub mod events;
pub mod export;
pub mod referral;
pub mod retention;
pub mod screening;
pub mod sync;
pub mod text;
pub mod vault;
