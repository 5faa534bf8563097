//! The console's own tables, on either backend: staff accounts, sessions,
//! the read models kept up to date from the event log (cases, screening
//! aggregates, the audit index), drafts awaiting publication and the
//! sign-in log. Versioned apart from the sync tables (`console_schema`), so
//! the console's migrations never interleave with the server's.

use crate::db::{Db, DbResult};

/// Each migration is a list of statements; `{int}` is INTEGER on SQLite and
/// BIGINT on PostgreSQL (one Rust type reads both).
const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE console_staff (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        password_phc TEXT,
        totp_secret TEXT NOT NULL,
        totp_confirmed {int} NOT NULL DEFAULT 0,
        totp_last_step {int} NOT NULL DEFAULT 0,
        language TEXT NOT NULL DEFAULT 'en',
        disabled {int} NOT NULL DEFAULT 0,
        failures {int} NOT NULL DEFAULT 0,
        next_attempt_ms {int} NOT NULL DEFAULT 0,
        setup_hash TEXT,
        setup_expires_ms {int},
        created_ms {int} NOT NULL,
        created_by TEXT NOT NULL
     )",
        "CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_ms {int} NOT NULL,
        last_ms {int} NOT NULL,
        expires_ms {int} NOT NULL,
        address TEXT NOT NULL,
        agent TEXT NOT NULL,
        ended_ms {int}
     )",
        "CREATE INDEX console_sessions_by_staff ON console_sessions (staff_id, ended_ms)",
        "CREATE TABLE console_signins (
        at_ms {int} NOT NULL,
        username TEXT NOT NULL,
        outcome TEXT NOT NULL,
        address TEXT NOT NULL
     )",
        "CREATE INDEX console_signins_by_time ON console_signins (at_ms)",
        "CREATE TABLE console_cursor (name TEXT PRIMARY KEY, value {int} NOT NULL)",
        "CREATE TABLE console_cases (
        case_id TEXT PRIMARY KEY,
        office TEXT NOT NULL,
        state TEXT NOT NULL,
        waiting {int} NOT NULL,
        victim {int} NOT NULL,
        conflict {int} NOT NULL,
        sex TEXT NOT NULL,
        age_band TEXT NOT NULL,
        fee_waived {int} NOT NULL,
        month TEXT NOT NULL,
        created_ms {int} NOT NULL,
        submitted_ms {int},
        issued_ms {int},
        waiting_ms {int} NOT NULL,
        updated_ms {int} NOT NULL
     )",
        // The queue's orders: waiting for headquarters (both states), one state, one office.
        "CREATE INDEX console_cases_waiting ON console_cases (waiting, waiting_ms, case_id)",
        "CREATE INDEX console_cases_state ON console_cases (state, waiting_ms, case_id)",
        "CREATE INDEX console_cases_office ON console_cases (office, waiting, waiting_ms, case_id)",
        "CREATE INDEX console_cases_conflict ON console_cases (conflict, waiting_ms, case_id)",
        // Counts of cases for the statistics, kept as cases change.
        "CREATE TABLE console_case_counts (
        month TEXT NOT NULL,
        office TEXT NOT NULL,
        state TEXT NOT NULL,
        victim {int} NOT NULL,
        sex TEXT NOT NULL,
        age_band TEXT NOT NULL,
        fee_waived {int} NOT NULL,
        n {int} NOT NULL,
        PRIMARY KEY (month, office, state, victim, sex, age_band, fee_waived)
     )",
        "CREATE TABLE console_issue_hours (office TEXT NOT NULL, hours {int} NOT NULL, n {int} NOT NULL,
        PRIMARY KEY (office, hours))",
        "CREATE TABLE console_screening_last (
        screening_id TEXT PRIMARY KEY,
        month TEXT NOT NULL,
        crossing_point TEXT NOT NULL,
        verdict TEXT NOT NULL,
        child {int} NOT NULL,
        exploitation TEXT NOT NULL
     )",
        "CREATE TABLE console_screening_agg (
        month TEXT NOT NULL,
        crossing_point TEXT NOT NULL,
        verdict TEXT NOT NULL,
        child {int} NOT NULL,
        n {int} NOT NULL,
        PRIMARY KEY (month, crossing_point, verdict, child)
     )",
        "CREATE TABLE console_exploitation_agg (
        month TEXT NOT NULL,
        crossing_point TEXT NOT NULL,
        exploitation TEXT NOT NULL,
        child {int} NOT NULL,
        n {int} NOT NULL,
        PRIMARY KEY (month, crossing_point, exploitation, child)
     )",
        "CREATE TABLE console_audit (
        device TEXT NOT NULL,
        seq {int} NOT NULL,
        at_ms {int} NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        office TEXT NOT NULL,
        PRIMARY KEY (device, seq)
     )",
        "CREATE INDEX console_audit_time ON console_audit (at_ms, device, seq)",
        // Each filter reads its index in the page's order (newest first), with no sort.
        "CREATE INDEX console_audit_actor ON console_audit (actor, at_ms, device, seq)",
        "CREATE INDEX console_audit_action ON console_audit (action, at_ms, device, seq)",
        "CREATE INDEX console_audit_subject ON console_audit (subject_id, at_ms, device, seq)",
        "CREATE INDEX console_audit_office ON console_audit (office, at_ms, device, seq)",
        "CREATE INDEX console_audit_device ON console_audit (device, at_ms, seq)",
        "CREATE TABLE console_audit_cursor (device TEXT PRIMARY KEY, seq {int} NOT NULL)",
        "CREATE TABLE console_full_views (session_hash TEXT NOT NULL, case_id TEXT NOT NULL, until_ms {int} NOT NULL,
        PRIMARY KEY (session_hash, case_id))",
        "CREATE INDEX console_screenings_by_id ON screenings (screening_id, seq)",
        "CREATE TABLE console_drafts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_ms {int} NOT NULL
     )",
    ],
    // The sign-in throttle, shared by every server on the database.
    &[
        "CREATE TABLE console_throttle (
        address TEXT PRIMARY KEY,
        window_start {int} NOT NULL,
        attempts {int} NOT NULL
     )",
        "CREATE INDEX console_throttle_by_start ON console_throttle (window_start)",
    ],
];

