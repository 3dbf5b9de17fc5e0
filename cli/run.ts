/**
 * @module What every CLI command gets: the client, the global options, the outputs, the Ctrl-C
 * signal.
 */
import type { Command } from "commander";
import type { SundialClient } from "../sdk/client/index";

/** The options every command takes (before or after the command's name). */
export interface GlobalOptions {
  address: string;
  namespace?: string;
  apiKey?: string;
  json?: boolean;
}

/** What a command needs: the client, the options, the outputs, and the Ctrl-C signal. */
export interface Run {
  client: SundialClient;
  global: GlobalOptions;
  signal: AbortSignal;
  /** Writes a line to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Prints `value` as indented JSON on stdout. */
  json(value: unknown): void;
}

export type RunOf = (command: Command) => Run;
