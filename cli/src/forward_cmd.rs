//! Store and forward on a terminal (docs/PROTOCOL.md, "Store and forward"):
//! a post without a link exports what waits to sync as a sealed bundle (a
//! file, or QR frames); a colleague's device of the same office imports it
//! and forwards it at its own sync; headquarters' receipts come back the
//! same way. The bundle is sealed to headquarters: nothing here reads it.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use homeward_core::audit::{AuditAction, SubjectKind};
use homeward_core::forward::{self, frames, CarriedState, ForwardBundle, ForwardFile};
use homeward_core::vault::{DeviceKeyStore, Vault};

use crate::dataprot_cmd::now_ms;
use crate::output::{CliError, Output};

/// Frames a second a phone screen shows and a camera reads (the figure in
/// docs/PERFORMANCE.md is at this rate).
const FRAMES_PER_SECOND: f64 = 5.0;

#[derive(Subcommand)]
pub enum ForwardCmd {
    /// Export what waits to sync as one bundle sealed to headquarters:
    /// to a file (--out), to QR frames as text, one a line (--frames), or
    /// as PNG images to show one after another (--qr-dir). The events stay
    /// here until headquarters' receipt comes back.
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        frames: Option<PathBuf>,
        #[arg(long)]
        qr_dir: Option<PathBuf>,
        /// Repair frames beyond the bundle's own, in percent of them (a
        /// reader missing up to about that share still completes in one pass).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(0..=400))]
        repair_percent: u32,
    },
    /// Import a bundle to carry (or receipts carried back for bundles this
    /// device made): from a file, from QR frames as text (--frames, any
    /// order, some missing), or from PNG images of the frames (--qr-dir).
    Import {
        file: Option<PathBuf>,
        #[arg(long, conflicts_with = "file")]
        frames: Option<PathBuf>,
        #[arg(long, conflicts_with_all = ["file", "frames"])]
        qr_dir: Option<PathBuf>,
    },
    /// Pass a bundle this device carries on to another carrier (a relay over
    /// several hops), as a file or QR frames; it stays here too, and
    /// headquarters takes it once from whichever arrives first.
    PassOn {
        bundle_id: String,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        frames: Option<PathBuf>,
        #[arg(long)]
        qr_dir: Option<PathBuf>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(0..=400))]
        repair_percent: u32,
    },
    /// The bundles this device carries (with headquarters' answer) and those
    /// it made that wait for a receipt.
    List,
    /// Write the receipts headquarters gave for bundles this device carried,
    /// to hand back to the devices that made them.
    Receipts {
        #[arg(long)]
        out: PathBuf,
    },
}

impl From<forward::ForwardError> for CliError {
    fn from(e: forward::ForwardError) -> Self {
        use forward::ForwardError as F;
        match e {
            F::Vault(v) => CliError::Vault(v),
            F::Case(homeward_core::certificate::CaseError::Vault(v)) => CliError::Vault(v),
            F::Case(c) => CliError::Case(c),
            other => CliError::Forward(other),
        }
    }
}

pub fn forward_cmd(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: ForwardCmd) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    match cmd {
        ForwardCmd::Export { out: file, frames, qr_dir, repair_percent } => {
            let to = Destinations { file, frames, qr_dir, repair_percent };
            to.check()?;
            let bundle = forward::export(&mut v, now_ms())?;
            // Sealed, but still the device's data leaving it: on the audit trail.
            crate::dataprot_cmd::audit(&mut v, AuditAction::Export, SubjectKind::Device, "", None)?;
            let text = format!("Bundle {} sealed to headquarters: {} event(s).", bundle.bundle_id, bundle.events);
            to.write(out, &bundle, text, "\n  The events stay on this device until headquarters' receipt comes back.")
        }
        ForwardCmd::PassOn { bundle_id, out: file, frames, qr_dir, repair_percent } => {
            let to = Destinations { file, frames, qr_dir, repair_percent };
            to.check()?;
            let bundle = forward::carried_bundle(&v, &bundle_id)?;
            let text = format!(
                "Bundle {} from device {} passed on ({} event(s), sealed).",
                bundle.bundle_id, bundle.sender_device, bundle.events
            );
            to.write(
                out,
                &bundle,
                text,
                "\n  It stays here too: headquarters takes it once, from whichever carrier syncs first.",
            )
        }
        ForwardCmd::Import { file, frames, qr_dir } => import(out, &mut v, file, frames, qr_dir),
        ForwardCmd::List => list(out, &v),
        ForwardCmd::Receipts { out: file } => {
            let receipts = forward::receipts_held(&v)?;
            write_new(&file, &crate::output::to_json_text(&serde_json::json!({ "receipts": receipts })))?;
            out.print(
                &format!(
                    "{} receipt(s) written to {}: hand them back to the devices that made the bundles.",
                    receipts.len(),
                    file.display()
                ),
                &serde_json::json!({ "receipts": receipts.len(), "file": file }),
            );
            Ok(())
        }
    }
}

