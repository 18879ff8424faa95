//! An integration's components: the connectors it uses, by name (SPEC §5).

use serde_json::{Map, Value};

use crate::ids::EntityId;
use crate::FieldError;

/// One `data.components[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// What code and session `input` call it, e.g. `ccfConnector`.
    pub name: String,
    pub connector: EntityId,
    pub skip: bool,
    pub depends_on: Vec<String>,
}

/// Components per integration: every session of it runs and stores one step per component.
pub const MAX_COMPONENTS: usize = 64;

/// Validates `data` of an integration and returns its components in order.
pub fn components(data: &Map<String, Value>) -> Result<Vec<Component>, FieldError> {
    let Some(list) = data.get("components") else {
        return Err(FieldError::new(
            "data.components",
            "is required (a list, may be empty)",
        ));
    };
    let Some(list) = list.as_array() else {
        return Err(FieldError::new("data.components", "must be a list"));
    };
    if list.len() > MAX_COMPONENTS {
        return Err(FieldError::new(
            "data.components",
            format!("must hold at most {MAX_COMPONENTS} components"),
        ));
    }

    let mut out: Vec<Component> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let at = format!("data.components[{i}]");
        let component = component(item, &at)?;
        if out.iter().any(|c| c.name == component.name) {
            return Err(FieldError::new(format!("{at}.name"), "must be unique"));
        }
        for dependency in &component.depends_on {
            if !out.iter().any(|c| &c.name == dependency) {
                return Err(FieldError::new(
                    format!("{at}.dependsOn"),
                    format!("'{dependency}' is not an earlier component"),
                ));
            }
        }
        out.push(component);
    }
    Ok(out)
}

fn component(item: &Value, at: &str) -> Result<Component, FieldError> {
    let Some(map) = item.as_object() else {
        return Err(FieldError::new(at, "must be an object"));
    };

    let name = match map.get("name").and_then(Value::as_str) {
        Some(name) if valid_name(name) => name.to_owned(),
        _ => {
            return Err(FieldError::new(
                format!("{at}.name"),
                "must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'",
            ))
        }
    };
    match map.get("entityType").and_then(Value::as_str) {
        Some("connector") => {}
        _ => {
            return Err(FieldError::new(
                format!("{at}.entityType"),
                "must be \"connector\"",
            ))
        }
    }
    let connector = match map.get("entityId").and_then(Value::as_str) {
        Some(id) => EntityId::parse(id, &format!("{at}.entityId"))?,
        None => return Err(FieldError::new(format!("{at}.entityId"), "is required")),
    };
    let skip = match map.get("skip") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(skip)) => *skip,
        Some(_) => {
            return Err(FieldError::new(
                format!("{at}.skip"),
                "must be true or false",
            ))
        }
    };
    let depends_on = match map.get("dependsOn") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(names)) => names
            .iter()
            .map(|n| n.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| FieldError::new(format!("{at}.dependsOn"), "must list names"))?,
        Some(_) => return Err(FieldError::new(format!("{at}.dependsOn"), "must be a list")),
    };

    Ok(Component {
        name,
        connector,
        skip,
        depends_on,
    })
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<Vec<Component>, FieldError> {
        components(value.as_object().unwrap())
    }

    #[test]
    fn components_are_read_in_order() {
        let parsed = parse(json!({"components": [
            {"name": "a", "entityType": "connector", "entityId": "c1"},
            {
                "name": "b", "entityType": "connector", "entityId": "c2",
                "dependsOn": ["a"], "skip": true,
            },
        ]}))
        .unwrap();

        assert_eq!(parsed[1].depends_on, vec!["a"]);
        assert!(parsed[1].skip);
        assert_eq!(parsed[0].connector.as_str(), "c1");
    }

    #[test]
    fn bad_components_name_the_field() {
        let many: Vec<Value> = (0..=MAX_COMPONENTS)
            .map(|i| json!({"name": format!("c{i}"), "entityType": "connector", "entityId": "c"}))
            .collect();
        let cases = [
            (json!({}), "data.components"),
            (json!({ "components": many }), "data.components"),
            (json!({"components": {}}), "data.components"),
            (
                json!({"components": [{"name": "a", "entityType": "x", "entityId": "c"}]}),
                "data.components[0].entityType",
            ),
            (
                json!({"components": [
                    {"name": "a b", "entityType": "connector", "entityId": "c"},
                ]}),
                "data.components[0].name",
            ),
            (
                json!({"components": [
                    {"name": "a", "entityType": "connector", "entityId": "c/d"},
                ]}),
                "data.components[0].entityId",
            ),
            (
                json!({"components": [
                {"name": "a", "entityType": "connector", "entityId": "c"},
                {"name": "a", "entityType": "connector", "entityId": "c"}]}),
                "data.components[1].name",
            ),
            (
                json!({"components": [
                {"name": "a", "entityType": "connector", "entityId": "c", "dependsOn": ["b"]},
                {"name": "b", "entityType": "connector", "entityId": "c"}]}),
                "data.components[0].dependsOn",
            ),
        ];
        for (value, field) in cases {
            assert_eq!(parse(value.clone()).unwrap_err().field, field, "{value}");
        }
    }
}
