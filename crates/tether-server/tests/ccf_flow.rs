//! The whole CCF flow against a real OAuth server (`oidc-provider` on loopback): sessions,
//! browser and headless, to tenant tokens that the server's introspection accepts.

mod support;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use support::{ccf_config, AuthMethod, OidcProvider, TestHub};

const ODD_SECRET: &str = "s3cr:t+with%odd chars";

async fn setup() -> (OidcProvider, TestHub) {
    let provider = OidcProvider::start().await;
    let hub = TestHub::start().await;
    (provider, hub)
}

#[tokio::test]
async fn a_headless_commit_serves_a_token_the_provider_introspects_as_active() {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme-basic", ODD_SECRET, AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf(
        "crm",
        "ccf-basic",
        ccf_config(&provider, "client_secret_basic"),
    )
    .await;

    let committed = hub.install("crm", "acme", "acme-basic", ODD_SECRET).await;
    let token = hub.token("crm", "acme").await;

    assert_eq!(committed.status, 202, "{}", committed.text);
    assert!(committed.json()["targetUrl"]
        .as_str()
        .unwrap()
        .contains("/install/ins-"));
    assert_eq!(token.status, 200, "{}", token.text);
    assert_eq!(token.headers["cache-control"], "no-store");
    let body = token.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["client_id"], "acme-basic");
    assert!(body["expires_in"].as_i64().unwrap() > 3000);
    let introspection = provider
        .introspect(body["access_token"].as_str().unwrap())
        .await;
    assert!(introspection.active);
    assert_eq!(introspection.client_id.as_deref(), Some("acme-basic"));
}

#[tokio::test]
async fn a_browser_run_exchanges_invisibly_and_redirects_with_the_session() {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme-post", "post-secret", AuthMethod::ClientSecretPost)
        .await;
    hub.create_ccf(
        "crm",
        "ccf-post",
        ccf_config(&provider, "client_secret_post"),
    )
    .await;

    let created = hub
        .create_session("crm", "ops@acme.example", "acme-post", "post-secret")
        .await;
    let session = created.json();
    let sid = session["id"].as_str().unwrap();
    let start = hub
        .raw(hub.http().get(session["targetUrl"].as_str().unwrap()))
        .await;
    let again = hub
        .raw(hub.http().get(session["targetUrl"].as_str().unwrap()))
        .await;
    let requests_after_start = provider.token_requests().await;
    let committed = hub.commit("crm", sid).await;
    let token = hub.token("crm", "ops@acme.example").await;

    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(start.status, 302);
    let location = start.headers["location"].to_str().unwrap();
    assert_eq!(
        location,
        format!("https://app.example/done?x=1&session={sid}")
    );
    assert_eq!(again.headers["location"], start.headers["location"]);
    assert_eq!(
        requests_after_start, 1,
        "a second visit does not exchange again"
    );
    assert_eq!(committed.status, 202, "{}", committed.text);
    assert_eq!(
        provider.token_requests().await,
        1,
        "commit reuses the browser run's token"
    );
    assert_eq!(token.status, 200, "{}", token.text);
    let access_token = token.json()["access_token"].as_str().unwrap().to_owned();
    assert!(provider.introspect(&access_token).await.active);
}

#[tokio::test]
async fn the_per_step_routes_walk_the_same_run() {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme", "secret", AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;

    let session = hub
        .create_session("crm", "acme", "acme", "secret")
        .await
        .json();
    let sid = session["id"].as_str().unwrap();
    let fetched = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/session/{sid}", hub.base()),
            None,
        )
        .await
        .json();
    let leaf = fetched["data"]["components"][0]["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let authorize = hub
        .raw(hub.http().get(format!(
            "{}{}/connector/ccf/api/authorize?session={leaf}",
            hub.url,
            hub.base()
        )))
        .await;
    let callback_url = authorize.headers["location"].to_str().unwrap().to_owned();
    let callback = hub.raw(hub.http().get(&callback_url)).await;

    assert_eq!(authorize.status, 302);
    assert!(callback_url.ends_with(&format!("/connector/ccf/session/{leaf}/callback")));
    assert_eq!(callback.status, 302);
    assert_eq!(
        callback.headers["location"].to_str().unwrap(),
        format!("https://app.example/done?x=1&session={sid}")
    );
    assert_eq!(hub.commit("crm", sid).await.status, 202);
    assert_eq!(provider.token_requests().await, 1);
}

