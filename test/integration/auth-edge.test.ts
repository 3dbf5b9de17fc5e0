/**
 * Issue 11, the edge: fail closed (503 with the fix) when auth is required and not configured;
 * auth disabled works without a key; per-namespace rate limits (429 + Retry-After, other
 * namespaces unaffected); CORS closed by default; security headers on every response.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, call, createKey, registerNamespace, requiredEnv } from "../auth-harness";
import { mode } from "../helpers";

const run = crypto.randomUUID().slice(0, 6);

describe("fail closed", () => {
  it("answers 503 with the fix on every API route when no admin key is configured", async () => {
    const unconfigured = requiredEnv({ SUNDIAL_ADMIN_KEY: undefined });
    for (const auth of [undefined, "required"]) {
      const e = { ...unconfigured, SUNDIAL_AUTH: auth } as Cloudflare.Env;
      for (const [method, path] of [
        ["GET", "/api/v1/workflows"],
        ["POST", "/api/v1/workflows"],
        ["GET", "/api/v1/whoami"],
        ["POST", "/api/v1/namespaces"],
        ["GET", "/api/v1/schedules"],
      ] as const) {
        const res = await call(method, path, {
          key: ADMIN_KEY,
          env: e,
          ...(method === "POST" ? { body: {} } : {}),
        });
        expect(res.status, `${auth} ${method} ${path}`).toBe(503);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("Unavailable");
        expect(body.error.message).toContain("wrangler secret put SUNDIAL_ADMIN_KEY");
      }
    }
    // A typo in SUNDIAL_AUTH does not turn auth off.
    const typo = await call("GET", "/api/v1/workflows", {
      env: requiredEnv({ SUNDIAL_AUTH: "off" }),
    });
    expect(typo.status).toBe(503);
    // The UI shell and the OpenAPI document stay public (the UI asks for the key itself).
    expect((await call("GET", "/", { env: unconfigured })).status).toBe(200);
    expect((await call("GET", "/api/v1/openapi.json", { env: unconfigured })).status).toBe(200);
  });

  it("with auth disabled (npm run dev) needs no key and says so in whoami", async () => {
    const res = await call("GET", "/api/v1/whoami", {
      env: { ...env, SUNDIAL_AUTH: "disabled" } as Cloudflare.Env,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ via: "disabled", role: "admin", namespace: "*" });
  });
});

describe("rate limits", () => {
  const nsA = `rl-a-${mode}-${run}`;
  const nsB = `rl-b-${mode}-${run}`;
  let limited: Cloudflare.Env;

  beforeAll(async () => {
    await registerNamespace(nsA);
    await registerNamespace(nsB);
    limited = requiredEnv({ SUNDIAL_RATE_LIMIT: env.TEST_RATE_LIMIT });
  });

  it("answers 429 with Retry-After past the limit; another namespace is unaffected", async () => {
    const { key } = await createKey(nsA, "reader");
    const statuses: number[] = [];
    let refused: Response | undefined;
    // TEST_RATE_LIMIT allows 5 a minute per namespace (vitest.config.ts); a burst of 12 crosses it
    // even if a minute boundary resets the window once on the way.
    for (let i = 0; i < 12 && !refused; i++) {
      const res = await call("GET", `/api/v1/namespaces/${nsA}/workflow-count`, {
        key,
        env: limited,
      });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else await res.body?.cancel();
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(refused?.headers.get("retry-after")).toBe("60");
    expect(await refused?.json()).toEqual({
      error: { code: "ResourceExhausted", message: expect.stringContaining("Too many requests") },
    });
    const other = await call("GET", `/api/v1/namespaces/${nsB}/workflow-count`, {
      key: ADMIN_KEY,
      env: limited,
    });
    expect(other.status).toBe(200);
    // Without the binding there is no limit, nor in development (auth disabled).
    const unlimited = await call("GET", `/api/v1/namespaces/${nsA}/workflow-count`, { key });
    expect(unlimited.status).toBe(200);
    const dev = { ...limited, SUNDIAL_AUTH: "disabled" } as Cloudflare.Env;
    const devRes = await call("GET", `/api/v1/namespaces/${nsA}/workflow-count`, { env: dev });
    expect(devRes.status).toBe(200);
  });
});

describe("CORS and security headers", () => {
  const cors = (origins?: string) => requiredEnv(origins ? { SUNDIAL_CORS_ORIGINS: origins } : {});

  it("refuses another origin's requests and preflights by default", async () => {
    const preflight = await call("OPTIONS", "/api/v1/workflows", {
      key: null,
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      env: cors(),
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const post = await call("POST", "/api/v1/workflows", {
      key: ADMIN_KEY,
      headers: { origin: "https://evil.example" },
      body: { workflowType: "approval", workflowId: `cors-${run}` },
      env: cors(),
    });
    expect(post.status).toBe(403);
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    expect((await call("GET", `/api/v1/workflows/cors-${run}`, { key: ADMIN_KEY })).status).toBe(
      404,
    );
    // Same origin is fine.
    const same = await call("GET", "/api/v1/whoami", {
      key: ADMIN_KEY,
      headers: { origin: "http://sundial.test" },
    });
    expect(same.status).toBe(200);
  });

  it("lets a configured origin in, with its preflight", async () => {
    const e = cors("https://ops.example, https://other.example");
    const preflight = await call("OPTIONS", "/api/v1/workflows", {
      key: null,
      headers: { origin: "https://ops.example", "access-control-request-method": "POST" },
      env: e,
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://ops.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const get = await call("GET", "/api/v1/whoami", {
      key: ADMIN_KEY,
      headers: { origin: "https://ops.example" },
      env: e,
    });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBe("https://ops.example");
    expect(get.headers.get("vary")).toContain("origin");
    // Still authenticated: CORS lets the browser in, the key decides.
    const anon = await call("GET", "/api/v1/whoami", {
      key: null,
      headers: { origin: "https://ops.example" },
      env: e,
    });
    expect(anon.status).toBe(401);
  });

  it("sets the security headers on API answers, errors, the UI and its assets", async () => {
    const cases: [string, Response][] = [
      ["api", await call("GET", "/api/v1/whoami", { key: ADMIN_KEY })],
      ["401", await call("GET", "/api/v1/whoami", { key: null })],
      ["404", await call("GET", "/api/v1/nothing-here", { key: ADMIN_KEY })],
      ["ui", await call("GET", "/", { key: null, headers: { accept: "text/html" } })],
      ["script", await call("GET", "/ui/app.js", { key: null })],
    ];
    for (const [what, res] of cases) {
      expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
      expect(res.headers.get("x-frame-options"), what).toBe("DENY");
      expect(res.headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
      expect(res.headers.get("strict-transport-security"), what).toBeNull();
    }
    // The UI page keeps its own policy: its script and stylesheet load from 'self'.
    expect(cases[3]?.[1].headers.get("content-security-policy")).toContain("script-src 'self'");
    // Over https, browsers are told to stay on https.
    const https = await call("GET", "/api/v1/whoami", {
      key: ADMIN_KEY,
      base: "https://sundial.test",
    });
    expect(https.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
  });
});
