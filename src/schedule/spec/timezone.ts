/**
 * @module Time zones for schedule specs: the UTC offset of an instant in an IANA zone, the local
 * wall-clock time of an instant, and the instant of a wall-clock time.
 *
 * A "wall time" here is a local date and time written as milliseconds as if it were UTC
 * (`Date.UTC(year, month, day, hour, minute, second)`), so calendar arithmetic on it is plain UTC
 * arithmetic and croner can enumerate wall times in its fixed-offset mode with no DST logic of its own.
 *
 * DST, as JavaScript's Temporal (`disambiguation: "compatible"`), RFC 5545 and Go's `time.Date` do:
 * - a wall time that happens twice (the clock falls back) is its FIRST occurrence (the earlier instant);
 * - a wall time that does not exist (the clock springs forward) is moved forward by the length of
 *   the gap: 02:30 on the day Berlin jumps from 02:00 to 03:00 is 03:30 CEST.
 * This assumes at most one offset change within a day of the wall time, which holds for every
 * zone's current rules (historic double changes within a day may resolve to either side).
 */

/** Longest time zone name accepted (the longest IANA name has 32 characters). */
export const MAX_TIMEZONE_LENGTH = 64;

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    // Bounded: a process sees a handful of zones, but a stream of distinct valid names must not grow it forever.
    if (formatters.size >= 512) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` names a zone this runtime knows (an IANA name such as "Europe/Berlin", or "UTC"). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > MAX_TIMEZONE_LENGTH) return false;
  // Intl would also take offsets like "+01:00" in some runtimes; the spec asks for IANA names.
  for (let i = 0; i < zone.length; i++) {
    const c = zone.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x61 && c <= 0x7a) || // a-z
      (c >= 0x30 && c <= 0x39) || // 0-9
      c === 0x2f || // /
      c === 0x5f || // _
      c === 0x2d || // -
      c === 0x2b; // + (Etc/GMT+5)
    if (!ok) return false;
  }
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Whether the zone is UTC under one of its names: the offset is always 0, no Intl needed. */
export function isUtc(zone: string): boolean {
  return zone === "UTC" || zone === "Etc/UTC" || zone === "Etc/GMT" || zone === "GMT";
}

/** The UTC offset in `zone` at the whole second `whole`, asked of Intl (a few µs: cached below). */
function intlOffset(zone: string, whole: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of formatter(zone).formatToParts(whole)) {
    switch (part.type) {
      case "year":
        year = Number(part.value);
        break;
      case "month":
        month = Number(part.value);
        break;
      case "day":
        day = Number(part.value);
        break;
      case "hour":
        hour = Number(part.value);
        break;
      case "minute":
        minute = Number(part.value);
        break;
      case "second":
        second = Number(part.value);
        break;
      case "era":
        bc = part.value.startsWith("B");
        break;
    }
  }
  if (bc) year = 1 - year;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour % 24, minute, second, 0);
  return wall.getTime() - whole;
}

/** One UTC day of a zone: its offset at the start, and the instant and new offset of a change in it. */
interface ZoneDay {
  readonly startOffset: number;
  readonly change: number | null;
  readonly endOffset: number;
}

/** Per zone, the days looked at so far (bounded: cleared when full). */
const zoneDays = new Map<string, Map<number, ZoneDay>>();
const MAX_CACHED_DAYS = 4096;

/**
 * The offsets of one UTC day: two Intl look-ups, and a binary search on whole seconds when the
 * offsets at its two ends differ. A zone changing its offset twice within one UTC day, and back,
 * would be missed: no zone's rules do that.
 */
function zoneDay(zone: string, index: number): ZoneDay {
  let days = zoneDays.get(zone);
  if (days === undefined) {
    if (zoneDays.size >= 64) zoneDays.clear();
    days = new Map();
    zoneDays.set(zone, days);
  }
  const cached = days.get(index);
  if (cached !== undefined) return cached;
  const start = index * DAY_MS;
  const startOffset = intlOffset(zone, start);
  const endOffset = intlOffset(zone, start + DAY_MS);
  let change: number | null = null;
  if (startOffset !== endOffset) {
    // Invariant: the offset at lo is startOffset, at hi endOffset.
    let lo = start;
    let hi = start + DAY_MS;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (intlOffset(zone, mid) === startOffset) lo = mid;
      else hi = mid;
    }
    change = hi;
  }
  const day: ZoneDay = { startOffset, change, endOffset };
  if (days.size >= MAX_CACHED_DAYS) days.clear();
  days.set(index, day);
  return day;
}

/** The UTC offset (ms, local minus UTC) in `zone` at the instant `ms`. */
export function offsetAt(zone: string, ms: number): number {
  if (isUtc(zone)) return 0;
  const whole = Math.floor(ms / 1000) * 1000;
  const day = zoneDay(zone, Math.floor(whole / DAY_MS));
  return day.change === null || whole < day.change ? day.startOffset : day.endOffset;
}

/** The local wall time (see the module comment) of the instant `ms` in `zone`. */
export function wallOf(zone: string, ms: number): number {
  return ms + offsetAt(zone, ms);
}

/**
 * The instant of the wall time `wall` in `zone`: the first occurrence of a repeated time, and a
 * time in a spring-forward gap moved forward by the gap (see the module comment).
 */
export function instantOf(zone: string, wall: number): number {
  if (isUtc(zone)) return wall;
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const first = wall - Math.max(before, after);
  const second = wall - Math.min(before, after);
  // The earlier candidate (larger offset) first: a repeated time resolves to its first occurrence.
  if (offsetAt(zone, first) === Math.max(before, after)) return first;
  if (offsetAt(zone, second) === Math.min(before, after)) return second;
  // In a gap: no instant shows this wall time. Read it with the offset in force before the gap,
  // which lands after the jump, shifted by the gap's length.
  return wall - before;
}

/**
 * The last offset change in (ms - windowMs, ms], as `{ at, before }` (the first instant of the new
 * offset, and the offset before it), or null when the offset did not change in the window.
 * Binary search on whole seconds: about 15 Intl look-ups, done only near a change.
 */
export function lastChangeWithin(
  zone: string,
  ms: number,
  windowMs: number,
): { at: number; before: number } | null {
  if (isUtc(zone)) return null;
  const now = offsetAt(zone, ms);
  let lo = Math.floor((ms - windowMs) / 1000) * 1000;
  const before = offsetAt(zone, lo);
  if (before === now) return null;
  // Invariant: offset at lo differs from `now`, offset at hi equals `now`.
  let hi = Math.floor(ms / 1000) * 1000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(zone, mid) === now) hi = mid;
    else lo = mid;
  }
  return { at: hi, before: offsetAt(zone, lo) };
}
