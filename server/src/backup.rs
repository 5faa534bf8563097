//! `homeward-hq backup` and `homeward-hq restore` (docs/SECURITY.md,
//! "Backup and restore"). A backup is a consistent copy taken while
//! headquarters serves: SQLite's `VACUUM INTO`, or `pg_dump`'s one snapshot
//! on PostgreSQL. Each backup is numbered (`backup_started`), and only once
//! it is complete does `backup_done` move: devices purge what headquarters
//! acknowledged only when a finished backup holds it. A restore (server
//! stopped) puts a backup back, keeps the database it replaces aside, and
//! gives the restored database a new incarnation: devices notice and send
//! again whatever they hold that the backup lacks.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::db::backup::{KV_BACKUP_META, KV_INCARNATION, KV_RESTORED};
use crate::db::{Db, DbError};
use crate::hq::now_ms;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists: a backup never overwrites a file (choose another name)")]
    Exists(PathBuf),
    #[error("{0} is not a headquarters database backup ({1}); nothing was changed")]
    NotABackup(PathBuf, String),
    #[error(
        "{0} is a backup of another headquarters (its key differs from this data directory's); nothing was changed"
    )]
    OtherHeadquarters(PathBuf),
    #[error("{path} was made by a newer homeward-hq (schema {found}, this one knows {known}); nothing was changed")]
    NewerSchema { path: PathBuf, found: u32, known: u32 },
    #[error("{tool} failed: {message}; nothing was changed")]
    Tool { tool: &'static str, message: String },
    #[error("storage: {0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Hq(#[from] crate::HqError),
}

/// What a backup says about itself (kv `backup_meta` inside it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupMeta {
    pub number: u64,
    /// Headquarters' clock when the copy began.
    pub taken_ms: i64,
    pub hq_public_key: String,
    pub incarnation: String,
    pub schema_version: u32,
}

/// What `backup` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub file: PathBuf,
    pub bytes: u64,
    #[serde(flatten)]
    pub meta: BackupMeta,
}

/// What `restore` did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestoreSummary {
    pub from: PathBuf,
    pub backup: BackupMeta,
    /// Where the database it replaced was kept.
    pub previous_kept_at: PathBuf,
    pub previous_incarnation: Option<String>,
    pub incarnation: String,
    pub restored_ms: i64,
}

pub fn new_incarnation() -> String {
    hex::encode(homeward_domain::random::bytes::<16>(&mut rand_core::OsRng))
}

/// A consistent backup of headquarters' database into `out` (never
/// overwritten; 0600). On PostgreSQL it runs `pg_dump --format=custom`
/// (from PATH) against `database_url`.
pub fn backup(hq: &crate::Hq, database_url: Option<&str>, out: &Path) -> Result<BackupSummary, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let incarnation = hq.incarnation()?;
    let key = hex::encode(hq.identity.public_key());
    let schema = hq.db.schema_version_known();
    let taken_ms = now_ms();
    let meta_of = |n: u64| BackupMeta {
        number: n,
        taken_ms,
        hq_public_key: key.clone(),
        incarnation: incarnation.clone(),
        schema_version: schema,
    };
    let number = hq.db.begin_backup(&|n| serde_json::to_string(&meta_of(n)).expect("serialises"))?;
    // Made beside the target under a name of its own, then linked to the
    // target (which fails if it appeared meanwhile): never half a file.
    let tmp = partial_path(out);
    let _ = std::fs::remove_file(&tmp);
    let made = match database_url {
        None => hq.db.sqlite_copy_into(&tmp).map_err(BackupError::from),
        Some(url) => pg_dump(url, &tmp),
    };
    if let Err(e) = made {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    crate::private_files::private_file(&tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    let linked = std::fs::hard_link(&tmp, out);
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::Exists(out.to_path_buf()),
        _ => e.into(),
    })?;
    hq.db.finish_backup(number)?;
    Ok(BackupSummary { file: out.to_path_buf(), bytes: std::fs::metadata(out)?.len(), meta: meta_of(number) })
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

fn run(tool: &'static str, cmd: &mut Command) -> Result<Vec<u8>, BackupError> {
    let out = cmd.output().map_err(|e| BackupError::Tool {
        tool,
        message: format!("could not run it ({e}); is PostgreSQL's client installed?"),
    })?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(BackupError::Tool { tool, message: msg.lines().next().unwrap_or("failed").trim().to_string() });
    }
    Ok(out.stdout)
}

fn pg_dump(url: &str, file: &Path) -> Result<(), BackupError> {
    // One snapshot for the whole dump: consistent while headquarters writes.
    run(
        "pg_dump",
        Command::new("pg_dump")
            .arg("--format=custom")
            .arg("--no-owner")
            .arg("--file")
            .arg(file)
            .arg("--dbname")
            .arg(url),
    )
    .map(|_| ())
}

/// The public key of the headquarters whose data directory this is.
fn own_key(data_dir: &Path) -> Result<String, BackupError> {
    let s = std::fs::read_to_string(data_dir.join("hq-identity.json"))?;
    let stored: homeward_domain::events::identity::StoredIdentity =
        serde_json::from_str(&s).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let id = homeward_domain::events::DeviceIdentity::from_stored(&stored)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad headquarters key"))?;
    Ok(hex::encode(id.public_key()))
}

