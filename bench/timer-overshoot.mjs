/**
 * @module `node bench/timer-overshoot.mjs [rounds]`: the timer phase of `npm run bench` alone
 * (bench/timers.mjs: 100 one-second `benchSleep` workflows in waves of 10, with 100 bare Durable
 * Object alarms as the floor at the same time), `rounds` times (default 5) in one Miniflare, then
 * the median of the rounds' p50 and p99. For comparing builds of the timer path without the rest.
 */
import {
  benchWorker,
  buildBenchWorker,
  buildEngine,
  engineWorker,
  startMiniflare,
} from "./setup.mjs";
import { measureTimerOvershoot } from "./timers.mjs";
import { log, median, round } from "./util.mjs";

const rounds = Number(process.argv[2] ?? 5);
const entry = buildEngine();
if (!entry) process.exit(1);
const mf = await startMiniflare([engineWorker(entry), benchWorker(await buildBenchWorker())]);
if (!mf) process.exit(1);
const out = [];
try {
  for (let i = 0; i < rounds; i++) out.push(await measureTimerOvershoot(mf, true));
} finally {
  await mf.dispose();
}
const pick = (k) => out.map((o) => o[k]);
log(`rounds: ${JSON.stringify(out)}`);
process.stdout.write(
  `timer_overshoot_p50_ms (median of ${rounds}): ${round(median(pick("timer_overshoot_p50_ms")))}\n` +
    `timer_overshoot_p99_ms (median of ${rounds}): ${round(median(pick("timer_overshoot_p99_ms")))}\n` +
    `alarm_floor_p50_ms (median of ${rounds}): ${round(median(pick("alarm_floor_p50_ms")))}\n` +
    `alarm_floor_p99_ms (median of ${rounds}): ${round(median(pick("alarm_floor_p99_ms")))}\n`,
);
