/**
 * @module ISO 8601 instants for `startAt` and `endAt`: `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by
 * `Z` or an offset `±HH:MM`. A local time without an offset is refused (it would be ambiguous).
 * Read by hand in one pass (Date.parse takes "2026-02-30" as March 2).
 */

/** Longest instant text accepted. */
export const MAX_ISO_LENGTH = 40;

function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 0x30 && c <= 0x39)) return Number.NaN;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** Epoch ms of an ISO instant, or a message saying what is wrong. */
export function parseInstant(text: string): number | string {
  const expected = 'an ISO 8601 time with a zone, like "2026-12-01T00:00:00Z"';
  if (text.length > MAX_ISO_LENGTH)
    return `is ${text.length} characters long: expected ${expected}`;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (
    text[4] !== "-" ||
    text[7] !== "-" ||
    text[10] !== "T" ||
    text[13] !== ":" ||
    [year, month, day, hour, minute].some(Number.isNaN)
  ) {
    return `is not ${expected}`;
  }
  let i = 16;
  let second = 0;
  let ms = 0;
  if (text[i] === ":") {
    second = digits(text, i + 1, 2);
    if (Number.isNaN(second)) return `is not ${expected}`;
    i += 3;
    if (text[i] === ".") {
      const start = ++i;
      while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      if (i === start || i - start > 9) return `is not ${expected}`;
      ms = Math.floor(Number(`0.${text.slice(start, i)}`) * 1000);
    }
  }
  let offsetMinutes = 0;
  if (text[i] === "Z" && i + 1 === text.length) {
    // UTC
  } else if ((text[i] === "+" || text[i] === "-") && i + 6 === text.length && text[i + 3] === ":") {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (Number.isNaN(oh) || Number.isNaN(om) || oh > 23 || om > 59)
      return `has a bad UTC offset: expected ${expected}`;
    offsetMinutes = (text[i] === "-" ? -1 : 1) * (oh * 60 + om);
  } else {
    return `is not ${expected} (the zone, Z or ±HH:MM, is required)`;
  }
  if (month < 1 || month > 12) return `has month ${month}`;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > length) return `has day ${day}, but that month has ${length} days`;
  if (hour > 23 || minute > 59 || second > 59) return `has a time out of range`;
  if (year < 1970) return "is before 1970";
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}
