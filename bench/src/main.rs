//! `vault-bench`: the vault, plain SQLite and SQLCipher side by side on the
//! same workload and schema, in one run, with the ratios the vault issue
//! sets as targets. `--quick` is the smoke run the test command uses: small
//! sizes, one repetition, and checks that every backend returned the right
//! answers.
//!
//! All three run on the same SQLite engine (SQLCipher's amalgamation, which
//! rusqlite builds for this crate); "plain" and "vault" simply set no
//! SQLCipher key. Same pragmas everywhere: WAL, synchronous=FULL,
//! secure_delete=ON, temp_store=MEMORY.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeward_core::vault::{
    IndexTerm, KdfParams, LockoutPolicy, Lookup, NewRecord, RecordId, Secret, SystemClock, Vault, VaultOptions,
};
use rusqlite::{params, Connection, OptionalExtension};

const PASS: &str = "benchmark passphrase, not secret";
const KIND: &str = "bench.record";

struct Sizes {
    bulk: usize,
    singles: usize,
    reads: usize,
    lookup_set: usize,
    lookups: usize,
    reps: usize,
}

fn body(i: usize) -> Vec<u8> {
    let mut b = format!("{{\"seq\":{i},\"name\":\"Person {i}\",\"pad\":\"").into_bytes();
    b.resize(1024 - 2, b'x');
    b.extend_from_slice(b"\"}");
    b
}

fn doc(i: usize) -> String {
    format!("AN{:07}", i)
}

fn ids(n: usize) -> Vec<[u8; 16]> {
    (0..n).map(|_| *RecordId::random().0.as_bytes()).collect()
}

/// The baseline: the vault's schema (the same tables and indexes: by kind,
/// and index entries by record for replacement) with bodies and document
/// numbers in clear.
struct Plain {
    conn: Connection,
}

impl Plain {
    fn open(path: &Path, key: Option<&str>) -> Plain {
        let conn = Connection::open(path).unwrap();
        if let Some(k) = key {
            conn.pragma_update(None, "key", k).unwrap();
        }
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;
             PRAGMA temp_store=MEMORY;
             CREATE TABLE IF NOT EXISTS records (id BLOB NOT NULL UNIQUE, kind TEXT NOT NULL,
                 schema_version INTEGER NOT NULL, body BLOB NOT NULL);
             CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind);
             CREATE TABLE IF NOT EXISTS doc_index (doc TEXT NOT NULL, record_id BLOB NOT NULL,
                 PRIMARY KEY (doc, record_id)) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS doc_index_by_record ON doc_index (record_id);",
        )
        .unwrap();
        Plain { conn }
    }

    fn insert(tx: &rusqlite::Transaction<'_>, id: &[u8; 16], i: usize) {
        tx.prepare_cached("INSERT INTO records (id, kind, schema_version, body) VALUES (?1, ?2, 1, ?3)")
            .unwrap()
            .execute(params![&id[..], KIND, body(i)])
            .unwrap();
        tx.prepare_cached("INSERT INTO doc_index (doc, record_id) VALUES (?1, ?2)")
            .unwrap()
            .execute(params![doc(i), &id[..]])
            .unwrap();
    }

    fn bulk(&mut self, ids: &[[u8; 16]], offset: usize) {
        let tx = self.conn.transaction().unwrap();
        for (i, id) in ids.iter().enumerate() {
            Self::insert(&tx, id, offset + i);
        }
        tx.commit().unwrap();
    }

    fn singles(&mut self, ids: &[[u8; 16]], offset: usize) {
        for (i, id) in ids.iter().enumerate() {
            let tx = self.conn.transaction().unwrap();
            Self::insert(&tx, id, offset + i);
            tx.commit().unwrap();
        }
    }

    fn read(&self, id: &[u8; 16]) -> Vec<u8> {
        self.conn
            .prepare_cached("SELECT body FROM records WHERE id = ?1")
            .unwrap()
            .query_row([&id[..]], |r| r.get(0))
            .unwrap()
    }

    fn lookup(&self, d: &str) -> Option<Vec<u8>> {
        self.conn
            .prepare_cached("SELECT record_id FROM doc_index WHERE doc = ?1")
            .unwrap()
            .query_row([d], |r| r.get(0))
            .optional()
            .unwrap()
    }
}

