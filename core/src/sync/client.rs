//! The device's side of sync: enrolment, then push the outbox and pull what
//! headquarters holds for this device's office, over a poor link. Retries
//! with backoff and jitter, a progress callback, cancellation between steps,
//! and a report that says what happened.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::httpsig;
use super::protocol::*;
use crate::certificate::store::SyncState;
use crate::certificate::trust::{Signed, TrustStore};
use crate::certificate::{CaseError, CertificateCases, DeviceProfile};
use crate::events::{DeviceIdentity, KeyRing, PublicIdentity};
use crate::random::OsRng;
use crate::screening::ScreeningEvents;
use crate::vault::{Clock, RecordId, SystemClock, Vault, VaultError};

/// How a sync or an enrolment reaches the vault: held only for the moments
/// it reads the outbox or records answers, never across network I/O, so an
/// app's other calls (screening, verification, status, lock) go on while it
/// talks to headquarters. Between two holds the vault may have changed: new
/// records (they go at the next sync), or a lock (the next hold fails with
/// `Locked` and the sync stops, keeping what it recorded).
pub trait VaultAccess {
    fn hold<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T, SyncError>) -> Result<T, SyncError>;
}

/// One caller owning the vault for the whole run (the CLI, tests).
pub struct Exclusive<'a>(std::cell::RefCell<&'a mut Vault>);

impl<'a> Exclusive<'a> {
    pub fn new(vault: &'a mut Vault) -> Self {
        Exclusive(std::cell::RefCell::new(vault))
    }
}

impl VaultAccess for Exclusive<'_> {
    fn hold<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T, SyncError>) -> Result<T, SyncError> {
        f(&mut self.0.borrow_mut())
    }
}

impl VaultAccess for std::sync::Mutex<Vault> {
    fn hold<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T, SyncError>) -> Result<T, SyncError> {
        // Every write is a transaction: a panic elsewhere left the vault consistent.
        f(&mut self.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Headquarters could not be reached: one plain cause, never the
    /// transport's chain of low-level errors (they mean nothing to an officer).
    #[error("{failure}; gave up after {attempts} attempt(s), nothing was lost: try again later")]
    Network { failure: NetworkFailure, attempts: u32 },
    #[error("headquarters refused the request: {status} {message}")]
    Refused { status: u16, message: String },
    #[error("headquarters answered with something unreadable: {0}")]
    BadResponse(String),
    #[error("sync was cancelled; what was done so far is kept")]
    Cancelled,
    #[error("this device was revoked by headquarters")]
    Revoked,
    #[error("headquarters ordered this device wiped; it was")]
    Wiped,
    #[error("this device is not enrolled: run `homeward enroll URL CODE`")]
    NotEnrolled,
    #[error("this device is already enrolled with headquarters")]
    AlreadyEnrolled,
    /// Headquarters was restored from a backup older than this device's
    /// enrolment: it no longer knows the device. What the device holds is
    /// kept; headquarters' operator enrols it again (`homeward enroll`).
    #[error(
        "headquarters was restored from a backup older than this device's enrolment and no longer knows it: nothing here was lost; ask headquarters for a new enrolment code"
    )]
    UnknownToRestoredHeadquarters,
    #[error("not a valid headquarters address: {0}")]
    InvalidUrl(String),
    #[error("refusing {0}: use https (plain http only reaches this machine, for tests)")]
    Insecure(String),
    #[error("headquarters' pinned certificate is unusable: {0}")]
    BadPin(String),
    #[error(
        "{0}: over https pin headquarters' TLS authority (tls/ca.pem, `--pin`); trusting the public certificate authorities instead is an explicit choice (`--public-pki`)"
    )]
    PinRequired(String),
    #[error("the server's TLS certificate is not the one this device trusts (nothing was sent): {0}")]
    Untrusted(String),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditLogError),
    #[error(transparent)]
    Retention(#[from] crate::retention::RetentionError),
}

/// Why headquarters could not be reached. Only what may pass on its own
/// within seconds is retried (timeouts, a connection cut mid-request, 5xx,
/// 429); a refused connection, an unknown name or no route is answered at
/// once: headquarters is down or the device is offline, and waiting longer
/// would only keep the officer staring at a spinner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "status")]
pub enum NetworkFailure {
    /// Nothing listens at headquarters' address (it is down). Not retried.
    Refused,
    /// Headquarters' name does not resolve. Not retried.
    UnknownHost,
    /// No route to headquarters (the device is offline). Not retried.
    NoRoute,
    /// No answer in time. Retried.
    TimedOut,
    /// The connection broke off mid-request. Retried (the same bytes and
    /// Idempotency-Key, so a request headquarters took is recognised).
    Interrupted,
    /// Headquarters answered 5xx every time. Retried.
    ServerError(u16),
    /// Headquarters answered 429 (too many requests) every time. Retried.
    Busy,
    /// Headquarters' disk is full (507): it stored nothing. Not retried
    /// (space is not freed within seconds); the device keeps what it sent.
    HeadquartersFull,
    /// Anything else on the way (the HTTP client could not be set up, ...).
    Other,
}

impl NetworkFailure {
    /// Worth another attempt within this sync.
    pub fn is_retried(self) -> bool {
        matches!(
            self,
            NetworkFailure::TimedOut
                | NetworkFailure::Interrupted
                | NetworkFailure::ServerError(_)
                | NetworkFailure::Busy
        )
    }

    /// What a transport error means, from the error itself and its sources
    /// (the io::Error under hyper's, and hyper-util's "dns error").
    fn of(e: &reqwest::Error) -> NetworkFailure {
        if e.is_timeout() {
            return NetworkFailure::TimedOut;
        }
        let mut text = e.to_string();
        let mut io_kind = None;
        let mut errno = None;
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                io_kind = io_kind.or(Some(io.kind()));
                errno = errno.or(io.raw_os_error());
            }
            source = s.source();
        }
        if !e.is_connect() {
            // The connection was made, then broke (reset, closed mid-answer).
            return if io_kind == Some(std::io::ErrorKind::TimedOut) {
                NetworkFailure::TimedOut
            } else {
                NetworkFailure::Interrupted
            };
        }
        match (io_kind, errno) {
            (Some(std::io::ErrorKind::ConnectionRefused), _) => NetworkFailure::Refused,
            (Some(std::io::ErrorKind::TimedOut), _) => NetworkFailure::TimedOut,
            (_, Some(libc_errno::ENETUNREACH | libc_errno::EHOSTUNREACH | libc_errno::ENETDOWN)) => {
                NetworkFailure::NoRoute
            }
            _ if text.contains("dns error") || text.contains("lookup address") => NetworkFailure::UnknownHost,
            (Some(std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted), _) => {
                NetworkFailure::Interrupted
            }
            _ => NetworkFailure::Other,
        }
    }
}

/// The errno values a connect can end with when there is no route (Linux,
/// Android; macOS and iOS use other numbers, and those fall to `Other`).
mod libc_errno {
    pub const ENETDOWN: i32 = 100;
    pub const ENETUNREACH: i32 = 101;
    pub const EHOSTUNREACH: i32 = 113;
}

