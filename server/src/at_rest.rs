//! Headquarters' personal fields sealed at rest (issue 16 item 4): every
//! stored event, screening report and audit entry (names, document numbers,
//! photos, officers' notes), and the secrets behind unlock codes and staff
//! second factors, are sealed in the database with one data key, so that a
//! copied database file, its WAL or a stolen backup shows no name.
//!
//! The data key is random and kept in the database only wrapped (envelope
//! encryption) under a key the operator keeps apart from the data
//! directory: a key file ([`KeyFile`]), a passphrase ([`Passphrase`],
//! argon2id), or a key-management service behind [`KeyWrapping`]. Every
//! sealed value is bound to its table and row (the AEAD's associated data),
//! so a value moved to another row does not open.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The mark of a sealed value (version 1: XChaCha20-Poly1305, base64url).
const SEALED: &str = "s1.";

#[derive(Debug, thiserror::Error)]
pub enum AtRestError {
    #[error(
        "headquarters' data is sealed under the key file {0}, which is missing: put back the copy the operator keeps \
         apart from the data directory (or set HOMEWARD_HQ_KEY_FILE to where it is); nothing was changed"
    )]
    KeyFileMissing(PathBuf),
    #[error("the key file {0} is not a headquarters key file (64 hex digits): {1}")]
    KeyFileInvalid(PathBuf, String),
    #[error(
        "this database's data key does not open with {0}: use the key file or passphrase it was first sealed with \
         (another instance of the same headquarters needs a copy of the first server's key file); nothing was changed"
    )]
    WrongKey(String),
    #[error(
        "a sealed value in {0} does not open: the database was altered, or rows were copied from another headquarters"
    )]
    Tampered(&'static str),
    #[error("a value in {0} is stored in clear where a sealed one was expected: the database was altered")]
    NotSealed(&'static str),
    #[error("headquarters' data key is not loaded (open headquarters with its key file or passphrase)")]
    NoKey,
    #[error("key storage: {0}")]
    Io(#[from] std::io::Error),
}

/// The key every personal field is sealed with. Wiped on drop.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub fn generate() -> DataKey {
        DataKey(Zeroizing::new(homeward_domain::random::bytes::<32>(&mut rand_core::OsRng)))
    }
}

/// The data key as the database keeps it: sealed under the operator's key.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WrappedKey {
    /// "key-file", "passphrase", or a key service's own name.
    pub scheme: String,
    /// The passphrase's argon2id salt (hex), for that scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// The data key sealed (nonce and ciphertext, base64url).
    pub sealed: String,
}

/// Where the data key's wrapping key comes from: a file, a passphrase, or
/// a key-management service (which would wrap and unwrap remotely, the
/// wrapping key never leaving it).
pub trait KeyWrapping: Send + Sync {
    /// For messages: "the key file /etc/homeward/hq.key".
    fn describe(&self) -> String;
    /// Wraps a new data key (the first start of a database).
    fn wrap(&self, key: &DataKey) -> Result<WrappedKey, AtRestError>;
    /// Unwraps the database's data key; [`AtRestError::WrongKey`] if it is not this one's.
    fn unwrap(&self, wrapped: &WrappedKey) -> Result<DataKey, AtRestError>;
}

fn seal_with(kek: &[u8; 32], clear: &[u8], aad: &[u8]) -> String {
    let nonce = homeward_domain::random::bytes::<24>(&mut rand_core::OsRng);
    let ct = XChaCha20Poly1305::new(kek.into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: clear, aad })
        .expect("sealing in memory does not fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
}

fn open_with(kek: &[u8; 32], sealed: &str, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if raw.len() < 24 + 16 {
        return None;
    }
    let (nonce, ct) = raw.split_at(24);
    XChaCha20Poly1305::new(kek.into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
        .map(Zeroizing::new)
}

const WRAP_AAD: &[u8] = b"homeward hq data key v1";

fn unwrap_data_key(kek: &[u8; 32], w: &WrappedKey, describe: String) -> Result<DataKey, AtRestError> {
    let clear = open_with(kek, &w.sealed, WRAP_AAD).ok_or(AtRestError::WrongKey(describe.clone()))?;
    let key: [u8; 32] = clear.as_slice().try_into().map_err(|_| AtRestError::WrongKey(describe))?;
    Ok(DataKey(Zeroizing::new(key)))
}

/// A wrapping key in a file of 64 hex digits, mode 0600, kept apart from
/// the data directory (a copy of the data directory or of a backup then
/// holds no key). Made on the first start of a database if missing.
pub struct KeyFile {
    pub path: PathBuf,
}

impl KeyFile {
    /// The default place: beside the data directory, not in it
    /// (`hq-data` -> `hq-data.key`).
    pub fn beside(data_dir: &Path) -> KeyFile {
        let name = data_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "hq-data".into());
        KeyFile { path: data_dir.with_file_name(format!("{name}.key")) }
    }

    fn read(&self) -> Result<Option<Zeroizing<[u8; 32]>>, AtRestError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), &mut key[..])
            .map_err(|e| AtRestError::KeyFileInvalid(self.path.clone(), e.to_string()))?;
        Ok(Some(key))
    }

    fn create(&self) -> Result<Zeroizing<[u8; 32]>, AtRestError> {
        use std::io::Write;
        let key = Zeroizing::new(homeward_domain::random::bytes::<32>(&mut rand_core::OsRng));
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&self.path)?;
        f.write_all(Zeroizing::new(hex::encode(&key[..]) + "\n").as_bytes())?;
        f.sync_all()?;
        Ok(key)
    }
}

