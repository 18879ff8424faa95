//! The "Add connector" dialog of an integration: a new Client Credential Flow connector, or an
//! existing connector, added as a named component. The same form is a `<dialog>` on the
//! integration page and a page of its own when JavaScript is off.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde_json::{json, Value};
use tether_domain::ccf::CcfConfig;
use tether_domain::ids::EntityId;
use tether_domain::integration;
use tether_store::{EntityKind, StoreError};

use super::{first_page, load, new_record, replace};
use crate::http::AppState;
use crate::portal::form::{Fields, Submitted};
use crate::portal::layout::{self, NoticeKind, Section};
use crate::portal::session::Operator;
use crate::portal::PortalError;

/// What the form holds, and what was wrong with it.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    link_existing: bool,
    connector: Option<String>,
    existing: String,
    component: Option<String>,
    connector_error: Option<String>,
    component_error: Option<String>,
    error: Option<String>,
}

impl Draft {
    fn from_fields(fields: &Fields) -> Self {
        Self {
            link_existing: fields.text("source") == "existing",
            connector: Some(fields.text("connector").to_owned()),
            existing: fields.text("existing").to_owned(),
            component: Some(fields.text("component").to_owned()),
            ..Self::default()
        }
    }
}

/// The form, for the dialog and for its page.
pub(crate) async fn form(
    state: &AppState,
    operator: &Operator,
    integration: &str,
    draft: &Draft,
) -> Result<Markup, PortalError> {
    let existing = if operator.may("connector:get", "connector") {
        state
            .store
            .list_entities(&operator.sub, EntityKind::Connector, &first_page())
            .await
            .map_err(PortalError::internal)?
            .items
    } else {
        Vec::new()
    };
    let default_connector = format!("{integration}-ccf");
    let connector = draft.connector.as_deref().unwrap_or(&default_connector);
    let component = draft.component.as_deref().unwrap_or("ccfConnector");

    Ok(html! {
        h2 id="add-connector-title" { "Add connector" }
        @if let Some(error) = &draft.error { (layout::notice(NoticeKind::Error, error)) }
        form method="post" action={ "/portal/integrations/" (integration) "/components" } {
            (layout::csrf(operator))
            fieldset {
                legend { "Connector type" }
                div {
                    input type="radio" id="source-ccf" name="source" value="ccf"
                        checked[!draft.link_existing];
                    " "
                    label for="source-ccf" { "Client Credential Flow" }
                    p.hint { "A new connector that exchanges each tenant's client id and \
                              secret for tokens (OAuth 2.0 client credentials)." }
                }
                @if !existing.is_empty() {
                    div {
                        input type="radio" id="source-existing" name="source" value="existing"
                            checked[draft.link_existing];
                        " "
                        label for="source-existing" { "Link an existing connector" }
                    }
                }
            }
            (layout::text_field("connector", "New connector id", connector,
                draft.connector_error.as_deref(),
                Some("For a new Client Credential Flow connector.")))
            @if !existing.is_empty() {
                div.field {
                    label for="existing" { "Existing connector" }
                    select id="existing" name="existing" {
                        @for record in &existing {
                            option value=(record.id) selected[draft.existing == record.id.as_str()]
                                { (record.id) }
                        }
                    }
                }
            }
            (layout::text_field("component", "Component name", component,
                draft.component_error.as_deref(),
                Some("What code and session input call it.")))
            div.actions {
                button type="submit" { "Add connector" }
                button.secondary type="submit" formmethod="dialog" formnovalidate { "Cancel" }
            }
        }
    })
}

/// `GET /portal/integrations/{id}/add-connector`: the dialog as a page.
pub(crate) async fn dialog_page(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
) -> Result<Html<String>, PortalError> {
    operator.require("integration:get", &format!("integration/{id}"))?;
    load(&state, &operator.sub, EntityKind::Integration, &id).await?;
    render_page(&state, &operator, &id, &Draft::default()).await
}

async fn render_page(
    state: &AppState,
    operator: &Operator,
    id: &str,
    draft: &Draft,
) -> Result<Html<String>, PortalError> {
    let form = form(state, operator, id, draft).await?;
    let body = html! {
        p { a href={ "/portal/integrations/" (id) } { "← Integration " (id) } }
        (form)
    };
    Ok(layout::page(
        operator,
        Section::Integrations,
        "Add connector",
        body,
    ))
}