impl std::fmt::Display for NetworkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkFailure::Refused => write!(f, "headquarters is not answering (nothing listens at its address)"),
            NetworkFailure::UnknownHost => {
                write!(f, "headquarters' address cannot be found (its name does not resolve)")
            }
            NetworkFailure::NoRoute => write!(f, "headquarters cannot be reached from here (is this device offline?)"),
            NetworkFailure::TimedOut => write!(f, "headquarters did not answer in time"),
            NetworkFailure::Interrupted => write!(f, "the connection to headquarters kept breaking off"),
            NetworkFailure::ServerError(s) => write!(f, "headquarters is having trouble (it answered {s})"),
            NetworkFailure::Busy => write!(f, "headquarters is busy (it answered 429)"),
            NetworkFailure::HeadquartersFull => write!(f, "headquarters' disk is full (it answered 507)"),
            NetworkFailure::Other => write!(f, "the connection to headquarters failed"),
        }
    }
}

/// Where a sync is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Reaching headquarters (learning its clock).
    #[default]
    Connecting,
    /// Sending this device's events, screening reports and audit trail.
    Pushing,
    /// Receiving what headquarters holds for this device (no total known
    /// in advance: headquarters sends page after page).
    Pulling,
    /// Finished.
    Done,
}

/// Progress, reported at each phase's start and after every step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Events and screening reports this sync will send (its outboxes,
    /// read once at the start of the push).
    pub events_to_send: u64,
    pub events_sent: u64,
    pub events_received: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub progress: SyncProgress,
    pub accepted: u64,
    pub duplicates: u64,
    /// Events headquarters refused: (event id, reason). They stay on the device.
    pub rejected: Vec<(String, String)>,
    pub trust_list_updated: bool,
    pub revocations_updated: bool,
    pub retries: u32,
    /// This vault was restored from an older copy: headquarters holds events
    /// from this device that it no longer has, or saw it at a later sync.
    /// Headquarters was told; the officer must be.
    pub rollback_detected: bool,
    /// The audit chain was branched onto headquarters' after a restore
    /// (docs/PROTOCOL.md, Restore from an older copy).
    pub audit_branch: Option<crate::audit::AuditBranch>,
    /// A restore was found at this sync: how many cases and screenings
    /// the restore report lists (see [`super::restore`]).
    pub restore_items: Option<usize>,
    pub audit_entries_sent: u64,
    /// A newer checklist template was installed (its version).
    pub template_installed: Option<u32>,
    pub reference_updated: bool,
    /// A newer referral directory was installed (its sequence).
    pub directory_installed: Option<u64>,
    /// A newer crossing-point list was installed (its sequence).
    pub crossing_points_installed: Option<u64>,
    /// Cases and screenings purged after sync, their retention period over.
    pub purged: usize,
    /// Bundles carried for other devices that headquarters took (store and forward).
    pub forwarded: u64,
    /// Carried bundles headquarters refused: (bundle id, reason code).
    pub forward_refused: Vec<(String, String)>,
    /// Receipts applied for bundles this device exported and another carried.
    pub receipts_applied: u64,
    /// Headquarters was found restored from a backup: what this device sent again.
    pub headquarters_restored: Option<HeadquartersRecovery>,
}

/// What a device did on finding headquarters restored from an older
/// backup (a new incarnation): it sent again everything it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeadquartersRecovery {
    /// Certificate events and screening events headquarters had lost and took back.
    pub restored_events: u64,
    /// Sent again and already held (in the backup).
    pub already_held: u64,
    /// Refused: (event id, reason). Sent again at the next sync.
    pub refused: Vec<(String, String)>,
    /// Audit entries neither side holds any more (pruned here, lost there).
    pub audit_lost: Option<(u64, u64)>,
}

/// How hard to try over a poor link. Only failures that may pass within
/// seconds are retried ([`NetworkFailure::is_retried`]); with the default,
/// the pauses between the 4 attempts add up to at most 4.2 s (0.2-0.6,
/// 0.4-1.2, 0.8-2.4 s), so a sync to a headquarters that is down gives up
/// at once when the connection is refused and within seconds otherwise
/// (plus the request timeouts when nothing answers at all).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The pause before the n-th retry is 2^n x base (with jitter), ...
    pub base: Duration,
    /// ... capped here.
    pub cap: Duration,
    /// One request's time limit (its connect is limited to 10 s of it).
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(2),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A connect that takes longer than this will not finish on a usable link.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How far before headquarters' time of the last pull the next one asks for
/// new identities (a device enrolled in the same moment comes again).
const IDENTITIES_MARGIN_MS: i64 = 60_000;

fn restore_error(e: super::restore::RestoreError) -> SyncError {
    use super::restore::RestoreError as R;
    match e {
        R::Vault(e) => SyncError::Vault(e),
        R::Case(e) => SyncError::Case(e),
        R::Audit(e) => SyncError::Audit(e),
        other => SyncError::BadResponse(other.to_string()),
    }
}

/// Events per push batch and per pull page.
pub const BATCH: usize = 200;
/// Audit entries per request.
const AUDIT_BATCH: usize = 1000;

/// One request: what to send, signed by whom.
struct Call<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    body: Option<Vec<u8>>,
    identity: Option<&'a DeviceIdentity>,
    idempotency_key: Option<&'a str>,
}

struct Http {
    base: String,
    /// host[:port] of `base`, as signed in `@authority`.
    authority: String,
    /// The device's clock (skewed, perhaps): corrected by `offset_ms`.
    clock: std::sync::Arc<dyn Clock>,
    agent: reqwest::blocking::Client,
    retry: RetryPolicy,
    retries: u32,
    /// server time minus device time, from the last answer
    offset_ms: i64,
}

fn jitter(max_ms: u64) -> u64 {
    let r = u64::from_le_bytes(crate::vault::random_key_bytes()[..8].try_into().expect("8 bytes"));
    if max_ms == 0 {
        0
    } else {
        r % max_ms
    }
}

