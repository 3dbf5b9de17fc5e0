/**
 * @module The schedule index (D1 table `schedules`, migrations/0002): rows written from each
 * schedule object's outbox, and the list of API.md with a query over `ScheduleId`, `WorkflowType`
 * and `Paused` (the visibility query parser, compiled here to this table's columns).
 */

import type { ListSchedulesResponse } from "../../sdk/common/schedule";
import { MAX_QUERY_LENGTH, parseQuery, QueryError, type QueryExpr } from "../visibility/query";
import type { Literal } from "../visibility/query-ast";

export interface ScheduleIndexRow {
  namespace: string;
  scheduleId: string;
  workflowType: string;
  specDescription: string;
  paused: boolean;
  note: string;
  nextActionMs: number | null;
  createMs: number;
  updateMs: number;
  version: number;
}

export { MAX_QUERY_LENGTH, QueryError };
export const DEFAULT_SCHEDULE_PAGE_SIZE = 100;
export const MAX_SCHEDULE_PAGE_SIZE = 1000;
export const MAX_SCHEDULE_TOKEN_LENGTH = 1024;

export class ScheduleTokenError extends Error {
  override name = "ScheduleTokenError";
}

export async function upsertScheduleIndex(db: D1Database, r: ScheduleIndexRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO schedules (namespace, schedule_id, workflow_type, spec_description, paused, note, next_action_time, create_time, update_time, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, schedule_id) DO UPDATE SET
         workflow_type = excluded.workflow_type, spec_description = excluded.spec_description,
         paused = excluded.paused, note = excluded.note, next_action_time = excluded.next_action_time,
         create_time = excluded.create_time, update_time = excluded.update_time, version = excluded.version
       WHERE excluded.version > schedules.version OR excluded.create_time != schedules.create_time`,
    )
    .bind(
      r.namespace,
      r.scheduleId,
      r.workflowType,
      r.specDescription,
      r.paused ? 1 : 0,
      r.note,
      r.nextActionMs,
      r.createMs,
      r.updateMs,
      r.version,
    )
    .run();
}

export async function deleteScheduleIndex(
  db: D1Database,
  namespace: string,
  scheduleId: string,
): Promise<void> {
  await db
    .prepare("DELETE FROM schedules WHERE namespace = ? AND schedule_id = ?")
    .bind(namespace, scheduleId)
    .run();
}

const COLUMNS: Record<string, { column: string; kind: "string" | "bool" }> = {
  ScheduleId: { column: "schedule_id", kind: "string" },
  WorkflowType: { column: "workflow_type", kind: "string" },
  Paused: { column: "paused", kind: "bool" },
};

function literal(field: string, value: Literal): string | number {
  const spec = COLUMNS[field]!;
  if (spec.kind === "bool") {
    if (value.kind !== "bool") {
      throw new QueryError(`${field} compares with true or false`, value.pos, value.raw ?? null);
    }
    return value.value ? 1 : 0;
  }
  if (value.kind !== "string") {
    throw new QueryError(`${field} compares with a quoted string`, value.pos, value.raw ?? null);
  }
  return value.value;
}

function column(field: { name: string; pos: number }): string {
  const spec = COLUMNS[field.name];
  if (!spec) {
    throw new QueryError(
      `unknown field "${field.name}"; schedules filter on ${Object.keys(COLUMNS).join(", ")}`,
      field.pos,
      field.name,
    );
  }
  return spec.column;
}

/** The query's SQL over `schedules` (parameterised); the parser is the visibility one (linear). */
export function scheduleQuerySql(expr: QueryExpr, params: (string | number)[]): string {
  switch (expr.type) {
    case "and":
    case "or":
      return `(${scheduleQuerySql(expr.left, params)} ${expr.type.toUpperCase()} ${scheduleQuerySql(expr.right, params)})`;
    case "compare": {
      const col = column(expr.field);
      if (expr.op !== "=" && expr.op !== "!=") {
        throw new QueryError(
          `schedules filter with = and != only`,
          expr.opPos ?? expr.field.pos,
          expr.op,
        );
      }
      params.push(literal(expr.field.name, expr.value));
      return `${col} ${expr.op} ?`;
    }
    case "in": {
      const col = column(expr.field);
      for (const v of expr.values) params.push(literal(expr.field.name, v));
      return `${col} IN (${expr.values.map(() => "?").join(", ")})`;
    }
    case "startsWith": {
      const col = column(expr.field);
      const prefix = literal(expr.field.name, expr.value);
      params.push(String(prefix), String(prefix));
      // substr, not LIKE/GLOB: no wildcard in the prefix can widen the match.
      return `substr(${col}, 1, length(?)) = ?`;
    }
  }
}

/** The page token: base64url of `{"after": <last schedule id>}`. */
function encodeToken(scheduleId: string): string {
  const bytes = new TextEncoder().encode(JSON.stringify({ after: scheduleId }));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function decodeToken(token: string): string {
  const refused = new ScheduleTokenError("nextPageToken is not valid for this list");
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw refused;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(atob(token.replaceAll("-", "+").replaceAll("_", "/")), (c) =>
        c.charCodeAt(0),
      ),
    );
    const parsed = JSON.parse(text) as { after?: unknown };
    if (typeof parsed?.after === "string") return parsed.after;
  } catch {
    // refused below
  }
  throw refused;
}

/** A page of schedules, ordered by schedule id. */
export async function listSchedules(
  db: D1Database,
  options: { namespace: string; query?: string; pageSize: number; nextPageToken?: string },
): Promise<ListSchedulesResponse> {
  const params: (string | number)[] = [options.namespace];
  let where = "namespace = ?";
  const expr = options.query ? parseQuery(options.query) : null;
  if (expr) where += ` AND ${scheduleQuerySql(expr, params)}`;
  if (options.nextPageToken) {
    where += " AND schedule_id > ?";
    params.push(decodeToken(options.nextPageToken));
  }
  params.push(options.pageSize + 1);
  const rows = (
    await db
      .prepare(`SELECT * FROM schedules WHERE ${where} ORDER BY schedule_id LIMIT ?`)
      .bind(...params)
      .all<{
        schedule_id: string;
        workflow_type: string;
        spec_description: string;
        paused: number;
        note: string;
        next_action_time: number | null;
        create_time: number;
        update_time: number;
      }>()
  ).results;
  const page = rows.slice(0, options.pageSize);
  const last = page[page.length - 1];
  return {
    schedules: page.map((r) => ({
      scheduleId: r.schedule_id,
      workflowType: r.workflow_type,
      specDescription: r.spec_description,
      paused: r.paused === 1,
      note: r.note,
      nextActionTime:
        r.next_action_time === null ? null : new Date(r.next_action_time).toISOString(),
      createTime: new Date(r.create_time).toISOString(),
      updateTime: new Date(r.update_time).toISOString(),
    })),
    nextPageToken: rows.length > options.pageSize && last ? encodeToken(last.schedule_id) : null,
  };
}
