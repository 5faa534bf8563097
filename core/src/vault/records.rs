//! Sealed records and their blind indexes.
//!
//! A record body is padded to a multiple of 64 bytes (so lengths of names do
//! not show) and sealed with XChaCha20-Poly1305 under the records subkey,
//! with associated data binding it to its id, kind and schema version: a
//! ciphertext altered, or moved to another row, fails to open.

use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::crypto::{self, VaultKeys, TAG_BYTES};
use super::error::{Result, VaultError};
use super::Vault;
use crate::text;

const PAD_BLOCK: usize = 64;
const TAG_LEN: usize = TAG_BYTES;

/// An opaque record id: random (UUIDv4), so it reveals neither time nor order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub Uuid);

impl RecordId {
    pub fn random() -> Self {
        RecordId(Uuid::new_v4())
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for RecordId {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Self> {
        Uuid::parse_str(s).map(RecordId).map_err(|_| VaultError::InvalidInput("not a record id".into()))
    }
}

/// A term a record can be found by. Values are folded (see [`crate::text`])
/// and turned into keyed tags; the values themselves are never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexTerm {
    DocumentNumber(String),
    /// A full name; indexed as a whole and by each part, under every
    /// supported transliteration.
    Name(String),
    /// An exact keyword in a named field (a crossing point code, a date),
    /// matched as given.
    Keyword {
        field: &'static str,
        value: String,
    },
}

/// An exact lookup through the blind index.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    DocumentNumber(&'a str),
    /// The full name, parts in any order.
    Name(&'a str),
    /// One part of a name (a surname, say).
    NamePart(&'a str),
    Keyword {
        field: &'a str,
        value: &'a str,
    },
}

/// A record to write.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub id: RecordId,
    pub kind: &'a str,
    pub schema_version: u32,
    pub body: &'a [u8],
    pub index: &'a [IndexTerm],
}

/// A record read back and opened.
#[derive(Debug)]
pub struct Record {
    pub id: RecordId,
    pub kind: String,
    pub schema_version: u32,
    /// The plaintext, wiped from memory when dropped.
    pub body: Zeroizing<Vec<u8>>,
}

fn record_aad(id: &RecordId, kind: &str, schema_version: u32) -> Vec<u8> {
    let mut aad = b"homeward/v1/record\0".to_vec();
    aad.extend_from_slice(id.0.as_bytes());
    aad.extend_from_slice(&(kind.len() as u32).to_be_bytes());
    aad.extend_from_slice(kind.as_bytes());
    aad.extend_from_slice(&schema_version.to_be_bytes());
    aad
}

fn kind_tag(keys: &VaultKeys, kind: &str) -> [u8; TAG_LEN] {
    keys.kind_tag(kind)
}

fn term_tags(keys: &VaultKeys, term: &IndexTerm) -> Vec<[u8; TAG_LEN]> {
    match term {
        IndexTerm::DocumentNumber(n) => lookup_tags(keys, Lookup::DocumentNumber(n)),
        IndexTerm::Name(n) => {
            let mut tags = lookup_tags(keys, Lookup::Name(n));
            tags.extend(lookup_tags(keys, Lookup::NamePart(n)));
            tags
        }
        IndexTerm::Keyword { field, value } => lookup_tags(keys, Lookup::Keyword { field, value }),
    }
}

fn lookup_tags(keys: &VaultKeys, lookup: Lookup<'_>) -> Vec<[u8; TAG_LEN]> {
    match lookup {
        Lookup::DocumentNumber(n) => {
            text::document_number_keys(n).iter().map(|k| keys.index.tag("document", k)).collect()
        }
        Lookup::Name(n) => text::name_keys(n).iter().map(|k| keys.index.tag("name", k)).collect(),
        Lookup::NamePart(n) => text::name_part_keys(n).iter().map(|k| keys.index.tag("name-part", k)).collect(),
        Lookup::Keyword { field, value } => vec![keys.index.tag(&format!("kw:{field}"), value)],
    }
}

fn check_kind(kind: &str) -> Result<()> {
    if kind.is_empty() || kind.len() > 64 || !kind.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(VaultError::InvalidInput("record kind must be 1-64 printable ASCII characters".into()));
    }
    Ok(())
}

