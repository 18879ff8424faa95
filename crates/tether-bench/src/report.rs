//! The run's figures: a table on stdout and the same as JSON.

use serde::Serialize;

use crate::herd::HerdResult;
use crate::stats::Summary;

/// One concurrency level of the warm token route, next to the baseline.
#[derive(Debug, Serialize)]
pub(crate) struct Level {
    pub(crate) connections: usize,
    pub(crate) token: Summary,
    pub(crate) baseline: Summary,
    /// Token throughput as a fraction of the baseline's.
    pub(crate) ratio: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct Scale {
    pub(crate) tenants: usize,
    /// Where memory was read: the `tether` child process.
    pub(crate) memory_of: &'static str,
    pub(crate) rss_bytes: u64,
    pub(crate) peak_rss_bytes: u64,
    pub(crate) disk_bytes: u64,
    /// The warm token route (64 connections) with few tenants and with all of them.
    pub(crate) token_small: Summary,
    pub(crate) small_tenants: usize,
    pub(crate) token_large: Summary,
    /// The same route on the child process, after start-up.
    pub(crate) token_child: Summary,
    pub(crate) startup_ms: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) database: &'static str,
    pub(crate) quick: bool,
    pub(crate) seconds_per_level: f64,
    pub(crate) load_average_start: String,
    pub(crate) load_average_end: String,
    pub(crate) token_tenants: usize,
    pub(crate) levels: Vec<Level>,
    pub(crate) herd: HerdResult,
    /// Headless create + commit flows per second, and at how many in flight.
    pub(crate) session_flows_per_second: f64,
    pub(crate) session_flow_concurrency: usize,
    /// The rate over the whole seeding to `scale.tenants`.
    pub(crate) seeding_flows_per_second: f64,
    pub(crate) scale: Scale,
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn row(name: &str, s: &Summary) -> String {
    format!(
        "| {name:<34} | {:>9.0} | {:>8.3} | {:>8.3} | {:>8.3} | {:>6} |",
        s.per_second, s.p50_ms, s.p99_ms, s.max_ms, s.errors
    )
}

pub(crate) fn print(report: &Report) {
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!();
    println!(
        "database: {}   load average: start {} / end {}   {} s per level",
        report.database,
        report.load_average_start,
        report.load_average_end,
        report.seconds_per_level
    );
    println!(
        "| {:<34} | {:>9} | {:>8} | {:>8} | {:>8} | {:>6} |",
        "run", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    println!(
        "|{:-<36}|{:-<11}|{:-<10}|{:-<10}|{:-<10}|{:-<8}|",
        "", "", "", "", "", ""
    );
    for level in &report.levels {
        let n = level.connections;
        println!(
            "{}",
            row(
                &format!("token, {n} conn, {} tenants", report.token_tenants),
                &level.token
            )
        );
        println!("{}", row(&format!("baseline, {n} conn"), &level.baseline));
    }
    let scale = &report.scale;
    println!(
        "{}",
        row(
            &format!("token, 64 conn, {} tenants", scale.small_tenants),
            &scale.token_small
        )
    );
    println!(
        "{}",
        row(
            &format!("token, 64 conn, {} tenants", scale.tenants),
            &scale.token_large
        )
    );
    println!(
        "{}",
        row(
            &format!("child, 64 conn, {} tenants", scale.tenants),
            &scale.token_child
        )
    );
    println!(
        "{}",
        row(
            &format!("herd, {} callers", report.herd.callers),
            &report.herd.latency
        )
    );
    println!();
    for level in &report.levels {
        println!(
            "ratio to baseline at {:>2} connections: {:.2}",
            level.connections, level.ratio
        );
    }
    println!(
        "herd: {} token-endpoint call(s) for {} callers",
        report.herd.exchanges, report.herd.callers
    );
    println!(
        "session flows: {:.0}/s at {} in flight (whole seeding: {:.0}/s)",
        report.session_flows_per_second,
        report.session_flow_concurrency,
        report.seeding_flows_per_second
    );
    println!(
        "scale, {} tenants: {} RSS {:.1} MB (peak {:.1} MB), disk {:.1} MB, start-up to /readyz {:.0} ms",
        scale.tenants,
        scale.memory_of,
        mb(scale.rss_bytes),
        mb(scale.peak_rss_bytes),
        mb(scale.disk_bytes),
        scale.startup_ms
    );
}
