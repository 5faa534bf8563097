//! Headquarters on a loopback port, on a runtime thread of its own, for the
//! benchmarks; stopped when dropped.

use std::net::SocketAddr;

use homeward_hq::Hq;

pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Serves `hq` (over TLS with `tls`) until dropped.
    pub fn start(hq: Hq, tls: Option<tokio_rustls::TlsAcceptor>) -> Running {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (atx, arx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async move {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                atx.send(l.local_addr().unwrap()).unwrap();
                let stop = async {
                    let _ = rx.await;
                };
                match tls {
                    Some(a) => homeward_hq::serve_tls(hq, l, a, stop).await,
                    None => homeward_hq::serve(hq, l, stop).await,
                }
                .unwrap();
            })
        });
        Running { addr: arx.recv().unwrap(), stop: Some(tx), thread: Some(thread) }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