/// Writes inside one transaction; see [`Vault::write`].
pub struct VaultWriter<'a> {
    tx: Transaction<'a>,
    keys: &'a VaultKeys,
}

impl VaultWriter<'_> {
    /// Checks the kind and seals the body, bound to id, kind and version.
    fn seal(&self, rec: &NewRecord<'_>) -> Result<Vec<u8>> {
        check_kind(rec.kind)?;
        Ok(crypto::seal_padded(
            &self.keys.records,
            rec.body,
            PAD_BLOCK,
            &record_aad(&rec.id, rec.kind, rec.schema_version),
        ))
    }

    /// Inserts a new record and its index terms; an id already in use is
    /// refused (`InvalidInput`), never overwritten.
    pub fn insert(&mut self, rec: &NewRecord<'_>) -> Result<()> {
        let sealed = self.seal(rec)?;
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO records (id, kind_tag, schema_version, sealed) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![rec.id.0.as_bytes(), kind_tag(self.keys, rec.kind), rec.schema_version, sealed])?;
        if inserted == 0 {
            return Err(VaultError::InvalidInput("a record with that id already exists".into()));
        }
        self.insert_tags(rec)
    }

    fn insert_tags(&mut self, rec: &NewRecord<'_>) -> Result<()> {
        let id = rec.id.0.as_bytes();
        let mut ins = self.tx.prepare_cached("INSERT OR IGNORE INTO blind_index (tag, record_id) VALUES (?1, ?2)")?;
        for term in rec.index {
            for t in term_tags(self.keys, term) {
                ins.execute(params![t, id])?;
            }
        }
        Ok(())
    }

    /// Inserts or replaces a record and its index terms. Replacing is allowed
    /// only within the same kind.
    pub fn put(&mut self, rec: &NewRecord<'_>) -> Result<()> {
        let sealed = self.seal(rec)?;
        let ktag = kind_tag(self.keys, rec.kind);
        let changed = self
            .tx
            .prepare_cached(
                "INSERT INTO records (id, kind_tag, schema_version, sealed) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET schema_version = excluded.schema_version,
                     sealed = excluded.sealed
                 WHERE records.kind_tag = excluded.kind_tag",
            )?
            .execute(params![rec.id.0.as_bytes(), ktag, rec.schema_version, sealed])?;
        if changed == 0 {
            return Err(VaultError::InvalidInput("that id belongs to a record of another kind".into()));
        }
        self.tx.prepare_cached("DELETE FROM blind_index WHERE record_id = ?1")?.execute([rec.id.0.as_bytes()])?;
        self.insert_tags(rec)
    }

    /// Deletes a record, its index tags and its attachments' rows. Returns
    /// the attachment files to remove once the transaction has committed.
    pub fn delete(&mut self, kind: &str, id: RecordId) -> Result<Vec<super::AttachmentId>> {
        let ktag = kind_tag(self.keys, kind);
        let n =
            self.tx.execute("DELETE FROM records WHERE id = ?1 AND kind_tag = ?2", params![id.0.as_bytes(), ktag])?;
        if n == 0 {
            return Err(VaultError::NotFound("record"));
        }
        self.tx.execute("DELETE FROM blind_index WHERE record_id = ?1", [id.0.as_bytes()])?;
        super::attachments::delete_rows_for_record(&self.tx, id)
    }
}

