//! Commit (SPEC §7.3): run what has not run, then write install and identities in one
//! transaction. A second commit of the same session answers with the same install.

use serde_json::{json, Map, Value};
use tether_domain::ids::{EntityId, InstallId, SessionId};
use tether_domain::time::EpochMillis;
use tether_domain::Secret;
use tether_store::{CommitPlan, IdentityWrite, StoreError, SubscriptionRef};

use super::{run_steps_for_commit, StepStatus};
use crate::crypto::Purpose;
use crate::http::{ApiError, AppState};

/// Commits the session; returns the install it wrote (or wrote before).
pub async fn commit(
    state: &AppState,
    sub: &SubscriptionRef,
    integration: &EntityId,
    sid: &SessionId,
) -> Result<InstallId, ApiError> {
    let run = run_steps_for_commit(state, sub, integration, sid).await?;
    if let Some(install) = run.record.install {
        return Ok(install);
    }
    if let Some(step) = run
        .data
        .components
        .iter()
        .find(|s| s.status != StepStatus::Success)
    {
        return Err(ApiError::StepFailed {
            component: step.name.clone(),
            failure: step.error.clone(),
        });
    }

    let mut identities = Vec::with_capacity(run.data.components.len());
    for step in &run.data.components {
        let (Some(input), Some(token)) = (
            run.sealed.input.get(&step.name),
            run.sealed.tokens.get(&step.name),
        ) else {
            return Err(ApiError::internal(IncompleteStep(step.name.clone())));
        };
        let mut data = Map::new();
        data.insert("client_id".into(), json!(input.client_id));
        if let Some(scope) = token.payload.scope.as_ref().or(input.scope.as_ref()) {
            data.insert("scope".into(), json!(scope));
        }
        if let Some(audience) = &input.audience {
            data.insert("audience".into(), json!(audience));
        }
        // The tenant's requested scope is what re-exchanges send; the granted one is shown.
        if let Some(requested) = &input.scope {
            data.insert("requested_scope".into(), json!(requested));
        }

        identities.push(IdentityWrite {
            component: step.name.clone(),
            connector: EntityId::parse(&step.entity_id, "entityId")?,
            data: Value::Object(data),
            sealed_secret: state.sealer.seal_secret(
                Purpose::ClientSecret,
                &Secret::new(input.client_secret.clone()),
            ),
            token: state.tokens.seal_step(token)?,
        });
    }

    let install_id = run
        .data
        .install_id
        .as_deref()
        .map(InstallId::parse)
        .transpose()?;
    let mut tags = run.record.meta.tags.clone();
    if run.data.extend_tags {
        if let Some(existing) =
            existing_install(state, sub, integration, &install_id, &tags).await?
        {
            let mut merged = existing.meta.tags;
            merged.extend(&tags);
            tags = merged;
        }
    }

    let plan = CommitPlan {
        session: sid.clone(),
        integration: integration.clone(),
        install_id,
        tags,
        identities,
        session_data: run.record.data.clone(),
        now: EpochMillis::now(),
    };
    match state.store.commit_session(sub, &plan).await {
        Ok(install) => Ok(install.id),
        Err(StoreError::AlreadyCommitted { install_id }) => Ok(InstallId::parse(&install_id)?),
        // Only a reconfiguration by `installId` can move an install onto a tenant that has one.
        Err(StoreError::AlreadyExists) => Err(ApiError::Conflict(match plan.tags.tenant() {
            Some(tenant) => format!(
                "tenant '{tenant}' already has another install of integration '{integration}'"
            ),
            None => format!("install of session '{sid}' already exists"),
        })),
        Err(error) => Err(ApiError::from_store(
            error,
            format!("install of session '{sid}'"),
        )),
    }
}

async fn existing_install(
    state: &AppState,
    sub: &SubscriptionRef,
    integration: &EntityId,
    install_id: &Option<InstallId>,
    tags: &tether_domain::tags::Tags,
) -> Result<Option<tether_store::InstallRecord>, ApiError> {
    let found = match (install_id, tags.tenant()) {
        (Some(id), _) => Some(state.store.get_install(sub, integration, id).await),
        (None, Some(tenant)) => state
            .store
            .find_install_by_tenant(sub, integration, &tenant)
            .await
            .transpose(),
        (None, None) => None,
    };
    found
        .transpose()
        .map_err(|e| ApiError::from_store(e, "install"))
}

#[derive(Debug, thiserror::Error)]
#[error("session step {0} succeeded without input or token")]
struct IncompleteStep(String);
