/** @module The global operations of the OpenAPI document: namespaces, API keys, whoami (served once, under /api/v1). */

import { apiKeyIdSchema } from "../../auth/schemas";
import { namespaceSchema } from "../schemas";
import { type JsonSchema, pathParameter, ref } from "./json-schema";
import type { Operation } from "./paths";

const json = (description: string, schema: JsonSchema) => ({
  description,
  content: { "application/json": { schema } },
});
const error = (description: string) => json(description, ref("Error"));
const body = (id: string) => ({
  required: true,
  content: { "application/json": { schema: ref(id) } },
});

export function authOperations(): Operation[] {
  const N = ["Namespaces"];
  const K = ["API keys"];
  const name = pathParameter("name", namespaceSchema, "The namespace");
  const id = pathParameter("id", apiKeyIdSchema, "The key id (the part after `sk_`)");
  const bad = error("InvalidArgument: bad JSON or a bad field");
  const other = error("Any other error (500 Internal)");
  return [
    {
      method: "post",
      path: "/namespaces",
      operationId: "createNamespace",
      summary: "Register a namespace (admin of *)",
      tags: N,
      global: true,
      parameters: [],
      requestBody: body("CreateNamespaceRequest"),
      responses: {
        201: json("Registered", ref("Namespace")),
        400: bad,
        409: error("AlreadyStarted: the namespace exists"),
        413: error("PayloadTooLarge"),
        default: other,
      },
    },
    {
      method: "get",
      path: "/namespaces",
      operationId: "listNamespaces",
      summary: "The namespaces the caller can read (default included)",
      tags: N,
      global: true,
      parameters: [],
      responses: { 200: json("The namespaces", ref("NamespaceList")), default: other },
    },
    {
      method: "get",
      path: "/namespaces/{name}",
      operationId: "describeNamespace",
      summary: "A namespace: retention, description, create time (reader of it)",
      tags: N,
      global: true,
      parameters: [name],
      responses: {
        200: json("The namespace", ref("Namespace")),
        400: bad,
        404: error("NotFound: not registered"),
        default: other,
      },
    },
    {
      method: "patch",
      path: "/namespaces/{name}",
      operationId: "updateNamespace",
      summary: "Change a namespace's retention or description (admin of *)",
      tags: N,
      global: true,
      parameters: [name],
      requestBody: body("UpdateNamespaceRequest"),
      responses: {
        200: json("The namespace as changed", ref("Namespace")),
        400: bad,
        404: error("NotFound: not registered"),
        413: error("PayloadTooLarge"),
        default: other,
      },
    },
    {
      method: "post",
      path: "/api-keys",
      operationId: "createApiKey",
      summary: "Create an API key (admin of its namespace); the key is shown only in this answer",
      tags: K,
      global: true,
      parameters: [],
      requestBody: body("CreateApiKeyRequest"),
      responses: {
        201: json("Created", ref("CreatedApiKey")),
        400: bad,
        404: error("NotFound: the namespace is not registered"),
        413: error("PayloadTooLarge"),
        default: other,
      },
    },
    {
      method: "get",
      path: "/api-keys",
      operationId: "listApiKeys",
      summary: "The keys of the namespaces the caller administers (no secrets)",
      tags: K,
      global: true,
      parameters: [],
      responses: { 200: json("The keys", ref("ApiKeyList")), default: other },
    },
    {
      method: "delete",
      path: "/api-keys/{id}",
      operationId: "revokeApiKey",
      summary: "Revoke a key (effective everywhere within 10 s)",
      tags: K,
      global: true,
      parameters: [id],
      responses: {
        200: json("Revoked", ref("ApiKey")),
        400: bad,
        404: error("NotFound: no such key in the namespaces the caller administers"),
        default: other,
      },
    },
    {
      method: "get",
      path: "/whoami",
      operationId: "whoAmI",
      summary: "Who the caller is signed in as, and its grants (any signed-in caller)",
      tags: ["Auth"],
      global: true,
      parameters: [],
      responses: { 200: json("The caller", ref("WhoAmI")), default: other },
    },
  ];
}
