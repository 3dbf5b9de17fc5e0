/**
 * @module The OpenAPI 3.1 document of API.md (`GET /api/v1/openapi.json`), generated from the zod
 * schemas that validate requests (schemas.ts, visibility-routes.ts) plus response schemas declared
 * here and checked against the wire types (sdk/common/wire.ts) at compile time.
 *
 * Every route is listed twice: under `/api/v1` (namespace `default`) and under
 * `/api/v1/namespaces/{namespace}` with the namespace as a path parameter.
 */

import type { PermissionOverride } from "../auth/permissions";
import { components, pathParameter, ref } from "./openapi/json-schema";
import { type Operation, operations } from "./openapi/paths";
import { scheduleOperations } from "./openapi/schedule-paths";
import { namespaceSchema } from "./schemas";

/** The answers of access control, on every operation (API.md, Errors and Auth). */
function authResponses(): Record<string, unknown> {
  const error = (description: string) => ({
    description,
    content: { "application/json": { schema: ref("Error") } },
  });
  return {
    401: error(
      "Unauthenticated: no key, a malformed Authorization header, an unknown or revoked key",
    ),
    403: error("PermissionDenied: the key's role or namespace does not allow this"),
    429: error("ResourceExhausted: over the namespace's rate limit (see Retry-After)"),
    503: error("Unavailable: auth is required but not configured (no admin key)"),
  };
}

/** The role each operation needs in its namespace, by method and path (src/auth/middleware.ts). */
export function permissionOverrides(): PermissionOverride[] {
  return operations()
    .filter((op): op is Operation & { permission: NonNullable<Operation["permission"]> } =>
      Boolean(op.permission && !op.global),
    )
    .map((op) => ({ method: op.method, path: op.path, role: op.permission }));
}

/** The OpenAPI 3.1 document. Pure: the same on every call. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const namespace = pathParameter(
    "namespace",
    namespaceSchema,
    "The namespace; the routes without it use `default`",
  );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations(), ...scheduleOperations()]) {
    const { method, path, operationId, permission, global, ...rest } = op;
    const needs = global ? undefined : (permission ?? (method === "get" ? "reader" : "writer"));
    const prefixes = global
      ? ([["/api/v1", "", []]] as const)
      : ([
          ["/api/v1", "", []],
          ["/api/v1/namespaces/{namespace}", "InNamespace", [namespace]],
        ] as const);
    for (const [prefix, suffix, extra] of prefixes) {
      paths[prefix + path] ??= {};
      const entry = paths[prefix + path] ?? {};
      entry[method] = {
        ...rest,
        operationId: operationId + suffix,
        parameters: [...extra, ...rest.parameters],
        responses: { ...rest.responses, ...authResponses() },
        ...(needs ? { "x-sundial-role": needs } : {}),
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Sundial",
      version: "1",
      description:
        "Durable execution on Cloudflare Workers. JSON in and out; every error is " +
        '`{"error": {"code", "message"}}`. An empty query parameter (`?runId=`) counts as not ' +
        "given. A body nested deeper than 100 levels of arrays/objects is a 400; ids, names, " +
        "tokens, queries and durations have length limits (see each schema). " +
        "Every route needs `Authorization: Bearer <key>` (unless the engine runs with auth " +
        "disabled, as `npm run dev` does); `x-sundial-role` says which role in the namespace an " +
        "operation needs (reader, writer; admin for that namespace's keys; admin of `*` for " +
        "namespaces).",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Workflows", description: "Start, observe and message workflow executions" },
      { name: "Visibility", description: "List and count executions" },
      { name: "Schedules", description: "Start workflows on cron, calendar and interval specs" },
      { name: "Namespaces", description: "Registered namespaces and their retention" },
      { name: "API keys", description: "Keys with a role in one namespace (or all)" },
      { name: "Auth", description: "Who the caller is" },
    ],
    paths,
    components: {
      schemas: components(),
      securitySchemes: { apiKey: { type: "http", scheme: "bearer" } },
    },
    security: [{ apiKey: [] }],
  };
}

let cached: string | undefined;

/** The document as JSON text, built once per isolate. */
export function openApiJson(): string {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return cached;
}
