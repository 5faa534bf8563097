//! The audit trail: who viewed, created, changed, exported or referred which
//! record, on which device, when, and why (Law art. 25: officials answer for
//! every access to a victim's identity).
//!
//! Entries are hash-chained (each holds the SHA-256 of the previous entry's
//! canonical bytes) and signed with Ed25519, so [`verify_chain`] tells a
//! deleted, altered, reordered or inserted entry apart. They carry only opaque
//! ids (UUIDs), never a name or document number; a justification is free text
//! kept sealed in the vault like every record.
//!
//! The chain is signed by the log's own audit key, made at the first entry, so
//! that one key covers the whole chain even if the device enrols later; the
//! device identity vouches for that key with an [`AuditKeyCert`], which
//! headquarters checks against the device's registered key.
//!
//! Everything here is pure; the device's log in the vault is
//! `homeward_core::audit::AuditLog`, headquarters' is in its database.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::events::{DeviceIdentity, Role};

/// What was done to the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A person's full record was opened (names, documents, answers).
    View,
    /// A list or search that showed summaries only.
    Search,
    Create,
    Change,
    Export,
    Referral,
    /// Consent recorded or revoked.
    Consent,
    /// Removed by the retention rule.
    Purge,
    /// A lock lifted (check-in unlock code).
    Unlock,
    /// A wrong, reused or foreign check-in unlock code was typed (headquarters
    /// sees guessing in the trail).
    UnlockRefused,
    /// A security setting changed (duress passphrase set or cleared).
    Setting,
    /// The vault was found restored from an older copy: this entry starts
    /// the chain's new branch (its `fork` names where the device's own chain
    /// left off; its seq and prev_hash continue headquarters' chain).
    Restore,
    /// The officer acknowledged a notice (what a restore lost).
    Acknowledge,
}

/// What kind of thing the subject id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Screening,
    CertificateCase,
    Referral,
    /// Aggregate statistics (no subject id).
    Statistics,
    /// The device itself (no subject id).
    Device,
}

/// The record an entry is about: an opaque id only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    /// A UUID, or empty for statistics and the device.
    pub id: String,
}

impl Subject {
    pub fn new(kind: SubjectKind, id: &str) -> Subject {
        Subject { kind, id: id.to_string() }
    }

    pub fn device() -> Subject {
        Subject { kind: SubjectKind::Device, id: String::new() }
    }

    /// Only UUIDs (or nothing) may name a subject: a name or document number
    /// typed by mistake must never enter the trail, which syncs to headquarters.
    fn check(&self) -> Result<(), AuditError> {
        if self.id.is_empty() || uuid::Uuid::parse_str(&self.id).is_ok() {
            Ok(())
        } else {
            Err(AuditError::SubjectNotOpaque)
        }
    }
}

/// The longest justification kept (characters).
pub const MAX_JUSTIFICATION_CHARS: usize = 500;

/// One signed, chained audit entry. Serialisable so it can sync as is and be
/// checked again at headquarters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3... with no gaps on one device.
    pub seq: u64,
    /// SHA-256 (hex) of the previous entry's canonical bytes; zeros for the first.
    pub prev_hash: String,
    pub device_id: String,
    /// The officer's id as the device knows it, if any.
    pub actor: Option<String>,
    pub role: Option<Role>,
    /// Wall-clock time of the device (unix ms); `seq` is the order.
    pub at_ms: i64,
    pub action: AuditAction,
    pub subject: Subject,
    /// Why a sensitive view or an override was needed.
    pub justification: Option<String>,
    /// Only on a [`AuditAction::Restore`] entry: the last entry of the
    /// device's own chain that headquarters also holds. The entry itself
    /// continues headquarters' chain (seq and prev_hash), so the chain
    /// verifies on both sides (see [`verify_chain_from`]). Absent on every
    /// other entry, and then not in the signed bytes: chains made before
    /// branches existed keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fork: Option<ChainAnchor>,
    /// Ed25519 (hex) by the audit key over the canonical bytes of everything above.
    pub signature: String,
}

