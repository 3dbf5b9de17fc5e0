/** @module Request schemas (zod) of the namespace and API-key routes; the OpenAPI document uses them too. */
import * as z from "zod";
import { toMs } from "../../sdk/common/duration";
import { namespaceSchema } from "../api/schemas";
import { MAX_DESCRIPTION_LENGTH, MAX_RETENTION_MS, MIN_RETENTION_MS } from "../namespaces/registry";

const retentionSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  let ms: number;
  try {
    ms = toMs(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
  if (ms < MIN_RETENTION_MS || ms > MAX_RETENTION_MS) {
    ctx.addIssue({ code: "custom", message: "retention is between 1m and 100 years" });
    return z.NEVER;
  }
  return ms;
});

const descriptionSchema = z
  .string()
  .max(MAX_DESCRIPTION_LENGTH, `description is at most ${MAX_DESCRIPTION_LENGTH} characters`);

export const createNamespaceBodySchema = z
  .object({
    name: namespaceSchema,
    retention: retentionSchema
      .optional()
      .describe("How long closed executions are kept (default 30d)"),
    description: descriptionSchema.optional(),
  })
  .strict();

export const updateNamespaceBodySchema = z
  .object({ retention: retentionSchema.optional(), description: descriptionSchema.optional() })
  .strict();

export const apiKeyIdSchema = z
  .string()
  .regex(/^[0-9a-f]{16}$/, "an API key id is 16 lowercase hex characters (the part after sk_)");

export const createApiKeyBodySchema = z
  .object({
    name: z.string().min(1, "name is required").max(128, "name is at most 128 characters"),
    namespace: z
      .union([z.literal("*"), namespaceSchema])
      .describe('A namespace, or "*" (admin only)'),
    role: z.enum(["reader", "writer", "admin"]),
  })
  .strict();