impl Http {
    /// A client for `base`. Over https with `pinned_ca`, headquarters' own
    /// TLS authority is the only one trusted (no public CA can vouch for a
    /// look-alike server); without a pin only when `public_pki` says the
    /// operator chose the public authorities. Plain http is refused except
    /// to this machine.
    fn new(
        base: &str,
        retry: RetryPolicy,
        pinned_ca: Option<&str>,
        public_pki: bool,
        clock: std::sync::Arc<dyn Clock>,
    ) -> Result<Http, SyncError> {
        let url = reqwest::Url::parse(base).map_err(|e| SyncError::InvalidUrl(format!("{base}: {e}")))?;
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(retry.timeout)
            .connect_timeout(retry.timeout.min(CONNECT_TIMEOUT))
            .use_rustls_tls()
            .https_only(false);
        match url.scheme() {
            "https" => {
                if let Some(pem) = pinned_ca {
                    let cas = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                        .map_err(|e| SyncError::BadPin(e.to_string()))?;
                    if cas.is_empty() {
                        return Err(SyncError::BadPin("no certificate in the PEM text".into()));
                    }
                    builder = builder.tls_built_in_root_certs(false);
                    for ca in cas {
                        builder = builder.add_root_certificate(ca);
                    }
                } else if !public_pki {
                    return Err(SyncError::PinRequired(base.to_string()));
                }
            }
            "http" => {
                let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
                let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    return Err(SyncError::Insecure(base.to_string()));
                }
            }
            other => return Err(SyncError::Insecure(format!("a {other}: address"))),
        }
        let agent = builder.build().map_err(|_| SyncError::Network { failure: NetworkFailure::Other, attempts: 0 })?;
        // What the request's Host will say (the port only when not the
        // scheme's default), signed so the request is good at this server only.
        let authority = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        Ok(Http {
            base: base.trim_end_matches('/').to_string(),
            authority,
            clock,
            agent,
            retry,
            retries: 0,
            offset_ms: 0,
        })
    }

    /// Sends with retries on network errors and 5xx answers; the same bytes
    /// (and the same Idempotency-Key) each time, so a retry is harmless.
    fn send(&mut self, call: Call<'_>, cancel: &AtomicBool) -> Result<(Vec<u8>, u64, u64), SyncError> {
        let Call { method, path, query, body, identity, idempotency_key } = call;
        let mut attempt = 0;
        loop {
            if cancel.load(Ordering::SeqCst) {
                return Err(SyncError::Cancelled);
            }
            let url =
                if query.is_empty() { format!("{}{path}", self.base) } else { format!("{}{path}?{query}", self.base) };
            let raw = body.clone().unwrap_or_default();
            let mut req = match method {
                "POST" => self.agent.post(&url),
                _ => self.agent.get(&url),
            }
            .header("accept-encoding", "zstd");
            // Small bodies go as they are: zstd's frame and header cost more than it saves.
            let compress = raw.len() >= 256;
            let payload = if compress { zstd::encode_all(raw.as_slice(), 3).expect("zstd in memory") } else { raw };
            if compress {
                req = req.header("content-encoding", "zstd");
            }
            if !payload.is_empty() {
                req = req.header("content-type", "application/json");
            }
            if let Some(id) = identity {
                let created = (self.clock.now_unix_ms() + self.offset_ms) / 1000;
                let h = httpsig::sign(id, method, &self.authority, path, query, &payload, created, &mut OsRng);
                req = req
                    .header("content-digest", h.content_digest)
                    .header("signature-input", h.signature_input)
                    .header("signature", h.signature);
            }
            if let Some(k) = idempotency_key {
                req = req.header("idempotency-key", k);
            }
            let sent = payload.len() as u64;
            let result = in_flight(req.body(payload), cancel)?;
            let failure = match result {
                Ok(answer) => {
                    let status = answer.status;
                    if let Some(t) = answer.server_time_ms {
                        self.offset_ms = t - self.clock.now_unix_ms();
                    }
                    match (status, answer.body) {
                        (200..=299, Ok(bytes)) => {
                            let n = bytes.len() as u64;
                            let plain = zstd::decode_all(bytes.as_slice()).unwrap_or(bytes);
                            return Ok((plain, sent, n));
                        }
                        (507, _) => NetworkFailure::HeadquartersFull,
                        (500..=599, _) => NetworkFailure::ServerError(status),
                        (429, _) => NetworkFailure::Busy,
                        (_, Err(_)) => NetworkFailure::Interrupted,
                        // The clock was off: the offset is now corrected, try again once more.
                        (401, Ok(bytes))
                            if String::from_utf8_lossy(&bytes).contains("out_of_window") && attempt == 0 =>
                        {
                            attempt += 1;
                            self.retries += 1;
                            continue;
                        }
                        (s, Ok(bytes)) => {
                            let body: Option<ErrorBody> =
                                serde_json::from_slice(&zstd::decode_all(bytes.as_slice()).unwrap_or(bytes.clone()))
                                    .ok();
                            let message = body.map(|b| format!("{}: {}", b.error, b.message)).unwrap_or_default();
                            if s == 403 && message.starts_with("revoked") {
                                return Err(SyncError::Revoked);
                            }
                            return Err(SyncError::Refused { status: s, message });
                        }
                    }
                }
                Err(e) => {
                    // A certificate that does not chain to the pin will not
                    // get better with retries: say so at once.
                    let mut chain = e.to_string();
                    let mut source = std::error::Error::source(&e);
                    while let Some(s) = source {
                        chain = format!("{chain}: {s}");
                        source = s.source();
                    }
                    if chain.contains("certificate") {
                        return Err(SyncError::Untrusted(chain));
                    }
                    NetworkFailure::of(&e)
                }
            };
            attempt += 1;
            if !failure.is_retried() || attempt >= self.retry.attempts {
                return Err(SyncError::Network { failure, attempts: attempt });
            }
            self.retries += 1;
            let backoff = self.retry.base.saturating_mul(1 << attempt.min(16)).min(self.retry.cap);
            pause(Duration::from_millis(jitter(backoff.as_millis() as u64) + backoff.as_millis() as u64 / 2), cancel)?;
        }
    }
}

/// What came back from one request: its status, headquarters' clock, the body.
struct Answer {
    status: u16,
    server_time_ms: Option<i64>,
    body: std::io::Result<Vec<u8>>,
}

/// How often a waiting request looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// Sends one request on a thread of its own and waits for it, looking at
/// `cancel` meanwhile: a Cancel button stops a request stalled on a dead
/// host at once, not after its 30 s timeout. An abandoned request ends on
/// its own at that timeout; if headquarters took it, the next sync's retry
/// carries the same Idempotency-Key (or the same events) and is recognised.
fn in_flight(
    req: reqwest::blocking::RequestBuilder,
    cancel: &AtomicBool,
) -> Result<Result<Answer, reqwest::Error>, SyncError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let answer = req.send().map(|resp| {
            let status = resp.status().as_u16();
            let server_time_ms =
                resp.headers().get("x-server-time-ms").and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
            let mut bytes = Vec::new();
            let body = resp.take(64 * 1024 * 1024).read_to_end(&mut bytes).map(|_| bytes);
            Answer { status, server_time_ms, body }
        });
        let _ = tx.send(answer);
    });
    loop {
        match rx.recv_timeout(CANCEL_POLL) {
            Ok(answer) => return Ok(answer),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if cancel.load(Ordering::SeqCst) {
                    return Err(SyncError::Cancelled);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(SyncError::Network { failure: NetworkFailure::Interrupted, attempts: 1 })
            }
        }
    }
}

/// Sleeps between retries, but returns `Cancelled` as soon as asked.
fn pause(d: Duration, cancel: &AtomicBool) -> Result<(), SyncError> {
    let end = std::time::Instant::now() + d;
    loop {
        if cancel.load(Ordering::SeqCst) {
            return Err(SyncError::Cancelled);
        }
        let now = std::time::Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(CANCEL_POLL));
    }
}

impl Http {
    /// [`Http::send`], with the bytes each way added to the sync's progress.
    fn counted(
        &mut self,
        call: Call<'_>,
        progress: &mut SyncProgress,
        cancel: &AtomicBool,
    ) -> Result<Vec<u8>, SyncError> {
        let (bytes, sent, received) = self.send(call, cancel)?;
        progress.bytes_sent += sent;
        progress.bytes_received += received;
        Ok(bytes)
    }

