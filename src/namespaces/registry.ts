/**
 * @module The namespace registry (D1 table `namespaces`, migrations/0003). `default` always exists:
 * without a row it is served with {@link DEFAULT_RETENTION_MS}. Lookups are cached in the isolate for
 * a few seconds (a new namespace is visible at once in the isolate that created it, within the TTL
 * elsewhere). {@link namespaceRetentionMs} is what retention deletion asks.
 */
import { MAX_DURATION_MS } from "../../sdk/common/duration";
import { ApiError } from "../api/errors";
import { AUTH_CACHE_TTL_MS, authNow, TtlCache } from "../auth/ttl-cache";
import { DEFAULT_RETENTION_MS } from "../config";

export const DEFAULT_NAMESPACE = "default";
/** Retention of `default` until changed, and of a namespace created without one (config.ts). */
export { DEFAULT_RETENTION_MS };
/** Shortest retention: a minute (shorter would delete a run before anyone could read its result). */
export const MIN_RETENTION_MS = 60_000;
export const MAX_RETENTION_MS = MAX_DURATION_MS;
export const MAX_DESCRIPTION_LENGTH = 1024;

export interface NamespaceRecord {
  name: string;
  retentionMs: number;
  description: string;
  /** Epoch ms; 0 for a `default` that has no row yet. */
  createTime: number;
}

interface Row {
  name: string;
  retention_ms: number;
  description: string;
  create_time: number;
}

type RegistryEnv = { VISIBILITY?: D1Database };

const cache = new TtlCache<NamespaceRecord | null>(AUTH_CACHE_TTL_MS, 1000);

function virtualDefault(): NamespaceRecord {
  return {
    name: DEFAULT_NAMESPACE,
    retentionMs: DEFAULT_RETENTION_MS,
    description: "",
    createTime: 0,
  };
}

function fromRow(row: Row): NamespaceRecord {
  return {
    name: row.name,
    retentionMs: Number(row.retention_ms),
    description: row.description,
    createTime: Number(row.create_time),
  };
}

function missingTable(err: unknown): boolean {
  return err instanceof Error && /no such table/i.test(err.message);
}

function notMigrated(err: unknown): never {
  if (missingTable(err)) {
    throw new ApiError(
      "Unavailable",
      "The namespaces table is missing; apply the D1 migrations (wrangler d1 migrations apply sundial-visibility)",
    );
  }
  throw err;
}

function db(env: RegistryEnv): D1Database {
  if (!env.VISIBILITY) {
    throw new ApiError(
      "Unavailable",
      "Namespaces need the VISIBILITY D1 binding (see wrangler.toml); without it only `default` exists",
    );
  }
  return env.VISIBILITY;
}

/** The namespace, or null when it is not registered. Cached for a few seconds. */
export async function getNamespace(
  env: RegistryEnv,
  name: string,
): Promise<NamespaceRecord | null> {
  const hit = cache.get(name);
  if (hit) return hit.value;
  let found: NamespaceRecord | null;
  if (!env.VISIBILITY) {
    found = name === DEFAULT_NAMESPACE ? virtualDefault() : null;
  } else {
    try {
      const row = await env.VISIBILITY.prepare(
        "SELECT name, retention_ms, description, create_time FROM namespaces WHERE name = ?",
      )
        .bind(name)
        .first<Row>();
      found = row ? fromRow(row) : name === DEFAULT_NAMESPACE ? virtualDefault() : null;
    } catch (err) {
      // Not migrated yet: `default` still works (it needs no row), any other name cannot exist.
      if (!missingTable(err)) throw err;
      found = name === DEFAULT_NAMESPACE ? virtualDefault() : null;
    }
  }
  cache.set(name, found);
  return found;
}

/**
 * The retention of `name` in milliseconds: how long a closed execution is kept. An unregistered
 * name (or a registry that cannot be read) gets the default: deleting early is never the fallback.
 */
export async function namespaceRetentionMs(env: RegistryEnv, name: string): Promise<number> {
  try {
    return (await getNamespace(env, name))?.retentionMs ?? DEFAULT_RETENTION_MS;
  } catch {
    return DEFAULT_RETENTION_MS;
  }
}

/** Every registered namespace, `default` included, by name. */
export async function listNamespaces(env: RegistryEnv): Promise<NamespaceRecord[]> {
  let rows: Row[] = [];
  if (env.VISIBILITY) {
    try {
      const res = await env.VISIBILITY.prepare(
        "SELECT name, retention_ms, description, create_time FROM namespaces ORDER BY name LIMIT 10000",
      ).all<Row>();
      rows = res.results;
    } catch (err) {
      if (!missingTable(err)) throw err;
    }
  }
  const list = rows.map(fromRow);
  if (!list.some((n) => n.name === DEFAULT_NAMESPACE)) list.push(virtualDefault());
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Registers a namespace; null when the name is taken (`default` always is). */
export async function createNamespace(
  env: RegistryEnv,
  ns: { name: string; retentionMs: number; description: string },
): Promise<NamespaceRecord | null> {
  if (ns.name === DEFAULT_NAMESPACE) return null;
  const record: NamespaceRecord = { ...ns, createTime: authNow() };
  try {
    const res = await db(env)
      .prepare(
        "INSERT INTO namespaces (name, retention_ms, description, create_time) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
      )
      .bind(record.name, record.retentionMs, record.description, record.createTime)
      .run();
    if (res.meta.changes === 0) return null;
  } catch (err) {
    notMigrated(err);
  }
  cache.set(record.name, record);
  return record;
}

/** Changes retention and/or description; null when the namespace is not registered. */
export async function updateNamespace(
  env: RegistryEnv,
  name: string,
  patch: { retentionMs?: number; description?: string },
): Promise<NamespaceRecord | null> {
  const current = await getNamespaceUncached(env, name);
  if (!current) return null;
  const next: NamespaceRecord = {
    ...current,
    ...(patch.retentionMs !== undefined ? { retentionMs: patch.retentionMs } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    // `default` gets its row (and a create time) the first time it is changed.
    createTime: current.createTime || authNow(),
  };
  try {
    await db(env)
      .prepare(
        "INSERT INTO namespaces (name, retention_ms, description, create_time) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET retention_ms = excluded.retention_ms, description = excluded.description",
      )
      .bind(next.name, next.retentionMs, next.description, next.createTime)
      .run();
  } catch (err) {
    notMigrated(err);
  }
  cache.set(name, next);
  return next;
}

async function getNamespaceUncached(
  env: RegistryEnv,
  name: string,
): Promise<NamespaceRecord | null> {
  cache.delete(name);
  return getNamespace(env, name);
}

/** Test hook: forgets every cached lookup. */
export function unsafeClearNamespaceCache(): void {
  cache.clear();
}
