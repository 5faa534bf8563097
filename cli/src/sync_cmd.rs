//! `homeward enroll` and `homeward sync`, with a progress line.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use homeward_core::sync::{self, RetryPolicy, SyncProgress};
use homeward_core::vault::DeviceKeyStore;

use crate::output::{CliError, Output};

pub fn enroll(
    out: &Output,
    dir: &Path,
    ks: Option<&dyn DeviceKeyStore>,
    url: &str,
    code: &str,
    label: &str,
    pin: Option<&Path>,
) -> Result<(), CliError> {
    let pem = pin
        .map(std::fs::read_to_string)
        .transpose()
        .map_err(|e| CliError::Sync(sync::SyncError::BadPin(e.to_string())))?;
    let mut v = crate::open_unlocked(dir, ks)?;
    let r = sync::enroll_pinned(&mut v, url, code, label, pem.as_deref()).map_err(CliError::Sync)?;
    out.print(
        &format!("Enrolled as {} ({:?} at {}, device {})", r.device_id, r.role, r.office, r.device_no),
        &serde_json::json!({ "device_id": r.device_id, "role": r.role, "office": r.office, "device_no": r.device_no }),
    );
    Ok(())
}

pub fn sync(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    let json = out.json;
    let progress = move |p: &SyncProgress| {
        if !json {
            eprint!(
                "\r  sent {} events ({} bytes)  received {} events ({} bytes)   ",
                p.events_sent, p.bytes_sent, p.events_received, p.bytes_received
            );
            let _ = std::io::stderr().flush();
        }
    };
    let report =
        sync::sync(&mut v, RetryPolicy::default(), &progress, &AtomicBool::new(false)).map_err(CliError::Sync)?;
    if !json {
        eprintln!();
    }
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
    out.print(&text, &serde_json::to_value(&report).expect("serialises"));
    Ok(())
}
