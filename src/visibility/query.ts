/**
 * @module The visibility filter language of API.md, parsed into a parameterised SQL WHERE fragment.
 *
 * Grammar (keywords case-insensitive, field names case-sensitive):
 * ```
 * query      := ε | or
 * or         := and ("OR" and)*
 * and        := primary ("AND" primary)*
 * primary    := "(" or ")" | field op literal | field "IN" "(" literal ("," literal)* ")"
 *             | field "STARTS_WITH" string
 * op         := "=" | "!=" | ">" | ">=" | "<" | "<="
 * field      := identifier | `identifier`
 * literal    := 'string' | "string" | number | TRUE | FALSE     (datetimes are ISO-8601 strings)
 * ```
 * Built-in fields: `WorkflowId, RunId, WorkflowType, TaskQueue` (strings), `ExecutionStatus`,
 * `StartTime, CloseTime, ExecutionTime` (datetimes), `HistoryLength` (integer). Any other name
 * is a search attribute; its literal decides which typed values it can match:
 * - a string matches `keyword` values (every operator, `IN`, `STARTS_WITH`) and `text` values
 *   (`=` is "contains, case-insensitive", `!=` "does not contain"); when it is an ISO datetime it
 *   also matches `datetime` values, compared as instants;
 * - a number matches `int` and `double`; `true` / `false` match `bool` (`=`, `!=`, `IN` only).
 * `A != v` on a search attribute means "A is set and none of its values equals v".
 *
 * Pure: no I/O, no platform imports. Every literal becomes a bound parameter; the only text
 * spliced into the SQL comes from the tables below. The fragment refers to the executions
 * table as `e` (see migrations/0001_visibility.sql).
 */
import type { ExecutionStatus } from "../../sdk/common/wire";

/** Longest accepted query, in characters. */
export const MAX_QUERY_LENGTH = 4096;
/** Deepest nesting of parentheses. */
export const MAX_QUERY_DEPTH = 32;
/** Most bound parameters one filter may use (D1 allows 100 per statement; paging needs a few). */
export const MAX_QUERY_PARAMS = 80;
/** Most values in one `IN (…)` list. */
export const MAX_IN_VALUES = 1000;

/** A malformed query. `position` is the 0-based offset of the offending token in the query text. */
export class QueryError extends Error {
  override name = "QueryError";
  constructor(
    message: string,
    readonly position: number,
    readonly token: string | null = null,
  ) {
    super(message);
  }
}

export type CompareOp = "=" | "!=" | ">" | ">=" | "<" | "<=";

export type Literal =
  | { kind: "string"; value: string; pos: number; raw?: string }
  | { kind: "number"; value: number; pos: number; raw?: string }
  | { kind: "bool"; value: boolean; pos: number; raw?: string };

export interface FieldRef {
  name: string;
  pos: number;
}

export type QueryExpr =
  | { type: "and" | "or"; left: QueryExpr; right: QueryExpr }
  | { type: "compare"; field: FieldRef; op: CompareOp; value: Literal; opPos?: number }
  | { type: "in"; field: FieldRef; values: Literal[] }
  | { type: "startsWith"; field: FieldRef; value: Literal; opPos?: number };

export interface SqlFragment {
  /** A boolean SQL expression in parentheses, or "" for an empty query. */
  sql: string;
  params: (string | number)[];
}

// ---------------------------------------------------------------------------------------------
// Lexer

type TokenKind = "ident" | "quotedIdent" | "string" | "number" | "op" | "punct" | "eof";
interface Token {
  kind: TokenKind;
  /** The token's source text (strings and quoted names with their quotes). */
  raw: string;
  /** Decoded value for strings and quoted names, the number for numbers. */
  text: string;
  num?: number;
  pos: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD_TAIL = /^[A-Za-z0-9_.]+/;
const KEYWORDS = new Set(["AND", "OR", "IN", "STARTS_WITH", "TRUE", "FALSE"]);

/** How a token is named in an error message: strings as written, anything else in quotes. */
function show(t: Token): string {
  if (t.kind === "eof") return "end of query";
  if (t.kind === "string") return t.raw;
  return `'${t.raw}'`;
}

function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

class Lexer {
  #pos = 0;
  #peeked: Token | null = null;

  constructor(readonly src: string) {}

  peek(): Token {
    this.#peeked ??= this.#read();
    return this.#peeked;
  }

  next(): Token {
    const t = this.peek();
    this.#peeked = null;
    return t;
  }

