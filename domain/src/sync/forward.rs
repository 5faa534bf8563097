//! Store and forward (docs/PROTOCOL.md, "Store and forward"): a device at a
//! crossing without a link exports what waits to sync as one bundle, sealed
//! to headquarters and signed by the device; another enrolled device of the
//! same office carries it (it can neither read nor alter it) and forwards it
//! at its own next sync; headquarters opens it and takes it exactly as if
//! the first device had pushed. Headquarters' answer travels back as a
//! receipt signed by its root key.
//!
//! Crypto: an ephemeral X25519 key per bundle against headquarters'
//! published sealing key, HKDF-SHA256 over the shared secret and both public
//! keys, ChaCha20-Poly1305 (the key is used once, so a zero nonce is safe)
//! with the clear header as associated data; the device's Ed25519 key signs
//! the header and the ciphertext. Pure: the randomness is the caller's.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::protocol::{PushRequest, PushResult};
use crate::certificate::trust::{sign_list, verify_signed, RootKey, Signed};
use crate::events::DeviceIdentity;
use crate::random::CryptoRngCore;

/// The bundle's format name; another is refused, never guessed at.
pub const BUNDLE_FORMAT: &str = "homeward/forward-bundle/v1";
/// Signature domain of headquarters' published sealing key.
pub const SEALING_KEY_DOMAIN: &str = "homeward/hq-sealing-key/v1";
/// Signature domain of headquarters' receipt for a forwarded bundle.
pub const RECEIPT_DOMAIN: &str = "homeward/forward-receipt/v1";
/// The classification printed first in every bundle file.
pub const CLASSIFICATION: &str = "FOR OFFICIAL USE ONLY";
/// What headquarters' sealing secret is derived under (from its root key).
const SEALING_SECRET_INFO: &[u8] = b"homeward/hq-sealing-key/v1";
const KDF_INFO: &[u8] = b"homeward/forward-bundle/v1/key";
/// The most events one bundle carries: one push batch.
pub const MAX_EVENTS: usize = 1000;
/// The most a sealed push may inflate to (a batch's limit at headquarters).
const MAX_INFLATED: usize = 32 * 1024 * 1024;

/// Headquarters' public sealing key (X25519), published signed by the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealingKey {
    /// X25519 public key (hex).
    pub public_key: String,
    /// SHA-256 of the key, first 8 bytes (hex): named in every bundle.
    pub key_id: String,
}

impl SealingKey {
    fn point(&self) -> Option<MontgomeryPoint> {
        let b: [u8; 32] = hex::decode(&self.public_key).ok()?.try_into().ok()?;
        Some(MontgomeryPoint(b))
    }
}

fn key_id(pk: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(pk)[..8])
}

/// Headquarters' sealing secret, derived from its root key (every instance
/// holding `hq-identity.json` has it). Wiped on drop.
pub struct SealingSecret(Zeroizing<[u8; 32]>);

impl SealingSecret {
    pub fn derive(root: &DeviceIdentity) -> SealingSecret {
        SealingSecret(root.derive_secret(SEALING_SECRET_INFO))
    }

    pub fn public(&self) -> SealingKey {
        let pk = MontgomeryPoint::mul_base_clamped(*self.0).to_bytes();
        SealingKey { public_key: hex::encode(pk), key_id: key_id(&pk) }
    }

    /// The public key, signed by the root for devices to pin.
    pub fn publish(&self, root: &DeviceIdentity) -> Signed<SealingKey> {
        sign_list(SEALING_KEY_DOMAIN, &self.public(), root)
    }
}

/// Checks a published sealing key against the pinned roots.
pub fn check_sealing_key(roots: &[RootKey], key: &Signed<SealingKey>) -> Result<(), BundleError> {
    verify_signed(roots, SEALING_KEY_DOMAIN, key).map_err(|_| BundleError::UnsignedKey)?;
    let pk = key.body.point().ok_or(BundleError::UnsignedKey)?;
    if key_id(&pk.to_bytes()) != key.body.key_id {
        return Err(BundleError::UnsignedKey);
    }
    Ok(())
}

/// What is sealed inside: the push the device would have sent, under its
/// own idempotency key (the bundle's id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardPayload {
    pub idempotency_key: String,
    pub push: PushRequest,
}

