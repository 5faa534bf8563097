//! Headquarters' storage: an embedded SQLite file in the data directory.
//! (PostgreSQL, when `DATABASE_URL` names one, is not built yet: see
//! docs/PROTOCOL.md, "Status".)

use std::path::Path;
use std::sync::Mutex;

use homeward_core::certificate::CertificateEvent;
use homeward_core::events::{Event, Role};
use rusqlite::{params, Connection, OptionalExtension};

const MIGRATIONS: &[&str] = &["CREATE TABLE devices (
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
     CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);"];

pub struct Db {
    conn: Mutex<Connection>,
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

fn role_str(r: Role) -> &'static str {
    match r {
        Role::BorderGuard => "border_guard",
        Role::ConsularOfficer => "consular_officer",
        Role::Headquarters => "headquarters",
    }
}

fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    let role: String = r.get(2)?;
    Ok(DeviceRow {
        id: r.get(0)?,
        office: r.get(1)?,
        role: role.parse().unwrap_or(Role::BorderGuard),
        device_no: r.get(3)?,
        public_key: r.get(4)?,
        label: r.get(5)?,
        enrolled_ms: r.get(6)?,
        revoked: r.get::<_, i64>(7)? != 0,
        wipe: r.get::<_, i64>(8)? != 0,
        last_seen_ms: r.get(9)?,
    })
}

const DEVICE_COLS: &str = "id, office, role, device_no, public_key, label, enrolled_ms, revoked, wipe, last_seen_ms";

impl Db {
    pub fn open(dir: &Path) -> rusqlite::Result<Db> {
        std::fs::create_dir_all(dir).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let mut conn = Connection::open(dir.join("hq.db"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let v: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(v as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)?;
            tx.commit()?;
        }
        Ok(Db { conn: Mutex::new(conn) })
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut c)
    }

