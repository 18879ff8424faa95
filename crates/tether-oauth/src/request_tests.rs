//! Pins the exchange request of SPEC §6.2 byte for byte, for every `authMethod`.

use std::collections::BTreeMap;

use tether_domain::ccf::{AuthMethod, BasicEncoding, CcfConfig, TokenUrl};
use tether_domain::Secret;

use super::*;

const ID: &str = "my:id +%é";
const SECRET: &str = "p@ss:wo rd+%ü";
const ID_FORM: &str = "my%3Aid+%2B%25%C3%A9";
const SECRET_FORM: &str = "p%40ss%3Awo+rd%2B%25%C3%BC";
const OPTIONAL: &str = "scope=read+write&audience=https%3A%2F%2Fapi.example%2F\
                        &a_first=x%26y&resource=r+1";

fn config(auth_method: AuthMethod, url: &str) -> CcfConfig {
    CcfConfig {
        token_url: Some(TokenUrl::parse(url, false).unwrap()),
        auth_method,
        scope: Some("read write".to_owned()),
        audience: Some("https://api.example/".to_owned()),
        extra_params: BTreeMap::from([
            ("resource".to_owned(), "r 1".to_owned()),
            ("a_first".to_owned(), "x&y".to_owned()),
        ]),
        ..CcfConfig::default()
    }
}

fn params<'a>(config: &'a CcfConfig, id: &'a str, secret: &'a Secret) -> ExchangeParams<'a> {
    ExchangeParams {
        config,
        client_id: id,
        client_secret: secret,
        scope: None,
        audience: None,
    }
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn body_text(request: &OutboundRequest) -> &str {
    std::str::from_utf8(request.body.as_deref().unwrap()).unwrap()
}

#[test]
fn client_secret_basic_sends_form_encoded_credentials_only_in_the_header() {
    let config = config(AuthMethod::ClientSecretBasic, "https://auth.example/token");
    let secret = Secret::new(SECRET);

    let request = build_request(&params(&config, ID, &secret)).unwrap();

    assert_eq!(request.method, http::Method::POST);
    assert_eq!(request.url.as_str(), "https://auth.example/token");
    assert_eq!(
        request.headers,
        headers(&[
            ("accept", "application/json"),
            ("user-agent", USER_AGENT),
            (
                "authorization",
                "Basic bXklM0FpZCslMkIlMjUlQzMlQTk6cCU0MHNzJTNBd28rcmQlMkIlMjUlQzMlQkM="
            ),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(
        body_text(&request),
        format!("grant_type=client_credentials&{OPTIONAL}")
    );
}

#[test]
fn raw_basic_encoding_sends_the_credentials_unencoded() {
    let mut config = config(AuthMethod::ClientSecretBasic, "https://auth.example/token");
    config.basic_encoding = BasicEncoding::Raw;
    let secret = Secret::new(SECRET);

    let request = build_request(&params(&config, "my id é", &secret)).unwrap();

    assert_eq!(
        request.header("authorization"),
        Some("Basic bXkgaWQgw6k6cEBzczp3byByZCslw7w=")
    );
}

#[test]
fn raw_basic_encoding_refuses_a_client_id_with_a_colon() {
    let mut config = config(AuthMethod::ClientSecretBasic, "https://auth.example/token");
    config.basic_encoding = BasicEncoding::Raw;
    let secret = Secret::new(SECRET);

    let error = build_request(&params(&config, ID, &secret)).unwrap_err();

    assert_eq!(error.code(), "invalid_configuration");
}

#[test]
fn client_secret_post_sends_the_credentials_only_in_the_body() {
    let config = config(AuthMethod::ClientSecretPost, "https://auth.example/token");
    let secret = Secret::new(SECRET);

    let request = build_request(&params(&config, ID, &secret)).unwrap();

    assert_eq!(request.method, http::Method::POST);
    assert_eq!(request.url.as_str(), "https://auth.example/token");
    assert_eq!(
        request.headers,
        headers(&[
            ("accept", "application/json"),
            ("user-agent", USER_AGENT),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(
        body_text(&request),
        format!(
            "grant_type=client_credentials&client_id={ID_FORM}&client_secret={SECRET_FORM}\
             &{OPTIONAL}"
        )
    );
}

#[test]
fn query_mode_gets_the_token_url_with_credentials_added_to_its_query() {
    let config = config(
        AuthMethod::Query,
        "https://auth.example/token?tenant=acme&x=1",
    );
    let secret = Secret::new(SECRET);

    let request = build_request(&params(&config, ID, &secret)).unwrap();

    assert_eq!(request.method, http::Method::GET);
    assert_eq!(
        request.url.as_str(),
        format!(
            "https://auth.example/token?tenant=acme&x=1&client_id={ID_FORM}\
             &client_secret={SECRET_FORM}&{OPTIONAL}"
        )
    );
    assert_eq!(
        request.headers,
        headers(&[("accept", "application/json"), ("user-agent", USER_AGENT)])
    );
    assert_eq!(request.body, None);
}

#[test]
fn a_tenant_scope_and_audience_replace_the_connectors() {
    let mut config = config(AuthMethod::ClientSecretBasic, "https://auth.example/token");
    config.extra_params.clear();
    let secret = Secret::new("s");
    let mut params = params(&config, "id", &secret);
    params.scope = Some("tenant.read");
    params.audience = Some("tenant-api");

    let request = build_request(&params).unwrap();

    assert_eq!(
        body_text(&request),
        "grant_type=client_credentials&scope=tenant.read&audience=tenant-api"
    );
}

#[test]
fn blank_tenant_overrides_and_unset_options_send_only_what_is_set() {
    let config = CcfConfig {
        token_url: Some(TokenUrl::parse("https://auth.example/t", false).unwrap()),
        audience: Some("api".to_owned()),
        ..CcfConfig::default()
    };
    let secret = Secret::new("s");
    let mut params = params(&config, "id", &secret);
    params.scope = Some(" ");
    params.audience = Some("");

    let request = build_request(&params).unwrap();

    assert_eq!(
        body_text(&request),
        "grant_type=client_credentials&audience=api"
    );
}

#[test]
fn a_connector_without_token_url_cannot_exchange() {
    let config = CcfConfig::default();
    let secret = Secret::new("s");

    let error = build_request(&params(&config, "id", &secret)).unwrap_err();

    assert!(matches!(error, ExchangeError::InvalidRequest { .. }));
    assert!(error.is_permanent());
}

#[test]
fn the_request_debug_output_shows_no_credentials() {
    let config = config(AuthMethod::Query, "https://auth.example/token?tenant=acme");
    let secret = Secret::new(SECRET);

    let request = build_request(&params(&config, ID, &secret)).unwrap();
    let debug = format!("{request:?}");

    assert!(!debug.contains(SECRET_FORM), "{debug}");
    assert!(!debug.contains("client_secret"), "{debug}");
    assert!(debug.contains("https://auth.example/token"), "{debug}");
}
