/**
 * @module The engine's HTTP client for `npm run bench`: every request goes through
 * `mf.dispatchFetch` (Node → Miniflare's entry Worker → the engine Worker), as the Cloudflare
 * Workflows requests of bench/cf.mjs do, so both pay the same client hops.
 */
import { performance } from "node:perf_hooks";
import { dispatch } from "./dispatch.mjs";

const ENGINE = "http://localhost";
const WORKFLOW_TIMEOUT_MS = 60_000;

export function engineJson(mf, method, path, body) {
  return jsonCall((url, init) => dispatch(mf, url, init), `${ENGINE}${path}`, method, body);
}

/** One JSON request through `send(url, init)` (Miniflare's dispatch, or `fetch`): status and body. */
export async function jsonCall(send, url, method, body) {
  const res = await send(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text.slice(0, 300) };
  }
  return { status: res.status, json };
}

let seq = 0;
export const newId = (tag) => `bench-${tag}-${process.pid}-${++seq}`;

/** Starts a workflow; returns its id and the client-side time of the start request in ms. */
export async function startWorkflow(mf, workflowType, input, tag) {
  const workflowId = newId(tag);
  const t0 = performance.now();
  const start = await engineJson(mf, "POST", "/api/v1/workflows", {
    workflowType,
    workflowId,
    input,
  });
  const startMs = performance.now() - t0;
  if (start.status !== 201) {
    throw new Error(`start ${workflowId}: HTTP ${start.status} ${JSON.stringify(start.json)}`);
  }
  return { workflowId, t0, startMs };
}

/** Long-polls a workflow's result until it closes; throws unless it completed with `expected`. */
export async function awaitResult(mf, workflowId, expected, t0 = performance.now()) {
  for (;;) {
    const r = await engineJson(mf, "GET", `/api/v1/workflows/${workflowId}/result?wait=60s`);
    if (r.status === 200) {
      if (r.json.status !== "Completed" || r.json.result !== expected) {
        throw new Error(`${workflowId} closed as ${JSON.stringify(r.json).slice(0, 400)}`);
      }
      return performance.now() - t0;
    }
    if (r.status !== 202) {
      throw new Error(`result ${workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    }
    if (performance.now() - t0 > WORKFLOW_TIMEOUT_MS) {
      throw new Error(`${workflowId} still Running after ${WORKFLOW_TIMEOUT_MS} ms`);
    }
  }
}

/** Starts a `steps` workflow and long-polls its result; client-side times in ms. */
export async function runSteps(mf, n, local, tag) {
  const { workflowId, t0, startMs } = await startWorkflow(mf, "steps", { n, local }, tag);
  const ms = await awaitResult(mf, workflowId, n, t0);
  return { workflowId, ms, startMs };
}

/** Every event of a workflow's history, page by page. */
export async function history(mf, workflowId) {
  const events = [];
  let token = "";
  for (;;) {
    const q = token ? `?nextPageToken=${encodeURIComponent(token)}` : "";
    const r = await engineJson(mf, "GET", `/api/v1/workflows/${workflowId}/history${q}`);
    if (r.status !== 200) {
      throw new Error(`history ${workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    }
    events.push(...r.json.events);
    token = r.json.nextPageToken;
    if (!token) return events;
  }
}
