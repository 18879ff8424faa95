//! Counters for `/metrics`, in Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Process-wide counters. Each instance of a cluster counts its own.
#[derive(Default)]
pub struct Metrics {
    requests: [AtomicU64; 5],
}

impl Metrics {
    pub fn record_status(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.requests[class].fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut text = String::from(
            "# HELP tether_http_requests_total HTTP requests answered, by status class.\n\
             # TYPE tether_http_requests_total counter\n",
        );
        for (i, counter) in self.requests.iter().enumerate() {
            let _ = writeln!(
                text,
                "tether_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                counter.load(Ordering::Relaxed)
            );
        }
        text
    }
}
