//! End-to-end support: the real hub binary, the real OAuth server and tenant APIs (through
//! `tether-testkit`), the example service binary, and a counting proxy in front of the hub —
//! all processes and sockets on 127.0.0.1.

#![allow(dead_code, unreachable_pub, unused_imports)]

mod hub;
mod proxy;
mod service;

pub use hub::TestHub;
pub use proxy::CountingProxy;
pub use service::{Answer, Service, ServiceEnv};
pub use tether_testkit::{AuthMethod, OidcProvider, TenantApi};

/// The integration every test installs, with one CCF component `ccfConnector`.
pub const INTEGRATION: &str = "crm";

/// Percent-encodes a path segment.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
