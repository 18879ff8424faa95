//! A tenant's credentials as the hub's token route serves them (SPEC §8.3).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{AccessToken, SdkError};

/// A tenant's current access token and where it came from.
///
/// ```no_run
/// # async fn example(hub: tether_sdk::Hub) -> Result<(), tether_sdk::SdkError> {
/// let creds = hub
///     .integration("crm")
///     .tenant()
///     .get_sdk_by_tenant("ccfConnector", "acme")
///     .await?;
/// let header = format!("Bearer {}", creds.access_token.expose());
/// println!("{creds:?}"); // the token prints as [redacted]
/// # let _ = header;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Send it as `Authorization: Bearer <token>`.
    pub access_token: AccessToken,
    /// Always `Bearer`.
    pub token_type: String,
    /// When the token expires, in milliseconds since the Unix epoch (the hub's clock).
    pub expires_at: i64,
    /// The tenant's OAuth client id.
    pub client_id: String,
    /// `ins-…`, the tenant's install.
    pub install_id: String,
    /// `idn-…`, the identity holding the tenant's credentials.
    pub identity_id: String,
    /// The scope granted, when the token endpoint said.
    pub scope: Option<String>,
    /// Other fields of the token endpoint's answer.
    pub extra: Map<String, Value>,
}

/// The token route's body.
#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    expires_at: i64,
    expires_in: u64,
    client_id: String,
    install_id: String,
    identity_id: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    extra: Option<Map<String, Value>>,
}

impl Credentials {
    /// Parses a token route body into credentials and the seconds they have left.
    pub(crate) fn from_body(body: &[u8]) -> Result<(Self, u64), SdkError> {
        let body: TokenBody = serde_json::from_slice(body).map_err(|_| SdkError::Hub {
            status: 200,
            message: "the token answer is not the expected JSON".into(),
        })?;

        let credentials = Self {
            access_token: AccessToken::new(body.access_token),
            token_type: body.token_type.unwrap_or_else(|| "Bearer".into()),
            expires_at: body.expires_at,
            client_id: body.client_id,
            install_id: body.install_id,
            identity_id: body.identity_id,
            scope: body.scope,
            extra: body.extra.unwrap_or_default(),
        };
        Ok((credentials, body.expires_in))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_body_becomes_credentials_whose_debug_hides_the_token() {
        let body = br#"{"access_token":"tok-123","token_type":"Bearer","expires_at":1700000000000,
            "expires_in":3599,"client_id":"acme","install_id":"ins-1","identity_id":"idn-1",
            "extra":{"tenant_hint":"x"}}"#;

        let (creds, expires_in) = Credentials::from_body(body).unwrap();

        assert_eq!(expires_in, 3599);
        assert_eq!(creds.access_token.expose(), "tok-123");
        assert_eq!(creds.extra["tenant_hint"], "x");
        assert!(!format!("{creds:?}").contains("tok-123"));
    }

    #[test]
    fn a_malformed_body_is_a_hub_error_without_its_content() {
        let error = Credentials::from_body(br#"{"access_token":"tok-123"}"#).unwrap_err();

        assert!(matches!(error, SdkError::Hub { status: 200, .. }));
        assert!(!format!("{error:?}").contains("tok-123"));
    }
}
