//! Serving tokens: the lifetime rule of §6.4, one exchange per identity, cooldown after a
//! permanent failure, and the old token while it lasts when a re-exchange fails.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tether_domain::ccf::{CcfConfig, CcfInput};
use tether_domain::time::EpochMillis;
use tether_domain::Secret;
use tether_oauth::{ExchangeParams, Exchanger, ReqwestTransport, Token};
use tether_store::{IdentityRecord, Store, SubscriptionRef, TokenState};

use super::{ExchangeLock, FailureKind, ServedToken, TokenError, TokenPayload, UpstreamFailure};
use crate::crypto::{Purpose, Sealer};

/// How long a waiter may wait beyond the exchange's own deadline before giving up.
const LOCK_MARGIN: Duration = Duration::from_secs(5);
/// Forced exchanges of one identity: at most one attempt per this interval, deployment-wide.
const FORCE_INTERVAL_MS: i64 = 1000;

/// A token obtained by a session step, kept sealed in the session until commit.
#[derive(Debug, Serialize, Deserialize)]
pub struct StepToken {
    pub payload: TokenPayload,
    pub expires_at: i64,
    pub lifetime_seconds: u64,
    pub received_at: i64,
}

/// Serves and re-exchanges CCF tokens.
pub struct TokenService {
    store: Arc<dyn Store>,
    sealer: Arc<Sealer>,
    exchanger: Exchanger<ReqwestTransport>,
    lock: Arc<dyn ExchangeLock>,
}

impl TokenService {
    pub fn new(store: Arc<dyn Store>, sealer: Arc<Sealer>, lock: Arc<dyn ExchangeLock>) -> Self {
        Self {
            store,
            sealer,
            exchanger: Exchanger::new(ReqwestTransport::new()),
            lock,
        }
    }

    /// The lock that keeps one exchange per identity; sessions use it to run their steps once.
    pub fn lock(&self) -> &dyn ExchangeLock {
        self.lock.as_ref()
    }

    /// One exchange for a session step, with the tenant's input.
    pub async fn exchange_for_step(
        &self,
        connector: &str,
        config: &CcfConfig,
        input: &CcfInput,
    ) -> Result<StepToken, TokenError> {
        if config.token_url.is_none() {
            return Err(TokenError::NotConfigured(connector.to_owned()));
        }
        let params = ExchangeParams {
            config,
            client_id: &input.client_id,
            client_secret: &input.client_secret,
            scope: input.scope.as_deref(),
            audience: input.audience.as_deref(),
        };

        let token = self.exchanger.exchange(&params).await.map_err(|error| {
            TokenError::Upstream(Box::new(UpstreamFailure::logged(connector, &error)))
        })?;
        Ok(step_token(token))
    }

    /// The token state an identity starts with after a successful step.
    pub fn seal_step(&self, step: &StepToken) -> Result<TokenState, TokenError> {
        let plaintext = serde_json::to_vec(&step.payload).map_err(TokenError::internal)?;
        Ok(TokenState {
            sealed: Some(self.sealer.seal(Purpose::Token, &plaintext)),
            expires_at: Some(EpochMillis(step.expires_at)),
            lifetime_seconds: Some(step.lifetime_seconds),
            last_exchange_at: Some(EpochMillis(step.received_at)),
            last_error: None,
            last_error_at: None,
        })
    }

