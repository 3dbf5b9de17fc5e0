/**
 * @module The schedules phase of `npm run bench` (opt-in, it takes minutes of real time):
 * `BENCH_SCHEDULES=1000 BENCH_SCHEDULE_MINUTES=5 npm run bench` creates that many schedules acting
 * every minute, waits, and checks that every action fired exactly once. Lateness is each action's
 * decision time (the schedule's `actualTime`, as Temporal's) minus its nominal time: alarm lateness
 * plus the wake-up's work, p50 and p99. Start lateness is the started workflow's `startTime` (its
 * first transaction) minus the nominal time: the same plus the delivery and the start itself.
 */

const pct = (sorted, p) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `fn` over `items`, `width` at a time. */
async function pool(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** A GET, tried again after 1 s and 2 s if it fails (a 5xx while the engine is saturated). */
async function readWithRetry(call, path) {
  let r;
  for (let attempt = 0; attempt < 3; attempt++) {
    r = await call("GET", path);
    if (r.status < 500) return r;
    await new Promise((done) => setTimeout(done, 1000 * (attempt + 1)));
  }
  return r;
}

/**
 * @param call `(method, path, body?) => Promise<{status, json}>` against the engine
 * @returns the metrics: expected and fired actions, duplicates, lateness p50/p99 (ms)
 */
export async function measureSchedules(call, { count, minutes, log }) {
  const run = Math.random().toString(36).slice(2, 8);
  const ids = Array.from({ length: count }, (_, i) => `bench-sched-${run}-${i}`);
  log(`creating ${count} schedules (every minute)`);
  await pool(ids, 32, async (scheduleId) => {
    const r = await call("POST", "/api/v1/schedules", {
      scheduleId,
      spec: { cron: ["* * * * *"] },
      action: { startWorkflow: { workflowType: "report" } },
      policies: { overlap: "AllowAll" },
    });
    if (r.status !== 201)
      throw new Error(`create ${scheduleId}: ${r.status} ${JSON.stringify(r.json)}`);
  });
  // Measure whole minutes that start after every schedule exists.
  const from = Math.ceil((Date.now() + 1000) / 60_000) * 60_000;
  const to = from + (minutes - 1) * 60_000;
  const waitMs = to - Date.now() + 15_000;
  log(
    `waiting ${Math.round(waitMs / 1000)} s for the minutes ${new Date(from).toISOString()} .. ${new Date(to).toISOString()}`,
  );
  await new Promise((r) => setTimeout(r, waitMs));
  const lateness = [];
  const startLateness = [];
  let fired = 0;
  let unstarted = 0;
  let duplicates = 0;
  // Reading is throttled and each schedule's start time sampled (one action per schedule, the
  // minutes taken in turn): every read loads an evicted object, and thousands loaded within the
  // seconds they stay in memory reach workerd's per-process SQLite memory cap (README, Limits).
  let unread = 0;
  const samples = [];
  await pool(ids, 8, async (scheduleId, i) => {
    const r = await readWithRetry(call, `/api/v1/schedules/${scheduleId}`);
    if (r.status !== 200) {
      unread += 1;
      return;
    }
    const seen = new Set();
    for (const a of r.json.info?.recentActions ?? []) {
      const t = Date.parse(a.scheduledTime);
      if (t < from || t > to) continue;
      if (seen.has(t)) duplicates += 1;
      seen.add(t);
      fired += 1;
      lateness.push(Date.parse(a.actualTime) - t);
      if ((t - from) / 60_000 === i % minutes) samples.push({ id: a.workflowId, t });
    }
  });
  if (unread > 0) log(`  ${unread} schedules could not be read (counted as not fired)`);
  await pool(samples, 8, async ({ id, t }) => {
    const w = await readWithRetry(call, `/api/v1/workflows/${encodeURIComponent(id)}`);
    if (w.status === 200) startLateness.push(Date.parse(w.json.startTime) - t);
    else unstarted += 1;
  });
  if (unstarted > 0) log(`  ${unstarted} sampled workflows could not be read`);
  log(`  start lateness sampled from ${startLateness.length} workflows (one per schedule)`);
  await pool(ids, 32, (scheduleId) => call("DELETE", `/api/v1/schedules/${scheduleId}`));
  lateness.sort((a, b) => a - b);
  startLateness.sort((a, b) => a - b);
  log(
    `  lateness min ${lateness[0]} ms, max ${lateness.at(-1)} ms; start lateness min ${startLateness[0]} ms, max ${startLateness.at(-1)} ms`,
  );
  return {
    schedule_actions_expected: count * minutes,
    schedule_actions_fired: fired,
    schedule_actions_duplicated: duplicates,
    schedule_lateness_p50_ms: pct(lateness, 50),
    schedule_lateness_p99_ms: pct(lateness, 99),
    schedule_start_lateness_p50_ms: pct(startLateness, 50),
    schedule_start_lateness_p99_ms: pct(startLateness, 99),
  };
}
