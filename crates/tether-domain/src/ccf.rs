//! The Client Credential Flow connector's configuration (SPEC §6.1), per-tenant input, and the
//! lifetime rule of §6.4.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde_json::{json, Map, Value};
use url::Url;

use crate::{FieldError, Secret};

/// The handler names a CCF connector may carry.
pub const HANDLERS: [&str; 2] = ["ccf", "@fusebit-int/ccf-connector"];

/// How the client authenticates at the token endpoint (SPEC §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// The original platform's `GET` with the secret in the query string.
    Query,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::Query => "query",
        }
    }
}

/// Whether Basic credentials are form-urlencoded first (RFC 6749 §2.3.1) or sent as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasicEncoding {
    Form,
    Raw,
}

impl BasicEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Raw => "raw",
        }
    }
}

/// An absolute token endpoint URL that passed the transport rule of §6.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUrl(Url);

impl TokenUrl {
    pub fn parse(text: &str, allow_insecure_http: bool) -> Result<Self, FieldError> {
        const FIELD: &str = "configuration.tokenUrl";
        let url =
            Url::parse(text).map_err(|_| FieldError::new(FIELD, "must be an absolute URL"))?;
        if url.fragment().is_some() {
            return Err(FieldError::new(FIELD, "must not have a fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::new(FIELD, "must not carry credentials"));
        }
        match url.scheme() {
            "https" => {}
            "http" if allow_insecure_http || is_loopback(&url) => {}
            "http" => {
                return Err(FieldError::new(
                    FIELD,
                    "must use https (http only to a loopback host, or with allowInsecureHttp)",
                ))
            }
            _ => return Err(FieldError::new(FIELD, "must be an http(s) URL")),
        }
        Ok(Self(url))
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for TokenUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A CCF connector's `data.configuration`, with every default applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcfConfig {
    /// `None` until the operator sets it; no session can use the connector before then.
    pub token_url: Option<TokenUrl>,
    pub auth_method: AuthMethod,
    pub basic_encoding: BasicEncoding,
    pub scope: Option<String>,
    pub audience: Option<String>,
    pub extra_params: BTreeMap<String, String>,
    pub expiration_buffer_seconds: u64,
    pub default_lifetime_seconds: u64,
    pub max_lifetime_seconds: u64,
    pub timeout_seconds: u64,
    pub max_retries: u32,
    pub failure_cooldown_seconds: u64,
    pub allow_insecure_http: bool,
}

impl Default for CcfConfig {
    fn default() -> Self {
        Self {
            token_url: None,
            auth_method: AuthMethod::ClientSecretBasic,
            basic_encoding: BasicEncoding::Form,
            scope: None,
            audience: None,
            extra_params: BTreeMap::new(),
            expiration_buffer_seconds: 120,
            default_lifetime_seconds: 600,
            max_lifetime_seconds: 86_400,
            timeout_seconds: 10,
            max_retries: 2,
            failure_cooldown_seconds: 5,
            allow_insecure_http: false,
        }
    }
}

const CONFIG_KEYS: [&str; 13] = [
    "tokenUrl",
    "authMethod",
    "basicEncoding",
    "scope",
    "audience",
    "extraParams",
    "expirationBufferSeconds",
    "defaultLifetimeSeconds",
    "maxLifetimeSeconds",
    "timeoutSeconds",
    "maxRetries",
    "failureCooldownSeconds",
    "allowInsecureHttp",
];

/// Parameters the hub itself sends; `extraParams` may not override them.
const RESERVED_PARAMS: [&str; 5] = [
    "grant_type",
    "client_id",
    "client_secret",
    "scope",
    "audience",
];

impl CcfConfig {
    /// Parses `data.configuration`. A missing value takes its default; an unknown key is refused
    /// so that a typo fails at once instead of being silently ignored.
    pub fn from_json(value: &Value) -> Result<Self, FieldError> {
        let empty = Map::new();
        let map = match value {
            Value::Null => &empty,
            Value::Object(map) => map,
            _ => return Err(FieldError::new("configuration", "must be an object")),
        };
        if let Some(key) = map.keys().find(|k| !CONFIG_KEYS.contains(&k.as_str())) {
            return Err(FieldError::new(
                format!("configuration.{key}"),
                format!(
                    "is not a CCF setting (accepted: {})",
                    CONFIG_KEYS.join(", ")
                ),
            ));
        }

        let defaults = Self::default();
        let allow_insecure_http = bool_field(map, "allowInsecureHttp", false)?;
        let token_url = match map.get("tokenUrl") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(Value::String(text)) => Some(TokenUrl::parse(text, allow_insecure_http)?),
            Some(_) => {
                return Err(FieldError::new(
                    "configuration.tokenUrl",
                    "must be a string",
                ))
            }
        };
        let auth_method = match optional_string(map, "authMethod")?.as_deref() {
            None | Some("client_secret_basic") => AuthMethod::ClientSecretBasic,
            Some("client_secret_post") => AuthMethod::ClientSecretPost,
            Some("query") => AuthMethod::Query,
            Some(_) => {
                return Err(FieldError::new(
                    "configuration.authMethod",
                    "must be client_secret_basic, client_secret_post or query",
                ))
            }
        };
        let basic_encoding = match optional_string(map, "basicEncoding")?.as_deref() {
            None | Some("form") => BasicEncoding::Form,
            Some("raw") => BasicEncoding::Raw,
            Some(_) => {
                return Err(FieldError::new(
                    "configuration.basicEncoding",
                    "must be form or raw",
                ))
            }
        };
        let max_lifetime_seconds = int_field(
            map,
            "maxLifetimeSeconds",
            defaults.max_lifetime_seconds,
            1,
            31_536_000,
        )?;

        let config = Self {
            token_url,
            auth_method,
            basic_encoding,
            scope: optional_text(map, "scope")?,
            audience: optional_text(map, "audience")?,
            extra_params: extra_params(map)?,
            expiration_buffer_seconds: int_field(
                map,
                "expirationBufferSeconds",
                defaults.expiration_buffer_seconds,
                0,
                86_400,
            )?,
            default_lifetime_seconds: int_field(
                map,
                "defaultLifetimeSeconds",
                defaults.default_lifetime_seconds,
                1,
                max_lifetime_seconds,
            )?,
            max_lifetime_seconds,
            timeout_seconds: int_field(map, "timeoutSeconds", defaults.timeout_seconds, 1, 300)?,
            max_retries: u32::try_from(int_field(map, "maxRetries", 2, 0, 10)?).unwrap_or(2),
            failure_cooldown_seconds: int_field(
                map,
                "failureCooldownSeconds",
                defaults.failure_cooldown_seconds,
                0,
                3600,
            )?,
            allow_insecure_http,
        };
        Ok(config)
    }

    /// The configuration as the API shows it, every default spelled out.
    pub fn to_json(&self) -> Value {
        json!({
            "tokenUrl": self.token_url.as_ref().map(|u| u.as_str()).unwrap_or(""),
            "authMethod": self.auth_method.as_str(),
            "basicEncoding": self.basic_encoding.as_str(),
            "scope": self.scope,
            "audience": self.audience,
            "extraParams": self.extra_params,
            "expirationBufferSeconds": self.expiration_buffer_seconds,
            "defaultLifetimeSeconds": self.default_lifetime_seconds,
            "maxLifetimeSeconds": self.max_lifetime_seconds,
            "timeoutSeconds": self.timeout_seconds,
            "maxRetries": self.max_retries,
            "failureCooldownSeconds": self.failure_cooldown_seconds,
            "allowInsecureHttp": self.allow_insecure_http,
        })
    }

    /// The lifetime to use for a token whose response announced `announced` seconds (§6.3):
    /// unusable values take the default, every value is capped.
    pub fn effective_lifetime(&self, announced: Option<u64>) -> u64 {
        let lifetime = match announced {
            Some(seconds) if seconds > 0 => seconds,
            _ => self.default_lifetime_seconds,
        };
        lifetime.min(self.max_lifetime_seconds)
    }

    /// How long before `expiresAt` a token stops being served (§6.4): never more than half its
    /// lifetime, so that a short-lived token does not cause an exchange on every call.
    pub fn buffer_seconds(&self, lifetime_seconds: u64) -> u64 {
        self.expiration_buffer_seconds.min(lifetime_seconds / 2)
    }
}

fn bool_field(map: &Map<String, Value>, key: &str, default: bool) -> Result<bool, FieldError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(FieldError::new(
            format!("configuration.{key}"),
            "must be true or false",
        )),
    }
}

