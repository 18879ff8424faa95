//! `POST {base}/integration/{id}/session`, and `GET`/`PUT` of a session (SPEC §7.1).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tether_domain::ccf::{CcfConfig, CcfInput};
use tether_domain::ids::{EntityId, InstallId, SessionId};
use tether_domain::integration::{self, Component};
use tether_domain::tags::Tags;
use tether_domain::time::EpochMillis;
use tether_domain::FieldError;
use tether_store::{EntityKind, Meta, SessionRecord, SubscriptionRef};

use super::entities::load;
use crate::auth::Caller;
use crate::ccf::TokenError;
use crate::crypto::Purpose;
use crate::http::envelope::{self, new_version};
use crate::http::extract::JsonObject;
use crate::http::paths::{EntityPath, Params};
use crate::http::{ApiError, AppState};
use crate::sessions::{
    LeafData, SealedInput, SealedState, StepData, StepStatus, TrunkData, SESSION_TTL_SECONDS,
};

const KNOWN_KEYS: [&str; 6] = [
    "redirectUrl",
    "tags",
    "input",
    "components",
    "installId",
    "extendTags",
];

#[derive(Deserialize)]
pub(super) struct SessionPath {
    account: String,
    subscription: String,
    id: String,
    session: String,
}

impl SessionPath {
    pub(super) fn resolve(
        &self,
        state: &AppState,
    ) -> Result<(SubscriptionRef, EntityId, SessionId), ApiError> {
        let (sub, integration) = EntityPath {
            account: self.account.clone(),
            subscription: self.subscription.clone(),
            id: self.id.clone(),
        }
        .resolve(state, "integrationId")?;
        Ok((sub, integration, SessionId::parse(&self.session)?))
    }
}

/// The public URL of a hub path.
pub(super) fn public_url(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.public_url.as_str().trim_end_matches('/'))
}

pub(super) fn base_path(sub: &SubscriptionRef) -> String {
    format!(
        "/v2/account/{}/subscription/{}",
        sub.account, sub.subscription
    )
}

pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<EntityPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require("session:add")?;
    let body = body.read()?;
    let (sub, integration_id) = path.resolve(&state, "integrationId")?;
    let request = SessionRequest::parse(&body)?;

    let integration = load(
        state.store.as_ref(),
        &sub,
        EntityKind::Integration,
        &integration_id,
    )
    .await?;
    let data = integration.data.as_object().cloned().unwrap_or_default();
    let components = select_components(integration::components(&data)?, &request.components)?;
    let inputs = validate_input(&state, &sub, &components, &request.input).await?;
    if let Some(install) = &request.install_id {
        state
            .store
            .get_install(&sub, &integration_id, install)
            .await
            .map_err(|e| ApiError::from_store(e, format!("install '{install}'")))?;
    }

    let now = EpochMillis::now();
    let expires = now.plus_seconds(SESSION_TTL_SECONDS);
    let trunk_id = SessionId::generate();
    let mut steps = Vec::with_capacity(components.len());
    for component in &components {
        let leaf_id = SessionId::generate();
        let leaf = LeafData {
            parent_session_id: trunk_id.to_string(),
            name: component.name.clone(),
            entity_type: "connector".into(),
            entity_id: component.connector.to_string(),
        };
        let record = session_record(
            leaf_id.clone(),
            &integration_id,
            serde_json::to_value(&leaf).map_err(ApiError::internal)?,
            None,
            request.tags.clone(),
            now,
            expires,
        );
        state
            .store
            .create_session(&sub, &record)
            .await
            .map_err(|e| ApiError::from_store(e, "session"))?;
        steps.push(StepData {
            name: component.name.clone(),
            entity_type: "connector".into(),
            entity_id: component.connector.to_string(),
            session_id: leaf_id.to_string(),
            status: StepStatus::Pending,
            error: None,
        });
    }

    let trunk = TrunkData {
        redirect_url: request.redirect_url.clone(),
        components: steps,
        input: inputs
            .iter()
            .map(|(name, input)| (name.clone(), json!({ "fields": input.received_fields() })))
            .collect(),
        install_id: request.install_id.as_ref().map(ToString::to_string),
        extend_tags: request.extend_tags,
        output: None,
        other: request.other.clone(),
    };
    let sealed = SealedState {
        input: inputs
            .iter()
            .map(|(name, input)| (name.clone(), SealedInput::from_input(input)))
            .collect(),
        tokens: BTreeMap::new(),
    };
    let plaintext = serde_json::to_vec(&sealed).map_err(ApiError::internal)?;
    let record = session_record(
        trunk_id.clone(),
        &integration_id,
        serde_json::to_value(&trunk).map_err(ApiError::internal)?,
        Some(state.sealer.seal(Purpose::SessionState, &plaintext)),
        request.tags.clone(),
        now,
        expires,
    );
    state
        .store
        .create_session(&sub, &record)
        .await
        .map_err(|e| ApiError::from_store(e, "session"))?;

    let mut body = render(&record);
    body["targetUrl"] = json!(public_url(
        &state,
        &format!(
            "{}/integration/{integration_id}/session/{trunk_id}/start",
            base_path(&sub)
        )
    ));
    if request.tags.tenant().is_none() {
        body["warnings"] = json!([
            "the session has no fusebit.tenantId tag: its install will not be found by tenant"
        ]);
    }
    Ok(Json(body))
}

pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<SessionPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require("session:get")?;
    let (sub, integration, sid) = path.resolve(&state)?;

    let record = state
        .store
        .get_session(&sub, &sid)
        .await
        .map_err(|e| ApiError::from_store(e, format!("session '{sid}'")))?;
    if record.integration != integration || record.expires <= EpochMillis::now() {
        return Err(ApiError::not_found(format!("session '{sid}'")));
    }
    Ok(Json(render(&record)))
}

/// Sessions are written by the hub alone: a trunk's state comes from its steps, a CCF leaf's
/// output from the exchange. So `PUT` checks access and existence, then refuses with 400.
pub(super) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<SessionPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require("session:update")?;
    let _body = body.read()?;
    let (sub, integration, sid) = path.resolve(&state)?;

    let record = state
        .store
        .get_session(&sub, &sid)
        .await
        .map_err(|e| ApiError::from_store(e, format!("session '{sid}'")))?;
    if record.integration != integration || record.expires <= EpochMillis::now() {
        return Err(ApiError::not_found(format!("session '{sid}'")));
    }
    let message = if record.data.get("parentSessionId").is_some() {
        "the output of a CCF step is produced by the hub and cannot be written"
    } else {
        "a trunk session cannot be written: create a new session instead"
    };
    Err(ApiError::BadRequest(message.into()))
}

fn render(record: &SessionRecord) -> Value {
    let mut data = record.data.clone();
    if let (Some(install), Some(map)) = (&record.install, data.as_object_mut()) {
        map.insert(
            "output".into(),
            json!({ "entityType": "install", "entityId": install }),
        );
    }
    let mut body = envelope::entity(record.id.as_str(), data, &record.meta, "creating");
    body["expires"] = json!(record.expires.to_rfc3339());
    body
}

fn session_record(
    id: SessionId,
    integration: &EntityId,
    data: Value,
    sealed: Option<tether_store::Sealed>,
    tags: Tags,
    now: EpochMillis,
    expires: EpochMillis,
) -> SessionRecord {
    SessionRecord {
        id,
        integration: integration.clone(),
        data,
        sealed,
        meta: Meta {
            tags,
            version: new_version(),
            date_added: now,
            date_modified: now,
        },
        expires,
        install: None,
    }
}

/// A session-create body, validated.
struct SessionRequest {
    redirect_url: String,
    tags: Tags,
    input: Map<String, Value>,
    components: Option<Vec<String>>,
    install_id: Option<InstallId>,
    extend_tags: bool,
    other: Map<String, Value>,
}

