//! [`OidcProvider`]: the loopback OAuth 2.0 server (`testing/oidc-provider/server.mjs`), with
//! clients managed through its admin API.

use std::time::Duration;

use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::node::{admin_call, loopback_client, NodeProcess};

/// Client id of the client the testkit registers to call the introspection endpoint.
const INTROSPECTOR_ID: &str = "tether-testkit-introspector";

/// How a client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Authorization: Basic` with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

impl AuthMethod {
    fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }
}

/// Settings of the server process.
#[derive(Clone, Debug, Default)]
pub struct ProviderOptions {
    /// Lifetime of client-credentials tokens (`TOKEN_TTL_SECONDS`); the server defaults to 1 h.
    pub token_ttl: Option<Duration>,
    /// Scopes the server knows (`SCOPES`); the server defaults to `read write admin`. Only
    /// known scopes are checked against a client's allowed scopes; unknown ones are dropped.
    pub scopes: Option<Vec<String>>,
}

/// A client to register, for the cases [`OidcProvider::add_client`] does not cover.
#[derive(Clone, Debug)]
pub struct ClientSpec {
    pub client_id: String,
    pub client_secret: String,
    pub auth_method: AuthMethod,
    /// Space-separated scopes the client may request.
    pub scope: Option<String>,
    /// Lifetime of this client's tokens, overriding the server's.
    pub token_ttl: Option<Duration>,
    /// When `true` (the default), authenticating with the other method than the registered one
    /// is `invalid_client`; `false` keeps oidc-provider's lenient behaviour.
    pub strict_auth_method: bool,
}

impl ClientSpec {
    pub fn new(client_id: &str, client_secret: &str, auth_method: AuthMethod) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            auth_method,
            scope: None,
            token_ttl: None,
            strict_auth_method: true,
        }
    }
}

/// What the introspection endpoint says about a token (RFC 7662).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct IntrospectionResult {
    pub active: bool,
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub exp: Option<u64>,
    pub token_type: Option<String>,
}

#[derive(Deserialize)]
struct Stats {
    token_requests: u64,
    by_client: Map<String, Value>,
}

/// A running OAuth 2.0 server (oidc-provider) on `127.0.0.1`, killed when dropped.
#[derive(Debug)]
pub struct OidcProvider {
    process: NodeProcess,
    http: reqwest::Client,
    introspector_secret: String,
}

impl OidcProvider {
    /// Starts a server with default settings and no clients (besides the testkit's own
    /// introspection client).
    pub async fn start() -> Self {
        Self::start_with(ProviderOptions::default()).await
    }

    pub async fn start_with(options: ProviderOptions) -> Self {
        let mut env = Vec::new();
        if let Some(ttl) = options.token_ttl {
            env.push(("TOKEN_TTL_SECONDS", ttl_seconds(ttl).to_string()));
        }
        if let Some(scopes) = options.scopes {
            env.push(("SCOPES", scopes.join(" ")));
        }
        let process = NodeProcess::start("server.mjs", &env).await;

        let provider = Self {
            process,
            http: loopback_client(),
            introspector_secret: random_secret(),
        };
        let introspector = ClientSpec::new(
            INTROSPECTOR_ID,
            &provider.introspector_secret,
            AuthMethod::ClientSecretBasic,
        );
        provider.register(&introspector).await;
        provider
    }

    /// `http://127.0.0.1:<port>`, which is also the base of every endpoint.
    pub fn issuer(&self) -> String {
        self.process.base_url()
    }

    pub fn token_url(&self) -> String {
        format!("{}/token", self.issuer())
    }

    pub fn introspection_url(&self) -> String {
        format!("{}/token/introspection", self.issuer())
    }

    pub fn revocation_url(&self) -> String {
        format!("{}/token/revocation", self.issuer())
    }

    /// What the server wrote to stderr so far, for failure messages.
    pub fn logs(&self) -> String {
        self.process.stderr()
    }

    pub async fn add_client(&self, client_id: &str, client_secret: &str, method: AuthMethod) {
        self.register(&ClientSpec::new(client_id, client_secret, method))
            .await;
    }

