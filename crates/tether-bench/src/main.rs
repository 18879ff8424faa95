//! `tether-bench`: measures the hub on loopback in one run — the warm token route against a
//! baseline on the same stack, the herd, headless session flows, scale and start-up — and prints
//! a table and writes JSON. See docs/PERFORMANCE.md.

mod child;
mod conn;
mod database;
mod endpoint;
mod herd;
mod hub;
mod load;
mod report;
mod run;
mod seed;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Benchmarks a Tether hub on loopback.
#[derive(Debug, Parser)]
#[command(name = "tether-bench")]
pub(crate) struct Args {
    /// Run on PostgreSQL: a server URL on loopback; the bench creates and drops its own
    /// `tether_bench_<random>` database there.
    #[arg(long)]
    postgres: Option<String>,

    /// Write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,

    /// A short run: fewer tenants, one second per level.
    #[arg(long)]
    quick: bool,

    /// The release `tether` binary for the start-up and memory figures.
    #[arg(long)]
    tether_bin: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run::run(&args).await {
        Ok(report) => {
            report::print(&report);
            if let Some(path) = &args.json {
                let text = serde_json::to_string_pretty(&report).unwrap_or_default();
                if let Err(error) = std::fs::write(path, text) {
                    eprintln!("cannot write {}: {error}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("tether-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
