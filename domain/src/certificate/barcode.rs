//! The certificate's signed barcode: a compact CBOR payload signed with
//! Ed25519, zlib-compressed, base45-encoded in QR alphanumeric mode behind
//! the prefix "HW1:" (the EU digital COVID certificate's layout, with
//! Homeward's own payload). Every decoding step bounds its input and fails
//! with a typed error: the decoder is fuzzed (fuzz/).

use ciborium::Value;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::request::Sex;
use crate::date::IsoDate;
use crate::events::DeviceIdentity;

pub const PREFIX: &str = "HW1:";
/// Longest barcode text accepted (QR version 40 holds 4,296 alphanumeric characters).
pub const MAX_TEXT: usize = 4296;
/// Most bytes a payload may inflate to.
pub const MAX_INFLATED: usize = 8192;
const SIGNING_DOMAIN: &[u8] = b"homeward/certificate-of-return/v1";
/// The largest QR version allowed (issue 4: version 15 or smaller at level M).
pub const MAX_QR_VERSION: i16 = 15;

/// What the barcode carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatePayload {
    pub number: String,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub date_of_birth: IsoDate,
    pub sex: Sex,
    pub issuing_office: String,
    pub issue_date: IsoDate,
    pub expiry_date: IsoDate,
    /// First 16 bytes of the photo's SHA-256 (hex), to compare with a photo on file.
    pub photo_hash: Option<String>,
    /// The case (opaque id) and the issuing event, so that a border device can
    /// record the entry against the right case.
    pub case_id: String,
    pub issued_event: String,
    pub children: Vec<ChildOnCertificate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildOnCertificate {
    pub surname: String,
    pub given_name: String,
    pub date_of_birth: IsoDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "decode_error", rename_all = "snake_case")]
pub enum DecodeError {
    #[error("nothing was read")]
    Empty,
    #[error("the barcode is too long to be a certificate ({len} characters)")]
    Oversized { len: usize },
    #[error("not a Certificate of Return barcode (no HW1: prefix)")]
    WrongPrefix,
    #[error("the barcode text is damaged (base45)")]
    Base45,
    #[error("the barcode data is damaged (compression)")]
    Compression,
    // Struct variants, not newtypes: an internally tagged enum cannot
    // carry a bare string or number, and `--json` prints these (issue 16).
    #[error("the barcode data is malformed: {what}")]
    Malformed { what: String },
    #[error("unsupported certificate version {version}")]
    Version { version: u64 },
}

/// A decoded, not yet verified, barcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBarcode {
    pub payload: CertificatePayload,
    /// The exact payload bytes the signature covers.
    pub payload_bytes: Vec<u8>,
    pub kid: [u8; 8],
    pub signature: [u8; 64],
}

/// A key id: the first 8 bytes of SHA-256 of the Ed25519 public key.
pub fn key_id(public_key: &[u8; 32]) -> [u8; 8] {
    let h = Sha256::digest(public_key);
    h[..8].try_into().expect("8 bytes")
}

/// The 16-byte photo hash carried in the barcode (hex), from the photo bytes.
pub fn photo_hash(photo: &[u8]) -> String {
    hex::encode(&Sha256::digest(photo)[..16])
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn uuid_bytes(s: &str) -> Value {
    match uuid::Uuid::parse_str(s) {
        Ok(u) => Value::Bytes(u.as_bytes().to_vec()),
        Err(_) => Value::Text(s.to_string()),
    }
}

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::F => "F",
        Sex::M => "M",
        Sex::X => "X",
    }
}

fn encode_payload(p: &CertificatePayload) -> Vec<u8> {
    let v = Value::Array(vec![
        Value::Integer(1.into()),
        text(&p.number),
        text(&p.surname),
        text(&p.given_name),
        p.patronymic.as_deref().map(text).unwrap_or(Value::Null),
        text(&p.date_of_birth.to_string()),
        text(sex_code(p.sex)),
        text(&p.issuing_office),
        text(&p.issue_date.to_string()),
        text(&p.expiry_date.to_string()),
        p.photo_hash.as_deref().and_then(|h| hex::decode(h).ok()).map(Value::Bytes).unwrap_or(Value::Null),
        uuid_bytes(&p.case_id),
        uuid_bytes(&p.issued_event),
        Value::Array(
            p.children
                .iter()
                .map(|c| Value::Array(vec![text(&c.surname), text(&c.given_name), text(&c.date_of_birth.to_string())]))
                .collect(),
        ),
    ]);
    let mut out = Vec::new();
    ciborium::into_writer(&v, &mut out).expect("CBOR into a Vec cannot fail");
    out
}

fn signing_input(payload: &[u8]) -> Vec<u8> {
    let mut m = SIGNING_DOMAIN.to_vec();
    m.extend_from_slice(payload);
    m
}

/// Signs a payload and encodes it as barcode text.
pub fn encode(payload: &CertificatePayload, signer: &DeviceIdentity) -> String {
    let bytes = encode_payload(payload);
    let sig = signer.sign(&signing_input(&bytes));
    let envelope = Value::Array(vec![
        Value::Bytes(bytes),
        Value::Bytes(key_id(&signer.public_key()).to_vec()),
        Value::Bytes(sig.to_bytes().to_vec()),
    ]);
    let mut cbor = Vec::new();
    ciborium::into_writer(&envelope, &mut cbor).expect("CBOR into a Vec cannot fail");
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&cbor, 9);
    format!("{PREFIX}{}", base45::encode(&z))
}

fn malformed(what: &str) -> DecodeError {
    DecodeError::Malformed { what: what.to_string() }
}

fn as_text(v: &Value, what: &str, max: usize) -> Result<String, DecodeError> {
    match v {
        Value::Text(s) if s.chars().count() <= max && !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(malformed(what)),
    }
}