fn optional_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>, FieldError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(FieldError::new(
            format!("configuration.{key}"),
            "must be a string",
        )),
    }
}

/// A string setting where the empty string means "not set".
fn optional_text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, FieldError> {
    let text = optional_string(map, key)?.filter(|t| !t.trim().is_empty());
    if let Some(text) = &text {
        check_param_text(text).map_err(|m| FieldError::new(format!("configuration.{key}"), m))?;
    }
    Ok(text)
}

fn int_field(
    map: &Map<String, Value>,
    key: &str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, FieldError> {
    let value = match map.get(key) {
        None | Some(Value::Null) => return Ok(default),
        Some(value) => value.as_u64(),
    };
    match value {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            format!("configuration.{key}"),
            format!("must be a whole number from {min} to {max}"),
        )),
    }
}

fn extra_params(map: &Map<String, Value>) -> Result<BTreeMap<String, String>, FieldError> {
    let params = match map.get("extraParams") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(params)) => params,
        Some(_) => {
            return Err(FieldError::new(
                "configuration.extraParams",
                "must be an object of string values",
            ))
        }
    };

    let mut out = BTreeMap::new();
    for (key, value) in params {
        let field = format!("configuration.extraParams.{key}");
        if key.is_empty() || RESERVED_PARAMS.contains(&key.as_str()) {
            return Err(FieldError::new(
                field,
                format!("may not be empty or one of {}", RESERVED_PARAMS.join(", ")),
            ));
        }
        let Value::String(text) = value else {
            return Err(FieldError::new(field, "must be a string"));
        };
        check_param_text(text).map_err(|m| FieldError::new(field, m))?;
        out.insert(key.clone(), text.clone());
    }
    Ok(out)
}