impl KeyWrapping for KeyFile {
    fn describe(&self) -> String {
        format!("the key file {}", self.path.display())
    }

    fn wrap(&self, key: &DataKey) -> Result<WrappedKey, AtRestError> {
        let kek = match self.read()? {
            Some(k) => k,
            None => self.create()?,
        };
        Ok(WrappedKey { scheme: "key-file".into(), salt: None, sealed: seal_with(&kek, &key.0[..], WRAP_AAD) })
    }

    fn unwrap(&self, w: &WrappedKey) -> Result<DataKey, AtRestError> {
        let kek = self.read()?.ok_or_else(|| AtRestError::KeyFileMissing(self.path.clone()))?;
        unwrap_data_key(&kek, w, self.describe())
    }
}

/// A wrapping key derived from a passphrase the operator types or keeps in
/// a secret store (argon2id, 64 MiB, 3 passes: slow for a guesser, once per
/// start for headquarters).
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(p: String) -> Passphrase {
        Passphrase(Zeroizing::new(p))
    }

    fn derive(&self, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, AtRestError> {
        let params = argon2::Params::new(64 * 1024, 3, 1, Some(32)).expect("valid parameters");
        let mut out = Zeroizing::new([0u8; 32]);
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(self.0.as_bytes(), salt, &mut out[..])
            .map_err(|e| AtRestError::WrongKey(format!("the passphrase ({e})")))?;
        Ok(out)
    }
}

impl KeyWrapping for Passphrase {
    fn describe(&self) -> String {
        "the passphrase in HOMEWARD_HQ_PASSPHRASE".into()
    }

    fn wrap(&self, key: &DataKey) -> Result<WrappedKey, AtRestError> {
        let salt = homeward_domain::random::bytes::<16>(&mut rand_core::OsRng);
        let kek = self.derive(&salt)?;
        Ok(WrappedKey {
            scheme: "passphrase".into(),
            salt: Some(hex::encode(salt)),
            sealed: seal_with(&kek, &key.0[..], WRAP_AAD),
        })
    }

    fn unwrap(&self, w: &WrappedKey) -> Result<DataKey, AtRestError> {
        let salt = w.salt.as_deref().and_then(|s| hex::decode(s).ok()).ok_or(AtRestError::WrongKey(self.describe()))?;
        let kek = self.derive(&salt)?;
        unwrap_data_key(&kek, w, self.describe())
    }
}

/// What the operator configured: `HOMEWARD_HQ_PASSPHRASE` if set, else the
/// key file `HOMEWARD_HQ_KEY_FILE`, else the key file beside the data
/// directory.
pub fn configured(data_dir: &Path, key_file: Option<&Path>) -> Box<dyn KeyWrapping> {
    if let Ok(p) = std::env::var("HOMEWARD_HQ_PASSPHRASE") {
        if !p.is_empty() {
            return Box::new(Passphrase::new(p));
        }
    }
    let from_env = std::env::var_os("HOMEWARD_HQ_KEY_FILE").filter(|p| !p.is_empty()).map(PathBuf::from);
    match key_file.map(Path::to_path_buf).or(from_env) {
        Some(path) => Box::new(KeyFile { path }),
        None => Box::new(KeyFile::beside(data_dir)),
    }
}

/// Seals and opens stored values with keys derived from the data key: one
/// for sealing, one for the keyed lookup index.
pub struct Sealer {
    seal: Zeroizing<[u8; 32]>,
    index: Zeroizing<[u8; 32]>,
}

fn derive(key: &DataKey, label: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0[..]).expect("any key length");
    mac.update(label);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

impl Sealer {
    pub fn new(key: &DataKey) -> Sealer {
        Sealer { seal: derive(key, b"homeward hq seal v1"), index: derive(key, b"homeward hq lookup index v1") }
    }

