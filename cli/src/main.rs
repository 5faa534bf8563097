//! `homeward`: the field client on a terminal, for training, scripting and
//! tests. It holds no rule of its own: everything goes through homeward-core.

mod certificate_cmd;
mod crossing_cmd;
mod dataprot_cmd;
mod demo;
mod directory_cmd;
mod forward_cmd;
mod mrz_cmd;
mod output;
mod pdf;
mod qr_image;
mod screening_cmd;
mod secrets;
mod sync_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use homeward_core::vault::{self, KdfParams, SoftwareKeyStore, Vault, VaultOptions};

use certificate_cmd::{CertificateCmd, DeviceCmd};
use output::{fail, CliError, Output};
use screening_cmd::{ScreeningCmd, TemplateCmd};

#[derive(Parser)]
#[command(
    name = "homeward",
    version,
    about = "Homeward field client: an encrypted vault for screening and certificate records"
)]
struct Cli {
    /// Directory holding the vault (default: $HOMEWARD_DIR, else ~/.local/share/homeward).
    #[arg(long, global = true, env = "HOMEWARD_DIR")]
    data_dir: Option<PathBuf>,

    /// Directory of the software device key store, for vaults bound to one
    /// (desktop and training only; phones use the platform key store).
    #[arg(long, global = true, env = "HOMEWARD_KEYSTORE_DIR")]
    keystore_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault. The passphrase comes from HOMEWARD_PASSPHRASE or a prompt.
    Init {
        /// Bind the vault to the device key store in --keystore-dir, which
        /// allows a short PIN (4+ digits) instead of a passphrase.
        #[arg(long)]
        device_key: bool,
        /// argon2id memory in MiB (at least 19; default 128).
        #[arg(long, default_value_t = 128)]
        kdf_memory_mib: u32,
        /// argon2id passes (at least 2; default 4).
        #[arg(long, default_value_t = 4)]
        kdf_passes: u32,
        /// Failed unlocks in a row that wipe the vault (default 10).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
        max_attempts: u32,
        /// Delay after the first failed unlock, doubling with each further one
        /// (default 1000 ms; 0 only for training and tests).
        #[arg(long, default_value_t = 1000)]
        unlock_delay_ms: u64,
    },
    /// Check the passphrase (counts as an unlock attempt) and report.
    Unlock,
    /// Change the passphrase. The new one comes from HOMEWARD_NEW_PASSPHRASE or a prompt.
    Passwd,
    /// Show the vault's state without unlocking it.
    Status,
    /// Checklist templates: validate a file, show one in a language.
    Template {
        #[command(subcommand)]
        cmd: TemplateCmd,
    },
    /// Screenings at the border: new (interactive or from an answers file),
    /// resume, list, show, search, amend, finalise.
    Screening {
        #[command(subcommand)]
        cmd: ScreeningCmd,
    },
    /// This device's signing identity and trust store.
    Device {
        #[command(subcommand)]
        cmd: DeviceCmd,
    },
    /// Certificates of Return: request, decisions, issue (PDF, QR), verify and enter.
    Certificate {
        #[command(subcommand)]
        cmd: CertificateCmd,
    },
    /// Enrol this vault's device with headquarters using a one-time code.
    Enroll {
        /// Headquarters' address, e.g. https://hq.example:8480
        url: String,
        code: String,
        #[arg(long, default_value = "homeward-cli")]
        label: String,
        /// Headquarters' TLS authority (tls/ca.pem from the server), pinned
        /// for every later sync. Compare its fingerprint with headquarters'.
        #[arg(long)]
        pin: Option<PathBuf>,
        /// Over https without --pin: trust the public certificate
        /// authorities for headquarters (an explicit choice; any of them
        /// could then vouch for a look-alike server).
        #[arg(long, conflicts_with = "pin")]
        public_pki: bool,
    },
    /// Push what this device made and pull what headquarters holds for it.
    Sync,
    /// What a restore from an older copy lost (found at sync): the cases and
    /// screenings headquarters holds that this vault lacked, by id and date.
    RestoreReport {
        /// The officer has read it: the alert clears (audited).
        #[arg(long)]
        acknowledge: bool,
    },
    /// Lift the check-in lock for a few days with a one-time code from
    /// headquarters (`homeward-hq unlock-code DEVICE`), when no link is to be had.
    UnlockCode { code: String },
    /// The audit trail: list entries, verify the chain.
    Audit {
        #[command(subcommand)]
        cmd: dataprot_cmd::AuditCmd,
    },
    /// The referral directory headquarters publishes: the partners to refer to.
    Directory {
        #[command(subcommand)]
        cmd: directory_cmd::DirectoryCmd,
    },
    /// The crossing points a screening may start at (`screening new --crossing ID`),
    /// named in a language, with the list's age.
    CrossingPoints {
        #[arg(long, default_value = "en")]
        lang: homeward_core::screening::Lang,
    },
    /// Store and forward, for posts without a link: export what waits to
    /// sync as a bundle sealed to headquarters (file or QR frames); carry a
    /// colleague's bundle to headquarters at this device's sync.
    Forward {
        #[command(subcommand)]
        cmd: forward_cmd::ForwardCmd,
    },
    /// Consent and referrals to partner organisations; encrypted packages.
    Referral {
        #[command(subcommand)]
        cmd: dataprot_cmd::ReferralCmd,
    },
    /// The duress passphrase (off by default): entered at unlock, it wipes the
    /// vault and leaves an empty one. See docs/SECURITY.md before setting it.
    Duress {
        #[command(subcommand)]
        cmd: dataprot_cmd::DuressCmd,
    },
    /// Purge what headquarters holds once the retention period has passed.
    Retention {
        #[command(subcommand)]
        cmd: dataprot_cmd::RetentionCmd,
    },
    /// Labelled exports with no personal data (statistics).
    Export {
        #[command(subcommand)]
        cmd: dataprot_cmd::ExportCmd,
    },
    /// Passports' and identity cards' machine-readable zones (ICAO Doc 9303):
    /// read with proved corrections, pre-fill, look up.
    Mrz {
        #[command(subcommand)]
        cmd: mrz_cmd::MrzCmd,
    },
    /// A guided tour for newcomers: a throw-away vault with sample cases,
    /// lookups across Cyrillic and Latin spellings, and a scan of the files.
    Demo {
        /// Where to put the demo vault (default: ./demo-vault, replaced if present).
        #[arg(long, default_value = "demo-vault")]
        dir: PathBuf,
    },
}

