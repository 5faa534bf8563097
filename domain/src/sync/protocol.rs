//! The sync protocol's messages (docs/PROTOCOL.md), shared by the client in
//! this crate and the headquarters server. JSON, zstd-compressed on the wire.

use serde::{Deserialize, Serialize};

use crate::certificate::trust::{RootKey, Signed};
use crate::certificate::{CertificateEvent, RevocationList, TrustList};
use crate::events::{Event, PublicIdentity, Role};
use crate::screening::ScreeningEvent;

pub const IDENTITY_DOMAIN: &str = "homeward/identity/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeResponse {
    pub server_time_ms: i64,
    /// Which life of headquarters' database answers: a random id made with
    /// the database and made anew by every restore from a backup. A device
    /// that finds it changed knows headquarters went back in time (and may
    /// have lost what it sent since the backup): it sends again everything
    /// it holds (docs/PROTOCOL.md, "Headquarters restored from a backup").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incarnation: Option<String>,
}

/// How far headquarters' backups go, in its own numbering: `started` is
/// the number of the last backup begun, `done` that of the last one
/// finished. A backup numbered n begins after every answer given while
/// `started` was below n, so whatever a device saw acknowledged while
/// `started` was s is in every backup numbered above s: once `done` > s,
/// headquarters keeps it durably (a retention rule, core/src/retention.rs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupMark {
    pub started: u64,
    pub done: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The one-time code headquarters gave the officer.
    pub code: String,
    /// The device's new Ed25519 public key (hex).
    pub public_key: String,
    /// A label for headquarters' device list (model, not a person's name).
    pub label: String,
}

/// What an enrolled device receives: who it is, whom to trust.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    pub office: String,
    pub role: Role,
    pub device_no: u16,
    pub root: RootKey,
    /// Identities signed by the root: headquarters and the devices whose
    /// events this device will see.
    pub identities: Vec<Signed<PublicIdentity>>,
    pub trust_list: Option<Signed<TrustList>>,
    pub revocations: Option<Signed<RevocationList>>,
    pub server_time_ms: i64,
    /// Days without a check-in after which the device locks itself.
    pub check_in_days: u32,
    /// The secret behind headquarters' unlock codes (hex), see `checkin`.
    #[serde(default)]
    pub unlock_secret: Option<String>,
    /// The checklist template in force, and the reference data, signed by the root.
    #[serde(default)]
    pub template: Option<Signed<crate::screening::published::PublishedTemplate>>,
    #[serde(default)]
    pub reference: Option<Signed<crate::screening::published::ReferenceData>>,
    /// The referral directory in force, signed by the root.
    #[serde(default)]
    pub directory: Option<Signed<crate::directory::ReferralDirectory>>,
    /// The crossing points screenings may name, signed by the root.
    #[serde(default)]
    pub crossing_points: Option<Signed<crate::crossing::CrossingPointList>>,
    /// Headquarters' sealing key for store-and-forward bundles, signed by
    /// the root (`sync::forward`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealing_key: Option<Signed<crate::sync::forward::SealingKey>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub events: Vec<Event<CertificateEvent>>,
    /// Finalised screenings (reports without personal data); answered in
    /// `results` after the certificate events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screenings: Vec<Event<ScreeningEvent>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    Accepted,
    /// Already held byte for byte (same author, same signature): a retried
    /// or replayed push; nothing changes. An event that only shares its id
    /// with a held one is `Rejected`, never `Duplicate`.
    Duplicate,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResult {
    pub id: String,
    pub status: PushStatus,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// Orders for the device, applied at its next contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceOrders {
    pub revoked: bool,
    pub wipe: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub events: Vec<Event<CertificateEvent>>,
    /// Pass as `after` for the next page.
    pub next: u64,
    pub more: bool,
    pub identities: Vec<Signed<PublicIdentity>>,
    pub trust_list: Option<Signed<TrustList>>,
    pub revocations: Option<Signed<RevocationList>>,
    pub orders: DeviceOrders,
    pub server_time_ms: i64,
    /// The newest event headquarters holds from this device: a device that
    /// does not hold it was restored from an older copy.
    #[serde(default)]
    pub your_last_event: Option<String>,
    /// Headquarters saw this device at a later sync generation than the one
    /// it just presented: it was restored from an older copy.
    #[serde(default)]
    pub rollback_detected: bool,
    /// The highest sync generation headquarters has seen from this device:
    /// a restored device moves its own past it, so that one restore is
    /// reported once, not at every sync until it catches up.
    #[serde(default)]
    pub held_generation: Option<i64>,
    /// A newer checklist template, or newer reference data, when there is one.
    #[serde(default)]
    pub template: Option<Signed<crate::screening::published::PublishedTemplate>>,
    #[serde(default)]
    pub reference: Option<Signed<crate::screening::published::ReferenceData>>,
    /// A newer referral directory, when there is one (`dir=` held sequence).
    #[serde(default)]
    pub directory: Option<Signed<crate::directory::ReferralDirectory>>,
    /// A newer crossing-point list, when there is one (`cp=` held sequence).
    #[serde(default)]
    pub crossing_points: Option<Signed<crate::crossing::CrossingPointList>>,
    /// Headquarters' sealing key for store-and-forward bundles, signed by
    /// the root (`sync::forward`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealing_key: Option<Signed<crate::sync::forward::SealingKey>>,
    /// Headquarters' database life ([`TimeResponse::incarnation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incarnation: Option<String>,
    /// How far headquarters' backups go ([`BackupMark`]); absent from a
    /// headquarters that does not say (then retention does not wait on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups: Option<BackupMark>,
}