#[tokio::test]
async fn a_wrong_secret_fails_the_browser_run_with_invalid_client() {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme", "right", AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;

    let session = hub
        .create_session("crm", "acme", "acme", "wrong")
        .await
        .json();
    let sid = session["id"].as_str().unwrap();
    let start = hub
        .raw(hub.http().get(session["targetUrl"].as_str().unwrap()))
        .await;
    let committed = hub.commit("crm", sid).await;
    let installs = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/install", hub.base()),
            None,
        )
        .await;

    let location = url::Url::parse(start.headers["location"].to_str().unwrap()).unwrap();
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["error"], "invalid_client");
    assert_eq!(query["session"], sid);
    assert!(query.contains_key("errorDescription"));
    assert_eq!(committed.status, 400);
    assert_eq!(committed.json()["code"], "invalid_client");
    assert!(committed.json()["message"]
        .as_str()
        .unwrap()
        .contains("ccfConnector"));
    assert_eq!(installs.json()["total"], 0, "nothing is written");
}

#[tokio::test]
async fn two_tenants_never_see_each_others_tokens() {
    let (provider, hub) = setup().await;
    provider
        .add_client("tenant-a", "secret-a", AuthMethod::ClientSecretBasic)
        .await;
    provider
        .add_client("tenant-b", "secret-b", AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;

    hub.install("crm", "ops@acme.example", "tenant-a", "secret-a")
        .await;
    hub.install("crm", "A B", "tenant-b", "secret-b").await;
    let a = hub.token("crm", "ops@acme.example").await.json();
    let b = hub.token("crm", "A B").await.json();
    let nobody = hub.token("crm", "nobody").await;

    assert_eq!(a["client_id"], "tenant-a");
    assert_eq!(b["client_id"], "tenant-b");
    assert_ne!(a["access_token"], b["access_token"]);
    assert_ne!(a["install_id"], b["install_id"]);
    let a_token = a["access_token"].as_str().unwrap();
    assert_eq!(
        provider.introspect(a_token).await.client_id.as_deref(),
        Some("tenant-a")
    );
    assert_eq!(nobody.status, 404);
    assert_eq!(nobody.json()["code"], "no_install");
    assert!(nobody.json()["message"]
        .as_str()
        .unwrap()
        .contains("'nobody'"));
}

#[tokio::test]
async fn a_second_session_for_the_same_tenant_updates_its_install_and_a_rotated_secret_takes_effect(
) {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme", "old-secret", AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    hub.install("crm", "acme", "acme", "old-secret").await;
    let first = hub.token("crm", "acme").await.json();

    provider.set_secret("acme", "new-secret").await;
    let second_commit = hub.install("crm", "acme", "acme", "new-secret").await;
    let forced = hub
        .call(
            Method::GET,
            &format!("{}?force=true", hub.token_path("crm", "acme")),
            None,
        )
        .await;
    let installs = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/install", hub.base()),
            None,
        )
        .await
        .json();

    assert_eq!(second_commit.status, 202, "{}", second_commit.text);
    assert_eq!(installs["total"], 1);
    assert_eq!(forced.status, 200, "{}", forced.text);
    let forced = forced.json();
    assert_eq!(forced["install_id"], first["install_id"]);
    assert_eq!(forced["identity_id"], first["identity_id"]);
    assert_ne!(forced["access_token"], first["access_token"]);
}

#[tokio::test]
async fn an_install_whose_secret_became_wrong_answers_502_invalid_client() {
    let (provider, hub) = setup().await;
    provider
        .add_client_with_ttl(
            "acme",
            "secret",
            AuthMethod::ClientSecretBasic,
            Duration::from_secs(3),
        )
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    hub.install("crm", "acme", "acme", "secret").await;

    provider.set_secret("acme", "rotated-elsewhere").await;
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let forced = hub
        .call(
            Method::GET,
            &format!("{}?force=true", hub.token_path("crm", "acme")),
            None,
        )
        .await;
    let unforced = hub.token("crm", "acme").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = hub.token("crm", "acme").await;

    assert_eq!(forced.status, 502, "{}", forced.text);
    assert_eq!(forced.json()["code"], "invalid_client");
    assert_eq!(forced.json()["details"]["status"], 401);
    assert_eq!(
        unforced.status, 200,
        "the old token is served while it lasts"
    );
    assert_eq!(expired.status, 502, "{}", expired.text);
    assert_eq!(expired.json()["code"], "invalid_client");
}

