//! homeward-hq: headquarters. Enrols devices, receives their signed events
//! exactly once (checking each with the core's own fold), serves each device
//! its office's cases, publishes the trust and revocation lists, and records
//! headquarters' decisions. See docs/PROTOCOL.md.

pub mod api;
pub mod db;
pub mod hq;
pub mod tls;

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
    serve_on(hq, tls::TlsListener::new(listener, acceptor)?, shutdown).await
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
