/** @module Human-readable output of the CLI: aligned tables, key/value blocks, compact JSON. */

/** A cell: text, or nothing (shown as `-`). */
export type Cell = string | number | boolean | null | undefined;

/** Renders rows under upper-case headers, columns padded to their widest cell (the last is not). */
export function table(headers: string[], rows: Cell[][]): string {
  const text = [headers, ...rows.map((row) => row.map(cell))];
  const widths = headers.map((_, i) => Math.max(...text.map((row) => (row[i] ?? "").length)));
  return text
    .map((row) =>
      row
        .map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Renders `label  value` lines, labels padded to the longest; multi-line values are indented. */
export function keyValues(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs
    .map(([label, value]) => {
      const lines = cell(value).split("\n");
      const pad = " ".repeat(width + 2);
      return `${label.padEnd(width)}  ${lines.join(`\n${pad}`)}`;
    })
    .join("\n");
}

/** A cell's text: `-` for nothing. */
export function cell(value: Cell): string {
  if (value === null || value === undefined || value === "") return "-";
  return String(value);
}

/** JSON on one line, cut to `max` characters with `…`. */
export function compactJson(value: unknown, max = Number.POSITIVE_INFINITY): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** JSON for reading: indented, except that empty objects and arrays stay `{}` and `[]`. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "undefined";
}

/** An ISO time with its distance from now, e.g. `2026-11-22T10:00:00.000Z (5s ago)`. */
export function time(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const delta = at - now;
  const span = humanSpan(Math.abs(delta));
  return `${iso} (${delta > 0 ? `in ${span}` : `${span} ago`})`;
}

/** `1234` → `1.2s`, `90_000` → `1m30s`, `7_200_000` → `2h`. */
export function humanSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join("");
}

/** A history event's attributes as `key=value` pairs on one line, cut to `max` characters. */
export function eventDetails(attributes: Record<string, unknown>, max = 100): string {
  const text = Object.entries(attributes)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : compactJson(value)}`)
    .join(" ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
