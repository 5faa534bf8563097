//! A platform key store adds a second, device-bound wrap around the
//! passphrase-wrapped data key. Android Keystore and iOS Keychain implement
//! [`DeviceKeyStore`] through the bindings; [`SoftwareKeyStore`] is the
//! desktop and test implementation.

use std::fs;
use std::path::{Path, PathBuf};

use super::crypto::{self, Key};

/// A key store that can wrap and unwrap small secrets with a key that never
/// leaves the device (in hardware where the platform has it).
pub trait DeviceKeyStore: Send + Sync {
    /// Wraps `data` under the key named `alias`, creating that key if needed.
    fn wrap(&self, alias: &str, data: &[u8]) -> Result<Vec<u8>, KeyStoreError>;
    /// Unwraps what [`DeviceKeyStore::wrap`] produced.
    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError>;
    /// Destroys the key named `alias` (on wipe).
    fn delete(&self, alias: &str) -> Result<(), KeyStoreError>;
}

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("the device key is missing (was the app reinstalled or the device reset?)")]
    KeyMissing,
    #[error("the device key store refused to unwrap")]
    UnwrapFailed,
    #[error("the device key store failed: {0}")]
    Platform(String),
}

/// A software key store: one random key per alias in a file, kept outside
/// the vault directory. It binds a vault to a second file, not to hardware,
/// so it is for desktops, training and tests only.
pub struct SoftwareKeyStore {
    dir: PathBuf,
}

impl SoftwareKeyStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SoftwareKeyStore { dir: dir.into() }
    }

    fn path(&self, alias: &str) -> PathBuf {
        let safe: String = alias.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        self.dir.join(format!("{safe}.key"))
    }

    fn load(&self, alias: &str) -> Result<Key, KeyStoreError> {
        let bytes = zeroize::Zeroizing::new(fs::read(self.path(alias)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KeyStoreError::KeyMissing,
            _ => KeyStoreError::Platform(e.to_string()),
        })?);
        Key::from_slice(&bytes).ok_or(KeyStoreError::KeyMissing)
    }

    fn load_or_create(&self, alias: &str) -> Result<Key, KeyStoreError> {
        match self.load(alias) {
            Err(KeyStoreError::KeyMissing) => {
                let key = Key::random();
                fs::create_dir_all(&self.dir).map_err(|e| KeyStoreError::Platform(e.to_string()))?;
                write_private(&self.path(alias), &key.0).map_err(|e| KeyStoreError::Platform(e.to_string()))?;
                Ok(key)
            }
            other => other,
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

impl DeviceKeyStore for SoftwareKeyStore {
    fn wrap(&self, alias: &str, data: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let key = self.load_or_create(alias)?;
        Ok(crypto::seal(&key, data, alias.as_bytes()))
    }

    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let key = self.load(alias)?;
        crypto::open(&key, wrapped, alias.as_bytes()).map(|z| z.to_vec()).ok_or(KeyStoreError::UnwrapFailed)
    }

    fn delete(&self, alias: &str) -> Result<(), KeyStoreError> {
        let path = self.path(alias);
        if path.exists() {
            fs::write(&path, [0u8; crypto::KEY_LEN]).ok();
            fs::remove_file(&path).map_err(|e| KeyStoreError::Platform(e.to_string()))?;
        }
        Ok(())
    }
}
