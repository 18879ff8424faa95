//! One exchange per identity however many callers ask at once, other tenants unaffected, and
//! forced exchanges limited per identity (SPEC §6.4, §8.3).

mod exchange_support;
mod support;

use std::time::Duration;

use exchange_support::{timed, token_with, Reply, Rig};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_callers_of_an_expired_token_cause_one_exchange_and_block_no_other_tenant() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({})).await;
    rig.endpoint
        .push([token_with("expired", json!({"expires_in": 1}))]);
    rig.install("crm", "busy").await;
    rig.endpoint.push([Reply::token("calm-token")]);
    rig.install("crm", "calm").await;
    rig.endpoint
        .otherwise(Reply::token("fresh").delayed(Duration::from_millis(3000)));
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let url = format!("{}{}", rig.hub.url, rig.hub.token_path("crm", "busy"));
    let callers: Vec<_> = (0..200)
        .map(|_| {
            let request = rig.hub.http().get(&url).bearer_auth(&rig.hub.key);
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let in_flight = rig
        .endpoint
        .wait_for_requests(3, Duration::from_secs(10))
        .await;
    let (calm_took, calm) = timed(rig.token("crm", "calm")).await;
    let busy_still_waiting = callers.iter().all(|caller| !caller.is_finished());
    let mut answers = Vec::new();
    for caller in callers {
        answers.push(caller.await.unwrap());
    }

    assert!(in_flight, "the re-exchange reached the endpoint");
    assert_eq!(calm.status, 200, "{}", calm.text);
    assert_eq!(calm.json()["access_token"], "calm-token");
    // Shorter than the exchange in flight: the other tenant did not wait for it.
    assert!(calm_took < Duration::from_millis(2000), "{calm_took:?}");
    assert!(
        busy_still_waiting,
        "the other tenant answered during the exchange"
    );
    assert_eq!(
        rig.endpoint.request_count(),
        3,
        "two installs and one re-exchange"
    );
    for (status, body) in answers {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["access_token"], "fresh");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_of_a_failing_re_exchange_share_one_attempt_and_keep_the_old_token_until_it_expires(
) {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"maxRetries": 0})).await;
    rig.endpoint
        .push([token_with("about-to-expire", json!({"expires_in": 2}))]);
    rig.install("crm", "busy").await;
    let outage = Reply::raw(503, "text/html", "<h1>down</h1>").header("retry-after", "1");
    rig.endpoint
        .otherwise(outage.delayed(Duration::from_millis(300)));
    let url = format!("{}{}", rig.hub.url, rig.hub.token_path("crm", "busy"));
    let fifty_callers = || {
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let request = rig.hub.http().get(&url).bearer_auth(&rig.hub.key);
                tokio::spawn(async move { request.send().await.unwrap() })
            })
            .collect();
        futures::future::join_all(callers)
    };

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expiring = fifty_callers().await;
    let attempts_while_expiring = rig.endpoint.request_count();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let expired = fifty_callers().await;

    assert_eq!(
        attempts_while_expiring, 2,
        "one install and one re-exchange"
    );
    for answer in expiring {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["access_token"], "about-to-expire");
    }
    assert_eq!(rig.endpoint.request_count(), 3, "one more after expiry");
    for answer in expired {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answer.headers()["retry-after"], "1");
    }
}

#[tokio::test]
async fn a_token_refused_early_is_replaced_by_force_at_most_once_a_second_per_identity() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({})).await;
    rig.endpoint
        .push([Reply::token("first"), Reply::token("other-first")]);
    rig.install("crm", "acme").await;
    rig.install("crm", "globex").await;
    rig.endpoint
        .push([Reply::token("second"), Reply::token("other-second")]);
    tokio::time::sleep(Duration::from_millis(1050)).await;

    let forced = rig.force("crm", "acme").await;
    let again = rig.force("crm", "acme").await;
    let other_tenant = rig.force("crm", "globex").await;
    let unforced = rig.token("crm", "acme").await;
    tokio::time::sleep(Duration::from_millis(1050)).await;
    rig.endpoint.push([Reply::token("third")]);
    let after_a_second = rig.force("crm", "acme").await;

    assert_eq!(forced.status, 200, "{}", forced.text);
    assert_eq!(forced.json()["access_token"], "second");
    assert_eq!(
        again.status, 200,
        "a second force within a second gets the first one's token"
    );
    assert_eq!(again.json()["access_token"], "second");
    assert_eq!(other_tenant.status, 200, "the limit is per identity");
    assert_eq!(other_tenant.json()["access_token"], "other-second");
    assert_eq!(unforced.json()["access_token"], "second");
    assert_eq!(after_a_second.status, 200, "{}", after_a_second.text);
    assert_eq!(after_a_second.json()["access_token"], "third");
    assert_eq!(rig.endpoint.request_count(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_of_one_session_exchange_once_and_answer_with_the_same_install() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({})).await;
    rig.endpoint
        .otherwise(Reply::token("only").delayed(Duration::from_millis(300)));
    let session = rig
        .session(
            "crm",
            "acme",
            json!({"client_id": "acme", "client_secret": "s"}),
        )
        .await;
    let sid = session["id"].as_str().unwrap().to_owned();

    let commits: Vec<_> = (0..8)
        .map(|_| {
            let (hub, sid) = (&rig.hub, sid.clone());
            async move { hub.commit("crm", &sid).await }
        })
        .collect();
    let answers = futures::future::join_all(commits).await;
    let token = rig.token("crm", "acme").await;

    let installs: Vec<Value> = answers
        .iter()
        .map(|answer| {
            assert_eq!(answer.status, 202, "{}", answer.text);
            answer.json()["targetUrl"].clone()
        })
        .collect();
    assert!(installs[0].is_string(), "{installs:?}");
    assert!(installs.iter().all(|id| id == &installs[0]), "{installs:?}");
    assert_eq!(
        rig.endpoint.request_count(),
        1,
        "one exchange for the session"
    );
    assert_eq!(token.json()["access_token"], "only");
}

#[tokio::test]
async fn a_forced_exchange_is_not_held_back_by_the_failure_cooldown() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"failureCooldownSeconds": 60}))
        .await;
    rig.install("crm", "acme").await;
    rig.wait_out_force_interval().await;
    let refused = json!({"error": "invalid_client", "error_description": "client disabled"});
    rig.endpoint.push([Reply::json(401, refused)]);

    let failed = rig.force("crm", "acme").await;
    let unforced = rig.token("crm", "acme").await;
    rig.wait_out_force_interval().await;
    rig.endpoint.push([Reply::token("after-the-fix")]);
    let forced_again = rig.force("crm", "acme").await;
    let served = rig.token("crm", "acme").await;

    assert_eq!(failed.status, 502, "{}", failed.text);
    assert_eq!(failed.json()["code"], "invalid_client");
    assert_eq!(
        unforced.json()["access_token"],
        "at-default",
        "an unforced call keeps the old token during the cooldown"
    );
    assert_eq!(forced_again.status, 200, "{}", forced_again.text);
    assert_eq!(forced_again.json()["access_token"], "after-the-fix");
    assert_eq!(served.json()["access_token"], "after-the-fix");
    assert_eq!(rig.endpoint.request_count(), 3);
}
