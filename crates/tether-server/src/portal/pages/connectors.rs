//! Connectors: list (type, identities), create, delete, and the detail page with every CCF
//! setting and the Test action.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde_json::{json, Value};
use tether_domain::ccf::CcfConfig;
use tether_domain::ids::EntityId;
use tether_store::{EntityKind, EntityRecord, StoreError};

use super::connector_form::ConfigForm;
use super::connector_test::{self, TestView};
use super::{components_of, first_page, load, new_record, replace, NoticeQuery};
use crate::http::AppState;
use crate::portal::form::Submitted;
use crate::portal::layout::{self, NoticeKind, Section};
use crate::portal::session::Operator;
use crate::portal::PortalError;

/// `GET /portal/connectors`.
pub(crate) async fn list(
    State(state): State<AppState>,
    operator: Operator,
    Query(query): Query<NoticeQuery>,
) -> Result<Html<String>, PortalError> {
    render_list(&state, &operator, query.text(), "", None).await
}

async fn render_list(
    state: &AppState,
    operator: &Operator,
    notice: Option<&str>,
    new_id: &str,
    error: Option<&str>,
) -> Result<Html<String>, PortalError> {
    operator.require("connector:get", "connector")?;
    let page = state
        .store
        .list_entities(&operator.sub, EntityKind::Connector, &first_page())
        .await
        .map_err(PortalError::internal)?;
    let mut rows = Vec::with_capacity(page.items.len());
    for record in &page.items {
        let count = state
            .store
            .count_identities(&operator.sub, &record.id)
            .await
            .map_err(PortalError::internal)?;
        let url = CcfConfig::from_json(&record.data["configuration"])
            .ok()
            .and_then(|c| c.token_url)
            .map(|u| u.to_string());
        rows.push((record, count, url));
    }

    let body = html! {
        h1 { "Connectors" }
        @if let Some(notice) = notice { (layout::notice(NoticeKind::Success, notice)) }
        @if rows.is_empty() {
            p { "No connectors yet. Add one from an integration, or create one below." }
        } @else {
            table {
                caption.hint { (page.total) " in total" }
                thead { tr {
                    th scope="col" { "Id" } th scope="col" { "Type" }
                    th scope="col" { "Token URL" } th scope="col" { "Identities" }
                } }
                tbody {
                    @for (record, count, url) in &rows {
                        tr {
                            td data-label="Id" {
                                a href={ "/portal/connectors/" (record.id) } { (record.id) }
                            }
                            td data-label="Type" { (kind_label(record)) }
                            td data-label="Token URL" {
                                (url.as_deref().unwrap_or("not configured"))
                            }
                            td data-label="Identities" { (count) }
                        }
                    }
                }
            }
        }
        @if operator.may("connector:add", "connector") {
            h2 id="new-connector" { "New Client Credential Flow connector" }
            form method="post" action="/portal/connectors" aria-labelledby="new-connector" {
                (layout::csrf(operator))
                (layout::text_field("id", "Connector id", new_id, error,
                    Some("1 to 64 letters, digits and '-'.")))
                button type="submit" { "Create connector" }
            }
        }
    };
    Ok(layout::page(
        operator,
        Section::Connectors,
        "Connectors",
        body,
    ))
}

fn kind_label(record: &EntityRecord) -> &'static str {
    match record.data["handler"].as_str() {
        Some("ccf" | "@fusebit-int/ccf-connector") => "Client Credential Flow",
        _ => "unknown",
    }
}

/// `POST /portal/connectors`: a new CCF connector with default settings.
pub(crate) async fn create(
    State(state): State<AppState>,
    Submitted { operator, fields }: Submitted,
) -> Result<Response, PortalError> {
    let text = fields.text("id");
    let id = match EntityId::parse(text, "id") {
        Ok(id) => id,
        Err(error) => return invalid(&state, &operator, text, &error.message).await,
    };
    operator.require("connector:add", &format!("connector/{id}"))?;

    let data = json!({"handler": "ccf", "configuration": CcfConfig::default().to_json()});
    let record = new_record(EntityKind::Connector, id.clone(), data);
    match state.store.create_entity(&operator.sub, &record).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/portal/connectors/{id}?notice=connector-created"))
                .into_response(),
        ),
        Err(StoreError::AlreadyExists) => {
            invalid(
                &state,
                &operator,
                text,
                "a connector with this id exists already",
            )
            .await
        }
        Err(error) => Err(PortalError::from_store(error, format!("connector '{id}'"))),
    }
}

async fn invalid(
    state: &AppState,
    operator: &Operator,
    value: &str,
    message: &str,
) -> Result<Response, PortalError> {
    let page = render_list(state, operator, None, value, Some(message)).await?;
    Ok((StatusCode::BAD_REQUEST, page).into_response())
}

