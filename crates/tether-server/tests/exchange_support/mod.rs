//! Hub-level exchange tests: the real `tether` binary on a fresh SQLite file, its connectors
//! pointed at a [`ScriptedEndpoint`] on loopback.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};

pub use tether_testkit::{Recorded, Reply, ScriptedEndpoint};

use crate::support::{Answer, TestHub};

/// The client secret every tenant sends: it has every character RFC 6749 §2.3.1 encoding changes.
pub const SECRET: &str = "s3cr:t+with%odd chars&=";

/// A hub and the endpoint its connectors exchange at.
pub struct Rig {
    pub hub: TestHub,
    pub endpoint: ScriptedEndpoint,
}

impl Rig {
    /// A fresh hub and endpoint; the endpoint answers `at-default` (an hour) unless a test
    /// queues something else.
    pub async fn start() -> Self {
        let endpoint = ScriptedEndpoint::start().await;
        endpoint.otherwise(Reply::token("at-default"));
        let hub = TestHub::start().await;
        Self { hub, endpoint }
    }

    /// Creates connector `name` and integration `name` using it as `ccfConnector`. The
    /// configuration is `tokenUrl` at the endpoint, plus `settings`.
    pub async fn connector(&self, name: &str, settings: Value) {
        let mut configuration = json!({ "tokenUrl": self.endpoint.url("/token") });
        for (key, value) in settings.as_object().cloned().unwrap_or_default() {
            configuration[key] = value;
        }
        self.hub.create_ccf(name, name, configuration).await;
    }

    /// Creates a session of integration `name` for `tenant` with this CCF input.
    pub async fn session(&self, name: &str, tenant: &str, input: Value) -> Value {
        let created = self
            .hub
            .call(
                Method::POST,
                &format!("{}/integration/{name}/session", self.hub.base()),
                Some(json!({
                    "redirectUrl": "https://app.example/done",
                    "tags": {"fusebit.tenantId": tenant},
                    "input": {"ccfConnector": input},
                })),
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
        created.json()
    }

    /// Creates and commits a session for `tenant` with `client_id` and [`SECRET`].
    pub async fn commit(&self, name: &str, tenant: &str, client_id: &str) -> Answer {
        let input = json!({"client_id": client_id, "client_secret": SECRET});
        self.commit_input(name, tenant, input).await
    }

    pub async fn commit_input(&self, name: &str, tenant: &str, input: Value) -> Answer {
        let session = self.session(name, tenant, input).await;
        let sid = session["id"].as_str().unwrap();
        self.hub.commit(name, sid).await
    }

    /// Like [`Rig::commit`], asserting it succeeds.
    pub async fn install(&self, name: &str, tenant: &str) {
        let committed = self.commit(name, tenant, tenant).await;
        assert_eq!(committed.status, 202, "{}", committed.text);
    }

    pub async fn token(&self, name: &str, tenant: &str) -> Answer {
        self.hub.token(name, tenant).await
    }

    /// `?force=true`.
    pub async fn force(&self, name: &str, tenant: &str) -> Answer {
        let path = format!("{}?force=true", self.hub.token_path(name, tenant));
        self.hub.call(Method::GET, &path, None).await
    }

    /// Waits until a force may exchange again: within a second of an identity's last exchange
    /// (the commit's, say) a force answers that exchange's outcome instead (SPEC §8.3).
    pub async fn wait_out_force_interval(&self) {
        tokio::time::sleep(Duration::from_millis(1050)).await;
    }

    /// The hub's resident memory in KiB.
    pub fn rss_kib(&self) -> u64 {
        let pid = self.hub.pid().expect("the hub runs");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc status")
    }
}

/// Milliseconds since the epoch, as the hub's `expires_at`.
pub fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// How long `work` took, and what it gave.
pub async fn timed<T>(work: impl std::future::Future<Output = T>) -> (Duration, T) {
    let started = Instant::now();
    let value = work.await;
    (started.elapsed(), value)
}

/// The `Location` of a 302 as query pairs.
pub fn redirect_query(answer: &Answer) -> std::collections::HashMap<String, String> {
    assert_eq!(answer.status, 302, "{}", answer.text);
    let location = answer.headers["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

/// The `expires_at` an answer announced, in ms.
pub fn expires_at(answer: &Answer) -> i64 {
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()["expires_at"].as_i64().unwrap()
}

/// A token reply with these fields beside `access_token`.
pub fn token_with(access_token: &str, fields: Value) -> Reply {
    let mut body = json!({ "access_token": access_token });
    for (key, value) in fields.as_object().cloned().unwrap_or_default() {
        body[key] = value;
    }
    Reply::json(200, body)
}

/// `time` as an HTTP date (IMF-fixdate), for `Retry-After`.
pub fn http_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let seconds = time.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);

    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);

    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
    )
}
