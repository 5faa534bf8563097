//! The vault's SQLite schema, its migrations, and the connection settings
//! every open applies.
//!
//! Clear columns hold only opaque ids, keyed tags and bookkeeping; each one
//! is listed with what it reveals in docs/SECURITY.md ("Clear columns").

use rusqlite::Connection;

use super::error::{Result, VaultError};

/// Ordered migrations; `PRAGMA user_version` records how many have run.
/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: header, failed-unlock counter, sealed records, blind index, attachments.
    "CREATE TABLE vault_header (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL
     );
     CREATE TABLE unlock_attempts (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        failures INTEGER NOT NULL,
        last_failure_unix_ms INTEGER
     );
     INSERT INTO unlock_attempts (id, failures, last_failure_unix_ms) VALUES (1, 0, NULL);
     CREATE TABLE records (
        id BLOB NOT NULL UNIQUE,
        kind_tag BLOB NOT NULL,
        schema_version INTEGER NOT NULL,
        sealed BLOB NOT NULL
     );
     CREATE INDEX records_by_kind ON records (kind_tag);
     CREATE TABLE blind_index (
        tag BLOB NOT NULL,
        record_id BLOB NOT NULL,
        PRIMARY KEY (tag, record_id)
     ) WITHOUT ROWID;
     CREATE INDEX blind_index_by_record ON blind_index (record_id);
     CREATE TABLE attachments (
        id BLOB PRIMARY KEY,
        record_id BLOB NOT NULL
     );
     CREATE INDEX attachments_by_record ON attachments (record_id);",
    // 2: an unlock attempt counted but not yet answered (killed mid-check),
    // so the next unlock can say the last one was interrupted.
    "ALTER TABLE unlock_attempts ADD COLUMN in_progress INTEGER NOT NULL DEFAULT 0;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Connection settings: WAL for crash safety with concurrent readers,
/// FULL sync so a commit survives power loss, secure_delete so freed pages
/// are zeroed, temp tables in memory so nothing spills into temp files.
pub fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Fail fast under contention rather than wedge the UI thread.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Runs every migration not yet applied, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(VaultError::UnsupportedFormat { found: current, supported: SCHEMA_VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_refuse_newer() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: u32 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        assert!(matches!(migrate(&mut c), Err(VaultError::UnsupportedFormat { .. })));
    }
}
