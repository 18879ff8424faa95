//! Latency samples and their summary.

use serde::Serialize;

/// Throughput and latency of one measured run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) seconds: f64,
    pub(crate) per_second: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
}

impl Summary {
    /// From latencies in microseconds (sorted here) over `seconds` of wall time.
    pub(crate) fn new(mut micros: Vec<u32>, errors: usize, seconds: f64) -> Self {
        micros.sort_unstable();
        let at = |q: f64| -> f64 {
            if micros.is_empty() {
                return 0.0;
            }
            let index = ((micros.len() as f64 - 1.0) * q).round() as usize;
            f64::from(micros[index]) / 1000.0
        };
        Self {
            requests: micros.len(),
            errors,
            seconds,
            per_second: micros.len() as f64 / seconds.max(f64::EPSILON),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_sorted_samples() {
        let samples: Vec<u32> = (1..=100).rev().map(|ms| ms * 1000).collect();

        let summary = Summary::new(samples, 0, 2.0);

        assert_eq!(summary.requests, 100);
        assert_eq!(summary.per_second, 50.0);
        assert_eq!(summary.p50_ms, 51.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.max_ms, 100.0);
    }
}
