/**
 * @module How many of the commands workflow code issued one activation records, given its budget
 * of local activities (`localActivitiesPerTask`). Pure: unit-tested in Node.
 */
import type { Command } from "../replay/commands";

/**
 * The longest prefix of `issued` that runs at most `budget` local activities. Order is kept, since
 * commands are matched to history in order; what is left stays unmatched in the runtime and is
 * recorded by the next activation, which the alarm runs at once (`Promise.all` over 1,000 local
 * activities commits them in slices instead of holding the object for all of them).
 */
export function withinLocalBudget(issued: readonly Command[], budget: number): Command[] {
  let left = budget;
  for (let i = 0; i < issued.length; i++) {
    if (issued[i]!.type !== "RunLocalActivity") continue;
    if (left <= 0) return issued.slice(0, i);
    left -= 1;
  }
  return [...issued];
}
