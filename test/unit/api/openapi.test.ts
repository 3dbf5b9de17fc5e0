/** @module The OpenAPI document (src/api/openapi.ts): a valid OpenAPI 3.1 document covering every served route of API.md. */
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, it } from "vitest";
import { buildOpenApiDocument } from "../../../src/api/openapi";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters: { name: string }[] }>>;
  components: { schemas: Record<string, unknown> };
};
const doc = () => buildOpenApiDocument() as Doc;

/** The routes of API.md that the engine serves. */
const API_MD_ROUTES = [
  "post /workflows",
  "get /workflows/{workflowId}",
  "get /workflows/{workflowId}/result",
  "get /workflows/{workflowId}/history",
  "post /workflows/{workflowId}/signals/{signalName}",
  "post /workflows/{workflowId}/queries/{queryName}",
  "post /workflows/{workflowId}/updates/{updateName}",
  "post /workflows/{workflowId}/cancel",
  "post /workflows/{workflowId}/terminate",
  "get /workflows",
  "get /workflow-count",
  "post /schedules",
  "get /schedules",
  "get /schedules/{scheduleId}",
  "put /schedules/{scheduleId}",
  "post /schedules/{scheduleId}/pause",
  "post /schedules/{scheduleId}/unpause",
  "post /schedules/{scheduleId}/trigger",
  "post /schedules/{scheduleId}/backfill",
  "delete /schedules/{scheduleId}",
];

/** The global routes of API.md's "Auth and namespaces", served once (not per namespace). */
const API_MD_GLOBAL_ROUTES = [
  "post /namespaces",
  "get /namespaces",
  "get /namespaces/{name}",
  "patch /namespaces/{name}",
  "post /api-keys",
  "get /api-keys",
  "delete /api-keys/{id}",
  // An addition of issue 11 (the UI asks who it is signed in as).
  "get /whoami",
];

function operations(d: Doc): string[] {
  return Object.entries(d.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method} ${path}`),
  );
}

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async ({ expect }) => {
    const d = doc();
    expect(d.openapi).toBe("3.1.0");
    // The parser dereferences in place: give it a copy.
    const result = await validate(structuredClone(d) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    // The validator does check: the same document with a response lacking its description is refused.
    const broken = structuredClone(d) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, object> }>>;
    };
    const start = broken.paths["/api/v1/workflows"]?.post;
    if (!start) throw new Error("no POST /api/v1/workflows");
    start.responses["201"] = { content: {} };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("lists every served route of API.md, with and without a namespace, and nothing else", ({
    expect,
  }) => {
    const expected = API_MD_ROUTES.flatMap((route) => {
      const [method, path] = route.split(" ");
      return [`${method} /api/v1${path}`, `${method} /api/v1/namespaces/{namespace}${path}`];
    });
    for (const route of API_MD_GLOBAL_ROUTES) {
      const [method, path] = route.split(" ");
      expected.push(`${method} /api/v1${path}`);
    }
    expect(operations(doc()).sort()).toEqual(expected.sort());
  });

  it("declares every path parameter and gives each operation a unique id", ({ expect }) => {
    const d = doc();
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(d.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        const names = op.parameters.map((p) => p.name);
        for (const name of inPath) expect(names, `${path} ${name}`).toContain(name);
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
      }
    }
  });

  it("derives request schemas from the validating zod schemas", ({ expect }) => {
    const start = doc().components.schemas.StartRequest as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { type?: unknown; enum?: string[]; description?: string }>;
    };
    expect(start.required).toEqual(["workflowType"]);
    expect(start.additionalProperties).toBe(false); // .strict(): unknown fields are a 400
    expect(start.properties.idConflictPolicy?.enum).toEqual(["Fail", "UseExisting"]);
    // Durations are accepted as numbers (ms) or strings, before the transform to ms.
    expect(start.properties.startDelay).toMatchObject({ type: ["number", "string"] });
    expect(start.properties.startDelay?.description).toMatch(/duration/i);
  });

  it("describes errors with the one error shape", ({ expect }) => {
    const d = doc() as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const ops of Object.values(d.paths)) {
      for (const op of Object.values(ops)) {
        expect(op.responses.default).toEqual({
          description: expect.any(String),
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        });
      }
    }
  });
});
