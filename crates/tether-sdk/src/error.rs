//! Why the SDK could not do what was asked, told apart the way a caller needs to react: a
//! tenant to onboard, credentials to fix, an outage to wait out, or a hub to reach.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

/// An SDK failure. Messages name tenants and components, never keys or tokens.
///
/// ```no_run
/// use tether_sdk::{Hub, SdkError};
///
/// # async fn example(hub: Hub) {
/// match hub.integration("crm").tenant().get_sdk_by_tenant("ccfConnector", "acme").await {
///     Ok(creds) => println!("token expires at {}", creds.expires_at),
///     Err(SdkError::NoInstall { tenant }) => println!("{tenant} is not onboarded yet"),
///     Err(other) => println!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
pub enum SdkError {
    /// The tenant has no install of the integration (hub 404).
    #[error("tenant '{tenant}' has no install of this integration")]
    NoInstall { tenant: String },
    /// The integration has no such component, or the tenant's install lacks it (hub 404).
    #[error("{message}")]
    UnknownComponent { component: String, message: String },
    /// The tenant's token endpoint refused the stored credentials (hub 502): `code` is the
    /// OAuth error, such as `invalid_client`.
    #[error("the token endpoint rejected the tenant's credentials: {code}")]
    UpstreamRejected {
        code: String,
        description: Option<String>,
    },
    /// The tenant's token endpoint was unavailable after the hub's retries (hub 503).
    #[error("the token endpoint is unavailable")]
    UpstreamUnavailable { retry_after: Option<Duration> },
    /// The exchange or the hub call ran past its deadline (hub 504, or no answer in time).
    #[error("the token request timed out")]
    Timeout,
    /// The hub could not be reached at all.
    #[error("the hub cannot be reached")]
    HubUnreachable {
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The service's hub key is missing, unknown, revoked or expired (hub 401).
    #[error("the hub refused the key: missing, unknown, revoked or expired")]
    Unauthorized,
    /// The service's hub key lacks a permission the call needs (hub 403).
    #[error("the hub key lacks a permission this call needs")]
    Forbidden,
    /// Any other hub answer.
    #[error("the hub answered {status}: {message}")]
    Hub { status: u16, message: String },
    /// The settings are incomplete or malformed; the message names the setting.
    #[error("invalid settings: {0}")]
    Settings(String),
}

/// The hub's error body, SPEC §4.
#[derive(Deserialize, Default)]
struct HubErrorBody {
    #[serde(default)]
    message: String,
    code: Option<String>,
    details: Option<serde_json::Value>,
}

/// What a failed token request was about, to name it in the error.
pub(crate) struct TokenRequest<'a> {
    pub(crate) tenant: &'a str,
    pub(crate) component: &'a str,
}

impl SdkError {
    /// Maps a hub error answer (status ≥ 400) to an error.
    pub(crate) fn from_hub(
        status: u16,
        retry_after: Option<Duration>,
        body: &[u8],
        request: Option<&TokenRequest<'_>>,
    ) -> Self {
        let body: HubErrorBody = serde_json::from_slice(body).unwrap_or_default();

        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => match request {
                Some(request) => not_found(body, request),
                None => Self::Hub {
                    status,
                    message: body.message,
                },
            },
            502 => match body.code {
                Some(code) => Self::UpstreamRejected {
                    code,
                    description: body
                        .details
                        .as_ref()
                        .and_then(|d| d.get("error_description"))
                        .and_then(|d| d.as_str())
                        .map(str::to_owned),
                },
                None => Self::Hub {
                    status,
                    message: body.message,
                },
            },
            503 => Self::UpstreamUnavailable { retry_after },
            504 => Self::Timeout,
            _ => Self::Hub {
                status,
                message: body.message,
            },
        }
    }

    /// Maps a failure to send or read a hub call.
    pub(crate) fn from_transport(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else {
            Self::HubUnreachable {
                source: Arc::new(error.without_url()),
            }
        }
    }
}

/// A hub 404 on a token route: no install for the tenant, or no such component. The hub tells
/// them apart only by message; a `code` of `no_install` or `unknown_component` wins if sent.
fn not_found(body: HubErrorBody, request: &TokenRequest<'_>) -> SdkError {
    let no_install = match body.code.as_deref() {
        Some("no_install") => true,
        Some("unknown_component") => false,
        _ => body.message.contains("has no install"),
    };
    let unknown_component = body.code.as_deref() == Some("unknown_component")
        || body.message.starts_with("component '")
        || body.message.contains("has no identity for component");

    if no_install {
        SdkError::NoInstall {
            tenant: request.tenant.to_owned(),
        }
    } else if unknown_component {
        SdkError::UnknownComponent {
            component: request.component.to_owned(),
            message: body.message,
        }
    } else {
        SdkError::Hub {
            status: 404,
            message: body.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str) -> SdkError {
        let request = TokenRequest {
            tenant: "ops@acme.example",
            component: "ccfConnector",
        };
        SdkError::from_hub(status, None, body.as_bytes(), Some(&request))
    }

    #[test]
    fn hub_answers_map_to_the_error_a_caller_reacts_to() {
        let no_install = r#"{"status":404,"statusCode":404,
            "message":"tenant 'ops@acme.example' has no install of integration 'crm'"}"#;
        let no_component = r#"{"status":404,"statusCode":404,
            "message":"component 'nope' not found in integration 'crm'"}"#;
        let no_integration = r#"{"status":404,"message":"integration 'crm' not found"}"#;
        let rejected = r#"{"status":502,"message":"token endpoint refused the exchange: x",
            "code":"invalid_client","details":{"error_description":"bad secret","status":401}}"#;

        let cases: Vec<(u16, &str, &str)> = vec![
            (404, no_install, "NoInstall"),
            (404, no_component, "UnknownComponent"),
            (404, no_integration, "Hub"),
            (502, rejected, "UpstreamRejected"),
            (502, "{}", "Hub"),
            (503, "{}", "UpstreamUnavailable"),
            (504, "{}", "Timeout"),
            (401, "{}", "Unauthorized"),
            (403, "{}", "Forbidden"),
            (
                409,
                r#"{"message":"connector 'c' has no tokenUrl configured"}"#,
                "Hub",
            ),
            (500, "<html>", "Hub"),
        ];

        for (status, body, expected) in cases {
            let error = map(status, body);
            let name = format!("{error:?}");
            assert!(name.starts_with(expected), "{status} {body} -> {name}");
        }
    }

    #[test]
    fn no_install_names_the_tenant_and_rejection_keeps_the_oauth_error() {
        let no_install = map(
            404,
            r#"{"message":"tenant 'ops@acme.example' has no install"}"#,
        );
        let rejected = map(
            502,
            r#"{"code":"invalid_client","details":{"error_description":"bad secret"}}"#,
        );

        assert!(no_install.to_string().contains("'ops@acme.example'"));
        let SdkError::UpstreamRejected { code, description } = rejected else {
            panic!("{rejected:?}");
        };
        assert_eq!(code, "invalid_client");
        assert_eq!(description.as_deref(), Some("bad secret"));
    }
}
