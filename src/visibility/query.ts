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
 * spliced into the SQL comes from the tables of query-sql.ts. The fragment refers to the executions
 * table as `e` (see migrations/0001_visibility.sql).
 */

import type { SqlFragment } from "./query-ast";
import { parseQuery } from "./query-parser";
import { compileQuery } from "./query-sql";

export {
  type CompareOp,
  type FieldRef,
  type Literal,
  MAX_IN_VALUES,
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  MAX_QUERY_PARAMS,
  QueryError,
  type QueryExpr,
  type SqlFragment,
} from "./query-ast";
export { parseQuery } from "./query-parser";
export { BUILTIN_FIELDS, compileQuery, globPrefix, parseIsoDatetime } from "./query-sql";

/** Parses and compiles a query; `{sql: "", params: []}` when it is empty. Throws {@link QueryError}. */
export function queryToSql(query: string): SqlFragment {
  const expr = parseQuery(query);
  return expr ? compileQuery(expr) : { sql: "", params: [] };
}
