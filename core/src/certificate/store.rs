//! Certificate cases kept in the vault as signed events, and this device's
//! profile (its signing identity, the identities it trusts, its trust store,
//! its clock and issuance sequence).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::barcode::{self, CertificatePayload, ChildOnCertificate};
use super::lifecycle::{check, fold, CaseView, CertificateEvent, IssuedCertificate, RequestState, TransitionError};
use super::request::{fee_for, CertificateRequest};
use super::trust::TrustStore;
use super::verify::Verified;
use crate::date::IsoDate;
use crate::events::identity::StoredIdentity;
use crate::events::{DeviceIdentity, Event, Hlc, KeyRing};
use crate::random::OsRng;
use crate::vault::{IndexTerm, Lookup, NewRecord, RecordId, Vault, VaultError};

pub(crate) const EVENT_KIND: &str = "event.certificate";
const PROFILE_KIND: &str = "device.profile";

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("no case with that id")]
    NotFound,
    #[error("this device has no identity yet: enrol it (or `homeward device init` for training)")]
    NoIdentity,
    #[error("the case is {0:?}: nothing to issue")]
    NotApproved(Option<RequestState>),
    #[error(
        "this device has not reached headquarters for {days} days (the limit is {limit}): it is locked until it syncs or an unlock code from headquarters is entered"
    )]
    CheckInOverdue { days: i64, limit: u32 },
    #[error("that unlock code is wrong, already used, or not for this device{}", wait_note(*retry_after_secs))]
    BadUnlockCode { retry_after_secs: u64 },
    #[error("too many wrong unlock codes: wait {retry_after_secs} s before the next one")]
    UnlockCodeTooSoon { retry_after_secs: u64 },
    #[error("the certificate does not fit a QR code: {0}")]
    Barcode(#[from] barcode::QrError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

fn wait_note(secs: u64) -> String {
    if secs == 0 {
        String::new()
    } else {
        format!("; the next code can be tried in {secs} s")
    }
}

fn ceil_secs(ms: i64) -> u64 {
    (ms.max(0) as u64).div_ceil(1000)
}

/// A record id derived from a name, for singletons (the device profile).
fn fixed_id(name: &str) -> RecordId {
    let h = Sha256::digest(format!("homeward/singleton/{name}").as_bytes());
    RecordId(uuid::Uuid::from_slice(&h[..16]).expect("16 bytes"))
}

/// This device's profile, kept sealed in the vault.
#[derive(Serialize, Deserialize, Default)]
pub struct DeviceProfile {
    pub identity: Option<StoredIdentity>,
    /// A number headquarters gives the device within its office, used in
    /// certificate numbers so that they are unique without a network.
    pub device_no: u16,
    pub keyring: KeyRing,
    pub trust: TrustStore,
    pub last_hlc: Option<Hlc>,
    pub certificate_sequence: u64,
    /// Training only: a local stand-in for headquarters' key, so that a
    /// request can be approved without the server. Never set on a field device.
    #[serde(default)]
    pub training_headquarters: Option<StoredIdentity>,
    /// Fee schedule: the standard fee in minor units and its currency.
    #[serde(default)]
    pub standard_fee_minor: u64,
    #[serde(default)]
    pub fee_currency: String,
    /// Default certificate validity in days (30 unless headquarters says otherwise).
    #[serde(default = "default_validity")]
    pub validity_days: u32,
    /// Headquarters' address, set at enrolment.
    #[serde(default)]
    pub server_url: Option<String>,
    /// Headquarters' TLS authority (PEM), pinned at enrolment: the only
    /// certificate this device trusts for headquarters.
    #[serde(default)]
    pub server_ca_pem: Option<String>,
    /// Without a pin, whether the operator chose the public certificate
    /// authorities for https (`None`: enrolled before this was recorded,
    /// when that was the default).
    #[serde(default)]
    pub public_pki: Option<bool>,
    /// Where the next pull starts.
    #[serde(default)]
    pub pull_cursor: u64,
    /// Raised (and saved) at the start of every sync; headquarters remembers
    /// the highest it saw, so a vault restored from an older copy shows.
    #[serde(default)]
    pub sync_generation: u64,
    /// The newest event of this device headquarters acknowledged (it may
    /// since have been purged here, after the retention period).
    #[serde(default)]
    pub last_acknowledged_event: Option<String>,
    /// Checklist templates published by headquarters and installed here.
    #[serde(default)]
    pub templates: crate::screening::published::TemplateShelf,
    /// The sequence of the reference data last applied.
    #[serde(default)]
    pub reference_sequence: u64,
    /// The referral directory headquarters published, as installed (signed:
    /// checked again on every use would add nothing, it is sealed here).
    #[serde(default)]
    pub directory: Option<crate::certificate::trust::Signed<homeward_domain::directory::ReferralDirectory>>,
    /// The crossing points headquarters published, as installed; none
    /// before the first sync (the compiled-in sample stands in, see
    /// `crate::crossing_points`).
    #[serde(default)]
    pub crossing_points: Option<crate::certificate::trust::Signed<homeward_domain::crossing::CrossingPointList>>,
    /// Headquarters' sealing key for store-and-forward bundles, signed by the
    /// root (checked when installed).
    #[serde(default)]
    pub sealing_key: Option<crate::certificate::trust::Signed<homeward_domain::sync::forward::SealingKey>>,
    /// Headquarters' time from which to ask for newly enrolled devices' identities.
    #[serde(default)]
    pub identities_since_ms: Option<i64>,
    /// Days without a check-in after which the device locks (0: never).
    #[serde(default)]
    pub check_in_days: u32,
    #[serde(default)]
    pub last_check_in_ms: Option<i64>,
    /// Shared with headquarters at enrolment, for unlock codes (hex).
    #[serde(default)]
    pub unlock_secret: Option<String>,
    /// The counter of the last unlock code used.
    #[serde(default)]
    pub unlock_counter: u64,
    /// Until when an unlock code lifted the check-in lock.
    #[serde(default)]
    pub unlocked_until_ms: Option<i64>,
    /// Wrong unlock codes in a row, and when the last one was typed: they
    /// make the next try wait (`checkin::retry_in_ms`).
    #[serde(default)]
    pub unlock_code_failures: u32,
    #[serde(default)]
    pub unlock_code_failed_at_ms: Option<i64>,
    /// The incarnation of headquarters' database this device last synced
    /// with: a new one means headquarters was restored from a backup, and
    /// this device sends again everything it holds (`sync::client`).
    #[serde(default)]
    pub hq_incarnation: Option<String>,
    /// How far headquarters' backups went at the last pull (retention waits
    /// for a finished backup to hold what it purges).
    #[serde(default)]
    pub hq_backups: Option<homeward_domain::sync::protocol::BackupMark>,
}

fn default_validity() -> u32 {
    30
}

impl DeviceProfile {
    pub fn load(vault: &Vault) -> Result<DeviceProfile, CaseError> {
        match vault.get(PROFILE_KIND, fixed_id(PROFILE_KIND)) {
            Ok(r) => serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string())),
            Err(VaultError::NotFound(_)) => Ok(DeviceProfile { validity_days: 30, ..Default::default() }),
            Err(e) => Err(e.into()),
        }
    }

    pub fn save(&self, vault: &mut Vault) -> Result<(), CaseError> {
        let body = zeroize::Zeroizing::new(serde_json::to_vec(self).expect("the profile serialises"));
        vault.put(&NewRecord {
            id: fixed_id(PROFILE_KIND),
            kind: PROFILE_KIND,
            schema_version: 1,
            body: &body,
            index: &[],
        })?;
        Ok(())
    }

    pub fn identity(&self) -> Result<DeviceIdentity, CaseError> {
        self.identity.as_ref().and_then(DeviceIdentity::from_stored).ok_or(CaseError::NoIdentity)
    }

    pub fn training_headquarters(&self) -> Option<DeviceIdentity> {
        self.training_headquarters.as_ref().and_then(DeviceIdentity::from_stored)
    }

    /// Whether the device has gone too long without reaching headquarters:
    /// then it locks itself until it syncs (a lost device stops working on
    /// its own). Never for a device that is not enrolled, or with no limit.
    pub fn check_in(&self, now_ms: i64) -> Result<(), CaseError> {
        if self.unlocked_until_ms.is_some_and(|until| now_ms < until) {
            return Ok(());
        }
        match (self.check_in_days, self.last_check_in_ms) {
            (0, _) | (_, None) => Ok(()),
            (limit, Some(last)) => {
                let days = (now_ms - last).max(0) / 86_400_000;
                if days >= limit as i64 {
                    Err(CaseError::CheckInOverdue { days, limit })
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Lifts the check-in lock for [`crate::checkin::GRACE_DAYS`] with an
    /// unlock code from headquarters; each code works once. A wrong code
    /// is counted here (save the profile whatever the answer, before showing
    /// it); after [`crate::checkin::FREE_TRIES`] wrong ones in a row each
    /// try waits longer ([`CaseError::UnlockCodeTooSoon`]).
    pub fn enter_unlock_code(&mut self, code: &str, now_ms: i64) -> Result<(), CaseError> {
        let wait = crate::checkin::retry_in_ms(self.unlock_code_failures, self.unlock_code_failed_at_ms, now_ms);
        if wait > 0 {
            return Err(CaseError::UnlockCodeTooSoon { retry_after_secs: ceil_secs(wait) });
        }
        match self.match_unlock_code(code) {
            Some(n) => {
                self.unlock_counter = n;
                self.unlocked_until_ms = Some(now_ms + crate::checkin::GRACE_DAYS * 86_400_000);
                self.unlock_code_failures = 0;
                self.unlock_code_failed_at_ms = None;
                Ok(())
            }
            None => {
                self.unlock_code_failures = self.unlock_code_failures.saturating_add(1);
                self.unlock_code_failed_at_ms = Some(now_ms);
                let next = crate::checkin::wait_after_failures_ms(self.unlock_code_failures);
                Err(CaseError::BadUnlockCode { retry_after_secs: ceil_secs(next) })
            }
        }
    }

    /// Seconds before another unlock code may be tried (0: now).
    pub fn unlock_code_retry_after_secs(&self, now_ms: i64) -> u64 {
        ceil_secs(crate::checkin::retry_in_ms(self.unlock_code_failures, self.unlock_code_failed_at_ms, now_ms))
    }

    fn match_unlock_code(&self, code: &str) -> Option<u64> {
        let (Some(secret), Some(id)) = (self.unlock_secret.as_deref(), self.identity.as_ref()) else {
            return None;
        };
        let secret = zeroize::Zeroizing::new(hex::decode(secret).ok()?);
        crate::checkin::match_code(&secret, &id.device_id, self.unlock_counter, code)
    }

    /// Loads the profile, tries `code` and saves the profile whatever the
    /// answer, so a wrong code counts even if the app is killed right after.
    pub fn enter_unlock_code_in(vault: &mut Vault, code: &str, now_ms: i64) -> Result<(), CaseError> {
        let mut profile = DeviceProfile::load(vault)?;
        let before = (profile.unlock_code_failures, profile.unlock_code_failed_at_ms);
        let result = profile.enter_unlock_code(code, now_ms);
        if result.is_ok() || before != (profile.unlock_code_failures, profile.unlock_code_failed_at_ms) {
            profile.save(vault)?;
        }
        result
    }

    /// The next clock reading for an event written now.
    pub fn tick(&mut self, now_ms: i64) -> Hlc {
        let h = Hlc::tick(self.last_hlc.unwrap_or(Hlc { wall_ms: 0, counter: 0 }), now_ms);
        self.last_hlc = Some(h);
        h
    }
}

/// Where an event stands with headquarters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Made here, not yet accepted by headquarters.
    Pending,
    Accepted,
    /// Refused by headquarters: kept here, with the reason, for the officer.
    Rejected {
        reason: String,
    },
    /// Received from headquarters.
    Received,
}

/// An event as kept in the vault, with its sync state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event: Event<CertificateEvent>,
    pub sync: SyncState,
}

/// The index terms of a stored event: its case, id, stream, entry, and
/// outbox state.
fn stored_index(stored: &StoredEvent) -> Vec<IndexTerm> {
    let e = &stored.event;
    let mut index = vec![
        IndexTerm::Keyword { field: "case", value: e.case_id.clone() },
        IndexTerm::Keyword { field: "event", value: e.id.clone() },
        IndexTerm::Keyword { field: "stream", value: "certificate".into() },
    ];
    if let CertificateEvent::Entered { .. } = &e.body {
        index.push(IndexTerm::Keyword { field: "entered-case", value: e.case_id.clone() });
    }
    match &stored.sync {
        SyncState::Pending => index.push(IndexTerm::Keyword { field: "outbox", value: "pending".into() }),
        SyncState::Rejected { .. } => index.push(IndexTerm::Keyword { field: "outbox", value: "rejected".into() }),
        SyncState::Accepted | SyncState::Received => {}
    }
    index
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    pub case_id: String,
    pub state: Option<RequestState>,
    pub office: Option<String>,
    pub certificate_number: Option<String>,
    pub trafficking: bool,
    pub conflict: bool,
}

/// Certificate cases in a vault, seen through a key ring.
pub struct CertificateCases<'a> {
    vault: &'a mut Vault,
}

