//! Successful exchanges over the real transport: what reaches the endpoint for each
//! `authMethod`, and the token that comes back.

mod support;

use serde_json::json;
use support::{config, exchanger, params, Reply, ScriptedEndpoint, CLIENT_ID, SECRET};
use tether_domain::ccf::AuthMethod;
use tether_domain::time::EpochMillis;
use tether_domain::Secret;
use tether_oauth::USER_AGENT;

const OPTIONAL: &str = "scope=read+write&audience=https%3A%2F%2Fapi.example%2F&resource=r1";
const SECRET_FORM: &str = "Sup3r%2BSecret%2FValue%3A42+x";

#[tokio::test]
async fn client_secret_basic_posts_a_form_and_returns_the_token() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::json(
        200,
        json!({"access_token": "at-1", "token_type": "bearer", "expires_in": "3600",
               "scope": "read,write", "api_domain": "https://api.example"}),
    )]);
    let config = config(&endpoint.url("/oauth/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let before = EpochMillis::now();

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(token.access_token.expose(), "at-1");
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.lifetime_seconds, 3600);
    assert!(token.received_at >= before);
    assert_eq!(token.expires_at, token.received_at.plus_seconds(3600));
    assert_eq!(token.scope.as_deref(), Some("read write"));
    assert_eq!(
        token.extra.get("api_domain"),
        Some(&json!("https://api.example"))
    );

    let [request] = endpoint.requests().try_into().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.uri, "/oauth/token");
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("user-agent"), Some(USER_AGENT));
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.header("authorization"),
        Some("Basic dGVuYW50LWNsaWVudDpTdXAzciUyQlNlY3JldCUyRlZhbHVlJTNBNDIreA==")
    );
    assert_eq!(
        request.body,
        format!("grant_type=client_credentials&{OPTIONAL}")
    );
}

#[tokio::test]
async fn client_secret_post_sends_the_credentials_in_the_body_only() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::token("at-2")]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretPost);
    let secret = Secret::new(SECRET);

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(token.access_token.expose(), "at-2");
    let [request] = endpoint.requests().try_into().unwrap();
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.body,
        format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET_FORM}\
             &{OPTIONAL}"
        )
    );
}

#[tokio::test]
async fn query_mode_gets_the_url_with_the_credentials_in_its_query() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::raw(
        200,
        "application/x-www-form-urlencoded",
        "access_token=at-3&expires_in=60",
    )]);
    let config = config(&endpoint.url("/token?tenant=acme"), AuthMethod::Query);
    let secret = Secret::new(SECRET);

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(token.access_token.expose(), "at-3");
    assert_eq!(token.lifetime_seconds, 60);
    let [request] = endpoint.requests().try_into().unwrap();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.uri,
        format!("/token?tenant=acme&client_id={CLIENT_ID}&client_secret={SECRET_FORM}&{OPTIONAL}")
    );
    assert_eq!(request.body, "");
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn an_oauth_error_is_returned_at_once_without_retrying() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::json(
        401,
        json!({"error": "invalid_client", "error_description": "unknown client"}),
    )]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert_eq!(error.code(), "invalid_client");
    assert!(error.is_permanent());
    assert_eq!(endpoint.requests().len(), 1);
}
