//! The sync API over HTTP (docs/PROTOCOL.md). Handlers are thin: they
//! authenticate, decode, and hand over to [`crate::hq::Hq`] on a blocking
//! thread (SQLite).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use homeward_domain::sync::httpsig::{self, SignatureHeaders};
use homeward_domain::sync::protocol::*;
use serde::Serialize;
use sha2::Digest;

use crate::db::DeviceRow;
use crate::hq::{now_ms, Hq, HqError};
use homeward_domain::certificate::RequestState;

pub type Shared = Arc<Hq>;

/// Body limits, (as sent, after inflating). Enrolment is the one route
/// anyone may call, so its body is small and capped before and after
/// inflating; the signed routes check the signature over the bytes as sent
/// before inflating anything. docs/SECURITY.md lists them.
pub mod limits {
    /// `/v1/enroll`: a code, a key and a label.
    pub const ENROLL: (usize, usize) = (4 * 1024, 16 * 1024);
    /// `/v1/events` (1,000 events at most) and `/v1/audit` (5,000 entries).
    pub const BATCH: (usize, usize) = (8 * 1024 * 1024, 32 * 1024 * 1024);
    /// `/v1/device/report` and an operator's decision.
    pub const SMALL: (usize, usize) = (16 * 1024, 64 * 1024);
    /// Largest zstd window a body may need (2^23 = 8 MiB): a frame asking
    /// for more is refused instead of making the decoder allocate it.
    pub const WINDOW_LOG_MAX: u32 = 23;
}

pub fn router(hq: Shared) -> Router {
    Router::new()
        .route("/v1/time", get(time))
        .route("/v1/enroll", post(enroll).layer(DefaultBodyLimit::max(limits::ENROLL.0)))
        .route("/v1/events", post(push).get(pull).layer(DefaultBodyLimit::max(limits::BATCH.0)))
        .route("/v1/device/report", post(device_report).layer(DefaultBodyLimit::max(limits::SMALL.0)))
        .route("/v1/forward", post(forward).layer(DefaultBodyLimit::max(limits::BATCH.0)))
        .route("/v1/forward/receipts", post(forward_receipts).layer(DefaultBodyLimit::max(limits::SMALL.0)))
        .route("/v1/audit", post(audit_push).layer(DefaultBodyLimit::max(limits::BATCH.0)))
        .route("/v1/audit/head", get(audit_head))
        .route("/v1/recover", post(recover).layer(DefaultBodyLimit::max(limits::BATCH.0)))
        .route("/v1/device/received", get(device_received))
        .route("/v1/hq/audit", get(hq_audit))
        .route("/v1/hq/cases", get(hq_cases))
        .route("/v1/hq/cases/{case}/decisions", post(hq_decide).layer(DefaultBodyLimit::max(limits::SMALL.0)))
        .route("/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(limits::SMALL.0))
        .with_state(hq)
}

struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorBody { error: self.1.into(), message: self.2 }).expect("serialises");
        (self.0, [("content-type", "application/json"), ("x-server-time-ms", &now_ms().to_string())], body)
            .into_response()
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        HqError::from(e).into()
    }
}

impl From<HqError> for ApiError {
    fn from(e: HqError) -> Self {
        match e {
            HqError::BadCode => ApiError(StatusCode::FORBIDDEN, "bad_code", e.to_string()),
            HqError::Invalid(m) => ApiError(StatusCode::BAD_REQUEST, "invalid", m),
            HqError::KeyTaken => ApiError(StatusCode::CONFLICT, "key_enrolled", e.to_string()),
            HqError::NoCase => ApiError(StatusCode::NOT_FOUND, "no_case", e.to_string()),
            HqError::Refused(m) => ApiError(StatusCode::CONFLICT, "refused", m),
            HqError::Unreviewed { .. } => ApiError(StatusCode::CONFLICT, "unreviewed", e.to_string()),
            HqError::Revoked => ApiError(StatusCode::FORBIDDEN, "revoked", e.to_string()),
            HqError::MovedOn => ApiError(StatusCode::CONFLICT, "refused", e.to_string()),
            // Not a passing fault: the device keeps what it sent and tries at a later sync.
            HqError::Db(crate::db::DbError::DiskFull) => ApiError(
                StatusCode::INSUFFICIENT_STORAGE,
                "disk_full",
                "headquarters' disk is full; nothing was stored".into(),
            ),
            HqError::Db(_) => ApiError(StatusCode::SERVICE_UNAVAILABLE, "storage", "try again".into()),
        }
    }
}

