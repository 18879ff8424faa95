//! Integrations: list, create, delete, and the detail page with its components.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde_json::json;
use tether_domain::ids::EntityId;
use tether_store::EntityKind;

use super::{components, components_of, first_page, load, new_record, NoticeQuery};
use crate::http::AppState;
use crate::portal::form::Submitted;
use crate::portal::layout::{self, NoticeKind, Section};
use crate::portal::session::Operator;
use crate::portal::PortalError;

/// `GET /portal/integrations`.
pub(crate) async fn list(
    State(state): State<AppState>,
    operator: Operator,
    Query(query): Query<NoticeQuery>,
) -> Result<Html<String>, PortalError> {
    render_list(&state, &operator, query.text(), "", None).await
}

/// `POST /portal/integrations`: creates an integration without components.
pub(crate) async fn create(
    State(state): State<AppState>,
    Submitted { operator, fields }: Submitted,
) -> Result<Response, PortalError> {
    let text = fields.text("id");
    let id = match EntityId::parse(text, "id") {
        Ok(id) => id,
        Err(error) => return invalid(&state, &operator, text, &error.message).await,
    };
    operator.require("integration:add", &format!("integration/{id}"))?;

    let record = new_record(
        EntityKind::Integration,
        id.clone(),
        json!({"components": []}),
    );
    match state.store.create_entity(&operator.sub, &record).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/portal/integrations/{id}?notice=integration-created"
        ))
        .into_response()),
        Err(tether_store::StoreError::AlreadyExists) => {
            invalid(
                &state,
                &operator,
                text,
                "an integration with this id exists already",
            )
            .await
        }
        Err(error) => Err(PortalError::from_store(
            error,
            format!("integration '{id}'"),
        )),
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

async fn render_list(
    state: &AppState,
    operator: &Operator,
    notice: Option<&str>,
    new_id: &str,
    error: Option<&str>,
) -> Result<Html<String>, PortalError> {
    operator.require("integration:get", "integration")?;
    let page = state
        .store
        .list_entities(&operator.sub, EntityKind::Integration, &first_page())
        .await
        .map_err(PortalError::internal)?;

    let body = html! {
        h1 { "Integrations" }
        @if let Some(notice) = notice { (layout::notice(NoticeKind::Success, notice)) }
        @if page.items.is_empty() {
            p { "No integrations yet." }
        } @else {
            table {
                caption.hint { (page.total) " in total" }
                thead { tr { th scope="col" { "Id" } th scope="col" { "Components" } } }
                tbody {
                    @for record in &page.items {
                        tr {
                            td data-label="Id" {
                                a href={ "/portal/integrations/" (record.id) } { (record.id) }
                            }
                            td data-label="Components" {
                                @for (i, c) in components_of(record)?.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (c.name) " → " (c.connector)
                                }
                            }
                        }
                    }
                }
            }
        }
        @if operator.may("integration:add", "integration") {
            h2 id="new-integration" { "New integration" }
            form method="post" action="/portal/integrations" aria-labelledby="new-integration" {
                (layout::csrf(operator))
                (layout::text_field("id", "Integration id", new_id, error,
                    Some("1 to 64 letters, digits and '-'.")))
                button type="submit" { "Create integration" }
            }
        }
    };
    Ok(layout::page(
        operator,
        Section::Integrations,
        "Integrations",
        body,
    ))
}

/// `GET /portal/integrations/{id}`.
pub(crate) async fn detail(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Html<String>, PortalError> {
    operator.require("integration:get", &format!("integration/{id}"))?;
    let record = load(&state, &operator.sub, EntityKind::Integration, &id).await?;
    let components = components_of(&record)?;
    let dialog = components::form(&state, &operator, &id, &components::Draft::default()).await?;

    let body = html! {
        h1 { "Integration " (id) }
        @if let Some(notice) = query.text() { (layout::notice(NoticeKind::Success, notice)) }
        h2 { "Components" }
        @if components.is_empty() {
            p { "No components yet. Add a connector to let tenants connect." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Connector" }
                    th scope="col" { "Actions" }
                } }
                tbody {
                    @for c in &components {
                        tr {
                            td data-label="Name" { (c.name) }
                            td data-label="Connector" {
                                a href={ "/portal/connectors/" (c.connector) } { (c.connector) }
                            }
                            td data-label="Actions" {
                                (layout::button_form(&operator,
                                    &format!("/portal/integrations/{id}/components/{}/remove",
                                        c.name),
                                    &format!("Remove {}", c.name), true))
                            }
                        }
                    }
                }
            }
        }
        div.actions {
            a.button href={ "/portal/integrations/" (id) "/add-connector" }
                data-dialog="add-connector" { "Add connector" }
            a href={ "/portal/installs?integration=" (id) } { "Installs of this integration" }
        }
        dialog id="add-connector" aria-labelledby="add-connector-title" {
            (dialog)
        }
        h2 { "Danger zone" }
        (delete_form(&operator, &id))
    };
    Ok(layout::page(
        &operator,
        Section::Integrations,
        &format!("Integration {id}"),
        body,
    ))
}

fn delete_form(operator: &Operator, id: &str) -> Markup {
    html! {
        p.hint { "Deleting an integration also deletes its installs and their identities." }
        (layout::button_form(operator, &format!("/portal/integrations/{id}/delete"),
            "Delete integration", true))
    }
}

/// `POST /portal/integrations/{id}/delete`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { operator, .. }: Submitted,
) -> Result<Redirect, PortalError> {
    operator.require("integration:delete", &format!("integration/{id}"))?;
    let parsed = EntityId::parse(&id, "id")?;

    state
        .store
        .delete_entity(&operator.sub, EntityKind::Integration, &parsed)
        .await
        .map_err(|e| PortalError::from_store(e, format!("integration '{id}'")))?;
    Ok(Redirect::to(
        "/portal/integrations?notice=integration-deleted",
    ))
}
