/**
 * @module The hostile-input suite, run in two halves (hostile-input-a/b.test.ts: two files, so two
 * workers share its ~6 minutes). Issue 9: every bad input gets a clear 4xx in API.md's error shape and changes nothing. Table-driven
 * over EVERY operation of the served OpenAPI document, so a new route is probed without a new test:
 * each path and query parameter gets hostile values (huge, bad UTF-8, lone `%`, NUL, wrong types),
 * each body gets malformed, wrong-typed, deep, oversized and bad-UTF-8 variants, and each body field
 * gets a deep and a huge value. The target is a real running workflow; at the end its history must
 * be what it was. Never a 2xx, never a 500, never a stack trace, never an echo of a huge input.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody } from "../../sdk/common/wire";
import { buildOpenApiDocument } from "../../src/api/openapi";
import { api, describeWf, eventually, history, start, uniqueId } from "../helpers";

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { schema: { $ref?: string } } } };
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

const doc = buildOpenApiDocument() as unknown as Doc;
const ops = Object.entries(doc.paths)
  .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  )
  // An operation with no parameter and no body (e.g. GET /api/v1/whoami) has nothing to probe.
  .filter(({ method, op }) => method === "POST" || (op.parameters ?? []).length > 0);

const CODES = new Set([
  "InvalidArgument",
  "NotFound",
  "FailedPrecondition",
  "AlreadyStarted",
  "PayloadTooLarge",
]);

/** Raw URL text (already %-encoded where meant to be) that no parameter may accept as given. */
const HOSTILE_URL_VALUES: Record<string, string> = {
  huge: "a".repeat(256 * 1024),
  "huge multibyte": encodeURIComponent("\u{1F600}".repeat(20_000)),
  "bad UTF-8": "%FF%FE%FD",
  "encoded lone surrogate": "%ED%A0%80",
  "lone percent": "%",
  "half escape": "%E0%A4%A",
  NUL: "%00",
  newline: "a%0Ab",
};

/** More for query parameters (numbers, durations, tokens, queries): no name or id looks like these. */
const HOSTILE_QUERY_VALUES: Record<string, string> = {
  ...HOSTILE_URL_VALUES,
  "number overflow": "1e999",
  negative: "-1",
  "not a number": "NaN",
  "adversarial duration": `1${"%20".repeat(20_000)}!`,
  "deep parentheses": "(".repeat(64 * 1024),
};

function deepJson(levels: number): string {
  return `${"[".repeat(levels)}${"]".repeat(levels)}`;
}

let target = "";
let targetEvents: string[] = [];
const valid: Record<string, string> = {};

/** A valid body for the operation (start needs a type; the rest take `{}`). */
function baseBody(method: string, path: string): Record<string, unknown> | null {
  if (method !== "POST") return null;
  if (path.endsWith("/workflows")) {
    return { workflowType: "approval", input: { item: "x", timeout: "1h" } };
  }
  return {};
}

function urlFor(path: string, overrides: Record<string, string> = {}, query = ""): string {
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    return overrides[name] ?? encodeURIComponent(valid[name] ?? "x");
  });
  return `${filled}${query}`;
}