#[derive(Serialize)]
struct Unsigned<'a> {
    domain: &'static str,
    seq: u64,
    prev_hash: &'a str,
    device_id: &'a str,
    actor: &'a Option<String>,
    role: &'a Option<Role>,
    at_ms: i64,
    action: AuditAction,
    subject: &'a Subject,
    justification: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fork: &'a Option<ChainAnchor>,
}

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says, before it is chained and signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFact {
    pub actor: Option<String>,
    pub role: Option<Role>,
    pub action: AuditAction,
    pub subject: Subject,
    pub justification: Option<String>,
}

impl AuditFact {
    pub fn new(action: AuditAction, subject: Subject) -> AuditFact {
        AuditFact { actor: None, role: None, action, subject, justification: None }
    }

    pub fn justified(mut self, why: Option<&str>) -> AuditFact {
        self.justification = why.map(str::to_string);
        self
    }
}

impl AuditEntry {
    fn signing_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Unsigned {
            domain: "homeward/audit/v1",
            seq: self.seq,
            prev_hash: &self.prev_hash,
            device_id: &self.device_id,
            actor: &self.actor,
            role: &self.role,
            at_ms: self.at_ms,
            action: self.action,
            subject: &self.subject,
            justification: &self.justification,
            fork: &self.fork,
        })
        .expect("an audit entry serialises")
    }

    /// The hash the next entry must carry: over the signed bytes and the
    /// signature, so that swapping a signature also breaks the chain.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.signing_bytes());
        h.update(self.signature.as_bytes());
        hex::encode(h.finalize())
    }

    /// Makes and signs the entry that follows `prev` (`None`: the first).
    pub fn next(
        prev: Option<&AuditEntry>,
        device_id: &str,
        key: &SigningKey,
        at_ms: i64,
        fact: AuditFact,
    ) -> Result<AuditEntry, AuditError> {
        let (seq, hash) = prev.map_or((0, GENESIS_HASH.to_string()), |p| (p.seq, p.hash()));
        Self::next_after(seq, &hash, device_id, key, at_ms, fact)
    }

    /// Makes and signs the entry after sequence number `last_seq` whose hash
    /// is `last_hash` (0 and [`GENESIS_HASH`] for the first).
    pub fn next_after(
        last_seq: u64,
        last_hash: &str,
        device_id: &str,
        key: &SigningKey,
        at_ms: i64,
        fact: AuditFact,
    ) -> Result<AuditEntry, AuditError> {
        Self::build(last_seq, last_hash, device_id, at_ms, fact, None, &|m| key.sign(m))
    }

    /// The first entry of a new branch after a restore from an older copy:
    /// it continues headquarters' chain at (`onto_seq`, `onto_hash`) and
    /// names `fork`, the last entry of the device's own chain that
    /// headquarters also holds.
    pub fn branch(
        onto_seq: u64,
        onto_hash: &str,
        fork: ChainAnchor,
        device_id: &str,
        key: &SigningKey,
        at_ms: i64,
        fact: AuditFact,
    ) -> Result<AuditEntry, AuditError> {
        let fact = AuditFact { action: AuditAction::Restore, ..fact };
        Self::build(onto_seq, onto_hash, device_id, at_ms, fact, Some(fork), &|m| key.sign(m))
    }

    /// The same, signed by an identity's own key: headquarters keeps its
    /// audit chain under its identity (its key is already known to everyone).
    pub fn next_by_identity(
        last_seq: u64,
        last_hash: &str,
        identity: &DeviceIdentity,
        at_ms: i64,
        fact: AuditFact,
    ) -> Result<AuditEntry, AuditError> {
        Self::build(last_seq, last_hash, identity.device_id(), at_ms, fact, None, &|m| identity.sign(m))
    }

    fn build(
        last_seq: u64,
        last_hash: &str,
        device_id: &str,
        at_ms: i64,
        fact: AuditFact,
        fork: Option<ChainAnchor>,
        sign: &dyn Fn(&[u8]) -> Signature,
    ) -> Result<AuditEntry, AuditError> {
        fact.subject.check()?;
        if let Some(j) = &fact.justification {
            if j.trim().is_empty() {
                return Err(AuditError::JustificationRequired);
            }
            if j.chars().count() > MAX_JUSTIFICATION_CHARS {
                return Err(AuditError::JustificationTooLong);
            }
        }
        let mut e = AuditEntry {
            seq: last_seq + 1,
            prev_hash: last_hash.to_string(),
            device_id: device_id.to_string(),
            actor: fact.actor,
            role: fact.role,
            at_ms,
            action: fact.action,
            subject: fact.subject,
            justification: fact.justification,
            fork,
            signature: String::new(),
        };
        e.signature = hex::encode(sign(&e.signing_bytes()).to_bytes());
        Ok(e)
    }

    fn signature_ok(&self, key: &VerifyingKey) -> bool {
        let Some(sig) = hex::decode(&self.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
            return false;
        };
        key.verify(&self.signing_bytes(), &Signature::from_bytes(&sig)).is_ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("an audit subject must be an opaque id (a UUID), never a name or number")]
    SubjectNotOpaque,
    #[error("viewing a person's full record needs a justification")]
    JustificationRequired,
    #[error("a justification is limited to {MAX_JUSTIFICATION_CHARS} characters")]
    JustificationTooLong,
    #[error("the audit key is malformed")]
    BadKey,
}

