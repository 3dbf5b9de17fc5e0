/** @module Component schemas of the namespace, API-key and whoami routes (see ./schemas.ts NAMED). */
import * as z from "zod";
import {
  createApiKeyBodySchema,
  createNamespaceBodySchema,
  updateNamespaceBodySchema,
} from "../../auth/schemas";

const isoTime = z.string().describe("ISO-8601 time");
const role = z.enum(["reader", "writer", "admin"]);

const namespaceSchema = z.object({
  name: z.string(),
  retention: z.string().describe('How long closed executions are kept, e.g. "30d"'),
  description: z.string(),
  createTime: isoTime.nullable().describe("null for a `default` never changed"),
});

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string().describe('A namespace, or "*"'),
  role,
  createTime: isoTime,
  revokeTime: isoTime.nullable(),
});

const grantSchema = z.object({ namespace: z.string(), role });

export const AUTH_NAMED: Record<string, z.ZodType> = {
  Namespace: namespaceSchema,
  NamespaceList: z.object({ namespaces: z.array(namespaceSchema) }),
  CreateNamespaceRequest: createNamespaceBodySchema,
  UpdateNamespaceRequest: updateNamespaceBodySchema,
  CreateApiKeyRequest: createApiKeyBodySchema,
  ApiKey: apiKeySchema,
  CreatedApiKey: apiKeySchema
    .omit({ revokeTime: true })
    .extend({ key: z.string().describe("The key itself: shown only in this answer") }),
  ApiKeyList: z.object({ apiKeys: z.array(apiKeySchema) }),
  WhoAmI: z.object({
    via: z.enum(["key", "admin-key", "access", "disabled"]),
    id: z.string().describe("The key id, the Access e-mail, or a fixed name"),
    role: role.nullable(),
    namespace: z.string().nullable(),
    grants: z.array(grantSchema),
  }),
};
