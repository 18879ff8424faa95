//! [`TenantApi`]: a stand-in for a tenant's API (`testing/oidc-provider/tenant-api.mjs`) that
//! accepts only bearer tokens an [`OidcProvider`] calls active.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::node::{admin_call, loopback_client, NodeProcess};
use crate::oidc::OidcProvider;

/// Request counters of a [`TenantApi`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct TenantApiStats {
    /// Every request outside `/admin`.
    pub requests: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Accepted requests per token owner.
    pub by_client: BTreeMap<String, u64>,
}

/// A running tenant API on `127.0.0.1`, killed when dropped.
///
/// Any path answers `200 {"ok": true, "client_id", "path"}` for an active token, and
/// `401 {"ok": false, "reason"}` otherwise. `?client_id=X` additionally requires the token to
/// belong to client `X`.
#[derive(Debug)]
pub struct TenantApi {
    process: NodeProcess,
    http: reqwest::Client,
}

impl TenantApi {
    /// Starts a tenant API that introspects tokens at `provider`, through a resource-server
    /// client it registers there.
    pub async fn start(provider: &OidcProvider) -> Self {
        Self::start_inner(provider, None).await
    }

    /// Like [`Self::start`], but only tokens issued to `client_id` are accepted.
    pub async fn start_expecting_client(provider: &OidcProvider, client_id: &str) -> Self {
        Self::start_inner(provider, Some(client_id)).await
    }

    async fn start_inner(provider: &OidcProvider, expected_client: Option<&str>) -> Self {
        let (client_id, secret) = provider.add_resource_server("tenant-api").await;
        let mut env = vec![
            ("INTROSPECTION_URL", provider.introspection_url()),
            ("INTROSPECTION_CLIENT_ID", client_id),
            ("INTROSPECTION_CLIENT_SECRET", secret),
        ];
        if let Some(expected) = expected_client {
            env.push(("EXPECTED_CLIENT_ID", expected.to_owned()));
        }
        let process = NodeProcess::start("tenant-api.mjs", &env).await;

        Self {
            process,
            http: loopback_client(),
        }
    }

    /// `http://127.0.0.1:<port>`; any path below it is served.
    pub fn url(&self) -> String {
        self.process.base_url()
    }

    /// Requests received since start or the last [`Self::reset_stats`], accepted or not.
    pub async fn requests(&self) -> u64 {
        self.stats().await.requests
    }

    pub async fn stats(&self) -> TenantApiStats {
        let url = format!("{}/admin/stats", self.url());
        admin_call(self.http.get(url), "read tenant API stats")
            .await
            .json()
            .await
            .expect("tenant API stats are JSON")
    }

    pub async fn reset_stats(&self) {
        let url = format!("{}/admin/stats/reset", self.url());
        admin_call(self.http.post(url), "reset tenant API stats").await;
    }

    /// What the process wrote to stderr so far, for failure messages.
    pub fn logs(&self) -> String {
        self.process.stderr()
    }
}
