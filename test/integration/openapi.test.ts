/** @module `GET /api/v1/openapi.json`: served as generated, and in step with the routes the app registers. */
import { describe, it } from "vitest";
import { buildOpenApiDocument } from "../../src/api/openapi";
import { createSundial } from "../../src/engine";
import { api } from "../helpers";

describe("GET /api/v1/openapi.json", () => {
  it("serves the generated document as JSON", async ({ expect }) => {
    const res = await api("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(buildOpenApiDocument());
  });

  it("documents every API route the app registers", ({ expect }) => {
    const { app } = createSundial({ workflows: [], activities: {} });
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith("/api/v1/") && !r.path.includes("/unsafe/"))
        .filter((r) => r.path !== "/api/v1/openapi.json")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    expect([...served].sort()).toEqual([...documented].sort());
  });
});
