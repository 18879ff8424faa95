-- Tether's schema on PostgreSQL: the same tables as on SQLite, with native types. Every entity
-- is scoped by (account, subscription); ids are unique only within that scope. JSON is stored as
-- text, times as epoch milliseconds. Every text column uses the "C" collation, so that ids sort
-- and compare bytewise, as they do on SQLite.
--
-- Child rows reach their parent through foreign keys with ON DELETE CASCADE, so that deleting an
-- integration removes its sessions, installs, their identities and every tag row in one
-- statement. Where the parent is the shared `entities` table, the child carries a constant
-- `*_kind` column so that the foreign key can name the kind.

CREATE TABLE accounts (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    date_added BIGINT NOT NULL
);

CREATE TABLE subscriptions (
    account TEXT COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT COLLATE "C" NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (account, id)
);

CREATE TABLE clients (
    account TEXT COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id TEXT COLLATE "C" NOT NULL,
    display_name TEXT COLLATE "C",
    access TEXT COLLATE "C" NOT NULL,
    tags TEXT COLLATE "C" NOT NULL,
    version TEXT COLLATE "C" NOT NULL,
    date_added BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    PRIMARY KEY (account, id)
);

CREATE TABLE client_tags (
    account TEXT COLLATE "C" NOT NULL,
    client TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    PRIMARY KEY (account, client, key),
    FOREIGN KEY (account, client) REFERENCES clients (account, id) ON DELETE CASCADE
);
CREATE INDEX client_tags_by_value ON client_tags (account, key, value);

CREATE TABLE api_keys (
    account TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    client TEXT COLLATE "C" NOT NULL,
    display_name TEXT COLLATE "C",
    hash BYTEA NOT NULL UNIQUE,
    expires_at BIGINT,
    revoked_at BIGINT,
    date_added BIGINT NOT NULL,
    PRIMARY KEY (account, id),
    FOREIGN KEY (account, client) REFERENCES clients (account, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_by_client ON api_keys (account, client);

CREATE TABLE entities (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('integration', 'connector')),
    id TEXT COLLATE "C" NOT NULL,
    data TEXT COLLATE "C" NOT NULL,
    tags TEXT COLLATE "C" NOT NULL,
    version TEXT COLLATE "C" NOT NULL,
    date_added BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    connector_refs TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, subscription, kind, id)
);

CREATE TABLE entity_tags (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    entity TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    PRIMARY KEY (account, subscription, kind, entity, key),
    FOREIGN KEY (account, subscription, kind, entity)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
CREATE INDEX entity_tags_by_value ON entity_tags (account, subscription, kind, key, value);

-- Which connectors an integration's components name: the reverse lookup for connector deletes.
CREATE TABLE connector_refs (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    integration_kind TEXT COLLATE "C" NOT NULL DEFAULT 'integration' CHECK (integration_kind = 'integration'),
    integration TEXT COLLATE "C" NOT NULL,
    connector TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, subscription, integration, connector),
    FOREIGN KEY (account, subscription, integration_kind, integration)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
CREATE INDEX connector_refs_by_connector ON connector_refs (account, subscription, connector);

CREATE TABLE sessions (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    integration_kind TEXT COLLATE "C" NOT NULL DEFAULT 'integration' CHECK (integration_kind = 'integration'),
    integration TEXT COLLATE "C" NOT NULL,
    data TEXT COLLATE "C" NOT NULL,
    sealed BYTEA,
    tags TEXT COLLATE "C" NOT NULL,
    version TEXT COLLATE "C" NOT NULL,
    date_added BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    install TEXT COLLATE "C",
    PRIMARY KEY (account, subscription, id),
    FOREIGN KEY (account, subscription, integration_kind, integration)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_expiry ON sessions (expires);
CREATE INDEX sessions_by_integration ON sessions (account, subscription, integration);

CREATE TABLE installs (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    integration_kind TEXT COLLATE "C" NOT NULL DEFAULT 'integration' CHECK (integration_kind = 'integration'),
    integration TEXT COLLATE "C" NOT NULL,
    tenant TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL,
    tags TEXT COLLATE "C" NOT NULL,
    version TEXT COLLATE "C" NOT NULL,
    date_added BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    PRIMARY KEY (account, subscription, id),
    FOREIGN KEY (account, subscription, integration_kind, integration)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE
);
-- One install per tenant per integration (SPEC §7.3).
CREATE UNIQUE INDEX installs_one_per_tenant ON installs (account, subscription, integration, tenant)
    WHERE tenant IS NOT NULL;
CREATE INDEX installs_by_integration ON installs (account, subscription, integration, id);

CREATE TABLE install_tags (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    install TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    PRIMARY KEY (account, subscription, install, key),
    FOREIGN KEY (account, subscription, install)
        REFERENCES installs (account, subscription, id) ON DELETE CASCADE
);
CREATE INDEX install_tags_by_value ON install_tags (account, subscription, key, value);

-- `install` is the install that created the identity: deleting the install deletes it.
CREATE TABLE identities (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    connector_kind TEXT COLLATE "C" NOT NULL DEFAULT 'connector' CHECK (connector_kind = 'connector'),
    connector TEXT COLLATE "C" NOT NULL,
    install TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL,
    sealed_secret BYTEA NOT NULL,
    token_sealed BYTEA,
    token_expires_at BIGINT,
    token_lifetime_seconds BIGINT,
    token_last_exchange_at BIGINT,
    token_last_error TEXT COLLATE "C",
    token_last_error_at BIGINT,
    tags TEXT COLLATE "C" NOT NULL,
    version TEXT COLLATE "C" NOT NULL,
    date_added BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    PRIMARY KEY (account, subscription, id),
    FOREIGN KEY (account, subscription, connector_kind, connector)
        REFERENCES entities (account, subscription, kind, id) ON DELETE CASCADE,
    FOREIGN KEY (account, subscription, install)
        REFERENCES installs (account, subscription, id) ON DELETE CASCADE
);
CREATE INDEX identities_by_connector ON identities (account, subscription, connector, id);
CREATE INDEX identities_by_install ON identities (account, subscription, install);

CREATE TABLE identity_tags (
    account TEXT COLLATE "C" NOT NULL,
    subscription TEXT COLLATE "C" NOT NULL,
    identity TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    PRIMARY KEY (account, subscription, identity, key),
    FOREIGN KEY (account, subscription, identity)
        REFERENCES identities (account, subscription, id) ON DELETE CASCADE
);
CREATE INDEX identity_tags_by_value ON identity_tags (account, subscription, key, value);
