/**
 * Issue 11, Cloudflare Access as a second way in: a `Cf-Access-Jwt-Assertion` signed by the team's
 * key, for the application's audience and not expired, signs a person in with the roles mapped
 * from their e-mail or group. Keys are generated here (jose); the key set is given as
 * SUNDIAL_ACCESS_JWKS instead of being fetched from the team domain.
 */
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { call, registerNamespace, requiredEnv } from "../auth-harness";
import { mode } from "../helpers";

const TEAM = "sundial-test.cloudflareaccess.com";
const AUD = "aud-of-the-sundial-app";
const run = crypto.randomUUID().slice(0, 6);
const ns = `acc-${mode}-${run}`;

let signer: CryptoKey;
let stranger: CryptoKey;
let accessEnv: Cloudflare.Env;

async function token(
  claims: JWTPayload,
  options: {
    key?: CryptoKey;
    aud?: string;
    exp?: number | string;
    iss?: string;
    kid?: string;
  } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? "k1" })
    .setIssuer(options.iss ?? `https://${TEAM}`)
    .setAudience(options.aud ?? AUD)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? "5m")
    .sign(options.key ?? signer);
}

const asPerson = (jwt: string, method: string, path: string, body?: unknown) =>
  call(method, path, {
    key: null,
    headers: { "cf-access-jwt-assertion": jwt },
    env: accessEnv,
    ...(body !== undefined ? { body } : {}),
  });

beforeAll(async () => {
  await registerNamespace(ns);
  const pair = await generateKeyPair("RS256");
  signer = pair.privateKey;
  stranger = (await generateKeyPair("RS256")).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  accessEnv = requiredEnv({
    SUNDIAL_ACCESS_TEAM_DOMAIN: TEAM,
    SUNDIAL_ACCESS_AUD: AUD,
    SUNDIAL_ACCESS_JWKS: JSON.stringify({ keys: [jwk] }),
    SUNDIAL_ACCESS_ROLES: JSON.stringify({
      "ada@example.com": { namespace: ns, role: "writer" },
      "sre-team": [{ namespace: "*", role: "reader" }],
    }),
  });
});

describe("Cloudflare Access", () => {
  it("a valid token signs the person in with the role of their e-mail", async () => {
    const jwt = await token({ email: "Ada@example.com", sub: "u1" });
    const who = await asPerson(jwt, "GET", "/api/v1/whoami");
    expect(who.status).toBe(200);
    expect(await who.json()).toEqual({
      via: "access",
      id: "Ada@example.com",
      role: "writer",
      namespace: ns,
      grants: [{ namespace: ns, role: "writer" }],
    });
    const started = await asPerson(jwt, "POST", `/api/v1/namespaces/${ns}/workflows`, {
      workflowType: "approval",
      workflowId: `access-${run}`,
      input: { item: "x", timeout: "1h" },
    });
    expect(started.status).toBe(201);
    // Another namespace: refused.
    expect((await asPerson(jwt, "GET", "/api/v1/workflows")).status).toBe(403);
  });

  it("maps groups too; a person with no mapping is signed in but may do nothing", async () => {
    const sre = await token({ email: "bob@example.com", groups: ["sre-team"] });
    expect((await asPerson(sre, "GET", `/api/v1/namespaces/${ns}/workflows`)).status).toBe(200);
    expect(
      (
        await asPerson(
          sre,
          "POST",
          `/api/v1/namespaces/${ns}/workflows/access-${run}/terminate`,
          {},
        )
      ).status,
    ).toBe(403);
    const nobody = await token({ email: "eve@example.com" });
    expect((await asPerson(nobody, "GET", "/api/v1/whoami")).status).toBe(200);
    expect((await asPerson(nobody, "GET", `/api/v1/namespaces/${ns}/workflows`)).status).toBe(403);
  });

  it.each([
    [
      "a wrong audience",
      (): Promise<string> => token({ email: "ada@example.com" }, { aud: "another-app" }),
      "ERR_JWT_CLAIM_VALIDATION_FAILED",
    ],
    [
      "an expired token",
      (): Promise<string> =>
        token({ email: "ada@example.com" }, { exp: Math.floor(Date.now() / 1000) - 60 }),
      "ERR_JWT_EXPIRED",
    ],
    [
      "a bad signature",
      (): Promise<string> => token({ email: "ada@example.com" }, { key: stranger }),
      "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    ],
    [
      "another issuer",
      (): Promise<string> =>
        token({ email: "ada@example.com" }, { iss: "https://evil.cloudflareaccess.com" }),
      "ERR_JWT_CLAIM_VALIDATION_FAILED",
    ],
    [
      "an unknown key id",
      (): Promise<string> => token({ email: "ada@example.com" }, { kid: "k9" }),
      "ERR_JWKS_NO_MATCHING_KEY",
    ],
    ["not a JWT", async (): Promise<string> => "not.a.jwt", "ERR_JWS_INVALID"],
  ] as const)("refuses %s with 401, changing nothing", async (_what, make, code) => {
    const res = await asPerson(await make(), "POST", `/api/v1/namespaces/${ns}/workflows`, {
      workflowType: "approval",
      workflowId: `refused-${run}`,
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("Unauthenticated");
    expect(body.error.message).toContain(code);
    const ada = await token({ email: "ada@example.com" });
    expect(
      (await asPerson(ada, "GET", `/api/v1/namespaces/${ns}/workflows/refused-${run}`)).status,
    ).toBe(404);
  });

  it("is ignored unless configured, and an API key still wins when both are sent", async () => {
    const jwt = await token({ email: "ada@example.com" });
    const unconfigured = await call("GET", "/api/v1/whoami", {
      key: null,
      headers: { "cf-access-jwt-assertion": jwt },
    });
    expect(unconfigured.status).toBe(401);
    const both = await call("GET", "/api/v1/whoami", {
      key: "test-admin-key-of-the-auth-tests",
      headers: { "cf-access-jwt-assertion": jwt },
      env: accessEnv,
    });
    expect(((await both.json()) as { via: string }).via).toBe("admin-key");
  });
});