/// Runs blocking storage work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the handler failed".into())))
}

/// A JSON answer, zstd-compressed when the client accepts it.
fn answer<T: Serialize>(headers: &HeaderMap, value: &T) -> Response {
    let json = serde_json::to_vec(value).expect("serialises");
    respond(headers, json)
}

/// Answers shorter than this go uncompressed: zstd's frame and the
/// `content-encoding` header cost more than it saves on them (a push's
/// answer of one or two results), issue 13 item 5.
const COMPRESS_FROM: usize = 256;

fn respond(headers: &HeaderMap, json: Vec<u8>) -> Response {
    let zstd_ok = headers
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim().starts_with("zstd")));
    // Headquarters' clock goes with errors (an out-of-window request is
    // signed again with it) and with /v1/time; a success needs none.
    if zstd_ok && json.len() >= COMPRESS_FROM {
        let body = zstd::encode_all(json.as_slice(), 3).expect("zstd in memory");
        ([("content-type", "application/json"), ("content-encoding", "zstd")], body).into_response()
    } else {
        ([("content-type", "application/json")], json).into_response()
    }
}

/// A request body as sent, within the route's [`DefaultBodyLimit`]; a
/// larger one is a typed 413 like every other refusal.
struct Body(Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state).await.map(Body).map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is larger than this route takes".into())
            } else {
                ApiError(StatusCode::BAD_REQUEST, "bad_body", "the body could not be read".into())
            }
        })
    }
}

fn too_large() -> ApiError {
    ApiError(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body inflates beyond what this route takes".into())
}

/// The body, inflated when zstd-encoded, never beyond `max` bytes. Runs on
/// a blocking thread (the callers are inside [`blocking`]).
fn decoded_body(headers: &HeaderMap, body: &Bytes, max: usize) -> Result<Vec<u8>, ApiError> {
    let enc = headers.get("content-encoding").and_then(|v| v.to_str().ok()).unwrap_or("");
    match enc {
        "" | "identity" if body.len() > max => Err(too_large()),
        "" | "identity" => Ok(body.to_vec()),
        "zstd" => {
            let bad = |_| ApiError(StatusCode::BAD_REQUEST, "bad_encoding", "damaged zstd body".into());
            let mut dec = zstd::stream::read::Decoder::new(body.as_ref()).map_err(bad)?;
            dec.window_log_max(limits::WINDOW_LOG_MAX).map_err(bad)?;
            let mut out = Vec::new();
            let n = std::io::copy(&mut std::io::Read::take(&mut dec, max as u64 + 1), &mut out).map_err(|e| {
                // The decoder refuses a frame whose window is over the limit.
                if e.to_string().contains("Frame requires too much memory") {
                    too_large()
                } else {
                    bad(e)
                }
            })?;
            if n as usize > max {
                return Err(too_large());
            }
            Ok(out)
        }
        other => Err(ApiError(StatusCode::UNSUPPORTED_MEDIA_TYPE, "bad_encoding", format!("unsupported {other}"))),
    }
}

/// A query parameter's value.
fn param<'q>(query: &'q Option<String>, name: &str) -> Option<&'q str> {
    query.as_deref()?.split('&').filter_map(|p| p.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The request body, decompressed and parsed as `what`, or a 400 that says
/// what it was not.
fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
    max: usize,
    what: &str,
) -> Result<T, ApiError> {
    let raw = decoded_body(headers, body, max)?;
    serde_json::from_slice(&raw).map_err(|e| ApiError(StatusCode::BAD_REQUEST, "invalid", format!("not {what}: {e}")))
}

