/**
 * @module The workflow page's panels no other UI test looked at — pending activities, pending
 * children, memo, search attributes — and the namespaced UI under `/namespaces/{ns}/`, in a real
 * chromium against `wrangler dev` of the fixture Worker (test/fixtures/worker.ts) without the
 * example activity Worker, so that "notifications" tasks stay pending.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../cli/harness.mjs";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const LIST_WAIT_MS = 20_000;

let server: DevServer;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
const run = crypto.randomUUID().slice(0, 6);
let counter = 0;
function uniqueId(prefix: string): string {
  counter += 1;
  return `uip-${run}-${prefix}-${counter}`;
}

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.address}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Polls describe until `check` accepts it. */
async function describeUntil(
  workflowId: string,
  check: (d: Record<string, unknown>) => boolean,
  prefix = "",
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 150; i++) {
    const d = await api("GET", `${prefix}/workflows/${encodeURIComponent(workflowId)}`);
    if (check(d)) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never reached the expected state`);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({
      migrate: true,
      timeoutMs: 90_000,
      main: "test/fixtures/worker.ts",
      activityWorker: false,
    }),
    chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS }),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  pageErrors = [];
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterEach(async () => {
  await page?.close();
  expect(pageErrors, "uncaught errors in the page").toEqual([]);
});

describe("workflow page panels", () => {
  it("lists pending activities with their state, attempt and last failure", async () => {
    const id = uniqueId("pending-activity");
    // Fails attempt 1, then waits an hour before attempt 2: Backoff with a last failure.
    await api("POST", "/workflows", {
      workflowType: "oneActivity",
      workflowId: id,
      input: {
        type: "flaky",
        input: { key: id, failures: 5 },
        options: { startToCloseTimeout: "10s", retry: { initialInterval: "1h" } },
      },
    });
    await describeUntil(id, (d) =>
      (d.pendingActivities as { state: string }[]).some((a) => a.state === "Backoff"),
    );
    await page.goto(`${server.address}/workflows/${encodeURIComponent(id)}`);
    const panel = page.getByTestId("pending-activities");
    await panel.waitFor();
    await expect(panel.getByRole("heading").textContent()).resolves.toBe("Pending activities (1)");
    const activity = panel.locator("[data-testid=pending-activity][data-activity-id='1']");
    await expect(activity.textContent()).resolves.toContain("flaky");
    await expect(activity.textContent()).resolves.toContain("Backoff");
    await expect(activity.getByTestId("activity-attempt").textContent()).resolves.toBe("1");
    await expect(activity.getByTestId("activity-last-failure").textContent()).resolves.toContain(
      "flaky failure on attempt 1",
    );
  });

  it("lists a task nobody has picked up as Scheduled", async () => {
    const id = uniqueId("scheduled-activity");
    await api("POST", "/workflows", {
      workflowType: "greeting",
      workflowId: id,
      input: { name: "Ada" },
    });
    await describeUntil(id, (d) => (d.pendingActivities as unknown[]).length === 1);
    await page.goto(`${server.address}/workflows/${encodeURIComponent(id)}`);
    const activity = page.getByTestId("pending-activity");
    await activity.waitFor();
    await expect(activity.count()).resolves.toBe(1);
    await expect(activity.textContent()).resolves.toContain("Scheduled");
    await expect(activity.getByTestId("activity-last-failure").textContent()).resolves.toBe("—");
  });

  it("lists pending children, linking to each", async () => {
    const id = uniqueId("parent");
    await api("POST", "/workflows", {
      workflowType: "parentOfSleeper",
      workflowId: id,
      input: { policy: "Abandon" },
    });
    const kid = `${id}-kid`;
    const d = await describeUntil(id, (x) =>
      (x.pendingChildren as { runId?: string }[]).some((c) => c.runId),
    );
    const kidRunId = (d.pendingChildren as { runId: string }[])[0]?.runId;
    await page.goto(`${server.address}/workflows/${encodeURIComponent(id)}`);
    const panel = page.getByTestId("pending-children");
    await panel.waitFor();
    const child = panel.getByTestId("pending-child");
    await expect(child.count()).resolves.toBe(1);
    const text = (await child.textContent()) ?? "";
    expect(text).toContain(kid);
    expect(text).toContain("sleeper");
    expect(text).toContain("Abandon");
    await child.getByRole("link", { name: kid }).click();
    await page.getByTestId("workflow-id").filter({ hasText: kid }).waitFor();
    expect(new URL(page.url()).searchParams.get("runId")).toBe(kidRunId);
    await page.getByTestId("workflow-status").filter({ hasText: "Running" }).waitFor();
  });

  it("shows memo and search attributes as text, and None when absent", async () => {
    const id = uniqueId("memo");
    await api("POST", "/workflows", {
      workflowType: "sleeper",
      workflowId: id,
      input: { sleeps: ["1h"] },
      memo: { note: "<b>bold</b>", owner: "ops" },
      searchAttributes: { CustomerId: "c-7", Priority: 3 },
    });
    await page.goto(`${server.address}/workflows/${encodeURIComponent(id)}`);
    const memo = page.getByTestId("memo");
    await memo.filter({ hasText: "owner" }).waitFor();
    const memoText = (await memo.textContent()) ?? "";
    expect(memoText).toContain("<b>bold</b>");
    expect(memoText).toContain("ops");
    await expect(memo.locator("b").count()).resolves.toBe(0);
    const attrs = page.getByTestId("search-attributes");
    const attrsText = (await attrs.textContent()) ?? "";
    expect(attrsText).toContain("CustomerId");
    expect(attrsText).toContain("c-7");
    expect(attrsText).toContain("Priority");

    const bare = uniqueId("no-memo");
    await api("POST", "/workflows", {
      workflowType: "sleeper",
      workflowId: bare,
      input: { sleeps: ["1h"] },
    });
    await page.goto(`${server.address}/workflows/${encodeURIComponent(bare)}`);
    await page.getByTestId("memo").filter({ hasText: "None" }).waitFor();
    await expect(page.getByTestId("search-attributes").textContent()).resolves.toBe("None");
  });
});

describe("/namespaces/{ns}/", () => {
  it("lists and shows the namespace's workflows, and only those", async () => {
    const ns = `uins-${run}`;
    const id = uniqueId("in-ns");
    // A namespace must be registered first (issue 11).
    await api("POST", "/namespaces", { name: ns });
    await api("POST", `/namespaces/${ns}/workflows`, {
      workflowType: "sleeper",
      workflowId: id,
      input: { sleeps: ["1h"] },
    });
    // The default namespace does not know it.
    const other = await fetch(`${server.address}/api/v1/workflows/${encodeURIComponent(id)}`);
    expect(other.status).toBe(404);

    await page.goto(`${server.address}/namespaces/${ns}/`);
    await expect(page.getByTestId("namespace").textContent()).resolves.toBe(`namespace: ${ns}`);
    const row = page.locator(`[data-testid=workflow-row][data-workflow-id=${JSON.stringify(id)}]`);
    await row.waitFor({ timeout: LIST_WAIT_MS });
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(1);
    const link = row.getByTestId("workflow-link");
    expect(await link.getAttribute("href")).toMatch(
      new RegExp(`^/namespaces/${ns}/workflows/${id}(\\?runId=[0-9a-f-]{36})?$`),
    );
    await link.click();
    await page.getByTestId("workflow-id").filter({ hasText: id }).waitFor();
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    await expect(page.getByTestId("workflow-status").textContent()).resolves.toBe("Running");
    expect(await page.getByTestId("back-to-list").getAttribute("href")).toBe(`/namespaces/${ns}/`);

    // The default namespace's list does not show it.
    await page.goto(`${server.address}/?query=${encodeURIComponent(`WorkflowId = '${id}'`)}`);
    await page.getByTestId("empty").waitFor();
    await expect(row.count()).resolves.toBe(0);
  });
});
