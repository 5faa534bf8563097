//! The signed, append-only event log: every change is an immutable event
//! with a UUIDv7 id, a case id, the event it follows (`prev`), its author
//! and role, a hybrid logical clock time, a typed body, and an Ed25519
//! signature by the author's key. A case's state is a fold over its events,
//! by the same code on a device and at headquarters.
//!
//! Events form a chain through `prev`. Two events that follow the same event
//! are a fork: a real conflict (two issuances of one certificate, say) that
//! [`linearize`] reports for a person to resolve, never a silent choice.

pub mod identity;

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::{Signature, Verifier};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use identity::{DeviceIdentity, KeyRing, PublicIdentity, Role};

use crate::random::CryptoRngCore;

/// A hybrid logical clock reading: wall-clock milliseconds, and a counter
/// that orders events within the same millisecond or behind a slow clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub wall_ms: i64,
    pub counter: u32,
}

impl Hlc {
    /// The next reading after `last` given the physical clock `now_ms`:
    /// never goes backwards, even when the device clock does.
    pub fn tick(last: Hlc, now_ms: i64) -> Hlc {
        if now_ms > last.wall_ms {
            Hlc { wall_ms: now_ms, counter: 0 }
        } else {
            Hlc { wall_ms: last.wall_ms, counter: last.counter + 1 }
        }
    }
}

/// A signed event with a typed body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "B: DeserializeOwned"))]
pub struct Event<B> {
    pub id: String,
    pub case_id: String,
    /// The event this one follows; `None` only for the first of a case.
    pub prev: Option<String>,
    pub author: String,
    pub role: Role,
    pub hlc: Hlc,
    pub body: B,
    /// Ed25519 over the canonical bytes of everything above (hex).
    pub signature: String,
}

#[derive(Serialize)]
struct Unsigned<'a, B> {
    domain: &'static str,
    id: &'a str,
    case_id: &'a str,
    prev: &'a Option<String>,
    author: &'a str,
    role: Role,
    hlc: Hlc,
    body: &'a B,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("event signed by an unknown author {0}")]
    UnknownAuthor(String),
    #[error("event claims role {claimed:?} but its author is a {actual:?}")]
    RoleMismatch { claimed: Role, actual: Role },
    #[error("the event's signature does not verify")]
    BadSignature,
    #[error("the event is malformed: {0}")]
    Malformed(String),
    /// Event ids (and certificate case ids) are UUIDs in their canonical
    /// lowercase hyphenated form, so that one id has one spelling.
    #[error("the event's {0} is not a UUID")]
    NotUuid(&'static str),
}

/// Whether `s` is a UUID written the one canonical way (lowercase, hyphenated).
pub fn is_canonical_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

