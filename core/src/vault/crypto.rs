//! Key derivation and the vault's key hierarchy:
//! passphrase --argon2id--> key-encryption key --unwraps--> data key
//! --HKDF--> record, index and attachment subkeys.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::Tag;
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::error::{Result, VaultError};

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;
pub const SALT_LEN: usize = 16;

/// Fills a buffer from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).expect("the operating system's random source failed");
    out
}

/// A fresh random nonce. Nonces are public, so they are drawn from the OS
/// CSPRNG in batches (one system call per 170 nonces) rather than one call
/// per write; keys and salts always come straight from [`random_bytes`].
pub fn fresh_nonce() -> [u8; NONCE_LEN] {
    use std::cell::RefCell;
    const POOL: usize = NONCE_LEN * 170;
    thread_local! {
        static NONCES: RefCell<(Box<[u8; POOL]>, usize)> = RefCell::new((Box::new([0u8; POOL]), POOL));
    }
    NONCES.with(|n| {
        let (pool, used) = &mut *n.borrow_mut();
        if *used == POOL {
            getrandom::getrandom(&mut pool[..]).expect("the operating system's random source failed");
            *used = 0;
        }
        let mut out = [0u8; NONCE_LEN];
        out.copy_from_slice(&pool[*used..*used + NONCE_LEN]);
        // Never hand out the same bytes twice.
        pool[*used..*used + NONCE_LEN].fill(0);
        *used += NONCE_LEN;
        out
    })
}

/// argon2id parameters, stored in the vault header so they can be raised
/// later without breaking existing vaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always "argon2id" today; stored so a future algorithm can be told apart.
    pub algorithm: String,
    /// argon2 version (0x13).
    pub version: u32,
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane). Nothing weaker
    /// is accepted for a new vault.
    pub const OWASP_MIN_M_KIB: u32 = 19 * 1024;
    pub const OWASP_MIN_T: u32 = 2;

    /// The default for new vaults: 128 MiB, 4 passes, 1 lane: twice the
    /// memory of RFC 9106's second recommended option, one lane because
    /// phones unlock on one core, tuned to about 300 ms on the reference
    /// machine (docs/PERFORMANCE.md) and so about a second on a slow phone.
    /// See docs/SECURITY.md for the reasoning.
    pub fn recommended() -> Self {
        Self::argon2id(128 * 1024, 4, 1)
    }

    /// OWASP's minimum; used by tests that unlock many times, and acceptable
    /// on low-end devices.
    pub fn owasp_minimum() -> Self {
        Self::argon2id(Self::OWASP_MIN_M_KIB, Self::OWASP_MIN_T, 1)
    }

    pub fn argon2id(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Self {
        KdfParams { algorithm: "argon2id".into(), version: 0x13, m_cost_kib, t_cost, p_cost }
    }

    /// Rejects parameters below OWASP's minimum.
    pub fn check_minimum(&self) -> Result<()> {
        if self.algorithm != "argon2id" || self.version != 0x13 {
            return Err(VaultError::WeakKdf(format!("unsupported algorithm {} v{}", self.algorithm, self.version)));
        }
        if self.m_cost_kib < Self::OWASP_MIN_M_KIB || self.t_cost < Self::OWASP_MIN_T {
            return Err(VaultError::WeakKdf(format!(
                "need at least {} KiB and {} passes, got {} KiB and {}",
                Self::OWASP_MIN_M_KIB,
                Self::OWASP_MIN_T,
                self.m_cost_kib,
                self.t_cost
            )));
        }
        if self.p_cost == 0 || self.p_cost > 8 {
            return Err(VaultError::WeakKdf("lanes must be 1 to 8".into()));
        }
        Ok(())
    }

    /// True when `self` costs less than `target` on any axis, so the vault
    /// should be rewrapped at the next unlock.
    pub fn weaker_than(&self, target: &KdfParams) -> bool {
        self.m_cost_kib < target.m_cost_kib || self.t_cost < target.t_cost
    }

    /// A canonical byte string of the parameters, bound into the wrapped
    /// key's associated data so that altered parameters fail to unwrap.
    pub(crate) fn binding(&self) -> Vec<u8> {
        format!("{}:{}:{}:{}:{}", self.algorithm, self.version, self.m_cost_kib, self.t_cost, self.p_cost).into_bytes()
    }

    /// Derives the key-encryption key from a passphrase.
    pub fn derive_kek(&self, secret: &[u8], salt: &[u8]) -> Result<Key> {
        if self.algorithm != "argon2id" || self.version != 0x13 {
            return Err(VaultError::Tampered("key derivation parameters"));
        }
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEY_LEN))
            .map_err(|_| VaultError::Tampered("key derivation parameters"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut key = Key([0u8; KEY_LEN]);
        argon
            .hash_password_into(secret, salt, &mut key.0)
            .map_err(|_| VaultError::Tampered("key derivation parameters"))?;
        Ok(key)
    }
}

