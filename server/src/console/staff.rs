//! Staff accounts: roles, the password rule (8 to 128 characters, not a
//! common password, no composition rules), argon2id PHC hashes, TOTP
//! second factors (RFC 6238, codes used once), and per-account back-off.

use std::io::Read;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::db::{Db, DbError, DbResult};

/// What a staff member may do. One role per account: separation of duties
/// (the person who reviews a request is not the one who enrols devices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Identity checks and decisions on certificate requests.
    Reviewer,
    /// Devices, enrolment, checklists, reference data, staff accounts.
    Administrator,
    /// Aggregates only.
    Analyst,
    /// The audit trail, read-only.
    Auditor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] =
        [StaffRole::Reviewer, StaffRole::Administrator, StaffRole::Analyst, StaffRole::Auditor];

    pub fn code(self) -> &'static str {
        match self {
            StaffRole::Reviewer => "reviewer",
            StaffRole::Administrator => "administrator",
            StaffRole::Analyst => "analyst",
            StaffRole::Auditor => "auditor",
        }
    }
}

impl std::str::FromStr for StaffRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        StaffRole::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| format!("unknown role {s:?}; use reviewer, administrator, analyst or auditor"))
    }
}

#[derive(Debug, Clone)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub password_phc: Option<String>,
    pub totp_secret: String,
    pub totp_confirmed: bool,
    pub totp_last_step: i64,
    pub language: String,
    pub disabled: bool,
    pub failures: i64,
    pub next_attempt_ms: i64,
    pub created_ms: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordProblem {
    #[error("the password must be at least 8 characters")]
    TooShort,
    #[error("the password must be at most 128 characters")]
    TooLong,
    #[error("this password is on the list of common passwords")]
    Common,
    #[error("the two passwords differ")]
    Mismatch,
}

impl PasswordProblem {
    /// The console's message id.
    pub fn message_id(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password-too-short",
            PasswordProblem::TooLong => "password-too-long",
            PasswordProblem::Common => "password-common",
            PasswordProblem::Mismatch => "password-mismatch",
        }
    }
}

/// The common-password list: OWASP SecLists' 10-million list, top 100,000,
/// those of 8 characters or more, lower-cased (CC BY-SA 3.0).
fn common_passwords() -> &'static std::collections::HashSet<String> {
    static LIST: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        zstd::stream::read::Decoder::new(&include_bytes!("common-passwords.txt.zst")[..])
            .and_then(|mut d| d.read_to_string(&mut text))
            .expect("the embedded list decompresses");
        text.lines().map(str::to_string).collect()
    })
}

/// NIST SP 800-63B's rule: length counts, composition does not; a listed
/// password is refused. Length is counted in characters after NFC would
/// apply; Unicode is allowed.
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    let n = password.chars().count();
    if n < 8 {
        return Err(PasswordProblem::TooShort);
    }
    if n > 128 {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if common_passwords().contains(&lower) || ["homeward", "homeward1", "password1!"].contains(&lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// argon2id at OWASP's second recommendation (19 MiB, 2 passes, 1 lane):
/// about 30 ms here, so sign-in stays quick while guessing stays costly.
fn argon() -> argon2::Argon2<'static> {
    argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19 * 1024, 2, 1, None).expect("valid parameters"),
    )
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes encode");
    argon().hash_password(password.as_bytes(), &salt).expect("argon2id hashes").to_string()
}

/// Checks a password against a PHC string (its own parameters apply).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| argon().verify_password(password.as_bytes(), &h).is_ok())
}

/// A PHC string for a password nobody has: verifying against it costs the
/// same as a real one, so an unknown username takes as long as a known one.
pub fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password(&hex::encode(random_bytes::<16>())))
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).expect("the OS gives randomness");
    b
}

/// RFC 4648 base32 without padding (what authenticator apps read).
pub fn base32(bytes: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The TOTP of a secret (SHA-1, 6 digits, 30 s: what every authenticator app does).
fn totp(secret_hex: &str) -> Option<totp_rs::TOTP> {
    let secret = hex::decode(secret_hex).ok()?;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).ok()
}

/// The code for a time step (used by the demo's hint and by tests).
pub fn totp_code(secret_hex: &str, unix_s: u64) -> String {
    totp(secret_hex).map(|t| t.generate(unix_s)).unwrap_or_default()
}

