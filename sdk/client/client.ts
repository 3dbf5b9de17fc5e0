/** @module createClient: start workflows and follow them over Sundial's HTTP API (API.md). */
import type { StartResponse } from "../common/wire";
import type {
  AnyWorkflowDefinition,
  ClientOptions,
  ListWorkflowsResponse,
  StartedWorkflowHandle,
  StartWorkflowOptions,
  SundialClient,
  WorkflowInput,
  WorkflowOutput,
} from "./client-types";
import { HttpTransport } from "./http";
import { createScheduleClient } from "./schedule-client";
import { Handle, StartedHandle } from "./workflow-handle";

export type {
  AnyWorkflowDefinition,
  ClientOptions,
  FollowHistoryOptions,
  HistoryOptions,
  ListWorkflowsOptions,
  ListWorkflowsResponse,
  PollResultOptions,
  ResultOptions,
  StartedWorkflowHandle,
  StartWorkflowBaseOptions,
  StartWorkflowOptions,
  SundialClient,
  WorkflowExecutionInfo,
  WorkflowHandle,
  WorkflowInput,
  WorkflowOutput,
} from "./client-types";
export { CLOSING_EVENT_TYPES } from "./client-types";

/**
 * Creates a client of the Sundial HTTP API. Uses only `fetch`: runs on Node 20+ and in Workers.
 * Idempotent requests (GETs, and starts, which always carry a `requestId`) are retried once after
 * a network error or a 503.
 * @example
 * import { createClient } from "sundial/client";
 * import type { loanApplication } from "./workflows";
 * const client = createClient({ baseUrl: "http://127.0.0.1:8787" });
 * const handle = await client.start<typeof loanApplication>("loanApplication", {
 *   workflowId: "loan-42",
 *   input: { applicant: "Ada", amount: 5000 },
 * });
 * const result = await handle.result(); // typed: LoanResult
 */
export function createClient(options: ClientOptions): SundialClient {
  const http = new HttpTransport({
    baseUrl: options.baseUrl,
    namespace: options.namespace,
    apiKey: options.apiKey,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  });

  return {
    schedule: createScheduleClient(http),

    async start<W extends AnyWorkflowDefinition>(
      workflow: string | W,
      startOptions: StartWorkflowOptions<WorkflowInput<W>>,
    ): Promise<StartedWorkflowHandle<WorkflowOutput<W>>> {
      const { signalWithStart, requestId, ...rest } = startOptions;
      const body = {
        workflowType: typeof workflow === "string" ? workflow : workflow.name,
        ...rest,
        requestId: requestId ?? crypto.randomUUID(),
        ...(signalWithStart ? { signal: signalWithStart } : {}),
      };
      const res = await http.send<StartResponse>({
        method: "POST",
        path: "/workflows",
        body,
        idempotent: true,
      });
      const { workflowId, runId, started } = res.body;
      return new StartedHandle<WorkflowOutput<W>>(http, workflowId, runId, started);
    },

    getHandle<W extends AnyWorkflowDefinition>(workflowId: string, runId?: string) {
      return new Handle<WorkflowOutput<W>>(http, workflowId, runId);
    },

    async list(listOptions = {}) {
      const res = await http.send<ListWorkflowsResponse>({
        method: "GET",
        path: "/workflows",
        query: { ...listOptions },
        idempotent: true,
      });
      return res.body;
    },

    async count(query) {
      const res = await http.send<{ count: number }>({
        method: "GET",
        path: "/workflow-count",
        query: { query },
        idempotent: true,
      });
      return res.body.count;
    },
  };
}