fn check_param_text(text: &str) -> Result<(), &'static str> {
    if text.len() > 4096 {
        return Err("must be at most 4096 bytes");
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    Ok(())
}

/// One tenant's input for a CCF component (§6.1): its own client credentials, and optionally
/// its own scope and audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcfInput {
    pub client_id: String,
    pub client_secret: Secret,
    pub scope: Option<String>,
    pub audience: Option<String>,
}

const INPUT_KEYS: [&str; 4] = ["client_id", "client_secret", "scope", "audience"];

impl CcfInput {
    /// Parses the input object; `field` is where it sits in the request (`input.ccfConnector`).
    pub fn from_json(value: &Value, field: &str) -> Result<Self, FieldError> {
        let Some(map) = value.as_object() else {
            return Err(FieldError::new(
                field,
                "must be an object with client_id and client_secret",
            ));
        };
        if let Some(key) = map.keys().find(|k| !INPUT_KEYS.contains(&k.as_str())) {
            return Err(FieldError::new(
                format!("{field}.{key}"),
                format!("is not accepted (accepted: {})", INPUT_KEYS.join(", ")),
            ));
        }

        let text = |key: &str, required: bool| -> Result<Option<String>, FieldError> {
            let at = format!("{field}.{key}");
            match map.get(key) {
                None | Some(Value::Null) if required => Err(FieldError::new(at, "is required")),
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) if text.is_empty() && required => {
                    Err(FieldError::new(at, "must not be empty"))
                }
                Some(Value::String(text)) if text.is_empty() => Ok(None),
                Some(Value::String(text)) if text.len() > 4096 => {
                    Err(FieldError::new(at, "must be at most 4096 bytes"))
                }
                Some(Value::String(text)) if text.chars().any(char::is_control) => {
                    Err(FieldError::new(at, "must not contain control characters"))
                }
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(FieldError::new(at, "must be a string")),
            }
        };

