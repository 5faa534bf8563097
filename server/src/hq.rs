//! Headquarters' logic over its storage: the headquarters key, enrolment,
//! the trust and revocation lists, checking pushed events with the core's
//! own fold, and headquarters' decisions.

use std::path::{Path, PathBuf};

use homeward_domain::certificate::lifecycle::resolution_prev;
use homeward_domain::certificate::trust::{
    barcode_digest, sign_list, RootKey, Signed, SignerEntry, REVOCATION_LIST, TRUST_LIST,
};
use homeward_domain::certificate::{admit, fold, AdmitError, CaseView, CertificateEvent, RevocationList, TrustList};
use homeward_domain::date::IsoDate;
use homeward_domain::events::identity::StoredIdentity;
use homeward_domain::events::{DeviceIdentity, Event, Hlc, KeyRing, PublicIdentity, Role};
use homeward_domain::screening::ScreeningEvent;
use homeward_domain::sync::forward::{
    sign_receipt, ForwardAnswer, ForwardBundle, ForwardReceipt, SealingKey, SealingSecret,
};
use homeward_domain::sync::protocol::*;
use rand_core::OsRng;
use sha2::{Digest, Sha256};

use crate::db::{Db, DeviceRow, Enrolment};

#[derive(Debug, thiserror::Error)]
pub enum HqError {
    #[error("storage: {0}")]
    Db(#[from] crate::db::DbError),
    #[error("{0}")]
    Invalid(String),
    #[error("the enrolment code is unknown, used or expired")]
    BadCode,
    #[error("this key is already enrolled: make a new key (the code was not used)")]
    KeyTaken,
    #[error("no such case")]
    NoCase,
    #[error("{0}")]
    Refused(String),
    #[error("this device was revoked")]
    Revoked,
    /// A decision made against a case as it stood when the reviewer read
    /// it, refused because the case moved on since (on any server).
    #[error("the case moved on since it was read: look at it again")]
    MovedOn,
    /// A template whose texts are not all reviewed, published without the
    /// explicit override.
    #[error("{count} texts are not reviewed ({}): publish with an explicit override and a reason, which is kept in the audit trail", per_language.iter().map(|(l, n)| format!("{l} {n}")).collect::<Vec<_>>().join(", "))]
    Unreviewed { count: usize, per_language: Vec<(String, usize)> },
}

/// The explicit decision to publish a checklist whose texts are not all
/// reviewed: who decided and why, recorded in headquarters' audit trail.
#[derive(Debug, Clone, Copy)]
pub struct AllowUnreviewed<'a> {
    pub actor: &'a str,
    pub reason: &'a str,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The trust list and revocation list as last published.
pub type PublishedLists = (Option<Signed<TrustList>>, Option<Signed<RevocationList>>);

/// Something headquarters' staff should notice about a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceAlert {
    /// Its vault was restored from an older copy (it said so, or its
    /// generation or audit branch showed it).
    Restored,
    WipeConfirmed,
    WipeOrdered,
    /// No contact for longer than the check-in period (it has locked itself).
    CheckInOverdue,
    Revoked,
}

impl DeviceAlert {
    /// The words of the admin CLI's text view.
    pub fn text(self) -> &'static str {
        match self {
            DeviceAlert::Restored => "RESTORED FROM AN OLD COPY",
            DeviceAlert::WipeConfirmed => "WIPE CONFIRMED",
            DeviceAlert::WipeOrdered => "WIPE ORDERED",
            DeviceAlert::CheckInOverdue => "CHECK-IN OVERDUE",
            DeviceAlert::Revoked => "REVOKED",
        }
    }

    /// The console's message id.
    pub fn message_id(self) -> &'static str {
        match self {
            DeviceAlert::Restored => "alert-restored",
            DeviceAlert::WipeConfirmed => "alert-wipe-confirmed",
            DeviceAlert::WipeOrdered => "alert-wipe-ordered",
            DeviceAlert::CheckInOverdue => "alert-overdue",
            DeviceAlert::Revoked => "alert-revoked",
        }
    }
}

pub struct Hq {
    pub db: Db,
    pub identity: DeviceIdentity,
    pub check_in_days: u32,
    /// The checklist screening reports are checked against.
    pub checklist: homeward_domain::screening::Checklist,
    /// The X25519 secret forwarded bundles are sealed to, derived from the
    /// root key (so every instance with `hq-identity.json` has it).
    pub sealing: SealingSecret,
    ring_cache: std::sync::Mutex<Option<(String, KeyRing)>>,
}

/// How many times a read-modify-write of a shared value is tried against
/// other writers before giving up with a retryable error.
const CAS_ATTEMPTS: usize = 50;

fn load_or_create_identity(path: &Path) -> std::io::Result<DeviceIdentity> {
    if let Ok(s) = std::fs::read_to_string(path) {
        let stored: StoredIdentity =
            serde_json::from_str(&s).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        return DeviceIdentity::from_stored(&stored)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad headquarters key"));
    }
    let id = DeviceIdentity::generate("hq", Role::Headquarters, "HQ", &mut OsRng);
    let body = zeroize::Zeroizing::new(serde_json::to_string(&id.to_stored()).expect("serialises"));
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp)?;
        f.write_all(body.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(id)
}

