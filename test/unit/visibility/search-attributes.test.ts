import { describe, expect, it } from "vitest";
import {
  canonicalSearchAttributes,
  plainSearchAttributes,
  SearchAttributeError,
  searchAttributeRows,
  toSearchAttributes,
} from "../../../src/visibility/search-attributes";

describe("toSearchAttributes", () => {
  it("infers the type of plain values", () => {
    expect(
      toSearchAttributes({
        CustomerId: "c-7",
        Amount: 5000,
        Rate: 0.25,
        Vip: true,
        DueAt: "2024-05-01T12:00:00+02:00",
        Tags: ["a", "b"],
        DateOnly: "2024-05-01",
      }),
    ).toEqual({
      CustomerId: { type: "keyword", value: "c-7" },
      Amount: { type: "int", value: 5000 },
      Rate: { type: "double", value: 0.25 },
      Vip: { type: "bool", value: true },
      DueAt: { type: "datetime", value: "2024-05-01T10:00:00.000Z" },
      Tags: { type: "keyword", value: ["a", "b"] },
      DateOnly: { type: "keyword", value: "2024-05-01" },
    });
  });

  it("takes explicitly typed values and canonicalises them", () => {
    expect(
      toSearchAttributes({
        Notes: { type: "text", value: "Urgent review" },
        Score: { type: "double", value: 3 },
        When: { type: "datetime", value: "2024-05-01" },
      }),
    ).toEqual({
      Notes: { type: "text", value: "Urgent review" },
      Score: { type: "double", value: 3 },
      When: { type: "datetime", value: "2024-05-01T00:00:00.000Z" },
    });
  });

  it("leaves out null values and accepts nothing at all", () => {
    expect(toSearchAttributes({ Gone: null, Kept: "x" })).toEqual({
      Kept: { type: "keyword", value: "x" },
    });
    expect(toSearchAttributes(undefined)).toEqual({});
  });

  it.each([
    [{ "bad-name": "x" }, "names are letters"],
    [{ WorkflowId: "x" }, "reserved for a built-in field"],
    [{ Obj: { a: 1 } }, "use a string, number"],
    [{ Mixed: ["a", 1] }, "a keyword is a string"],
    [{ Big: { type: "int", value: 1.5 } }, "an int is a safe integer"],
    [{ When: { type: "datetime", value: "soon" } }, "a datetime is an ISO-8601 string"],
    [{ Flag: { type: "bool", value: "yes" } }, "a bool is true or false"],
    [{ Long: "x".repeat(3000) }, "at most 2048 characters"],
  ])("rejects %j", (raw, message) => {
    expect(() => toSearchAttributes(raw)).toThrow(SearchAttributeError);
    expect(() => toSearchAttributes(raw)).toThrow(message);
  });

  it("rejects a non-object", () => {
    expect(() => toSearchAttributes(["a"])).toThrow(SearchAttributeError);
    expect(() => toSearchAttributes("a")).toThrow(SearchAttributeError);
  });
});

describe("searchAttributeRows", () => {
  it("gives one row per value, keyword lists one per element", () => {
    expect(
      searchAttributeRows({
        Tags: { type: "keyword", value: ["a", "b"] },
        Notes: { type: "text", value: "hi" },
        N: { type: "int", value: 3 },
        D: { type: "double", value: 2.5 },
        Vip: { type: "bool", value: false },
        At: { type: "datetime", value: "2024-05-01T10:00:00.000Z" },
      }),
    ).toEqual([
      ["Tags", 0, "keyword", "a", null],
      ["Tags", 1, "keyword", "b", null],
      ["Notes", 0, "text", "hi", null],
      ["N", 0, "int", null, 3],
      ["D", 0, "double", null, 2.5],
      ["Vip", 0, "bool", null, 0],
      ["At", 0, "datetime", "2024-05-01T10:00:00.000Z", Date.UTC(2024, 4, 1, 10)],
    ]);
  });
});

describe("canonicalSearchAttributes", () => {
  it("rejects an unknown type", () => {
    expect(() => canonicalSearchAttributes({ X: { type: "uuid", value: "x" } } as never)).toThrow(
      "type must be one of",
    );
  });
});

describe("plainSearchAttributes", () => {
  it("returns name → value", () => {
    expect(
      plainSearchAttributes({
        A: { type: "keyword", value: ["x"] },
        B: { type: "int", value: 1 },
      }),
    ).toEqual({ A: ["x"], B: 1 });
  });
});
