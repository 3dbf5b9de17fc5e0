/**
 * @module A schedule's create / update body (API.md, Schedules), validated at the edge into the
 * form the schedule object stores: the spec (checked by the spec engine, errors naming the field),
 * the action's start template (the start body's own validation, without workflowId and requestId),
 * policies and state with their defaults. Nothing malformed reaches the object.
 */
import * as z from "zod";
import { toMs } from "../../sdk/common/duration";
import { OVERLAP_POLICIES } from "../../sdk/common/schedule";
import { describeIssue, startBodySchema, workflowIdSchema } from "../api/schemas";
import { exceedsBytes } from "../common/payload-size";
import type { ResolvedConfig } from "../config";
import { SearchAttributeError, toSearchAttributes } from "../visibility/search-attributes";
import { compileSpec } from "./spec-api";
import type { ScheduleDefinition, StartTemplate } from "./types";

/** A schedule id leaves room for the `-<ISO time>` of the workflow ids it starts (256 at most). */
export const MAX_SCHEDULE_ID_LENGTH = 200;
/** The spec's JSON is at most this many bytes (checked before the spec engine sees it). */
export const MAX_SPEC_BYTES = 16 * 1024;
/** Temporal's default catch-up window. */
export const DEFAULT_CATCHUP_WINDOW_MS = 365 * 86_400_000;
/** Temporal's minimum: a shorter window would count an action as missed for an ordinary delay. */
export const MIN_CATCHUP_WINDOW_MS = 10_000;

export const scheduleIdSchema = workflowIdSchema
  .refine((id) => id.length <= MAX_SCHEDULE_ID_LENGTH, {
    message: `scheduleId is at most ${MAX_SCHEDULE_ID_LENGTH} characters`,
  })
  .meta({ maxLength: MAX_SCHEDULE_ID_LENGTH });

export const overlapSchema = z.enum(OVERLAP_POLICIES);

const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return toMs(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const startWorkflowSchema = startBodySchema
  .omit({ workflowId: true, requestId: true, signal: true })
  .extend({
    workflowIdPrefix: workflowIdSchema
      .refine((p) => p.length <= MAX_SCHEDULE_ID_LENGTH, {
        message: `workflowIdPrefix is at most ${MAX_SCHEDULE_ID_LENGTH} characters`,
      })
      .optional(),
  })
  .strict();

const jsonObject = z.record(z.string(), z.unknown());

/** The spec is checked by the spec engine (compileSpec), which names the bad field itself. */
const bodyFields = {
  spec: z.unknown(),
  action: z.object({ startWorkflow: startWorkflowSchema }).strict(),
  policies: z
    .object({
      overlap: overlapSchema.optional(),
      catchupWindow: durationSchema
        .refine((ms) => ms >= MIN_CATCHUP_WINDOW_MS, "catchupWindow is at least 10s")
        .optional(),
      pauseOnFailure: z.boolean().optional(),
    })
    .strict()
    .optional(),
  state: z
    .object({
      paused: z.boolean().optional(),
      note: z.string().max(1024, "note is at most 1024 characters").optional(),
      remainingActions: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
    })
    .strict()
    .optional(),
  memo: jsonObject.optional(),
  searchAttributes: jsonObject.optional(),
};

export const createScheduleSchema = z
  .object({ scheduleId: scheduleIdSchema, ...bodyFields })
  .strict();
export const updateScheduleSchema = z.object(bodyFields).strict();

export class DefinitionError extends Error {
  override name = "DefinitionError";
  constructor(
    readonly code: "InvalidArgument" | "PayloadTooLarge",
    message: string,
  ) {
    super(message);
  }
}

function fail(message: string): never {
  throw new DefinitionError("InvalidArgument", message);
}

/**
 * Validates a create (`scheduleId` in the body) or update (`scheduleId` from the path) body into the
 * stored definition. Throws {@link DefinitionError} naming the bad field.
 */
export function parseDefinition(
  config: ResolvedConfig,
  body: unknown,
  scheduleId?: string,
): ScheduleDefinition {
  const parsed =
    scheduleId === undefined
      ? createScheduleSchema.safeParse(body)
      : updateScheduleSchema.safeParse(body);
  if (!parsed.success) fail(describeIssue(parsed.error));
  const b = parsed.data;
  const id = "scheduleId" in b ? (b.scheduleId as string) : (scheduleId as string);
  if (b.spec === undefined) fail("spec: required");
  const specText = JSON.stringify(b.spec);
  if (exceedsBytes(specText, MAX_SPEC_BYTES)) {
    fail(`spec: at most ${MAX_SPEC_BYTES} bytes of JSON`);
  }
  const compiled = compileSpec(b.spec);
  if (!compiled.ok) fail(`${compiled.field}: ${compiled.message}`);
  const sw = b.action.startWorkflow;
  if (!config.workflows.has(sw.workflowType)) {
    const known = [...config.workflows.keys()].join(", ");
    fail(
      `action.startWorkflow.workflowType: unknown workflow type "${sw.workflowType}"; registered: ${known}`,
    );
  }
  const input = sw.input === undefined ? undefined : JSON.stringify(sw.input);
  if (input !== undefined && exceedsBytes(input, config.limits.maxPayloadBytes)) {
    throw new DefinitionError(
      "PayloadTooLarge",
      `action.startWorkflow.input exceeds the payload limit of ${config.limits.maxPayloadBytes} bytes`,
    );
  }
  for (const [field, raw] of [
    ["action.startWorkflow.searchAttributes", sw.searchAttributes],
    ["searchAttributes", b.searchAttributes],
  ] as const) {
    try {
      toSearchAttributes(raw);
    } catch (err) {
      if (err instanceof SearchAttributeError) fail(`${field}: ${err.message}`);
      throw err;
    }
  }
  const template: StartTemplate = {
    workflowType: sw.workflowType,
    ...(input !== undefined ? { input } : {}),
    taskQueue: sw.taskQueue ?? "default",
    idReusePolicy: sw.idReusePolicy ?? "AllowDuplicate",
    idConflictPolicy: sw.idConflictPolicy ?? "Fail",
    ...(sw.startDelay ? { startDelayMs: sw.startDelay } : {}),
    ...(sw.executionTimeout ? { executionTimeoutMs: sw.executionTimeout } : {}),
    ...(sw.runTimeout ? { runTimeoutMs: sw.runTimeout } : {}),
    ...(sw.retryPolicy ? { retryPolicy: sw.retryPolicy } : {}),
    ...(sw.memo ? { memo: JSON.stringify(sw.memo) } : {}),
    ...(sw.searchAttributes ? { searchAttributes: sw.searchAttributes } : {}),
  };
  const raw = body as { action: unknown; policies?: { catchupWindow?: unknown } };
  return {
    scheduleId: id,
    specJson: specText,
    actionJson: JSON.stringify(raw.action),
    template,
    workflowIdPrefix: sw.workflowIdPrefix ?? id,
    overlap: b.policies?.overlap ?? "Skip",
    catchupWindowMs: b.policies?.catchupWindow ?? DEFAULT_CATCHUP_WINDOW_MS,
    catchupWindowText:
      raw.policies?.catchupWindow === undefined
        ? "365d"
        : (raw.policies.catchupWindow as string | number),
    pauseOnFailure: b.policies?.pauseOnFailure ?? false,
    paused: b.state?.paused ?? false,
    note: b.state?.note ?? "",
    remainingActions: b.state?.remainingActions ?? null,
    memoJson: JSON.stringify(b.memo ?? {}),
    searchAttributesJson: JSON.stringify(b.searchAttributes ?? {}),
  };
}
