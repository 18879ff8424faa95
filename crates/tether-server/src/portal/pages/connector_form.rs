//! The settings form of a Client Credential Flow connector: every setting of SPEC §6.1, read
//! into a configuration that `CcfConfig::from_json` validates, with its message next to the
//! field it names.

use std::collections::BTreeMap;

use maud::{html, Markup};
use serde_json::{Map, Value};
use tether_domain::ccf::CcfConfig;
use tether_domain::FieldError;

use crate::portal::form::Fields;
use crate::portal::layout;
use crate::portal::session::Operator;

enum Kind {
    Url,
    Text,
    Lines,
    Number,
    Choice(&'static [&'static str]),
    Flag,
}

/// `(key, label, kind, hint)`, in the order of SPEC §6.1.
const SETTINGS: [(&str, &str, Kind, &str); 13] = [
    (
        "tokenUrl",
        "Token URL",
        Kind::Url,
        "The token endpoint: https, or http to a loopback host (unless insecure http is allowed).",
    ),
    (
        "authMethod",
        "Client authentication",
        Kind::Choice(&["client_secret_basic", "client_secret_post", "query"]),
        "query puts the secret in the URL: only for endpoints built for the original platform.",
    ),
    (
        "basicEncoding",
        "Basic encoding",
        Kind::Choice(&["form", "raw"]),
        "form: id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1).",
    ),
    (
        "scope",
        "Scope",
        Kind::Text,
        "Space-separated scopes sent on every exchange.",
    ),
    (
        "audience",
        "Audience",
        Kind::Text,
        "Sent as audience on every exchange.",
    ),
    (
        "extraParams",
        "Extra parameters",
        Kind::Lines,
        "One name=value per line.",
    ),
    (
        "expirationBufferSeconds",
        "Re-exchange buffer (s)",
        Kind::Number,
        "Re-exchange this long before expiry (at most half the lifetime). Default 120.",
    ),
    (
        "defaultLifetimeSeconds",
        "Default lifetime (s)",
        Kind::Number,
        "Assumed when the response gives no usable lifetime. Default 600.",
    ),
    (
        "maxLifetimeSeconds",
        "Maximum lifetime (s)",
        Kind::Number,
        "Cap on any lifetime. Default 86400.",
    ),
    (
        "timeoutSeconds",
        "Timeout (s)",
        Kind::Number,
        "Deadline for one exchange attempt. Default 10.",
    ),
    (
        "maxRetries",
        "Retries",
        Kind::Number,
        "Retries of a transient failure. Default 2.",
    ),
    (
        "failureCooldownSeconds",
        "Failure cooldown (s)",
        Kind::Number,
        "How long a permanent failure is remembered per identity. Default 5.",
    ),
    (
        "allowInsecureHttp",
        "Allow plain http to any host",
        Kind::Flag,
        "Sends client secrets unencrypted: only for closed networks.",
    ),
];

/// The form's values as text, and the one error `CcfConfig` found, if any.
///
/// FIXME(portal-field-errors): `CcfConfig::from_json` stops at the first bad field, so a form with
/// several mistakes shows them one save at a time; collecting every `FieldError` would fix it.
#[derive(Debug, Default)]
pub(crate) struct ConfigForm {
    values: BTreeMap<&'static str, String>,
    error: Option<FieldError>,
}

impl ConfigForm {
    /// The stored configuration, as the form shows it.
    pub(crate) fn from_config(config: &CcfConfig) -> Self {
        let json = config.to_json();
        let mut values = BTreeMap::new();
        for (key, _, _, _) in &SETTINGS {
            let text = match &json[*key] {
                Value::String(text) => text.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(true) => "on".into(),
                Value::Object(map) => map
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => String::new(),
            };
            values.insert(*key, text);
        }
        Self {
            values,
            error: None,
        }
    }

    /// Reads and validates a submitted form: the configuration, or the form with its error.
    pub(crate) fn submit(fields: &Fields) -> Result<CcfConfig, Self> {
        let mut values = BTreeMap::new();
        for (key, _, kind, _) in &SETTINGS {
            let text = match kind {
                Kind::Flag => if fields.checked(key) { "on" } else { "" }.to_owned(),
                Kind::Lines => fields.get(key).unwrap_or("").replace("\r\n", "\n"),
                _ => fields.text(key).to_owned(),
            };
            values.insert(*key, text);
        }
        let form = Self {
            values,
            error: None,
        };
        match form.to_json().and_then(|json| CcfConfig::from_json(&json)) {
            Ok(config) => Ok(config),
            Err(error) => Err(Self {
                error: Some(error),
                ..form
            }),
        }
    }

