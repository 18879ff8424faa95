//! The management portal in a real browser (headless Chromium over WebDriver) against the real
//! hub binary and a real OAuth server on loopback; and its CSRF and cookie rules over plain HTTP.

mod portal_support;
mod support;

use std::time::Instant;

use portal_support::Browser;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use support::{loopback_client, AuthMethod, OidcProvider, TestHub};

const SECRET: &str = "p0rtal-s3cret:with+odd%chars";
const WRONG_SECRET: &str = "not-the-right-secret-7f3a";
const TENANT: &str = "ops@acme.example";

/// Signs in through the form and lands on the integrations page.
async fn sign_in(browser: &mut Browser, key: &str) {
    browser.goto("/portal").await;
    assert_eq!(browser.path().await, "/portal/sign-in");
    browser.fill("#key", key).await;
    browser
        .click("form[action='/portal/sign-in'] button[type=submit]")
        .await;
}

#[tokio::test]
async fn an_operator_configures_a_ccf_integration_and_sees_the_tenant_token_valid() {
    let started = Instant::now();
    let provider = OidcProvider::start().await;
    provider
        .add_client("acme", SECRET, AuthMethod::ClientSecretBasic)
        .await;
    let hub = TestHub::start().await;
    let mut browser = Browser::start(&hub.url).await;

    // Sign in.
    browser.goto("/portal").await;
    browser.screenshot("01-sign-in").await;
    sign_in(&mut browser, &hub.key).await;
    assert_eq!(browser.path().await, "/portal/integrations");

    // Create an integration.
    browser.fill("#id", "crm").await;
    browser
        .click("form[action='/portal/integrations'] button")
        .await;
    assert_eq!(
        browser.path().await,
        "/portal/integrations/crm?notice=integration-created"
    );
    browser.screenshot("02-integration").await;

    // Add a CCF connector through the dialog.
    browser.press("a[data-dialog='add-connector']").await;
    let dialog_open = browser
        .script("return document.getElementById('add-connector').open")
        .await;
    assert_eq!(dialog_open, true, "the link opens the dialog");
    assert!(browser.exists("#add-connector #source-ccf:checked").await);
    let focused = browser.script("return document.activeElement.id").await;
    assert_eq!(focused, "source-ccf", "the dialog takes the keyboard focus");
    browser.screenshot("03-add-connector-dialog").await;
    browser
        .click("#add-connector button[type=submit]:not([formmethod])")
        .await;
    assert_eq!(
        browser.path().await,
        "/portal/integrations/crm?notice=connector-added"
    );
    assert!(browser.source().await.contains("ccfConnector"));

    // Open the connector; a bad token URL is refused next to its field, a good one saved.
    browser.click("a[href='/portal/connectors/crm-ccf']").await;
    browser.fill("#tokenUrl", "http://auth.example/token").await;
    browser
        .click("form[action='/portal/connectors/crm-ccf'] button")
        .await;
    let message = browser.text("#tokenUrl-help .field-error").await;
    assert!(message.contains("https"), "{message}");
    assert_eq!(
        browser
            .find("#tokenUrl")
            .await
            .attr("aria-invalid")
            .await
            .unwrap(),
        Some("true".into())
    );
    browser.fill("#tokenUrl", &provider.token_url()).await;
    browser
        .click("form[action='/portal/connectors/crm-ccf'] button")
        .await;
    assert_eq!(
        browser.path().await,
        "/portal/connectors/crm-ccf?notice=connector-saved"
    );
    browser.screenshot("04-connector").await;

    // Test the exchange with the tenant's credentials: a token, never shown.
    browser.fill("#client_id", "acme").await;
    browser.fill("#client_secret", SECRET).await;
    browser
        .click("form[action^='/portal/connectors/crm-ccf/test'] button")
        .await;
    let result = browser.text("#test-result").await;
    assert!(result.contains("Success"), "{result}");
    assert!(result.contains("Bearer"), "{result}");
    browser.screenshot("05-connector-test").await;

    // A backend installs the tenant through the API.
    let committed = hub.install("crm", TENANT, "acme", SECRET).await;
    assert_eq!(committed.status, 202, "{}", committed.text);

    // The portal shows the tenant's token as valid; a forced re-exchange works.
    browser.click("a[href='/portal/installs']").await;
    browser.fill("#tenant", TENANT).await;
    browser.click("form[role=search] button").await;
    assert_eq!(browser.text("[data-status]").await, "valid");
    browser.click("form[action$='/refresh'] button").await;
    let banner = browser.text(".notice.success").await;
    assert!(banner.contains("New token obtained"), "{banner}");
    assert_eq!(browser.text("[data-status]").await, "valid");
    browser.screenshot("06-installs").await;

    // On a narrow screen, nothing needs a mouse or a wide window.
    browser.resize(390, 844).await;
    browser.goto("/portal/integrations/crm").await;
    browser.screenshot("07-narrow-integration").await;
    browser.resize(1280, 1000).await;

    // Revoke the key this session signed in with, through the portal.
    let me = hub
        .call(
            Method::GET,
            &format!("/v1/account/{}/me", hub.account),
            None,
        )
        .await
        .json();
    let key_id = me["keyId"].as_str().unwrap().to_owned();
    browser.goto("/portal/keys").await;
    assert!(browser.source().await.contains("(this session)"));
    browser.screenshot("08-keys").await;
    browser
        .click(&format!("form[action$='/keys/{key_id}/revoke'] button"))
        .await;

    // The portal refuses it at once, and again at sign-in.
    assert_eq!(browser.path().await, "/portal/sign-in");
    browser.goto("/portal/integrations").await;
    assert_eq!(browser.path().await, "/portal/sign-in");
    sign_in(&mut browser, &hub.key).await;
    assert_eq!(browser.path().await, "/portal/sign-in");
    let refusal = browser.text(".notice.error").await;
    assert!(refusal.contains("not valid"), "{refusal}");
    browser.screenshot("09-revoked-key-refused").await;

    browser.assert_never_shown(&hub.key, "API key");
    browser.assert_never_shown(SECRET, "client secret");
    let logs = hub.logs();
    assert!(!logs.contains(&hub.key) && !logs.contains(SECRET));
    browser.close().await;
    eprintln!("seed story took {:?}", started.elapsed());
}

