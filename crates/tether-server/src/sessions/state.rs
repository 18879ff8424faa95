//! The two halves of a session: public data the API shows, and the sealed state (tenant
//! secrets and step tokens) that never leaves the hub.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_domain::ccf::CcfInput;
use tether_domain::Secret;

use crate::ccf::{StepToken, UpstreamFailure};

/// Sessions expire this long after creation.
pub const SESSION_TTL_SECONDS: u64 = 10 * 3600;

/// How far a step has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Success,
    Failed,
}

/// One component step of a trunk session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepData {
    pub name: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The leaf session of this step (for the per-step routes).
    pub session_id: String,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Box<UpstreamFailure>>,
}

/// A trunk session's public data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrunkData {
    pub redirect_url: String,
    pub components: Vec<StepData>,
    /// Per component, the names of the fields it received (never their values).
    pub input: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_id: Option<String>,
    #[serde(default)]
    pub extend_tags: bool,
    /// `{entityType: "install", entityId}` once committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Compatible-API keys the caller sent that Tether keeps but does not use.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A leaf session's data: which step of which trunk it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeafData {
    pub parent_session_id: String,
    pub name: String,
    pub entity_type: String,
    pub entity_id: String,
}

/// A tenant's CCF input, as sealed inside the session.
#[derive(Serialize, Deserialize)]
pub struct SealedInput {
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub audience: Option<String>,
}

impl SealedInput {
    pub fn from_input(input: &CcfInput) -> Self {
        Self {
            client_id: input.client_id.clone(),
            client_secret: input.client_secret.expose().to_owned(),
            scope: input.scope.clone(),
            audience: input.audience.clone(),
        }
    }

    pub fn to_input(&self) -> CcfInput {
        CcfInput {
            client_id: self.client_id.clone(),
            client_secret: Secret::new(self.client_secret.clone()),
            scope: self.scope.clone(),
            audience: self.audience.clone(),
        }
    }
}

/// Everything secret a session holds until commit.
#[derive(Serialize, Deserialize, Default)]
pub struct SealedState {
    pub input: BTreeMap<String, SealedInput>,
    #[serde(default)]
    pub tokens: BTreeMap<String, StepToken>,
}