impl<B: Serialize> Event<B> {
    fn signing_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Unsigned {
            domain: "homeward/event/v1",
            id: &self.id,
            case_id: &self.case_id,
            prev: &self.prev,
            author: &self.author,
            role: self.role,
            hlc: self.hlc,
            body: &self.body,
        })
        .expect("an event body serialises")
    }

    /// Creates and signs a new event, its UUIDv7 id at the event's clock
    /// reading with random bits from `rng`.
    pub fn new(
        identity: &DeviceIdentity,
        case_id: &str,
        prev: Option<String>,
        hlc: Hlc,
        body: B,
        rng: &mut impl CryptoRngCore,
    ) -> Event<B> {
        Self::new_with_id(identity, &crate::random::uuid_v7(hlc.wall_ms, rng).to_string(), case_id, prev, hlc, body)
    }

    /// Creates and signs an event with a chosen id (when the id must be known
    /// before the body is complete: the issuing event's id is in the barcode).
    pub fn new_with_id(
        identity: &DeviceIdentity,
        id: &str,
        case_id: &str,
        prev: Option<String>,
        hlc: Hlc,
        body: B,
    ) -> Event<B> {
        let mut e = Event {
            id: id.to_string(),
            case_id: case_id.to_string(),
            prev,
            author: identity.device_id().to_string(),
            role: identity.role(),
            hlc,
            body,
            signature: String::new(),
        };
        let sig = identity.sign(&e.signing_bytes());
        e.signature = hex::encode(sig.to_bytes());
        e
    }

    /// Checks that the event's id is a canonical UUID (and its case id too
    /// when `case_too`): an id is claimed by its first holder, so it must not
    /// be any string a device likes (or 5,000 of its characters).
    pub fn check_ids(&self, case_too: bool) -> Result<(), EventError> {
        if !is_canonical_uuid(&self.id) {
            return Err(EventError::NotUuid("id"));
        }
        if case_too && !is_canonical_uuid(&self.case_id) {
            return Err(EventError::NotUuid("case id"));
        }
        Ok(())
    }

    /// Checks the signature against the author's registered key and role.
    pub fn verify(&self, keys: &KeyRing) -> Result<(), EventError> {
        let author = keys.get(&self.author).ok_or_else(|| EventError::UnknownAuthor(self.author.clone()))?;
        if author.role != self.role {
            return Err(EventError::RoleMismatch { claimed: self.role, actual: author.role });
        }
        let sig_bytes: [u8; 64] =
            hex::decode(&self.signature).ok().and_then(|b| b.try_into().ok()).ok_or(EventError::BadSignature)?;
        author
            .verifying_key()
            .map_err(|_| EventError::Malformed("author key".into()))?
            .verify(&self.signing_bytes(), &Signature::from_bytes(&sig_bytes))
            .map_err(|_| EventError::BadSignature)
    }
}

/// A fork: two or more events follow the same event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fork {
    /// The event they all follow.
    pub after: String,
    /// The first event of each branch.
    pub branches: Vec<String>,
}

/// A case's events in the order they apply, and what could not be ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear<'a, B> {
    pub events: Vec<&'a Event<B>>,
    /// An unresolved fork, where the order stops.
    pub fork: Option<Fork>,
    /// Events whose `prev` is not (yet) known: waiting for sync.
    pub waiting: Vec<&'a Event<B>>,
}

