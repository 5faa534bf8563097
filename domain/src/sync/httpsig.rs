//! Request authentication by device signature: a profile of HTTP Message
//! Signatures (RFC 9421) with Ed25519, covering the method, the authority
//! (the headquarters it is meant for: a request captured on its way to one
//! cannot be replayed to another that enrolled the same key), path, query
//! and the body's Content-Digest (RFC 9530), with `created` and `nonce`
//! parameters for replay protection. Pure: building and checking the
//! signature base; the client and server move the headers.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::events::DeviceIdentity;
use crate::random::CryptoRngCore;

pub const LABEL: &str = "hw";
/// How far a request's `created` may be from the server's clock.
pub const WINDOW_SECS: i64 = 300;
/// How long the server must remember a nonce from when it first sees it:
/// a request is accepted while `created` is within [`WINDOW_SECS`] of the
/// server's clock in whole seconds, which is up to 601 s of real time from
/// its first possible arrival to its last; one minute more covers a clock
/// step between the servers sharing the database.
pub const NONCE_TTL_MS: i64 = (2 * WINDOW_SECS + 1) * 1000 + 60_000;

/// `Content-Digest` value for a body (RFC 9530).
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", B64.encode(Sha256::digest(body)))
}

/// The headers that authenticate one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    pub content_digest: String,
    pub signature_input: String,
    pub signature: String,
}

/// The components every request signs, in order.
const COMPONENTS: &str = "(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\")";

/// The parameters this version signs: no `alg` (RFC 9421 lets the key
/// determine it; a device key is Ed25519 and nothing else), and a 128-bit
/// nonce in base64url. Both shorten every request (issue 13: a screening
/// alone in its sync under 1 KiB) without weakening it: the nonce only has
/// to be unique per device within the replay window, and 2^-64 is the
/// chance of any repeat among 2^32 requests of one device.
fn params(created: i64, keyid: &str, nonce: &str) -> String {
    format!("{COMPONENTS};created={created};keyid=\"{keyid}\";nonce=\"{nonce}\"")
}

/// A fresh nonce: 16 random bytes, base64url without padding (22 characters).
pub fn nonce(rng: &mut impl CryptoRngCore) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::random::bytes::<16>(rng))
}

/// `@authority` as RFC 9421 wants it: the host (and port, when not the
/// scheme's default) in lower case, as the client addressed it and the
/// server received it in `Host`.
pub fn normalise_authority(authority: &str) -> String {
    authority.trim().to_ascii_lowercase()
}

/// The RFC 9421 signature base for our covered components.
pub fn signature_base(method: &str, authority: &str, path: &str, query: &str, digest: &str, params: &str) -> String {
    let query = if query.is_empty() { "?".to_string() } else { format!("?{query}") };
    format!(
        "\"@method\": {}\n\"@authority\": {}\n\"@path\": {path}\n\"@query\": {query}\n\"content-digest\": {digest}\n\"@signature-params\": {params}",
        method.to_uppercase(),
        normalise_authority(authority)
    )
}

/// Signs a request for `authority` (host[:port] of headquarters as
/// addressed): `created` is the sender's idea of the server's time (unix
/// seconds).
#[allow(clippy::too_many_arguments)]
pub fn sign(
    identity: &DeviceIdentity,
    method: &str,
    authority: &str,
    path: &str,
    query: &str,
    body: &[u8],
    created: i64,
    rng: &mut impl CryptoRngCore,
) -> SignatureHeaders {
    let nonce = nonce(rng);
    let digest = content_digest(body);
    let p = params(created, identity.device_id(), &nonce);
    let base = signature_base(method, authority, path, query, &digest, &p);
    let sig = identity.sign(base.as_bytes());
    SignatureHeaders {
        content_digest: digest,
        signature_input: format!("{LABEL}={p}"),
        signature: format!("{LABEL}=:{}:", B64.encode(sig.to_bytes())),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the request is not signed")]
    Missing,
    #[error("the signature headers are malformed")]
    Malformed,
    #[error("the body does not match its Content-Digest")]
    DigestMismatch,
    #[error("the request's time is outside the allowed window: sync the clock with /v1/time")]
    OutOfWindow,
    #[error("unknown device")]
    UnknownDevice,
    #[error("the signature does not verify")]
    BadSignature,
}

/// What a verified signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub keyid: String,
    pub nonce: String,
    pub created: i64,
}