/// The time step a code matches (this step or one either side, for clock
/// drift), if it is later than `last_step`: a code is good once.
pub fn totp_step_matching(secret_hex: &str, code: &str, unix_s: u64, last_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_hex)?;
    let now_step = (unix_s / 30) as i64;
    [now_step - 1, now_step, now_step + 1].into_iter().filter(|s| *s > last_step && *s >= 0).find(|s| {
        use subtle::ConstantTimeEq;
        bool::from(t.generate(*s as u64 * 30).as_bytes().ct_eq(code.as_bytes()))
    })
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, username: &str, secret_hex: &str) -> String {
    let secret = base32(&hex::decode(secret_hex).unwrap_or_default());
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(username),
        enc(issuer)
    )
}

/// Seconds to wait before the next sign-in attempt after `failures` in a
/// row: three free, then 1 s doubling to at most 60 s. Never a lockout: an
/// attacker cannot keep the real person out for more than a minute, while
/// guessing is slowed to about one try a minute (and a second factor stands behind).
pub fn backoff_secs(failures: i64) -> i64 {
    if failures < 3 {
        0
    } else {
        (1i64 << (failures - 3).min(6)).min(60)
    }
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const STAFF_COLS: &str = "id, username, display_name, role, password_phc, totp_secret, totp_confirmed, totp_last_step, language, disabled, failures, next_attempt_ms, created_ms";

/// A staff row read back, its second-factor secret opened (sealed at rest
/// like every secret headquarters keeps, [`crate::at_rest`]).
fn staff_from(db: &Db, r: &crate::db::sql::Row) -> DbResult<StaffRow> {
    let id = r[0].t()?;
    Ok(StaffRow {
        totp_secret: db.sealer()?.open("console_staff", &id, &r[5].t()?)?,
        id,
        username: r[1].t()?,
        display_name: r[2].t()?,
        role: r[3].t()?.parse().map_err(|_| DbError::Column("staff role"))?,
        password_phc: r[4].ot()?,
        totp_confirmed: r[6].i()? != 0,
        totp_last_step: r[7].i()?,
        language: r[8].t()?,
        disabled: r[9].i()? != 0,
        failures: r[10].i()?,
        next_attempt_ms: r[11].i()?,
        created_ms: r[12].i()?,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("storage: {0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Password(#[from] PasswordProblem),
    #[error("a username is 2-32 characters: letters a-z, digits, dot, dash or underscore")]
    BadUsername,
    #[error("the name is 1-80 characters")]
    BadName,
    #[error("that username is taken")]
    Taken,
    #[error("no such account")]
    Unknown,
}

impl StaffError {
    pub fn message_id(&self) -> &'static str {
        match self {
            StaffError::Db(_) => "storage-busy",
            StaffError::Password(p) => p.message_id(),
            StaffError::BadUsername => "username-invalid",
            StaffError::BadName => "name-invalid",
            StaffError::Taken => "username-taken",
            StaffError::Unknown => "account-unknown",
        }
    }
}

pub fn normalise_username(u: &str) -> Result<String, StaffError> {
    let u = u.trim().to_lowercase();
    if !(2..=32).contains(&u.len()) || !u.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(StaffError::BadUsername);
    }
    Ok(u)
}

/// A new account. With a password it can sign in at once (and confirms its
/// second factor at the first sign-in); without one it gets a one-time
/// setup code (returned) that its owner uses to choose a password.
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: StaffRole,
    pub password: Option<&'a str>,
    pub language: &'a str,
    pub created_by: &'a str,
}

/// What a new account needs to be handed to its owner.
pub struct Created {
    pub id: String,
    pub username: String,
    pub totp_secret: String,
    /// The one-time setup code (valid 72 hours), when no password was set.
    pub setup_code: Option<String>,
}

pub fn add(db: &Db, n: NewStaff<'_>, now_ms: i64) -> Result<Created, StaffError> {
    let username = normalise_username(n.username)?;
    let name = n.display_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(StaffError::BadName);
    }
    let phc = match n.password {
        Some(p) => {
            check_password(p)?;
            Some(hash_password(p))
        }
        None => None,
    };
    let setup_code = phc.is_none().then(setup_code);
    let id = uuid::Uuid::new_v4().to_string();
    let secret = hex::encode(random_bytes::<20>());
    let lang = if ["en", "ru", "ky"].contains(&n.language) { n.language } else { "en" };
    let sealed = db.sealer()?.seal("console_staff", &id, &secret);
    let added = db.tx(|s| {
        if s.one("SELECT id FROM console_staff WHERE username = ?1", &[username.as_str().into()])?.is_some() {
            return Ok(false);
        }
        s.exec(
            "INSERT INTO console_staff (id, username, display_name, role, password_phc, totp_secret, language, setup_hash, setup_expires_ms, created_ms, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            &[
                id.as_str().into(),
                username.as_str().into(),
                name.into(),
                n.role.code().into(),
                phc.as_deref().into(),
                sealed.as_str().into(),
                lang.into(),
                setup_code.as_deref().map(token_hash).as_deref().into(),
                setup_code.as_ref().map(|_| now_ms + 72 * 3_600_000).into(),
                now_ms.into(),
                n.created_by.into(),
            ],
        )?;
        Ok(true)
    })?;
    if !added {
        return Err(StaffError::Taken);
    }
    Ok(Created { id, username, totp_secret: secret, setup_code })
}

