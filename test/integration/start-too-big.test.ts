/**
 * A start that SQLite refuses to store (a value past its 2 MB limit) is refused with 413
 * `PayloadTooLarge` and changes nothing, instead of a 500 and a rejected RPC. The request limits
 * cannot rule it out: payloads are stored as JSON text inside the event's attributes, so a memo
 * of quotes or backslashes takes twice its size there (a 1.1 MB memo, within the default request
 * limit of 1 MiB + 64 KiB, makes a 2.2 MB WorkflowExecutionStarted event). A child's or a
 * schedule's start gets the same answer over RPC: before, the rejection left their delivery
 * retried forever.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EngineEnv } from "../../src/config";
import { createSundial } from "../../src/engine";
import { tagger } from "../fixtures/visibility-workflows";
import { api, startRequest, stub, uniqueId } from "../helpers";

/** The API with the default limits (the fixture Worker's take 80 KB bodies), same objects. */
const defaults = createSundial({ workflows: [tagger] });

async function startWithDefaults(body: Record<string, unknown>): Promise<Response> {
  const request = new Request("http://sundial.test/api/v1/workflows", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return defaults.handler.fetch(request, env as unknown as EngineEnv, createExecutionContext());
}

/** A memo whose JSON text is about 1.1 MB, 2.2 MB once escaped in the event's attributes. */
const QUOTES_MEMO = { pad: '"'.repeat(555_000) };
const TAGGER_INPUT = { stage: "review", score: 1 };

describe("a start too big to store", () => {
  it("is a 413 PayloadTooLarge over HTTP, and the id stays free", async () => {
    const workflowId = uniqueId("start-too-big");
    const input = { stage: "review", score: 1 };
    const res = await startWithDefaults({
      workflowType: "tagger",
      workflowId,
      input,
      memo: QUOTES_MEMO,
    });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect([res.status, body.error.code]).toEqual([413, "PayloadTooLarge"]);
    expect(body.error.message).toMatch(/could not be stored/);
    expect(body.error.message.length).toBeLessThan(500);
    // Nothing was stored: no run, and the same id starts with a smaller memo.
    expect((await api(`/api/v1/workflows/${workflowId}`)).status).toBe(404);
    const again = await startWithDefaults({
      workflowType: "tagger",
      workflowId,
      input,
      memo: { note: "small" },
    });
    expect(again.status).toBe(201);
  });

  it("is an error reply over RPC (a child's or a schedule's start), not a rejection", async () => {
    const workflowId = uniqueId("start-too-big-rpc");
    const reply = await stub(workflowId).start(
      startRequest(workflowId, "tagger", TAGGER_INPUT, { memo: JSON.stringify(QUOTES_MEMO) }),
    );
    expect(reply).toMatchObject({ ok: false, error: { code: "PayloadTooLarge" } });
    expect((await api(`/api/v1/workflows/${workflowId}`)).status).toBe(404);
  });

  it("with TerminateIfRunning, leaves the running run running (one transaction with the new run)", async () => {
    const workflowId = uniqueId("start-too-big-terminate");
    const first = await stub(workflowId).start(startRequest(workflowId, "tagger", TAGGER_INPUT));
    expect(first).toMatchObject({ ok: true, started: true });
    const reply = await stub(workflowId).start(
      startRequest(workflowId, "tagger", TAGGER_INPUT, {
        idReusePolicy: "TerminateIfRunning",
        memo: JSON.stringify(QUOTES_MEMO),
      }),
    );
    expect(reply).toMatchObject({ ok: false, error: { code: "PayloadTooLarge" } });
    const described = (await (await api(`/api/v1/workflows/${workflowId}`)).json()) as {
      status: string;
      runId: string;
    };
    expect(described).toMatchObject({ status: "Running", runId: first.ok ? first.runId : "" });
    // And a start that fits replaces it: terminated, the new run current.
    const second = await stub(workflowId).start(
      startRequest(workflowId, "tagger", TAGGER_INPUT, { idReusePolicy: "TerminateIfRunning" }),
    );
    expect(second).toMatchObject({ ok: true, started: true });
    const firstRun = first.ok ? first.runId : "";
    const old = (await (await api(`/api/v1/workflows/${workflowId}?runId=${firstRun}`)).json()) as {
      status: string;
    };
    expect(old.status).toBe("Terminated");
    const now = (await (await api(`/api/v1/workflows/${workflowId}`)).json()) as {
      status: string;
      runId: string;
    };
    expect(now).toMatchObject({ status: "Running", runId: second.ok ? second.runId : "" });
  });
});
