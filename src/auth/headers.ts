/**
 * @module CORS (closed by default) and security headers on every response. A browser request from
 * another origin is refused (403) unless that origin is listed in SUNDIAL_CORS_ORIGINS, so a page
 * elsewhere can neither read the API nor make it act (even with auth disabled in development).
 */
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "../api/errors";
import type { EngineEnv } from "../config";
import { rawPath } from "./permissions";

type AppEnv = { Bindings: EngineEnv };

const ALLOW_HEADERS = "authorization, content-type, last-event-id, accept";
const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const EXPOSE_HEADERS = "retry-after, x-sundial-run-id";
/** For API answers (JSON, event streams): nothing to load, nothing to frame. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

const originLists = new Map<string, ReadonlySet<string>>();

export function allowedOrigins(text: string | undefined): ReadonlySet<string> {
  if (!text) return new Set();
  let set = originLists.get(text);
  if (!set) {
    set = new Set(
      text
        .split(",")
        .map((s) => s.trim().replace(/\/+$/, ""))
        .filter((s) => s !== ""),
    );
    originLists.set(text, set);
  }
  return set;
}

/** The scheme and host of a request URL, without parsing its (maybe huge) path and query. */
function originOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  return start < 0 ? url : url.slice(0, start);
}

/** Whether `origin` is the request's own (by URL or by Host header: a proxy may rewrite one). */
function sameOrigin(origin: string, request: Request): boolean {
  const own = originOf(request.url);
  if (origin === own) return true;
  try {
    const o = new URL(origin);
    return o.host === new URL(own).host || o.host === request.headers.get("host");
  } catch {
    return false;
  }
}

/** The headers every answer gets; the UI page keeps its own content-security-policy. */
const BASE_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "no-referrer"],
  ["x-frame-options", "DENY"],
];
const CSP = "content-security-policy";
const HSTS = ["strict-transport-security", "max-age=31536000; includeSubDomains"] as const;

/** Sets the security headers (and CORS's, for an allowed origin): built once, not per request. */
function setAll(headers: Headers, https: boolean, allowedOrigin: string | undefined): void {
  for (const [name, value] of BASE_HEADERS) headers.set(name, value);
  if (!headers.has(CSP)) headers.set(CSP, API_CSP);
  if (https) headers.set(HSTS[0], HSTS[1]);
  if (allowedOrigin !== undefined) {
    headers.set("access-control-allow-origin", allowedOrigin);
    headers.set("access-control-expose-headers", EXPOSE_HEADERS);
  }
}

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const isApi = rawPath(c.req.url).startsWith("/api/");
    const foreign = origin !== undefined && !sameOrigin(origin, c.req.raw);
    const allowed = foreign && allowedOrigins(c.env.SUNDIAL_CORS_ORIGINS).has(origin);
    if (foreign && !allowed && isApi) {
      c.res = errorResponse(
        "PermissionDenied",
        "Cross-origin requests are not allowed; list the origin in SUNDIAL_CORS_ORIGINS to allow it",
      );
    } else if (allowed && c.req.method === "OPTIONS") {
      // The preflight: answered here, before access control (browsers send it without credentials).
      c.res = new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-methods": ALLOW_METHODS,
          "access-control-allow-headers": ALLOW_HEADERS,
          "access-control-max-age": "600",
        },
      });
    } else {
      await next();
    }
    const https = c.req.url.startsWith("https:");
    const allowedOrigin = allowed && origin ? origin : undefined;
    try {
      setAll(c.res.headers, https, allowedOrigin);
    } catch {
      // Immutable headers (a response passed through as is): copy it once.
      c.res = new Response(c.res.body, c.res);
      setAll(c.res.headers, https, allowedOrigin);
    }
    // An answer that depends on the Origin must not be cached for another one.
    if (origin !== undefined && isApi) c.res.headers.append("vary", "origin");
    return c.res;
  };
}