  #read(): Token {
    const src = this.src;
    while (this.#pos < src.length && /\s/.test(src[this.#pos]!)) this.#pos++;
    const pos = this.#pos;
    if (pos >= src.length) return { kind: "eof", raw: "", text: "", pos };
    const ch = src[pos]!;

    if (ch === "'" || ch === '"') return this.#string(ch, pos);
    if (ch === "`") return this.#quotedIdent(pos);
    if (IDENT_START.test(ch)) {
      let end = pos + 1;
      while (end < src.length && IDENT_PART.test(src[end]!)) end++;
      this.#pos = end;
      const raw = src.slice(pos, end);
      return { kind: "ident", raw, text: raw, pos };
    }
    if (/[0-9.]/.test(ch) || (ch === "-" && /[0-9.]/.test(src[pos + 1] ?? ""))) {
      return this.#number(pos);
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      this.#pos = pos + 1;
      return { kind: "punct", raw: ch, text: ch, pos };
    }
    const two = src.slice(pos, pos + 2);
    if (two === "!=" || two === ">=" || two === "<=") {
      this.#pos = pos + 2;
      return { kind: "op", raw: two, text: two, pos };
    }
    if (ch === "=" || ch === ">" || ch === "<") {
      this.#pos = pos + 1;
      return { kind: "op", raw: ch, text: ch, pos };
    }
    // Anything else is an error; name comment starters as a whole so the message is clear.
    const bad = two === "--" ? two : ch;
    throw new QueryError(`unexpected token '${bad}' at ${pos}`, pos, bad);
  }

  #string(quote: string, pos: number): Token {
    const src = this.src;
    let i = pos + 1;
    let text = "";
    while (i < src.length) {
      const ch = src[i]!;
      if (ch === quote) {
        this.#pos = i + 1;
        return { kind: "string", raw: src.slice(pos, i + 1), text, pos };
      }
      if (ch === "\\") {
        const esc = src[i + 1];
        if (esc === undefined) break;
        if (esc !== "\\" && esc !== "'" && esc !== '"') {
          throw new QueryError(
            `unknown escape '\\${esc}' at ${i}; only \\\\, \\' and \\" are escapes`,
            i,
            `\\${esc}`,
          );
        }
        text += esc;
        i += 2;
        continue;
      }
      if (isControl(ch)) throw new QueryError(`control character in string at ${i}`, i, ch);
      text += ch;
      i++;
    }
    throw new QueryError(`unterminated string starting at ${pos}`, pos, quote);
  }

  #quotedIdent(pos: number): Token {
    const end = this.src.indexOf("`", pos + 1);
    if (end < 0) throw new QueryError(`unterminated field name starting at ${pos}`, pos, "`");
    this.#pos = end + 1;
    const text = this.src.slice(pos + 1, end);
    return { kind: "quotedIdent", raw: this.src.slice(pos, end + 1), text, pos };
  }

  #number(pos: number): Token {
    const rest = this.src.slice(pos);
    const m = NUMBER.exec(rest);
    const tail = WORD_TAIL.exec(rest.slice(m?.[0].length ?? 0));
    if (!m || tail) {
      const raw = rest.slice(0, (m?.[0].length ?? 0) + (tail?.[0].length ?? 1));
      throw new QueryError(`unexpected token '${raw}' at ${pos}`, pos, raw);
    }
    const raw = m[0];
    const num = Number(raw);
    if (!Number.isFinite(num)) {
      throw new QueryError(`number out of range '${raw}' at ${pos}`, pos, raw);
    }
    this.#pos = pos + raw.length;
    return { kind: "number", raw, text: raw, num, pos };
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

function keyword(t: Token): string | null {
  if (t.kind !== "ident") return null;
  const upper = t.text.toUpperCase();
  return KEYWORDS.has(upper) ? upper : null;
}

class Parser {
  readonly #lex: Lexer;
  #depth = 0;

  constructor(src: string) {
    this.#lex = new Lexer(src);
  }