/// How a chain was manipulated. Each names the first entry (by sequence
/// number) where the chain stops holding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditChainError {
    #[error("audit entries {first}..={last} are missing")]
    Deleted { first: u64, last: u64 },
    #[error("audit entry {seq} was altered (its signature does not verify)")]
    Altered { seq: u64 },
    #[error("audit entry {seq} is out of order")]
    Reordered { seq: u64 },
    #[error("audit entry {seq} was inserted (it does not belong to this device's chain)")]
    Inserted { seq: u64 },
    #[error("audit entry {seq} does not follow the entry before it (that one was altered and re-signed)")]
    BrokenLink { seq: u64 },
    #[error("the chain does not start where expected (entry {seq})")]
    BadStart { seq: u64 },
    #[error("the audit key is malformed")]
    BadKey,
}

/// Where a partial chain must continue from: the last entry already checked
/// (headquarters keeps it per device and checks each synced batch from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainAnchor {
    pub seq: u64,
    pub hash: String,
}

/// Checks a whole chain from its first entry, signed by `audit_public_key`.
pub fn verify_chain(entries: &[AuditEntry], audit_public_key: &[u8; 32]) -> Result<(), AuditChainError> {
    verify_chain_from(None, entries, audit_public_key)
}

/// Checks entries that continue from `anchor` (`None`: from the first entry).
/// Pure: headquarters calls it on every batch a device syncs.
///
/// A restore branch ([`AuditEntry::branch`]) is followed on either side: at
/// headquarters it links to the entry before it like any other; on the
/// device, which never held headquarters' entries between the fork and the
/// branch, it may instead jump forward, but only from the very entry its
/// signed `fork` names.
pub fn verify_chain_from(
    anchor: Option<&ChainAnchor>,
    entries: &[AuditEntry],
    audit_public_key: &[u8; 32],
) -> Result<(), AuditChainError> {
    verify_chain_with(anchor, entries, audit_public_key, Branches::MayJump)
}

/// Whether a restore branch may skip sequence numbers (on the device) or
/// must link to the entry before it (at headquarters, which holds the chain
/// it continues).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branches {
    MayJump,
    MustLink,
}