    /// Tells headquarters something about this device (`/v1/device/report`).
    fn report(&mut self, me: &DeviceIdentity, what: &DeviceReport, cancel: &AtomicBool) -> Result<(), SyncError> {
        let body = serde_json::to_vec(what).expect("serialises");
        let call = Call {
            method: "POST",
            path: "/v1/device/report",
            query: "",
            body: Some(body),
            identity: Some(me),
            idempotency_key: None,
        };
        self.send(call, cancel).map(|_| ())
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SyncError> {
    serde_json::from_slice(bytes).map_err(|e| SyncError::BadResponse(e.to_string()))
}

/// Identities signed by the pinned root, added to the key ring.
fn accept_identities(ring: &mut KeyRing, trust: &TrustStore, ids: &[Signed<PublicIdentity>]) {
    for s in ids {
        if crate::certificate::trust::verify_signed(&trust.roots, IDENTITY_DOMAIN, s).is_ok() {
            ring.add(s.body.clone());
        }
    }
}

/// Enrols a new device with a one-time code and stores its identity, the
/// root key and lists, and whom to trust in the vault. No TLS pin: plain
/// http to this machine (tests, the demo); over https it is refused
/// ([`SyncError::PinRequired`]): use [`enroll_pinned`], or
/// [`enroll_public_pki`] when the operator chose the public authorities.
pub fn enroll(vault: &mut Vault, base_url: &str, code: &str, label: &str) -> Result<EnrollResponse, SyncError> {
    enroll_pinned(vault, base_url, code, label, None)
}

/// Enrols like [`enroll`], pinning headquarters' TLS authority (`ca_pem`,
/// given to the officer with the code) for this and every later sync.
pub fn enroll_pinned(
    vault: &mut Vault,
    base_url: &str,
    code: &str,
    label: &str,
    ca_pem: Option<&str>,
) -> Result<EnrollResponse, SyncError> {
    enroll_with(vault, base_url, code, label, ca_pem, false)
}

/// Enrols over https trusting the public certificate authorities instead of
/// a pin: an operator's explicit choice for a headquarters serving a
/// certificate from a public authority (`homeward enroll --public-pki`). Any
/// authority the platform trusts can then vouch for a look-alike server.
pub fn enroll_public_pki(
    vault: &mut Vault,
    base_url: &str,
    code: &str,
    label: &str,
) -> Result<EnrollResponse, SyncError> {
    enroll_with(vault, base_url, code, label, None, true)
}

fn enroll_with(
    vault: &mut Vault,
    base_url: &str,
    code: &str,
    label: &str,
    ca_pem: Option<&str>,
    public_pki: bool,
) -> Result<EnrollResponse, SyncError> {
    let how = Enrolling { base_url, code, label, ca_pem, public_pki };
    enroll_shared(&Exclusive::new(vault), &how, &AtomicBool::new(false))
}

/// What an enrolment needs: headquarters' address, the one-time code, this
/// device's label, and how to trust headquarters' TLS certificate.
#[derive(Debug, Clone, Copy)]
pub struct Enrolling<'a> {
    pub base_url: &'a str,
    pub code: &'a str,
    pub label: &'a str,
    /// Headquarters' TLS authority to pin (PEM), given with the code.
    pub ca_pem: Option<&'a str>,
    /// Trust the public authorities instead of a pin (the operator's choice).
    pub public_pki: bool,
}

/// Enrols holding the vault only to check it is not enrolled yet and to
/// store the answer, not over the network round trip; `cancel` stops it at
/// once, even while the request is stalled on a dead host (nothing is
/// stored; an enrolment headquarters took anyway leaves its code used).
pub fn enroll_shared(
    access: &impl VaultAccess,
    how: &Enrolling<'_>,
    cancel: &AtomicBool,
) -> Result<EnrollResponse, SyncError> {
    let Enrolling { base_url, code, label, ca_pem, public_pki } = *how;
    let enrolled = |vault: &mut Vault| -> Result<DeviceProfile, SyncError> {
        let profile = DeviceProfile::load(vault)?;
        if profile.identity.is_some() {
            return Err(SyncError::AlreadyEnrolled);
        }
        Ok(profile)
    };
    access.hold(|v| enrolled(v).map(|_| ()))?;
    // The key is made first; its id comes from headquarters.
    let provisional = DeviceIdentity::generate("pending", crate::events::Role::BorderGuard, "", &mut OsRng);
    let mut http = Http::new(base_url, RetryPolicy::default(), ca_pem, public_pki, std::sync::Arc::new(SystemClock))?;
    let req = EnrollRequest {
        code: code.to_string(),
        public_key: hex::encode(provisional.public_key()),
        label: label.into(),
    };
    let body = serde_json::to_vec(&req).expect("serialises");
    let (bytes, _, _) = http.send(
        Call { method: "POST", path: "/v1/enroll", query: "", body: Some(body), identity: None, idempotency_key: None },
        cancel,
    )?;
    let resp: EnrollResponse = parse(&bytes)?;
    let me = provisional.renamed(&resp.device_id, resp.role, &resp.office);
    access.hold(|vault| {
        // Read again: another enrolment may have finished meanwhile.
        let mut profile = enrolled(vault)?;
        profile.trust = TrustStore::with_root(resp.root.clone());
        if let Some(t) = resp.trust_list.clone() {
            profile.trust.install_trust_list(t).map_err(|e| SyncError::BadResponse(e.to_string()))?;
        }
        if let Some(r) = resp.revocations.clone() {
            profile.trust.install_revocations(r).map_err(|e| SyncError::BadResponse(e.to_string()))?;
        }
        accept_identities(&mut profile.keyring, &profile.trust, &resp.identities);
        profile.keyring.add(me.public());
        profile.device_no = resp.device_no;
        profile.identity = Some(me.to_stored());
        profile.server_url = Some(base_url.to_string());
        profile.server_ca_pem = ca_pem.map(str::to_string);
        profile.public_pki = Some(public_pki);
        profile.pull_cursor = 0;
        profile.check_in_days = resp.check_in_days;
        profile.unlock_secret = resp.unlock_secret.clone();
        apply_published(
            &mut profile,
            Published {
                template: resp.template.as_ref(),
                reference: resp.reference.as_ref(),
                directory: resp.directory.as_ref(),
                crossing_points: resp.crossing_points.as_ref(),
            },
        );
        install_sealing_key(&mut profile, resp.sealing_key.as_ref());
        profile.last_check_in_ms = Some(http.clock.now_unix_ms());
        profile.save(vault)?;
        Ok(())
    })?;
    Ok(resp)
}

/// Sends one batch; its Idempotency-Key is derived from the body, so a
/// retried batch is recognised and headquarters (which binds the saved
/// answer to the body) never sees one key with two bodies. Returns
/// headquarters' answer per event.
fn push_batch(
    http: &mut Http,
    me: &DeviceIdentity,
    req: &PushRequest,
    report: &mut SyncReport,
    cancel: &AtomicBool,
) -> Result<Vec<(String, SyncState)>, SyncError> {
    let body = serde_json::to_vec(req).expect("serialises");
    // The same batch gets the same key on a retry (128 bits of its digest,
    // base64url: 22 characters on every push).
    let key = {
        use base64::Engine as _;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&sha2::Sha256::digest(&body)[..16])
    };
    let bytes = http.counted(
        Call {
            method: "POST",
            path: "/v1/events",
            query: "",
            body: Some(body),
            identity: Some(me),
            idempotency_key: Some(&key),
        },
        &mut report.progress,
        cancel,
    )?;
    let resp: PushResponse = parse(&bytes)?;
    let mut answers = Vec::with_capacity(resp.results.len());
    for r in resp.results {
        let state = match r.status {
            PushStatus::Accepted => {
                report.accepted += 1;
                SyncState::Accepted
            }
            // Headquarters says duplicate only when it holds this very
            // event (byte for byte): it is as good as accepted.
            PushStatus::Duplicate => {
                report.duplicates += 1;
                SyncState::Accepted
            }
            PushStatus::Rejected => {
                let reason = r.reason.unwrap_or_else(|| "refused".into());
                report.rejected.push((r.id.clone(), reason.clone()));
                SyncState::Rejected { reason }
            }
        };
        answers.push((r.id, state));
        report.progress.events_sent += 1;
    }
    Ok(answers)
}

