//! Clients of the account and their API keys: create a client with a permission list, create a
//! key (its token shown once, on the page that created it), list, revoke.

use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use maud::html;
use tether_domain::ids::{ClientId, KeyId};
use tether_domain::permission::{Access, Permission};
use tether_domain::time::EpochMillis;
use tether_store::{ClientRecord, KeyRecord, Meta};

use super::{first_page, NoticeQuery};
use crate::auth::ApiKey;
use crate::http::{new_version, AppState};
use crate::portal::form::Submitted;
use crate::portal::layout::{self, NoticeKind, Section};
use crate::portal::session::Operator;
use crate::portal::PortalError;

/// `GET /portal/keys`.
pub(crate) async fn list(
    State(state): State<AppState>,
    operator: Operator,
    Query(query): Query<NoticeQuery>,
) -> Result<Html<String>, PortalError> {
    render(&state, &operator, query.text(), None, &Draft::default()).await
}

/// A key just made: its token, shown this once.
struct Created {
    client: ClientId,
    token: tether_domain::Secret,
}

/// The new-client form's values and error.
#[derive(Default)]
struct Draft {
    name: String,
    permissions: String,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    operator: &Operator,
    notice: Option<&str>,
    created: Option<&Created>,
    draft: &Draft,
) -> Result<Html<String>, PortalError> {
    operator.require_account("client:get", "client")?;
    let account = &operator.sub.account;
    let clients = state
        .store
        .list_clients(account, &first_page())
        .await
        .map_err(PortalError::internal)?;
    let mut sections = Vec::new();
    for client in &clients.items {
        let keys = if operator.may_account("key:get", &format!("client/{}/key", client.id)) {
            Some(
                state
                    .store
                    .list_keys(account, &client.id)
                    .await
                    .map_err(PortalError::internal)?,
            )
        } else {
            None
        };
        sections.push((client, keys));
    }

    let body = html! {
        h1 { "Clients and keys" }
        @if let Some(notice) = notice { (layout::notice(NoticeKind::Success, notice)) }
        @if let Some(created) = created {
            div.panel role="status" {
                p.notice.success { "Key created for " (created.client) ". Copy it now: it is \
                                    not shown again." }
                p.secret-once id="new-key" { (created.token.expose()) }
            }
        }
        @for (client, keys) in &sections {
            section.panel aria-label={ "Client " (client.id) } {
                h2 { (client.display_name.as_deref().unwrap_or("(unnamed client)")) " "
                     small { code { (client.id) } } }
                h3 { "Permissions" }
                ul {
                    @for p in &client.access.allow {
                        li { code { (p.action) } " on " code { (p.resource) } }
                    }
                }
                @if let Some(keys) = keys {
                    h3 { "Keys" }
                    (key_table(operator, client, keys))
                }
                @if operator.may_account("key:add", &format!("client/{}/key", client.id)) {
                    form method="post" action={ "/portal/clients/" (client.id) "/keys" } {
                        (layout::csrf(operator))
                        (layout::text_field(&format!("key-name-{}", client.id), "New key name",
                            "", None, None))
                        button type="submit" { "Create key" }
                    }
                }
            }
        }
        @if operator.may_account("client:add", "client") {
            h2 id="new-client" { "New client" }
            @if let Some(error) = &draft.error { (layout::notice(NoticeKind::Error, error)) }
            form method="post" action="/portal/clients" aria-labelledby="new-client" {
                (layout::csrf(operator))
                (layout::text_field("name", "Display name", &draft.name, None, None))
                div.field {
                    label for="permissions" { "Permissions" }
                    textarea id="permissions" name="permissions" rows="4"
                        aria-describedby="permissions-help"
                        aria-invalid=[draft.error.as_ref().map(|_| "true")]
                        { (draft.permissions) }
                    (layout::help("permissions-help", None, Some(
                        "One per line: an action and a resource, e.g. \
                         install:get /account/…/subscription/…/integration/crm/")))
                }
                button type="submit" { "Create client" }
            }
        }
    };
    Ok(layout::page(operator, Section::Keys, "Keys", body))
}

