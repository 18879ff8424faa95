//! Access control (SPEC §9): 401 for a missing, unknown, revoked or expired key; 403 for a key
//! without the permission, whether or not the resource exists.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::TestHub;

/// Creates a client with `allow` and a key for it; returns (client id, key id, key).
async fn client_with(hub: &TestHub, allow: Value) -> (String, String, String) {
    let client = hub
        .call(
            Method::POST,
            &format!("/v1/account/{}/client", hub.account),
            Some(json!({"displayName": "backend", "access": {"allow": allow}})),
        )
        .await;
    assert_eq!(client.status, 200, "{}", client.text);
    let client_id = client.json()["id"].as_str().unwrap().to_owned();
    let key = hub
        .call(
            Method::POST,
            &format!("/v1/account/{}/client/{client_id}/key", hub.account),
            Some(json!({"displayName": "ci"})),
        )
        .await;
    assert_eq!(key.status, 200, "{}", key.text);
    let body = key.json();
    (
        client_id,
        body["id"].as_str().unwrap().to_owned(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn missing_malformed_and_unknown_keys_get_401_with_a_bearer_challenge() {
    let hub = TestHub::start().await;
    let path = format!("{}/integration", hub.base());

    for key in [
        "",
        "not-a-key",
        "tth_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let answer = hub.call_as(key, Method::GET, &path, None).await;

        assert_eq!(answer.status, 401, "key {key:?}");
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
        assert_eq!(answer.json()["statusCode"], 401);
    }
    let basic = hub
        .raw(
            hub.http()
                .get(format!("{}{path}", hub.url))
                .basic_auth("user", Some(&hub.key)),
        )
        .await;
    assert_eq!(basic.status, 401);
}

#[tokio::test]
async fn a_revoked_key_gets_401_at_once() {
    let hub = TestHub::start().await;
    let (client, key_id, key) = client_with(&hub, json!([{"action": "*", "resource": "/"}])).await;
    let path = format!("{}/integration", hub.base());

    let before = hub.call_as(&key, Method::GET, &path, None).await;
    let revoked = hub
        .call(
            Method::DELETE,
            &format!("/v1/account/{}/client/{client}/key/{key_id}", hub.account),
            None,
        )
        .await;
    let after = hub.call_as(&key, Method::GET, &path, None).await;
    let listed = hub
        .call(
            Method::GET,
            &format!("/v1/account/{}/client/{client}/key", hub.account),
            None,
        )
        .await;

    assert_eq!(before.status, 200);
    assert_eq!(revoked.status, 204);
    assert_eq!(after.status, 401);
    assert!(listed.json()["items"][0]["revokedAt"].is_number());
    assert!(
        !listed.text.contains(&key),
        "key listings never show the key"
    );
}

#[tokio::test]
async fn an_expired_key_gets_401() {
    let hub = TestHub::start().await;
    let client = hub
        .call(
            Method::POST,
            &format!("/v1/account/{}/client", hub.account),
            Some(json!({"access": {"allow": [{"action": "*", "resource": "/"}]}})),
        )
        .await
        .json();
    let in_a_moment = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 1_000;
    let key = hub
        .call(
            Method::POST,
            &format!(
                "/v1/account/{}/client/{}/key",
                hub.account,
                client["id"].as_str().unwrap()
            ),
            Some(json!({"expiresAt": in_a_moment})),
        )
        .await
        .json();
    let token = key["token"].as_str().unwrap();
    let path = format!("{}/integration", hub.base());

    let before = hub.call_as(token, Method::GET, &path, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let after = hub.call_as(token, Method::GET, &path, None).await;

    assert_eq!(before.status, 200);
    assert_eq!(after.status, 401);
}

#[tokio::test]
async fn a_key_without_the_permission_gets_403_whether_or_not_the_resource_exists() {
    let hub = TestHub::start().await;
    hub.create_ccf(
        "crm",
        "ccf",
        json!({"tokenUrl": "http://127.0.0.1:9/token"}),
    )
    .await;
    let resource = format!(
        "/account/{}/subscription/{}/integration/crm/",
        hub.account, hub.subscription
    );
    let (_, _, reader) = client_with(
        &hub,
        json!([{"action": "install:get", "resource": resource}]),
    )
    .await;
    let base = hub.base();

    let cases = [
        (Method::GET, format!("{base}/integration/crm/install"), 200),
        (Method::GET, format!("{base}/integration/crm"), 403),
        (
            Method::GET,
            format!("{base}/integration/missing/install"),
            403,
        ),
        (Method::GET, format!("{base}/integration/crm2/install"), 403),
        (Method::DELETE, format!("{base}/integration/crm"), 403),
        (Method::POST, format!("{base}/integration/crm/session"), 403),
        (Method::GET, format!("{base}/connector/ccf/identity"), 403),
        (
            Method::GET,
            format!("{base}/integration/crm/tenant/acme/ccfConnector/token"),
            403,
        ),
        (
            Method::GET,
            format!("{base}/integration/crm/tenant/acme/nope/token"),
            403,
        ),
        (
            Method::POST,
            format!("/v1/account/{}/client", hub.account),
            403,
        ),
    ];
    for (method, path, status) in cases {
        let body = (method == Method::POST).then(|| json!({}));
        let answer = hub.call_as(&reader, method.clone(), &path, body).await;

        assert_eq!(
            answer.status.as_u16(),
            status,
            "{method} {path}: {}",
            answer.text
        );
    }

    let bodies: [(&str, Vec<u8>); 3] = [
        ("application/json", b"{".to_vec()),
        ("text/plain", b"hello".to_vec()),
        ("application/json", vec![b' '; 2 << 20]),
    ];
    for (content_type, body) in bodies {
        let size = body.len();
        let request = hub
            .http()
            .post(format!("{}{base}/connector/new-one", hub.url))
            .bearer_auth(&reader)
            .header("content-type", content_type)
            .body(body);
        let answer = hub.raw(request).await;

        assert_eq!(
            answer.status.as_u16(),
            403,
            "{content_type}, {size} bytes: the permission is checked before the body"
        );
    }
}

#[tokio::test]
async fn me_names_the_caller_and_its_access() {
    let hub = TestHub::start().await;
    let allow = json!([{"action": "install:*", "resource": "/account/"}]);
    let (client, key_id, key) = client_with(&hub, allow.clone()).await;

    let me = hub
        .call_as(
            &key,
            Method::GET,
            &format!("/v1/account/{}/me", hub.account),
            None,
        )
        .await;

    assert_eq!(me.status, 200, "{}", me.text);
    let body = me.json();
    assert_eq!(body["id"], client);
    assert_eq!(body["keyId"], key_id);
    assert_eq!(body["access"]["allow"], allow);
    assert!(!me.text.contains(&key));
}

#[tokio::test]
async fn the_bootstrap_profile_is_private_and_its_key_is_never_logged() {
    let hub = TestHub::start().await;

    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(hub.data_dir.join("admin.json"))
            .unwrap()
            .permissions(),
    );
    let key_mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(hub.data_dir.join("master.key"))
            .unwrap()
            .permissions(),
    );

    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(key_mode & 0o777, 0o600);
    assert!(!hub.logs().contains(&hub.key));
    assert!(hub.logs().contains("admin.json"));
}

#[tokio::test]
async fn nobody_grants_a_client_or_gets_a_key_for_more_than_they_hold() {
    let hub = TestHub::start().await;
    let account = format!("/account/{}/", hub.account);
    let (_, _, admin) = client_with(
        &hub,
        json!([
            {"action": "client:*", "resource": account},
            {"action": "key:add", "resource": account},
            {"action": "key:delete", "resource": account},
            {"action": "install:get", "resource": account},
        ]),
    )
    .await;
    let clients = format!("/v1/account/{}/client", hub.account);
    let (root_client, root_key_id, root_token) =
        client_with(&hub, json!([{"action": "*", "resource": "/"}])).await;
    let listed_before = hub.call(Method::GET, &clients, None).await;

    let wider = hub
        .call_as(
            &admin,
            Method::POST,
            &clients,
            Some(json!({"access": {"allow": [
                {"action": "install:get", "resource": format!("{account}subscription/")},
                {"action": "*", "resource": "/"},
            ]}})),
        )
        .await;
    let narrower = hub
        .call_as(
            &admin,
            Method::POST,
            &clients,
            Some(json!({"access": {"allow": [
                {"action": "install:get", "resource": format!("{account}subscription/")},
            ]}})),
        )
        .await;
    let narrower_id = narrower.json()["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let widened = hub
        .call_as(
            &admin,
            Method::PUT,
            &format!("{clients}/{narrower_id}"),
            Some(json!({"access": {"allow": [{"action": "connector:*", "resource": "/"}]}})),
        )
        .await;
    let root_key = hub
        .call_as(
            &admin,
            Method::POST,
            &format!("{clients}/{root_client}/key"),
            Some(json!({})),
        )
        .await;
    let narrow_key = hub
        .call_as(
            &admin,
            Method::POST,
            &format!("{clients}/{narrower_id}/key"),
            Some(json!({})),
        )
        .await;
    let root_path = format!("{clients}/{root_client}");
    let root_emptied = hub
        .call_as(
            &admin,
            Method::PUT,
            &root_path,
            Some(json!({"access": {"allow": []}})),
        )
        .await;
    let root_deleted = hub.call_as(&admin, Method::DELETE, &root_path, None).await;
    let root_key_revoked = hub
        .call_as(
            &admin,
            Method::DELETE,
            &format!("{root_path}/key/{root_key_id}"),
            None,
        )
        .await;
    let renamed = hub
        .call_as(
            &admin,
            Method::PUT,
            &format!("{clients}/{narrower_id}"),
            Some(json!({"displayName": "renamed"})),
        )
        .await;
    let root_still = hub.call_as(&root_token, Method::GET, &clients, None).await;
    let listed_after = hub.call(Method::GET, &clients, None).await;

    assert_eq!(wider.status, 403, "{}", wider.text);
    assert_eq!(wider.json()["details"]["field"], "access.allow[1]");
    assert!(
        wider.text.contains("more than the caller"),
        "{}",
        wider.text
    );
    assert_eq!(narrower.status, 200, "{}", narrower.text);
    assert_eq!(widened.status, 403, "{}", widened.text);
    assert_eq!(root_key.status, 403, "{}", root_key.text);
    assert!(!root_key.text.contains("tth_"), "{}", root_key.text);
    assert_eq!(narrow_key.status, 200, "{}", narrow_key.text);
    assert_eq!(root_emptied.status, 403, "{}", root_emptied.text);
    assert_eq!(
        root_emptied.json()["details"]["field"],
        "client.access.allow[0]"
    );
    assert_eq!(root_deleted.status, 403, "{}", root_deleted.text);
    assert_eq!(root_key_revoked.status, 403, "{}", root_key_revoked.text);
    assert_eq!(root_still.status, 200, "the root key still works");
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        renamed.json()["access"]["allow"][0]["action"],
        "install:get",
        "an update without access keeps the list"
    );
    let count = |answer: &support::Answer| answer.json()["items"].as_array().unwrap().len();
    assert_eq!(
        count(&listed_after),
        count(&listed_before) + 1,
        "only the narrower client was made"
    );
    let narrower_now = hub
        .call(Method::GET, &format!("{clients}/{narrower_id}"), None)
        .await;
    assert_eq!(
        narrower_now.json()["access"]["allow"][0]["action"],
        "install:get",
        "the refused update changed nothing"
    );
}
