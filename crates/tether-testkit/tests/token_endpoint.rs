//! The OAuth fixture's token endpoint behaves like a strict RFC 6749 server for the client
//! credentials grant, and its admin API changes clients at runtime.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::Value;
use tether_testkit::{loopback_client, AuthMethod, ClientSpec, OidcProvider, ProviderOptions};

/// A secret with every character RFC 6749 §2.3.1 encoding changes: `:`, `+`, `%` and a space.
const TRICKY_SECRET: &str = "p:ss+w%rd with space";
const TRICKY_ID: &str = "acme basic:1";

/// application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for Basic credentials.
fn form(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn basic(encoded_id: &str, encoded_secret: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{encoded_id}:{encoded_secret}"))
    )
}

async fn exchange_with_header(provider: &OidcProvider, authorization: &str) -> (StatusCode, Value) {
    let response = loopback_client()
        .post(provider.token_url())
        .header("authorization", authorization)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token request");
    (
        response.status(),
        response.json().await.expect("token endpoint answers JSON"),
    )
}

async fn exchange_with_form(
    provider: &OidcProvider,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend_from_slice(fields);
    let response = loopback_client()
        .post(provider.token_url())
        .form(&form)
        .send()
        .await
        .expect("token request");
    (
        response.status(),
        response.json().await.expect("token endpoint answers JSON"),
    )
}

fn access_token(body: &Value) -> &str {
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access_token in {body}"))
}

#[tokio::test]
async fn a_basic_client_whose_id_and_secret_need_form_encoding_gets_an_opaque_token() {
    let provider = OidcProvider::start().await;
    provider
        .add_client(TRICKY_ID, TRICKY_SECRET, AuthMethod::ClientSecretBasic)
        .await;

    let header = basic(&form(TRICKY_ID), &form(TRICKY_SECRET));
    assert_eq!(
        header,
        "Basic YWNtZStiYXNpYyUzQTE6cCUzQXNzJTJCdyUyNXJkK3dpdGgrc3BhY2U="
    );
    let (status, body) = exchange_with_header(&provider, &header).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = access_token(&body);
    assert!(
        !token.contains('.'),
        "expected an opaque token, got a JWT-like {token}"
    );
}

