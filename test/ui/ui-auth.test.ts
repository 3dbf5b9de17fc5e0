/**
 * @module Issue 11, the web UI with auth required (a real `wrangler dev` with SUNDIAL_AUTH=required
 * and an admin key) in chromium: it asks for a key; a bad key shows the error and is kept nowhere;
 * a reader sees no Signal, Update, Cancel or Terminate; a writer's Terminate works; the key lives
 * in the tab's sessionStorage only (never in a URL, localStorage or the console); the namespace
 * switcher lists the namespaces the key can read.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../cli/harness.mjs";

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
const ADMIN = "ui-test-admin";
const run = crypto.randomUUID().slice(0, 6);
const ns = `uiauth-${run}`;

let server: DevServer;
let browser: Browser;
const keys: Record<string, string> = {};

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.address}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function startApproval(id: string): Promise<void> {
  await admin("POST", `/namespaces/${ns}/workflows`, {
    workflowType: "approval",
    workflowId: id,
    input: { item: "laptop", timeout: "1h" },
  });
}

/** A page that records console output and URLs, to check the key never shows up in them. */
async function newPage(): Promise<{ page: Page; seen: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(20_000);
  const seen: string[] = [];
  page.on("console", (m) => seen.push(m.text()));
  page.on("pageerror", (e) => seen.push(`pageerror: ${e.message}`));
  page.on("request", (r) => seen.push(r.url()));
  return { page, seen };
}

async function signIn(page: Page, key: string): Promise<void> {
  const dialog = page.getByTestId("sign-in");
  await dialog.waitFor();
  await dialog.getByTestId("api-key-input").fill(key);
  await dialog.getByTestId("dialog-confirm").click();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({
      migrate: true,
      timeoutMs: 90_000,
      vars: ["SUNDIAL_AUTH:required", `SUNDIAL_ADMIN_KEY:${ADMIN}`],
    }),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
  ]);
  await admin("POST", "/namespaces", { name: ns });
  for (const role of ["reader", "writer"]) {
    keys[role] = (await admin("POST", "/api-keys", { name: `ui ${role}`, namespace: ns, role }))
      .key as string;
  }
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the UI with auth required", () => {
  it("a bad key shows the error and is kept nowhere; a reader sees no mutating buttons", async () => {
    const id = `ui-auth-reader-${run}`;
    await startApproval(id);
    const { page, seen } = await newPage();
    await page.goto(`${server.address}/namespaces/${ns}/workflows/${id}`);

    await signIn(page, "sk_0000000000000000_not-a-real-key-at-all-xxxxxxxxxxxxxxxxxxx");
    const error = page.getByTestId("dialog-error-message");
    await error.waitFor();
    expect(await error.textContent()).toContain("Unknown or revoked API key");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);

    await page.getByTestId("api-key-input").fill(keys.reader!);
    await page.getByTestId("dialog-confirm").click();
    await page.getByTestId("sign-in").waitFor({ state: "detached" });
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    await page
      .getByTestId("signed-in")
      .filter({ hasText: `reader of ${ns}` })
      .waitFor();
    await expect(page.getByTestId("query-button").isVisible()).resolves.toBe(true);
    for (const button of ["signal-button", "update-button", "cancel-button", "terminate-button"]) {
      await expect(page.getByTestId(button).isVisible(), button).resolves.toBe(false);
    }
    // The key: in this tab's sessionStorage only.
    expect(await page.evaluate("Object.keys(sessionStorage)")).toEqual(["sundial.apiKey"]);
    expect(await page.evaluate("localStorage.length")).toBe(0);
    expect(await page.evaluate("document.cookie")).toBe("");
    expect(page.url()).not.toContain(keys.reader!);
    for (const line of seen) expect(line).not.toContain(keys.reader!.slice(20));
    // Another tab (a new browser context) is not signed in.
    const other = await browser.newPage();
    await other.goto(`${server.address}/namespaces/${ns}/`);
    await other.getByTestId("sign-in").waitFor();
    expect(await other.evaluate("sessionStorage.length")).toBe(0);
    await other.close();
    await page.close();
  });

  it("a writer's Terminate works; sign-out asks again", async () => {
    const id = `ui-auth-writer-${run}`;
    await startApproval(id);
    const { page, seen } = await newPage();
    await page.goto(`${server.address}/namespaces/${ns}/workflows/${id}`);
    await signIn(page, keys.writer!);
    await page.locator("[data-testid=history-event][data-event-type=TimerStarted]").waitFor();
    // The namespace switcher lists what this key can read.
    await page
      .getByTestId("namespace-switcher")
      .locator(`option[value="${ns}"]`)
      .waitFor({ state: "attached" });
    const options = await page
      .getByTestId("namespace-switcher")
      .locator("option")
      .allTextContents();
    expect(options).toEqual([ns]);

    await page.getByTestId("terminate-button").click();
    const dialog = page.getByTestId("terminate-dialog");
    await dialog.getByTestId("dialog-confirm").click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("workflow-status").filter({ hasText: "Terminated" }).waitFor();
    const described = await admin("GET", `/namespaces/${ns}/workflows/${id}`);
    expect(described.status).toBe("Terminated");
    for (const line of seen) expect(line).not.toContain(keys.writer!.slice(20));

    await page.getByTestId("sign-out").click();
    await page.getByTestId("sign-in").waitFor();
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    await page.close();
  });

  it("a key of one namespace is asked again in another (403)", async () => {
    const { page } = await newPage();
    await page.goto(`${server.address}/`);
    await signIn(page, keys.reader!);
    // The default namespace refuses this key: the sign-in comes back with why.
    await page.getByTestId("sign-in").filter({ hasText: 'namespace "default"' }).waitFor();
    await page.close();
  });
});
