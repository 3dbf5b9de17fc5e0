/**
 * @module The bench Worker: the baselines Sundial is compared with. `FloorDO` is the cheapest
 * durable operation (one Durable Object RPC + one SQLite INSERT); `HopChain` is the cheapest
 * queue-driven step (queue hop → consumer → RPC + INSERT → next send); `AlarmProbe` is the least
 * lateness a durable timer can have (one bare alarm); `TenSteps` is the `steps` workflow written
 * for Cloudflare Workflows. `/ping` answers at once: the client round trip under every request.
 */
import {
  DurableObject,
  WorkflowEntrypoint,
  type WorkflowEvent,
  type WorkflowStep,
} from "cloudflare:workers";

export interface BenchEnv {
  FLOOR: DurableObjectNamespace<FloorDO>;
  HOP_CHAIN: DurableObjectNamespace<HopChain>;
  HOP_QUEUE: Queue<HopMessage>;
  BENCH_WF: Workflow<StepsParams>;
  ALARM_PROBE: DurableObjectNamespace<AlarmProbe>;
}

export interface HopMessage {
  chain: string;
  left: number;
}

interface StepsParams {
  n: number;
}

export class FloorDO extends DurableObject<BenchEnv> {
  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS ops (id INTEGER PRIMARY KEY, v INTEGER)");
  }

  /** One SQLite INSERT, nothing else: the per-operation floor a durable step cannot beat. */
  insert(v: number): number {
    this.ctx.storage.sql.exec("INSERT INTO ops (v) VALUES (?)", v);
    return v;
  }

  /** `n` history-like rows (a marker event's JSON, ≈ 150 bytes each) in a fresh table. */
  fillEvents(n: number): void {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec("DROP TABLE IF EXISTS events");
      sql.exec("CREATE TABLE events (id INTEGER PRIMARY KEY, type TEXT, payload TEXT)");
      for (let i = 1; i <= n; i++) {
        const payload = {
          markerName: "LocalActivity",
          seq: i,
          details: { result: i, type: "noop" },
        };
        sql.exec("INSERT INTO events VALUES (?, 'MarkerRecorded', ?)", i, JSON.stringify(payload));
      }
    });
  }

  /** Reads every row back and parses its JSON once: the least a cold replay must do. */
  readEvents(): number {
    let seqs = 0;
    for (const row of this.ctx.storage.sql.exec<{ payload: string }>(
      "SELECT payload FROM events",
    )) {
      seqs += (JSON.parse(row.payload) as { seq: number }).seq > 0 ? 1 : 0;
    }
    return seqs;
  }
}

/**
 * A chain of `n` queue hops, one object per chain (as Sundial has one per workflow): each hop is
 * delivered to the consumer, which calls `hop()`, which INSERTs and sends the next message.
 */
export class HopChain extends DurableObject<BenchEnv> {
  // In memory only: `run()` holds its request open, so the object stays alive until the last hop.
  #done: (() => void) | undefined;

  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hops (id INTEGER PRIMARY KEY, left_ INTEGER)");
  }

  /** Runs the whole chain; answers its duration in ms, measured in this object. */
  async run(chain: string, n: number): Promise<number> {
    const t0 = performance.now();
    const done = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    await this.env.HOP_QUEUE.send({ chain, left: n });
    await done;
    return performance.now() - t0;
  }

  async hop(message: HopMessage): Promise<void> {
    this.ctx.storage.sql.exec("INSERT INTO hops (left_) VALUES (?)", message.left);
    if (message.left > 1) await this.env.HOP_QUEUE.send({ ...message, left: message.left - 1 });
    else this.#done?.();
  }
}

/**
 * One Durable Object alarm, nothing else: the floor under a durable timer's lateness. `wait(ms)`
 * arms the alarm `ms` from now and answers, once it has fired, how late it ran (the alarm
 * handler's `Date.now()` − the time it was set for), both read inside the object as the engine
 * reads its timers' times.
 */
export class AlarmProbe extends DurableObject<BenchEnv> {
  #fired: ((lateMs: number) => void) | undefined;
  #due = 0;

  async wait(ms: number): Promise<number> {
    const fired = new Promise<number>((resolve) => {
      this.#fired = resolve;
    });
    this.#due = Date.now() + ms;
    await this.ctx.storage.setAlarm(this.#due);
    return fired;
  }

  override async alarm(): Promise<void> {
    this.#fired?.(Date.now() - this.#due);
  }
}

/** `n` no-op `step.do` calls, returning n — the same shape as Sundial's `steps` workflow. */
export class TenSteps extends WorkflowEntrypoint<BenchEnv, StepsParams> {
  override async run(event: WorkflowEvent<StepsParams>, step: WorkflowStep): Promise<number> {
    const n = event.payload.n;
    for (let i = 0; i < n; i++) await step.do(`noop-${i}`, async () => i);
    return n;
  }
}

/** This isolate's identity (set on its first request: no random values at global scope). */
let isolate = "";

function intParam(url: URL, name: string, fallback: number): number {
  const v = Number(url.searchParams.get(name) ?? fallback);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

function json(body: object, status = 200): Response {
  return Response.json(body, { status });
}

/** `n` sequential RPC + INSERT calls on one object; the rate is measured around the loop. */
async function floor(env: BenchEnv, n: number): Promise<Response> {
  const stub = env.FLOOR.get(env.FLOOR.idFromName("floor"));
  await stub.insert(-1); // wakes the object so its start-up is not timed
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await stub.insert(i);
  const ms = performance.now() - t0;
  return json({ calls: n, ms, perSecond: (n * 1000) / ms });
}

/** `n` RPC + INSERT calls, each on a new object: what creating a workflow's object costs at least. */
async function floorNewObject(env: BenchEnv, n: number): Promise<Response> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await env.FLOOR.get(env.FLOOR.idFromName(`fresh-${crypto.randomUUID()}`)).insert(i);
  }
  const ms = performance.now() - t0;
  return json({ calls: n, ms, msPerCall: ms / n });
}

