//! Real-world token responses read through the hub (SPEC §6.3, §6.4): odd lifetimes, token
//! types, vendor fields, form bodies and OAuth errors inside a 200.

mod exchange_support;
mod support;

use exchange_support::{expires_at, now_ms, token_with, Reply, Rig};
use serde_json::{json, Value};

#[tokio::test]
async fn every_expires_in_variant_gives_the_lifetime_of_section_6_3() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"maxLifetimeSeconds": 7200}))
        .await;
    let cases: [(&str, Value, i64); 9] = [
        ("number", json!(3599), 3599),
        ("numeric-string", json!("3599"), 3599),
        ("fraction", json!(1799.9), 1799),
        ("absent", Value::Null, 600),
        ("null", json!(null), 600),
        ("zero", json!(0), 600),
        ("negative", json!(-30), 600),
        ("text", json!("one hour"), 600),
        ("beyond-the-cap", json!(1e300), 7200),
    ];

    let count = cases.len();
    for (tenant, expires_in, lifetime) in cases {
        let fields = match tenant {
            "absent" => json!({"token_type": "Bearer"}),
            _ => json!({"token_type": "Bearer", "expires_in": expires_in}),
        };
        rig.endpoint
            .push([token_with(&format!("at-{tenant}"), fields)]);
        let before = now_ms();
        rig.install("crm", tenant).await;
        let after = now_ms();
        let served = rig.token("crm", tenant).await;

        let at = expires_at(&served);
        let range = (before + lifetime * 1000)..=(after + lifetime * 1000);
        assert!(range.contains(&at), "{tenant}: {at} not in {range:?}");
        assert_eq!(served.json()["access_token"], format!("at-{tenant}"));
    }
    assert_eq!(rig.endpoint.request_count(), count);
}

#[tokio::test]
async fn a_lifetime_shorter_than_the_buffer_does_not_cause_an_exchange_on_every_call() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"expirationBufferSeconds": 120}))
        .await;
    rig.endpoint
        .push([token_with("short", json!({"expires_in": 60}))]);

    rig.install("crm", "acme").await;
    let mut served = Vec::new();
    for _ in 0..5 {
        served.push(rig.token("crm", "acme").await);
    }

    assert_eq!(rig.endpoint.request_count(), 1, "only the commit exchanged");
    for answer in &served {
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json()["access_token"], "short");
        let left = answer.json()["expires_in"].as_i64().unwrap();
        assert!((58..=60).contains(&left), "{left}");
    }
}

#[tokio::test]
async fn a_lifetime_in_milliseconds_beside_one_in_seconds_is_capped_by_max_lifetime() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"maxLifetimeSeconds": 3600}))
        .await;
    rig.endpoint.push([token_with(
        "ms-vendor",
        json!({"expires_in": 3_599_000, "expires_in_sec": 3599}),
    )]);

    let before = now_ms();
    rig.install("crm", "acme").await;
    let after = now_ms();
    let served = rig.token("crm", "acme").await;

    let at = expires_at(&served);
    assert!(
        (before + 3_600_000..=after + 3_600_000).contains(&at),
        "{at}"
    );
    assert_eq!(served.json()["extra"]["expires_in_sec"], 3599);
}

