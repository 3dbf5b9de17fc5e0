/**
 * @module The one table of what each route needs (pure). Every path under `/api/` is classified
 * here before the app routes it: a route nobody listed still needs `reader` (GET) or `writer`
 * (anything else) in its namespace, so a new route can never be unprotected by accident. The
 * exceptions come from the OpenAPI operations (`permission` on an operation, e.g. queries are
 * read-only), so the document and the check cannot drift apart.
 */
import type { Role } from "./keys";

/** What a principal may do: a role in a namespace, or in every namespace (`*`). */
export interface Grant {
  namespace: string;
  role: Role;
}

export interface Principal {
  /** How it signed in. */
  via: "key" | "admin-key" | "access" | "disabled";
  /** The key id, the e-mail, or a fixed name. Never a secret. */
  id: string;
  grants: Grant[];
}

/** What a request needs. */
export type Requirement =
  | { kind: "public" }
  /** Any signed-in principal (whoami; lists that filter by grants). */
  | { kind: "authenticated" }
  /** Admin of some namespace (API keys: the handler narrows to the key's namespace). */
  | { kind: "any-admin" }
  /** Admin on `*` (create or change namespaces, test hooks). */
  | { kind: "global-admin" }
  /** `role` or more in `namespace`; `registered`: the namespace must exist (checked after auth). */
  | { kind: "namespace"; namespace: string; role: Role; registered: boolean };

const RANK: Record<Role, number> = { reader: 1, writer: 2, admin: 3 };

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** Whether `principal` holds `role` (or more) in `namespace`. */
export function allows(principal: Principal, namespace: string, role: Role): boolean {
  return principal.grants.some(
    (g) => (g.namespace === "*" || g.namespace === namespace) && roleAtLeast(g.role, role),
  );
}

export function isGlobalAdmin(principal: Principal): boolean {
  return principal.grants.some((g) => g.namespace === "*" && g.role === "admin");
}

/** Whether `principal` may do what `req` needs (authentication already done). */
export function permits(principal: Principal, req: Requirement): boolean {
  switch (req.kind) {
    case "public":
    case "authenticated":
      return true;
    case "any-admin":
      return principal.grants.some((g) => g.role === "admin");
    case "global-admin":
      return isGlobalAdmin(principal);
    case "namespace":
      return allows(principal, req.namespace, req.role);
  }
}

/** An operation's permission override: method, path template below the namespace prefix, role. */
export interface PermissionOverride {
  method: string;
  /** e.g. `/workflows/{workflowId}/queries/{queryName}` */
  path: string;
  role: Role;
}

interface CompiledOverride {
  method: string;
  segments: string[];
  role: Role;
}

/** Compiles overrides once: `{param}` segments match any one segment. */
export function compileOverrides(overrides: PermissionOverride[]): CompiledOverride[] {
  return overrides.map((o) => ({
    method: o.method.toUpperCase(),
    segments: o.path.split("/").filter((s) => s !== ""),
    role: o.role,
  }));
}

function matches(template: string[], segments: string[]): boolean {
  if (template.length !== segments.length) return false;
  return template.every((t, i) => t.startsWith("{") || t === segments[i]);
}

/** The role a namespaced route needs: an override, else reader for GET/HEAD, writer otherwise. */
function namespacedRole(method: string, rest: string[], overrides: CompiledOverride[]): Role {
  for (const o of overrides) if (o.method === method && matches(o.segments, rest)) return o.role;
  return method === "GET" || method === "HEAD" ? "reader" : "writer";
}

/**
 * What `method pathname` needs. `pathname` is the raw (still percent-encoded) URL path; segments
 * are compared raw except the namespace, which is decoded (the caller validates its syntax).
 */
export function requirementOf(
  method: string,
  pathname: string,
  overrides: CompiledOverride[],
): Requirement {
  const m = method.toUpperCase();
  if (!pathname.startsWith("/api/")) return { kind: "public" };
  const parts = pathname.split("/").filter((s) => s !== "");
  // parts[0] = "api"
  if (parts[1] !== "v1") return { kind: "global-admin" };
  const rest = parts.slice(2);
  const head = rest[0];
  if (rest.length === 1 && head === "openapi.json" && m === "GET") return { kind: "public" };
  if (rest.length === 1 && head === "whoami") return { kind: "authenticated" };
  if (head === "api-keys") return { kind: "any-admin" };
  if (head === "namespaces") {
    if (rest.length === 1)
      return m === "GET" ? { kind: "authenticated" } : { kind: "global-admin" };
    const namespace = safeDecode(rest[1] as string);
    if (rest.length === 2) {
      // GET describes it (the handler answers 404); PATCH and the rest change namespaces.
      return m === "GET"
        ? { kind: "namespace", namespace, role: "reader", registered: false }
        : { kind: "global-admin" };
    }
    return namespaced(m, namespace, rest.slice(2), overrides);
  }
  return namespaced(m, "default", rest, overrides);
}

function namespaced(
  method: string,
  namespace: string,
  rest: string[],
  overrides: CompiledOverride[],
): Requirement {
  // Test-only hooks (served only with SUNDIAL_UNSAFE=1) are for the global admin alone.
  if (rest[0] === "unsafe") return { kind: "global-admin" };
  return {
    kind: "namespace",
    namespace,
    role: namespacedRole(method, rest, overrides),
    registered: true,
  };
}

/**
 * The raw path of a request URL (no query, no fragment, not decoded), without building a URL:
 * linear and cheap even for a megabyte of query string.
 */
export function rawPath(url: string): string {
  const scheme = url.indexOf("://");
  const start = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (start < 0) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const ch = url.charCodeAt(i);
    if (ch === 63 /* ? */ || ch === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
