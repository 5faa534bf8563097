//! Headquarters' storage: an embedded SQLite file in the data directory by
//! default, PostgreSQL when `DATABASE_URL` names one. Each query is written
//! once ([`sql`]) and runs on either; only the migrations differ.

pub mod backup;
pub mod sql;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use homeward_domain::certificate::CertificateEvent;
use homeward_domain::events::{Event, Role};
use homeward_domain::screening::ScreeningEvent;

use crate::at_rest::{AtRestError, DataKey, KeyWrapping, Sealer};
pub use sql::{DbError, DbResult};
use sql::{PgPool, Row, Sql};

const SQLITE_MIGRATIONS: &[&str] = &[
    "CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        office TEXT NOT NULL,
        role TEXT NOT NULL,
        device_no INTEGER NOT NULL,
        public_key TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        enrolled_ms INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        wipe INTEGER NOT NULL DEFAULT 0,
        last_seen_ms INTEGER
     );
     CREATE TABLE enrollment_codes (
        code_hash TEXT PRIMARY KEY,
        office TEXT NOT NULL,
        role TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        used_ms INTEGER
     );
     CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        case_id TEXT NOT NULL,
        office TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        received_ms INTEGER NOT NULL
     );
     CREATE INDEX events_by_case ON events (case_id);
     CREATE INDEX events_by_office ON events (office, seq);
     CREATE TABLE nonces (
        device TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        PRIMARY KEY (device, nonce)
     );
     CREATE TABLE idempotency (
        device TEXT NOT NULL,
        key TEXT NOT NULL,
        response BLOB NOT NULL,
        PRIMARY KEY (device, key)
     );
     CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);",
    "CREATE TABLE hq_actions (
        event_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        at_ms INTEGER NOT NULL
     );",
    "CREATE TABLE screenings (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        screening_id TEXT NOT NULL,
        office TEXT NOT NULL,
        author TEXT NOT NULL,
        verdict TEXT NOT NULL,
        body TEXT NOT NULL,
        received_ms INTEGER NOT NULL
     );
     CREATE INDEX screenings_by_office ON screenings (office, seq);
     ALTER TABLE devices ADD COLUMN sync_generation INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE devices ADD COLUMN rollback_ms INTEGER;
     ALTER TABLE devices ADD COLUMN wipe_confirmed_ms INTEGER;",
    "CREATE TABLE audit_chains (
        device TEXT PRIMARY KEY,
        audit_key TEXT NOT NULL,
        anchor_seq INTEGER NOT NULL DEFAULT 0,
        anchor_hash TEXT,
        tampered_ms INTEGER,
        tamper_reason TEXT
     );
     CREATE TABLE audit_entries (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (device, seq)
     );",
    "ALTER TABLE devices ADD COLUMN unlock_secret TEXT;
     ALTER TABLE devices ADD COLUMN unlock_counter INTEGER NOT NULL DEFAULT 0;",
    // An Idempotency-Key's answer is bound to the body it answered.
    "ALTER TABLE idempotency ADD COLUMN body_sha256 TEXT;",
    // Ordered appends without a global lock (docs/SCALING.md): each office's
    // log numbers its own events (`pos`) from its row in `log_heads`, locked
    // by the append that takes numbers until it commits. Existing events keep
    // their number (pos = seq) and every office starts after the largest
    // seq, so a cursor held from before (a global seq) means the same
    // position in every office.
    "CREATE TABLE log_heads (log TEXT NOT NULL, office TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (log, office));
     ALTER TABLE events ADD COLUMN pos INTEGER;
     UPDATE events SET pos = seq;
     CREATE INDEX events_by_office_pos ON events (office, pos);
     ALTER TABLE screenings ADD COLUMN pos INTEGER;
     UPDATE screenings SET pos = seq;
     CREATE INDEX screenings_by_office_pos ON screenings (office, pos);
     INSERT INTO log_heads (log, office, last)
        SELECT 'events', office, (SELECT COALESCE(MAX(seq), 0) FROM events) FROM events GROUP BY office;
     INSERT INTO log_heads (log, office, last)
        SELECT 'screenings', office, (SELECT COALESCE(MAX(seq), 0) FROM screenings) FROM screenings GROUP BY office;
     CREATE TABLE pull_cursors (
        device TEXT NOT NULL,
        token INTEGER NOT NULL,
        positions TEXT NOT NULL,
        made_ms INTEGER NOT NULL,
        PRIMARY KEY (device, token)
     );",
    // Reviewers' lookups of sealed fields (a document number, a name and
    // date of birth) through keyed entries: `crate::at_rest::Sealer::lookup`.
    "CREATE TABLE lookup_index (kind TEXT NOT NULL, entry TEXT NOT NULL, case_id TEXT NOT NULL,
        PRIMARY KEY (kind, entry, case_id));",
];

/// The same schema in PostgreSQL's types (BIGINT for every integer, so one
/// Rust type reads both).
const PG_MIGRATIONS: &[&str] = &[
    "CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        office TEXT NOT NULL,
        role TEXT NOT NULL,
        device_no BIGINT NOT NULL,
        public_key TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        enrolled_ms BIGINT NOT NULL,
        revoked BIGINT NOT NULL DEFAULT 0,
        wipe BIGINT NOT NULL DEFAULT 0,
        last_seen_ms BIGINT
     );
     CREATE TABLE enrollment_codes (
        code_hash TEXT PRIMARY KEY,
        office TEXT NOT NULL,
        role TEXT NOT NULL,
        expires_ms BIGINT NOT NULL,
        used_ms BIGINT
     );
     CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        case_id TEXT NOT NULL,
        office TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        received_ms BIGINT NOT NULL
     );
     CREATE INDEX events_by_case ON events (case_id);
     CREATE INDEX events_by_office ON events (office, seq);
     CREATE TABLE nonces (
        device TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_ms BIGINT NOT NULL,
        PRIMARY KEY (device, nonce)
     );
     CREATE TABLE idempotency (
        device TEXT NOT NULL,
        key TEXT NOT NULL,
        response BYTEA NOT NULL,
        PRIMARY KEY (device, key)
     );
     CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);",
    "CREATE TABLE hq_actions (
        event_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        at_ms BIGINT NOT NULL
     );",
    "CREATE TABLE screenings (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        screening_id TEXT NOT NULL,
        office TEXT NOT NULL,
        author TEXT NOT NULL,
        verdict TEXT NOT NULL,
        body TEXT NOT NULL,
        received_ms BIGINT NOT NULL
     );
     CREATE INDEX screenings_by_office ON screenings (office, seq);
     ALTER TABLE devices ADD COLUMN sync_generation BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE devices ADD COLUMN rollback_ms BIGINT;
     ALTER TABLE devices ADD COLUMN wipe_confirmed_ms BIGINT;",
    "CREATE TABLE audit_chains (
        device TEXT PRIMARY KEY,
        audit_key TEXT NOT NULL,
        anchor_seq BIGINT NOT NULL DEFAULT 0,
        anchor_hash TEXT,
        tampered_ms BIGINT,
        tamper_reason TEXT
     );
     CREATE TABLE audit_entries (
        device TEXT NOT NULL,
        seq BIGINT NOT NULL,
        body TEXT NOT NULL,
        received_ms BIGINT NOT NULL,
        PRIMARY KEY (device, seq)
     );",
    "ALTER TABLE devices ADD COLUMN unlock_secret TEXT;
     ALTER TABLE devices ADD COLUMN unlock_counter BIGINT NOT NULL DEFAULT 0;",
    "ALTER TABLE idempotency ADD COLUMN body_sha256 TEXT;",
    "CREATE TABLE log_heads (log TEXT NOT NULL, office TEXT NOT NULL, last BIGINT NOT NULL, PRIMARY KEY (log, office));
     ALTER TABLE events ADD COLUMN pos BIGINT;
     UPDATE events SET pos = seq;
     CREATE INDEX events_by_office_pos ON events (office, pos);
     ALTER TABLE screenings ADD COLUMN pos BIGINT;
     UPDATE screenings SET pos = seq;
     CREATE INDEX screenings_by_office_pos ON screenings (office, pos);
     INSERT INTO log_heads (log, office, last)
        SELECT 'events', office, (SELECT COALESCE(MAX(seq), 0) FROM events) FROM events GROUP BY office;
     INSERT INTO log_heads (log, office, last)
        SELECT 'screenings', office, (SELECT COALESCE(MAX(seq), 0) FROM screenings) FROM screenings GROUP BY office;
     CREATE TABLE pull_cursors (
        device TEXT NOT NULL,
        token BIGINT NOT NULL,
        positions TEXT NOT NULL,
        made_ms BIGINT NOT NULL,
        PRIMARY KEY (device, token)
     );",
    "CREATE TABLE lookup_index (kind TEXT NOT NULL, entry TEXT NOT NULL, case_id TEXT NOT NULL,
        PRIMARY KEY (kind, entry, case_id));",
];

