/**
 * @module Test/bench-only (SUNDIAL_UNSAFE=1): counts what an execution object asks of its storage,
 * for `rows_written_per_step` (bench/rows.mjs) and the tests that pin it. Every statement the
 * object runs goes through its one `SqlStorage` (ExecCtx's, the codec wrapper of payload-sql.ts),
 * so wrapping that object's `exec` sees all of them.
 *
 * `rowsWritten` is SQLite's own count (workerd's patched SQLite, the statement's rows-written
 * status), summed over cursors (`SqlStorageCursor.rowsWritten`); it is what Cloudflare bills as
 * rows written. Measured on this engine's tables: an INSERT counts the row plus one per index entry
 * it adds (a rowid table's TEXT PRIMARY KEY is such an index; a `WITHOUT ROWID` table's key is the
 * table itself; AUTOINCREMENT adds its `sqlite_sequence` row), a DELETE one per row, an UPDATE one
 * per row whose indexed columns do not change; a statement matching nothing counts 0. Rows written
 * by a transaction that then rolled back are counted too.
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
