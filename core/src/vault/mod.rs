//! The vault: an encrypted local store that keeps victims' data unreadable on
//! a device that may be lost or seized.
//!
//! Layout of a vault directory:
//! - `vault.db` (+ `-wal`, `-shm`): SQLite holding the header (key-derivation
//!   parameters and the wrapped data key), the failed-unlock counter, sealed
//!   records, blind-index tags and attachment bookkeeping;
//! - `attachments/`: one chunked, authenticated file per attachment.
//!
//! See docs/SECURITY.md for the key hierarchy and every clear column.

mod attachments;
mod crypto;
mod error;
mod keystore;
mod lockout;
mod records;
mod schema;
mod secret;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use attachments::AttachmentId;
pub use crypto::{KdfParams, Key};
pub use error::{is_enospc, is_sqlite_full, Result, VaultError};
pub use keystore::{DeviceKeyStore, KeyStoreError, SoftwareKeyStore};
pub use lockout::{Clock, LockoutPolicy, ManualClock, SystemClock};
pub use records::{IndexTerm, Lookup, NewRecord, Record, RecordId};
pub use schema::SCHEMA_VERSION;
pub use secret::{check_policy, Secret, MIN_PASSPHRASE_CHARS, MIN_PIN_CHARS};
pub use uuid::Uuid;

use crypto::VaultKeys;

/// 32 bytes from the operating system's CSPRNG, for keys made outside the
/// vault (signing keys, say).
pub fn random_key_bytes() -> [u8; 32] {
    crypto::random_bytes()
}

/// The vault file format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const DB_FILE: &str = "vault.db";
const ATTACHMENTS_DIR: &str = "attachments";

/// Settings a vault is created or opened with.
#[derive(Clone)]
pub struct VaultOptions {
    /// argon2id parameters for new vaults, and the floor existing vaults are
    /// raised to at their next unlock.
    pub kdf: KdfParams,
    pub lockout: LockoutPolicy,
    pub clock: Arc<dyn Clock>,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions { kdf: KdfParams::recommended(), lockout: LockoutPolicy::default(), clock: Arc::new(SystemClock) }
    }
}

impl std::fmt::Debug for VaultOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultOptions").field("kdf", &self.kdf).field("lockout", &self.lockout).finish_non_exhaustive()
    }
}

/// The vault header, stored in clear: nothing in it identifies a person.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    format: u32,
    vault_id: String,
    created_unix_ms: i64,
    kdf: KdfParams,
    salt: String,
    /// The data key, sealed under the passphrase's key-encryption key, and
    /// then, if `device_key_alias` is set, under the device key store.
    wrapped_data_key: String,
    device_key_alias: Option<String>,
    /// The unlock policy chosen when the vault was made (older vaults: the app's).
    #[serde(default)]
    lockout: Option<StoredLockout>,
    /// The duress check: a salt and a 32-byte check value. Every vault has
    /// one, random when no duress passphrase is set, so the header does not
    /// say whether one is (older vaults get one at their next unlock).
    #[serde(default)]
    aux: Option<Aux>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Aux {
    salt: String,
    check: String,
}

impl Aux {
    /// Random: no duress passphrase can match it.
    fn random() -> Aux {
        Aux {
            salt: hex::encode(crypto::random_bytes::<{ crypto::SALT_LEN }>()),
            check: hex::encode(crypto::random_bytes::<32>()),
        }
    }
}

/// The duress check value of a secret: argon2id under the header's
/// parameters and the aux salt, then SHA-256 bound to the vault.
fn duress_check(kdf: &KdfParams, secret: &Secret, salt_hex: &str, vault_id: &[u8]) -> Result<[u8; 32]> {
    use sha2::Digest;
    let salt = hex::decode(salt_hex).map_err(|_| VaultError::Tampered("vault header"))?;
    let k = kdf.derive_kek(secret.as_bytes(), &salt)?;
    let mut h = sha2::Sha256::new();
    h.update(b"homeward/v1/duress\0");
    h.update(vault_id);
    h.update(k.0);
    Ok(h.finalize().into())
}