/// Reads `keyid`, `created` and `nonce` from a Signature-Input header,
/// accepting only the exact profile [`sign`] produces.
pub fn parse_input(input: &str) -> Result<(Signer, String), AuthError> {
    let p = input.strip_prefix(&format!("{LABEL}=")).ok_or(AuthError::Malformed)?;
    let rest = p.strip_prefix(COMPONENTS).and_then(|r| r.strip_prefix(';')).ok_or(AuthError::Malformed)?;
    let mut created = None;
    let mut keyid = None;
    let mut nonce = None;
    let mut alg = None;
    for part in rest.split(';') {
        let (k, v) = part.split_once('=').ok_or(AuthError::Malformed)?;
        let unq = || v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).map(str::to_string);
        match k {
            "created" => created = v.parse::<i64>().ok(),
            "keyid" => keyid = unq(),
            "nonce" => nonce = unq(),
            "alg" => alg = unq(),
            _ => return Err(AuthError::Malformed),
        }
    }
    let (Some(created), Some(keyid), Some(nonce)) = (created, keyid, nonce) else {
        return Err(AuthError::Malformed);
    };
    // Earlier versions also sent `alg="ed25519"` and a 64-digit hex nonce: still accepted.
    if alg.is_some_and(|a| a != "ed25519") || keyid.is_empty() || nonce.len() < 16 || nonce.len() > 128 {
        return Err(AuthError::Malformed);
    }
    Ok((Signer { keyid, nonce, created }, p.to_string()))
}

