//! `homeward-hq`: run headquarters, and its admin commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use homeward_domain::events::Role;
use homeward_hq::hq::printable;
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
    /// The key file that opens the database's data key (every personal
    /// field is sealed with it). Keep it apart from the data directory and
    /// its backups. Default: DIR.key beside the data directory; made on a
    /// database's first start. With HOMEWARD_HQ_PASSPHRASE set, the
    /// passphrase is used instead.
    #[arg(long, global = true, env = "HOMEWARD_HQ_KEY_FILE")]
    key_file: Option<PathBuf>,
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
        /// Statistics hide counts under this (never below 5).
        #[arg(long, default_value_t = 11)]
        k_anonymity: i64,
        /// The console's time zone, minutes east of UTC (Bishkek: 360).
        #[arg(long, default_value_t = 360)]
        utc_offset_minutes: i32,
        /// Seconds a client has to finish the TLS handshake.
        #[arg(long, default_value_t = 20)]
        handshake_timeout_secs: u64,
        /// Seconds a client has to send a request's headers.
        #[arg(long, default_value_t = 20)]
        header_timeout_secs: u64,
        /// Seconds a connection may sit with nothing sent either way.
        #[arg(long, default_value_t = 90)]
        idle_timeout_secs: u64,
        /// Connections one address may hold open at once.
        #[arg(long, default_value_t = 64)]
        max_connections_per_address: usize,
        /// The address of a reverse proxy passing TLS through with the PROXY
        /// protocol (v1; nginx stream `proxy_protocol on`): its connections
        /// must start with the header, and the client address it names is
        /// the one limits and the console's sign-in throttle count.
        #[arg(long, value_name = "IP")]
        proxy_protocol_from: Option<std::net::IpAddr>,
    },
    /// Staff accounts of the web console (served with `serve --tls`).
    Staff {
        #[command(subcommand)]
        action: StaffCommand,
    },
    /// The referral directory devices hold offline: the partners (IOM,
    /// shelters, the centre for minors, the hotline) and their package keys.
    Directory {
        #[command(subcommand)]
        action: DirectoryCommand,
    },
    /// The crossing points (border posts and consulates) a screening may
    /// name, with their names in ky/ru/en and their region; devices hold the
    /// list offline and refuse an id it does not list.
    CrossingPoints {
        #[command(subcommand)]
        action: CrossingCommand,
    },
    /// Wrap the data key under a new key file (or, with
    /// HOMEWARD_HQ_NEW_PASSPHRASE set, a new passphrase): after a key file
    /// was exposed or a custodian left. The records stay as they are; the
    /// old key file or passphrase opens nothing from then on. Copy the new
    /// key file to every instance before they restart.
    RewrapDataKey {
        /// Where to write the new key file (must not exist yet).
        #[arg(long)]
        new_key_file: Option<PathBuf>,
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
    /// Texts not reviewed in every language are refused unless
    /// --allow-unreviewed gives the reason (kept in the audit trail).
    PublishTemplate {
        file: PathBuf,
        /// Publish although some texts are not reviewed, for this reason.
        #[arg(long, value_name = "REASON")]
        allow_unreviewed: Option<String>,
    },
    /// The screening checklist as an XLSForm workbook (survey, choices,
    /// settings sheets): for headquarters staff who author forms in
    /// spreadsheets. See docs/SCREENING.md, "Authoring in XLSForm".
    Checklist {
        #[command(subcommand)]
        action: ChecklistCommand,
    },
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
    /// A consistent backup of headquarters' database, taken while it
    /// serves (SQLite: a compact copy; PostgreSQL: `pg_dump` from PATH, one
    /// snapshot). The file is 0600 and never overwritten. Devices purge
    /// acknowledged records only once a finished backup holds them.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup back (stop the server first). The backup is checked
    /// (this headquarters', not newer than this build); the database it
    /// replaces is kept aside. Devices notice at their next sync and send
    /// again what they hold; then `restore-report` lists what was lost for good.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// After a restore: records purged on devices that headquarters no
    /// longer holds, audit entries nobody holds, devices not synced since
    /// (ids, offices and dates only).
    RestoreReport,
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
enum DirectoryCommand {
    /// Publish the partners in FILE (JSON: `{"partners": [...]}`, as
    /// `directory sample` prints), signed by headquarters' root; devices
    /// install it at their next sync and refer only to partners it lists.
    Publish { file: PathBuf },
    /// The directory now published, with its sequence and age.
    Show,
    /// Print a sample directory to start from (training keys: replace each
    /// `package_key` with the partner's real X25519 public key).
    Sample,
}

#[derive(Subcommand)]
enum CrossingCommand {
    /// Publish the crossing points in FILE (JSON: `{"points": [...]}`, as
    /// `crossing-points sample` prints), signed by headquarters' root;
    /// devices install it at their next sync.
    Publish { file: PathBuf },
    /// The list in force, with its sequence and age (the demo list until
    /// one is published).
    Show,
    /// Print the demo list (the posts and consulates of DOMAIN.md) to start from.
    Sample,
}

#[derive(Subcommand)]
enum ChecklistCommand {
    /// Read an XLSForm workbook (.xlsx) into a checklist template and check
    /// it with the core's rules; every problem is named by sheet, row and
    /// column. Without --out or --publish it only checks.
    #[command(name = "import-xlsform")]
    ImportXlsform {
        file: PathBuf,
        /// Write the template (JSON, as `publish-template` takes) to this file.
        #[arg(long, conflicts_with = "publish")]
        out: Option<PathBuf>,
        /// Publish it at once to every device (as `publish-template`).
        #[arg(long)]
        publish: bool,
        /// With --publish: publish although some texts are not reviewed, for this reason.
        #[arg(long, value_name = "REASON", requires = "publish")]
        allow_unreviewed: Option<String>,
    },
    /// Write the checklist in force (or version V of it) as an XLSForm workbook.
    #[command(name = "export-xlsform")]
    ExportXlsform {
        #[arg(long)]
        version: Option<u32>,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add an account. The password comes from HOMEWARD_STAFF_PASSWORD or a
    /// prompt (never a default); the second factor is set up at the first
    /// sign-in from the key printed here.
    Add {
        username: String,
        #[arg(long)]
        role: homeward_hq::console::staff::StaffRole,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "ru")]
        language: String,
    },
    /// Every account, its role and state.
    List,
    /// Disable an account (every session ends at once).
    Disable {
        username: String,
    },
    Enable {
        username: String,
    },
    /// A new one-time setup code for someone who lost the password or second factor.
    Reset {
        username: String,
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
    /// End a conflict: keep the branch starting at event KEEP (shown by
    /// `cases`), set the others aside.
    ResolveConflict {
        #[arg(long)]
        keep: String,
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

fn checklist_command(hq: &Hq, action: ChecklistCommand, json: bool) -> Result<(), Box<dyn std::error::Error>> {
    use homeward_hq::xlsform;
    match action {
        ChecklistCommand::ImportXlsform { file, out, publish, allow_unreviewed } => {
            let size = std::fs::metadata(&file)?.len();
            if size > xlsform::MAX_BYTES as u64 {
                return Err(xlsform::XlsFormError::TooLarge { size: size as usize, max: xlsform::MAX_BYTES }.into());
            }
            let bytes = std::fs::read(&file)?;
            let t = match xlsform::import(&bytes) {
                Ok(i) => i.template,
                Err(xlsform::XlsFormError::Problems(ps)) if json => {
                    println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "problems": ps }))?);
                    return Err(format!("{} problems; nothing written or published", ps.len()).into());
                }
                Err(e) => return Err(format!("{e}\nnothing written or published").into()),
            };
            let template_json = serde_json::to_string_pretty(&t)? + "\n";
            let questions = t.questions().count();
            let what = format!("{} v{}: {} sections, {questions} questions", t.id, t.version, t.sections.len());
            if let Some(out) = out {
                // Written beside the target, then renamed: never half a file.
                let tmp = out.with_extension("json.partial");
                std::fs::write(&tmp, &template_json)?;
                std::fs::rename(&tmp, &out)?;
                print(
                    json,
                    &format!("valid: {what}; written to {}", out.display()),
                    &serde_json::json!({
                    "id": t.id, "version": t.version, "questions": questions, "out": out.display().to_string() }),
                );
            } else if publish {
                let actor = admin_actor();
                let allow = allow_unreviewed
                    .as_deref()
                    .map(|reason| homeward_hq::hq::AllowUnreviewed { actor: &actor, reason });
                let version = hq.publish_template(&template_json, allow)?;
                print(
                    json,
                    &format!("published checklist version {version} ({what}); devices install it at their next sync"),
                    &serde_json::json!({ "id": t.id, "version": version, "questions": questions }),
                );
            } else {
                print(
                    json,
                    &format!("valid: {what}"),
                    &serde_json::json!({
                    "id": t.id, "version": t.version, "questions": questions }),
                );
            }
        }
        ChecklistCommand::ExportXlsform { version, out } => {
            let current = hq.current_checklist()?;
            let c = match version {
                None => current,
                Some(v) => hq.checklist_for(&current.template().id, v)?.ok_or_else(|| {
                    format!("headquarters knows no version {v} of checklist {}", current.template().id)
                })?,
            };
            let t = c.template();
            let bytes = xlsform::export(t)?;
            let tmp = out.with_extension("xlsx.partial");
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &out)?;
            print(
                json,
                &format!("checklist {} v{} written to {}", t.id, t.version, out.display()),
                &serde_json::json!({ "id": t.id, "version": t.version, "out": out.display().to_string() }),
            );
        }
    }
    Ok(())
}

