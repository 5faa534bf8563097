//! `homeward enroll` and `homeward sync`, with a progress bar; Ctrl-C cancels.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use homeward_core::sync::{self, RetryPolicy, SyncProgress};
use homeward_core::vault::DeviceKeyStore;

use crate::output::{CliError, Output};

#[allow(clippy::too_many_arguments)]
pub fn enroll(
    out: &Output,
    dir: &Path,
    ks: Option<&dyn DeviceKeyStore>,
    url: &str,
    code: &str,
    label: &str,
    pin: Option<&Path>,
    public_pki: bool,
) -> Result<(), CliError> {
    let pem = pin
        .map(std::fs::read_to_string)
        .transpose()
        .map_err(|e| CliError::Sync(sync::SyncError::BadPin(e.to_string())))?;
    let mut v = crate::open_unlocked(dir, ks)?;
    let r = if public_pki {
        sync::enroll_public_pki(&mut v, url, code, label)
    } else {
        sync::enroll_pinned(&mut v, url, code, label, pem.as_deref())
    }
    .map_err(CliError::Sync)?;
    out.print(
        &format!("Enrolled as {} ({:?} at {}, device {})", r.device_id, r.role, r.office, r.device_no),
        &serde_json::json!({ "device_id": r.device_id, "role": r.role, "office": r.office, "device_no": r.device_no }),
    );
    Ok(())
}

pub fn sync(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    let json = out.json;
    let to_send = homeward_core::certificate::CertificateCases::new(&mut v).outbox().map_err(CliError::Case)?.len()
        + homeward_core::screening::ScreeningEvents::new(&mut v).outbox().map_err(CliError::Case)?.len();
    let progress = move |p: &SyncProgress| {
        if !json {
            eprint!("\r  {}   ", progress_line(p, to_send as u64));
            let _ = std::io::stderr().flush();
        }
    };
    // Ctrl-C stops between requests; what was done so far is kept.
    CANCEL.store(false, Ordering::SeqCst);
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t);
    }
    let result = sync::sync(&mut v, RetryPolicy::default(), &progress, &CANCEL);
    // SAFETY: restores the default disposition.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
    }
    if !json {
        eprintln!();
    }
    let report = result.map_err(CliError::Sync)?;
    let mut text = format!(
        "Synced: {} accepted, {} already held, {} rejected; {} received{}{}",
        report.accepted,
        report.duplicates,
        report.rejected.len(),
        report.progress.events_received,
        if report.trust_list_updated { "; trust list updated" } else { "" },
        if report.revocations_updated { "; revocation list updated" } else { "" },
    );
    for (id, reason) in &report.rejected {
        text.push_str(&format!("\n  REJECTED {id}: {reason} (kept on this device)"));
    }
    if report.forwarded > 0 || !report.forward_refused.is_empty() {
        text.push_str(&format!(
            "\n  Carried bundles: {} taken by headquarters, {} refused (`homeward forward list`)",
            report.forwarded,
            report.forward_refused.len()
        ));
    }
    for (id, reason) in &report.forward_refused {
        text.push_str(&format!("\n  REFUSED bundle {id}: {reason}"));
    }
    if report.receipts_applied > 0 {
        text.push_str(&format!(
            "\n  {} bundle(s) exported here were delivered by a colleague: their events were not sent again",
            report.receipts_applied
        ));
    }
    if report.rollback_detected {
        text.push_str(
            "\n  WARNING: this device's data was restored from an older copy. Headquarters has been told; \
             anything made here after that copy and never synced is lost. Tell your supervisor.",
        );
    }
    if let Some(n) = report.restore_items {
        text.push_str(&format!(
            "\n  {n} case(s) or screening(s) made after that copy had reached headquarters; which, and what came back: `homeward restore-report`"
        ));
    }
    out.print(&text, &crate::output::to_json(&report));
    Ok(())
}

fn restore_error(e: homeward_core::sync::restore::RestoreError) -> CliError {
    use homeward_core::sync::restore::RestoreError as R;
    match e {
        R::Vault(v) => CliError::Vault(v),
        R::Case(c) => CliError::Case(c),
        R::Audit(a) => a.into(),
        other => CliError::Input(other.to_string()),
    }
}