/// Reads a SQLite backup's own description, refusing anything that is not
/// one of this headquarters' backups, or is newer than this build.
fn check_sqlite_backup(data_dir: &Path, from: &Path) -> Result<BackupMeta, BackupError> {
    let not = |why: String| BackupError::NotABackup(from.to_path_buf(), why);
    if !from.is_file() {
        return Err(not("no such file".into()));
    }
    let c = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not(e.to_string()))?;
    let version: u32 = c.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| not(e.to_string()))?;
    let known = crate::db::sqlite_schema_version();
    if version > known {
        return Err(BackupError::NewerSchema { path: from.to_path_buf(), found: version, known });
    }
    let meta: String = c
        .query_row("SELECT v FROM kv WHERE k = ?1", [KV_BACKUP_META], |r| r.get(0))
        .map_err(|e| not(format!("no backup description: {e}")))?;
    let meta: BackupMeta = serde_json::from_str(&meta).map_err(|e| not(e.to_string()))?;
    if meta.hq_public_key != own_key(data_dir)? {
        return Err(BackupError::OtherHeadquarters(from.to_path_buf()));
    }
    Ok(meta)
}

/// One table's rows of a custom-format dump, as `pg_restore` prints them
/// (COPY text: tab-separated, one row a line).
fn dump_rows(from: &Path, table: &str) -> Result<Vec<Vec<String>>, BackupError> {
    let out = run(
        "pg_restore",
        Command::new("pg_restore").arg("--data-only").arg("--table").arg(table).arg("--file").arg("-").arg(from),
    )?;
    let text = String::from_utf8_lossy(&out);
    let mut rows = vec![];
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("COPY ") {
            inside = true;
        } else if inside && line == "\\." {
            inside = false;
        } else if inside {
            rows.push(line.split('\t').map(str::to_string).collect());
        }
    }
    Ok(rows)
}

fn check_pg_backup(data_dir: &Path, from: &Path) -> Result<BackupMeta, BackupError> {
    let not = |why: String| BackupError::NotABackup(from.to_path_buf(), why);
    if !from.is_file() {
        return Err(not("no such file".into()));
    }
    run("pg_restore", Command::new("pg_restore").arg("--list").arg(from)).map_err(|e| not(e.to_string()))?;
    let found =
        dump_rows(from, "schema_version")?.iter().filter_map(|r| r.first()?.parse::<u32>().ok()).max().unwrap_or(0);
    let known = crate::db::pg_schema_version();
    if found > known {
        return Err(BackupError::NewerSchema { path: from.to_path_buf(), found, known });
    }
    let meta = dump_rows(from, "kv")?
        .into_iter()
        .find(|r| r.first().map(String::as_str) == Some(KV_BACKUP_META))
        .and_then(|r| r.get(1).cloned())
        .ok_or_else(|| not("no backup description".into()))?;
    let meta: BackupMeta = serde_json::from_str(&meta).map_err(|e| not(e.to_string()))?;
    if meta.hq_public_key != own_key(data_dir)? {
        return Err(BackupError::OtherHeadquarters(from.to_path_buf()));
    }
    Ok(meta)
}

/// Puts backup `from` back as headquarters' database. Run with the server
/// stopped. The backup is checked first (a database, this headquarters',
/// not newer than this build); the database it replaces is kept aside (the
/// SQLite files renamed, or a `pg_dump` of the PostgreSQL database) and
/// nothing is overwritten before that succeeded.
pub fn restore(data_dir: &Path, database_url: Option<&str>, from: &Path) -> Result<RestoreSummary, BackupError> {
    let now = now_ms();
    let meta = match database_url {
        None => check_sqlite_backup(data_dir, from)?,
        Some(_) => check_pg_backup(data_dir, from)?,
    };
    let (kept, db) = match database_url {
        None => {
            let live = data_dir.join("hq.db");
            let staged = data_dir.join("hq.db.restoring");
            for f in [&staged, &data_dir.join("hq.db.restoring-wal"), &data_dir.join("hq.db.restoring-shm")] {
                let _ = std::fs::remove_file(f);
            }
            crate::private_files::private_file(&staged)?;
            std::fs::copy(from, &staged)?;
            std::fs::File::open(&staged)?.sync_all()?;
            let kept = data_dir.join(format!("hq.db.before-restore-{now}"));
            // The live database and its WAL and shared-memory files move together.
            if live.exists() {
                for suffix in ["", "-wal", "-shm"] {
                    let f = data_dir.join(format!("hq.db{suffix}"));
                    if f.exists() {
                        std::fs::rename(&f, data_dir.join(format!("hq.db.before-restore-{now}{suffix}")))?;
                    }
                }
            }
            std::fs::rename(&staged, &live)?;
            (kept, Db::open(data_dir)?)
        }
        Some(url) => {
            let kept = data_dir.join(format!("before-restore-{now}.pgdump"));
            pg_dump(url, &kept)?;
            crate::private_files::private_file(&kept)?;
            run(
                "pg_restore",
                Command::new("pg_restore")
                    .args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname"])
                    .arg(url)
                    .arg(from),
            )?;
            (kept, Db::open_postgres(url, 1)?)
        }
    };
    // The restored database's own life, and what it is: everything in it is
    // in the backup file, so it is durably kept (done = the backup's number).
    let previous = db.get_kv(KV_INCARNATION)?;
    let incarnation = new_incarnation();
    db.set_kv(KV_INCARNATION, &incarnation)?;
    db.finish_backup(meta.number)?;
    let summary = RestoreSummary {
        from: from.to_path_buf(),
        backup: meta,
        previous_kept_at: kept,
        previous_incarnation: previous,
        incarnation,
        restored_ms: now,
    };
    db.set_kv(KV_RESTORED, &serde_json::to_string(&summary).expect("serialises"))?;
    drop(db);
    crate::private_files::tighten(data_dir)?;
    Ok(summary)
}