    pub fn add_code(&self, code_hash: &str, office: &str, role: Role, expires_ms: i64) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO enrollment_codes (code_hash, office, role, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                params![code_hash, office, role_str(role), expires_ms],
            )
            .map(|_| ())
        })
    }

    /// Uses a code once: returns its office and role if it exists, is unused
    /// and unexpired; marks it used in the same transaction.
    pub fn take_code(&self, code_hash: &str, now_ms: i64) -> rusqlite::Result<Option<(String, Role)>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let row: Option<(String, String, i64, Option<i64>)> = tx
                .query_row(
                    "SELECT office, role, expires_ms, used_ms FROM enrollment_codes WHERE code_hash = ?1",
                    [code_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let out = match row {
                Some((office, role, expires, None)) if expires > now_ms => {
                    tx.execute(
                        "UPDATE enrollment_codes SET used_ms = ?1 WHERE code_hash = ?2",
                        params![now_ms, code_hash],
                    )?;
                    Some((office, role.parse().unwrap_or(Role::BorderGuard)))
                }
                _ => None,
            };
            tx.commit()?;
            Ok(out)
        })
    }

    pub fn add_device(&self, d: &DeviceRow) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO devices (id, office, role, device_no, public_key, label, enrolled_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![d.id, d.office, role_str(d.role), d.device_no, d.public_key, d.label, d.enrolled_ms],
            )
            .map(|_| ())
        })
    }

    pub fn next_device_no(&self, office: &str) -> rusqlite::Result<u16> {
        self.with(|c| {
            c.query_row("SELECT COALESCE(MAX(device_no), 0) + 1 FROM devices WHERE office = ?1", [office], |r| r.get(0))
        })
    }

    pub fn device(&self, id: &str) -> rusqlite::Result<Option<DeviceRow>> {
        self.with(|c| {
            c.query_row(&format!("SELECT {DEVICE_COLS} FROM devices WHERE id = ?1"), [id], device_from_row).optional()
        })
    }

    pub fn devices(&self) -> rusqlite::Result<Vec<DeviceRow>> {
        self.with(|c| {
            let mut s = c.prepare(&format!("SELECT {DEVICE_COLS} FROM devices ORDER BY office, device_no"))?;
            let rows = s.query_map([], device_from_row)?.collect();
            rows
        })
    }

    pub fn set_revoked(&self, id: &str, wipe: bool) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.execute("UPDATE devices SET revoked = 1, wipe = MAX(wipe, ?2) WHERE id = ?1", params![id, wipe as i64])
                .map(|n| n == 1)
        })
    }

    pub fn touch(&self, id: &str, now_ms: i64) -> rusqlite::Result<()> {
        self.with(|c| c.execute("UPDATE devices SET last_seen_ms = ?1 WHERE id = ?2", params![now_ms, id]).map(|_| ()))
    }

    /// Records a nonce; false if it was already used (a replay).
    pub fn use_nonce(&self, device: &str, nonce: &str, now_ms: i64, ttl_ms: i64) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.execute("DELETE FROM nonces WHERE expires_ms < ?1", [now_ms])?;
            let n = c.execute(
                "INSERT OR IGNORE INTO nonces (device, nonce, expires_ms) VALUES (?1, ?2, ?3)",
                params![device, nonce, now_ms + ttl_ms],
            )?;
            Ok(n == 1)
        })
    }

    pub fn idempotent_response(&self, device: &str, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        self.with(|c| {
            c.query_row("SELECT response FROM idempotency WHERE device = ?1 AND key = ?2", [device, key], |r| r.get(0))
                .optional()
        })
    }

    pub fn save_idempotent_response(&self, device: &str, key: &str, response: &[u8]) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO idempotency (device, key, response) VALUES (?1, ?2, ?3)",
                params![device, key, response],
            )
            .map(|_| ())
        })
    }

    pub fn case_events(&self, case_id: &str) -> rusqlite::Result<Vec<Event<CertificateEvent>>> {
        self.with(|c| {
            let mut s = c.prepare("SELECT body FROM events WHERE case_id = ?1 ORDER BY seq")?;
            let rows = s
                .query_map([case_id], |r| r.get::<_, String>(0))?
                .filter_map(|b| b.ok().and_then(|b| serde_json::from_str(&b).ok()))
                .collect();
            Ok(rows)
        })
    }

    pub fn case_office(&self, case_id: &str) -> rusqlite::Result<Option<String>> {
        self.with(|c| {
            c.query_row("SELECT office FROM events WHERE case_id = ?1 ORDER BY seq LIMIT 1", [case_id], |r| r.get(0))
                .optional()
        })
    }

    pub fn has_event(&self, id: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row("SELECT 1 FROM events WHERE id = ?1", [id], |_| Ok(())).optional().map(|o| o.is_some())
        })
    }

    /// Stores accepted events in one transaction (one durable commit per batch).
    pub fn insert_events(&self, events: &[(Event<CertificateEvent>, String)], now_ms: i64) -> rusqlite::Result<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut ins = tx.prepare_cached(
                    "INSERT OR IGNORE INTO events (id, case_id, office, author, body, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for (e, office) in events {
                    let body = serde_json::to_string(e).expect("an event serialises");
                    ins.execute(params![e.id, e.case_id, office, e.author, body, now_ms])?;
                }
            }
            tx.commit()
        })
    }

    /// Events after `after` for `office` (all offices when `None`), at most `limit`.
    pub fn events_after(
        &self,
        office: Option<&str>,
        after: u64,
        limit: usize,
    ) -> rusqlite::Result<Vec<(u64, Event<CertificateEvent>)>> {
        self.with(|c| {
            let mut s = c.prepare(
                "SELECT seq, body FROM events WHERE (?1 IS NULL OR office = ?1) AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows: Vec<(u64, String)> = s
                .query_map(params![office, after as i64, limit as i64], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows.into_iter().filter_map(|(seq, b)| serde_json::from_str(&b).ok().map(|e| (seq, e))).collect())
        })
    }

    pub fn case_ids(&self) -> rusqlite::Result<Vec<String>> {
        self.with(|c| {
            let mut s = c.prepare("SELECT case_id FROM events GROUP BY case_id ORDER BY MIN(seq)")?;
            let rows = s.query_map([], |r| r.get(0))?.collect();
            rows
        })
    }

    pub fn get_kv(&self, k: &str) -> rusqlite::Result<Option<String>> {
        self.with(|c| c.query_row("SELECT v FROM kv WHERE k = ?1", [k], |r| r.get(0)).optional())
    }

    pub fn set_kv(&self, k: &str, v: &str) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute("INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [k, v])
                .map(|_| ())
        })
    }
}
