/** @module zod → JSON Schema conversion for the OpenAPI document: components, parameters, `$ref`s. */
import * as z from "zod";
import { NAMED } from "./schemas";

export type JsonSchema = { [key: string]: unknown };

const DURATION_NOTE =
  'A duration: milliseconds, or a string such as "500ms", "30s", "5m", "1h", "2d"';

/** JSON Schema of what a request may send (`io: "input"`: before transforms and coercion). */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
  describeDurations(rest);
  return rest;
}

/** Durations are `number | string` transformed to milliseconds: say so wherever they appear. */
function describeDurations(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) describeDurations(item);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const schema = node as JsonSchema;
  const type = schema.type;
  if (
    Array.isArray(type) &&
    type.length === 2 &&
    type.includes("number") &&
    type.includes("string")
  ) {
    schema.description ??= DURATION_NOTE;
  }
  for (const value of Object.values(schema)) describeDurations(value);
}

export function components(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // `$id` would be a fragment-only URI, which JSON Schema forbids; refs use the component path.
    const { $schema: _, $id: _id, ...rest } = schema;
    describeDurations(rest);
    out[id] = rest;
  }
  return out;
}

export const ref = (id: keyof typeof NAMED & string) => ({ $ref: `#/components/schemas/${id}` });

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** The fields of a query-string schema, one parameter each. */
export function queryParameters(
  schema: z.ZodType,
  notes: Record<string, string> = {},
): Parameter[] {
  const json = toJsonSchema(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(notes[name] ? { description: notes[name] } : {}),
    schema: s,
  }));
}

export const pathParameter = (name: string, schema: z.ZodType, description: string): Parameter => ({
  name,
  in: "path",
  required: true,
  description,
  schema: toJsonSchema(schema),
});
