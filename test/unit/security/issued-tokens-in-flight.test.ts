/**
 * The in-process reporter's issued tokens are kept from hand-out to their final report: before, the
 * map was cleared in bulk at 2,000 entries, and a batch of more than 20 eager chains (100 tasks
 * each) lost the token of a task still running: its completion was refused as "forged" and the
 * finished step ran again after its timeout. (Found in review; the case is the reviewer's.)
 */
import { expect, it } from "vitest";
import type { ExecutionStub, TaskToken } from "../../../src/execution/addressing";
import { encodeToken } from "../../../src/execution/addressing";
import { IssuedTokens } from "../../../src/security/issued-tokens";

const RUN = "0b8f5c1e-2f4a-4c5e-9a57-3c2d1e0f9a8b";
const body = (workflowId: string, seq: number) =>
  encodeToken({ namespace: "default", workflowId, runId: RUN, seq, attempt: 1 });
const stubFor = (_t: TaskToken) => ({}) as unknown as ExecutionStub;

it("keeps an in-flight token while other chains of the same batch run 2,000 steps", () => {
  const issued = new IssuedTokens();
  // Chain A: handed its next task, the activity is still running.
  expect(issued.issue(body("wf-a", 1))).toBe(true);
  // 20 other chains run 100 steps each; each token is reported once (looked up, then settled).
  for (let chain = 0; chain < 20; chain++) {
    for (let seq = 1; seq <= 100; seq++) {
      const t = body(`wf-${chain}`, seq);
      issued.issue(t);
      expect(issued.lookup(t, stubFor)).toBeDefined();
      issued.settle(t);
    }
  }
  // Chain A's activity completes: its report is still accepted; only A's token is left.
  expect(issued.lookup(body("wf-a", 1), stubFor)).toBeDefined();
  expect(issued.size).toBe(1);
});

it("past its bound forgets the oldest token, never all of them", () => {
  const issued = new IssuedTokens(3);
  for (let seq = 1; seq <= 4; seq++) issued.issue(body("wf", seq));
  expect(issued.lookup(body("wf", 1), stubFor)).toBeUndefined();
  for (let seq = 2; seq <= 4; seq++) expect(issued.lookup(body("wf", seq), stubFor)).toBeDefined();
});
