//! Installs through the real API: a CCF connector and integration, then headless session flows
//! (create, then commit at once), run concurrently. The flow rate is one of the figures.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::hub::Target;

/// The integration and connector every tenant installs.
pub(crate) const INTEGRATION: &str = "bench";
const CONNECTOR: &str = "bench-ccf";

/// An HTTP client for set-up calls: loopback only, never through a proxy.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_default()
}

pub(crate) fn tenant(i: usize) -> String {
    format!("tenant-{i:06}")
}

async fn call(
    http: &reqwest::Client,
    target: &Target,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<(StatusCode, Value), String> {
    let mut request = http
        .request(method, target.url(path))
        .bearer_auth(&target.key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// Creates the connector (client_secret_post to `token_url`) and the integration.
pub(crate) async fn create_integration(target: &Target, token_url: &str) -> Result<(), String> {
    let http = client();
    let base = target.base();
    let connector = json!({"data": {"handler": "ccf", "configuration": {
        "tokenUrl": token_url, "authMethod": "client_secret_post"
    }}});
    let integration = json!({"data": {"components": [
        {"name": "ccfConnector", "entityType": "connector", "entityId": CONNECTOR}
    ]}});
    for (path, body) in [
        (format!("{base}/connector/{CONNECTOR}"), connector),
        (format!("{base}/integration/{INTEGRATION}"), integration),
    ] {
        let (status, answer) =
            call(&http, target, reqwest::Method::POST, &path, Some(body)).await?;
        if status != StatusCode::OK {
            return Err(format!("{path}: {status} {answer}"));
        }
    }
    Ok(())
}

/// One headless flow: create a session for `tenant`, then commit it.
pub(crate) async fn install(
    http: &reqwest::Client,
    target: &Target,
    tenant: &str,
    client_id: &str,
) -> Result<(), String> {
    let base = target.base();
    let session = json!({
        "redirectUrl": "http://127.0.0.1/done",
        "tags": {"fusebit.tenantId": tenant},
        "input": {"ccfConnector": {"client_id": client_id, "client_secret": "bench-secret"}},
    });
    let path = format!("{base}/integration/{INTEGRATION}/session");
    let (status, created) = call(http, target, reqwest::Method::POST, &path, Some(session)).await?;
    let sid = created["id"]
        .as_str()
        .filter(|_| status == StatusCode::OK)
        .ok_or_else(|| format!("create session: {status} {created}"))?;

    let path = format!("{base}/integration/{INTEGRATION}/session/{sid}/commit");
    let (status, answer) = call(http, target, reqwest::Method::POST, &path, None).await?;
    if status != StatusCode::ACCEPTED {
        return Err(format!("commit: {status} {answer}"));
    }
    Ok(())
}

/// Installs tenants `from..to` with `concurrency` flows in flight; returns flows per second.
pub(crate) async fn install_range(
    target: &Target,
    from: usize,
    to: usize,
    concurrency: usize,
) -> Result<f64, String> {
    let next = Arc::new(AtomicUsize::new(from));
    let http = client();
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| {
        let next = next.clone();
        let http = http.clone();
        let target = target.clone();
        tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= to {
                    return Ok::<(), String>(());
                }
                let tenant = tenant(i);
                install(&http, &target, &tenant, &format!("client-{i}")).await?;
            }
        })
    });
    for result in futures::future::join_all(workers).await {
        result.map_err(|e| e.to_string())??;
    }
    Ok((to - from) as f64 / started.elapsed().as_secs_f64())
}
