//! Running a trunk session's invisible CCF steps: the exchange happens here, server-side, once.

use std::time::Duration;

use tether_domain::ccf::CcfConfig;
use tether_domain::ids::{EntityId, SessionId};
use tether_domain::time::EpochMillis;
use tether_store::{EntityKind, SessionRecord, SubscriptionRef};

use super::{SealedState, StepStatus, TrunkData};
use crate::ccf::{LockGuard, TokenError};
use crate::crypto::Purpose;
use crate::http::{ApiError, AppState};

/// How long a second visit waits for a first one still running the steps.
const STEP_LOCK_WAIT: Duration = Duration::from_secs(120);

/// A trunk session with its data and opened sealed state, holding the session's step lock.
pub struct StepRun {
    pub record: SessionRecord,
    pub data: TrunkData,
    pub sealed: SealedState,
    /// Released when the run is dropped: nobody else runs or commits this session meanwhile.
    _guard: LockGuard,
}

/// The trunk session `sid` of `integration`: 404 when unknown, expired or not a trunk.
pub async fn load_trunk(
    state: &AppState,
    sub: &SubscriptionRef,
    integration: Option<&EntityId>,
    sid: &SessionId,
) -> Result<(SessionRecord, TrunkData), ApiError> {
    let not_found = || ApiError::not_found(format!("session '{sid}'"));
    let record = state
        .store
        .get_session(sub, sid)
        .await
        .map_err(|e| ApiError::from_store(e, format!("session '{sid}'")))?;
    if integration.is_some_and(|id| id != &record.integration)
        || record.expires <= EpochMillis::now()
    {
        return Err(not_found());
    }

    let data: TrunkData = serde_json::from_value(record.data.clone()).map_err(|_| not_found())?;
    Ok((record, data))
}

/// Runs the pending steps in order (only `only`, when given), stopping at the first failure, and
/// saves the outcome. A committed session is returned as it is.
pub async fn run_pending_steps(
    state: &AppState,
    sub: &SubscriptionRef,
    integration: Option<&EntityId>,
    sid: &SessionId,
    only: Option<&str>,
) -> Result<StepRun, ApiError> {
    let (mut run, changed) = run_steps(state, sub, integration, sid, only).await?;

    if changed {
        save(state, sub, &mut run).await?;
    }
    Ok(run)
}

/// Runs every pending step for a commit and keeps the session's lock until the run is dropped.
/// The outcome is saved here only when a step failed: after a full success the commit
/// transaction writes it with the install, one database write fewer per flow. Should that
/// transaction fail, the next commit exchanges again.
pub async fn run_steps_for_commit(
    state: &AppState,
    sub: &SubscriptionRef,
    integration: &EntityId,
    sid: &SessionId,
) -> Result<StepRun, ApiError> {
    let (mut run, changed) = run_steps(state, sub, Some(integration), sid, None).await?;

    let failed = run
        .data
        .components
        .iter()
        .any(|step| step.status != StepStatus::Success);
    if changed && failed {
        save(state, sub, &mut run).await?;
    }
    Ok(run)
}

/// Runs the pending steps under the session's lock; `true` when a step ran, in which case
/// `record.data` shows the new statuses but nothing is saved yet.
async fn run_steps(
    state: &AppState,
    sub: &SubscriptionRef,
    integration: Option<&EntityId>,
    sid: &SessionId,
    only: Option<&str>,
) -> Result<(StepRun, bool), ApiError> {
    let guard = state
        .tokens
        .lock()
        .acquire(&format!("session:{sid}"), STEP_LOCK_WAIT)
        .await
        .ok_or_else(|| ApiError::Conflict(format!("session '{sid}' is busy")))?;

    let (mut record, mut data) = load_trunk(state, sub, integration, sid).await?;
    let Some(sealed_bytes) = &record.sealed else {
        let run = StepRun {
            record,
            data,
            sealed: SealedState::default(),
            _guard: guard,
        };
        return Ok((run, false));
    };
    let plaintext = state
        .sealer
        .open(Purpose::SessionState, sealed_bytes)
        .map_err(ApiError::internal)?;
    let mut sealed: SealedState = serde_json::from_slice(&plaintext).map_err(ApiError::internal)?;

    let mut changed = false;
    for step in data.components.iter_mut() {
        if only.is_some_and(|name| name != step.name) {
            continue;
        }
        match step.status {
            StepStatus::Success => continue,
            StepStatus::Failed => break,
            StepStatus::Pending => {}
        }
        let Some(input) = sealed.input.get(&step.name) else {
            return Err(ApiError::internal(MissingInput(step.name.clone())));
        };

        let connector = EntityId::parse(&step.entity_id, "entityId")?;
        let record = state
            .store
            .get_entity(sub, EntityKind::Connector, &connector)
            .await
            .map_err(|e| ApiError::from_store(e, format!("connector '{connector}'")))?;
        let config =
            CcfConfig::from_json(&record.data["configuration"]).map_err(ApiError::internal)?;

        changed = true;
        let outcome = state
            .tokens
            .exchange_for_step(connector.as_str(), &config, &input.to_input())
            .await;
        match outcome {
            Ok(token) => {
                sealed.tokens.insert(step.name.clone(), token);
                step.status = StepStatus::Success;
            }
            Err(TokenError::Upstream(failure)) => {
                tracing::info!(component = %step.name, code = %failure.code, "session step failed");
                step.status = StepStatus::Failed;
                step.error = Some(failure);
                break;
            }
            Err(other) => return Err(other.into()),
        }
    }

    if changed {
        record.data = serde_json::to_value(&data).map_err(ApiError::internal)?;
    }
    let run = StepRun {
        record,
        data,
        sealed,
        _guard: guard,
    };
    Ok((run, changed))
}

/// Saves the steps' outcome (statuses and the sealed tokens) into the session.
async fn save(state: &AppState, sub: &SubscriptionRef, run: &mut StepRun) -> Result<(), ApiError> {
    let plaintext = serde_json::to_vec(&run.sealed).map_err(ApiError::internal)?;
    let expected = run.record.meta.version.clone();

    let record = &mut run.record;
    record.sealed = Some(state.sealer.seal(Purpose::SessionState, &plaintext));
    record.meta.version = crate::http::new_version();
    record.meta.date_modified = EpochMillis::now();
    state
        .store
        .put_session(sub, record, &expected)
        .await
        .map_err(|e| ApiError::from_store(e, format!("session '{}'", record.id)))
}

#[derive(Debug, thiserror::Error)]
#[error("session has no sealed input for component {0}")]
struct MissingInput(String);
