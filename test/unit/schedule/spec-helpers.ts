/** Shared helpers of the schedule spec tests: compile or fail, and the next times as ISO text. */
import {
  type CompiledSpec,
  compileSpec,
  nextNominalTime,
  nominalTimesBetween,
} from "../../../src/schedule/spec";

export function spec(input: unknown): CompiledSpec {
  const result = compileSpec(input);
  if (!result.ok) throw new Error(`${result.field}: ${result.message}`);
  return result.spec;
}

export function ms(iso: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad test time ${iso}`);
  return value;
}

export function iso(value: number): string {
  return new Date(value).toISOString().replace(".000Z", "Z");
}

/** The next `count` nominal times strictly after `after`, as ISO text without ".000". */
export function next(input: unknown, after: string, count: number): string[] {
  const compiled = spec(input);
  const out: string[] = [];
  let t: number | null = ms(after);
  while (out.length < count) {
    t = nextNominalTime(compiled, t);
    if (t === null) break;
    out.push(iso(t));
  }
  return out;
}

/** The nominal times in (from, to] as ISO text. */
export function between(input: unknown, from: string, to: string, max = 1000): string[] {
  return nominalTimesBetween(spec(input), ms(from), ms(to), max).map(iso);
}

/** The field a refused input names (fails the test when the input is accepted). */
export function refusedField(input: unknown): string {
  const result = compileSpec(input);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(input).slice(0, 200)}`);
  return result.field;
}