/// Brings the console's tables up to date (idempotent; one migrator at a time).
pub fn migrate(db: &Db) -> DbResult<()> {
    let int = if db.backend_name() == "postgres" { "BIGINT" } else { "INTEGER" };
    db.tx(|s| {
        if db.backend_name() == "postgres" {
            s.query("SELECT pg_advisory_xact_lock(7240302)", &[])?;
        }
        s.exec("CREATE TABLE IF NOT EXISTS console_schema (version BIGINT NOT NULL)", &[])?;
        let v = s.one("SELECT COALESCE(MAX(version), 0) FROM console_schema", &[])?.map(|r| r[0].i()).transpose()?;
        for (i, statements) in MIGRATIONS.iter().enumerate().skip(v.unwrap_or(0) as usize) {
            for sql in *statements {
                s.exec(&sql.replace("{int}", int), &[])?;
            }
            s.exec("INSERT INTO console_schema (version) VALUES (?1)", &[((i + 1) as i64).into()])?;
        }
        // Second-factor secrets an older version stored in clear are sealed.
        let sealer = db.sealer()?;
        for r in s.query("SELECT id, totp_secret FROM console_staff", &[])? {
            let (id, secret) = (r[0].t()?, r[1].t()?);
            if !crate::at_rest::is_sealed(&secret) {
                let sealed = sealer.seal("console_staff", &id, &secret);
                s.exec(
                    "UPDATE console_staff SET totp_secret = ?1 WHERE id = ?2",
                    &[sealed.as_str().into(), id.as_str().into()],
                )?;
            }
        }
        Ok(())
    })
}