        Ok(Self {
            client_id: text("client_id", true)?.unwrap_or_default(),
            client_secret: Secret::new(text("client_secret", true)?.unwrap_or_default()),
            scope: text("scope", false)?,
            audience: text("audience", false)?,
        })
    }

    /// Which fields were received, without their values: what a session response may show.
    pub fn received_fields(&self) -> Vec<&'static str> {
        let mut fields = vec!["client_id", "client_secret"];
        if self.scope.is_some() {
            fields.push("scope");
        }
        if self.audience.is_some() {
            fields.push("audience");
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_configuration_takes_every_default() {
        let config = CcfConfig::from_json(&json!({})).unwrap();

        assert_eq!(config, CcfConfig::default());
        assert_eq!(config.to_json()["authMethod"], "client_secret_basic");
    }

    #[test]
    fn the_configuration_round_trips_through_json() {
        let config = CcfConfig::from_json(&json!({
            "tokenUrl": "https://auth.example/token?x=1",
            "authMethod": "client_secret_post",
            "basicEncoding": "raw",
            "scope": "a b",
            "audience": "api",
            "extraParams": {"resource": "https://api.example"},
            "maxRetries": 0,
        }))
        .unwrap();

        assert_eq!(CcfConfig::from_json(&config.to_json()).unwrap(), config);
    }

    #[test]
    fn bad_configuration_values_name_their_field() {
        let cases = [
            (json!({"tokenUrl": "/token"}), "configuration.tokenUrl"),
            (
                json!({"tokenUrl": "http://auth.example/token"}),
                "configuration.tokenUrl",
            ),
            (
                json!({"tokenUrl": "ftp://localhost/token"}),
                "configuration.tokenUrl",
            ),
            (
                json!({"tokenUrl": "https://u:p@auth.example/"}),
                "configuration.tokenUrl",
            ),
            (json!({"authMethod": "basic"}), "configuration.authMethod"),
            (json!({"timeoutSeconds": 0}), "configuration.timeoutSeconds"),
            (json!({"maxRetries": -1}), "configuration.maxRetries"),
            (json!({"maxRetries": 1.5}), "configuration.maxRetries"),
            (
                json!({"extraParams": {"client_secret": "x"}}),
                "configuration.extraParams.client_secret",
            ),
            (
                json!({"extraParams": {"a": 1}}),
                "configuration.extraParams.a",
            ),
            (json!({"tokenurl": "https://x"}), "configuration.tokenurl"),
            (
                json!({"defaultLifetimeSeconds": 100, "maxLifetimeSeconds": 50}),
                "configuration.defaultLifetimeSeconds",
            ),
        ];
        for (value, field) in cases {
            assert_eq!(
                CcfConfig::from_json(&value).unwrap_err().field,
                field,
                "{value}"
            );
        }
    }

    #[test]
    fn plain_http_is_allowed_to_loopback_or_when_asked_for() {
        for url in [
            "http://127.0.0.1:9/t",
            "http://localhost/t",
            "http://[::1]/t",
        ] {
            assert!(TokenUrl::parse(url, false).is_ok(), "{url}");
        }
        assert!(TokenUrl::parse("http://auth.example/t", true).is_ok());
    }

    #[test]
    fn lifetimes_fall_back_to_the_default_and_are_capped() {
        let config = CcfConfig::default();

        assert_eq!(config.effective_lifetime(None), 600);
        assert_eq!(config.effective_lifetime(Some(0)), 600);
        assert_eq!(config.effective_lifetime(Some(3599)), 3599);
        assert_eq!(config.effective_lifetime(Some(u64::MAX)), 86_400);
    }

    #[test]
    fn the_buffer_never_exceeds_half_the_lifetime() {
        let config = CcfConfig::default();

        assert_eq!(config.buffer_seconds(3600), 120);
        assert_eq!(config.buffer_seconds(60), 30);
        assert_eq!(config.buffer_seconds(1), 0);
    }

    #[test]
    fn input_needs_both_credentials_and_names_unknown_keys() {
        let ok = CcfInput::from_json(
            &json!({"client_id": "a", "client_secret": "s: +%", "scope": "x"}),
            "input.ccf",
        )
        .unwrap();
        let missing = CcfInput::from_json(&json!({"client_secret": "s"}), "input.ccf");
        let unknown = CcfInput::from_json(
            &json!({"client_id": "a", "client_secret": "s", "x": 1}),
            "input.ccf",
        );

        assert_eq!(ok.client_secret.expose(), "s: +%");
        assert_eq!(
            ok.received_fields(),
            vec!["client_id", "client_secret", "scope"]
        );
        assert_eq!(missing.unwrap_err().field, "input.ccf.client_id");
        let unknown = unknown.unwrap_err();
        assert_eq!(unknown.field, "input.ccf.x");
        assert!(unknown.message.contains("client_secret"));
    }
}
