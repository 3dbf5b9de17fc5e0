-- Namespaces and API keys (issue 11). `default` always exists: it is served with the default
-- retention when it has no row here (src/namespaces/registry.ts). Times are epoch milliseconds.

CREATE TABLE namespaces (
  name         TEXT    NOT NULL PRIMARY KEY,
  retention_ms INTEGER NOT NULL CHECK (retention_ms > 0),
  description  TEXT    NOT NULL DEFAULT '',
  create_time  INTEGER NOT NULL
);

-- A key is `sk_<id>_<secret>`; only a salted SHA-256 of the secret is stored (src/auth/keys.ts).
-- namespace is a registered namespace or '*' (every namespace; admin only).
CREATE TABLE api_keys (
  id           TEXT    NOT NULL PRIMARY KEY,
  name         TEXT    NOT NULL,
  namespace    TEXT    NOT NULL,
  role         TEXT    NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
  salt         TEXT    NOT NULL,
  hash         TEXT    NOT NULL,
  create_time  INTEGER NOT NULL,
  revoked_time INTEGER
);

CREATE INDEX api_keys_by_namespace ON api_keys (namespace, create_time);
