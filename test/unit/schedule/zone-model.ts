/**
 * An independent model of a time zone for the spec properties: its offset changes between 2024
 * and 2030, found by an hourly Intl scan and a bisection to the second, and the instant of a wall
 * time computed from that list alone (first occurrence of a repeated time; a time in a gap moved
 * forward by the gap), so the engine's timezone.ts is checked against something it does not share.
 */
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2031, 0, 1);

export interface Change {
  at: number;
  before: number;
  after: number;
}

export interface ZoneModel {
  offset(ms: number): number;
  instantOfWall(wall: number): number;
  changes: Change[];
}

function intlOffset(format: Intl.DateTimeFormat, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(ms))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  const wall = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour! % 24,
    parts.minute!,
    parts.second!,
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

export function zoneModel(zone: string): ZoneModel {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hour12: false,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const changes: Change[] = [];
  let previous = intlOffset(format, FROM);
  for (let t = FROM + 3_600_000; t <= TO; t += 3_600_000) {
    const current = intlOffset(format, t);
    if (current !== previous) {
      let lo = t - 3_600_000;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (intlOffset(format, mid) === previous) lo = mid;
        else hi = mid;
      }
      changes.push({ at: hi, before: previous, after: current });
      previous = current;
    }
  }
  const first = intlOffset(format, FROM);
  const offset = (ms: number) => {
    let o = first;
    for (const c of changes) if (ms >= c.at) o = c.after;
    return o;
  };
  const instantOfWall = (wall: number) => {
    // Segments of constant offset: [start, end) with offset o; the wall time is in one if wall - o is.
    const bounds = [FROM, ...changes.map((c) => c.at), TO];
    const offsets = [first, ...changes.map((c) => c.after)];
    const hits: number[] = [];
    for (let i = 0; i < offsets.length; i++) {
      const instant = wall - offsets[i]!;
      if (instant >= bounds[i]! && instant < bounds[i + 1]!) hits.push(instant);
    }
    if (hits.length > 0) return Math.min(...hits);
    for (const c of changes) {
      const gapStart = c.at + c.before;
      if (wall >= gapStart && wall < c.at + c.after) return c.at + (wall - gapStart);
    }
    throw new Error(`no instant for wall ${new Date(wall).toISOString()} in ${zone}`);
  };
  return { offset, instantOfWall, changes };
}
