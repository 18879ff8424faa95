//! A loopback "token endpoint" that accepts connections and never answers, so an exchange hangs
//! until its deadline while its instance holds the exchange lease.

use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

pub(crate) struct Hang {
    pub(crate) url: String,
    accepted: mpsc::UnboundedReceiver<Instant>,
    task: tokio::task::JoinHandle<()>,
}

impl Hang {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/token", listener.local_addr().expect("address"));
        let (tx, accepted) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut held: Vec<TcpStream> = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
                let _ = tx.send(Instant::now());
            }
        });
        Self {
            url,
            accepted,
            task,
        }
    }

    /// When the next connection arrived (waits at most `limit`).
    pub(crate) async fn next_connection(&mut self, limit: Duration) -> Instant {
        tokio::time::timeout(limit, self.accepted.recv())
            .await
            .ok()
            .flatten()
            .expect("the hub connects to the hanging endpoint")
    }
}

impl Drop for Hang {
    fn drop(&mut self) {
        self.task.abort();
    }
}
