//! Verification of a Certificate of Return at entry, offline: decode, check
//! the signer against the trust list, the signature, the validity dates, the
//! revocation list, whether it was already used, and the age of the lists.
//! Every refusal has its own reason.

use serde::Serialize;

use super::barcode::{self, photo_hash, CertificatePayload, DecodeError};
use super::trust::TrustStore;
use crate::date::IsoDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum VerifyError {
    #[error(transparent)]
    Decode(DecodeError),
    #[error("no trust list on this device: sync with headquarters")]
    NoTrustList,
    #[error("the trust list is {age_hours} hours old, past the {limit_hours}-hour limit: sync before verifying")]
    TrustListTooOld { age_hours: i64, limit_hours: i64 },
    #[error("the revocation list is {age_hours} hours old, past the {limit_hours}-hour limit: sync before verifying")]
    RevocationListTooOld { age_hours: i64, limit_hours: i64 },
    #[error("signed by a key this device does not trust (key id {kid})")]
    UnknownSigner { kid: String },
    #[error("the signature does not match: the certificate is forged or altered")]
    BadSignature,
    #[error("the signer's key was not valid on the issue date {issued}")]
    SignerNotValid { issued: IsoDate },
    #[error("the signer's key was revoked")]
    RevokedSigner,
    #[error("certificate {number} was revoked")]
    Revoked { number: String },
    #[error("the certificate expired on {expiry}")]
    Expired { expiry: IsoDate },
    #[error("the certificate is not valid before {issued}")]
    NotYetValid { issued: IsoDate },
    #[error("the certificate was already used to enter at {crossing_point} on {date}")]
    AlreadyUsed { crossing_point: String, date: IsoDate },
    #[error("the certificate's dates are inconsistent")]
    BadDates,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum VerifyWarning {
    StaleTrustList { age_hours: i64 },
    StaleRevocationList { age_hours: i64 },
    NoRevocationList,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoCheck {
    Match,
    Mismatch,
    /// No photo on file here, or none in the certificate.
    NotChecked,
}

/// A certificate that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub payload: CertificatePayload,
    pub signer_office: String,
    pub photo: PhotoCheck,
    pub warnings: Vec<VerifyWarning>,
    pub trust_list_age_hours: i64,
    pub revocation_list_age_hours: Option<i64>,
}

/// What the verifying device knows beyond the trust store.
pub struct VerifyContext<'a> {
    pub store: &'a TrustStore,
    pub now_ms: i64,
    pub today: IsoDate,
    /// An earlier entry with this certificate number, if any: (crossing, date).
    pub used: &'a dyn Fn(&str) -> Option<(String, IsoDate)>,
    /// The photo on file for the holder, if this device has it.
    pub photo: Option<&'a [u8]>,
}

fn hours(ms: i64) -> i64 {
    ms.max(0) / 3_600_000
}

/// Verifies barcode text. `Ok` only when the certificate is genuine, valid
/// today, not revoked and not used; warnings say how fresh the lists are.
pub fn verify(text: &str, ctx: &VerifyContext<'_>) -> Result<Verified, VerifyError> {
    let b = barcode::decode(text).map_err(VerifyError::Decode)?;
    let store = ctx.store;
    let fresh = store.freshness;
    let mut warnings = Vec::new();

    let trust = store.trust_list.as_ref().ok_or(VerifyError::NoTrustList)?;
    let trust_age = hours(ctx.now_ms - trust.body.issued_at_ms);
    if trust_age > fresh.refuse_after_hours {
        return Err(VerifyError::TrustListTooOld { age_hours: trust_age, limit_hours: fresh.refuse_after_hours });
    }
    if trust_age > fresh.warn_after_hours {
        warnings.push(VerifyWarning::StaleTrustList { age_hours: trust_age });
    }
    let revocation_age = store.revocations.as_ref().map(|r| hours(ctx.now_ms - r.body.issued_at_ms));
    match revocation_age {
        None => warnings.push(VerifyWarning::NoRevocationList),
        Some(age) if age > fresh.refuse_after_hours => {
            return Err(VerifyError::RevocationListTooOld { age_hours: age, limit_hours: fresh.refuse_after_hours })
        }
        Some(age) if age > fresh.warn_after_hours => {
            warnings.push(VerifyWarning::StaleRevocationList { age_hours: age })
        }
        _ => {}
    }

    // A revoked signer's certificate accepted before its revocation is kept
    // by its exact barcode; its key then comes with the revocation list.
    let digest = super::trust::barcode_digest(text);
    let kept = store.revocations.as_ref().filter(|r| r.body.kept.contains(&digest));
    let kept_signer = kept.and_then(|r| r.body.kept_signers.iter().find(|s| s.kid == hex::encode(b.kid)));
    let signer =
        store.signer(&b.kid).or(kept_signer).ok_or_else(|| VerifyError::UnknownSigner { kid: hex::encode(b.kid) })?;
    let pk: [u8; 32] = hex::decode(&signer.public_key)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| VerifyError::UnknownSigner { kid: hex::encode(b.kid) })?;
    if !barcode::signature_valid(&b, &pk) {
        return Err(VerifyError::BadSignature);
    }
    let p = &b.payload;
    if p.issue_date < signer.not_before || p.issue_date > signer.not_after {
        return Err(VerifyError::SignerNotValid { issued: p.issue_date });
    }
    if let Some(r) = &store.revocations {
        if r.body.signers.contains(&signer.kid) && !r.body.kept.contains(&digest) {
            return Err(VerifyError::RevokedSigner);
        }
        if r.body.certificates.contains(&p.number) {
            return Err(VerifyError::Revoked { number: p.number.clone() });
        }
    }
    if p.expiry_date < p.issue_date {
        return Err(VerifyError::BadDates);
    }
    if ctx.today > p.expiry_date {
        return Err(VerifyError::Expired { expiry: p.expiry_date });
    }
    if ctx.today < p.issue_date {
        return Err(VerifyError::NotYetValid { issued: p.issue_date });
    }
    if let Some((crossing_point, date)) = (ctx.used)(&p.number) {
        return Err(VerifyError::AlreadyUsed { crossing_point, date });
    }
    let photo = match (ctx.photo, &p.photo_hash) {
        (Some(bytes), Some(h)) if photo_hash(bytes) == *h => PhotoCheck::Match,
        (Some(_), Some(_)) => PhotoCheck::Mismatch,
        _ => PhotoCheck::NotChecked,
    };
    Ok(Verified {
        payload: b.payload,
        signer_office: signer.office.clone(),
        photo,
        warnings,
        trust_list_age_hours: trust_age,
        revocation_list_age_hours: revocation_age,
    })
}