    fn aad(table: &str, row: &str) -> Vec<u8> {
        [table.as_bytes(), &[0], row.as_bytes()].concat()
    }

    /// `clear` sealed for `table`'s row `row`.
    pub fn seal(&self, table: &str, row: &str, clear: &str) -> String {
        format!("{SEALED}{}", seal_with(&self.seal, clear.as_bytes(), &Self::aad(table, row)))
    }

    /// A sealed value of `table`'s row `row` opened; refused if altered,
    /// moved from another row, or stored in clear.
    pub fn open(&self, table: &'static str, row: &str, stored: &str) -> Result<String, AtRestError> {
        let body = stored.strip_prefix(SEALED).ok_or(AtRestError::NotSealed(table))?;
        let clear = open_with(&self.seal, body, &Self::aad(table, row)).ok_or(AtRestError::Tampered(table))?;
        String::from_utf8(clear.to_vec()).map_err(|_| AtRestError::Tampered(table))
    }

    /// The keyed index entry of a value reviewers look up (a document
    /// number): equal values give equal entries, and without the data key
    /// an entry tells nothing, not even to a guesser with a list of numbers.
    pub fn lookup(&self, kind: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index[..]).expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalise_lookup(value).as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// Lookups match however a number was typed: case, spaces and dashes aside.
pub fn normalise_lookup(value: &str) -> String {
    value.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// Whether a stored value is sealed (the migration of an older database).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_own_row_and_unaltered() {
        let s = Sealer::new(&DataKey::generate());
        let sealed = s.seal("events", "e1", "Жылдызбекова");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("Жылдызбекова"));
        assert_eq!(s.open("events", "e1", &sealed).unwrap(), "Жылдызбекова");
        assert!(matches!(s.open("events", "e2", &sealed), Err(AtRestError::Tampered("events"))));
        assert!(matches!(s.open("screenings", "e1", &sealed), Err(AtRestError::Tampered("screenings"))));
        let mut altered = sealed.clone().into_bytes();
        let i = altered.len() - 3;
        altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
        assert!(s.open("events", "e1", std::str::from_utf8(&altered).unwrap()).is_err());
        assert!(matches!(s.open("events", "e1", "{\"clear\":1}"), Err(AtRestError::NotSealed("events"))));
        // Another headquarters' key opens nothing of this one's.
        let other = Sealer::new(&DataKey::generate());
        assert!(other.open("events", "e1", &sealed).is_err());
    }

    #[test]
    fn lookups_match_however_typed_and_differ_between_keys() {
        let k = DataKey::generate();
        let s = Sealer::new(&k);
        assert_eq!(s.lookup("document", "AN 123-4567"), s.lookup("document", "an1234567"));
        assert_ne!(s.lookup("document", "AN1234567"), s.lookup("document", "AN1234568"));
        assert_ne!(s.lookup("document", "AN1234567"), s.lookup("name", "AN1234567"));
        assert_ne!(
            s.lookup("document", "AN1234567"),
            Sealer::new(&DataKey::generate()).lookup("document", "AN1234567")
        );
    }

    #[test]
    fn a_key_file_wraps_and_only_it_unwraps_and_a_missing_one_is_named() {
        let t = tempfile::tempdir().unwrap();
        let file = KeyFile::beside(&t.path().join("hq-data"));
        assert_eq!(file.path, t.path().join("hq-data.key"));
        let key = DataKey::generate();
        let w = file.wrap(&key).unwrap();
        assert!(file.path.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file.path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(&file.unwrap(&w).unwrap().0[..], &key.0[..]);
        let other = KeyFile { path: t.path().join("other.key") };
        other.wrap(&DataKey::generate()).unwrap();
        assert!(matches!(other.unwrap(&w), Err(AtRestError::WrongKey(_))));
        std::fs::remove_file(&file.path).unwrap();
        assert!(matches!(file.unwrap(&w), Err(AtRestError::KeyFileMissing(_))));
        std::fs::write(&file.path, "not hex").unwrap();
        assert!(matches!(file.unwrap(&w), Err(AtRestError::KeyFileInvalid(..))));
    }

    #[test]
    fn a_passphrase_wraps_and_only_the_same_passphrase_unwraps() {
        let key = DataKey::generate();
        let w = Passphrase::new("correct horse battery staple".into()).wrap(&key).unwrap();
        assert_eq!(w.scheme, "passphrase");
        let back = Passphrase::new("correct horse battery staple".into()).unwrap(&w).unwrap();
        assert_eq!(&back.0[..], &key.0[..]);
        assert!(matches!(Passphrase::new("wrong".into()).unwrap(&w), Err(AtRestError::WrongKey(_))));
    }
}
