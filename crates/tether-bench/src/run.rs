//! The order of one run: seed, measure the token route and its baseline, the herd, seed to
//! scale, then restart on the real binary for start-up and memory.

use std::sync::Arc;
use std::time::Duration;

use crate::child::{self, ChildHub};
use crate::database::Database;
use crate::endpoint::TokenEndpoint;
use crate::hub::{InProcess, Target};
use crate::load::{self, TenantPaths};
use crate::report::{self, Level, Report, Scale};
use crate::seed::{self, INTEGRATION};
use crate::{herd, Args};

/// Sizes of a run.
struct Plan {
    level: Duration,
    connections: [usize; 3],
    token_tenants: usize,
    small_tenants: usize,
    scale_tenants: usize,
    herd_callers: usize,
    flow_concurrency: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        Self {
            level: Duration::from_secs(if quick { 1 } else { 5 }),
            connections: [1, 16, 64],
            token_tenants: if quick { 2_000 } else { 10_000 },
            small_tenants: 1_000,
            scale_tenants: if quick { 5_000 } else { 100_000 },
            herd_callers: 1_000,
            flow_concurrency: 16,
        }
    }
}

pub(crate) async fn run(args: &Args) -> Result<Report, String> {
    if let Some(url) = &args.postgres {
        require_loopback(url)?;
    }
    let binary = args
        .tether_bin
        .clone()
        .unwrap_or_else(child::default_binary);
    if !binary.exists() {
        return Err(format!(
            "{} not found: build it first with `cargo build --release -p tether-server --bin tether`",
            binary.display()
        ));
    }
    let database = Database::create(args.postgres.as_deref()).await?;
    let outcome = run_on(args, &database, &binary).await;
    database.drop_database().await?;
    outcome
}

async fn run_on(
    args: &Args,
    database: &Database,
    binary: &std::path::Path,
) -> Result<Report, String> {
    let plan = Plan::new(args.quick);
    let load_average_start = report::load_average();
    let temp = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let data_dir = temp.path().join("data");
    let endpoint = TokenEndpoint::start().await.map_err(|e| e.to_string())?;
    let hub = InProcess::start(&data_dir, database.url()).await?;
    seed::create_integration(&hub.hub, &endpoint.url).await?;

    eprintln!("session flows: {} tenants", plan.small_tenants);
    let flows = seed::install_range(&hub.hub, 0, plan.small_tenants, plan.flow_concurrency).await?;
    let small = tenant_paths(&hub.hub, plan.small_tenants);
    load::touch_all(&hub.hub, small.clone(), 16).await?;
    let token_small = load::run(&hub.hub, small, 64, plan.level).await?;

    eprintln!("seeding to {} tenants", plan.token_tenants);
    let seeded_at = std::time::Instant::now();
    seed::install_range(
        &hub.hub,
        plan.small_tenants,
        plan.token_tenants,
        plan.flow_concurrency,
    )
    .await?;
    let mut seeding_seconds = seeded_at.elapsed().as_secs_f64();
    let paths = tenant_paths(&hub.hub, plan.token_tenants);
    load::touch_all(&hub.hub, paths.clone(), 16).await?;
    let baseline_paths = tenant_paths(&hub.baseline, plan.token_tenants);

    let mut levels = Vec::new();
    for connections in plan.connections {
        eprintln!("warm token route and baseline at {connections} connections");
        let token = load::run(&hub.hub, paths.clone(), connections, plan.level).await?;
        let baseline = load::run(
            &hub.baseline,
            baseline_paths.clone(),
            connections,
            plan.level,
        )
        .await?;
        levels.push(Level {
            connections,
            ratio: token.per_second / baseline.per_second.max(f64::EPSILON),
            token,
            baseline,
        });
    }

    eprintln!("herd: {} callers", plan.herd_callers);
    let herd = herd::run(&hub.hub, &endpoint.counts, plan.herd_callers).await?;

    eprintln!("seeding to {} tenants", plan.scale_tenants);
    let seeded_at = std::time::Instant::now();
    seed::install_range(
        &hub.hub,
        plan.token_tenants,
        plan.scale_tenants,
        plan.flow_concurrency,
    )
    .await?;
    seeding_seconds += seeded_at.elapsed().as_secs_f64();
    let seeded = plan.scale_tenants - plan.small_tenants;
    let all = tenant_paths(&hub.hub, plan.scale_tenants);
    load::touch_all(&hub.hub, all.clone(), 16).await?;
    let token_large = load::run(&hub.hub, all, 64, plan.level).await?;
    hub.stop();

    eprintln!(
        "start-up of {} with {} tenants",
        binary.display(),
        plan.scale_tenants
    );
    let disk_bytes = database.size(&data_dir).await?;
    let child = ChildHub::start(binary, &data_dir, database.url()).await?;
    let child_target = Target {
        address: child.address,
        ..hub_target_of(&data_dir, child.address)?
    };
    let child_paths = tenant_paths(&child_target, plan.scale_tenants);
    load::touch_all(&child_target, child_paths.clone(), 16).await?;
    let token_child = load::run(&child_target, child_paths, 64, plan.level).await?;
    let (rss_bytes, peak_rss_bytes) = child.memory()?;
    let startup_ms = child.ready_after.as_secs_f64() * 1000.0;
    child.stop().await;

    Ok(Report {
        database: database.label(),
        quick: args.quick,
        seconds_per_level: plan.level.as_secs_f64(),
        load_average_start,
        load_average_end: report::load_average(),
        token_tenants: plan.token_tenants,
        levels,
        herd,
        session_flows_per_second: flows,
        session_flow_concurrency: plan.flow_concurrency,
        seeding_flows_per_second: seeded as f64 / seeding_seconds,
        scale: Scale {
            tenants: plan.scale_tenants,
            memory_of: "tether child process (/proc/<pid>/status)",
            rss_bytes,
            peak_rss_bytes,
            disk_bytes,
            token_small,
            small_tenants: plan.small_tenants,
            token_large,
            token_child,
            startup_ms,
        },
    })
}

fn tenant_paths(target: &Target, count: usize) -> Arc<TenantPaths> {
    let tenants: Vec<String> = (0..count).map(seed::tenant).collect();
    Arc::new(TenantPaths::new(target, INTEGRATION, &tenants))
}

fn hub_target_of(
    data_dir: &std::path::Path,
    address: std::net::SocketAddr,
) -> Result<Target, String> {
    crate::hub::read_profile(data_dir, address)
}

/// The bench talks to loopback only.
fn require_loopback(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("--postgres: {e}"))?;
    match parsed.host_str() {
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1") => Ok(()),
        _ => Err("--postgres: the bench only talks to a server on loopback".into()),
    }
}
