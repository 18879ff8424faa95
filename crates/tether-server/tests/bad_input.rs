//! Every malformed request gets its documented status and a message naming the problem, and
//! changes nothing.

mod support;

use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde_json::{json, Value};
use support::TestHub;

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    message_contains: &'static str,
}

fn case(
    name: &'static str,
    method: Method,
    path: String,
    body: Value,
    status: u16,
    message: &'static str,
) -> Case {
    Case {
        name,
        method,
        path,
        content_type: "application/json",
        body: serde_json::to_vec(&body).unwrap(),
        status,
        message_contains: message,
    }
}

fn session(input: Value, redirect: &str) -> Value {
    json!({"redirectUrl": redirect, "tags": {"fusebit.tenantId": "acme"}, "input": input})
}

async fn snapshot(hub: &TestHub) -> Vec<String> {
    let mut texts = Vec::new();
    for path in [
        "/integration",
        "/connector",
        "/integration/crm",
        "/connector/ccf",
        "/install",
    ] {
        texts.push(
            hub.call(Method::GET, &format!("{}{path}", hub.base()), None)
                .await
                .text,
        );
    }
    texts
}

#[tokio::test]
async fn every_malformed_request_is_refused_with_a_message_and_changes_nothing() {
    let hub = TestHub::start().await;
    hub.create_ccf(
        "crm",
        "ccf",
        json!({"tokenUrl": "http://127.0.0.1:9/token"}),
    )
    .await;
    let base = hub.base();
    let good_input = json!({"ccfConnector": {"client_id": "a", "client_secret": "b"}});
    let before = snapshot(&hub).await;

    let mut cases = vec![
        Case {
            name: "bad JSON",
            method: Method::POST,
            path: format!("{base}/integration/new"),
            content_type: "application/json",
            body: b"{\"data\": ".to_vec(),
            status: 400,
            message_contains: "not valid JSON",
        },
        Case {
            name: "wrong content type",
            method: Method::POST,
            path: format!("{base}/integration/new"),
            content_type: "text/plain",
            body: b"{}".to_vec(),
            status: 415,
            message_contains: "application/json",
        },
        Case {
            name: "oversized body",
            method: Method::POST,
            path: format!("{base}/integration/new"),
            content_type: "application/json",
            body: serde_json::to_vec(
                &json!({"data": {"components": [], "files": {"x": "a".repeat(1_100_000)}}}),
            )
            .unwrap(),
            status: 413,
            message_contains: "1 MiB",
        },
        case(
            "array body",
            Method::POST,
            format!("{base}/integration/new"),
            json!([1]),
            400,
            "JSON object",
        ),
        case(
            "unknown component in input",
            Method::POST,
            format!("{base}/integration/crm/session"),
            session(
                json!({"ccfConnector": {"client_id": "a", "client_secret": "b"}, "slack": {}}),
                "https://app.example/",
            ),
            400,
            "input.slack",
        ),
        case(
            "missing client_id",
            Method::POST,
            format!("{base}/integration/crm/session"),
            session(
                json!({"ccfConnector": {"client_secret": "b"}}),
                "https://app.example/",
            ),
            400,
            "input.ccfConnector.client_id",
        ),
        case(
            "unknown input key",
            Method::POST,
            format!("{base}/integration/crm/session"),
            session(
                json!({"ccfConnector": {"client_id": "a", "client_secret": "b", "secret": "c"}}),
                "https://app.example/",
            ),
            400,
            "input.ccfConnector.secret",
        ),
        case(
            "missing input",
            Method::POST,
            format!("{base}/integration/crm/session"),
            session(json!({}), "https://app.example/"),
            400,
            "input.ccfConnector",
        ),
        case(
            "relative redirectUrl",
            Method::POST,
            format!("{base}/integration/crm/session"),
            session(good_input.clone(), "/done"),
            400,
            "redirectUrl",
        ),
        case(
            "javascript redirectUrl",
            Method::POST,
            format!("{base}/integration/crm/session"),
            session(good_input.clone(), "javascript:alert(1)"),
            400,
            "redirectUrl",
        ),
        case(
            "bad installId",
            Method::POST,
            format!("{base}/integration/crm/session"),
            json!({
                "redirectUrl": "https://app.example/",
                "input": good_input,
                "installId": "ins-nope",
            }),
            400,
            "installId",
        ),
        case(
            "control character in a tag",
            Method::POST,
            format!("{base}/integration/crm/session"),
            json!({
                "redirectUrl": "https://app.example/",
                "input": good_input,
                "tags": {"fusebit.tenantId": "a\u{1}b"},
            }),
            400,
            "fusebit.tenantId",
        ),
        case(
            "reserved tag",
            Method::POST,
            format!("{base}/integration/new"),
            json!({"data": {"components": []}, "tags": {"fusebit.parentEntityId": "x"}}),
            400,
            "reserved",
        ),
        case(
            "bad integration id",
            Method::POST,
            format!("{base}/integration/bad%20id"),
            json!({"data": {"components": []}}),
            400,
            "id",
        ),
        case(
            "id mismatch",
            Method::POST,
            format!("{base}/integration/new"),
            json!({"id": "other", "data": {"components": []}}),
            400,
            "id",
        ),
        case(
            "missing components",
            Method::POST,
            format!("{base}/integration/new"),
            json!({"data": {}}),
            400,
            "data.components",
        ),
        case(
            "dependsOn a later component",
            Method::POST,
            format!("{base}/integration/new"),
            json!({"data": {"components": [
                {"name": "a", "entityType": "connector", "entityId": "ccf", "dependsOn": ["b"]},
                {"name": "b", "entityType": "connector", "entityId": "ccf"}]}}),
            400,
            "dependsOn",
        ),
        case(
            "unknown handler",
            Method::POST,
            format!("{base}/connector/new"),
            json!({"data": {"handler": "oauth"}}),
            400,
            "data.handler",
        ),
        case(
            "insecure tokenUrl",
            Method::POST,
            format!("{base}/connector/new"),
            json!({"data": {
                "handler": "ccf",
                "configuration": {"tokenUrl": "http://auth.example/token"},
            }}),
            400,
            "data.configuration.tokenUrl",
        ),
        case(
            "unknown configuration key",
            Method::POST,
            format!("{base}/connector/new"),
            json!({"data": {
                "handler": "ccf",
                "configuration": {"tokenURL": "https://auth.example/token"},
            }}),
            400,
            "data.configuration.tokenURL",
        ),
        case(
            "negative timeout",
            Method::POST,
            format!("{base}/connector/new"),
            json!({"data": {"handler": "ccf", "configuration": {"timeoutSeconds": -1}}}),
            400,
            "timeoutSeconds",
        ),
        case(
            "stale version",
            Method::PUT,
            format!("{base}/integration/crm"),
            json!({"data": {"components": []}, "version": "0000000000000000"}),
            409,
            "version",
        ),
        case(
            "version of the wrong type",
            Method::PUT,
            format!("{base}/integration/crm"),
            json!({"data": {"components": []}, "version": 7}),
            400,
            "version",
        ),
        case(
            "existing id",
            Method::POST,
            format!("{base}/integration/crm"),
            json!({"data": {"components": []}}),
            409,
            "already exists",
        ),
        case(
            "referenced connector delete",
            Method::DELETE,
            format!("{base}/connector/ccf"),
            Value::Null,
            409,
            "crm",
        ),
        case(
            "bad session id",
            Method::GET,
            format!("{base}/integration/crm/session/sid-xyz"),
            Value::Null,
            400,
            "sessionId",
        ),
        case(
            "bad install id",
            Method::GET,
            format!("{base}/integration/crm/install/nope"),
            Value::Null,
            400,
            "installId",
        ),
        case(
            "bad identity id",
            Method::DELETE,
            format!("{base}/connector/ccf/identity/idn-1"),
            Value::Null,
            400,
            "identityId",
        ),
        case(
            "bad account id",
            Method::GET,
            "/v2/account/acc-x/subscription/sub-0000000000000000/integration".into(),
            Value::Null,
            400,
            "accountId",
        ),
        case(
            "page too large",
            Method::GET,
            format!("{base}/integration?count=1000"),
            Value::Null,
            400,
            "count",
        ),
        case(
            "bad tag filter",
            Method::GET,
            format!("{base}/install?tag=%01"),
            Value::Null,
            400,
            "tag",
        ),
        case(
            "unknown component on the token route",
            Method::GET,
            format!("{base}/integration/crm/tenant/acme/slack/token"),
            Value::Null,
            404,
            "'slack'",
        ),
        case(
            "tenant without install",
            Method::GET,
            format!("{base}/integration/crm/tenant/ops%40acme.example/ccfConnector/token"),
            Value::Null,
            404,
            "'ops@acme.example'",
        ),
        case(
            "bad force flag",
            Method::GET,
            format!("{base}/integration/crm/tenant/acme/ccfConnector/token?force=yes"),
            Value::Null,
            400,
            "force",
        ),
        case(
            "a repeated query parameter",
            Method::GET,
            format!("{base}/integration/crm/tenant/acme/ccfConnector/token?force=true&force=false"),
            Value::Null,
            400,
            "force",
        ),
        case(
            "a method the route does not have",
            Method::PATCH,
            format!("{base}/connector/ccf"),
            Value::Null,
            405,
            "method not allowed",
        ),
        case(
            "unknown route",
            Method::GET,
            format!("{base}/nothing"),
            Value::Null,
            404,
            "route",
        ),
        case(
            "bad key expiry",
            Method::POST,
            format!(
                "/v1/account/{}/client/clt-0000000000000000/key",
                hub.account
            ),
            json!({"expiresAt": 5}),
            400,
            "expiresAt",
        ),
        case(
            "bad access list",
            Method::POST,
            format!("/v1/account/{}/client", hub.account),
            json!({"access": {"allow": [{"action": "install:get", "resource": "account"}]}}),
            400,
            "access.allow[0].resource",
        ),
    ];
    for case in cases
        .iter_mut()
        .filter(|c| c.method == Method::GET || c.method == Method::DELETE)
    {
        case.body.clear();
    }

    for case in &cases {
        let mut request = hub
            .http()
            .request(case.method.clone(), format!("{}{}", hub.url, case.path))
            .bearer_auth(&hub.key);
        if !case.body.is_empty() {
            request = request
                .header(CONTENT_TYPE, case.content_type)
                .body(case.body.clone());
        }
        let answer = hub.raw(request).await;
        let body = answer.json();

        assert_eq!(
            answer.status.as_u16(),
            case.status,
            "{}: {}",
            case.name,
            answer.text
        );
        assert_eq!(
            body["status"], case.status,
            "{}: {}",
            case.name, answer.text
        );
        assert_eq!(body["statusCode"], case.status, "{}", case.name);
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(case.message_contains),
            "{}: message {message:?}",
            case.name
        );
    }

    assert_eq!(
        snapshot(&hub).await,
        before,
        "refused requests changed nothing"
    );
    assert!(
        !hub.logs().contains("\"ERROR\""),
        "bad input is not logged as an error"
    );
}
