//! TLS for the sync API (rustls). Headquarters runs its own small TLS
//! authority: `tls/ca.pem` is what devices pin (they trust no other
//! certificate for headquarters), `tls/server.pem` is the certificate the
//! server presents, renewable under the same pin. An operator may instead
//! give a certificate and key from their own PKI.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS files: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("unusable certificate or key: {0}")]
    Bad(String),
}

/// Paths of headquarters' TLS files in its data directory.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub ca_key: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    pub fn in_dir(data_dir: &Path) -> TlsFiles {
        let d = data_dir.join("tls");
        TlsFiles {
            ca: d.join("ca.pem"),
            ca_key: d.join("ca-key.pem"),
            cert: d.join("server.pem"),
            key: d.join("server-key.pem"),
        }
    }
}

fn write_private(path: &Path, body: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(&tmp)?;
    f.write_all(body.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(tmp, path)
}

/// Makes the authority (once) and a server certificate for `hosts` (names
/// or IP addresses), valid a year. Keeps an existing authority, so devices'
/// pins stay valid across renewals.
pub fn issue_server_certificate(data_dir: &Path, hosts: &[String]) -> Result<TlsFiles, TlsError> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let files = TlsFiles::in_dir(data_dir);
    crate::private_files::private_dir(files.ca.parent().expect("tls dir"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, "Homeward headquarters TLS authority");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let today = time::OffsetDateTime::now_utc();
    ca_params.not_before = today - time::Duration::days(1);
    ca_params.not_after = today + time::Duration::days(3650);
    let ca_key = match std::fs::read_to_string(&files.ca_key) {
        Ok(pem) if files.ca.exists() => KeyPair::from_pem(&pem)?,
        _ => {
            let key = KeyPair::generate()?;
            let cert = ca_params.self_signed(&key)?;
            write_private(&files.ca_key, &key.serialize_pem())?;
            write_private(&files.ca, &cert.pem())?;
            key
        }
    };
    let issuer = Issuer::new(ca_params, ca_key);
    let mut params = CertificateParams::new(hosts.to_vec())?;
    params.distinguished_name.push(DnType::CommonName, hosts.first().cloned().unwrap_or_else(|| "localhost".into()));
    params.not_before = today - time::Duration::days(1);
    params.not_after = today + time::Duration::days(365);
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    write_private(&files.key, &key.serialize_pem())?;
    write_private(&files.cert, &cert.pem())?;
    Ok(files)
}

/// The SHA-256 fingerprint of the first certificate in a PEM file, as
/// officers compare it when they enrol a device.
pub fn fingerprint(pem_path: &Path) -> Result<String, TlsError> {
    use sha2::Digest;
    let der = CertificateDer::from_pem_file(pem_path).map_err(|e| TlsError::Bad(e.to_string()))?;
    Ok(hex::encode(sha2::Sha256::digest(der.as_ref())))
}

/// A rustls acceptor presenting `cert` (with its chain) and `key`.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| TlsError::Bad(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Bad(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Bad(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Bad(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Bad(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// What one client may hold of the TLS listener, against slowloris: a
/// handshake must finish, and a request's headers arrive, within their
/// timeouts; a connection with nothing read or written for `idle` is closed;
/// one address holds at most `per_address` connections at once (more are
/// closed at once, before the handshake). `homeward-hq serve` flags set them;
/// docs/SECURITY.md gives the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub handshake: Duration,
    pub header_read: Duration,
    pub idle: Duration,
    pub per_address: usize,
    /// A reverse proxy passing TLS through (nginx `stream` with
    /// `proxy_protocol on`): its connections must open with a PROXY
    /// protocol v1 header, and the client address that names is the one
    /// counted (per-address limit, the console's sign-in throttle). Without
    /// it every client behind the proxy would share the proxy's address.
    /// Nobody else's header is believed: from any other address the
    /// connection is TLS from its first byte.
    pub proxy_protocol_from: Option<IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        // Generous for a 2G link (a request's headers are a few hundred
        // bytes), and for offices behind one carrier-grade NAT address.
        Limits {
            handshake: Duration::from_secs(20),
            header_read: Duration::from_secs(20),
            idle: Duration::from_secs(90),
            per_address: 64,
            proxy_protocol_from: None,
        }
    }
}

