/** @module Request schemas of API.md (zod): the edge validation. Nothing malformed passes to storage. */
import * as z from "zod";
import { toMs } from "../../sdk/common/duration";
import { handlerNameProblem, MAX_HANDLER_NAME_LENGTH } from "../../sdk/common/handler-name";
import { resolveRetryPolicy } from "../../sdk/common/retry-policy";

/** Longest run id: a UUID is 36 characters. */
export const MAX_RUN_ID_LENGTH = 64;
/** Longest history nextPageToken (base64 of "<runId>:<eventId>"). */
export const MAX_HISTORY_TOKEN_LENGTH = 256;

const runIdSchema = z
  .string()
  .min(1)
  .max(MAX_RUN_ID_LENGTH, `runId is at most ${MAX_RUN_ID_LENGTH} characters`);

// toMs refuses text past MAX_DURATION_TEXT before it scans it (linear, see sdk/common/duration.ts).
const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return toMs(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

export const namespaceSchema = z
  .string()
  .max(64, "namespace is at most 64 characters")
  .regex(/^[A-Za-z0-9][\w.-]{0,63}$/, "namespace: letters, digits, _ . - (max 64)");

export const workflowIdSchema = z
  .string()
  .min(1, "workflowId must not be empty")
  .max(256, "workflowId is at most 256 characters")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, "workflowId must not contain control characters");

const retryPolicySchema = z
  .object({
    initialInterval: durationSchema.optional(),
    backoffCoefficient: z.number().min(1).optional(),
    maximumInterval: durationSchema.optional(),
    maximumAttempts: z.number().int().min(0).optional(),
    nonRetryableErrorTypes: z
      .array(z.string().max(256, "an error type is at most 256 characters"))
      .max(100, "nonRetryableErrorTypes has at most 100 entries")
      .optional(),
  })
  .strict()
  .transform((policy, ctx) => {
    try {
      return resolveRetryPolicy(policy);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

const jsonObject = z.record(z.string(), z.unknown());

export const startBodySchema = z
  .object({
    workflowType: z
      .string()
      .min(1, "workflowType is required")
      .max(256, "workflowType is at most 256 characters"),
    workflowId: workflowIdSchema.optional(),
    input: z.unknown().optional(),
    taskQueue: z.string().min(1).max(128).optional(),
    idReusePolicy: z
      .enum(["AllowDuplicate", "AllowDuplicateFailedOnly", "RejectDuplicate", "TerminateIfRunning"])
      .optional(),
    idConflictPolicy: z.enum(["Fail", "UseExisting"]).optional(),
    requestId: z.string().min(1).max(128).optional(),
    startDelay: durationSchema.optional(),
    executionTimeout: durationSchema.optional(),
    runTimeout: durationSchema.optional(),
    retryPolicy: retryPolicySchema.optional(),
    memo: jsonObject.optional(),
    searchAttributes: jsonObject.optional(),
    signal: z
      .object({ name: z.string().min(1).max(256), input: z.unknown().optional() })
      .strict()
      .optional(),
  })
  .strict();

export type StartBody = z.infer<typeof startBodySchema>;

export const resultQuerySchema = z.object({
  runId: runIdSchema.optional(),
  wait: durationSchema.refine((ms) => ms <= 60_000, "wait is at most 60s").optional(),
});

export const historyQuerySchema = z.object({
  runId: runIdSchema.optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  nextPageToken: z.string().min(1).max(MAX_HISTORY_TOKEN_LENGTH).optional(),
});

/** Signal, query and update names: the SDK's rule (any non-empty string up to a length limit). */
export const handlerNameSchema = z
  .string()
  .superRefine((name, ctx) => {
    const problem = handlerNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: `name ${problem}` });
  })
  // For the OpenAPI document only: the check above is the rule.
  .meta({ minLength: 1, maxLength: MAX_HANDLER_NAME_LENGTH });

export const signalBodySchema = z
  .object({ input: z.unknown().optional(), requestId: z.string().min(1).max(128).optional() })
  .strict();

export const queryBodySchema = z.object({ input: z.unknown().optional() }).strict();

export const updateBodySchema = z
  .object({
    input: z.unknown().optional(),
    updateId: z.string().min(1).max(128).optional(),
    wait: durationSchema.refine((ms) => ms <= 60_000, "wait is at most 60s").optional(),
  })
  .strict();

export const cancelBodySchema = z
  .object({
    reason: z.string().max(1024).optional(),
    requestId: z.string().min(1).max(128).optional(),
  })
  .strict();

export const terminateBodySchema = z.object({ reason: z.string().max(1024).optional() }).strict();

export const runQuerySchema = z.object({ runId: runIdSchema.optional() });

/** The first problem of a zod error, as one sentence naming the field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") return `unknown field(s): ${issue.keys.join(", ")}`;
  if (path === "" && issue.code === "invalid_type" && issue.expected === "object") {
    return "Request body must be a JSON object";
  }
  return path ? `${path}: ${issue.message}` : issue.message;
}
