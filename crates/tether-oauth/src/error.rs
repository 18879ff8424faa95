//! What can go wrong in an exchange (SPEC §6.5), and whether trying again can help.

use std::time::Duration;

/// Why an exchange produced no token. `Debug` and `Display` never contain the client secret or
/// a token: upstream text is cut short and scrubbed before it lands here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// The body carried an OAuth `error` (RFC 6749 §5.2), whatever the status. Permanent.
    #[error("token endpoint answered with oauth error {error} (status {status})")]
    OAuth {
        /// The OAuth error code, such as `invalid_client`.
        error: String,
        /// `error_description`, if any.
        description: Option<String>,
        /// `error_uri`, if any.
        uri: Option<String>,
        /// The HTTP status it came with.
        status: u16,
    },
    /// A non-OAuth failure status (4xx, or a 5xx that is not transient). Permanent.
    #[error("token endpoint rejected the request with status {status}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The declared `Content-Type`, if any.
        content_type: Option<String>,
        /// At most 256 bytes of the body, with anything secret-looking removed.
        excerpt: String,
    },
    /// A 3xx; redirects are never followed. Permanent.
    #[error("token endpoint answered with redirect status {status}")]
    Redirect {
        /// The HTTP status.
        status: u16,
        /// The `Location` header, scrubbed like an excerpt.
        location: Option<String>,
    },
    /// A 2xx without a usable `access_token`, or an unreadable body. Permanent.
    #[error("malformed token response: {reason}")]
    MalformedSuccess {
        /// What was wrong, without the body's secrets.
        reason: String,
    },
    /// A token type other than Bearer. Permanent.
    #[error("unsupported token type {token_type}")]
    UnsupportedTokenType {
        /// The type the endpoint announced (at most 64 bytes).
        token_type: String,
    },
    /// A transient failure (429, 500, 502, 503, 504, connection errors) that retries did not
    /// cure within the overall deadline.
    #[error("token endpoint unavailable: {reason}")]
    Unavailable {
        /// The last HTTP status, if a response arrived.
        status: Option<u16>,
        /// When the caller may try again: the last `Retry-After`, else a short default.
        retry_after: Option<Duration>,
        /// What happened, scrubbed.
        reason: String,
    },
    /// The deadline passed before an answer arrived.
    #[error("token endpoint did not answer in time")]
    Timeout,
    /// The response body is larger than 1 MiB. Permanent.
    #[error("token response larger than the 1 MiB limit")]
    BodyTooLarge,
    /// The exchange cannot be attempted, for example without a `tokenUrl`. Permanent.
    #[error("exchange cannot be attempted: {reason}")]
    InvalidRequest {
        /// What is missing or wrong.
        reason: String,
    },
}

impl ExchangeError {
    /// Whether the same exchange would fail the same way if tried again soon (SPEC §6.5).
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::OAuth { .. }
            | Self::Rejected { .. }
            | Self::Redirect { .. }
            | Self::MalformedSuccess { .. }
            | Self::UnsupportedTokenType { .. }
            | Self::BodyTooLarge
            | Self::InvalidRequest { .. } => true,
            Self::Unavailable { .. } | Self::Timeout => false,
        }
    }

    /// A short code for API error bodies: the OAuth error itself, or a snake_case reason.
    pub fn code(&self) -> &str {
        match self {
            Self::OAuth { error, .. } => error,
            Self::Rejected { .. } => "upstream_rejected",
            Self::Redirect { .. } => "upstream_redirect",
            Self::MalformedSuccess { .. } => "malformed_response",
            Self::UnsupportedTokenType { .. } => "unsupported_token_type",
            Self::Unavailable { .. } => "upstream_unavailable",
            Self::Timeout => "upstream_timeout",
            Self::BodyTooLarge => "response_too_large",
            Self::InvalidRequest { .. } => "invalid_configuration",
        }
    }

    /// The HTTP status the endpoint answered with, when one did.
    pub fn upstream_status(&self) -> Option<u16> {
        match self {
            Self::OAuth { status, .. }
            | Self::Rejected { status, .. }
            | Self::Redirect { status, .. } => Some(*status),
            Self::Unavailable { status, .. } => *status,
            Self::MalformedSuccess { .. }
            | Self::UnsupportedTokenType { .. }
            | Self::Timeout
            | Self::BodyTooLarge
            | Self::InvalidRequest { .. } => None,
        }
    }

    /// Applies `scrub` to every piece of upstream text the error carries.
    pub(crate) fn map_text(self, scrub: impl Fn(&str) -> String) -> Self {
        let opt = |text: Option<String>| text.map(|text| scrub(&text));
        match self {
            Self::OAuth {
                error,
                description,
                uri,
                status,
            } => Self::OAuth {
                error: scrub(&error),
                description: opt(description),
                uri: opt(uri),
                status,
            },
            Self::Rejected {
                status,
                content_type,
                excerpt,
            } => Self::Rejected {
                status,
                content_type: opt(content_type),
                excerpt: scrub(&excerpt),
            },
            Self::Redirect { status, location } => Self::Redirect {
                status,
                location: opt(location),
            },
            Self::MalformedSuccess { reason } => Self::MalformedSuccess {
                reason: scrub(&reason),
            },
            Self::UnsupportedTokenType { token_type } => Self::UnsupportedTokenType {
                token_type: scrub(&token_type),
            },
            Self::Unavailable {
                status,
                retry_after,
                reason,
            } => Self::Unavailable {
                status,
                retry_after,
                reason: scrub(&reason),
            },
            Self::InvalidRequest { reason } => Self::InvalidRequest {
                reason: scrub(&reason),
            },
            Self::Timeout => Self::Timeout,
            Self::BodyTooLarge => Self::BodyTooLarge,
        }
    }
}
