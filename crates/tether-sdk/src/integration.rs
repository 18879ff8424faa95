//! [`Integration`]: the handle integration code holds, for tenants' credentials and for
//! authorizing its own callers.

use crate::{AuthorizeUser, Hub, Tenant};

/// One integration of the hub's subscription.
///
/// ```no_run
/// # fn example(hub: tether_sdk::Hub) {
/// let crm = hub.integration("crm");
/// let tenants = crm.tenant();
/// let layer = crm.authorize_user("install:get");
/// # let _ = (tenants, layer);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Integration {
    hub: Hub,
    id: String,
}

impl Integration {
    pub(crate) fn new(hub: Hub, id: &str) -> Self {
        Self {
            hub,
            id: id.to_owned(),
        }
    }

    /// The integration id.
    ///
    /// ```no_run
    /// # fn example(hub: tether_sdk::Hub) {
    /// assert_eq!(hub.integration("crm").id(), "crm");
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Tenants' credentials for this integration.
    ///
    /// ```no_run
    /// # async fn example(hub: tether_sdk::Hub) -> Result<(), tether_sdk::SdkError> {
    /// let tenants = hub.integration("crm").tenant();
    /// let creds = tenants.get_sdk_by_tenant("ccfConnector", "acme").await?;
    /// # let _ = creds;
    /// # Ok(())
    /// # }
    /// ```
    pub fn tenant(&self) -> Tenant {
        Tenant::new(self.clone())
    }

    /// A tower layer that lets a request through only when the caller's bearer key holds
    /// `action` on `/account/{a}/subscription/{s}/integration/{id}` + the request path
    /// (SPEC §9); otherwise it answers 401 or 403 with the hub's error body. See
    /// [`AuthorizeUser`].
    ///
    /// ```no_run
    /// use axum::{routing::get, Router};
    ///
    /// # fn example(hub: tether_sdk::Hub) {
    /// let crm = hub.integration("crm");
    /// let app: Router = Router::new()
    ///     .route("/api/tenant/{tenant_id}/test", get(|| async { "ok" }))
    ///     .route_layer(crm.authorize_user("install:get"));
    /// # let _ = app;
    /// # }
    /// ```
    pub fn authorize_user(&self, action: &str) -> AuthorizeUser {
        AuthorizeUser::new(self.clone(), action)
    }

    pub(crate) fn hub(&self) -> &Hub {
        &self.hub
    }
}
