//! Installs, identities, tags and the compatible token route, through the API.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{ccf_config, AuthMethod, OidcProvider, TestHub};

async fn installed(tenants: &[&str]) -> (OidcProvider, TestHub) {
    let provider = OidcProvider::start().await;
    let hub = TestHub::start().await;
    provider
        .add_client("acme", "acme-secret", AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    for tenant in tenants {
        let answer = hub.install("crm", tenant, "acme", "acme-secret").await;
        assert_eq!(answer.status, 202, "{}", answer.text);
    }
    (provider, hub)
}

/// Creates a session naming `install` (with `fields` added to the body) and commits it.
async fn commit_for_install(
    hub: &TestHub,
    install: &str,
    fields: serde_json::Value,
) -> (String, support::Answer) {
    let mut body = json!({
        "redirectUrl": "https://app.example/",
        "installId": install,
        "input": {"ccfConnector": {"client_id": "acme", "client_secret": "acme-secret"}},
    });
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    let created = hub
        .call(
            Method::POST,
            &format!("{}/integration/crm/session", hub.base()),
            Some(body),
        )
        .await;
    let sid = created.json()["id"].as_str().unwrap().to_owned();
    let committed = hub.commit("crm", &sid).await;
    (sid, committed)
}

#[tokio::test]
async fn a_session_naming_an_install_reconfigures_that_install() {
    let (_provider, hub) = installed(&["acme"]).await;
    let first = hub.token("crm", "acme").await.json();
    let install = first["install_id"].as_str().unwrap();

    let (sid, committed) = commit_for_install(
        &hub,
        install,
        json!({"extendTags": true, "tags": {"fusebit.tenantId": "acme", "plan": "gold"}}),
    )
    .await;
    let fetched = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/install/{install}", hub.base()),
            None,
        )
        .await
        .json();
    let session = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/session/{sid}", hub.base()),
            None,
        )
        .await
        .json();
    let again = hub.commit("crm", &sid).await;

    assert_eq!(committed.status, 202, "{}", committed.text);
    assert!(committed.json()["targetUrl"]
        .as_str()
        .unwrap()
        .contains(install));
    assert_eq!(fetched["tags"]["plan"], "gold");
    assert_eq!(fetched["tags"]["fusebit.parentEntityId"], "crm");
    assert_eq!(session["data"]["output"]["entityId"], install);
    assert_eq!(again.status, 202, "a second commit is idempotent");
    assert_eq!(again.json()["targetUrl"], committed.json()["targetUrl"]);
}

#[tokio::test]
async fn the_compatible_token_route_serves_an_identity_by_id() {
    let (provider, hub) = installed(&["acme"]).await;
    let by_tenant = hub.token("crm", "acme").await.json();
    let identity = by_tenant["identity_id"].as_str().unwrap();

    let answer = hub
        .call(
            Method::GET,
            &format!("{}/connector/ccf/api/{identity}/token", hub.base()),
            None,
        )
        .await;

    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.headers["cache-control"], "no-store");
    let body = answer.json();
    assert_eq!(body["access_token"], by_tenant["access_token"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["client_id"], "acme");
    assert_eq!(provider.token_requests().await, 1);
}

#[tokio::test]
async fn installs_are_searched_by_tenant_and_listed_in_pages() {
    let (_provider, hub) = installed(&["t1", "t2", "ops@acme.example"]).await;

    let by_tenant = hub
        .call(
            Method::GET,
            &format!(
                "{}/install?tag=fusebit.tenantId%3Dops%40acme.example",
                hub.base()
            ),
            None,
        )
        .await
        .json();
    let first_page = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/install?count=2", hub.base()),
            None,
        )
        .await
        .json();
    let next = first_page["next"].as_str().unwrap();
    let second_page = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/install?count=2&next={next}", hub.base()),
            None,
        )
        .await
        .json();

    assert_eq!(by_tenant["total"], 1);
    assert_eq!(
        by_tenant["items"][0]["tags"]["fusebit.tenantId"],
        "ops@acme.example"
    );
    assert_eq!(first_page["items"].as_array().unwrap().len(), 2);
    assert_eq!(first_page["total"], 3);
    assert_eq!(second_page["items"].as_array().unwrap().len(), 1);
    assert!(second_page.get("next").is_none());
}