/// Equality without an early exit, so the comparison time says nothing.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a checked secret turned out to be.
enum Checked {
    Key(Key),
    Duress,
}

/// [`LockoutPolicy`] as kept in the header.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct StoredLockout {
    max_attempts: u32,
    base_delay_ms: u64,
    max_delay_ms: u64,
}

impl From<&LockoutPolicy> for StoredLockout {
    fn from(p: &LockoutPolicy) -> Self {
        StoredLockout {
            max_attempts: p.max_attempts,
            base_delay_ms: p.base_delay.as_millis() as u64,
            max_delay_ms: p.max_delay.as_millis() as u64,
        }
    }
}

impl From<StoredLockout> for LockoutPolicy {
    fn from(s: StoredLockout) -> Self {
        LockoutPolicy {
            max_attempts: s.max_attempts.max(1),
            base_delay: Duration::from_millis(s.base_delay_ms),
            max_delay: Duration::from_millis(s.max_delay_ms),
        }
    }
}

impl Header {
    fn vault_id(&self) -> Result<Vec<u8>> {
        hex::decode(&self.vault_id).map_err(|_| VaultError::Tampered("vault header"))
    }

    /// Associated data for the passphrase wrap: binds the wrap to this vault,
    /// its parameters and salt, and whether a device wrap surrounds it.
    fn wrap_aad(&self) -> Result<Vec<u8>> {
        let mut aad = b"homeward/v1/data-key\0".to_vec();
        aad.extend_from_slice(&self.vault_id()?);
        aad.extend_from_slice(&self.kdf.binding());
        aad.extend_from_slice(self.salt.as_bytes());
        aad.push(self.device_key_alias.is_some() as u8);
        Ok(aad)
    }
}

/// What `homeward status` shows; readable without unlocking.
#[derive(Debug, Clone, Serialize)]
pub struct VaultStatus {
    pub format: u32,
    pub schema_version: u32,
    pub vault_id: String,
    pub created_unix_ms: i64,
    pub kdf: KdfParams,
    pub device_bound: bool,
    pub unlocked: bool,
    pub failed_attempts: u32,
    pub attempts_remaining: u32,
    /// Failed unlocks in a row that wipe the vault.
    pub max_attempts: u32,
    pub retry_after_secs: u64,
    /// The last unlock attempt was counted but never answered (the app was
    /// killed or lost power mid-check): true while locked until the next
    /// attempt is answered, and after a successful unlock for the rest of
    /// this session, so the officer is told once.
    pub last_attempt_interrupted: bool,
    pub records: u64,
    pub attachments: u64,
}

enum State {
    Locked,
    // Boxed: the keys stay at one heap address instead of being copied on moves.
    Unlocked(Box<VaultKeys>),
    Wiped,
}

/// An open vault directory, locked or unlocked. Locking (or dropping) wipes
/// the keys from memory.
pub struct Vault {
    dir: PathBuf,
    conn: Connection,
    header: Header,
    options: VaultOptions,
    state: State,
    /// An unlock attempt before this session's was interrupted (see
    /// [`VaultStatus::last_attempt_interrupted`]).
    interrupted_attempt: bool,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("dir", &self.dir).field("unlocked", &self.is_unlocked()).finish_non_exhaustive()
    }
}

