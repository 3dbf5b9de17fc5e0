/**
 * @module The web UI in a real browser (Debian's chromium driven by playwright-core) against a real
 * `wrangler dev` with the visibility index migrated. One server and one browser for the file; every
 * test uses its own workflow ids. Saves test/ui/screenshots/{list,detail}.png.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DevServer, repoRoot, startDevServer } from "../cli/harness.mjs";

const CHROMIUM = "/usr/bin/chromium";
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
/** Visibility (D1) is updated after the execution commits: give the list a moment. */
const LIST_WAIT_MS = 20_000;

let server: DevServer;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
const run = crypto.randomUUID().slice(0, 6);

function screenshotPath(name: string): string {
  return `${repoRoot}/test/ui/screenshots/${name}`;
}

let counter = 0;
function uniqueId(prefix: string): string {
  counter += 1;
  return `ui-${run}-${prefix}-${counter}`;
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

async function start(workflowType: string, workflowId: string, input: unknown): Promise<void> {
  await api("POST", "/workflows", { workflowType, workflowId, input });
}

/** An approval that waits an hour for its `approve` signal. */
async function startApproval(workflowId: string): Promise<void> {
  await start("approval", workflowId, { item: `laptop for ${workflowId}`, timeout: "1h" });
}

async function waitForStatus(workflowId: string, status: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const d = await api("GET", `/workflows/${encodeURIComponent(workflowId)}`);
    if (d.status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never became ${status}`);
}

function detailUrl(workflowId: string): string {
  return `${server.address}/workflows/${encodeURIComponent(workflowId)}`;
}

function row(workflowId: string) {
  return page.locator(`[data-testid=workflow-row][data-workflow-id=${JSON.stringify(workflowId)}]`);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ migrate: true, timeoutMs: 90_000 }),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
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

describe("GET /", () => {
  it("serves the page to browsers and the JSON self-description to JSON clients", async () => {
    const html = await fetch(`${server.address}/`, { headers: { accept: "text/html" } });
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await html.text()).toContain('<script type="module" src="/ui/app.js">');
    const json = await fetch(`${server.address}/`, { headers: { accept: "application/json" } });
    expect(await json.json()).toMatchObject({ name: "sundial", api: "/api/v1" });
  });
});

describe("workflow list", () => {
  it("shows started workflows, with status counts, and escapes ids", async () => {
    const a = uniqueId("list-approval");
    const b = uniqueId("list-approval");
    const html = `${uniqueId("list-greeting")}-<img src=x onerror="window.pwned=1">`;
    await startApproval(a);
    await startApproval(b);
    await start("greeting", html, { name: "<b>Ada</b>" });

    await page.goto(`${server.address}/`);
    await expect(page.title()).resolves.toContain("Workflows");
    await row(a).waitFor({ timeout: LIST_WAIT_MS });
    await row(b).waitFor({ timeout: LIST_WAIT_MS });
    await row(html).waitFor({ timeout: LIST_WAIT_MS });
    await expect(row(a).locator("[data-testid=status]").textContent()).resolves.toBe("Running");
    await expect(row(a).getByRole("cell").nth(2).textContent()).resolves.toBe("approval");
    // The id is text, not markup.
    const link = row(html).getByTestId("workflow-link");
    await expect(link.textContent()).resolves.toBe(html);
    expect(await row(html).locator("img").count()).toBe(0);
    expect(await page.evaluate("window.pwned")).toBeUndefined();

    // Status counts: at least our two running approvals. The counts are their own requests, made
    // with each refresh of the list: one may have read D1 just before a row the list shows landed,
    // so wait for a refresh that counts them (the page refreshes itself while it is shown).
    const running = page.getByTestId("count-Running");
    await running.locator(".n").filter({ hasText: /^\d+$/ }).waitFor();
    const count = async (testId: string) =>
      Number(await page.getByTestId(testId).getAttribute("data-count"));
    await expect
      .poll(() => count("count-Running"), { timeout: LIST_WAIT_MS })
      .toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => count("count-All"), { timeout: LIST_WAIT_MS })
      .toBeGreaterThanOrEqual(3);

    await page.screenshot({ path: screenshotPath("list.png"), fullPage: true });
  });

  it("narrows the list with a query, a status chip, and shows a bad query's error", async () => {
    const approval = uniqueId("filter-approval");
    const greeting = uniqueId("filter-greeting");
    await startApproval(approval);
    await start("greeting", greeting, { name: "Grace" });
    await waitForStatus(greeting, "Completed");

    await page.goto(`${server.address}/`);
    await row(approval).waitFor({ timeout: LIST_WAIT_MS });
    await row(greeting).waitFor({ timeout: LIST_WAIT_MS });

    const input = page.getByLabel("Filter", { exact: true });
    await input.fill(`WorkflowId STARTS_WITH 'ui-${run}-filter-' AND WorkflowType = 'greeting'`);
    await page.getByTestId("apply-filter").click();
    await row(approval).waitFor({ state: "detached" });
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(1);
    await expect(row(greeting).isVisible()).resolves.toBe(true);
    expect(new URL(page.url()).searchParams.get("query")).toContain("WorkflowType = 'greeting'");

    // Same prefix, all types, then only the Running ones through the status chip.
    await input.fill(`WorkflowId STARTS_WITH 'ui-${run}-filter-'`);
    await page.getByTestId("apply-filter").click();
    await row(approval).waitFor();
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(2);
    await page.getByTestId("count-Running").click();
    await row(greeting).waitFor({ state: "detached" });
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(1);
    await page.locator("[data-testid=count-Running][aria-pressed=true]").waitFor();

    // A malformed query: a readable 400 that names the offending token; the table empties.
    await page.getByTestId("count-Running").click();
    await input.fill("WorkflowId = = 'x'");
    await page.getByTestId("apply-filter").click();
    const error = page.getByTestId("query-error");
    await error.waitFor();
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("InvalidArgument");
    expect(text).toContain("found '='");
    await expect(input.getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(0);

    // Clear brings everything back.
    await page.getByTestId("clear-filter").click();
    await error.waitFor({ state: "detached" });
    await row(approval).waitFor();
  });

  it("pages with next page and back", async () => {
    const prefix = uniqueId("page");
    for (let i = 0; i < 3; i++) await start("greeting", `${prefix}-${i}`, { name: `n${i}` });
    const query = encodeURIComponent(`WorkflowId STARTS_WITH '${prefix}-'`);
    await page.goto(`${server.address}/?query=${query}&pageSize=2`);
    // Newest first: 2 and 1 on the first page, 0 on the second.
    await row(`${prefix}-2`).waitFor({ timeout: LIST_WAIT_MS });
    await row(`${prefix}-1`).waitFor();
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(2);
    await expect(page.getByTestId("prev-page").isDisabled()).resolves.toBe(true);
    await page.getByTestId("next-page").click();
    await row(`${prefix}-0`).waitFor();
    await expect(page.getByTestId("workflow-row").count()).resolves.toBe(1);
    await expect(page.getByTestId("page-label").textContent()).resolves.toBe("Page 2");
    await expect(page.getByTestId("next-page").isDisabled()).resolves.toBe(true);
    await page.getByTestId("prev-page").click();
    await row(`${prefix}-2`).waitFor();
    await expect(page.getByTestId("page-label").textContent()).resolves.toBe("Page 1");
  });
});

describe("workflow page", () => {
  it("shows the timeline and updates live as a signal arrives; the result appears", async () => {
    const id = uniqueId("detail");
    await startApproval(id);
    await page.goto(detailUrl(id));
    await expect(page.getByTestId("workflow-id").textContent()).resolves.toBe(id);
    await expect(page.getByTestId("workflow-status").textContent()).resolves.toBe("Running");
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    await expect(page.getByTestId("workflow-type").textContent()).resolves.toBe("approval");
    await expect(page.getByTestId("input-json").textContent()).resolves.toContain(
      `laptop for ${id}`,
    );
    await page.getByTestId("pending-timers").waitFor();
    const live = page.getByTestId("live");
    await live.waitFor();
    // The engine streams history (SSE), so the page follows the stream rather than polling.
    await expect(live.getAttribute("data-mode")).resolves.toBe("stream");

    // A signal sent by someone else: the open page picks it up without a reload.
    await api("POST", `/workflows/${encodeURIComponent(id)}/signals/approve`, {
      input: { approved: true, by: "grace" },
    });
    const signaled = page.locator(
      "[data-testid=history-event][data-event-type=WorkflowExecutionSignaled]",
    );
    await signaled.waitFor();
    await expect(signaled.textContent()).resolves.toContain("approve");
    await page
      .locator("[data-testid=history-event][data-event-type=WorkflowExecutionCompleted]")
      .waitFor();
    await page.getByTestId("workflow-status").filter({ hasText: "Completed" }).waitFor();
    await expect(page.getByTestId("result-json").textContent()).resolves.toContain('"grace"');
    await expect(page.getByTestId("signal-button").isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId("update-button").isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId("query-button").isEnabled()).resolves.toBe(true);
    await page.getByTestId("live").waitFor({ state: "hidden" });

    // Event ids run 1..n, and an event expands to its attributes as JSON.
    const ids = await page
      .getByTestId("history-event")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-event-id"))));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    await signaled.locator("summary").click();
    await expect(signaled.getByTestId("event-attributes").textContent()).resolves.toContain(
      '"signalName": "approve"',
    );
    await page.waitForTimeout(2_000); // let the new-event highlight fade
    await page.screenshot({ path: screenshotPath("detail.png"), fullPage: true });

    // A closed run still answers queries.
    await page.getByTestId("query-button").click();
    const dialog = page.getByTestId("query-dialog");
    await dialog.getByLabel("Query name").fill("state");
    await dialog.getByTestId("dialog-confirm").click();
    await expect(dialog.getByTestId("query-result").textContent()).resolves.toContain('"approved"');
  });

  it("sends a signal from the Signal dialog, refusing invalid JSON (polling without EventSource)", async () => {
    const id = uniqueId("signal");
    await startApproval(id);
    // A browser without EventSource: the page falls back to polling history?after=.
    await page.addInitScript("delete window.EventSource");
    await page.goto(detailUrl(id));
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    await expect(page.getByTestId("live").getAttribute("data-mode")).resolves.toBe("poll");

    await page.getByTestId("signal-button").click();
    const dialog = page.getByTestId("signal-dialog");
    await dialog.waitFor();
    await dialog.getByLabel("Signal name").fill("approve");
    await dialog.getByLabel("Input (JSON)").fill('{"approved": true, "by": ');
    await expect(dialog.getByTestId("dialog-confirm").isDisabled()).resolves.toBe(true);
    await expect(dialog.getByTestId("signal-input-hint").textContent()).resolves.toContain(
      "Invalid JSON",
    );
    await dialog.getByLabel("Input (JSON)").fill('{"approved": false, "by": "ui-test"}');
    await expect(dialog.getByTestId("dialog-confirm").isEnabled()).resolves.toBe(true);
    await dialog.getByTestId("dialog-confirm").click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("notice").filter({ hasText: "approve" }).waitFor();

    await page.getByTestId("workflow-status").filter({ hasText: "Completed" }).waitFor();
    await expect(page.getByTestId("result-json").textContent()).resolves.toContain('"ui-test"');
    const d = await api("GET", `/workflows/${encodeURIComponent(id)}/result`);
    expect(d).toMatchObject({ status: "Completed", result: { approved: false, by: "ui-test" } });
  });

  it("queries from the Query dialog, showing the answer or the 400 in the dialog", async () => {
    const id = uniqueId("query");
    await startApproval(id);
    await page.goto(detailUrl(id));
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    const events = await page.getByTestId("history-event").count();

    await page.getByTestId("query-button").click();
    const dialog = page.getByTestId("query-dialog");
    await dialog.waitFor();
    await dialog.getByLabel("Query name").fill("state");
    await dialog.getByLabel("Input (JSON)").fill("{");
    await expect(dialog.getByTestId("dialog-confirm").isDisabled()).resolves.toBe(true);
    await expect(dialog.getByTestId("query-input-hint").textContent()).resolves.toContain(
      "Invalid JSON",
    );
    await dialog.getByLabel("Input (JSON)").fill("");
    // Read-only: one click runs it, no confirmation step, and the dialog stays open.
    await dialog.getByTestId("dialog-confirm").click();
    const result = dialog.getByTestId("query-result");
    await result.waitFor();
    const answer = JSON.parse((await result.textContent()) ?? "null");
    expect(answer).toMatchObject({ item: `laptop for ${id}`, status: "waiting" });
    await expect(dialog.isVisible()).resolves.toBe(true);

    // An unknown query: the API's 400 message, readable, in the dialog; the old answer goes.
    await dialog.getByLabel("Query name").fill("nope");
    await dialog.getByTestId("dialog-confirm").click();
    const error = dialog.getByTestId("dialog-error-message");
    await error.waitFor();
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("HTTP 400");
    expect(text).toContain('has no query "nope"');
    await expect(result.count()).resolves.toBe(0);
    await expect(dialog.isVisible()).resolves.toBe(true);

    // Queries record nothing.
    await dialog.getByTestId("dialog-cancel").click();
    await dialog.waitFor({ state: "detached" });
    await expect(page.getByTestId("history-event").count()).resolves.toBe(events);
    await expect(page.getByTestId("update-button").isEnabled()).resolves.toBe(true);
  });

  it("sends an update after confirmation; a rejected one shows the validator's message and records nothing", async () => {
    const id = uniqueId("update");
    await startApproval(id);
    await page.goto(detailUrl(id));
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    const events = await page.getByTestId("history-event").count();

    await page.getByTestId("update-button").click();
    const dialog = page.getByTestId("update-dialog");
    await dialog.waitFor();
    const confirm = dialog.getByTestId("dialog-confirm");
    await dialog.getByLabel("Update name").fill("extend");
    await dialog.getByLabel("Input (JSON)").fill('{"by": "-5m"');
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel("Input (JSON)").fill('{"by": "-5m"}');

    // The first click only asks; the second sends.
    await confirm.click();
    await dialog.getByTestId("update-confirm-prompt").waitFor();
    await expect(confirm.textContent()).resolves.toBe("Confirm update");
    await confirm.click();
    const error = dialog.getByTestId("dialog-error-message");
    await error.waitFor();
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("HTTP 400");
    expect(text).toContain('extend.by must be a positive duration, got "-5m"');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await page.waitForTimeout(1_500); // the live stream would have shown an event by now
    await expect(page.getByTestId("history-event").count()).resolves.toBe(events);
    const history = await api("GET", `/workflows/${encodeURIComponent(id)}/history`);
    expect(JSON.stringify(history)).not.toContain("WorkflowExecutionUpdate");

    // Editing takes the confirmation back.
    await dialog.getByLabel("Input (JSON)").fill('{"by": "30m"}');
    await dialog.getByTestId("update-confirm-prompt").waitFor({ state: "hidden" });
    await expect(confirm.textContent()).resolves.toBe("Send update");
    await confirm.click();
    await dialog.getByTestId("update-confirm-prompt").waitFor();
    await confirm.click();
    const result = dialog.getByTestId("update-result");
    await result.waitFor();
    const deadline = JSON.parse((await result.textContent()) ?? "null") as string;
    expect(typeof deadline).toBe("string");
    expect(Number.isNaN(Date.parse(deadline))).toBe(false);
    await expect(error.count()).resolves.toBe(0);
    // The query agrees with the new deadline.
    const state = await api("POST", `/workflows/${encodeURIComponent(id)}/queries/state`, {});
    expect((state.result as { deadline: string }).deadline).toBe(deadline);

    await dialog.getByTestId("dialog-cancel").click();
    await dialog.waitFor({ state: "detached" });
    const accepted = page.locator(
      "[data-testid=history-event][data-event-type=WorkflowExecutionUpdateAccepted]",
    );
    await accepted.waitFor();
    await expect(accepted.textContent()).resolves.toContain("extend");
    await page
      .locator("[data-testid=history-event][data-event-type=WorkflowExecutionUpdateCompleted]")
      .waitFor();
    await expect(page.getByTestId("workflow-status").textContent()).resolves.toBe("Running");
  });

  it("cancels after confirmation", async () => {
    const id = uniqueId("cancel");
    await startApproval(id);
    await page.goto(detailUrl(id));
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();

    // Closing the dialog does nothing. A request it sent would reach the engine before a signal
    // sent after the close: once the page shows that signal, the history has everything before it.
    await page.getByTestId("cancel-button").click();
    await page.getByTestId("cancel-dialog").getByTestId("dialog-cancel").click();
    await page.getByTestId("cancel-dialog").waitFor({ state: "detached" });
    await api("POST", `/workflows/${encodeURIComponent(id)}/signals/nudge`, {});
    await page
      .locator("[data-testid=history-event][data-event-type=WorkflowExecutionSignaled]")
      .waitFor();
    const afterClose = await api("GET", `/workflows/${encodeURIComponent(id)}/history`);
    const types = (afterClose.events as { eventType: string }[]).map((e) => e.eventType);
    expect(types).toContain("WorkflowExecutionSignaled");
    expect(types).not.toContain("WorkflowExecutionCancelRequested");
    await expect(page.getByTestId("workflow-status").textContent()).resolves.toBe("Running");
    await waitForStatus(id, "Running");

    await page.getByTestId("cancel-button").click();
    const dialog = page.getByTestId("cancel-dialog");
    await dialog.getByLabel("Reason (optional)").fill("changed my mind");
    await dialog.getByTestId("dialog-confirm").click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("workflow-status").filter({ hasText: "Canceled" }).waitFor();
    await page
      .locator("[data-testid=history-event][data-event-type=WorkflowExecutionCancelRequested]")
      .waitFor();
    await expect(page.getByTestId("cancel-button").isDisabled()).resolves.toBe(true);
  });

  it("terminates after confirmation, showing the reason", async () => {
    const id = uniqueId("terminate");
    await startApproval(id);
    await page.goto(detailUrl(id));
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();

    await page.getByTestId("terminate-button").click();
    const dialog = page.getByTestId("terminate-dialog");
    await dialog.getByLabel("Reason (optional)").fill("stuck <script>alert(1)</script>");
    await dialog.getByTestId("dialog-confirm").click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("workflow-status").filter({ hasText: "Terminated" }).waitFor();
    await expect(page.getByTestId("terminate-reason").textContent()).resolves.toBe(
      "stuck <script>alert(1)</script>",
    );
    await waitForStatus(id, "Terminated");
  });

  it("shows an unknown workflow's 404 readably", async () => {
    await page.goto(detailUrl(uniqueId("nobody")));
    const error = page.getByTestId("page-error");
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain("NotFound");
  });
});
