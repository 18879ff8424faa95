//! The herd: many callers at once for one tenant whose token has expired. One exchange must
//! serve them all; the figure is how many the endpoint saw and how long the callers waited.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Barrier;

use crate::conn::Conn;
use crate::endpoint::{Counts, SHORT_PREFIX};
use crate::hub::Target;
use crate::load::elapsed_micros;
use crate::seed::{self, INTEGRATION};
use crate::stats::Summary;

#[derive(Debug, Serialize)]
pub(crate) struct HerdResult {
    pub(crate) callers: usize,
    pub(crate) exchanges: u64,
    pub(crate) latency: Summary,
}

pub(crate) async fn run(
    target: &Target,
    counts: &Counts,
    callers: usize,
) -> Result<HerdResult, String> {
    let tenant = "herd-tenant";
    let client_id = format!("{SHORT_PREFIX}client");
    seed::install(&seed::client(), target, tenant, &client_id).await?;
    // The endpoint gave the first token a one-second lifetime: wait until it has expired.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = counts.for_client(&client_id);

    let path = format!(
        "{}/integration/{INTEGRATION}/tenant/{tenant}/ccfConnector/token",
        target.base()
    );
    let mut conns = Vec::with_capacity(callers);
    for _ in 0..callers {
        conns.push(Conn::open(target.address, &target.key).await?);
    }
    let barrier = Arc::new(Barrier::new(callers));
    let started = Instant::now();
    let tasks = conns.into_iter().map(|mut conn| {
        let barrier = barrier.clone();
        let path = path.clone();
        tokio::spawn(async move {
            barrier.wait().await;
            let sent = Instant::now();
            let answer = tokio::time::timeout(Duration::from_secs(30), conn.get(&path)).await;
            match answer {
                Ok(Ok((200, _))) => Ok(elapsed_micros(sent)),
                Ok(Ok((status, body))) => {
                    Err(format!("{status} {}", String::from_utf8_lossy(&body)))
                }
                Ok(Err(error)) => Err(error),
                Err(_) => Err("no answer in 30 s".into()),
            }
        })
    });
    let results = futures::future::join_all(tasks).await;
    let seconds = started.elapsed().as_secs_f64();

    let mut micros = Vec::with_capacity(callers);
    let mut errors = 0;
    for result in results {
        match result.map_err(|e| e.to_string())? {
            Ok(us) => micros.push(us),
            Err(error) => {
                if errors == 0 {
                    eprintln!("  herd error: {error}");
                }
                errors += 1;
            }
        }
    }
    Ok(HerdResult {
        callers,
        exchanges: counts.for_client(&client_id) - before,
        latency: Summary::new(micros, errors, seconds),
    })
}
