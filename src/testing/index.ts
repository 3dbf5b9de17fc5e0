/**
 * @module `sundial/testing`: test a user's workflows. In vitest-pool-workers, {@link createTestEnv}
 * runs them on the real engine with time skipping, activity mocks and crash injection; in plain
 * Node, {@link replayHistory} checks recorded histories against the current code.
 */

// What a test catches from a handle, without importing sundial/client too.
export {
  type ScheduleHandle,
  SundialApiError,
  WorkflowFailedError,
} from "../../sdk/client/index";
export type { CrashPoint, TransitionKind } from "../execution/crash-points";
export {
  DeterminismViolationError,
  type HistoryFixture,
  HistoryFormatError,
  type HistoryInput,
  type ReplayedRun,
  ReplayFailedError,
  type ReplayResult,
  replayHistories,
  replayHistory,
  type WorkflowSet,
} from "./replay";
export {
  createTestEnv,
  type TestEnv,
  type TestEnvOptions,
  type TestResultOptions,
  type TestStartOptions,
  type TestWorkflowHandle,
} from "./test-env";