    /// The identity's token: the stored one while servable, else a fresh exchange (one per
    /// identity at a time; waiters share its outcome). `force` exchanges now, at most once a
    /// second per identity: a force within a second of the identity's last attempt (on any
    /// instance, as stored) gets that attempt's outcome.
    pub async fn serve(
        &self,
        sub: &SubscriptionRef,
        connector: &str,
        config: &CcfConfig,
        identity: IdentityRecord,
        force: bool,
    ) -> Result<ServedToken, TokenError> {
        let started = EpochMillis::now();
        if !force {
            if let Some(token) = self.servable(config, &identity, started)? {
                return Ok(token);
            }
        } else if let Some(token) = self.recent_attempt(&identity, started)? {
            return Ok(token);
        }

        let wait = exchange_deadline(config) + LOCK_MARGIN;
        let Some(_guard) = self.lock.acquire(identity.id.as_str(), wait).await else {
            return Err(TokenError::LockTimeout);
        };

        let identity = self
            .store
            .get_identity(sub, &identity.connector, &identity.id)
            .await
            .map_err(TokenError::internal)?;
        let now = EpochMillis::now();

        // Another caller (here or on another instance) finished an exchange while we waited.
        let state = &identity.token;
        if state.last_exchange_at.is_some_and(|at| at >= started) {
            if let Some(token) = self.open(&identity, now, true)? {
                return Ok(token);
            }
        }
        if let Some(failure) = recent_failure(state, started, config, now, force) {
            return self.fallback(&identity, now, failure, force);
        }
        // Forced: the identity read before the lock may have been a cached copy.
        let settled = if force {
            self.recent_attempt(&identity, now)?
        } else {
            self.servable(config, &identity, now)?
        };
        if let Some(token) = settled {
            return Ok(token);
        }

        self.exchange_and_record(sub, connector, config, identity, force)
            .await
    }

    async fn exchange_and_record(
        &self,
        sub: &SubscriptionRef,
        connector: &str,
        config: &CcfConfig,
        identity: IdentityRecord,
        force: bool,
    ) -> Result<ServedToken, TokenError> {
        if config.token_url.is_none() {
            return Err(TokenError::NotConfigured(connector.to_owned()));
        }
        let secret = self
            .sealer
            .open_secret(Purpose::ClientSecret, &identity.sealed_secret)
            .map_err(TokenError::internal)?;
        let client_id = text_field(&identity, "client_id").unwrap_or_default();
        let scope = text_field(&identity, "requested_scope");
        let audience = text_field(&identity, "audience");
        let params = ExchangeParams {
            config,
            client_id: &client_id,
            client_secret: &secret,
            scope: scope.as_deref(),
            audience: audience.as_deref(),
        };

        let outcome = self.exchanger.exchange(&params).await;
        let now = EpochMillis::now();

        match outcome {
            Ok(token) => {
                let step = step_token(token);
                let state = self.seal_step(&step)?;
                self.store
                    .put_token_state(sub, &identity.id, &state)
                    .await
                    .map_err(TokenError::internal)?;
                Ok(ServedToken {
                    access_token: Secret::new(step.payload.access_token),
                    expires_at: EpochMillis(step.expires_at),
                    scope: step.payload.scope,
                    extra: step.payload.extra,
                    client_id,
                })
            }
            Err(error) => {
                let failure = UpstreamFailure::logged(connector, &error);
                let mut state = identity.token.clone();
                state.last_error = Some(failure.to_json());
                state.last_error_at = Some(now);
                self.store
                    .put_token_state(sub, &identity.id, &state)
                    .await
                    .map_err(TokenError::internal)?;
                self.fallback(&identity, now, failure, force)
            }
        }
    }

    /// After a failure: the old token while it has not expired, else the failure. A forced
    /// exchange gets the failure: its caller already knows the old token is refused.
    fn fallback(
        &self,
        identity: &IdentityRecord,
        now: EpochMillis,
        failure: UpstreamFailure,
        force: bool,
    ) -> Result<ServedToken, TokenError> {
        if force {
            return Err(TokenError::Upstream(Box::new(failure)));
        }
        match self.open(identity, now, false)? {
            Some(token) => Ok(token),
            None => Err(TokenError::Upstream(Box::new(failure))),
        }
    }

    /// The stored token if it is servable under the §6.4 rule.
    fn servable(
        &self,
        config: &CcfConfig,
        identity: &IdentityRecord,
        now: EpochMillis,
    ) -> Result<Option<ServedToken>, TokenError> {
        let state = &identity.token;
        let (Some(expires_at), Some(lifetime)) = (state.expires_at, state.lifetime_seconds) else {
            return Ok(None);
        };
        if now >= expires_at.minus_seconds(config.buffer_seconds(lifetime)) {
            return Ok(None);
        }
        self.open(identity, now, false)
    }

