//! What the exchanger refuses to wait for or read: redirects, hanging endpoints, and bodies
//! over 1 MiB (SPEC §6.2, §6.3, §6.5).

mod support;

use std::time::{Duration, Instant};

use support::{config, exchanger, params, Reply, ScriptedEndpoint, SECRET};
use tether_domain::ccf::AuthMethod;
use tether_domain::Secret;
use tether_oauth::{ExchangeError, MAX_BODY};

#[tokio::test]
async fn a_redirect_is_not_followed_and_its_location_is_reported() {
    let endpoint = ScriptedEndpoint::start().await;
    let elsewhere = endpoint.url("/elsewhere");
    endpoint.push([Reply::raw(302, "text/plain", "").header("location", &elsewhere)]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        ExchangeError::Redirect {
            status: 302,
            location: Some(elsewhere),
        }
    );
    assert_eq!(error.code(), "upstream_redirect");
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].uri, "/token");
}

#[tokio::test]
async fn a_hanging_endpoint_times_out_after_one_attempt() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::Hang, Reply::token("never")]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let started = Instant::now();

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    let elapsed = started.elapsed();
    assert_eq!(error, ExchangeError::Timeout);
    assert_eq!(error.code(), "upstream_timeout");
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(endpoint.requests().len(), 1);
}

#[tokio::test]
async fn headers_that_arrive_after_the_timeout_are_a_timeout() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::token("late").delayed(Duration::from_millis(1500))]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let started = Instant::now();

    let error = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap_err();

    assert_eq!(error, ExchangeError::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_answer_within_the_timeout_is_accepted() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::token("slow").delayed(Duration::from_millis(300))]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(token.access_token.expose(), "slow");
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_refused_however_they_are_sent() {
    let endpoint = ScriptedEndpoint::start().await;
    let padding = "x".repeat(MAX_BODY);
    let declared = format!(r#"{{"access_token": "t", "pad": "{padding}"}}"#);
    endpoint.push([
        Reply::raw(200, "application/json", declared),
        Reply::ChunkedBody {
            bytes: MAX_BODY + 1,
        },
        Reply::EndlessBody,
    ]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);
    let exchanger = exchanger();
    let started = Instant::now();

    for _ in 0..3 {
        let error = exchanger
            .exchange(&params(&config, &secret))
            .await
            .unwrap_err();
        assert_eq!(error, ExchangeError::BodyTooLarge);
        assert!(error.is_permanent());
    }

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(endpoint.requests().len(), 3);
}

#[tokio::test]
async fn a_body_of_exactly_one_mebibyte_is_read() {
    let endpoint = ScriptedEndpoint::start().await;
    let head = r#"{"access_token": "t", "pad": ""#;
    let padding = "x".repeat(MAX_BODY - head.len() - 2);
    endpoint.push([Reply::raw(
        200,
        "application/json",
        format!("{head}{padding}\"}}"),
    )]);
    let config = config(&endpoint.url("/token"), AuthMethod::ClientSecretBasic);
    let secret = Secret::new(SECRET);

    let token = exchanger()
        .exchange(&params(&config, &secret))
        .await
        .unwrap();

    assert_eq!(
        token.extra["pad"].as_str().map(str::len),
        Some(padding.len())
    );
}