#[tokio::test]
async fn the_test_action_shows_invalid_client_for_a_wrong_secret_and_never_echoes_it() {
    let provider = OidcProvider::start().await;
    provider
        .add_client("acme", SECRET, AuthMethod::ClientSecretBasic)
        .await;
    let hub = TestHub::start().await;
    hub.create_ccf(
        "crm",
        "ccf",
        serde_json::json!({"tokenUrl": provider.token_url()}),
    )
    .await;
    let mut browser = Browser::start(&hub.url).await;
    sign_in(&mut browser, &hub.key).await;

    browser.goto("/portal/connectors/ccf").await;
    browser.fill("#client_id", "acme").await;
    browser.fill("#client_secret", WRONG_SECRET).await;
    browser
        .click("form[action^='/portal/connectors/ccf/test'] button")
        .await;

    let result = browser.text("#test-result").await;
    assert!(result.contains("invalid_client"), "{result}");
    assert_eq!(
        browser
            .find("#client_secret")
            .await
            .prop("value")
            .await
            .unwrap(),
        Some(String::new()),
        "the secret field comes back empty"
    );
    assert_eq!(
        browser
            .find("#client_id")
            .await
            .prop("value")
            .await
            .unwrap(),
        Some("acme".into()),
        "the client id is kept for the next try"
    );
    browser.screenshot("10-connector-test-invalid-client").await;
    browser.assert_never_shown(WRONG_SECRET, "typed client secret");
    browser.assert_never_shown(&hub.key, "API key");
    assert!(!hub.logs().contains(WRONG_SECRET));
    browser.close().await;
}

/// A plain HTTP session: the cookie jar is kept by hand, so each rule can be tested alone.
struct Session {
    http: reqwest::Client,
    url: String,
    cookie: String,
    csrf: String,
}

