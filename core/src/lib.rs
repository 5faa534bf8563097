//! Homeward's core: every rule of the product, once. The shells (Android,
//! iOS, CLI, the headquarters server) call into it and re-implement nothing.
//!
//! - [`text`]: folding of names and document numbers for exact lookup (pure).
//! - [`screening`]: checklist templates, the Protocol's evaluation (pure),
//!   screening records (in the vault).
//! - [`vault`]: the encrypted local store (rusqlite + XChaCha20-Poly1305,
//!   keys from argon2id).

pub mod screening;
pub mod text;
pub mod vault;