/// A bundle as it travels: a clear header without personal data, the
/// sealed push, the device's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardBundle {
    /// First, so a person handling the file sees the marking.
    pub classification: String,
    pub format: String,
    /// The push's idempotency key: headquarters answers it once.
    pub bundle_id: String,
    /// The key id of the headquarters root it is for.
    pub hq: String,
    /// The sealing key it is sealed to (its key id).
    pub recipient_key_id: String,
    pub sender_device: String,
    /// The sender's Ed25519 public key (hex): lets a carrier check that the
    /// bundle is whole; headquarters checks it is the key it enrolled.
    pub sender_key: String,
    pub office: String,
    pub created_ms: i64,
    /// How many events are inside (certificate events and screening reports).
    pub events: u32,
    /// The bundle's ephemeral X25519 public key (hex).
    pub ephemeral_key: String,
    /// ChaCha20-Poly1305 over the deflated payload (base64 in JSON, bytes in CBOR).
    #[serde(with = "bytes_or_base64")]
    pub sealed: Vec<u8>,
    /// Ed25519 (hex) by the sender over everything above.
    pub signature: String,
}

/// Base64 in a human-readable form (JSON), raw bytes otherwise (CBOR for
/// QR frames, where every byte is a fraction of a frame).
mod bytes_or_base64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
        } else {
            s.serialize_bytes(v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            base64::engine::general_purpose::STANDARD.decode(s).map_err(serde::de::Error::custom)
        } else {
            serde_bytes_vec(d)
        }
    }

    fn serde_bytes_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = a.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(V)
    }
}

/// Why a bundle was refused: each a reason an officer or headquarters is shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a forward bundle (or a truncated one): {0}")]
    Malformed(String),
    #[error("this bundle's format ({0}) is not one this version reads")]
    Format(String),
    #[error("this bundle was altered: {0}")]
    Altered(&'static str),
    #[error("this bundle is for another headquarters")]
    OtherHeadquarters,
    #[error("this bundle is sealed to a key headquarters does not hold")]
    OtherSealingKey,
    #[error("this bundle comes from office {bundle}; this device is of office {device}")]
    OtherOffice { bundle: String, device: String },
    #[error("this bundle was signed by a key headquarters did not enrol for its device")]
    UnknownSender,
    #[error("this device holds no sealing key from headquarters yet: sync once first")]
    NoSealingKey,
    #[error("headquarters' sealing key is not signed by the pinned root")]
    UnsignedKey,
    #[error("nothing waits to be forwarded")]
    Empty,
    #[error("{0} events wait; a bundle carries at most {MAX_EVENTS}: send the rest in another")]
    TooMany(usize),
}

#[derive(Serialize)]
struct Header<'a> {
    domain: &'static str,
    classification: &'a str,
    format: &'a str,
    bundle_id: &'a str,
    hq: &'a str,
    recipient_key_id: &'a str,
    sender_device: &'a str,
    sender_key: &'a str,
    office: &'a str,
    created_ms: i64,
    events: u32,
    ephemeral_key: &'a str,
}