fn as_date(v: &Value, what: &str) -> Result<IsoDate, DecodeError> {
    as_text(v, what, 10)?.parse().map_err(|_| malformed(what))
}

fn as_uuid(v: &Value, what: &str) -> Result<String, DecodeError> {
    match v {
        Value::Bytes(b) if b.len() == 16 => Ok(uuid::Uuid::from_slice(b).map_err(|_| malformed(what))?.to_string()),
        _ => Err(malformed(what)),
    }
}

/// Decodes barcode text into its payload and signature, checking every
/// bound. Says nothing about whether it is genuine: see [`super::verify`].
pub fn decode(text_in: &str) -> Result<SignedBarcode, DecodeError> {
    let t = text_in.trim();
    if t.is_empty() {
        return Err(DecodeError::Empty);
    }
    if t.len() > MAX_TEXT {
        return Err(DecodeError::Oversized { len: t.len() });
    }
    let body = t.strip_prefix(PREFIX).ok_or(DecodeError::WrongPrefix)?;
    let z = base45::decode(body).map_err(|_| DecodeError::Base45)?;
    let cbor = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&z, MAX_INFLATED)
        .map_err(|_| DecodeError::Compression)?;
    let envelope: Value = ciborium::from_reader(cbor.as_slice()).map_err(|_| malformed("envelope"))?;
    let Value::Array(parts) = envelope else {
        return Err(malformed("envelope"));
    };
    let [Value::Bytes(payload_bytes), Value::Bytes(kid), Value::Bytes(sig)] = parts.as_slice() else {
        return Err(malformed("envelope"));
    };
    let kid: [u8; 8] = kid.as_slice().try_into().map_err(|_| malformed("key id"))?;
    let signature: [u8; 64] = sig.as_slice().try_into().map_err(|_| malformed("signature"))?;
    let payload = decode_payload(payload_bytes)?;
    Ok(SignedBarcode { payload, payload_bytes: payload_bytes.clone(), kid, signature })
}

fn decode_payload(bytes: &[u8]) -> Result<CertificatePayload, DecodeError> {
    let v: Value = ciborium::from_reader(bytes).map_err(|_| malformed("payload"))?;
    let Value::Array(f) = v else {
        return Err(malformed("payload"));
    };
    let version = match f.first() {
        Some(Value::Integer(i)) => u64::try_from(*i).map_err(|_| malformed("version"))?,
        _ => return Err(malformed("version")),
    };
    if version != 1 {
        return Err(DecodeError::Version { version });
    }
    if f.len() != 14 {
        return Err(malformed("payload fields"));
    }
    let sex = match as_text(&f[6], "sex", 1)?.as_str() {
        "F" => Sex::F,
        "M" => Sex::M,
        "X" => Sex::X,
        _ => return Err(malformed("sex")),
    };
    let patronymic = match &f[4] {
        Value::Null => None,
        v => Some(as_text(v, "patronymic", 100)?),
    };
    let photo_hash = match &f[10] {
        Value::Null => None,
        Value::Bytes(b) if b.len() == 16 => Some(hex::encode(b)),
        _ => return Err(malformed("photo hash")),
    };
    let Value::Array(kids) = &f[13] else {
        return Err(malformed("children"));
    };
    if kids.len() > 20 {
        return Err(malformed("children"));
    }
    let children = kids
        .iter()
        .map(|c| match c {
            Value::Array(c) if c.len() == 3 => Ok(ChildOnCertificate {
                surname: as_text(&c[0], "child surname", 100)?,
                given_name: as_text(&c[1], "child given name", 100)?,
                date_of_birth: as_date(&c[2], "child date of birth")?,
            }),
            _ => Err(malformed("child")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CertificatePayload {
        number: as_text(&f[1], "number", 40)?,
        surname: as_text(&f[2], "surname", 100)?,
        given_name: as_text(&f[3], "given name", 100)?,
        patronymic,
        date_of_birth: as_date(&f[5], "date of birth")?,
        sex,
        issuing_office: as_text(&f[7], "issuing office", 20)?,
        issue_date: as_date(&f[8], "issue date")?,
        expiry_date: as_date(&f[9], "expiry date")?,
        photo_hash,
        case_id: as_uuid(&f[11], "case id")?,
        issued_event: as_uuid(&f[12], "issuing event")?,
        children,
    })
}

/// Checks the signature of a decoded barcode with a signer's public key.
pub fn signature_valid(b: &SignedBarcode, public_key: &[u8; 32]) -> bool {
    VerifyingKey::from_bytes(public_key)
        .map(|k| k.verify(&signing_input(&b.payload_bytes), &Signature::from_bytes(&b.signature)).is_ok())
        .unwrap_or(false)
}

/// A QR symbol as a matrix of dark modules, for any renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    pub version: i16,
    pub width: usize,
    /// Row-major, `true` for a dark module.
    pub modules: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("the barcode does not fit a QR code: {0}")]
    DoesNotFit(String),
    #[error("the barcode needs QR version {0}, more than the allowed {MAX_QR_VERSION}")]
    TooLarge(i16),
}

/// Lays barcode text out as a QR code at error correction level M, in
/// alphanumeric mode (the base45 alphabet is QR's alphanumeric set).
pub fn qr_matrix(barcode: &str) -> Result<QrMatrix, QrError> {
    let code = qrcode::QrCode::with_error_correction_level(barcode.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| QrError::DoesNotFit(e.to_string()))?;
    let version = match code.version() {
        qrcode::Version::Normal(v) => v,
        qrcode::Version::Micro(v) => v,
    };
    if version > MAX_QR_VERSION {
        return Err(QrError::TooLarge(version));
    }
    let width = code.width();
    let modules = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok(QrMatrix { version, width, modules })
}
