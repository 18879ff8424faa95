-- Exchange leases, as on PostgreSQL. The SQLite hub is one process and keeps its exchange lock in
-- memory; the table exists so that both stores offer the same trait.
CREATE TABLE exchange_leases (
    key TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
