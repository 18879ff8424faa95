//! What the hub sends to a token endpoint (SPEC §6.2), pinned on the requests the endpoint
//! recorded: Basic encodings, credentials in one place only, and the optional parameters on every
//! exchange, re-exchanges included.

mod exchange_support;
mod support;

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use exchange_support::{token_with, Recorded, Rig, SECRET};
use serde_json::json;

/// A client id with a space, `+` and `@`, which form encoding changes.
const CLIENT_ID: &str = "acme ops+1@example";

fn form(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[tokio::test]
async fn credentials_travel_encoded_as_configured_and_never_in_two_places() {
    let rig = Rig::start().await;
    // (connector, settings, expected Authorization, credentials in the body)
    let cases = [
        (
            "basic-form",
            json!({}),
            Some(basic(&form(CLIENT_ID), &form(SECRET))),
            false,
        ),
        (
            "basic-raw",
            json!({"basicEncoding": "raw"}),
            Some(basic(CLIENT_ID, SECRET)),
            false,
        ),
        (
            "post",
            json!({"authMethod": "client_secret_post"}),
            None,
            true,
        ),
    ];

    for (connector, settings, authorization, in_body) in cases {
        rig.connector(connector, settings).await;
        let before = rig.endpoint.request_count();
        let committed = rig.commit(connector, "acme", CLIENT_ID).await;
        rig.wait_out_force_interval().await;
        let forced = rig.force(connector, "acme").await;

        assert_eq!(committed.status, 202, "{connector}: {}", committed.text);
        assert_eq!(forced.status, 200, "{connector}: {}", forced.text);
        let sent = &rig.endpoint.requests()[before..];
        assert_eq!(sent.len(), 2, "{connector}");
        for request in sent {
            assert_eq!(request.method, "POST");
            assert_eq!(
                request.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            assert_eq!(request.header("accept"), Some("application/json"));
            assert_eq!(
                request.header("authorization").map(str::to_owned),
                authorization,
                "{connector}"
            );
            assert_eq!(
                request.form_value("grant_type").as_deref(),
                Some("client_credentials")
            );
            let body_id = request.form_value("client_id");
            let body_secret = request.form_value("client_secret");
            if in_body {
                assert_eq!(body_id.as_deref(), Some(CLIENT_ID), "{connector}");
                assert_eq!(body_secret.as_deref(), Some(SECRET), "{connector}");
            } else {
                assert_eq!((body_id, body_secret), (None, None), "{connector}");
            }
            assert!(
                !request.uri.contains("secret"),
                "{connector}: {}",
                request.uri
            );
        }
    }
}

#[tokio::test]
async fn audience_extra_params_and_tenant_scope_go_out_on_every_exchange_including_re_exchanges() {
    let rig = Rig::start().await;
    rig.connector(
        "crm",
        json!({
            "scope": "connector.read",
            "audience": "https://api.example/",
            "extraParams": {"resource": "https://api.example/v2", "tenant_hint": "a b&c"},
        }),
    )
    .await;
    let short = || token_with("short-lived", json!({"expires_in": 2}));
    // (tenant, session input beyond the credentials, expected scope, expected audience)
    let cases = [
        (
            "own-scope",
            json!({"scope": "tenant.read tenant.write", "audience": "https://tenant.example/"}),
            "tenant.read tenant.write",
            "https://tenant.example/",
        ),
        (
            "connector-scope",
            json!({}),
            "connector.read",
            "https://api.example/",
        ),
    ];

    for (tenant, overrides, scope, audience) in cases {
        let mut input = json!({"client_id": tenant, "client_secret": SECRET});
        for (key, value) in overrides.as_object().unwrap() {
            input[key] = value.clone();
        }
        let before = rig.endpoint.request_count();
        rig.endpoint.push([short(), short(), short()]);

        let committed = rig.commit_input("crm", tenant, input).await;
        rig.wait_out_force_interval().await;
        let forced = rig.force("crm", tenant).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let expired = rig.token("crm", tenant).await;

        assert_eq!(committed.status, 202, "{tenant}: {}", committed.text);
        assert_eq!(forced.status, 200, "{tenant}: {}", forced.text);
        assert_eq!(expired.status, 200, "{tenant}: {}", expired.text);
        let sent: Vec<Recorded> = rig.endpoint.requests()[before..].to_vec();
        assert_eq!(
            sent.len(),
            3,
            "{tenant}: commit, force and expiry each exchange"
        );
        for request in &sent {
            let fields = request.form();
            let expected = [
                ("grant_type", "client_credentials"),
                ("scope", scope),
                ("audience", audience),
                ("resource", "https://api.example/v2"),
                ("tenant_hint", "a b&c"),
            ];
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect();
            assert_eq!(fields, expected, "{tenant}");
        }
    }
}