struct VaultBackend {
    vault: Vault,
}

fn vault_options() -> VaultOptions {
    VaultOptions { kdf: KdfParams::recommended(), lockout: LockoutPolicy::default(), clock: Arc::new(SystemClock) }
}

impl VaultBackend {
    fn create(dir: &Path) -> VaultBackend {
        VaultBackend { vault: Vault::create(dir, &Secret::new(PASS), None, vault_options()).unwrap() }
    }

    fn bulk(&mut self, ids: &[[u8; 16]], offset: usize) {
        self.vault
            .write(|w| {
                for (i, id) in ids.iter().enumerate() {
                    let b = body(offset + i);
                    w.insert(&NewRecord {
                        id: RecordId(uuid_of(id)),
                        kind: KIND,
                        schema_version: 1,
                        body: &b,
                        index: &[IndexTerm::DocumentNumber(doc(offset + i))],
                    })?;
                }
                Ok(())
            })
            .unwrap();
    }

    fn singles(&mut self, ids: &[[u8; 16]], offset: usize) {
        for (i, id) in ids.iter().enumerate() {
            let b = body(offset + i);
            self.vault
                .insert(&NewRecord {
                    id: RecordId(uuid_of(id)),
                    kind: KIND,
                    schema_version: 1,
                    body: &b,
                    index: &[IndexTerm::DocumentNumber(doc(offset + i))],
                })
                .unwrap();
        }
    }

    fn read(&self, id: &[u8; 16]) -> Vec<u8> {
        self.vault.get(KIND, RecordId(uuid_of(id))).unwrap().body.to_vec()
    }

    fn lookup(&self, d: &str) -> Option<Vec<u8>> {
        self.vault.find(Lookup::DocumentNumber(d)).unwrap().first().map(|id| id.0.as_bytes().to_vec())
    }
}

