/**
 * @module Whether a cron or calendar pattern can ever match a date, decided without searching
 * time: a pattern that never matches (February 30) is refused at compile time, so no later search
 * has to walk croner's whole range (to the year 9999, ~100 ms) to find nothing.
 *
 * The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), so a
 * date's weekday and validity depend on its year modulo 400: checking one representative year per
 * allowed residue, each allowed month and day, is exact and costs at most 400 × 12 × 31 steps.
 */
import type { CronPattern } from "croner";

export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9999;

function daysIn(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/**
 * Cron (no year field): day-of-month OR day-of-week (Vixie), or AND with croner's `+` prefix.
 * Every year is allowed, so every valid month/day falls on every weekday within 28 years: only
 * the month/day pairs matter. `L`, `LW` and `#n` weekdays exist in some month of any pattern.
 */
export function cronFeasible(p: CronPattern): boolean {
  if (p.lastDayOfMonth || p.lastWeekday) return p.month.some((b) => b !== 0);
  const dayPossible = p.month.some(
    (m, month0) =>
      m !== 0 &&
      p.day.some(
        (d, i) =>
          (d !== 0 || p.nearestWeekdays[i] !== 0) &&
          i + 1 <= (month0 === 1 ? 29 : daysIn(2001, month0)),
      ),
  );
  const andLogic = p.useAndLogic;
  const dowRestricted = !p.starDOW;
  const domRestricted = !p.starDOM;
  if (andLogic || !dowRestricted || !domRestricted) return dayPossible;
  // OR: a restricted day of the week alone is enough in any allowed month.
  return dayPossible || p.month.some((b) => b !== 0);
}

/**
 * Calendar (all fields ANDed, with a year field): exact, by year residue modulo 400. `bits` are
 * the allowed values of each field, indexed by value (months 1-12, days of the week 0-6).
 */
export function calendarFeasible(bits: {
  dayOfMonth: Uint8Array;
  month: Uint8Array;
  dayOfWeek: Uint8Array;
  year: Uint8Array;
}): boolean {
  const residues = new Uint8Array(400);
  let count = 0;
  for (let y = FIRST_YEAR; y <= LAST_YEAR && count < 400; y++) {
    if (bits.year[y] && !residues[y % 400]) {
      residues[y % 400] = 1;
      count++;
    }
  }
  for (let r = 0; r < 400; r++) {
    if (!residues[r]) continue;
    const year = 2000 + r; // same weekdays and leap years as every year ≡ r (mod 400)
    for (let month = 1; month <= 12; month++) {
      if (!bits.month[month]) continue;
      const length = daysIn(year, month - 1);
      const firstDow = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
      for (let day = 1; day <= length; day++) {
        if (bits.dayOfMonth[day] && bits.dayOfWeek[(firstDow + day - 1) % 7]) return true;
      }
    }
  }
  return false;
}
