/**
 * @module Encryption at rest for an execution's SQLite: the object's `SqlStorage` wrapped so that
 * every value bound to a payload column (statement-plan.ts) is encoded by the codec chain as it is
 * written, and every payload column read back is decoded, whatever module runs the statement. One
 * hook (the object's constructor) covers every table and every write path, including the ones
 * inside synchronous transactions, and new statements get it for free (or fail loudly).
 *
 * Which chain: the user's codecs (`createSundial({ codecs })`) then AES-256-GCM when
 * `SUNDIAL_ENCRYPTION_KEYS` is set (aes-gcm.ts). A test engine (`SUNDIAL_UNSAFE=1`) may override the
 * keys of one object (`unsafe_encryption_keys` in its meta table) to prove a rotation.
 */
import type { EngineEnv } from "../config";
import { aesGcmCodec, parseKeyring } from "./aes-gcm";
import { type CodecChain, codecChain, isEnvelope, type PayloadCodec } from "./codec";
import { PAYLOAD_COLUMN_NAMES, type StatementPlan, statementPlan } from "./statement-plan";

const UNSAFE_KEYS = "unsafe_encryption_keys";

const aesByKeys = new Map<string, PayloadCodec>();
/** The built-in codec for a keys secret (parsed once per isolate); throws when it is unusable. */
function aesFor(keys: string): PayloadCodec {
  let codec = aesByKeys.get(keys);
  if (!codec) {
    codec = aesGcmCodec(parseKeyring(keys));
    if (aesByKeys.size >= 8) aesByKeys.clear();
    aesByKeys.set(keys, codec);
  }
  return codec;
}

/** The engine's chain: `codecs`, then AES-GCM when keys are set. An unusable keys secret throws. */
export function engineCodec(
  env: Pick<EngineEnv, "SUNDIAL_ENCRYPTION_KEYS">,
  codecs: readonly PayloadCodec[] = [],
  keys = env.SUNDIAL_ENCRYPTION_KEYS,
): CodecChain {
  return codecChain(keys ? [...codecs, aesFor(keys)] : codecs);
}

/**
 * What the wrapper knows of one statement, planned once per isolate: the bindings to encode, and
 * (after its first run) the result columns and which of them hold payloads. A statement's columns
 * are fixed: every object migrates its schema in its constructor, before it runs any statement.
 */
interface QueryPlan {
  readonly encode: StatementPlan;
  columns?: { names: string[]; payload: number[] };
}

const plans = new Map<string, QueryPlan>();
function planOf(query: string): QueryPlan {
  let plan = plans.get(query);
  if (!plan) {
    plan = { encode: statementPlan(query) };
    // The engine's statements are a fixed set (some built per column list): bound anyway.
    if (plans.size >= 1000) plans.clear();
    plans.set(query, plan);
  }
  return plan;
}

type Row = Record<string, SqlStorageValue>;

function decodingCursor<T extends Row>(
  cursor: SqlStorageCursor<T>,
  chain: CodecChain,
  plan: QueryPlan,
): SqlStorageCursor<T> {
  if (!plan.columns) {
    const all = cursor.columnNames;
    const payload = all.map((n, i) => (PAYLOAD_COLUMN_NAMES.has(n) ? i : -1)).filter((i) => i >= 0);
    plan.columns = { names: all, payload };
  }
  const { names, payload } = plan.columns;
  if (payload.length === 0) return cursor;
  const decodeRow = (row: T): T => {
    for (const i of payload) {
      const name = names[i]!;
      const value = row[name];
      if (isEnvelope(value)) (row as Row)[name] = chain.decode(value);
    }
    return row;
  };
  const decodeRaw = <U extends SqlStorageValue[]>(row: U): U => {
    for (const i of payload) {
      const value = row[i];
      if (isEnvelope(value)) row[i] = chain.decode(value);
    }
    return row;
  };
  const next = () => {
    const r = cursor.next();
    if (!r.done) decodeRow(r.value);
    return r;
  };
  const wrapped = {
    next,
    toArray: () => cursor.toArray().map(decodeRow),
    one: () => decodeRow(cursor.one()),
    raw<U extends SqlStorageValue[]>(): IterableIterator<U> {
      const it = cursor.raw<U>();
      const rawIterator: IterableIterator<U> = {
        next() {
          const r = it.next();
          if (!r.done) decodeRaw(r.value);
          return r;
        },
        [Symbol.iterator]: () => rawIterator,
      };
      return rawIterator;
    },
    columnNames: names,
    get rowsRead() {
      return cursor.rowsRead;
    },
    get rowsWritten() {
      return cursor.rowsWritten;
    },
    [Symbol.iterator](): IterableIterator<T> {
      const rows: IterableIterator<T> = {
        next: () => next() as IteratorResult<T>,
        [Symbol.iterator]: () => rows,
      };
      return rows;
    },
  };
  return wrapped as unknown as SqlStorageCursor<T>;
}

