/**
 * @module The object-creation micro-benchmark's Worker (bench/object-creation.mjs): what a brand-new
 * SQLite Durable Object costs, split into the runtime's share (the object, its SQLite file) and
 * the engine's schema, measured with one RPC per new object, timed inside the Worker.
 */
import { DurableObject } from "cloudflare:workers";
import { DDL, hasSchema, migrate } from "../src/execution/schema";

interface Env {
  PROBE: DurableObjectNamespace<Probe>;
}

const ONE_TABLE = "CREATE TABLE IF NOT EXISTS ops (id INTEGER PRIMARY KEY, v INTEGER)";

/** The tables a start writes (meta, runs, events, timers, activities, outbox), one exec. */
function minimalDdl(): string {
  const keep = ["meta", "runs", "events", "timers", "activities", "outbox"];
  const statements = DDL.split(";")
    .map((s) => s.trim())
    .filter((s) => s && keep.some((t) => new RegExp(`(TABLE IF NOT EXISTS|ON) ${t}\\b`).test(s)));
  return `${statements.join(";\n")};\nINSERT INTO meta (key, value) VALUES ('schema_version', '5')`;
}

export class Probe extends DurableObject<Env> {
  /** Runs one variant on this (new or existing) object; returns ms spent inside the call. */
  async run(variant: string): Promise<number> {
    const t0 = performance.now();
    const sql = this.ctx.storage.sql;
    switch (variant) {
      case "rpc-only":
        break;
      case "read":
        hasSchema(sql);
        break;
      case "insert":
        sql.exec(ONE_TABLE);
        sql.exec("INSERT INTO ops (v) VALUES (1)");
        break;
      case "ddl-now":
        migrate(sql, hasSchema(sql));
        break;
      case "ddl-one-exec":
        sql.exec(
          `${DDL}\nCREATE INDEX IF NOT EXISTS outbox_by_run ON outbox (run_id);\nINSERT INTO meta (key, value) VALUES ('schema_version', '5');`,
        );
        break;
      case "ddl-in-txn":
        this.ctx.storage.transactionSync(() => {
          sql.exec(
            `${DDL}\nCREATE INDEX IF NOT EXISTS outbox_by_run ON outbox (run_id);\nINSERT INTO meta (key, value) VALUES ('schema_version', '5');`,
          );
        });
        break;
      case "ddl-min":
        sql.exec(minimalDdl());
        break;
      case "ddl-min-alarm":
        sql.exec(minimalDdl());
        await this.ctx.storage.setAlarm(Date.now() + 60_000);
        break;
      case "timeout0x10":
        for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
        break;
      case "ddl-yield-insert":
        // The schema commits on its own (the yield ends the implicit transaction), then a write.
        migrate(sql, hasSchema(sql));
        await new Promise((r) => setTimeout(r, 0));
        sql.exec("INSERT INTO meta (key, value) VALUES ('x', 'y')");
        break;
      case "ddl-insert-yield":
        // The same work in one implicit transaction.
        migrate(sql, hasSchema(sql));
        sql.exec("INSERT INTO meta (key, value) VALUES ('x', 'y')");
        await new Promise((r) => setTimeout(r, 0));
        break;
      case "insert-alarm":
        sql.exec(ONE_TABLE);
        sql.exec("INSERT INTO ops (v) VALUES (1)");
        await this.ctx.storage.setAlarm(Date.now() + 60_000);
        break;
      case "ddl-alarm":
        migrate(sql, hasSchema(sql));
        await this.ctx.storage.setAlarm(Date.now() + 60_000);
        break;
      default:
        throw new Error(variant);
    }
    return performance.now() - t0;
  }

  override async alarm(): Promise<void> {}
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const variant = url.searchParams.get("variant") ?? "insert";
    const n = Number(url.searchParams.get("n") ?? 50);
    const same = url.searchParams.get("same") === "1";
    const tag = url.searchParams.get("tag") ?? "";
    const outer: number[] = [];
    const inner: number[] = [];
    for (let i = 0; i < n; i++) {
      const name = same ? `same-${variant}` : `${tag}-${variant}-${i}-${Math.random()}`;
      const t0 = performance.now();
      const stub = env.PROBE.get(env.PROBE.idFromName(name));
      inner.push(await stub.run(variant));
      outer.push(performance.now() - t0);
    }
    return Response.json({ outer, inner });
  },
} satisfies ExportedHandler<Env>;
