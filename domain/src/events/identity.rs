//! Who writes events: a device (or headquarters) identity with an Ed25519
//! key, a role and an office; and the key ring of identities a device trusts.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::random::CryptoRngCore;

/// The role an identity acts in. Each event kind may come only from the
/// roles allowed to make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    BorderGuard,
    ConsularOfficer,
    Headquarters,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "border_guard" | "border-guard" => Ok(Role::BorderGuard),
            "consular_officer" | "consular-officer" | "consular" => Ok(Role::ConsularOfficer),
            "headquarters" | "hq" => Ok(Role::Headquarters),
            other => Err(format!("unknown role {other:?}; use border_guard, consular_officer or headquarters")),
        }
    }
}

/// A signing identity. The secret key is wiped from memory when dropped.
pub struct DeviceIdentity {
    device_id: String,
    role: Role,
    office: String,
    key: SigningKey,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id)
            .field("role", &self.role)
            .field("office", &self.office)
            .finish_non_exhaustive()
    }
}

/// The stored form of an identity (kept only inside the vault).
#[derive(Serialize, Deserialize)]
pub struct StoredIdentity {
    pub device_id: String,
    pub role: Role,
    pub office: String,
    pub secret_key: String,
}

impl Drop for StoredIdentity {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret_key);
    }
}

impl DeviceIdentity {
    /// A new identity with a fresh key from `rng` (the OS generator on a
    /// device or at headquarters).
    pub fn generate(device_id: &str, role: Role, office: &str, rng: &mut impl CryptoRngCore) -> DeviceIdentity {
        let seed = Zeroizing::new(crate::random::bytes::<32>(rng));
        DeviceIdentity {
            device_id: device_id.to_string(),
            role,
            office: office.to_string(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The same key under the id, role and office headquarters assigned.
    pub fn renamed(self, device_id: &str, role: Role, office: &str) -> DeviceIdentity {
        DeviceIdentity { device_id: device_id.to_string(), role, office: office.to_string(), key: self.key }
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn office(&self) -> &str {
        &self.office
    }

    pub fn sign(&self, message: &[u8]) -> Signature {
        self.key.sign(message)
    }

    /// A 32-byte secret derived from this identity's key for another use
    /// (HKDF-SHA256, `info` naming the use): headquarters' sealing key for
    /// forwarded bundles is derived from its root key, so every instance
    /// that holds `hq-identity.json` holds it too and nothing new is stored.
    pub fn derive_secret(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        let seed = Zeroizing::new(self.key.to_bytes());
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"homeward/derived-key/v1"), seed.as_slice());
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(info, out.as_mut_slice()).expect("32 bytes is a valid HKDF output length");
        out
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn public(&self) -> PublicIdentity {
        PublicIdentity {
            device_id: self.device_id.clone(),
            role: self.role,
            office: self.office.clone(),
            public_key: hex::encode(self.public_key()),
        }
    }

    pub fn to_stored(&self) -> StoredIdentity {
        StoredIdentity {
            device_id: self.device_id.clone(),
            role: self.role,
            office: self.office.clone(),
            secret_key: hex::encode(self.key.to_bytes()),
        }
    }

    pub fn from_stored(s: &StoredIdentity) -> Option<DeviceIdentity> {
        let bytes = Zeroizing::new(hex::decode(&s.secret_key).ok()?);
        let arr: Zeroizing<[u8; 32]> = Zeroizing::new(bytes.as_slice().try_into().ok()?);
        Some(DeviceIdentity {
            device_id: s.device_id.clone(),
            role: s.role,
            office: s.office.clone(),
            key: SigningKey::from_bytes(&arr),
        })
    }
}

/// The public half of an identity, as headquarters registers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicIdentity {
    pub device_id: String,
    pub role: Role,
    pub office: String,
    /// Ed25519 public key (hex).
    pub public_key: String,
}

impl PublicIdentity {
    pub fn verifying_key(&self) -> Result<VerifyingKey, String> {
        let bytes: [u8; 32] =
            hex::decode(&self.public_key).ok().and_then(|b| b.try_into().ok()).ok_or("not a 32-byte key")?;
        VerifyingKey::from_bytes(&bytes).map_err(|e| e.to_string())
    }
}

/// The identities whose events a device accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRing {
    identities: BTreeMap<String, PublicIdentity>,
}

impl KeyRing {
    pub fn add(&mut self, id: PublicIdentity) {
        self.identities.insert(id.device_id.clone(), id);
    }

    pub fn get(&self, device_id: &str) -> Option<&PublicIdentity> {
        self.identities.get(device_id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &PublicIdentity> {
        self.identities.values()
    }
}
