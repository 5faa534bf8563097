//! Server-side sessions in headquarters' own database (either backend).
//! The browser holds only a random 256-bit token in a `__Host-` cookie;
//! the database holds its SHA-256, so a copy of the table opens no session.
//! Each session has its own CSRF token, an idle and an absolute timeout,
//! and a stage: password checked (waiting for the second factor), or full.

use base64::Engine;

use super::staff::{random_bytes, token_hash};
use crate::db::{Db, DbResult};

pub const COOKIE: &str = "__Host-hw_session";
/// Pre-sign-in double-submit token (the sign-in and setup forms).
pub const PRE_COOKIE: &str = "__Host-hw_pre";
pub const LANG_COOKIE: &str = "__Host-hw_lang";

/// How long a half-finished sign-in (password done, code not yet) lives.
const SECOND_FACTOR_MS: i64 = 5 * 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password checked; the TOTP code is next.
    SecondFactor,
    /// Password checked; the account has no confirmed second factor yet:
    /// show the QR code and take a first code.
    EnrolSecondFactor,
    Full,
}

impl Stage {
    fn code(self) -> &'static str {
        match self {
            Stage::SecondFactor => "second_factor",
            Stage::EnrolSecondFactor => "enrol_second_factor",
            Stage::Full => "full",
        }
    }
    fn parse(s: &str) -> Option<Stage> {
        [Stage::SecondFactor, Stage::EnrolSecondFactor, Stage::Full].into_iter().find(|x| x.code() == s)
    }
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id_hash: String,
    pub staff_id: String,
    pub stage: Stage,
    pub csrf: String,
    pub created_ms: i64,
    pub last_ms: i64,
    pub address: String,
    pub agent: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

impl Default for Timeouts {
    /// 30 minutes idle, 12 hours in all (ASVS 3.3: a working day, then sign in again).
    fn default() -> Self {
        Timeouts { idle_ms: 30 * 60_000, absolute_ms: 12 * 3_600_000 }
    }
}

pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A new session; returns the token for the cookie.
pub fn create(
    db: &Db,
    staff_id: &str,
    stage: Stage,
    address: &str,
    agent: &str,
    now_ms: i64,
    t: Timeouts,
) -> DbResult<String> {
    let token = new_token();
    let expires = if stage == Stage::Full { now_ms + t.absolute_ms } else { now_ms + SECOND_FACTOR_MS };
    let agent: String = agent.chars().filter(|c| !c.is_control()).take(160).collect();
    db.tx(|s| {
        s.exec(
            "INSERT INTO console_sessions (id_hash, staff_id, stage, csrf, created_ms, last_ms, expires_ms, address, agent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8)",
            &[
                token_hash(&token).as_str().into(),
                staff_id.into(),
                stage.code().into(),
                new_token().as_str().into(),
                now_ms.into(),
                expires.into(),
                address.into(),
                agent.as_str().into(),
            ],
        )
        .map(|_| ())
    })?;
    Ok(token)
}

/// Why a session is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// No cookie, an unknown token, or one ended by sign-out or by an administrator.
    None,
    /// It was there but timed out.
    Expired,
}

/// The live session for `token`; touches it (at most once a minute, to
/// keep writes down) so the idle timeout counts from the last request.
pub fn lookup(db: &Db, token: &str, now_ms: i64, t: Timeouts) -> DbResult<Result<SessionRow, Gone>> {
    let h = token_hash(token);
    db.tx(|s| {
        let Some(r) = s.one(
            "SELECT id_hash, staff_id, stage, csrf, created_ms, last_ms, expires_ms, address, agent, ended_ms FROM console_sessions WHERE id_hash = ?1",
            &[h.as_str().into()],
        )?
        else {
            return Ok(Err(Gone::None));
        };
        if r[9].oi()?.is_some() {
            return Ok(Err(Gone::None));
        }
        let row = SessionRow {
            id_hash: r[0].t()?,
            staff_id: r[1].t()?,
            stage: Stage::parse(&r[2].t()?).unwrap_or(Stage::SecondFactor),
            csrf: r[3].t()?,
            created_ms: r[4].i()?,
            last_ms: r[5].i()?,
            address: r[7].t()?,
            agent: r[8].t()?,
        };
        let expires = r[6].i()?;
        let idle_over = row.stage == Stage::Full && now_ms - row.last_ms > t.idle_ms;
        if now_ms >= expires || idle_over {
            s.exec("UPDATE console_sessions SET ended_ms = ?1 WHERE id_hash = ?2", &[now_ms.into(), h.as_str().into()])?;
            return Ok(Err(Gone::Expired));
        }
        if now_ms - row.last_ms > 60_000 {
            s.exec("UPDATE console_sessions SET last_ms = ?1 WHERE id_hash = ?2", &[now_ms.into(), h.as_str().into()])?;
        }
        Ok(Ok(row))
    })
}

pub fn end(db: &Db, id_hash: &str, now_ms: i64) -> DbResult<()> {
    db.tx(|s| {
        s.exec(
            "UPDATE console_sessions SET ended_ms = ?1 WHERE id_hash = ?2 AND ended_ms IS NULL",
            &[now_ms.into(), id_hash.into()],
        )
        .map(|_| ())
    })
}

/// Ends one of a person's own sessions (by its hash's first characters,
/// which is what the page shows): false if it is not theirs.
pub fn end_own(db: &Db, staff_id: &str, id_hash: &str, now_ms: i64) -> DbResult<bool> {
    db.tx(|s| {
        s.exec(
            "UPDATE console_sessions SET ended_ms = ?1 WHERE id_hash = ?2 AND staff_id = ?3 AND ended_ms IS NULL",
            &[now_ms.into(), id_hash.into(), staff_id.into()],
        )
        .map(|n| n == 1)
    })
}

/// Ends every session of a person (sign-out everywhere, a disabled account,
/// a changed password).
pub fn end_all(db: &Db, staff_id: &str, now_ms: i64) -> DbResult<u64> {
    db.tx(|s| {
        s.exec(
            "UPDATE console_sessions SET ended_ms = ?1 WHERE staff_id = ?2 AND ended_ms IS NULL",
            &[now_ms.into(), staff_id.into()],
        )
    })
}

/// A person's live sessions, newest first.
pub fn live(db: &Db, staff_id: &str, now_ms: i64, t: Timeouts) -> DbResult<Vec<SessionRow>> {
    db.tx(|s| {
        let rows = s.query(
            "SELECT id_hash, staff_id, stage, csrf, created_ms, last_ms, address, agent FROM console_sessions
             WHERE staff_id = ?1 AND ended_ms IS NULL AND stage = 'full' AND expires_ms > ?2 AND last_ms > ?3
             ORDER BY last_ms DESC",
            &[staff_id.into(), now_ms.into(), (now_ms - t.idle_ms).into()],
        )?;
        rows.iter()
            .map(|r| {
                Ok(SessionRow {
                    id_hash: r[0].t()?,
                    staff_id: r[1].t()?,
                    stage: Stage::Full,
                    csrf: String::new(),
                    created_ms: r[4].i()?,
                    last_ms: r[5].i()?,
                    address: r[6].t()?,
                    agent: r[7].t()?,
                })
            })
            .collect()
    })
}

/// `Set-Cookie` for a token: host-only, every path, TLS only, no script
/// access, never sent on a cross-site request.
pub fn set_cookie(name: &str, value: &str) -> String {
    format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

pub fn clear_cookie(name: &str) -> String {
    format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
