//! `authorize_user("install:get")` in front of the example route, end to end: the real hub
//! answers `/me` for the caller's key; the route runs only for a caller holding the action.

mod support;

use std::time::Duration;

use support::{AuthMethod, OidcProvider, Service, ServiceEnv, TenantApi, TestHub};

struct World {
    provider: OidcProvider,
    hub: TestHub,
    tenant_api: TenantApi,
    service: Service,
}

async fn setup(caller_cache_seconds: Option<u64>) -> World {
    let provider = OidcProvider::start().await;
    provider
        .add_client("acme-client", "acme-secret", AuthMethod::ClientSecretBasic)
        .await;
    let hub = TestHub::start().await;
    hub.create_integration(&provider).await;
    hub.install("acme", "acme-client", "acme-secret").await;
    let tenant_api = TenantApi::start_expecting_client(&provider, "acme-client").await;
    let env = ServiceEnv {
        tenant_api_url: format!("{}/v1/whoami", tenant_api.url()),
        caller_cache_seconds,
        ..ServiceEnv::default()
    };
    let service = Service::start(&hub, env).await;

    World {
        provider,
        hub,
        tenant_api,
        service,
    }
}

fn assert_error_body(answer: &support::Answer, status: u16) {
    assert_eq!(answer.status, status, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["status"], status);
    assert_eq!(body["statusCode"], status);
    assert!(body["message"].is_string(), "{}", answer.text);
}

#[tokio::test]
async fn a_backend_key_holding_install_get_receives_the_tenant_apis_answer() {
    let world = setup(None).await;
    let resource = world.hub.integration_resource();
    let (_, _, key) = world
        .hub
        .client_with_key(&[("install:get", &resource)])
        .await;

    let answer = world.service.test_route("acme", &key).await;

    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["ok"], true);
    assert_eq!(body["client_id"], "acme-client");
    assert_eq!(body["path"], "/v1/whoami");
    assert_eq!(world.tenant_api.stats().await.accepted, 1);
}

#[tokio::test]
async fn a_key_without_install_get_on_the_integration_is_forbidden() {
    let world = setup(None).await;
    let resource = world.hub.integration_resource();
    let other = resource.replace("/integration/crm/", "/integration/other/");
    let (_, _, wrong_action) = world
        .hub
        .client_with_key(&[("install:delete", &resource)])
        .await;
    let (_, _, wrong_place) = world.hub.client_with_key(&[("install:get", &other)]).await;

    let by_action = world.service.test_route("acme", &wrong_action).await;
    let by_place = world.service.test_route("acme", &wrong_place).await;

    assert_error_body(&by_action, 403);
    assert_error_body(&by_place, 403);
    assert_eq!(world.tenant_api.requests().await, 0);
    assert_eq!(
        world.provider.token_requests().await,
        1,
        "only the install's exchange"
    );
}

#[tokio::test]
async fn a_missing_or_unknown_key_is_unauthorized() {
    let world = setup(None).await;

    let missing = world.service.test_route("acme", "").await;
    let unknown = world
        .service
        .test_route("acme", "not-a-key-the-hub-issued")
        .await;

    for answer in [&missing, &unknown] {
        assert_error_body(answer, 401);
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
    }
    assert_eq!(world.tenant_api.requests().await, 0);
}

#[tokio::test]
async fn a_revoked_key_is_unauthorized_at_once_if_unseen_and_after_the_caller_cache_otherwise() {
    let world = setup(Some(3)).await;
    let resource = world.hub.integration_resource();
    let (client, never_used, never_used_key) = world
        .hub
        .client_with_key(&[("install:get", &resource)])
        .await;
    let (client_b, used, used_key) = world
        .hub
        .client_with_key(&[("install:get", &resource)])
        .await;
    let before = world.service.test_route("acme", &used_key).await;

    world.hub.revoke_key(&client, &never_used).await;
    world.hub.revoke_key(&client_b, &used).await;
    let unseen = world.service.test_route("acme", &never_used_key).await;
    let within_cache = world.service.test_route("acme", &used_key).await;
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let after_cache = world.service.test_route("acme", &used_key).await;

    assert_eq!(before.status, 200, "{}", before.text);
    assert_error_body(&unseen, 401);
    assert_eq!(
        within_cache.status, 200,
        "the caller cache (3 s here) is the documented revocation delay"
    );
    assert_error_body(&after_cache, 401);
}

#[tokio::test]
async fn neither_keys_nor_tokens_reach_the_service_log_or_its_error_bodies() {
    let world = setup(None).await;
    let resource = world.hub.integration_resource();
    let (_, _, key) = world
        .hub
        .client_with_key(&[("install:get", &resource)])
        .await;

    let ok = world.service.test_route("acme", &key).await;
    let missing = world.service.test_route("nobody", &key).await;
    let logs = world.service.logs();

    assert_eq!(ok.status, 200);
    assert_eq!(missing.status, 404);
    for secret in [key.as_str(), world.hub.key.as_str(), "acme-secret"] {
        assert!(!logs.contains(secret), "the service log leaks a secret");
        assert!(!missing.text.contains(secret));
    }
}