/// Orders a case's events along their `prev` chain. At a fork, `resolved`
/// says which branch to follow: it maps the fork's `after` event to the kept
/// branch's first event (decided by a resolution event). Without one, the
/// order stops at the fork and the fork is reported. Duplicate ids (the same
/// event received twice) count once.
pub fn linearize<'a, B>(events: &'a [Event<B>], resolved: &BTreeMap<String, String>) -> Linear<'a, B> {
    let mut by_id: BTreeMap<&str, &Event<B>> = BTreeMap::new();
    for e in events {
        by_id.entry(&e.id).or_insert(e);
    }
    let mut children: BTreeMap<Option<&str>, Vec<&Event<B>>> = BTreeMap::new();
    for e in by_id.values() {
        children.entry(e.prev.as_deref()).or_default().push(e);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::new();
    let mut fork = None;
    let mut cursor: Option<&str> = None;
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    while let Some(next) = children.get(&cursor) {
        let chosen = if next.len() == 1 {
            next[0]
        } else {
            let after = cursor.unwrap_or("").to_string();
            match resolved.get(&after).and_then(|keep| next.iter().find(|e| &e.id == keep)) {
                Some(e) => e,
                None => {
                    fork = Some(Fork { after, branches: next.iter().map(|e| e.id.clone()).collect() });
                    break;
                }
            }
        };
        if !seen.insert(&chosen.id) {
            break; // a malformed cycle: stop rather than loop
        }
        out.push(chosen);
        cursor = Some(&chosen.id);
    }
    let placed: BTreeSet<&str> = out.iter().map(|e| e.id.as_str()).collect();
    let waiting = by_id
        .values()
        .filter(|e| e.prev.as_deref().is_some_and(|p| !by_id.contains_key(p)) && !placed.contains(e.id.as_str()))
        .copied()
        .collect();
    Linear { events: out, fork, waiting }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(l: &Linear<'_, String>) -> Vec<String> {
        l.events.iter().map(|e| e.body.clone()).collect()
    }

    #[test]
    fn signed_events_verify_and_alterations_fail() {
        let rng = &mut crate::random::test_rng();
        let hq = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", rng);
        let mut ring = KeyRing::default();
        ring.add(hq.public());
        let e = Event::new(&hq, "case-1", None, Hlc { wall_ms: 1, counter: 0 }, "approve".to_string(), rng);
        assert!(e.verify(&ring).is_ok());
        let mut altered = e.clone();
        altered.body = "reject".into();
        assert_eq!(altered.verify(&ring), Err(EventError::BadSignature));
        let mut moved = e.clone();
        moved.case_id = "case-2".into();
        assert_eq!(moved.verify(&ring), Err(EventError::BadSignature));
        let mut role = e.clone();
        role.role = Role::ConsularOfficer;
        assert!(matches!(role.verify(&ring), Err(EventError::RoleMismatch { .. })));
        let stranger = DeviceIdentity::generate("hq-1", Role::Headquarters, "HQ", rng);
        let forged = Event::new(&stranger, "case-1", None, Hlc { wall_ms: 1, counter: 0 }, "approve".to_string(), rng);
        assert_eq!(forged.verify(&ring), Err(EventError::BadSignature));
        assert!(matches!(e.verify(&KeyRing::default()), Err(EventError::UnknownAuthor(_))));
    }

    #[test]
    fn a_chain_orders_and_a_fork_stops_until_resolved() {
        let rng = &mut crate::random::test_rng();
        let d = DeviceIdentity::generate("d1", Role::ConsularOfficer, "IST", rng);
        let t = |n| Hlc { wall_ms: n, counter: 0 };
        let a = Event::new(&d, "c", None, t(1), "a".to_string(), rng);
        let b = Event::new(&d, "c", Some(a.id.clone()), t(2), "b".to_string(), rng);
        let c1 = Event::new(&d, "c", Some(b.id.clone()), t(3), "c1".to_string(), rng);
        let c2 = Event::new(&d, "c", Some(b.id.clone()), t(4), "c2".to_string(), rng);
        let orphan = Event::new(&d, "c", Some("unknown".into()), t(5), "x".to_string(), rng);
        // Received out of order and twice.
        let all = vec![c2.clone(), b.clone(), a.clone(), c1.clone(), b.clone(), orphan];
        let l = linearize(&all, &BTreeMap::new());
        assert_eq!(ids(&l), ["a", "b"]);
        assert_eq!(l.fork.as_ref().unwrap().branches, vec![c1.id.clone(), c2.id.clone()]);
        assert_eq!(l.waiting.len(), 1);
        let mut resolved = BTreeMap::new();
        resolved.insert(b.id.clone(), c2.id.clone());
        let l = linearize(&all, &resolved);
        assert_eq!(ids(&l), ["a", "b", "c2"]);
        assert!(l.fork.is_none());
    }

    #[test]
    fn ids_must_be_canonical_uuids() {
        let rng = &mut crate::random::test_rng();
        let d = DeviceIdentity::generate("d1", Role::ConsularOfficer, "IST", rng);
        let id = crate::random::uuid_v7(1, rng).to_string();
        let case = crate::random::uuid_v4(rng).to_string();
        let e = |id: &str, case: &str| Event::new_with_id(&d, id, case, None, Hlc { wall_ms: 1, counter: 0 }, 0u8);
        assert_eq!(e(&id, &case).check_ids(true), Ok(()));
        assert_eq!(e(&id, "case-1").check_ids(false), Ok(()));
        assert_eq!(e(&id, "case-1").check_ids(true), Err(EventError::NotUuid("case id")));
        for bad in [id.to_uppercase(), id.replace('-', ""), format!("{{{id}}}"), "x".repeat(5000), String::new()] {
            assert_eq!(e(&bad, &case).check_ids(true), Err(EventError::NotUuid("id")), "{bad:.40}");
        }
    }

    #[test]
    fn the_clock_never_goes_backwards() {
        let a = Hlc::tick(Hlc { wall_ms: 100, counter: 0 }, 50);
        assert_eq!(a, Hlc { wall_ms: 100, counter: 1 });
        assert!(Hlc::tick(a, 101) > a);
    }
}
