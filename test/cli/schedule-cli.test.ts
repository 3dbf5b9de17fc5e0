/**
 * @module `sundial schedule …` against a scripted HTTP server: each command's request (method,
 * path, body), its output, and its usage errors.
 */
import { afterEach, describe, it } from "vitest";
import { type FakeReply, type FakeServer, runCli, startFakeServer } from "./harness.mjs";

let fake: FakeServer | undefined;

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const jsonReply = (status: number, body: unknown): FakeReply => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

const description = {
  scheduleId: "nightly",
  spec: { cron: ["0 2 * * *"] },
  specDescription: "at 02:00 every day",
  action: { startWorkflow: { workflowType: "report" } },
  policies: { overlap: "Skip", catchupWindow: "365d", pauseOnFailure: false },
  state: { paused: false, note: "", remainingActions: null },
  memo: {},
  searchAttributes: {},
  info: {
    nextActionTimes: ["2026-12-02T02:00:00.000Z"],
    recentActions: [
      {
        scheduledTime: "2026-12-01T02:00:00.000Z",
        actualTime: "2026-12-01T02:00:00.010Z",
        workflowId: "nightly-2026-12-01T02:00:00.000Z",
        runId: "r1",
        status: "Completed",
      },
    ],
    runningWorkflows: [],
    actionCount: 1,
    missedCatchupWindow: 0,
    overlapSkipped: 0,
    bufferedActions: 0,
    createTime: "2026-11-30T00:00:00.000Z",
    updateTime: "2026-11-30T00:00:00.000Z",
  },
};

