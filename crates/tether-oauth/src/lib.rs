//! Tether's OAuth 2.0 client credentials exchange client (SPEC §6).
//!
//! [`build_request`] turns a connector's configuration and a tenant's credentials into the exact
//! request of §6.2; [`parse_response`] reads the answer as §6.3 says; [`Exchanger`] sends it over
//! an injected [`HttpTransport`] ([`ReqwestTransport`] in production) and retries transient
//! failures as §6.5 says.
//!
//! The crate does no logging: every failure comes back as an [`ExchangeError`] whose text has
//! been cut short and scrubbed of anything secret-looking, so callers may log it.
//!
//! # Decisions
//!
//! - **Overall deadline.** One exchange, retries included, ends within
//!   `timeoutSeconds × (maxRetries + 1)`. Each attempt gets `min(timeoutSeconds, remaining)`.
//!   A retry whose wait would end at or past the overall deadline is not made: the exchange
//!   returns [`ExchangeError::Unavailable`] with a `retry_after` for the caller.
//! - **A timed-out attempt is not retried.** A hanging endpoint costs the caller
//!   `timeoutSeconds`, not `timeoutSeconds × (maxRetries + 1)`; the result is
//!   [`ExchangeError::Timeout`].
//! - **Waits.** Exponential backoff from about 200 ms ([`Exchanger::with_backoff`] changes it),
//!   doubled per retry, with jitter; a `Retry-After` (seconds or HTTP date) replaces it. No wait
//!   exceeds 10 s. The caller's `retry_after` is the last `Retry-After` (at most one hour), else
//!   2 s.
//! - **OAuth errors with a transient status.** A 429 or 5xx whose body carries an OAuth `error`
//!   (`temporarily_unavailable`, `slow_down`, …) is treated as transient, like the status says,
//!   not as a permanent rejection.
//! - **Token type.** Absent, null, empty or any case of `bearer` is Bearer.
//! - **Raw Basic encoding** refuses a `client_id` containing `:`, which it cannot carry.
//! - **Blank overrides.** A blank tenant scope or audience falls back to the connector's.

mod body;
mod error;
mod exchanger;
mod fields;
mod redact;
mod request;
mod reqwest_transport;
mod response;
mod retry;
mod transport;

pub use error::ExchangeError;
pub use exchanger::Exchanger;
pub use redact::{EXCERPT_BYTES, REDACTED};
pub use request::{build_request, ExchangeParams, USER_AGENT};
pub use reqwest_transport::ReqwestTransport;
pub use response::{parse_response, Token};
pub use retry::{
    is_transient_status, parse_retry_after, Backoff, DEFAULT_BACKOFF_BASE, DEFAULT_RETRY_AFTER,
    MAX_CALLER_RETRY_AFTER, MAX_RETRY_WAIT,
};
pub use transport::{HttpTransport, InboundResponse, OutboundRequest, TransportError};

/// The largest response body read, after any decompression (SPEC §6.3): 1 MiB.
pub const MAX_BODY: usize = 1 << 20;
