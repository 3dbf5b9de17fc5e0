/**
 * @module Which bound values of an engine SQL statement are payloads, by column: the payload columns
 * below are encoded on write, whatever statement writes them, and decoded on read, whatever query
 * reads them (payload-sql.ts). Parses the engine's own statements only (never user input): simple
 * `INSERT [OR …] INTO t (cols) VALUES (…)` and `UPDATE t SET col = expr, … [WHERE …]`. A statement
 * that writes a payload column in any other way is refused with an error (fail closed): it would
 * otherwise store plaintext unnoticed.
 */

/** Columns that hold payloads (JSON text), by table. Search attributes stay plaintext (indexed). */
export const PAYLOAD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  events: ["attributes"],
  runs: ["result", "failure", "memo", "wft_failure"],
  activities: ["input", "last_failure", "heartbeat_details"],
  outbox: ["body"],
  updates: ["result", "failure"],
};

/** Every payload column name: reads decode these (only values that are envelopes). */
export const PAYLOAD_COLUMN_NAMES: ReadonlySet<string> = new Set(
  Object.values(PAYLOAD_COLUMNS).flat(),
);

/** Zero-based indexes of the bindings to encode; empty when the statement writes no payload. */
export type StatementPlan = readonly number[];

const NONE: StatementPlan = [];

/** Splits at commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

/** `?` placeholders in `text`, outside quotes. */
function placeholders(text: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === "?") n++;
  }
  return n;
}

export class UnsupportedPayloadStatementError extends Error {
  override name = "UnsupportedPayloadStatement";
  constructor(sql: string) {
    super(
      `sundial: this statement writes a payload column in a form the codec cannot see (use col = ? or coalesce(?, col)): ${sql.slice(0, 200)}`,
    );
  }
}

/** The value expression of a payload column: which of its placeholders is the payload. */
function payloadBinding(expr: string, column: string, sql: string): boolean {
  const n = placeholders(expr);
  if (n === 0) return false;
  const compact = expr.replace(/\s+/g, "").toLowerCase();
  if (compact === "?" || compact === `coalesce(?,${column})`) return true;
  throw new UnsupportedPayloadStatementError(sql);
}

const INSERT = /^INSERT(?:\s+OR\s+\w+)?\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(/i;
const UPDATE = /^UPDATE\s+(\w+)\s+SET\s+/i;

export function statementPlan(sql: string): StatementPlan {
  const text = sql.trim();
  const insert = INSERT.exec(text);
  if (insert) {
    const payload = PAYLOAD_COLUMNS[insert[1]!.toLowerCase()];
    if (!payload) return NONE;
    if (/\?\d/.test(text)) throw new UnsupportedPayloadStatementError(sql);
    const columns = insert[2]!.split(",").map((c) => c.trim().toLowerCase());
    // The VALUES group: up to its matching parenthesis.
    const open = insert[0].length;
    let depth = 1;
    let close = open;
    while (close < text.length && depth > 0) {
      if (text[close] === "(") depth++;
      else if (text[close] === ")") depth--;
      close++;
    }
    const values = splitTopLevel(text.slice(open, close - 1));
    if (values.length !== columns.length || placeholders(text.slice(close)) > 0) {
      throw new UnsupportedPayloadStatementError(sql);
    }
    const plan: number[] = [];
    let index = 0;
    values.forEach((expr, i) => {
      const column = columns[i]!;
      if (payload.includes(column) && payloadBinding(expr, column, sql)) plan.push(index);
      index += placeholders(expr);
    });
    return plan;
  }
  const update = UPDATE.exec(text);
  if (update) {
    const payload = PAYLOAD_COLUMNS[update[1]!.toLowerCase()];
    if (!payload) return NONE;
    if (/\?\d/.test(text)) throw new UnsupportedPayloadStatementError(sql);
    const rest = text.slice(update[0].length);
    const where = /\sWHERE\s/i.exec(rest);
    const assignments = splitTopLevel(where ? rest.slice(0, where.index) : rest);
    const plan: number[] = [];
    let index = 0;
    for (const assignment of assignments) {
      const eq = assignment.indexOf("=");
      if (eq < 0) throw new UnsupportedPayloadStatementError(sql);
      const column = assignment.slice(0, eq).trim().toLowerCase();
      const expr = assignment.slice(eq + 1);
      if (payload.includes(column) && payloadBinding(expr, column, sql)) plan.push(index);
      index += placeholders(expr);
    }
    return plan;
  }
  if (
    /^(INSERT|REPLACE)\b/i.test(text) &&
    /\b(events|runs|activities|outbox|updates)\b/i.test(text)
  ) {
    throw new UnsupportedPayloadStatementError(sql);
  }
  return NONE;
}
