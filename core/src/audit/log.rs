//! The audit log kept in the vault: one sealed record per entry, and a sealed
//! head holding the last sequence number and hash, the audit key, and how far
//! headquarters has acknowledged. A row deleted from the database shows as a
//! gap against the head; the head itself cannot be forged without the keys.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{
    verify_chain_from, AuditChainError, AuditEntry, AuditError, AuditFact, AuditKeyCert, ChainAnchor, GENESIS_HASH,
};
use crate::certificate::DeviceProfile;
use crate::vault::{IndexTerm, NewRecord, RecordId, Vault, VaultError};

const ENTRY_KIND: &str = "audit.entry";
const HEAD_KIND: &str = "audit.head";

fn head_id() -> RecordId {
    let h = Sha256::digest(b"homeward/singleton/audit.head");
    RecordId(uuid::Uuid::from_slice(&h[..16]).expect("16 bytes"))
}

/// The log's state, sealed in the vault.
#[derive(Serialize, Deserialize, Clone)]
struct StoredHead {
    last_seq: u64,
    last_hash: String,
    /// Everything up to here is held by headquarters.
    synced_through: u64,
    /// Entries up to here were pruned after sync; the chain resumes from it.
    #[serde(default)]
    pruned: Option<ChainAnchor>,
    /// The audit signing key (hex), made at the first entry.
    secret_key: String,
}

impl Drop for StoredHead {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret_key);
    }
}

impl StoredHead {
    fn key(&self) -> Result<SigningKey, AuditLogError> {
        let b = Zeroizing::new(hex::decode(&self.secret_key).map_err(|_| AuditLogError::Corrupt("audit key"))?);
        let arr: Zeroizing<[u8; 32]> =
            Zeroizing::new(b.as_slice().try_into().map_err(|_| AuditLogError::Corrupt("audit key"))?);
        Ok(SigningKey::from_bytes(&arr))
    }
}

/// What can be shown of the head: no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    pub last_seq: u64,
    pub synced_through: u64,
    pub audit_public_key: String,
    pub pruned_through: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditLogError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("the audit trail was tampered with: {0}")]
    Chain(#[from] AuditChainError),
    #[error("the audit trail could not be read: {0}")]
    Corrupt(&'static str),
}

/// The audit log of one vault.
pub struct AuditLog<'a> {
    vault: &'a mut Vault,
}

impl<'a> AuditLog<'a> {
    pub fn new(vault: &'a mut Vault) -> Self {
        AuditLog { vault }
    }

