/**
 * @module createAdminClient: the global routes of API.md's "Auth and namespaces" (namespaces, API
 * keys, whoami). They are not below a namespace, so this client ignores `namespace`.
 * @example
 * const admin = createAdminClient({ baseUrl, apiKey: process.env.SUNDIAL_ADMIN_KEY });
 * await admin.namespaces.create({ name: "payments", retention: "7d" });
 * const { key } = await admin.apiKeys.create({ name: "ci", namespace: "payments", role: "writer" });
 */
import type { Duration } from "../common/duration";
import type { ClientOptions } from "./client-types";
import { HttpTransport } from "./http";

export type ApiKeyRole = "reader" | "writer" | "admin";

export interface NamespaceInfo {
  name: string;
  /** e.g. "30d" */
  retention: string;
  description: string;
  /** ISO time; null for a `default` never changed. */
  createTime: string | null;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  /** A namespace, or "*". */
  namespace: string;
  role: ApiKeyRole;
  createTime: string;
  revokeTime: string | null;
}

/** A new key: `key` is shown only in this answer. */
export interface CreatedApiKey extends Omit<ApiKeyInfo, "revokeTime"> {
  key: string;
}

export interface WhoAmI {
  via: "key" | "admin-key" | "access" | "disabled";
  id: string;
  role: ApiKeyRole | null;
  namespace: string | null;
  grants: { namespace: string; role: ApiKeyRole }[];
}

export interface AdminClient {
  namespaces: {
    create(ns: {
      name: string;
      retention?: Duration;
      description?: string;
    }): Promise<NamespaceInfo>;
    list(): Promise<NamespaceInfo[]>;
    describe(name: string): Promise<NamespaceInfo>;
    update(
      name: string,
      patch: { retention?: Duration; description?: string },
    ): Promise<NamespaceInfo>;
  };
  apiKeys: {
    create(key: { name: string; namespace: string; role: ApiKeyRole }): Promise<CreatedApiKey>;
    list(): Promise<ApiKeyInfo[]>;
    revoke(id: string): Promise<ApiKeyInfo>;
  };
  whoami(): Promise<WhoAmI>;
}

export function createAdminClient(options: Omit<ClientOptions, "namespace">): AdminClient {
  const http = new HttpTransport({
    baseUrl: options.baseUrl,
    namespace: undefined,
    apiKey: options.apiKey,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  });
  const get = async <T>(path: string) =>
    (await http.send<T>({ method: "GET", path, idempotent: true })).body;
  const ns = (name: string) => `/namespaces/${encodeURIComponent(name)}`;
  return {
    namespaces: {
      async create(body) {
        return (
          await http.send<NamespaceInfo>({
            method: "POST",
            path: "/namespaces",
            body,
            idempotent: false,
          })
        ).body;
      },
      async list() {
        return (await get<{ namespaces: NamespaceInfo[] }>("/namespaces")).namespaces;
      },
      describe: (name) => get<NamespaceInfo>(ns(name)),
      async update(name, body) {
        // Setting the same values twice is harmless: safe to retry.
        return (
          await http.send<NamespaceInfo>({
            method: "PATCH",
            path: ns(name),
            body,
            idempotent: true,
          })
        ).body;
      },
    },
    apiKeys: {
      async create(body) {
        return (
          await http.send<CreatedApiKey>({
            method: "POST",
            path: "/api-keys",
            body,
            idempotent: false,
          })
        ).body;
      },
      async list() {
        return (await get<{ apiKeys: ApiKeyInfo[] }>("/api-keys")).apiKeys;
      },
      async revoke(id) {
        const path = `/api-keys/${encodeURIComponent(id)}`;
        return (await http.send<ApiKeyInfo>({ method: "DELETE", path, idempotent: true })).body;
      },
    },
    whoami: () => get<WhoAmI>("/whoami"),
  };
}