async fn time(State(hq): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let incarnation = blocking(move || Ok(hq.incarnation()?)).await?;
    Ok(answer(&h2, &TimeResponse { server_time_ms: now_ms(), incarnation: Some(incarnation) }))
}

async fn openapi() -> Response {
    ([("content-type", "application/json")], crate::OPENAPI).into_response()
}

async fn enroll(State(hq): State<Shared>, headers: HeaderMap, Body(body): Body) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let resp = blocking(move || {
        let req: EnrollRequest = json_body(&headers, &body, limits::ENROLL.1, "an enrolment request")?;
        hq.enroll(&req).map_err(ApiError::from)
    })
    .await?;
    Ok(answer(&h2, &resp))
}

/// Authenticates a request by its device signature; refuses replays.
fn authenticate(hq: &Hq, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<DeviceRow, ApiError> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (Some(content_digest), Some(signature_input), Some(signature)) =
        (h("content-digest"), h("signature-input"), h("signature"))
    else {
        return Err(ApiError(StatusCode::UNAUTHORIZED, "unsigned", "sign the request".into()));
    };
    let sig = SignatureHeaders { content_digest, signature_input, signature };
    let (claimed, _) = httpsig::parse_input(&sig.signature_input)
        .map_err(|e| ApiError(StatusCode::UNAUTHORIZED, "malformed", e.to_string()))?;
    // An unknown device id is checked like a known one, against a key no
    // device holds (headquarters' own), and fails the same way: the answer
    // does not tell which device ids exist.
    let device = hq.db.device(&claimed.keyid)?;
    let pk: [u8; 32] = match &device {
        Some(d) => hex::decode(&d.public_key).ok().and_then(|b| b.try_into().ok()).unwrap_or([0; 32]),
        None => hq.identity.public_key(),
    };
    // The authority the request arrived at (Host in HTTP/1.1, :authority in
    // HTTP/2): a request signed for another headquarters does not verify.
    let authority = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    let signer = httpsig::verify(
        method.as_str(),
        authority,
        uri.path(),
        uri.query().unwrap_or(""),
        body,
        &sig,
        now_ms() / 1000,
        |_| Some(pk),
    )
    .map_err(|e| {
        let code = match e {
            httpsig::AuthError::OutOfWindow => "out_of_window",
            httpsig::AuthError::BadSignature => "bad_signature",
            httpsig::AuthError::DigestMismatch => "digest_mismatch",
            _ => "malformed",
        };
        ApiError(StatusCode::UNAUTHORIZED, code, e.to_string())
    })?;
    let Some(device) = device else {
        return Err(ApiError(StatusCode::UNAUTHORIZED, "bad_signature", httpsig::AuthError::BadSignature.to_string()));
    };
    if !hq.db.use_nonce_and_touch(&device.id, &signer.nonce, now_ms(), httpsig::NONCE_TTL_MS)? {
        return Err(ApiError(StatusCode::UNAUTHORIZED, "replayed", "this request was already received".into()));
    }
    Ok(device)
}

async fn push(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let json = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, &body)?;
        refuse_revoked(&device)?;
        let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
        if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 128) {
            return Err(ApiError(StatusCode::BAD_REQUEST, "invalid", "an Idempotency-Key is 1-128 characters".into()));
        }
        let raw = decoded_body(&headers, &body, limits::BATCH.1)?;
        // The saved answer belongs to one body: the same key with another
        // body is a refusal, never the old answer (which would drop the new
        // batch unseen).
        let digest = hex::encode(sha2::Sha256::digest(&raw));
        if let Some(k) = &key {
            match hq.db.idempotent_response(&device.id, k)? {
                Some((saved, Some(d))) if d == digest => return Ok(saved),
                Some((_, Some(_))) => {
                    return Err(ApiError(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "idempotency_key_reused",
                        "this Idempotency-Key was used for another body".into(),
                    ))
                }
                // Saved before answers were bound to their body: process
                // afresh (events already held are answered as duplicates).
                Some((_, None)) | None => {}
            }
        }
        let req: PushRequest = serde_json::from_slice(&raw)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, "invalid", format!("not a push request: {e}")))?;
        if req.events.len() + req.screenings.len() > 1000 {
            return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "at most 1000 events a batch".into()));
        }
        let mut results = hq.accept_batch(&device, &req.events)?;
        results.extend(hq.accept_screenings(&device, &req.screenings)?);
        let json = serde_json::to_vec(&PushResponse { results }).expect("serialises");
        match &key {
            // Another server may have answered the same retry first: its
            // answer is the one every server gives from now on.
            Some(k) => hq.db.save_idempotent_response(&device.id, k, &digest, &json)?.ok_or_else(|| {
                ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for another body".into(),
                )
            }),
            None => Ok(json),
        }
    })
    .await?;
    Ok(respond(&h2, json))
}