fn print(json: bool, text: &str, value: &serde_json::Value) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).expect("serialises"));
    } else {
        println!("{text}");
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    partners: Vec<homeward_domain::directory::Partner>,
    // What `directory sample` and `show --json` print beside the partners.
    #[serde(default)]
    #[allow(dead_code)]
    sequence: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    published_ms: Option<i64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossingFile {
    points: Vec<homeward_domain::crossing::CrossingPoint>,
    // What `crossing-points sample` and `show --json` print beside the points.
    #[serde(default)]
    #[allow(dead_code)]
    sequence: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    published_ms: Option<i64>,
}

fn crossing_command(hq: &Hq, action: CrossingCommand, json: bool) -> Result<(), Box<dyn std::error::Error>> {
    match action {
        CrossingCommand::Publish { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let parsed: CrossingFile = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a crossing-point list: {e}", file.display()))?;
            let n = parsed.points.len();
            let seq = hq.publish_crossing_points(parsed.points, homeward_hq::hq::now_ms())?;
            print(
                json,
                &format!("crossing points {seq} published ({n} points); devices install them at their next sync"),
                &serde_json::json!({ "sequence": seq, "points": n }),
            );
        }
        CrossingCommand::Show => {
            let c = hq.crossing_points()?;
            let age = c.body.age_days(homeward_hq::hq::now_ms());
            let what = if c.body.published_ms == 0 {
                "the demo list, never published".to_string()
            } else {
                format!("{age} days old")
            };
            let mut text = format!("crossing points {} ({what}):", c.body.sequence);
            for p in &c.body.points {
                text.push_str(&format!("\n  {:<12} {:<14} {}", p.id, p.region, p.name_in("en")));
            }
            print(json, &text, &serde_json::to_value(&c.body).expect("serialises"));
        }
        CrossingCommand::Sample => {
            println!("{}", serde_json::to_string_pretty(&homeward_domain::crossing::sample()).expect("serialises"));
        }
    }
    Ok(())
}

fn directory_command(hq: &Hq, action: DirectoryCommand, json: bool) -> Result<(), Box<dyn std::error::Error>> {
    match action {
        DirectoryCommand::Publish { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let parsed: DirectoryFile = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a referral directory: {e}", file.display()))?;
            let n = parsed.partners.len();
            let seq = hq.publish_directory(parsed.partners, homeward_hq::hq::now_ms())?;
            print(
                json,
                &format!("referral directory {seq} published ({n} partners); devices install it at their next sync"),
                &serde_json::json!({ "sequence": seq, "partners": n }),
            );
        }
        DirectoryCommand::Show => match hq.directory()? {
            None => print(json, "no referral directory published yet", &serde_json::Value::Null),
            Some(d) => {
                let age = d.body.age_days(homeward_hq::hq::now_ms());
                let mut text = format!("referral directory {} ({age} days old):", d.body.sequence);
                for p in &d.body.partners {
                    let words = |v: serde_json::Value| v.as_str().unwrap_or_default().replace('_', " ");
                    let services: Vec<String> =
                        p.services.iter().map(|s| words(serde_json::to_value(s).expect("serialises"))).collect();
                    let serves = words(serde_json::to_value(p.serves).expect("serialises"));
                    text.push_str(&format!(
                        "\n  {:<20} {}\n  {:<20} {} · serves {} · {} · {}",
                        p.id,
                        p.name,
                        "",
                        services.join(", "),
                        serves,
                        p.regions.join(", "),
                        p.hours
                    ));
                }
                print(json, &text, &serde_json::to_value(&d.body).expect("serialises"));
            }
        },
        DirectoryCommand::Sample => {
            println!("{}", serde_json::to_string_pretty(&homeward_domain::directory::sample()).expect("serialises"));
        }
    }
    Ok(())
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let url = cli.database_url.as_deref().filter(|u| !u.is_empty());
    // A restore replaces the database: it must not be opened (and migrated) first.
    if let Command::Restore { from } = &cli.command {
        let r = homeward_hq::backup::restore(&cli.data_dir, url, from)?;
        print(
            cli.json,
            &format!(
                "restored backup {} (taken at {} ms, headquarters' clock) from {}; the database it replaced is kept at {}.\n\
                 Enrolments, revocations and decisions made after the backup are not in it: check `devices` and revoke again where needed.\n\
                 Devices send again what they hold at their next sync; then run `restore-report`.",
                r.backup.number,
                r.backup.taken_ms,
                r.from.display(),
                r.previous_kept_at.display()
            ),
            &serde_json::to_value(&r)?,
        );
        return Ok(());
    }
    let wrapping = homeward_hq::at_rest::configured(&cli.data_dir, cli.key_file.as_deref());
    let hq = Hq::open_sealed(&cli.data_dir, url, &*wrapping)?;
    match cli.command {
        Command::Restore { .. } => unreachable!("handled above"),
        Command::Backup { out } => {
            let b = homeward_hq::backup::backup(&hq, url, &out)?;
            print(
                cli.json,
                &format!("backup {} written to {} ({} bytes, 0600)", b.meta.number, b.file.display(), b.bytes),
                &serde_json::to_value(&b)?,
            );
        }
        Command::RestoreReport => {
            let r = hq.restore_report()?;
            let mut lines = vec![match &r.restored {
                Some(x) => format!("restored from backup {} at {} ms", x.backup.number, x.restored_ms),
                None => "this database was never restored".to_string(),
            }];
            for l in &r.lost {
                lines.push(format!(
                    "LOST {:?} {}  office {}  purged on {} at {} ms",
                    l.kind,
                    printable(&l.id),
                    printable(&l.office),
                    printable(&l.device),
                    l.purged_ms
                ));
            }
            for g in &r.audit_gaps {
                lines.push(format!("LOST audit entries {}-{} of {}", g.from_seq, g.to_seq, printable(&g.device)));
            }
            for d in &r.not_synced_since {
                lines.push(format!("not synced since the restore: {}", printable(d)));
            }
            print(cli.json, &lines.join("\n"), &serde_json::to_value(&r)?);
        }
        Command::Serve {
            listen,
            tls,
            tls_hosts,
            tls_cert,
            tls_key,
            k_anonymity,
            utc_offset_minutes,
            handshake_timeout_secs,
            header_timeout_secs,
            idle_timeout_secs,
            max_connections_per_address,
            proxy_protocol_from,
        } => {
            let mut console = homeward_hq::console::ConsoleConfig::default().with_k(k_anonymity)?;
            console.utc_offset_minutes = utc_offset_minutes;
            let secs = |n: u64| std::time::Duration::from_secs(n.max(1));
            console.connection_limits = tls::Limits {
                handshake: secs(handshake_timeout_secs),
                header_read: secs(header_timeout_secs),
                idle: secs(idle_timeout_secs),
                per_address: max_connections_per_address.max(1),
                proxy_protocol_from,
            };
            let acceptor = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some(tls::acceptor(&c, &k)?),
                _ if tls => {
                    let files = tls::TlsFiles::in_dir(&cli.data_dir);
                    let files = if files.cert.exists() && files.key.exists() {
                        files
                    } else {
                        tls::issue_server_certificate(&cli.data_dir, &tls_hosts)?
                    };
                    let fp = tls::fingerprint(&files.ca)?;
                    eprintln!("devices pin {} (SHA-256 {fp})", files.ca.display());
                    console.ca_fingerprint = Some(fp);
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
                    Some(a) => {
                        eprintln!("staff console at https://{}/console/", listener.local_addr()?);
                        homeward_hq::serve_console(std::sync::Arc::new(hq), console, listener, a, stop).await
                    }
                    None => {
                        eprintln!("no staff console without --tls (its cookies are Secure)");
                        homeward_hq::serve(hq, listener, stop).await
                    }
                }
            })?;
        }
        Command::Staff { action } => staff_command(&hq, action, cli.json)?,
        Command::Directory { action } => directory_command(&hq, action, cli.json)?,
        Command::CrossingPoints { action } => crossing_command(&hq, action, cli.json)?,
        Command::Checklist { action } => checklist_command(&hq, action, cli.json)?,
        Command::RewrapDataKey { new_key_file } => {
            let new: Box<dyn homeward_hq::at_rest::KeyWrapping> = match std::env::var("HOMEWARD_HQ_NEW_PASSPHRASE")
                .ok()
                .filter(|p| !p.is_empty())
            {
                Some(p) => Box::new(homeward_hq::at_rest::Passphrase::new(p)),
                None => {
                    let path = new_key_file.ok_or("give --new-key-file PATH (or set HOMEWARD_HQ_NEW_PASSPHRASE)")?;
                    if path.exists() {
                        return Err(format!("{} exists: give a new path, nothing was changed", path.display()).into());
                    }
                    Box::new(homeward_hq::at_rest::KeyFile { path })
                }
            };
            hq.db.rewrap_data_key(&*wrapping, &*new)?;
            print(
                cli.json,
                &format!(
                    "the data key is now wrapped under {}; {} opens nothing any more: copy the new one to every instance and keep it apart from the data directory",
                    new.describe(),
                    wrapping.describe()
                ),
                &serde_json::json!({ "wrapped_under": new.describe() }),
            );
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
            let now = homeward_hq::hq::now_ms();
            let mut lines = vec![];
            let mut json = vec![];
            for d in &devices {
                // One list of alerts for the text, the JSON and the console.
                let alerts = hq.device_alerts(d, now)?;
                let words: Vec<&str> = alerts.iter().map(|a| a.text()).collect();
                lines.push(format!(
                    "{}  {:?}  {}{}",
                    printable(&d.id),
                    d.role,
                    printable(&d.label),
                    words.iter().map(|w| format!("  {w}")).collect::<String>()
                ));
                let mut v = serde_json::to_value(d)?;
                v["alerts"] = serde_json::to_value(&alerts)?;
                json.push(v);
            }
            print(cli.json, &lines.join("\n"), &serde_json::Value::Array(json));
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
                    let mut line = format!(
                        "{}  {:?}  {}  {}",
                        printable(&c.case_id),
                        c.state,
                        printable(c.request.as_ref().map(|r| r.issuing_office.as_str()).unwrap_or("-")),
                        printable(c.certificate.as_ref().map(|x| x.number.as_str()).unwrap_or(""))
                    );
                    // A conflict's branches, for `decide CASE resolve-conflict --keep EVENT`.
                    if let Some(conflict) = &c.conflict {
                        line.push_str("  CONFLICT");
                        for b in &conflict.branches {
                            line.push_str(&format!(
                                "\n    branch {} {} by {}",
                                printable(&b.event_id),
                                b.event,
                                printable(&b.author)
                            ));
                        }
                    }
                    line
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, &text, &serde_json::to_value(&cases)?);
        }
        Command::PublishTemplate { file, allow_unreviewed } => {
            let json = std::fs::read_to_string(&file)?;
            let actor = admin_actor();
            let allow =
                allow_unreviewed.as_deref().map(|reason| homeward_hq::hq::AllowUnreviewed { actor: &actor, reason });
            let version = hq.publish_template(&json, allow)?;
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
                        printable(&e.device_id),
                        e.seq,
                        e.at_ms,
                        e.action,
                        e.subject.kind,
                        printable(&e.subject.id),
                        e.justification.as_deref().map(|j| format!("  ({})", printable(j))).unwrap_or_default()
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
                Decision::ResolveConflict { keep, reason } => D::ResolveConflict { keep, reason },
            }
            .into_event();
            let view = hq.decide_as(&case, body, &admin_actor())?;
            print(cli.json, &format!("{}: {:?}", view.case_id, view.state), &serde_json::to_value(&view)?);
        }
    }
    Ok(())
}

