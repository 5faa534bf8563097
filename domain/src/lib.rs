//! Homeward's domain: every rule of the product, once, as functions over
//! plain data. Devices (`homeward-core`, through the CLI and the phone
//! shells) and headquarters (`homeward-hq`) call the same code, so a case
//! folds alike everywhere and a screening is judged by one rule.
//!
//! Nothing here does I/O: no database, network, filesystem or clock.
//! Randomness comes in through [`rand_core`]'s traits ([`random`]) and time
//! as a value (milliseconds since the epoch, an [`date::IsoDate`]), so every
//! function is deterministic under test. Stores that keep these types live
//! above, in `homeward-core` (the device's vault) and `homeward-hq`
//! (headquarters' database). `scripts/check-domain-purity` keeps it so.
//!
//! - [`screening`]: checklist templates, validation, the Protocol's
//!   evaluation, recommended actions, consent rules, explanations, the
//!   report headquarters receives and its check, published templates.
//! - [`certificate`]: requests, fees, the lifecycle fold, the barcode codec,
//!   trust lists and offline verification.
//! - [`events`]: signed events, identities and key rings, the hybrid clock.
//! - [`audit`]: the audit entry, its signature and hash chain, the verifier.
//! - [`sync`]: the sync protocol's messages and the request-signature profile.
//! - [`text`]: folding names and document numbers into lookup keys.
//! - [`crossing`]: the signed list of crossing points a screening may name.
//! - [`directory`]: the signed referral directory and which partners an outcome points to.
//! - [`mrz`]: reading a travel document's machine-readable zone (ICAO Doc 9303).
//! - [`checkin`]: one-time unlock codes for the check-in lock.
//! - [`date`]: calendar dates; [`random`]: ids and key bytes from a caller's RNG.

pub mod audit;
pub mod certificate;
pub mod checkin;
pub mod crossing;
pub mod date;
pub mod directory;
pub mod events;
pub mod mrz;
pub mod random;
pub mod screening;
pub mod sync;
pub mod text;