/// Open connections by client address.
#[derive(Default)]
struct Slots(Mutex<HashMap<IpAddr, usize>>);

impl Slots {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot { slots: self.clone(), ip })
    }
}

/// One connection's place in [`Slots`], given back when it closes.
struct Slot {
    slots: Arc<Slots>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.slots.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// Reads a PROXY protocol v1 header (at most 107 bytes, ending in CRLF) one
/// byte at a time, so that nothing of the TLS handshake behind it is
/// taken. `None` for `PROXY UNKNOWN` (the proxy's own health checks).
async fn proxy_header(stream: &mut TcpStream) -> std::io::Result<Option<std::net::SocketAddr>> {
    use tokio::io::AsyncReadExt;
    let mut line = Vec::with_capacity(107);
    while !line.ends_with(b"\r\n") {
        if line.len() == 107 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "PROXY header too long"));
        }
        line.push(stream.read_u8().await?);
    }
    parse_proxy_v1(&line).ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not a PROXY v1 header"))
}

/// The client address of a PROXY protocol v1 line (`PROXY TCP4 <src> <dst>
/// <sport> <dport>\r\n`, or TCP6), `Some(None)` for `PROXY UNKNOWN`, `None`
/// when the line is anything else.
pub fn parse_proxy_v1(line: &[u8]) -> Option<Option<std::net::SocketAddr>> {
    let line = std::str::from_utf8(line).ok()?.strip_suffix("\r\n")?;
    let mut parts = line.split(' ');
    if parts.next()? != "PROXY" {
        return None;
    }
    let family = parts.next()?;
    if family == "UNKNOWN" {
        return Some(None);
    }
    let (src, dst): (IpAddr, IpAddr) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    let (sport, _dport): (u16, u16) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    let family_ok = match family {
        "TCP4" => src.is_ipv4() && dst.is_ipv4(),
        "TCP6" => src.is_ipv6() && dst.is_ipv6(),
        _ => false,
    };
    (family_ok && parts.next().is_none()).then_some(Some(std::net::SocketAddr::new(src, sport)))
}

/// A TLS connection that fails its reads once nothing has moved either way
/// for the idle timeout, and frees its address's slot when dropped.
pub struct Conn {
    inner: TlsStream<TcpStream>,
    _slot: Slot,
    idle: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl Conn {
    fn moved(&mut self) {
        let next = tokio::time::Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }
}

impl AsyncRead for Conn {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    self.moved();
                }
                Poll::Ready(r)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "idle connection")))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.moved();
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A listener that hands on only connections whose TLS handshake is done,
/// within [`Limits`]. Handshakes run as their own tasks, so a slow client on
/// a 2G link does not hold up the others.
pub struct TlsListener {
    local: std::net::SocketAddr,
    limits: Limits,
    rx: tokio::sync::mpsc::Receiver<(Conn, std::net::SocketAddr)>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        TlsListener::with_limits(listener, acceptor, Limits::default())
    }

    pub fn with_limits(listener: TcpListener, acceptor: TlsAcceptor, limits: Limits) -> std::io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let slots = Arc::new(Slots::default());
        tokio::spawn(async move {
            loop {
                let (stream, addr) = match listener.accept().await {
                    Ok(x) => x,
                    Err(_) => {
                        // Out of descriptors and the like: wait, then go on.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    break;
                }
                let proxied = limits.proxy_protocol_from == Some(addr.ip());
                // Over its address's limit: closed at once (dropped). A
                // proxied connection is counted once its header names the client.
                let slot = match proxied {
                    false => match slots.take(addr.ip(), limits.per_address) {
                        Some(slot) => Some(slot),
                        None => continue,
                    },
                    true => None,
                };
                let (acceptor, tx, slots) = (acceptor.clone(), tx.clone(), slots.clone());
                tokio::spawn(async move {
                    // The header and the handshake share the handshake's time limit.
                    let ready = async move {
                        let mut stream = stream;
                        let (client, slot) = match slot {
                            Some(slot) => (addr, slot),
                            None => {
                                let client = proxy_header(&mut stream).await.ok()?.unwrap_or(addr);
                                (client, slots.take(client.ip(), limits.per_address)?)
                            }
                        };
                        let tls = acceptor.accept(stream).await.ok()?;
                        Some((tls, client, slot))
                    };
                    if let Ok(Some((tls, client, slot))) = tokio::time::timeout(limits.handshake, ready).await {
                        let deadline = Box::pin(tokio::time::sleep(limits.idle));
                        let conn = Conn { inner: tls, _slot: slot, idle: limits.idle, deadline };
                        let _ = tx.send((conn, client)).await;
                    }
                });
            }
        });
        Ok(TlsListener { local, limits, rx })
    }

    /// The next connection ready for HTTP (`None`: the listener stopped).
    pub async fn next(&mut self) -> Option<(Conn, std::net::SocketAddr)> {
        self.rx.recv().await
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        Ok(self.local)
    }
}

