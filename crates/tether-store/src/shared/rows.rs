//! Row shapes as both databases return them, and their conversion into records.
//!
//! Decision: JSON is stored as text (not `JSONB`), ids and times as text and `BIGINT`
//! milliseconds, secrets as bytes, so that one row shape decodes from either database.

use tether_domain::ids::{AccountId, ClientId, EntityId, IdentityId, InstallId, KeyId, SessionId};
use tether_domain::permission::Access;
use tether_domain::tags::TenantId;
use tether_domain::time::EpochMillis;

use super::encode::{json_from_text, kind_from_text, refs_from_text, tags_from_text};
use crate::{
    ClientRecord, EntityRecord, IdentityRecord, InstallRecord, KeyRecord, Meta, Sealed,
    SessionRecord, StoreError, TokenState,
};

pub(crate) const ENTITY_COLUMNS: &str =
    "kind, id, data, tags, version, date_added, date_modified, connector_refs";
pub(crate) const SESSION_COLUMNS: &str =
    "id, integration, data, sealed, tags, version, date_added, date_modified, expires, install";
pub(crate) const INSTALL_COLUMNS: &str =
    "id, integration, tenant, data, tags, version, date_added, date_modified";
pub(crate) const IDENTITY_COLUMNS: &str = "id, connector, data, sealed_secret, token_sealed, \
     token_expires_at, token_lifetime_seconds, token_last_exchange_at, token_last_error, \
     token_last_error_at, tags, version, date_added, date_modified";
pub(crate) const CLIENT_COLUMNS: &str =
    "account, id, display_name, access, tags, version, date_added, date_modified";
pub(crate) const KEY_COLUMNS: &str =
    "account, id, client, display_name, hash, expires_at, revoked_at, date_added";

