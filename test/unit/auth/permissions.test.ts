/** @module The route → permission table (src/auth/permissions.ts) and its derivation from the OpenAPI operations. */
import { describe, it } from "vitest";
import { buildOpenApiDocument, permissionOverrides } from "../../../src/api/openapi";
import {
  allows,
  compileOverrides,
  type Principal,
  permits,
  rawPath,
  requirementOf,
} from "../../../src/auth/permissions";

const overrides = compileOverrides(permissionOverrides());
const req = (method: string, path: string) => requirementOf(method, path, overrides);
const key = (namespace: string, role: "reader" | "writer" | "admin"): Principal => ({
  via: "key",
  id: "k",
  grants: [{ namespace, role }],
});

describe("requirementOf", () => {
  it("leaves the UI and the OpenAPI document public, and nothing else under /api", ({ expect }) => {
    expect(req("GET", "/")).toEqual({ kind: "public" });
    expect(req("GET", "/ui/app.js")).toEqual({ kind: "public" });
    expect(req("GET", "/api/v1/openapi.json")).toEqual({ kind: "public" });
    expect(req("POST", "/api/v1/openapi.json").kind).not.toBe("public");
    expect(req("GET", "/api/v2/anything")).toEqual({ kind: "global-admin" });
  });

  it("reads need reader, queries too (the operation says so), everything else writer", ({
    expect,
  }) => {
    const ns = (namespace: string, role: string) => ({
      kind: "namespace",
      namespace,
      role,
      registered: true,
    });
    expect(req("GET", "/api/v1/workflows/a")).toEqual(ns("default", "reader"));
    expect(req("GET", "/api/v1/workflows")).toEqual(ns("default", "reader"));
    expect(req("GET", "/api/v1/workflow-count")).toEqual(ns("default", "reader"));
    expect(req("POST", "/api/v1/workflows/a/queries/q")).toEqual(ns("default", "reader"));
    expect(req("POST", "/api/v1/namespaces/t/workflows/a/queries/q")).toEqual(ns("t", "reader"));
    expect(req("POST", "/api/v1/workflows")).toEqual(ns("default", "writer"));
    expect(req("POST", "/api/v1/workflows/a/signals/s")).toEqual(ns("default", "writer"));
    expect(req("POST", "/api/v1/namespaces/t/workflows/a/terminate")).toEqual(ns("t", "writer"));
  });

  it("protects a route nobody listed: schedules default to reader (GET) and writer", ({
    expect,
  }) => {
    const ns = (namespace: string, role: string) => ({
      kind: "namespace",
      namespace,
      role,
      registered: true,
    });
    expect(req("GET", "/api/v1/schedules/s")).toEqual(ns("default", "reader"));
    expect(req("PUT", "/api/v1/schedules/s")).toEqual(ns("default", "writer"));
    expect(req("DELETE", "/api/v1/namespaces/t/schedules/s")).toEqual(ns("t", "writer"));
    expect(req("POST", "/api/v1/schedules/s/pause")).toEqual(ns("default", "writer"));
    // A query-like name elsewhere is not a query.
    expect(req("POST", "/api/v1/schedules/queries/q")).toEqual(ns("default", "writer"));
  });

  it("classifies the global routes", ({ expect }) => {
    expect(req("GET", "/api/v1/whoami")).toEqual({ kind: "authenticated" });
    expect(req("GET", "/api/v1/namespaces")).toEqual({ kind: "authenticated" });
    expect(req("POST", "/api/v1/namespaces")).toEqual({ kind: "global-admin" });
    expect(req("PATCH", "/api/v1/namespaces/t")).toEqual({ kind: "global-admin" });
    expect(req("GET", "/api/v1/namespaces/t")).toEqual({
      kind: "namespace",
      namespace: "t",
      role: "reader",
      registered: false,
    });
    expect(req("POST", "/api/v1/api-keys")).toEqual({ kind: "any-admin" });
    expect(req("DELETE", "/api/v1/api-keys/abc")).toEqual({ kind: "any-admin" });
    expect(req("POST", "/api/v1/unsafe/workflows/a/replay")).toEqual({ kind: "global-admin" });
    expect(req("POST", "/api/v1/namespaces/t/unsafe/workflows/a/replay")).toEqual({
      kind: "global-admin",
    });
  });
});

describe("permits", () => {
  it("ranks roles and never crosses namespaces", ({ expect }) => {
    const read = req("GET", "/api/v1/namespaces/a/workflows/x");
    const write = req("POST", "/api/v1/namespaces/a/workflows");
    expect(permits(key("a", "reader"), read)).toBe(true);
    expect(permits(key("a", "reader"), write)).toBe(false);
    expect(permits(key("a", "writer"), write)).toBe(true);
    expect(permits(key("a", "admin"), write)).toBe(true);
    expect(permits(key("b", "admin"), read)).toBe(false);
    expect(permits(key("*", "reader"), read)).toBe(true);
    expect(permits(key("*", "reader"), write)).toBe(false);
    expect(permits(key("a", "admin"), { kind: "global-admin" })).toBe(false);
    expect(permits(key("*", "admin"), { kind: "global-admin" })).toBe(true);
    expect(permits(key("a", "writer"), { kind: "any-admin" })).toBe(false);
    expect(permits(key("a", "admin"), { kind: "any-admin" })).toBe(true);
    expect(allows(key("a", "admin"), "*", "reader")).toBe(false);
  });
});

describe("rawPath", () => {
  it("is the undecoded path without query or fragment", ({ expect }) => {
    expect(rawPath("http://h.test/api/v1/workflows/a%2Fb?x=/y#z")).toBe("/api/v1/workflows/a%2Fb");
    expect(rawPath("https://h.test")).toBe("/");
    expect(rawPath("http://h.test/?q")).toBe("/");
    expect(rawPath(`http://h.test/api/v1/workflows?query=${"x".repeat(1 << 20)}`)).toBe(
      "/api/v1/workflows",
    );
  });
});

describe("the OpenAPI document", () => {
  it("has no public operation but its own document, and says which role each needs", ({
    expect,
  }) => {
    const doc = buildOpenApiDocument() as {
      paths: Record<string, Record<string, { "x-sundial-role"?: string }>>;
    };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const url = path.replace(/\{(\w+)\}/g, (_m, p: string) =>
          p === "namespace" ? "ns-1" : "x",
        );
        const r = req(method.toUpperCase(), url);
        expect(r.kind, `${method} ${path}`).not.toBe("public");
        if (r.kind === "namespace" && path.includes("/workflow")) {
          expect(op["x-sundial-role"], `${method} ${path}`).toBe(r.role);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
