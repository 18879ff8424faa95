//! The compatible entity envelope (SPEC §4) and list shape.

use serde_json::{json, Value};
use tether_store::{Meta, Page};

/// `{id, data, tags, version, state, operationState, dateAdded, dateModified}`.
pub(super) fn entity(id: &str, data: Value, meta: &Meta, operation: &str) -> Value {
    json!({
        "id": id,
        "data": data,
        "tags": meta.tags,
        "version": meta.version,
        "state": "active",
        "operationState": { "operation": operation, "status": "success" },
        "dateAdded": meta.date_added.to_rfc3339(),
        "dateModified": meta.date_modified.to_rfc3339(),
    })
}

/// `{items, total, next?}`.
pub(super) fn list<T>(page: Page<T>, render: impl Fn(T) -> Value) -> Value {
    let mut body = json!({
        "items": page.items.into_iter().map(render).collect::<Vec<_>>(),
        "total": page.total,
    });
    if let Some(next) = page.next {
        body["next"] = json!(next);
    }
    body
}

/// A fresh version string for a write.
pub fn new_version() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
