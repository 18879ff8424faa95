//! [`Hub`]: one connection to a hub, shared by every integration handle and cache of a process.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use url::Url;

use crate::authorize::CallerCache;
use crate::token_cache::TokenCache;
use crate::{ApiKey, HubSettings, Integration, SdkError};

/// Everything but unreserved characters is encoded in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Tunables of a [`Hub`] beyond where it is.
///
/// ```
/// use std::time::Duration;
///
/// let options = tether_sdk::HubOptions {
///     caller_cache_ttl: Duration::from_secs(5),
///     ..Default::default()
/// };
/// assert_eq!(options.request_timeout, Duration::from_secs(30));
/// ```
#[derive(Clone, Debug)]
pub struct HubOptions {
    /// How long [`Integration::authorize_user`] trusts a caller's `/me` answer; also the
    /// longest a revoked key keeps working in this process. Zero disables the cache.
    /// Default 30 s.
    pub caller_cache_ttl: Duration,
    /// Deadline of one hub request, connect to last byte. Default 30 s, above the hub's own
    /// exchange deadline so that a slow exchange surfaces as the hub's 504.
    pub request_timeout: Duration,
}

impl Default for HubOptions {
    fn default() -> Self {
        Self {
            caller_cache_ttl: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A hub, cheap to clone: clones share the HTTP client and both caches.
///
/// ```no_run
/// use tether_sdk::{ApiKey, Hub, HubSettings, Url};
///
/// # fn example() -> Result<(), tether_sdk::SdkError> {
/// let hub = Hub::new(HubSettings {
///     url: Url::parse("http://127.0.0.1:8080").unwrap(),
///     account: "acc-0123456789abcdef".into(),
///     subscription: "sub-0123456789abcdef".into(),
///     key: ApiKey::new(std::env::var("TETHER_KEY").unwrap_or_default()),
/// })?;
/// let crm = hub.integration("crm");
/// # let _ = crm;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) settings: HubSettings,
    pub(crate) options: HubOptions,
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: TokenCache,
    pub(crate) callers: CallerCache,
}

/// A hub answer: status, `Retry-After` in seconds, body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
}

impl Hub {
    /// A hub with default [`HubOptions`].
    ///
    /// ```no_run
    /// # fn example(settings: tether_sdk::HubSettings) -> Result<(), tether_sdk::SdkError> {
    /// let hub = tether_sdk::Hub::new(settings)?;
    /// # let _ = hub;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(settings: HubSettings) -> Result<Self, SdkError> {
        Self::with_options(settings, HubOptions::default())
    }

    /// A hub with explicit options.
    ///
    /// ```no_run
    /// use tether_sdk::{Hub, HubOptions, HubSettings};
    ///
    /// # fn example() -> Result<(), tether_sdk::SdkError> {
    /// let hub = Hub::with_options(HubSettings::from_env()?, HubOptions::default())?;
    /// # let _ = hub;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_options(settings: HubSettings, options: HubOptions) -> Result<Self, SdkError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.request_timeout.min(Duration::from_secs(10)))
            .timeout(options.request_timeout)
            .build()
            .map_err(|_| SdkError::Settings("cannot build the HTTP client".into()))?;

        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                options,
                http,
                tokens: TokenCache::default(),
                callers: CallerCache::default(),
            }),
        })
    }

    /// A hub from `TETHER_URL`, `TETHER_ACCOUNT`, `TETHER_SUBSCRIPTION` and `TETHER_KEY`, or
    /// `TETHER_PROFILE`; see [`HubSettings::from_env`].
    ///
    /// ```no_run
    /// let hub = tether_sdk::Hub::from_env()?;
    /// # Ok::<(), tether_sdk::SdkError>(())
    /// ```
    pub fn from_env() -> Result<Self, SdkError> {
        Self::new(HubSettings::from_env()?)
    }

    /// A handle on one integration of the hub's subscription.
    ///
    /// ```no_run
    /// # fn example(hub: tether_sdk::Hub) {
    /// let crm = hub.integration("crm");
    /// assert_eq!(crm.id(), "crm");
    /// # }
    /// ```
    pub fn integration(&self, id: &str) -> Integration {
        Integration::new(self.clone(), id)
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The hub URL of these path segments, each percent-encoded, below the base URL.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url, SdkError> {
        let base = self.inner.settings.url.as_str().trim_end_matches('/');
        let mut text = String::from(base);
        for segment in segments {
            if *segment == "." || *segment == ".." || segment.is_empty() {
                return Err(SdkError::Hub {
                    status: 400,
                    message: format!("'{segment}' cannot be a path segment"),
                });
            }
            text.push('/');
            text.extend(utf8_percent_encode(segment, SEGMENT));
        }

        Url::parse(&text).map_err(|_| SdkError::Settings("TETHER_URL: not a base URL".into()))
    }

    /// `GET url` with `key` as bearer.
    pub(crate) async fn get(&self, url: Url, key: &ApiKey) -> Result<Answer, SdkError> {
        let response = self
            .inner
            .http
            .get(url)
            .bearer_auth(key.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(SdkError::from_transport)?;

        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(SdkError::from_transport)?;
        Ok(Answer {
            status,
            retry_after,
            body: body.to_vec(),
        })
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("settings", &self.inner.settings)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(url: &str) -> Hub {
        Hub::new(HubSettings {
            url: Url::parse(url).unwrap(),
            account: "acc-1".into(),
            subscription: "sub-1".into(),
            key: ApiKey::new("k"),
        })
        .unwrap()
    }

    #[test]
    fn path_segments_are_encoded_below_the_base_and_its_prefix() {
        let cases = [
            (
                "http://127.0.0.1:8080",
                "ops@acme.example",
                "/v2/ops%40acme.example",
            ),
            ("http://127.0.0.1:8080/", "A B", "/v2/A%20B"),
            ("http://127.0.0.1/hub/", "a/b?c#d", "/hub/v2/a%2Fb%3Fc%23d"),
            ("http://127.0.0.1", "a+b:c%", "/v2/a%2Bb%3Ac%25"),
        ];

        for (base, tenant, path) in cases {
            let url = hub(base).url(&["v2", tenant]).unwrap();
            assert_eq!(url.path(), path, "{base} {tenant}");
        }
    }

    #[test]
    fn dot_segments_are_refused_rather_than_resolved() {
        for segment in [".", "..", ""] {
            assert!(hub("http://127.0.0.1").url(&["v2", segment]).is_err());
        }
    }

    #[test]
    fn debug_shows_the_hub_but_not_its_key() {
        let text = format!("{:?}", hub("http://127.0.0.1"));

        assert!(text.contains("127.0.0.1"));
        assert!(!text.contains("\"k\""));
    }
}
