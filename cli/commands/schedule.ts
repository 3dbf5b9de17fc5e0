/**
 * @module `sundial schedule create | describe | list | update | pause | unpause | trigger |
 * backfill | delete`: schedules over the typed client (`client.schedule`).
 */
import type { Command } from "commander";
import {
  type CalendarSpec,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  type ScheduleBody,
  type ScheduleDescription,
  type ScheduleSpec,
} from "../../sdk/client/index";
import { UsageError } from "../exit-codes";
import { inputOf, jsonObjectOption, nonNegativeInt, positiveInt } from "../options";
import { keyValues, table } from "../output";
import type { RunOf } from "../run";

interface DefinitionOptions {
  cron: string[];
  interval: string[];
  calendar: string[];
  tz?: string;
  jitter?: string;
  startAt?: string;
  endAt?: string;
  overlap?: string;
  catchupWindow?: string;
  pauseOnFailure?: boolean;
  paused?: boolean;
  note?: string;
  remainingActions?: number;
  workflowType?: string;
  workflowIdPrefix?: string;
  taskQueue?: string;
  input?: string;
  inputFile?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function overlapOf(value: string | undefined): OverlapPolicy | undefined {
  if (value === undefined) return undefined;
  if (!(OVERLAP_POLICIES as readonly string[]).includes(value)) {
    throw new UsageError(`--overlap ${value}: one of ${OVERLAP_POLICIES.join(", ")}`);
  }
  return value as OverlapPolicy;
}

/** `--interval 15m` or `--interval 15m/2m` (every 15 minutes, offset 2 minutes). */
function intervalOf(text: string): { every: string; offset?: string } {
  const [every, offset, extra] = text.split("/");
  if (!every || extra !== undefined) {
    throw new UsageError(`--interval ${text}: <every>[/<offset>], e.g. --interval 15m/2m`);
  }
  return offset ? { every, offset } : { every };
}

/** The create / update body the definition options give (the engine validates it, naming fields). */
async function definitionOf(opts: DefinitionOptions): Promise<Omit<ScheduleBody, "scheduleId">> {
  if (!opts.workflowType) throw new UsageError("--workflow-type is required");
  if (opts.cron.length + opts.interval.length + opts.calendar.length === 0) {
    throw new UsageError("give at least one of --cron, --interval, --calendar");
  }
  const spec: ScheduleSpec = {
    ...(opts.cron.length ? { cron: opts.cron } : {}),
    ...(opts.interval.length ? { intervals: opts.interval.map(intervalOf) } : {}),
    ...(opts.calendar.length
      ? { calendars: opts.calendar.map((c) => jsonObjectOption("--calendar", c) as CalendarSpec) }
      : {}),
    ...(opts.tz ? { timezone: opts.tz } : {}),
    ...(opts.jitter ? { jitter: opts.jitter } : {}),
    ...(opts.startAt ? { startAt: opts.startAt } : {}),
    ...(opts.endAt ? { endAt: opts.endAt } : {}),
  };
  const input = await inputOf(opts);
  const overlap = overlapOf(opts.overlap);
  return {
    spec,
    action: {
      startWorkflow: {
        workflowType: opts.workflowType,
        ...(opts.workflowIdPrefix ? { workflowIdPrefix: opts.workflowIdPrefix } : {}),
        ...(opts.taskQueue ? { taskQueue: opts.taskQueue } : {}),
        ...(input !== undefined ? { input: input as never } : {}),
      },
    },
    policies: {
      ...(overlap ? { overlap } : {}),
      ...(opts.catchupWindow ? { catchupWindow: opts.catchupWindow } : {}),
      ...(opts.pauseOnFailure ? { pauseOnFailure: true } : {}),
    },
    state: {
      ...(opts.paused ? { paused: true } : {}),
      ...(opts.note !== undefined ? { note: opts.note } : {}),
      ...(opts.remainingActions !== undefined ? { remainingActions: opts.remainingActions } : {}),
    },
  };
}

function definitionOptions(command: Command): Command {
  return command
    .option("--cron <expr>", "a cron string (5 or 6 fields, or @daily…); repeatable", collect, [])
    .option("--interval <every[/offset]>", "e.g. 15m or 1h/5m; repeatable", collect, [])
    .option(
      "--calendar <json>",
      `e.g. '{"hour":"9","dayOfWeek":"MON-FRI"}'; repeatable`,
      collect,
      [],
    )
    .option("--tz <zone>", "IANA time zone of cron and calendars (default UTC)")
    .option("--jitter <duration>", "random delay per action, in [0, jitter)")
    .option("--start-at <time>", "no action before this ISO time")
    .option("--end-at <time>", "no action after this ISO time")
    .option("--overlap <policy>", `${OVERLAP_POLICIES.join(" | ")} (default Skip)`)
    .option("--catchup-window <duration>", "after downtime, older missed actions are skipped")
    .option("--pause-on-failure", "a failed or timed-out action pauses the schedule")
    .option("--paused", "create it paused")
    .option("--note <text>", "a note on its state")
    .option("--remaining-actions <n>", "take at most this many actions", nonNegativeInt)
    .option("--workflow-type <type>", "the workflow each action starts (required)")
    .option(
      "--workflow-id-prefix <prefix>",
      "workflow ids are <prefix>-<time> (default: the schedule id)",
    )
    .option("--task-queue <queue>", "the workflow's task queue")
    .option("--input <json>", "the workflow's input (JSON)")
    .option("--input-file <path>", "read the input from a file (- for stdin)");
}

function printDescription(d: ScheduleDescription, out: (t: string) => void): void {
  out(
    keyValues([
      ["Schedule", d.scheduleId],
      ["Spec", d.specDescription],
      ["Workflow", d.action.startWorkflow.workflowType],
      ["State", d.state.paused ? `paused${d.state.note ? ` (${d.state.note})` : ""}` : "active"],
      ["Overlap", d.policies.overlap],
      ["Catch-up window", String(d.policies.catchupWindow)],
      ["Remaining actions", d.state.remainingActions ?? "unlimited"],
      ["Actions", d.info.actionCount],
      ["Missed (catch-up)", d.info.missedCatchupWindow],
      ["Skipped (overlap)", d.info.overlapSkipped],
      ["Next runs", d.info.nextActionTimes.slice(0, 5).join("\n")],
      ["Running", d.info.runningWorkflows.map((w) => w.workflowId).join("\n")],
    ]),
  );
  if (d.info.recentActions.length > 0) {
    out("");
    out(
      table(
        ["SCHEDULED", "STATUS", "WORKFLOW ID"],
        d.info.recentActions.map((a) => [a.scheduledTime, a.status, a.workflowId]),
      ),
    );
  }
}

export function addScheduleCommands(schedule: Command, runOf: RunOf): void {
  definitionOptions(
    schedule.command("create").description("create a schedule").argument("<scheduleId>"),
  ).action(async (scheduleId: string, opts: DefinitionOptions, command: Command) => {
    const run = runOf(command);
    const body = await definitionOf(opts);
    await run.client.schedule.create({ scheduleId, ...body });
    if (run.global.json) run.json({ scheduleId });
    else run.out(`Schedule ${scheduleId} created`);
  });

  definitionOptions(
    schedule
      .command("update")
      .description("replace a schedule's spec, action, policies and state")
      .argument("<scheduleId>"),
  ).action(async (scheduleId: string, opts: DefinitionOptions, command: Command) => {
    const run = runOf(command);
    await run.client.schedule.getHandle(scheduleId).update(await definitionOf(opts));
    if (run.global.json) run.json({ ok: true, scheduleId });
    else run.out(`Schedule ${scheduleId} updated`);
  });

  schedule
    .command("describe")
    .description("a schedule's spec, state, next runs and recent actions")
    .argument("<scheduleId>")
    .action(async (scheduleId: string, _opts: object, command: Command) => {
      const run = runOf(command);
      const d = await run.client.schedule.getHandle(scheduleId).describe();
      if (run.global.json) run.json(d);
      else printDescription(d, run.out);
    });

  schedule
    .command("list")
    .description("list schedules")
    .option("--query <query>", "filter, e.g. \"Paused = false AND WorkflowType = 'report'\"")
    .option("--limit <n>", "at most this many schedules", positiveInt, 100)
    .action(async (opts: { query?: string; limit: number }, command: Command) => {
      const run = runOf(command);
      const page = await run.client.schedule.list({
        ...(opts.query ? { query: opts.query } : {}),
        pageSize: Math.min(opts.limit, 1000),
      });
      if (run.global.json) {
        run.json(page);
        return;
      }
      if (page.schedules.length === 0) {
        run.out("No schedules found");
        return;
      }
      run.out(
        table(
          ["SCHEDULE ID", "WORKFLOW TYPE", "STATE", "NEXT RUN", "SPEC"],
          page.schedules.map((s) => [
            s.scheduleId,
            s.workflowType,
            s.paused ? "paused" : "active",
            s.nextActionTime,
            s.specDescription,
          ]),
        ),
      );
    });

  for (const [name, paused] of [
    ["pause", true],
    ["unpause", false],
  ] as const) {
    schedule
      .command(name)
      .description(paused ? "pause: no actions until unpaused" : "unpause: act from now on")
      .argument("<scheduleId>")
      .option("--note <text>", "why")
      .action(async (scheduleId: string, opts: { note?: string }, command: Command) => {
        const run = runOf(command);
        const handle = run.client.schedule.getHandle(scheduleId);
        await (paused ? handle.pause(opts.note) : handle.unpause(opts.note));
        if (run.global.json) run.json({ ok: true, scheduleId });
        else run.out(`Schedule ${scheduleId} ${paused ? "paused" : "unpaused"}`);
      });
  }

  schedule
    .command("trigger")
    .description("take one action now")
    .argument("<scheduleId>")
    .option("--overlap <policy>", "overlap policy of this action (default: the schedule's)")
    .action(async (scheduleId: string, opts: { overlap?: string }, command: Command) => {
      const run = runOf(command);
      const overlap = overlapOf(opts.overlap);
      await run.client.schedule.getHandle(scheduleId).trigger(overlap ? { overlap } : {});
      if (run.global.json) run.json({ ok: true, scheduleId });
      else run.out(`Schedule ${scheduleId} triggered`);
    });

  schedule
    .command("backfill")
    .description("take every action of a time range, in order (at most 1,000)")
    .argument("<scheduleId>")
    .requiredOption("--start-time <time>", "ISO time, e.g. 2026-12-01T00:00:00Z")
    .requiredOption("--end-time <time>", "ISO time (inclusive)")
    .option("--overlap <policy>", "overlap policy of these actions (default: the schedule's)")
    .action(
      async (
        scheduleId: string,
        opts: { startTime: string; endTime: string; overlap?: string },
        command: Command,
      ) => {
        const run = runOf(command);
        const overlap = overlapOf(opts.overlap);
        const result = await run.client.schedule.getHandle(scheduleId).backfill({
          startTime: opts.startTime,
          endTime: opts.endTime,
          ...(overlap ? { overlap } : {}),
        });
        if (run.global.json) run.json({ ok: true, scheduleId, ...result });
        else run.out(`Schedule ${scheduleId}: ${result.actions} action(s) backfilled`);
      },
    );

  schedule
    .command("delete")
    .description("delete a schedule; its running workflows keep running")
    .argument("<scheduleId>")
    .action(async (scheduleId: string, _opts: object, command: Command) => {
      const run = runOf(command);
      await run.client.schedule.getHandle(scheduleId).delete();
      if (run.global.json) run.json({ ok: true, scheduleId });
      else run.out(`Schedule ${scheduleId} deleted`);
    });
}
