/**
 * @module Upserted search attributes, merged into the run's set before anything is stored. The
 * merged set is what the index receives: if it broke a limit (more than 100 names, past the payload
 * limit) the index would refuse the whole row and every attribute of the run would vanish from
 * list queries. So an upsert that would break one is refused, the workflow task fails with the
 * reason (as Temporal does for bad search attributes), and the attributes already set stay indexed.
 */
import { ApplicationFailure } from "../../sdk/common/failures";
import { exceedsBytes } from "../common/payload-size";
import { SearchAttributeError, toSearchAttributes } from "../visibility/search-attributes";

/**
 * The run's attributes (JSON text of `name → value`) after `upsert`: a `null` value removes its name.
 * Throws a non-retryable `BadSearchAttributes` failure when the merged set is not storable.
 */
export function mergeSearchAttributes(
  current: string | null,
  upsert: string,
  maxBytes: number,
): string {
  const merged: Record<string, unknown> = current
    ? { ...(JSON.parse(current) as Record<string, unknown>) }
    : {};
  for (const [name, value] of Object.entries(JSON.parse(upsert) as Record<string, unknown>)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  try {
    toSearchAttributes(merged);
  } catch (err) {
    if (!(err instanceof SearchAttributeError)) throw err;
    throw ApplicationFailure.nonRetryable(
      `upsertSearchAttributes refused (${err.message}; the merged set would have ${Object.keys(merged).length}); the attributes already set stay as they are`,
      "BadSearchAttributes",
    );
  }
  const text = JSON.stringify(merged);
  if (exceedsBytes(text, maxBytes)) {
    throw ApplicationFailure.nonRetryable(
      `upsertSearchAttributes refused (the merged search attributes would be larger than ${maxBytes} bytes); the attributes already set stay as they are`,
      "BadSearchAttributes",
    );
  }
  return text;
}