/// The schema version this build migrates a SQLite database to.
pub fn sqlite_schema_version() -> u32 {
    SQLITE_MIGRATIONS.len() as u32
}

/// The schema version this build migrates a PostgreSQL database to.
pub fn pg_schema_version() -> u32 {
    PG_MIGRATIONS.len() as u32
}

enum Backend {
    Sqlite(Mutex<rusqlite::Connection>),
    Postgres(PgPool),
}

pub struct Db {
    backend: Backend,
    /// Seals every personal field at rest ([`crate::at_rest`]); set once,
    /// from the operator's key, before anything is read or written.
    sealer: std::sync::OnceLock<Sealer>,
    /// Benchmarks only: appends also take the old global lock.
    global_append_lock: AtomicBool,
}

/// The mark of a pull cursor that names a stored set of per-office
/// positions (`pull_cursors`); a cursor without it is a position: in the
/// consulate's own log, or, for an all-office reader, the same position in
/// every office (what a global sequence number held from before
/// per-office logs means, since they started after the largest one).
pub const CURSOR_TOKEN: u64 = 1 << 62;

/// Where an all-office reader is in each office's log: `offices` where it
/// moved past `default`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Positions {
    pub default: u64,
    pub offices: std::collections::BTreeMap<String, u64>,
}

impl Positions {
    pub fn at(&self, office: &str) -> u64 {
        self.offices.get(office).copied().unwrap_or(self.default)
    }
}

/// One page of an all-office pull: the events, the cursor to pass next,
/// and whether more are waiting.
pub struct AllOfficePage {
    pub events: Vec<Event<CertificateEvent>>,
    pub next: u64,
    pub more: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceRow {
    pub id: String,
    pub office: String,
    pub role: Role,
    pub device_no: u16,
    pub public_key: String,
    pub label: String,
    pub enrolled_ms: i64,
    pub revoked: bool,
    pub wipe: bool,
    pub last_seen_ms: Option<i64>,
}

/// What [`Db::enroll_device`] did.
#[derive(Debug)]
pub enum Enrolment {
    Enrolled(DeviceRow),
    /// The code is unknown, used or expired.
    BadCode,
    /// The public key is already enrolled (the code was not used).
    KeyTaken,
}

/// A device's audit chain at headquarters: its key (hex), the last entry
/// held (sequence and hash), and whether a broken batch was ever refused.
#[derive(Debug, Clone)]
pub struct AuditChainRow {
    pub audit_key: String,
    pub anchor_seq: u64,
    pub anchor_hash: Option<String>,
    pub tampered: bool,
}

fn role_str(r: Role) -> &'static str {
    match r {
        Role::BorderGuard => "border_guard",
        Role::ConsularOfficer => "consular_officer",
        Role::Headquarters => "headquarters",
    }
}

fn device_from_row(r: &Row) -> DbResult<DeviceRow> {
    Ok(DeviceRow {
        id: r[0].t()?,
        office: r[1].t()?,
        role: r[2].t()?.parse().unwrap_or(Role::BorderGuard),
        device_no: r[3].i()? as u16,
        public_key: r[4].t()?,
        label: r[5].t()?,
        enrolled_ms: r[6].i()?,
        revoked: r[7].i()? != 0,
        wipe: r[8].i()? != 0,
        last_seen_ms: r[9].oi()?,
    })
}

const DEVICE_COLS: &str = "id, office, role, device_no, public_key, label, enrolled_ms, revoked, wipe, last_seen_ms";

/// Whether any of `authors` is a revoked device (headquarters' own key is
/// not a device row, so never). Each device row is read under a shared row
/// lock held to commit: a revocation of one of them (an update of that row,
/// [`Db::set_revoked`]) waits for this append, and an append that starts
/// while a revocation is in flight waits for it and then reads it. So a
/// revoked device's events are all stored before its revocation, with no
/// lock wider than its own row.
fn any_revoked<'a>(s: &mut dyn Sql, authors: impl Iterator<Item = &'a str>) -> DbResult<bool> {
    let seen: std::collections::BTreeSet<&str> = authors.collect();
    let sql = format!("SELECT revoked FROM devices WHERE id = ?1{}", s.for_share());
    for a in seen {
        if let Some(r) = s.one(&sql, &[a.into()])? {
            if r[0].i()? != 0 {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Compare-and-set of one kv row inside a transaction. On PostgreSQL a
/// concurrent writer's UPDATE waits for this one and then finds the old
/// value gone, so exactly one of them moves it.
fn kv_cas(s: &mut dyn Sql, k: &str, old: Option<&str>, new: &str) -> DbResult<bool> {
    let n = match old {
        None => s.exec("INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT DO NOTHING", &[k.into(), new.into()])?,
        Some(old) => s.exec("UPDATE kv SET v = ?1 WHERE k = ?2 AND v = ?3", &[new.into(), k.into(), old.into()])?,
    };
    Ok(n == 1)
}

/// Takes `n` numbers in `office`'s `log` (`events` or `screenings`) and
/// returns the first. The upsert locks the office's `log_heads` row until
/// this transaction ends, so the next append in that office waits, takes
/// larger numbers and commits after this one: within an office, numbers
/// commit in order, which is what lets a reader's cursor (the last number
/// it read) never skip an event that commits late. Appends in other
/// offices lock other rows and run in parallel. A new office starts after
/// the largest number any office has taken (see the migration).
fn allocate(s: &mut dyn Sql, log: &str, office: &str, n: i64) -> DbResult<i64> {
    let last = s
        .one(
            "INSERT INTO log_heads (log, office, last)
                SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), COALESCE(MAX(last), 0) + ?3 FROM log_heads WHERE log = ?1
             ON CONFLICT (log, office) DO UPDATE SET last = log_heads.last + ?3
             RETURNING last",
            &[log.into(), office.into(), n.into()],
        )?
        .ok_or(DbError::Column("log head"))?[0]
        .i()?;
    Ok(last - n + 1)
}

/// Numbers for a batch of appends: the offices' rows are locked in one
/// order (sorted) so that two batches spanning the same offices never wait
/// on each other in a cycle. Returns each item's number, in batch order.
fn allocate_batch<'a>(
    s: &mut dyn Sql,
    log: &str,
    offices: impl Iterator<Item = &'a str> + Clone,
) -> DbResult<Vec<i64>> {
    let mut counts: std::collections::BTreeMap<&str, i64> = Default::default();
    for o in offices.clone() {
        *counts.entry(o).or_default() += 1;
    }
    let mut next: std::collections::BTreeMap<&str, i64> = Default::default();
    for (o, n) in counts {
        next.insert(o, allocate(s, log, o, n)?);
    }
    Ok(offices
        .map(|o| {
            let p = next.get_mut(o).expect("counted above");
            *p += 1;
            *p - 1
        })
        .collect())
}

/// One office's events after position `after`, at most `limit`.
fn office_page(
    s: &mut dyn Sql,
    sealer: &Sealer,
    office: &str,
    after: u64,
    limit: usize,
) -> DbResult<Vec<(u64, Event<CertificateEvent>)>> {
    let rows = s.query(
        "SELECT pos, id, body FROM events WHERE office = ?1 AND pos > ?2 ORDER BY pos LIMIT ?3",
        &[office.into(), (after as i64).into(), (limit as i64).into()],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if let Ok(e) = serde_json::from_str(&sealer.open("events", &r[1].t()?, &r[2].t()?)?) {
            out.push((r[0].i()? as u64, e));
        }
    }
    Ok(out)
}

/// The cursor naming `positions` for `device`: the same positions give the
/// same token (a retried pull stores nothing new), marked by [`CURSOR_TOKEN`]
/// so that it is never read as a plain position.
fn cursor_token(device: &str, positions_json: &str) -> u64 {
    use sha2::Digest;
    let h =
        sha2::Sha256::new().chain_update(device.as_bytes()).chain_update([0]).chain_update(positions_json).finalize();
    let n = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    CURSOR_TOKEN | (n & (CURSOR_TOKEN - 1))
}

/// What a reviewer can look a case up by, without the field in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKind {
    /// A document number of the applicant's evidence (old passport, ID card, birth certificate).
    Document,
    /// Surname, given name and date of birth together (`surname|given|YYYY-MM-DD`).
    Person,
}

impl LookupKind {
    fn code(self) -> &'static str {
        match self {
            LookupKind::Document => "document",
            LookupKind::Person => "person",
        }
    }
}

