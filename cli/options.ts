/** @module Parsing and checking of the CLI's operands and option values (usage errors, exit 2). */
import { readFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import { toMs } from "../sdk/common/duration";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../sdk/common/json-depth";
import { UsageError } from "./exit-codes";

export interface MessageOptions {
  workflowId?: string;
  name?: string;
  input?: string;
  inputFile?: string;
}

/**
 * The command's operands, from its options first (`-w`, `--name`) and then its arguments, in
 * order; a usage error when one is missing or one is left over.
 */
export function operands(
  command: Command,
  args: (string | undefined)[],
  fromOptions: string[],
): [string, ...string[]] {
  const given = [...fromOptions, ...args.filter((a): a is string => a !== undefined)];
  const names = command.registeredArguments.map((a) => `<${a.name()}>`);
  const usage = `sundial workflow ${command.name()} ${names.join(" ")}`;
  if (given.length < names.length) {
    throw new UsageError(`missing ${names[given.length]}: ${usage}`);
  }
  if (given.length > names.length) {
    throw new UsageError(`unexpected argument "${given[names.length]}": ${usage}`);
  }
  return given as [string, ...string[]];
}

export function messageOperands(
  command: Command,
  args: (string | undefined)[],
  opts: MessageOptions,
  kind: string,
): [string, string] {
  const present = args.filter((a): a is string => a !== undefined);
  // -w and --name take the places of the arguments they stand for.
  const workflowId = opts.workflowId ?? present.shift();
  const name = opts.name ?? present.shift();
  if (present.length > 0) {
    throw new UsageError(
      `unexpected argument "${present[0]}": sundial workflow ${kind} <workflowId> <${kind}Name>`,
    );
  }
  const [a, b] = operands(command, [workflowId, name], []);
  return [a as string, b as string];
}

/** Parses the JSON of option `flag`; a usage error that says how to quote it otherwise. */
export function jsonOption(flag: string, text: string): unknown {
  // Checked before parsing: a deeper value would overflow the stack when the client serializes it.
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new UsageError(
      `${flag} is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects (the engine refuses it)`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${flag} is not valid JSON (${(err as Error).message}). Quote it for the shell, e.g. ${flag} '{"amount": 5000}' or ${flag} '"text"'`,
    );
  }
}

export function jsonObjectOption(flag: string, text: string): Record<string, unknown> {
  const value = jsonOption(flag, text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${flag} must be a JSON object, e.g. ${flag} '{"key": "value"}'`);
  }
  return value as Record<string, unknown>;
}

/** The input of `--input` or `--input-file` (`-` reads stdin); `undefined` when neither is given. */
export async function inputOf(opts: { input?: string; inputFile?: string }): Promise<unknown> {
  if (opts.input !== undefined && opts.inputFile !== undefined) {
    throw new UsageError("give the input once: --input or --input-file, not both");
  }
  if (opts.input !== undefined) return jsonOption("--input", opts.input);
  if (opts.inputFile === undefined) return undefined;
  let text: string;
  try {
    text = opts.inputFile === "-" ? await readStdin() : await readFile(opts.inputFile, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read --input-file ${opts.inputFile}: ${(err as Error).message}`);
  }
  return jsonOption("--input-file", text);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `--wait` without a value waits as long as it takes; with one, at most that long. */
export function waitOption(value: string | true): number {
  if (value === true) return Number.POSITIVE_INFINITY;
  try {
    const ms = toMs(value);
    if (ms <= 0) throw new Error("must be positive");
    return ms;
  } catch (err) {
    const shown = value.length > 32 ? `${value.slice(0, 32)}…` : value;
    throw new UsageError(`--wait ${shown}: ${(err as Error).message} (e.g. --wait 30s)`);
  }
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected an integer ≥ 0");
  return n;
}
