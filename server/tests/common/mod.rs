#![allow(dead_code)]
//! A real homeward-hq on a loopback socket, for the integration tests.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use homeward_hq::Hq;

pub struct Server {
    pub url: String,
    pub addr: SocketAddr,
    pub dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        let hq = Hq::open(dir).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                homeward_hq::serve(hq, listener, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Server { url: format!("http://{addr}"), addr, dir: dir.to_path_buf(), stop: Some(tx), thread: Some(thread) }
    }

    /// Headquarters' admin side, on the same database.
    pub fn admin(&self) -> Hq {
        Hq::open(&self.dir).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
