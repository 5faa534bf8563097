//! The storage side of headquarters' backups (see `crate::backup`): a
//! consistent copy of the SQLite file while it serves, the backup counters
//! devices see, and the schema version a backup was made with. Additive:
//! new kv keys and one statement, nothing else in the schema changes.

use std::path::Path;

use super::{kv_cas, Backend, Db, DbError, DbResult, PG_MIGRATIONS, SQLITE_MIGRATIONS};

/// kv keys (docs/PROTOCOL.md, "Headquarters restored from a backup").
pub const KV_INCARNATION: &str = "incarnation";
pub const KV_BACKUP_STARTED: &str = "backup_started";
pub const KV_BACKUP_DONE: &str = "backup_done";
/// What the backup being made is: written before the copy, so the copy holds it.
pub const KV_BACKUP_META: &str = "backup_meta";
/// Set by a restore: which backup, when, and the incarnation it replaced.
pub const KV_RESTORED: &str = "restored";

impl Db {
    /// The schema version this build migrates to, for this backend.
    pub fn schema_version_known(&self) -> u32 {
        match self.backend {
            Backend::Sqlite(_) => SQLITE_MIGRATIONS.len() as u32,
            Backend::Postgres(_) => PG_MIGRATIONS.len() as u32,
        }
    }

    /// Takes the next backup number (`backup_started` + 1), storing `meta`
    /// (made from the number) in the same transaction, so that the copy
    /// that follows holds both.
    pub fn begin_backup(&self, meta: &dyn Fn(u64) -> String) -> DbResult<u64> {
        self.tx(|s| {
            let held =
                s.one("SELECT v FROM kv WHERE k = ?1", &[KV_BACKUP_STARTED.into()])?.map(|r| r[0].t()).transpose()?;
            let n = held.as_deref().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) + 1;
            if !kv_cas(s, KV_BACKUP_STARTED, held.as_deref(), &n.to_string())? {
                return Err(DbError::Column("backup counter moved"));
            }
            let m = meta(n);
            s.exec(
                "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                &[KV_BACKUP_META.into(), m.as_str().into()],
            )?;
            Ok(n)
        })
    }

    /// Records that backup `n` is complete: `backup_done` only rises.
    pub fn finish_backup(&self, n: u64) -> DbResult<()> {
        for _ in 0..50 {
            let held = self.get_kv(KV_BACKUP_DONE)?;
            if held.as_deref().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) >= n {
                return Ok(());
            }
            if self.kv_compare_and_set(KV_BACKUP_DONE, held.as_deref(), &n.to_string())? {
                return Ok(());
            }
        }
        Err(DbError::Column("backup counter busy"))
    }

    /// (started, done) backup numbers.
    pub fn backup_counters(&self) -> DbResult<(u64, u64)> {
        let n = |k| -> DbResult<u64> { Ok(self.get_kv(k)?.and_then(|v| v.parse().ok()).unwrap_or(0)) };
        Ok((n(KV_BACKUP_STARTED)?, n(KV_BACKUP_DONE)?))
    }

    /// SQLite: a consistent copy of the whole database into `path` (which
    /// must not exist), taken in one read transaction while the server
    /// goes on writing (`VACUUM INTO`: compact, no WAL to carry).
    pub fn sqlite_copy_into(&self, path: &Path) -> DbResult<()> {
        match &self.backend {
            Backend::Sqlite(m) => {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let target = path.to_str().ok_or(DbError::Column("a backup path that is not UTF-8"))?;
                c.execute("VACUUM INTO ?1", [target])?;
                Ok(())
            }
            Backend::Postgres(_) => Err(DbError::Column("a SQLite copy of a PostgreSQL database")),
        }
    }

    /// Whether any event of screening `screening_id` is held.
    pub fn has_screening(&self, screening_id: &str) -> DbResult<bool> {
        self.tx(|s| {
            Ok(s.one("SELECT id FROM screenings WHERE screening_id = ?1 LIMIT 1", &[screening_id.into()])?.is_some())
        })
    }
}
