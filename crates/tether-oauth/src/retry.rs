//! When to try again (SPEC §6.5): which statuses are transient, how long to wait, and what a
//! `Retry-After` header asks for.

use std::time::{Duration, SystemTime};

/// The longest wait between two attempts, whatever `Retry-After` asks for.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// The `retry_after` given to the caller when the endpoint sent none.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(2);

/// The longest `retry_after` passed on to the caller.
pub const MAX_CALLER_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The default first backoff step; each retry doubles it.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(200);

/// Whether a status is worth retrying: 429, 500, 502, 503, 504.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Reads `Retry-After` as delta seconds or an HTTP date (relative to `now`; a date in the past
/// means no wait). `None` if it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }

    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
}

impl Backoff {
    /// Backoff whose first step is about `base`, doubling with every retry.
    pub fn new(base: Duration) -> Self {
        Self { base }
    }

    /// The wait before retry number `retry` (0 for the first): the endpoint's `Retry-After` if
    /// it sent one, else `base × 2^retry` scaled by a jitter in `[0.5, 1)`; at most 10 s.
    /// `jitter` is a number in `[0, 1)`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(MAX_RETRY_WAIT);
        }

        let step = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(MAX_RETRY_WAIT);
        let jitter = jitter.clamp(0.0, 1.0);
        step / 2 + step.mul_f64(jitter / 2.0)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(DEFAULT_BACKOFF_BASE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rate_limits_and_gateway_failures_are_transient() {
        let transient: Vec<u16> = (100..600).filter(|s| is_transient_status(*s)).collect();

        assert_eq!(transient, vec![429, 500, 502, 503, 504]);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let cases = [
            ("5", Some(Duration::from_secs(5))),
            (" 0 ", Some(Duration::ZERO)),
            (
                "Sun, 06 Nov 1994 08:49:40 GMT",
                Some(Duration::from_secs(3)),
            ),
            ("Sun, 06 Nov 1994 08:49:00 GMT", Some(Duration::ZERO)),
            ("-1", None),
            ("soon", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_retry_after(value, now), expected, "{value:?}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_never_exceeds_ten_seconds() {
        let backoff = Backoff::new(Duration::from_millis(200));

        assert_eq!(backoff.delay(0, None, 0.0), Duration::from_millis(100));
        assert_eq!(backoff.delay(1, None, 0.0), Duration::from_millis(200));
        assert!(backoff.delay(1, None, 0.999) < Duration::from_millis(400));
        assert_eq!(
            backoff.delay(40, None, 0.999),
            MAX_RETRY_WAIT.mul_f64(0.9995)
        );
        assert!(backoff.delay(u32::MAX, None, 1.0) <= MAX_RETRY_WAIT);
    }

    #[test]
    fn a_retry_after_is_honoured_up_to_ten_seconds() {
        let backoff = Backoff::default();

        assert_eq!(
            backoff.delay(0, Some(Duration::from_secs(3)), 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(
            backoff.delay(0, Some(Duration::from_secs(3600)), 0.5),
            MAX_RETRY_WAIT
        );
    }
}
