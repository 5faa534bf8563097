//! Encrypted attachments (document photos): one file per attachment,
//! sealed in 64 KiB chunks with the STREAM construction (XChaCha20-Poly1305,
//! a counter and a last-chunk flag in each nonce), so a chunk altered,
//! reordered, dropped or cut off at the end fails to open. Each chunk's
//! associated data binds it to the attachment id and its record id.
//!
//! File layout: magic "HWA1" | chunk size (u32 BE) | 19-byte nonce prefix |
//! chunks, each `chunk size + 16` bytes except the last.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::Path;

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::Payload;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::crypto::{self, TAG_LEN};
use super::error::{Result, VaultError};
use super::records::RecordId;
use super::{Vault, ATTACHMENTS_DIR};

const MAGIC: &[u8; 4] = b"HWA1";
const CHUNK: usize = 64 * 1024;
const PREFIX_LEN: usize = 19;
const HEADER_LEN: usize = 4 + 4 + PREFIX_LEN;

/// An opaque attachment id (random).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttachmentId(pub Uuid);

impl AttachmentId {
    pub(crate) fn file_name(&self) -> String {
        self.0.simple().to_string()
    }
}

impl std::fmt::Display for AttachmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

fn chunk_aad(id: AttachmentId, record: RecordId, header: &[u8]) -> Vec<u8> {
    let mut aad = b"homeward/v1/attachment\0".to_vec();
    aad.extend_from_slice(id.0.as_bytes());
    aad.extend_from_slice(record.0.as_bytes());
    aad.extend_from_slice(header);
    aad
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Overwrites a file with zeros before unlinking it: a best effort, since a
/// flash translation layer may keep old blocks (see docs/SECURITY.md).
pub(crate) fn shred_file(path: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(meta) => {
            if let Ok(mut f) = fs::OpenOptions::new().write(true).open(path) {
                let zeros = vec![0u8; CHUNK];
                let mut left = meta.len();
                while left > 0 {
                    let n = left.min(CHUNK as u64) as usize;
                    f.write_all(&zeros[..n])?;
                    left -= n as u64;
                }
                f.sync_all()?;
            }
            fs::remove_file(path)?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Shreds every file in the attachments directory and removes it.
pub(crate) fn shred_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        shred_file(&entry?.path())?;
    }
    fs::remove_dir(dir)?;
    Ok(())
}

/// Removes files no row refers to: a temp file from a write cut short, or a
/// file whose row insert never committed. Neither was ever acknowledged.
pub(crate) fn remove_orphans(conn: &Connection, dir: &Path) -> Result<()> {
    if !dir.exists() {
        fs::create_dir_all(dir)?;
        return Ok(());
    }
    let mut stmt = conn.prepare("SELECT 1 FROM attachments WHERE id = ?1")?;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let known = match Uuid::try_parse(name) {
            Ok(id) => stmt.exists([id.as_bytes()])?,
            Err(_) => false,
        };
        if !known {
            shred_file(&path)?;
        }
    }
    Ok(())
}

