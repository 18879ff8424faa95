//! The production [`HttpTransport`], on reqwest: no redirects, no proxy, a streamed and bounded
//! body, one deadline from connect to the last byte.

use std::time::Duration;

use crate::transport::{HttpTransport, InboundResponse, OutboundRequest, TransportError};

/// An [`HttpTransport`] over a shared reqwest connection pool.
///
/// The workspace builds reqwest without its decompression features, so no `Accept-Encoding` is
/// sent and bodies arrive as sent; the 1 MiB limit then counts the bytes on the wire, which for
/// an uncompressed body are the decompressed bytes. A server that compresses unasked gives an
/// unreadable body ([`crate::ExchangeError::MalformedSuccess`] or an excerpt of noise).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    /// The client, or why it could not be built (then every request fails with that reason).
    client: Result<reqwest::Client, String>,
}

impl ReqwestTransport {
    /// A transport that follows no redirect and uses no proxy (not even one named in the
    /// environment), so the token endpoint is reached exactly as configured.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|err| error_chain(&err));
        Self { client }
    }

    /// A transport over a client the caller built, for a proxy or custom roots. The client
    /// must be built with `redirect::Policy::none()`: the exchange relies on seeing every 3xx.
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client: Ok(client) }
    }
}

impl Default for ReqwestTransport {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(
        &self,
        request: OutboundRequest,
        deadline: Duration,
        max_body: usize,
    ) -> Result<InboundResponse, TransportError> {
        let client = self.client.as_ref().map_err(|reason| {
            TransportError::Io(format!("http client could not be built: {reason}"))
        })?;

        let exchange = send_and_read(client, request, max_body);
        tokio::time::timeout(deadline, exchange)
            .await
            .map_err(|_| TransportError::Timeout)?
    }
}

async fn send_and_read(
    client: &reqwest::Client,
    request: OutboundRequest,
    max_body: usize,
) -> Result<InboundResponse, TransportError> {
    let mut builder = client.request(request.method, request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(body) = request.body {
        builder = builder.body(body);
    }

    let mut response = builder.send().await.map_err(map_error)?;

    let too_long = response
        .content_length()
        .is_some_and(|length| length > max_body as u64);
    if too_long {
        return Err(TransportError::BodyTooLarge);
    }

    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_ascii_lowercase(), value)
        })
        .collect();

    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(map_error)? {
        if body.len() + chunk.len() > max_body {
            return Err(TransportError::BodyTooLarge);
        }
        body.extend_from_slice(&chunk);
    }

    Ok(InboundResponse {
        status,
        headers,
        body,
    })
}

/// Maps a reqwest error without its URL, which for `authMethod: query` holds the secret.
fn map_error(err: reqwest::Error) -> TransportError {
    let err = err.without_url();
    if err.is_timeout() {
        return TransportError::Timeout;
    }

    let message = error_chain(&err);
    if err.is_connect() {
        TransportError::Connect(message)
    } else {
        TransportError::Io(message)
    }
}

/// The error's message followed by its sources', joined with `: `.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
