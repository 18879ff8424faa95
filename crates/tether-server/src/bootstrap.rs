//! First start on an empty database: one account, one subscription, a root client allowed
//! everything, its API key, and an admin profile (mode 0600) that holds the key.

use std::path::Path;

use serde_json::json;
use tether_domain::ids::{AccountId, ClientId, KeyId, SubscriptionId};
use tether_domain::permission::{Access, Permission};
use tether_domain::time::EpochMillis;
use tether_domain::Secret;
use tether_store::{
    AccountRecord, ClientRecord, KeyRecord, Meta, Store, StoreError, SubscriptionRef,
};
use url::Url;

use crate::auth::ApiKey;

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("cannot read or write accounts")]
    Store(#[from] StoreError),
    #[error("cannot write the admin profile {path}")]
    Profile {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The subscriptions this hub serves, creating the first account when the database is empty.
pub async fn ensure(
    store: &dyn Store,
    data_dir: &Path,
    public_url: &Url,
    bootstrap_key: Option<&Secret>,
) -> Result<Vec<SubscriptionRef>, BootstrapError> {
    let accounts = store.accounts().await?;
    if !accounts.is_empty() {
        refresh_profile(&data_dir.join("admin.json"), public_url);
        return Ok(subscriptions(&accounts));
    }

    let now = EpochMillis::now();
    let account = AccountRecord {
        id: AccountId::generate(),
        subscriptions: vec![SubscriptionId::generate()],
        date_added: now,
    };
    let client = ClientRecord {
        id: ClientId::generate(),
        account: account.id.clone(),
        display_name: Some("root".into()),
        access: Access {
            allow: vec![Permission {
                action: "*".into(),
                resource: "/".into(),
            }],
        },
        meta: Meta {
            tags: Default::default(),
            version: crate::http::new_version(),
            date_added: now,
            date_modified: now,
        },
    };
    let key = match bootstrap_key {
        Some(secret) => ApiKey::from_secret(secret.clone()),
        None => ApiKey::generate(),
    };
    let key_record = KeyRecord {
        id: KeyId::generate(),
        account: account.id.clone(),
        client: client.id.clone(),
        display_name: Some("bootstrap".into()),
        hash: key.hash(),
        expires_at: None,
        revoked_at: None,
        date_added: now,
    };

    if let Err(error) = store.bootstrap(&account, &client, &key_record).await {
        // Another instance on the same database may have bootstrapped first.
        let accounts = store.accounts().await?;
        if accounts.is_empty() {
            return Err(error.into());
        }
        return Ok(subscriptions(&accounts));
    }

    let path = data_dir.join("admin.json");
    let profile = json!({
        "baseUrl": public_url.as_str().trim_end_matches('/'),
        "account": account.id,
        "subscription": account.subscriptions[0],
        "key": key.secret().expose(),
    });
    let text = serde_json::to_vec_pretty(&profile).unwrap_or_default();
    crate::fsutil::write_private_new(&path, &text).map_err(|source| BootstrapError::Profile {
        path: path.display().to_string(),
        source,
    })?;
    tracing::info!(
        account = %account.id,
        subscription = %account.subscriptions[0],
        profile = %path.display(),
        "first start: created the root client; its key is in the admin profile"
    );
    Ok(subscriptions(&[account]))
}

/// Points an existing admin profile at this start's URL (the port may differ from the first
/// start's). A missing profile stays missing (the operator may have moved the key elsewhere); one
/// that cannot be read or rewritten is left as it is, with a warning.
fn refresh_profile(path: &Path, public_url: &Url) {
    let base_url = public_url.as_str().trim_end_matches('/');
    let Ok(text) = std::fs::read(path) else {
        return;
    };
    let Ok(mut profile) = serde_json::from_slice::<serde_json::Value>(&text) else {
        tracing::warn!(profile = %path.display(), "the admin profile is not JSON; left as it is");
        return;
    };
    if profile["baseUrl"] == base_url {
        return;
    }

    profile["baseUrl"] = json!(base_url);
    let text = serde_json::to_vec_pretty(&profile).unwrap_or_default();
    match crate::fsutil::replace_private(path, &text) {
        Ok(()) => tracing::info!(profile = %path.display(), %base_url, "admin profile updated"),
        Err(error) => {
            tracing::warn!(profile = %path.display(), %error, "cannot update the admin profile")
        }
    }
}

fn subscriptions(accounts: &[AccountRecord]) -> Vec<SubscriptionRef> {
    accounts
        .iter()
        .flat_map(|a| {
            a.subscriptions.iter().map(|s| SubscriptionRef {
                account: a.id.clone(),
                subscription: s.clone(),
            })
        })
        .collect()
}
