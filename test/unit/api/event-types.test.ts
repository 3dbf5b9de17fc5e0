/** @module The history event type names: API.md's list ("History event types"), the engine's, the OpenAPI document's. */
import { describe, it } from "vitest";
import { buildOpenApiDocument } from "../../../src/api/openapi";
import { EVENT_TYPES } from "../../../src/history/events";

/** API.md, "History event types", in its order. */
const API_MD_EVENT_TYPES = [
  "WorkflowExecutionStarted",
  "WorkflowExecutionCompleted",
  "WorkflowExecutionFailed",
  "WorkflowExecutionTimedOut",
  "WorkflowExecutionCanceled",
  "WorkflowExecutionTerminated",
  "WorkflowExecutionContinuedAsNew",
  "WorkflowExecutionCancelRequested",
  "WorkflowTaskFailed",
  "WorkflowExecutionSignaled",
  "WorkflowExecutionUpdateAccepted",
  "WorkflowExecutionUpdateCompleted",
  "ActivityTaskScheduled",
  "ActivityTaskStarted",
  "ActivityTaskCompleted",
  "ActivityTaskFailed",
  "ActivityTaskTimedOut",
  "ActivityTaskCancelRequested",
  "ActivityTaskCanceled",
  "TimerStarted",
  "TimerFired",
  "TimerCanceled",
  "MarkerRecorded",
  "StartChildWorkflowExecutionInitiated",
  "ChildWorkflowExecutionStarted",
  "ChildWorkflowExecutionCompleted",
  "ChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionCanceled",
  "ChildWorkflowExecutionTerminated",
  "ChildWorkflowExecutionTimedOut",
  "SignalExternalWorkflowExecutionInitiated",
  "ExternalWorkflowExecutionSignaled",
  "RequestCancelExternalWorkflowExecutionInitiated",
  "ExternalWorkflowExecutionCancelRequested",
  "UpsertWorkflowSearchAttributes",
];

/** Written by the engine (a child start or an external signal/cancel that failed) but not named by API.md. */
const NOT_IN_API_MD = [
  "StartChildWorkflowExecutionFailed",
  "SignalExternalWorkflowExecutionFailed",
  "RequestCancelExternalWorkflowExecutionFailed",
];

describe("history event types", () => {
  it("are API.md's names plus the three failed-initiation events it does not list", ({
    expect,
  }) => {
    expect([...EVENT_TYPES].sort()).toEqual([...API_MD_EVENT_TYPES, ...NOT_IN_API_MD].sort());
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });

  it("are the OpenAPI document's eventType enum", ({ expect }) => {
    const doc = buildOpenApiDocument() as {
      components: { schemas: { HistoryEvent: { properties: { eventType: { enum: string[] } } } } };
    };
    expect(doc.components.schemas.HistoryEvent.properties.eventType.enum).toEqual([...EVENT_TYPES]);
  });
});
