/**
 * The test kit's pure parts in Node: the activity-mock registry the engine reads through (a mocked
 * type answers with its mock, others with the real handler; reset restores) and the rule that
 * decides whether time may be skipped (only while nothing real is under way).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { WorkflowDescription } from "../../../sdk/common/wire";
import { mockableActivities, setActivityMocks } from "../../../src/execution/activity/test-mocks";
import { busyWith, type Look } from "../../../src/testing/time-skip";

afterEach(() => setActivityMocks({}));

describe("mockableActivities", () => {
  const real = { greet: async (n: string) => `real ${n}`, stamp: async () => "real stamp" };

  it("answers a mocked type with its mock, every other type with the real handler", async () => {
    const activities = mockableActivities(real);
    setActivityMocks({ greet: async (n: string) => `mock ${n}`, extra: async () => "extra" });
    expect(await activities.greet!("Ada", undefined as never)).toBe("mock Ada");
    expect(await activities.stamp!(undefined, undefined as never)).toBe("real stamp");
    expect("extra" in activities).toBe(true);
    expect(Object.keys(activities).sort()).toEqual(["extra", "greet", "stamp"]);
  });

  it("reads the registry at each lookup: clearing it restores the real handlers", async () => {
    const activities = mockableActivities(real);
    setActivityMocks({ greet: async () => "mock" });
    setActivityMocks({});
    expect(await activities.greet!("Ada", undefined as never)).toBe("real Ada");
    expect("extra" in activities).toBe(false);
    expect(Object.keys(activities).sort()).toEqual(["greet", "stamp"]);
  });
});

function look(d: Partial<WorkflowDescription>, outbox = 0): Look {
  return {
    workflowId: "w",
    description: {
      status: "Running",
      pendingActivities: [],
      pendingChildren: [],
      pendingDeliveries: [],
      ...d,
    } as WorkflowDescription,
    timers: [],
    outbox,
  };
}

describe("busyWith: may time be skipped?", () => {
  const activity = (state: "Scheduled" | "Started" | "Backoff") =>
    ({ activityType: "charge", state }) as WorkflowDescription["pendingActivities"][number];

  it("not while an activity is scheduled or running; yes while it waits out a retry backoff", () => {
    expect(busyWith(look({ pendingActivities: [activity("Scheduled")] }))).toMatch(/charge/);
    expect(busyWith(look({ pendingActivities: [activity("Started")] }))).toMatch(/charge/);
    expect(busyWith(look({ pendingActivities: [activity("Backoff")] }))).toBeUndefined();
  });

  it("not while an outbox message goes out for the first time, or a child is being started", () => {
    expect(busyWith(look({}, 1))).toMatch(/outbox/);
    expect(busyWith(look({ status: "Completed" }, 1))).toMatch(/outbox/);
    const child = {
      workflowId: "kid",
      state: "Initiated",
    } as WorkflowDescription["pendingChildren"][number];
    expect(busyWith(look({ pendingChildren: [child] }))).toMatch(/kid/);
  });

  it("a delivery already failing is retried on its own backoff: it does not hold time", () => {
    const failing = { kind: "visibility" } as WorkflowDescription["pendingDeliveries"][number];
    expect(busyWith(look({ pendingDeliveries: [failing] }, 1))).toBeUndefined();
    expect(busyWith(look({}))).toBeUndefined();
  });
});