/// Headquarters came back from an older backup (its incarnation changed):
/// send again every event this vault holds that headquarters held (own and
/// pulled; `POST /v1/recover` checks each signature and stores what it
/// lacks, once), pull everything again from the start, and send the audit
/// trail again from where headquarters' stops. Retention's durability
/// marks start again too. The new incarnation is taken up unless an event
/// was refused because its case is not back yet (another device must bring
/// its start back first): then all is sent again at the next sync. Returns where the audit chain resumes
/// when this vault pruned entries headquarters lost.
fn recover_after_hq_restore(
    access: &impl VaultAccess,
    http: &mut Http,
    me: &DeviceIdentity,
    report: &mut SyncReport,
    cancel: &AtomicBool,
    incarnation: &str,
) -> Result<Option<crate::audit::ChainAnchor>, SyncError> {
    let (events, screenings) = access.hold(|v| {
        Ok((CertificateCases::new(v).held_by_headquarters()?, ScreeningEvents::new(v).held_by_headquarters()?))
    })?;
    let mut done = HeadquartersRecovery::default();
    let batches = events
        .chunks(BATCH)
        .map(|c| PushRequest { events: c.to_vec(), screenings: vec![] })
        .chain(screenings.chunks(BATCH).map(|c| PushRequest { events: vec![], screenings: c.to_vec() }));
    for req in batches {
        let body = serde_json::to_vec(&req).expect("serialises");
        let bytes = http.counted(
            Call {
                method: "POST",
                path: "/v1/recover",
                query: "",
                body: Some(body),
                identity: Some(me),
                idempotency_key: None,
            },
            &mut report.progress,
            cancel,
        )?;
        let resp: PushResponse = parse(&bytes)?;
        for r in resp.results {
            match r.status {
                PushStatus::Accepted => done.restored_events += 1,
                PushStatus::Duplicate => done.already_held += 1,
                PushStatus::Rejected => done.refused.push((r.id, r.reason.unwrap_or_else(|| "refused".into()))),
            }
        }
    }
    // The audit trail: from headquarters' head on, again.
    let bytes = http.counted(
        Call {
            method: "GET",
            path: "/v1/audit/head",
            query: "from=0",
            body: None,
            identity: Some(me),
            idempotency_key: None,
        },
        &mut report.progress,
        cancel,
    )?;
    let hq_head: AuditHeadResponse = parse(&bytes)?;
    let rewind = access.hold(|v| Ok(crate::audit::AuditLog::new(v).rewind_for_restored_headquarters(&hq_head)?))?;
    done.audit_lost = rewind.as_ref().and_then(|r| r.lost);
    // Only a case not back yet is worth sending again; any other refusal
    // (an unknown signer, a revoked author) would be refused every time.
    let settled = !done.refused.iter().any(|(_, why)| why == RECOVER_CASE_NOT_BACK);
    access.hold(|v| {
        let mut p = DeviceProfile::load(v)?;
        // Positions in the restored logs mean other events: read them all again (held ones are skipped).
        p.pull_cursor = 0;
        if settled {
            p.hq_incarnation = Some(incarnation.to_string());
        }
        p.save(v)?;
        crate::retention::forget_durability(v)?;
        Ok(())
    })?;
    report.headquarters_restored = Some(done);
    Ok(rewind.and_then(|r| r.resume))
}

/// What a pull carries that headquarters publishes for every device.
struct Published<'a> {
    template: Option<&'a Signed<crate::screening::published::PublishedTemplate>>,
    reference: Option<&'a Signed<crate::screening::published::ReferenceData>>,
    directory: Option<&'a Signed<crate::directory::ReferralDirectory>>,
    crossing_points: Option<&'a Signed<crate::crossing::CrossingPointList>>,
}

/// What [`apply_published`] installed.
#[derive(Default)]
struct Installed {
    template: Option<u32>,
    reference: bool,
    directory: Option<u64>,
    crossing_points: Option<u64>,
}

/// Installs a newer signed template, reference data, referral directory and
/// crossing-point list; returns what changed. Anything unsigned, invalid or
/// not newer is ignored (the device keeps what it has).
fn apply_published(profile: &mut DeviceProfile, published: Published<'_>) -> Installed {
    let Published { template, reference, directory, crossing_points } = published;
    let mut installed = None;
    if let Some(t) = template {
        let trust = profile.trust.clone();
        if profile.templates.install(&trust, t).is_ok() {
            installed = Some(profile.templates.current_checklist().template().version);
        }
    }
    let mut updated = false;
    if let Some(r) = reference {
        if crate::screening::published::check_reference(&profile.trust, r, profile.reference_sequence).is_ok() {
            profile.reference_sequence = r.body.sequence;
            profile.standard_fee_minor = r.body.standard_fee_minor;
            profile.fee_currency = r.body.fee_currency.clone();
            profile.validity_days = r.body.validity_days;
            updated = true;
        }
    }
    let mut directory_installed = None;
    if let Some(d) = directory {
        let held = profile.directory.as_ref().map(|h| h.body.sequence).unwrap_or(0);
        if crate::directory::check(&profile.trust, d, held).is_ok() {
            profile.directory = Some(d.clone());
            directory_installed = Some(d.body.sequence);
        }
    }
    let mut crossing_installed = None;
    if let Some(c) = crossing_points {
        let held = profile.crossing_points.as_ref().map(|h| h.body.sequence).unwrap_or(0);
        if crate::crossing::check(&profile.trust, c, held).is_ok() {
            profile.crossing_points = Some(c.clone());
            crossing_installed = Some(c.body.sequence);
        }
    }
    Installed {
        template: installed,
        reference: updated,
        directory: directory_installed,
        crossing_points: crossing_installed,
    }
}

/// Installs headquarters' sealing key when the pinned root signed it.
fn install_sealing_key(profile: &mut DeviceProfile, key: Option<&Signed<homeward_domain::sync::forward::SealingKey>>) {
    if let Some(k) = key {
        if homeward_domain::sync::forward::check_sealing_key(&profile.trust.roots, k).is_ok() {
            profile.sealing_key = Some(k.clone());
        }
    }
}

