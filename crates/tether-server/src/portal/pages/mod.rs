//! Portal pages, one module per part of the portal, and the store helpers they share.

pub(crate) mod components;
pub(crate) mod connector_form;
pub(crate) mod connector_test;
pub(crate) mod connectors;
pub(crate) mod installs;
pub(crate) mod integrations;
pub(crate) mod keys;
pub(crate) mod sign_in;

use serde::Deserialize;
use serde_json::Value;
use tether_domain::ids::EntityId;
use tether_domain::integration::{self, Component};
use tether_domain::time::EpochMillis;
use tether_store::{EntityKind, EntityRecord, ListQuery, Meta, SubscriptionRef, MAX_PAGE};

use super::PortalError;
use crate::http::{new_version, AppState};

/// `?notice=<code>` after a redirect: a fixed message, so a link cannot put words in the page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

impl NoticeQuery {
    pub(crate) fn text(&self) -> Option<&'static str> {
        Some(match self.notice.as_deref()? {
            "integration-created" => "Integration created.",
            "integration-deleted" => "Integration deleted.",
            "connector-added" => "Connector added to the integration.",
            "component-removed" => "Component removed from the integration.",
            "connector-created" => "Connector created.",
            "connector-saved" => "Connector settings saved.",
            "connector-deleted" => "Connector deleted.",
            "install-deleted" => "Install deleted, with its identities.",
            "key-revoked" => "Key revoked.",
            "client-created" => "Client created.",
            _ => return None,
        })
    }
}

/// The first page of a list (the portal shows at most `MAX_PAGE` of anything).
///
/// FIXME(portal-paging): lists stop at 100 items; pass the store's `next` cursor through a
/// "More" link to page through longer lists.
pub(crate) fn first_page() -> ListQuery {
    ListQuery {
        count: MAX_PAGE,
        ..ListQuery::default()
    }
}

pub(crate) fn noun(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Integration => "integration",
        EntityKind::Connector => "connector",
    }
}

pub(crate) async fn load(
    state: &AppState,
    sub: &SubscriptionRef,
    kind: EntityKind,
    id: &str,
) -> Result<EntityRecord, PortalError> {
    let parsed = EntityId::parse(id, "id")
        .map_err(|_| PortalError::NotFound(format!("{} '{id}' not found", noun(kind))))?;
    state
        .store
        .get_entity(sub, kind, &parsed)
        .await
        .map_err(|e| PortalError::from_store(e, format!("{} '{id}'", noun(kind))))
}

/// The components of a stored integration.
pub(crate) fn components_of(record: &EntityRecord) -> Result<Vec<Component>, PortalError> {
    let data = record.data.as_object().cloned().unwrap_or_default();
    integration::components(&data).map_err(PortalError::internal)
}

/// A new entity record with fresh metadata.
pub(crate) fn new_record(kind: EntityKind, id: EntityId, data: Value) -> EntityRecord {
    let now = EpochMillis::now();
    let connector_refs = connector_refs(kind, &data);
    EntityRecord {
        kind,
        id,
        data,
        meta: Meta {
            tags: Default::default(),
            version: new_version(),
            date_added: now,
            date_modified: now,
        },
        connector_refs,
    }
}

/// Writes `data` over a stored record, if its version is still `stored.meta.version`.
pub(crate) async fn replace(
    state: &AppState,
    sub: &SubscriptionRef,
    stored: &EntityRecord,
    data: Value,
) -> Result<(), PortalError> {
    let record = EntityRecord {
        kind: stored.kind,
        id: stored.id.clone(),
        connector_refs: connector_refs(stored.kind, &data),
        data,
        meta: Meta {
            tags: stored.meta.tags.clone(),
            version: new_version(),
            date_added: stored.meta.date_added,
            date_modified: EpochMillis::now(),
        },
    };
    state
        .store
        .put_entity(sub, &record, &stored.meta.version)
        .await
        .map_err(|e| PortalError::from_store(e, format!("{} '{}'", noun(stored.kind), stored.id)))
}

/// For an integration: the connectors its components use (kept for the delete check).
fn connector_refs(kind: EntityKind, data: &Value) -> Vec<EntityId> {
    if kind == EntityKind::Connector {
        return Vec::new();
    }
    let map = data.as_object().cloned().unwrap_or_default();
    let mut refs: Vec<EntityId> = integration::components(&map)
        .map(|list| list.into_iter().map(|c| c.connector).collect())
        .unwrap_or_default();
    refs.sort();
    refs.dedup();
    refs
}

/// A query-string value, percent-encoded.
pub(crate) fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
