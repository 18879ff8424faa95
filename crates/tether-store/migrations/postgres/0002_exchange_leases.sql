-- Deployment-wide exchange leases: at most one instance runs the exchange of a key (an identity)
-- at a time. A row is a lease; it is taken over once `expires_at` (epoch milliseconds, from the
-- acquiring instance's clock) has passed, so a crashed holder blocks the key no longer than its
-- lease. `holder` names one acquisition, so only that acquisition can release it.
CREATE TABLE exchange_leases (
    key TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    holder TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL
);
