/**
 * @module `sundial namespace create|list|describe|update` and `sundial key create|list|revoke`: the
 * global routes of API.md's "Auth and namespaces", over the typed admin client.
 */
import type { Command } from "commander";
import { type AdminClient, createAdminClient, type NamespaceInfo } from "../../sdk/client/index";
import { UsageError } from "../exit-codes";
import { keyValues, table } from "../output";
import type { GlobalOptions, RunOf } from "../run";

const ROLES = ["reader", "writer", "admin"] as const;

function adminOf(global: GlobalOptions): AdminClient {
  return createAdminClient({
    baseUrl: global.address,
    ...(global.apiKey ? { apiKey: global.apiKey } : {}),
  });
}

function showNamespace(ns: NamespaceInfo): string {
  return keyValues([
    ["Name", ns.name],
    ["Retention", ns.retention],
    ["Description", ns.description],
    ["Created", ns.createTime],
  ]);
}

export function addNamespaceCommands(program: Command, runOf: RunOf): void {
  const ns = program
    .command("namespace")
    .alias("ns")
    .description("register, list and change namespaces (their retention)");

  ns.command("create")
    .description("register a namespace (admin key of *)")
    .argument("<name>")
    .option("--retention <duration>", "how long closed executions are kept, e.g. 7d (default 30d)")
    .option("--description <text>", "what it is for")
    .action(
      async (
        name: string,
        opts: { retention?: string; description?: string },
        command: Command,
      ) => {
        const run = runOf(command);
        const created = await adminOf(run.global).namespaces.create({
          name,
          ...(opts.retention ? { retention: opts.retention } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        });
        if (run.global.json) run.json(created);
        else run.out(`Namespace ${created.name} registered (retention ${created.retention})`);
      },
    );

  ns.command("list")
    .description("the namespaces your key can read")
    .action(async (_opts: unknown, command: Command) => {
      const run = runOf(command);
      const list = await adminOf(run.global).namespaces.list();
      if (run.global.json) run.json({ namespaces: list });
      else
        run.out(
          table(
            ["NAME", "RETENTION", "CREATED", "DESCRIPTION"],
            list.map((n) => [n.name, n.retention, n.createTime, n.description]),
          ),
        );
    });

  ns.command("describe")
    .description("a namespace's retention and description")
    .argument("<name>")
    .action(async (name: string, _opts: unknown, command: Command) => {
      const run = runOf(command);
      const found = await adminOf(run.global).namespaces.describe(name);
      if (run.global.json) run.json(found);
      else run.out(showNamespace(found));
    });

  ns.command("update")
    .description("change a namespace's retention or description (admin key of *)")
    .argument("<name>")
    .option("--retention <duration>", "e.g. 7d")
    .option("--description <text>", "what it is for")
    .action(
      async (
        name: string,
        opts: { retention?: string; description?: string },
        command: Command,
      ) => {
        const run = runOf(command);
        if (opts.retention === undefined && opts.description === undefined) {
          throw new UsageError("nothing to change: give --retention and/or --description");
        }
        const updated = await adminOf(run.global).namespaces.update(name, {
          ...(opts.retention ? { retention: opts.retention } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        });
        if (run.global.json) run.json(updated);
        else run.out(showNamespace(updated));
      },
    );
}

export function addKeyCommands(program: Command, runOf: RunOf): void {
  const key = program.command("key").description("create, list and revoke API keys (admin)");

  key
    .command("create")
    .description("create an API key; it is printed once, store it now")
    .requiredOption("--name <name>", "what the key is for, e.g. ci")
    .requiredOption("--role <role>", "reader, writer or admin")
    .option(
      "--key-namespace <namespace>",
      'its namespace, or "*" (default: --namespace, else default)',
    )
    .action(
      async (opts: { name: string; role: string; keyNamespace?: string }, command: Command) => {
        const run = runOf(command);
        const role = ROLES.find((r) => r === opts.role);
        if (!role)
          throw new UsageError(
            `--role must be reader, writer or admin, not ${JSON.stringify(opts.role)}`,
          );
        const namespace = opts.keyNamespace ?? run.global.namespace ?? "default";
        const created = await adminOf(run.global).apiKeys.create({
          name: opts.name,
          namespace,
          role,
        });
        if (run.global.json) run.json(created);
        else {
          run.out(created.key);
          run.err(
            `API key ${created.id} (${created.role} of ${created.namespace}); it is not shown again`,
          );
        }
      },
    );

  key
    .command("list")
    .description("the keys of the namespaces you administer (no secrets)")
    .action(async (_opts: unknown, command: Command) => {
      const run = runOf(command);
      const keys = await adminOf(run.global).apiKeys.list();
      if (run.global.json) run.json({ apiKeys: keys });
      else
        run.out(
          table(
            ["ID", "NAME", "NAMESPACE", "ROLE", "CREATED", "REVOKED"],
            keys.map((k) => [k.id, k.name, k.namespace, k.role, k.createTime, k.revokeTime]),
          ),
        );
    });

  key
    .command("revoke")
    .description("revoke a key (effective everywhere within 10 s)")
    .argument("<id>", "the key id (the part after sk_)")
    .action(async (id: string, _opts: unknown, command: Command) => {
      const run = runOf(command);
      const revoked = await adminOf(run.global).apiKeys.revoke(id);
      if (run.global.json) run.json(revoked);
      else run.out(`API key ${revoked.id} revoked`);
    });
}
