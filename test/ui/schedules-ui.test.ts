/**
 * @module The Schedules pages in a real browser (chromium via playwright-core) against a real
 * `wrangler dev`: the list with each schedule's state and next run, and a schedule's page with its
 * spec in words, recent runs linking to their workflows, and pause/unpause, trigger, backfill and
 * delete, each confirmed in a dialog.
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

let server: DevServer;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
const run = crypto.randomUUID().slice(0, 6);

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

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ migrate: true, timeoutMs: 90_000 }),
    chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS }),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  pageErrors = [];
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterEach(async () => {
  await page?.close();
  expect(pageErrors, "uncaught errors in the page").toEqual([]);
});

describe("schedules pages", () => {
  it("lists schedules and operates one from its page", async () => {
    const id = `ui-${run}-nightly`;
    await api("POST", "/schedules", {
      scheduleId: id,
      spec: { cron: ["0 2 * * *"], timezone: "Europe/Berlin" },
      action: { startWorkflow: { workflowType: "report", input: { kind: "nightly" } } },
      policies: { overlap: "AllowAll" },
    });
    await api("POST", `/schedules/${id}/trigger`, {});

    await page.goto(`${server.address}/schedules`);
    const row = page.locator(`[data-testid=schedule-row][data-schedule-id=${JSON.stringify(id)}]`);
    await row.waitFor({ timeout: 20_000 });
    await expect(row.getByTestId("schedule-state").textContent()).resolves.toBe("Active");
    await row.getByTestId("schedule-link").click();

    await page.getByTestId("spec-description").waitFor();
    await expect(page.getByTestId("schedule-id").textContent()).resolves.toBe(id);
    await expect(page.getByTestId("timezone").textContent()).resolves.toBe("Europe/Berlin");
    await expect(page.locator("[data-testid=next-runs] li").count()).resolves.toBe(10);
    const recent = page.getByTestId("recent-run-link").first();
    await recent.waitFor();
    const workflowId = await recent.textContent();
    expect(workflowId?.startsWith(`${id}-`)).toBe(true);

    // Pause with a note, confirmed in a dialog.
    await page.getByTestId("pause-schedule").click();
    await page.getByTestId("pause-note").fill("maintenance");
    await page.getByTestId("dialog-confirm").click();
    await page.getByTestId("schedule-notice").filter({ hasText: "Schedule paused." }).waitFor();
    await expect(page.getByTestId("schedule-state").textContent()).resolves.toBe("Paused");
    await expect(page.getByTestId("schedule-note").textContent()).resolves.toBe("maintenance");
    await page.getByTestId("pause-schedule").click();
    await page.getByTestId("dialog-confirm").click();
    await page
      .getByTestId("schedule-state")
      .filter({ hasText: /^Active$/ })
      .waitFor();

    // Trigger, then backfill three nominal times.
    await page.getByTestId("trigger-schedule").click();
    await page.getByTestId("dialog-confirm").click();
    await page.getByTestId("action-count").filter({ hasText: /^2$/ }).waitFor();
    await page.getByTestId("backfill-schedule").click();
    await page.getByTestId("backfill-start").fill("2026-11-01T00:00:00Z");
    await page.getByTestId("backfill-end").fill("2026-11-03T23:59:59Z");
    await page.getByTestId("dialog-confirm").click();
    await page
      .getByTestId("schedule-notice")
      .filter({ hasText: "3 action(s) backfilled." })
      .waitFor();

    // A bad backfill range shows the engine's message in the dialog.
    await page.getByTestId("backfill-schedule").click();
    await page.getByTestId("backfill-start").fill("yesterday");
    await page.getByTestId("backfill-end").fill("2026-11-03T00:00:00Z");
    await page.getByTestId("dialog-confirm").click();
    await expect(page.getByTestId("dialog-error-message").textContent()).resolves.toContain(
      "startTime",
    );
    await page.getByTestId("dialog-cancel").click();

    // The recent run links to its workflow's page.
    await page.getByTestId("recent-run-link").last().click();
    await page.getByTestId("workflow-status").waitFor();
    await page.goBack();

    // Delete, confirmed: back to the list, the schedule gone.
    await page.getByTestId("delete-schedule").click();
    await page.getByTestId("dialog-confirm").click();
    await page.waitForURL(`${server.address}/schedules`);
    await page.getByTestId("schedule-table").waitFor();
    await expect(api("GET", `/schedules/${id}`)).rejects.toThrow("404");
  });
});