/// 16 characters without look-alikes, in groups of four.
fn setup_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let raw: String = random_bytes::<16>().iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{}-{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..12], &raw[12..])
}

pub fn by_username(db: &Db, username: &str) -> DbResult<Option<StaffRow>> {
    let u = username.trim().to_lowercase();
    db.tx(|s| {
        s.one(&format!("SELECT {STAFF_COLS} FROM console_staff WHERE username = ?1"), &[u.as_str().into()])?
            .map(|r| staff_from(db, &r))
            .transpose()
    })
}

pub fn by_id(db: &Db, id: &str) -> DbResult<Option<StaffRow>> {
    db.tx(|s| {
        s.one(&format!("SELECT {STAFF_COLS} FROM console_staff WHERE id = ?1"), &[id.into()])?
            .map(|r| staff_from(db, &r))
            .transpose()
    })
}

pub fn list(db: &Db) -> DbResult<Vec<StaffRow>> {
    db.tx(|s| {
        s.query(&format!("SELECT {STAFF_COLS} FROM console_staff ORDER BY role, username"), &[])?
            .iter()
            .map(|r| staff_from(db, r))
            .collect()
    })
}

/// A failed attempt: counts it and sets when the next may come.
pub fn note_failure(db: &Db, id: &str, now_ms: i64) -> DbResult<()> {
    db.tx(|s| {
        let r = s.one("SELECT failures FROM console_staff WHERE id = ?1", &[id.into()])?;
        let failures = r.map(|r| r[0].i()).transpose()?.unwrap_or(0) + 1;
        s.exec(
            "UPDATE console_staff SET failures = ?1, next_attempt_ms = ?2 WHERE id = ?3",
            &[failures.into(), (now_ms + backoff_secs(failures) * 1000).into(), id.into()],
        )
        .map(|_| ())
    })
}

pub fn clear_failures(db: &Db, id: &str) -> DbResult<()> {
    db.tx(|s| {
        s.exec("UPDATE console_staff SET failures = 0, next_attempt_ms = 0 WHERE id = ?1", &[id.into()]).map(|_| ())
    })
}

/// Marks a TOTP step used (and the factor confirmed); false when a
/// concurrent sign-in used the same or a later step first.
pub fn use_totp_step(db: &Db, id: &str, step: i64) -> DbResult<bool> {
    db.tx(|s| {
        s.exec(
            "UPDATE console_staff SET totp_last_step = ?1, totp_confirmed = 1 WHERE id = ?2 AND totp_last_step < ?1",
            &[step.into(), id.into()],
        )
        .map(|n| n == 1)
    })
}

pub fn set_password(db: &Db, id: &str, password: &str) -> Result<(), StaffError> {
    check_password(password)?;
    let phc = hash_password(password);
    db.tx(|s| {
        s.exec(
            "UPDATE console_staff SET password_phc = ?1, setup_hash = NULL, setup_expires_ms = NULL WHERE id = ?2",
            &[phc.as_str().into(), id.into()],
        )
        .map(|_| ())
    })?;
    Ok(())
}

/// The account a setup code belongs to, if the code is right and unexpired.
pub fn by_setup_code(db: &Db, username: &str, code: &str, now_ms: i64) -> DbResult<Option<StaffRow>> {
    let normalised: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
    let formatted = if normalised.len() == 16 {
        format!("{}-{}-{}-{}", &normalised[..4], &normalised[4..8], &normalised[8..12], &normalised[12..])
    } else {
        return Ok(None);
    };
    let u = username.trim().to_lowercase();
    db.tx(|s| {
        s.one(
            &format!(
                "SELECT {STAFF_COLS} FROM console_staff WHERE username = ?1 AND setup_hash = ?2 AND setup_expires_ms > ?3 AND disabled = 0"
            ),
            &[u.as_str().into(), token_hash(&formatted).as_str().into(), now_ms.into()],
        )?
        .map(|r| staff_from(db, &r))
        .transpose()
    })
}