fn staff_command(hq: &Hq, action: StaffCommand, json: bool) -> Result<(), Box<dyn std::error::Error>> {
    use homeward_hq::console::{schema, session, staff};
    schema::migrate(&hq.db)?;
    let now = homeward_hq::hq::now_ms();
    let find = |u: &str| -> Result<staff::StaffRow, Box<dyn std::error::Error>> {
        staff::by_username(&hq.db, u)?.ok_or_else(|| format!("no account {u:?}").into())
    };
    match action {
        StaffCommand::Add { username, role, name, language } => {
            let password = match std::env::var("HOMEWARD_STAFF_PASSWORD") {
                Ok(p) => zeroize::Zeroizing::new(p),
                Err(_) => {
                    let p = zeroize::Zeroizing::new(rpassword::prompt_password("password (8-128 characters): ")?);
                    let again = zeroize::Zeroizing::new(rpassword::prompt_password("the same again: ")?);
                    if *p != *again {
                        return Err("the two passwords differ".into());
                    }
                    p
                }
            };
            let created = staff::add(
                &hq.db,
                staff::NewStaff {
                    username: &username,
                    display_name: &name,
                    role,
                    password: Some(&password),
                    language: &language,
                    created_by: &admin_actor(),
                },
                now,
            )?;
            hq.audit(
                homeward_domain::audit::AuditAction::Create,
                homeward_domain::audit::Subject::device(),
                &admin_actor(),
            )?;
            let key = staff::base32(&hex::decode(&created.totp_secret)?);
            let uri = staff::otpauth_uri("Homeward headquarters", &created.username, &created.totp_secret);
            print(
                json,
                &format!(
                    "account {} ({}) added.\nAt the first sign-in the console shows a QR code for the authenticator app;\nthe same key by hand: {key}\n{uri}",
                    created.username,
                    role.code()
                ),
                &serde_json::json!({ "username": created.username, "role": role, "totp_key": key, "otpauth": uri }),
            );
        }
        StaffCommand::List => {
            let all = staff::list(&hq.db)?;
            let text = all
                .iter()
                .map(|s| {
                    format!(
                        "{:<20} {:<14} {}{}",
                        s.username,
                        s.role.code(),
                        s.display_name,
                        if s.disabled {
                            "  DISABLED"
                        } else if s.password_phc.is_none() {
                            "  awaiting set-up"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let v: Vec<_> = all.iter().map(|s| serde_json::json!({ "username": s.username, "role": s.role, "name": s.display_name, "disabled": s.disabled })).collect();
            print(json, if text.is_empty() { "no staff accounts" } else { &text }, &serde_json::Value::Array(v));
        }
        StaffCommand::Disable { username } => {
            let s = find(&username)?;
            staff::set_disabled(&hq.db, &s.id, true)?;
            let ended = session::end_all(&hq.db, &s.id, now)?;
            print(
                json,
                &format!("{username} disabled; {ended} sessions ended"),
                &serde_json::json!({ "disabled": username, "sessions_ended": ended }),
            );
        }
        StaffCommand::Enable { username } => {
            let s = find(&username)?;
            staff::set_disabled(&hq.db, &s.id, false)?;
            print(json, &format!("{username} enabled"), &serde_json::json!({ "enabled": username }));
        }
        StaffCommand::Reset { username } => {
            let s = find(&username)?;
            let code = staff::reset(&hq.db, &s.id, now)?;
            session::end_all(&hq.db, &s.id, now)?;
            print(
                json,
                &format!("setup code for {username} (72 hours, once): {code}"),
                &serde_json::json!({ "username": username, "setup_code": code }),
            );
        }
    }
    Ok(())
}