/** `chains` concurrent chains of `hops` queue hops each; wall time measured around them all. */
async function hopChains(env: BenchEnv, chains: number, hops: number): Promise<Response> {
  const t0 = performance.now();
  const each = await Promise.all(
    Array.from({ length: chains }, () => {
      const chain = crypto.randomUUID();
      return env.HOP_CHAIN.get(env.HOP_CHAIN.idFromName(chain)).run(chain, hops);
    }),
  );
  const ms = performance.now() - t0;
  return json({ chains, hops, ms, chainMs: each, msPerHop: ms / hops });
}

/** Cold replay's floor: `n` rows read and parsed in one object, timed around the RPC (median of 3). */
async function replayFloor(env: BenchEnv, n: number): Promise<Response> {
  const stub = env.FLOOR.get(env.FLOOR.idFromName("replay-floor"));
  await stub.fillEvents(n);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const rows = await stub.readEvents();
    times.push(performance.now() - t0);
    if (rows !== n) return json({ error: `read ${rows} of ${n} rows` }, 500);
  }
  times.sort((a, b) => a - b);
  return json({ rows: n, ms: times[1] });
}

/** `n` alarms `ms` ahead, on `n` objects, armed `gapMs` apart; answers each one's lateness. */
async function alarmFloor(env: BenchEnv, n: number, ms: number, gapMs: number): Promise<Response> {
  const waits: Promise<number>[] = [];
  for (let i = 0; i < n; i++) {
    waits.push(env.ALARM_PROBE.get(env.ALARM_PROBE.idFromName(crypto.randomUUID())).wait(ms));
    if (gapMs > 0) await scheduler.wait(gapMs);
  }
  return json({ lateMs: await Promise.all(waits) });
}

/** Polls `status()` every `pollMs` until the instance is complete: a long-poll done in the Worker. */
async function cfAwait(
  instance: WorkflowInstance,
  pollMs: number,
  t0: number,
  createMs: number,
): Promise<Response> {
  let polls = 0;
  for (;;) {
    const s = await instance.status();
    polls++;
    if (s.status === "complete") {
      return json({ ms: performance.now() - t0, createMs, polls, output: s.output ?? null });
    }
    if (s.status === "errored" || s.status === "terminated") {
      return json({ error: `instance ${instance.id} ended ${s.status}: ${s.error?.message}` }, 500);
    }
    await scheduler.wait(pollMs);
  }
}

/** Creates one instance and awaits it in the same request (one client round trip). */
async function cfWorkflow(env: BenchEnv, steps: number, pollMs: number): Promise<Response> {
  const t0 = performance.now();
  const instance = await env.BENCH_WF.create({ params: { n: steps } });
  return cfAwait(instance, pollMs, t0, performance.now() - t0);
}

/** Creates one instance and answers its id at once, as Sundial's `POST /workflows` answers. */
async function cfCreate(env: BenchEnv, steps: number): Promise<Response> {
  const t0 = performance.now();
  const instance = await env.BENCH_WF.create({ params: { n: steps } });
  return json({ id: instance.id, createMs: performance.now() - t0 });
}

/** Awaits an instance made by `cfCreate`, as Sundial's `GET …/result?wait=` does. */
async function cfResult(env: BenchEnv, id: string, pollMs: number): Promise<Response> {
  const t0 = performance.now();
  return cfAwait(await env.BENCH_WF.get(id), pollMs, t0, 0);
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/floor":
        return floor(env, intParam(url, "n", 3000));
      case "/ping":
        isolate ||= crypto.randomUUID();
        return json({ isolate });
      case "/replay-floor":
        return replayFloor(env, intParam(url, "n", 10_000));
      case "/alarm-floor":
        return alarmFloor(
          env,
          intParam(url, "n", 100),
          intParam(url, "ms", 1000),
          intParam(url, "gapMs", 10),
        );
      case "/floor-new-object":
        return floorNewObject(env, intParam(url, "n", 100));
      case "/hop-chains":
        return hopChains(env, intParam(url, "chains", 1), intParam(url, "hops", 100));
      case "/cf-workflow":
        return cfWorkflow(env, intParam(url, "steps", 10), intParam(url, "pollMs", 1));
      case "/cf-workflow/create":
        return cfCreate(env, intParam(url, "steps", 10));
      case "/cf-workflow/result":
        return cfResult(env, url.searchParams.get("id") ?? "", intParam(url, "pollMs", 1));
      default:
        return json({ error: `no route ${url.pathname}` }, 404);
    }
  },

  async queue(batch: MessageBatch<HopMessage>, env: BenchEnv): Promise<void> {
    await Promise.all(
      batch.messages.map(async (m) => {
        await env.HOP_CHAIN.get(env.HOP_CHAIN.idFromName(m.body.chain)).hop(m.body);
        m.ack();
      }),
    );
  },
} satisfies ExportedHandler<BenchEnv, HopMessage>;
