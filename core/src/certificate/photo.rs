//! The applicant's photo on a certificate request: kept on the device as a
//! sealed attachment of its own record, never sent to headquarters (the
//! signed request carries only its SHA-256, which the certificate's barcode
//! repeats so a border guard can compare the photo on file). Retention
//! removes it with its case (`retention::CASE_PHOTO_KIND`).

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::retention::CASE_PHOTO_KIND;
use crate::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault, VaultError};

/// Larger than any phone camera's JPEG at the size a document photo needs;
/// refused above it, so a wrong file (a video) is not sealed by mistake.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// The index the record is found by (retention looks it up too).
pub(crate) const INDEX_FIELD: &str = "case-photo";

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is not a JPEG or PNG image")]
    NotAnImage,
    #[error("the photo is {size} bytes; at most {max} are kept")]
    TooLarge { size: usize, max: usize },
    #[error("the photo is empty")]
    Empty,
    #[error(transparent)]
    Vault(#[from] VaultError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
}

/// What the bytes are, by their signature; anything else is refused before
/// it is hashed into a signed request.
pub fn check(bytes: &[u8]) -> Result<PhotoFormat, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge { size: bytes.len(), max: MAX_PHOTO_BYTES });
    }
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Ok(PhotoFormat::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Ok(PhotoFormat::Png),
        _ => Err(PhotoError::NotAnImage),
    }
}

/// The hash the request carries (`applicant.photo_sha256`), hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The record holding a case's photo: derived from the case id, so a second
/// photo for the same case replaces the first.
fn record_id(case_id: &str) -> RecordId {
    let h = Sha256::digest(format!("homeward/case-photo/{case_id}").as_bytes());
    RecordId(uuid::Uuid::from_slice(&h[..16]).expect("16 bytes"))
}

/// Seals the photo of `case_id` (replacing one kept before). Checked first:
/// nothing is written for a file that is not a photo.
pub fn save(vault: &mut Vault, case_id: &str, bytes: &[u8]) -> Result<(), PhotoError> {
    check(bytes)?;
    let rid = record_id(case_id);
    vault.put(&NewRecord {
        id: rid,
        kind: CASE_PHOTO_KIND,
        schema_version: 1,
        body: b"{}",
        index: &[IndexTerm::Keyword { field: INDEX_FIELD, value: case_id.to_string() }],
    })?;
    let old = vault.list_attachments(rid)?;
    vault.put_attachment(rid, &mut &bytes[..])?;
    for a in old {
        vault.delete_attachment(rid, a)?;
    }
    Ok(())
}

/// The photo kept for `case_id`, if any.
pub fn load(vault: &Vault, case_id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, PhotoError> {
    let rid = record_id(case_id);
    if vault.find(Lookup::Keyword { field: INDEX_FIELD, value: case_id })?.is_empty() {
        return Ok(None);
    }
    match vault.list_attachments(rid)?.last() {
        Some(a) => Ok(Some(vault.read_attachment(rid, *a)?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_jpeg_and_png_signatures_pass() {
        assert_eq!(check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap(), PhotoFormat::Jpeg);
        assert_eq!(check(b"\x89PNG\r\n\x1a\n....").unwrap(), PhotoFormat::Png);
        assert!(matches!(check(b"GIF89a...."), Err(PhotoError::NotAnImage)));
        assert!(matches!(check(b"%PDF-1.7"), Err(PhotoError::NotAnImage)));
        assert!(matches!(check(b""), Err(PhotoError::Empty)));
        let big = [&[0xFF, 0xD8, 0xFF][..], &vec![0u8; MAX_PHOTO_BYTES]].concat();
        assert!(matches!(check(&big), Err(PhotoError::TooLarge { .. })));
    }
}