/// `POST /portal/integrations/{id}/components`.
pub(crate) async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { operator, fields }: Submitted,
) -> Result<Response, PortalError> {
    operator.require("integration:update", &format!("integration/{id}"))?;
    let stored = load(&state, &operator.sub, EntityKind::Integration, &id).await?;
    let mut draft = Draft::from_fields(&fields);

    let chosen = if draft.link_existing {
        &draft.existing
    } else {
        fields.text("connector")
    };
    let connector = match EntityId::parse(chosen, "connector") {
        Ok(connector) => connector,
        Err(error) => {
            draft.connector_error = Some(error.message);
            return rejected(&state, &operator, &id, &draft).await;
        }
    };
    let mut data = stored.data.as_object().cloned().unwrap_or_default();
    let component = json!({
        "name": fields.text("component"),
        "entityType": "connector",
        "entityId": connector.as_str(),
        "dependsOn": [],
        "skip": false,
    });
    let mut items = data
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items.push(component);
    data.insert("components".into(), Value::Array(items));
    if let Err(error) = integration::components(&data) {
        draft.component_error = Some(error.message);
        return rejected(&state, &operator, &id, &draft).await;
    }

    let created = if draft.link_existing {
        operator.require("connector:get", &format!("connector/{connector}"))?;
        if load(
            &state,
            &operator.sub,
            EntityKind::Connector,
            connector.as_str(),
        )
        .await
        .is_err()
        {
            draft.error = Some(format!("connector '{connector}' does not exist"));
            return rejected(&state, &operator, &id, &draft).await;
        }
        false
    } else {
        operator.require("connector:add", &format!("connector/{connector}"))?;
        let record = new_record(
            EntityKind::Connector,
            connector.clone(),
            json!({"handler": "ccf", "configuration": CcfConfig::default().to_json()}),
        );
        match state.store.create_entity(&operator.sub, &record).await {
            Ok(()) => true,
            Err(StoreError::AlreadyExists) => {
                draft.connector_error = Some(
                    "a connector with this id exists already: link it instead, or choose \
                     another id"
                        .into(),
                );
                return rejected(&state, &operator, &id, &draft).await;
            }
            Err(error) => return Err(PortalError::from_store(error, "connector")),
        }
    };

    if let Err(error) = replace(&state, &operator.sub, &stored, Value::Object(data)).await {
        if created {
            // Best effort: a connector made for a component that was never added is removed.
            let _ = state
                .store
                .delete_entity(&operator.sub, EntityKind::Connector, &connector)
                .await;
        }
        return Err(error);
    }
    Ok(Redirect::to(&format!("/portal/integrations/{id}?notice=connector-added")).into_response())
}

async fn rejected(
    state: &AppState,
    operator: &Operator,
    id: &str,
    draft: &Draft,
) -> Result<Response, PortalError> {
    let page = render_page(state, operator, id, draft).await?;
    Ok((StatusCode::BAD_REQUEST, page).into_response())
}

/// `POST /portal/integrations/{id}/components/{name}/remove`.
pub(crate) async fn remove(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    Submitted { operator, .. }: Submitted,
) -> Result<Redirect, PortalError> {
    operator.require("integration:update", &format!("integration/{id}"))?;
    let stored = load(&state, &operator.sub, EntityKind::Integration, &id).await?;

    let mut data = stored.data.as_object().cloned().unwrap_or_default();
    let items: Vec<Value> = data
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let before = items.len();
    let kept: Vec<Value> = items
        .into_iter()
        .filter(|c| c.get("name").and_then(Value::as_str) != Some(name.as_str()))
        .collect();
    if kept.len() == before {
        return Err(PortalError::NotFound(format!(
            "component '{name}' not found"
        )));
    }
    if kept.iter().any(|c| {
        c.get("dependsOn")
            .and_then(Value::as_array)
            .is_some_and(|deps| deps.iter().any(|d| d.as_str() == Some(name.as_str())))
    }) {
        return Err(PortalError::Conflict(format!(
            "other components depend on '{name}': remove them first"
        )));
    }
    data.insert("components".into(), Value::Array(kept));

    replace(&state, &operator.sub, &stored, Value::Object(data)).await?;
    Ok(Redirect::to(&format!(
        "/portal/integrations/{id}?notice=component-removed"
    )))
}
