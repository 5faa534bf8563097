//! `homeward-ffi`: the Android and iOS shells' only way into Homeward.
//!
//! No rule lives here: every call converts its arguments, calls
//! `homeward-core`, and converts the result or the error. The API is coarse
//! (one call per user action), safe from any thread (objects hold the vault
//! behind a mutex), and typed so a screen never re-implements a rule: the
//! next question, validation messages and the outcome's "why" all come from
//! the core. Shell developers: docs/BINDINGS.md.
//!
//! - [`vault::HomewardVault`]: open or create, unlock and lock, status; the
//!   entry point that hands out the services below.
//! - [`screening::ScreeningService`], [`screening::ScreeningSession`]: screenings.
//! - [`certificate::CertificateService`]: requests, issuance, verification, entry.
//! - [`mrz::read_mrz`]: a document's machine-readable zone, read and checked.
//! - [`sync::SyncService`]: enrolment and sync, with progress and cancellation.
//! - [`forward::ForwardService`], [`forward::FrameReader`]: store and forward
//!   for posts without a link (a sealed bundle by file or QR frames).
//! - [`error::HomewardError`]: the one error type, mapped once from the core's.
//! - Callbacks: [`vault::PlatformKeyStore`] (Android Keystore, iOS Keychain),
//!   [`sync::SyncProgressListener`].

mod background;
pub mod certificate;
pub mod crossing;
pub mod directory;
pub mod error;
pub mod forward;
pub mod mrz;
mod num;
mod reason;
pub mod screening;
pub mod sync;
pub mod vault;

pub use error::HomewardError;

uniffi::setup_scaffolding!();