impl ForwardBundle {
    /// The associated data of the AEAD: every clear field but the signature.
    fn header_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Header {
            domain: BUNDLE_FORMAT,
            classification: &self.classification,
            format: &self.format,
            bundle_id: &self.bundle_id,
            hq: &self.hq,
            recipient_key_id: &self.recipient_key_id,
            sender_device: &self.sender_device,
            sender_key: &self.sender_key,
            office: &self.office,
            created_ms: self.created_ms,
            events: self.events,
            ephemeral_key: &self.ephemeral_key,
        })
        .expect("a header serialises")
    }

    fn signing_bytes(&self) -> Vec<u8> {
        let mut b = self.header_bytes();
        b.extend_from_slice(&Sha256::digest(&self.sealed));
        b
    }

    /// The idempotency key of a push: `fwd-` and the first 16 bytes of its
    /// SHA-256 (distinct from a direct push's key, so neither shadows the other).
    pub fn idempotency_key_of(push_json: &[u8]) -> String {
        format!("fwd-{}", hex::encode(&Sha256::digest(push_json)[..16]))
    }

    /// Seals `push` to headquarters' `key` (checked against `root` first)
    /// and signs it as `sender`.
    pub fn seal(
        push: PushRequest,
        key: &Signed<SealingKey>,
        root: &RootKey,
        sender: &DeviceIdentity,
        now_ms: i64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<ForwardBundle, BundleError> {
        let n = push.events.len() + push.screenings.len();
        if n == 0 {
            return Err(BundleError::Empty);
        }
        if n > MAX_EVENTS {
            return Err(BundleError::TooMany(n));
        }
        check_sealing_key(std::slice::from_ref(root), key)?;
        let hq_point = key.body.point().ok_or(BundleError::UnsignedKey)?;
        let push_json = Zeroizing::new(serde_json::to_vec(&push).expect("a push serialises"));
        let idempotency_key = ForwardBundle::idempotency_key_of(&push_json);
        let payload = ForwardPayload { idempotency_key: idempotency_key.clone(), push };
        let plain = Zeroizing::new(serde_json::to_vec(&payload).expect("a payload serialises"));
        let deflated = Zeroizing::new(miniz_oxide::deflate::compress_to_vec(&plain, 9));
        let eph = Zeroizing::new(crate::random::bytes::<32>(rng));
        let eph_pub = MontgomeryPoint::mul_base_clamped(*eph).to_bytes();
        let shared = Zeroizing::new(hq_point.mul_clamped(*eph).to_bytes());
        let mut b = ForwardBundle {
            classification: CLASSIFICATION.into(),
            format: BUNDLE_FORMAT.into(),
            bundle_id: idempotency_key,
            hq: root.kid.clone(),
            recipient_key_id: key.body.key_id.clone(),
            sender_device: sender.device_id().to_string(),
            sender_key: hex::encode(sender.public_key()),
            office: sender.office().to_string(),
            created_ms: now_ms,
            events: n as u32,
            ephemeral_key: hex::encode(eph_pub),
            sealed: Vec::new(),
            signature: String::new(),
        };
        let aead_key = derive_key(&shared, &eph_pub, &hq_point.to_bytes());
        b.sealed = ChaCha20Poly1305::new(aead_key.as_slice().into())
            .encrypt(&[0u8; 12].into(), Payload { msg: &deflated, aad: &b.header_bytes() })
            .map_err(|_| BundleError::Malformed("sealing failed".into()))?;
        b.signature = hex::encode(sender.sign(&b.signing_bytes()).to_bytes());
        Ok(b)
    }

    /// What a carrier can check without reading it: the format, that it is
    /// for this carrier's headquarters and office, and that it is whole
    /// (the signature verifies under the key it names; headquarters checks
    /// that key is the one it enrolled).
    pub fn check_carried(&self, root: &RootKey, office: &str) -> Result<(), BundleError> {
        if self.format != BUNDLE_FORMAT {
            return Err(BundleError::Format(self.format.clone()));
        }
        if self.hq != root.kid {
            return Err(BundleError::OtherHeadquarters);
        }
        self.verify_signature(&self.sender_key)?;
        if self.office != office {
            return Err(BundleError::OtherOffice { bundle: self.office.clone(), device: office.to_string() });
        }
        Ok(())
    }

    fn verify_signature(&self, key_hex: &str) -> Result<(), BundleError> {
        let pk: [u8; 32] = hex::decode(key_hex)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(BundleError::Altered("the sender's key is malformed"))?;
        let vk = VerifyingKey::from_bytes(&pk).map_err(|_| BundleError::Altered("the sender's key is malformed"))?;
        let sig: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(BundleError::Altered("the signature is malformed"))?;
        vk.verify(&self.signing_bytes(), &Signature::from_bytes(&sig))
            .map_err(|_| BundleError::Altered("the sender's signature does not verify"))
    }

    /// Headquarters' side: for this root, sealed to this secret, signed by
    /// `enrolled_key` (the sender's key as headquarters enrolled it), then
    /// opened. The payload's idempotency key must be the bundle's id.
    pub fn open(
        &self,
        root: &RootKey,
        secret: &SealingSecret,
        enrolled_key: &str,
    ) -> Result<ForwardPayload, BundleError> {
        if self.format != BUNDLE_FORMAT {
            return Err(BundleError::Format(self.format.clone()));
        }
        if self.hq != root.kid {
            return Err(BundleError::OtherHeadquarters);
        }
        let public = secret.public();
        if self.recipient_key_id != public.key_id {
            return Err(BundleError::OtherSealingKey);
        }
        if !self.sender_key.eq_ignore_ascii_case(enrolled_key) {
            return Err(BundleError::UnknownSender);
        }
        self.verify_signature(enrolled_key)?;
        let eph: [u8; 32] = hex::decode(&self.ephemeral_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(BundleError::Altered("the ephemeral key is malformed"))?;
        let shared = Zeroizing::new(MontgomeryPoint(eph).mul_clamped(*secret.0).to_bytes());
        let hq_pub: [u8; 32] = hex::decode(&public.public_key).expect("own key").try_into().expect("32 bytes");
        let aead_key = derive_key(&shared, &eph, &hq_pub);
        let deflated = Zeroizing::new(
            ChaCha20Poly1305::new(aead_key.as_slice().into())
                .decrypt(&[0u8; 12].into(), Payload { msg: &self.sealed, aad: &self.header_bytes() })
                .map_err(|_| BundleError::Altered("the sealed body does not open"))?,
        );
        let plain = Zeroizing::new(
            miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_INFLATED)
                .map_err(|_| BundleError::Malformed("the sealed body does not inflate".into()))?,
        );
        let payload: ForwardPayload = serde_json::from_slice(&plain)
            .map_err(|e| BundleError::Malformed(format!("the sealed push does not parse: {e}")))?;
        if payload.idempotency_key != self.bundle_id {
            return Err(BundleError::Altered("the sealed push is not the one the header names"));
        }
        let n = payload.push.events.len() + payload.push.screenings.len();
        if n != self.events as usize || n > MAX_EVENTS {
            return Err(BundleError::Altered("the sealed push does not hold what the header counts"));
        }
        Ok(payload)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a bundle serialises")
    }

    pub fn from_json(bytes: &[u8]) -> Result<ForwardBundle, BundleError> {
        serde_json::from_slice(bytes).map_err(|e| BundleError::Malformed(e.to_string()))
    }

    /// The compact form QR frames carry (CBOR, the ciphertext as raw bytes).
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).expect("a bundle serialises");
        out
    }

    pub fn from_cbor(bytes: &[u8]) -> Result<ForwardBundle, BundleError> {
        ciborium::from_reader(bytes).map_err(|e| BundleError::Malformed(e.to_string()))
    }
}