#[tokio::test]
async fn a_basic_header_may_encode_a_space_as_percent_20() {
    let provider = OidcProvider::start().await;
    provider
        .add_client(TRICKY_ID, TRICKY_SECRET, AuthMethod::ClientSecretBasic)
        .await;

    let percent_20 = |value: &str| form(value).replace('+', "%20");
    let header = basic(&percent_20(TRICKY_ID), &percent_20(TRICKY_SECRET));
    let (status, body) = exchange_with_header(&provider, &header).await;

    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_unencoded_basic_header_fails_when_the_secret_has_a_plus() {
    let provider = OidcProvider::start().await;
    provider
        .add_client("plain-id", "a+b", AuthMethod::ClientSecretBasic)
        .await;

    // The server form-decodes the secret, so the raw `+` arrives as a space.
    let (status, body) = exchange_with_header(&provider, &basic("plain-id", "a+b")).await;

    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn a_post_client_gets_a_token() {
    let provider = OidcProvider::start().await;
    provider
        .add_client("post-client", TRICKY_SECRET, AuthMethod::ClientSecretPost)
        .await;

    let credentials = [
        ("client_id", "post-client"),
        ("client_secret", TRICKY_SECRET),
    ];
    let (status, body) = exchange_with_form(&provider, &credentials).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_for_both_methods() {
    let provider = OidcProvider::start().await;
    provider
        .add_client("basic-client", "right", AuthMethod::ClientSecretBasic)
        .await;
    provider
        .add_client("post-client", "right", AuthMethod::ClientSecretPost)
        .await;

    let (basic_status, basic_body) =
        exchange_with_header(&provider, &basic("basic-client", "wrong")).await;
    let wrong = [("client_id", "post-client"), ("client_secret", "wrong")];
    let (post_status, post_body) = exchange_with_form(&provider, &wrong).await;

    assert_eq!(basic_status, StatusCode::UNAUTHORIZED);
    assert_eq!(basic_body["error"], "invalid_client");
    assert_eq!(post_status, StatusCode::UNAUTHORIZED);
    assert_eq!(post_body["error"], "invalid_client");
}

#[tokio::test]
async fn credentials_sent_by_the_other_method_are_invalid_client() {
    let provider = OidcProvider::start().await;
    provider
        .add_client("basic-client", "secret", AuthMethod::ClientSecretBasic)
        .await;
    provider
        .add_client("post-client", "secret", AuthMethod::ClientSecretPost)
        .await;

    let in_body = [("client_id", "basic-client"), ("client_secret", "secret")];
    let (body_status, body_body) = exchange_with_form(&provider, &in_body).await;
    let (header_status, header_body) =
        exchange_with_header(&provider, &basic("post-client", "secret")).await;

    assert_eq!(body_status, StatusCode::UNAUTHORIZED, "{body_body}");
    assert_eq!(body_body["error"], "invalid_client");
    assert_eq!(header_status, StatusCode::UNAUTHORIZED, "{header_body}");
    assert_eq!(header_body["error"], "invalid_client");
}

#[tokio::test]
async fn a_rotated_secret_or_a_removed_client_is_invalid_client() {
    let provider = OidcProvider::start().await;
    provider
        .add_client("rotating", "old", AuthMethod::ClientSecretBasic)
        .await;
    provider
        .add_client("leaving", "secret", AuthMethod::ClientSecretBasic)
        .await;

    provider.set_secret("rotating", "new").await;
    provider.remove_client("leaving").await;

    let (old_status, _) = exchange_with_header(&provider, &basic("rotating", "old")).await;
    let (new_status, _) = exchange_with_header(&provider, &basic("rotating", "new")).await;
    let (gone_status, gone) = exchange_with_header(&provider, &basic("leaving", "secret")).await;
    assert_eq!(old_status, StatusCode::UNAUTHORIZED);
    assert_eq!(new_status, StatusCode::OK);
    assert_eq!(gone_status, StatusCode::UNAUTHORIZED);
    assert_eq!(gone["error"], "invalid_client");
}

#[tokio::test]
async fn a_scope_outside_the_clients_allowed_scopes_is_invalid_scope() {
    let provider = OidcProvider::start().await;
    let spec = ClientSpec {
        scope: Some("read".to_owned()),
        ..ClientSpec::new("scoped", "secret", AuthMethod::ClientSecretPost)
    };
    provider.add_client_with(&spec).await;

    let credentials = [("client_id", "scoped"), ("client_secret", "secret")];
    let (read_status, read) = exchange_with_form(
        &provider,
        &[credentials[0], credentials[1], ("scope", "read")],
    )
    .await;
    let (write_status, write) = exchange_with_form(
        &provider,
        &[credentials[0], credentials[1], ("scope", "write")],
    )
    .await;

    assert_eq!(read_status, StatusCode::OK, "{read}");
    assert_eq!(read["scope"], "read");
    assert_eq!(write_status, StatusCode::BAD_REQUEST, "{write}");
    assert_eq!(write["error"], "invalid_scope");
}

#[tokio::test]
async fn an_issued_token_introspects_as_active_for_its_client() {
    let provider = OidcProvider::start().await;
    provider
        .add_client(TRICKY_ID, TRICKY_SECRET, AuthMethod::ClientSecretBasic)
        .await;
    let header = basic(&form(TRICKY_ID), &form(TRICKY_SECRET));
    let (_, body) = exchange_with_header(&provider, &header).await;

    let result = provider.introspect(access_token(&body)).await;
    let garbage = provider.introspect("not-a-token").await;

    assert!(result.active, "{result:?}");
    assert_eq!(result.client_id.as_deref(), Some(TRICKY_ID));
    assert_eq!(result.token_type.as_deref(), Some("Bearer"));
    assert!(!garbage.active);
    assert_eq!(garbage.client_id, None);
}

#[tokio::test]
async fn a_client_with_a_short_ttl_gets_tokens_that_expire() {
    let provider = OidcProvider::start().await;
    // Two seconds: the provider counts whole seconds, so a one-second token issued late in a
    // second could already be inactive when introspected right away.
    let ttl = Duration::from_secs(2);
    provider
        .add_client_with_ttl("brief", "secret", AuthMethod::ClientSecretPost, ttl)
        .await;

    let credentials = [("client_id", "brief"), ("client_secret", "secret")];
    let (_, body) = exchange_with_form(&provider, &credentials).await;
    assert_eq!(body["expires_in"], 2);
    let token = access_token(&body).to_owned();
    assert!(provider.introspect(&token).await.active);

    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert!(!provider.introspect(&token).await.active);
}

#[tokio::test]
async fn the_server_wide_token_ttl_applies_to_clients_without_their_own() {
    let options = ProviderOptions {
        token_ttl: Some(Duration::from_secs(120)),
        ..ProviderOptions::default()
    };
    let provider = OidcProvider::start_with(options).await;
    provider
        .add_client("default-ttl", "secret", AuthMethod::ClientSecretPost)
        .await;

    let credentials = [("client_id", "default-ttl"), ("client_secret", "secret")];
    let (_, body) = exchange_with_form(&provider, &credentials).await;

    assert_eq!(body["expires_in"], 120);
}

#[tokio::test]
async fn every_token_request_is_counted_per_client_until_reset() {
    let provider = OidcProvider::start().await;
    provider
        .add_client(TRICKY_ID, TRICKY_SECRET, AuthMethod::ClientSecretBasic)
        .await;
    provider
        .add_client("post-client", "secret", AuthMethod::ClientSecretPost)
        .await;

    let header = basic(&form(TRICKY_ID), &form(TRICKY_SECRET));
    exchange_with_header(&provider, &header).await;
    exchange_with_header(&provider, &basic(&form(TRICKY_ID), "wrong")).await;
    exchange_with_form(
        &provider,
        &[("client_id", "post-client"), ("client_secret", "secret")],
    )
    .await;
    // A GET is not a token request to oidc-provider (404), but it reached the token URL.
    let get_url = format!("{}?client_id=post-client", provider.token_url());
    let get = loopback_client().get(get_url).send().await;
    assert_eq!(get.expect("GET token URL").status(), StatusCode::NOT_FOUND);

    assert_eq!(provider.token_requests().await, 4);
    assert_eq!(provider.token_requests_by(TRICKY_ID).await, 2);
    assert_eq!(provider.token_requests_by("post-client").await, 2);

    provider.reset_stats().await;
    assert_eq!(provider.token_requests().await, 0);
    assert_eq!(provider.token_requests_by(TRICKY_ID).await, 0);
}