/// Verifies a request's signature headers against the body, the authority
/// it arrived at and the device's public key; `now` is the server's clock (unix seconds). The
/// caller must still refuse a nonce it has seen.
#[allow(clippy::too_many_arguments)]
pub fn verify(
    method: &str,
    authority: &str,
    path: &str,
    query: &str,
    body: &[u8],
    headers: &SignatureHeaders,
    now: i64,
    key_of: impl Fn(&str) -> Option<[u8; 32]>,
) -> Result<Signer, AuthError> {
    let (signer, params) = parse_input(&headers.signature_input)?;
    if headers.content_digest != content_digest(body) {
        return Err(AuthError::DigestMismatch);
    }
    if (signer.created - now).abs() > WINDOW_SECS {
        return Err(AuthError::OutOfWindow);
    }
    let key = key_of(&signer.keyid).ok_or(AuthError::UnknownDevice)?;
    let sig_b64 = headers
        .signature
        .strip_prefix(&format!("{LABEL}=:"))
        .and_then(|s| s.strip_suffix(':'))
        .ok_or(AuthError::Malformed)?;
    let sig: [u8; 64] = B64.decode(sig_b64).ok().and_then(|b| b.try_into().ok()).ok_or(AuthError::Malformed)?;
    let base = signature_base(method, authority, path, query, &headers.content_digest, &params);
    VerifyingKey::from_bytes(&key)
        .map_err(|_| AuthError::UnknownDevice)?
        .verify(base.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| AuthError::BadSignature)?;
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Role;

    /// A request signed as far ahead as the window allows, first received
    /// at the earliest moment it is accepted, is out of the window by the
    /// time its nonce is forgotten (a replay cannot outlive the nonce).
    #[test]
    fn a_nonce_outlives_every_moment_its_request_is_accepted() {
        let rng = &mut crate::random::test_rng();
        let d = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", rng);
        let pk = d.public_key();
        let created = 1_000_000;
        let h = sign(&d, "POST", "hq", "/v1/events", "", b"", created, rng);
        let at = |ms: i64| verify("POST", "hq", "/v1/events", "", b"", &h, ms.div_euclid(1000), |_| Some(pk));
        // The earliest arrival accepted, and the nonce's end counted from it.
        let first_ms = (created - WINDOW_SECS) * 1000;
        assert!(at(first_ms).is_ok() && at(first_ms - 1).is_err());
        let forgotten_ms = first_ms + NONCE_TTL_MS;
        // The last moment it is still accepted comes before that.
        let last_ms = (created + WINDOW_SECS + 1) * 1000 - 1;
        assert!(at(last_ms).is_ok() && at(last_ms + 1).is_err());
        assert!(
            forgotten_ms > last_ms,
            "the nonce is forgotten at {forgotten_ms}, the request accepted until {last_ms}"
        );
        assert_eq!(at(forgotten_ms), Err(AuthError::OutOfWindow));
    }

    /// Requests from a device on an earlier version (with `alg` and a
    /// 64-digit hex nonce) still verify; an `alg` other than Ed25519 does not.
    #[test]
    fn the_shorter_profile_and_the_earlier_one_both_verify() {
        let rng = &mut crate::random::test_rng();
        let d = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", rng);
        let pk = d.public_key();
        let h = sign(&d, "POST", "hq", "/v1/events", "", b"x", 1000, rng);
        let (signer, _) = parse_input(&h.signature_input).unwrap();
        assert_eq!(signer.nonce.len(), 22, "128 bits in base64url");
        assert!(!h.signature_input.contains("alg="));
        assert_ne!(
            signer.nonce,
            parse_input(&sign(&d, "POST", "hq", "/v1/events", "", b"x", 1000, rng).signature_input).unwrap().0.nonce
        );
        let earlier = |alg: &str| {
            let p = format!("{COMPONENTS};created=1000;keyid=\"ist-03\";alg=\"{alg}\";nonce=\"{}\"", "ab".repeat(32));
            let digest = content_digest(b"x");
            let sig = d.sign(signature_base("POST", "hq", "/v1/events", "", &digest, &p).as_bytes());
            SignatureHeaders {
                content_digest: digest,
                signature_input: format!("{LABEL}={p}"),
                signature: format!("{LABEL}=:{}:", B64.encode(sig.to_bytes())),
            }
        };
        let at = |h: &SignatureHeaders| verify("POST", "hq", "/v1/events", "", b"x", h, 1000, |_| Some(pk));
        assert!(at(&h).is_ok());
        assert_eq!(at(&earlier("ed25519")).unwrap().nonce, "ab".repeat(32));
        assert_eq!(at(&earlier("rsa-pss-sha512")), Err(AuthError::Malformed));
    }

    #[test]
    fn signed_requests_verify_and_every_alteration_fails() {
        let rng = &mut crate::random::test_rng();
        let d = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", rng);
        let pk = d.public_key();
        let key_of = |id: &str| (id == "ist-03").then_some(pk);
        let h = sign(&d, "POST", "hq.example:8480", "/v1/events", "", b"{\"events\":[]}", 1000, rng);
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "", b"{\"events\":[]}", &h, 1000, key_of).unwrap().keyid,
            "ist-03"
        );
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "", b"{\"events\":[1]}", &h, 1000, key_of),
            Err(AuthError::DigestMismatch)
        );
        assert_eq!(
            verify("GET", "hq.example:8480", "/v1/events", "", b"{\"events\":[]}", &h, 1000, key_of),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/other", "", b"{\"events\":[]}", &h, 1000, key_of),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "a=1", b"{\"events\":[]}", &h, 1000, key_of),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "", b"{\"events\":[]}", &h, 1000 + 301, key_of),
            Err(AuthError::OutOfWindow)
        );
        // Sent to another headquarters (a replay elsewhere); the host's case
        // does not matter.
        assert_eq!(
            verify("POST", "other-hq.example:8480", "/v1/events", "", b"{\"events\":[]}", &h, 1000, key_of),
            Err(AuthError::BadSignature)
        );
        assert!(verify("POST", "HQ.Example:8480", "/v1/events", "", b"{\"events\":[]}", &h, 1000, key_of).is_ok());
        let mut other = h.clone();
        other.signature_input = other.signature_input.replace("ist-03", "ist-04");
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "", b"{\"events\":[]}", &other, 1000, key_of),
            Err(AuthError::UnknownDevice)
        );
        let mut resigned = h.clone();
        resigned.signature_input = resigned.signature_input.replace("created=1000", "created=1001");
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "", b"{\"events\":[]}", &resigned, 1000, key_of),
            Err(AuthError::BadSignature)
        );
        let mut junk = h;
        junk.signature_input = "hw=(\"@method\" \"@path\" \"@query\" \"content-digest\");created=1;keyid=\"ist-03\";alg=\"ed25519\";nonce=\"0123456789abcdef0\"".into();
        assert_eq!(
            verify("POST", "hq.example:8480", "/v1/events", "", b"", &junk, 1000, key_of),
            Err(AuthError::Malformed)
        );
    }
}
