//! `homeward-demo`: README's main job. Headquarters with its embedded
//! database (SQLite in the data directory, or PostgreSQL from
//! `DATABASE_URL`) and its staff console over TLS, fed by simulated phones
//! at four consulates and three border posts that really enrol and sync
//! over HTTPS. At start they make weeks of history (a few hundred requests
//! and screenings shaped by DOMAIN.md's figures, some waiting for review);
//! then they keep syncing, so a decision taken in the console reaches the
//! consulate, the certificate is issued and checked at the border while
//! you watch. Demo mode only: fictional data, demo sign-ins printed.

mod fleet;
mod people;
mod story;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use homeward_hq::console::staff::{self, StaffRole};
use homeward_hq::console::{schema, ConsoleConfig};
use homeward_hq::{tls, Hq};

/// The demo staff accounts' password (demo mode only).
pub const DEMO_STAFF_PASSWORD: &str = "demo only, fictional data";

/// Marks a data directory as the demo's own, so that a restart may wipe it
/// and nothing else ever is.
const MARKER: &str = "HOMEWARD-DEMO";

#[derive(Parser)]
#[command(
    name = "homeward-demo",
    version,
    about = "Homeward headquarters and its staff console, fed by simulated phones at consulates and border posts. Fictional data only."
)]
struct Cli {
    /// Headquarters' data directory; the demo's own (wiped and made again at each start).
    #[arg(long, env = "HOMEWARD_HQ_DIR", default_value = "hq-demo")]
    data_dir: PathBuf,
    /// PostgreSQL connection string (an empty database); without it, SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: String,
    /// Certificate requests in the history.
    #[arg(long, default_value_t = 240)]
    requests: usize,
    /// Screenings at the border posts in the history.
    #[arg(long, default_value_t = 360)]
    screenings: usize,
    /// Days of history.
    #[arg(long, default_value_t = 60)]
    days: i64,
    /// Seconds between the phones' syncs in the live loop.
    #[arg(long, default_value_t = 10)]
    sync_every: u64,
    /// Make the history, print the sign-ins, and exit (for tests); otherwise serve until Ctrl-C.
    #[arg(long)]
    seed_only: bool,
}

/// Makes the data directory fresh, refusing one the demo did not make.
fn fresh_data_dir(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        if !dir.join(MARKER).exists() {
            return Err(format!(
                "{} holds data the demo did not make; give it an empty or new directory (--data-dir)",
                dir.display()
            )
            .into());
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MARKER), "made by homeward-demo: wiped and made again at each start\n")?;
    Ok(())
}

/// One demo account per role; returns (username, role, what it is for).
fn demo_staff(hq: &Hq) -> Result<Vec<(&'static str, &'static str)>, Box<dyn std::error::Error>> {
    schema::migrate(&hq.db)?;
    let accounts = [
        ("reviewer", StaffRole::Reviewer, "Gulnara Asanova", "checks identities and decides certificate requests"),
        ("admin", StaffRole::Administrator, "Bakyt Osmonov", "devices, enrolment codes, checklists, staff"),
        ("analyst", StaffRole::Analyst, "Aida Sadykova", "statistics (aggregates only)"),
        ("auditor", StaffRole::Auditor, "Nurlan Isakov", "the audit trail, read-only"),
    ];
    let mut out = Vec::new();
    for (username, role, name, what) in accounts {
        if staff::by_username(&hq.db, username)?.is_none() {
            staff::add(
                &hq.db,
                staff::NewStaff {
                    username,
                    display_name: name,
                    role,
                    password: Some(DEMO_STAFF_PASSWORD),
                    language: "en",
                    created_by: "homeward-demo",
                },
                homeward_hq::hq::now_ms(),
            )?;
        }
        out.push((username, what));
    }
    Ok(out)
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let database_url = cli.database_url.as_deref().filter(|u| !u.is_empty());
    fresh_data_dir(&cli.data_dir)?;
    let hq = Arc::new(Hq::open_with(&cli.data_dir, database_url)?);
    let rt = tokio::runtime::Runtime::new()?;
    let listener = rt.block_on(tokio::net::TcpListener::bind(&cli.listen))?;
    let addr = listener.local_addr()?;
    let mut hosts = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    if !addr.ip().is_loopback() {
        hosts.push(addr.ip().to_string());
    }
    let files = tls::issue_server_certificate(&cli.data_dir, &hosts)?;
    let fingerprint = tls::fingerprint(&files.ca)?;
    let ca_pem = std::fs::read_to_string(&files.ca)?;
    let acceptor = tls::acceptor(&files.cert, &files.key)?;
    let mut console = ConsoleConfig { demo: true, ..ConsoleConfig::default() };
    console.ca_fingerprint = Some(fingerprint.clone());
    console.utc_offset_minutes = 360;

    let accounts = demo_staff(&hq)?;
    // The training referral directory (placeholder package keys), so the
    // demo's phones hold one as a post's would.
    hq.publish_directory(homeward_core::directory::sample().partners, homeward_hq::hq::now_ms())?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(homeward_hq::serve_console(hq.clone(), console, listener, acceptor, async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = stop_rx => {}
        }
    }));
    let url = format!("https://{addr}");
    eprintln!("homeward-demo: enrolling 7 simulated phones and making {} days of history through {url} ...", cli.days);
    let mut demo = story::Demo::enrol(&hq, &url, &ca_pem, &cli.data_dir.join("demo-devices"))?;
    let sizes = story::Sizes { requests: cli.requests, screenings: cli.screenings, days: cli.days };
    let summary = demo.seed_history(&hq, sizes)?;

    println!("Homeward headquarters (demo, fictional data) is ready.");
    println!();
    println!("  Staff console:  {url}/console/");
    println!("  The browser will warn about the certificate: it comes from headquarters' own");
    println!("  TLS authority ({}, SHA-256 {fingerprint}),", files.ca.display());
    println!("  the one the phones pin. Accept it for this demo, or import that file.");
    println!();
    println!("  Sign in as (password for all: \"{DEMO_STAFF_PASSWORD}\"; in demo mode the");
    println!("  second-factor page shows the current code):");
    for (username, what) in &accounts {
        println!("    {username:<10} {what}");
    }
    println!();
    println!(
        "  History: {} requests from 4 consulates ({} waiting for review), {} certificates issued, {} entries, {} screenings at 3 border posts.",
        summary.requests, summary.waiting, summary.issued, summary.entered, summary.screenings
    );
    println!("  Try it: sign in as reviewer, open the review queue, verify and approve a request;");
    println!(
        "  within {} s the consulate's phone syncs and issues the certificate, and soon after the",
        cli.sync_every
    );
    println!("  border post checks it and records the entry: the case view shows each step.");
    println!("  Ctrl-C stops the demo.");
    if cli.seed_only {
        let _ = stop_tx.send(());
        rt.block_on(server)??;
        return Ok(());
    }
    while !server.is_finished() {
        std::thread::sleep(Duration::from_secs(cli.sync_every.max(1)));
        if server.is_finished() {
            break;
        }
        // A failed round (a phone's sync cut short) is reported; the next one retries.
        match demo.tick() {
            Ok(lines) => lines.iter().for_each(|l| println!("  {l}")),
            Err(e) => eprintln!("homeward-demo: a simulated phone failed this round ({e}); retrying at the next"),
        }
    }
    rt.block_on(server)??;
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("homeward-demo: {e}");
            ExitCode::FAILURE
        }
    }
}
