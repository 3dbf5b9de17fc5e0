/**
 * @module Compiles a parsed visibility query into a parameterised SQL WHERE fragment over the
 * executions table `e` (see query.ts for the language, migrations/0001_visibility.sql for tables).
 * Every literal becomes a bound parameter; the only text spliced into the SQL comes from the
 * tables below.
 */
import { EXECUTION_STATUSES, type ExecutionStatus } from "../../sdk/common/wire";
import {
  type CompareOp,
  type FieldRef,
  type Literal,
  MAX_QUERY_PARAMS,
  QueryError,
  type QueryExpr,
  type SqlFragment,
} from "./query-ast";

// Datetimes

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch milliseconds of an ISO-8601 date or datetime (`2024-05-01`, `2024-05-01T10:00Z`,
 * `2024-05-01 10:00:00.5+02:00`); no zone means UTC. `null` when it is not one, or not a real
 * calendar date.
 */
export function parseIsoDatetime(text: string): number | null {
  const m = DATETIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number(`${frac}000`.slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  date.setUTCHours(hour, minute, second, ms);
  const local = date.getTime();
  let offsetMin = 0;
  if (zone.toUpperCase() !== "Z") {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const zh = Number(zm[2]);
    const zmin = Number(zm[3]);
    if (zh > 23 || zmin > 59) return null;
    offsetMin = (zm[1] === "-" ? -1 : 1) * (zh * 60 + zmin);
  }
  const result = local - offsetMin * 60_000;
  return Number.isFinite(result) && Math.abs(result) <= 8.64e15 ? result : null;
}

// ---------------------------------------------------------------------------------------------
// Compiler

type BuiltinKind = "string" | "status" | "datetime" | "int";

/** Built-in fields: name → column of the executions table (`e`) and value kind. */
export const BUILTIN_FIELDS: Readonly<Record<string, { column: string; kind: BuiltinKind }>> = {
  WorkflowId: { column: "e.workflow_id", kind: "string" },
  RunId: { column: "e.run_id", kind: "string" },
  WorkflowType: { column: "e.workflow_type", kind: "string" },
  TaskQueue: { column: "e.task_queue", kind: "string" },
  ExecutionStatus: { column: "e.status", kind: "status" },
  StartTime: { column: "e.start_time", kind: "datetime" },
  CloseTime: { column: "e.close_time", kind: "datetime" },
  ExecutionTime: { column: "e.execution_time", kind: "datetime" },
  HistoryLength: { column: "e.history_length", kind: "int" },
};

const STATUS_BY_LOWER = new Map<string, ExecutionStatus>(
  EXECUTION_STATUSES.map((s) => [s.toLowerCase(), s]),
);

/** The search attribute rows of this execution with the given name (`s`), correlated to `e`. */
const SA_EXISTS =
  "EXISTS (SELECT 1 FROM search_attributes s WHERE s.namespace = e.namespace AND s.workflow_id = e.workflow_id AND s.run_id = e.run_id AND s.name = ?";

/** A GLOB pattern matching strings that start with `prefix` (its wildcards made literal). */
export function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
}

function rawOf(lit: Literal): string {
  return lit.raw ?? (lit.kind === "string" ? `'${lit.value}'` : String(lit.value));
}

class Compiler {
  readonly params: (string | number)[] = [];

  expr(e: QueryExpr): string {
    switch (e.type) {
      case "and":
      case "or":
        return `(${this.expr(e.left)} ${e.type.toUpperCase()} ${this.expr(e.right)})`;
      case "compare":
      case "in":
      case "startsWith": {
        const builtin = BUILTIN_FIELDS[e.field.name];
        const sql = builtin ? this.#builtin(e, builtin) : this.#searchAttribute(e);
        if (this.params.length > MAX_QUERY_PARAMS) {
          throw new QueryError(
            `query is too complex at ${e.field.pos}: it needs more than ${MAX_QUERY_PARAMS} values; use IN (…) or fewer conditions`,
            e.field.pos,
            e.field.name,
          );
        }
        return `(${sql})`;
      }
    }
  }

