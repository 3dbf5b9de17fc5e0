import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { clientScript } from "../../../src/ui/client";

// The browser script is assembled from string fragments (src/ui/client/*.ts). These checks catch
// what a bad join would break before a browser ever loads /ui/app.js.
describe("the assembled UI client script", () => {
  it("parses as a classic script", () => {
    expect(() => new Script(clientScript, { filename: "app.js" })).not.toThrow();
  });

  it("holds no backtick or ${ left over from the template assembly", () => {
    expect(clientScript).not.toContain("`");
    expect(clientScript).not.toContain("${");
  });

  it("declares each top-level function once (a later one would silently replace the first)", () => {
    const names = [...clientScript.matchAll(/^(?:async )?function (\w+)/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    expect(dupes).toEqual([]);
  });

  it("starts in strict mode and ends by routing to a page", () => {
    expect(clientScript.trimStart().startsWith('"use strict";')).toBe(true);
    expect(clientScript.trimEnd().endsWith("else listPage();")).toBe(true);
  });
});
