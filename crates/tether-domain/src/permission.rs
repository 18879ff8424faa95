//! Permissions: what a client may do where, and the matching rule of SPEC §9.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// One grant: `action` on every resource under `resource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub action: String,
    pub resource: String,
}

/// A client's access list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub allow: Vec<Permission>,
}

impl Access {
    pub fn validate(value: &serde_json::Value, field: &str) -> Result<Self, FieldError> {
        let access: Access = serde_json::from_value(value.clone()).map_err(|_| {
            FieldError::new(
                field,
                "must be {\"allow\": [{\"action\": \"…\", \"resource\": \"/…\"}]}",
            )
        })?;
        for (i, permission) in access.allow.iter().enumerate() {
            let at = format!("{field}.allow[{i}]");
            if permission.action.is_empty() || permission.action.chars().any(char::is_whitespace) {
                return Err(FieldError::new(
                    format!("{at}.action"),
                    "must be a non-empty action",
                ));
            }
            if !permission.resource.starts_with('/') {
                return Err(FieldError::new(
                    format!("{at}.resource"),
                    "must start with '/'",
                ));
            }
        }
        Ok(access)
    }

    /// Whether any grant covers `action` on `resource` (a normalised resource path).
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.allow.iter().any(|p| p.grants(action, resource))
    }

    /// Whether some grant covers `action` on `prefix` or on anything under it.
    pub fn allows_under(&self, action: &str, prefix: &str) -> bool {
        self.allow.iter().any(|p| {
            let resource = normalize_resource(&p.resource);
            (resource.starts_with(prefix) || prefix.starts_with(&resource))
                && action_matches(&p.action, action)
        })
    }

    /// The index of the first grant of `other` that this access does not cover: `None` when a
    /// holder of `other` could do nothing a holder of this access cannot.
    pub fn first_uncovered(&self, other: &Access) -> Option<usize> {
        other
            .allow
            .iter()
            .position(|wanted| !self.allow.iter().any(|held| held.covers(wanted)))
    }
}

impl Permission {
    pub fn grants(&self, action: &str, resource: &str) -> bool {
        resource.starts_with(&normalize_resource(&self.resource))
            && action_matches(&self.action, action)
    }

    /// Whether this grant allows everything `other` allows.
    pub fn covers(&self, other: &Permission) -> bool {
        normalize_resource(&other.resource).starts_with(&normalize_resource(&self.resource))
            && action_covers(&self.action, &other.action)
    }
}

/// Whether every action `wanted` matches is matched by `held`.
fn action_covers(held: &str, wanted: &str) -> bool {
    if held == "*" || held == wanted {
        return true;
    }
    match wanted.strip_suffix(":*") {
        // `install:*` is covered by `install:*` (above) or a wider segment wildcard.
        Some(prefix) => held.ends_with(":*") && action_matches(held, prefix),
        None => wanted != "*" && action_matches(held, wanted),
    }
}

/// `*` matches all; `install:*` matches `install:get`; otherwise the actions must be equal.
pub fn action_matches(granted: &str, requested: &str) -> bool {
    if granted == "*" || granted == requested {
        return true;
    }
    match granted.strip_suffix(":*") {
        Some(prefix) => requested
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(':')),
        None => false,
    }
}

/// A request path made into a resource: without a leading `/v2` or `/v1`, starting and ending
/// with `/`, empty segments removed.
pub fn normalize_resource(path: &str) -> String {
    let path = path
        .strip_prefix("/v2")
        .or_else(|| path.strip_prefix("/v1"))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .unwrap_or(path);

    let mut resource = String::from("/");
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        resource.push_str(&canonical_segment(segment));
        resource.push('/');
    }
    resource
}