  parse(): QueryExpr | null {
    if (this.#lex.peek().kind === "eof") return null;
    const expr = this.#or();
    const t = this.#lex.peek();
    if (t.kind !== "eof") {
      throw new QueryError(
        `unexpected token ${show(t)} at ${t.pos} (expected AND, OR or the end of the query)`,
        t.pos,
        t.raw,
      );
    }
    return expr;
  }

  #or(): QueryExpr {
    let left = this.#and();
    while (keyword(this.#lex.peek()) === "OR") {
      this.#lex.next();
      left = { type: "or", left, right: this.#and() };
    }
    return left;
  }

  #and(): QueryExpr {
    let left = this.#primary();
    while (keyword(this.#lex.peek()) === "AND") {
      this.#lex.next();
      left = { type: "and", left, right: this.#primary() };
    }
    return left;
  }

  #primary(): QueryExpr {
    const t = this.#lex.next();
    if (t.kind === "punct" && t.text === "(") {
      if (++this.#depth > MAX_QUERY_DEPTH) {
        throw new QueryError(
          `query is nested too deeply at ${t.pos} (at most ${MAX_QUERY_DEPTH} levels of parentheses)`,
          t.pos,
          t.raw,
        );
      }
      const inner = this.#or();
      const close = this.#lex.next();
      if (close.kind !== "punct" || close.text !== ")") {
        throw new QueryError(
          `expected ')' but found ${show(close)} at ${close.pos}`,
          close.pos,
          close.raw,
        );
      }
      this.#depth--;
      return inner;
    }
    const field = this.#field(t);
    const opTok = this.#lex.next();
    const kw = keyword(opTok);
    if (kw === "IN") {
      const open = this.#lex.next();
      if (open.kind !== "punct" || open.text !== "(") {
        throw new QueryError(
          `expected '(' after IN but found ${show(open)} at ${open.pos}`,
          open.pos,
          open.raw,
        );
      }
      const values: Literal[] = [this.#literal()];
      for (;;) {
        const sep = this.#lex.next();
        if (sep.kind === "punct" && sep.text === ")") break;
        if (sep.kind !== "punct" || sep.text !== ",") {
          throw new QueryError(
            `expected ',' or ')' in the IN list but found ${show(sep)} at ${sep.pos}`,
            sep.pos,
            sep.raw,
          );
        }
        values.push(this.#literal());
        if (values.length > MAX_IN_VALUES) {
          throw new QueryError(
            `IN list at ${open.pos} has more than ${MAX_IN_VALUES} values`,
            open.pos,
            open.raw,
          );
        }
      }
      return { type: "in", field, values };
    }
    if (kw === "STARTS_WITH") {
      return { type: "startsWith", field, value: this.#literal(), opPos: opTok.pos };
    }
    if (opTok.kind !== "op") {
      throw new QueryError(
        `expected an operator but found ${show(opTok)} at ${opTok.pos} (=, !=, >, >=, <, <=, IN or STARTS_WITH)`,
        opTok.pos,
        opTok.raw,
      );
    }
    return {
      type: "compare",
      field,
      op: opTok.text as CompareOp,
      value: this.#literal(),
      opPos: opTok.pos,
    };
  }

  #field(t: Token): FieldRef {
    if (t.kind === "eof") throw new QueryError(`unexpected end of query at ${t.pos}`, t.pos);
    if (t.kind === "quotedIdent") {
      if (!FIELD_NAME.test(t.text)) {
        throw new QueryError(
          `invalid field name '${t.text}' at ${t.pos} (letters, digits and _, starting with a letter or _)`,
          t.pos,
          t.raw,
        );
      }
      return { name: t.text, pos: t.pos };
    }
    if (t.kind !== "ident" || keyword(t) !== null || !FIELD_NAME.test(t.text)) {
      throw new QueryError(`expected a field name but found ${show(t)} at ${t.pos}`, t.pos, t.raw);
    }
    return { name: t.text, pos: t.pos };
  }

  #literal(): Literal {
    const t = this.#lex.next();
    if (t.kind === "string") return { kind: "string", value: t.text, pos: t.pos, raw: t.raw };
    if (t.kind === "number") return { kind: "number", value: t.num!, pos: t.pos, raw: t.raw };
    const kw = keyword(t);
    if (kw === "TRUE" || kw === "FALSE") {
      return { kind: "bool", value: kw === "TRUE", pos: t.pos, raw: t.raw };
    }
    if (t.kind === "eof") throw new QueryError(`unexpected end of query at ${t.pos}`, t.pos);
    throw new QueryError(
      `expected a value but found ${show(t)} at ${t.pos} (a quoted string, a number, true or false)`,
      t.pos,
      t.raw,
    );
  }
}

/** Parses a query into its syntax tree; `null` for an empty query. Throws {@link QueryError}. */
export function parseQuery(query: string): QueryExpr | null {
  if (query.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      `query is longer than ${MAX_QUERY_LENGTH} characters (${query.length})`,
      MAX_QUERY_LENGTH,
    );
  }
  return new Parser(query).parse();
}

// ---------------------------------------------------------------------------------------------
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

const STATUSES: readonly ExecutionStatus[] = [
  "Running",
  "Completed",
  "Failed",
  "Canceled",
  "Terminated",
  "ContinuedAsNew",
  "TimedOut",
];
const STATUS_BY_LOWER = new Map(STATUSES.map((s) => [s.toLowerCase(), s]));

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
            `unknown ExecutionStatus ${rawOf(lit)} at ${lit.pos} (one of ${STATUSES.join(", ")})`,
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

/** Parses and compiles a query; `{sql: "", params: []}` when it is empty. Throws {@link QueryError}. */
export function queryToSql(query: string): SqlFragment {
  const expr = parseQuery(query);
  return expr ? compileQuery(expr) : { sql: "", params: [] };
}
