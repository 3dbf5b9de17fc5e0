/**
 * @module The tokens of eager tasks that an in-process reporter (the engine's own queue consumer)
 * handed to the activity code running next to it. Such a token never leaves the engine's Worker: it
 * goes from the execution object's answer, through the reporter, to `runTask` and back to the same
 * reporter, and activity functions never see it (their context carries no token). Signing it and
 * checking the signature on its report (an HMAC each way, task-token-mac.ts) would protect nothing,
 * so it is handed out unsigned, and a report is accepted unsigned only when it names a token this
 * very reporter issued: the exact string, looked up here. Every other token (queued messages, tokens
 * handed to activity Workers through SundialService) is signed and verified as before.
 */
import type { ExecutionStub, TaskToken } from "../execution/addressing";
import { parseTaskToken } from "../execution/report-validation";

/**
 * A reporter's own eager tokens, from hand-out until their final report (completed or failed) went
 * through: one per eager chain running, so at most the batch's size. Bounded anyway: past
 * `maxEntries` the oldest is forgotten (its report then fails the signature check and the attempt
 * runs again after its timeout, as a lost report would). Never cleared in bulk: a chain whose next
 * task is still running must find its token.
 */
export class IssuedTokens {
  readonly #tokens = new Map<string, { token: TaskToken; stub: ExecutionStub | undefined }>();
  /** The stub of the last execution reached: an eager chain reports to one object, in a row. */
  #last: { workflow: string; stub: ExecutionStub } | undefined;

  constructor(private readonly maxEntries = 10_000) {}

  /** Records a token handed out unsigned; false when it is not one (then it must be signed). */
  issue(body: string): boolean {
    const parsed = parseTaskToken(body);
    const token = parsed.ok ? parsed.token : undefined;
    if (!token) return false;
    this.#tokens.delete(body);
    this.#tokens.set(body, { token, stub: undefined });
    if (this.#tokens.size > this.maxEntries) {
      const oldest = this.#tokens.keys().next().value;
      if (oldest !== undefined) this.#tokens.delete(oldest);
    }
    return true;
  }

  /** The token's final report (completed or failed) was answered: it is done. */
  settle(token: string): void {
    this.#tokens.delete(token);
  }

  /** Tokens handed out and not yet settled. */
  get size(): number {
    return this.#tokens.size;
  }

  /**
   * The issued token, with the stub to report it through (`stubFor` makes one, reused across the
   * tokens of one execution); undefined when this reporter did not issue `token`.
   */
  lookup(
    token: string,
    stubFor: (t: TaskToken) => ExecutionStub,
  ): { token: TaskToken; stub: ExecutionStub } | undefined {
    const entry = this.#tokens.get(token);
    if (!entry) return undefined;
    if (!entry.stub) {
      const workflow = `${entry.token.namespace}/${entry.token.workflowId}`;
      if (this.#last?.workflow !== workflow) this.#last = { workflow, stub: stubFor(entry.token) };
      entry.stub = this.#last.stub;
    }
    return { token: entry.token, stub: entry.stub };
  }

  /** A call through the token's stub threw: a stub may be broken after an error, make a new one. */
  dropStub(token: string): void {
    const entry = this.#tokens.get(token);
    if (entry) entry.stub = undefined;
    this.#last = undefined;
  }
}
