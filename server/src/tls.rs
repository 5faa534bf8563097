//! TLS for the sync API (rustls). Headquarters runs its own small TLS
//! authority: `tls/ca.pem` is what devices pin (they trust no other
//! certificate for headquarters), `tls/server.pem` is the certificate the
//! server presents, renewable under the same pin. An operator may instead
//! give a certificate and key from their own PKI.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
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
    std::fs::create_dir_all(files.ca.parent().expect("tls dir"))?;
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
            std::fs::write(&files.ca, cert.pem())?;
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
    std::fs::write(&files.cert, cert.pem())?;
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

/// A listener that hands axum only connections whose TLS handshake is done.
/// Handshakes run as their own tasks, so a slow client on a 2G link does not
/// hold up the others.
pub struct TlsListener {
    local: std::net::SocketAddr,
    rx: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, std::net::SocketAddr)>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        tokio::spawn(async move {
            loop {
                let (stream, addr) = match listener.accept().await {
                    Ok(x) => x,
                    Err(_) => {
                        // Out of descriptors and the like: wait, then go on.
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    break;
                }
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(std::time::Duration::from_secs(60), acceptor.accept(stream));
                    if let Ok(Ok(tls)) = handshake.await {
                        let _ = tx.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(TlsListener { local, rx })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
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