describe("sundial schedule", () => {
  it("create sends the spec, action, policies and state of its flags", async ({ expect }) => {
    fake = await startFakeServer(() => jsonReply(201, { scheduleId: "nightly" }));
    const run = await runCli([
      ...["--address", fake.address, "schedule", "create", "nightly"],
      ...["--cron", "0 2 * * *", "--cron", "@hourly", "--interval", "15m/2m"],
      ...["--calendar", '{"hour":"9","dayOfWeek":"MON-FRI"}', "--tz", "Europe/Berlin"],
      ...["--overlap", "BufferOne", "--catchup-window", "10m", "--pause-on-failure"],
      ...["--paused", "--note", "not yet", "--remaining-actions", "5"],
      ...["--workflow-type", "report", "--task-queue", "reports", "--input", '{"kind":"daily"}'],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe("Schedule nightly created");
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: "POST", url: "/api/v1/schedules" });
    expect(JSON.parse(req?.body ?? "")).toEqual({
      scheduleId: "nightly",
      spec: {
        cron: ["0 2 * * *", "@hourly"],
        intervals: [{ every: "15m", offset: "2m" }],
        calendars: [{ hour: "9", dayOfWeek: "MON-FRI" }],
        timezone: "Europe/Berlin",
      },
      action: {
        startWorkflow: { workflowType: "report", taskQueue: "reports", input: { kind: "daily" } },
      },
      policies: { overlap: "BufferOne", catchupWindow: "10m", pauseOnFailure: true },
      state: { paused: true, note: "not yet", remainingActions: 5 },
    });
  });

  it("refuses an unknown overlap policy and a missing spec as usage errors (exit 2), sending nothing", async ({
    expect,
  }) => {
    fake = await startFakeServer(() => jsonReply(201, {}));
    for (const args of [
      ["--cron", "0 2 * * *", "--workflow-type", "report", "--overlap", "Sometimes"],
      ["--workflow-type", "report"],
      ["--cron", "0 2 * * *"],
    ]) {
      const run = await runCli(["--address", fake.address, "schedule", "create", "x", ...args]);
      expect(run.code, run.stderr).toBe(2);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("describe prints the schedule; --json prints the body", async ({ expect }) => {
    fake = await startFakeServer(() => jsonReply(200, description));
    const run = await runCli(["--address", fake.address, "schedule", "describe", "nightly"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("at 02:00 every day");
    expect(run.stdout).toContain("nightly-2026-12-01T02:00:00.000Z");
    expect(fake.requests[0]).toMatchObject({ method: "GET", url: "/api/v1/schedules/nightly" });
    const json = await runCli([
      "--address",
      fake.address,
      "--json",
      "schedule",
      "describe",
      "nightly",
    ]);
    expect(JSON.parse(json.stdout)).toEqual(description);
  });

  it("list, pause, unpause, trigger, backfill, update and delete send API.md's requests", async ({
    expect,
  }) => {
    fake = await startFakeServer((req) => {
      if (req.method === "GET") {
        return jsonReply(200, {
          schedules: [
            {
              scheduleId: "nightly",
              workflowType: "report",
              specDescription: "at 02:00",
              paused: false,
              note: "",
              nextActionTime: "2026-12-02T02:00:00.000Z",
              createTime: "2026-11-30T00:00:00.000Z",
              updateTime: "2026-11-30T00:00:00.000Z",
            },
          ],
          nextPageToken: null,
        });
      }
      if (req.url.endsWith("/backfill")) return jsonReply(200, { actions: 3 });
      return jsonReply(200, {});
    });
    const a = ["--address", fake.address, "schedule"];
    const runs = [
      await runCli([...a, "list", "--query", "Paused = false"]),
      await runCli([...a, "pause", "nightly", "--note", "maintenance"]),
      await runCli([...a, "unpause", "nightly"]),
      await runCli([...a, "trigger", "nightly", "--overlap", "AllowAll"]),
      await runCli([
        ...[...a, "backfill", "nightly", "--start-time", "2026-11-01T00:00:00Z"],
        ...["--end-time", "2026-11-03T00:00:00Z", "--overlap", "BufferAll"],
      ]),
      await runCli([...a, "update", "nightly", "--cron", "0 3 * * *", "--workflow-type", "report"]),
      await runCli([...a, "delete", "nightly"]),
    ];
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(runs[0]?.stdout).toContain("nightly");
    expect(runs[4]?.stdout).toContain("3 action(s)");
    const sent = fake.requests.map((r) => [r.method, r.url, r.body ? JSON.parse(r.body) : null]);
    expect(sent).toEqual([
      [
        "GET",
        `/api/v1/schedules?${new URLSearchParams({ query: "Paused = false", pageSize: "100" })}`,
        null,
      ],
      ["POST", "/api/v1/schedules/nightly/pause", { note: "maintenance" }],
      ["POST", "/api/v1/schedules/nightly/unpause", {}],
      ["POST", "/api/v1/schedules/nightly/trigger", { overlap: "AllowAll" }],
      [
        "POST",
        "/api/v1/schedules/nightly/backfill",
        {
          startTime: "2026-11-01T00:00:00Z",
          endTime: "2026-11-03T00:00:00Z",
          overlap: "BufferAll",
        },
      ],
      [
        "PUT",
        "/api/v1/schedules/nightly",
        {
          spec: { cron: ["0 3 * * *"] },
          action: { startWorkflow: { workflowType: "report" } },
          policies: {},
          state: {},
        },
      ],
      ["DELETE", "/api/v1/schedules/nightly", null],
    ]);
  });

  it("a 404 exits 3 and a 400 exits 2 with the engine's message", async ({ expect }) => {
    fake = await startFakeServer((req) =>
      req.method === "GET"
        ? jsonReply(404, { error: { code: "NotFound", message: "Schedule not found" } })
        : jsonReply(400, {
            error: { code: "InvalidArgument", message: "spec.cron[0]: bad minute" },
          }),
    );
    const missing = await runCli(["--address", fake.address, "schedule", "describe", "gone"]);
    expect(missing.code).toBe(3);
    const bad = await runCli([
      ...["--address", fake.address, "schedule", "create", "x", "--cron", "99 * * * *"],
      ...["--workflow-type", "report"],
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("spec.cron[0]");
  });
});