/// Before pushing: headquarters' receipts for bundles this device exported
/// (carried by another device), applied as if this device had pushed, so
/// what headquarters already holds is not sent again. A bundle without a
/// receipt leaves its events in the outbox: they go in the push.
fn fetch_receipts(
    access: &impl VaultAccess,
    http: &mut Http,
    me: &DeviceIdentity,
    report: &mut SyncReport,
    cancel: &AtomicBool,
) -> Result<(), SyncError> {
    let waiting = access.hold(|v| {
        crate::forward::settle_exported(v).map_err(forward_error)?;
        crate::forward::unreceipted(v).map_err(forward_error)
    })?;
    let ids: Vec<String> = waiting.into_iter().map(|(_, e)| e.bundle_id).collect();
    // 200 ids a request keep it well inside the small-body limit.
    for chunk in ids.chunks(200) {
        let body = serde_json::to_vec(&homeward_domain::sync::forward::ReceiptsRequest { bundle_ids: chunk.to_vec() })
            .expect("serialises");
        let bytes = http.counted(
            Call {
                method: "POST",
                path: "/v1/forward/receipts",
                query: "",
                body: Some(body),
                identity: Some(me),
                idempotency_key: None,
            },
            &mut report.progress,
            cancel,
        )?;
        let resp: homeward_domain::sync::forward::ReceiptsResponse = parse(&bytes)?;
        apply_fetched_receipts(access, &resp.receipts, report)?;
    }
    Ok(())
}

fn apply_fetched_receipts(
    access: &impl VaultAccess,
    receipts: &[Signed<homeward_domain::sync::forward::ForwardReceipt>],
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    for r in receipts {
        let applied = access.hold(|v| match crate::forward::apply_receipt(v, r) {
            Ok(a) => Ok(Some(a)),
            // A receipt that does not verify is headquarters' fault, not a
            // reason to stop the sync: the events are pushed as usual.
            Err(crate::forward::ForwardError::Bundle(_)) | Err(crate::forward::ForwardError::NotOurs) => Ok(None),
            Err(e) => Err(forward_error(e)),
        })?;
        if let Some(a) = applied {
            if a.ignored == 0 {
                report.receipts_applied += 1;
            }
            report.accepted += a.accepted;
            report.duplicates += a.duplicates;
            report.rejected.extend(a.rejected);
        }
    }
    Ok(())
}

/// After pushing its own: bundles this device carries for others, a few a
/// request; each answer (a receipt or a refusal) recorded as it comes.
fn forward_carried(
    access: &impl VaultAccess,
    http: &mut Http,
    me: &DeviceIdentity,
    report: &mut SyncReport,
    cancel: &AtomicBool,
) -> Result<(), SyncError> {
    let pending = access.hold(|v| crate::forward::pending(v).map_err(forward_error))?;
    for chunk in forward_chunks(&pending) {
        let req =
            homeward_domain::sync::forward::ForwardRequest { bundles: chunk.iter().map(|(_, b)| b.clone()).collect() };
        let body = serde_json::to_vec(&req).expect("serialises");
        let bytes = http.counted(
            Call {
                method: "POST",
                path: "/v1/forward",
                query: "",
                body: Some(body),
                identity: Some(me),
                idempotency_key: None,
            },
            &mut report.progress,
            cancel,
        )?;
        let resp: homeward_domain::sync::forward::ForwardResponse = parse(&bytes)?;
        for ((rid, b), a) in chunk.iter().zip(resp.answers.iter()) {
            if a.bundle_id != b.bundle_id {
                return Err(SyncError::BadResponse("headquarters answered bundles out of order".into()));
            }
            access.hold(|v| crate::forward::record_answer(v, *rid, a).map_err(forward_error))?;
            match &a.refused {
                None => report.forwarded += 1,
                Some(reason) => report.forward_refused.push((a.bundle_id.clone(), reason.clone())),
            }
        }
    }
    Ok(())
}

/// Carried bundles in requests of at most 8 and about 2 MiB of ciphertext
/// (a full bundle of 1,000 events may be one on its own), so no request
/// meets headquarters' 8 MiB body limit.
fn forward_chunks(
    pending: &[(RecordId, homeward_domain::sync::forward::ForwardBundle)],
) -> Vec<&[(RecordId, homeward_domain::sync::forward::ForwardBundle)]> {
    const MAX_BUNDLES: usize = 8;
    const MAX_SEALED: usize = 2 * 1024 * 1024;
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (i, (_, b)) in pending.iter().enumerate() {
        if i > start && (i - start == MAX_BUNDLES || size + b.sealed.len() > MAX_SEALED) {
            out.push(&pending[start..i]);
            (start, size) = (i, 0);
        }
        size += b.sealed.len();
    }
    if start < pending.len() {
        out.push(&pending[start..]);
    }
    out
}

fn forward_error(e: crate::forward::ForwardError) -> SyncError {
    match e {
        crate::forward::ForwardError::Vault(v) => SyncError::Vault(v),
        crate::forward::ForwardError::Case(c) => SyncError::Case(c),
        other => SyncError::BadResponse(other.to_string()),
    }
}

/// Remembers the newest event of this device headquarters now holds, so a
/// later purge of it is not mistaken for a restore from an older copy.
fn note_acknowledged(vault: &mut Vault, answers: &[(String, SyncState)]) -> Result<(), SyncError> {
    if let Some((id, _)) = answers.iter().rev().find(|(_, s)| *s == SyncState::Accepted) {
        let mut profile = DeviceProfile::load(vault)?;
        profile.last_acknowledged_event = Some(id.clone());
        profile.save(vault)?;
    }
    Ok(())
}

/// Pushes the outbox and pulls everything new, reporting progress.
pub fn sync(
    vault: &mut Vault,
    retry: RetryPolicy,
    progress: &dyn Fn(&SyncProgress),
    cancel: &AtomicBool,
) -> Result<SyncReport, SyncError> {
    sync_with_clock(vault, retry, progress, cancel, std::sync::Arc::new(SystemClock))
}

/// [`sync`] on the device's own clock, however wrong it is: requests are
/// signed in headquarters' time (learnt first, from `/v1/time`).
pub fn sync_with_clock(
    vault: &mut Vault,
    retry: RetryPolicy,
    progress: &dyn Fn(&SyncProgress),
    cancel: &AtomicBool,
    clock: std::sync::Arc<dyn Clock>,
) -> Result<SyncReport, SyncError> {
    sync_shared(&Exclusive::new(vault), retry, progress, cancel, clock)
}

