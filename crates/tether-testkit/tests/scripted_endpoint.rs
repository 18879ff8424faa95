//! The scripted endpoint answers in the order it was told, falls back to its default answer, and
//! records what it received.

use std::time::Duration;

use tether_testkit::{loopback_client, Reply, ScriptedEndpoint};

#[tokio::test]
async fn queued_answers_come_first_then_the_fallback_for_every_later_request() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::raw(503, "text/html", "<h1>down</h1>")]);
    endpoint.otherwise(Reply::token("again"));
    let client = loopback_client();

    let mut statuses = Vec::new();
    for _ in 0..3 {
        let answer = client.post(endpoint.url("/token")).send().await.unwrap();
        statuses.push(answer.status().as_u16());
    }

    assert_eq!(statuses, [503, 200, 200]);
    assert_eq!(endpoint.request_count(), 3);
}

#[tokio::test]
async fn a_request_is_recorded_with_its_form_before_a_slow_answer_is_sent() {
    let endpoint = ScriptedEndpoint::start().await;
    endpoint.push([Reply::token("slow").delayed(Duration::from_secs(30))]);
    let request = loopback_client()
        .post(endpoint.url("/token?x=1"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=a+b");

    let pending = tokio::spawn(request.send());
    let arrived = endpoint.wait_for_requests(1, Duration::from_secs(5)).await;
    pending.abort();

    assert!(arrived);
    let [recorded] = endpoint.requests().try_into().unwrap();
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.uri, "/token?x=1");
    assert_eq!(recorded.form_value("scope").as_deref(), Some("a b"));
    assert!(
        !endpoint
            .wait_for_requests(2, Duration::from_millis(50))
            .await
    );
}
