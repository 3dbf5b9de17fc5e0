/**
 * @module Typed search attributes: the six types of the visibility index, their validation,
 * inference from plain JSON, and the flat rows the `search_attributes` table holds.
 *
 * A {@link SearchAttributes} map is `name → {type, value}`:
 * | type       | value                      | indexed as                                   |
 * |------------|----------------------------|----------------------------------------------|
 * | `keyword`  | string, or string[] (list) | one row per string, exact match, ordering    |
 * | `text`     | string                     | `=` means "contains" (case-insensitive)      |
 * | `int`      | safe integer               | number                                       |
 * | `double`   | finite number              | number                                       |
 * | `bool`     | boolean                    | 0 / 1                                        |
 * | `datetime` | ISO-8601 string            | epoch ms (and its canonical ISO string)      |
 *
 * Pure: no I/O, no platform imports.
 */
import type { JsonValue } from "../../sdk/common/wire";
import { BUILTIN_FIELDS, parseIsoDatetime } from "./query";

export type SearchAttributeType = "keyword" | "text" | "int" | "double" | "bool" | "datetime";

export type SearchAttributeValue =
  | { type: "keyword"; value: string | string[] }
  | { type: "text"; value: string }
  | { type: "int"; value: number }
  | { type: "double"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "datetime"; value: string };

/** Typed search attributes of one execution, by name. */
export type SearchAttributes = Record<string, SearchAttributeValue>;

export const SEARCH_ATTRIBUTE_TYPES: readonly SearchAttributeType[] = [
  "keyword",
  "text",
  "int",
  "double",
  "bool",
  "datetime",
];

/** Limits on search attributes (per execution). */
export const SEARCH_ATTRIBUTE_LIMITS = {
  maxAttributes: 100,
  maxKeywordLength: 2048,
  maxTextLength: 65_536,
  maxListLength: 100,
} as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** An invalid search attribute (name or value). Maps to a 400 `InvalidArgument` at the edge. */
export class SearchAttributeError extends Error {
  override name = "SearchAttributeError";
}

function fail(name: string, message: string): never {
  throw new SearchAttributeError(`search attribute "${name}": ${message}`);
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    fail(name, "names are letters, digits and _, starting with a letter or _ (max 64)");
  }
  if (Object.hasOwn(BUILTIN_FIELDS, name)) {
    fail(name, "the name is reserved for a built-in field");
  }
}

function keywordString(name: string, v: unknown): string {
  if (typeof v !== "string") fail(name, "a keyword is a string or a list of strings");
  if (v.length > SEARCH_ATTRIBUTE_LIMITS.maxKeywordLength) {
    fail(name, `a keyword is at most ${SEARCH_ATTRIBUTE_LIMITS.maxKeywordLength} characters`);
  }
  return v;
}

function canonicalDatetime(name: string, v: unknown): string {
  const ms = typeof v === "string" ? parseIsoDatetime(v) : null;
  if (ms === null) fail(name, `a datetime is an ISO-8601 string, got ${JSON.stringify(v)}`);
  return new Date(ms).toISOString();
}

/** Validates one explicitly typed value and returns it in canonical form. */
function typedValue(name: string, type: SearchAttributeType, v: unknown): SearchAttributeValue {
  switch (type) {
    case "keyword":
      if (Array.isArray(v)) {
        if (v.length > SEARCH_ATTRIBUTE_LIMITS.maxListLength) {
          fail(name, `a keyword list has at most ${SEARCH_ATTRIBUTE_LIMITS.maxListLength} values`);
        }
        return { type, value: v.map((x) => keywordString(name, x)) };
      }
      return { type, value: keywordString(name, v) };
    case "text":
      if (typeof v !== "string") fail(name, "a text value is a string");
      if (v.length > SEARCH_ATTRIBUTE_LIMITS.maxTextLength) {
        fail(name, `a text value is at most ${SEARCH_ATTRIBUTE_LIMITS.maxTextLength} characters`);
      }
      return { type, value: v };
    case "int":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) fail(name, "an int is a safe integer");
      return { type, value: v };
    case "double":
      if (typeof v !== "number" || !Number.isFinite(v)) fail(name, "a double is a finite number");
      return { type, value: v };
    case "bool":
      if (typeof v !== "boolean") fail(name, "a bool is true or false");
      return { type, value: v };
    case "datetime":
      return { type, value: canonicalDatetime(name, v) };
  }
}

