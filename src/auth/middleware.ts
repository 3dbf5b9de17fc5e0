/**
 * @module Access control of every `/api/` request, before any route runs (no body is read, no
 * object or table touched): mode (fail closed), authentication (API key, admin key, Cloudflare
 * Access), the route's requirement (permissions.ts), the namespace's registration, the rate limit.
 */
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "../api/errors";
import { namespaceSchema } from "../api/schemas";
import { limitedLog } from "../common/log-limit";
import type { EngineEnv } from "../config";
import { DEFAULT_NAMESPACE, getNamespace, type NamespaceRecord } from "../namespaces/registry";
import { ACCESS_HEADER, accessConfigured, principalOfAccessJwt } from "./access";
import type { AuthEnv } from "./env";
import { principalOfKey } from "./key-store";
import { bearerToken, isAdminKey, parseApiKey } from "./keys";
import {
  compileOverrides,
  type PermissionOverride,
  type Principal,
  permits,
  type Requirement,
  rawPath,
  requirementOf,
} from "./permissions";

type AppEnv = { Bindings: EngineEnv };

const principals = new WeakMap<Request, Principal>();

/** The principal the middleware signed this request in as (routes that filter by grants). */
export function principalOf(request: Request): Principal {
  const p = principals.get(request);
  // Only reachable if a route were mounted outside the middleware: deny rather than guess.
  if (!p) throw new Error("sundial: no principal for this request (access control not mounted)");
  return p;
}

const namespaceRecords = new WeakMap<Request, NamespaceRecord>();

/**
 * The namespace record the middleware already looked up for this request (registered namespaces
 * other than `default`), so a route needing it (a start's retention) does not look it up again.
 */
export function checkedNamespaceOf(request: Request): NamespaceRecord | undefined {
  return namespaceRecords.get(request);
}

/** With auth disabled (`npm run dev`), every request is the global admin. */
const DISABLED: Principal = {
  via: "disabled",
  id: "auth-disabled",
  grants: [{ namespace: "*", role: "admin" }],
};

export type AuthMode = "required" | "disabled" | "invalid";

export function authMode(env: AuthEnv): AuthMode {
  const v = env.SUNDIAL_AUTH;
  if (v === undefined || v === "" || v === "required") return "required";
  return v === "disabled" ? "disabled" : "invalid";
}

/** Signs the request in, or says why not (401). */
export async function authenticate(
  request: Request,
  env: AuthEnv,
): Promise<{ principal: Principal } | { refused: string }> {
  const header = request.headers.get("authorization");
  const bearer = bearerToken(header);
  if (bearer === "malformed") {
    return { refused: "Malformed Authorization header: send `Authorization: Bearer <key>`" };
  }
  if (bearer === "missing") {
    const jwt = request.headers.get(ACCESS_HEADER);
    if (jwt && accessConfigured(env)) return principalOfAccessJwt(env, jwt);
    return { refused: "No API key: send `Authorization: Bearer <key>`" };
  }
  const token = bearer.token;
  if (await isAdminKey(token, env.SUNDIAL_ADMIN_KEY)) {
    return {
      principal: { via: "admin-key", id: "admin", grants: [{ namespace: "*", role: "admin" }] },
    };
  }
  const parsed = parseApiKey(token);
  const principal = parsed ? await principalOfKey(env, parsed) : null;
  // One answer for unknown, revoked and wrong keys: nothing to probe.
  return principal ? { principal } : { refused: "Unknown or revoked API key" };
}

function denied(req: Requirement): string {
  switch (req.kind) {
    case "namespace":
      return `This needs the ${req.role} role in namespace ${shorten(req.namespace)}`;
    case "global-admin":
      return 'This needs an admin key of namespace "*"';
    case "any-admin":
      return "This needs an admin key";
    default:
      return "Not allowed";
  }
}

function shorten(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : JSON.stringify(text);
}

/** Rate limit per namespace (the binding's counters); null when under it or no binding. */
async function rateLimited(env: AuthEnv, key: string): Promise<Response | null> {
  const limiter = env.SUNDIAL_RATE_LIMIT;
  if (!limiter) return null;
  let ok = true;
  try {
    ok = (await limiter.limit({ key })).success;
  } catch (err) {
    // A broken binding must not take the API down: log it and let the request through.
    limitedLog("error", "rate limit binding", "sundial: the rate limit binding failed", err);
  }
  if (ok) return null;
  const period = env.SUNDIAL_RATE_LIMIT_PERIOD ?? "60";
  const res = errorResponse(
    "ResourceExhausted",
    `Too many requests for ${key}; retry after ${period} s`,
  );
  res.headers.set("retry-after", period);
  return res;
}

/**
 * The access-control middleware. `overrides` are the OpenAPI operations' own permissions (e.g.
 * query: reader); every other route gets reader for GET and writer otherwise.
 */
export function accessControl(overrides: PermissionOverride[]): MiddlewareHandler<AppEnv> {
  const compiled = compileOverrides(overrides);
  return async (c, next) => {
    const req = requirementOf(c.req.method, rawPath(c.req.url), compiled);
    if (req.kind === "public") return next();
    const mode = authMode(c.env);
    let principal: Principal;
    if (mode === "disabled") {
      principal = DISABLED;
    } else if (mode === "invalid") {
      return errorResponse(
        "Unavailable",
        'SUNDIAL_AUTH must be "required" or "disabled"; fix the variable in wrangler.toml',
      );
    } else if (!c.env.SUNDIAL_ADMIN_KEY) {
      return errorResponse(
        "Unavailable",
        "Auth is required but no admin key is configured: run `wrangler secret put SUNDIAL_ADMIN_KEY` " +
          "(locally: `SUNDIAL_AUTH=required SUNDIAL_ADMIN_KEY=<key> npm run dev`, or SUNDIAL_AUTH=disabled for development only)",
      );
    } else {
      const signedIn = await authenticate(c.req.raw, c.env);
      if ("refused" in signedIn) {
        const res = errorResponse("Unauthenticated", signedIn.refused);
        res.headers.set("www-authenticate", 'Bearer realm="sundial"');
        return res;
      }
      principal = signedIn.principal;
    }
    if (!permits(principal, req)) return errorResponse("PermissionDenied", denied(req));
    let limitKey = "global";
    if (req.kind === "namespace") {
      if (!namespaceSchema.safeParse(req.namespace).success) {
        return errorResponse("InvalidArgument", "namespace: letters, digits, _ . - (max 64)");
      }
      if (req.registered && req.namespace !== DEFAULT_NAMESPACE) {
        const record = await getNamespace(c.env, req.namespace);
        if (!record) {
          return errorResponse(
            "NotFound",
            `Namespace ${shorten(req.namespace)} is not registered (POST /api/v1/namespaces)`,
          );
        }
        namespaceRecords.set(c.req.raw, record);
      }
      limitKey = `ns:${req.namespace}`;
    }
    // Development (auth disabled) is not limited: soaks and test harnesses drive it hard.
    const limited = mode === "disabled" ? null : await rateLimited(c.env, limitKey);
    if (limited) return limited;
    principals.set(c.req.raw, principal);
    return next();
  };
}