/// A new setup code (the old password and second factor stop working):
/// for someone who lost either.
pub fn reset(db: &Db, id: &str, now_ms: i64) -> DbResult<String> {
    let code = setup_code();
    let secret = db.sealer()?.seal("console_staff", id, &hex::encode(random_bytes::<20>()));
    db.tx(|s| {
        s.exec(
            "UPDATE console_staff SET password_phc = NULL, totp_secret = ?1, totp_confirmed = 0, totp_last_step = 0,
             setup_hash = ?2, setup_expires_ms = ?3, failures = 0, next_attempt_ms = 0 WHERE id = ?4",
            &[secret.as_str().into(), token_hash(&code).as_str().into(), (now_ms + 72 * 3_600_000).into(), id.into()],
        )
        .map(|_| ())
    })?;
    Ok(code)
}

pub fn set_disabled(db: &Db, id: &str, disabled: bool) -> DbResult<bool> {
    db.tx(|s| {
        s.exec("UPDATE console_staff SET disabled = ?1 WHERE id = ?2", &[(disabled as i64).into(), id.into()])
            .map(|n| n == 1)
    })
}

pub fn set_language(db: &Db, id: &str, lang: &str) -> DbResult<()> {
    db.tx(|s| s.exec("UPDATE console_staff SET language = ?1 WHERE id = ?2", &[lang.into(), id.into()]).map(|_| ()))
}

/// Records a sign-in attempt (ASVS V7: authentication events are logged;
/// never the password).
pub fn log_signin(db: &Db, username: &str, outcome: &str, address: &str, now_ms: i64) -> DbResult<()> {
    let u: String = username.trim().to_lowercase().chars().filter(|c| !c.is_control()).take(64).collect();
    db.tx(|s| {
        s.exec(
            "INSERT INTO console_signins (at_ms, username, outcome, address) VALUES (?1, ?2, ?3, ?4)",
            &[now_ms.into(), u.as_str().into(), outcome.into(), address.into()],
        )
        .map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_rule_counts_length_and_refuses_common_ones() {
        assert_eq!(check_password("short"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password(&"x".repeat(129)), Err(PasswordProblem::TooLong));
        assert!(check_password(&"x".repeat(128)).is_ok(), "128 characters is the limit, and allowed");
        assert_eq!(check_password("password"), Err(PasswordProblem::Common));
        assert_eq!(check_password("Password1"), Err(PasswordProblem::Common), "case does not hide a common one");
        assert_eq!(check_password("iloveyou"), Err(PasswordProblem::Common));
        assert!(check_password("correct horse battery staple").is_ok(), "no composition rules");
        assert!(check_password("тоо-суу-жылдыз").is_ok(), "Cyrillic counts by characters");
    }

    #[test]
    fn argon2id_phc_strings_verify_only_the_right_password() {
        let phc = hash_password("a long enough passphrase");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("a long enough passphrase", &phc));
        assert!(!verify_password("a long enough passphrasE", &phc));
        assert!(!verify_password("anything", "not a phc string"));
        assert_ne!(phc, hash_password("a long enough passphrase"), "a fresh salt each time");
    }

    #[test]
    fn totp_codes_match_rfc_6238_and_are_good_once() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s: 94287082 (8 digits) -> 287082.
        let secret = hex::encode(b"12345678901234567890");
        assert_eq!(totp_code(&secret, 59), "287082");
        assert_eq!(totp_step_matching(&secret, "287082", 59, 0), Some(1));
        assert_eq!(totp_step_matching(&secret, "287 082", 59, 0), Some(1), "spaces are ignored");
        assert_eq!(totp_step_matching(&secret, "287082", 59, 1), None, "a used step is refused");
        assert_eq!(totp_step_matching(&secret, "287082", 59 + 90, 0), None, "too old");
        assert_eq!(totp_step_matching(&secret, "12345", 59, 0), None);
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        let uri = otpauth_uri("Homeward HQ", "ainura", &secret);
        assert!(
            uri.starts_with("otpauth://totp/Homeward%20HQ:ainura?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped_without_lockout() {
        assert_eq!((0..3).map(backoff_secs).collect::<Vec<_>>(), vec![0, 0, 0]);
        assert_eq!(backoff_secs(3), 1);
        assert_eq!(backoff_secs(4), 2);
        assert_eq!(backoff_secs(1000), 60);
    }
}
