//! Transient failures (SPEC §6.5): which are retried, how long the exchanger waits, and what
//! the caller gets when retries run out.

mod support;

use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use support::{config, exchanger, params, Reply, ScriptedEndpoint, SECRET};
use tether_domain::ccf::AuthMethod;
use tether_domain::Secret;
use tether_oauth::{ExchangeError, DEFAULT_RETRY_AFTER};

#[tokio::test]
async fn a_429_with_retry_after_in_seconds_is_retried_after_that_wait() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([
        Reply::json(429, json!({"error": "slow_down"})).header("retry-after", "1"),
        Reply::token("at"),
    ]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let started = Instant::now();

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(token.access_token.expose(), "at");
    assert_eq!(endpoint.requests().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_503_with_retry_after_as_an_http_date_is_retried_after_that_date() {
    let endpoint = ScriptedEndpoint::start().await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    endpoint.push([
        Reply::raw(503, "text/html", "<h1>Service Unavailable</h1>").header("retry-after", &at),
        Reply::token("at"),
    ]);
    let mut config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    config.timeout_seconds = 2;
    let secret = Secret::new(SECRET);
    let started = Instant::now();

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(token.access_token.expose(), "at");
    assert_eq!(endpoint.requests().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_every_retry_sends_the_same_parameters() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([
        Reply::raw(500, "text/plain", "oops"),
        Reply::raw(502, "text/plain", "bad gateway"),
        Reply::token("at"),
    ]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretPost);
    let secret = Secret::new(SECRET);
    let mut params = params(&config, &secret);
    params.scope = Some("tenant.scope");

    let token = exchanger().exchange(&params).await.unwrap();

    assert_eq!(token.access_token.expose(), "at");
    assert_eq!(token.scope.as_deref(), Some("tenant.scope"));
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(
            request.body,
            "grant_type=client_credentials&client_id=tenant-client\
             &client_secret=Sup3r%2BSecret%2FValue%3A42+x\
             &scope=tenant.scope&audience=https%3A%2F%2Fapi.example%2F&resource=r1"
        );
    }
}

#[tokio::test]
async fn when_retries_run_out_the_caller_gets_unavailable_with_a_retry_after() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([
        Reply::raw(503, "text/plain", "down"),
        Reply::raw(504, "text/plain", "down"),
        Reply::raw(503, "text/plain", "still down"),
    ]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert_eq!(endpoint.requests().len(), 3);
    assert!(!error.is_permanent());
    assert_eq!(error.code(), "upstream_unavailable");
    let ExchangeError::Unavailable {
        status,
        retry_after,
        reason,
    } = error
    else {
        panic!("unexpected {error:?}");
    };
    assert_eq!(status, Some(503));
    assert_eq!(retry_after, Some(DEFAULT_RETRY_AFTER));
    assert!(reason.contains("still down"), "{reason}");
    assert!(reason.contains("3 attempts"), "{reason}");
}

#[tokio::test]
async fn the_last_retry_after_is_passed_to_the_caller() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::raw(429, "text/plain", "slow").header("retry-after", "0")]);
    let mut config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    config.max_retries = 0;
    let secret = Secret::new(SECRET);

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert!(matches!(
        error,
        ExchangeError::Unavailable { status: Some(429), retry_after: Some(wait), .. }
            if wait == Duration::ZERO
    ));
}

#[tokio::test]
async fn a_retry_that_would_end_past_the_overall_deadline_is_not_made() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::raw(503, "text/plain", "down").header("retry-after", "5")]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let started = Instant::now();

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(endpoint.requests().len(), 1);
    assert!(matches!(
        error,
        ExchangeError::Unavailable { retry_after: Some(wait), .. } if wait == Duration::from_secs(5)
    ));
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    drop(listener);
    let config = config(&url, AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    let ExchangeError::Unavailable { status, reason, .. } = &error else {
        panic!("unexpected {error:?}");
    };
    assert_eq!(*status, None);
    assert!(reason.contains("connection failed"), "{reason}");
    assert!(reason.contains("3 attempts"), "{reason}");
}

#[tokio::test]
async fn permanent_failures_are_never_retried() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([
        Reply::raw(400, "text/html", "<h1>Bad Request</h1>"),
        Reply::json(200, json!({"access_token": ""})),
        Reply::json(200, json!({"access_token": "t", "token_type": "mac"})),
    ]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let exchanger = exchanger();

    let mut codes = Vec::new();
    for _ in 0..3 {
        let error = exchanger
            .exchange(&params(&config, &secret))
            .await
            .unwrap_err();
        assert!(error.is_permanent(), "{error:?}");
        codes.push(error.code().to_owned());
    }

    assert_eq!(
        codes,
        [
            "upstream_rejected",
            "malformed_response",
            "unsupported_token_type"
        ]
    );
    assert_eq!(endpoint.requests().len(), 3);
}
