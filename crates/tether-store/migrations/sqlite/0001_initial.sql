-- Tether's schema on SQLite. Every entity is scoped by (account, subscription); ids are unique
-- only within that scope. JSON is stored as text, times as epoch milliseconds.
--
-- Child rows reach their parent through foreign keys with ON DELETE CASCADE, so that deleting an
-- integration removes its sessions, installs, their identities and every tag row in one
-- statement. Where the parent is the shared `entities` table, the child carries a constant
-- `*_kind` column so that the foreign key can name the kind.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    date_added INTEGER NOT NULL
);

CREATE TABLE subscriptions (
    account TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (account, id)
);

CREATE TABLE clients (
    account TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    display_name TEXT,
    access TEXT NOT NULL,
    tags TEXT NOT NULL,
    version TEXT NOT NULL,
    date_added INTEGER NOT NULL,
    date_modified INTEGER NOT NULL,
    PRIMARY KEY (account, id)
);

CREATE TABLE client_tags (
    account TEXT NOT NULL,
    client TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (account, client, key),
    FOREIGN KEY (account, client) REFERENCES clients (account, id) ON DELETE CASCADE
);
CREATE INDEX client_tags_by_value ON client_tags (account, key, value);

CREATE TABLE api_keys (
    account TEXT NOT NULL,
    id TEXT NOT NULL,
    client TEXT NOT NULL,
    display_name TEXT,
    hash BLOB NOT NULL UNIQUE,
    expires_at INTEGER,
    revoked_at INTEGER,
    date_added INTEGER NOT NULL,
    PRIMARY KEY (account, id),
    FOREIGN KEY (account, client) REFERENCES clients (account, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_by_client ON api_keys (account, client);

CREATE TABLE entities (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('integration', 'connector')),
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    tags TEXT NOT NULL,
    version TEXT NOT NULL,
    date_added INTEGER NOT NULL,
    date_modified INTEGER NOT NULL,
    connector_refs TEXT NOT NULL,
    PRIMARY KEY (account, subscription, kind, id)
);

CREATE TABLE entity_tags (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (account, subscription, kind, entity, key),
    FOREIGN KEY (account, subscription, kind, entity)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
CREATE INDEX entity_tags_by_value ON entity_tags (account, subscription, kind, key, value);

-- Which connectors an integration's components name: the reverse lookup for connector deletes.
CREATE TABLE connector_refs (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    integration_kind TEXT NOT NULL DEFAULT 'integration' CHECK (integration_kind = 'integration'),
    integration TEXT NOT NULL,
    connector TEXT NOT NULL,
    PRIMARY KEY (account, subscription, integration, connector),
    FOREIGN KEY (account, subscription, integration_kind, integration)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
CREATE INDEX connector_refs_by_connector ON connector_refs (account, subscription, connector);

CREATE TABLE sessions (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    id TEXT NOT NULL,
    integration_kind TEXT NOT NULL DEFAULT 'integration' CHECK (integration_kind = 'integration'),
    integration TEXT NOT NULL,
    data TEXT NOT NULL,
    sealed BLOB,
    tags TEXT NOT NULL,
    version TEXT NOT NULL,
    date_added INTEGER NOT NULL,
    date_modified INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    install TEXT,
    PRIMARY KEY (account, subscription, id),
    FOREIGN KEY (account, subscription, integration_kind, integration)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_expiry ON sessions (expires);
CREATE INDEX sessions_by_integration ON sessions (account, subscription, integration);

CREATE TABLE installs (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    id TEXT NOT NULL,
    integration_kind TEXT NOT NULL DEFAULT 'integration' CHECK (integration_kind = 'integration'),
    integration TEXT NOT NULL,
    tenant TEXT,
    data TEXT NOT NULL,
    tags TEXT NOT NULL,
    version TEXT NOT NULL,
    date_added INTEGER NOT NULL,
    date_modified INTEGER NOT NULL,
    PRIMARY KEY (account, subscription, id),
    FOREIGN KEY (account, subscription, integration_kind, integration)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
-- One install per tenant per integration (SPEC §7.3).
CREATE UNIQUE INDEX installs_one_per_tenant ON installs (account, subscription, integration, tenant)
    WHERE tenant IS NOT NULL;
CREATE INDEX installs_by_integration ON installs (account, subscription, integration, id);

CREATE TABLE install_tags (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    install TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (account, subscription, install, key),
    FOREIGN KEY (account, subscription, install)
        REFERENCES installs (account, subscription, id) ON DELETE CASCADE
);
CREATE INDEX install_tags_by_value ON install_tags (account, subscription, key, value);

-- `install` is the install that created the identity: deleting the install deletes it.
CREATE TABLE identities (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    id TEXT NOT NULL,
    connector_kind TEXT NOT NULL DEFAULT 'connector' CHECK (connector_kind = 'connector'),
    connector TEXT NOT NULL,
    install TEXT,
    data TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    token_sealed BLOB,
    token_expires_at INTEGER,
    token_lifetime_seconds INTEGER,
    token_last_exchange_at INTEGER,
    token_last_error TEXT,
    token_last_error_at INTEGER,
    tags TEXT NOT NULL,
    version TEXT NOT NULL,
    date_added INTEGER NOT NULL,
    date_modified INTEGER NOT NULL,
    PRIMARY KEY (account, subscription, id),
    FOREIGN KEY (account, subscription, connector_kind, connector)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE,
    FOREIGN KEY (account, subscription, install)
        REFERENCES installs (account, subscription, id) ON DELETE CASCADE
);
CREATE INDEX identities_by_connector ON identities (account, subscription, connector, id);
CREATE INDEX identities_by_install ON identities (account, subscription, install);

CREATE TABLE identity_tags (
    account TEXT NOT NULL,
    subscription TEXT NOT NULL,
    identity TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (account, subscription, identity, key),
    FOREIGN KEY (account, subscription, identity)
        REFERENCES identities (account, subscription, id) ON DELETE CASCADE
);
CREATE INDEX identity_tags_by_value ON identity_tags (account, subscription, key, value);