    fn load_head(&self) -> Result<Option<StoredHead>, AuditLogError> {
        match self.vault.get(HEAD_KIND, head_id()) {
            Ok(r) => Ok(Some(serde_json::from_slice(&r.body).map_err(|_| AuditLogError::Corrupt("audit head"))?)),
            Err(VaultError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Appends an entry and returns it. The device id and role come from the
    /// device profile ("unenrolled" before enrolment). One durable commit for
    /// the entry and the head.
    pub fn append(&mut self, at_ms: i64, mut fact: AuditFact) -> Result<AuditEntry, AuditLogError> {
        let profile = DeviceProfile::load(self.vault).map_err(|_| AuditLogError::Corrupt("device profile"))?;
        let (device_id, role) = match &profile.identity {
            Some(i) => (i.device_id.clone(), Some(i.role)),
            None => ("unenrolled".to_string(), None),
        };
        fact.role = fact.role.or(role);
        let mut head = match self.load_head()? {
            Some(h) => h,
            None => {
                let seed = Zeroizing::new(crate::vault::random_key_bytes());
                StoredHead {
                    last_seq: 0,
                    last_hash: GENESIS_HASH.into(),
                    synced_through: 0,
                    pruned: None,
                    secret_key: hex::encode(*seed),
                }
            }
        };
        let key = head.key()?;
        // The entry follows the head's seq and hash (not a re-read entry), so a
        // deleted last row cannot make the next entry hide the gap.
        let entry = super::AuditEntry::next_after(head.last_seq, &head.last_hash, &device_id, &key, at_ms, fact)?;
        head.last_seq = entry.seq;
        head.last_hash = entry.hash();
        let body = serde_json::to_vec(&entry).expect("an entry serialises");
        let head_body = Zeroizing::new(serde_json::to_vec(&head).expect("the head serialises"));
        self.vault.write(|w| {
            w.insert(&NewRecord {
                id: RecordId::random(),
                kind: ENTRY_KIND,
                schema_version: 1,
                body: &body,
                index: &[IndexTerm::Keyword { field: "audit-seq", value: entry.seq.to_string() }],
            })?;
            w.put(&NewRecord { id: head_id(), kind: HEAD_KIND, schema_version: 1, body: &head_body, index: &[] })
        })?;
        Ok(entry)
    }

    /// The sensitive-view policy and its entry in one call, for every shell:
    /// a full record opens only with a justification, which is kept.
    pub fn record_view(
        &mut self,
        at_ms: i64,
        subject: super::Subject,
        justification: Option<&str>,
        actor: Option<String>,
    ) -> Result<AuditEntry, AuditLogError> {
        super::check_view(super::ViewKind::FullRecord, justification)?;
        let mut fact = AuditFact::new(super::AuditAction::View, subject).justified(justification);
        fact.actor = actor;
        self.append(at_ms, fact)
    }

    fn all_with_ids(&self) -> Result<Vec<(RecordId, AuditEntry)>, AuditLogError> {
        let mut out = Vec::new();
        for id in self.vault.list(ENTRY_KIND)? {
            let r = self.vault.get(ENTRY_KIND, id)?;
            out.push((id, serde_json::from_slice(&r.body).map_err(|_| AuditLogError::Corrupt("audit entry"))?));
        }
        out.sort_by_key(|(_, e): &(RecordId, AuditEntry)| e.seq);
        Ok(out)
    }

    /// Every entry held here, in sequence order.
    pub fn entries(&self) -> Result<Vec<AuditEntry>, AuditLogError> {
        Ok(self.all_with_ids()?.into_iter().map(|(_, e)| e).collect())
    }

    /// Entries after `seq`, for sync.
    pub fn entries_since(&self, seq: u64) -> Result<Vec<AuditEntry>, AuditLogError> {
        Ok(self.entries()?.into_iter().filter(|e| e.seq > seq).collect())
    }

    /// Entries headquarters has not acknowledged yet.
    pub fn unsynced(&self) -> Result<Vec<AuditEntry>, AuditLogError> {
        let since = self.load_head()?.map_or(0, |h| h.synced_through);
        self.entries_since(since)
    }

    /// Headquarters holds every entry up to `seq`.
    pub fn mark_synced(&mut self, seq: u64) -> Result<(), AuditLogError> {
        let Some(mut head) = self.load_head()? else { return Ok(()) };
        head.synced_through = head.synced_through.max(seq.min(head.last_seq));
        self.save_head(&head)
    }

    fn save_head(&mut self, head: &StoredHead) -> Result<(), AuditLogError> {
        let body = Zeroizing::new(serde_json::to_vec(head).expect("the head serialises"));
        self.vault.put(&NewRecord { id: head_id(), kind: HEAD_KIND, schema_version: 1, body: &body, index: &[] })?;
        Ok(())
    }

    pub fn head(&self) -> Result<Option<AuditHead>, AuditLogError> {
        let Some(h) = self.load_head()? else { return Ok(None) };
        Ok(Some(AuditHead {
            last_seq: h.last_seq,
            synced_through: h.synced_through,
            audit_public_key: hex::encode(h.key()?.verifying_key().to_bytes()),
            pruned_through: h.pruned.as_ref().map_or(0, |a| a.seq),
        }))
    }

    /// The audit public key, once the first entry exists.
    pub fn public_key(&self) -> Result<Option<[u8; 32]>, AuditLogError> {
        Ok(match self.load_head()? {
            Some(h) => Some(h.key()?.verifying_key().to_bytes()),
            None => None,
        })
    }

    /// The device identity's statement that this log's key is its audit key.
    pub fn key_cert(&self, identity: &crate::events::DeviceIdentity) -> Result<Option<AuditKeyCert>, AuditLogError> {
        Ok(self.public_key()?.map(|pk| AuditKeyCert::issue(identity, &pk)))
    }

    /// Checks the whole chain held here against the head: a deleted,
    /// altered, reordered or inserted entry, or missing entries at the end.
    /// Returns how many entries were checked.
    pub fn verify(&self) -> Result<usize, AuditLogError> {
        let entries = self.entries()?;
        let Some(head) = self.load_head()? else {
            return if entries.is_empty() { Ok(0) } else { Err(AuditLogError::Corrupt("audit head missing")) };
        };
        let pk = head.key()?.verifying_key().to_bytes();
        verify_chain_from(head.pruned.as_ref(), &entries, &pk)?;
        let last = entries.last().map_or(head.pruned.as_ref().map_or(0, |a| a.seq), |e| e.seq);
        if last < head.last_seq {
            return Err(AuditChainError::Deleted { first: last + 1, last: head.last_seq }.into());
        }
        Ok(entries.len())
    }

    /// Removes entries that headquarters holds and that are older than
    /// `older_than_ms`; the chain then resumes from the last one removed.
    /// Returns how many were removed.
    pub fn prune_synced(&mut self, older_than_ms: i64) -> Result<usize, AuditLogError> {
        self.prune_synced_through(older_than_ms, u64::MAX)
    }

    /// [`Self::prune_synced`], removing no entry after `max_seq` (the last
    /// entry a finished backup of headquarters holds).
    pub fn prune_synced_through(&mut self, older_than_ms: i64, max_seq: u64) -> Result<usize, AuditLogError> {
        let Some(mut head) = self.load_head()? else { return Ok(0) };
        let victims: Vec<(RecordId, AuditEntry)> = self
            .all_with_ids()?
            .into_iter()
            .take_while(|(_, e)| e.seq <= head.synced_through && e.seq <= max_seq && e.at_ms < older_than_ms)
            .collect();
        let Some((_, last)) = victims.last() else { return Ok(0) };
        head.pruned = Some(ChainAnchor { seq: last.seq, hash: last.hash() });
        let body = Zeroizing::new(serde_json::to_vec(&head).expect("the head serialises"));
        self.vault.write(|w| {
            for (id, _) in &victims {
                w.delete(ENTRY_KIND, *id)?;
            }
            w.put(&NewRecord { id: head_id(), kind: HEAD_KIND, schema_version: 1, body: &body, index: &[] })
        })?;
        Ok(victims.len())
    }
}

/// What [`AuditLog::branch_onto`] did: the device's chain now continues
/// headquarters' from `onto_seq`, having left its own at `fork_seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBranch {
    /// The last entry both held (the older copy's, still at headquarters).
    pub fork_seq: u64,
    /// Headquarters' last entry, which the branch entry follows.
    pub onto_seq: u64,
    /// Entries made on the restored vault that headquarters never held,
    /// re-issued after the branch entry (same facts and times, new numbers).
    pub reissued: usize,
}

/// What [`AuditLog::rewind_for_restored_headquarters`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRewind {
    /// Headquarters holds the chain up to here again; what follows goes next.
    pub synced_through: u64,
    /// The chain resumes from this anchor (entries pruned here that the
    /// restored headquarters lost): sent with the next batch.
    pub resume: Option<ChainAnchor>,
    /// Entries neither side holds any more (first, last).
    pub lost: Option<(u64, u64)>,
}

impl AuditLog<'_> {
    /// Headquarters was restored from an older backup and holds this chain
    /// only up to `hq.head` (or not at all), behind what this vault counts
    /// as synced. The synced mark goes back to headquarters' head, so the
    /// entries after it are sent again; when some of them were pruned here,
    /// the chain resumes from the pruned anchor and those are lost for good
    /// (headquarters lists them). `None` when there is nothing to rewind, or
    /// headquarters' head is not an entry of this chain.
    pub fn rewind_for_restored_headquarters(
        &mut self,
        hq: &homeward_domain::sync::protocol::AuditHeadResponse,
    ) -> Result<Option<AuditRewind>, AuditLogError> {
        let Some(mut head) = self.load_head()? else { return Ok(None) };
        let hq_seq = hq.head.as_ref().map_or(0, |h| h.seq);
        if hq_seq >= head.synced_through {
            return Ok(None);
        }
        let pruned = head.pruned.as_ref().map_or(0, |a| a.seq);
        if let Some(h) = &hq.head {
            // An entry pruned here cannot be compared; any other must be the very one.
            let entries = self.all_with_ids()?;
            let comparable = h.seq >= pruned;
            if comparable && Self::hash_at(&head, &entries, h.seq).as_deref() != Some(h.hash.as_str()) {
                return Ok(None);
            }
        }
        let rewind = if pruned > hq_seq {
            AuditRewind { synced_through: pruned, resume: head.pruned.clone(), lost: Some((hq_seq + 1, pruned)) }
        } else {
            AuditRewind { synced_through: hq_seq, resume: None, lost: None }
        };
        head.synced_through = rewind.synced_through;
        self.save_head(&head)?;
        Ok(Some(rewind))
    }