/// The reason `POST /v1/recover` gives for an event whose case the restored
/// headquarters does not hold yet (another device brings its start back):
/// the one refusal a device sends again at its next sync.
pub const RECOVER_CASE_NOT_BACK: &str = "its case is not held here (yet)";

/// What a device tells headquarters about itself (`POST /v1/device/report`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceReport {
    /// The wipe order was received and is being carried out now.
    Wiped,
    /// The device found it was restored from an older copy of its vault.
    RolledBack { missing_event: Option<String> },
}

/// An error body from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

/// A decision by a headquarters operator, sent to `POST
/// /v1/hq/cases/{case}/decisions`. Headquarters turns it into an event
/// signed with its own key, checked by the same fold as every other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    VerifyIdentity {
        note: String,
    },
    MoreInfo {
        question: String,
    },
    Approve {
        validity_days: u32,
    },
    Reject {
        reason: String,
    },
    Revoke {
        reason: String,
    },
    /// Ends a conflict: the branch starting at `keep` (one of the
    /// conflict's branches) is kept, the others are set aside. Headquarters
    /// fills in the fork and where the resolution attaches.
    ResolveConflict {
        keep: String,
        reason: String,
    },
}

impl Decision {
    pub fn into_event(self) -> crate::certificate::CertificateEvent {
        use crate::certificate::CertificateEvent as E;
        match self {
            Decision::VerifyIdentity { note } => E::IdentityVerified { note },
            Decision::MoreInfo { question } => E::MoreInformationRequested { question },
            Decision::Approve { validity_days } => E::Approved { validity_days },
            Decision::Reject { reason } => E::Rejected { reason },
            Decision::Revoke { reason } => E::Revoked { reason },
            Decision::ResolveConflict { keep, reason } => E::ConflictResolved { after: String::new(), keep, reason },
        }
    }
}

/// A device's audit entries, sent to `POST /v1/audit` in order. The first
/// batch carries the certificate by which the device's identity vouches for
/// its audit key; headquarters checks each batch continues the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPush {
    #[serde(default)]
    pub key_cert: Option<crate::audit::AuditKeyCert>,
    pub entries: Vec<crate::audit::AuditEntry>,
}

/// Headquarters holds the device's chain up to and including `through`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPushResponse {
    pub through: u64,
}

/// What headquarters holds of a device's audit chain (`GET
/// /v1/audit/head?from=SEQ`): its last entry, and the hashes of the entries
/// from `from` on (at most [`AUDIT_HEAD_HASHES`]), so that a device restored
/// from an older copy finds the last entry both hold and branches from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHeadResponse {
    /// `None` when headquarters holds no entry from this device yet.
    pub head: Option<crate::audit::ChainAnchor>,
    /// (seq, hash) of the entries from `from` on, in order.
    pub held: Vec<crate::audit::ChainAnchor>,
}

/// The most hashes one [`AuditHeadResponse`] carries.
pub const AUDIT_HEAD_HASHES: usize = 5000;

/// Which of its cases and screenings a device finds headquarters received
/// from it since a time (`GET /v1/device/received?since=MS`, headquarters'
/// clock): ids and times only, never a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedResponse {
    pub items: Vec<ReceivedEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    CertificateCase,
    Screening,
}

/// One event headquarters received from the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedEvent {
    pub kind: ItemKind,
    /// The case id, or the screening record's id.
    pub item_id: String,
    pub event_id: String,
    /// When the device made the event (its clock, unix ms).
    pub made_ms: i64,
    /// When headquarters received it (its clock, unix ms).
    pub received_ms: i64,
}
