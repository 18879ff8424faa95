//! The outbound HTTP seam: one request out, one bounded response in.
//!
//! The exchange logic talks only to [`HttpTransport`], so tests can pin the exact request that
//! leaves and script every fault an endpoint can produce.

use std::fmt;
use std::time::Duration;

/// One HTTP request as the exchange builds it.
///
/// It carries the client secret (in a header, the body or, for `authMethod: query`, the URL), so
/// its `Debug` shows only the method, the URL without its query, header names and body length.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundRequest {
    /// `POST` for the RFC 6749 methods, `GET` for `authMethod: query`.
    pub method: http::Method,
    /// The token endpoint, with the query string that `authMethod: query` adds.
    pub url: url::Url,
    /// Header names in lower case, in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The form body, if any.
    pub body: Option<Vec<u8>>,
}

impl OutboundRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for OutboundRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut url = self.url.clone();
        url.set_query(None);

        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("OutboundRequest")
            .field("method", &self.method)
            .field("url", &url.as_str())
            .field("header_names", &names)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// One HTTP response, its body already read (and bounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundResponse {
    /// The status code.
    pub status: u16,
    /// Header names in lower case; values as received (non-UTF-8 bytes replaced).
    pub headers: Vec<(String, String)>,
    /// The whole body, never longer than the limit the transport was given.
    pub body: Vec<u8>,
}

impl InboundResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Why a request got no complete response. Messages never contain the request's URL, headers or
/// body, so they cannot carry a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The connection could not be made (refused, DNS, TLS handshake).
    #[error("connection failed: {0}")]
    Connect(String),
    /// The deadline passed before the last byte of the body arrived.
    #[error("deadline exceeded")]
    Timeout,
    /// The body is longer than the limit.
    #[error("response body too large")]
    BodyTooLarge,
    /// The connection broke, or the response could not be read.
    #[error("i/o error: {0}")]
    Io(String),
}

/// Sends one HTTP request. Implementations follow no redirect.
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync + 'static {
    /// Sends one request, follows no redirect, reads at most `max_body` bytes of body
    /// (decompressed) and fails with [`TransportError::BodyTooLarge`] beyond; honours `deadline`
    /// from connect to the last byte.
    async fn send(
        &self,
        request: OutboundRequest,
        deadline: Duration,
        max_body: usize,
    ) -> Result<InboundResponse, TransportError>;
}