fn code_hash(code: &str) -> String {
    let normalised: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

impl Hq {
    /// Headquarters with its embedded SQLite database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Hq, HqError> {
        Hq::open_with(data_dir, None)
    }

    /// Headquarters keeping its key in `data_dir` and its records in
    /// PostgreSQL when `database_url` is given, else in SQLite in `data_dir`.
    /// The data key comes from what the operator configured
    /// ([`crate::at_rest::configured`]: a passphrase, a key file, or the key
    /// file beside `data_dir`).
    pub fn open_with(data_dir: &Path, database_url: Option<&str>) -> Result<Hq, HqError> {
        Hq::open_sealed(data_dir, database_url, &*crate::at_rest::configured(data_dir, None))
    }

    /// Headquarters with its personal fields sealed under a data key that
    /// `wrapping` opens (a key file, a passphrase or a key service).
    pub fn open_sealed(
        data_dir: &Path,
        database_url: Option<&str>,
        wrapping: &dyn crate::at_rest::KeyWrapping,
    ) -> Result<Hq, HqError> {
        crate::private_files::private_dir(data_dir).map_err(crate::db::DbError::from)?;
        let db = match database_url {
            Some(url) => Db::open_postgres(url, 8)?,
            None => Db::open(data_dir)?,
        };
        let key_path: PathBuf = data_dir.join("hq-identity.json");
        let identity = load_or_create_identity(&key_path).map_err(|e| HqError::Invalid(e.to_string()))?;
        let sealing = SealingSecret::derive(&identity);
        let hq = Hq {
            db,
            sealing,
            identity,
            check_in_days: 14,
            checklist: homeward_domain::screening::default_checklist(),
            ring_cache: Default::default(),
        };
        // Every server on one database must sign with one key: a second
        // data directory with a key of its own would publish lists and
        // decisions no device trusts. The first server to open records it.
        let key = hex::encode(hq.identity.public_key());
        if !hq.db.kv_compare_and_set("hq_public_key", None, &key)?
            && hq.db.get_kv("hq_public_key")?.as_deref() != Some(key.as_str())
        {
            return Err(HqError::Invalid(format!(
                "{} holds another headquarters key than the one this database was made with: copy hq-identity.json from the first server's data directory",
                key_path.display()
            )));
        }
        hq.db.use_data_key(wrapping)?;
        if hq.db.get_kv("trust_list")?.is_none() {
            hq.publish_lists()?;
        }
        // This database's life: a restore from a backup gives it a new one.
        hq.incarnation()?;
        // Files an older version left readable to others (the WAL included).
        crate::private_files::tighten(data_dir).map_err(crate::db::DbError::from)?;
        Ok(hq)
    }

    pub fn root(&self) -> RootKey {
        RootKey::of(&self.identity)
    }

    /// A new one-time enrolment code for an office and role, valid `ttl_minutes`.
    pub fn enrollment_code(&self, office: &str, role: Role, ttl_minutes: i64) -> Result<String, HqError> {
        let office = office.trim().to_uppercase();
        if office.is_empty() || office.len() > 12 || !office.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(HqError::Invalid("the office code must be 1-12 letters, digits or dashes".into()));
        }
        // Role::Headquarters enrols an operator's console: it reads every
        // office and asks headquarters to decide; it never signs case events.
        // 12 characters from an alphabet without look-alikes, shown in groups of 4.
        const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        let bytes = homeward_domain::random::bytes::<32>(&mut OsRng);
        let raw: String = bytes[..12].iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
        self.db.add_code(&code_hash(&raw), &office, role, now_ms() + ttl_minutes * 60_000)?;
        Ok(format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..]))
    }

    fn sign_identity(&self, p: PublicIdentity) -> Signed<PublicIdentity> {
        sign_list(IDENTITY_DOMAIN, &p, &self.identity)
    }

    /// The identities a newly enrolled device starts with: headquarters'
    /// own. The signers of what it later pulls travel with each page
    /// ([`Hq::identities_for_page`]), so no phone learns every other post.
    pub fn identities_for_enrolment(&self) -> Vec<Signed<PublicIdentity>> {
        vec![self.sign_identity(self.identity.public())]
    }

    /// The identities a pull page must carry for its events to be checked:
    /// the signers of those events (colleagues, and the border posts that
    /// recorded entries on the office's cases), and headquarters' own on a
    /// first pull (`first`). Nothing about devices whose events the page
    /// does not hold: at 10,000 devices the list of every post was most of
    /// a first pull and told each phone where every other one served.
    pub fn identities_for_page<'a>(
        &self,
        first: bool,
        authors: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Signed<PublicIdentity>>, HqError> {
        let mut out = Vec::new();
        if first {
            out.push(self.sign_identity(self.identity.public()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for author in authors {
            if author == self.identity.device_id() || !seen.insert(author) {
                continue;
            }
            // Operators' consoles are not signers (see `build_key_ring`).
            if let Some(d) = self.db.device(author)?.filter(|d| d.role != Role::Headquarters) {
                out.push(self.sign_identity(PublicIdentity {
                    device_id: d.id,
                    role: d.role,
                    office: d.office,
                    public_key: d.public_key,
                }));
            }
        }
        Ok(out)
    }

    /// Every key headquarters' events may be signed with: headquarters' and
    /// each device's, revoked ones included: a revoked device's events were
    /// all stored before its revocation (appends read the device's row
    /// under a shared lock, see `Db::insert_events`), so they stay valid, and every replica, which
    /// keeps the same identities, folds its cases alike. New events from a
    /// revoked device are refused before they reach the fold. Cached until
    /// the lists are next published (every enrolment and revocation does
    /// that, from any process sharing the database). The cache is never
    /// stale: an enrolment commits its device before it publishes, and the
    /// device learns its id only after that, so any event it signs reaches
    /// a server after `list_sequence` moved; the version is read before the
    /// devices, so a ring is never older than its version. Revocation is
    /// not in the ring at all: it is read from the device's row on every
    /// request, and again, under a shared row lock, by every append (`Db::insert_events`).
    pub fn key_ring(&self) -> Result<KeyRing, HqError> {
        let version = self.db.get_kv("list_sequence")?.unwrap_or_default();
        let mut cache = self.ring_cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((v, ring)) = cache.as_ref() {
            if *v == version {
                return Ok(ring.clone());
            }
        }
        let ring = self.build_key_ring()?;
        *cache = Some((version, ring.clone()));
        Ok(ring)
    }

    fn build_key_ring(&self) -> Result<KeyRing, HqError> {
        let mut ring = KeyRing::default();
        ring.add(self.identity.public());
        for d in self.db.devices()? {
            // Operators' consoles are not signers: only headquarters' key decides.
            if d.role != Role::Headquarters {
                ring.add(PublicIdentity { device_id: d.id, role: d.role, office: d.office, public_key: d.public_key });
            }
        }
        Ok(ring)
    }

    /// Re-signs the trust list (every active consulate device is a
    /// document signer) and the revocation list, with new sequence numbers.
    pub fn publish_lists(&self) -> Result<(), HqError> {
        // Two enrolments publishing at once (in this process or in another
        // server on the database) must not both sign one sequence number,
        // the later missing the other's device: the lists are stored only
        // if the sequence read is still the current one, else built again.
        for _ in 0..CAS_ATTEMPTS {
            let previous = self.db.get_kv("list_sequence")?;
            let (seq, trust, rev) = self.build_lists(previous.as_deref())?;
            if self.db.publish_lists(previous.as_deref(), &seq.to_string(), &trust, &rev)? {
                return Ok(());
            }
        }
        Err(HqError::Refused("the lists are being published by another server; try again".into()))
    }

    /// The lists as they stand, signed under the sequence after `previous`.
    fn build_lists(&self, previous: Option<&str>) -> Result<(u64, String, String), HqError> {
        let seq: u64 = previous.and_then(|v| v.parse().ok()).unwrap_or(0) + 1;
        let devices = self.db.devices()?;
        let today = IsoDate::from_unix_ms(now_ms());
        let mut signers = Vec::new();
        let mut revoked_signers = Vec::new();
        let (mut kept, mut kept_signers) = (Vec::new(), Vec::new());
        let revoked_numbers: Vec<String> =
            self.db.get_kv("revoked_certificates")?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
        for d in devices.iter().filter(|d| d.role == Role::ConsularOfficer) {
            let pk: [u8; 32] = hex::decode(&d.public_key).ok().and_then(|b| b.try_into().ok()).unwrap_or([0; 32]);
            let kid = hex::encode(homeward_domain::certificate::barcode::key_id(&pk));
            let enrolled = time::OffsetDateTime::from_unix_timestamp(d.enrolled_ms / 1000)
                .map(|t| IsoDate(t.date()))
                .unwrap_or(today);
            let until = IsoDate(enrolled.0.checked_add(time::Duration::days(730)).unwrap_or(enrolled.0));
            let entry = SignerEntry {
                kid: kid.clone(),
                public_key: d.public_key.clone(),
                office: d.office.clone(),
                device_id: d.id.clone(),
                not_before: enrolled,
                not_after: until,
            };
            if d.revoked {
                // What it issued and headquarters accepted before the
                // revocation (all it holds from it) stays valid at the border.
                let before: Vec<String> = self
                    .db
                    .events_by(&d.id)?
                    .into_iter()
                    .filter_map(|e| match e.body {
                        CertificateEvent::Issued { certificate } if !revoked_numbers.contains(&certificate.number) => {
                            Some(barcode_digest(&certificate.barcode))
                        }
                        _ => None,
                    })
                    .collect();
                if !before.is_empty() {
                    kept.extend(before);
                    kept_signers.push(entry);
                }
                revoked_signers.push(kid);
                continue;
            }
            signers.push(entry);
        }
        let trust =
            sign_list(TRUST_LIST, &TrustList { sequence: seq, issued_at_ms: now_ms(), signers }, &self.identity);
        let rev = sign_list(
            REVOCATION_LIST,
            &RevocationList {
                sequence: seq,
                issued_at_ms: now_ms(),
                certificates: revoked_numbers,
                signers: revoked_signers,
                kept,
                kept_signers,
            },
            &self.identity,
        );
        Ok((seq, serde_json::to_string(&trust).expect("serialises"), serde_json::to_string(&rev).expect("serialises")))
    }

    pub fn lists(&self) -> Result<PublishedLists, HqError> {
        let t = self.db.get_kv("trust_list")?.and_then(|v| serde_json::from_str(&v).ok());
        let r = self.db.get_kv("revocations")?.and_then(|v| serde_json::from_str(&v).ok());
        Ok((t, r))
    }

    /// Enrols a device with a one-time code.
    pub fn enroll(&self, req: &EnrollRequest) -> Result<EnrollResponse, HqError> {
        let pk = enrolment_public_key(&req.public_key)?;
        let label: String = printable(&req.label).chars().take(64).collect();
        let key_hash = hex::encode(Sha256::digest(pk));
        let now = now_ms();
        let make = |office: &str, role: Role, device_no: u16| DeviceRow {
            id: format!("{}-{:02}-{}", office.to_lowercase(), device_no, &key_hash[..8]),
            office: office.to_string(),
            role,
            device_no,
            public_key: req.public_key.clone(),
            label: label.clone(),
            enrolled_ms: now,
            revoked: false,
            wipe: false,
            last_seen_ms: None,
        };
        let unlock_secret = hex::encode(homeward_domain::random::bytes::<32>(&mut OsRng));
        let device = match self.db.enroll_device(&code_hash(&req.code), &req.public_key, now, &make, &unlock_secret)? {
            Enrolment::Enrolled(d) => d,
            Enrolment::BadCode => return Err(HqError::BadCode),
            Enrolment::KeyTaken => return Err(HqError::KeyTaken),
        };
        let (id, office, role, device_no) = (device.id, device.office, device.role, device.device_no);
        self.publish_lists()?;
        let (trust_list, revocations) = self.lists()?;
        Ok(EnrollResponse {
            device_id: id,
            office: office.clone(),
            role,
            device_no,
            root: self.root(),
            identities: self.identities_for_enrolment(),
            trust_list,
            revocations,
            server_time_ms: now_ms(),
            check_in_days: self.check_in_days,
            unlock_secret: Some(unlock_secret),
            template: self.published_template()?,
            reference: self.reference()?,
            directory: self.directory()?,
            crossing_points: Some(self.crossing_points()?),
            sealing_key: Some(self.sealing_key()),
        })
    }

    /// A one-time code that lifts a device's check-in lock for a few days,
    /// for an officer who cannot reach headquarters (given by phone).
    pub fn unlock_code(&self, device_id: &str) -> Result<String, HqError> {
        let (secret, counter) =
            self.db.next_unlock(device_id)?.ok_or_else(|| HqError::Invalid(format!("no device {device_id}")))?;
        let secret = hex::decode(secret).map_err(|_| HqError::Invalid("bad unlock secret".into()))?;
        Ok(homeward_domain::checkin::unlock_code(&secret, device_id, counter))
    }

    /// Revokes a device (and orders a wipe): its key leaves the trust list and
    /// joins the revocation list. What headquarters accepted from it before
    /// stays valid (see [`Hq::key_ring`]); nothing from it is accepted after.
    pub fn revoke(&self, device_id: &str, wipe: bool) -> Result<(), HqError> {
        if !self.db.set_revoked(device_id, wipe)? {
            return Err(HqError::Invalid(format!("no device {device_id}")));
        }
        self.publish_lists()
    }

    /// Checks and stores a pushed batch from `device`. Each event: its
    /// author is the signer of the request, its signature and role verify, it
    /// is a valid transition of its case (the core's own fold, including
    /// earlier events of the same batch), and it is in the device's scope.
    /// The accepted events are stored in one transaction.
    pub fn accept_batch(
        &self,
        device: &DeviceRow,
        events: &[Event<CertificateEvent>],
    ) -> Result<Vec<PushResult>, HqError> {
        let keys = self.key_ring()?;
        let mut results = Vec::with_capacity(events.len());
        let mut accepted: Vec<(Event<CertificateEvent>, String)> = Vec::new();
        // Events of this batch already accepted, by case: later ones build on them.
        let mut overlay: std::collections::HashMap<String, Vec<Event<CertificateEvent>>> = Default::default();
        let mut office_of_new: std::collections::HashMap<String, String> = Default::default();
        let mut revoked_views = Vec::new();
        for e in events {
            let result = |status, reason: Option<String>| PushResult { id: e.id.clone(), status, reason };
            if device.role == Role::Headquarters {
                results.push(result(
                    PushStatus::Rejected,
                    Some("an operator's console decides through /v1/hq, not by pushing events".into()),
                ));
                continue;
            }
            if e.author != device.id {
                results.push(result(
                    PushStatus::Rejected,
                    Some("the event's author is not the device that sent it".into()),
                ));
                continue;
            }
            if let Err(err) = e.check_ids(true) {
                results.push(result(PushStatus::Rejected, Some(err.to_string())));
                continue;
            }
            let held = match accepted.iter().find(|(a, _)| a.id == e.id) {
                Some((a, _)) => Some(serde_json::to_string(a).expect("an event serialises")),
                None => self.db.event_body(&e.id)?,
            };
            if let Some(held) = held {
                results.push(same_event(&held, e));
                continue;
            }
            let office = match &e.body {
                CertificateEvent::Created { request } => Some(request.issuing_office.clone()),
                _ => match office_of_new.get(&e.case_id) {
                    Some(o) => Some(o.clone()),
                    None => self.db.case_office(&e.case_id)?,
                },
            };
            // Refusals about another office's case say no more than "not
            // yours": not whether it exists, nor its state.
            let not_ours = "no such case in this device's office";
            let Some(office) = office else {
                results.push(result(PushStatus::Rejected, Some(not_ours.into())));
                continue;
            };
            let in_scope = match device.role {
                Role::Headquarters => true,
                Role::BorderGuard => matches!(e.body, CertificateEvent::Entered { .. }),
                Role::ConsularOfficer => office == device.office,
            };
            if !in_scope {
                results.push(result(PushStatus::Rejected, Some(not_ours.into())));
                continue;
            }
            let mut case_events = self.db.case_events(&e.case_id)?;
            case_events.extend(overlay.get(&e.case_id).cloned().unwrap_or_default());
            // Signature, role, transition, and where it attaches (the domain's rule).
            // A refusal on another office's case names nothing about that case.
            if let Err(err) = admit(&e.case_id, &case_events, e, &keys) {
                // Where it attaches names no state; the transition's message would.
                let tells_nothing = office == device.office || matches!(err, AdmitError::Detached);
                let reason = if tells_nothing { err.to_string() } else { "the case does not take this event".into() };
                results.push(result(PushStatus::Rejected, Some(reason)));
                continue;
            }
            if let CertificateEvent::Revoked { .. } = e.body {
                revoked_views.push(fold(&e.case_id, &case_events, &keys));
            }
            overlay.entry(e.case_id.clone()).or_default().push(e.clone());
            office_of_new.insert(e.case_id.clone(), office.clone());
            accepted.push((e.clone(), office));
            results.push(result(PushStatus::Accepted, None));
        }
        if !self.db.insert_events(&accepted, now_ms())? {
            return Err(HqError::Revoked);
        }
        for view in revoked_views {
            self.note_revocation(&view)?;
        }
        Ok(results)
    }

    /// Checks and stores pushed screening reports: each signed by the device
    /// that sent it, from a post that screens, and consistent with the
    /// checklist it names (the core's own check).
    pub fn accept_screenings(
        &self,
        device: &DeviceRow,
        events: &[Event<ScreeningEvent>],
    ) -> Result<Vec<PushResult>, HqError> {
        let keys = self.key_ring()?;
        let mut results = Vec::with_capacity(events.len());
        let mut accepted: Vec<(Event<ScreeningEvent>, String)> = Vec::new();
        for e in events {
            let result = |status, reason: Option<String>| PushResult { id: e.id.clone(), status, reason };
            if e.author != device.id {
                results.push(result(
                    PushStatus::Rejected,
                    Some("the event's author is not the device that sent it".into()),
                ));
                continue;
            }
            if let Err(err) = e.check_ids(false) {
                results.push(result(PushStatus::Rejected, Some(err.to_string())));
                continue;
            }
            let held = match accepted.iter().find(|(a, _)| a.id == e.id) {
                Some((a, _)) => Some(serde_json::to_string(a).expect("an event serialises")),
                None => self.db.screening_event_body(&e.id)?,
            };
            if let Some(held) = held {
                results.push(same_event(&held, e));
                continue;
            }
            let r = e.body.report();
            let Some(checklist) = self.checklist_for(&r.template_id, r.template_version)? else {
                results.push(result(
                    PushStatus::Rejected,
                    Some(format!("unknown checklist {} v{}", r.template_id, r.template_version)),
                ));
                continue;
            };
            if let Err(reason) = homeward_domain::screening::check_event(e, &keys, &checklist) {
                results.push(result(PushStatus::Rejected, Some(reason)));
                continue;
            }
            accepted.push((e.clone(), device.office.clone()));
            results.push(result(PushStatus::Accepted, None));
        }
        if !self.db.insert_screenings(&accepted, now_ms())? {
            return Err(HqError::Revoked);
        }
        Ok(results)
    }

    /// The sealing key devices seal forwarded bundles to, signed by the root.
    pub fn sealing_key(&self) -> Signed<SealingKey> {
        self.sealing.publish(&self.identity)
    }

    /// A bundle `carrier` forwarded on another device's behalf: opened and
    /// taken exactly as if its sender had pushed it (the same checks, the
    /// sender's scope), answered once under the bundle's idempotency key in
    /// the sender's name: the same bundle again, by any carrier, gets the
    /// same receipt and stores nothing.
    pub fn accept_forwarded(&self, carrier: &DeviceRow, bundle: &ForwardBundle) -> Result<ForwardAnswer, HqError> {
        let refuse = |code: &str, message: String| ForwardAnswer {
            bundle_id: bundle.bundle_id.clone(),
            receipt: None,
            refused: Some(code.to_string()),
            message: Some(message),
        };
        // An unknown sender and a key that is not the sender's are one answer.
        let Some(sender) = self.db.device(&bundle.sender_device)? else {
            let e = homeward_domain::sync::forward::BundleError::UnknownSender;
            return Ok(refuse(e.code(), e.to_string()));
        };
        if sender.office != carrier.office {
            let e = homeward_domain::sync::forward::BundleError::OtherOffice {
                bundle: sender.office.clone(),
                device: carrier.office.clone(),
            };
            return Ok(refuse(e.code(), e.to_string()));
        }
        if sender.revoked {
            return Ok(refuse("revoked", "the device that made this bundle was revoked".into()));
        }
        let payload = match bundle.open(&self.root(), &self.sealing, &sender.public_key) {
            Ok(p) => p,
            Err(e) => return Ok(refuse(e.code(), e.to_string())),
        };
        let push_json = zeroize::Zeroizing::new(serde_json::to_vec(&payload.push).expect("serialises"));
        let digest = hex::encode(Sha256::digest(push_json.as_slice()));
        let key = &bundle.bundle_id;
        let saved = match self.db.idempotent_response(&sender.id, key)? {
            Some((saved, Some(d))) if d == digest => Some(saved),
            Some((_, Some(_))) => {
                return Ok(refuse("altered", "another bundle was already answered under this id".into()));
            }
            _ => None,
        };
        let json = match saved {
            Some(j) => j,
            None => {
                let mut results = match self.accept_batch(&sender, &payload.push.events) {
                    Err(HqError::Revoked) => {
                        return Ok(refuse("revoked", "the device that made this bundle was revoked".into()))
                    }
                    r => r?,
                };
                results.extend(match self.accept_screenings(&sender, &payload.push.screenings) {
                    Err(HqError::Revoked) => {
                        return Ok(refuse("revoked", "the device that made this bundle was revoked".into()))
                    }
                    r => r?,
                });
                let json = serde_json::to_vec(&PushResponse { results }).expect("serialises");
                match self.db.save_idempotent_response(&sender.id, key, &digest, &json)? {
                    Some(kept) => kept,
                    None => return Ok(refuse("altered", "another bundle was already answered under this id".into())),
                }
            }
        };
        let resp: PushResponse =
            serde_json::from_slice(&json).map_err(|e| HqError::Invalid(format!("a saved answer: {e}")))?;
        let receipt = ForwardReceipt {
            bundle_id: bundle.bundle_id.clone(),
            sender_device: sender.id.clone(),
            results: resp.results,
        };
        Ok(ForwardAnswer {
            bundle_id: bundle.bundle_id.clone(),
            receipt: Some(sign_receipt(&receipt, &self.identity)),
            refused: None,
            message: None,
        })
    }

    /// Receipts for the bundles `device` made that headquarters answered
    /// (through whichever carrier); unknown ids are left out.
    pub fn receipts_for(&self, device: &DeviceRow, ids: &[String]) -> Result<Vec<Signed<ForwardReceipt>>, HqError> {
        let mut out = Vec::new();
        for id in ids.iter().filter(|i| i.starts_with("fwd-")).take(1000) {
            if let Some((json, _)) = self.db.idempotent_response(&device.id, id)? {
                if let Ok(resp) = serde_json::from_slice::<PushResponse>(&json) {
                    let r = ForwardReceipt {
                        bundle_id: id.clone(),
                        sender_device: device.id.clone(),
                        results: resp.results,
                    };
                    out.push(sign_receipt(&r, &self.identity));
                }
            }
        }
        Ok(out)
    }

    /// Records one of headquarters' own actions on its audit chain (signed by
    /// headquarters' key, hash-chained like a device's; `homeward-hq audit
    /// --device hq`). `actor` is the operator or admin account.
    pub fn audit(
        &self,
        action: homeward_domain::audit::AuditAction,
        subject: homeward_domain::audit::Subject,
        actor: &str,
    ) -> Result<(), HqError> {
        self.audit_justified(action, subject, actor, None)
    }

    /// The same, with the reason given for opening a full record.
    pub fn audit_justified(
        &self,
        action: homeward_domain::audit::AuditAction,
        subject: homeward_domain::audit::Subject,
        actor: &str,
        justification: Option<&str>,
    ) -> Result<(), HqError> {
        use homeward_domain::audit::{AuditEntry, AuditFact};
        let key = hex::encode(self.identity.public_key());
        for _ in 0..20 {
            let make = |seq: u64, hash: &str| {
                let mut fact = AuditFact::new(action, subject.clone()).justified(justification);
                fact.actor = Some(actor.to_string());
                fact.role = Some(Role::Headquarters);
                AuditEntry::next_by_identity(seq, hash, &self.identity, now_ms(), fact).ok()
            };
            if self.db.append_own_audit(self.identity.device_id(), &key, &make, now_ms())?.is_some() {
                return Ok(());
            }
        }
        Err(HqError::Refused("the audit trail is busy; try again".into()))
    }

    /// Publishes a new version of a checklist template to every device: it
    /// must validate with the core's rules and be newer than the one in
    /// force. A template with texts not reviewed in some language is refused
    /// (`HqError::Unreviewed`) unless `allow_unreviewed` says who decided to
    /// publish it anyway and why; that decision goes in the audit trail.
    pub fn publish_template(&self, json: &str, allow_unreviewed: Option<AllowUnreviewed<'_>>) -> Result<u32, HqError> {
        use homeward_domain::screening::published::{checklist_of, PublishedTemplate, TEMPLATE_DOMAIN};
        let c = checklist_of(json).map_err(|e| HqError::Invalid(e.to_string()))?;
        let t = c.template();
        let current = self.current_checklist()?;
        if current.template().id == t.id && current.template().version >= t.version {
            return Err(HqError::Invalid(format!(
                "version {} is not newer than the version in force ({})",
                t.version,
                current.template().version
            )));
        }
        let unreviewed = homeward_domain::screening::unreviewed(t);
        let count: usize = unreviewed.values().map(Vec::len).sum();
        if count > 0 {
            let Some(allow) = allow_unreviewed else {
                return Err(HqError::Unreviewed {
                    count,
                    per_language: unreviewed.iter().map(|(l, ids)| (l.code().to_string(), ids.len())).collect(),
                });
            };
            if allow.reason.trim().is_empty() {
                return Err(HqError::Invalid("publishing unreviewed texts needs a reason".into()));
            }
            // Recorded before publishing: an override is never unaccounted for.
            self.audit_justified(
                homeward_domain::audit::AuditAction::Setting,
                homeward_domain::audit::Subject::device(),
                allow.actor,
                Some(&format!(
                    "published checklist {} v{} with {count} unreviewed texts: {}",
                    t.id,
                    t.version,
                    allow.reason.trim()
                )),
            )?;
        }
        let signed = sign_list(
            TEMPLATE_DOMAIN,
            &PublishedTemplate { template_json: json.to_string(), published_ms: now_ms() },
            &self.identity,
        );
        self.db.set_kv(&format!("template:{}@{}", t.id, t.version), json)?;
        self.db.set_kv("template_current", &serde_json::to_string(&signed).expect("serialises"))?;
        Ok(t.version)
    }

    /// The template in force and its signed form (none: the compiled-in default).
    pub fn published_template(
        &self,
    ) -> Result<Option<Signed<homeward_domain::screening::published::PublishedTemplate>>, HqError> {
        Ok(self.db.get_kv("template_current")?.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// The checklist in force: the one published last, unless this build's
    /// compiled-in default is a newer version of it (as the devices choose).
    pub fn current_checklist(&self) -> Result<homeward_domain::screening::Checklist, HqError> {
        let default = homeward_domain::screening::default_checklist();
        Ok(match self.published_template()? {
            Some(t) => {
                let published = homeward_domain::screening::published::checklist_of(&t.body.template_json)
                    .map_err(|e| HqError::Invalid(e.to_string()))?;
                let older = published.template().id == default.template().id
                    && published.template().version < default.template().version;
                if older {
                    default
                } else {
                    published
                }
            }
            None => default,
        })
    }

    /// The checklist a screening report names, if headquarters knows it: one
    /// it published under that id and version, else a compiled-in one (drafts
    /// started on version 1 are still finalised on it).
    pub fn checklist_for(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<homeward_domain::screening::Checklist>, HqError> {
        let published = self
            .db
            .get_kv(&format!("template:{id}@{version}"))?
            .and_then(|j| homeward_domain::screening::published::checklist_of(&j).ok());
        Ok(published.or_else(|| homeward_domain::screening::built_in_checklist(id, version)))
    }

    /// Publishes reference data (fees, validity) with a new sequence number.
    pub fn publish_reference(
        &self,
        standard_fee_minor: u64,
        fee_currency: &str,
        validity_days: u32,
    ) -> Result<u64, HqError> {
        use homeward_domain::screening::published::{ReferenceData, REFERENCE_DOMAIN};
        if fee_currency.len() != 3 || !fee_currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(HqError::Invalid("the currency is a three-letter ISO 4217 code, e.g. KGS".into()));
        }
        if !(1..=365).contains(&validity_days) {
            return Err(HqError::Invalid("validity is 1 to 365 days".into()));
        }
        // Two servers publishing at once must not both sign one sequence.
        for _ in 0..CAS_ATTEMPTS {
            let held = self.db.get_kv("reference")?;
            let current: Option<Signed<ReferenceData>> = held.as_deref().and_then(|v| serde_json::from_str(v).ok());
            let sequence = current.map(|r| r.body.sequence).unwrap_or(0) + 1;
            let data = ReferenceData { sequence, standard_fee_minor, fee_currency: fee_currency.into(), validity_days };
            let signed = sign_list(REFERENCE_DOMAIN, &data, &self.identity);
            let json = serde_json::to_string(&signed).expect("serialises");
            if self.db.kv_compare_and_set("reference", held.as_deref(), &json)? {
                return Ok(sequence);
            }
        }
        Err(HqError::Refused("reference data is being published by another server; try again".into()))
    }

    pub fn reference(&self) -> Result<Option<Signed<homeward_domain::screening::published::ReferenceData>>, HqError> {
        Ok(self.db.get_kv("reference")?.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Publishes the referral directory (the partners and their package
    /// keys), checked by the core's own rules, signed by headquarters' root
    /// with the next sequence number; devices install it at their next sync.
    pub fn publish_directory(
        &self,
        partners: Vec<homeward_domain::directory::Partner>,
        now_ms: i64,
    ) -> Result<u64, HqError> {
        use homeward_domain::directory::{validate, ReferralDirectory, DIRECTORY_DOMAIN};
        let sequence = self.directory()?.map(|d| d.body.sequence).unwrap_or(0) + 1;
        let data = ReferralDirectory { sequence, published_ms: now_ms, partners };
        validate(&data).map_err(|e| HqError::Invalid(e.to_string()))?;
        let signed = sign_list(DIRECTORY_DOMAIN, &data, &self.identity);
        self.db.set_kv("directory", &serde_json::to_string(&signed).expect("serialises"))?;
        Ok(sequence)
    }

    /// The referral directory last published, if any.
    pub fn directory(&self) -> Result<Option<Signed<homeward_domain::directory::ReferralDirectory>>, HqError> {
        Ok(self.db.get_kv("directory")?.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Publishes the crossing points screenings may name (checked by the
    /// core's rules), signed by headquarters' root with the next sequence
    /// number; devices install it at their next sync and refuse to start a
    /// screening at a code it does not list.
    pub fn publish_crossing_points(
        &self,
        points: Vec<homeward_domain::crossing::CrossingPoint>,
        now_ms: i64,
    ) -> Result<u64, HqError> {
        use homeward_domain::crossing::{validate, CrossingPointList, CROSSING_DOMAIN};
        // Two servers publishing at once must not both sign one sequence.
        for _ in 0..CAS_ATTEMPTS {
            let held = self.db.get_kv("crossing_points")?;
            let current: Option<Signed<CrossingPointList>> = held.as_deref().and_then(|v| serde_json::from_str(v).ok());
            // After the seeded sample (sequence 1) when nothing was published.
            let sequence = current.map(|c| c.body.sequence).unwrap_or(1) + 1;
            let data = CrossingPointList { sequence, published_ms: now_ms, points: points.clone() };
            validate(&data).map_err(|e| HqError::Invalid(e.to_string()))?;
            let json = serde_json::to_string(&sign_list(CROSSING_DOMAIN, &data, &self.identity)).expect("serialises");
            if self.db.kv_compare_and_set("crossing_points", held.as_deref(), &json)? {
                return Ok(sequence);
            }
        }
        Err(HqError::Refused("crossing points are being published by another server; try again".into()))
    }

    /// The crossing points in force: the list last published, else the
    /// demo sample signed as sequence 1 (so a fresh headquarters' devices can
    /// screen at once; the first publication replaces it).
    pub fn crossing_points(&self) -> Result<Signed<homeward_domain::crossing::CrossingPointList>, HqError> {
        use homeward_domain::crossing::{sample, CrossingPointList, CROSSING_DOMAIN};
        if let Some(c) = self.db.get_kv("crossing_points")?.and_then(|v| serde_json::from_str(&v).ok()) {
            return Ok(c);
        }
        // Ed25519 signatures are deterministic: every server, every time,
        // serves these same bytes.
        Ok(sign_list(CROSSING_DOMAIN, &CrossingPointList { sequence: 1, ..sample() }, &self.identity))
    }

    /// Receives a device's audit entries: the device's identity must vouch
    /// for the audit key (once), and every batch must continue the chain
    /// from what headquarters already holds. Entries already held (a retry)
    /// are skipped; a break in the chain is refused and recorded.
    pub fn accept_audit(&self, device: &DeviceRow, push: &AuditPush) -> Result<u64, HqError> {
        self.accept_audit_resuming(device, push, None)
    }

    /// [`Hq::accept_audit`], where the device says its chain resumes from
    /// `resume` (its pruned anchor): accepted only when headquarters was
    /// restored and holds less than that, the entries between recorded as
    /// lost ([`Hq::restore_report`]).
    pub fn accept_audit_resuming(
        &self,
        device: &DeviceRow,
        push: &AuditPush,
        resume: Option<&homeward_domain::audit::ChainAnchor>,
    ) -> Result<u64, HqError> {
        use homeward_domain::audit::{verify_chain_with, Branches, ChainAnchor};
        if self.db.audit_chain(&device.id)?.is_none() {
            let cert = push.key_cert.as_ref().ok_or_else(|| {
                HqError::Invalid("the first audit batch must carry the audit key's certificate".into())
            })?;
            let device_pk: [u8; 32] =
                hex::decode(&device.public_key).ok().and_then(|b| b.try_into().ok()).unwrap_or([0; 32]);
            if cert.device_id != device.id {
                return Err(HqError::Refused("the audit key's certificate names another device".into()));
            }
            let key = cert
                .verify(&device_pk)
                .ok_or_else(|| HqError::Refused("the audit key's certificate does not verify".into()))?;
            self.db.set_audit_key(&device.id, &hex::encode(key))?;
        }
        let chain = self.db.audit_chain(&device.id)?.ok_or(HqError::NoCase)?;
        let (key_hex, mut anchor_seq, mut anchor_hash) = (chain.audit_key, chain.anchor_seq, chain.anchor_hash);
        if let Some(r) = resume.filter(|r| r.seq > anchor_seq) {
            if !self.accept_audit_gap(&device.id, anchor_seq + 1, r.seq)? {
                return Err(HqError::Refused(
                    "an audit trail resumes past what headquarters holds only after a restore of headquarters".into(),
                ));
            }
            (anchor_seq, anchor_hash) = (r.seq, Some(r.hash.clone()));
        }
        let key: [u8; 32] = hex::decode(&key_hex).ok().and_then(|b| b.try_into().ok()).unwrap_or([0; 32]);
        let fresh: Vec<_> = push.entries.iter().filter(|e| e.seq > anchor_seq).cloned().collect();
        let anchor = anchor_hash.map(|hash| ChainAnchor { seq: anchor_seq, hash });
        // Headquarters holds the chain a restore branch continues: the branch
        // must link to the entry before it like any other (no jump).
        if let Err(e) = verify_chain_with(anchor.as_ref(), &fresh, &key, Branches::MustLink) {
            self.db.note_audit_tampering(&device.id, &e.to_string(), now_ms())?;
            return Err(HqError::Refused(format!(
                "the audit trail does not continue (a changed or forged trail, not a restore from an older copy: \
                 a restored device starts a branch): {e}"
            )));
        }
        // A branch must also start from an entry headquarters holds, the
        // very one (same hash): otherwise it grafts a chain headquarters
        // never saw onto this device's.
        let mut branched = false;
        for e in fresh.iter().filter(|e| e.action == homeward_domain::audit::AuditAction::Restore) {
            let Some(fork) = &e.fork else {
                return Err(HqError::Refused(format!("audit entry {} is a restore branch without its fork", e.seq)));
            };
            let held = if fork.seq == 0 {
                Some(homeward_domain::audit::GENESIS_HASH.to_string())
            } else {
                self.db
                    .audit_hashes_from(&device.id, fork.seq, 1)?
                    .into_iter()
                    .find(|a| a.seq == fork.seq)
                    .map(|a| a.hash)
            };
            if fork.seq > anchor_seq || held.as_deref() != Some(fork.hash.as_str()) {
                let why = format!(
                    "audit entry {} starts a restore branch from entry {}, which headquarters does not hold as such",
                    e.seq, fork.seq
                );
                self.db.note_audit_tampering(&device.id, &why, now_ms())?;
                return Err(HqError::Refused(format!(
                    "the audit trail does not continue (tampering, not a restore): {why}"
                )));
            }
            branched = true;
        }
        self.db.append_audit(&device.id, &fresh, now_ms())?;
        if branched {
            // Both sides now agree the device was restored from an older copy.
            self.db.note_rollback(&device.id, now_ms())?;
        }
        Ok(fresh.last().map(|e| e.seq).unwrap_or(anchor_seq))
    }

    /// Headquarters' end of a device's audit chain and the hashes from
    /// `from` on, for a device to find where its own chain and this one part.
    pub fn audit_head(
        &self,
        device: &DeviceRow,
        from: u64,
    ) -> Result<homeward_domain::sync::protocol::AuditHeadResponse, HqError> {
        use homeward_domain::sync::protocol::{AuditHeadResponse, AUDIT_HEAD_HASHES};
        let head = self
            .db
            .audit_chain(&device.id)?
            .and_then(|c| c.anchor_hash.map(|hash| homeward_domain::audit::ChainAnchor { seq: c.anchor_seq, hash }));
        let held = match &head {
            Some(_) => self.db.audit_hashes_from(&device.id, from, AUDIT_HEAD_HASHES)?,
            None => vec![],
        };
        Ok(AuditHeadResponse { head, held })
    }

    /// What headquarters should show about a device, in the order the
    /// console, `devices` and `devices --json` show it.
    pub fn device_alerts(&self, d: &DeviceRow, now_ms: i64) -> Result<Vec<DeviceAlert>, HqError> {
        let (rollback, wiped) = self.db.device_alerts(&d.id)?;
        let mut alerts = vec![];
        if rollback.is_some() {
            alerts.push(DeviceAlert::Restored);
        }
        if wiped.is_some() {
            alerts.push(DeviceAlert::WipeConfirmed);
        } else if d.wipe {
            alerts.push(DeviceAlert::WipeOrdered);
        }
        let last = d.last_seen_ms.unwrap_or(d.enrolled_ms);
        if !d.revoked
            && d.role != homeward_domain::events::Role::Headquarters
            && now_ms - last > self.check_in_days as i64 * 86_400_000
        {
            alerts.push(DeviceAlert::CheckInOverdue);
        }
        if d.revoked {
            alerts.push(DeviceAlert::Revoked);
        }
        Ok(alerts)
    }

    pub(crate) fn note_revocation(&self, view: &CaseView) -> Result<(), HqError> {
        let Some(c) = &view.certificate else { return Ok(()) };
        // Two servers revoking certificates at once must both be kept.
        for _ in 0..CAS_ATTEMPTS {
            let held = self.db.get_kv("revoked_certificates")?;
            let mut numbers: Vec<String> =
                held.as_deref().and_then(|v| serde_json::from_str(v).ok()).unwrap_or_default();
            if numbers.contains(&c.number) {
                return self.publish_lists();
            }
            numbers.push(c.number.clone());
            let json = serde_json::to_string(&numbers).expect("serialises");
            if self.db.kv_compare_and_set("revoked_certificates", held.as_deref(), &json)? {
                return self.publish_lists();
            }
        }
        Err(HqError::Refused("the revocation list is busy; try again".into()))
    }

    /// Headquarters' own decision on a case, signed with its key and checked
    /// like any other event; `operator` says who asked for it.
    pub fn decide_as(&self, case_id: &str, body: CertificateEvent, operator: &str) -> Result<CaseView, HqError> {
        self.decide_as_at(case_id, body, operator, None)
    }

    /// The same, applied only if the case's head is still `seen_head` (what
    /// the reviewer looked at), else [`HqError::MovedOn`]: two reviewers on
    /// two servers never both apply. Without it, a case that moves on
    /// meanwhile is read again and the decision checked on what it is now.
    pub fn decide_as_at(
        &self,
        case_id: &str,
        body: CertificateEvent,
        operator: &str,
        seen_head: Option<&str>,
    ) -> Result<CaseView, HqError> {
        let (id, view) = self.sign_decision(case_id, body, seen_head)?;
        self.db.record_action(&id, case_id, operator, now_ms())?;
        self.audit(homeward_domain::audit::AuditAction::Change, case_subject(case_id), operator)?;
        Ok(view)
    }

    /// Headquarters' own decision on a case, signed with its key and checked
    /// like any other event.
    pub fn decide(&self, case_id: &str, body: CertificateEvent) -> Result<CaseView, HqError> {
        self.sign_decision(case_id, body, None).map(|(_, v)| v)
    }

    fn sign_decision(
        &self,
        case_id: &str,
        body: CertificateEvent,
        seen_head: Option<&str>,
    ) -> Result<(String, CaseView), HqError> {
        for _ in 0..CAS_ATTEMPTS {
            if let Some(done) = self.try_decision(case_id, body.clone(), seen_head)? {
                return Ok(done);
            }
            if seen_head.is_some() {
                return Err(HqError::MovedOn);
            }
        }
        Err(HqError::Refused("the case is changing too fast; try again".into()))
    }

    /// One attempt: `None` when another event reached the case between
    /// reading it and storing the decision (the decision was built on a
    /// head that is no longer the case's).
    fn try_decision(
        &self,
        case_id: &str,
        body: CertificateEvent,
        seen_head: Option<&str>,
    ) -> Result<Option<(String, CaseView)>, HqError> {
        let keys = self.key_ring()?;
        let events = self.db.case_events(case_id)?;
        if events.is_empty() {
            return Err(HqError::NoCase);
        }
        let view = fold(case_id, &events, &keys);
        if seen_head.is_some_and(|h| view.head.as_deref().unwrap_or("") != h) {
            return Ok(None);
        }
        let last = events.iter().map(|e| e.hlc).max().unwrap_or(Hlc { wall_ms: 0, counter: 0 });
        let (prev, body) = match body {
            // A resolution names the fork and attaches on the tip of the branch it keeps.
            CertificateEvent::ConflictResolved { keep, reason, .. } => {
                let conflict = view.conflict.as_ref().ok_or_else(|| {
                    HqError::Refused(homeward_domain::certificate::AdmitError::NotInConflict.to_string())
                })?;
                let after = conflict.after.clone();
                let prev = resolution_prev(case_id, &events, &keys, &after, &keep);
                (prev, CertificateEvent::ConflictResolved { after, keep, reason })
            }
            body => (view.head.clone(), body),
        };
        let e = Event::new(&self.identity, case_id, prev, Hlc::tick(last, now_ms()), body, &mut OsRng);
        admit(case_id, &events, &e, &keys).map_err(|err| HqError::Refused(err.to_string()))?;
        if let CertificateEvent::Revoked { .. } = e.body {
            self.note_revocation(&view)?;
        }
        let office = self.db.case_office(case_id)?.ok_or(HqError::NoCase)?;
        if !self.db.insert_decision(&e, &office, events.len(), now_ms())? {
            return Ok(None);
        }
        let id = e.id.clone();
        let mut all = events;
        all.push(e);
        Ok(Some((id, fold(case_id, &all, &keys))))
    }

    pub fn cases(&self) -> Result<Vec<CaseView>, HqError> {
        let keys = self.key_ring()?;
        let mut out = Vec::new();
        for id in self.db.case_ids()? {
            out.push(fold(&id, &self.db.case_events(&id)?, &keys));
        }
        Ok(out)
    }
}

/// The answer for an event whose id headquarters already holds: `duplicate`
/// only when the held event is byte for byte this one (same author, same
/// signature: a retry); anything else claims an id that is taken, and is
/// refused so that the device keeps its event and shows it.
pub(crate) fn same_event<B: serde::Serialize>(held: &str, e: &Event<B>) -> PushResult {
    if serde_json::to_string(e).expect("an event serialises") == held {
        PushResult { id: e.id.clone(), status: PushStatus::Duplicate, reason: None }
    } else {
        PushResult {
            id: e.id.clone(),
            status: PushStatus::Rejected,
            reason: Some("another event with this id is already held: the event was not stored".into()),
        }
    }
}

/// Text from a device made safe to print or show: control characters
/// (terminal escapes, new lines) and invisible direction or zero-width
/// marks are dropped, so a label cannot forge a line of `homeward-hq
/// devices` or reorder what an operator reads.
pub fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A case as an audit subject (case ids are UUIDs; anything else is kept
/// out of the trail rather than risk a name in it).
pub fn case_subject(case_id: &str) -> homeward_domain::audit::Subject {
    use homeward_domain::audit::{Subject, SubjectKind};
    if uuid::Uuid::parse_str(case_id).is_ok() {
        Subject::new(SubjectKind::CertificateCase, case_id)
    } else {
        Subject::new(SubjectKind::CertificateCase, "")
    }
}

/// The public key of an enrolment request, as server/openapi.json
/// describes it: 64 hex digits (either case) that are an Ed25519 point.
pub fn enrolment_public_key(hex_key: &str) -> Result<[u8; 32], HqError> {
    let pk: [u8; 32] = hex::decode(hex_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| HqError::Invalid("the public key must be 32 bytes of hex".into()))?;
    ed25519_ok(&pk)?;
    Ok(pk)
}

fn ed25519_ok(pk: &[u8; 32]) -> Result<(), HqError> {
    let id = PublicIdentity {
        device_id: String::new(),
        role: Role::BorderGuard,
        office: String::new(),
        public_key: hex::encode(pk),
    };
    id.verifying_key().map(|_| ()).map_err(|_| HqError::Invalid("not an Ed25519 public key".into()))
}