/** A strict ISO datetime with a time and a zone: the only strings inferred as `datetime`. */
const INFERRED_DATETIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function isTypedObject(v: unknown): v is { type: SearchAttributeType; value: unknown } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return (
    keys.length === 2 &&
    keys.includes("type") &&
    keys.includes("value") &&
    SEARCH_ATTRIBUTE_TYPES.includes((v as { type: SearchAttributeType }).type)
  );
}

/**
 * Typed search attributes from what a user sent (a start body's `searchAttributes`, an
 * `upsertSearchAttributes` call). Each value is either explicitly typed, `{"type": "text",
 * "value": "…"}`, or plain and inferred: boolean → `bool`; integer → `int`; other number →
 * `double`; ISO datetime with time and zone (`2024-05-01T10:00:00Z`) → `datetime`; other string
 * → `keyword`; array of strings → `keyword` list. A `null` value is left out (an upsert uses it to
 * remove the attribute). Throws {@link SearchAttributeError} for anything else.
 */
export function toSearchAttributes(raw: unknown): SearchAttributes {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new SearchAttributeError("searchAttributes must be an object of name → value");
  }
  const out: SearchAttributes = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > SEARCH_ATTRIBUTE_LIMITS.maxAttributes) {
    throw new SearchAttributeError(
      `at most ${SEARCH_ATTRIBUTE_LIMITS.maxAttributes} search attributes per execution`,
    );
  }
  for (const [name, v] of entries) {
    checkName(name);
    if (v === null) continue;
    if (isTypedObject(v)) out[name] = typedValue(name, v.type, v.value);
    else if (typeof v === "boolean") out[name] = { type: "bool", value: v };
    else if (typeof v === "number") {
      out[name] = Number.isSafeInteger(v)
        ? { type: "int", value: v }
        : typedValue(name, "double", v);
    } else if (typeof v === "string") {
      out[name] = INFERRED_DATETIME.test(v)
        ? typedValue(name, "datetime", v)
        : typedValue(name, "keyword", v);
    } else if (Array.isArray(v)) out[name] = typedValue(name, "keyword", v);
    else {
      fail(
        name,
        'use a string, number, boolean, list of strings or {"type": "keyword|text|int|double|bool|datetime", "value": …}',
      );
    }
  }
  return out;
}

/** The plain JSON form (`name → value`), as describe and list return it. */
export function plainSearchAttributes(sa: SearchAttributes): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, { value }] of Object.entries(sa)) out[name] = value;
  return out;
}

/** One row of the `search_attributes` table: `[name, idx, type, value_text, value_num]`. */
export type SearchAttributeRow = [
  name: string,
  idx: number,
  type: SearchAttributeType,
  text: string | null,
  num: number | null,
];

/** The rows indexing `sa` (one per value; a keyword list gives one per element). Validates. */
export function searchAttributeRows(sa: SearchAttributes): SearchAttributeRow[] {
  const rows: SearchAttributeRow[] = [];
  for (const [name, attr] of Object.entries(sa)) {
    checkName(name);
    const v = typedValue(name, attr.type, attr.value);
    switch (v.type) {
      case "keyword": {
        const list = Array.isArray(v.value) ? v.value : [v.value];
        list.forEach((s, i) => {
          rows.push([name, i, "keyword", s, null]);
        });
        break;
      }
      case "text":
        rows.push([name, 0, "text", v.value, null]);
        break;
      case "int":
      case "double":
        rows.push([name, 0, v.type, null, v.value]);
        break;
      case "bool":
        rows.push([name, 0, "bool", null, v.value ? 1 : 0]);
        break;
      case "datetime":
        rows.push([name, 0, "datetime", v.value, Date.parse(v.value)]);
        break;
    }
  }
  return rows;
}

/** Validates typed search attributes and returns them in canonical form. */
export function canonicalSearchAttributes(sa: SearchAttributes): SearchAttributes {
  const out: SearchAttributes = {};
  for (const [name, attr] of Object.entries(sa)) {
    checkName(name);
    if (!attr || !SEARCH_ATTRIBUTE_TYPES.includes(attr.type)) {
      fail(name, `type must be one of ${SEARCH_ATTRIBUTE_TYPES.join(", ")}`);
    }
    out[name] = typedValue(name, attr.type, attr.value);
  }
  return out;
}
