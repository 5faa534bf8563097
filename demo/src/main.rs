//! `homeward-demo`: README's main job. Headquarters with its embedded
//! database (SQLite in the data directory, or PostgreSQL from
//! `DATABASE_URL`), seeded by two simulated field devices that really enrol
//! and sync over HTTP, and a dashboard (no personal data) at `/`.

mod seed;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use homeward_hq::Hq;

#[derive(Parser)]
#[command(
    name = "homeward-demo",
    version,
    about = "Homeward headquarters, seeded by simulated field devices, with a dashboard to follow in a browser. Fictional data only."
)]
struct Cli {
    /// Headquarters' data directory (the simulated devices' vaults go in demo-devices/ inside it).
    #[arg(long, env = "HOMEWARD_HQ_DIR", default_value = "hq-demo")]
    data_dir: PathBuf,
    /// PostgreSQL connection string; without it, SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[arg(long, default_value = "127.0.0.1:8480")]
    listen: String,
    /// Seed, print the address, and exit at once (for tests); otherwise serve until Ctrl-C.
    #[arg(long)]
    seed_only: bool,
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let hq = Arc::new(Hq::open_with(&cli.data_dir, cli.database_url.as_deref().filter(|u| !u.is_empty()))?);
    let rt = tokio::runtime::Runtime::new()?;
    let steps = Arc::new(Mutex::new(Vec::new()));
    let listener = rt.block_on(tokio::net::TcpListener::bind(&cli.listen))?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let page = axum::Router::new()
        .route("/", axum::routing::get(seed::page))
        .with_state(seed::DemoState { hq: hq.clone(), steps: steps.clone() });
    let app = homeward_hq::api::router(hq.clone()).merge(page);
    let server = rt.spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = stop_rx => {}
                }
            })
            .await
    });
    let url = format!("http://{addr}");
    eprintln!("homeward-demo: seeding through {url} ...");
    let seeded = seed::seed(&hq, &url, &cli.data_dir.join("demo-devices"))?;
    *steps.lock().unwrap_or_else(|p| p.into_inner()) = seeded;
    println!("Open {url}/ in a browser to follow the demo (Ctrl-C stops the server).");
    if cli.seed_only {
        let _ = stop_tx.send(());
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
