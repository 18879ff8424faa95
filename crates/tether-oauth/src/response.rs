//! Reading the token endpoint's answer (SPEC §6.3): a [`Token`], or the error it amounts to.

use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Map, Value};
use tether_domain::ccf::CcfConfig;
use tether_domain::time::EpochMillis;
use tether_domain::Secret;

use crate::error::ExchangeError;
use crate::redact::{self, Needles};
use crate::transport::InboundResponse;
use crate::{body, fields, retry};

/// Fields that are read, or deliberately dropped, rather than passed on in [`Token::extra`].
const NOT_EXTRA: [&str; 6] = [
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "refresh_token",
    "id_token",
];

/// Longest `error_description`, `error_uri` or `Location` kept, in bytes.
const TEXT_BYTES: usize = 1024;

/// Longest OAuth error code or token type kept, in bytes.
const CODE_BYTES: usize = 128;

/// An access token obtained by one exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token itself.
    pub access_token: Secret,
    /// Always `"Bearer"`: other types are refused.
    pub token_type: String,
    /// The lifetime used: announced, else the default, capped (§6.3).
    pub lifetime_seconds: u64,
    /// When the response arrived.
    pub received_at: EpochMillis,
    /// `received_at + lifetime_seconds`.
    pub expires_at: EpochMillis,
    /// The granted scope if the response named one, else the requested scope.
    pub scope: Option<String>,
    /// Every other response field except `refresh_token` and `id_token`.
    pub extra: Map<String, Value>,
}

/// Names the token's type, expiry and scope; never the token.
impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expires_at = self.expires_at.to_rfc3339();
        write!(f, "{} token expiring at {expires_at}", self.token_type)?;
        match &self.scope {
            Some(scope) => write!(f, " with scope {scope}"),
            None => Ok(()),
        }
    }
}

impl Token {
    /// The last instant the token is served from (SPEC §6.4): `expires_at` minus the buffer.
    pub fn serve_until(&self, config: &CcfConfig) -> EpochMillis {
        let buffer = config.buffer_seconds(self.lifetime_seconds);
        self.expires_at.minus_seconds(buffer)
    }
}

/// Reads one response. Pure: the outcome depends only on the arguments. The scope shown when
/// the response names none is `config.scope`.
pub fn parse_response(
    config: &CcfConfig,
    response: &InboundResponse,
    received_at: EpochMillis,
) -> Result<Token, ExchangeError> {
    let context = ParseContext {
        requested_scope: config.scope.as_deref(),
        needles: &Needles::default(),
    };
    parse_with(config, response, received_at, &context)
}

/// What the exchanger knows beyond the configuration: the tenant's scope and credentials.
pub(crate) struct ParseContext<'a> {
    pub(crate) requested_scope: Option<&'a str>,
    pub(crate) needles: &'a Needles,
}

pub(crate) fn parse_with(
    config: &CcfConfig,
    response: &InboundResponse,
    received_at: EpochMillis,
    context: &ParseContext<'_>,
) -> Result<Token, ExchangeError> {
    let status = response.status;
    let needles = context.needles;
    if (300..400).contains(&status) {
        let location = response.header("location");
        return Err(ExchangeError::Redirect {
            status,
            location: location.map(|text| redact::scrub_short(text, needles, TEXT_BYTES)),
        });
    }

    let fields = body::fields(response);
    if let Some(error) = fields
        .as_ref()
        .and_then(|map| oauth_error(map, status, needles))
    {
        return Err(unavailable_if_transient(error, response, received_at));
    }

    if (200..300).contains(&status) {
        let Some(fields) = fields else {
            return Err(malformed("the body is neither a JSON object nor a form"));
        };
        return token(config, fields, received_at, context);
    }

    let content_type = response.header("content-type");
    let rejected = ExchangeError::Rejected {
        status,
        content_type: content_type.map(|text| redact::scrub_short(text, needles, CODE_BYTES)),
        excerpt: redact::excerpt(&response.body, needles),
    };
    Err(unavailable_if_transient(rejected, response, received_at))
}

/// The OAuth error in the body, if its `error` field is a non-empty string.
fn oauth_error(map: &Map<String, Value>, status: u16, needles: &Needles) -> Option<ExchangeError> {
    let error = map.get("error")?.as_str().filter(|code| !code.is_empty())?;

    let text = |key: &str| {
        let value = map.get(key)?.as_str()?;
        Some(redact::scrub_short(value, needles, TEXT_BYTES))
    };
    Some(ExchangeError::OAuth {
        error: redact::scrub_short(error, needles, CODE_BYTES),
        description: text("error_description"),
        uri: text("error_uri"),
        status,
    })
}

/// Turns a failure that came with a transient status (429, 500, 502, 503, 504) into
/// [`ExchangeError::Unavailable`], carrying the response's `Retry-After`.
fn unavailable_if_transient(
    error: ExchangeError,
    response: &InboundResponse,
    received_at: EpochMillis,
) -> ExchangeError {
    if !retry::is_transient_status(response.status) {
        return error;
    }

    let now = UNIX_EPOCH + Duration::from_millis(received_at.0.max(0).unsigned_abs());
    let retry_after = response
        .header("retry-after")
        .and_then(|value| retry::parse_retry_after(value, now));
    let reason = match &error {
        ExchangeError::OAuth {
            error, description, ..
        } => match description {
            Some(description) => format!("oauth error {error}: {description}"),
            None => format!("oauth error {error}"),
        },
        ExchangeError::Rejected { excerpt, .. } => excerpt.clone(),
        other => other.to_string(),
    };
    ExchangeError::Unavailable {
        status: Some(response.status),
        retry_after,
        reason: format!("status {}: {reason}", response.status),
    }
}

fn token(
    config: &CcfConfig,
    mut fields: Map<String, Value>,
    received_at: EpochMillis,
    context: &ParseContext<'_>,
) -> Result<Token, ExchangeError> {
    let access_token = match fields.get("access_token") {
        Some(Value::String(text)) if text.trim().is_empty() => {
            return Err(malformed("access_token is empty"))
        }
        // RFC 6749 A.12 allows visible ASCII and space; a space or a control character would
        // break (or inject into) the `Authorization` header integration code builds from it.
        Some(Value::String(text)) if !text.bytes().all(|b| b.is_ascii_graphic()) => {
            return Err(malformed(
                "access_token holds a space, a control or a non-ASCII character",
            ))
        }
        Some(Value::String(text)) => Secret::new(text.clone()),
        Some(_) => return Err(malformed("access_token is not a string")),
        None => return Err(malformed("access_token is missing")),
    };

    fields::token_type(fields.get("token_type")).map_err(|token_type| {
        ExchangeError::UnsupportedTokenType {
            token_type: redact::scrub_short(&token_type, context.needles, CODE_BYTES / 2),
        }
    })?;

    let lifetime_seconds = config.effective_lifetime(fields::expires_in(fields.get("expires_in")));
    let scope =
        fields::scope(fields.get("scope")).or_else(|| context.requested_scope.map(str::to_owned));

    fields.retain(|key, _| !NOT_EXTRA.contains(&key.as_str()));
    Ok(Token {
        access_token,
        token_type: "Bearer".to_owned(),
        lifetime_seconds,
        received_at,
        expires_at: received_at.plus_seconds(lifetime_seconds),
        scope,
        extra: fields,
    })
}

fn malformed(reason: &str) -> ExchangeError {
    ExchangeError::MalformedSuccess {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