/// Serves HTTP/1.1 on the listener's connections until `shutdown` resolves,
/// with the header-read timeout (axum's own `serve` has none); `app` makes
/// each connection's router from the client's address. Then lets every open
/// connection finish what it is doing.
pub async fn serve<F>(
    mut listener: TlsListener,
    app: F,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    F: Fn(std::net::SocketAddr) -> axum::Router + Send + 'static,
{
    let header_read = listener.limits.header_read;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut open = tokio::task::JoinSet::new();
    loop {
        let (conn, addr) = tokio::select! {
            c = listener.next() => match c {
                Some(c) => c,
                None => break,
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app(addr));
        let mut stop = stop_rx.clone();
        open.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(header_read);
            let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(conn), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        // Forget connections that have ended.
        while open.try_join_next().is_some() {}
    }
    let _ = stop_tx.send(true);
    while open.join_next().await.is_some() {}
    Ok(())
}

impl axum::serve::Listener for TlsListener {
    type Io = Conn;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(x) => x,
            // The accept task ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_proxy_v1;

    #[test]
    fn proxy_v1_lines_give_the_client_address_and_nothing_else_passes() {
        let ok = |l: &str| parse_proxy_v1(l.as_bytes());
        assert_eq!(ok("PROXY TCP4 192.0.2.7 10.0.0.1 40000 443\r\n"), Some(Some("192.0.2.7:40000".parse().unwrap())));
        assert_eq!(
            ok("PROXY TCP6 2001:db8::7 2001:db8::1 40000 443\r\n"),
            Some(Some("[2001:db8::7]:40000".parse().unwrap()))
        );
        assert_eq!(ok("PROXY UNKNOWN\r\n"), Some(None));
        for bad in [
            "PROXY TCP4 192.0.2.7 10.0.0.1 40000 443\n",
            "PROXY TCP4 2001:db8::7 10.0.0.1 40000 443\r\n",
            "PROXY TCP6 192.0.2.7 10.0.0.1 40000 443\r\n",
            "PROXY TCP4 192.0.2.7 10.0.0.1 70000 443\r\n",
            "PROXY TCP4 192.0.2.7 10.0.0.1 40000 443 extra\r\n",
            "PROXY UDP4 192.0.2.7 10.0.0.1 40000 443\r\n",
            "\x16\x03\x01\x02\x00\x01\r\n",
            "GET / HTTP/1.1\r\n",
        ] {
            assert_eq!(ok(bad), None, "{bad:?}");
        }
    }
}