/// The value of [`LookupKind::Person`] for a name and date of birth.
pub fn person_key(surname: &str, given_name: &str, date_of_birth: &str) -> String {
    format!("{}|{}|{}", surname.trim(), given_name.trim(), date_of_birth.trim())
}

/// The keyed lookup entries of a request event (its documents, its person).
fn index_lookups(s: &mut dyn Sql, sealer: &Sealer, e: &Event<CertificateEvent>) -> DbResult<()> {
    use homeward_domain::certificate::request::CitizenshipEvidence;
    let (CertificateEvent::Created { request } | CertificateEvent::Updated { request }) = &e.body else {
        return Ok(());
    };
    let mut entries = vec![];
    for ev in &request.evidence {
        if let CitizenshipEvidence::OldPassport { number }
        | CitizenshipEvidence::NationalId { number }
        | CitizenshipEvidence::BirthCertificate { number } = ev
        {
            if !crate::at_rest::normalise_lookup(number).is_empty() {
                entries.push((LookupKind::Document, number.clone()));
            }
        }
    }
    let a = &request.applicant;
    entries.push((LookupKind::Person, person_key(&a.surname, &a.given_name, &a.date_of_birth.to_string())));
    for (kind, value) in entries {
        s.exec(
            "INSERT INTO lookup_index (kind, entry, case_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[kind.code().into(), sealer.lookup(kind.code(), &value).as_str().into(), e.case_id.as_str().into()],
        )?;
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Db {
    /// The embedded SQLite database `hq.db` in `dir`.
    pub fn open(dir: &Path) -> DbResult<Db> {
        crate::private_files::private_dir(dir)?;
        // 0600 before SQLite opens it: its WAL and shared-memory files take
        // the database file's mode.
        crate::private_files::private_file(&dir.join("hq.db"))?;
        let mut conn = rusqlite::Connection::open(dir.join("hq.db"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // A deleted or rewritten row's bytes are zeroed, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let v: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in SQLITE_MIGRATIONS.iter().enumerate().skip(v as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)?;
            tx.commit()?;
        }
        Ok(Db {
            backend: Backend::Sqlite(Mutex::new(conn)),
            global_append_lock: AtomicBool::new(false),
            sealer: Default::default(),
        })
    }

    /// A PostgreSQL database (`postgres://...` or a libpq key=value string),
    /// migrated on open; `pool` connections serve the blocking workers.
    pub fn open_postgres(url: &str, pool: usize) -> DbResult<Db> {
        let pool = PgPool::connect(url, pool)?;
        {
            let mut c = pool.get()?;
            let mut tx = c.client.transaction()?;
            // One migrator at a time, even with several servers starting.
            tx.batch_execute(
                "SELECT pg_advisory_xact_lock(7240300);
                 CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
            )?;
            let v: i64 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?.get(0);
            for (i, sql) in PG_MIGRATIONS.iter().enumerate().skip(v as usize) {
                tx.batch_execute(sql)?;
                tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&((i + 1) as i64)])?;
            }
            tx.commit()?;
        }
        Ok(Db {
            backend: Backend::Postgres(pool),
            global_append_lock: AtomicBool::new(false),
            sealer: Default::default(),
        })
    }

    /// Opens (or, on a database's first start, makes) the data key with the
    /// operator's key ([`crate::at_rest`]) and seals whatever an older
    /// version stored in clear. A wrong key changes nothing and says so.
    pub fn use_data_key(&self, wrapping: &dyn KeyWrapping) -> DbResult<()> {
        let parse = |j: String| -> DbResult<crate::at_rest::WrappedKey> {
            serde_json::from_str(&j).map_err(|_| AtRestError::Tampered("kv").into())
        };
        let key = match self.get_kv("data_key")? {
            Some(j) => wrapping.unwrap(&parse(j)?)?,
            None => {
                let key = DataKey::generate();
                let wrapped = serde_json::to_string(&wrapping.wrap(&key)?).expect("serialises");
                if self.kv_compare_and_set("data_key", None, &wrapped)? {
                    key
                } else {
                    // Another instance made it first: it must be under the same key.
                    wrapping.unwrap(&parse(self.get_kv("data_key")?.ok_or(DbError::Column("data key"))?)?)?
                }
            }
        };
        self.use_key(&key)
    }

    /// Wraps the data key under `new` instead of `old` (which must open
    /// it): a compare-and-set, so a concurrent rewrap on another instance
    /// makes this one fail rather than lose either. The sealed records do
    /// not change.
    pub fn rewrap_data_key(&self, old: &dyn KeyWrapping, new: &dyn KeyWrapping) -> DbResult<()> {
        let held = self.get_kv("data_key")?.ok_or(AtRestError::NoKey)?;
        let wrapped: crate::at_rest::WrappedKey =
            serde_json::from_str(&held).map_err(|_| DbError::from(AtRestError::Tampered("kv")))?;
        let key = old.unwrap(&wrapped)?;
        let rewrapped = serde_json::to_string(&new.wrap(&key)?).expect("serialises");
        // The new wrapping must open before the old one is replaced.
        new.unwrap(&serde_json::from_str(&rewrapped).expect("just made"))?;
        if !self.kv_compare_and_set("data_key", Some(&held), &rewrapped)? {
            return Err(AtRestError::WrongKey("a data key rewrapped meanwhile by another instance".into()).into());
        }
        Ok(())
    }

    /// Seals with `key` from now on (tests and benchmarks that use a
    /// database without headquarters), sealing rows left in clear.
    pub fn use_key(&self, key: &DataKey) -> DbResult<()> {
        let _ = self.sealer.set(Sealer::new(key));
        self.seal_rows_left_in_clear()?;
        self.build_lookup_index()
    }

    /// The lookup index for a database from before it: every request held.
    fn build_lookup_index(&self) -> DbResult<()> {
        if self.get_kv("lookup_index")?.is_some() {
            return Ok(());
        }
        let sealer = self.sealer()?;
        self.tx(|s| {
            for r in s.query("SELECT id, body FROM events", &[])? {
                if let Ok(e) =
                    serde_json::from_str::<Event<CertificateEvent>>(&sealer.open("events", &r[0].t()?, &r[1].t()?)?)
                {
                    index_lookups(s, sealer, &e)?;
                }
            }
            kv_cas(s, "lookup_index", None, "1").map(|_| ())
        })
    }

    /// The cases whose request carries `value` as `kind` ([`LookupKind`]), oldest first.
    pub fn cases_matching(&self, kind: LookupKind, value: &str) -> DbResult<Vec<String>> {
        let entry = self.sealer()?.lookup(kind.code(), value);
        self.tx(|s| {
            s.query(
                "SELECT l.case_id FROM lookup_index l WHERE l.kind = ?1 AND l.entry = ?2 ORDER BY l.case_id",
                &[kind.code().into(), entry.as_str().into()],
            )?
            .iter()
            .map(|r| r[0].t())
            .collect()
        })
    }

    /// The sealer, once the data key is loaded.
    pub fn sealer(&self) -> DbResult<&Sealer> {
        self.sealer.get().ok_or_else(|| AtRestError::NoKey.into())
    }

    /// Rows of (id, sealed body) opened and parsed, in order.
    fn open_events<T: serde::de::DeserializeOwned>(&self, table: &'static str, rows: &[Row]) -> DbResult<Vec<T>> {
        let sealer = self.sealer()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            if let Ok(e) = serde_json::from_str(&sealer.open(table, &r[0].t()?, &r[1].t()?)?) {
                out.push(e);
            }
        }
        Ok(out)
    }

    fn seal_audit(&self, device: &str, e: &homeward_domain::audit::AuditEntry) -> DbResult<String> {
        let body = serde_json::to_string(e).expect("an entry serialises");
        Ok(self.sealer()?.seal("audit_entries", &format!("{device}/{}", e.seq), &body))
    }

    /// Rows of (device, seq, sealed body) opened and parsed, in order.
    fn open_audit(&self, rows: &[Row]) -> DbResult<Vec<homeward_domain::audit::AuditEntry>> {
        let sealer = self.sealer()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let row = format!("{}/{}", r[0].t()?, r[1].i()?);
            if let Ok(e) = serde_json::from_str(&sealer.open("audit_entries", &row, &r[2].t()?)?) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// A database an older version wrote keeps its records in clear: they
    /// are sealed in one transaction the first time a key is loaded, and
    /// the freed pages wiped (SQLite's secure delete, then VACUUM; on
    /// PostgreSQL `VACUUM FULL`), so no clear copy stays in the file.
    fn seal_rows_left_in_clear(&self) -> DbResult<()> {
        if self.get_kv("sealed_at_rest")?.is_some() {
            return Ok(());
        }
        let sealer = self.sealer()?;
        let changed = self.tx(|s| {
            let mut changed = 0u64;
            for table in ["events", "screenings"] {
                for r in s.query(&format!("SELECT id, body FROM {table}"), &[])? {
                    let (id, body) = (r[0].t()?, r[1].t()?);
                    if !crate::at_rest::is_sealed(&body) {
                        let sealed = sealer.seal(table, &id, &body);
                        changed += s.exec(
                            &format!("UPDATE {table} SET body = ?1 WHERE id = ?2"),
                            &[sealed.as_str().into(), id.as_str().into()],
                        )?;
                    }
                }
            }
            for r in s.query("SELECT device, seq, body FROM audit_entries", &[])? {
                let (device, seq, body) = (r[0].t()?, r[1].i()?, r[2].t()?);
                if !crate::at_rest::is_sealed(&body) {
                    let sealed = sealer.seal("audit_entries", &format!("{device}/{seq}"), &body);
                    changed += s.exec(
                        "UPDATE audit_entries SET body = ?1 WHERE device = ?2 AND seq = ?3",
                        &[sealed.as_str().into(), device.as_str().into(), seq.into()],
                    )?;
                }
            }
            for r in s.query("SELECT id, unlock_secret FROM devices WHERE unlock_secret IS NOT NULL", &[])? {
                let (id, secret) = (r[0].t()?, r[1].t()?);
                if !crate::at_rest::is_sealed(&secret) {
                    let sealed = sealer.seal("devices", &id, &secret);
                    changed += s.exec(
                        "UPDATE devices SET unlock_secret = ?1 WHERE id = ?2",
                        &[sealed.as_str().into(), id.as_str().into()],
                    )?;
                }
            }
            kv_cas(s, "sealed_at_rest", None, "1")?;
            Ok(changed)
        })?;
        if changed > 0 {
            self.wipe_free_pages()?;
        }
        Ok(())
    }

    /// Rewrites the database so that no page a row left holds its old bytes.
    pub fn wipe_free_pages(&self) -> DbResult<()> {
        match &self.backend {
            Backend::Sqlite(m) => {
                let c = lock(m);
                c.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
            }
            Backend::Postgres(pool) => {
                pool.get()?.client.batch_execute("VACUUM FULL events, screenings, audit_entries, devices")?;
            }
        }
        Ok(())
    }

    /// "sqlite" or "postgres", for logs and benchmark tables.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Runs `f` in one transaction on whichever backend this is.
    pub fn tx<T>(&self, f: impl FnOnce(&mut dyn Sql) -> DbResult<T>) -> DbResult<T> {
        match &self.backend {
            Backend::Sqlite(m) => {
                let mut c = lock(m);
                let mut tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let out = f(&mut tx)?;
                tx.commit()?;
                Ok(out)
            }
            Backend::Postgres(pool) => {
                let mut c = pool.get()?;
                let mut tx = c.transaction()?;
                let out = f(&mut tx)?;
                tx.commit()?;
                Ok(out)
            }
        }
    }

    pub fn add_code(&self, code_hash: &str, office: &str, role: Role, expires_ms: i64) -> DbResult<()> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO enrollment_codes (code_hash, office, role, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                &[code_hash.into(), office.into(), role_str(role).into(), expires_ms.into()],
            )
            .map(|_| ())
        })
    }

    /// Enrols a device in one transaction: refuses a key already enrolled
    /// (before the code is touched, so the code stays usable), claims the
    /// code, takes the office's next device number and adds the device.
    /// Enrolments are serialised, so two never share a number (certificate
    /// numbers embed it). `make` builds the row from (office, role, number).
    pub fn enroll_device(
        &self,
        code_hash: &str,
        public_key: &str,
        now_ms: i64,
        make: &dyn Fn(&str, Role, u16) -> DeviceRow,
        unlock_secret: &str,
    ) -> DbResult<Enrolment> {
        self.tx(|s| {
            s.serialize_enrolments()?;
            if s.one("SELECT id FROM devices WHERE public_key = ?1", &[public_key.into()])?.is_some() {
                return Ok(Enrolment::KeyTaken);
            }
            let n = s.exec(
                "UPDATE enrollment_codes SET used_ms = ?1 WHERE code_hash = ?2 AND used_ms IS NULL AND expires_ms > ?1",
                &[now_ms.into(), code_hash.into()],
            )?;
            if n != 1 {
                return Ok(Enrolment::BadCode);
            }
            let r = s
                .one("SELECT office, role FROM enrollment_codes WHERE code_hash = ?1", &[code_hash.into()])?
                .ok_or(DbError::Column("enrollment code"))?;
            let (office, role): (String, Role) = (r[0].t()?, r[1].t()?.parse().unwrap_or(Role::BorderGuard));
            let no = s
                .one("SELECT COALESCE(MAX(device_no), 0) + 1 FROM devices WHERE office = ?1", &[office.as_str().into()])?
                .map(|r| r[0].i())
                .transpose()?
                .unwrap_or(1);
            let no = u16::try_from(no).map_err(|_| DbError::Column("device number beyond 65535"))?;
            let d = make(&office, role, no);
            let unlock_secret = self.sealer()?.seal("devices", &d.id, unlock_secret);
            s.exec(
                "INSERT INTO devices (id, office, role, device_no, public_key, label, enrolled_ms, unlock_secret) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[
                    d.id.as_str().into(),
                    d.office.as_str().into(),
                    role_str(d.role).into(),
                    (d.device_no as i64).into(),
                    d.public_key.as_str().into(),
                    d.label.as_str().into(),
                    d.enrolled_ms.into(),
                    unlock_secret.as_str().into(),
                ],
            )?;
            Ok(Enrolment::Enrolled(d))
        })
    }

    pub fn add_device(&self, d: &DeviceRow) -> DbResult<()> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO devices (id, office, role, device_no, public_key, label, enrolled_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    d.id.as_str().into(),
                    d.office.as_str().into(),
                    role_str(d.role).into(),
                    (d.device_no as i64).into(),
                    d.public_key.as_str().into(),
                    d.label.as_str().into(),
                    d.enrolled_ms.into(),
                ],
            )
            .map(|_| ())
        })
    }

    pub fn device(&self, id: &str) -> DbResult<Option<DeviceRow>> {
        self.tx(|s| {
            s.one(&format!("SELECT {DEVICE_COLS} FROM devices WHERE id = ?1"), &[id.into()])?
                .map(|r| device_from_row(&r))
                .transpose()
        })
    }

    pub fn devices(&self) -> DbResult<Vec<DeviceRow>> {
        self.tx(|s| {
            s.query(&format!("SELECT {DEVICE_COLS} FROM devices ORDER BY office, device_no"), &[])?
                .iter()
                .map(device_from_row)
                .collect()
        })
    }

    /// Revokes a device. The update locks the device's row, which every
    /// append of its events reads under a shared lock ([`Db::insert_events`]),
    /// so each of its events is stored either before the revocation or not
    /// at all.
    pub fn set_revoked(&self, id: &str, wipe: bool) -> DbResult<bool> {
        self.tx(|s| {
            s.exec(
                "UPDATE devices SET revoked = 1, wipe = CASE WHEN ?2 = 1 THEN 1 ELSE wipe END WHERE id = ?1",
                &[id.into(), (wipe as i64).into()],
            )
            .map(|n| n == 1)
        })
    }

    /// Records the sync generation a device presents; true when headquarters
    /// had already seen a later one (the device was restored from a copy).
    /// One conditional update, so the generation held only ever rises, even
    /// when the original and its restored copy pull through two servers at
    /// the same moment (a read then a write could set it back).
    pub fn present_generation(&self, id: &str, generation: i64, now_ms: i64) -> DbResult<bool> {
        self.tx(|s| {
            let raised = s.exec(
                "UPDATE devices SET sync_generation = ?1 WHERE id = ?2 AND sync_generation <= ?1",
                &[generation.into(), id.into()],
            )?;
            if raised == 1 {
                return Ok(false);
            }
            // A later generation was seen (or there is no such device: nothing to note).
            Ok(s.exec("UPDATE devices SET rollback_ms = ?1 WHERE id = ?2", &[now_ms.into(), id.into()])? == 1)
        })
    }

    pub fn note_rollback(&self, id: &str, now_ms: i64) -> DbResult<()> {
        self.tx(|s| {
            s.exec("UPDATE devices SET rollback_ms = ?1 WHERE id = ?2", &[now_ms.into(), id.into()]).map(|_| ())
        })
    }

    pub fn confirm_wipe(&self, id: &str, now_ms: i64) -> DbResult<()> {
        self.tx(|s| {
            s.exec("UPDATE devices SET wipe_confirmed_ms = ?1 WHERE id = ?2", &[now_ms.into(), id.into()]).map(|_| ())
        })
    }

    /// (rollback seen at, wipe confirmed at) for a device.
    pub fn device_alerts(&self, id: &str) -> DbResult<(Option<i64>, Option<i64>)> {
        self.tx(|s| {
            let r = s.one("SELECT rollback_ms, wipe_confirmed_ms FROM devices WHERE id = ?1", &[id.into()])?;
            Ok(match r {
                Some(r) => (r[0].oi()?, r[1].oi()?),
                None => (None, None),
            })
        })
    }

    /// The highest sync generation headquarters has seen from a device.
    pub fn sync_generation_of(&self, id: &str) -> DbResult<Option<i64>> {
        self.tx(|s| {
            s.one("SELECT sync_generation FROM devices WHERE id = ?1", &[id.into()])?.map(|r| r[0].i()).transpose()
        })
    }

    /// The events and screening reports headquarters received from a
    /// device since `since_ms` (its clock), oldest first: ids and times only.
    pub fn received_since(
        &self,
        author: &str,
        since_ms: i64,
    ) -> DbResult<Vec<homeward_domain::sync::protocol::ReceivedEvent>> {
        use homeward_domain::sync::protocol::{ItemKind, ReceivedEvent};
        let made = |body: &str| -> i64 {
            serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("hlc")?.get("wall_ms")?.as_i64())
                .unwrap_or(0)
        };
        let sealer = self.sealer()?;
        self.tx(|s| {
            let mut out = vec![];
            for (kind, table, sql) in [
                (
                    ItemKind::CertificateCase,
                    "events",
                    "SELECT case_id, id, body, received_ms FROM events WHERE author = ?1 AND received_ms > ?2 ORDER BY seq",
                ),
                (
                    ItemKind::Screening,
                    "screenings",
                    "SELECT screening_id, id, body, received_ms FROM screenings WHERE author = ?1 AND received_ms > ?2 ORDER BY seq",
                ),
            ] {
                for r in s.query(sql, &[author.into(), since_ms.into()])? {
                    let event_id = r[1].t()?;
                    out.push(ReceivedEvent {
                        kind,
                        item_id: r[0].t()?,
                        made_ms: made(&sealer.open(table, &event_id, &r[2].t()?)?),
                        event_id,
                        received_ms: r[3].i()?,
                    });
                }
            }
            Ok(out)
        })
    }

    /// The newest event (certificate or screening) headquarters holds from a device.
    pub fn last_event_of(&self, author: &str) -> DbResult<Option<String>> {
        self.tx(|s| {
            let a = s.one(
                "SELECT id, received_ms, seq FROM events WHERE author = ?1 ORDER BY seq DESC LIMIT 1",
                &[author.into()],
            )?;
            let b = s.one(
                "SELECT id, received_ms, seq FROM screenings WHERE author = ?1 ORDER BY seq DESC LIMIT 1",
                &[author.into()],
            )?;
            Ok(match (a, b) {
                // A sync pushes certificate events before screenings: on a tie, the screening is newer.
                (Some(a), Some(b)) => Some(if b[1].i()? >= a[1].i()? { b[0].t()? } else { a[0].t()? }),
                (Some(a), None) => Some(a[0].t()?),
                (None, Some(b)) => Some(b[0].t()?),
                (None, None) => None,
            })
        })
    }

    pub fn set_unlock_secret(&self, id: &str, secret_hex: &str) -> DbResult<()> {
        let sealed = self.sealer()?.seal("devices", id, secret_hex);
        self.tx(|s| {
            s.exec("UPDATE devices SET unlock_secret = ?1 WHERE id = ?2", &[sealed.as_str().into(), id.into()])
                .map(|_| ())
        })
    }

    /// The device's unlock secret and the next code's counter (taken).
    pub fn next_unlock(&self, id: &str) -> DbResult<Option<(String, u64)>> {
        self.tx(|s| {
            let n = s.exec("UPDATE devices SET unlock_counter = unlock_counter + 1 WHERE id = ?1", &[id.into()])?;
            if n != 1 {
                return Ok(None);
            }
            let Some(r) = s.one("SELECT unlock_secret, unlock_counter FROM devices WHERE id = ?1", &[id.into()])?
            else {
                return Ok(None);
            };
            match r[0].ot()? {
                Some(sealed) => Ok(Some((self.sealer()?.open("devices", id, &sealed)?, r[1].i()? as u64))),
                None => Ok(None),
            }
        })
    }

    /// Records a nonce and the device's last contact in one commit; false if
    /// the nonce was already used (a replay).
    pub fn use_nonce_and_touch(&self, device: &str, nonce: &str, now_ms: i64, ttl_ms: i64) -> DbResult<bool> {
        self.tx(|s| {
            s.exec("DELETE FROM nonces WHERE device = ?1 AND expires_ms < ?2", &[device.into(), now_ms.into()])?;
            let n = s.exec(
                "INSERT INTO nonces (device, nonce, expires_ms) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                &[device.into(), nonce.into(), (now_ms + ttl_ms).into()],
            )?;
            if n == 1 {
                s.exec("UPDATE devices SET last_seen_ms = ?1 WHERE id = ?2", &[now_ms.into(), device.into()])?;
            }
            Ok(n == 1)
        })
    }

    /// The answer saved under a device's Idempotency-Key, and the SHA-256
    /// (hex) of the body it answered (`None` for answers saved before
    /// answers were bound to their body).
    pub fn idempotent_response(&self, device: &str, key: &str) -> DbResult<Option<(Vec<u8>, Option<String>)>> {
        self.tx(|s| {
            s.one(
                "SELECT response, body_sha256 FROM idempotency WHERE device = ?1 AND key = ?2",
                &[device.into(), key.into()],
            )?
            .map(|r| Ok((r[0].b()?, r[1].ot()?)))
            .transpose()
        })
    }

    /// Saves the answer to a device's Idempotency-Key and returns the one
    /// kept: the first saved for that body wins, so when two servers
    /// processed the same retry at once both answer what the first saved.
    /// `None` when the key is held for another body (then refuse).
    pub fn save_idempotent_response(
        &self,
        device: &str,
        key: &str,
        body_sha256: &str,
        response: &[u8],
    ) -> DbResult<Option<Vec<u8>>> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO idempotency (device, key, body_sha256, response) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device, key) DO UPDATE SET body_sha256 = excluded.body_sha256, response = excluded.response
                 WHERE idempotency.body_sha256 IS NULL",
                &[device.into(), key.into(), body_sha256.into(), response.into()],
            )?;
            let kept = s
                .one("SELECT response, body_sha256 FROM idempotency WHERE device = ?1 AND key = ?2", &[
                    device.into(),
                    key.into(),
                ])?
                .ok_or(DbError::Column("idempotency answer"))?;
            (kept[1].ot()?.as_deref() == Some(body_sha256)).then(|| kept[0].b()).transpose()
        })
    }

    pub fn case_events(&self, case_id: &str) -> DbResult<Vec<Event<CertificateEvent>>> {
        self.tx(|s| {
            let rows = s.query("SELECT id, body FROM events WHERE case_id = ?1 ORDER BY seq", &[case_id.into()])?;
            self.open_events("events", &rows)
        })
    }

    pub fn case_office(&self, case_id: &str) -> DbResult<Option<String>> {
        self.tx(|s| {
            s.one("SELECT office FROM events WHERE case_id = ?1 ORDER BY seq LIMIT 1", &[case_id.into()])?
                .map(|r| r[0].t())
                .transpose()
        })
    }

    pub fn has_event(&self, id: &str) -> DbResult<bool> {
        self.tx(|s| Ok(s.one("SELECT id FROM events WHERE id = ?1", &[id.into()])?.is_some()))
    }

    /// Every certificate event stored from `author`, in the order accepted.
    pub fn events_by(&self, author: &str) -> DbResult<Vec<Event<CertificateEvent>>> {
        self.tx(|s| {
            let rows = s.query("SELECT id, body FROM events WHERE author = ?1 ORDER BY seq", &[author.into()])?;
            self.open_events("events", &rows)
        })
    }

    /// The stored JSON of the certificate event with this id, exactly as stored.
    pub fn event_body(&self, id: &str) -> DbResult<Option<String>> {
        let sealer = self.sealer()?;
        self.tx(|s| {
            s.one("SELECT body FROM events WHERE id = ?1", &[id.into()])?
                .map(|r| Ok(sealer.open("events", id, &r[0].t()?)?))
                .transpose()
        })
    }

    /// The stored JSON of the screening event with this id.
    pub fn screening_event_body(&self, id: &str) -> DbResult<Option<String>> {
        let sealer = self.sealer()?;
        self.tx(|s| {
            s.one("SELECT body FROM screenings WHERE id = ?1", &[id.into()])?
                .map(|r| Ok(sealer.open("screenings", id, &r[0].t()?)?))
                .transpose()
        })
    }

    /// Benchmarks only: makes every append also take the one global
    /// advisory lock of the old design, so that `appends-bench` measures
    /// before and after on one build (docs/PERFORMANCE.md).
    pub fn set_global_append_lock(&self, on: bool) {
        self.global_append_lock.store(on, Ordering::Relaxed);
    }

    fn old_global_lock(&self, s: &mut dyn Sql) -> DbResult<()> {
        if self.global_append_lock.load(Ordering::Relaxed) {
            s.global_append_lock()?;
        }
        Ok(())
    }

    /// Stores accepted events in one transaction (one durable commit per
    /// batch), each numbered in its office's log ([`allocate`]: a lock on
    /// the office's row, not on the whole log). Nothing is stored, and the
    /// answer is false, when an author was revoked meanwhile: its device row
    /// is read under a shared lock, so a revoked device's events are all
    /// older than its revocation.
    pub fn insert_events(&self, events: &[(Event<CertificateEvent>, String)], now_ms: i64) -> DbResult<bool> {
        if events.is_empty() {
            return Ok(true);
        }
        self.tx(|s| self.insert_events_in(s, events, now_ms))
    }

    /// [`Db::insert_events`] inside a transaction the caller holds (through
    /// [`Db::tx`]): the tests hold one open to commit late.
    pub fn insert_events_in(
        &self,
        s: &mut dyn Sql,
        events: &[(Event<CertificateEvent>, String)],
        now_ms: i64,
    ) -> DbResult<bool> {
        let sealer = self.sealer()?;
        self.old_global_lock(s)?;
        if any_revoked(s, events.iter().map(|(e, _)| e.author.as_str()))? {
            return Ok(false);
        }
        let positions = allocate_batch(s, "events", events.iter().map(|(_, o)| o.as_str()))?;
        for ((e, office), pos) in events.iter().zip(positions) {
            let body = sealer.seal("events", &e.id, &serde_json::to_string(e).expect("an event serialises"));
            index_lookups(s, sealer, e)?;
            // A duplicate (ON CONFLICT) leaves its number unused: a gap, which readers pass over.
            s.exec(
                "INSERT INTO events (id, case_id, office, author, body, received_ms, pos) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                &[
                    e.id.as_str().into(),
                    e.case_id.as_str().into(),
                    office.as_str().into(),
                    e.author.as_str().into(),
                    body.as_str().into(),
                    now_ms.into(),
                    pos.into(),
                ],
            )?;
        }
        Ok(true)
    }

    /// Stores one of headquarters' decisions, only if its case still holds
    /// exactly `seen` events (what the decision was checked against). The
    /// count is taken under the lock of the case's office log (every event
    /// of a case is in its office), so a decision or a device's event on the
    /// case stored meanwhile on another server makes this one false instead
    /// of a second branch.
    pub fn insert_decision(
        &self,
        e: &Event<CertificateEvent>,
        office: &str,
        seen: usize,
        now_ms: i64,
    ) -> DbResult<bool> {
        self.tx(|s| {
            self.old_global_lock(s)?;
            let pos = allocate(s, "events", office, 1)?;
            let held = s
                .one("SELECT COUNT(*) FROM events WHERE case_id = ?1", &[e.case_id.as_str().into()])?
                .map(|r| r[0].i())
                .transpose()?
                .unwrap_or(0);
            if held != seen as i64 {
                return Ok(false);
            }
            let body = self.sealer()?.seal("events", &e.id, &serde_json::to_string(e).expect("an event serialises"));
            s.exec(
                "INSERT INTO events (id, case_id, office, author, body, received_ms, pos) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    e.id.as_str().into(),
                    e.case_id.as_str().into(),
                    office.into(),
                    e.author.as_str().into(),
                    body.as_str().into(),
                    now_ms.into(),
                    pos.into(),
                ],
            )?;
            Ok(true)
        })
    }

    /// Events of `office` after position `after` in its log, at most
    /// `limit`, with their positions. A plain read: a position is visible
    /// only once every smaller one of the office has committed or been
    /// given up ([`allocate`]), so reading past the last position seen
    /// never skips an event that commits late.
    pub fn events_after(
        &self,
        office: &str,
        after: u64,
        limit: usize,
    ) -> DbResult<Vec<(u64, Event<CertificateEvent>)>> {
        self.tx(|s| office_page(s, self.sealer()?, office, after, limit))
    }

    /// One page of every office's events for an all-office reader
    /// (headquarters' devices). `after` is what the last page returned as
    /// `next`: a [`CURSOR_TOKEN`] naming this device's stored [`Positions`],
    /// or a plain position (the same in every office; 0 at first). Only
    /// offices whose log moved past the reader are read, each from its own
    /// position; the page takes a prefix of each office's events, so
    /// advancing that office's position to the last taken skips nothing. A
    /// token not found (pruned, or a device restored from an old copy)
    /// starts again from the beginning: events already held are sent again
    /// (the device skips them), never lost.
    pub fn events_after_all(&self, device: &str, after: u64, limit: usize, now_ms: i64) -> DbResult<AllOfficePage> {
        self.tx(|s| {
            let mut positions = if after & CURSOR_TOKEN != 0 {
                let held = s.one("SELECT positions FROM pull_cursors WHERE device = ?1 AND token = ?2", &[
                    device.into(),
                    (after as i64).into(),
                ])?;
                // The device has moved on to this token: the older ones it can no longer present.
                s.exec(
                    "DELETE FROM pull_cursors WHERE device = ?1 AND made_ms < (SELECT made_ms FROM pull_cursors WHERE device = ?1 AND token = ?2)",
                    &[device.into(), (after as i64).into()],
                )?;
                held.map(|r| r[0].t()).transpose()?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default()
            } else {
                Positions { default: after, offices: Default::default() }
            };
            let heads = s.query("SELECT office, last FROM log_heads WHERE log = 'events' ORDER BY office", &[])?;
            let mut rows: Vec<(u64, String, Event<CertificateEvent>)> = Vec::new();
            let mut more = false;
            for h in heads {
                let (office, last) = (h[0].t()?, h[1].i()? as u64);
                let from = positions.at(&office);
                if last <= from {
                    continue;
                }
                let page = office_page(s, self.sealer()?, &office, from, limit + 1)?;
                more |= page.len() > limit;
                rows.extend(page.into_iter().take(limit).map(|(p, e)| (p, office.clone(), e)));
            }
            // Smallest positions first across offices: each office's events
            // stay in their order, and whatever is cut off is a suffix of each.
            rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            if rows.len() > limit {
                more = true;
                rows.truncate(limit);
            }
            if rows.is_empty() {
                return Ok(AllOfficePage { events: vec![], next: after, more });
            }
            for (p, office, _) in &rows {
                positions.offices.insert(office.clone(), *p);
            }
            positions.offices.retain(|_, p| *p != positions.default);
            let json = serde_json::to_string(&positions).expect("positions serialise");
            let next = cursor_token(device, &json);
            s.exec(
                "INSERT INTO pull_cursors (device, token, positions, made_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                &[device.into(), (next as i64).into(), json.as_str().into(), now_ms.into()],
            )?;
            Ok(AllOfficePage { events: rows.into_iter().map(|(_, _, e)| e).collect(), next, more })
        })
    }

    pub fn has_screening_event(&self, id: &str) -> DbResult<bool> {
        self.tx(|s| Ok(s.one("SELECT id FROM screenings WHERE id = ?1", &[id.into()])?.is_some()))
    }

    /// Stores accepted screening reports in one transaction; like
    /// [`Db::insert_events`], nothing (false) when an author was revoked meanwhile.
    pub fn insert_screenings(&self, events: &[(Event<ScreeningEvent>, String)], now_ms: i64) -> DbResult<bool> {
        if events.is_empty() {
            return Ok(true);
        }
        self.tx(|s| {
            self.old_global_lock(s)?;
            if any_revoked(s, events.iter().map(|(e, _)| e.author.as_str()))? {
                return Ok(false);
            }
            let positions = allocate_batch(s, "screenings", events.iter().map(|(_, o)| o.as_str()))?;
            for ((e, office), pos) in events.iter().zip(positions) {
                let body = self.sealer()?.seal("screenings", &e.id, &serde_json::to_string(e).expect("an event serialises"));
                let verdict = serde_json::to_value(e.body.report().verdict).expect("serialises");
                s.exec(
                    "INSERT INTO screenings (id, screening_id, office, author, verdict, body, received_ms, pos) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                    &[
                        e.id.as_str().into(),
                        e.case_id.as_str().into(),
                        office.as_str().into(),
                        e.author.as_str().into(),
                        verdict.as_str().unwrap_or("").into(),
                        body.as_str().into(),
                        now_ms.into(),
                        pos.into(),
                    ],
                )?;
            }
            Ok(true)
        })
    }

    /// Screening reports received: (office, verdict, count), for statistics.
    pub fn screening_counts(&self) -> DbResult<Vec<(String, String, i64)>> {
        self.tx(|s| {
            s.query(
                "SELECT office, verdict, COUNT(DISTINCT screening_id) FROM screenings GROUP BY office, verdict ORDER BY office, verdict",
                &[],
            )?
            .iter()
            .map(|r| Ok((r[0].t()?, r[1].t()?, r[2].i()?)))
            .collect()
        })
    }

    /// Every screening event received, oldest first.
    pub fn screening_events(&self) -> DbResult<Vec<Event<ScreeningEvent>>> {
        self.tx(|s| {
            let rows = s.query("SELECT id, body FROM screenings ORDER BY seq", &[])?;
            self.open_events("screenings", &rows)
        })
    }

    /// A device's audit chain as headquarters holds it.
    pub fn audit_chain(&self, device: &str) -> DbResult<Option<AuditChainRow>> {
        self.tx(|s| {
            s.one(
                "SELECT audit_key, anchor_seq, anchor_hash, tampered_ms FROM audit_chains WHERE device = ?1",
                &[device.into()],
            )?
            .map(|r| {
                Ok(AuditChainRow {
                    audit_key: r[0].t()?,
                    anchor_seq: r[1].i()? as u64,
                    anchor_hash: r[2].ot()?,
                    tampered: r[3].oi()?.is_some(),
                })
            })
            .transpose()
        })
    }

    pub fn set_audit_key(&self, device: &str, key_hex: &str) -> DbResult<()> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO audit_chains (device, audit_key) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[device.into(), key_hex.into()],
            )
            .map(|_| ())
        })
    }

    /// Stores checked entries and moves the anchor, in one transaction.
    pub fn append_audit(
        &self,
        device: &str,
        entries: &[homeward_domain::audit::AuditEntry],
        now_ms: i64,
    ) -> DbResult<()> {
        let Some(last) = entries.last() else { return Ok(()) };
        self.tx(|s| {
            for e in entries {
                let body = self.seal_audit(device, e)?;
                s.exec(
                    "INSERT INTO audit_entries (device, seq, body, received_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    &[device.into(), (e.seq as i64).into(), body.as_str().into(), now_ms.into()],
                )?;
            }
            s.exec(
                "UPDATE audit_chains SET anchor_seq = ?1, anchor_hash = ?2 WHERE device = ?3",
                &[(last.seq as i64).into(), last.hash().as_str().into(), device.into()],
            )?;
            Ok(())
        })
    }

    /// Appends one entry to a chain headquarters keeps itself (its own
    /// actions): `make` builds the entry after (last seq, last hash). Returns
    /// `None` when another writer took that place first (then try again).
    pub fn append_own_audit(
        &self,
        device: &str,
        key_hex: &str,
        make: &dyn Fn(u64, &str) -> Option<homeward_domain::audit::AuditEntry>,
        now_ms: i64,
    ) -> DbResult<Option<homeward_domain::audit::AuditEntry>> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO audit_chains (device, audit_key) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[device.into(), key_hex.into()],
            )?;
            let r = s
                .one("SELECT anchor_seq, anchor_hash FROM audit_chains WHERE device = ?1", &[device.into()])?
                .ok_or(DbError::Column("audit chain"))?;
            let (seq, hash) = (r[0].i()? as u64, r[1].ot()?.unwrap_or_else(|| homeward_domain::audit::GENESIS_HASH.into()));
            let Some(e) = make(seq, &hash) else { return Ok(None) };
            let body = self.seal_audit(device, &e)?;
            let n = s.exec(
                "INSERT INTO audit_entries (device, seq, body, received_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                &[device.into(), (e.seq as i64).into(), body.as_str().into(), now_ms.into()],
            )?;
            if n != 1 {
                return Ok(None);
            }
            let moved = s.exec(
                "UPDATE audit_chains SET anchor_seq = ?1, anchor_hash = ?2 WHERE device = ?3 AND anchor_seq = ?4",
                &[(e.seq as i64).into(), e.hash().as_str().into(), device.into(), (seq as i64).into()],
            )?;
            Ok((moved == 1).then_some(e))
        })
    }

    /// (seq, hash) of a device's audit entries from `from` on, at most `limit`.
    pub fn audit_hashes_from(
        &self,
        device: &str,
        from: u64,
        limit: usize,
    ) -> DbResult<Vec<homeward_domain::audit::ChainAnchor>> {
        self.tx(|s| {
            let rows = s.query(
                "SELECT device, seq, body FROM audit_entries WHERE device = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
                &[device.into(), (from as i64).into(), (limit as i64).into()],
            )?;
            Ok(self
                .open_audit(&rows)?
                .into_iter()
                .map(|e| homeward_domain::audit::ChainAnchor { seq: e.seq, hash: e.hash() })
                .collect())
        })
    }

    pub fn note_audit_tampering(&self, device: &str, reason: &str, now_ms: i64) -> DbResult<()> {
        self.tx(|s| {
            s.exec(
                "UPDATE audit_chains SET tampered_ms = ?1, tamper_reason = ?2 WHERE device = ?3",
                &[now_ms.into(), reason.into(), device.into()],
            )
            .map(|_| ())
        })
    }

    /// Audit entries held, for one device or all, in device and chain order.
    pub fn audit_entries(&self, device: Option<&str>) -> DbResult<Vec<homeward_domain::audit::AuditEntry>> {
        self.tx(|s| {
            let rows = match device {
                Some(d) => {
                    s.query("SELECT device, seq, body FROM audit_entries WHERE device = ?1 ORDER BY seq", &[d.into()])?
                }
                None => s.query("SELECT device, seq, body FROM audit_entries ORDER BY device, seq", &[])?,
            };
            self.open_audit(&rows)
        })
    }

    /// Which operator made a headquarters decision.
    pub fn record_action(&self, event_id: &str, case_id: &str, operator: &str, at_ms: i64) -> DbResult<()> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO hq_actions (event_id, case_id, operator, at_ms) VALUES (?1, ?2, ?3, ?4)",
                &[event_id.into(), case_id.into(), operator.into(), at_ms.into()],
            )
            .map(|_| ())
        })
    }

    /// (event id, operator, time) of every headquarters decision on a case.
    pub fn actions(&self, case_id: &str) -> DbResult<Vec<(String, String, i64)>> {
        self.tx(|s| {
            s.query(
                "SELECT event_id, operator, at_ms FROM hq_actions WHERE case_id = ?1 ORDER BY at_ms",
                &[case_id.into()],
            )?
            .iter()
            .map(|r| Ok((r[0].t()?, r[1].t()?, r[2].i()?)))
            .collect()
        })
    }

    pub fn case_ids(&self) -> DbResult<Vec<String>> {
        self.tx(|s| {
            s.query("SELECT case_id FROM events GROUP BY case_id ORDER BY MIN(seq)", &[])?
                .iter()
                .map(|r| r[0].t())
                .collect()
        })
    }

    pub fn get_kv(&self, k: &str) -> DbResult<Option<String>> {
        self.tx(|s| s.one("SELECT v FROM kv WHERE k = ?1", &[k.into()])?.map(|r| r[0].t()).transpose())
    }

    /// Sets `k` to `new` only if it still holds `old` (`None`: absent):
    /// false when another writer, in this process or another sharing the
    /// database, changed it first. Read-modify-writes of shared values
    /// (revoked certificate numbers, reference data) loop on it.
    pub fn kv_compare_and_set(&self, k: &str, old: Option<&str>, new: &str) -> DbResult<bool> {
        self.tx(|s| kv_cas(s, k, old, new))
    }

    /// Publishes the trust and revocation lists under sequence `seq`, in
    /// one transaction and only if `list_sequence` still holds `previous`:
    /// two servers publishing at once never both sign one sequence number,
    /// and the one that loses publishes again from what it reads then.
    pub fn publish_lists(&self, previous: Option<&str>, seq: &str, trust: &str, revocations: &str) -> DbResult<bool> {
        self.tx(|s| {
            if !kv_cas(s, "list_sequence", previous, seq)? {
                return Ok(false);
            }
            for (k, v) in [("trust_list", trust), ("revocations", revocations)] {
                s.exec(
                    "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                    &[k.into(), v.into()],
                )?;
            }
            Ok(true)
        })
    }

    pub fn set_kv(&self, k: &str, v: &str) -> DbResult<()> {
        self.tx(|s| {
            s.exec(
                "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                &[k.into(), v.into()],
            )
            .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_domain::events::{DeviceIdentity, Hlc};
    use rand_core::OsRng;
    use std::collections::HashSet;

    fn event(me: &DeviceIdentity) -> Event<CertificateEvent> {
        let case = uuid::Uuid::new_v4().to_string();
        Event::new(me, &case, None, Hlc { wall_ms: 1, counter: 0 }, CertificateEvent::Submitted, &mut OsRng)
    }

    /// A database from before per-office logs (one global `seq`, cursors
    /// in it) migrates so that every cursor held then still means the same
    /// place: nothing is skipped, nothing sent twice.
    #[test]
    fn cursors_from_the_single_log_stay_valid_after_the_migration() {
        let dir = tempfile::tempdir().unwrap();
        let me = DeviceIdentity::generate("mow-01-test", Role::ConsularOfficer, "MOW", &mut OsRng);
        let old: Vec<_> = (0..6).map(|_| event(&me)).collect();
        {
            // The schema as it was (the first six migrations), and six
            // events numbered by the one log: MOW 1, 3, 5; IST 2, 4, 6.
            let mut c = rusqlite::Connection::open(dir.path().join("hq.db")).unwrap();
            for sql in &SQLITE_MIGRATIONS[..6] {
                let tx = c.transaction().unwrap();
                tx.execute_batch(sql).unwrap();
                tx.commit().unwrap();
            }
            c.pragma_update(None, "user_version", 6u32).unwrap();
            for (i, e) in old.iter().enumerate() {
                c.execute(
                    "INSERT INTO events (id, case_id, office, author, body, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                    rusqlite::params![
                        e.id,
                        e.case_id,
                        if i % 2 == 0 { "MOW" } else { "IST" },
                        e.author,
                        serde_json::to_string(e).unwrap()
                    ],
                )
                .unwrap();
            }
        }
        let db = Db::open(dir.path()).unwrap();
        // The clear rows an older version stored are sealed when the key comes.
        db.use_key(&DataKey::generate()).unwrap();
        let ids = |v: &[(u64, Event<CertificateEvent>)]| v.iter().map(|(p, e)| (*p, e.id.clone())).collect::<Vec<_>>();
        // A consulate's old cursor (a global seq) is its position.
        assert_eq!(ids(&db.events_after("MOW", 3, 10).unwrap()), vec![(5, old[4].id.clone())]);
        // New appends number after every old seq, in every office, new ones too.
        let fresh: Vec<_> = (0..3).map(|_| event(&me)).collect();
        let batch = vec![
            (fresh[0].clone(), "IST".to_string()),
            (fresh[1].clone(), "MOW".to_string()),
            (fresh[2].clone(), "ALA".to_string()),
        ];
        assert!(db.insert_events(&batch, 0).unwrap());
        // IST's device had read up to 6 (the last seq of all): it gets IST's new event, nothing old.
        let ist = db.events_after("IST", 6, 10).unwrap();
        assert_eq!(ist.len(), 1);
        assert_eq!(ist[0].1.id, fresh[0].id);
        assert!(ist[0].0 > 6);
        // So had MOW's, whose own last event was 5: its new event is not behind that cursor.
        let mow = db.events_after("MOW", 6, 10).unwrap();
        assert_eq!(mow.iter().map(|(_, e)| e.id.clone()).collect::<Vec<_>>(), vec![fresh[1].id.clone()]);
        // A new office starts after them too.
        assert!(db.events_after("ALA", 0, 10).unwrap()[0].0 > 6);
        // A headquarters device's old cursor 4 is "4 in every office".
        let page = db.events_after_all("hq-01-test", 4, 100, 0).unwrap();
        let got: HashSet<String> = page.events.iter().map(|e| e.id.clone()).collect();
        let want: HashSet<String> =
            [&old[4], &old[5], &fresh[0], &fresh[1], &fresh[2]].iter().map(|e| e.id.clone()).collect();
        assert_eq!(got, want);
        assert!(!page.more);
        assert!(page.next & CURSOR_TOKEN != 0);
    }
}
