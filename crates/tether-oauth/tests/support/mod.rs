//! Shared helpers for the integration tests: exchange fixtures, and the scripted endpoint from
//! tether-testkit.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use tether_domain::ccf::{AuthMethod, CcfConfig, TokenUrl};
use tether_domain::Secret;
use tether_oauth::{ExchangeParams, Exchanger, ReqwestTransport};

pub(crate) use tether_testkit::{Reply, ScriptedEndpoint};

/// The secret every test sends; it must never show up in an error.
pub(crate) const SECRET: &str = "Sup3r+Secret/Value:42 x";

/// The client id every test sends.
pub(crate) const CLIENT_ID: &str = "tenant-client";

/// A configuration for `url` with scope, audience, one extra parameter, a 1 s timeout and two
/// retries.
pub(crate) fn config(url: &str, auth_method: AuthMethod) -> CcfConfig {
    CcfConfig {
        token_url: Some(TokenUrl::parse(url, false).unwrap()),
        auth_method,
        scope: Some("read write".to_owned()),
        audience: Some("https://api.example/".to_owned()),
        extra_params: BTreeMap::from([("resource".to_owned(), "r1".to_owned())]),
        timeout_seconds: 1,
        max_retries: 2,
        ..CcfConfig::default()
    }
}

/// Parameters for one exchange with [`CLIENT_ID`] and `secret`.
pub(crate) fn params<'a>(config: &'a CcfConfig, secret: &'a Secret) -> ExchangeParams<'a> {
    ExchangeParams {
        config,
        client_id: CLIENT_ID,
        client_secret: secret,
        scope: None,
        audience: None,
    }
}

/// The real transport with millisecond backoff, so retries cost little time.
pub(crate) fn exchanger() -> Exchanger<ReqwestTransport> {
    Exchanger::new(ReqwestTransport::new()).with_backoff(Duration::from_millis(5))
}
