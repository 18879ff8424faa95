//! Building the exchange request of SPEC §6.2 for each `authMethod`.

use base64::Engine as _;
use tether_domain::ccf::{AuthMethod, BasicEncoding, CcfConfig};
use tether_domain::Secret;
use url::form_urlencoded;

use crate::error::ExchangeError;
use crate::transport::OutboundRequest;

/// The `User-Agent` every exchange request carries.
pub const USER_AGENT: &str = concat!("tether-oauth/", env!("CARGO_PKG_VERSION"));

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// What one exchange needs: the connector's configuration and one tenant's credentials.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeParams<'a> {
    /// The connector's configuration.
    pub config: &'a CcfConfig,
    /// The tenant's client id.
    pub client_id: &'a str,
    /// The tenant's client secret.
    pub client_secret: &'a Secret,
    /// The tenant's scope; `None` or blank means the connector's.
    pub scope: Option<&'a str>,
    /// The tenant's audience; `None` or blank means the connector's.
    pub audience: Option<&'a str>,
}

impl<'a> ExchangeParams<'a> {
    /// The scope that is requested: the tenant's, else the connector's.
    pub fn effective_scope(&self) -> Option<&'a str> {
        non_blank(self.scope).or(non_blank(self.config.scope.as_deref()))
    }

    /// The audience that is requested: the tenant's, else the connector's.
    pub fn effective_audience(&self) -> Option<&'a str> {
        non_blank(self.audience).or(non_blank(self.config.audience.as_deref()))
    }
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.filter(|text| !text.trim().is_empty())
}

/// Builds the request for one exchange attempt. Pure: the same parameters give the same bytes.
pub fn build_request(params: &ExchangeParams<'_>) -> Result<OutboundRequest, ExchangeError> {
    let config = params.config;
    let Some(token_url) = &config.token_url else {
        return Err(invalid("the connector has no tokenUrl"));
    };
    if params.client_id.is_empty() {
        return Err(invalid("client_id is empty"));
    }

    let mut url = token_url.as_url().clone();
    let mut headers = vec![
        ("accept".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), USER_AGENT.to_owned()),
    ];

    match config.auth_method {
        AuthMethod::ClientSecretBasic => {
            let authorization = basic_authorization(params)?;
            headers.push(("authorization".to_owned(), authorization));
            headers.push(("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()));
            let body = form_body(params, false);
            Ok(post(url, headers, body))
        }
        AuthMethod::ClientSecretPost => {
            headers.push(("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()));
            let body = form_body(params, true);
            Ok(post(url, headers, body))
        }
        AuthMethod::Query => {
            url.query_pairs_mut()
                .append_pair("client_id", params.client_id)
                .append_pair("client_secret", params.client_secret.expose())
                .extend_pairs(optional_params(params));
            Ok(OutboundRequest {
                method: http::Method::GET,
                url,
                headers,
                body: None,
            })
        }
    }
}

fn post(url: url::Url, headers: Vec<(String, String)>, body: String) -> OutboundRequest {
    OutboundRequest {
        method: http::Method::POST,
        url,
        headers,
        body: Some(body.into_bytes()),
    }
}

/// `grant_type`, the credentials when they travel in the body, then the optional parameters.
fn form_body(params: &ExchangeParams<'_>, with_credentials: bool) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials");
    if with_credentials {
        form.append_pair("client_id", params.client_id);
        form.append_pair("client_secret", params.client_secret.expose());
    }

    form.extend_pairs(optional_params(params));
    form.finish()
}

/// `scope`, `audience`, then `extraParams` in key order.
fn optional_params<'a>(params: &ExchangeParams<'a>) -> Vec<(&'a str, &'a str)> {
    let mut pairs = Vec::new();
    if let Some(scope) = params.effective_scope() {
        pairs.push(("scope", scope));
    }
    if let Some(audience) = params.effective_audience() {
        pairs.push(("audience", audience));
    }

    let extra = params.config.extra_params.iter();
    pairs.extend(extra.map(|(key, value)| (key.as_str(), value.as_str())));
    pairs
}

/// `Basic base64(enc(id) ":" enc(secret))`, `enc` following `basicEncoding`.
pub(crate) fn basic_authorization(params: &ExchangeParams<'_>) -> Result<String, ExchangeError> {
    let id = params.client_id;
    let secret = params.client_secret.expose();
    let pair = match params.config.basic_encoding {
        BasicEncoding::Form => format!("{}:{}", form_encode(id), form_encode(secret)),
        BasicEncoding::Raw if id.contains(':') => {
            return Err(invalid(
                "client_id contains ':', which raw Basic encoding cannot carry; use form",
            ))
        }
        BasicEncoding::Raw => format!("{id}:{secret}"),
    };

    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    Ok(format!("Basic {encoded}"))
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 6749 §2.3.1).
pub(crate) fn form_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn invalid(reason: &str) -> ExchangeError {
    ExchangeError::InvalidRequest {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