fn uuid_of(b: &[u8; 16]) -> homeward_core::vault::Uuid {
    homeward_core::vault::Uuid::from_bytes(*b)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times `f` on a fresh backend `reps` times and returns the median.
fn measure<B>(reps: usize, mut setup: impl FnMut(&Path) -> B, mut f: impl FnMut(&mut B)) -> Duration {
    let times = (0..reps)
        .map(|_| {
            let dir = tempfile::tempdir().unwrap();
            let mut b = setup(dir.path());
            let t = Instant::now();
            f(&mut b);
            t.elapsed()
        })
        .collect();
    median(times)
}

struct Row {
    workload: String,
    unit: &'static str,
    plain: f64,
    sqlcipher: f64,
    vault: f64,
    target: &'static str,
    met: bool,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let s = if quick {
        Sizes { bulk: 1_000, singles: 50, reads: 1_000, lookup_set: 5_000, lookups: 200, reps: 1 }
    } else {
        Sizes { bulk: 10_000, singles: 1_000, reads: 10_000, lookup_set: 100_000, lookups: 2_000, reps: 5 }
    };
    let mut rows = Vec::new();
    let plain_open = |p: &Path| Plain::open(&p.join("plain.db"), None);
    let cipher_open = |p: &Path| Plain::open(&p.join("cipher.db"), Some(PASS));
    let vault_open = |p: &Path| VaultBackend::create(&p.join("vault"));

    // 1. Bulk insert in one transaction.
    let bulk_ids = ids(s.bulk);
    let p = measure(s.reps, plain_open, |b| b.bulk(&bulk_ids, 0));
    let c = measure(s.reps, cipher_open, |b| b.bulk(&bulk_ids, 0));
    let v = measure(s.reps, vault_open, |b| b.bulk(&bulk_ids, 0));
    let met = ms(v) <= 1.3 * ms(p) && v <= c;
    rows.push(Row {
        workload: format!("insert {} x 1 KiB, one transaction", s.bulk),
        unit: "ms",
        plain: ms(p),
        sqlcipher: ms(c),
        vault: ms(v),
        target: "<= 1.3x plain, <= SQLCipher",
        met,
    });

    // 2. Single-record transactions (each a durable commit).
    let single_ids = ids(s.singles);
    let p = measure(s.reps, plain_open, |b| b.singles(&single_ids, 0));
    let c = measure(s.reps, cipher_open, |b| b.singles(&single_ids, 0));
    let v = measure(s.reps, vault_open, |b| b.singles(&single_ids, 0));
    rows.push(Row {
        workload: format!("{} inserts, one transaction each", s.singles),
        unit: "ms",
        plain: ms(p),
        sqlcipher: ms(c),
        vault: ms(v),
        target: "<= SQLCipher",
        met: v <= c,
    });

    // 3. Read by id, in random order, after a bulk load.
    let read_ids = ids(s.reads);
    let mut order: Vec<usize> = (0..s.reads).collect();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let check_reads = |got: &dyn Fn(&[u8; 16]) -> Vec<u8>| {
        for (k, &i) in order.iter().enumerate() {
            let b = got(&read_ids[i]);
            if k < 50 {
                assert_eq!(b, body(i), "read back the wrong body");
            }
        }
    };
    let time_reads = |reps: usize, open: &dyn Fn(&Path) -> Box<dyn ReadBackend>| {
        median(
            (0..reps)
                .map(|_| {
                    let dir = tempfile::tempdir().unwrap();
                    let mut b = open(dir.path());
                    b.load(&read_ids);
                    let t = Instant::now();
                    check_reads(&|id| b.read(id));
                    t.elapsed()
                })
                .collect(),
        )
    };
    let p = time_reads(s.reps, &|d| Box::new(plain_open(d)));
    let c = time_reads(s.reps, &|d| Box::new(cipher_open(d)));
    let v = time_reads(s.reps, &|d| Box::new(vault_open(d)));
    let met = ms(v) <= 1.3 * ms(p) && v <= c;
    rows.push(Row {
        workload: format!("read {} by id (random order)", s.reads),
        unit: "ms",
        plain: ms(p),
        sqlcipher: ms(c),
        vault: ms(v),
        target: "<= 1.3x plain, <= SQLCipher",
        met,
    });

    // 4. Lookup by document number in a large set (per lookup, one load).
    let set_ids = ids(s.lookup_set);
    let lookup = |open: &dyn Fn(&Path) -> Box<dyn ReadBackend>| {
        let dir = tempfile::tempdir().unwrap();
        let mut b = open(dir.path());
        b.load(&set_ids);
        let step = (s.lookup_set / s.lookups).max(1);
        let t = Instant::now();
        for k in 0..s.lookups {
            let i = (k * step + 7) % s.lookup_set;
            let found = b.lookup(&doc(i)).expect("document number not found");
            assert_eq!(found, set_ids[i].to_vec(), "lookup found the wrong record");
        }
        assert!(b.lookup("ZZ0000000").is_none());
        t.elapsed() / s.lookups as u32
    };
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let p = lookup(&|d| Box::new(plain_open(d)));
    let c = lookup(&|d| Box::new(cipher_open(d)));
    let v = lookup(&|d| Box::new(vault_open(d)));
    rows.push(Row {
        workload: format!("lookup by document number among {}", s.lookup_set),
        unit: "µs/lookup",
        plain: us(p),
        sqlcipher: us(c),
        vault: us(v),
        target: "< 1000 µs",
        met: v < Duration::from_millis(1),
    });

    // 5. Unlock: argon2id at the chosen parameters vs SQLCipher's key derivation.
    let dir = tempfile::tempdir().unwrap();
    drop(VaultBackend::create(&dir.path().join("vault")));
    drop(Plain::open(&dir.path().join("cipher.db"), Some(PASS)));
    let unlock_reps = if quick { 1 } else { 5 };
    let v = median(
        (0..unlock_reps)
            .map(|_| {
                let mut vault = Vault::open(&dir.path().join("vault"), vault_options()).unwrap();
                let t = Instant::now();
                vault.unlock(&Secret::new(PASS), None).unwrap();
                t.elapsed()
            })
            .collect(),
    );
    let c = median(
        (0..unlock_reps)
            .map(|_| {
                let t = Instant::now();
                let conn = Connection::open(dir.path().join("cipher.db")).unwrap();
                conn.pragma_update(None, "key", PASS).unwrap();
                let n: i64 = conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0)).unwrap();
                assert_eq!(n, 0);
                t.elapsed()
            })
            .collect(),
    );
    let p = {
        let t = Instant::now();
        let conn = Connection::open(dir.path().join("plain2.db")).unwrap();
        conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).unwrap();
        t.elapsed()
    };
    let k = KdfParams::recommended();
    rows.push(Row {
        workload: format!(
            "unlock (vault: argon2id {} MiB, t={}; SQLCipher: PBKDF2-SHA512 256k)",
            k.m_cost_kib / 1024,
            k.t_cost
        ),
        unit: "ms",
        plain: ms(p),
        sqlcipher: ms(c),
        vault: ms(v),
        target: "200-800 ms",
        met: (200.0..=800.0).contains(&ms(v)),
    });

    println!(
        "| workload | unit | plain SQLite | SQLCipher | vault | vault / plain | vault / SQLCipher | target | met |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.2}x | {:.2}x | {} | {} |",
            r.workload,
            r.unit,
            r.plain,
            r.sqlcipher,
            r.vault,
            r.vault / r.plain,
            r.vault / r.sqlcipher,
            r.target,
            if r.met { "yes" } else { "no" }
        );
    }

    // The unlock derives twice (the passphrase's key and the duress check),
    // side by side on two threads: its wall time should be one derivation's.
    let one = median(
        (0..unlock_reps)
            .map(|_| {
                let t0 = Instant::now();
                k.derive_kek(PASS.as_bytes(), b"0123456789abcdef").unwrap();
                t0.elapsed()
            })
            .collect(),
    );
    println!("\n| unlock (two derivations, side by side) ms | one argon2id derivation ms | ratio | target | met |");
    println!("|---:|---:|---:|---|---|");
    let ratio = ms(v) / ms(one);
    println!(
        "| {:.1} | {:.1} | {ratio:.2}x | <= 1.25x (one derivation's wall time) | {} |",
        ms(v),
        ms(one),
        if ratio <= 1.25 { "yes" } else { "no" }
    );

    if !quick {
        println!("\nargon2id unlock cost on this machine (median of 3):\n");
        println!("| memory | passes | unlock ms |");
        println!("|---:|---:|---:|");
        for (m, t) in [(19, 2), (46, 1), (64, 3), (128, 3), (128, 4), (256, 2)] {
            let p = KdfParams::argon2id(m * 1024, t, 1);
            let d = median(
                (0..3)
                    .map(|_| {
                        let t0 = Instant::now();
                        p.derive_kek(PASS.as_bytes(), b"0123456789abcdef").unwrap();
                        t0.elapsed()
                    })
                    .collect(),
            );
            println!("| {m} MiB | {t} | {:.0} |", ms(d));
        }
    }
    if quick {
        println!("vault-bench smoke: {} passed, 0 failed", rows.len());
    }
}

