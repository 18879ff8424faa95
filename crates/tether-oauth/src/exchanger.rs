//! One exchange end to end: build the request, send it, read the answer, and retry transient
//! failures inside one overall deadline (SPEC §6.5).

use std::time::Duration;

use tether_domain::time::EpochMillis;
use tokio::time::Instant;

use crate::error::ExchangeError;
use crate::redact::{self, Needles};
use crate::request::{build_request, ExchangeParams};
use crate::response::{parse_with, ParseContext, Token};
use crate::retry::{Backoff, DEFAULT_RETRY_AFTER, MAX_CALLER_RETRY_AFTER};
use crate::transport::{HttpTransport, OutboundRequest, TransportError};
use crate::MAX_BODY;

/// Runs client credentials exchanges over an [`HttpTransport`].
#[derive(Debug, Clone)]
pub struct Exchanger<T: HttpTransport> {
    transport: T,
    backoff: Backoff,
}

/// A failure worth another attempt, and what the endpoint said about waiting.
struct Transient {
    status: Option<u16>,
    retry_after: Option<Duration>,
    reason: String,
}

impl<T: HttpTransport> Exchanger<T> {
    /// An exchanger with the default backoff (first step about 200 ms).
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            backoff: Backoff::default(),
        }
    }

    /// Sets the first backoff step (each retry doubles it); tests use a few milliseconds.
    pub fn with_backoff(mut self, base: Duration) -> Self {
        self.backoff = Backoff::new(base);
        self
    }

    /// The transport, for tests that inspect what it sent.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// One exchange including retries of transient failures, inside one overall deadline of
    /// `timeoutSeconds × (maxRetries + 1)`. An attempt that times out is not retried.
    pub async fn exchange(&self, params: &ExchangeParams<'_>) -> Result<Token, ExchangeError> {
        let needles = Needles::for_credentials(params.client_id, params.client_secret.expose());
        let request = build_request(params)?;

        let outcome = self.with_retries(params, &request, &needles).await;
        outcome.map_err(|error| error.map_text(|text| redact::scrub(text, &needles)))
    }

    async fn with_retries(
        &self,
        params: &ExchangeParams<'_>,
        request: &OutboundRequest,
        needles: &Needles,
    ) -> Result<Token, ExchangeError> {
        let config = params.config;
        let per_attempt = Duration::from_secs(config.timeout_seconds);
        let overall = per_attempt.saturating_mul(config.max_retries.saturating_add(1));
        let deadline = Instant::now() + overall;
        let context = ParseContext {
            requested_scope: params.effective_scope(),
            needles,
        };

        let mut attempts = 0;
        let last = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(ExchangeError::Timeout);
            }

            attempts += 1;
            let sent = self
                .transport
                .send(request.clone(), per_attempt.min(remaining), MAX_BODY)
                .await;
            let failure = match sent {
                Ok(response) => match parse_with(config, &response, EpochMillis::now(), &context) {
                    Ok(token) => return Ok(token),
                    Err(error) => transient(error)?,
                },
                Err(error) => transport_failure(error)?,
            };

            if attempts > config.max_retries {
                break failure;
            }

            let wait = self
                .backoff
                .delay(attempts - 1, failure.retry_after, rand::random());
            if Instant::now() + wait >= deadline {
                break failure;
            }
            tokio::time::sleep(wait).await;
        };

        Err(ExchangeError::Unavailable {
            status: last.status,
            retry_after: Some(
                last.retry_after
                    .unwrap_or(DEFAULT_RETRY_AFTER)
                    .min(MAX_CALLER_RETRY_AFTER),
            ),
            reason: format!("{} (after {attempts} attempts)", last.reason),
        })
    }
}

/// Keeps a transient parse outcome for another attempt; anything else ends the exchange.
fn transient(error: ExchangeError) -> Result<Transient, ExchangeError> {
    match error {
        ExchangeError::Unavailable {
            status,
            retry_after,
            reason,
        } => Ok(Transient {
            status,
            retry_after,
            reason,
        }),
        permanent => Err(permanent),
    }
}

/// Connection failures are worth another attempt; a timeout or an oversized body is not.
fn transport_failure(error: TransportError) -> Result<Transient, ExchangeError> {
    match error {
        TransportError::Timeout => Err(ExchangeError::Timeout),
        TransportError::BodyTooLarge => Err(ExchangeError::BodyTooLarge),
        TransportError::Connect(_) | TransportError::Io(_) => Ok(Transient {
            status: None,
            retry_after: None,
            reason: error.to_string(),
        }),
    }
}