fn open_connection(dir: &Path) -> Result<Connection> {
    let open = || -> Result<Connection> {
        let mut conn = Connection::open(dir.join(DB_FILE))?;
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        Ok(conn)
    };
    // SQLite says only "disk I/O error" when it cannot make its WAL index
    // (-shm) file on a full disk; with no free block left, that is what it is.
    open().map_err(|e| match e {
        VaultError::Storage(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::SystemIoFailure && no_space_left(dir) =>
        {
            VaultError::DiskFull
        }
        e => e,
    })
}

/// True when the filesystem holding `dir` has no block left for this user.
#[cfg(unix)]
fn no_space_left(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path and a zeroed out-parameter of the right type.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    unsafe { libc::statvfs(path.as_ptr(), &mut st) == 0 && st.f_bavail == 0 }
}

#[cfg(not(unix))]
fn no_space_left(_: &Path) -> bool {
    false
}

fn read_header(conn: &Connection) -> Result<Option<Header>> {
    let body: Option<String> =
        conn.query_row("SELECT body FROM vault_header WHERE id = 1", [], |r| r.get(0)).optional()?;
    match body {
        None => Ok(None),
        Some(b) => {
            let h: Header = serde_json::from_str(&b).map_err(|_| VaultError::Tampered("vault header"))?;
            if h.format > FORMAT_VERSION {
                return Err(VaultError::UnsupportedFormat { found: h.format, supported: FORMAT_VERSION });
            }
            Ok(Some(h))
        }
    }
}

fn write_header(conn: &Connection, header: &Header) -> Result<()> {
    let body = serde_json::to_string(header).expect("header serialises");
    conn.execute(
        "INSERT INTO vault_header (id, body) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        [body],
    )?;
    Ok(())
}

/// True when `dir` holds an initialised vault.
pub fn exists(dir: &Path) -> bool {
    let db = dir.join(DB_FILE);
    if !db.exists() {
        return false;
    }
    match Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM vault_header", [], |r| r.get::<_, i64>(0)))
    {
        Ok(n) => n > 0,
        // No header table: an empty or foreign file, not a vault.
        Err(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("no such table") => false,
        // There but unreadable now (on a full disk even the WAL index cannot
        // be made): a vault, whose open then says why; never "no vault",
        // which would invite making a new one.
        Err(_) => true,
    }
}

impl Vault {
    /// Creates a new vault in `dir` (created if missing) and returns it
    /// unlocked. With a `keystore`, the data key is also wrapped by the
    /// device and a short PIN is allowed; without one a passphrase is required.
    pub fn create(
        dir: &Path,
        secret: &Secret,
        keystore: Option<&dyn DeviceKeyStore>,
        options: VaultOptions,
    ) -> Result<Vault> {
        options.kdf.check_minimum()?;
        if options.lockout.max_attempts == 0 {
            return Err(VaultError::InvalidInput("max_attempts must be at least 1".into()));
        }
        check_policy(secret, keystore.is_some())?;
        fs::create_dir_all(dir.join(ATTACHMENTS_DIR))?;
        restrict_permissions(dir);
        let conn = open_connection(dir)?;
        if read_header(&conn)?.is_some() {
            return Err(VaultError::AlreadyInitialised);
        }
        let vault_id: [u8; 16] = crypto::random_bytes();
        let vault_id_hex = hex::encode(vault_id);
        let data_key = Key::random();
        let mut header = Header {
            format: FORMAT_VERSION,
            created_unix_ms: options.clock.now_unix_ms(),
            device_key_alias: keystore.map(|_| format!("homeward-vault-{vault_id_hex}")),
            vault_id: vault_id_hex,
            kdf: options.kdf.clone(),
            salt: String::new(),
            wrapped_data_key: String::new(),
            lockout: Some((&options.lockout).into()),
            aux: Some(Aux::random()),
        };
        wrap_data_key(&mut header, &data_key, secret, keystore, &options.kdf)?;
        write_header(&conn, &header)?;
        let keys = VaultKeys::derive(data_key, &vault_id);
        Ok(Vault {
            dir: dir.to_path_buf(),
            conn,
            header,
            options,
            state: State::Unlocked(Box::new(keys)),
            interrupted_attempt: false,
        })
    }

    /// Opens an existing vault, locked.
    pub fn open(dir: &Path, options: VaultOptions) -> Result<Vault> {
        if !exists(dir) {
            return Err(VaultError::NotInitialised);
        }
        let conn = open_connection(dir)?;
        let header = read_header(&conn)?.ok_or(VaultError::NotInitialised)?;
        attachments::remove_orphans(&conn, &dir.join(ATTACHMENTS_DIR))?;
        // The policy chosen at creation governs this vault.
        let mut options = options;
        if let Some(l) = header.lockout {
            options.lockout = l.into();
        }
        Ok(Vault { dir: dir.to_path_buf(), conn, header, options, state: State::Locked, interrupted_attempt: false })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_unlocked(&self) -> bool {
        matches!(self.state, State::Unlocked(_))
    }

    pub fn is_device_bound(&self) -> bool {
        self.header.device_key_alias.is_some()
    }

    /// Unlocks with the passphrase or PIN. Each failure is counted on disk
    /// before the check, answered with a growing delay, and the limit wipes
    /// the vault; every error says how many attempts remain.
    pub fn unlock(&mut self, secret: &Secret, keystore: Option<&dyn DeviceKeyStore>) -> Result<()> {
        match self.state {
            State::Wiped => return Err(VaultError::Wiped),
            State::Unlocked(_) => return Ok(()),
            State::Locked => {}
        }
        let data_key = match self.verify_secret(secret, keystore)? {
            Checked::Key(k) => k,
            Checked::Duress => return self.duress_reset(secret, keystore),
        };
        if self.header.aux.is_none() {
            // A vault made before the duress check: give it a random one.
            let mut header = self.header.clone();
            header.aux = Some(Aux::random());
            write_header(&self.conn, &header)?;
            self.header = header;
        }
        if self.header.kdf.weaker_than(&self.options.kdf) {
            // Raise old vaults to today's parameters while we hold the secret.
            let target = self.options.kdf.clone();
            self.rewrap(&data_key, secret, keystore, &target)?;
        }
        let keys = VaultKeys::derive(data_key, &self.header.vault_id()?);
        self.state = State::Unlocked(Box::new(keys));
        Ok(())
    }

    /// Drops the keys; they are zeroized as they go.
    pub fn lock(&mut self) {
        if let State::Unlocked(_) = self.state {
            self.state = State::Locked;
        }
    }

    /// Changes the passphrase: checks the current one (a failure counts as a
    /// failed unlock), then rewraps the data key under the new one. No record
    /// is re-encrypted, and the old wrap is purged from the database and WAL.
    pub fn change_secret(
        &mut self,
        current: &Secret,
        new: &Secret,
        keystore: Option<&dyn DeviceKeyStore>,
    ) -> Result<()> {
        if let State::Wiped = self.state {
            return Err(VaultError::Wiped);
        }
        check_policy(new, self.is_device_bound())?;
        let data_key = match self.verify_secret(current, keystore)? {
            Checked::Key(k) => k,
            // The duress passphrase works everywhere the passphrase does.
            Checked::Duress => return self.duress_reset(new, keystore),
        };
        let target = if self.header.kdf.weaker_than(&self.options.kdf) {
            self.options.kdf.clone()
        } else {
            self.header.kdf.clone()
        };
        self.rewrap(&data_key, new, keystore, &target)
    }

    /// The failed-unlock counter, the time of the last failure, and whether
    /// the last attempt was counted but never answered.
    fn attempts(&self) -> Result<(u32, Option<i64>, bool)> {
        Ok(self.conn.query_row(
            "SELECT failures, last_failure_unix_ms, in_progress FROM unlock_attempts WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)),
        )?)
    }

    fn verify_secret(&mut self, secret: &Secret, keystore: Option<&dyn DeviceKeyStore>) -> Result<Checked> {
        let policy = self.options.lockout.clone();
        let now = self.options.clock.now_unix_ms();
        let (failures, last, interrupted) = self.attempts()?;
        self.interrupted_attempt |= interrupted;
        // Only an interrupted attempt's own wait is told as such.
        let too_soon = |attempts_remaining, retry_after| match interrupted {
            true => VaultError::Interrupted { attempts_remaining, retry_after },
            false => VaultError::TooSoon { attempts_remaining, retry_after },
        };
        if failures >= policy.max_attempts {
            // The counter says the limit was reached but the wipe did not
            // finish (a crash mid-wipe): finish it now.
            self.wipe(keystore)?;
            return Err(VaultError::Wiped);
        }
        if let (true, Some(last)) = (failures > 0, last) {
            let wait_ms = policy.delay_after(failures).as_millis() as i64;
            if now < last {
                // The clock went backwards: restart the wait from now rather
                // than let a clock change skip it.
                self.conn.execute("UPDATE unlock_attempts SET last_failure_unix_ms = ?1 WHERE id = 1", [now])?;
                return Err(too_soon(policy.attempts_remaining(failures), Duration::from_millis(wait_ms as u64)));
            }
            if now < last + wait_ms {
                return Err(too_soon(
                    policy.attempts_remaining(failures),
                    Duration::from_millis((last + wait_ms - now) as u64),
                ));
            }
        }

        let stored = hex::decode(&self.header.wrapped_data_key).map_err(|_| VaultError::Tampered("vault header"))?;
        // The device layer first: a missing device key is not a guess.
        let inner = match &self.header.device_key_alias {
            None => stored,
            Some(alias) => keystore
                .ok_or_else(|| VaultError::KeyStore("this vault is bound to a device key store".into()))?
                .unwrap(alias, &stored)
                .map_err(|e| VaultError::KeyStore(e.to_string()))?,
        };

        // Count the attempt durably before checking it, marked unanswered
        // until it is: killed mid-check, it stays a failure, and says so.
        self.conn.execute(
            "UPDATE unlock_attempts SET failures = failures + 1, last_failure_unix_ms = ?1, in_progress = 1 WHERE id = 1",
            [now],
        )?;
        let salt = hex::decode(&self.header.salt).map_err(|_| VaultError::Tampered("vault header"))?;
        // Both derivations always run, so the duress path takes the same time
        // to recognise as the normal one; they run side by side on two cores,
        // so an unlock waits for one derivation, while a guesser still pays
        // for both (docs/SECURITY.md, "duress passphrase").
        let aux = self.header.aux.clone().unwrap_or_else(Aux::random);
        let (kdf, vault_id) = (&self.header.kdf, self.header.vault_id()?);
        let (kek, duress) = std::thread::scope(|s| {
            let duress = s.spawn(|| duress_check(kdf, secret, &aux.salt, &vault_id));
            let kek = kdf.derive_kek(secret.as_bytes(), &salt);
            (kek, duress.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        let (kek, duress) = (kek?, duress?);
        let stored_check = hex::decode(&aux.check).map_err(|_| VaultError::Tampered("vault header"))?;
        match crypto::open(&kek, &inner, &self.header.wrap_aad()?) {
            Some(dk) => {
                let key = Key::from_slice(&dk).ok_or(VaultError::Tampered("wrapped data key"))?;
                self.conn.execute(
                    "UPDATE unlock_attempts SET failures = 0, last_failure_unix_ms = NULL, in_progress = 0 WHERE id = 1",
                    [],
                )?;
                Ok(Checked::Key(key))
            }
            None if ct_eq(&duress, &stored_check) => Ok(Checked::Duress),
            None => {
                let failures = failures + 1;
                // Answered: a wrong passphrase, not an interruption.
                self.conn.execute("UPDATE unlock_attempts SET in_progress = 0 WHERE id = 1", [])?;
                if failures >= policy.max_attempts {
                    self.wipe(keystore)?;
                    return Err(VaultError::Wiped);
                }
                Err(VaultError::WrongSecret {
                    attempts_remaining: policy.attempts_remaining(failures),
                    retry_after: policy.delay_after(failures),
                })
            }
        }
    }

    /// Sets the duress passphrase (off by default): entered at unlock, it
    /// destroys the keys and every file and leaves a fresh, empty vault that
    /// opens with it. Needs the current passphrase (counted as an attempt).
    pub fn set_duress_passphrase(
        &mut self,
        current: &Secret,
        duress: &Secret,
        keystore: Option<&dyn DeviceKeyStore>,
    ) -> Result<()> {
        check_policy(duress, self.is_device_bound())?;
        if current.as_bytes() == duress.as_bytes() {
            return Err(VaultError::InvalidInput("the duress passphrase must differ from the passphrase".into()));
        }
        if let Checked::Duress = self.verify_secret(current, keystore)? {
            return self.duress_reset(current, keystore);
        }
        let salt = hex::encode(crypto::random_bytes::<{ crypto::SALT_LEN }>());
        let check = duress_check(&self.header.kdf, duress, &salt, &self.header.vault_id()?)?;
        self.replace_aux(Aux { salt, check: hex::encode(check) })
    }

    /// Turns the duress passphrase off (the check becomes random again).
    pub fn clear_duress_passphrase(&mut self, current: &Secret, keystore: Option<&dyn DeviceKeyStore>) -> Result<()> {
        if let Checked::Duress = self.verify_secret(current, keystore)? {
            return self.duress_reset(current, keystore);
        }
        self.replace_aux(Aux::random())
    }

    fn replace_aux(&mut self, aux: Aux) -> Result<()> {
        let mut header = self.header.clone();
        header.aux = Some(aux);
        write_header(&self.conn, &header)?;
        self.header = header;
        // The old check must not survive in a freed cell or the WAL.
        self.checkpoint()
    }

    /// The duress passphrase was entered: wipe everything as at the unlock
    /// limit, then make a new, empty vault in the same place, with the same
    /// parameters and policy, that opens with `secret`, and leave it unlocked.
    fn duress_reset(&mut self, secret: &Secret, keystore: Option<&dyn DeviceKeyStore>) -> Result<()> {
        let keystore = keystore.filter(|_| self.is_device_bound());
        self.wipe(keystore)?;
        let options = VaultOptions {
            kdf: self.header.kdf.clone(),
            lockout: self.options.lockout.clone(),
            clock: self.options.clock.clone(),
        };
        *self = Vault::create(&self.dir.clone(), secret, keystore, options)?;
        Ok(())
    }

    fn rewrap(
        &mut self,
        data_key: &Key,
        secret: &Secret,
        keystore: Option<&dyn DeviceKeyStore>,
        kdf: &KdfParams,
    ) -> Result<()> {
        let mut header = self.header.clone();
        wrap_data_key(&mut header, data_key, secret, keystore, kdf)?;
        write_header(&self.conn, &header)?;
        self.header = header;
        // secure_delete zeroed the old wrap in the page image; a checkpoint
        // copies that page over the main file and empties the WAL. The new
        // wrap is committed: a full disk stopping the checkpoint must not
        // say the change failed (the officer would keep the old passphrase,
        // which no longer opens the vault). SQLite checkpoints again when
        // the connection closes, with space then.
        match self.checkpoint() {
            Err(VaultError::DiskFull) => Ok(()),
            other => other,
        }
    }

    /// After records were deleted for good (retention): copies the zeroed
    /// pages into the main file, rebuilds it so no freed page or index cell
    /// keeps a copy, and empties the WAL.
    pub fn scrub(&self) -> Result<()> {
        self.keys()?;
        self.checkpoint()?;
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint()
    }

    fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Destroys the keys and every file of the vault. Used when the unlock
    /// limit is reached, and later for a remote wipe. The directory is left
    /// empty, as for a fresh install.
    pub fn wipe(&mut self, keystore: Option<&dyn DeviceKeyStore>) -> Result<()> {
        self.state = State::Wiped;
        {
            let tx = self.conn.transaction()?;
            // Overwrite before deleting so the wrap never lingers in a freed cell.
            tx.execute("UPDATE vault_header SET body = zeroblob(length(body))", [])?;
            tx.execute_batch(
                "DELETE FROM vault_header; DELETE FROM blind_index;
                 DELETE FROM records; DELETE FROM attachments;",
            )?;
            tx.commit()?;
        }
        self.checkpoint()?;
        // Close the real database before removing its files.
        drop(std::mem::replace(&mut self.conn, Connection::open_in_memory()?));
        if let (Some(alias), Some(ks)) = (&self.header.device_key_alias, keystore) {
            ks.delete(alias).map_err(|e| VaultError::KeyStore(e.to_string()))?;
        }
        attachments::shred_dir(&self.dir.join(ATTACHMENTS_DIR))?;
        for name in [DB_FILE, "vault.db-wal", "vault.db-shm", "vault.db-journal"] {
            match fs::remove_file(self.dir.join(name)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        Ok(())
    }

    /// The header, counters and sizes, without unlocking.
    pub fn status(&self) -> Result<VaultStatus> {
        if let State::Wiped = self.state {
            return Err(VaultError::Wiped);
        }
        let policy = &self.options.lockout;
        let (failures, last, interrupted) = self.attempts()?;
        let now = self.options.clock.now_unix_ms();
        let retry_after_ms = match last {
            Some(last) if failures > 0 => (last + policy.delay_after(failures).as_millis() as i64 - now).max(0),
            _ => 0,
        };
        let count = |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(VaultStatus {
            format: self.header.format,
            schema_version: SCHEMA_VERSION,
            vault_id: self.header.vault_id.clone(),
            created_unix_ms: self.header.created_unix_ms,
            kdf: self.header.kdf.clone(),
            device_bound: self.is_device_bound(),
            unlocked: self.is_unlocked(),
            failed_attempts: failures,
            attempts_remaining: policy.attempts_remaining(failures),
            max_attempts: policy.max_attempts,
            retry_after_secs: (retry_after_ms as u64).div_ceil(1000),
            last_attempt_interrupted: interrupted || self.interrupted_attempt,
            records: count("SELECT count(*) FROM records")?,
            attachments: count("SELECT count(*) FROM attachments")?,
        })
    }

    fn keys(&self) -> Result<&VaultKeys> {
        match &self.state {
            State::Unlocked(k) => Ok(k),
            State::Locked => Err(VaultError::Locked),
            State::Wiped => Err(VaultError::Wiped),
        }
    }
}

/// Seals `data_key` under a fresh salt and `kdf`, then under the device key
/// store if the header names one, and records both in `header`.
fn wrap_data_key(
    header: &mut Header,
    data_key: &Key,
    secret: &Secret,
    keystore: Option<&dyn DeviceKeyStore>,
    kdf: &KdfParams,
) -> Result<()> {
    let salt: [u8; crypto::SALT_LEN] = crypto::random_bytes();
    header.kdf = kdf.clone();
    header.salt = hex::encode(salt);
    let kek = kdf.derive_kek(secret.as_bytes(), &salt)?;
    let inner = crypto::seal(&kek, &data_key.0, &header.wrap_aad()?);
    let outer = match &header.device_key_alias {
        None => inner,
        Some(alias) => keystore
            .ok_or_else(|| VaultError::KeyStore("this vault is bound to a device key store".into()))?
            .wrap(alias, &inner)
            .map_err(|e| VaultError::KeyStore(e.to_string()))?,
    };
    header.wrapped_data_key = hex::encode(outer);
    Ok(())
}

/// Owner-only permissions on the vault directory, where the platform has them.
fn restrict_permissions(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
}
