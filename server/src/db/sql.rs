//! One SQL text, two drivers. Headquarters' queries are written once, in the
//! dialect SQLite and PostgreSQL share (`ON CONFLICT`, `COALESCE`, `?N`
//! placeholders rewritten to `$N`), and run through this small interface, so
//! both backends run exactly the same logic and the same test suite.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};

use postgres::types::{to_sql_checked, IsNull, ToSql, Type};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLITE_FULL or ENOSPC: the write was refused whole (its transaction
    /// rolled back); what was committed stays, and writes work again once
    /// space is freed. (PostgreSQL on a full disk is the database server's
    /// to report; it reaches here as `Postgres`.)
    #[error("headquarters' disk is full: free some space; nothing already stored was lost")]
    DiskFull,
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("storage: {0}")]
    Io(std::io::Error),
    #[error("unexpected column type in {0}")]
    Column(&'static str),
    /// The data key is missing or wrong, or a sealed value does not open.
    #[error(transparent)]
    AtRest(#[from] crate::at_rest::AtRestError),
}

/// Every SQLite and file error comes through here, so a full disk is told
/// as such whichever write met it.
impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => DbError::DiskFull,
            _ => DbError::Sqlite(e),
        }
    }
}

impl From<std::io::Error> for DbError {
    fn from(e: std::io::Error) -> Self {
        // ENOSPC, or EDQUOT (a quota).
        match e.raw_os_error() {
            Some(28) | Some(122) => DbError::DiskFull,
            _ => DbError::Io(e),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// A parameter.
#[derive(Debug, Clone, Copy)]
pub enum P<'a> {
    I(i64),
    T(&'a str),
    B(&'a [u8]),
    Null,
}

impl<'a> From<&'a str> for P<'a> {
    fn from(s: &'a str) -> Self {
        P::T(s)
    }
}
impl<'a> From<&'a String> for P<'a> {
    fn from(s: &'a String) -> Self {
        P::T(s)
    }
}
impl From<i64> for P<'_> {
    fn from(i: i64) -> Self {
        P::I(i)
    }
}
impl<'a> From<&'a [u8]> for P<'a> {
    fn from(b: &'a [u8]) -> Self {
        P::B(b)
    }
}
impl<'a, T: Into<P<'a>>> From<Option<T>> for P<'a> {
    fn from(o: Option<T>) -> Self {
        o.map(Into::into).unwrap_or(P::Null)
    }
}

/// A value read back.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    I(i64),
    T(String),
    B(Vec<u8>),
    Null,
}

impl V {
    pub fn i(&self) -> DbResult<i64> {
        match self {
            V::I(i) => Ok(*i),
            _ => Err(DbError::Column("integer")),
        }
    }
    pub fn oi(&self) -> DbResult<Option<i64>> {
        match self {
            V::Null => Ok(None),
            v => v.i().map(Some),
        }
    }
    pub fn t(&self) -> DbResult<String> {
        match self {
            V::T(s) => Ok(s.clone()),
            _ => Err(DbError::Column("text")),
        }
    }
    pub fn ot(&self) -> DbResult<Option<String>> {
        match self {
            V::Null => Ok(None),
            v => v.t().map(Some),
        }
    }
    pub fn b(&self) -> DbResult<Vec<u8>> {
        match self {
            V::B(b) => Ok(b.clone()),
            _ => Err(DbError::Column("blob")),
        }
    }
}

pub type Row = Vec<V>;

/// What a query runs on: a transaction of either backend.
pub trait Sql {
    fn query(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<Vec<Row>>;
    fn exec(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<u64>;
    /// The old design's one global append lock (a PostgreSQL advisory
    /// lock; SQLite has one writer anyway). Appends no longer need it: each
    /// office's log is ordered by its own row in `log_heads` (see
    /// `Db::insert_events` and docs/SCALING.md). Kept only so that
    /// `Db::set_global_append_lock` can measure the old design against the
    /// new one on the same build.
    fn global_append_lock(&mut self) -> DbResult<()>;

    /// The clause that makes a `SELECT` of one row hold a shared row lock
    /// until commit (`FOR SHARE` on PostgreSQL; nothing on SQLite, whose
    /// writers are serialised already): an appender reading its author's
    /// device row this way waits for a revocation in flight, and the
    /// revocation waits for the appender.
    fn for_share(&self) -> &'static str;

    /// Makes enrolments run one at a time (each picks the office's next
    /// device number); SQLite's immediate transactions already do.
    fn serialize_enrolments(&mut self) -> DbResult<()> {
        Ok(())
    }

    fn one(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            P::I(i) => ValueRef::Integer(*i),
            P::T(s) => ValueRef::Text(s.as_bytes()),
            P::B(b) => ValueRef::Blob(b),
            P::Null => ValueRef::Null,
        }))
    }
}

