//! The officer's passphrase or PIN, and the rule for how strong it must be.

use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use super::error::{Result, VaultError};

/// A passphrase or PIN held in memory that is wiped on drop. It is
/// NFC-normalised so the same passphrase typed on different keyboards
/// (composed or decomposed accents) derives the same key.
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: &str) -> Self {
        Secret(Zeroizing::new(s.nfc().collect()))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Minimum length of a passphrase that alone protects a vault.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Minimum length of a PIN that is accepted only with a device-bound wrap.
pub const MIN_PIN_CHARS: usize = 4;

/// Checks a new passphrase against the policy in docs/SECURITY.md: a short
/// PIN cannot resist offline guessing at any argon2id cost, so without a
/// device-bound wrap (which an attacker with only the disk image cannot use)
/// a real passphrase is required.
pub fn check_policy(secret: &Secret, device_bound: bool) -> Result<()> {
    let n = secret.char_count();
    if device_bound {
        if n < MIN_PIN_CHARS {
            return Err(VaultError::WeakSecret(format!("use at least {MIN_PIN_CHARS} characters or digits")));
        }
        return Ok(());
    }
    if n < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::WeakSecret(format!(
            "without a device-bound key store a passphrase of at least {MIN_PASSPHRASE_CHARS} characters is required"
        )));
    }
    let s: &str = &secret.0;
    if s.chars().all(|c| c.is_ascii_digit()) {
        return Err(VaultError::WeakSecret(
            "a PIN of digits only is allowed only with a device-bound key store".into(),
        ));
    }
    let first = s.chars().next();
    if s.chars().all(|c| Some(c) == first) {
        return Err(VaultError::WeakSecret("a passphrase of one repeated character is too easy to guess".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_pin_needs_device_binding() {
        assert!(check_policy(&Secret::new("1234"), false).is_err());
        assert!(check_policy(&Secret::new("123456789012"), false).is_err());
        assert!(check_policy(&Secret::new("1234"), true).is_ok());
        assert!(check_policy(&Secret::new("123"), true).is_err());
    }

    #[test]
    fn passphrases() {
        assert!(check_policy(&Secret::new("correct horse battery"), false).is_ok());
        assert!(check_policy(&Secret::new("aaaaaaaaaaaaaaa"), false).is_err());
        assert!(check_policy(&Secret::new("short one"), false).is_err());
    }

    #[test]
    fn normalised_forms_are_equal() {
        // "é" composed vs "e" + combining acute.
        assert_eq!(Secret::new("caf\u{e9}").as_bytes(), Secret::new("cafe\u{301}").as_bytes());
    }
}
