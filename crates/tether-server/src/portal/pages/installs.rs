//! Installs by tenant: each tenant's token status per component (as the identity routes show
//! it), "re-exchange now", and delete.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use tether_domain::ccf::CcfConfig;
use tether_domain::ids::{EntityId, IdentityId, InstallId};
use tether_domain::tags::{TagFilter, TENANT_TAG};
use tether_domain::time::EpochMillis;
use tether_store::{EntityKind, InstallRecord};

use super::{encode, first_page, load, NoticeQuery};
use crate::ccf::TokenError;
use crate::http::{token_status, AppState};
use crate::portal::form::Submitted;
use crate::portal::layout::{self, NoticeKind, Section};
use crate::portal::session::Operator;
use crate::portal::PortalError;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    integration: String,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// `GET /portal/installs?tenant=…&integration=…`.
pub(crate) async fn search(
    State(state): State<AppState>,
    operator: Operator,
    Query(query): Query<SearchQuery>,
) -> Result<Html<String>, PortalError> {
    let banner = query
        .notice
        .text()
        .map(|t| (NoticeKind::Success, t.to_owned()));
    render(&state, &operator, &query, banner).await
}

async fn render(
    state: &AppState,
    operator: &Operator,
    query: &SearchQuery,
    banner: Option<(NoticeKind, String)>,
) -> Result<Html<String>, PortalError> {
    let tenant = query.tenant.trim();
    let integration = query.integration.trim();
    let integration_id = match integration {
        "" => None,
        id => Some(EntityId::parse(id, "integration")?),
    };
    match &integration_id {
        Some(id) => operator.require("install:get", &format!("integration/{id}/install"))?,
        None => operator.require("install:get", "install")?,
    }

    let mut list = first_page();
    if !tenant.is_empty() {
        list.tags
            .push(TagFilter::parse(&format!("{TENANT_TAG}={tenant}"))?);
    }
    let page = state
        .store
        .list_installs(&operator.sub, integration_id.as_ref(), &list)
        .await
        .map_err(PortalError::internal)?;
    let mut configs = HashMap::new();
    let mut rows = Vec::new();
    for install in &page.items {
        rows.push(install_row(state, operator, query, install, &mut configs).await?);
    }

    let body = html! {
        h1 { "Installs" }
        @if let Some((kind, text)) = &banner { (layout::notice(*kind, text)) }
        form method="get" action="/portal/installs" role="search" {
            (layout::text_field("tenant", "Tenant id", tenant, None,
                Some("The tenant's fusebit.tenantId tag, e.g. ops@acme.example.")))
            @if !integration.is_empty() {
                input type="hidden" name="integration" value=(integration);
            }
            button type="submit" { "Search" }
        }
        p.hint {
            (page.total) " install(s)"
            @if !tenant.is_empty() { " of tenant " strong { (tenant) } }
            @if !integration.is_empty() { " of integration " strong { (integration) } }
        }
        @for row in &rows { (row) }
    };
    Ok(layout::page(operator, Section::Installs, "Installs", body))
}

