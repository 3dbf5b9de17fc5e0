/**
 * @module How far a skip reaches: around a wall time a skip calendar matches, the coarsest unit
 * of local time it matches in full, so a search passes a whole skipped day (or month, or year)
 * in one step instead of one candidate time at a time.
 */

/** How much of a wall time a skip calendar covers at once around a match (see `unitEnd`). */
export type SkipUnit = "second" | "minute" | "hour" | "day" | "month" | "year";

/** The end (exclusive, a wall time) of the `unit` that holds `wall`. */
export function unitEnd(wall: number, unit: SkipUnit): number {
  const d = new Date(wall);
  switch (unit) {
    case "second":
      return Math.floor(wall / 1000) * 1000 + 1000;
    case "minute":
      return Math.floor(wall / 60_000) * 60_000 + 60_000;
    case "hour":
      return Math.floor(wall / 3_600_000) * 3_600_000 + 3_600_000;
    case "day":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    case "month":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case "year":
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}