async function expectRefused(res: Response, what: string): Promise<void> {
  const text = await res.text();
  const shown = `${what}: ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, shown).toBeGreaterThanOrEqual(400);
  expect(res.status, shown).toBeLessThan(500);
  let body: ErrorBody;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    throw new Error(`${shown}: not JSON`);
  }
  expect(Object.keys(body), shown).toEqual(["error"]);
  expect(CODES.has(body.error.code), shown).toBe(true);
  expect(typeof body.error.message, shown).toBe("string");
  expect(body.error.message.length, `${what}: message echoes the input`).toBeLessThan(1000);
  expect(body.error.message, shown).not.toMatch(/\n\s+at /);
}

/** Probes every `shards`-th operation of the OpenAPI document, starting at `shard`. */
export function hostileInputSuite(shard: number, shards: number): void {
  beforeAll(async () => {
    target = (
      await start({
        workflowType: "approval",
        workflowId: uniqueId("hostile-target"),
        input: { item: "x", timeout: "1h" },
      })
    ).workflowId;
    // Settled: the first workflow task has run (the approval timer is recorded).
    targetEvents = (
      await eventually(async () => {
        const events = await history(target);
        if (!events.some((e) => e.eventType === "TimerStarted")) throw new Error("not settled");
        return events;
      })
    ).map((e) => e.eventType);
    Object.assign(valid, {
      namespace: "default",
      workflowId: target,
      signalName: "approve",
      queryName: "state",
      updateName: "extend",
    });
  });

  describe.each(ops.filter((_, i) => i % shards === shard))(
    "$method $path",
    ({ method, path, op }) => {
      const params = op.parameters ?? [];
      const ref = op.requestBody?.content["application/json"].schema.$ref;
      const bodyProps = ref
        ? Object.keys(doc.components.schemas[ref.split("/").at(-1)!]?.properties ?? {})
        : [];
      const base = baseBody(method, path);
      const send = (url: string, body?: BodyInit | null, headers: Record<string, string> = {}) =>
        api(url, {
          method,
          ...(method === "POST"
            ? {
                body: body === undefined ? JSON.stringify(base) : body,
                headers: { "content-type": "application/json", ...headers },
              }
            : { headers }),
        });

      it.each(params.filter((p) => p.in === "path").map((p) => p.name))(
        "refuses hostile values of path parameter %s",
        async (name) => {
          for (const [what, value] of Object.entries(HOSTILE_URL_VALUES)) {
            await expectRefused(await send(urlFor(path, { [name]: value })), `${name}=${what}`);
          }
        },
      );

      it.each(params.filter((p) => p.in === "query").map((p) => p.name))(
        "refuses hostile values of query parameter %s",
        async (name) => {
          for (const [what, value] of Object.entries(HOSTILE_QUERY_VALUES)) {
            await expectRefused(
              await send(urlFor(path, {}, `?${name}=${value}`)),
              `${name}=${what}`,
            );
          }
        },
      );

      if (method === "POST") {
        it("refuses malformed, wrong-typed, deep, oversized and bad-UTF-8 bodies", async () => {
          const bodies: Record<string, BodyInit> = {
            truncated: '{"input":',
            "not JSON": "not json",
            array: "[]",
            string: '"text"',
            number: "1",
            null: "null",
            "deep (150 levels)": `{"input":${deepJson(150)}}`,
            "bad UTF-8 key": new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
            "prototype key": '{"__proto__":{"polluted":true}}',
            "constructor key": '{"constructor":1}',
            "1 MB": `{"input":"${"x".repeat(1 << 20)}"}`,
            "over the limit, streamed without content-length": new ReadableStream({
              start(controller) {
                const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
                controller.enqueue(new TextEncoder().encode('{"input":"'));
                for (let i = 0; i < 4; i++) controller.enqueue(chunk);
                controller.enqueue(new TextEncoder().encode('"}'));
                controller.close();
              },
            }),
          };
          for (const [what, body] of Object.entries(bodies)) {
            await expectRefused(await send(urlFor(path), body), `body ${what}`);
          }
        });

        it.each(bodyProps)(
          "refuses a deep, a huge and a wrong-typed value of body field %s",
          async (prop) => {
            const values: Record<string, string> = {
              deep: deepJson(120),
              huge: JSON.stringify("x".repeat(200 * 1024)),
              "deep object": `${'{"a":'.repeat(120)}1${"}".repeat(120)}`,
            };
            for (const [what, value] of Object.entries(values)) {
              const text = JSON.stringify({ ...base, [prop]: "§" }).replace('"§"', value);
              await expectRefused(await send(urlFor(path), text), `${prop} ${what}`);
            }
          },
        );
      }

      if (path.endsWith("/history")) {
        it("refuses a hostile Last-Event-ID on the event stream", async () => {
          for (const id of ["x".repeat(64 * 1024), "-1", "1e999", "1".repeat(40)]) {
            const res = await send(urlFor(path), undefined, {
              accept: "text/event-stream",
              "last-event-id": id,
            });
            await expectRefused(res, `Last-Event-ID ${id.slice(0, 10)}`);
          }
        });
      }
    },
  );

  describe("after every probe", () => {
    it("the target workflow is unchanged: still running, same history", async () => {
      expect((await history(target)).map((e) => e.eventType)).toEqual(targetEvents);
      expect((await describeWf(target)).status).toBe("Running");
    });
  });
}