fn derive_key(shared: &[u8; 32], eph_pub: &[u8; 32], hq_pub: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph_pub);
    salt[32..].copy_from_slice(hq_pub);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(KDF_INFO, out.as_mut_slice()).expect("32 bytes is a valid HKDF output length");
    out
}

/// Headquarters' answer to a forwarded bundle, signed by its root: the
/// sender applies it as if it had pushed (whoever carries it back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardReceipt {
    pub bundle_id: String,
    pub sender_device: String,
    pub results: Vec<PushResult>,
}

pub fn sign_receipt(receipt: &ForwardReceipt, root: &DeviceIdentity) -> Signed<ForwardReceipt> {
    sign_list(RECEIPT_DOMAIN, receipt, root)
}

pub fn check_receipt(roots: &[RootKey], r: &Signed<ForwardReceipt>) -> Result<(), BundleError> {
    verify_signed(roots, RECEIPT_DOMAIN, r).map_err(|_| BundleError::Altered("the receipt's signature does not verify"))
}

/// `POST /v1/forward`: bundles carried by the signing device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardRequest {
    pub bundles: Vec<ForwardBundle>,
}

/// One answer per bundle, in order: its receipt, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardAnswer {
    pub bundle_id: String,
    #[serde(default)]
    pub receipt: Option<Signed<ForwardReceipt>>,
    /// A machine-readable reason (`altered`, `other_headquarters`, ...).
    #[serde(default)]
    pub refused: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardResponse {
    pub answers: Vec<ForwardAnswer>,
}

/// `POST /v1/forward/receipts`: a sender asks what headquarters holds of the
/// bundles it exported, before pushing the same events again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsRequest {
    pub bundle_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsResponse {
    pub receipts: Vec<Signed<ForwardReceipt>>,
}

impl BundleError {
    /// The reason's code in headquarters' answers and the CLI's JSON.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Malformed(_) => "malformed",
            BundleError::Format(_) => "format",
            BundleError::Altered(_) => "altered",
            BundleError::OtherHeadquarters => "other_headquarters",
            BundleError::OtherSealingKey => "other_sealing_key",
            BundleError::OtherOffice { .. } => "other_office",
            BundleError::UnknownSender => "unknown_sender",
            BundleError::NoSealingKey => "no_sealing_key",
            BundleError::UnsignedKey => "unsigned_key",
            BundleError::Empty => "empty",
            BundleError::TooMany(_) => "too_many",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Role;
    use rand_chacha::rand_core::SeedableRng;

    fn setup() -> (DeviceIdentity, DeviceIdentity, rand_chacha::ChaCha20Rng) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let root = DeviceIdentity::generate("hq", Role::Headquarters, "HQ", &mut rng);
        let dev = DeviceIdentity::generate("osh-01-aa", Role::BorderGuard, "OSH", &mut rng);
        (root, dev, rng)
    }

    fn push() -> PushRequest {
        PushRequest { events: vec![], screenings: vec![] }
    }

    #[test]
    fn empty_is_refused_and_keys_derive_alike() {
        let (root, dev, mut rng) = setup();
        let s = SealingSecret::derive(&root);
        assert_eq!(s.public(), SealingSecret::derive(&root).public());
        let key = s.publish(&root);
        check_sealing_key(&[RootKey::of(&root)], &key).unwrap();
        let err = ForwardBundle::seal(push(), &key, &RootKey::of(&root), &dev, 1, &mut rng).unwrap_err();
        assert_eq!(err, BundleError::Empty);
        let mut forged = key.clone();
        forged.body.public_key = hex::encode([9u8; 32]);
        assert_eq!(check_sealing_key(&[RootKey::of(&root)], &forged), Err(BundleError::UnsignedKey));
    }
}
