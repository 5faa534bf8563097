//! The life of a certificate request as a fold over its signed events:
//! draft, submitted, identity verified or more information requested,
//! approved or rejected, issued, entered the country, expired, cancelled or
//! revoked. Each event kind comes only from the role allowed to make it; an
//! invalid transition is a typed error; a fork (two issuances from two
//! devices, say) folds into a visible conflict for a person to resolve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::request::{validate, CertificateRequest, FieldError};
use crate::date::IsoDate;
use crate::events::{linearize, Event, EventError, Fork, KeyRing, Role};

/// What was issued: the record kept with the case (the signed barcode is
/// rebuilt from it and the signer's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    pub number: String,
    pub issue_date: IsoDate,
    pub expiry_date: IsoDate,
    /// The barcode text exactly as issued ("HW1:...").
    pub barcode: String,
    /// The signer's key id (hex).
    pub signer_kid: String,
    pub fee_waived: bool,
    pub fee_reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CertificateEvent {
    Created {
        request: Box<CertificateRequest>,
    },
    Updated {
        request: Box<CertificateRequest>,
    },
    Submitted,
    IdentityVerified {
        note: String,
    },
    MoreInformationRequested {
        question: String,
    },
    Approved {
        validity_days: u32,
    },
    Rejected {
        reason: String,
    },
    Issued {
        certificate: Box<IssuedCertificate>,
    },
    Entered {
        crossing_point: String,
        date: IsoDate,
    },
    Expired,
    Cancelled {
        reason: String,
    },
    Revoked {
        reason: String,
    },
    /// Headquarters resolves a fork: the branch starting at `keep` is kept.
    ConflictResolved {
        after: String,
        keep: String,
        reason: String,
    },
}

impl CertificateEvent {
    pub fn name(&self) -> &'static str {
        match self {
            CertificateEvent::Created { .. } => "created",
            CertificateEvent::Updated { .. } => "updated",
            CertificateEvent::Submitted => "submitted",
            CertificateEvent::IdentityVerified { .. } => "identity_verified",
            CertificateEvent::MoreInformationRequested { .. } => "more_information_requested",
            CertificateEvent::Approved { .. } => "approved",
            CertificateEvent::Rejected { .. } => "rejected",
            CertificateEvent::Issued { .. } => "issued",
            CertificateEvent::Entered { .. } => "entered",
            CertificateEvent::Expired => "expired",
            CertificateEvent::Cancelled { .. } => "cancelled",
            CertificateEvent::Revoked { .. } => "revoked",
            CertificateEvent::ConflictResolved { .. } => "conflict_resolved",
        }
    }

    /// The roles allowed to make this event.
    pub fn allowed_roles(&self) -> &'static [Role] {
        use CertificateEvent::*;
        match self {
            Created { .. } | Updated { .. } | Submitted | Issued { .. } => &[Role::ConsularOfficer],
            IdentityVerified { .. }
            | MoreInformationRequested { .. }
            | Approved { .. }
            | Rejected { .. }
            | Revoked { .. }
            | Expired
            | ConflictResolved { .. } => &[Role::Headquarters],
            Entered { .. } => &[Role::BorderGuard],
            Cancelled { .. } => &[Role::ConsularOfficer, Role::Headquarters],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Draft,
    Submitted,
    MoreInformationRequested,
    IdentityVerified,
    Approved,
    Rejected,
    Issued,
    Entered,
    Expired,
    Cancelled,
    Revoked,
}