/// One path segment in a single spelling, so that `ops%40acme.example` and `ops@acme.example`
/// are the same tenant to a grant: percent-escapes are decoded, then `%` and `/` (the two
/// characters that would change what the segment says) are written `%25` and `%2F`. A segment
/// whose escapes do not decode to UTF-8 is kept as written.
fn canonical_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if !segment.contains('%') {
        return segment.into();
    }

    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match escaped {
            Some((high, low)) => {
                decoded.push(high << 4 | low);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    match String::from_utf8(decoded) {
        Ok(text) => text.replace('%', "%25").replace('/', "%2F").into(),
        Err(_) => segment.into(),
    }
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(action: &str, resource: &str) -> Permission {
        Permission {
            action: action.into(),
            resource: resource.into(),
        }
    }

    #[test]
    fn actions_match_exactly_by_wildcard_or_by_segment_wildcard() {
        let cases = [
            ("*", "install:get", true),
            ("install:get", "install:get", true),
            ("install:*", "install:get", true),
            ("install:*", "installs:get", false),
            ("install:*", "install", false),
            ("install:get", "install:delete", false),
            ("session:*", "session:commit", true),
        ];
        for (granted, requested, expected) in cases {
            assert_eq!(
                action_matches(granted, requested),
                expected,
                "{granted} vs {requested}"
            );
        }
    }

    #[test]
    fn resources_are_matched_by_prefix_of_whole_segments() {
        let p = grant("*", "/account/A/subscription/S/integration/I");

        assert!(p.grants("install:get", "/account/A/subscription/S/integration/I/"));
        assert!(p.grants(
            "install:get",
            "/account/A/subscription/S/integration/I/install/x/"
        ));
        assert!(!p.grants("install:get", "/account/A/subscription/S/integration/I2/"));
        assert!(!p.grants("install:get", "/account/A/subscription/S/"));
    }

    #[test]
    fn request_paths_are_normalised() {
        assert_eq!(normalize_resource("/v2/account/A/x"), "/account/A/x/");
        assert_eq!(normalize_resource("/v1/account/A/me"), "/account/A/me/");
        assert_eq!(normalize_resource("/v2x/a"), "/v2x/a/");
        assert_eq!(normalize_resource("//a//b/"), "/a/b/");
        assert_eq!(normalize_resource("/"), "/");
    }

    #[test]
    fn a_grant_covers_the_same_or_narrower_actions_on_the_same_or_deeper_resources() {
        let cases = [
            (grant("*", "/"), grant("*", "/"), true),
            (
                grant("*", "/account/A/"),
                grant("install:get", "/account/A/x"),
                true,
            ),
            (
                grant("install:*", "/a/"),
                grant("install:get", "/a/b/"),
                true,
            ),
            (grant("install:*", "/a/"), grant("install:*", "/a/"), true),
            (
                grant("install:get", "/a/"),
                grant("install:*", "/a/"),
                false,
            ),
            (grant("install:*", "/a/"), grant("*", "/a/"), false),
            (grant("client:add", "/a/"), grant("*", "/"), false),
            (
                grant("install:get", "/a/b/"),
                grant("install:get", "/a/"),
                false,
            ),
            (
                grant("install:get", "/a/b"),
                grant("install:get", "/a/bc/"),
                false,
            ),
        ];
        for (held, wanted, expected) in cases {
            assert_eq!(held.covers(&wanted), expected, "{held:?} covers {wanted:?}");
        }
    }

    #[test]
    fn an_access_names_the_first_grant_it_does_not_cover() {
        let held = Access {
            allow: vec![
                grant("client:add", "/account/A/"),
                grant("install:*", "/account/A/"),
            ],
        };
        let wanted = Access {
            allow: vec![grant("install:get", "/account/A/s/"), grant("*", "/")],
        };

        assert_eq!(held.first_uncovered(&wanted), Some(1));
        assert_eq!(held.first_uncovered(&Access::default()), None);
    }

    #[test]
    fn a_grant_on_a_deeper_resource_counts_under_its_parent() {
        let access = Access {
            allow: vec![grant("connector:execute", "/a/s/connector/c")],
        };

        assert!(access.allows_under("connector:execute", "/a/s/connector/"));
        assert!(access.allows_under("connector:execute", "/a/s/connector/c/x/"));
        assert!(!access.allows_under("connector:execute", "/a/s/connector/d/"));
        assert!(!access.allows_under("install:get", "/a/s/connector/"));
    }

    #[test]
    fn a_segment_means_the_same_however_it_is_percent_encoded() {
        let cases = [
            ("/t/ops%40acme.example/", "/t/ops@acme.example/"),
            ("/t/ops%40acme%2Eexample", "/t/ops@acme.example/"),
            ("/t/a%2Fb/", "/t/a%2Fb/"),
            ("/t/a%2fb/", "/t/a%2Fb/"),
            ("/t/a%252Fb/", "/t/a%252Fb/"),
            ("/t/50%off/", "/t/50%25off/"),
            ("/t/50%25off/", "/t/50%25off/"),
            ("/t/%FF/", "/t/%FF/"),
            ("/t/caf%C3%A9/", "/t/café/"),
        ];
        for (path, expected) in cases {
            assert_eq!(normalize_resource(path), expected, "{path}");
        }
        let grant = grant("install:get", "/t/ops@acme.example");
        assert!(grant.grants(
            "install:get",
            &normalize_resource("/t/ops%40acme.example/x")
        ));
        assert!(!grant.grants(
            "install:get",
            &normalize_resource("/t/ops@acme.example%2Fx/")
        ));
    }

    #[test]
    fn root_grants_everything() {
        let root = Access {
            allow: vec![grant("*", "/")],
        };

        assert!(root.allows("key:add", "/account/A/client/c/"));
    }
}
