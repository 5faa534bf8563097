//! `homeward-hq`: run headquarters, and its admin commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use homeward_domain::events::Role;
use homeward_hq::{tls, Hq};

#[derive(Parser)]
#[command(name = "homeward-hq", version, about = "Homeward headquarters: enrolment, sync, decisions, trust lists")]
struct Cli {
    /// Data directory (SQLite database, headquarters key). Default: $HOMEWARD_HQ_DIR or ./hq-data.
    #[arg(long, global = true, env = "HOMEWARD_HQ_DIR", default_value = "hq-data")]
    data_dir: PathBuf,
    /// PostgreSQL connection string (`postgres://...` or `host=... dbname=...`).
    /// Without it, records live in SQLite in the data directory.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8480")]
        listen: String,
        /// Serve HTTPS with headquarters' own certificate (tls/ in the data
        /// directory; made on first use for --tls-host). Devices pin tls/ca.pem.
        #[arg(long)]
        tls: bool,
        /// Names or addresses the generated certificate is valid for.
        #[arg(long = "tls-host", default_values_t = ["localhost".to_string(), "127.0.0.1".to_string()])]
        tls_hosts: Vec<String>,
        /// A certificate chain (PEM) from your own PKI instead of the generated one.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Issue (or renew) the server's TLS certificate under headquarters' TLS
    /// authority, and print the authority's fingerprint for enrolment.
    TlsInit {
        #[arg(long = "host", default_values_t = ["localhost".to_string(), "127.0.0.1".to_string()])]
        hosts: Vec<String>,
    },
    /// A one-time enrolment code for a device of an office and role (valid 15 minutes).
    EnrollmentCode {
        #[arg(long)]
        office: String,
        #[arg(long)]
        role: Role,
        #[arg(long, default_value_t = 15)]
        ttl_minutes: i64,
    },
    /// Enrolled devices.
    Devices,
    /// Revoke a device; --wipe also orders it wiped at its next contact.
    Revoke {
        device: String,
        #[arg(long)]
        wipe: bool,
    },
    /// Publish a new version of the screening checklist (JSON, validated by
    /// the core's rules) to every device, signed with headquarters' key.
    PublishTemplate { file: PathBuf },
    /// Publish reference data to every device: the standard certificate fee
    /// (minor units, ISO 4217 currency) and the default validity in days.
    Reference {
        #[arg(long)]
        fee_minor: u64,
        #[arg(long)]
        currency: String,
        #[arg(long, default_value_t = 30)]
        validity_days: u32,
    },
    /// A one-time code lifting a device's check-in lock for a few days
    /// (read it to the officer by phone).
    UnlockCode { device: String },
    /// The audit trail received from devices (every view, change, export).
    Audit {
        #[arg(long)]
        device: Option<String>,
    },
    /// Certificate cases as headquarters sees them.
    Cases,
    /// Screenings received, counted by office and verdict (no personal data
    /// ever reaches headquarters with a screening).
    Screenings,
    /// Headquarters' decision on a case, signed with its key.
    Decide {
        case: String,
        #[command(subcommand)]
        decision: Decision,
    },
}

