//! Several `tether serve` processes on one PostgreSQL database: the guarantees of SPEC §3, §6.4
//! and §7.3 hold across instances. Each case starts its own three-instance cluster on a fresh
//! `tether_test_<random>` database; the cases take turns, so that at most three instances (30
//! pooled connections) hit the server at once.

#[path = "../support/mod.rs"]
mod support;

mod fleet;
mod hang;
mod load;

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use support::{ccf_config, AuthMethod, OidcProvider, TestHub};
use tokio::time::Instant;

use fleet::{Cluster, INSTANCES};
use hang::Hang;

/// One cluster at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const SECRET: &str = "cluster-secret";

/// How long the lease of an exchange outlasts the exchange's deadline: the token service's
/// `LOCK_MARGIN` (5 s) less the lease lock's `GRACE` (1 s).
const LEASE_BEYOND_DEADLINE: Duration = Duration::from_secs(4);

fn install_id(commit: &Value) -> String {
    let url = commit["targetUrl"].as_str().expect("a targetUrl");
    let (_, tail) = url.split_once("/install/").expect("an install URL");
    tail.trim_end_matches('/').to_owned()
}

/// The ids of `tenant`'s installs of `crm`, as instance `hub` lists them.
async fn installs_of(hub: &TestHub, tenant: &str) -> Vec<String> {
    let path = format!(
        "{}/integration/crm/install?tag=fusebit.tenantId%3D{}",
        hub.base(),
        support::percent_encode(tenant)
    );
    let answer = hub.call(Method::GET, &path, None).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn put_token_url(hub: &TestHub, token_url: &str) {
    let configuration = json!({
        "tokenUrl": token_url,
        "authMethod": "client_secret_basic",
        "timeoutSeconds": 2,
        "maxRetries": 0,
    });
    let answer = hub
        .call(
            Method::PUT,
            &format!("{}/connector/ccf", hub.base()),
            Some(json!({"data": {"handler": "ccf", "configuration": configuration}})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_a_database_share_one_bootstrapped_account() {
    let _turn = TURN.lock().await;
    let cluster = Cluster::start().await;

    let accounts = cluster.count("accounts").await;
    let keys = cluster.count("api_keys").await;
    let mut answers = Vec::new();
    for n in 0..INSTANCES {
        let hub = cluster.hub(n);
        answers.push(
            hub.call(Method::GET, &format!("{}/connector", hub.base()), None)
                .await,
        );
    }

    assert_eq!(accounts, 1);
    assert_eq!(keys, 1);
    for answer in answers {
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_callers_of_an_expired_token_on_three_instances_cause_one_exchange() {
    let _turn = TURN.lock().await;
    // Lifetime 6 s: servable for 3 s (buffer = lifetime / 2), then re-exchanged; the herd has
    // the next 3 s to be served before its fresh token needs exchanging in turn.
    let lifetime = Duration::from_secs(6);
    let provider = OidcProvider::start().await;
    provider
        .add_client_with_ttl("herd", SECRET, AuthMethod::ClientSecretBasic, lifetime)
        .await;
    let cluster = Cluster::start().await;
    cluster
        .hub(0)
        .create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    let committed = cluster.hub(1).install("crm", "acme", "herd", SECRET).await;
    assert_eq!(committed.status, 202, "{}", committed.text);
    let first = cluster.hub(2).token("crm", "acme").await;
    assert_eq!(first.status, 200, "{}", first.text);

    let expires_at = first.json()["expires_at"].as_i64().expect("expires_at");
    let stale_at = expires_at - 3000 + 100;
    let now = tether_domain::time::EpochMillis::now().0;
    tokio::time::sleep(Duration::from_millis(
        u64::try_from(stale_at - now).unwrap_or(0),
    ))
    .await;
    let before = provider.token_requests().await;

    let outcomes = load::herd(&cluster, 500, |hub| hub.token_path("crm", "acme")).await;
    let exchanges = provider.token_requests().await - before;

    let tokens: BTreeSet<&str> = outcomes.iter().map(|o| o.token.as_str()).collect();
    let latencies = load::Latencies::of(&outcomes);
    eprintln!(
        "herd: 500 requests on 3 instances -> {exchanges} token endpoint call(s); {latencies}"
    );
    assert!(
        outcomes.iter().all(|o| o.status == 200),
        "every caller is served"
    );
    assert_eq!(exchanges, 1);
    assert_eq!(
        tokens.len(),
        1,
        "every caller gets the one exchange's token"
    );
    assert!(!tokens.contains(first.json()["access_token"].as_str().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_commits_for_one_new_tenant_on_three_instances_leave_one_install() {
    let _turn = TURN.lock().await;
    let provider = OidcProvider::start().await;
    provider
        .add_client("globex", SECRET, AuthMethod::ClientSecretBasic)
        .await;
    let cluster = Cluster::start().await;
    cluster
        .hub(0)
        .create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    let mut sessions = Vec::new();
    for n in 0..50 {
        let created = cluster
            .hub(n % INSTANCES)
            .create_session("crm", "globex", "globex", SECRET)
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
        sessions.push(created.json()["id"].as_str().unwrap().to_owned());
    }

    let commits = futures::future::join_all(sessions.iter().enumerate().map(|(n, sid)| {
        // Committed on another instance than the one that created the session.
        cluster.hub((n + 1) % INSTANCES).commit("crm", sid)
    }))
    .await;

    let ids: BTreeSet<String> = commits.iter().map(|c| install_id(&c.json())).collect();
    for commit in &commits {
        assert_eq!(commit.status, 202, "{}", commit.text);
    }
    assert_eq!(ids.len(), 1, "every commit names the same install");
    for n in 0..INSTANCES {
        assert_eq!(
            installs_of(cluster.hub(n), "globex").await,
            Vec::from_iter(ids.clone())
        );
    }
    assert_eq!(cluster.count("installs").await, 1);
    assert_eq!(
        cluster.count("identities").await,
        1,
        "one identity per component"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_while_it_holds_the_exchange_lease_delays_the_others_by_at_most_the_lease(
) {
    let _turn = TURN.lock().await;
    let provider = OidcProvider::start().await;
    provider
        .add_client("phoenix", SECRET, AuthMethod::ClientSecretBasic)
        .await;
    let mut hang = Hang::start().await;
    let mut cluster = Cluster::start().await;
    cluster
        .hub(0)
        .create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    put_token_url(cluster.hub(0), &provider.token_url()).await;
    let committed = cluster
        .hub(0)
        .install("crm", "phoenix", "phoenix", SECRET)
        .await;
    assert_eq!(committed.status, 202, "{}", committed.text);
    // timeoutSeconds 2, maxRetries 0: the exchange's deadline is 2 s, its lease 6 s.
    let lease = Duration::from_secs(2) + LEASE_BEYOND_DEADLINE;

    put_token_url(cluster.hub(1), &hang.url).await;
    // Instance 1 learns of the change made through instance 2 within the cache bound (1 s), and
    // a force within a second of the install's exchange would get that exchange's token.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let doomed = {
        let hub = cluster.hub(0);
        let request = hub
            .http()
            .get(format!(
                "{}{}?force=true",
                hub.url,
                hub.token_path("crm", "phoenix")
            ))
            .bearer_auth(&hub.key);
        tokio::spawn(request.send())
    };
    let connected = hang.next_connection(Duration::from_secs(10)).await;
    cluster.kill(0).await;
    assert!(
        doomed.await.unwrap().is_err(),
        "the killed instance never answered"
    );
    put_token_url(cluster.hub(1), &provider.token_url()).await;
    let before = provider.token_requests().await;

    let asked = Instant::now();
    let answer = cluster
        .hub(1)
        .call(
            Method::GET,
            &format!("{}?force=true", cluster.hub(1).token_path("crm", "phoenix")),
            None,
        )
        .await;
    let waited = asked.elapsed();
    let held = connected.elapsed();

    eprintln!(
        "lease {lease:?}: instance 2 waited {waited:?}; the lease was taken at least {held:?} \
         before instance 2 was served"
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(provider.token_requests().await - before, 1);
    assert!(
        waited <= lease + Duration::from_secs(1),
        "waited {waited:?}"
    );
    assert!(
        held >= lease - Duration::from_millis(500),
        "instance 2 waited for the dead instance's lease to lapse ({held:?})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_restarted_mid_load_lose_no_committed_install() {
    const TENANTS: usize = 150;
    let _turn = TURN.lock().await;
    let provider = OidcProvider::start().await;
    provider
        .add_client("many", SECRET, AuthMethod::ClientSecretBasic)
        .await;
    let mut cluster = Cluster::start().await;
    cluster
        .hub(0)
        .create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;

    let urls = load::Urls::of(&cluster);
    let started = Instant::now();
    let running = load::commits(&cluster, &urls, TENANTS, Duration::from_millis(10));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopping = started.elapsed();
    cluster.stop(1).await;
    cluster.restart(1).await;
    urls.set(1, &cluster.hub(1).url);
    let restarted = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killing = started.elapsed();
    cluster.kill(2).await;
    cluster.restart(2).await;
    urls.set(2, &cluster.hub(2).url);
    let recovered = started.elapsed();
    let outcomes = running.await.expect("load runs");

    let committed: Vec<_> = outcomes.iter().filter(|o| o.install.is_some()).collect();
    eprintln!(
        "restart under load: {} of {TENANTS} commits answered 202; instance 2 down (SIGTERM) \
         {stopping:?}..{restarted:?}, instance 3 down (SIGKILL) {killing:?}..{recovered:?}",
        committed.len(),
    );
    assert!(
        committed.len() >= TENANTS / 2,
        "the load mostly went through"
    );
    for n in 0..INSTANCES {
        let hub = cluster.hub(n);
        for outcome in &outcomes {
            let found = installs_of(hub, &outcome.tenant).await;
            match &outcome.install {
                Some(id) => assert_eq!(found, std::slice::from_ref(id), "{}", outcome.tenant),
                None => assert!(found.len() <= 1, "{}", outcome.tenant),
            }
        }
    }
    assert_eq!(
        cluster.count("installs").await,
        cluster.count("identities").await,
        "every install is whole: one identity each"
    );
}