/// Bundles another device of the carrier's office made offline, forwarded
/// by the signing device: each opened and taken as its sender's push, each
/// answered with headquarters' signed receipt or a typed refusal.
async fn forward(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let resp = blocking(move || {
        let carrier = authenticate(&hq, &method, &uri, &headers, &body)?;
        refuse_revoked(&carrier)?;
        let raw = decoded_body(&headers, &body, limits::BATCH.1)?;
        let req: homeward_domain::sync::forward::ForwardRequest = serde_json::from_slice(&raw)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, "invalid", format!("not a forward request: {e}")))?;
        if req.bundles.len() > 100 {
            return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "at most 100 bundles a request".into()));
        }
        let mut answers = Vec::with_capacity(req.bundles.len());
        for b in &req.bundles {
            answers.push(hq.accept_forwarded(&carrier, b)?);
        }
        Ok(homeward_domain::sync::forward::ForwardResponse { answers })
    })
    .await?;
    Ok(answer(&h2, &resp))
}

/// The receipts of bundles the signing device made, for those headquarters
/// answered: read before a push, so what a carrier delivered is not sent again.
async fn forward_receipts(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let resp = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, &body)?;
        refuse_revoked(&device)?;
        let raw = decoded_body(&headers, &body, limits::SMALL.1)?;
        let req: homeward_domain::sync::forward::ReceiptsRequest = serde_json::from_slice(&raw)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, "invalid", format!("not a receipts request: {e}")))?;
        Ok(homeward_domain::sync::forward::ReceiptsResponse { receipts: hq.receipts_for(&device, &req.bundle_ids)? })
    })
    .await?;
    Ok(answer(&h2, &resp))
}

