//! [`Tenant`]: a tenant's credentials, from the hub's token route through the token cache.

use crate::error::TokenRequest;
use crate::token_cache::TokenKey;
use crate::{Credentials, Integration, SdkError};

/// Access to the tenants of one integration.
///
/// ```no_run
/// # async fn example(hub: tether_sdk::Hub) -> Result<(), tether_sdk::SdkError> {
/// let tenants = hub.integration("crm").tenant();
/// let acme = tenants.get_sdk_by_tenant("ccfConnector", "acme").await?;
/// let globex = tenants.get_sdk_by_tenant("ccfConnector", "globex").await?;
/// assert_ne!(acme.install_id, globex.install_id);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Tenant {
    integration: Integration,
}

impl Tenant {
    pub(crate) fn new(integration: Integration) -> Self {
        Self { integration }
    }

    /// The current credentials of `tenant` for the integration's component `component` (e.g.
    /// `ccfConnector`), from `GET …/integration/{id}/tenant/{tenant}/{component}/token`.
    ///
    /// Credentials are cached in this process while servable: until `expires_in − min(120 s,
    /// expires_in / 2)` after the request, by this process's monotonic clock. Concurrent calls
    /// for a tenant whose cache is empty or stale share one hub request, and its failure. If
    /// the hub cannot be reached (or times out, or the token endpoint is down) while the cached
    /// token has not expired yet, the cached token is returned.
    ///
    /// ```no_run
    /// # async fn example(hub: tether_sdk::Hub) -> Result<(), tether_sdk::SdkError> {
    /// let creds = hub
    ///     .integration("crm")
    ///     .tenant()
    ///     .get_sdk_by_tenant("ccfConnector", "ops@acme.example")
    ///     .await?;
    /// let authorization = format!("Bearer {}", creds.access_token.expose());
    /// # let _ = authorization;
    /// # Ok(())
    /// # }
    /// ```
    // FIXME(sdk-force): there is no SDK call for the hub's `?force=true`; integration code whose
    // token was refused early must wait for the cached one to near expiry or call the hub itself.
    pub async fn get_sdk_by_tenant(
        &self,
        component: &str,
        tenant: &str,
    ) -> Result<Credentials, SdkError> {
        let hub = self.integration.hub();
        let settings = &hub.inner().settings;
        let url = hub.url(&[
            "v2",
            "account",
            &settings.account,
            "subscription",
            &settings.subscription,
            "integration",
            self.integration.id(),
            "tenant",
            tenant,
            component,
            "token",
        ])?;
        let key = TokenKey {
            integration: self.integration.id().to_owned(),
            component: component.to_owned(),
            tenant: tenant.to_owned(),
        };

        let fetch = || async {
            let answer = hub.get(url, &settings.key).await?;
            if !(200..300).contains(&answer.status) {
                let request = TokenRequest { tenant, component };
                return Err(SdkError::from_hub(
                    answer.status,
                    answer.retry_after,
                    &answer.body,
                    Some(&request),
                ));
            }
            Credentials::from_body(&answer.body)
        };
        hub.inner().tokens.get_or_fetch(key, fetch).await
    }
}
