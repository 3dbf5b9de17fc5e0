/** @module The visibility query language's limits, error and syntax tree (see query.ts for the grammar). */

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