    /// The configuration object the form describes (numbers as numbers where they parse).
    fn to_json(&self) -> Result<Value, FieldError> {
        let mut map = Map::new();
        for (key, _, kind, _) in &SETTINGS {
            let text = self.values.get(key).map(String::as_str).unwrap_or("");
            let value = match kind {
                Kind::Flag => Value::Bool(!text.is_empty()),
                Kind::Lines => Value::Object(params(text)?),
                Kind::Number if text.is_empty() => continue,
                Kind::Number => text
                    .parse::<u64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(text.to_owned())),
                Kind::Text | Kind::Choice(_) if text.is_empty() => continue,
                Kind::Url | Kind::Text | Kind::Choice(_) => Value::String(text.to_owned()),
            };
            map.insert((*key).to_owned(), value);
        }
        Ok(Value::Object(map))
    }

    /// The form, posting to `action`, with `version` to detect concurrent edits.
    pub(crate) fn render(&self, operator: &Operator, action: &str, version: &str) -> Markup {
        html! {
            @if self.error.is_some() {
                (layout::notice(layout::NoticeKind::Error,
                    "The settings were not saved: see the message below."))
            }
            form method="post" action=(action) novalidate {
                (layout::csrf(operator))
                input type="hidden" name="version" value=(version);
                @for (key, label, kind, hint) in &SETTINGS {
                    (self.field(key, label, kind, hint))
                }
                button type="submit" { "Save settings" }
            }
        }
    }

    fn field(&self, key: &str, label: &str, kind: &Kind, hint: &str) -> Markup {
        let value = self.values.get(key).map(String::as_str).unwrap_or("");
        let error = self
            .error
            .as_ref()
            .filter(|e| names(e, key))
            .map(|e| e.message.as_str());
        let invalid = error.map(|_| "true");
        let help_id = format!("{key}-help");
        html! {
            div.field.checkbox[matches!(kind, Kind::Flag)] {
                @match kind {
                    Kind::Flag => {
                        input type="checkbox" id=(key) name=(key) checked[!value.is_empty()]
                            aria-describedby=(help_id);
                        " "
                        label for=(key) { (label) }
                    }
                    Kind::Choice(options) => {
                        label for=(key) { (label) }
                        select id=(key) name=(key) aria-describedby=(help_id)
                            aria-invalid=[invalid] {
                            @for option in *options {
                                option value=(option) selected[*option == value] { (option) }
                            }
                        }
                    }
                    Kind::Lines => {
                        label for=(key) { (label) }
                        textarea id=(key) name=(key) rows="3" aria-describedby=(help_id)
                            aria-invalid=[invalid] { (value) }
                    }
                    Kind::Url | Kind::Text | Kind::Number => {
                        label for=(key) { (label) }
                        input type=(input_type(kind)) id=(key) name=(key) value=(value)
                            inputmode=[matches!(kind, Kind::Number).then_some("numeric")]
                            aria-describedby=(help_id) aria-invalid=[invalid];
                    }
                }
                (layout::help(&help_id, error, Some(hint)))
            }
        }
    }
}

fn input_type(kind: &Kind) -> &'static str {
    match kind {
        Kind::Url => "url",
        Kind::Text | Kind::Number | Kind::Lines | Kind::Choice(_) | Kind::Flag => "text",
    }
}

/// Whether the error is about this setting (`configuration.extraParams.x` is `extraParams`'s).
fn names(error: &FieldError, key: &str) -> bool {
    let field = error
        .field
        .strip_prefix("configuration.")
        .unwrap_or(&error.field);
    field == key
        || field
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// `name=value` lines into the `extraParams` object.
fn params(text: &str) -> Result<Map<String, Value>, FieldError> {
    let mut map = Map::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once('=') else {
            return Err(FieldError::new(
                "configuration.extraParams",
                format!("'{line}' is not name=value"),
            ));
        };
        map.insert(
            name.trim().to_owned(),
            Value::String(value.trim().to_owned()),
        );
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit(body: &str) -> Result<CcfConfig, ConfigForm> {
        ConfigForm::submit(&Fields::parse(body.as_bytes()))
    }

    #[test]
    fn a_valid_form_becomes_the_configuration() {
        let config = submit(
            "tokenUrl=http%3A%2F%2F127.0.0.1%3A9%2Ft&authMethod=client_secret_post&\
             basicEncoding=form&scope=a+b&extraParams=resource%3Dx%0D%0A&maxRetries=0",
        )
        .unwrap();

        assert_eq!(config.token_url.unwrap().as_str(), "http://127.0.0.1:9/t");
        assert_eq!(config.scope.as_deref(), Some("a b"));
        assert_eq!(config.extra_params["resource"], "x");
        assert_eq!(config.max_retries, 0);
        assert_eq!(config.timeout_seconds, 10);
    }

    #[test]
    fn errors_are_shown_next_to_the_field_they_name() {
        let cases = [
            ("tokenUrl=http%3A%2F%2Fauth.example%2Ft", "tokenUrl"),
            ("timeoutSeconds=0", "timeoutSeconds"),
            ("maxRetries=lots", "maxRetries"),
            ("extraParams=client_secret%3Dx", "extraParams"),
            ("extraParams=novalue", "extraParams"),
        ];
        for (body, key) in cases {
            let form = submit(body).unwrap_err();
            let error = form.error.as_ref().unwrap();
            assert!(names(error, key), "{body}: {error}");
        }
    }

    #[test]
    fn the_stored_configuration_round_trips_through_the_form() {
        let config = submit("tokenUrl=https%3A%2F%2Fa.example%2Ft&allowInsecureHttp=on").unwrap();
        let form = ConfigForm::from_config(&config);

        assert_eq!(form.values["tokenUrl"], "https://a.example/t");
        assert_eq!(form.values["allowInsecureHttp"], "on");
        assert!(config.allow_insecure_http);
    }
}
