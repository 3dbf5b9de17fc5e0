/**
 * @module The OpenAPI 3.1 document of API.md (`GET /api/v1/openapi.json`), generated from the zod
 * schemas that validate requests (schemas.ts, visibility-routes.ts) plus response schemas declared
 * here and checked against the wire types (sdk/common/wire.ts) at compile time.
 *
 * Every route is listed twice: under `/api/v1` (namespace `default`) and under
 * `/api/v1/namespaces/{namespace}` with the namespace as a path parameter.
 */

import { components, pathParameter } from "./openapi/json-schema";
import { operations } from "./openapi/paths";
import { scheduleOperations } from "./openapi/schedule-paths";
import { namespaceSchema } from "./schemas";

/** The OpenAPI 3.1 document. Pure: the same on every call. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const namespace = pathParameter(
    "namespace",
    namespaceSchema,
    "The namespace; the routes without it use `default`",
  );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations(), ...scheduleOperations()]) {
    const { method, path, operationId, ...rest } = op;
    for (const [prefix, suffix, extra] of [
      ["/api/v1", "", []],
      ["/api/v1/namespaces/{namespace}", "InNamespace", [namespace]],
    ] as const) {
      paths[prefix + path] ??= {};
      const entry = paths[prefix + path] ?? {};
      entry[method] = {
        ...rest,
        operationId: operationId + suffix,
        parameters: [...extra, ...rest.parameters],
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
        "When API keys are configured, send " +
        "`Authorization: Bearer <key>`.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Workflows", description: "Start, observe and message workflow executions" },
      { name: "Visibility", description: "List and count executions" },
      { name: "Schedules", description: "Start workflows on cron, calendar and interval specs" },
    ],
    paths,
    components: {
      schemas: components(),
      securitySchemes: { apiKey: { type: "http", scheme: "bearer" } },
    },
    security: [{}, { apiKey: [] }],
  };
}

let cached: string | undefined;

/** The document as JSON text, built once per isolate. */
export function openApiJson(): string {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return cached;
}