#[tokio::test]
async fn vendor_shapes_are_served_as_bearer_tokens_with_their_extra_fields() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({"scope": "requested.scope"}))
        .await;
    let zoho_like = json!({
        "access_token": "at-lower", "token_type": "bearer", "expires_in": 3600,
        "api_domain": "https://www.zohoapis.example", "scope": "read,write",
        "refresh_token": "rt-ignored", "id_token": "idt-ignored",
    });
    let salesforce_like = json!({
        "access_token": "at-absent", "instance_url": "https://acme.my.example",
        "issued_at": "1700000000000", "signature": "c2ln",
    });
    let azure_like = json!({
        "access_token": "at-ext", "token_type": "Bearer", "expires_in": "3599",
        "ext_expires_in": "3599",
    });
    // (tenant, content type, body, expected scope, extra fields expected)
    let cases: [(&str, &str, String, &str, Value); 6] = [
        (
            "zoho",
            "application/json",
            zoho_like.to_string(),
            "read write",
            json!({"api_domain": "https://www.zohoapis.example"}),
        ),
        (
            "salesforce",
            "application/json;charset=UTF-8",
            salesforce_like.to_string(),
            "requested.scope",
            json!({"instance_url": "https://acme.my.example", "issued_at": "1700000000000",
                "signature": "c2ln"}),
        ),
        (
            "azure",
            "text/plain",
            azure_like.to_string(),
            "requested.scope",
            json!({"ext_expires_in": "3599"}),
        ),
        (
            "form",
            "application/x-www-form-urlencoded",
            "access_token=at-form&token_type=BEARER&expires_in=1800&scope=a%20b".to_owned(),
            "a b",
            json!({}),
        ),
        (
            "form-as-text",
            "text/plain",
            "access_token=at-form2&expires_in=1800".to_owned(),
            "requested.scope",
            json!({}),
        ),
        (
            "no-content-type",
            "",
            json!({"access_token": "at-bare"}).to_string(),
            "requested.scope",
            json!({}),
        ),
    ];

    for (tenant, content_type, body, scope, extra) in cases {
        let reply = match content_type {
            "" => Reply::Respond {
                status: 200,
                headers: vec![],
                body: body.into_bytes(),
                delay: std::time::Duration::ZERO,
            },
            _ => Reply::raw(200, content_type, body),
        };
        rig.endpoint.push([reply]);
        rig.install("crm", tenant).await;
        let served = rig.token("crm", tenant).await;

        assert_eq!(served.status, 200, "{tenant}: {}", served.text);
        let served = served.json();
        assert_eq!(served["token_type"], "Bearer", "{tenant}");
        assert_eq!(served["scope"], scope, "{tenant}");
        let shown = served.get("extra").cloned().unwrap_or(json!({}));
        assert_eq!(shown, extra, "{tenant}");
    }
}

#[tokio::test]
async fn a_token_type_other_than_bearer_fails_the_commit_naming_the_type() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({})).await;
    rig.endpoint
        .push([token_with("at-mac", json!({"token_type": "mac"}))]);

    let committed = rig.commit("crm", "acme", "acme").await;

    assert_eq!(committed.status, 400, "{}", committed.text);
    assert_eq!(committed.json()["code"], "unsupported_token_type");
    assert!(committed.text.contains("mac"), "{}", committed.text);
}

#[tokio::test]
async fn an_oauth_error_inside_a_200_fails_the_commit_and_the_token_route_with_its_code() {
    let rig = Rig::start().await;
    rig.connector("crm", json!({})).await;
    let error = json!({"error": "invalid_client", "error_description": "unknown client",
                       "error_uri": "https://idp.example/errors#invalid_client"});
    rig.endpoint.push([Reply::json(200, error.clone())]);
    let committed = rig.commit("crm", "rejected", "rejected").await;

    rig.endpoint
        .push([Reply::token("at-ok"), Reply::json(200, error)]);
    rig.install("crm", "acme").await;
    rig.wait_out_force_interval().await;
    let forced = rig.force("crm", "acme").await;

    assert_eq!(committed.status, 400, "{}", committed.text);
    assert_eq!(committed.json()["code"], "invalid_client");
    assert_eq!(
        committed.json()["details"]["error_description"],
        "unknown client"
    );
    assert_eq!(forced.status, 502, "{}", forced.text);
    let forced = forced.json();
    assert_eq!(forced["code"], "invalid_client");
    assert_eq!(forced["details"]["status"], 200);
    assert_eq!(forced["details"]["error_description"], "unknown client");
    assert_eq!(
        forced["details"]["error_uri"],
        "https://idp.example/errors#invalid_client"
    );
}