async fn pull(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let resp = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, b"")?;
        let mut after = 0u64;
        let mut limit = 200usize;
        let mut generation: Option<i64> = None;
        let mut ids_since: Option<i64> = None;
        let mut lists_seen: Option<u64> = None;
        let mut template_held: Option<u32> = None;
        let mut reference_held: Option<u64> = None;
        let mut directory_held: Option<u64> = None;
        let mut crossing_held: Option<u64> = None;
        let mut sealing_held = false;
        for (k, v) in query.as_deref().unwrap_or("").split('&').filter_map(|p| p.split_once('=')) {
            match k {
                "after" => {
                    after = v.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "after".into()))?
                }
                "gen" => {
                    generation =
                        Some(v.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "gen".into()))?)
                }
                "ids" => {
                    ids_since = Some(v.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "ids".into()))?)
                }
                "tv" => template_held = v.parse().ok(),
                "ref" => reference_held = v.parse().ok(),
                "dir" => directory_held = v.parse().ok(),
                "cp" => crossing_held = v.parse().ok(),
                "sk" => sealing_held = v == "1",
                "lists" => {
                    lists_seen =
                        Some(v.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "lists".into()))?)
                }
                "limit" => {
                    limit = v
                        .parse::<usize>()
                        .map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "limit".into()))?
                        .clamp(1, 1000)
                }
                _ => {}
            }
        }
        let orders = DeviceOrders { revoked: device.revoked, wipe: device.wipe };
        let rollback_detected = match generation {
            Some(g) => hq.db.present_generation(&device.id, g, now_ms())?,
            None => false,
        };
        let your_last_event = hq.db.last_event_of(&device.id)?;
        let held_generation = hq.db.sync_generation_of(&device.id)?;
        // A newer template or reference data travels until the device has it.
        let template = hq.published_template()?.filter(|t| {
            let version = homeward_domain::screening::published::checklist_of(&t.body.template_json)
                .map(|c| c.template().version)
                .unwrap_or(0);
            template_held.is_none_or(|held| held < version)
        });
        let reference = hq.reference()?.filter(|r| reference_held.is_none_or(|held| held < r.body.sequence));
        let directory = hq.directory()?.filter(|d| directory_held.is_none_or(|held| held < d.body.sequence));
        let crossing_points =
            Some(hq.crossing_points()?).filter(|c| crossing_held.is_none_or(|held| held < c.body.sequence));
        // Lists travel only when newer than what the device holds.
        let (mut trust_list, mut revocations) = hq.lists()?;
        if let Some(seen) = lists_seen {
            if trust_list.as_ref().is_some_and(|t| t.body.sequence <= seen) {
                trust_list = None;
            }
            if revocations.as_ref().is_some_and(|r| r.body.sequence <= seen) {
                revocations = None;
            }
        }
        if device.revoked {
            return Ok(PullResponse {
                events: vec![],
                next: after,
                more: false,
                identities: vec![],
                trust_list: None,
                revocations: None,
                orders,
                server_time_ms: now_ms(),
                your_last_event: None,
                rollback_detected,
                held_generation,
                template: None,
                reference: None,
                directory: None,
                crossing_points: None,
                sealing_key: None,
                incarnation: None,
                backups: None,
            });
        }
        // Scope: headquarters sees every office; a consulate its own cases;
        // a border post no case (it only verifies and records entries).
        // The cursor is opaque to the device: a consulate's is its position
        // in its office's log; headquarters' devices get a token naming their
        // position in every office's log (`Db::events_after_all`).
        let (events, next, more) = match device.role {
            homeward_domain::events::Role::Headquarters => {
                let page = hq.db.events_after_all(&device.id, after, limit, now_ms())?;
                (page.events, page.next, page.more)
            }
            homeward_domain::events::Role::ConsularOfficer => {
                let rows = hq.db.events_after(&device.office, after, limit + 1)?;
                let more = rows.len() > limit;
                let rows: Vec<_> = rows.into_iter().take(limit).collect();
                let next = rows.last().map(|(s, _)| *s).unwrap_or(after);
                (rows.into_iter().map(|(_, e)| e).collect(), next, more)
            }
            homeward_domain::events::Role::BorderGuard => (vec![], after, false),
        };
        let identities = hq.identities_for_page(ids_since.is_none(), events.iter().map(|e| e.author.as_str()))?;
        Ok(PullResponse {
            events,
            next,
            more,
            identities,
            trust_list,
            revocations,
            orders,
            server_time_ms: now_ms(),
            your_last_event,
            rollback_detected,
            held_generation,
            template,
            reference,
            directory,
            crossing_points,
            // Until the device says it holds it (`sk=1`).
            sealing_key: (!sealing_held).then(|| hq.sealing_key()),
            incarnation: Some(hq.incarnation()?),
            backups: Some(hq.backup_mark()?),
        })
    })
    .await?;
    Ok(answer(&h2, &resp))
}

/// An operator's console: enrolled with the headquarters role, not revoked.
fn operator(hq: &Hq, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<DeviceRow, ApiError> {
    let device = authenticate(hq, method, uri, headers, body)?;
    refuse_revoked(&device)?;
    if device.role != homeward_domain::events::Role::Headquarters {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "not_headquarters",
            "only headquarters' operators may do this".into(),
        ));
    }
    Ok(device)
}