    /// Registers a client whose tokens live `ttl` (whole seconds, at least one).
    pub async fn add_client_with_ttl(
        &self,
        client_id: &str,
        client_secret: &str,
        method: AuthMethod,
        ttl: Duration,
    ) {
        let spec = ClientSpec {
            token_ttl: Some(ttl),
            ..ClientSpec::new(client_id, client_secret, method)
        };
        self.register(&spec).await;
    }

    pub async fn add_client_with(&self, spec: &ClientSpec) {
        self.register(spec).await;
    }

    /// Removes a client: from now on its credentials are `invalid_client`. Tokens it already
    /// holds stay active until they expire.
    pub async fn remove_client(&self, client_id: &str) {
        let url = self.client_url(client_id);
        admin_call(self.http.delete(url), &format!("remove client {client_id}")).await;
    }

    /// Rotates a client's secret: the old one becomes `invalid_client`.
    pub async fn set_secret(&self, client_id: &str, new_secret: &str) {
        let request = self.http.put(self.client_url(client_id)).json(&json!({
            "client_secret": new_secret,
        }));
        admin_call(request, &format!("set the secret of client {client_id}")).await;
    }

    /// Requests made to the token endpoint since start or the last [`Self::reset_stats`],
    /// whatever their outcome.
    pub async fn token_requests(&self) -> u64 {
        self.stats().await.token_requests
    }

    /// Token endpoint requests that named `client_id` (in a Basic header, the body or the query).
    pub async fn token_requests_by(&self, client_id: &str) -> u64 {
        let stats = self.stats().await;
        stats
            .by_client
            .get(client_id)
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    pub async fn reset_stats(&self) {
        let url = format!("{}/admin/stats/reset", self.issuer());
        admin_call(self.http.post(url), "reset stats").await;
    }

    /// Asks the introspection endpoint about `token`, as a resource server would.
    pub async fn introspect(&self, token: &str) -> IntrospectionResult {
        // The introspector's id and secret are alphanumeric (and `-`), so reqwest's unencoded
        // Basic header equals the form-encoded one RFC 6749 §2.3.1 asks for.
        let request = self
            .http
            .post(self.introspection_url())
            .basic_auth(INTROSPECTOR_ID, Some(&self.introspector_secret))
            .form(&[("token", token)]);
        admin_call(request, "introspect")
            .await
            .json()
            .await
            .expect("introspection answers JSON")
    }

    /// Registers a fresh resource-server client (for a [`crate::TenantApi`]) and returns its
    /// id and secret.
    pub(crate) async fn add_resource_server(&self, name: &str) -> (String, String) {
        let client_id = format!(
            "{name}-{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 8)
        );
        let secret = random_secret();
        self.add_client(&client_id, &secret, AuthMethod::ClientSecretBasic)
            .await;
        (client_id, secret)
    }

    async fn register(&self, spec: &ClientSpec) {
        let mut body = json!({
            "client_id": spec.client_id,
            "client_secret": spec.client_secret,
            "token_endpoint_auth_method": spec.auth_method.as_str(),
            "strict_auth_method": spec.strict_auth_method,
        });
        if let Some(scope) = &spec.scope {
            body["scope"] = json!(scope);
        }
        if let Some(ttl) = spec.token_ttl {
            body["token_ttl_seconds"] = json!(ttl_seconds(ttl));
        }
        let url = format!("{}/admin/clients", self.issuer());
        let what = format!("register client {}", spec.client_id);
        admin_call(self.http.post(url).json(&body), &what).await;
    }

    async fn stats(&self) -> Stats {
        let url = format!("{}/admin/stats", self.issuer());
        admin_call(self.http.get(url), "read stats")
            .await
            .json()
            .await
            .expect("stats are JSON")
    }

    fn client_url(&self, client_id: &str) -> String {
        let id: String = url_path_segment(client_id);
        format!("{}/admin/clients/{id}", self.issuer())
    }
}

fn ttl_seconds(ttl: Duration) -> u64 {
    ttl.as_secs().max(1)
}

fn random_secret() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}

/// Percent-encodes everything but unreserved characters, for a client id in a URL path.
fn url_path_segment(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
