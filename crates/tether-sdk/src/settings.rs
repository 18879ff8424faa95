//! Where the hub is and how to authenticate to it: explicit settings, the environment, or the
//! admin profile the hub writes to `<data dir>/admin.json`.

use std::path::Path;

use serde::Deserialize;
use url::Url;

use crate::{ApiKey, SdkError};

/// How to reach a hub: its base URL, the account and subscription the integration lives in, and
/// the key the service authenticates with. There is no default URL.
///
/// ```
/// use tether_sdk::{ApiKey, HubSettings, Url};
///
/// let settings = HubSettings {
///     url: Url::parse("http://127.0.0.1:8080").unwrap(),
///     account: "acc-0123456789abcdef".into(),
///     subscription: "sub-0123456789abcdef".into(),
///     key: ApiKey::new("the service's hub key"),
/// };
/// assert!(!format!("{settings:?}").contains("hub key"));
/// ```
#[derive(Clone, Debug)]
pub struct HubSettings {
    /// Base URL of the hub, e.g. `http://127.0.0.1:8080`; a path prefix is kept.
    pub url: Url,
    /// `acc-…`
    pub account: String,
    /// `sub-…`
    pub subscription: String,
    /// The service's own hub key; it needs `install:get` on the integration and
    /// `connector:execute` on its connectors to fetch tokens.
    pub key: ApiKey,
}

/// The admin profile file, `{baseUrl, account, subscription, key}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    base_url: Option<String>,
    account: Option<String>,
    subscription: Option<String>,
    key: Option<String>,
}

impl HubSettings {
    /// Reads the settings from the environment.
    ///
    /// `TETHER_PROFILE` names an admin profile JSON file whose fields are the defaults; then
    /// `TETHER_URL`, `TETHER_ACCOUNT`, `TETHER_SUBSCRIPTION` and `TETHER_KEY` (or
    /// `TETHER_KEY_FILE`, a file holding the key) override them. Every setting must end up set.
    ///
    /// ```no_run
    /// let settings = tether_sdk::HubSettings::from_env()?;
    /// # Ok::<(), tether_sdk::SdkError>(())
    /// ```
    pub fn from_env() -> Result<Self, SdkError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// [`Self::from_env`] over any lookup of variables, so the rule can be tested.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SdkError> {
        let profile = match lookup("TETHER_PROFILE") {
            Some(path) => read_profile(Path::new(&path))?,
            None => Profile {
                base_url: None,
                account: None,
                subscription: None,
                key: None,
            },
        };

        let key_file = lookup("TETHER_KEY_FILE")
            .map(|path| read_key_file(Path::new(&path)))
            .transpose()?;
        let url = required("TETHER_URL", lookup("TETHER_URL").or(profile.base_url))?;
        let account = required(
            "TETHER_ACCOUNT",
            lookup("TETHER_ACCOUNT").or(profile.account),
        )?;
        let subscription = required(
            "TETHER_SUBSCRIPTION",
            lookup("TETHER_SUBSCRIPTION").or(profile.subscription),
        )?;
        let key = required(
            "TETHER_KEY",
            lookup("TETHER_KEY").or(key_file).or(profile.key),
        )?;

        Ok(Self {
            url: parse_url(&url)?,
            account,
            subscription,
            key: ApiKey::new(key),
        })
    }
}

/// Parses a hub base URL: absolute `http` or `https`.
pub(crate) fn parse_url(text: &str) -> Result<Url, SdkError> {
    let url = Url::parse(text)
        .map_err(|_| SdkError::Settings("TETHER_URL: must be an absolute URL".into()))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(SdkError::Settings(
            "TETHER_URL: must be an http or https URL".into(),
        ));
    }
    Ok(url)
}

fn required(name: &str, value: Option<String>) -> Result<String, SdkError> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| SdkError::Settings(format!("{name} is not set (nor in TETHER_PROFILE)")))
}

fn read_profile(path: &Path) -> Result<Profile, SdkError> {
    let bytes = std::fs::read(path).map_err(|_| {
        SdkError::Settings(format!("TETHER_PROFILE: cannot read {}", path.display()))
    })?;

    serde_json::from_slice(&bytes).map_err(|_| {
        SdkError::Settings(format!(
            "TETHER_PROFILE: {} is not a profile {{baseUrl, account, subscription, key}}",
            path.display()
        ))
    })
}

fn read_key_file(path: &Path) -> Result<String, SdkError> {
    std::fs::read_to_string(path)
        .map_err(|_| SdkError::Settings(format!("TETHER_KEY_FILE: cannot read {}", path.display())))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn variables_alone_make_settings() {
        let settings = HubSettings::from_lookup(lookup(&[
            ("TETHER_URL", "http://127.0.0.1:8080"),
            ("TETHER_ACCOUNT", "acc-1"),
            ("TETHER_SUBSCRIPTION", "sub-1"),
            ("TETHER_KEY", "k"),
        ]))
        .unwrap();

        assert_eq!(settings.url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(settings.account, "acc-1");
        assert_eq!(settings.key.expose(), "k");
    }

    #[test]
    fn a_profile_supplies_defaults_that_variables_override() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("admin.json");
        std::fs::write(
            &path,
            r#"{"baseUrl":"http://127.0.0.1:9","account":"acc-p","subscription":"sub-p","key":"pk"}"#,
        )
        .unwrap();
        let path = path.to_str().unwrap();

        let settings = HubSettings::from_lookup(lookup(&[
            ("TETHER_PROFILE", path),
            ("TETHER_SUBSCRIPTION", "sub-env"),
        ]))
        .unwrap();

        assert_eq!(settings.url.as_str(), "http://127.0.0.1:9/");
        assert_eq!(settings.account, "acc-p");
        assert_eq!(settings.subscription, "sub-env");
        assert_eq!(settings.key.expose(), "pk");
    }

    #[test]
    fn missing_or_invalid_settings_are_named_without_their_values() {
        let cases = [
            (vec![], "TETHER_URL is not set"),
            (
                vec![
                    ("TETHER_URL", "ftp://127.0.0.1"),
                    ("TETHER_ACCOUNT", "a"),
                    ("TETHER_SUBSCRIPTION", "s"),
                    ("TETHER_KEY", "secret-key"),
                ],
                "http or https",
            ),
            (
                vec![
                    ("TETHER_URL", "http://127.0.0.1"),
                    ("TETHER_KEY", "secret-key"),
                ],
                "TETHER_ACCOUNT is not set",
            ),
            (
                vec![("TETHER_PROFILE", "/nonexistent/admin.json")],
                "TETHER_PROFILE: cannot read",
            ),
        ];

        for (vars, expected) in cases {
            let error = HubSettings::from_lookup(lookup(&vars))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
            assert!(!error.contains("secret-key"), "{error}");
        }
    }
}