impl SessionRequest {
    fn parse(body: &Map<String, Value>) -> Result<Self, FieldError> {
        let redirect_url = match body.get("redirectUrl") {
            Some(Value::String(url)) => url.clone(),
            None | Some(Value::Null) => return Err(FieldError::new("redirectUrl", "is required")),
            Some(_) => return Err(FieldError::new("redirectUrl", "must be a string")),
        };
        let parsed = url::Url::parse(&redirect_url)
            .map_err(|_| FieldError::new("redirectUrl", "must be an absolute http(s) URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(FieldError::new(
                "redirectUrl",
                "must be an absolute http(s) URL",
            ));
        }

        let tags = match body.get("tags") {
            None | Some(Value::Null) => Tags::default(),
            Some(value) => Tags::from_caller(value, "tags")?,
        };
        let input = match body.get("input") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(input)) => input.clone(),
            Some(_) => {
                return Err(FieldError::new(
                    "input",
                    "must be an object keyed by component name",
                ))
            }
        };
        let components = match body.get("components") {
            None | Some(Value::Null) => None,
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .map(|n| n.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| FieldError::new("components", "must list component names"))?,
            ),
            Some(_) => {
                return Err(FieldError::new(
                    "components",
                    "must be a list of component names",
                ))
            }
        };
        let install_id = match body.get("installId") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) => {
                Some(InstallId::parse(id).map_err(|e| FieldError::new("installId", e.message))?)
            }
            Some(_) => return Err(FieldError::new("installId", "must be a string")),
        };
        let extend_tags = match body.get("extendTags") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(FieldError::new("extendTags", "must be true or false")),
        };
        let other = body
            .iter()
            .filter(|(k, _)| !KNOWN_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();

        Ok(Self {
            redirect_url,
            tags,
            input,
            components,
            install_id,
            extend_tags,
            other,
        })
    }
}

/// The components this session runs: the caller's ordered subset, or every one not skipped.
fn select_components(
    all: Vec<Component>,
    subset: &Option<Vec<String>>,
) -> Result<Vec<Component>, FieldError> {
    let Some(names) = subset else {
        return Ok(all.into_iter().filter(|c| !c.skip).collect());
    };
    let mut chosen: Vec<Component> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let component = all.iter().find(|c| &c.name == name).ok_or_else(|| {
            FieldError::new(
                format!("components[{i}]"),
                format!("'{name}' is not a component of this integration"),
            )
        })?;
        if chosen.iter().any(|c| &c.name == name) {
            return Err(FieldError::new(
                format!("components[{i}]"),
                "is listed twice",
            ));
        }
        chosen.push(component.clone());
    }
    Ok(chosen)
}

/// Each component's input, checked against its connector now so that a typo fails here.
async fn validate_input(
    state: &AppState,
    sub: &SubscriptionRef,
    components: &[Component],
    input: &Map<String, Value>,
) -> Result<Vec<(String, CcfInput)>, ApiError> {
    if let Some(key) = input
        .keys()
        .find(|k| !components.iter().any(|c| &c.name == *k))
    {
        let names: Vec<&str> = components.iter().map(|c| c.name.as_str()).collect();
        return Err(FieldError::new(
            format!("input.{key}"),
            format!(
                "names no component of this session (components: {})",
                names.join(", ")
            ),
        )
        .into());
    }

    let mut out = Vec::with_capacity(components.len());
    for component in components {
        let field = format!("input.{}", component.name);
        let connector = state
            .store
            .get_entity(sub, EntityKind::Connector, &component.connector)
            .await
            .map_err(|e| match e {
                tether_store::StoreError::NotFound => ApiError::Conflict(format!(
                    "connector '{}' of component '{}' does not exist",
                    component.connector, component.name
                )),
                other => ApiError::from_store(other, "connector"),
            })?;
        let config =
            CcfConfig::from_json(&connector.data["configuration"]).map_err(ApiError::internal)?;
        if config.token_url.is_none() {
            return Err(TokenError::NotConfigured(component.connector.to_string()).into());
        }

        let value = input
            .get(&component.name)
            .ok_or_else(|| FieldError::new(&field, "is required: client_id and client_secret"))?;
        out.push((component.name.clone(), CcfInput::from_json(value, &field)?));
    }
    Ok(out)
}