/// A 256-bit key, wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key(pub(crate) [u8; KEY_LEN]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    pub fn random() -> Self {
        Key(random_bytes())
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Key(arr))
    }

    pub(crate) fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

/// Seals `plaintext` under `key` with a fresh random nonce; output is
/// nonce || ciphertext || tag.
pub fn seal(key: &Key, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let nonce = fresh_nonce();
    let ct = key
        .cipher()
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Opens what [`seal`] produced. Any alteration, or the wrong associated
/// data, gives `None`.
pub fn open(key: &Key, sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    key.cipher().decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad }).ok().map(Zeroizing::new)
}

/// Keyed 128-bit tags (HMAC-SHA256, truncated) for blind indexes. The
/// HMAC state is computed once from the key and cloned per tag; it is
/// key-equivalent, so it is overwritten when dropped.
pub struct TagKey(Hmac<Sha256>);

pub const TAG_BYTES: usize = 16;

impl TagKey {
    fn new(key: &Key) -> Self {
        TagKey(<Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes any key length"))
    }

    /// The tag of `value` within `domain` (so equal values in different
    /// fields never share a tag).
    pub fn tag(&self, domain: &str, value: &str) -> [u8; TAG_BYTES] {
        let mut mac = self.0.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; TAG_BYTES];
        out.copy_from_slice(&full[..TAG_BYTES]);
        out
    }
}

impl Drop for TagKey {
    fn drop(&mut self) {
        let blank = <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; KEY_LEN]).expect("HMAC takes any key length");
        // Volatile so the overwrite of soon-freed memory is not optimised away.
        unsafe { std::ptr::write_volatile(&mut self.0, blank) };
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    }
}

/// Seals a record body padded to a multiple of `block` bytes (0x80 then
/// zeros), in one buffer and without intermediate copies: the hot path of
/// every write. Output: nonce || ciphertext || tag.
pub fn seal_padded(key: &Key, body: &[u8], block: usize, aad: &[u8]) -> Vec<u8> {
    let padded_len = (body.len() + 1).div_ceil(block) * block;
    let mut buf = Vec::with_capacity(NONCE_LEN + padded_len + TAG_LEN);
    buf.extend_from_slice(&fresh_nonce());
    buf.extend_from_slice(body);
    buf.push(0x80);
    buf.resize(NONCE_LEN + padded_len, 0);
    let (nonce, msg) = buf.split_at_mut(NONCE_LEN);
    let tag = key
        .cipher()
        .encrypt_in_place_detached(XNonce::from_slice(nonce), aad, msg)
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    buf.extend_from_slice(&tag);
    buf
}

/// Opens what [`seal_padded`] produced, in place in `sealed`, and strips the
/// padding. `None` for any alteration, wrong associated data or bad padding.
pub fn open_padded(key: &Key, mut sealed: Vec<u8>, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let ct_end = sealed.len() - TAG_LEN;
    let tag = Tag::clone_from_slice(&sealed[ct_end..]);
    let (nonce, rest) = sealed.split_at_mut(NONCE_LEN);
    key.cipher()
        .decrypt_in_place_detached(XNonce::from_slice(nonce), aad, &mut rest[..ct_end - NONCE_LEN], &tag)
        .ok()?;
    sealed.copy_within(NONCE_LEN..ct_end, 0);
    sealed.truncate(ct_end - NONCE_LEN);
    let mut plain = Zeroizing::new(sealed);
    let end = plain.iter().rposition(|b| *b != 0)?;
    if plain[end] != 0x80 {
        return None;
    }
    plain.truncate(end);
    Some(plain)
}

/// The subkeys derived from the data key (which is dropped, and so wiped,
/// once they exist). Dropping this wipes them all.
pub struct VaultKeys {
    pub(crate) records: Key,
    pub(crate) index: TagKey,
    pub(crate) attachments: Key,
    /// Tags of record kinds, cached: every read and write needs one.
    pub(crate) kind_tags: std::cell::RefCell<std::collections::HashMap<String, [u8; TAG_BYTES]>>,
}

