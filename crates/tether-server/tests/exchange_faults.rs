//! Token endpoint outages, throttling, redirects, hangs and oversized bodies, seen through the
//! hub's token route and session run (SPEC §6.5, §7.2).

mod exchange_support;
mod support;

use std::time::{Duration, SystemTime};

use exchange_support::{http_date, redirect_query, timed, Reply, Rig, SECRET};
use serde_json::json;

/// A gateway error page of the kind load balancers send, echoing the request's credentials.
fn gateway_page(status: u16) -> Reply {
    let page = format!(
        "<html><head><title>{status} Bad Gateway</title></head><body><h1>{status}</h1>\
         <p>upstream said client_secret={SECRET} token=eyJhbGciOiJIUzI1NiJ9.abc123def456</p>\
         </body></html>"
    );
    Reply::raw(status, "text/html; charset=utf-8", page)
}

#[tokio::test]
async fn an_html_gateway_page_is_retried_then_answered_503_with_retry_after_and_no_html() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"maxRetries": 2})).await;
    rig.install("crm", "acme").await;
    rig.install("crm", "globex").await;
    rig.wait_out_force_interval().await;

    rig.endpoint
        .push([gateway_page(502), gateway_page(502), gateway_page(502)]);
    let bad_gateway = rig.force("crm", "acme").await;
    rig.endpoint
        .push([gateway_page(503), gateway_page(503), gateway_page(503)]);
    let unavailable = rig.force("crm", "globex").await;

    assert_eq!(rig.endpoint.request_count(), 2 + 3 + 3, "two retries each");
    for (answer, status) in [(&bad_gateway, 502), (&unavailable, 503)] {
        assert_eq!(answer.status, 503, "{}", answer.text);
        assert!(answer.headers.contains_key("retry-after"));
        let body = answer.json();
        assert_eq!(body["code"], "upstream_unavailable");
        assert_eq!(body["details"]["status"], status);
        for leaked in [
            "<",
            "html",
            "Bad Gateway",
            SECRET,
            "eyJhbGciOiJIUzI1NiJ9",
            "client_secret",
        ] {
            assert!(!answer.text.contains(leaked), "{leaked}: {}", answer.text);
        }
    }
    let logs = rig.hub.logs();
    assert!(
        logs.contains("token exchange failed"),
        "the detail is logged"
    );
    assert!(logs.contains("Bad Gateway"), "with an excerpt of the page");
    assert!(!logs.contains(SECRET), "but not the secret");
}

#[tokio::test]
async fn throttling_and_outages_are_retried_within_the_budget_honouring_retry_after() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"maxRetries": 2, "timeoutSeconds": 3}))
        .await;
    let in_one_second = http_date(SystemTime::now() + Duration::from_secs(1));
    // (tenant, first answer, least time the retry must have waited)
    let cases = [
        (
            "throttled-seconds",
            Reply::json(429, json!({"error": "slow_down"})).header("retry-after", "1"),
            Duration::from_millis(900),
        ),
        (
            "unavailable-date",
            Reply::raw(503, "text/plain", "maintenance").header("retry-after", &in_one_second),
            Duration::ZERO,
        ),
        (
            "server-error",
            Reply::raw(500, "text/plain", "oops"),
            Duration::from_millis(50),
        ),
    ];

    for (tenant, first, least) in cases {
        let before = rig.endpoint.request_count();
        rig.endpoint
            .push([first, Reply::token(&format!("at-{tenant}"))]);
        let (took, committed) = timed(rig.commit("crm", tenant, tenant)).await;
        let served = rig.token("crm", tenant).await;

        assert_eq!(committed.status, 202, "{tenant}: {}", committed.text);
        assert_eq!(rig.endpoint.request_count() - before, 2, "{tenant}");
        assert!(took >= least, "{tenant}: waited only {took:?}");
        assert!(took < Duration::from_secs(3), "{tenant}: took {took:?}");
        assert_eq!(served.json()["access_token"], format!("at-{tenant}"));
    }
}

#[tokio::test]
async fn a_redirect_is_reported_with_its_location_and_never_followed() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({})).await;
    let elsewhere = rig.endpoint.url("/login?next=%2Ftoken");
    let redirect = || Reply::raw(302, "text/html", "<a>moved</a>").header("location", &elsewhere);

    rig.endpoint.push([redirect()]);
    let committed = rig.commit("crm", "redirected", "redirected").await;
    rig.endpoint.push([Reply::token("at-ok"), redirect()]);
    rig.install("crm", "acme").await;
    rig.wait_out_force_interval().await;
    let forced = rig.force("crm", "acme").await;

    assert_eq!(committed.status, 400, "{}", committed.text);
    assert_eq!(committed.json()["code"], "upstream_redirect");
    assert!(committed.text.contains(&elsewhere), "{}", committed.text);
    assert_eq!(forced.status, 502, "{}", forced.text);
    let forced = forced.json();
    assert_eq!(forced["code"], "upstream_redirect");
    assert_eq!(forced["details"]["status"], 302);
    assert_eq!(forced["details"]["location"], elsewhere.as_str());
    let paths: Vec<String> = rig.endpoint.requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(
        paths,
        ["/token", "/token", "/token"],
        "the redirect is not followed"
    );
}