async fn install_row(
    state: &AppState,
    operator: &Operator,
    query: &SearchQuery,
    install: &InstallRecord,
    configs: &mut HashMap<EntityId, Option<CcfConfig>>,
) -> Result<Markup, PortalError> {
    let tenant = install
        .tenant
        .as_ref()
        .map(|t| t.as_str())
        .unwrap_or("(no tenant)");
    let base = format!("/portal/installs/{}/{}", install.integration, install.id);
    let components: Vec<(&String, &Value)> = install
        .data
        .as_object()
        .map(|map| map.iter().collect())
        .unwrap_or_default();

    let mut cells = Vec::new();
    for (name, reference) in components {
        let status = component_status(state, operator, reference, configs).await?;
        cells.push((name.clone(), status));
    }

    Ok(html! {
        section.panel aria-label={ "Install of tenant " (tenant) } {
            h2 { "Tenant " (tenant) }
            dl.facts {
                dt { "Integration" } dd {
                    a href={ "/portal/integrations/" (install.integration) } {
                        (install.integration)
                    }
                }
                dt { "Install" } dd { code { (install.id) } }
                dt { "Added" } dd { (layout::time(Some(install.meta.date_added))) }
            }
            table {
                thead { tr {
                    th scope="col" { "Component" } th scope="col" { "Token" }
                    th scope="col" { "Expires" } th scope="col" { "Last exchange" }
                    th scope="col" { "Last error" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for (name, status) in &cells {
                        tr {
                            td data-label="Component" { (name) }
                            (status)
                            td data-label="Actions" {
                                form.inline method="post" action={ (base) "/refresh" } {
                                    (layout::csrf(operator))
                                    input type="hidden" name="component" value=(name);
                                    input type="hidden" name="tenant" value=(query.tenant);
                                    button.secondary type="submit" { "Re-exchange now" }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action={ (base) "/delete" } {
                (layout::csrf(operator))
                input type="hidden" name="tenant" value=(query.tenant);
                button.danger type="submit" { "Delete install of " (tenant) }
            }
        }
    })
}

/// The status cells of one component's identity (four `td`s).
async fn component_status(
    state: &AppState,
    operator: &Operator,
    reference: &Value,
    configs: &mut HashMap<EntityId, Option<CcfConfig>>,
) -> Result<Markup, PortalError> {
    let ids = reference["parentEntityId"]
        .as_str()
        .and_then(|c| EntityId::parse(c, "connector").ok())
        .zip(
            reference["entityId"]
                .as_str()
                .and_then(|i| IdentityId::parse(i).ok()),
        );
    let Some((connector, identity_id)) = ids else {
        return Ok(status_cells("none", None, None, None));
    };
    if !operator.may(
        "identity:get",
        &format!("connector/{connector}/identity/{identity_id}"),
    ) {
        return Ok(html! { td colspan="4" { "You may not see this identity." } });
    }
    if !configs.contains_key(&connector) {
        let config = load(
            state,
            &operator.sub,
            EntityKind::Connector,
            connector.as_str(),
        )
        .await
        .ok()
        .and_then(|r| CcfConfig::from_json(&r.data["configuration"]).ok());
        configs.insert(connector.clone(), config);
    }
    let config = configs
        .get(&connector)
        .cloned()
        .flatten()
        .unwrap_or_default();
    let identity = match state
        .store
        .get_identity(&operator.sub, &connector, &identity_id)
        .await
    {
        Ok(identity) => identity,
        Err(tether_store::StoreError::NotFound) => {
            return Ok(status_cells("none", None, None, None))
        }
        Err(error) => return Err(PortalError::internal(error)),
    };

    let token = token_status(&config, &identity, EpochMillis::now());
    let at = |key: &str| token[key].as_i64().map(EpochMillis);
    let error = token.get("lastError").map(|e| {
        format!(
            "{}: {}",
            e["code"].as_str().unwrap_or(""),
            e["message"].as_str().unwrap_or("")
        )
    });
    let status = token["status"].as_str().unwrap_or("none");
    Ok(status_cells(
        status,
        at("expiresAt"),
        at("lastExchangeAt"),
        error,
    ))
}

fn status_cells(
    status: &str,
    expires: Option<EpochMillis>,
    exchanged: Option<EpochMillis>,
    error: Option<String>,
) -> Markup {
    html! {
        td data-label="Token" {
            span class={ "status status-" (status) } data-status=(status) { (status) }
        }
        td data-label="Expires" { (layout::time(expires)) }
        td data-label="Last exchange" { (layout::time(exchanged)) }
        td data-label="Last error" { (error.as_deref().unwrap_or("—")) }
    }
}

fn resolve(integration: &str, install: &str) -> Result<(EntityId, InstallId), PortalError> {
    let not_found = || PortalError::NotFound(format!("install '{install}' not found"));
    Ok((
        EntityId::parse(integration, "integration").map_err(|_| not_found())?,
        InstallId::parse(install).map_err(|_| not_found())?,
    ))
}

/// `POST /portal/installs/{integration}/{install}/refresh`: a forced exchange of one component.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    Path((integration, install)): Path<(String, String)>,
    Submitted { operator, fields }: Submitted,
) -> Result<Html<String>, PortalError> {
    operator.require(
        "install:get",
        &format!("integration/{integration}/install/{install}"),
    )?;
    let (integration_id, install_id) = resolve(&integration, &install)?;
    let record = state
        .store
        .get_install(&operator.sub, &integration_id, &install_id)
        .await
        .map_err(|e| PortalError::from_store(e, format!("install '{install}'")))?;
    let component = fields.text("component");
    let reference = &record.data[component];
    let (Some(connector), Some(identity)) = (
        reference["parentEntityId"].as_str(),
        reference["entityId"].as_str(),
    ) else {
        return Err(PortalError::NotFound(format!(
            "component '{component}' not found"
        )));
    };
    operator.require("connector:execute", &format!("connector/{connector}"))?;

    let connector_record = load(&state, &operator.sub, EntityKind::Connector, connector).await?;
    let config = CcfConfig::from_json(&connector_record.data["configuration"])
        .map_err(PortalError::internal)?;
    let identity = state
        .store
        .get_identity(
            &operator.sub,
            &connector_record.id,
            &IdentityId::parse(identity)?,
        )
        .await
        .map_err(|e| PortalError::from_store(e, "identity"))?;
    let tenant = record
        .tenant
        .as_ref()
        .map(|t| t.as_str())
        .unwrap_or("(no tenant)");
    let outcome = state
        .tokens
        .serve(&operator.sub, connector, &config, identity, true)
        .await;

    let banner = match outcome {
        Ok(served) => (
            NoticeKind::Success,
            format!(
                "New token obtained for tenant {tenant} ({component}), valid until {}.",
                served.expires_at.to_rfc3339()
            ),
        ),
        Err(TokenError::Internal(error)) => return Err(PortalError::Internal(error)),
        Err(error) => (
            NoticeKind::Error,
            match error.code() {
                Some(code) => format!("Re-exchange failed ({code}): {error}"),
                None => format!("Re-exchange failed: {error}"),
            },
        ),
    };
    let query = SearchQuery {
        tenant: fields.text("tenant").to_owned(),
        ..SearchQuery::default()
    };
    render(&state, &operator, &query, Some(banner)).await
}

/// `POST /portal/installs/{integration}/{install}/delete`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((integration, install)): Path<(String, String)>,
    Submitted { operator, fields }: Submitted,
) -> Result<Redirect, PortalError> {
    operator.require(
        "install:delete",
        &format!("integration/{integration}/install/{install}"),
    )?;
    let (integration_id, install_id) = resolve(&integration, &install)?;

    state
        .store
        .delete_install(&operator.sub, &integration_id, &install_id)
        .await
        .map_err(|e| PortalError::from_store(e, format!("install '{install}'")))?;
    Ok(Redirect::to(&format!(
        "/portal/installs?tenant={}&notice=install-deleted",
        encode(fields.text("tenant"))
    )))
}