#[derive(Subcommand)]
enum Decision {
    VerifyIdentity {
        #[arg(long, default_value = "identity confirmed")]
        note: String,
    },
    MoreInfo {
        #[arg(long)]
        question: String,
    },
    Approve {
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
    Reject {
        #[arg(long)]
        reason: String,
    },
    Revoke {
        #[arg(long)]
        reason: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Who runs an admin command, for headquarters' audit trail.
fn admin_actor() -> String {
    format!("admin-cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into()))
}

fn print(json: bool, text: &str, value: &serde_json::Value) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).expect("serialises"));
    } else {
        println!("{text}");
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let hq = Hq::open_with(&cli.data_dir, cli.database_url.as_deref().filter(|u| !u.is_empty()))?;
    match cli.command {
        Command::Serve { listen, tls, tls_hosts, tls_cert, tls_key } => {
            let acceptor = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some(tls::acceptor(&c, &k)?),
                _ if tls => {
                    let files = tls::TlsFiles::in_dir(&cli.data_dir);
                    let files = if files.cert.exists() && files.key.exists() {
                        files
                    } else {
                        tls::issue_server_certificate(&cli.data_dir, &tls_hosts)?
                    };
                    eprintln!("devices pin {} (SHA-256 {})", files.ca.display(), tls::fingerprint(&files.ca)?);
                    Some(tls::acceptor(&files.cert, &files.key)?)
                }
                _ => None,
            };
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen).await?;
                eprintln!(
                    "homeward-hq listening on {}://{} ({} database, key in {})",
                    if acceptor.is_some() { "https" } else { "http" },
                    listener.local_addr()?,
                    hq.db.backend_name(),
                    cli.data_dir.display()
                );
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                match acceptor {
                    Some(a) => homeward_hq::serve_tls(hq, listener, a, stop).await,
                    None => homeward_hq::serve(hq, listener, stop).await,
                }
            })?;
        }
        Command::TlsInit { hosts } => {
            let files = tls::issue_server_certificate(&cli.data_dir, &hosts)?;
            let fp = tls::fingerprint(&files.ca)?;
            print(
                cli.json,
                &format!(
                    "server certificate for {} issued; devices pin {} (SHA-256 {fp})",
                    hosts.join(", "),
                    files.ca.display()
                ),
                &serde_json::json!({ "ca": files.ca, "certificate": files.cert, "ca_sha256": fp, "hosts": hosts }),
            );
        }
        Command::EnrollmentCode { office, role, ttl_minutes } => {
            let code = hq.enrollment_code(&office, role, ttl_minutes)?;
            print(
                cli.json,
                &code,
                &serde_json::json!({ "code": code, "office": office.to_uppercase(), "role": role, "ttl_minutes": ttl_minutes }),
            );
        }
        Command::Devices => {
            let devices = hq.db.devices()?;
            let text = devices
                .iter()
                .map(|d| {
                    let (rollback, wiped) = hq.db.device_alerts(&d.id).unwrap_or((None, None));
                    format!(
                        "{}  {:?}  {}{}{}{}",
                        d.id,
                        d.role,
                        d.label,
                        if d.revoked { "  REVOKED" } else { "" },
                        if wiped.is_some() {
                            "  WIPE CONFIRMED"
                        } else if d.wipe {
                            "  WIPE ORDERED"
                        } else {
                            ""
                        },
                        if rollback.is_some() { "  RESTORED FROM AN OLD COPY" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, &text, &serde_json::to_value(&devices)?);
        }
        Command::Revoke { device, wipe } => {
            hq.revoke(&device, wipe)?;
            print(
                cli.json,
                &format!("revoked {device}{}", if wipe { " (wipe ordered)" } else { "" }),
                &serde_json::json!({ "revoked": device, "wipe": wipe }),
            );
        }
        Command::Cases => {
            hq.audit(
                homeward_domain::audit::AuditAction::View,
                homeward_domain::audit::Subject::new(homeward_domain::audit::SubjectKind::CertificateCase, ""),
                &admin_actor(),
            )?;
            let cases = hq.cases()?;
            let text = cases
                .iter()
                .map(|c| {
                    format!(
                        "{}  {:?}  {}  {}",
                        c.case_id,
                        c.state,
                        c.request.as_ref().map(|r| r.issuing_office.as_str()).unwrap_or("-"),
                        c.certificate.as_ref().map(|x| x.number.as_str()).unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, &text, &serde_json::to_value(&cases)?);
        }
        Command::PublishTemplate { file } => {
            let json = std::fs::read_to_string(&file)?;
            let version = hq.publish_template(&json)?;
            print(
                cli.json,
                &format!("published checklist version {version}; devices install it at their next sync"),
                &serde_json::json!({ "version": version }),
            );
        }
        Command::Reference { fee_minor, currency, validity_days } => {
            let seq = hq.publish_reference(fee_minor, &currency, validity_days)?;
            print(cli.json, &format!("reference data {seq} published"), &serde_json::json!({ "sequence": seq }));
        }
        Command::UnlockCode { device } => {
            let code = hq.unlock_code(&device)?;
            print(cli.json, &code, &serde_json::json!({ "device": device, "code": code }));
        }
        Command::Audit { device } => {
            hq.audit(
                homeward_domain::audit::AuditAction::View,
                homeward_domain::audit::Subject::device(),
                &admin_actor(),
            )?;
            let entries = hq.db.audit_entries(device.as_deref())?;
            let text = entries
                .iter()
                .map(|e| {
                    format!(
                        "{}  #{:<5} {}  {:?} {:?} {}{}",
                        e.device_id,
                        e.seq,
                        e.at_ms,
                        e.action,
                        e.subject.kind,
                        e.subject.id,
                        e.justification.as_deref().map(|j| format!("  ({j})")).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, if text.is_empty() { "no audit entries" } else { &text }, &serde_json::to_value(&entries)?);
        }
        Command::Screenings => {
            let counts = hq.db.screening_counts()?;
            let text = if counts.is_empty() {
                "no screenings received".to_string()
            } else {
                counts.iter().map(|(o, v, n)| format!("{o:<12} {v:<18} {n}")).collect::<Vec<_>>().join("\n")
            };
            let json: Vec<_> = counts
                .iter()
                .map(|(o, v, n)| serde_json::json!({ "office": o, "verdict": v, "screenings": n }))
                .collect();
            print(cli.json, &text, &serde_json::Value::Array(json));
        }
        Command::Decide { case, decision } => {
            use homeward_domain::sync::protocol::Decision as D;
            let body = match decision {
                Decision::VerifyIdentity { note } => D::VerifyIdentity { note },
                Decision::MoreInfo { question } => D::MoreInfo { question },
                Decision::Approve { days } => D::Approve { validity_days: days },
                Decision::Reject { reason } => D::Reject { reason },
                Decision::Revoke { reason } => D::Revoke { reason },
            }
            .into_event();
            let view = hq.decide_as(&case, body, &admin_actor())?;
            print(cli.json, &format!("{}: {:?}", view.case_id, view.state), &serde_json::to_value(&view)?);
        }
    }
    Ok(())
}