    /// The hash of entry `seq` as held here (0: the genesis; a pruned
    /// anchor counts), if held.
    fn hash_at(head: &StoredHead, entries: &[(RecordId, AuditEntry)], seq: u64) -> Option<String> {
        if seq == 0 {
            return Some(GENESIS_HASH.into());
        }
        if let Some(a) = head.pruned.as_ref().filter(|a| a.seq == seq) {
            return Some(a.hash.clone());
        }
        entries.iter().find(|(_, e)| e.seq == seq).map(|(_, e)| e.hash())
    }

    /// After a restore from an older copy, headquarters holds entries this
    /// vault does not (numbers it will reuse, or hashes that differ). Given
    /// headquarters' head and its hashes from `synced_through` on, finds the
    /// last entry both hold and starts a branch: one [`AuditAction::Restore`]
    /// entry continuing headquarters' chain and naming that fork, then the
    /// entries made here since the fork, re-issued (same actor, action,
    /// subject, justification and time) under the numbers after it. One
    /// transaction. `None` when the chains have not parted, or when they
    /// part before `synced_through` (not a restore: the push is refused).
    pub fn branch_onto(
        &mut self,
        at_ms: i64,
        hq: &homeward_domain::sync::protocol::AuditHeadResponse,
    ) -> Result<Option<AuditBranch>, AuditLogError> {
        let (Some(mut head), Some(hq_head)) = (self.load_head()?, hq.head.as_ref()) else { return Ok(None) };
        if hq_head.seq < head.synced_through {
            return Ok(None);
        }
        let entries = self.all_with_ids()?;
        let parted = hq_head.seq > head.last_seq
            || Self::hash_at(&head, &entries, hq_head.seq).as_deref() != Some(hq_head.hash.as_str());
        if !parted {
            return Ok(None);
        }
        // The last entry both hold: the chains agree up to it, then never again.
        let mut fork = (head.synced_through == 0).then(|| ChainAnchor { seq: 0, hash: GENESIS_HASH.into() });
        for a in hq.held.iter().filter(|a| a.seq >= head.synced_through) {
            let next = fork.as_ref().map_or(head.synced_through, |f| f.seq + 1);
            if a.seq != next || Self::hash_at(&head, &entries, a.seq).as_deref() != Some(a.hash.as_str()) {
                break;
            }
            fork = Some(a.clone());
        }
        let Some(fork) = fork else { return Ok(None) };
        let profile = DeviceProfile::load(self.vault).map_err(|_| AuditLogError::Corrupt("device profile"))?;
        let (device_id, role) = match &profile.identity {
            Some(i) => (i.device_id.clone(), Some(i.role)),
            None => return Ok(None),
        };
        let key = head.key()?;
        let orphans: Vec<&(RecordId, AuditEntry)> = entries.iter().filter(|(_, e)| e.seq > fork.seq).collect();
        // An earlier branch among them is superseded by this one.
        let reissue: Vec<&AuditEntry> =
            orphans.iter().map(|(_, e)| e).filter(|e| e.action != super::AuditAction::Restore).collect();
        let mut fact = AuditFact::new(super::AuditAction::Restore, super::Subject::device());
        fact.role = role;
        fact.justification = Some(format!(
            "restored from an older copy: own chain left at entry {}, headquarters' continued from entry {}; {} entries re-issued",
            fork.seq,
            hq_head.seq,
            reissue.len()
        ));
        let mut made =
            vec![super::AuditEntry::branch(hq_head.seq, &hq_head.hash, fork.clone(), &device_id, &key, at_ms, fact)?];
        for e in &reissue {
            let prev = made.last().expect("the branch entry");
            let fact = AuditFact {
                actor: e.actor.clone(),
                role: e.role,
                action: e.action,
                subject: e.subject.clone(),
                justification: e.justification.clone(),
            };
            made.push(super::AuditEntry::next_after(prev.seq, &prev.hash(), &device_id, &key, e.at_ms, fact)?);
        }
        let last = made.last().expect("the branch entry");
        head.last_seq = last.seq;
        head.last_hash = last.hash();
        // Headquarters holds everything up to the fork, and its own entries
        // after it: what goes next is the branch.
        head.synced_through = fork.seq;
        let head_body = Zeroizing::new(serde_json::to_vec(&head).expect("the head serialises"));
        let bodies: Vec<(u64, Vec<u8>)> =
            made.iter().map(|e| (e.seq, serde_json::to_vec(e).expect("an entry serialises"))).collect();
        self.vault.write(|w| {
            for (id, _) in &orphans {
                w.delete(ENTRY_KIND, *id)?;
            }
            for (seq, body) in &bodies {
                w.insert(&NewRecord {
                    id: RecordId::random(),
                    kind: ENTRY_KIND,
                    schema_version: 1,
                    body,
                    index: &[IndexTerm::Keyword { field: "audit-seq", value: seq.to_string() }],
                })?;
            }
            w.put(&NewRecord { id: head_id(), kind: HEAD_KIND, schema_version: 1, body: &head_body, index: &[] })
        })?;
        Ok(Some(AuditBranch { fork_seq: fork.seq, onto_seq: hq_head.seq, reissued: reissue.len() }))
    }
}

/// Who is acting, for the command layer: appends entries with the actor set.
#[derive(Debug, Clone, Default)]
pub struct AuditRecorder {
    pub actor: Option<String>,
}

impl AuditRecorder {
    pub fn record(&self, vault: &mut Vault, at_ms: i64, mut fact: AuditFact) -> Result<AuditEntry, AuditLogError> {
        fact.actor = fact.actor.or_else(|| self.actor.clone());
        AuditLog::new(vault).append(at_ms, fact)
    }
}
