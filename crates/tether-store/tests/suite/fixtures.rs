//! Records the suite writes: small builders with sensible defaults.

use serde_json::json;
use tether_domain::ids::{AccountId, ClientId, EntityId, KeyId, SessionId, SubscriptionId};
use tether_domain::permission::{Access, Permission};
use tether_domain::tags::{Tags, TENANT_TAG};
use tether_domain::time::EpochMillis;
use tether_store::{
    AccountRecord, ClientRecord, CommitPlan, EntityKind, EntityRecord, IdentityWrite, KeyRecord,
    Meta, Sealed, SessionRecord, Store, SubscriptionRef, TokenState,
};

pub(crate) const COMPONENT: &str = "ccfConnector";
pub(crate) const CONNECTOR: &str = "ccf";
pub(crate) const NOW: EpochMillis = EpochMillis(1_800_000_000_000);

pub(crate) fn id(text: &str) -> EntityId {
    EntityId::parse(text, "id").unwrap()
}

pub(crate) fn sub() -> SubscriptionRef {
    SubscriptionRef {
        account: AccountId::generate(),
        subscription: SubscriptionId::generate(),
    }
}

pub(crate) fn meta(tags: Tags, version: &str) -> Meta {
    Meta {
        tags,
        version: version.to_owned(),
        date_added: NOW,
        date_modified: NOW,
    }
}

pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
    let mut tags = Tags::default();
    for (key, value) in pairs {
        tags.set(key, Some((*value).to_owned()));
    }
    tags
}

pub(crate) fn connector(name: &str) -> EntityRecord {
    EntityRecord {
        kind: EntityKind::Connector,
        id: id(name),
        data: json!({"handler": "ccf", "configuration": {"tokenUrl": "http://127.0.0.1:1/token"}}),
        meta: meta(Tags::default(), "v1"),
        connector_refs: vec![],
    }
}

pub(crate) fn integration(name: &str, connectors: &[&str]) -> EntityRecord {
    let components: Vec<_> = connectors
        .iter()
        .map(|c| json!({"name": COMPONENT, "entityType": "connector", "entityId": c}))
        .collect();
    EntityRecord {
        kind: EntityKind::Integration,
        id: id(name),
        data: json!({"components": components}),
        meta: meta(Tags::default(), "v1"),
        connector_refs: connectors.iter().map(|c| id(c)).collect(),
    }
}

/// An integration `name` using connector `ccf`, both created.
pub(crate) async fn setup(store: &dyn Store, sub: &SubscriptionRef, name: &str) {
    if store
        .get_entity(sub, EntityKind::Connector, &id(CONNECTOR))
        .await
        .is_err()
    {
        store
            .create_entity(sub, &connector(CONNECTOR))
            .await
            .unwrap();
    }
    store
        .create_entity(sub, &integration(name, &[CONNECTOR]))
        .await
        .unwrap();
}

pub(crate) fn session(integration: &str, tenant: Option<&str>) -> SessionRecord {
    let tags = match tenant {
        Some(tenant) => tags(&[(TENANT_TAG, tenant)]),
        None => Tags::default(),
    };
    SessionRecord {
        id: SessionId::generate(),
        integration: id(integration),
        data: json!({"input": {COMPONENT: ["client_id", "client_secret"]}}),
        sealed: Some(Sealed(b"sealed input".to_vec())),
        meta: meta(tags, "s1"),
        expires: NOW.plus_seconds(36_000),
        install: None,
    }
}

/// A created session for `tenant` and the plan that commits it with `secret`.
pub(crate) async fn session_and_plan(
    store: &dyn Store,
    sub: &SubscriptionRef,
    integration: &str,
    tenant: Option<&str>,
    secret: &str,
) -> CommitPlan {
    let session = session(integration, tenant);
    store.create_session(sub, &session).await.unwrap();
    CommitPlan {
        session: session.id.clone(),
        integration: id(integration),
        install_id: None,
        tags: session.meta.tags.clone(),
        identities: vec![IdentityWrite {
            component: COMPONENT.to_owned(),
            connector: id(CONNECTOR),
            data: json!({"client_id": format!("client-of-{}", tenant.unwrap_or("nobody"))}),
            sealed_secret: Sealed(secret.as_bytes().to_vec()),
            token: TokenState {
                sealed: Some(Sealed(b"token".to_vec())),
                expires_at: Some(NOW.plus_seconds(600)),
                lifetime_seconds: Some(600),
                last_exchange_at: Some(NOW),
                last_error: None,
                last_error_at: None,
            },
        }],
        session_data: json!({"output": "committed"}),
        now: NOW,
    }
}

pub(crate) fn account_with_key(hash: [u8; 32]) -> (AccountRecord, ClientRecord, KeyRecord) {
    let account = AccountRecord {
        id: AccountId::generate(),
        subscriptions: vec![SubscriptionId::generate(), SubscriptionId::generate()],
        date_added: NOW,
    };
    let client = ClientRecord {
        id: ClientId::generate(),
        account: account.id.clone(),
        display_name: Some("root".to_owned()),
        access: Access {
            allow: vec![Permission {
                action: "*".to_owned(),
                resource: "/".to_owned(),
            }],
        },
        meta: meta(Tags::default(), "c1"),
    };
    let key = KeyRecord {
        id: KeyId::generate(),
        account: account.id.clone(),
        client: client.id.clone(),
        display_name: None,
        hash,
        expires_at: None,
        revoked_at: None,
        date_added: NOW,
    };
    (account, client, key)
}
