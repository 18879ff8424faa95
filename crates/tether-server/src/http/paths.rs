//! Path parameters and list queries, parsed once into domain types.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Deserialize;
use tether_domain::ids::{AccountId, EntityId, SubscriptionId};
use tether_domain::tags::TagFilter;
use tether_store::{ListQuery, SubscriptionRef, MAX_PAGE};

use super::{ApiError, AppState};

/// `{account}` and `{subscription}` of a `/v2` path.
#[derive(Deserialize)]
pub(super) struct SubPath {
    pub account: String,
    pub subscription: String,
}

impl SubPath {
    /// The subscription, if this hub serves it: 400 for a malformed id, 404 for an unknown one.
    pub(super) fn resolve(&self, state: &AppState) -> Result<SubscriptionRef, ApiError> {
        let sub = SubscriptionRef {
            account: AccountId::parse(&self.account)?,
            subscription: SubscriptionId::parse(&self.subscription)?,
        };
        if !state.subscriptions.contains(&sub) {
            return Err(ApiError::not_found(format!(
                "subscription '{}' of account '{}'",
                self.subscription, self.account
            )));
        }
        Ok(sub)
    }
}

/// `{base}/{kind}/{id}` paths.
#[derive(Deserialize)]
pub(super) struct EntityPath {
    pub account: String,
    pub subscription: String,
    pub id: String,
}

impl EntityPath {
    pub(super) fn resolve(
        &self,
        state: &AppState,
        field: &str,
    ) -> Result<(SubscriptionRef, EntityId), ApiError> {
        let sub = SubPath {
            account: self.account.clone(),
            subscription: self.subscription.clone(),
        }
        .resolve(state)?;
        Ok((sub, EntityId::parse(&self.id, field)?))
    }
}

/// `count`, `next`, `tag` (repeatable) and `idPrefix` of a list call.
pub(super) struct ListParams(pub ListQuery);

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut query = ListQuery {
            count: MAX_PAGE,
            ..ListQuery::default()
        };
        let raw = parts.uri.query().unwrap_or("");
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            match key.as_ref() {
                "count" => {
                    query.count = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE).contains(n))
                        .ok_or_else(|| {
                            ApiError::BadRequest(
                                "count: must be a whole number from 1 to 100".into(),
                            )
                        })?;
                }
                "next" => query.after = Some(value.into_owned()),
                "tag" => query.tags.push(TagFilter::parse(&value)?),
                "idPrefix" => query.id_prefix = Some(value.into_owned()),
                _ => {}
            }
        }
        Ok(Self(query))
    }
}

/// Path parameters with the API's own 400 (route modules name it `Params`).
pub(super) use super::extract::PathParams as Params;
