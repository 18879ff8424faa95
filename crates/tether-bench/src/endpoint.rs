//! A token endpoint in the bench process that answers at once, and counts what it was asked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// Client ids with this prefix get a one-second token on their first exchange, a long one after.
pub(crate) const SHORT_PREFIX: &str = "herd-";

/// Exchanges seen, in total and per short-lived client id.
#[derive(Default)]
pub(crate) struct Counts {
    total: AtomicU64,
    short: Mutex<HashMap<String, u64>>,
}

impl Counts {
    pub(crate) fn for_client(&self, client_id: &str) -> u64 {
        self.short
            .lock()
            .map(|m| m.get(client_id).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

/// The running endpoint.
pub(crate) struct TokenEndpoint {
    pub(crate) url: String,
    pub(crate) counts: Arc<Counts>,
}

impl TokenEndpoint {
    /// Listens on 127.0.0.1 on a free port; runs until the process ends.
    pub(crate) async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/token", listener.local_addr()?);
        let counts = Arc::new(Counts::default());
        let app = Router::new()
            .route("/token", post(token))
            .with_state(counts.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { url, counts })
    }
}

async fn token(
    State(counts): State<Arc<Counts>>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    let n = counts.total.fetch_add(1, Ordering::Relaxed);
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let mut expires_in = 3600;
    if client_id.starts_with(SHORT_PREFIX) {
        if let Ok(mut short) = counts.short.lock() {
            let seen = short.entry(client_id).or_default();
            if *seen == 0 {
                expires_in = 1;
            }
            *seen += 1;
        }
    }
    Json(json!({
        "access_token": format!("bench-token-{n}"),
        "token_type": "Bearer",
        "expires_in": expires_in,
    }))
}