/// [`verify_chain_from`] with the branch rule chosen.
pub fn verify_chain_with(
    anchor: Option<&ChainAnchor>,
    entries: &[AuditEntry],
    audit_public_key: &[u8; 32],
    branches: Branches,
) -> Result<(), AuditChainError> {
    let key = VerifyingKey::from_bytes(audit_public_key).map_err(|_| AuditChainError::BadKey)?;
    let (mut expected_seq, mut expected_hash) = match anchor {
        None => (1, GENESIS_HASH.to_string()),
        Some(a) => (a.seq + 1, a.hash.clone()),
    };
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        // A branch that jumps from the entry before it: signed, and naming
        // that very entry as its fork.
        let jumps = branches == Branches::MayJump
            && e.seq > expected_seq
            && e.action == AuditAction::Restore
            && e.fork.as_ref().is_some_and(|f| f.seq + 1 == expected_seq && f.hash == expected_hash);
        if jumps {
            if !e.signature_ok(&key) {
                return Err(AuditChainError::Altered { seq: e.seq });
            }
            seen.insert(e.seq);
            expected_seq = e.seq + 1;
            expected_hash = e.hash();
            continue;
        }
        if e.seq < expected_seq {
            // An entry at a place already taken is an extra one; one that
            // comes after a later entry is out of order.
            return Err(if seen.contains(&e.seq) || anchor.is_some_and(|a| e.seq <= a.seq) {
                AuditChainError::Inserted { seq: e.seq }
            } else {
                AuditChainError::Reordered { seq: e.seq }
            });
        }
        if e.seq > expected_seq {
            if entries[i + 1..].iter().any(|later| later.seq == expected_seq) {
                return Err(AuditChainError::Reordered { seq: e.seq });
            }
            return Err(if i == 0 && anchor.is_none() {
                AuditChainError::BadStart { seq: e.seq }
            } else {
                AuditChainError::Deleted { first: expected_seq, last: e.seq - 1 }
            });
        }
        if !e.signature_ok(&key) {
            // An inserted entry is skipped over by the chain: its successor
            // links to the entry before it. An altered one is not.
            let next = entries.get(i + 1);
            return Err(if next.is_some_and(|n| n.prev_hash == expected_hash) {
                AuditChainError::Inserted { seq: e.seq }
            } else {
                AuditChainError::Altered { seq: e.seq }
            });
        }
        if e.prev_hash != expected_hash {
            return Err(AuditChainError::BrokenLink { seq: e.seq });
        }
        seen.insert(e.seq);
        expected_seq = e.seq + 1;
        expected_hash = e.hash();
    }
    Ok(())
}

/// The anchor after the last of `entries` (for the next incremental check).
pub fn anchor_of(entries: &[AuditEntry]) -> Option<ChainAnchor> {
    entries.last().map(|e| ChainAnchor { seq: e.seq, hash: e.hash() })
}

/// The device identity vouching for its audit key, so that headquarters,
/// which knows the device's key, can trust the chain's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditKeyCert {
    pub device_id: String,
    pub audit_public_key: String,
    /// Ed25519 (hex) by the device identity.
    pub signature: String,
}

impl AuditKeyCert {
    fn message(device_id: &str, audit_public_key: &str) -> Vec<u8> {
        format!("homeward/audit-key/v1\0{device_id}\0{audit_public_key}").into_bytes()
    }

    pub fn issue(identity: &DeviceIdentity, audit_public_key: &[u8; 32]) -> AuditKeyCert {
        let pk = hex::encode(audit_public_key);
        let sig = identity.sign(&Self::message(identity.device_id(), &pk));
        AuditKeyCert {
            device_id: identity.device_id().to_string(),
            audit_public_key: pk,
            signature: hex::encode(sig.to_bytes()),
        }
    }

    /// The audit key, if the certificate verifies against the device's key.
    pub fn verify(&self, device_public_key: &[u8; 32]) -> Option<[u8; 32]> {
        let key = VerifyingKey::from_bytes(device_public_key).ok()?;
        let sig: [u8; 64] = hex::decode(&self.signature).ok()?.try_into().ok()?;
        key.verify(&Self::message(&self.device_id, &self.audit_public_key), &Signature::from_bytes(&sig)).ok()?;
        hex::decode(&self.audit_public_key).ok()?.try_into().ok()
    }
}

/// Which views need a reason. Summaries (lists, counts) do not; opening a
/// person's full record does (Law art. 25 p.2: access to identity is closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    Summary,
    FullRecord,
}

