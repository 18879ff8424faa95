//! The example route's token path, end to end: each tenant's own token from the hub, cached by
//! the SDK while servable, re-fetched when not, and failures mapped to statuses.

mod support;

use std::time::Duration;

use support::{AuthMethod, CountingProxy, OidcProvider, Service, ServiceEnv, TenantApi, TestHub};

const A: &str = "ops@acme.example";
const B: &str = "A B";

/// A provider with the clients `tenant-a` and `tenant-b` (tokens living `ttl`), a hub with both
/// tenants installed, and a backend key holding `install:get` on the integration.
async fn setup(ttl: Duration) -> (OidcProvider, TestHub, String) {
    let provider = OidcProvider::start().await;
    for client in ["tenant-a", "tenant-b"] {
        let secret = format!("{client}-secret");
        provider
            .add_client_with_ttl(client, &secret, AuthMethod::ClientSecretBasic, ttl)
            .await;
    }
    let hub = TestHub::start().await;
    hub.create_integration(&provider).await;
    hub.install(A, "tenant-a", "tenant-a-secret").await;
    hub.install(B, "tenant-b", "tenant-b-secret").await;
    let resource = hub.integration_resource();
    let (_, _, key) = hub.client_with_key(&[("install:get", &resource)]).await;

    (provider, hub, key)
}

fn env(tenant_api: &TenantApi) -> ServiceEnv {
    ServiceEnv {
        tenant_api_url: format!("{}/v1/whoami", tenant_api.url()),
        ..ServiceEnv::default()
    }
}

#[tokio::test]
async fn tenant_a_route_never_reaches_tenant_b_api_with_a_token() {
    let (provider, hub, key) = setup(Duration::from_secs(3600)).await;
    provider
        .add_client("globex", "globex-secret", AuthMethod::ClientSecretBasic)
        .await;
    hub.install("globex", "globex", "globex-secret").await;
    let api_a = TenantApi::start_expecting_client(&provider, "tenant-a").await;
    let api_b = TenantApi::start_expecting_client(&provider, "tenant-b").await;
    let service = Service::start(
        &hub,
        ServiceEnv {
            tenant_apis: vec![
                (B.to_owned(), api_b.url()),
                ("globex".to_owned(), api_b.url()),
            ],
            ..env(&api_a)
        },
    )
    .await;

    let a = service.test_route(A, &key).await;
    let b = service.test_route(B, &key).await;
    let misrouted = service.test_route("globex", &key).await;

    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["client_id"], "tenant-a");
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.json()["client_id"], "tenant-b");
    assert_eq!(
        misrouted.status, 401,
        "B's API refuses any other tenant's token, and the route passes that on"
    );
    let (stats_a, stats_b) = (api_a.stats().await, api_b.stats().await);
    assert_eq!((stats_a.accepted, stats_a.rejected), (1, 0));
    assert_eq!(stats_b.by_client.get("tenant-a"), None);
    assert_eq!((stats_b.accepted, stats_b.rejected), (1, 1));
}

#[tokio::test]
async fn a_tenant_without_an_install_gets_404_naming_the_tenant() {
    let (provider, hub, key) = setup(Duration::from_secs(3600)).await;
    let api = TenantApi::start(&provider).await;
    let service = Service::start(&hub, env(&api)).await;

    let answer = service.test_route("nobody@example", &key).await;

    assert_eq!(answer.status, 404, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["statusCode"], 404);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("'nobody@example'"),
        "{}",
        answer.text
    );
    assert_eq!(api.requests().await, 0);
}

#[tokio::test]
async fn an_expired_token_is_re_exchanged_transparently_between_two_calls() {
    let (provider, hub, key) = setup(Duration::from_secs(3)).await;
    let api = TenantApi::start_expecting_client(&provider, "tenant-a").await;
    let service = Service::start(&hub, env(&api)).await;

    let first = service.test_route(A, &key).await;
    let exchanges_after_first = provider.token_requests_by("tenant-a").await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let second = service.test_route(A, &key).await;
    let exchanges_after_second = provider.token_requests_by("tenant-a").await;

    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(
        exchanges_after_second,
        exchanges_after_first + 1,
        "the expired token was replaced by one new exchange"
    );
    assert_eq!(api.stats().await.accepted, 2);
}

#[tokio::test]
async fn a_servable_token_costs_no_hub_round_trip_per_call() {
    let (provider, hub, key) = setup(Duration::from_secs(3600)).await;
    let api = TenantApi::start_expecting_client(&provider, "tenant-a").await;
    let proxy = CountingProxy::start(&hub.url).await;
    let service = Service::start(
        &hub,
        ServiceEnv {
            hub_url: Some(proxy.url.clone()),
            ..env(&api)
        },
    )
    .await;

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(service.test_route(A, &key).await.status);
    }

    assert_eq!(statuses, vec![200; 5]);
    assert_eq!(proxy.count("/token"), 1, "one token request for five calls");
    assert_eq!(
        proxy.count("/me"),
        1,
        "one /me for five calls with the same key"
    );
    assert_eq!(api.stats().await.accepted, 5);
}

#[tokio::test]
async fn concurrent_calls_for_a_tenant_with_an_empty_cache_make_one_hub_request() {
    let (provider, hub, key) = setup(Duration::from_secs(3600)).await;
    let api = TenantApi::start_expecting_client(&provider, "tenant-a").await;
    let proxy = CountingProxy::start(&hub.url).await;
    let service = Service::start(
        &hub,
        ServiceEnv {
            hub_url: Some(proxy.url.clone()),
            ..env(&api)
        },
    )
    .await;

    let calls = (0..8).map(|_| service.test_route(A, &key));
    let answers = futures::future::join_all(calls).await;

    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    assert_eq!(proxy.count("/token"), 1);
}

#[tokio::test]
async fn rejected_credentials_answer_502_with_the_oauth_error() {
    let (provider, hub, key) = setup(Duration::from_secs(2)).await;
    let api = TenantApi::start(&provider).await;
    let service = Service::start(&hub, env(&api)).await;

    provider.set_secret("tenant-a", "rotated-elsewhere").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let answer = service.test_route(A, &key).await;

    assert_eq!(answer.status, 502, "{}", answer.text);
    assert_eq!(answer.json()["code"], "invalid_client");
    assert!(!answer.text.contains("rotated-elsewhere"));
    assert_eq!(api.requests().await, 0);
}

#[tokio::test]
async fn an_unreachable_hub_answers_503_without_detail() {
    let (provider, hub, key) = setup(Duration::from_secs(3600)).await;
    let api = TenantApi::start(&provider).await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let service = Service::start(
        &hub,
        ServiceEnv {
            hub_url: Some(closed_url),
            ..env(&api)
        },
    )
    .await;

    let answer = service.test_route(A, &key).await;

    assert_eq!(answer.status, 503, "{}", answer.text);
    assert_eq!(answer.json()["statusCode"], 503);
    assert!(!answer.text.contains("127.0.0.1"));
}