/// Every certificate case as headquarters folds it, optionally only those
/// in one state (`?state=submitted`).
async fn hq_cases(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let cases = blocking(move || {
        let op = operator(&hq, &method, &uri, &headers, b"")?;
        hq.audit(
            homeward_domain::audit::AuditAction::View,
            homeward_domain::audit::Subject::new(homeward_domain::audit::SubjectKind::CertificateCase, ""),
            &op.id,
        )?;
        let mut cases = hq.cases()?;
        if let Some(want) = param(&query, "state") {
            // An unknown state matches no case.
            let want: Option<RequestState> = serde_json::from_value(serde_json::Value::String(want.into())).ok();
            cases.retain(|c| want.is_some() && c.state == want);
        }
        Ok(cases)
    })
    .await?;
    Ok(answer(&h2, &cases))
}

/// A decision on a case, signed by headquarters' key on the operator's behalf.
async fn hq_decide(
    State(hq): State<Shared>,
    Path(case): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let view = blocking(move || {
        let op = operator(&hq, &method, &uri, &headers, &body)?;
        let decision: Decision = json_body(&headers, &body, limits::SMALL.1, "a decision")?;
        Ok(hq.decide_as(&case, decision.into_event(), &op.id)?)
    })
    .await?;
    Ok(answer(&h2, &view))
}

/// What a revoked device may still call, and nothing else (docs/SECURITY.md):
/// the pull, which then answers only its orders (revoked, wipe), and the
/// report that it is carrying out a wipe. Its key may be in a thief's hands,
/// so it neither reads data nor adds any (events, screenings, audit
/// entries, a restore report).
fn refuse_revoked(device: &DeviceRow) -> Result<(), ApiError> {
    if device.revoked {
        return Err(ApiError(StatusCode::FORBIDDEN, "revoked", "this device was revoked".into()));
    }
    Ok(())
}

/// A device's own report: its wipe is being carried out (accepted from a
/// revoked device too: it is the confirmation headquarters waits for, a
/// claim by the device rather than proof), or it found it was restored
/// from an older copy.
async fn device_report(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, &body)?;
        let report: DeviceReport = json_body(&headers, &body, limits::SMALL.1, "a device report")?;
        match report {
            DeviceReport::Wiped => hq.db.confirm_wipe(&device.id, now_ms())?,
            DeviceReport::RolledBack { .. } => {
                refuse_revoked(&device)?;
                hq.db.note_rollback(&device.id, now_ms())?
            }
        }
        Ok(())
    })
    .await?;
    Ok(answer(&h2, &serde_json::json!({ "recorded": true })))
}

/// A device's audit entries, in order (see [`Hq::accept_audit`]).
async fn audit_push(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let through = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, &body)?;
        refuse_revoked(&device)?;
        let push: AuditPush = json_body(&headers, &body, limits::BATCH.1, "an audit batch")?;
        if push.entries.len() > 5000 {
            return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "at most 5000 entries a batch".into()));
        }
        // `?resume=SEQ&resume_hash=HASH`: the device pruned what a restored headquarters lost.
        let resume = match (param(&query, "resume"), param(&query, "resume_hash")) {
            (Some(seq), Some(hash)) => Some(homeward_domain::audit::ChainAnchor {
                seq: seq.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "resume".into()))?,
                hash: hash.to_string(),
            }),
            _ => None,
        };
        Ok(hq.accept_audit_resuming(&device, &push, resume.as_ref())?)
    })
    .await?;
    Ok(answer(&h2, &AuditPushResponse { through }))
}

/// Everything a device holds, sent again after headquarters was restored
/// from an older backup (see [`Hq::accept_recovered`]): certificate events
/// signed by anyone it pulled them from, and its own screenings. Answered
/// like a push; held events are duplicates.
async fn recover(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let resp = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, &body)?;
        refuse_revoked(&device)?;
        let req: PushRequest = json_body(&headers, &body, limits::BATCH.1, "a push request")?;
        if req.events.len() + req.screenings.len() > 1000 {
            return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "at most 1000 events a batch".into()));
        }
        let mut results = hq.accept_recovered(&device, &req.events)?;
        results.extend(hq.accept_screenings(&device, &req.screenings)?);
        Ok(PushResponse { results })
    })
    .await?;
    Ok(answer(&h2, &resp))
}

