/**
 * @module The timer phase of `npm run bench`: `timer_overshoot_p99_ms`. Starts TIMER_WORKFLOWS
 * `benchSleep` workflows (bench/engine.ts: one 1 s `ctx.sleep`, nothing else) in waves of
 * TIMER_WAVE started at once, one wave every TIMER_WAVE_GAP_MS, so timers come due while other
 * workflows are starting and sleeping; awaits them all, then reads each one's history. Overshoot =
 * the `TimerFired` event's timestamp − the `TimerStarted` event's `fireAtMs`: both are the engine's
 * own clock, recorded in the object, so the client's hops and scheduling are not in the number.
 */

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { benchJson } from "./cf.mjs";
import { awaitResult, history, startWorkflow } from "./engine-client.mjs";
import { log, median, percentile, round } from "./util.mjs";

const SLEEP_MS = 1000;
const TIMER_WORKFLOWS = 100;
// bench/timer-overshoot.mjs may spread the starts (BENCH_TIMER_WAVE=1, BENCH_TIMER_GAP_MS=10: as the floor's).
const TIMER_WAVE = Number(process.env.BENCH_TIMER_WAVE ?? 10);
const TIMER_WAVE_GAP_MS = Number(process.env.BENCH_TIMER_GAP_MS ?? 100);

/** Fired − due (ms) of a one-timer workflow, from its history. */
async function overshoot(mf, workflowId) {
  const events = await history(mf, workflowId);
  const started = events.find((e) => e.eventType === "TimerStarted");
  const fired = events.find((e) => e.eventType === "TimerFired");
  if (!started || !fired)
    throw new Error(`${workflowId}: no TimerStarted/TimerFired in its history`);
  const due = Number(started.attributes?.fireAtMs);
  const at = Date.parse(fired.timestamp);
  if (!Number.isFinite(due) || !Number.isFinite(at)) {
    throw new Error(`${workflowId}: unreadable timer times ${JSON.stringify([started, fired])}`);
  }
  return at - due;
}

/** The floor, at the same time and spread: bare Durable Object alarms (bench/worker.ts `AlarmProbe`). */
async function alarmFloor(mf) {
  const gapMs = Math.max(1, Math.round(TIMER_WAVE_GAP_MS / TIMER_WAVE));
  const r = await benchJson(mf, `/alarm-floor?n=${TIMER_WORKFLOWS}&ms=${SLEEP_MS}&gapMs=${gapMs}`);
  if (r.status !== 200) throw new Error(`alarm-floor: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.lateMs;
}

/** `detail`: also the p50 and the floor's p50/p99 (bench/timer-overshoot.mjs; not bench metrics). */
export async function measureTimerOvershoot(mf, detail = false) {
  const floor = alarmFloor(mf).catch((err) => {
    log(`  alarm floor FAILED: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  });
  const runs = [];
  for (let w = 0; w < TIMER_WORKFLOWS / TIMER_WAVE; w++) {
    const t = performance.now();
    const wave = Array.from({ length: TIMER_WAVE }, () =>
      startWorkflow(mf, "benchSleep", { ms: SLEEP_MS }, "sleep"),
    );
    runs.push(...(await Promise.all(wave)));
    const rest = TIMER_WAVE_GAP_MS - (performance.now() - t);
    if (rest > 0) await sleep(rest);
  }
  await Promise.all(runs.map((r) => awaitResult(mf, r.workflowId, SLEEP_MS)));
  const overs = [];
  for (const r of runs) overs.push(await overshoot(mf, r.workflowId));
  log(
    `  timer overshoot of ${runs.length} ${SLEEP_MS} ms sleeps (engine-recorded fired − due): ` +
      `p50 ${round(median(overs))} ms, p99 ${round(percentile(overs, 99))}, ` +
      `min ${round(Math.min(...overs))}, max ${round(Math.max(...overs))}`,
  );
  const late = await floor;
  const extra = {};
  if (late.length > 0) {
    extra.alarm_floor_p50_ms = round(median(late));
    extra.alarm_floor_p99_ms = round(percentile(late, 99));
    log(
      `  floor, ${late.length} bare DO alarms ${SLEEP_MS} ms ahead at the same time: ` +
        `p50 ${round(median(late))} ms late, p99 ${round(percentile(late, 99))}, max ${round(Math.max(...late))}`,
    );
  }
  const p99 = { timer_overshoot_p99_ms: round(percentile(overs, 99)) };
  if (!detail) return p99;
  const waves = [];
  for (let i = 0; i < overs.length; i += TIMER_WAVE)
    waves.push(round(median(overs.slice(i, i + TIMER_WAVE))));
  log(`  p50 per wave: ${waves.join(" ")}`);
  return { ...p99, timer_overshoot_p50_ms: round(median(overs)), ...extra };
}
