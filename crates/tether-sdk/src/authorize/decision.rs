//! The pure half of authorization: the caller's bearer, and the resource a request path is.

use http::header::AUTHORIZATION;
use http::HeaderMap;
use tether_domain::permission::normalize_resource;

/// The bearer token of `Authorization: Bearer <token>` (any case of `Bearer`), if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();

    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The resource of a request to an integration route: the integration's resource followed by
/// the request path, normalised as the hub does. `None` when the path has a dot segment
/// (plain or percent-encoded), whose meaning a router and a prefix check could disagree on.
pub(crate) fn resource_for(
    account: &str,
    subscription: &str,
    integration: &str,
    path: &str,
) -> Option<String> {
    let dot_segment = path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    });
    if dot_segment {
        return None;
    }

    Some(normalize_resource(&format!(
        "/account/{account}/subscription/{subscription}/integration/{integration}/{path}"
    )))
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use tether_domain::permission::{Access, Permission};

    use super::*;

    const A: &str = "acc-1";
    const S: &str = "sub-1";

    fn access(grants: &[(&str, &str)]) -> Access {
        Access {
            allow: grants
                .iter()
                .map(|(action, resource)| Permission {
                    action: (*action).into(),
                    resource: (*resource).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_caller_passes_only_with_the_action_on_the_integration_or_above() {
        let route = "/api/tenant/acme/test";
        let integration = "/account/acc-1/subscription/sub-1/integration/crm/";
        let acme = format!("{integration}api/tenant/acme/");
        let globex = format!("{integration}api/tenant/globex/");
        let cases = [
            (vec![("*", "/")], true),
            (vec![("install:get", integration)], true),
            (
                vec![("install:*", "/account/acc-1/subscription/sub-1/")],
                true,
            ),
            (
                vec![(
                    "install:get",
                    "/account/acc-1/subscription/sub-1/integration/crm",
                )],
                true,
            ),
            (vec![("install:get", acme.as_str())], true),
            (vec![("install:get", globex.as_str())], false),
            (vec![("install:delete", integration)], false),
            (vec![("session:*", integration)], false),
            (
                vec![(
                    "install:get",
                    "/account/acc-1/subscription/sub-1/integration/crm2/",
                )],
                false,
            ),
            (vec![("install:get", "/account/acc-2/")], false),
            (vec![], false),
        ];

        for (grants, expected) in cases {
            let resource = resource_for(A, S, "crm", route).unwrap();
            assert_eq!(
                access(&grants).allows("install:get", &resource),
                expected,
                "{grants:?}"
            );
        }
    }

    #[test]
    fn request_paths_become_resources_below_the_integration() {
        let cases = [
            ("/api/tenant/acme/test", Some("/api/tenant/acme/test/")),
            ("//api//x/", Some("/api/x/")),
            ("/api/tenant/A%20B/test", Some("/api/tenant/A B/test/")),
            ("/api/tenant/a%2Fb/test", Some("/api/tenant/a%2Fb/test/")),
            ("/api/tenant/../x", None),
            ("/api/tenant/%2E%2e/x", None),
            ("/api/./x", None),
        ];

        for (path, expected) in cases {
            let expected =
                expected.map(|rest| format!("/account/{A}/subscription/{S}/integration/crm{rest}"));
            assert_eq!(resource_for(A, S, "crm", path), expected, "{path}");
        }
    }

    #[test]
    fn only_a_non_empty_bearer_is_a_key() {
        let cases = [
            ("Bearer abc", Some("abc")),
            ("bearer  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer ", None),
            ("Bearer", None),
        ];

        for (header, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(header));
            assert_eq!(bearer(&headers), expected, "{header}");
        }
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
