//! Encodings of record fields into column values and back, and the values the store chooses.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::RngCore;
use serde_json::{json, Map, Value};
use tether_domain::ids::EntityId;
use tether_domain::tags::{Tags, TenantId, PARENT_TAG, TENANT_TAG};
use tether_domain::time::EpochMillis;

use crate::{EntityKind, StoreError};

/// A fresh entity version: 16 random hex digits. Versions only need to differ between writes.
pub(crate) fn new_version() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn kind_text(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Integration => "integration",
        EntityKind::Connector => "connector",
    }
}

pub(crate) fn kind_from_text(text: &str) -> Result<EntityKind, StoreError> {
    match text {
        "integration" => Ok(EntityKind::Integration),
        "connector" => Ok(EntityKind::Connector),
        other => Err(StoreError::Corrupt(format!(
            "unknown entity kind {other:?}"
        ))),
    }
}

/// Tags are kept whole as JSON text (what reads return) and split into a tag table (what
/// filters use).
pub(crate) fn tags_to_text(tags: &Tags) -> String {
    json_to_text(&serde_json::to_value(tags).unwrap_or_else(|_| json!({})))
}

pub(crate) fn tags_from_text(text: &str) -> Result<Tags, StoreError> {
    let map: BTreeMap<String, Option<String>> = serde_json::from_str(text)
        .map_err(|_| StoreError::Corrupt("tags are not a string map".to_owned()))?;
    Ok(Tags::from_stored(map))
}

pub(crate) fn json_to_text(value: &Value) -> String {
    value.to_string()
}

pub(crate) fn json_from_text(text: &str, what: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("{what} is not JSON")))
}

pub(crate) fn refs_to_text(refs: &[EntityId]) -> String {
    json_to_text(&Value::from(
        refs.iter()
            .map(|r| r.as_str().to_owned())
            .collect::<Vec<_>>(),
    ))
}

pub(crate) fn refs_from_text(text: &str) -> Result<Vec<EntityId>, StoreError> {
    let ids: Vec<String> = serde_json::from_str(text)
        .map_err(|_| StoreError::Corrupt("connector references are not a list".to_owned()))?;
    ids.iter()
        .map(|id| {
            EntityId::parse(id, "connector")
                .map_err(|_| StoreError::Corrupt(format!("bad connector reference {id:?}")))
        })
        .collect()
}

/// What an install's `data[component]` holds: a reference to the component's identity.
pub(crate) fn identity_reference(identity: &str, connector: &EntityId) -> Value {
    json!({
        "entityId": identity,
        "parentEntityType": "connector",
        "parentEntityId": connector.as_str(),
    })
}

/// The identity an install's data names for a component, if any.
pub(crate) fn referenced_identity<'a>(
    install_data: &'a Map<String, Value>,
    component: &str,
) -> Option<&'a str> {
    install_data.get(component)?.get("entityId")?.as_str()
}

/// The tags the hub sets on an identity: its connector and, when there is one, the tenant.
pub(crate) fn identity_tags(connector: &str, tenant: Option<&TenantId>) -> Tags {
    let mut tags = Tags::default();
    tags.set(PARENT_TAG, Some(connector.to_owned()));
    if let Some(tenant) = tenant {
        tags.set(TENANT_TAG, Some(tenant.as_str().to_owned()));
    }
    tags
}

/// Lifetimes are `u64` in records and `BIGINT` in both databases; larger values saturate.
pub(crate) fn seconds_to_i64(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// When a lease taken at `now` for `ttl` lapses, in epoch milliseconds (saturating).
pub(crate) fn lease_expiry(now: EpochMillis, ttl: Duration) -> EpochMillis {
    let millis = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    EpochMillis(now.0.saturating_add(millis))
}

/// Maps an insert failure: a unique violation is `AlreadyExists`; a missing parent (the
/// integration of a session, the client of a key) is `NotFound`; anything else `Database`.
pub(crate) fn insert_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::AlreadyExists,
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => StoreError::Database(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_carry_their_connector_and_the_tenant() {
        let tenant = TenantId::parse("ops@acme.example").unwrap();

        let tags = identity_tags("ccf", Some(&tenant));

        assert_eq!(
            json!(tags),
            json!({PARENT_TAG: "ccf", TENANT_TAG: "ops@acme.example"})
        );
    }

    #[test]
    fn versions_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (new_version(), new_version());

        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
