/**
 * @module JSON nesting depth, checked without recursion: API.md refuses bodies nested deeper than
 * {@link MAX_JSON_DEPTH} levels, and no stored payload may be deeper, because `JSON.stringify` and
 * every recursive walker overflow the stack on deep values (V8's `JSON.parse` does not, so a deep
 * text parses fine and then breaks every later read).
 *
 * Depth counts open containers: `1` and `"x"` have depth 0, `[]` and `{}` depth 1, `{"a":[1]}` depth 2.
 */

/** Deepest nesting accepted in a request body or a payload. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether the JSON text `text` nests arrays/objects deeper than `maxDepth`. One pass, constant
 * memory, no recursion: safe to run on any untrusted text BEFORE `JSON.parse`. Text that is not
 * valid JSON is judged by its brackets outside strings (parsing it will fail anyway).
 */
export function jsonDepthExceeds(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether a JavaScript value (about to be `JSON.stringify`'d) nests arrays/objects deeper than
 * `maxDepth`. Iterative; each object is walked again only when reached at a greater depth, so
 * shared references and cycles cost at most `maxDepth` visits each instead of exploding.
 */
export function jsonValueDepthExceeds(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const deepestSeen = new Map<object, number>();
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, parentDepth] = top;
    if (v === null || typeof v !== "object") continue;
    const depth = parentDepth + 1;
    if (depth > maxDepth) return true;
    if ((deepestSeen.get(v) ?? 0) >= depth) continue;
    deepestSeen.set(v, depth);
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const child of children) {
      if (child !== null && typeof child === "object") stack.push([child, depth]);
    }
  }
  return false;
}