impl RequestState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RequestState::Rejected
                | RequestState::Entered
                | RequestState::Expired
                | RequestState::Cancelled
                | RequestState::Revoked
        )
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransitionError {
    #[error("a {role:?} may not record \"{event}\"")]
    WrongRole { event: &'static str, role: Role },
    #[error("\"{event}\" is not allowed when the request is {from:?}")]
    Invalid { from: Option<RequestState>, event: &'static str },
    #[error("the request cannot be submitted: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    IncompleteRequest(Vec<FieldError>),
    #[error("the request is in conflict: resolve it first")]
    InConflict,
    #[error(transparent)]
    Event(#[from] EventError),
}

/// The next state after `event` in `from` (`None`: no event yet).
pub fn transition(
    from: Option<RequestState>,
    event: &CertificateEvent,
    request: Option<&CertificateRequest>,
) -> Result<RequestState, TransitionError> {
    use CertificateEvent as E;
    use RequestState as S;
    let invalid = || TransitionError::Invalid { from, event: event.name() };
    let next = match (from, event) {
        (None, E::Created { .. }) => S::Draft,
        (Some(S::Draft), E::Updated { .. }) => S::Draft,
        (Some(S::MoreInformationRequested), E::Updated { .. }) => S::MoreInformationRequested,
        (Some(S::Draft | S::MoreInformationRequested), E::Submitted) => {
            let problems = request.map(validate).unwrap_or_default();
            if !problems.is_empty() {
                return Err(TransitionError::IncompleteRequest(problems));
            }
            S::Submitted
        }
        (Some(S::Submitted), E::IdentityVerified { .. }) => S::IdentityVerified,
        (Some(S::Submitted | S::IdentityVerified), E::MoreInformationRequested { .. }) => S::MoreInformationRequested,
        (Some(S::IdentityVerified), E::Approved { .. }) => S::Approved,
        (Some(S::Submitted | S::IdentityVerified | S::MoreInformationRequested | S::Approved), E::Rejected { .. }) => {
            S::Rejected
        }
        (Some(S::Approved), E::Issued { .. }) => S::Issued,
        (Some(S::Issued), E::Entered { .. }) => S::Entered,
        (Some(S::Issued), E::Expired) => S::Expired,
        (Some(S::Issued), E::Revoked { .. }) => S::Revoked,
        (
            Some(S::Draft | S::Submitted | S::MoreInformationRequested | S::IdentityVerified | S::Approved),
            E::Cancelled { .. },
        ) => S::Cancelled,
        (Some(s), E::ConflictResolved { .. }) => s,
        _ => return Err(invalid()),
    };
    Ok(next)
}

/// An event that the fold could not apply, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refused {
    pub event_id: String,
    pub event: &'static str,
    pub reason: String,
}

/// A fork shown to a person: where it happened and what each branch did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub after: String,
    pub state: Option<RequestState>,
    pub branches: Vec<ConflictBranch>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictBranch {
    pub event_id: String,
    pub event: &'static str,
    pub author: String,
    /// For two issuances: which certificate number each branch issued.
    pub certificate_number: Option<String>,
}

/// The state of a case: the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    pub case_id: String,
    pub state: Option<RequestState>,
    pub request: Option<CertificateRequest>,
    pub certificate: Option<IssuedCertificate>,
    pub entry: Option<(String, IsoDate)>,
    /// The last reason given (rejection, cancellation, revocation) or
    /// question asked (more information).
    pub last_note: Option<String>,
    /// The id of the last applied event: the `prev` of the next one.
    pub head: Option<String>,
    pub conflict: Option<Conflict>,
    pub refused: Vec<Refused>,
    pub waiting: usize,
    /// (event id, event name, author, role, hlc wall ms) in order.
    pub history: Vec<(String, &'static str, String, Role, i64)>,
}

impl CaseView {
    /// The effective state as of `today`: an issued certificate past its
    /// expiry date is expired even before an Expired event arrives.
    pub fn state_on(&self, today: IsoDate) -> Option<RequestState> {
        match (self.state, &self.certificate) {
            (Some(RequestState::Issued), Some(c)) if today > c.expiry_date => Some(RequestState::Expired),
            (s, _) => s,
        }
    }
}

/// Folds a case's events. Each event's signature and role are checked
/// against `keys`; an event that fails, or that is not a valid transition,
/// is listed in `refused` and does not change the state.
pub fn fold(case_id: &str, events: &[Event<CertificateEvent>], keys: &KeyRing) -> CaseView {
    // Resolutions decide forks; only valid headquarters resolutions count.
    let resolved: BTreeMap<String, String> = events
        .iter()
        .filter(|e| e.verify(keys).is_ok() && e.role == Role::Headquarters)
        .filter_map(|e| match &e.body {
            CertificateEvent::ConflictResolved { after, keep, .. } => Some((after.clone(), keep.clone())),
            _ => None,
        })
        .collect();
    let ours: Vec<Event<CertificateEvent>> = events.iter().filter(|e| e.case_id == case_id).cloned().collect();
    let linear = linearize(&ours, &resolved);
    let mut view = CaseView {
        case_id: case_id.to_string(),
        state: None,
        request: None,
        certificate: None,
        entry: None,
        last_note: None,
        head: None,
        conflict: None,
        refused: Vec::new(),
        waiting: linear.waiting.len(),
        history: Vec::new(),
    };
    for e in &linear.events {
        match apply(&mut view, e, keys) {
            Ok(()) => {}
            Err(reason) => {
                view.refused.push(Refused { event_id: e.id.clone(), event: e.body.name(), reason: reason.to_string() })
            }
        }
    }
    if let Some(Fork { after, branches }) = linear.fork {
        let branches = branches
            .iter()
            .filter_map(|id| ours.iter().find(|e| &e.id == id))
            .map(|e| ConflictBranch {
                event_id: e.id.clone(),
                event: e.body.name(),
                author: e.author.clone(),
                certificate_number: match &e.body {
                    CertificateEvent::Issued { certificate } => Some(certificate.number.clone()),
                    _ => None,
                },
            })
            .collect();
        view.conflict = Some(Conflict { after, state: view.state, branches });
    }
    view
}

/// Checks an event against the case as it stands, without applying it:
/// the same check a device makes before writing and headquarters makes on
/// receiving.
pub fn check(view: &CaseView, e: &Event<CertificateEvent>, keys: &KeyRing) -> Result<RequestState, TransitionError> {
    e.verify(keys)?;
    if !e.body.allowed_roles().contains(&e.role) {
        return Err(TransitionError::WrongRole { event: e.body.name(), role: e.role });
    }
    if view.conflict.is_some() && !matches!(e.body, CertificateEvent::ConflictResolved { .. }) {
        return Err(TransitionError::InConflict);
    }
    let request = match &e.body {
        CertificateEvent::Updated { request } => Some(request.as_ref()),
        _ => view.request.as_ref(),
    };
    transition(view.state, &e.body, request)
}

/// Why headquarters does not admit an event to a case, beyond the checks of
/// [`check`]: where it attaches, or a resolution that resolves nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdmitError {
    /// The event's `prev` is not where the case may grow: its latest event
    /// (or, for an entry, the issuing event). Deliberately says nothing of
    /// the case, which may belong to another office.
    #[error("the event does not follow the case's latest event: sync, then record it again")]
    Detached,
    #[error("the event belongs to another case")]
    WrongCase,
    #[error("the case is not in conflict: there is nothing to resolve")]
    NotInConflict,
    #[error("the resolution must name the case's fork and keep one of its branches")]
    BadResolution,
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// The id of the event that issued the case's certificate, if one applied.
fn issuing_event(view: &CaseView) -> Option<&str> {
    view.history.iter().rev().find(|h| h.1 == "issued").map(|h| h.0.as_str())
}

/// Decides whether `e` may join the case made of `events` (headquarters'
/// copy), the rule every event must pass before it is stored:
///
/// - its signature, role and transition pass [`check`];
/// - it attaches where the fold says the case may grow: `Created` only as
///   the first event of an empty case; a resolution on the tip of the branch
///   it keeps; an entry on the issuing event (the border device knows only
///   that one, from the barcode; if the case moved on meanwhile, by a
///   revocation or another entry, the fork is a real one and stays a visible
///   conflict); every other event on the case's latest event.
///
/// An event anywhere else (a second root, an unknown or stale `prev`) would
/// fork the case at will, so it is refused, not stored.
pub fn admit(
    case_id: &str,
    events: &[Event<CertificateEvent>],
    e: &Event<CertificateEvent>,
    keys: &KeyRing,
) -> Result<(), AdmitError> {
    if e.case_id != case_id {
        return Err(AdmitError::WrongCase);
    }
    let view = fold(case_id, events, keys);
    match &e.body {
        CertificateEvent::Created { .. } => {
            if e.prev.is_some() || !events.is_empty() {
                return Err(AdmitError::Detached);
            }
            check(&view, e, keys)?;
        }
        CertificateEvent::ConflictResolved { after, keep, .. } => {
            e.verify(keys).map_err(TransitionError::from)?;
            if !e.body.allowed_roles().contains(&e.role) {
                return Err(TransitionError::WrongRole { event: e.body.name(), role: e.role }.into());
            }
            let conflict = view.conflict.as_ref().ok_or(AdmitError::NotInConflict)?;
            if &conflict.after != after || !conflict.branches.iter().any(|b| &b.event_id == keep) {
                return Err(AdmitError::BadResolution);
            }
            // With it, the fold must follow the kept branch to its tip and
            // apply the resolution there.
            if e.prev.as_deref() != resolution_prev(case_id, events, keys, after, keep).as_deref() {
                return Err(AdmitError::Detached);
            }
        }
        CertificateEvent::Entered { .. } => {
            let issued = issuing_event(&view).ok_or(AdmitError::Detached)?;
            if e.prev.as_deref() != Some(issued) {
                return Err(AdmitError::Detached);
            }
            if view.head.as_deref() == Some(issued) {
                check(&view, e, keys)?;
            } else {
                // A concurrent fork: checked as of the issuing event.
                let at_issue = CaseView { state: Some(RequestState::Issued), ..view.clone() };
                check(&at_issue, e, keys)?;
            }
        }
        _ => {
            if e.prev != view.head || (e.prev.is_none() && !events.is_empty()) {
                return Err(AdmitError::Detached);
            }
            check(&view, e, keys)?;
        }
    }
    Ok(())
}

/// Where a resolution keeping branch `keep` of the fork after `after` must
/// attach: the last event of that branch as the fold would follow it.
pub fn resolution_prev(
    case_id: &str,
    events: &[Event<CertificateEvent>],
    keys: &KeyRing,
    after: &str,
    keep: &str,
) -> Option<String> {
    let mut resolved: BTreeMap<String, String> = events
        .iter()
        .filter(|e| e.verify(keys).is_ok() && e.role == Role::Headquarters)
        .filter_map(|e| match &e.body {
            CertificateEvent::ConflictResolved { after, keep, .. } => Some((after.clone(), keep.clone())),
            _ => None,
        })
        .collect();
    resolved.insert(after.to_string(), keep.to_string());
    let ours: Vec<Event<CertificateEvent>> = events.iter().filter(|e| e.case_id == case_id).cloned().collect();
    linearize(&ours, &resolved).events.last().map(|e| e.id.clone())
}

fn apply(view: &mut CaseView, e: &Event<CertificateEvent>, keys: &KeyRing) -> Result<(), TransitionError> {
    let next = check(view, e, keys)?;
    match &e.body {
        CertificateEvent::Created { request } | CertificateEvent::Updated { request } => {
            view.request = Some((**request).clone())
        }
        CertificateEvent::Issued { certificate } => view.certificate = Some((**certificate).clone()),
        CertificateEvent::Entered { crossing_point, date } => view.entry = Some((crossing_point.clone(), *date)),
        CertificateEvent::Rejected { reason }
        | CertificateEvent::Cancelled { reason }
        | CertificateEvent::Revoked { reason } => view.last_note = Some(reason.clone()),
        CertificateEvent::MoreInformationRequested { question } => view.last_note = Some(question.clone()),
        _ => {}
    }
    view.state = Some(next);
    view.head = Some(e.id.clone());
    view.history.push((e.id.clone(), e.body.name(), e.author.clone(), e.role, e.hlc.wall_ms));
    Ok(())
}
