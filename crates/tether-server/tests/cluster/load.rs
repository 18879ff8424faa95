//! Load spread over the cluster's instances: a herd of token requests, and a stream of session
//! commits that tolerates instances going away.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::fleet::{try_call, Cluster, INSTANCES};
use crate::support::TestHub;

/// What one token request got.
pub(crate) struct Served {
    pub(crate) status: u16,
    pub(crate) token: String,
    pub(crate) latency: Duration,
}

/// `count` concurrent GETs of `path`, request `n` to instance `n % 3`.
pub(crate) async fn herd(
    cluster: &Cluster,
    count: usize,
    path: impl Fn(&TestHub) -> String,
) -> Vec<Served> {
    let requests: Vec<JoinHandle<Served>> = (0..count)
        .map(|n| {
            let hub = cluster.hub(n % INSTANCES);
            let request = hub
                .http()
                .get(format!("{}{}", hub.url, path(hub)))
                .bearer_auth(&hub.key);
            tokio::spawn(async move {
                let started = Instant::now();
                let response = request.send().await.expect("the hub answers");
                let status = response.status().as_u16();
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                Served {
                    status,
                    token: body["access_token"].as_str().unwrap_or_default().to_owned(),
                    latency: started.elapsed(),
                }
            })
        })
        .collect();

    let mut served = Vec::with_capacity(count);
    for request in requests {
        served.push(request.await.expect("request task"));
    }
    served
}

/// p50 and max of the herd's latencies.
pub(crate) struct Latencies {
    p50: Duration,
    max: Duration,
}

impl Latencies {
    pub(crate) fn of(served: &[Served]) -> Self {
        let mut all: Vec<Duration> = served.iter().map(|s| s.latency).collect();
        all.sort();
        Self {
            p50: all.get(all.len() / 2).copied().unwrap_or_default(),
            max: all.last().copied().unwrap_or_default(),
        }
    }
}

impl fmt::Display for Latencies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "latency p50 {:?}, max {:?}", self.p50, self.max)
    }
}

/// The instances' current URLs; a restarted instance listens on a new port.
#[derive(Clone)]
pub(crate) struct Urls(Arc<Mutex<Vec<String>>>);

impl Urls {
    pub(crate) fn of(cluster: &Cluster) -> Self {
        let urls = (0..INSTANCES).map(|n| cluster.hub(n).url.clone()).collect();
        Self(Arc::new(Mutex::new(urls)))
    }

    pub(crate) fn set(&self, n: usize, url: &str) {
        self.0.lock().expect("urls")[n] = url.to_owned();
    }

    fn get(&self, n: usize) -> String {
        self.0.lock().expect("urls")[n % INSTANCES].clone()
    }
}

/// One tenant's session: the install its commit named, when the commit answered 202.
pub(crate) struct Committed {
    pub(crate) tenant: String,
    pub(crate) install: Option<String>,
}

/// `count` tenants, one every `every`: tenant `n` creates its session on instance `n % 3` and
/// commits it on the next one. Calls to an instance that is down fail and are recorded as such.
pub(crate) fn commits(
    cluster: &Cluster,
    urls: &Urls,
    count: usize,
    every: Duration,
) -> JoinHandle<Vec<Committed>> {
    let hub = cluster.hub(0);
    let http = hub.http().clone();
    let key = hub.key.clone();
    let base = hub.base();
    let urls = urls.clone();

    tokio::spawn(async move {
        let tenants = (0..count).map(|n| {
            let (http, key, base, urls) = (http.clone(), key.clone(), base.clone(), urls.clone());
            tokio::spawn(async move {
                let delay = every * u32::try_from(n).unwrap_or(u32::MAX);
                tokio::time::sleep(delay).await;
                let tenant = format!("tenant-{n}");
                let install = commit_one(&http, &key, &base, &urls, n, &tenant).await;
                Committed { tenant, install }
            })
        });
        let tenants: Vec<_> = tenants.collect();
        let mut outcomes = Vec::with_capacity(count);
        for tenant in tenants {
            outcomes.push(tenant.await.expect("tenant task"));
        }
        outcomes
    })
}

async fn commit_one(
    http: &reqwest::Client,
    key: &str,
    base: &str,
    urls: &Urls,
    n: usize,
    tenant: &str,
) -> Option<String> {
    let body = json!({
        "redirectUrl": "https://app.example/done",
        "tags": {"fusebit.tenantId": tenant},
        "input": {"ccfConnector": {"client_id": "many", "client_secret": crate::SECRET}},
    });
    let path = format!("{base}/integration/crm/session");
    let (status, created) =
        try_call(http, &urls.get(n), key, Method::POST, &path, Some(body)).await?;
    if status != 200 {
        return None;
    }
    let sid = created["id"].as_str()?;

    let path = format!("{base}/integration/crm/session/{sid}/commit");
    let (status, committed) =
        try_call(http, &urls.get(n + 1), key, Method::POST, &path, None).await?;
    (status == 202).then(|| crate::install_id(&committed))
}
