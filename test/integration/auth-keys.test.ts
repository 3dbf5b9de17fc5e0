/**
 * Issue 11, API keys: a created key works at once; a revoked one stops at once where it was revoked
 * and within the cache TTL (5 s, so within 10 s) everywhere else; the stored row holds no secret;
 * an admin of a namespace manages that namespace's keys only.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../src/auth/keys";
import { AUTH_CACHE_TTL_MS, unsafeAdvanceAuthClock } from "../../src/auth/ttl-cache";
import { ADMIN_KEY, call, createKey, ok, registerNamespace } from "../auth-harness";
import { mode } from "../helpers";

const run = crypto.randomUUID().slice(0, 6);
const nsA = `keys-a-${mode}-${run}`;
const nsB = `keys-b-${mode}-${run}`;

beforeAll(async () => {
  await registerNamespace(nsA);
  await registerNamespace(nsB);
});

const whoami = (key: string) => call("GET", "/api/v1/whoami", { key });
const listA = (key: string) => call("GET", `/api/v1/namespaces/${nsA}/workflows`, { key });

describe("API keys", () => {
  it("a created key works at once, with its role and namespace", async () => {
    const { key, id } = await createKey(nsA, "writer");
    const res = await whoami(key);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      via: "key",
      id,
      role: "writer",
      namespace: nsA,
      grants: [{ namespace: nsA, role: "writer" }],
    });
    expect((await listA(key)).status).toBe(200);
  });

  it("the create answer shows the key once; the stored row holds only a salt and a salted hash", async () => {
    const created = await ok<Record<string, unknown>>(201, "POST", "/api/v1/api-keys", {
      body: { name: "ci", namespace: nsA, role: "reader" },
    });
    expect(Object.keys(created).sort()).toEqual(
      ["createTime", "id", "key", "name", "namespace", "role"].sort(),
    );
    const key = created.key as string;
    const secret = key.split("_").slice(2).join("_");
    const row = await env.VISIBILITY.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(created.id)
      .first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    for (const value of Object.values(row ?? {})) {
      expect(String(value)).not.toContain(secret);
      expect(String(value)).not.toContain(key);
    }
    // The hash is salted: not the hash of the secret alone, and it is what the key is checked against.
    expect(row?.hash).toBe(await hashSecret(String(row?.salt), secret));
    expect(row?.hash).not.toBe(await hashSecret("", secret));
    // The list never shows a secret or a hash.
    const list = await ok<{ apiKeys: Record<string, unknown>[] }>(200, "GET", "/api/v1/api-keys");
    const listed = list.apiKeys.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: "ci", namespace: nsA, role: "reader", revokeTime: null });
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(JSON.stringify(list)).not.toContain(String(row?.hash));
  });

  it("a key revoked through the API stops at once in this isolate", async () => {
    const { key, id } = await createKey(nsA, "reader");
    expect((await listA(key)).status).toBe(200);
    const revoked = await ok<{ revokeTime: string | null }>(
      200,
      "DELETE",
      `/api/v1/api-keys/${id}`,
    );
    expect(revoked.revokeTime).not.toBeNull();
    const res = await listA(key);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("Unauthenticated");
    // Revoking again changes nothing.
    await ok(200, "DELETE", `/api/v1/api-keys/${id}`);
  });

  it("a key revoked elsewhere (another isolate) stops within the cache TTL, well under 10 s", async () => {
    expect(AUTH_CACHE_TTL_MS).toBeLessThanOrEqual(5_000);
    const { key, id } = await createKey(nsA, "reader");
    expect((await listA(key)).status).toBe(200);
    // Another isolate revokes: the row changes under this isolate's cache.
    await env.VISIBILITY.prepare("UPDATE api_keys SET revoked_time = ? WHERE id = ?")
      .bind(Date.now(), id)
      .run();
    expect((await listA(key)).status).toBe(200); // still cached here
    unsafeAdvanceAuthClock(AUTH_CACHE_TTL_MS);
    expect((await listA(key)).status).toBe(401);
  });

  it("an unknown key, a wrong secret and a malformed header are 401 and say why", async () => {
    const { key } = await createKey(nsA, "admin");
    const wrongSecret = `${key.slice(0, -4)}${key.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    for (const [authorization, message] of [
      [`Bearer ${wrongSecret}`, "Unknown or revoked API key"],
      [`Bearer sk_${"f".repeat(16)}_${"A".repeat(43)}`, "Unknown or revoked API key"],
      ["Bearer not-a-key", "Unknown or revoked API key"],
      [`Token ${key}`, "Malformed Authorization header"],
      [`Bearer ${key} extra`, "Malformed Authorization header"],
    ] as const) {
      const res = await call("GET", "/api/v1/whoami", { authorization });
      expect(res.status, authorization).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
        message,
      );
    }
    const none = await call("GET", "/api/v1/whoami", { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("an admin of a namespace manages that namespace's keys only", async () => {
    const adminA = await createKey(nsA, "admin");
    const keyB = await createKey(nsB, "reader");
    // Creates a key of its own namespace, which works there and nowhere else.
    const made = await ok<{ key: string; id: string }>(201, "POST", "/api/v1/api-keys", {
      key: adminA.key,
      body: { name: "made by admin A", namespace: nsA, role: "writer" },
    });
    expect((await listA(made.key)).status).toBe(200);
    expect(
      (await call("GET", `/api/v1/namespaces/${nsB}/workflows`, { key: made.key })).status,
    ).toBe(403);
    // Not of another namespace, not of "*".
    for (const namespace of [nsB, "*"]) {
      const res = await call("POST", "/api/v1/api-keys", {
        key: adminA.key,
        body: { name: "x", namespace, role: "admin" },
      });
      expect(res.status, namespace).toBe(403);
    }
    // Its list holds its namespace's keys only; another namespace's key is "not found" to it.
    const list = await ok<{ apiKeys: { namespace: string }[] }>(200, "GET", "/api/v1/api-keys", {
      key: adminA.key,
    });
    expect(list.apiKeys.length).toBeGreaterThan(0);
    expect(new Set(list.apiKeys.map((k) => k.namespace))).toEqual(new Set([nsA]));
    expect((await call("DELETE", `/api/v1/api-keys/${keyB.id}`, { key: adminA.key })).status).toBe(
      404,
    );
    expect(
      (await call("GET", `/api/v1/namespaces/${nsB}/workflows`, { key: keyB.key })).status,
    ).toBe(200);
    // The admin key (admin of "*") sees every namespace's keys.
    const all = await ok<{ apiKeys: { namespace: string }[] }>(200, "GET", "/api/v1/api-keys", {
      key: ADMIN_KEY,
    });
    expect(all.apiKeys.map((k) => k.namespace)).toEqual(expect.arrayContaining([nsA, nsB]));
  });

  it("refuses bad key requests with 400 and unknown namespaces with 404", async () => {
    for (const body of [
      { name: "x", namespace: nsA, role: "owner" },
      { name: "", namespace: nsA, role: "reader" },
      { name: "x", namespace: "bad ns", role: "reader" },
      { name: "x", namespace: nsA, role: "reader", extra: 1 },
    ]) {
      expect((await call("POST", "/api/v1/api-keys", { key: ADMIN_KEY, body })).status).toBe(400);
    }
    const res = await call("POST", "/api/v1/api-keys", {
      key: ADMIN_KEY,
      body: { name: "x", namespace: `never-${run}`, role: "reader" },
    });
    expect(res.status).toBe(404);
    expect((await call("DELETE", "/api/v1/api-keys/not-an-id", { key: ADMIN_KEY })).status).toBe(
      400,
    );
    expect(
      (await call("DELETE", `/api/v1/api-keys/${"0".repeat(16)}`, { key: ADMIN_KEY })).status,
    ).toBe(404);
  });
});
