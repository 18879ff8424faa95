//! Structured logs. Spans carry route templates and ids, never secrets or raw query strings.

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber; logs go to standard error.
///
/// An invalid filter falls back to `info`, and is returned so that the caller can report it
/// once logging works.
pub fn init(filter: &str, format: LogFormat) -> Result<(), InvalidFilter> {
    // An empty filter would silence every line, the chosen port included.
    let filter = if filter.trim().is_empty() {
        "info"
    } else {
        filter
    };
    let (filter, invalid) = match EnvFilter::try_new(filter) {
        Ok(filter) => (filter, None),
        Err(_) => (
            EnvFilter::new("info"),
            Some(InvalidFilter(filter.to_owned())),
        ),
    };
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    // A subscriber already installed (tests) is not an error.
    drop(result);
    invalid.map_or(Ok(()), Err)
}

/// A `TETHER_LOG` value that is not a tracing filter.
#[derive(Debug, thiserror::Error)]
#[error("TETHER_LOG: '{0}' is not a log filter (try info, debug, or tether_server=debug,info)")]
pub struct InvalidFilter(String);