#[tokio::test]
async fn an_endpoint_that_never_answers_gets_504_within_the_timeout_while_other_tenants_are_served()
{
    let rig = Rig::start().await;
    rig.connector("crm", json!({"timeoutSeconds": 1, "maxRetries": 0}))
        .await;
    rig.install("crm", "stuck").await;
    rig.endpoint.push([Reply::token("at-calm")]);
    rig.install("crm", "calm").await;
    rig.endpoint.otherwise(Reply::Hang);
    rig.wait_out_force_interval().await;

    let stuck = tokio::spawn({
        let path = format!("{}?force=true", rig.hub.token_path("crm", "stuck"));
        let request = rig.hub.http().get(format!("{}{path}", rig.hub.url));
        let key = rig.hub.key.clone();
        timed(async move { request.bearer_auth(key).send().await.unwrap() })
    });
    assert!(
        rig.endpoint
            .wait_for_requests(3, Duration::from_secs(5))
            .await
    );
    let (calm_took, calm) = timed(rig.token("crm", "calm")).await;
    let healthy = rig
        .hub
        .raw(rig.hub.http().get(format!("{}/healthz", rig.hub.url)))
        .await;
    let (stuck_took, stuck) = stuck.await.unwrap();

    assert_eq!(calm.status, 200, "{}", calm.text);
    assert_eq!(calm.json()["access_token"], "at-calm");
    assert!(calm_took < Duration::from_millis(500), "{calm_took:?}");
    assert_eq!(healthy.status, 200);
    assert_eq!(stuck.status(), 504);
    assert!(stuck_took >= Duration::from_millis(900), "{stuck_took:?}");
    assert!(stuck_took < Duration::from_millis(2500), "{stuck_took:?}");
    let body: serde_json::Value = stuck.json().await.unwrap();
    assert_eq!(body["code"], "upstream_timeout");
    assert_eq!(
        rig.endpoint.request_count(),
        3,
        "a timed-out attempt is not retried"
    );
}

#[tokio::test]
async fn a_body_over_one_mebibyte_or_without_end_is_refused_and_the_hub_stays_small() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"timeoutSeconds": 5})).await;
    let huge = format!(r#"{{"access_token": "{}"}}"#, "a".repeat((1 << 20) + 1));
    let cases = [
        ("declared", Reply::raw(200, "application/json", huge)),
        ("chunked", Reply::ChunkedBody { bytes: 3 << 20 }),
        ("endless", Reply::EndlessBody),
    ];
    let tenants =
        |case: &str| -> Vec<String> { (0..3).map(|round| format!("{case}-{round}")).collect() };
    for (case, _) in &cases {
        for tenant in tenants(case) {
            rig.install("crm", &tenant).await;
        }
    }
    rig.wait_out_force_interval().await;
    let rss_before = rig.rss_kib();

    for (case, reply) in cases {
        for tenant in tenants(case) {
            rig.endpoint.push([reply.clone()]);
            let forced = rig.force("crm", &tenant).await;

            assert_eq!(forced.status, 502, "{tenant}: {}", forced.text);
            assert_eq!(forced.json()["code"], "response_too_large", "{tenant}");
        }
    }
    let rss_after = rig.rss_kib();
    let healthy = rig
        .hub
        .raw(rig.hub.http().get(format!("{}/healthz", rig.hub.url)))
        .await;

    assert_eq!(healthy.status, 200);
    assert!(
        rss_after < rss_before + 32 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
}

#[test]
fn an_http_date_is_written_as_imf_fixdate() {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);

    assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(
        http_date(SystemTime::UNIX_EPOCH),
        "Thu, 01 Jan 1970 00:00:00 GMT"
    );
}

#[tokio::test]
async fn a_failing_endpoint_ends_the_browser_run_with_an_error_redirect() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"timeoutSeconds": 1, "maxRetries": 0}))
        .await;
    let cases = [
        (
            "bad-secret",
            Reply::json(401, json!({"error": "invalid_client"})),
            "invalid_client",
        ),
        (
            "error-in-200",
            Reply::json(200, json!({"error": "unauthorized_client"})),
            "unauthorized_client",
        ),
        ("outage", gateway_page(503), "upstream_unavailable"),
        ("hang", Reply::Hang, "upstream_timeout"),
        (
            "moved",
            Reply::raw(301, "text/plain", "").header("location", "https://idp.example/"),
            "upstream_redirect",
        ),
        (
            "not-a-token",
            Reply::json(200, json!({"token": "x"})),
            "malformed_response",
        ),
    ];

    for (tenant, reply, code) in cases {
        rig.endpoint.push([reply]);
        let session = rig
            .session(
                "crm",
                tenant,
                json!({"client_id": tenant, "client_secret": SECRET}),
            )
            .await;
        let start = rig
            .hub
            .raw(rig.hub.http().get(session["targetUrl"].as_str().unwrap()))
            .await;

        let query = redirect_query(&start);
        assert_eq!(query["error"], code, "{tenant}");
        assert_eq!(
            query["session"],
            session["id"].as_str().unwrap(),
            "{tenant}"
        );
        let description = &query["errorDescription"];
        assert!(!description.contains('<'), "{tenant}: {description}");
        assert!(!description.contains(SECRET), "{tenant}: {description}");
    }
}