pub(crate) fn delete_rows_for_record(tx: &Transaction<'_>, record: RecordId) -> Result<Vec<AttachmentId>> {
    let ids = tx
        .prepare("SELECT id FROM attachments WHERE record_id = ?1")?
        .query_map([record.0.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?
        .map(|r| Uuid::from_slice(&r?).map(AttachmentId).map_err(|_| VaultError::Tampered("attachment id")))
        .collect::<Result<Vec<_>>>()?;
    tx.execute("DELETE FROM attachments WHERE record_id = ?1", [record.0.as_bytes()])?;
    Ok(ids)
}

impl Vault {
    /// Encrypts `content` into a new attachment of record `record` (which
    /// must exist). The file is complete and synced before its row commits.
    pub fn put_attachment(&mut self, record: RecordId, content: &mut dyn Read) -> Result<AttachmentId> {
        let keys = self.keys()?;
        let exists = self.conn.prepare_cached("SELECT 1 FROM records WHERE id = ?1")?.exists([record.0.as_bytes()])?;
        if !exists {
            return Err(VaultError::NotFound("record"));
        }
        let id = AttachmentId(Uuid::new_v4());
        let dir = self.dir.join(ATTACHMENTS_DIR);
        fs::create_dir_all(&dir)?;
        let final_path = dir.join(id.file_name());
        let tmp_path = dir.join(format!("{}.tmp", id.file_name()));

        let prefix: [u8; PREFIX_LEN] = crypto::random_bytes();
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&(CHUNK as u32).to_be_bytes());
        header.extend_from_slice(&prefix);
        let aad = chunk_aad(id, record, &header);

        let result = (|| -> Result<()> {
            let mut out = File::create(&tmp_path)?;
            out.write_all(&header)?;
            let mut enc = EncryptorBE32::from_aead(keys.attachments.cipher(), (&prefix).into());
            let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
            let mut n = read_full(content, &mut buf)?;
            loop {
                // Look one byte ahead to know whether this chunk is the last.
                let mut next = [0u8; 1];
                let more = n == CHUNK && read_full(content, &mut next)? == 1;
                if !more {
                    let ct = enc
                        .encrypt_last(Payload { msg: &buf[..n], aad: &aad })
                        .map_err(|_| VaultError::InvalidInput("attachment too large".into()))?;
                    out.write_all(&ct)?;
                    break;
                }
                let ct = enc
                    .encrypt_next(Payload { msg: &buf[..n], aad: &aad })
                    .map_err(|_| VaultError::InvalidInput("attachment too large".into()))?;
                out.write_all(&ct)?;
                buf[0] = next[0];
                n = 1 + read_full(content, &mut buf[1..])?;
            }
            out.sync_all()?;
            fs::rename(&tmp_path, &final_path)?;
            sync_dir(&dir)?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp_path);
            return Err(e);
        }
        if let Err(e) = self.conn.execute(
            "INSERT INTO attachments (id, record_id) VALUES (?1, ?2)",
            params![id.0.as_bytes(), record.0.as_bytes()],
        ) {
            let _ = shred_file(&final_path);
            return Err(e.into());
        }
        Ok(id)
    }

    /// Decrypts an attachment of `record`. A file altered, truncated, or
    /// belonging to another record fails with `Tampered`.
    pub fn read_attachment(&self, record: RecordId, id: AttachmentId) -> Result<Zeroizing<Vec<u8>>> {
        let keys = self.keys()?;
        let owner: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT record_id FROM attachments WHERE id = ?1")?
            .query_row([id.0.as_bytes()], |r| r.get(0))
            .optional()?;
        match owner {
            None => return Err(VaultError::NotFound("attachment")),
            Some(o) if o != record.0.as_bytes() => return Err(VaultError::NotFound("attachment")),
            Some(_) => {}
        }
        let path = self.dir.join(ATTACHMENTS_DIR).join(id.file_name());
        let mut file = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => VaultError::Tampered("attachment file missing"),
            _ => e.into(),
        })?;
        let mut header = [0u8; HEADER_LEN];
        if read_full(&mut file, &mut header)? != HEADER_LEN || &header[..4] != MAGIC {
            return Err(VaultError::Tampered("attachment header"));
        }
        let chunk = u32::from_be_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
        if chunk != CHUNK {
            return Err(VaultError::Tampered("attachment header"));
        }
        let prefix: [u8; PREFIX_LEN] = header[8..].try_into().expect("19 bytes");
        let aad = chunk_aad(id, record, &header);
        let mut dec = DecryptorBE32::from_aead(keys.attachments.cipher(), (&prefix).into());
        let mut out = Zeroizing::new(Vec::new());
        let ct_len = CHUNK + TAG_LEN;
        let mut buf = vec![0u8; ct_len];
        let mut n = read_full(&mut file, &mut buf)?;
        loop {
            let mut next = [0u8; 1];
            let more = n == ct_len && read_full(&mut file, &mut next)? == 1;
            if !more {
                let pt = dec
                    .decrypt_last(Payload { msg: &buf[..n], aad: &aad })
                    .map_err(|_| VaultError::Tampered("attachment"))?;
                out.extend_from_slice(&pt);
                return Ok(out);
            }
            let pt = dec
                .decrypt_next(Payload { msg: &buf[..n], aad: &aad })
                .map_err(|_| VaultError::Tampered("attachment"))?;
            out.extend_from_slice(&pt);
            buf[0] = next[0];
            n = 1 + read_full(&mut file, &mut buf[1..])?;
        }
    }

    /// The attachments of a record.
    pub fn list_attachments(&self, record: RecordId) -> Result<Vec<AttachmentId>> {
        self.keys()?;
        let ids = self
            .conn
            .prepare_cached("SELECT id FROM attachments WHERE record_id = ?1")?
            .query_map([record.0.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?
            .map(|r| Uuid::from_slice(&r?).map(AttachmentId).map_err(|_| VaultError::Tampered("attachment id")))
            .collect::<Result<Vec<_>>>()?;
        Ok(ids)
    }

    /// Deletes one attachment: its row first, then its file (shredded).
    pub fn delete_attachment(&mut self, record: RecordId, id: AttachmentId) -> Result<()> {
        self.keys()?;
        let n = self.conn.execute(
            "DELETE FROM attachments WHERE id = ?1 AND record_id = ?2",
            params![id.0.as_bytes(), record.0.as_bytes()],
        )?;
        if n == 0 {
            return Err(VaultError::NotFound("attachment"));
        }
        shred_file(&self.dir.join(ATTACHMENTS_DIR).join(id.file_name()))
    }
}