/// Where a bundle goes: a file, QR frames as text, QR images.
struct Destinations {
    file: Option<PathBuf>,
    frames: Option<PathBuf>,
    qr_dir: Option<PathBuf>,
    repair_percent: u32,
}

impl Destinations {
    fn check(&self) -> Result<(), CliError> {
        if self.file.is_none() && self.frames.is_none() && self.qr_dir.is_none() {
            return Err(CliError::Input("say where the bundle goes: --out FILE, --frames FILE or --qr-dir DIR".into()));
        }
        Ok(())
    }

    fn write(&self, out: &Output, bundle: &ForwardBundle, mut text: String, note: &str) -> Result<(), CliError> {
        let mut json = serde_json::json!({
            "bundle_id": bundle.bundle_id,
            "sender_device": bundle.sender_device,
            "events": bundle.events,
            "bytes": bundle.to_cbor().len(),
        });
        if let Some(f) = &self.file {
            write_new(f, &bundle.to_json())?;
            text.push_str(&format!("\n  file: {}", f.display()));
            json["file"] = serde_json::json!(f);
        }
        if self.frames.is_some() || self.qr_dir.is_some() {
            let all = frames::encode(bundle, self.repair_percent);
            let needed = frames::source_frames(bundle);
            if let Some(f) = &self.frames {
                write_new(f, &(all.join("\n") + "\n"))?;
                text.push_str(&format!("\n  frames: {}", f.display()));
                json["frames_file"] = serde_json::json!(f);
            }
            if let Some(d) = &self.qr_dir {
                write_pngs(d, &all)?;
                text.push_str(&format!("\n  QR images: {}", d.display()));
                json["qr_dir"] = serde_json::json!(d);
            }
            let seconds = all.len() as f64 / FRAMES_PER_SECOND;
            text.push_str(&format!(
                "\n  {} QR frames ({} needed, in any order); one pass takes {seconds:.0} s at 5 frames a second",
                all.len(),
                needed
            ));
            json["frames"] = all.len().into();
            json["frames_needed"] = needed.into();
            json["seconds_per_pass"] = seconds.into();
        }
        text.push_str(note);
        out.print(&text, &json);
        Ok(())
    }
}

/// Writes `text` to a file that must not exist yet (a bundle or receipts
/// file is never overwritten by mistake), readable by the owner only.
fn write_new(path: &Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path).map_err(|e| CliError::Input(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

fn write_pngs(dir: &Path, all: &[String]) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)?;
    for (i, f) in all.iter().enumerate() {
        let qr = homeward_core::certificate::qr_matrix(f)
            .map_err(|e| CliError::Input(format!("a frame does not fit a QR code: {e}")))?;
        std::fs::write(dir.join(format!("frame-{:04}.png", i + 1)), crate::qr_image::to_png(&qr, 4))?;
    }
    Ok(())
}