/// [`sync_with_clock`] holding the vault only to read the outbox, to record
/// headquarters' answers and to store what was pulled; never during network
/// I/O (see [`VaultAccess`]). The guarantees are the same: each batch's
/// answers are recorded as soon as they arrive, a batch retried after a cut
/// carries the same Idempotency-Key, and what is made while the sync runs
/// goes next time. Run one sync of a vault at a time (the pull cursor and
/// the audit chain's synced mark are one each).
pub fn sync_shared(
    access: &impl VaultAccess,
    retry: RetryPolicy,
    progress: &dyn Fn(&SyncProgress),
    cancel: &AtomicBool,
    clock: std::sync::Arc<dyn Clock>,
) -> Result<SyncReport, SyncError> {
    let (me, url, generation, ca_pem, public_pki) = access.hold(|vault| {
        let mut profile = DeviceProfile::load(vault)?;
        let me = profile.identity().map_err(|_| SyncError::NotEnrolled)?;
        let url = profile.server_url.clone().ok_or(SyncError::NotEnrolled)?;
        // Saved before anything is sent, so this device never presents a
        // generation lower than one headquarters has seen, unless restored.
        profile.sync_generation += 1;
        let generation = profile.sync_generation;
        profile.save(vault)?;
        // A profile from before the choice was recorded enrolled without a pin
        // under the public authorities: it keeps them rather than be stranded.
        Ok((me, url, generation, profile.server_ca_pem.clone(), profile.public_pki.unwrap_or(true)))
    })?;
    let mut http = Http::new(&url, retry, ca_pem.as_deref(), public_pki, clock)?;
    let mut report = SyncReport::default();

    // Learn the server's clock first, so a skewed device still signs in window.
    let (t, _, n) = http.send(
        Call { method: "GET", path: "/v1/time", query: "", body: None, identity: None, idempotency_key: None },
        cancel,
    )?;
    let t: TimeResponse = parse(&t)?;
    http.offset_ms = t.server_time_ms - http.clock.now_unix_ms();
    report.progress.bytes_received += n;
    // A new incarnation of headquarters' database: it was restored from a
    // backup and may lack what this device sent since (docs/PROTOCOL.md).
    let hq_restored = access.hold(|v| {
        let held = DeviceProfile::load(v)?.hq_incarnation;
        Ok(match (held, &t.incarnation) {
            (Some(held), Some(now)) if held != *now => Some(now.clone()),
            _ => None,
        })
    })?;
    let mut audit_resume: Option<crate::audit::ChainAnchor> = None;

    // Push, batch by batch: certificate events, then screening reports. The
    // outboxes are read once; what is made while this sync runs goes next time.
    // A device revoked mid-sync stops pushing but still pulls: the pull
    // carries headquarters' orders (a wipe, to be carried out now).
    let pushed: Result<(), SyncError> = (|| {
        if let Some(incarnation) = &hq_restored {
            audit_resume = recover_after_hq_restore(access, &mut http, &me, &mut report, cancel, incarnation).map_err(
                |e| match e {
                    SyncError::Refused { status: 401, .. } => SyncError::UnknownToRestoredHeadquarters,
                    e => e,
                },
            )?;
        }
        fetch_receipts(access, &mut http, &me, &mut report, cancel)?;
        let (outbox, screenings) =
            access.hold(|v| Ok((CertificateCases::new(v).outbox()?, ScreeningEvents::new(v).outbox()?)))?;
        report.progress.phase = SyncPhase::Pushing;
        report.progress.events_to_send = (outbox.len() + screenings.len()) as u64;
        progress(&report.progress);
        for chunk in outbox.chunks(BATCH) {
            let req = PushRequest { events: chunk.to_vec(), screenings: vec![] };
            let answers = push_batch(&mut http, &me, &req, &mut report, cancel)?;
            access.hold(|v| {
                CertificateCases::new(v).mark_many(&answers)?;
                note_acknowledged(v, &answers)
            })?;
            progress(&report.progress);
        }
        for chunk in screenings.chunks(BATCH) {
            let req = PushRequest { events: vec![], screenings: chunk.to_vec() };
            let answers = push_batch(&mut http, &me, &req, &mut report, cancel)?;
            access.hold(|v| {
                ScreeningEvents::new(v).mark_many(&answers)?;
                note_acknowledged(v, &answers)
            })?;
            progress(&report.progress);
        }
        forward_carried(access, &mut http, &me, &mut report, cancel)?;
        progress(&report.progress);
        // The audit trail, in order, in chunks; headquarters checks each
        // continues the chain it holds. First, whether headquarters holds
        // entries this vault does not (it was restored from an older copy):
        // then this vault's chain branches onto headquarters', instead of
        // reusing numbers headquarters holds (which it refuses as tampering).
        let (pending, synced) = access.hold(|v| {
            let log = crate::audit::AuditLog::new(v);
            Ok((!log.unsynced()?.is_empty(), log.head()?.map(|h| h.synced_through).unwrap_or(0)))
        })?;
        if pending {
            let query = format!("from={synced}");
            let bytes = http.counted(
                Call {
                    method: "GET",
                    path: "/v1/audit/head",
                    query: &query,
                    body: None,
                    identity: Some(&me),
                    idempotency_key: None,
                },
                &mut report.progress,
                cancel,
            )?;
            let hq_head: AuditHeadResponse = parse(&bytes)?;
            let now = http.clock.now_unix_ms();
            report.audit_branch = access.hold(|v| Ok(crate::audit::AuditLog::new(v).branch_onto(now, &hq_head)?))?;
        }
        loop {
            let (entries, key_cert, before) = access.hold(|v| {
                let log = crate::audit::AuditLog::new(v);
                let entries: Vec<_> = log.unsynced()?.into_iter().take(AUDIT_BATCH).collect();
                let key_cert = if entries.is_empty() { None } else { log.key_cert(&me)? };
                Ok((entries, key_cert, log.head()?.map(|h| h.synced_through).unwrap_or(0)))
            })?;
            if entries.is_empty() {
                break;
            }
            let body = serde_json::to_vec(&AuditPush { key_cert, entries }).expect("serialises");
            // Once, after a restore of headquarters: where the chain resumes.
            let query =
                audit_resume.take().map(|a| format!("resume={}&resume_hash={}", a.seq, a.hash)).unwrap_or_default();
            let bytes = http.counted(
                Call {
                    method: "POST",
                    path: "/v1/audit",
                    query: &query,
                    body: Some(body),
                    identity: Some(&me),
                    idempotency_key: None,
                },
                &mut report.progress,
                cancel,
            )?;
            let through: AuditPushResponse = parse(&bytes)?;
            access.hold(|v| Ok(crate::audit::AuditLog::new(v).mark_synced(through.through)?))?;
            report.audit_entries_sent += through.through.saturating_sub(before);
            if through.through <= before {
                break;
            }
        }
        Ok(())
    })();
    match pushed {
        Ok(()) | Err(SyncError::Revoked) => {}
        Err(e) => return Err(e),
    }

    // Pull, page by page, from where the last sync stopped.
    report.progress.phase = SyncPhase::Pulling;
    progress(&report.progress);
    loop {
        let query = access.hold(|v| {
            let p = DeviceProfile::load(v)?;
            let lists = p.trust.trust_list.as_ref().map(|t| t.body.sequence).unwrap_or(0);
            let ids = p.identities_since_ms.map(|t| format!("&ids={t}")).unwrap_or_default();
            let tv = p.templates.current_checklist().template().version;
            let dir = p.directory.as_ref().map(|d| d.body.sequence).unwrap_or(0);
            let sk = if p.sealing_key.is_some() { "&sk=1" } else { "" };
            let cp = p.crossing_points.as_ref().map(|c| c.body.sequence).unwrap_or(0);
            Ok(format!(
                "after={}&limit={BATCH}&gen={generation}&lists={lists}&tv={tv}&ref={}&dir={dir}&cp={cp}{ids}{sk}",
                p.pull_cursor, p.reference_sequence
            ))
        })?;
        let bytes = http.counted(
            Call {
                method: "GET",
                path: "/v1/events",
                query: &query,
                body: None,
                identity: Some(&me),
                idempotency_key: None,
            },
            &mut report.progress,
            cancel,
        )?;
        let page: PullResponse = parse(&bytes)?;
        if page.orders.wipe {
            // Confirm first (one try: the wipe must not wait on the link),
            // then destroy the keys and the data.
            let mut once = Http { retry: RetryPolicy { attempts: 1, ..http.retry }, ..http };
            let _ = once.report(&me, &DeviceReport::Wiped, cancel);
            access.hold(|v| Ok(v.wipe(None)?))?;
            return Err(SyncError::Wiped);
        }
        if page.orders.revoked {
            return Err(SyncError::Revoked);
        }
        if !report.rollback_detected {
            // Headquarters' newest event from this device must be here,
            // unless it is the one purged after acknowledgement.
            let missing = access.hold(|v| {
                let acknowledged = DeviceProfile::load(v)?.last_acknowledged_event;
                Ok(match &page.your_last_event {
                    Some(id) if acknowledged.as_ref() != Some(id) => {
                        !CertificateCases::new(v).has_event(id)? && !ScreeningEvents::new(v).has_event(id)?
                    }
                    _ => false,
                })
            })?;
            // A branched audit chain is the surest sign: the generation and
            // the newest event can both look current when the restored
            // vault has already pushed new work above.
            if missing || page.rollback_detected || report.audit_branch.is_some() {
                report.rollback_detected = true;
                let missing_event = page.your_last_event.clone().filter(|_| missing);
                http.report(&me, &DeviceReport::RolledBack { missing_event }, cancel)?;
                // What headquarters received after the copy's last pull and
                // this vault lacks: listed once for the officer. Asked
                // before this page is stored, while the vault still says
                // when the copy last pulled.
                let since = access.hold(|v| {
                    Ok(DeviceProfile::load(v)?.identities_since_ms.map_or(0, |t| t + IDENTITIES_MARGIN_MS))
                })?;
                let query = format!("since={since}");
                let bytes = http.counted(
                    Call {
                        method: "GET",
                        path: "/v1/device/received",
                        query: &query,
                        body: None,
                        identity: Some(&me),
                        idempotency_key: None,
                    },
                    &mut report.progress,
                    cancel,
                )?;
                let got: ReceivedResponse = parse(&bytes)?;
                let now = http.clock.now_unix_ms();
                report.restore_items = Some(access.hold(|v| {
                    let n = super::restore::record(v, now, since, &got.items).map_err(restore_error)?;
                    // One restore is reported once: the event headquarters
                    // named no longer counts as missing, and this device's
                    // generation moves past the one headquarters saw.
                    let mut p = DeviceProfile::load(v)?;
                    if missing {
                        p.last_acknowledged_event = page.your_last_event.clone();
                    }
                    if let Some(g) = page.held_generation {
                        p.sync_generation = p.sync_generation.max(g.max(0) as u64);
                    }
                    p.save(v)?;
                    Ok(n)
                })?);
            }
        }
        let now = http.clock.now_unix_ms();
        access.hold(|vault| {
            let mut profile = DeviceProfile::load(vault)?;
            accept_identities(&mut profile.keyring, &profile.trust.clone(), &page.identities);
            // Next time, only devices enrolled since (headquarters' clock; a device
            // enrolled in the same millisecond comes again, harmlessly).
            profile.identities_since_ms = Some(page.server_time_ms - IDENTITIES_MARGIN_MS);
            let published = Published {
                template: page.template.as_ref(),
                reference: page.reference.as_ref(),
                directory: page.directory.as_ref(),
                crossing_points: page.crossing_points.as_ref(),
            };
            let installed = apply_published(&mut profile, published);
            report.template_installed = report.template_installed.or(installed.template);
            report.reference_updated |= installed.reference;
            report.directory_installed = report.directory_installed.or(installed.directory);
            report.crossing_points_installed = report.crossing_points_installed.or(installed.crossing_points);
            install_sealing_key(&mut profile, page.sealing_key.as_ref());
            // The first incarnation seen is this device's reference; a
            // change is taken up only by the recovery above.
            if profile.hq_incarnation.is_none() {
                profile.hq_incarnation = page.incarnation.clone();
            }
            // Always the answering headquarters' numbering (after a restore,
            // the durability marks were forgotten and start again in it).
            profile.hq_backups = page.backups.or(profile.hq_backups);
            if let Some(t) = page.trust_list.clone() {
                let newer = profile.trust.trust_list.as_ref().is_none_or(|h| h.body.sequence < t.body.sequence);
                if newer && profile.trust.install_trust_list(t).is_ok() {
                    report.trust_list_updated = true;
                }
            }
            if let Some(r) = page.revocations.clone() {
                let newer = profile.trust.revocations.as_ref().is_none_or(|h| h.body.sequence < r.body.sequence);
                if newer && profile.trust.install_revocations(r).is_ok() {
                    report.revocations_updated = true;
                }
            }
            profile.last_check_in_ms = Some(now);
            profile.save(vault)?;
            // Our own events come back too: already held, skipped.
            let (new, _unverifiable) = CertificateCases::new(vault).import_many(&page.events)?;
            report.progress.events_received += new as u64;
            let mut profile = DeviceProfile::load(vault)?;
            profile.pull_cursor = page.next;
            profile.save(vault)?;
            Ok(())
        })?;
        progress(&report.progress);
        if !page.more {
            break;
        }
    }
    report.retries = http.retries;
    // What headquarters now holds and the period has passed for goes.
    let purged = access.hold(|v| Ok(crate::retention::run(v, http.clock.now_unix_ms())?))?;
    report.purged = purged.purged_cases.len() + purged.purged_screenings.len();
    report.progress.phase = SyncPhase::Done;
    progress(&report.progress);
    Ok(report)
}

