/**
 * @module The Schedules schemas of the OpenAPI document: requests (the zod schemas the routes
 * validate with, the spec described field by field) and responses (checked against the wire types
 * of sdk/common/schedule.ts at compile time).
 */
import * as z from "zod";
import type {
  ListSchedulesResponse,
  ScheduleDescription,
  ScheduleInfo,
  ScheduleListEntry,
} from "../../../sdk/common/schedule";
import { OVERLAP_POLICIES } from "../../../sdk/common/schedule";
import { createScheduleSchema, updateScheduleSchema } from "../../schedule/definition";
import { backfillBodySchema, noteBodySchema, triggerBodySchema } from "../schedule-routes";

const isoTime = z.string().describe("ISO-8601 time");
const duration = z.union([z.number(), z.string()]);
const field = z
  .union([z.string(), z.number()])
  .describe('A range or list: "9", "1-5", "MON-FRI", "0,30", "*/15", "*"');

const calendarSchema = z
  .object({
    second: field.optional(),
    minute: field.optional(),
    hour: field.optional(),
    dayOfMonth: field.optional(),
    month: field.optional(),
    dayOfWeek: field.optional(),
    year: field.optional(),
    comment: z.string().optional(),
  })
  .strict();

/** The spec, for the document (the route checks it with the spec engine, naming the bad field). */
export const scheduleSpecSchema = z
  .object({
    cron: z
      .array(z.string())
      .optional()
      .describe("5-field cron (6 with seconds), or @yearly, @monthly, @weekly, @daily, @hourly"),
    intervals: z
      .array(z.object({ every: duration, offset: duration.optional() }).strict())
      .optional(),
    calendars: z.array(calendarSchema).optional(),
    timezone: z.string().optional().describe("IANA time zone of cron and calendars; default UTC"),
    startAt: isoTime.nullable().optional(),
    endAt: isoTime.nullable().optional(),
    jitter: duration
      .optional()
      .describe("A random delay in [0, jitter) per action, fixed for a given nominal time"),
    skip: z.array(calendarSchema).optional(),
  })
  .strict()
  .describe("When the schedule acts; at most 16 KB of JSON");

const createDoc = createScheduleSchema.extend({ spec: scheduleSpecSchema });
const updateDoc = updateScheduleSchema.extend({ spec: scheduleSpecSchema });

const actionResultSchema = z.object({
  scheduledTime: isoTime,
  actualTime: isoTime,
  workflowId: z.string(),
  runId: z.string().nullable(),
  status: z.enum([
    "Running",
    "Completed",
    "Failed",
    "Canceled",
    "Terminated",
    "TimedOut",
    "StartFailed",
  ]),
});

const infoSchema = z.object({
  nextActionTimes: z.array(isoTime),
  recentActions: z.array(actionResultSchema),
  runningWorkflows: z.array(z.object({ workflowId: z.string(), runId: z.string().nullable() })),
  actionCount: z.int(),
  missedCatchupWindow: z.int(),
  overlapSkipped: z.int(),
  bufferedActions: z.int(),
  createTime: isoTime,
  updateTime: isoTime,
});

const descriptionSchema = z.object({
  scheduleId: z.string(),
  spec: scheduleSpecSchema,
  specDescription: z.string(),
  action: z.object({ startWorkflow: z.record(z.string(), z.unknown()) }),
  policies: z.object({
    overlap: z.enum(OVERLAP_POLICIES),
    catchupWindow: duration,
    pauseOnFailure: z.boolean(),
  }),
  state: z.object({ paused: z.boolean(), note: z.string(), remainingActions: z.int().nullable() }),
  memo: z.record(z.string(), z.unknown()),
  searchAttributes: z.record(z.string(), z.unknown()),
  info: infoSchema,
});

const listEntrySchema = z.object({
  scheduleId: z.string(),
  workflowType: z.string(),
  specDescription: z.string(),
  paused: z.boolean(),
  note: z.string(),
  nextActionTime: isoTime.nullable(),
  createTime: isoTime,
  updateTime: isoTime,
});
const listSchema = z.object({
  schedules: z.array(listEntrySchema),
  nextPageToken: z.string().nullable(),
});

// The declared shapes have the wire types' fields: a field added to one and not the other fails here.
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;
const keyChecks: [
  SameKeys<z.infer<typeof infoSchema>, ScheduleInfo>,
  SameKeys<z.infer<typeof descriptionSchema>, ScheduleDescription>,
  SameKeys<z.infer<typeof listEntrySchema>, ScheduleListEntry>,
  SameKeys<z.infer<typeof listSchema>, ListSchedulesResponse>,
] = [true, true, true, true];
void keyChecks;

/** Named schemas of the Schedules section (merged into `components.schemas`). */
export const SCHEDULE_NAMED: Record<string, z.ZodType> = {
  CreateScheduleRequest: createDoc,
  UpdateScheduleRequest: updateDoc,
  ScheduleCreated: z.object({ scheduleId: z.string() }),
  ScheduleDescription: descriptionSchema,
  ListSchedulesResponse: listSchema,
  ScheduleNoteRequest: noteBodySchema,
  TriggerScheduleRequest: triggerBodySchema,
  BackfillScheduleRequest: backfillBodySchema,
  BackfillResponse: z.object({ actions: z.int() }),
};