/// The read and lookup workloads over any backend.
trait ReadBackend {
    /// One bulk transaction of records `offset..offset + ids.len()`.
    fn bulk_insert(&mut self, ids: &[[u8; 16]], offset: usize);
    fn read(&self, id: &[u8; 16]) -> Vec<u8>;
    fn lookup(&self, doc: &str) -> Option<Vec<u8>>;

    /// Loads a data set in transactions of 10,000 records.
    fn load(&mut self, ids: &[[u8; 16]]) {
        for (k, chunk) in ids.chunks(10_000).enumerate() {
            self.bulk_insert(chunk, k * 10_000);
        }
    }
}

impl ReadBackend for Plain {
    fn bulk_insert(&mut self, ids: &[[u8; 16]], offset: usize) {
        self.bulk(ids, offset)
    }
    fn read(&self, id: &[u8; 16]) -> Vec<u8> {
        Plain::read(self, id)
    }
    fn lookup(&self, doc: &str) -> Option<Vec<u8>> {
        Plain::lookup(self, doc)
    }
}

impl ReadBackend for VaultBackend {
    fn bulk_insert(&mut self, ids: &[[u8; 16]], offset: usize) {
        self.bulk(ids, offset)
    }
    fn read(&self, id: &[u8; 16]) -> Vec<u8> {
        VaultBackend::read(self, id)
    }
    fn lookup(&self, doc: &str) -> Option<Vec<u8>> {
        VaultBackend::lookup(self, doc)
    }
}
