/** @module The Schedules operations of the OpenAPI document (see ../openapi.ts). */
import { scheduleIdSchema } from "../../schedule/definition";
import { listSchedulesQuerySchema } from "../schedule-routes";
import { type JsonSchema, pathParameter, queryParameters, ref } from "./json-schema";
import type { Operation } from "./paths";

const json = (description: string, schema: JsonSchema) => ({
  description,
  content: { "application/json": { schema } },
});

function errors(...statuses: Array<400 | 404 | 409 | 413>): Operation["responses"] {
  const text: Record<number, string> = {
    400: "InvalidArgument: bad JSON, a bad field (the message names it), an unknown workflow type, a backfill of more than 1,000 actions",
    404: "NotFound: no such schedule",
    409: "AlreadyStarted: the schedule id is taken",
    413: "PayloadTooLarge: the body or the action's input is over the limit",
  };
  const out: Operation["responses"] = {};
  for (const status of statuses) out[status] = json(text[status]!, ref("Error"));
  out.default = json("Any other error (401, 403, 429, 500 Internal)", ref("Error"));
  return out;
}

const body = (id: string, required: boolean) => ({
  required,
  content: { "application/json": { schema: ref(id) } },
});

export function scheduleOperations(): Operation[] {
  const id = pathParameter("scheduleId", scheduleIdSchema, "The schedule id");
  const S = ["Schedules"];
  const ok = json("Done", ref("Empty"));
  return [
    {
      method: "post",
      path: "/schedules",
      operationId: "createSchedule",
      summary: "Create a schedule",
      description:
        "A started workflow's id is `<workflowIdPrefix or scheduleId>-<nominal time, ISO>`; it carries the search attributes `ScheduleId` and `ScheduledStartTime`.",
      tags: S,
      parameters: [],
      requestBody: body("CreateScheduleRequest", true),
      responses: { 201: json("Created", ref("ScheduleCreated")), ...errors(400, 409, 413) },
    },
    {
      method: "get",
      path: "/schedules",
      operationId: "listSchedules",
      summary: "List schedules, by schedule id",
      tags: S,
      parameters: queryParameters(listSchedulesQuerySchema, {
        query:
          "Filters on ScheduleId, WorkflowType and Paused with =, !=, IN, STARTS_WITH, AND, OR, e.g. Paused = false AND WorkflowType = 'report'",
      }),
      responses: { 200: json("A page of schedules", ref("ListSchedulesResponse")), ...errors(400) },
    },
    {
      method: "get",
      path: "/schedules/{scheduleId}",
      operationId: "describeSchedule",
      summary: "Describe a schedule: its definition, next action times, recent actions, counters",
      tags: S,
      parameters: [id],
      responses: { 200: json("The schedule", ref("ScheduleDescription")), ...errors(400, 404) },
    },
    {
      method: "put",
      path: "/schedules/{scheduleId}",
      operationId: "updateSchedule",
      summary: "Replace spec, action, policies and state (acting from now on)",
      tags: S,
      parameters: [id],
      requestBody: body("UpdateScheduleRequest", true),
      responses: { 200: ok, ...errors(400, 404, 413) },
    },
    {
      method: "post",
      path: "/schedules/{scheduleId}/pause",
      operationId: "pauseSchedule",
      summary: "Pause: no actions until unpaused",
      tags: S,
      parameters: [id],
      requestBody: body("ScheduleNoteRequest", false),
      responses: { 200: ok, ...errors(400, 404) },
    },
    {
      method: "post",
      path: "/schedules/{scheduleId}/unpause",
      operationId: "unpauseSchedule",
      summary: "Unpause: acts from now on (the times that passed while paused are not caught up)",
      tags: S,
      parameters: [id],
      requestBody: body("ScheduleNoteRequest", false),
      responses: { 200: ok, ...errors(400, 404) },
    },
    {
      method: "post",
      path: "/schedules/{scheduleId}/trigger",
      operationId: "triggerSchedule",
      summary: "One action now, under the overlap policy or the given one",
      tags: S,
      parameters: [id],
      requestBody: body("TriggerScheduleRequest", false),
      responses: { 200: ok, ...errors(400, 404) },
    },
    {
      method: "post",
      path: "/schedules/{scheduleId}/backfill",
      operationId: "backfillSchedule",
      summary: "Every action of [startTime, endTime], in nominal-time order (at most 1,000)",
      tags: S,
      parameters: [id],
      requestBody: body("BackfillScheduleRequest", true),
      responses: { 200: json("Taken", ref("BackfillResponse")), ...errors(400, 404) },
    },
    {
      method: "delete",
      path: "/schedules/{scheduleId}",
      operationId: "deleteSchedule",
      summary: "Delete the schedule; its running workflows keep running",
      tags: S,
      parameters: [id],
      responses: { 200: ok, ...errors(400, 404) },
    },
  ];
}