/** An execution's SqlStorage with its payload columns encoded at rest. */
export interface PayloadSql extends SqlStorage {
  /** The chain in use (also for the D1 copy of the memo). */
  readonly payloadCodec: CodecChain;
}

export function payloadSql(raw: SqlStorage, initial: CodecChain): PayloadSql {
  let chain = initial;
  const exec = <T extends Row>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
    const plan = planOf(query);
    if (plan.encode.length > 0 && !chain.identity) {
      bindings = [...bindings];
      for (const i of plan.encode) {
        const value = bindings[i];
        // An envelope is already encoded (JSON text never starts with "~"): never twice.
        if (typeof value === "string" && !isEnvelope(value)) bindings[i] = chain.encode(value);
      }
    }
    return decodingCursor(raw.exec<T>(query, ...bindings), chain, plan);
  };
  const sql = {
    exec,
    get databaseSize() {
      return raw.databaseSize;
    },
    Cursor: raw.Cursor,
    Statement: raw.Statement,
    get payloadCodec() {
      return chain;
    },
    setChain(next: CodecChain) {
      chain = next;
    },
  };
  return sql as unknown as PayloadSql;
}

/** The codec chain of a (possibly wrapped) SqlStorage. */
export function codecOf(sql: SqlStorage): CodecChain {
  return (sql as Partial<PayloadSql>).payloadCodec ?? codecChain([]);
}

function unsafeKeys(raw: SqlStorage, hasMeta: boolean): string | null | undefined {
  if (!hasMeta) return undefined;
  const row = raw
    .exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", UNSAFE_KEYS)
    .toArray()[0];
  if (!row) return undefined;
  return row.value === "" ? null : row.value;
}

function hasMetaTable(raw: SqlStorage): boolean {
  return (
    raw.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'meta'").one().n >
    0
  );
}

/**
 * The SqlStorage an execution object uses. Throws (every call of the object then fails, with the
 * reason) when `SUNDIAL_ENCRYPTION_KEYS` is unusable: storing plaintext instead would be silent.
 */
export function executionSql(
  raw: SqlStorage,
  env: Pick<EngineEnv, "SUNDIAL_ENCRYPTION_KEYS" | "SUNDIAL_UNSAFE">,
  codecs: readonly PayloadCodec[] = [],
  /** Whether the object's tables exist, when the caller already knows (no second read). */
  hasMeta?: boolean,
): PayloadSql {
  const override =
    env.SUNDIAL_UNSAFE === "1" ? unsafeKeys(raw, hasMeta ?? hasMetaTable(raw)) : undefined;
  const keys = override === undefined ? env.SUNDIAL_ENCRYPTION_KEYS : (override ?? undefined);
  return payloadSql(raw, engineCodec(env, codecs, keys));
}

/**
 * Test-only (the object checks SUNDIAL_UNSAFE): this object's keys from now on, kept across restarts
 * (`null`: none; `undefined`: the deployment's again).
 */
export function setUnsafeKeys(
  sql: SqlStorage,
  env: Pick<EngineEnv, "SUNDIAL_ENCRYPTION_KEYS">,
  codecs: readonly PayloadCodec[],
  keys: string | null | undefined,
): void {
  if (keys === undefined) sql.exec("DELETE FROM meta WHERE key = ?", UNSAFE_KEYS);
  else {
    sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", UNSAFE_KEYS, keys ?? "");
  }
  const chain = engineCodec(
    env,
    codecs,
    keys === undefined ? env.SUNDIAL_ENCRYPTION_KEYS : (keys ?? undefined),
  );
  (sql as unknown as { setChain(c: CodecChain): void }).setChain(chain);
}