/// Headquarters' end of this device's audit chain, and the hashes from
/// `?from=SEQ` on: a device restored from an older copy finds where its own
/// chain and headquarters' part, and starts a branch there.
async fn audit_head(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let head = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, b"")?;
        refuse_revoked(&device)?;
        let from = match param(&query, "from") {
            Some(v) => v.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "from".into()))?,
            None => 0,
        };
        Ok(hq.audit_head(&device, from)?)
    })
    .await?;
    Ok(answer(&h2, &head))
}

/// Which of this device's cases and screenings headquarters received since
/// `?since=MS` (headquarters' clock): ids and times, for a restored device
/// to tell its officer what the older copy lacks.
async fn device_received(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let items = blocking(move || {
        let device = authenticate(&hq, &method, &uri, &headers, b"")?;
        refuse_revoked(&device)?;
        let since = match param(&query, "since") {
            Some(v) => v.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "invalid", "since".into()))?,
            None => 0,
        };
        Ok(homeward_domain::sync::protocol::ReceivedResponse { items: hq.db.received_since(&device.id, since)? })
    })
    .await?;
    Ok(answer(&h2, &items))
}

/// Operators read the audit trail (`?device=ID` for one device).
async fn hq_audit(
    State(hq): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let h2 = headers.clone();
    let entries = blocking(move || {
        let op = operator(&hq, &method, &uri, &headers, b"")?;
        hq.audit(homeward_domain::audit::AuditAction::View, homeward_domain::audit::Subject::device(), &op.id)?;
        let device =
            query.as_deref().unwrap_or("").split('&').find_map(|p| p.strip_prefix("device=")).map(str::to_string);
        Ok(hq.db.audit_entries(device.as_deref())?)
    })
    .await?;
    Ok(answer(&h2, &entries))
}

#[cfg(test)]
mod tests {
    /// Every route the router serves is described in the OpenAPI document.
    #[test]
    fn every_route_is_in_the_openapi_description() {
        let spec: serde_json::Value = serde_json::from_str(crate::OPENAPI).unwrap();
        let paths = spec["paths"].as_object().unwrap();
        let source = include_str!("api.rs");
        let routes: Vec<&str> = source
            .split(".route(\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .filter(|r| r.starts_with('/'))
            .collect();
        assert!(routes.len() >= 8, "found the router's routes: {routes:?}");
        for r in routes {
            assert!(paths.contains_key(r), "{r} is served but not described in server/openapi.json");
        }
    }

    /// The enrolment key's schema is what the server accepts (issue 16: a
    /// schema-valid key used to be refused): whatever the pattern refuses
    /// the server refuses, and a real key the pattern takes, in either
    /// case, the server takes. (That a hex string is also a curve point the
    /// pattern cannot say; its description does.)
    #[test]
    fn the_enrolment_key_schema_says_what_the_server_accepts() {
        let spec: serde_json::Value = serde_json::from_str(crate::OPENAPI).unwrap();
        let key = &spec["paths"]["/v1/enroll"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["properties"]["public_key"];
        assert_eq!(key["pattern"], "^[0-9a-fA-F]{64}$");
        assert!(key["description"].as_str().unwrap().contains("curve point"));
        let pattern = |s: &str| s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit());
        let real = hex::encode(
            homeward_domain::events::DeviceIdentity::generate(
                "d",
                homeward_domain::events::Role::BorderGuard,
                "OSH",
                &mut rand_core::OsRng,
            )
            .public_key(),
        );
        let candidates = [
            real.clone(),
            real.to_uppercase(),
            real[..62].to_string(),
            format!("{real}00"),
            format!("{}zz", &real[..62]),
            format!(" {}", &real[..63]),
            String::new(),
            "é".repeat(32),
        ];
        for c in &candidates {
            let accepted = crate::hq::enrolment_public_key(c).is_ok();
            if !pattern(c) {
                assert!(!accepted, "the schema refuses {c:?} but the server took it");
            } else {
                assert!(accepted, "the schema takes the real key {c:?} but the server refused it");
            }
        }
    }
}
