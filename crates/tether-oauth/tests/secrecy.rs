//! No error and no token ever prints the client secret or an access token (SPEC §11), even when
//! the endpoint echoes them back.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::{config, exchanger, params, Reply, ScriptedEndpoint, SECRET};
use tether_domain::ccf::{AuthMethod, BasicEncoding, CcfConfig};
use tether_domain::Secret;
use tether_oauth::{ExchangeError, Token};

const TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZW5hbnQifQ.c2lnbmF0dXJlMTIz";
const SECRET_FORM: &str = "Sup3r%2BSecret%2FValue%3A42+x";
const BASIC: &str = "dGVuYW50LWNsaWVudDpTdXAzciUyQlNlY3JldCUyRlZhbHVlJTNBNDIreA==";

fn assert_secret_free(what: &str, text: &str) {
    for needle in [SECRET, SECRET_FORM, BASIC, TOKEN, "Sup3r", "c2lnbmF0dXJl"] {
        assert!(!text.contains(needle), "{what} shows {needle:?}: {text}");
    }
}

fn variant(error: &ExchangeError) -> &'static str {
    match error {
        ExchangeError::OAuth { .. } => "OAuth",
        ExchangeError::Rejected { .. } => "Rejected",
        ExchangeError::Redirect { .. } => "Redirect",
        ExchangeError::MalformedSuccess { .. } => "MalformedSuccess",
        ExchangeError::UnsupportedTokenType { .. } => "UnsupportedTokenType",
        ExchangeError::Unavailable { .. } => "Unavailable",
        ExchangeError::Timeout => "Timeout",
        ExchangeError::BodyTooLarge => "BodyTooLarge",
        ExchangeError::InvalidRequest { .. } => "InvalidRequest",
    }
}

/// Replies that echo the credentials in every place an error could pick them up from.
fn echoing_replies(location: &str) -> Vec<Reply> {
    let echo = format!(
        "you sent {SECRET} ({SECRET_FORM}) as Basic {BASIC}; here is access_token={TOKEN} \
         and {TOKEN}"
    );
    vec![
        Reply::json(
            400,
            json!({"error": "invalid_client", "error_description": echo,
                   "error_uri": format!("https://auth.example/e?client_secret={SECRET_FORM}")}),
        ),
        Reply::raw(401, "text/html", format!("<html><p>{echo}</p></html>")),
        Reply::raw(302, "text/plain", "").header("location", location),
        Reply::json(200, json!({"access_token": 5, "note": echo})),
        Reply::json(200, json!({"access_token": TOKEN, "token_type": SECRET})),
        Reply::raw(503, "text/plain", echo.clone()),
        Reply::Hang,
        Reply::EndlessBody,
        Reply::json(
            200,
            json!({"access_token": TOKEN, "scope": "a", "expires_in": 60, "id_token": TOKEN,
                   "refresh_token": TOKEN}),
        ),
    ]
}

#[tokio::test]
async fn no_error_variant_and_no_token_shows_the_secret_or_the_token() {
    let endpoint = ScriptedEndpoint::start().await;
    let location = format!("https://elsewhere.example/?client_secret={SECRET_FORM}&t={TOKEN}");
    let replies = echoing_replies(&location);
    let rounds = replies.len();
    endpoint.push(replies);
    let mut config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    config.max_retries = 0;
    let secret = Secret::new(SECRET);
    let exchanger = exchanger();

    let mut seen = BTreeSet::new();
    let mut token: Option<Token> = None;
    for _ in 0..rounds {
        match exchanger.exchange(&params(&config, &secret)).await {
            Ok(issued) => token = Some(issued),
            Err(error) => {
                assert_secret_free("Debug", &format!("{error:?}"));
                assert_secret_free("Display", &error.to_string());
                seen.insert(variant(&error));
            }
        }
    }

    let without_url = CcfConfig::default();
    let error = exchanger
        .exchange(&params(&without_url, &secret))
        .await
        .unwrap_err();
    assert_secret_free("Debug", &format!("{error:?}"));
    seen.insert(variant(&error));

    assert_eq!(seen.len(), 9, "variants produced: {seen:?}");
    let token = token.unwrap();
    assert_eq!(token.access_token.expose(), TOKEN);
    assert_secret_free("Token Debug", &format!("{token:?}"));
    assert_secret_free("Token Display", &token.to_string());
}

#[tokio::test]
async fn a_refused_connection_in_query_mode_does_not_show_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    drop(listener);
    let mut config = config(&url, AuthMethod::Query);
    config.max_retries = 0;
    let secret = Secret::new(SECRET);

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert_eq!(error.code(), "upstream_unavailable");
    assert_secret_free("Debug", &format!("{error:?}"));
    assert_secret_free("Display", &error.to_string());
}

#[test]
fn a_raw_basic_refusal_names_no_credentials() {
    let mut config = config("https://auth.example/token", AuthMethod::ClientSecretBasic);
    config.basic_encoding = BasicEncoding::Raw;
    let secret = Secret::new(SECRET);
    let mut params = params(&config, &secret);
    params.client_id = "id:with-colon";

    let error = tether_oauth::build_request(&params).unwrap_err();

    assert_eq!(error.code(), "invalid_configuration");
    assert_secret_free("Debug", &format!("{error:?}"));
}
