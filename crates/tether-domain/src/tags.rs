//! Tags: the flat string map on sessions, installs and identities, and the tenant id they carry.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::FieldError;

/// The tag that names a tenant.
pub const TENANT_TAG: &str = "fusebit.tenantId";
/// The tag the hub sets on installs and identities to name their parent.
pub const PARENT_TAG: &str = "fusebit.parentEntityId";

const MAX_TAGS: usize = 64;
const MAX_TAG_BYTES: usize = 256;

/// Validated tags: at most 64, keys and values UTF-8 without control characters, ≤ 256 bytes.
/// A value may be `None` (the compatible API's `null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Tags(BTreeMap<String, Option<String>>);

impl Tags {
    /// Tags a caller sent. Reserved `fusebit.` keys other than the tenant are refused.
    pub fn from_caller(value: &serde_json::Value, field: &str) -> Result<Self, FieldError> {
        let Some(map) = value.as_object() else {
            return Err(FieldError::new(field, "must be an object of string values"));
        };
        if map.len() > MAX_TAGS {
            return Err(FieldError::new(field, "must hold at most 64 tags"));
        }

        let mut tags = BTreeMap::new();
        for (key, value) in map {
            check_tag_text(key).map_err(|m| FieldError::new(field, format!("key {m}")))?;
            if key.starts_with("fusebit.") && key != TENANT_TAG {
                return Err(FieldError::new(
                    format!("{field}.{key}"),
                    "keys starting with 'fusebit.' are reserved for the hub",
                ));
            }
            let value = match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(text) => {
                    check_tag_text(text)
                        .map_err(|m| FieldError::new(format!("{field}.{key}"), m))?;
                    Some(text.clone())
                }
                _ => {
                    return Err(FieldError::new(
                        format!("{field}.{key}"),
                        "must be a string or null",
                    ))
                }
            };
            tags.insert(key.clone(), value);
        }

        let tags = Self(tags);
        if let Some(tenant) = tags.0.get(TENANT_TAG).and_then(|v| v.as_deref()) {
            TenantId::parse(tenant).map_err(|e| e.within(field))?;
        }
        Ok(tags)
    }

    /// Tags as stored, trusted.
    pub fn from_stored(map: BTreeMap<String, Option<String>>) -> Self {
        Self(map)
    }

    pub fn tenant(&self) -> Option<TenantId> {
        let text = self.0.get(TENANT_TAG)?.as_deref()?;
        TenantId::parse(text).ok()
    }

    pub fn get(&self, key: &str) -> Option<Option<&str>> {
        self.0.get(key).map(|v| v.as_deref())
    }

    /// Sets a tag the hub owns (`fusebit.parentEntityId`) or one already validated.
    pub fn set(&mut self, key: &str, value: Option<String>) {
        self.0.insert(key.to_owned(), value);
    }

    pub fn remove(&mut self, key: &str) -> Option<Option<String>> {
        self.0.remove(key)
    }

    pub fn extend(&mut self, other: &Tags) {
        for (key, value) in &other.0 {
            self.0.insert(key.clone(), value.clone());
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_deref()))
    }

    pub fn into_map(self) -> BTreeMap<String, Option<String>> {
        self.0
    }

    /// Whether every filter matches: `(key, None)` needs the key, `(key, Some(v))` its value.
    pub fn matches(&self, filters: &[TagFilter]) -> bool {
        filters
            .iter()
            .all(|filter| match (&filter.value, self.0.get(&filter.key)) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(want), Some(have)) => have.as_deref() == Some(want.as_str()),
            })
    }
}

/// One `tag=k` or `tag=k=v` query filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    pub key: String,
    pub value: Option<String>,
}