#[cfg(test)]
mod forward_chunk_tests {
    use super::*;

    fn bundle(sealed: usize) -> (RecordId, homeward_domain::sync::forward::ForwardBundle) {
        let b = homeward_domain::sync::forward::ForwardBundle {
            classification: String::new(),
            format: String::new(),
            bundle_id: String::new(),
            hq: String::new(),
            recipient_key_id: String::new(),
            sender_device: String::new(),
            sender_key: String::new(),
            office: String::new(),
            created_ms: 0,
            events: 0,
            ephemeral_key: String::new(),
            sealed: vec![0; sealed],
            signature: String::new(),
        };
        (RecordId::random(), b)
    }

    #[test]
    fn carried_bundles_go_eight_at_most_and_about_two_mib_a_request() {
        let sizes = |p: &[(RecordId, homeward_domain::sync::forward::ForwardBundle)]| {
            forward_chunks(p).iter().map(|c| c.len()).collect::<Vec<_>>()
        };
        let small: Vec<_> = (0..19).map(|_| bundle(1000)).collect();
        assert_eq!(sizes(&small), vec![8, 8, 3]);
        let big: Vec<_> = [1_500_000, 600_000, 3_000_000, 10].iter().map(|n| bundle(*n)).collect();
        assert_eq!(sizes(&big), vec![1, 1, 1, 1], "a bundle over the size goes alone");
        let medium: Vec<_> = (0..4).map(|_| bundle(600_000)).collect();
        assert_eq!(sizes(&medium), vec![3, 1], "three fit in 2 MiB, the fourth waits for the next request");
        assert!(forward_chunks(&[]).is_empty());
    }
}
