//! The service's configuration, from the environment. The hub settings are the SDK's own
//! (`TETHER_URL`… or `TETHER_PROFILE`); the rest is this service's.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use tether_sdk::{HubOptions, HubSettings, SdkError};
use url::Url;

/// What the service needs to run.
#[derive(Debug)]
pub struct Config {
    pub hub: HubSettings,
    pub hub_options: HubOptions,
    /// `INTEGRATION_ID`.
    pub integration_id: String,
    /// `LISTEN`, default `127.0.0.1:0` (any free loopback port; the bound address is printed).
    pub listen: SocketAddr,
    /// `TENANT_API_URL`: the tenant API endpoint the route calls.
    pub tenant_api: Url,
    /// `TENANT_API_URLS`: optional JSON object of per-tenant endpoints, `{"acme": "http://…"}`.
    pub tenant_apis: HashMap<String, Url>,
}

/// A setting that is missing or malformed; the message names it, never a secret value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Hub(#[from] SdkError),
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());

        let integration_id = var("INTEGRATION_ID")
            .ok_or_else(|| ConfigError::Invalid("INTEGRATION_ID is not set".into()))?;
        let listen = var("LISTEN")
            .unwrap_or_else(|| "127.0.0.1:0".into())
            .parse()
            .map_err(|_| {
                ConfigError::Invalid("LISTEN: must be an address like 127.0.0.1:0".into())
            })?;
        let tenant_api = var("TENANT_API_URL")
            .ok_or_else(|| ConfigError::Invalid("TENANT_API_URL is not set".into()))
            .and_then(|url| parse_url("TENANT_API_URL", &url))?;
        let tenant_apis = match var("TENANT_API_URLS") {
            Some(json) => parse_tenant_apis(&json)?,
            None => HashMap::new(),
        };
        let caller_cache_ttl = match var("CALLER_CACHE_SECONDS") {
            Some(seconds) => Duration::from_secs(seconds.parse().map_err(|_| {
                ConfigError::Invalid("CALLER_CACHE_SECONDS: must be whole seconds".into())
            })?),
            None => HubOptions::default().caller_cache_ttl,
        };

        Ok(Self {
            hub: HubSettings::from_env()?,
            hub_options: HubOptions {
                caller_cache_ttl,
                ..HubOptions::default()
            },
            integration_id,
            listen,
            tenant_api,
            tenant_apis,
        })
    }

    /// The tenant API endpoint for `tenant`.
    pub fn tenant_api_for(&self, tenant: &str) -> &Url {
        self.tenant_apis.get(tenant).unwrap_or(&self.tenant_api)
    }
}

fn parse_url(name: &str, text: &str) -> Result<Url, ConfigError> {
    Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| ConfigError::Invalid(format!("{name}: must be an http or https URL")))
}

fn parse_tenant_apis(json: &str) -> Result<HashMap<String, Url>, ConfigError> {
    let invalid = || ConfigError::Invalid("TENANT_API_URLS: must be {\"tenant\": \"url\"}".into());
    let map: HashMap<String, String> = serde_json::from_str(json).map_err(|_| invalid())?;

    map.into_iter()
        .map(|(tenant, url)| Ok((tenant, parse_url("TENANT_API_URLS", &url)?)))
        .collect()
}