/// The sensitive-view policy: a full record opens only with a justification.
pub fn check_view(kind: ViewKind, justification: Option<&str>) -> Result<(), AuditError> {
    match (kind, justification.map(str::trim)) {
        (ViewKind::Summary, _) => Ok(()),
        (ViewKind::FullRecord, Some(j)) if !j.is_empty() => {
            if j.chars().count() > MAX_JUSTIFICATION_CHARS {
                Err(AuditError::JustificationTooLong)
            } else {
                Ok(())
            }
        }
        (ViewKind::FullRecord, _) => Err(AuditError::JustificationRequired),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6f1c1d1e-0000-4000-8000-000000000001";

    fn chain(n: u64) -> (SigningKey, Vec<AuditEntry>) {
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let fact = AuditFact::new(AuditAction::View, Subject::new(SubjectKind::Screening, ID))
                .justified(Some("interview follow-up"));
            out.push(AuditEntry::next(out.last(), "dev-1", &key, 1_000 + i as i64, fact).unwrap());
        }
        (key, out)
    }

    fn pk(k: &SigningKey) -> [u8; 32] {
        k.verifying_key().to_bytes()
    }

    #[test]
    fn an_intact_chain_verifies_in_whole_and_in_parts() {
        let (k, c) = chain(5);
        assert_eq!(verify_chain(&c, &pk(&k)), Ok(()));
        let anchor = anchor_of(&c[..2]).unwrap();
        assert_eq!(verify_chain_from(Some(&anchor), &c[2..], &pk(&k)), Ok(()));
        // The wrong key fails at the first entry.
        let other = SigningKey::from_bytes(&[8; 32]);
        assert!(matches!(verify_chain(&c, &pk(&other)), Err(AuditChainError::Altered { seq: 1 })));
    }

    #[test]
    fn each_kind_of_manipulation_is_detected() {
        let (k, c) = chain(5);
        let pk = pk(&k);

        let mut deleted = c.clone();
        deleted.remove(2);
        assert_eq!(verify_chain(&deleted, &pk), Err(AuditChainError::Deleted { first: 3, last: 3 }));

        let mut altered = c.clone();
        altered[1].subject.id = "6f1c1d1e-0000-4000-8000-000000000002".into();
        assert_eq!(verify_chain(&altered, &pk), Err(AuditChainError::Altered { seq: 2 }));
        let mut altered_time = c.clone();
        altered_time[3].at_ms += 1;
        assert_eq!(verify_chain(&altered_time, &pk), Err(AuditChainError::Altered { seq: 4 }));

        let mut reordered = c.clone();
        reordered.swap(1, 2);
        assert_eq!(verify_chain(&reordered, &pk), Err(AuditChainError::Reordered { seq: 3 }));

        // Inserted by someone without the key: signed by another, linked to
        // the entry before, numbered into the chain.
        let forger = SigningKey::from_bytes(&[9; 32]);
        let fake = AuditEntry::next(
            Some(&c[1]),
            "dev-1",
            &forger,
            1_001,
            AuditFact::new(AuditAction::Export, Subject::new(SubjectKind::Screening, ID)),
        )
        .unwrap();
        let mut inserted = c.clone();
        inserted.insert(2, fake.clone());
        assert_eq!(verify_chain(&inserted, &pk), Err(AuditChainError::Inserted { seq: 3 }));
        // An extra entry repeating a number already used.
        let mut dup = c.clone();
        dup.insert(3, c[1].clone());
        assert_eq!(verify_chain(&dup, &pk), Err(AuditChainError::Inserted { seq: 2 }));

        // Altered and re-signed with the stolen key: the link to it breaks.
        let mut resigned = c.clone();
        let fact = AuditFact::new(AuditAction::Search, Subject::new(SubjectKind::Screening, ID));
        resigned[1] = AuditEntry::next(Some(&c[0]), "dev-1", &k, 1_001, fact).unwrap();
        assert_eq!(verify_chain(&resigned, &pk), Err(AuditChainError::BrokenLink { seq: 3 }));

        // A chain whose head was cut off.
        assert_eq!(verify_chain(&c[1..], &pk), Err(AuditChainError::BadStart { seq: 2 }));
    }

    #[test]
    fn a_restore_branch_verifies_on_both_sides_and_only_from_its_fork() {
        // Headquarters holds 1..=5; the restored device held 1..=3 and branches.
        let (k, hq) = chain(5);
        let pk = pk(&k);
        let fork = anchor_of(&hq[..3]).unwrap();
        let fact = AuditFact::new(AuditAction::Search, Subject::device());
        let b = AuditEntry::branch(5, &hq[4].hash(), fork.clone(), "dev-1", &k, 2_000, fact.clone()).unwrap();
        let after = AuditEntry::next(Some(&b), "dev-1", &k, 2_001, fact.clone()).unwrap();
        assert_eq!((b.seq, b.action), (6, AuditAction::Restore));
        // At headquarters: an ordinary link, end to end.
        let mut at_hq = hq.clone();
        at_hq.extend([b.clone(), after.clone()]);
        assert_eq!(verify_chain(&at_hq, &pk), Ok(()));
        // On the device: it jumps from the entry its fork names.
        let mut on_device = hq[..3].to_vec();
        on_device.extend([b.clone(), after.clone()]);
        assert_eq!(verify_chain(&on_device, &pk), Ok(()));
        assert_eq!(
            verify_chain_with(None, &on_device, &pk, Branches::MustLink),
            Err(AuditChainError::Deleted { first: 4, last: 5 })
        );
        // A jump from anywhere else is a deletion, and the fork is signed.
        let mut wrong_place = hq[..2].to_vec();
        wrong_place.extend([b.clone(), after.clone()]);
        assert_eq!(verify_chain(&wrong_place, &pk), Err(AuditChainError::Deleted { first: 3, last: 5 }));
        let mut moved = b.clone();
        moved.fork = Some(anchor_of(&hq[..2]).unwrap());
        let mut forged = hq[..2].to_vec();
        forged.push(moved);
        assert_eq!(verify_chain(&forged, &pk), Err(AuditChainError::Altered { seq: 6 }));
        // An entry that is not a branch cannot jump, fork or not.
        let plain = AuditEntry::next_after(5, &hq[4].hash(), "dev-1", &k, 2_000, fact).unwrap();
        let mut skip = hq[..3].to_vec();
        skip.push(plain);
        assert!(verify_chain(&skip, &pk).is_err());
        // Entries without a fork sign the same bytes as before branches existed.
        assert!(!serde_json::to_string(&hq[0]).unwrap().contains("fork"));
    }

    #[test]
    fn subjects_must_be_opaque_and_full_views_need_a_reason() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let fact = AuditFact::new(AuditAction::View, Subject::new(SubjectKind::Screening, "Aida Bekova"));
        assert_eq!(AuditEntry::next(None, "d", &key, 0, fact), Err(AuditError::SubjectNotOpaque));
        assert_eq!(check_view(ViewKind::FullRecord, None), Err(AuditError::JustificationRequired));
        assert_eq!(check_view(ViewKind::FullRecord, Some("  ")), Err(AuditError::JustificationRequired));
        assert_eq!(check_view(ViewKind::FullRecord, Some("referral to shelter")), Ok(()));
        assert_eq!(check_view(ViewKind::Summary, None), Ok(()));
    }

    #[test]
    fn the_device_vouches_for_its_audit_key() {
        let rng = &mut crate::random::test_rng();
        let device = DeviceIdentity::generate("dev-1", Role::BorderGuard, "OSH", rng);
        let audit = SigningKey::from_bytes(&[7; 32]);
        let cert = AuditKeyCert::issue(&device, &audit.verifying_key().to_bytes());
        assert_eq!(cert.verify(&device.public_key()), Some(audit.verifying_key().to_bytes()));
        let other = DeviceIdentity::generate("dev-1", Role::BorderGuard, "OSH", rng);
        assert_eq!(cert.verify(&other.public_key()), None);
    }
}
