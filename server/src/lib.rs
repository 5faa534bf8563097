//! homeward-hq: headquarters. Enrols devices, receives their signed events
//! exactly once (checking each with the core's own fold), serves each device
//! its office's cases, publishes the trust and revocation lists, and records
//! headquarters' decisions. See docs/PROTOCOL.md.

pub mod api;
pub mod db;
pub mod hq;

use std::net::SocketAddr;
use std::sync::Arc;

pub use hq::{Hq, HqError};

/// The OpenAPI description served at /openapi.json.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    hq: Hq,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = api::router(Arc::new(hq));
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
