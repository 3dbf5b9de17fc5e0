/**
 * @module API keys in D1 (table `api_keys`, migrations/0003): create, list, revoke, and the cached
 * lookup every request makes. A lookup (found, unknown or revoked) is trusted for
 * {@link AUTH_CACHE_TTL_MS} in one isolate, so a revocation is effective everywhere within 10 s;
 * the isolate that revokes forgets the key at once.
 */
import { ApiError } from "../api/errors";
import { hashSecret, newApiKey, type ParsedKey, type Role, randomHex, secretMatches } from "./keys";
import type { Principal } from "./permissions";
import { AUTH_CACHE_TTL_MS, authNow, TtlCache } from "./ttl-cache";

export interface ApiKeyInfo {
  id: string;
  name: string;
  namespace: string;
  role: Role;
  /** ISO time. */
  createTime: string;
  /** ISO time, or null while the key works. */
  revokeTime: string | null;
}

interface Row {
  id: string;
  name: string;
  namespace: string;
  role: Role;
  salt: string;
  hash: string;
  create_time: number;
  revoked_time: number | null;
}

type KeyEnv = { VISIBILITY?: D1Database };

const cache = new TtlCache<Row | null>(AUTH_CACHE_TTL_MS, 10_000);

function db(env: KeyEnv): D1Database {
  if (!env.VISIBILITY) {
    throw new ApiError(
      "Unavailable",
      "API keys need the VISIBILITY D1 binding (see wrangler.toml); only the admin key works without it",
    );
  }
  return env.VISIBILITY;
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error && /no such table/i.test(err.message)) {
      throw new ApiError(
        "Unavailable",
        "The api_keys table is missing; apply the D1 migrations (wrangler d1 migrations apply sundial-visibility)",
      );
    }
    throw err;
  }
}

function info(row: Row): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    role: row.role,
    createTime: new Date(Number(row.create_time)).toISOString(),
    revokeTime: row.revoked_time === null ? null : new Date(Number(row.revoked_time)).toISOString(),
  };
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
export async function createApiKey(
  env: KeyEnv,
  spec: { name: string; namespace: string; role: Role },
): Promise<ApiKeyInfo & { key: string }> {
  const { id, key, secret } = newApiKey();
  const salt = randomHex(16);
  const hash = await hashSecret(salt, secret);
  const row: Row = { id, ...spec, salt, hash, create_time: authNow(), revoked_time: null };
  await guarded(() =>
    db(env)
      .prepare(
        "INSERT INTO api_keys (id, name, namespace, role, salt, hash, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .bind(row.id, row.name, row.namespace, row.role, row.salt, row.hash, row.create_time)
      .run(),
  );
  cache.set(id, row);
  const { revokeTime: _unused, ...rest } = info(row);
  return { ...rest, revokeTime: null, key };
}

/** Keys (no secrets, no hashes), newest first; of one namespace, or all with `null`. */
export async function listApiKeys(env: KeyEnv, namespace: string | null): Promise<ApiKeyInfo[]> {
  const sql =
    "SELECT id, name, namespace, role, salt, hash, create_time, revoked_time FROM api_keys" +
    (namespace === null ? "" : " WHERE namespace = ?") +
    " ORDER BY create_time DESC, id LIMIT 10000";
  const stmt = db(env).prepare(sql);
  const res = await guarded(() => (namespace === null ? stmt : stmt.bind(namespace)).all<Row>());
  return res.results.map(info);
}

/** The key's row (uncached), or null. */
export async function getApiKey(env: KeyEnv, id: string): Promise<ApiKeyInfo | null> {
  const row = await readRow(env, id);
  return row ? info(row) : null;
}

/** Revokes a key (again: no change); null when there is no such key. */
export async function revokeApiKey(env: KeyEnv, id: string): Promise<ApiKeyInfo | null> {
  const now = authNow();
  await guarded(() =>
    db(env)
      .prepare("UPDATE api_keys SET revoked_time = ? WHERE id = ? AND revoked_time IS NULL")
      .bind(now, id)
      .run(),
  );
  cache.delete(id);
  const row = await readRow(env, id);
  return row ? info(row) : null;
}

async function readRow(env: KeyEnv, id: string): Promise<Row | null> {
  return guarded(() =>
    db(env)
      .prepare(
        "SELECT id, name, namespace, role, salt, hash, create_time, revoked_time FROM api_keys WHERE id = ?",
      )
      .bind(id)
      .first<Row>(),
  );
}

/** The principal of a well-formed key, or null for an unknown, revoked or wrong key. */
export async function principalOfKey(env: KeyEnv, key: ParsedKey): Promise<Principal | null> {
  let hit = cache.get(key.id);
  if (!hit) {
    const row = env.VISIBILITY ? await readRow(env, key.id) : null;
    cache.set(key.id, row);
    hit = { value: row };
  }
  const row = hit.value;
  if (!row || row.revoked_time !== null) return null;
  if (!(await secretMatches(key.secret, row.salt, row.hash))) return null;
  return { via: "key", id: row.id, grants: [{ namespace: row.namespace, role: row.role }] };
}

/** Test hook: forgets every cached lookup. */
export function unsafeClearKeyCache(): void {
  cache.clear();
}