fn key_table(operator: &Operator, client: &ClientRecord, keys: &[KeyRecord]) -> maud::Markup {
    let now = EpochMillis::now();
    html! {
        @if keys.is_empty() { p { "No keys." } } @else {
            table {
                thead { tr {
                    th scope="col" { "Key" } th scope="col" { "Name" } th scope="col" { "Added" }
                    th scope="col" { "State" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for key in keys {
                        @let expired = key.expires_at.is_some_and(|at| now >= at);
                        @let active = key.revoked_at.is_none() && !expired;
                        tr {
                            td data-label="Key" {
                                code { (key.id) }
                                @if key.id == operator.caller.key.id { " (this session)" }
                            }
                            td data-label="Name" { (key.display_name.as_deref().unwrap_or("—")) }
                            td data-label="Added" { (layout::time(Some(key.date_added))) }
                            td data-label="State" {
                                @if key.revoked_at.is_some() {
                                    "revoked " (layout::time(key.revoked_at))
                                } @else if expired { "expired" }
                                @else if key.expires_at.is_some() {
                                    "active until " (layout::time(key.expires_at))
                                } @else { "active" }
                            }
                            td data-label="Actions" {
                                @if active && operator.may_account("key:delete",
                                    &format!("client/{}/key/{}", client.id, key.id)) {
                                    (layout::button_form(operator,
                                        &format!("/portal/clients/{}/keys/{}/revoke",
                                            client.id, key.id),
                                        &format!("Revoke {}", key.id), true))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /portal/clients/{client}/keys`: a new key, shown once in the answer.
pub(crate) async fn create_key(
    State(state): State<AppState>,
    Path(client): Path<String>,
    Submitted { operator, fields }: Submitted,
) -> Result<Html<String>, PortalError> {
    operator.require_account("key:add", &format!("client/{client}/key"))?;
    let account = operator.sub.account.clone();
    let client = ClientId::parse(&client)?;
    let holder = state
        .store
        .get_client(&account, &client)
        .await
        .map_err(|e| PortalError::from_store(e, format!("client '{client}'")))?;
    // Nobody gets a key for a client that can do more than they can.
    if operator
        .caller
        .require_covers(&holder.access, "access")
        .is_err()
    {
        return Err(PortalError::Forbidden);
    }
    let name = fields.text(&format!("key-name-{client}"));
    if name.len() > 256 {
        return Err(PortalError::BadRequest(
            "the key name is longer than 256 bytes".into(),
        ));
    }

    let key = ApiKey::generate();
    let record = KeyRecord {
        id: KeyId::generate(),
        account,
        client: client.clone(),
        display_name: Some(name.to_owned()).filter(|n| !n.is_empty()),
        hash: key.hash(),
        expires_at: None,
        revoked_at: None,
        date_added: EpochMillis::now(),
    };
    state
        .store
        .create_key(&record)
        .await
        .map_err(|e| PortalError::from_store(e, "key"))?;
    let created = Created {
        client,
        token: key.secret().clone(),
    };
    render(&state, &operator, None, Some(&created), &Draft::default()).await
}

/// `POST /portal/clients/{client}/keys/{key}/revoke`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Path((client, key)): Path<(String, String)>,
    Submitted { operator, .. }: Submitted,
) -> Result<Redirect, PortalError> {
    operator.require_account("key:delete", &format!("client/{client}/key/{key}"))?;
    let client = ClientId::parse(&client)?;
    let key = KeyId::parse(&key)?;

    let holder = state
        .store
        .get_client(&operator.sub.account, &client)
        .await
        .map_err(|e| PortalError::from_store(e, format!("client '{client}'")))?;
    if operator
        .caller
        .require_covers(&holder.access, "access")
        .is_err()
    {
        return Err(PortalError::Forbidden);
    }
    state
        .store
        .revoke_key(&operator.sub.account, &client, &key, EpochMillis::now())
        .await
        .map_err(|e| PortalError::from_store(e, format!("key '{key}'")))?;
    Ok(Redirect::to("/portal/keys?notice=key-revoked"))
}

/// `POST /portal/clients`: a client with a permission list.
pub(crate) async fn create_client(
    State(state): State<AppState>,
    Submitted { operator, fields }: Submitted,
) -> Result<axum::response::Response, PortalError> {
    use axum::response::IntoResponse;

    operator.require_account("client:add", "client")?;
    let mut draft = Draft {
        name: fields.text("name").to_owned(),
        permissions: fields.get("permissions").unwrap_or("").to_owned(),
        error: None,
    };
    let access = match parse_permissions(&draft.permissions) {
        Ok(access) => access,
        Err(error) => {
            draft.error = Some(error);
            let page = render(&state, &operator, None, None, &draft).await?;
            return Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    if let Some(i) = operator.caller.client.access.first_uncovered(&access) {
        draft.error = Some(format!(
            "Permission line {}: grants more than your own access",
            i + 1
        ));
        let page = render(&state, &operator, None, None, &draft).await?;
        return Ok((axum::http::StatusCode::FORBIDDEN, page).into_response());
    }

    let now = EpochMillis::now();
    let client = ClientRecord {
        id: ClientId::generate(),
        account: operator.sub.account.clone(),
        display_name: Some(draft.name.clone()).filter(|n| !n.is_empty()),
        access,
        meta: Meta {
            tags: Default::default(),
            version: new_version(),
            date_added: now,
            date_modified: now,
        },
    };
    state
        .store
        .create_client(&client)
        .await
        .map_err(|e| PortalError::from_store(e, "client"))?;
    Ok(Redirect::to("/portal/keys?notice=client-created").into_response())
}

/// `action resource` lines into an access list, validated as the API validates it.
fn parse_permissions(text: &str) -> Result<Access, String> {
    let mut allow = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let mut parts = line.split_whitespace();
        let (Some(action), Some(resource), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "Permission line {}: write an action and a resource",
                i + 1
            ));
        };
        allow.push(Permission {
            action: action.to_owned(),
            resource: resource.to_owned(),
        });
    }
    let value = serde_json::to_value(Access { allow }).unwrap_or_default();
    Access::validate(&value, "permissions").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_lines_become_an_access_list() {
        let access = parse_permissions("install:get /account/a/\n\n  * / \n").unwrap();

        assert_eq!(access.allow.len(), 2);
        assert_eq!(access.allow[1].action, "*");
        assert!(parse_permissions("install:get").is_err());
        assert!(parse_permissions("install:get nope").is_err());
    }
}
