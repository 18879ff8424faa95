//! Closed-loop load: `connections` keep-alive connections, each sending its next request as soon
//! as the last one answered, for a fixed time (and never more than a fixed count).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::conn::Conn;
use crate::hub::Target;
use crate::stats::Summary;

/// Upper bound on requests per connection in one run, whatever the duration.
const MAX_PER_CONNECTION: usize = 5_000_000;

/// Token paths for a set of tenants, picked at random per request.
pub(crate) struct TenantPaths {
    paths: Vec<String>,
}

impl TenantPaths {
    pub(crate) fn new(target: &Target, integration: &str, tenants: &[String]) -> Self {
        let base = target.base();
        let paths = tenants
            .iter()
            .map(|t| format!("{base}/integration/{integration}/tenant/{t}/ccfConnector/token"))
            .collect();
        Self { paths }
    }

    fn pick(&self) -> &str {
        let i = rand::thread_rng().gen_range(0..self.paths.len());
        &self.paths[i]
    }
}

/// Runs the load; a non-200 answer counts as an error (its latency is not kept).
pub(crate) async fn run(
    target: &Target,
    paths: Arc<TenantPaths>,
    connections: usize,
    duration: Duration,
) -> Result<Summary, String> {
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::open(target.address, &target.key).await?);
    }

    let started = Instant::now();
    let deadline = started + duration;
    let workers = conns.into_iter().map(|mut conn| {
        let paths = paths.clone();
        tokio::spawn(async move {
            let mut micros = Vec::with_capacity(64 * 1024);
            let mut errors = 0usize;
            let mut first_error = None;
            for _ in 0..MAX_PER_CONNECTION {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                match conn.get(paths.pick()).await {
                    Ok((200, _)) => micros.push(elapsed_micros(sent)),
                    Ok((status, body)) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| {
                            format!("{status} {}", String::from_utf8_lossy(&body))
                        });
                    }
                    Err(error) => {
                        errors += 1;
                        first_error.get_or_insert(error);
                        break;
                    }
                }
            }
            (micros, errors, first_error)
        })
    });
    let results = futures::future::join_all(workers).await;
    let seconds = started.elapsed().as_secs_f64();

    let mut all = Vec::new();
    let mut errors = 0;
    for result in results {
        let (micros, e, first_error) = result.map_err(|e| e.to_string())?;
        all.extend(micros);
        errors += e;
        if let Some(text) = first_error {
            eprintln!("  first error on a connection: {text}");
        }
    }
    Ok(Summary::new(all, errors, seconds))
}

pub(crate) fn elapsed_micros(since: Instant) -> u32 {
    u32::try_from(since.elapsed().as_micros()).unwrap_or(u32::MAX)
}

/// Asks once for every tenant's token, `connections` at a time (a warm-up, not measured).
pub(crate) async fn touch_all(
    target: &Target,
    paths: Arc<TenantPaths>,
    connections: usize,
) -> Result<(), String> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let mut conn = Conn::open(target.address, &target.key).await?;
        let paths = paths.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = paths.paths.get(i) else {
                    return Ok::<(), String>(());
                };
                match conn.get(path).await? {
                    (200, _) => {}
                    (status, body) => {
                        return Err(format!("{status} {}", String::from_utf8_lossy(&body)))
                    }
                }
            }
        }));
    }
    for result in futures::future::join_all(workers).await {
        result.map_err(|e| e.to_string())??;
    }
    Ok(())
}