/// What the detail page shows besides the stored connector.
#[derive(Debug, Default)]
pub(crate) struct Detail {
    pub(crate) form: Option<ConfigForm>,
    pub(crate) test: TestView,
    pub(crate) notice: Option<&'static str>,
    pub(crate) error: Option<String>,
}

/// `GET /portal/connectors/{id}`.
pub(crate) async fn detail(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Html<String>, PortalError> {
    operator.require("connector:get", &format!("connector/{id}"))?;
    let record = load(&state, &operator.sub, EntityKind::Connector, &id).await?;
    let detail = Detail {
        notice: query.text(),
        ..Detail::default()
    };
    render_detail(&state, &operator, &record, detail).await
}

/// The connector page: facts, settings form, test form, delete.
pub(crate) async fn render_detail(
    state: &AppState,
    operator: &Operator,
    record: &EntityRecord,
    detail: Detail,
) -> Result<Html<String>, PortalError> {
    let id = record.id.as_str();
    let config =
        CcfConfig::from_json(&record.data["configuration"]).map_err(PortalError::internal)?;
    let identities = state
        .store
        .count_identities(&operator.sub, &record.id)
        .await
        .map_err(PortalError::internal)?;
    let mut used_by = Vec::new();
    if operator.may("integration:get", "integration") {
        let page = state
            .store
            .list_entities(&operator.sub, EntityKind::Integration, &first_page())
            .await
            .map_err(PortalError::internal)?;
        for integration in page.items {
            if components_of(&integration)?
                .iter()
                .any(|c| c.connector == record.id)
            {
                used_by.push(integration.id);
            }
        }
    }
    let form = detail
        .form
        .unwrap_or_else(|| ConfigForm::from_config(&config));

    let body = html! {
        h1 { "Connector " (id) }
        @if let Some(notice) = detail.notice { (layout::notice(NoticeKind::Success, notice)) }
        @if let Some(error) = &detail.error { (layout::notice(NoticeKind::Error, error)) }
        dl.facts {
            dt { "Type" } dd { (kind_label(record)) }
            dt { "Identities" } dd { (identities) }
            dt { "Used by" } dd {
                @if used_by.is_empty() { "no integration" }
                @for (i, integration) in used_by.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/portal/integrations/" (integration) } { (integration) }
                }
            }
        }
        @if config.token_url.is_none() {
            (layout::notice(NoticeKind::Error,
                "No token URL yet: no session can use this connector until it has one."))
        }
        h2 { "Settings" }
        (form.render(operator, &format!("/portal/connectors/{id}"), &record.meta.version))
        (connector_test::render(operator, id, &detail.test))
        h2 { "Danger zone" }
        p.hint { "Deleting a connector deletes its identities. Integrations that use it must \
                  drop it first." }
        (layout::button_form(operator, &format!("/portal/connectors/{id}/delete"),
            "Delete connector", true))
    };
    Ok(layout::page(
        operator,
        Section::Connectors,
        &format!("Connector {id}"),
        body,
    ))
}

/// `POST /portal/connectors/{id}`: saves the settings.
pub(crate) async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { operator, fields }: Submitted,
) -> Result<Response, PortalError> {
    operator.require("connector:update", &format!("connector/{id}"))?;
    let record = load(&state, &operator.sub, EntityKind::Connector, &id).await?;

    let config = match ConfigForm::submit(&fields) {
        Ok(config) => config,
        Err(form) => {
            let detail = Detail {
                form: Some(form),
                ..Detail::default()
            };
            let page = render_detail(&state, &operator, &record, detail).await?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    if fields.text("version") != record.meta.version {
        let detail = Detail {
            error: Some(
                "Someone else changed this connector meanwhile: these are the current \
                 settings. Make your change again."
                    .into(),
            ),
            ..Detail::default()
        };
        let page = render_detail(&state, &operator, &record, detail).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }

    let mut data = record.data.as_object().cloned().unwrap_or_default();
    data.insert("configuration".into(), config.to_json());
    replace(&state, &operator.sub, &record, Value::Object(data)).await?;
    Ok(Redirect::to(&format!("/portal/connectors/{id}?notice=connector-saved")).into_response())
}

/// `POST /portal/connectors/{id}/delete`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { operator, .. }: Submitted,
) -> Result<Redirect, PortalError> {
    operator.require("connector:delete", &format!("connector/{id}"))?;
    let parsed = EntityId::parse(&id, "id")?;

    state
        .store
        .delete_entity(&operator.sub, EntityKind::Connector, &parsed)
        .await
        .map_err(|e| PortalError::from_store(e, format!("connector '{id}'")))?;
    Ok(Redirect::to("/portal/connectors?notice=connector-deleted"))
}
