//! The hub under test, in this process: the real router from `app::build`, and next to it the
//! baseline, a route on the same stack (`AppState` and the `Caller` extractor) with a fixed body.

use std::net::SocketAddr;
use std::path::Path;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tether_server::app::{self, Hub};
use tether_server::auth::Caller;
use tether_server::config::{LogFormat, ServeArgs, Settings};
use tether_server::http::{ApiError, MAX_BODY};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The token route's template; the baseline answers on the same one.
pub(crate) const TOKEN_ROUTE: &str = "/v2/account/{account}/subscription/{subscription}/integration/{id}/tenant/{tenant}/{component}/token";

/// What a bench needs to call a hub.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) address: SocketAddr,
    pub(crate) account: String,
    pub(crate) subscription: String,
    pub(crate) key: String,
}

impl Target {
    pub(crate) fn base(&self) -> String {
        format!(
            "/v2/account/{}/subscription/{}",
            self.account, self.subscription
        )
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

/// The hub and the baseline, each on its own loopback listener.
pub(crate) struct InProcess {
    pub(crate) hub: Target,
    pub(crate) baseline: Target,
    tasks: Vec<JoinHandle<()>>,
}

impl InProcess {
    pub(crate) async fn start(data_dir: &Path, database_url: Option<&str>) -> Result<Self, String> {
        let settings = settings(data_dir, database_url)?;
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("bind: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let public_url =
            url::Url::parse(&format!("http://{address}")).map_err(|e| e.to_string())?;
        let Hub { router, state } = app::build(&settings, &public_url)
            .await
            .map_err(|e| format!("hub: {}", tether_server::http::describe_error(&e)))?;
        let hub = read_profile(data_dir, address)?;

        let baseline_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("bind: {e}"))?;
        let baseline = Target {
            address: baseline_listener.local_addr().map_err(|e| e.to_string())?,
            ..hub.clone()
        };
        let baseline_router = Router::new()
            .route(TOKEN_ROUTE, get(fixed_token))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(state.clone());

        let tasks = vec![
            tokio::spawn(async move {
                let _ = axum::serve(listener, router).await;
            }),
            tokio::spawn(async move {
                let _ = axum::serve(baseline_listener, baseline_router).await;
            }),
        ];
        Ok(Self {
            hub,
            baseline,
            tasks,
        })
    }

    /// Stops listening (open connections end with the process).
    pub(crate) fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

/// The baseline: the same bearer check and permission check, then a fixed body.
async fn fixed_token(caller: Caller) -> Result<Response, ApiError> {
    caller.require("install:get")?;
    let body = json!({
        "access_token": "baseline-token-baseline-token-0",
        "token_type": "Bearer",
        "expires_at": 1_900_000_000_000_i64,
        "expires_in": 3600,
        "client_id": "baseline-client",
        "install_id": "ins-00000000000000000000000000000000",
        "identity_id": "idn-00000000000000000000000000000000",
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

fn settings(data_dir: &Path, database_url: Option<&str>) -> Result<Settings, String> {
    let args = ServeArgs {
        listen: "127.0.0.1:0".parse().map_err(|_| "listen address")?,
        data_dir: data_dir.to_owned(),
        database_url: database_url.map(str::to_owned),
        database_url_file: None,
        public_url: None,
        master_key: None,
        master_key_file: None,
        previous_master_keys: None,
        bootstrap_key: None,
        bootstrap_key_file: None,
        log: "warn".into(),
        log_format: LogFormat::Text,
        shutdown_timeout_seconds: 5,
    };
    Settings::from_args(&args).map_err(|e| e.to_string())
}

/// The admin profile the bootstrap wrote: account, subscription and root key.
pub(crate) fn read_profile(data_dir: &Path, address: SocketAddr) -> Result<Target, String> {
    let text =
        std::fs::read(data_dir.join("admin.json")).map_err(|e| format!("admin.json: {e}"))?;
    let profile: Value = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    let field = |name: &str| {
        profile[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("admin.json has no {name}"))
    };
    Ok(Target {
        address,
        account: field("account")?,
        subscription: field("subscription")?,
        key: field("key")?,
    })
}
