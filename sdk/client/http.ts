/**
 * @module The client's HTTP transport: URLs, auth, JSON, API errors, and one retry for idempotent
 * requests. Uses only `fetch`, so it runs on Node 20+, Workers, Deno and browsers.
 */
import { ERROR_CODES, type ErrorCode } from "../common/wire";
import { SundialApiError, type SundialErrorCode } from "./errors";

/**
 * A `fetch` implementation: the global one, a service binding's (`env.SUNDIAL.fetch`), or
 * `SELF.fetch` in tests.
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One request to the API. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below the namespace prefix, starting with `/` (e.g. `/workflows/loan-42/result`). */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, string | number | undefined>;
  /** JSON body (POST). */
  body?: unknown;
  /** Safe to send twice: retried once after a network error or a 503. */
  idempotent: boolean;
  signal?: AbortSignal;
}

/** A successful (2xx) answer: its status and parsed JSON body. */
export interface HttpResponse<T> {
  status: number;
  body: T;
}

/** Transport settings, resolved from the client options. */
export interface HttpOptions {
  baseUrl: string;
  namespace: string | undefined;
  apiKey: string | undefined;
  fetch: FetchLike;
}

const RETRY_DELAY_MS = 200;

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Sends API requests; see {@link HttpRequest}. */
export class HttpTransport {
  readonly #base: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: FetchLike;

  constructor(options: HttpOptions) {
    const root = options.baseUrl.replace(/\/+$/, "");
    this.#base =
      options.namespace === undefined
        ? `${root}/api/v1`
        : `${root}/api/v1/namespaces/${encodeURIComponent(options.namespace)}`;
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch;
  }

  /** Sends `req`; resolves with a 2xx answer, rejects with {@link SundialApiError} otherwise. */
  async send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const res = await this.open(req);
    const text = await res.text();
    return { status: res.status, body: (text === "" ? {} : JSON.parse(text)) as T };
  }

  /**
   * Sends `req` and resolves with the 2xx `Response` itself, its body unread (for streams such as
   * Server-Sent Events); rejects with {@link SundialApiError} otherwise.
   * @param accept The `Accept` header. @default "application/json"
   * @param headers Extra request headers (e.g. `last-event-id`).
   */
  async open(
    req: HttpRequest,
    accept = "application/json",
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const path = req.path + queryString(req.query);
    const url = this.#base + path;
    const allHeaders: Record<string, string> = { ...headers, accept };
    if (req.body !== undefined) allHeaders["content-type"] = "application/json";
    if (this.#apiKey !== undefined) allHeaders.authorization = `Bearer ${this.#apiKey}`;
    const init: RequestInit = {
      method: req.method,
      headers: allHeaders,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    };

    let res: Response;
    try {
      res = await this.#fetch(url, init);
    } catch (err) {
      if (!req.idempotent || isAbort(err, req.signal)) throw err;
      await sleep(RETRY_DELAY_MS, req.signal);
      res = await this.#fetch(url, init);
    }
    if (res.status === 503 && req.idempotent) {
      // `wrangler dev` answers 503 "worker restarted mid-request" under load; one retry clears it.
      await discard(res);
      await sleep(RETRY_DELAY_MS, req.signal);
      res = await this.#fetch(url, init);
    }
    if (res.ok) return res;
    throw await toApiError(res, req.method, path);
  }
}

function queryString(query: HttpRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s === "" ? "" : `?${s}`;
}

async function toApiError(res: Response, method: string, path: string): Promise<SundialApiError> {
  const text = await res.text().catch(() => "");
  const parsed = parseErrorBody(text);
  if (parsed) return new SundialApiError(res.status, parsed.code, parsed.message, method, path);
  const code: SundialErrorCode = [502, 503, 504].includes(res.status) ? "Unavailable" : "Unknown";
  const snippet = text.trim().slice(0, 200);
  const message = `HTTP ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ""}`.trim();
  return new SundialApiError(res.status, code, message, method, path);
}

function parseErrorBody(text: string): { code: SundialErrorCode; message: string } | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null;
    const code = body?.error?.code;
    const message = body?.error?.message;
    if (typeof code === "string" && typeof message === "string") {
      // A code newer than this client is kept in the message rather than dropped.
      if (CODES.has(code)) return { code: code as ErrorCode, message };
      return { code: "Unknown", message: `${code}: ${message}` };
    }
  } catch {
    // Not JSON: the caller falls back to the status line.
  }
  return undefined;
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === "AbortError");
}

/** Releases an unread response body. */
export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Already consumed or closed: nothing to release.
  }
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
