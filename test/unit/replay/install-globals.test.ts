/**
 * Importing the runtime changes no global: the deterministic globals are installed when a runtime is
 * created (each test file runs in its own isolated context, so no other file patched them first).
 */
import { expect, it } from "vitest";
import { defineWorkflow } from "../../../sdk/workflow/index";
import { WorkflowRuntime } from "../../../src/replay/runtime";
import { startedAttributes, T0 } from "../helpers/history-builder";

const PATCHED = Symbol.for("sundial.deterministicGlobals");

it("patches the globals when the first runtime is created, not on import", () => {
  const realRandom = Math.random;
  const realDate = Date;
  expect((globalThis as Record<symbol, unknown>)[PATCHED]).toBeUndefined();
  const def = defineWorkflow("noop", async () => null);
  new WorkflowRuntime(def, {
    namespace: "default",
    workflowId: "wf-1",
    runId: "run-1",
    startTimeMs: T0,
    started: startedAttributes("noop"),
  });
  expect((globalThis as Record<symbol, unknown>)[PATCHED]).toBe(true);
  expect(Math.random).not.toBe(realRandom);
  expect(globalThis.Date).not.toBe(realDate);
});