impl TagFilter {
    /// Parses `k` or `k=v` (the first `=` splits; `%3D` has already been decoded).
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let (key, value) = match text.split_once('=') {
            Some((key, value)) => (key, Some(value.to_owned())),
            None => (text, None),
        };
        check_tag_text(key).map_err(|m| FieldError::new("tag", format!("key {m}")))?;
        if let Some(value) = &value {
            check_tag_text(value).map_err(|m| FieldError::new("tag", format!("value {m}")))?;
        }
        Ok(Self {
            key: key.to_owned(),
            value,
        })
    }
}

fn check_tag_text(text: &str) -> Result<(), &'static str> {
    if text.is_empty() {
        return Err("must not be empty");
    }
    if text.len() > MAX_TAG_BYTES {
        return Err("must be at most 256 bytes");
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    Ok(())
}

/// Characters that render as nothing, or change the direction of the text around them: the
/// Unicode default-ignorable code points, the bidirectional marks and controls, and the line and
/// paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A tenant of the application, as the tag `fusebit.tenantId` names it. Any printable UTF-8:
/// `ops@acme.example`, `a:b`, `a+b` and `A B` are all tenants.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// Tenant ids are compared byte for byte (no Unicode normalisation): the application must
    /// send the same string each time. Ids that look alike but are not are refused where that is
    /// cheap to tell: surrounding spaces and invisible or direction-changing characters.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        check_tag_text(text).map_err(|m| FieldError::new(TENANT_TAG, m))?;
        if text.trim() != text {
            return Err(FieldError::new(
                TENANT_TAG,
                "must not start or end with white space",
            ));
        }
        if text.chars().any(is_invisible) {
            return Err(FieldError::new(
                TENANT_TAG,
                "must not contain invisible or text-direction characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tenant_ids_with_surrounding_spaces_or_invisible_characters_are_refused() {
        for tenant in [
            " ",
            " acme",
            "acme ",
            "ac\u{202E}me",
            "\u{200B}acme",
            "acme\u{FEFF}",
        ] {
            let refused = TenantId::parse(tenant).unwrap_err();

            assert_eq!(refused.field, TENANT_TAG, "{tenant:?}");
        }
    }

    #[test]
    fn e_mail_like_and_spaced_tenant_ids_are_valid() {
        for tenant in ["ops@acme.example", "a:b", "a+b", "A B", "ü-tenant"] {
            let tags = Tags::from_caller(&json!({ TENANT_TAG: tenant }), "tags").unwrap();

            assert_eq!(tags.tenant().unwrap().as_str(), tenant);
        }
    }

    #[test]
    fn reserved_keys_control_characters_and_long_values_are_refused() {
        let reserved = Tags::from_caller(&json!({"fusebit.parentEntityId": "x"}), "tags");
        let control = Tags::from_caller(&json!({"k": "a\u{7}b"}), "tags");
        let long = Tags::from_caller(&json!({"k": "x".repeat(257)}), "tags");
        let number = Tags::from_caller(&json!({"k": 1}), "tags");

        assert_eq!(reserved.unwrap_err().field, "tags.fusebit.parentEntityId");
        assert_eq!(control.unwrap_err().field, "tags.k");
        assert!(long.unwrap_err().message.contains("256"));
        assert!(number.unwrap_err().message.contains("string or null"));
    }

    #[test]
    fn filters_match_by_key_and_by_value() {
        let tags = Tags::from_caller(&json!({"a": "1", "b": null}), "tags").unwrap();

        assert!(tags.matches(&[TagFilter::parse("a=1").unwrap()]));
        assert!(tags.matches(&[TagFilter::parse("b").unwrap()]));
        assert!(!tags.matches(&[TagFilter::parse("a=2").unwrap()]));
        assert!(!tags.matches(&[
            TagFilter::parse("a").unwrap(),
            TagFilter::parse("c").unwrap()
        ]));
    }

    #[test]
    fn a_filter_value_may_itself_contain_equals_signs() {
        let filter = TagFilter::parse("fusebit.tenantId=a=b").unwrap();

        assert_eq!(filter.key, "fusebit.tenantId");
        assert_eq!(filter.value.as_deref(), Some("a=b"));
    }
}