#[cfg(test)]
mod every_refusal_serialises {
    use super::*;

    /// One of each refusal, with each decoding error inside `Decode`. The
    /// match below stops compiling when a variant is added, so the list
    /// cannot fall behind.
    fn every_refusal() -> Vec<VerifyError> {
        let d: IsoDate = "2026-11-29".parse().unwrap();
        let decode = [
            DecodeError::Empty,
            DecodeError::Oversized { len: 5000 },
            DecodeError::WrongPrefix,
            DecodeError::Base45,
            DecodeError::Compression,
            DecodeError::Malformed { what: "payload".into() },
            DecodeError::Version { version: 2 },
        ];
        for e in &decode {
            match e {
                DecodeError::Empty
                | DecodeError::Oversized { .. }
                | DecodeError::WrongPrefix
                | DecodeError::Base45
                | DecodeError::Compression
                | DecodeError::Malformed { .. }
                | DecodeError::Version { .. } => {}
            }
        }
        let mut all: Vec<VerifyError> = decode.into_iter().map(VerifyError::Decode).collect();
        all.extend([
            VerifyError::NoTrustList,
            VerifyError::TrustListTooOld { age_hours: 200, limit_hours: 168 },
            VerifyError::RevocationListTooOld { age_hours: 200, limit_hours: 168 },
            VerifyError::UnknownSigner { kid: "00".into() },
            VerifyError::BadSignature,
            VerifyError::SignerNotValid { issued: d },
            VerifyError::RevokedSigner,
            VerifyError::Revoked { number: "IST-2603-00017".into() },
            VerifyError::Expired { expiry: d },
            VerifyError::NotYetValid { issued: d },
            VerifyError::AlreadyUsed { crossing_point: "MANAS".into(), date: d },
            VerifyError::BadDates,
        ]);
        for e in &all {
            match e {
                VerifyError::Decode(_)
                | VerifyError::NoTrustList
                | VerifyError::TrustListTooOld { .. }
                | VerifyError::RevocationListTooOld { .. }
                | VerifyError::UnknownSigner { .. }
                | VerifyError::BadSignature
                | VerifyError::SignerNotValid { .. }
                | VerifyError::RevokedSigner
                | VerifyError::Revoked { .. }
                | VerifyError::Expired { .. }
                | VerifyError::NotYetValid { .. }
                | VerifyError::AlreadyUsed { .. }
                | VerifyError::BadDates => {}
            }
        }
        all
    }

    #[test]
    fn each_refusal_is_json_with_its_reason_and_fields() {
        for e in every_refusal() {
            let j = serde_json::to_value(&e).unwrap_or_else(|x| panic!("{e:?} does not serialise: {x}"));
            assert!(j["reason"].is_string(), "{e:?}: {j}");
            if let VerifyError::Decode(d) = &e {
                assert_eq!(j["reason"], "decode");
                assert!(j["decode_error"].is_string(), "{d:?}: {j}");
            }
        }
        let j = serde_json::to_value(VerifyError::Decode(DecodeError::Malformed { what: "payload".into() })).unwrap();
        assert_eq!(j, serde_json::json!({"reason": "decode", "decode_error": "malformed", "what": "payload"}));
        let j = serde_json::to_value(VerifyError::Decode(DecodeError::Version { version: 2 })).unwrap();
        assert_eq!(j, serde_json::json!({"reason": "decode", "decode_error": "version", "version": 2}));
    }
}