fn default_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("HOME") {
        PathBuf::from(home).join(".local/share/homeward")
    } else {
        PathBuf::from("homeward-data")
    }
}

fn main() -> ExitCode {
    // Piped into `head` or `less`: end quietly when the reader goes away,
    // as command-line tools do, instead of panicking on a broken pipe.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        // A usage error under --json is JSON too, so a script reads one
        // shape for every failure; help and version print as usual.
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "--json") => {
            let message = e.render().to_string();
            let message = message.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
            println!("{}", serde_json::json!({ "error": { "kind": "usage", "message": message } }));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    let out = Output { json: cli.json };
    let dir = cli.data_dir.clone().unwrap_or_else(default_dir);
    let keystore = cli.keystore_dir.as_ref().map(SoftwareKeyStore::new);
    let ks: Option<&dyn vault::DeviceKeyStore> = keystore.as_ref().map(|k| k as _);

    let result = match cli.command {
        Command::Init { device_key, kdf_memory_mib, kdf_passes, max_attempts, unlock_delay_ms } => {
            if device_key && ks.is_none() {
                return fail(&out, &vault::VaultError::KeyStore("--device-key needs --keystore-dir".into()).into());
            }
            let options = VaultOptions {
                kdf: KdfParams::argon2id(kdf_memory_mib.saturating_mul(1024), kdf_passes, 1),
                lockout: vault::LockoutPolicy {
                    max_attempts,
                    base_delay: std::time::Duration::from_millis(unlock_delay_ms),
                    ..vault::LockoutPolicy::default()
                },
                ..VaultOptions::default()
            };
            init(&out, &dir, if device_key { ks } else { None }, options).map_err(CliError::from)
        }
        Command::Unlock => unlock(&out, &dir, ks).map_err(CliError::from),
        Command::Passwd => passwd(&out, &dir, ks).map_err(CliError::from),
        Command::Status => status(&out, &dir).map_err(CliError::from),
        Command::Template { cmd } => screening_cmd::template(&out, cmd),
        Command::Screening { cmd } => screening_cmd::screening(&out, &dir, ks, cmd),
        Command::Mrz { cmd } => mrz_cmd::mrz(&out, &dir, ks, cmd),
        Command::Device { cmd } => certificate_cmd::device(&out, &dir, ks, cmd),
        Command::Certificate { cmd } => certificate_cmd::certificate(&out, &dir, ks, cmd),
        Command::Enroll { url, code, label, pin, public_pki } => {
            sync_cmd::enroll(&out, &dir, ks, &url, &code, &label, pin.as_deref(), public_pki)
        }
        Command::Sync => sync_cmd::sync(&out, &dir, ks),
        Command::UnlockCode { code } => sync_cmd::unlock_code(&out, &dir, ks, &code),
        Command::RestoreReport { acknowledge } => sync_cmd::restore_report(&out, &dir, ks, acknowledge),
        Command::Audit { cmd } => dataprot_cmd::audit_cmd(&out, &dir, ks, cmd),
        Command::Directory { cmd } => directory_cmd::directory_cmd(&out, &dir, ks, cmd),
        Command::CrossingPoints { lang } => crossing_cmd::crossing_points_cmd(&out, &dir, ks, lang),
        Command::Forward { cmd } => forward_cmd::forward_cmd(&out, &dir, ks, cmd),
        Command::Referral { cmd } => dataprot_cmd::referral_cmd(&out, &dir, ks, cmd),
        Command::Duress { cmd } => dataprot_cmd::duress_cmd(&out, &dir, ks, cmd),
        Command::Retention { cmd } => dataprot_cmd::retention_cmd(&out, &dir, ks, cmd),
        Command::Export { cmd } => dataprot_cmd::export_cmd(&out, &dir, ks, cmd),
        Command::Demo { dir } => demo::run(&out, &dir).map_err(CliError::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&out, &e),
    }
}