  #bind(value: string | number): string {
    this.params.push(value);
    return "?";
  }

  /** A built-in field's value, checked and converted for its column. */
  #builtinValue(field: FieldRef, kind: BuiltinKind, lit: Literal): string | number {
    const name = field.name;
    switch (kind) {
      case "string":
        if (lit.kind !== "string") {
          throw new QueryError(
            `${name} takes a string, not ${rawOf(lit)} (at ${lit.pos})`,
            lit.pos,
            rawOf(lit),
          );
        }
        return lit.value;
      case "status": {
        const status = lit.kind === "string" ? STATUS_BY_LOWER.get(lit.value.toLowerCase()) : null;
        if (!status) {
          throw new QueryError(
            `unknown ExecutionStatus ${rawOf(lit)} at ${lit.pos} (one of ${EXECUTION_STATUSES.join(", ")})`,
            lit.pos,
            rawOf(lit),
          );
        }
        return status;
      }
      case "datetime": {
        const ms = lit.kind === "string" ? parseIsoDatetime(lit.value) : null;
        if (ms === null) {
          throw new QueryError(
            `${name} takes an ISO-8601 datetime, not ${rawOf(lit)} (at ${lit.pos}), e.g. '2024-05-01T10:00:00Z'`,
            lit.pos,
            rawOf(lit),
          );
        }
        return ms;
      }
      case "int":
        if (lit.kind !== "number" || !Number.isSafeInteger(lit.value)) {
          throw new QueryError(
            `${name} takes an integer, not ${rawOf(lit)} (at ${lit.pos})`,
            lit.pos,
            rawOf(lit),
          );
        }
        return lit.value;
    }
  }

  #builtin(
    e: Exclude<QueryExpr, { type: "and" | "or" }>,
    f: { column: string; kind: BuiltinKind },
  ): string {
    if (e.type === "startsWith") {
      if (f.kind !== "string") {
        throw new QueryError(
          `STARTS_WITH is not supported for ${e.field.name} (at ${e.opPos ?? e.field.pos})`,
          e.opPos ?? e.field.pos,
          "STARTS_WITH",
        );
      }
      if (e.value.kind !== "string") {
        throw new QueryError(
          `STARTS_WITH takes a string, not ${rawOf(e.value)} (at ${e.value.pos})`,
          e.value.pos,
          rawOf(e.value),
        );
      }
      return `${f.column} GLOB ${this.#bind(globPrefix(e.value.value))}`;
    }
    if (e.type === "in") {
      const values = e.values.map((v) => this.#builtinValue(e.field, f.kind, v));
      return `${f.column} IN (SELECT value FROM json_each(${this.#bind(JSON.stringify(values))}))`;
    }
    if (f.kind === "status" && e.op !== "=" && e.op !== "!=") {
      const pos = e.opPos ?? e.field.pos;
      throw new QueryError(
        `operator '${e.op}' is not supported for ExecutionStatus (at ${pos}); use =, != or IN`,
        pos,
        e.op,
      );
    }
    return `${f.column} ${e.op} ${this.#bind(this.#builtinValue(e.field, f.kind, e.value))}`;
  }

  #searchAttribute(e: Exclude<QueryExpr, { type: "and" | "or" }>): string {
    if (e.type === "startsWith") {
      if (e.value.kind !== "string") {
        throw new QueryError(
          `STARTS_WITH takes a string, not ${rawOf(e.value)} (at ${e.value.pos})`,
          e.value.pos,
          rawOf(e.value),
        );
      }
      const exists = this.#saExists(e.field.name);
      const pattern = this.#bind(globPrefix(e.value.value));
      return `${exists} AND (s.type = 'keyword' AND s.value_text GLOB ${pattern}))`;
    }
    if (e.type === "in") {
      const exists = this.#saExists(e.field.name);
      return `${exists} AND (${this.#saIn(e.values)}))`;
    }
    if (e.value.kind === "bool" && e.op !== "=" && e.op !== "!=") {
      const pos = e.opPos ?? e.field.pos;
      throw new QueryError(
        `operator '${e.op}' cannot compare a boolean (at ${pos}); use = or !=`,
        pos,
        e.op,
      );
    }
    if (e.op === "!=") {
      const set = `${this.#saExists(e.field.name)})`;
      const none = this.#saExists(e.field.name);
      return `${set} AND NOT ${none} AND (${this.#saMatch("=", e.value)}))`;
    }
    const exists = this.#saExists(e.field.name);
    return `${exists} AND (${this.#saMatch(e.op, e.value)}))`;
  }

  /** The open `EXISTS (…` over this execution's search attribute rows named `name`. */
  #saExists(name: string): string {
    this.#bind(name);
    return SA_EXISTS;
  }

  /** A condition on one search attribute row `s` for `op literal` (op is never `!=`). */
  #saMatch(op: CompareOp, lit: Literal): string {
    switch (lit.kind) {
      case "number":
        return `s.type IN ('int', 'double') AND s.value_num ${op} ${this.#bind(lit.value)}`;
      case "bool":
        return `s.type = 'bool' AND s.value_num = ${this.#bind(lit.value ? 1 : 0)}`;
      case "string": {
        const branches = [`(s.type = 'keyword' AND s.value_text ${op} ${this.#bind(lit.value)})`];
        if (op === "=") {
          branches.push(
            `(s.type = 'text' AND instr(lower(s.value_text), lower(${this.#bind(lit.value)})) > 0)`,
          );
        }
        const ms = parseIsoDatetime(lit.value);
        if (ms !== null)
          branches.push(`(s.type = 'datetime' AND s.value_num ${op} ${this.#bind(ms)})`);
        return branches.length === 1 ? branches[0]!.slice(1, -1) : branches.join(" OR ");
      }
    }
  }

  /** `IN (…)` on a search attribute: one JSON array parameter per kind of value. */
  #saIn(values: Literal[]): string {
    const keywords: string[] = [];
    const datetimes: number[] = [];
    const numbers: number[] = [];
    const bools: number[] = [];
    for (const v of values) {
      if (v.kind === "number") numbers.push(v.value);
      else if (v.kind === "bool") bools.push(v.value ? 1 : 0);
      else {
        keywords.push(v.value);
        const ms = parseIsoDatetime(v.value);
        if (ms !== null) datetimes.push(ms);
      }
    }
    const json = (xs: unknown[]) => `json_each(${this.#bind(JSON.stringify(xs))})`;
    const branches: string[] = [];
    if (keywords.length) {
      branches.push(
        `(s.type = 'keyword' AND s.value_text IN (SELECT value FROM ${json(keywords)}))`,
      );
    }
    if (datetimes.length) {
      branches.push(
        `(s.type = 'datetime' AND s.value_num IN (SELECT value FROM ${json(datetimes)}))`,
      );
    }
    if (numbers.length) {
      branches.push(
        `(s.type IN ('int', 'double') AND s.value_num IN (SELECT value FROM ${json(numbers)}))`,
      );
    }
    if (bools.length) {
      branches.push(`(s.type = 'bool' AND s.value_num IN (SELECT value FROM ${json(bools)}))`);
    }
    return branches.join(" OR ");
  }
}

/** Compiles a parsed query into a WHERE fragment over `executions e`. Throws {@link QueryError}. */
export function compileQuery(expr: QueryExpr): SqlFragment {
  const c = new Compiler();
  const sql = c.expr(expr);
  return { sql, params: c.params };
}