#[tokio::test]
async fn deleting_an_install_or_the_integration_removes_installs_and_identities() {
    let (_provider, hub) = installed(&["t1", "t2"]).await;
    let t1 = hub.token("crm", "t1").await.json();

    let deleted = hub
        .call(
            Method::DELETE,
            &format!(
                "{}/integration/crm/install/{}",
                hub.base(),
                t1["install_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let t1_after = hub.token("crm", "t1").await;
    let identities = hub
        .call(
            Method::GET,
            &format!("{}/connector/ccf/identity", hub.base()),
            None,
        )
        .await
        .json();
    let integration_deleted = hub
        .call(
            Method::DELETE,
            &format!("{}/integration/crm", hub.base()),
            None,
        )
        .await;
    let identities_after = hub
        .call(
            Method::GET,
            &format!("{}/connector/ccf/identity", hub.base()),
            None,
        )
        .await
        .json();
    let connector_deleted = hub
        .call(
            Method::DELETE,
            &format!("{}/connector/ccf", hub.base()),
            None,
        )
        .await;

    assert_eq!(deleted.status, 204);
    assert_eq!(t1_after.status, 404);
    assert_eq!(identities["total"], 1);
    assert_eq!(integration_deleted.status, 204);
    assert_eq!(identities_after["total"], 0);
    assert_eq!(
        connector_deleted.status, 204,
        "no integration references it any more"
    );
}

#[tokio::test]
async fn tags_of_an_integration_are_read_set_and_removed() {
    let hub = TestHub::start().await;
    hub.create_ccf("crm", "ccf", json!({})).await;
    let base = format!("{}/integration/crm/tag", hub.base());

    let set = hub
        .call(Method::PUT, &format!("{base}/team/a%20b%40c"), None)
        .await;
    let one = hub
        .call(Method::GET, &format!("{base}/team"), None)
        .await
        .json();
    let all = hub.call(Method::GET, &base, None).await.json();
    let removed = hub
        .call(Method::DELETE, &format!("{base}/team"), None)
        .await;
    let gone = hub.call(Method::GET, &format!("{base}/team"), None).await;

    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(one, json!({"key": "team", "value": "a b@c"}));
    assert_eq!(all["tags"]["team"], "a b@c");
    assert_eq!(removed.json()["tags"], json!({}));
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn a_connector_without_a_token_url_cannot_start_sessions() {
    let hub = TestHub::start().await;
    hub.create_ccf("crm", "ccf", json!({"tokenUrl": ""})).await;

    let created = hub.create_session("crm", "acme", "a", "b").await;

    assert_eq!(created.status, 409, "{}", created.text);
    assert!(created.json()["message"]
        .as_str()
        .unwrap()
        .contains("tokenUrl"));
}

#[tokio::test]
async fn a_commits_target_url_answers_with_the_install() {
    let (_provider, hub) = installed(&[]).await;

    let committed = hub.install("crm", "acme", "acme", "acme-secret").await;
    let target = committed.json()["targetUrl"].as_str().unwrap().to_owned();
    let path = target.strip_prefix(&hub.url).expect("the hub's own URL");
    let install = hub.call(Method::GET, path, None).await;
    let token = hub.token("crm", "acme").await;

    assert!(path.ends_with('/'), "{path}");
    assert_eq!(install.status, 200, "{}", install.text);
    assert_eq!(install.json()["id"], token.json()["install_id"]);
}

#[tokio::test]
async fn moving_an_install_onto_a_tenant_that_has_one_is_refused_naming_the_tenant() {
    let (_provider, hub) = installed(&["acme", "globex"]).await;
    let acme = hub.token("crm", "acme").await.json();
    let acme_install = acme["install_id"].as_str().unwrap();

    let (_, committed) = commit_for_install(
        &hub,
        acme_install,
        json!({"tags": {"fusebit.tenantId": "globex"}}),
    )
    .await;
    let acme_after = hub.token("crm", "acme").await.json();

    assert_eq!(committed.status, 409, "{}", committed.text);
    assert!(
        committed
            .text
            .contains("tenant 'globex' already has another install"),
        "{}",
        committed.text
    );
    assert_eq!(
        acme_after["install_id"], acme["install_id"],
        "nothing moved"
    );
}