fn init(
    out: &Output,
    dir: &std::path::Path,
    ks: Option<&dyn vault::DeviceKeyStore>,
    options: VaultOptions,
) -> vault::Result<()> {
    if vault::exists(dir) {
        return Err(vault::VaultError::AlreadyInitialised);
    }
    // Check the policy before prompting twice.
    options.kdf.check_minimum()?;
    let secret = secrets::new_secret("HOMEWARD_PASSPHRASE", "New passphrase", ks.is_some())?;
    let v = Vault::create(dir, &secret, ks, options)?;
    let s = v.status()?;
    out.print(
        &format!(
            "Vault created in {}\n  argon2id: {} MiB, {} passes\n  device-bound: {}",
            dir.display(),
            s.kdf.m_cost_kib / 1024,
            s.kdf.t_cost,
            if s.device_bound { "yes" } else { "no" }
        ),
        &serde_json::json!({ "created": true, "dir": dir, "status": s }),
    );
    Ok(())
}

/// Options for opening an existing vault from the CLI. The floor for raising
/// key-derivation parameters is OWASP's minimum, so a vault deliberately
/// created lighter for a slow device (`init --kdf-memory-mib`) stays as chosen;
/// the apps set their own floor.
/// Opens the vault in `dir` and unlocks it with the passphrase from
/// HOMEWARD_PASSPHRASE or a prompt.
pub(crate) fn open_unlocked(dir: &std::path::Path, ks: Option<&dyn vault::DeviceKeyStore>) -> Result<Vault, CliError> {
    let mut v = Vault::open(dir, existing_vault_options())?;
    let secret = secrets::existing_secret("HOMEWARD_PASSPHRASE", "Passphrase")?;
    v.unlock(&secret, ks)?;
    warn_if_interrupted(&v)?;
    Ok(v)
}

