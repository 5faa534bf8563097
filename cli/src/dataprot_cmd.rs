//! Data protection on a terminal: the audit trail, referrals and their
//! packages, the duress passphrase, retention and the statistics export.
//! Audit entries for views and changes are written here, in the command
//! layer, through [`audit`]: the core stores stay as they are and each
//! command says what it showed or changed (docs/SECURITY.md, "Audit trail").

use homeward_core::date::Today;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use homeward_core::audit::{self, AuditAction, AuditFact, AuditLog, Subject, SubjectKind, ViewKind};
use homeward_core::certificate::DeviceProfile;
use homeward_core::date::IsoDate;
use homeward_core::export::Statistics;
use homeward_core::referral::{self, DataCategory, PartnerSecretKey, ReferralPackage};
use homeward_core::retention;
use homeward_core::screening::{default_checklist, ConsentGiver, ReferralBasis, ReferralConsent, ScreeningRecords};
use homeward_core::vault::{DeviceKeyStore, RecordId, Vault};

use crate::output::{CliError, Output};

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The officer acting, for the audit trail (HOMEWARD_OFFICER; the shells
/// will pass the signed-in officer's id).
pub fn officer() -> Option<String> {
    std::env::var("HOMEWARD_OFFICER").ok().filter(|s| !s.trim().is_empty())
}

/// Writes one audit entry about `id` (an opaque id) for this command.
pub fn audit(
    v: &mut Vault,
    action: AuditAction,
    kind: SubjectKind,
    id: &str,
    why: Option<&str>,
) -> Result<(), CliError> {
    let mut fact = AuditFact::new(action, Subject::new(kind, id)).justified(why);
    fact.actor = officer();
    AuditLog::new(v).append(now_ms(), fact)?;
    Ok(())
}

/// A full record opens only with a reason; the view is then audited with it.
pub fn sensitive_view(v: &mut Vault, kind: SubjectKind, id: &str, why: Option<&str>) -> Result<(), CliError> {
    AuditLog::new(v).record_view(now_ms(), Subject::new(kind, id), why, officer())?;
    Ok(())
}

/// Refuses before anything is read when a full view has no reason.
pub fn check_reason(why: Option<&str>) -> Result<(), CliError> {
    Ok(audit::check_view(ViewKind::FullRecord, why).map_err(homeward_core::audit::AuditLogError::from)?)
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Every audit entry held here (opaque ids only), oldest first.
    List {
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        since: u64,
    },
    /// Check the chain: a deleted, altered, reordered or inserted entry is an error.
    Verify,
}

#[derive(Subcommand)]
pub enum ReferralCmd {
    /// Partner side (and tests): make a partner key pair; the secret goes to
    /// --out (mode 600), the public key is printed.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Record a consent (or a legal override) to share a screening's data.
    Consent {
        screening: String,
        #[arg(long)]
        partner: String,
        #[arg(long)]
        purpose: String,
        /// Given by a parent or guardian (a child).
        #[arg(long)]
        guardian: bool,
        /// A legal override instead of consent: the authority that decided.
        #[arg(long, requires_all = ["reason", "decided_by"])]
        override_authority: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        decided_by: Option<String>,
        /// The override is a best-interests decision for a child.
        #[arg(long)]
        best_interests: bool,
        /// Date given (default today).
        #[arg(long)]
        on: Option<IsoDate>,
    },
    /// Revoke a consent from a date (default today); the record stays.
    Revoke {
        screening: String,
        consent: String,
        #[arg(long)]
        on: Option<IsoDate>,
    },
    /// Refer to a partner the referral directory lists (`homeward directory
    /// list --screening ID`): checks consent, writes the package sealed to
    /// the key the directory publishes for that partner.
    Create {
        screening: String,
        /// The partner's id in the directory, e.g. iom-bishkek.
        #[arg(long)]
        partner: String,
        #[arg(long)]
        purpose: String,
        /// Comma-separated: identity, screening.
        #[arg(long, value_delimiter = ',', default_value = "identity,screening")]
        categories: Vec<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        officer: Option<String>,
    },
    /// Partner side (and tests): open a package with the partner's secret key.
    Open {
        package: PathBuf,
        #[arg(long)]
        key: PathBuf,
        /// The sending device's public key (hex).
        #[arg(long)]
        sender_key: String,
    },
}

#[derive(Subcommand)]
pub enum DuressCmd {
    /// Set the duress passphrase (from HOMEWARD_DURESS_PASSPHRASE or a prompt).
    Set,
    /// Turn it off.
    Clear,
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Purge what headquarters holds and the period allows (run after sync).
    Run,
    /// Set the period in days after acknowledgement.
    Period { days: u32 },
    /// Headquarters acknowledged a finalised screening (until screenings sync as events).
    AckScreening { id: String },
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Counts only (screenings by outcome, certificates by state), labelled.
    Stats {
        #[arg(long)]
        csv: bool,
    },
}

pub(crate) fn parse_id(id: &str) -> Result<RecordId, CliError> {
    id.parse().map_err(|_| CliError::Input(format!("{id:?} is not a record id")))
}

pub fn audit_cmd(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: AuditCmd) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    let log = AuditLog::new(&mut v);
    match cmd {
        AuditCmd::List { since } => {
            let entries = log.entries_since(since)?;
            let text = entries
                .iter()
                .map(|e| {
                    format!(
                        "{:>5}  {}  {:<8} {:?} {}{}",
                        e.seq,
                        e.at_ms,
                        format!("{:?}", e.action).to_lowercase(),
                        e.subject.kind,
                        e.subject.id,
                        e.justification.as_deref().map(|j| format!("  ({j})")).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let head = log.head()?;
            out.print(
                if text.is_empty() { "no audit entries" } else { &text },
                &serde_json::json!({ "head": head, "entries": entries }),
            );
        }
        AuditCmd::Verify => {
            let n = log.verify()?;
            out.print(
                &format!("The audit trail is intact: {n} entries."),
                &serde_json::json!({ "intact": true, "entries": n }),
            );
        }
    }
    Ok(())
}

pub fn referral_cmd(
    out: &Output,
    dir: &Path,
    ks: Option<&dyn DeviceKeyStore>,
    cmd: ReferralCmd,
) -> Result<(), CliError> {
    let checklist = default_checklist();
    match cmd {
        ReferralCmd::Keygen { out: path } => {
            let sk = PartnerSecretKey::generate();
            write_private(&path, sk.to_hex().as_bytes())?;
            let pk = sk.public().to_hex();
            out.print(&pk, &serde_json::json!({ "public_key": pk, "secret_key_file": path }));
            Ok(())
        }
        ReferralCmd::Open { package, key, sender_key } => {
            let text = std::fs::read_to_string(&package)
                .map_err(|e| CliError::Input(format!("{}: {e}", package.display())))?;
            let pkg: ReferralPackage =
                serde_json::from_str(&text).map_err(|e| CliError::Input(format!("{}: {e}", package.display())))?;
            let sk_hex = zeroize::Zeroizing::new(
                std::fs::read_to_string(&key).map_err(|e| CliError::Input(format!("{}: {e}", key.display())))?,
            );
            let sk = PartnerSecretKey::from_hex(&sk_hex).ok_or_else(|| CliError::Input("not a partner key".into()))?;
            let sender: [u8; 32] = hex::decode(sender_key.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| CliError::Input("--sender-key: 64 hex digits".into()))?;
            let payload = pkg.open(&sk, &sender)?;
            let j = crate::output::to_json(&payload);
            out.print(&crate::output::to_json_text(&j), &j);
            Ok(())
        }
        ReferralCmd::Consent {
            screening,
            partner,
            purpose,
            guardian,
            override_authority,
            reason,
            decided_by,
            best_interests,
            on,
        } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let id = parse_id(&screening)?;
            let basis = match override_authority {
                Some(authority) => ReferralBasis::LegalOverride {
                    authority,
                    reason: reason.unwrap_or_default(),
                    decided_by: decided_by.unwrap_or_default(),
                    best_interests_of_child: best_interests,
                },
                None => ReferralBasis::Consent {
                    given_by: if guardian { ConsentGiver::ParentOrGuardian } else { ConsentGiver::ThePerson },
                },
            };
            let consent = ReferralConsent {
                id: uuid::Uuid::new_v4().to_string(),
                partner,
                purpose,
                given_on: on.unwrap_or_else(IsoDate::today),
                revoked_on: None,
                basis,
            };
            ScreeningRecords::new(&mut v, &checklist).add_consent(id, consent.clone())?;
            audit(&mut v, AuditAction::Consent, SubjectKind::Screening, &screening, None)?;
            out.print(&format!("Consent {} recorded.", consent.id), &crate::output::to_json(&consent));
            Ok(())
        }
        ReferralCmd::Revoke { screening, consent, on } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let id = parse_id(&screening)?;
            ScreeningRecords::new(&mut v, &checklist).revoke_consent(
                id,
                &consent,
                on.unwrap_or_else(IsoDate::today),
            )?;
            audit(&mut v, AuditAction::Consent, SubjectKind::Screening, &screening, None)?;
            out.print("Consent revoked.", &serde_json::json!({ "revoked": consent }));
            Ok(())
        }
        ReferralCmd::Create { screening, partner, purpose, categories, out: path, officer } => {
            let mut v = crate::open_unlocked(dir, ks)?;
            let me = DeviceProfile::load(&v).and_then(|p| p.identity()).map_err(CliError::Case)?;
            let categories = categories
                .iter()
                .map(|c| match c.trim() {
                    "identity" => Ok(DataCategory::Identity),
                    "screening" => Ok(DataCategory::Screening),
                    other => Err(CliError::Input(format!("unknown category {other:?}; use identity, screening"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let req = referral::ReferralRequest {
                screening_id: parse_id(&screening)?,
                partner,
                purpose,
                categories,
                on: IsoDate::today(),
                made_by: officer.or_else(self::officer),
            };
            let (r, pkg) = referral::refer_listed(&mut v, &checklist, &me, &req, now_ms())?;
            write_private(&path, pkg.to_json().as_bytes())?;
            out.print(
                &format!(
                    "Referral {} to {}: package written to {} ({})",
                    r.id,
                    r.partner,
                    path.display(),
                    pkg.classification.label()
                ),
                &serde_json::json!({ "referral": r, "package": path, "classification": pkg.classification }),
            );
            Ok(())
        }
    }
}

/// Writes a file readable only by its owner.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        f.write_all(bytes)?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes)?;
        Ok(())
    }
}

pub fn duress_cmd(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: DuressCmd) -> Result<(), CliError> {
    let mut v = Vault::open(dir, crate::existing_vault_options())?;
    let current = crate::secrets::existing_secret("HOMEWARD_PASSPHRASE", "Passphrase")?;
    match cmd {
        DuressCmd::Set => {
            let duress =
                crate::secrets::new_secret("HOMEWARD_DURESS_PASSPHRASE", "Duress passphrase", v.is_device_bound())?;
            v.set_duress_passphrase(&current, &duress, ks)?;
        }
        DuressCmd::Clear => v.clear_duress_passphrase(&current, ks)?,
    }
    // Recorded without saying which way: the trail syncs, the setting stays
    // private. Not after a duress reset (the vault is then already unlocked),
    // which must leave the fresh vault untouched.
    if !v.is_unlocked() {
        v.unlock(&current, ks)?;
        audit(&mut v, AuditAction::Setting, SubjectKind::Device, "", None)?;
    }
    out.print("Done.", &serde_json::json!({ "done": true }));
    Ok(())
}

pub fn retention_cmd(
    out: &Output,
    dir: &Path,
    ks: Option<&dyn DeviceKeyStore>,
    cmd: RetentionCmd,
) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    match cmd {
        RetentionCmd::Run => {
            let r = retention::run(&mut v, now_ms())?;
            out.print(
                &format!(
                    "Purged {} case(s) and {} screening(s); {} waiting (period {} days).",
                    r.purged_cases.len(),
                    r.purged_screenings.len(),
                    r.waiting,
                    r.period_days
                ),
                &crate::output::to_json(&r),
            );
        }
        RetentionCmd::Period { days } => {
            retention::set_period_days(&mut v, days)?;
            audit(&mut v, AuditAction::Setting, SubjectKind::Device, "", None)?;
            out.print(&format!("Retention period: {days} days."), &serde_json::json!({ "period_days": days }));
        }
        RetentionCmd::AckScreening { id } => {
            retention::mark_screening_acknowledged(&mut v, parse_id(&id)?, now_ms())?;
            out.print("Acknowledged.", &serde_json::json!({ "acknowledged": id }));
        }
    }
    Ok(())
}

pub fn export_cmd(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: ExportCmd) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    match cmd {
        ExportCmd::Stats { csv } => {
            let s = Statistics::export(&mut v, &default_checklist(), officer(), now_ms())?;
            if csv {
                print!("{}", s.to_csv());
            } else {
                let label = homeward_core::export::classification_of(homeward_core::export::ExportKind::StatisticsCsv);
                let mut j = crate::output::to_json(&s);
                j["classification"] = crate::output::to_json(label);
                out.print(&crate::output::to_json_text(&j), &j);
            }
        }
    }
    Ok(())
}
