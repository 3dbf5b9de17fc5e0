/**
 * @module The Cloudflare Workflows project `npm run bench:dev` runs under `wrangler dev`, next to
 * Sundial's `npm run dev`: `TenSteps` (n no-op `step.do`, returns n; the same shape as Sundial's
 * `steps` workflow and bench/worker.ts's `TenSteps`) and the HTTP API a user would write for it:
 * `POST /create` `{n?}` → `{id}`; `GET /status?id=` → `{status, output}`. Cloudflare Workflows has
 * no wait primitive, so a client polls `/status`; `GET /status?id=&waitMs=&pollMs=` polls
 * `status()` inside the Worker instead (a long-poll, measured as a variant).
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";

interface Env {
  TEN_STEPS: Workflow<StepsParams>;
}

interface StepsParams {
  n: number;
}

export class TenSteps extends WorkflowEntrypoint<Env, StepsParams> {
  override async run(event: WorkflowEvent<StepsParams>, step: WorkflowStep): Promise<number> {
    const n = event.payload.n;
    for (let i = 0; i < n; i++) await step.do(`noop-${i}`, async () => i);
    return n;
  }
}

function json(body: object, status = 200): Response {
  return Response.json(body, { status });
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const v = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(v) && v >= 0 && v <= max ? v : fallback;
}

async function create(request: Request, env: Env): Promise<Response> {
  let n = 10;
  const text = await request.text();
  if (text !== "") {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json({ error: "body is not JSON" }, 400);
    }
    const given = (body as { n?: unknown } | null)?.n;
    if (given !== undefined) {
      if (typeof given !== "number" || !Number.isInteger(given) || given < 0 || given > 1000) {
        return json({ error: "n must be an integer 0..1000" }, 400);
      }
      n = given;
    }
  }
  const instance = await env.TEN_STEPS.create({ params: { n } });
  return json({ id: instance.id }, 201);
}

const DONE = new Set(["complete", "errored", "terminated"]);

async function status(url: URL, env: Env): Promise<Response> {
  const id = url.searchParams.get("id") ?? "";
  if (id === "") return json({ error: "id is required" }, 400);
  const waitMs = intParam(url, "waitMs", 0, 60_000);
  const pollMs = intParam(url, "pollMs", 1, 10_000);
  let instance: WorkflowInstance;
  try {
    instance = await env.TEN_STEPS.get(id);
  } catch {
    return json({ error: `no instance ${id}` }, 404);
  }
  const until = Date.now() + waitMs;
  let polls = 0;
  for (;;) {
    const s = await instance.status();
    polls++;
    if (DONE.has(s.status) || Date.now() >= until) {
      return json({ status: s.status, output: s.output ?? null, polls });
    }
    await new Promise((done) => setTimeout(done, pollMs));
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/create") return create(request, env);
    if (request.method === "GET" && url.pathname === "/status") return status(url, env);
    if (url.pathname === "/ping") return json({ ok: true });
    return json({ error: `no route ${request.method} ${url.pathname}` }, 404);
  },
};