/// Tells the officer, once, that the unlock before this one was cut off
/// mid-check (on stderr, so `--json` output stays one object).
fn warn_if_interrupted(v: &Vault) -> vault::Result<()> {
    if v.status()?.last_attempt_interrupted {
        eprintln!("{INTERRUPTED_NOTE}");
    }
    Ok(())
}

const INTERRUPTED_NOTE: &str =
    "note: the last unlock attempt was interrupted before it finished (the app was closed or \
     lost power); it was counted as a failed attempt. If that was not you, tell your supervisor.";

pub(crate) fn existing_vault_options() -> VaultOptions {
    VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() }
}

fn unlock(out: &Output, dir: &std::path::Path, ks: Option<&dyn vault::DeviceKeyStore>) -> vault::Result<()> {
    let mut v = Vault::open(dir, existing_vault_options())?;
    let secret = secrets::existing_secret("HOMEWARD_PASSPHRASE", "Passphrase")?;
    v.unlock(&secret, ks)?;
    let s = v.status()?;
    if s.last_attempt_interrupted && out.json {
        eprintln!("{INTERRUPTED_NOTE}");
    }
    out.print(
        &format!(
            "Unlocked: {} records, {} attachments{}",
            s.records,
            s.attachments,
            if s.last_attempt_interrupted { format!("\n{INTERRUPTED_NOTE}") } else { String::new() }
        ),
        &serde_json::json!({ "unlocked": true, "status": s }),
    );
    Ok(())
}

fn passwd(out: &Output, dir: &std::path::Path, ks: Option<&dyn vault::DeviceKeyStore>) -> vault::Result<()> {
    let mut v = Vault::open(dir, existing_vault_options())?;
    let current = secrets::existing_secret("HOMEWARD_PASSPHRASE", "Current passphrase")?;
    let new = secrets::new_secret("HOMEWARD_NEW_PASSPHRASE", "New passphrase", v.is_device_bound())?;
    v.change_secret(&current, &new, ks)?;
    out.print("Passphrase changed; no record was re-encrypted.", &serde_json::json!({ "changed": true }));
    Ok(())
}

fn status(out: &Output, dir: &std::path::Path) -> vault::Result<()> {
    if !vault::exists(dir) {
        out.print(
            &format!("No vault in {} (run `homeward init`)", dir.display()),
            &serde_json::json!({ "initialised": false, "dir": dir }),
        );
        return Ok(());
    }
    let v = Vault::open(dir, existing_vault_options())?;
    let s = v.status()?;
    let text = format!(
        "Vault in {}\n  format {} (schema {})\n  records: {}\n  attachments: {}\n  argon2id: {} MiB, {} passes, {} lane(s)\n  device-bound: {}\n  failed unlocks: {} of {} ({} left before wipe{})",
        dir.display(),
        s.format,
        s.schema_version,
        s.records,
        s.attachments,
        s.kdf.m_cost_kib / 1024,
        s.kdf.t_cost,
        s.kdf.p_cost,
        if s.device_bound { "yes" } else { "no" },
        s.failed_attempts,
        s.max_attempts,
        s.attempts_remaining,
        if s.retry_after_secs > 0 { format!(", next try in {}s", s.retry_after_secs) } else { String::new() },
    );
    let mut json = crate::output::to_json(&s);
    json["initialised"] = true.into();
    json["dir"] = serde_json::json!(dir);
    out.print(&text, &json);
    Ok(())
}
