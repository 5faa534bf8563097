//! homeward-hq: headquarters. Enrols devices, receives their signed events
//! exactly once (checking each with the core's own fold), serves each device
//! its office's cases, publishes the trust and revocation lists, and records
//! headquarters' decisions. See docs/PROTOCOL.md.

pub mod api;
pub mod at_rest;
pub mod backup;
pub mod console;
pub mod db;
pub mod hq;
pub mod private_files;
pub mod recovery;
pub mod tls;
pub mod xlsform;

use std::net::SocketAddr;
use std::sync::Arc;

pub use hq::{Hq, HqError};

/// The OpenAPI description served at /openapi.json.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Serves the API on `listener` (plain HTTP) until `shutdown` resolves.
pub async fn serve(
    hq: Hq,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_on(hq, listener, shutdown).await
}

/// Serves the API over TLS on `listener` until `shutdown` resolves.
pub async fn serve_tls(
    hq: Hq,
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_tls_with(hq, listener, acceptor, tls::Limits::default(), shutdown).await
}

/// The same, with the listener's timeouts and connection limit.
pub async fn serve_tls_with(
    hq: Hq,
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    limits: tls::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = api::router(Arc::new(hq));
    tls::serve(tls::TlsListener::with_limits(listener, acceptor, limits)?, move |_| app.clone(), shutdown).await
}

async fn serve_on<L>(
    hq: Hq,
    listener: L,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    let app = api::router(Arc::new(hq));
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serves the API and the staff console over TLS on `listener` until
/// `shutdown` resolves. The console's cookies are `__Host-` and Secure, so
/// it is only ever served over TLS.
pub async fn serve_console(
    hq: Arc<Hq>,
    config: console::ConsoleConfig,
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Migrating blocks (PostgreSQL's client runs its own runtime): off the async threads.
    let limits = config.connection_limits;
    let h = hq.clone();
    let console = tokio::task::spawn_blocking(move || console::Console::new(h, config))
        .await
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)?;
    console::index::spawn_follower(hq.clone());
    let app = api::router(hq).merge(console::router(Arc::new(console)));
    // Each connection's router knows the client's address (the console's
    // sign-in throttle counts by it).
    let per_connection =
        move |addr| app.clone().layer(axum::Extension(axum::extract::ConnectInfo(console::Peer(addr))));
    tls::serve(tls::TlsListener::with_limits(listener, acceptor, limits)?, per_connection, shutdown).await
}
