//! A headless Chromium driven over WebDriver: `chromedriver` started on a free loopback port,
//! Chromium with a fresh profile. Starting fails the test with a clear message, never skips it.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, MutexGuard};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One browser at a time: two cores do not run two Chromiums and a hub well.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

/// A browser pointed at a hub.
pub struct Browser {
    client: Client,
    driver: Child,
    base: String,
    /// Every page source seen, to search for secrets at the end.
    pub sources: Vec<String>,
    _profile: tempfile::TempDir,
    _turn: MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromedriver and Chromium; `base` is the hub's URL.
    pub async fn start(base: &str) -> Self {
        let turn = ONE_BROWSER.lock().await;
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(binary).exists(),
                "{binary} is missing: the portal tests need Chromium and chromedriver \
                 (run testing/browser/setup.sh)"
            );
        }
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        wait_for_driver(port, &mut driver).await;

        let profile = tempfile::tempdir().expect("profile dir");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!("Chromium did not start through chromedriver on port {port}: {e}")
            });

        Self {
            client,
            driver,
            base: base.trim_end_matches('/').to_owned(),
            sources: Vec::new(),
            _profile: profile,
            _turn: turn,
        }
    }

    pub async fn goto(&mut self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
        self.record().await;
    }

    /// The path (and query) of the current page.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        let mut path = url.path().to_owned();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        path
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Replaces the value of an input.
    pub async fn fill(&self, css: &str, value: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("clear");
        element.send_keys(value).await.expect("type");
    }

    /// Clicks something that loads a new page; waits for it and records it.
    pub async fn click(&mut self, css: &str) {
        let element = self.find(css).await;
        self.script("window.__tetherOldPage = true;").await;
        element.click().await.expect("click");
        self.settle().await;
    }

    /// Clicks something that stays on this page (a dialog opener).
    pub async fn press(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until a new page has replaced the marked one and has loaded, then records it.
    async fn settle(&mut self) {
        let check = "return document.readyState === 'complete' && !window.__tetherOldPage";
        for _ in 0..100 {
            let loaded = self.client.execute(check, vec![]).await;
            if loaded.is_ok_and(|v| v == true) {
                self.record().await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no new page loaded within 10 s");
    }

    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    async fn record(&mut self) {
        let source = self.source().await;
        self.sources.push(source);
    }

    /// Saves a PNG of the viewport to `test-artifacts/portal/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).expect("artifacts dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize window");
    }

    /// Runs a script in the page (for checks only, such as the focused element).
    pub async fn script(&self, code: &str) -> serde_json::Value {
        self.client.execute(code, vec![]).await.expect("script")
    }

    /// Asserts that no page seen so far contains `secret`.
    pub fn assert_never_shown(&self, secret: &str, what: &str) {
        for (i, source) in self.sources.iter().enumerate() {
            assert!(
                !source.contains(secret),
                "page {i} of {} shows the {what}",
                self.sources.len()
            );
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

/// `<repo root>/test-artifacts/portal`.
pub fn artifacts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-artifacts/portal")
        .components()
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

async fn wait_for_driver(port: u16, driver: &mut Child) {
    let http = tether_testkit::loopback_client();
    for _ in 0..100 {
        if let Ok(Some(status)) = driver.try_wait() {
            panic!("chromedriver exited at start with {status}");
        }
        let answer = http
            .get(format!("http://127.0.0.1:{port}/status"))
            .send()
            .await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on 127.0.0.1:{port} within 10 s");
}
