/**
 * @module Issue 11 as deployed: a real `wrangler dev` with SUNDIAL_AUTH=required and an admin key.
 * Without a key every API route is 401 (exit 5); with the admin key the CLI registers a namespace
 * and creates a key, and with that key (SUNDIAL_API_KEY) the workflow commands work in its
 * namespace only; after `key revoke` it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, type DevServer, runCli, startDevServer } from "./harness.mjs";

const ADMIN = "test-admin";
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({
    migrate: true,
    timeoutMs: 90_000,
    // As deployed: keys required, and a task-token secret (without one no activity could report).
    vars: [
      "SUNDIAL_AUTH:required",
      `SUNDIAL_ADMIN_KEY:${ADMIN}`,
      "SUNDIAL_TOKEN_SECRET:cli-auth-token-secret",
    ],
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function sundial(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(["--address", server.address, ...args], { env });
}

function json<T>(run: CliRun): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

describe("the CLI against an engine that requires keys", () => {
  it("every API route is 401 without a key; the page and the OpenAPI document are public", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/workflows"],
      ["POST", "/api/v1/workflows"],
      ["GET", "/api/v1/workflows/x"],
      ["GET", "/api/v1/workflow-count"],
      ["GET", "/api/v1/namespaces"],
      ["GET", "/api/v1/api-keys"],
      ["GET", "/api/v1/whoami"],
    ]) {
      const res = await fetch(`${server.address}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect((await fetch(`${server.address}/api/v1/openapi.json`)).status).toBe(200);
    expect((await fetch(`${server.address}/`, { headers: { accept: "text/html" } })).status).toBe(
      200,
    );
    const list = await sundial(["workflow", "list"]);
    expect(list.code, list.stderr).toBe(5);
    expect(list.stderr).toContain("No API key");
  });

  it("the admin registers a namespace and creates a key; the key works there only, until revoked", async () => {
    const ns = `cli-${crypto.randomUUID().slice(0, 6)}`;
    const admin = ["--api-key", ADMIN];
    const created = json<{ name: string; retention: string }>(
      await sundial([...admin, "--json", "namespace", "create", ns, "--retention", "7d"]),
    );
    expect(created).toMatchObject({ name: ns, retention: "7d" });
    const listed = json<{ namespaces: { name: string }[] }>(
      await sundial([...admin, "--json", "namespace", "list"]),
    );
    expect(listed.namespaces.map((n) => n.name)).toEqual(expect.arrayContaining(["default", ns]));
    const updated = json<{ description: string }>(
      await sundial([...admin, "--json", "namespace", "update", ns, "--description", "payments"]),
    );
    expect(updated.description).toBe("payments");
    expect(
      json<{ retention: string }>(await sundial([...admin, "--json", "namespace", "describe", ns]))
        .retention,
    ).toBe("7d");

    const made = await sundial([
      ...admin,
      "key",
      "create",
      "--name",
      "ci",
      "--role",
      "writer",
      "--key-namespace",
      ns,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const key = made.stdout.trim();
    expect(key).toMatch(/^sk_[0-9a-f]{16}_/);
    const asKey = { SUNDIAL_API_KEY: key };

    const wf = `cli-auth-${crypto.randomUUID().slice(0, 6)}`;
    const started = await sundial(
      ["-n", ns, "workflow", "start", "greeting", "-w", wf, "-i", '{"name":"Ada"}'],
      asKey,
    );
    expect(started.code, started.stderr).toBe(0);
    const result = await sundial(
      ["-n", ns, "--json", "workflow", "result", wf, "--wait", "30s"],
      asKey,
    );
    expect(result.code, result.stderr).toBe(0);
    // Not in another namespace.
    const elsewhere = await sundial(["workflow", "list"], asKey);
    expect(elsewhere.code).toBe(5);
    expect(elsewhere.stderr).toContain(`reader role in namespace "default"`);
    // A writer manages no keys and no namespaces.
    expect((await sundial(["key", "list"], asKey)).code).toBe(5);
    expect((await sundial(["namespace", "create", `${ns}-2`], asKey)).code).toBe(5);

    const keys = json<{ apiKeys: { id: string; name: string }[] }>(
      await sundial([...admin, "--json", "key", "list"]),
    );
    const id = key.slice(3, 19);
    expect(keys.apiKeys.map((k) => k.id)).toContain(id);
    expect(JSON.stringify(keys)).not.toContain(key.slice(20));
    const revoked = await sundial([...admin, "key", "revoke", id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await sundial(["-n", ns, "workflow", "describe", wf], asKey);
    expect(after.code).toBe(5);
    expect(after.stderr).toContain("Unknown or revoked");
  });
});
