//! The trust chain for certificates, held offline on every border device.
//!
//! - Headquarters holds the **root** key (the country signing key, like an
//!   ICAO CSCA). Its public key is pinned on every device at enrolment.
//! - Each consulate device that issues has a **document signer** key. The
//!   root publishes a signed **trust list** of signer keys, each with its
//!   office and validity window (as the EU digital COVID certificate's trust
//!   lists, rather than ICAO's per-signer certificates inside the barcode:
//!   a barcode then only carries an 8-byte key id, which keeps the QR small).
//! - The root publishes a signed **revocation list** of certificate numbers
//!   and of signer keys (a lost or seized consulate device).
//! - Both lists carry a sequence number (a device refuses an older list than
//!   it has: no rollback) and their issue time. Verifiers warn when a list is
//!   stale and refuse past a configured age: the EU verifiers that kept
//!   accepting revoked certificates on weeks-old lists are the lesson.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::barcode::key_id;
use crate::date::IsoDate;
use crate::events::DeviceIdentity;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerEntry {
    /// Key id (hex of the 8-byte id).
    pub kid: String,
    /// Ed25519 public key (hex).
    pub public_key: String,
    pub office: String,
    pub device_id: String,
    /// Certificates issued outside this window are refused.
    pub not_before: IsoDate,
    pub not_after: IsoDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    pub sequence: u64,
    pub issued_at_ms: i64,
    pub signers: Vec<SignerEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    pub sequence: u64,
    pub issued_at_ms: i64,
    pub certificates: Vec<String>,
    /// Key ids (hex) of revoked signers.
    pub signers: Vec<String>,
    /// Certificates a revoked signer issued that headquarters accepted before
    /// the revocation: they stay valid. SHA-256 (hex) of each barcode text
    /// exactly as issued, not the number: a stolen key could sign a known
    /// number again for someone else. (Older devices ignore this and refuse
    /// them, as before.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
    /// The revoked signers those certificates need (they left the trust list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_signers: Vec<SignerEntry>,
}

/// The digest by which a revocation list keeps a certificate: SHA-256 (hex)
/// of its barcode text.
pub fn barcode_digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// A list signed by a root key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed<T> {
    pub body: T,
    pub root_kid: String,
    pub signature: String,
}

fn signed_bytes<T: Serialize>(domain: &str, body: &T) -> Vec<u8> {
    let mut m = domain.as_bytes().to_vec();
    m.push(0);
    m.extend(serde_json::to_vec(body).expect("a list serialises"));
    m
}

/// Signs a list with the root identity.
pub fn sign_list<T: Serialize + Clone>(domain: &str, body: &T, root: &DeviceIdentity) -> Signed<T> {
    Signed {
        body: body.clone(),
        root_kid: hex::encode(key_id(&root.public_key())),
        signature: hex::encode(root.sign(&signed_bytes(domain, body)).to_bytes()),
    }
}

pub const TRUST_LIST: &str = "homeward/trust-list/v1";
pub const REVOCATION_LIST: &str = "homeward/revocation-list/v1";

/// A pinned root key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootKey {
    pub kid: String,
    pub public_key: String,
}

impl RootKey {
    pub fn of(root: &DeviceIdentity) -> RootKey {
        let pk = root.public_key();
        RootKey { kid: hex::encode(key_id(&pk)), public_key: hex::encode(pk) }
    }
}

/// When lists are too old to rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freshness {
    /// Warn the officer after this many hours (default 7 days).
    pub warn_after_hours: i64,
    /// Refuse to verify after this many hours (default 30 days).
    pub refuse_after_hours: i64,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness { warn_after_hours: 7 * 24, refuse_after_hours: 30 * 24 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("the list is not signed by a pinned root key")]
    UnknownRoot,
    #[error("the list's signature does not verify")]
    BadSignature,
    #[error("the list (sequence {offered}) is older than the one held (sequence {held}): refused")]
    Rollback { held: u64, offered: u64 },
}

/// What a border device holds to verify certificates offline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustStore {
    pub roots: Vec<RootKey>,
    pub trust_list: Option<Signed<TrustList>>,
    pub revocations: Option<Signed<RevocationList>>,
    #[serde(default)]
    pub freshness: Freshness,
}

/// Checks that `s` is signed, for `domain`, by one of the pinned `roots`.
pub fn verify_signed<T: Serialize>(roots: &[RootKey], domain: &str, s: &Signed<T>) -> Result<(), TrustError> {
    let root = roots.iter().find(|r| r.kid == s.root_kid).ok_or(TrustError::UnknownRoot)?;
    let pk: [u8; 32] =
        hex::decode(&root.public_key).ok().and_then(|b| b.try_into().ok()).ok_or(TrustError::UnknownRoot)?;
    let sig: [u8; 64] =
        hex::decode(&s.signature).ok().and_then(|b| b.try_into().ok()).ok_or(TrustError::BadSignature)?;
    VerifyingKey::from_bytes(&pk)
        .map_err(|_| TrustError::UnknownRoot)?
        .verify(&signed_bytes(domain, &s.body), &Signature::from_bytes(&sig))
        .map_err(|_| TrustError::BadSignature)
}

/// A list older than the one held is refused: no rollback to a list that
/// predates a revocation.
fn no_rollback(held: Option<u64>, offered: u64) -> Result<(), TrustError> {
    match held {
        Some(held) if offered < held => Err(TrustError::Rollback { held, offered }),
        _ => Ok(()),
    }
}

impl TrustStore {
    pub fn with_root(root: RootKey) -> TrustStore {
        TrustStore { roots: vec![root], ..Default::default() }
    }

    /// Installs a trust list after checking its signature and sequence.
    pub fn install_trust_list(&mut self, list: Signed<TrustList>) -> Result<(), TrustError> {
        verify_signed(&self.roots, TRUST_LIST, &list)?;
        no_rollback(self.trust_list.as_ref().map(|h| h.body.sequence), list.body.sequence)?;
        self.trust_list = Some(list);
        Ok(())
    }

    /// Installs a revocation list after checking its signature and sequence.
    pub fn install_revocations(&mut self, list: Signed<RevocationList>) -> Result<(), TrustError> {
        verify_signed(&self.roots, REVOCATION_LIST, &list)?;
        no_rollback(self.revocations.as_ref().map(|h| h.body.sequence), list.body.sequence)?;
        self.revocations = Some(list);
        Ok(())
    }

    /// Re-checks the held lists' signatures (the store is read from disk).
    pub fn check(&self) -> Result<(), TrustError> {
        if let Some(t) = &self.trust_list {
            verify_signed(&self.roots, TRUST_LIST, t)?;
        }
        if let Some(r) = &self.revocations {
            verify_signed(&self.roots, REVOCATION_LIST, r)?;
        }
        Ok(())
    }

    pub fn signer(&self, kid: &[u8; 8]) -> Option<&SignerEntry> {
        let k = hex::encode(kid);
        self.trust_list.as_ref()?.body.signers.iter().find(|s| s.kid == k)
    }
}

/// A signer entry for a consulate device's identity.
pub fn signer_entry(signer: &DeviceIdentity, not_before: IsoDate, not_after: IsoDate) -> SignerEntry {
    let pk = signer.public_key();
    SignerEntry {
        kid: hex::encode(key_id(&pk)),
        public_key: hex::encode(pk),
        office: signer.office().to_string(),
        device_id: signer.device_id().to_string(),
        not_before,
        not_after,
    }
}