impl Vault {
    /// Runs `f` in one durable transaction: all its writes commit together
    /// or none does.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut VaultWriter<'_>) -> Result<T>) -> Result<T> {
        let keys = match &self.state {
            super::State::Unlocked(k) => k,
            super::State::Locked => return Err(VaultError::Locked),
            super::State::Wiped => return Err(VaultError::Wiped),
        };
        let tx = self.conn.transaction()?;
        let mut w = VaultWriter { tx, keys };
        let out = f(&mut w)?;
        w.tx.commit()?;
        Ok(out)
    }

    /// Inserts a new record in its own transaction.
    pub fn insert(&mut self, rec: &NewRecord<'_>) -> Result<()> {
        self.write(|w| w.insert(rec))
    }

    /// Inserts or replaces one record in its own transaction.
    pub fn put(&mut self, rec: &NewRecord<'_>) -> Result<()> {
        self.write(|w| w.put(rec))
    }

    /// Deletes a record with its index tags and attachments.
    pub fn delete(&mut self, kind: &str, id: RecordId) -> Result<()> {
        let removed = self.write(|w| w.delete(kind, id))?;
        let dir = self.dir.join(super::ATTACHMENTS_DIR);
        for a in removed {
            super::attachments::shred_file(&dir.join(a.file_name()))?;
        }
        Ok(())
    }

    /// Deletes several records (of possibly different kinds) with their index
    /// tags and attachments in one transaction: all go or none does. A record
    /// already gone is skipped.
    pub fn delete_many(&mut self, records: &[(&str, RecordId)]) -> Result<()> {
        let removed = self.write(|w| {
            let mut files = Vec::new();
            for (kind, id) in records {
                match w.delete(kind, *id) {
                    Ok(f) => files.extend(f),
                    Err(VaultError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(files)
        })?;
        let dir = self.dir.join(super::ATTACHMENTS_DIR);
        for a in removed {
            super::attachments::shred_file(&dir.join(a.file_name()))?;
        }
        Ok(())
    }

    /// Reads and opens a record of `kind`. An altered or moved ciphertext is
    /// `Tampered`; an id of another kind is `NotFound`.
    pub fn get(&self, kind: &str, id: RecordId) -> Result<Record> {
        let keys = self.keys()?;
        let row: Option<(Vec<u8>, u32, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT kind_tag, schema_version, sealed FROM records WHERE id = ?1")?
            .query_row([id.0.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (ktag, schema_version, sealed) = row.ok_or(VaultError::NotFound("record"))?;
        if ktag != kind_tag(keys, kind) {
            return Err(VaultError::NotFound("record"));
        }
        let body = crypto::open_padded(&keys.records, sealed, &record_aad(&id, kind, schema_version))
            .ok_or(VaultError::Tampered("sealed record"))?;
        Ok(Record { id, kind: kind.to_string(), schema_version, body })
    }

    /// Every record id of `kind`, in no meaningful order.
    pub fn list(&self, kind: &str) -> Result<Vec<RecordId>> {
        let keys = self.keys()?;
        let mut stmt = self.conn.prepare_cached("SELECT id FROM records WHERE kind_tag = ?1")?;
        let ids = stmt
            .query_map([kind_tag(keys, kind)], |r| r.get::<_, Vec<u8>>(0))?
            .map(|r| {
                let b = r?;
                Uuid::from_slice(&b).map(RecordId).map_err(|_| VaultError::Tampered("record id"))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ids)
    }

    /// Exact lookup through the blind index. Returns the ids of matching
    /// records; the caller opens them with [`Vault::get`].
    pub fn find(&self, lookup: Lookup<'_>) -> Result<Vec<RecordId>> {
        let keys = self.keys()?;
        let mut stmt = self.conn.prepare_cached("SELECT record_id FROM blind_index WHERE tag = ?1")?;
        let mut out = Vec::new();
        for t in lookup_tags(keys, lookup) {
            for r in stmt.query_map([t], |r| r.get::<_, Vec<u8>>(0))? {
                let id = Uuid::from_slice(&r?).map_err(|_| VaultError::Tampered("record id"))?;
                out.push(RecordId(id));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}
