//! Reading passphrases: from an environment variable for scripts and tests,
//! else from the terminal without echo.

use homeward_core::vault::{check_policy, Secret, VaultError};
use zeroize::Zeroizing;

fn prompt(label: &str) -> Result<Zeroizing<String>, VaultError> {
    rpassword::prompt_password(format!("{label}: ")).map(Zeroizing::new).map_err(|e| {
        VaultError::InvalidInput(format!("cannot read the passphrase from the terminal ({e}); set HOMEWARD_PASSPHRASE"))
    })
}

pub fn existing_secret(var: &str, label: &str) -> Result<Secret, VaultError> {
    if let Ok(v) = std::env::var(var) {
        return Ok(Secret::new(&Zeroizing::new(v)));
    }
    Ok(Secret::new(&prompt(label)?))
}

/// A new passphrase: checked against the policy, and typed twice when prompted.
pub fn new_secret(var: &str, label: &str, device_bound: bool) -> Result<Secret, VaultError> {
    if let Ok(v) = std::env::var(var) {
        let s = Secret::new(&Zeroizing::new(v));
        check_policy(&s, device_bound)?;
        return Ok(s);
    }
    let first = prompt(label)?;
    let s = Secret::new(&first);
    check_policy(&s, device_bound)?;
    let again = prompt("Type it again")?;
    if *again != *first {
        return Err(VaultError::InvalidInput("the two passphrases differ".into()));
    }
    Ok(s)
}