impl VaultKeys {
    pub(crate) fn kind_tag(&self, kind: &str) -> [u8; TAG_BYTES] {
        if let Some(t) = self.kind_tags.borrow().get(kind) {
            return *t;
        }
        let t = self.index.tag("kind", kind);
        self.kind_tags.borrow_mut().insert(kind.to_string(), t);
        t
    }
}

impl VaultKeys {
    /// Derives the subkeys with HKDF-SHA256, salted with the vault id so two
    /// vaults never share subkeys even if a data key repeated.
    pub fn derive(data: Key, vault_id: &[u8]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(vault_id), &data.0);
        let sub = |info: &[u8]| {
            let mut k = Key([0u8; KEY_LEN]);
            hk.expand(info, &mut k.0).expect("32 bytes is a valid HKDF-SHA256 output length");
            k
        };
        VaultKeys {
            records: sub(b"homeward/v1/records"),
            index: TagKey::new(&sub(b"homeward/v1/blind-index")),
            attachments: sub(b"homeward/v1/attachments"),
            kind_tags: Default::default(),
        }
        // `data` drops here and is zeroized.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_and_bind_aad() {
        let k = Key::random();
        let sealed = seal(&k, b"hello", b"ad-1");
        assert_eq!(open(&k, &sealed, b"ad-1").unwrap().as_slice(), b"hello");
        assert!(open(&k, &sealed, b"ad-2").is_none());
        assert!(open(&Key::random(), &sealed, b"ad-1").is_none());
        assert!(open(&k, &sealed[..10], b"ad-1").is_none());
    }

    #[test]
    fn padded_seal_round_trips_hides_length_and_binds_aad() {
        let k = Key::random();
        for n in [0usize, 1, 62, 63, 64, 65, 1000] {
            let body: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let sealed = seal_padded(&k, &body, 64, b"ad");
            assert_eq!((sealed.len() - NONCE_LEN - TAG_LEN) % 64, 0);
            assert_eq!(open_padded(&k, sealed.clone(), b"ad").unwrap().as_slice(), body.as_slice());
            assert!(open_padded(&k, sealed, b"other").is_none());
        }
        assert_eq!(seal_padded(&k, b"ab", 64, b"").len(), seal_padded(&k, &[1u8; 40], 64, b"").len());
        // Trailing zeros in the body survive the padding.
        let body = b"ab\0\0";
        assert_eq!(open_padded(&k, seal_padded(&k, body, 64, b""), b"").unwrap().as_slice(), body);
        // A validly sealed buffer with no padding marker is refused.
        assert!(open_padded(&k, seal(&k, &[0u8; 64], b""), b"").is_none());
        assert!(open_padded(&k, seal(&k, &[1u8; 64], b""), b"").is_none());
    }

    #[test]
    fn pooled_nonces_never_repeat_across_refills() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            assert!(seen.insert(fresh_nonce()));
        }
    }

    #[test]
    fn nonces_are_fresh() {
        let k = Key::random();
        assert_ne!(seal(&k, b"x", b"")[..NONCE_LEN], seal(&k, b"x", b"")[..NONCE_LEN]);
    }

    #[test]
    fn subkeys_differ_from_each_other_and_per_vault() {
        let dk = Key::random();
        let a = VaultKeys::derive(dk.clone(), b"vault-a");
        let b = VaultKeys::derive(dk, b"vault-b");
        assert_ne!(a.records.0, a.attachments.0);
        assert_ne!(a.records.0, b.records.0);
        assert_ne!(a.index.tag("d", "v"), b.index.tag("d", "v"));
        assert_ne!(a.index.tag("d", "v"), a.index.tag("e", "v"));
        assert_eq!(a.kind_tag("k"), a.index.tag("kind", "k"));
    }

    #[test]
    fn minimum_parameters_enforced() {
        assert!(KdfParams::owasp_minimum().check_minimum().is_ok());
        assert!(KdfParams::recommended().check_minimum().is_ok());
        assert!(KdfParams::argon2id(8 * 1024, 2, 1).check_minimum().is_err());
        assert!(KdfParams::argon2id(64 * 1024, 1, 1).check_minimum().is_err());
    }
}
