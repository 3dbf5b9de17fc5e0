/**
 * @module Cloudflare Access as a second way in: a `Cf-Access-Jwt-Assertion` verified with jose
 * against the team's keys (signature, audience, issuer, expiry) signs a person in; their grants come
 * from SUNDIAL_ACCESS_ROLES (e-mail or group → `{namespace, role}`). The key set is fetched from
 * `https://<team>/cdn-cgi/access/certs` (jose caches it), or read from SUNDIAL_ACCESS_JWKS.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { AuthEnv } from "./env";
import { ROLES, type Role } from "./keys";
import type { Grant, Principal } from "./permissions";

export const ACCESS_HEADER = "cf-access-jwt-assertion";
const MAX_JWT_LENGTH = 16 * 1024;

export function accessConfigured(env: AuthEnv): boolean {
  return Boolean(env.SUNDIAL_ACCESS_TEAM_DOMAIN && env.SUNDIAL_ACCESS_AUD);
}

const keySets = new Map<string, JWTVerifyGetKey>();

function keySet(env: AuthEnv): JWTVerifyGetKey {
  const source = env.SUNDIAL_ACCESS_JWKS ?? `remote:${env.SUNDIAL_ACCESS_TEAM_DOMAIN}`;
  let set = keySets.get(source);
  if (!set) {
    set = env.SUNDIAL_ACCESS_JWKS
      ? createLocalJWKSet(JSON.parse(env.SUNDIAL_ACCESS_JWKS) as JSONWebKeySet)
      : createRemoteJWKSet(new URL(`${teamOrigin(env)}/cdn-cgi/access/certs`));
    keySets.set(source, set);
  }
  return set;
}

function teamOrigin(env: AuthEnv): string {
  const team = (env.SUNDIAL_ACCESS_TEAM_DOMAIN ?? "")
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "");
  return `https://${team}`;
}

/** Grants by e-mail or group, from the JSON of SUNDIAL_ACCESS_ROLES (bad entries are ignored, logged). */
export function parseAccessRoles(text: string | undefined): Map<string, Grant[]> {
  const out = new Map<string, Grant[]>();
  if (!text) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    console.error(
      "sundial: SUNDIAL_ACCESS_ROLES is not valid JSON; nobody gets a role through Access",
    );
    return out;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return out;
  for (const [who, value] of Object.entries(parsed as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    const grants: Grant[] = [];
    for (const g of list) {
      const ns = (g as { namespace?: unknown })?.namespace;
      const role = (g as { role?: unknown })?.role;
      if (typeof ns === "string" && ROLES.includes(role as Role)) {
        grants.push({ namespace: ns, role: role as Role });
      }
    }
    out.set(who.toLowerCase(), grants);
  }
  return out;
}

function grantsOf(payload: JWTPayload, roles: Map<string, Grant[]>): Grant[] {
  const grants: Grant[] = [];
  const email = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
  if (email) grants.push(...(roles.get(email) ?? []));
  const groups = Array.isArray(payload.groups) ? payload.groups : [];
  for (const g of groups)
    if (typeof g === "string") grants.push(...(roles.get(g.toLowerCase()) ?? []));
  return grants;
}

/** The person an Access JWT signs in, or the reason it does not. */
export async function principalOfAccessJwt(
  env: AuthEnv,
  jwt: string,
): Promise<{ principal: Principal } | { refused: string }> {
  if (jwt.length > MAX_JWT_LENGTH) return { refused: "The Access token is too long" };
  try {
    const { payload } = await jwtVerify(jwt, keySet(env), {
      audience: env.SUNDIAL_ACCESS_AUD as string,
      issuer: teamOrigin(env),
      requiredClaims: ["exp"],
    });
    const id =
      typeof payload.email === "string"
        ? payload.email
        : typeof payload.sub === "string"
          ? payload.sub
          : "access";
    return {
      principal: {
        via: "access",
        id,
        grants: grantsOf(payload, parseAccessRoles(env.SUNDIAL_ACCESS_ROLES)),
      },
    };
  } catch (err) {
    // jose's codes say what failed (expired, audience, signature) without echoing the token.
    const code = (err as { code?: unknown }).code;
    return {
      refused: `The Access token is not valid (${typeof code === "string" ? code : "unreadable"})`,
    };
  }
}