/// The value of `name="csrf" value="…"` in a page.
fn csrf_in(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `name=value` of a `Set-Cookie` for `name`, with its attributes.
fn set_cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

async fn post_form(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
    body: &str,
) -> reqwest::Response {
    http.post(url)
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .expect("hub answers")
}

async fn signed_in(base: &str, key: &str) -> (Session, String) {
    let http = loopback_client();
    let form = http
        .get(format!("{base}/portal/sign-in"))
        .send()
        .await
        .unwrap();
    let sign_in_cookie = pair(&set_cookie(form.headers(), "tether_portal_signin").unwrap());
    let token = csrf_in(&form.text().await.unwrap());
    let key = url::form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>();
    let answer = post_form(
        &http,
        &format!("{base}/portal/sign-in"),
        &sign_in_cookie,
        &format!("csrf={token}&key={key}"),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let attributes = set_cookie(answer.headers(), "tether_portal").expect("a session cookie");
    let cookie = pair(&attributes);

    let page = http
        .get(format!("{base}/portal/integrations"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_in(&page.text().await.unwrap());
    let session = Session {
        http,
        url: base.to_owned(),
        cookie,
        csrf,
    };
    (session, attributes)
}

#[tokio::test]
async fn a_post_without_or_with_a_wrong_csrf_token_is_refused() {
    let hub = TestHub::start().await;
    let (session, _) = signed_in(&hub.url, &hub.key).await;
    let url = format!("{}/portal/integrations", session.url);

    let missing = post_form(&session.http, &url, &session.cookie, "id=one").await;
    let wrong = post_form(
        &session.http,
        &url,
        &session.cookie,
        &format!("id=two&csrf={}x", session.csrf),
    )
    .await;
    let cross_site = session
        .http
        .post(&url)
        .header(COOKIE, &session.cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(format!("id=three&csrf={}", session.csrf))
        .send()
        .await
        .unwrap();
    let right = post_form(
        &session.http,
        &url,
        &session.cookie,
        &format!("id=four&csrf={}", session.csrf),
    )
    .await;
    let listed = hub
        .call(Method::GET, &format!("{}/integration", hub.base()), None)
        .await
        .json();

    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["four"]);
}

#[tokio::test]
async fn sign_in_needs_its_form_token_and_never_echoes_the_key() {
    let hub = TestHub::start().await;
    let http = loopback_client();
    let form = http
        .get(format!("{}/portal/sign-in", hub.url))
        .send()
        .await
        .unwrap();
    let attributes = set_cookie(form.headers(), "tether_portal_signin").unwrap();
    let token = csrf_in(&form.text().await.unwrap());
    let url = format!("{}/portal/sign-in", hub.url);
    let bad_key = "tth_this-is-not-a-key-but-must-not-echo";

    let no_cookie = post_form(&http, &url, "", &format!("csrf={token}&key={bad_key}")).await;
    let wrong_token = post_form(
        &http,
        &url,
        &pair(&attributes),
        &format!("csrf=x{token}&key={bad_key}"),
    )
    .await;
    let unknown_key = post_form(
        &http,
        &url,
        &pair(&attributes),
        &format!("csrf={token}&key={bad_key}"),
    )
    .await;
    let unknown_status = unknown_key.status();
    let unknown_page = unknown_key.text().await.unwrap();

    assert!(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"));
    assert_eq!(no_cookie.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert!(unknown_page.contains("not valid"));
    assert!(!unknown_page.contains(bad_key));
}

#[tokio::test]
async fn the_session_cookie_is_sealed_http_only_strict_and_refused_when_tampered() {
    let hub = TestHub::start().await;
    let (session, attributes) = signed_in(&hub.url, &hub.key).await;
    let mut tampered = session.cookie.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();

    let answer = session
        .http
        .get(format!("{}/portal/integrations", session.url))
        .header(COOKIE, &tampered)
        .send()
        .await
        .unwrap();

    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/portal",
        "Max-Age=28800",
    ] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    assert!(
        !attributes.contains("Secure"),
        "the hub is on plain http here"
    );
    assert!(!attributes.contains(&hub.key));
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], "/portal/sign-in");
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_public_url_is_https() {
    let temp = tempfile::tempdir().unwrap();
    let hub = TestHub::start_in(
        &temp.path().join("data"),
        &[("TETHER_PUBLIC_URL", "https://127.0.0.1:8443")],
    )
    .await;

    let (_, attributes) = signed_in(&hub.url, &hub.key).await;

    assert!(attributes.contains("; Secure"), "{attributes}");
}

#[tokio::test]
async fn portal_pages_forbid_caching_framing_and_inline_scripts() {
    let hub = TestHub::start().await;
    let (session, _) = signed_in(&hub.url, &hub.key).await;

    let page = session
        .http
        .get(format!("{}/portal/keys", session.url))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-frame-options"], "DENY");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let body = page.text().await.unwrap();
    assert!(body.contains("name=\"viewport\""));
    let search = session
        .http
        .get(format!(
            "{}/portal/installs?tenant=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            session.url
        ))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!search.contains("<script>alert"), "tenant ids are escaped");
    assert!(search.contains("&lt;script&gt;alert(1)"));
    assert!(!body.contains(&hub.key));
}

#[tokio::test]
async fn the_portal_enforces_the_keys_permissions_like_the_api() {
    let hub = TestHub::start().await;
    let base = format!(
        "/account/{}/subscription/{}/",
        hub.account, hub.subscription
    );
    let client = hub
        .call(
            Method::POST,
            &format!("/v1/account/{}/client", hub.account),
            Some(
                serde_json::json!({"displayName": "reader", "access": {"allow": [
                    {"action": "integration:get", "resource": base},
                ]}}),
            ),
        )
        .await
        .json();
    let key = hub
        .call(
            Method::POST,
            &format!(
                "/v1/account/{}/client/{}/key",
                hub.account,
                client["id"].as_str().unwrap()
            ),
            Some(serde_json::json!({})),
        )
        .await
        .json();
    let (session, _) = signed_in(&hub.url, key["token"].as_str().unwrap()).await;
    let get = |path: &str| {
        session
            .http
            .get(format!("{}{path}", session.url))
            .header(COOKIE, &session.cookie)
            .send()
    };

    let integrations = get("/portal/integrations").await.unwrap();
    let keys = get("/portal/keys").await.unwrap();
    let connectors = get("/portal/connectors").await.unwrap();
    let create = post_form(
        &session.http,
        &format!("{}/portal/integrations", session.url),
        &session.cookie,
        &format!("id=nope&csrf={}", session.csrf),
    )
    .await;

    assert_eq!(integrations.status(), StatusCode::OK);
    let page = integrations.text().await.unwrap();
    assert!(
        !page.contains("Create integration"),
        "no form it may not use"
    );
    assert_eq!(keys.status(), StatusCode::FORBIDDEN);
    assert_eq!(connectors.status(), StatusCode::FORBIDDEN);
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
}