fn import(
    out: &Output,
    v: &mut Vault,
    file: Option<PathBuf>,
    frames_file: Option<PathBuf>,
    qr_dir: Option<PathBuf>,
) -> Result<(), CliError> {
    let parsed = match (file, frames_file, qr_dir) {
        (Some(f), None, None) => {
            let bytes = std::fs::read(&f).map_err(|e| CliError::Input(format!("cannot read {}: {e}", f.display())))?;
            ForwardFile::parse(&bytes)?
        }
        (None, Some(f), None) => {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", f.display())))?;
            ForwardFile::Bundle(Box::new(collect(
                text.lines().map(|l| l.to_string()).filter(|l| !l.trim().is_empty()),
            )?))
        }
        (None, None, Some(d)) => ForwardFile::Bundle(Box::new(collect(read_pngs(&d)?.into_iter())?)),
        _ => return Err(CliError::Input("give a FILE, --frames FILE or --qr-dir DIR".into())),
    };
    match parsed {
        ForwardFile::Bundle(b) => {
            let i = forward::import(v, *b, now_ms())?;
            out.print(
                &format!(
                    "Bundle {} from device {} taken ({} event(s), sealed: not readable here). It goes to headquarters at this device's next sync.",
                    i.bundle_id, i.sender_device, i.events
                ),
                &crate::output::to_json(&i),
            );
        }
        ForwardFile::Receipts { receipts } => {
            let mut total = forward::Applied::default();
            let mut applied = 0;
            for r in &receipts {
                match forward::apply_receipt(v, r) {
                    Ok(a) => {
                        applied += u64::from(a.ignored == 0);
                        total.accepted += a.accepted;
                        total.duplicates += a.duplicates;
                        total.ignored += a.ignored;
                        total.rejected.extend(a.rejected);
                    }
                    // Receipts for the bundles of other devices travel in the
                    // same file: those are not this device's to apply.
                    Err(forward::ForwardError::NotOurs) => total.ignored += 1,
                    Err(e) => return Err(e.into()),
                }
            }
            let mut text = format!(
                "{applied} receipt(s) applied: {} accepted, {} already held, {} rejected; {} not for this device or already applied.",
                total.accepted,
                total.duplicates,
                total.rejected.len(),
                total.ignored
            );
            for (id, reason) in &total.rejected {
                text.push_str(&format!("\n  REJECTED {id}: {reason} (kept on this device)"));
            }
            let mut json = crate::output::to_json(&total);
            json["applied"] = applied.into();
            out.print(&text, &json);
        }
    }
    Ok(())
}

/// Feeds frames to a collector in the order read; stops once the bundle decodes.
fn collect(frames_read: impl Iterator<Item = String>) -> Result<ForwardBundle, CliError> {
    let mut c = frames::FrameCollector::new();
    for f in frames_read {
        if c.push(&f).map_err(forward::ForwardError::from)? {
            break;
        }
    }
    Ok(c.finish().map_err(forward::ForwardError::from)?)
}

fn read_pngs(dir: &Path) -> Result<Vec<String>, CliError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("png")))
        .collect();
    paths.sort();
    let mut texts = Vec::new();
    for p in paths {
        let bytes = std::fs::read(&p)?;
        let found = crate::qr_image::read_qr(&bytes).map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?;
        texts.extend(found);
    }
    Ok(texts)
}

fn list(out: &Output, v: &Vault) -> Result<(), CliError> {
    let carried = forward::carried(v)?;
    let waiting = forward::unreceipted(v)?;
    let mut text = format!("Carried for other devices: {}", carried.len());
    let mut rows = Vec::new();
    for (_, c) in &carried {
        let (state, detail) = match &c.state {
            CarriedState::Pending => ("pending", "goes at the next sync".to_string()),
            CarriedState::Delivered { .. } => ("delivered", "headquarters' receipt held: `forward receipts`".into()),
            CarriedState::Refused { reason, message } => ("refused", format!("{reason}: {message}")),
        };
        text.push_str(&format!(
            "\n  {} from {} ({} event(s)): {state}, {detail}",
            c.bundle_id, c.sender_device, c.events
        ));
        rows.push(serde_json::json!({
            "bundle_id": c.bundle_id,
            "sender_device": c.sender_device,
            "events": c.events,
            "state": state,
            "detail": detail,
        }));
    }
    text.push_str(&format!("\nMade here, waiting for headquarters' receipt: {}", waiting.len()));
    for (_, e) in &waiting {
        text.push_str(&format!("\n  {} ({} event(s))", e.bundle_id, e.event_ids.len()));
    }
    out.print(
        &text,
        &serde_json::json!({
            "carried": rows,
            "waiting_for_receipt": waiting.iter().map(|(_, e)| serde_json::json!({
                "bundle_id": e.bundle_id,
                "events": e.event_ids.len(),
                "created_ms": e.created_ms,
            })).collect::<Vec<_>>(),
        }),
    );
    Ok(())
}