fn meta(tags: &str, version: String, added: i64, modified: i64) -> Result<Meta, StoreError> {
    Ok(Meta {
        tags: tags_from_text(tags)?,
        version,
        date_added: EpochMillis(added),
        date_modified: EpochMillis(modified),
    })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {value:?}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntityRow {
    kind: String,
    id: String,
    data: String,
    tags: String,
    version: String,
    date_added: i64,
    date_modified: i64,
    connector_refs: String,
}

impl EntityRow {
    pub(crate) fn into_record(self) -> Result<EntityRecord, StoreError> {
        Ok(EntityRecord {
            kind: kind_from_text(&self.kind)?,
            id: EntityId::parse(&self.id, "id").map_err(|_| corrupt("entity id", &self.id))?,
            data: json_from_text(&self.data, "entity data")?,
            meta: meta(
                &self.tags,
                self.version,
                self.date_added,
                self.date_modified,
            )?,
            connector_refs: refs_from_text(&self.connector_refs)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    integration: String,
    data: String,
    sealed: Option<Vec<u8>>,
    tags: String,
    version: String,
    date_added: i64,
    date_modified: i64,
    expires: i64,
    install: Option<String>,
}

impl SessionRow {
    pub(crate) fn into_record(self) -> Result<SessionRecord, StoreError> {
        let install = match &self.install {
            Some(id) => Some(InstallId::parse(id).map_err(|_| corrupt("install id", id))?),
            None => None,
        };
        Ok(SessionRecord {
            id: SessionId::parse(&self.id).map_err(|_| corrupt("session id", &self.id))?,
            integration: EntityId::parse(&self.integration, "integration")
                .map_err(|_| corrupt("integration id", &self.integration))?,
            data: json_from_text(&self.data, "session data")?,
            sealed: self.sealed.map(Sealed),
            meta: meta(
                &self.tags,
                self.version,
                self.date_added,
                self.date_modified,
            )?,
            expires: EpochMillis(self.expires),
            install,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InstallRow {
    id: String,
    integration: String,
    tenant: Option<String>,
    data: String,
    tags: String,
    version: String,
    date_added: i64,
    date_modified: i64,
}

impl InstallRow {
    pub(crate) fn into_record(self) -> Result<InstallRecord, StoreError> {
        let tenant = match &self.tenant {
            Some(t) => Some(TenantId::parse(t).map_err(|_| corrupt("tenant", t))?),
            None => None,
        };
        Ok(InstallRecord {
            id: InstallId::parse(&self.id).map_err(|_| corrupt("install id", &self.id))?,
            integration: EntityId::parse(&self.integration, "integration")
                .map_err(|_| corrupt("integration id", &self.integration))?,
            tenant,
            data: json_from_text(&self.data, "install data")?,
            meta: meta(
                &self.tags,
                self.version,
                self.date_added,
                self.date_modified,
            )?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdentityRow {
    id: String,
    connector: String,
    data: String,
    sealed_secret: Vec<u8>,
    token_sealed: Option<Vec<u8>>,
    token_expires_at: Option<i64>,
    token_lifetime_seconds: Option<i64>,
    token_last_exchange_at: Option<i64>,
    token_last_error: Option<String>,
    token_last_error_at: Option<i64>,
    tags: String,
    version: String,
    date_added: i64,
    date_modified: i64,
}

impl IdentityRow {
    pub(crate) fn into_record(self) -> Result<IdentityRecord, StoreError> {
        let last_error = match &self.token_last_error {
            Some(text) => Some(json_from_text(text, "token error")?),
            None => None,
        };
        Ok(IdentityRecord {
            id: IdentityId::parse(&self.id).map_err(|_| corrupt("identity id", &self.id))?,
            connector: EntityId::parse(&self.connector, "connector")
                .map_err(|_| corrupt("connector id", &self.connector))?,
            data: json_from_text(&self.data, "identity data")?,
            sealed_secret: Sealed(self.sealed_secret),
            token: TokenState {
                sealed: self.token_sealed.map(Sealed),
                expires_at: self.token_expires_at.map(EpochMillis),
                lifetime_seconds: self
                    .token_lifetime_seconds
                    .map(|s| u64::try_from(s).unwrap_or(0)),
                last_exchange_at: self.token_last_exchange_at.map(EpochMillis),
                last_error,
                last_error_at: self.token_last_error_at.map(EpochMillis),
            },
            meta: meta(
                &self.tags,
                self.version,
                self.date_added,
                self.date_modified,
            )?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClientRow {
    account: String,
    id: String,
    display_name: Option<String>,
    access: String,
    tags: String,
    version: String,
    date_added: i64,
    date_modified: i64,
}

impl ClientRow {
    pub(crate) fn into_record(self) -> Result<ClientRecord, StoreError> {
        let access: Access = serde_json::from_str(&self.access)
            .map_err(|_| StoreError::Corrupt("client access is not an access list".to_owned()))?;
        Ok(ClientRecord {
            id: ClientId::parse(&self.id).map_err(|_| corrupt("client id", &self.id))?,
            account: AccountId::parse(&self.account)
                .map_err(|_| corrupt("account id", &self.account))?,
            display_name: self.display_name,
            access,
            meta: meta(
                &self.tags,
                self.version,
                self.date_added,
                self.date_modified,
            )?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    account: String,
    id: String,
    client: String,
    display_name: Option<String>,
    hash: Vec<u8>,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    date_added: i64,
}

impl KeyRow {
    pub(crate) fn into_record(self) -> Result<KeyRecord, StoreError> {
        let hash: [u8; 32] = self
            .hash
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt("key hash is not 32 bytes".to_owned()))?;
        Ok(KeyRecord {
            id: KeyId::parse(&self.id).map_err(|_| corrupt("key id", &self.id))?,
            account: AccountId::parse(&self.account)
                .map_err(|_| corrupt("account id", &self.account))?,
            client: ClientId::parse(&self.client)
                .map_err(|_| corrupt("client id", &self.client))?,
            display_name: self.display_name,
            hash,
            expires_at: self.expires_at.map(EpochMillis),
            revoked_at: self.revoked_at.map(EpochMillis),
            date_added: EpochMillis(self.date_added),
        })
    }
}
