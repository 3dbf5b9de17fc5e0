/**
 * @module Test/bench-only (SUNDIAL_UNSAFE=1): counts what an execution object asks of its storage,
 * for `rows_written_per_step` (bench/rows.mjs) and the tests that pin it. Every statement the
 * object runs goes through its one `SqlStorage` (ExecCtx's, the codec wrapper of payload-sql.ts),
 * so wrapping that object's `exec` sees all of them.
 *
 * `rowsWritten` is SQLite's own count, summed over cursors (`SqlStorageCursor.rowsWritten`): every
 * row inserted, updated or deleted, and every index entry with it (a table with one secondary
 * index counts 2 per insert; a `WITHOUT ROWID` table's primary key is the table itself and counts
 * once). Rows written by a transaction that then rolled back are counted too. It is what Cloudflare
 * bills as "rows written".
 */

export interface StorageCounts {
  /** SQLite rows written (index entries included), summed over every statement. */
  rowsWritten: number;
  /** Statements run (reads and writes). */
  statements: number;
  /** Statements that wrote at least one row. */
  writeStatements: number;
  /** Alarm writes (setAlarm / deleteAlarm) by the engine. */
  alarmWrites: number;
}

export function newStorageCounts(): StorageCounts {
  return { rowsWritten: 0, statements: 0, writeStatements: 0, alarmWrites: 0 };
}

/**
 * Wraps `sql.exec` in place (the object keeps its other members, e.g. the codec chain) to add each
 * statement's `rowsWritten` to `counts`. A cursor's count can grow while it is iterated, so it is
 * read when the next statement starts, and by {@link settle} before the counts are read.
 */
export function countWrites(sql: SqlStorage, counts: StorageCounts): { settle(): void } {
  const inner = sql.exec.bind(sql);
  let pending: SqlStorageCursor<Record<string, SqlStorageValue>> | undefined;
  const settle = () => {
    if (!pending) return;
    const n = pending.rowsWritten;
    pending = undefined;
    counts.rowsWritten += n;
    if (n > 0) counts.writeStatements += 1;
  };
  const exec = (query: string, ...bindings: unknown[]) => {
    settle();
    counts.statements += 1;
    const cursor = inner(query, ...bindings);
    pending = cursor;
    return cursor;
  };
  (sql as { exec: unknown }).exec = exec;
  return { settle };
}