    /// The stored token if it has not reached `expiresAt` (or regardless, when `fresh`).
    fn open(
        &self,
        identity: &IdentityRecord,
        now: EpochMillis,
        fresh: bool,
    ) -> Result<Option<ServedToken>, TokenError> {
        let state = &identity.token;
        let (Some(sealed), Some(expires_at)) = (&state.sealed, state.expires_at) else {
            return Ok(None);
        };
        if !fresh && now >= expires_at {
            return Ok(None);
        }

        let plaintext = self
            .sealer
            .open(Purpose::Token, sealed)
            .map_err(TokenError::internal)?;
        let payload: TokenPayload =
            serde_json::from_slice(&plaintext).map_err(TokenError::internal)?;
        Ok(Some(ServedToken {
            access_token: Secret::new(payload.access_token),
            expires_at,
            scope: payload.scope,
            extra: payload.extra,
            client_id: text_field(identity, "client_id").unwrap_or_default(),
        }))
    }

    /// For a forced call: the outcome of an attempt made less than a second ago, if any — its
    /// token, or its failure as an error.
    fn recent_attempt(
        &self,
        identity: &IdentityRecord,
        now: EpochMillis,
    ) -> Result<Option<ServedToken>, TokenError> {
        let state = &identity.token;
        let recent =
            |at: Option<EpochMillis>| at.is_some_and(|at| now.0 - at.0 < FORCE_INTERVAL_MS);
        let failed_last = state
            .last_error_at
            .is_some_and(|at| state.last_exchange_at.is_none_or(|ok| at > ok));

        if failed_last && recent(state.last_error_at) {
            if let Some(failure) = state
                .last_error
                .as_ref()
                .and_then(UpstreamFailure::from_json)
            {
                return Err(TokenError::Upstream(Box::new(failure)));
            }
        }
        if !failed_last && recent(state.last_exchange_at) {
            return self.open(identity, now, true);
        }
        Ok(None)
    }
}

/// A failure that should be answered without calling the endpoint: one recorded while we waited
/// (its caller just tried), or a permanent one still inside the cooldown. A forced call skips the
/// cooldown (an operator who fixed the connector or the tenant's client wants a new attempt now):
/// forced calls are limited to one attempt a second instead.
fn recent_failure(
    state: &TokenState,
    started: EpochMillis,
    config: &CcfConfig,
    now: EpochMillis,
    force: bool,
) -> Option<UpstreamFailure> {
    let at = state.last_error_at?;
    let failure = UpstreamFailure::from_json(state.last_error.as_ref()?)?;
    let newer_than_success = state.last_exchange_at.is_none_or(|ok| at > ok);
    if !newer_than_success {
        return None;
    }
    let in_cooldown = !force
        && failure.kind == FailureKind::Permanent
        && now < at.plus_seconds(config.failure_cooldown_seconds);
    (at >= started || in_cooldown).then_some(failure)
}

/// The longest one exchange may take, retries included (see tether-oauth).
fn exchange_deadline(config: &CcfConfig) -> Duration {
    Duration::from_secs(
        config
            .timeout_seconds
            .saturating_mul(u64::from(config.max_retries) + 1),
    )
}

fn step_token(token: Token) -> StepToken {
    StepToken {
        payload: TokenPayload {
            access_token: token.access_token.expose().to_owned(),
            scope: token.scope,
            extra: token.extra,
        },
        expires_at: token.expires_at.0,
        lifetime_seconds: token.lifetime_seconds,
        received_at: token.received_at.0,
    }
}

fn text_field(identity: &IdentityRecord, key: &str) -> Option<String> {
    identity.data.get(key)?.as_str().map(str::to_owned)
}