/// What a restore from an older copy lost; `--acknowledge` clears the
/// alert (audited, with HOMEWARD_OFFICER as the actor).
pub fn restore_report(
    out: &Output,
    dir: &Path,
    ks: Option<&dyn DeviceKeyStore>,
    acknowledge: bool,
) -> Result<(), CliError> {
    use homeward_core::sync::restore;
    let mut v = crate::open_unlocked(dir, ks)?;
    let now = homeward_core::vault::Clock::now_unix_ms(&homeward_core::vault::SystemClock);
    let report = if acknowledge {
        Some(restore::acknowledge(&mut v, crate::dataprot_cmd::officer(), now).map_err(restore_error)?)
    } else {
        restore::report(&mut v).map_err(restore_error)?
    };
    let Some(r) = report else {
        out.print("No restore from an older copy was found.", &serde_json::json!({ "report": null }));
        return Ok(());
    };
    let day = |ms: i64| homeward_core::date::IsoDate::from_unix_ms(ms).to_string();
    let mut text = format!(
        "Restored from an older copy (found {}). Headquarters holds these, made after the copy; this device had lost them:",
        day(r.detected_ms)
    );
    for i in &r.items {
        let kind = match i.kind {
            homeward_core::sync::protocol::ItemKind::CertificateCase => "case",
            homeward_core::sync::protocol::ItemKind::Screening => "screening",
        };
        let back = if i.recovered { "  (back on this device from headquarters)" } else { "  (only at headquarters)" };
        text.push_str(&format!("\n  {kind} {}  made {}{back}", i.id, day(i.made_ms)));
    }
    if r.items.is_empty() {
        text.push_str("\n  (none)");
    }
    text.push_str(&match r.acknowledged_ms {
        Some(ms) => format!("\nAcknowledged {}.", day(ms)),
        None => "\nAcknowledge with `homeward restore-report --acknowledge`.".into(),
    });
    out.print(&text, &serde_json::json!({ "report": r }));
    Ok(())
}

/// Enters headquarters' unlock code; audited.
pub fn unlock_code(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, code: &str) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    let now = homeward_core::vault::Clock::now_unix_ms(&homeward_core::vault::SystemClock);
    use homeward_core::audit::AuditAction;
    use homeward_core::certificate::{CaseError, DeviceProfile};
    let result = DeviceProfile::enter_unlock_code_in(&mut v, code, now);
    // A wrong code goes on the trail too: headquarters sees guessing.
    let action = match &result {
        Ok(()) => Some(AuditAction::Unlock),
        Err(CaseError::BadUnlockCode { .. }) => Some(AuditAction::UnlockRefused),
        Err(_) => None,
    };
    if let Some(action) = action {
        homeward_core::audit::AuditLog::new(&mut v)
            .append(now, homeward_core::audit::AuditFact::new(action, homeward_core::audit::Subject::device()))?;
    }
    result.map_err(CliError::Case)?;
    let days = homeward_core::checkin::GRACE_DAYS;
    out.print(
        &format!("Unlocked for {days} days. Sync as soon as a link is available."),
        &serde_json::json!({ "unlocked_days": days }),
    );
    Ok(())
}

static CANCEL: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    CANCEL.store(true, Ordering::SeqCst);
}

/// `[########------------]  120/450 sent (38 KB)  received 12 (4 KB)`
fn progress_line(p: &SyncProgress, to_send: u64) -> String {
    const WIDTH: u64 = 24;
    let done = (p.events_sent.min(to_send) * WIDTH).checked_div(to_send).unwrap_or(WIDTH);
    format!(
        "[{}{}] {:>5}/{} sent ({} KB)  received {} ({} KB)",
        "#".repeat(done as usize),
        "-".repeat((WIDTH - done) as usize),
        p.events_sent,
        to_send,
        p.bytes_sent.div_ceil(1024),
        p.events_received,
        p.bytes_received.div_ceil(1024)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_fills_with_what_was_sent() {
        let p = |sent| SyncProgress { events_sent: sent, bytes_sent: 2048, ..Default::default() };
        assert!(progress_line(&p(0), 100).starts_with("[------------------------]"));
        assert!(progress_line(&p(50), 100).starts_with("[############------------]"));
        assert!(progress_line(&p(100), 100).starts_with("[########################]"));
        assert!(progress_line(&p(0), 0).starts_with("[########################]"), "nothing to send is done");
        assert!(progress_line(&p(100), 100).contains("100/100 sent (2 KB)"));
    }
}