impl<'a> CertificateCases<'a> {
    pub fn new(vault: &'a mut Vault) -> Self {
        CertificateCases { vault }
    }

    pub fn profile(&self) -> Result<DeviceProfile, CaseError> {
        DeviceProfile::load(self.vault)
    }

    /// Every event of a case held here.
    pub fn events(&self, case_id: &str) -> Result<Vec<Event<CertificateEvent>>, CaseError> {
        Ok(self
            .stored_by(Lookup::Keyword { field: "case", value: case_id })?
            .into_iter()
            .map(|(_, s)| s.event)
            .collect())
    }

    /// Stored events found by an index lookup, with their record ids.
    fn stored_by(&self, lookup: Lookup<'_>) -> Result<Vec<(RecordId, StoredEvent)>, CaseError> {
        let mut out = Vec::new();
        for id in self.vault.find(lookup)? {
            match self.vault.get(EVENT_KIND, id) {
                Ok(r) => {
                    out.push((id, serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?))
                }
                Err(VaultError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// Events made here and not yet accepted by headquarters, oldest first.
    pub fn outbox(&self) -> Result<Vec<Event<CertificateEvent>>, CaseError> {
        let mut events: Vec<_> = self
            .stored_by(Lookup::Keyword { field: "outbox", value: "pending" })?
            .into_iter()
            .map(|(_, s)| s.event)
            .collect();
        events.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.id.cmp(&b.id)));
        Ok(events)
    }

    /// Every event headquarters held (accepted from here or received from
    /// there), in causal order (HLC, then id): what a device sends again
    /// when headquarters was restored from an older backup.
    pub fn held_by_headquarters(&self) -> Result<Vec<Event<CertificateEvent>>, CaseError> {
        let mut out = Vec::new();
        for id in self.vault.list(EVENT_KIND)? {
            let r = self.vault.get(EVENT_KIND, id)?;
            let s: StoredEvent = serde_json::from_slice(&r.body).map_err(|e| CaseError::Corrupt(e.to_string()))?;
            if matches!(s.sync, SyncState::Accepted | SyncState::Received) {
                out.push(s.event);
            }
        }
        out.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Events headquarters refused, with the reason.
    pub fn rejected(&self) -> Result<Vec<(Event<CertificateEvent>, String)>, CaseError> {
        Ok(self
            .stored_by(Lookup::Keyword { field: "outbox", value: "rejected" })?
            .into_iter()
            .filter_map(|(_, s)| match s.sync {
                SyncState::Rejected { reason } => Some((s.event, reason)),
                _ => None,
            })
            .collect())
    }

    fn write_stored(&mut self, rid: RecordId, stored: &StoredEvent) -> Result<(), CaseError> {
        self.write_many(&[(rid, stored.clone())])
    }

    /// Writes stored events in one vault transaction (one durable commit).
    fn write_many(&mut self, items: &[(RecordId, StoredEvent)]) -> Result<(), CaseError> {
        let prepared: Vec<(RecordId, Vec<u8>, Vec<IndexTerm>)> = items
            .iter()
            .map(|(rid, s)| (*rid, serde_json::to_vec(s).expect("an event serialises"), stored_index(s)))
            .collect();
        self.vault.write(|w| {
            for (rid, body, index) in &prepared {
                w.put(&NewRecord { id: *rid, kind: EVENT_KIND, schema_version: 1, body, index })?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Records headquarters' answers for many events at once.
    pub fn mark_many(&mut self, answers: &[(String, SyncState)]) -> Result<(), CaseError> {
        let mut items = Vec::new();
        for (event_id, state) in answers {
            for (rid, mut stored) in self.stored_by(Lookup::Keyword { field: "event", value: event_id })? {
                stored.sync = state.clone();
                items.push((rid, stored));
            }
        }
        self.write_many(&items)
    }

    /// Stores a page of events received from headquarters: each signature is
    /// checked, events already held are skipped, the rest are written in one
    /// transaction. Returns how many were new; events whose author this device
    /// cannot check are left out and counted in the second number.
    pub fn import_many(&mut self, events: &[Event<CertificateEvent>]) -> Result<(usize, usize), CaseError> {
        let keys = self.profile()?.keyring;
        let mut items = Vec::new();
        let mut unverifiable = 0;
        for e in events {
            if e.verify(&keys).is_err() {
                unverifiable += 1;
                continue;
            }
            if self.has_event(&e.id)? || items.iter().any(|(_, s): &(RecordId, StoredEvent)| s.event.id == e.id) {
                continue;
            }
            items.push((RecordId::random(), StoredEvent { event: e.clone(), sync: SyncState::Received }));
        }
        let n = items.len();
        self.write_many(&items)?;
        Ok((n, unverifiable))
    }

    /// The case as folded from its events, leaving out this device's events
    /// that headquarters refused: they stay on the device, marked, for the
    /// officer to see ([`Self::rejected`]), but are not part of the case, so
    /// every replica folds the same events.
    pub fn view(&self, case_id: &str) -> Result<CaseView, CaseError> {
        let keys = self.profile()?.keyring;
        let events: Vec<_> = self
            .stored_by(Lookup::Keyword { field: "case", value: case_id })?
            .into_iter()
            .filter(|(_, s)| !matches!(s.sync, SyncState::Rejected { .. }))
            .map(|(_, s)| s.event)
            .collect();
        if events.is_empty() {
            return Err(CaseError::NotFound);
        }
        Ok(fold(case_id, &events, &keys))
    }

    pub fn has_event(&self, event_id: &str) -> Result<bool, CaseError> {
        Ok(!self.vault.find(Lookup::Keyword { field: "event", value: event_id })?.is_empty())
    }

    fn save_event(&mut self, e: &Event<CertificateEvent>, sync: SyncState) -> Result<(), CaseError> {
        if self.has_event(&e.id)? {
            return Ok(()); // the same event again: idempotent
        }
        self.write_stored(RecordId::random(), &StoredEvent { event: e.clone(), sync })
    }

    /// Stores an event made elsewhere (received from headquarters or another
    /// device). Its signature must verify; it may fork the case, which the
    /// fold then shows as a conflict.
    /// Returns whether the event was new here.
    pub fn import(&mut self, e: &Event<CertificateEvent>) -> Result<bool, CaseError> {
        let keys = self.profile()?.keyring;
        e.verify(&keys).map_err(TransitionError::from)?;
        if self.has_event(&e.id)? {
            return Ok(false);
        }
        self.save_event(e, SyncState::Received)?;
        Ok(true)
    }

    /// Writes a new event by `identity` on the case, after the same check
    /// headquarters will make: signature, role, transition.
    pub fn record(
        &mut self,
        identity: &DeviceIdentity,
        case_id: &str,
        body: CertificateEvent,
        now_ms: i64,
    ) -> Result<CaseView, CaseError> {
        self.record_with_id(identity, case_id, None, body, now_ms)
    }

    fn record_with_id(
        &mut self,
        identity: &DeviceIdentity,
        case_id: &str,
        id: Option<String>,
        body: CertificateEvent,
        now_ms: i64,
    ) -> Result<CaseView, CaseError> {
        let mut profile = self.profile()?;
        profile.check_in(now_ms)?;
        let events = self.events(case_id)?;
        let view = fold(case_id, &events, &profile.keyring);
        let hlc = profile.tick(now_ms);
        let e = match id {
            Some(id) => Event::new_with_id(identity, &id, case_id, view.head.clone(), hlc, body),
            None => Event::new(identity, case_id, view.head.clone(), hlc, body, &mut OsRng),
        };
        check(&view, &e, &profile.keyring)?;
        profile.save(self.vault)?;
        self.save_event(&e, SyncState::Pending)?;
        let mut all = events;
        all.push(e);
        Ok(fold(case_id, &all, &profile.keyring))
    }

    /// Takes a new request (a draft until submitted).
    pub fn create(
        &mut self,
        identity: &DeviceIdentity,
        request: CertificateRequest,
        now_ms: i64,
    ) -> Result<CaseView, CaseError> {
        let case_id = uuid::Uuid::new_v4().to_string();
        self.record(identity, &case_id, CertificateEvent::Created { request: Box::new(request) }, now_ms)
    }

    /// Issues an approved request: a certificate number unique without a
    /// network (office, year, device number, sequence), the validity, the
    /// fee decision, and the signed barcode, all in one event.
    pub fn issue(
        &mut self,
        identity: &DeviceIdentity,
        case_id: &str,
        validity_days: Option<u32>,
        today: IsoDate,
        now_ms: i64,
    ) -> Result<CaseView, CaseError> {
        let view = self.view(case_id)?;
        if view.state != Some(RequestState::Approved) {
            return Err(CaseError::NotApproved(view.state));
        }
        let request = view.request.clone().ok_or(CaseError::NotFound)?;
        let mut profile = self.profile()?;
        // The approved validity, else this device's default.
        let approved_days = self
            .events(case_id)?
            .iter()
            .filter_map(|e| match e.body {
                CertificateEvent::Approved { validity_days } => Some(validity_days),
                _ => None,
            })
            .next_back();
        let days = validity_days.or(approved_days).unwrap_or(profile.validity_days).max(1);
        profile.certificate_sequence += 1;
        let number = format!(
            "{}-{:02}{:02}-{:05}",
            identity.office(),
            today.0.year() % 100,
            profile.device_no,
            profile.certificate_sequence
        );
        // Saved first: a sequence number is never reused, even if the
        // issuance below fails.
        profile.save(self.vault)?;
        let expiry =
            IsoDate(today.0.checked_add(time::Duration::days(days as i64)).ok_or(CaseError::Corrupt("date".into()))?);
        let event_id = uuid::Uuid::now_v7().to_string();
        let a = &request.applicant;
        let payload = CertificatePayload {
            number: number.clone(),
            surname: a.surname.clone(),
            given_name: a.given_name.clone(),
            patronymic: a.patronymic.clone(),
            date_of_birth: a.date_of_birth,
            sex: a.sex,
            issuing_office: identity.office().to_string(),
            issue_date: today,
            expiry_date: expiry,
            photo_hash: a.photo_sha256.as_ref().and_then(|h| h.get(..32)).map(str::to_string),
            case_id: case_id.to_string(),
            issued_event: event_id.clone(),
            children: request
                .children
                .iter()
                .map(|c| ChildOnCertificate {
                    surname: c.surname.clone(),
                    given_name: c.given_name.clone(),
                    date_of_birth: c.date_of_birth,
                })
                .collect(),
        };
        let text = barcode::encode(&payload, identity);
        barcode::qr_matrix(&text)?;
        let fee = fee_for(&request, profile.standard_fee_minor, &profile.fee_currency);
        let certificate = IssuedCertificate {
            number,
            issue_date: today,
            expiry_date: expiry,
            barcode: text,
            signer_kid: hex::encode(barcode::key_id(&identity.public_key())),
            fee_waived: fee.waived,
            fee_reason: fee.reason,
        };
        self.record_with_id(
            identity,
            case_id,
            Some(event_id),
            CertificateEvent::Issued { certificate: Box::new(certificate) },
            now_ms,
        )
    }

    /// Records the holder's entry, by a border device, after verification.
    /// The device may hold nothing else of the case: the event follows the
    /// issuing event named in the barcode.
    pub fn enter(
        &mut self,
        identity: &DeviceIdentity,
        verified: &Verified,
        crossing_point: &str,
        today: IsoDate,
        now_ms: i64,
    ) -> Result<Event<CertificateEvent>, CaseError> {
        let mut profile = self.profile()?;
        profile.check_in(now_ms)?;
        let p = &verified.payload;
        let hlc = profile.tick(now_ms);
        let e = Event::new(
            identity,
            &p.case_id,
            Some(p.issued_event.clone()),
            hlc,
            CertificateEvent::Entered { crossing_point: crossing_point.to_string(), date: today },
            &mut OsRng,
        );
        if !e.body.allowed_roles().contains(&identity.role()) {
            return Err(TransitionError::WrongRole { event: e.body.name(), role: identity.role() }.into());
        }
        profile.save(self.vault)?;
        self.save_event(&e, SyncState::Pending)?;
        Ok(e)
    }

    /// An entry already recorded here for this case: (crossing, date).
    pub fn entry_of(&self, case_id: &str) -> Result<Option<(String, IsoDate)>, CaseError> {
        for (_, s) in self.stored_by(Lookup::Keyword { field: "entered-case", value: case_id })? {
            if let CertificateEvent::Entered { crossing_point, date } = s.event.body {
                return Ok(Some((crossing_point, date)));
            }
        }
        Ok(None)
    }

    /// Every case held here.
    pub fn list(&self) -> Result<Vec<CaseSummary>, CaseError> {
        let keys = self.profile()?.keyring;
        let mut by_case: std::collections::BTreeMap<String, Vec<Event<CertificateEvent>>> = Default::default();
        for (_, s) in self.stored_by(Lookup::Keyword { field: "stream", value: "certificate" })? {
            by_case.entry(s.event.case_id.clone()).or_default().push(s.event);
        }
        Ok(by_case
            .iter()
            .map(|(case_id, events)| {
                let v = fold(case_id, events, &keys);
                CaseSummary {
                    case_id: case_id.clone(),
                    state: v.state,
                    office: v.request.as_ref().map(|r| r.issuing_office.clone()),
                    certificate_number: v.certificate.as_ref().map(|c| c.number.clone()),
                    trafficking: v.request.as_ref().is_some_and(|r| r.trafficking.is_some()),
                    conflict: v.conflict.is_some(),
                }
            })
            .collect())
    }
}
