//! The connector's "Test" action: one exchange with credentials typed into the page, which are
//! used once and never stored, logged or shown again. The outcome shows that a token was
//! obtained (its type, lifetime and scope), never the token; or the upstream error.

use axum::extract::{Path, State};
use axum::response::Html;
use maud::{html, Markup};
use tether_domain::ccf::{CcfConfig, CcfInput};
use tether_domain::time::EpochMillis;
use tether_domain::Secret;
use tether_store::EntityKind;

use super::connectors::{render_detail, Detail};
use super::load;
use crate::ccf::TokenError;
use crate::http::AppState;
use crate::portal::form::Submitted;
use crate::portal::layout;
use crate::portal::session::Operator;
use crate::portal::PortalError;

/// What the test form shows: the non-secret inputs, and the last outcome.
#[derive(Debug, Default)]
pub(crate) struct TestView {
    client_id: String,
    scope: String,
    audience: String,
    outcome: Option<Outcome>,
}

#[derive(Debug)]
enum Outcome {
    Obtained {
        token_type: String,
        lifetime_seconds: u64,
        expires_at: EpochMillis,
        scope: Option<String>,
    },
    Refused {
        code: String,
        message: String,
        description: Option<String>,
        uri: Option<String>,
        status: Option<u16>,
    },
    Invalid(String),
}

/// `POST /portal/connectors/{id}/test`.
pub(crate) async fn run(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { operator, fields }: Submitted,
) -> Result<Html<String>, PortalError> {
    operator.require("connector:execute", &format!("connector/{id}"))?;
    let record = load(&state, &operator.sub, EntityKind::Connector, &id).await?;
    let config =
        CcfConfig::from_json(&record.data["configuration"]).map_err(PortalError::internal)?;

    let mut view = TestView {
        client_id: fields.text("client_id").to_owned(),
        scope: fields.text("test_scope").to_owned(),
        audience: fields.text("test_audience").to_owned(),
        outcome: None,
    };
    let secret = Secret::new(fields.get("client_secret").unwrap_or(""));
    view.outcome = Some(if view.client_id.is_empty() || secret.expose().is_empty() {
        Outcome::Invalid("Enter a client id and a client secret to test with.".into())
    } else {
        let input = CcfInput {
            client_id: view.client_id.clone(),
            client_secret: secret,
            scope: Some(view.scope.clone()).filter(|s| !s.is_empty()),
            audience: Some(view.audience.clone()).filter(|s| !s.is_empty()),
        };
        exchange(&state, &id, &config, &input).await?
    });

    render_detail(
        &state,
        &operator,
        &record,
        Detail {
            test: view,
            ..Detail::default()
        },
    )
    .await
}

async fn exchange(
    state: &AppState,
    id: &str,
    config: &CcfConfig,
    input: &CcfInput,
) -> Result<Outcome, PortalError> {
    match state.tokens.exchange_for_step(id, config, input).await {
        Ok(step) => Ok(Outcome::Obtained {
            token_type: "Bearer".into(),
            lifetime_seconds: step.lifetime_seconds,
            expires_at: EpochMillis(step.expires_at),
            scope: step.payload.scope,
        }),
        Err(TokenError::NotConfigured(_)) => Ok(Outcome::Invalid(
            "This connector has no token URL yet: save one first.".into(),
        )),
        Err(TokenError::Upstream(failure)) => Ok(Outcome::Refused {
            code: failure.code,
            message: failure.message,
            description: failure.error_description,
            uri: failure.error_uri,
            status: failure.status,
        }),
        Err(error @ TokenError::LockTimeout) => Ok(Outcome::Invalid(error.to_string())),
        Err(TokenError::Internal(error)) => Err(PortalError::Internal(error)),
    }
}

/// The test section of the connector page. The secret field is always empty.
pub(crate) fn render(operator: &Operator, id: &str, view: &TestView) -> Markup {
    html! {
        h2 id="test" { "Test the exchange" }
        p.hint { "Runs one exchange with the saved settings and the credentials below. \
                  Nothing is stored." }
        @if let Some(outcome) = &view.outcome { (outcome_panel(outcome)) }
        form method="post" action={ "/portal/connectors/" (id) "/test#test" }
            aria-labelledby="test" {
            (layout::csrf(operator))
            (layout::text_field("client_id", "Client id", &view.client_id, None, None))
            div.field {
                label for="client_secret" { "Client secret" }
                input type="password" id="client_secret" name="client_secret"
                    autocomplete="off" value="";
            }
            (layout::text_field("test_scope", "Scope (optional)", &view.scope, None, None))
            (layout::text_field("test_audience", "Audience (optional)", &view.audience, None,
                None))
            button type="submit" { "Run test" }
        }
    }
}

fn outcome_panel(outcome: &Outcome) -> Markup {
    match outcome {
        Outcome::Obtained {
            token_type,
            lifetime_seconds,
            expires_at,
            scope,
        } => html! {
            div.panel id="test-result" role="status" {
                p.notice.success { "Success: the endpoint issued an access token." }
                dl.facts {
                    dt { "Token type" } dd { (token_type) }
                    dt { "Lifetime" } dd { (lifetime_seconds) " s" }
                    dt { "Expires" } dd { (layout::time(Some(*expires_at))) }
                    dt { "Scope" } dd { (scope.as_deref().unwrap_or("—")) }
                }
                p.hint { "The token itself is not shown." }
            }
        },
        Outcome::Refused {
            code,
            message,
            description,
            uri,
            status,
        } => html! {
            div.panel id="test-result" role="alert" {
                p.notice.error { "Failed: " code { (code) } }
                dl.facts {
                    dt { "Error" } dd { code { (code) } }
                    @if let Some(description) = description {
                        dt { "Description" } dd { (description) }
                    }
                    @if let Some(uri) = uri { dt { "More information" } dd { (uri) } }
                    @if let Some(status) = status { dt { "HTTP status" } dd { (status) } }
                    dt { "Details" } dd { (message) }
                }
            }
        },
        Outcome::Invalid(text) => html! {
            div.panel id="test-result" role="alert" {
                (layout::notice(layout::NoticeKind::Error, text))
            }
        },
    }
}