impl Sql for rusqlite::Transaction<'_> {
    fn query(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<Vec<Row>> {
        let mut s = self.prepare_cached(sql)?;
        let n = s.column_count();
        let rows = s.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            (0..n)
                .map(|i| {
                    use rusqlite::types::ValueRef;
                    Ok(match r.get_ref(i)? {
                        ValueRef::Integer(v) => V::I(v),
                        ValueRef::Text(t) => V::T(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => V::B(b.to_vec()),
                        ValueRef::Null => V::Null,
                        ValueRef::Real(f) => V::I(f as i64),
                    })
                })
                .collect::<rusqlite::Result<Row>>()
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<Row>>>()?)
    }
    fn exec(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<u64> {
        Ok(self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }
    fn global_append_lock(&mut self) -> DbResult<()> {
        Ok(())
    }
    fn for_share(&self) -> &'static str {
        ""
    }
}

impl ToSql for P<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            P::I(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            P::I(i) => i.to_sql(ty, out),
            P::T(s) => s.to_sql(ty, out),
            P::B(b) => b.to_sql(ty, out),
            P::Null => Ok(IsNull::Yes),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

/// `?1` -> `$1`: the one placeholder difference between the two dialects.
pub fn pg_placeholders(sql: &str) -> String {
    sql.replace('?', "$")
}

/// A PostgreSQL connection and the statements already prepared on it: each
/// query text is parsed once per connection, not once per call (a round trip
/// saved on every statement).
pub struct PgClient {
    pub(crate) client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl PgClient {
    fn connect(url: &str) -> DbResult<PgClient> {
        Ok(PgClient { client: postgres::Client::connect(url, postgres::NoTls)?, statements: HashMap::new() })
    }

    pub fn transaction(&mut self) -> DbResult<PgTx<'_>> {
        Ok(PgTx { tx: self.client.transaction()?, statements: &mut self.statements })
    }
}

/// A transaction on a [`PgClient`], preparing through its statement cache.
pub struct PgTx<'a> {
    tx: postgres::Transaction<'a>,
    statements: &'a mut HashMap<String, postgres::Statement>,
}

impl PgTx<'_> {
    pub fn commit(self) -> DbResult<()> {
        Ok(self.tx.commit()?)
    }

    fn statement(&mut self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(&pg_placeholders(sql))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

impl Sql for PgTx<'_> {
    fn query(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<Vec<Row>> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let stmt = self.statement(sql)?;
        let rows = self.tx.query(&stmt, &refs)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        let ty = r.columns()[i].type_().clone();
                        Ok(match ty {
                            Type::INT8 => r.get::<_, Option<i64>>(i).map(V::I).unwrap_or(V::Null),
                            Type::INT4 => r.get::<_, Option<i32>>(i).map(|v| V::I(v as i64)).unwrap_or(V::Null),
                            Type::INT2 => r.get::<_, Option<i16>>(i).map(|v| V::I(v as i64)).unwrap_or(V::Null),
                            Type::TEXT | Type::VARCHAR => r.get::<_, Option<String>>(i).map(V::T).unwrap_or(V::Null),
                            Type::BYTEA => r.get::<_, Option<Vec<u8>>>(i).map(V::B).unwrap_or(V::Null),
                            Type::VOID => V::Null,
                            _ => return Err(DbError::Column("postgres result")),
                        })
                    })
                    .collect::<DbResult<Row>>()
            })
            .collect()
    }
    fn exec(&mut self, sql: &str, params: &[P<'_>]) -> DbResult<u64> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let stmt = self.statement(sql)?;
        Ok(self.tx.execute(&stmt, &refs)?)
    }
    fn global_append_lock(&mut self) -> DbResult<()> {
        self.tx.batch_execute("SELECT pg_advisory_xact_lock(7240301)")?;
        Ok(())
    }
    fn for_share(&self) -> &'static str {
        " FOR SHARE"
    }
    fn serialize_enrolments(&mut self) -> DbResult<()> {
        self.tx.batch_execute("SELECT pg_advisory_xact_lock(7240302)")?;
        Ok(())
    }
}

/// A fixed set of PostgreSQL connections shared by the blocking workers.
pub struct PgPool {
    url: String,
    idle: Mutex<Vec<PgClient>>,
    freed: Condvar,
}

pub struct PgConn<'a> {
    pool: &'a PgPool,
    client: Option<PgClient>,
}

impl std::ops::Deref for PgConn<'_> {
    type Target = PgClient;
    fn deref(&self) -> &PgClient {
        self.client.as_ref().expect("held until drop")
    }
}
impl std::ops::DerefMut for PgConn<'_> {
    fn deref_mut(&mut self) -> &mut PgClient {
        self.client.as_mut().expect("held until drop")
    }
}

impl Drop for PgConn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            // A broken connection is replaced on next use rather than reused.
            let mut idle = lock(&self.pool.idle);
            if c.client.is_closed() {
                if let Ok(fresh) = PgClient::connect(&self.pool.url) {
                    idle.push(fresh);
                }
            } else {
                idle.push(c);
            }
            self.pool.freed.notify_one();
        }
    }
}

impl Drop for PgPool {
    fn drop(&mut self) {
        // Closing a client blocks on its own runtime, which panics on an
        // async worker (where the server drops its state): close elsewhere.
        let clients = std::mem::take(&mut *lock(&self.idle));
        let _ = std::thread::spawn(move || drop(clients)).join();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl PgPool {
    pub fn connect(url: &str, size: usize) -> DbResult<PgPool> {
        let mut clients = Vec::with_capacity(size);
        for _ in 0..size.max(1) {
            clients.push(PgClient::connect(url)?);
        }
        Ok(PgPool { url: url.to_string(), idle: Mutex::new(clients), freed: Condvar::new() })
    }

    pub fn get(&self) -> DbResult<PgConn<'_>> {
        let mut idle = lock(&self.idle);
        loop {
            if let Some(c) = idle.pop() {
                return Ok(PgConn { pool: self, client: Some(c) });
            }
            let (g, timeout) =
                self.freed.wait_timeout(idle, std::time::Duration::from_secs(5)).unwrap_or_else(|p| p.into_inner());
            idle = g;
            if timeout.timed_out() && idle.is_empty() {
                // Every connection was lost: open a new one rather than wait forever.
                drop(idle);
                let c = PgClient::connect(&self.url)?;
                return Ok(PgConn { pool: self, client: Some(c) });
            }
        }
    }
}