#[tokio::test]
async fn a_restarted_hub_still_serves_installs_and_tokens() {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme", ODD_SECRET, AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    hub.install("crm", "acme", "acme", ODD_SECRET).await;
    let before = hub.token("crm", "acme").await.json();

    let hub = hub.restart().await;
    let after = hub.token("crm", "acme").await;
    // A force within a second of the last exchange would get that exchange's token.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let forced = hub
        .call(
            Method::GET,
            &format!("{}?force=true", hub.token_path("crm", "acme")),
            None,
        )
        .await;

    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(after.json()["access_token"], before["access_token"]);
    assert_eq!(
        forced.status, 200,
        "the stored secret still decrypts: {}",
        forced.text
    );
    assert_eq!(provider.token_requests().await, 2);
}

#[tokio::test]
async fn secrets_and_tokens_never_reach_the_log_or_the_management_api() {
    let (provider, hub) = setup().await;
    provider
        .add_client("acme", ODD_SECRET, AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;

    let created = hub.create_session("crm", "acme", "acme", ODD_SECRET).await;
    let sid = created.json()["id"].as_str().unwrap().to_owned();
    let start = hub
        .raw(
            hub.http()
                .get(created.json()["targetUrl"].as_str().unwrap()),
        )
        .await;
    let session = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/session/{sid}", hub.base()),
            None,
        )
        .await;
    let committed = hub.commit("crm", &sid).await;
    let after_commit = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/session/{sid}", hub.base()),
            None,
        )
        .await;
    let token = hub.token("crm", "acme").await.json();
    let access_token = token["access_token"].as_str().unwrap().to_owned();
    let installs = hub
        .call(
            Method::GET,
            &format!("{}/integration/crm/install", hub.base()),
            None,
        )
        .await;
    let identities = hub
        .call(
            Method::GET,
            &format!("{}/connector/ccf/identity", hub.base()),
            None,
        )
        .await;
    let identity_id = token["identity_id"].as_str().unwrap();
    let identity = hub
        .call(
            Method::GET,
            &format!("{}/connector/ccf/identity/{identity_id}", hub.base()),
            None,
        )
        .await;
    let connector = hub
        .call(Method::GET, &format!("{}/connector/ccf", hub.base()), None)
        .await;
    let bad_session = hub
        .call(
            Method::POST,
            &format!("{}/integration/crm/session", hub.base()),
            Some(serde_json::json!({
                "redirectUrl": "x",
                "input": {"ccfConnector": {"client_id": "a", "client_secret": ODD_SECRET}},
            })),
        )
        .await;
    let hub_key = hub.key.clone();
    let logs = hub.logs();

    let management = [
        &created,
        &start,
        &session,
        &committed,
        &after_commit,
        &installs,
        &identities,
        &identity,
        &connector,
        &bad_session,
    ];
    for answer in management {
        for secret in [ODD_SECRET, &access_token, &hub_key] {
            assert!(
                !answer.text.contains(secret),
                "a response leaks a secret: {}",
                answer.text
            );
            assert!(!format!("{:?}", answer.headers).contains(secret));
        }
    }
    for secret in [
        ODD_SECRET,
        "s3cr%3At%2Bwith%25odd+chars",
        &access_token,
        &hub_key,
    ] {
        assert!(!logs.contains(secret), "the log leaks a secret");
    }
    assert!(
        logs.contains("\"route\""),
        "requests are logged with their route"
    );
    assert_eq!(identity.json()["data"]["token"]["status"], "valid");
    assert_eq!(identity.json()["data"]["client_id"], "acme");
    let fields = &session.json()["data"]["input"]["ccfConnector"]["fields"];
    assert_eq!(fields, &json!(["client_id", "client_secret"]));
}
