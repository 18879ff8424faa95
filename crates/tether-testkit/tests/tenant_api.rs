//! The tenant API fixture accepts exactly the tokens the OAuth fixture calls active.

use reqwest::StatusCode;
use serde_json::Value;
use tether_testkit::{loopback_client, AuthMethod, OidcProvider, TenantApi};

async fn token_for(provider: &OidcProvider, client_id: &str) -> String {
    provider
        .add_client(client_id, "secret", AuthMethod::ClientSecretPost)
        .await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", "secret"),
    ];
    let response = loopback_client()
        .post(provider.token_url())
        .form(&form)
        .send()
        .await
        .expect("token request");
    let body: Value = response.json().await.expect("token response is JSON");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn call(url: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = loopback_client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("tenant API request");
    (
        response.status(),
        response.json().await.expect("tenant API answers JSON"),
    )
}

#[tokio::test]
async fn the_tenant_api_accepts_an_active_token_and_names_its_client() {
    let provider = OidcProvider::start().await;
    let tenant_api = TenantApi::start(&provider).await;
    let token = token_for(&provider, "acme").await;

    let (status, body) = call(&format!("{}/whoami", tenant_api.url()), Some(&token)).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ok"], true);
    assert_eq!(body["client_id"], "acme");
    assert_eq!(body["path"], "/whoami");
    assert_eq!(tenant_api.requests().await, 1);
    assert_eq!(tenant_api.stats().await.by_client.get("acme"), Some(&1));
}

#[tokio::test]
async fn the_tenant_api_rejects_garbage_and_missing_tokens() {
    let provider = OidcProvider::start().await;
    let tenant_api = TenantApi::start(&provider).await;
    let url = format!("{}/whoami", tenant_api.url());

    let (garbage_status, garbage) = call(&url, Some("garbage")).await;
    let (missing_status, missing) = call(&url, None).await;

    assert_eq!(garbage_status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        garbage,
        serde_json::json!({"ok": false, "reason": "token is not active"})
    );
    assert_eq!(missing_status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing["reason"], "missing bearer token");
    let stats = tenant_api.stats().await;
    assert_eq!((stats.requests, stats.accepted, stats.rejected), (2, 0, 2));

    tenant_api.reset_stats().await;
    assert_eq!(tenant_api.requests().await, 0);
}

#[tokio::test]
async fn the_tenant_api_rejects_a_token_of_another_client_when_one_is_expected() {
    let provider = OidcProvider::start().await;
    let tenant_api = TenantApi::start_expecting_client(&provider, "acme").await;
    let acme = token_for(&provider, "acme").await;
    let globex = token_for(&provider, "globex").await;
    let url = format!("{}/data", tenant_api.url());

    let (acme_status, _) = call(&url, Some(&acme)).await;
    let (globex_status, globex_body) = call(&url, Some(&globex)).await;
    let (query_status, _) = call(&format!("{url}?client_id=globex"), Some(&globex)).await;

    assert_eq!(acme_status, StatusCode::OK);
    assert_eq!(globex_status, StatusCode::UNAUTHORIZED);
    assert_eq!(globex_body["reason"], "token belongs to another client");
    assert_eq!(
        query_status,
        StatusCode::OK,
        "?client_id= overrides the expected client"
    );
}
