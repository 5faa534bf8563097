//! The referral directory on a terminal: what the device holds (with its
//! age), the partners a screening's outcome points to, and installing a
//! signed directory carried by hand to a post without a link.

use std::path::PathBuf;

use clap::Subcommand;
use homeward_core::certificate::trust::{sign_list, Signed};
use homeward_core::certificate::DeviceProfile;
use homeward_core::directory::{self, Partner, ReferralDirectory, DIRECTORY_DOMAIN};
use homeward_core::referral;
use homeward_core::screening::default_checklist;
use homeward_core::vault::DeviceKeyStore;

use crate::dataprot_cmd::now_ms;
use crate::output::{CliError, Output};

#[derive(Subcommand)]
pub enum DirectoryCmd {
    /// The partners this device may refer to, with the directory's age; with
    /// --screening, only those its outcome's recommended actions point to
    /// (for a child, only partners serving children).
    List {
        #[arg(long)]
        screening: Option<String>,
    },
    /// Install a signed directory from a file (`homeward-hq directory export`),
    /// for a post that cannot sync: checked against headquarters' root.
    Install {
        file: PathBuf,
        /// Training only: FILE is an unsigned directory (`{"partners": [...]}`),
        /// signed here by the training headquarters key of `device init --training-hq`.
        #[arg(long)]
        training: bool,
    },
}

#[derive(serde::Deserialize)]
struct Unsigned {
    partners: Vec<Partner>,
}

fn partner_json(p: &Partner) -> serde_json::Value {
    serde_json::to_value(p).expect("a partner serialises")
}

fn partner_line(p: &Partner) -> String {
    let services: Vec<String> = p
        .services
        .iter()
        .map(|s| serde_json::to_value(s).expect("serialises").as_str().unwrap_or_default().replace('_', " "))
        .collect();
    let reach = p.contact.phone.as_deref().or(p.contact.email.as_deref()).unwrap_or("-");
    format!(
        "  {:<20} {}\n  {:<20} {} · {} · {} · {}",
        p.id,
        p.name,
        "",
        services.join(", "),
        p.regions.join(", "),
        p.hours,
        reach
    )
}

pub fn directory_cmd(
    out: &Output,
    dir: &std::path::Path,
    ks: Option<&dyn DeviceKeyStore>,
    cmd: DirectoryCmd,
) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    match cmd {
        DirectoryCmd::List { screening } => {
            let held = referral::held_directory(&v)?;
            let age = held.age_days(now_ms());
            let partners: Vec<Partner> = match &screening {
                None => held.partners.clone(),
                Some(id) => {
                    let id = crate::dataprot_cmd::parse_id(id)?;
                    referral::partners_for_screening(&mut v, &default_checklist(), id)?
                }
            };
            let mut text = format!(
                "Referral directory {} ({age} day{} old){}:",
                held.sequence,
                if age == 1 { "" } else { "s" },
                if screening.is_some() { ", the partners this outcome points to" } else { "" }
            );
            if partners.is_empty() {
                text.push_str("\n  (none)");
            }
            for p in &partners {
                text.push('\n');
                text.push_str(&partner_line(p));
            }
            out.print(
                &text,
                &serde_json::json!({
                    "sequence": held.sequence,
                    "age_days": age,
                    "partners": partners.iter().map(partner_json).collect::<Vec<_>>(),
                }),
            );
            Ok(())
        }
        DirectoryCmd::Install { file, training } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
            let mut profile = DeviceProfile::load(&v).map_err(CliError::Case)?;
            let held = profile.directory.as_ref().map(|d| d.body.sequence).unwrap_or(0);
            let signed: Signed<ReferralDirectory> = if training {
                let hq = profile.training_headquarters().ok_or_else(|| {
                    CliError::Input("no training headquarters key here (`device init --training-hq`)".into())
                })?;
                let unsigned: Unsigned = serde_json::from_str(&text)
                    .map_err(|e| CliError::Input(format!("{}: not a referral directory: {e}", file.display())))?;
                let body =
                    ReferralDirectory { sequence: held + 1, published_ms: now_ms(), partners: unsigned.partners };
                sign_list(DIRECTORY_DOMAIN, &body, &hq)
            } else {
                serde_json::from_str(&text)
                    .map_err(|e| CliError::Input(format!("{}: not a signed referral directory: {e}", file.display())))?
            };
            directory::check(&profile.trust, &signed, held).map_err(referral::ReferralError::from)?;
            let (sequence, n) = (signed.body.sequence, signed.body.partners.len());
            profile.directory = Some(signed);
            profile.save(&mut v).map_err(CliError::Case)?;
            out.print(
                &format!("Referral directory {sequence} installed ({n} partners)."),
                &serde_json::json!({ "sequence": sequence, "partners": n }),
            );
            Ok(())
        }
    }
}
