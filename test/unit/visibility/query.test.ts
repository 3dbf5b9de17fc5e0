import { describe, expect, it } from "vitest";
import {
  compileQuery,
  MAX_QUERY_LENGTH,
  parseQuery,
  QueryError,
  queryToSql,
} from "../../../src/visibility/query";

/** The QueryError a query throws (fails the test when it parses). */
function errorOf(query: string): QueryError {
  try {
    queryToSql(query);
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

const SA_EXISTS =
  "EXISTS (SELECT 1 FROM search_attributes s WHERE s.namespace = e.namespace AND s.workflow_id = e.workflow_id AND s.run_id = e.run_id AND s.name = ?";

describe("parseQuery", () => {
  it("returns null for an empty or blank query", () => {
    expect(parseQuery("")).toBeNull();
    expect(parseQuery("   \n\t ")).toBeNull();
  });

  it("parses a comparison into field, operator and literal", () => {
    expect(parseQuery("WorkflowType = 'loan'")).toEqual({
      type: "compare",
      field: { name: "WorkflowType", pos: 0 },
      op: "=",
      opPos: 13,
      value: { kind: "string", value: "loan", pos: 15, raw: "'loan'" },
    });
  });

  it("binds AND tighter than OR", () => {
    const ast = parseQuery("WorkflowId = 'a' OR WorkflowId = 'b' AND TaskQueue = 'q'");
    expect(ast).toMatchObject({
      type: "or",
      left: { type: "compare", field: { name: "WorkflowId" } },
      right: {
        type: "and",
        left: { type: "compare", value: { value: "b" } },
        right: { type: "compare", field: { name: "TaskQueue" } },
      },
    });
  });

  it("lets parentheses override precedence", () => {
    const ast = parseQuery("(WorkflowId = 'a' OR WorkflowId = 'b') AND TaskQueue = 'q'");
    expect(ast).toMatchObject({
      type: "and",
      left: { type: "or" },
      right: { type: "compare", field: { name: "TaskQueue" } },
    });
  });

  it("reads keywords case-insensitively and field names as written", () => {
    const ast = parseQuery("WorkflowId in ('a') and TaskQueue starts_with 'x' or Flag = TRUE");
    expect(ast).toMatchObject({
      type: "or",
      left: {
        type: "and",
        left: { type: "in", values: [{ value: "a" }] },
        right: { type: "startsWith", value: { value: "x" } },
      },
      right: { type: "compare", value: { kind: "bool", value: true } },
    });
  });

  it("reads single- and double-quoted strings with backslash escapes", () => {
    expect(parseQuery(`WorkflowId = "it's"`)).toMatchObject({ value: { value: "it's" } });
    expect(parseQuery(String.raw`WorkflowId = 'it\'s \\ "x"'`)).toMatchObject({
      value: { value: `it's \\ "x"` },
    });
  });

  it("reads integers, decimals, negatives and exponents", () => {
    expect(parseQuery("Amount = 42")).toMatchObject({ value: { kind: "number", value: 42 } });
    expect(parseQuery("Amount >= -1.5")).toMatchObject({ value: { value: -1.5 } });
    expect(parseQuery("Amount < 1e3")).toMatchObject({ value: { value: 1000 } });
  });

  it("reads backtick-quoted attribute names", () => {
    expect(parseQuery("`Customer_Id` = 'c'")).toMatchObject({ field: { name: "Customer_Id" } });
  });
});

describe("queryToSql", () => {
  it("returns no fragment for an empty query", () => {
    expect(queryToSql("")).toEqual({ sql: "", params: [] });
  });

  it.each([
    ["WorkflowId", "e.workflow_id"],
    ["RunId", "e.run_id"],
    ["WorkflowType", "e.workflow_type"],
    ["TaskQueue", "e.task_queue"],
  ])("compares %s as a string column", (field, column) => {
    for (const op of ["=", "!=", ">", ">=", "<", "<="]) {
      expect(queryToSql(`${field} ${op} 'x'`)).toEqual({
        sql: `(${column} ${op} ?)`,
        params: ["x"],
      });
    }
  });

  it("binds every literal as a parameter, never into the SQL text", () => {
    const { sql, params } = queryToSql(
      String.raw`WorkflowType = "x' OR '1'='1" AND WorkflowId = 'a\'; DROP TABLE executions; --'`,
    );
    expect(sql).toBe("((e.workflow_type = ?) AND (e.workflow_id = ?))");
    expect(params).toEqual(["x' OR '1'='1", "a'; DROP TABLE executions; --"]);
  });

  it("compiles IN to one JSON array parameter", () => {
    expect(queryToSql("WorkflowId IN ('a', \"b\", 'c')")).toEqual({
      sql: "(e.workflow_id IN (SELECT value FROM json_each(?)))",
      params: ['["a","b","c"]'],
    });
  });

  it("compiles STARTS_WITH to GLOB with the pattern's wildcards escaped", () => {
    expect(queryToSql("WorkflowId STARTS_WITH 'loan-'")).toEqual({
      sql: "(e.workflow_id GLOB ?)",
      params: ["loan-*"],
    });
    expect(queryToSql("WorkflowId STARTS_WITH 'a*b?c[d]'").params).toEqual(["a[*]b[?]c[[]d]*"]);
  });

  it("canonicalises ExecutionStatus values", () => {
    expect(queryToSql("ExecutionStatus = 'running'")).toEqual({
      sql: "(e.status = ?)",
      params: ["Running"],
    });
    expect(queryToSql("ExecutionStatus IN ('Completed', 'continuedasnew')").params).toEqual([
      '["Completed","ContinuedAsNew"]',
    ]);
    expect(queryToSql("ExecutionStatus != 'TimedOut'").sql).toBe("(e.status != ?)");
  });

  it("compares times as epoch milliseconds", () => {
    expect(queryToSql("StartTime > '2024-05-01T10:00:00Z'")).toEqual({
      sql: "(e.start_time > ?)",
      params: [Date.UTC(2024, 4, 1, 10)],
    });
    expect(queryToSql("CloseTime <= '2024-05-01'").params).toEqual([Date.UTC(2024, 4, 1)]);
    expect(queryToSql("ExecutionTime >= '2024-05-01T12:00:00.250+02:00'").params).toEqual([
      Date.UTC(2024, 4, 1, 10, 0, 0, 250),
    ]);
    expect(queryToSql("StartTime < '2024-05-01 10:00'").params).toEqual([Date.UTC(2024, 4, 1, 10)]);
  });

  it("compares HistoryLength as an integer", () => {
    expect(queryToSql("HistoryLength >= 10")).toEqual({
      sql: "(e.history_length >= ?)",
      params: [10],
    });
  });

  it("matches a keyword, text or datetime search attribute for a string literal", () => {
    const { sql, params } = queryToSql("CustomerId = 'c-7'");
    expect(sql).toBe(
      `(${SA_EXISTS} AND ((s.type = 'keyword' AND s.value_text = ?) OR (s.type = 'text' AND instr(lower(s.value_text), lower(?)) > 0))))`,
    );
    expect(params).toEqual(["CustomerId", "c-7", "c-7"]);
  });

  it("adds a datetime branch when a string literal is a datetime", () => {
    const { sql, params } = queryToSql("DueAt > '2024-01-02T03:04:05Z'");
    expect(sql).toBe(
      `(${SA_EXISTS} AND ((s.type = 'keyword' AND s.value_text > ?) OR (s.type = 'datetime' AND s.value_num > ?))))`,
    );
    expect(params).toEqual(["DueAt", "2024-01-02T03:04:05Z", Date.UTC(2024, 0, 2, 3, 4, 5)]);
  });

  it("matches int and double search attributes for a number literal", () => {
    expect(queryToSql("Amount >= 100")).toEqual({
      sql: `(${SA_EXISTS} AND (s.type IN ('int', 'double') AND s.value_num >= ?)))`,
      params: ["Amount", 100],
    });
  });

  it("matches bool search attributes for a boolean literal", () => {
    expect(queryToSql("Vip = false")).toEqual({
      sql: `(${SA_EXISTS} AND (s.type = 'bool' AND s.value_num = ?)))`,
      params: ["Vip", 0],
    });
  });

  it("compiles != on a search attribute as: set, and no value equal", () => {
    const { sql, params } = queryToSql("Amount != 5");
    expect(sql).toBe(
      `(${SA_EXISTS}) AND NOT ${SA_EXISTS} AND (s.type IN ('int', 'double') AND s.value_num = ?)))`,
    );
    expect(params).toEqual(["Amount", "Amount", 5]);
  });

  it("compiles IN on a search attribute grouped by literal kind", () => {
    const { sql, params } = queryToSql("Tag IN ('a', 2, true, 'b')");
    expect(sql).toBe(
      `(${SA_EXISTS} AND ((s.type = 'keyword' AND s.value_text IN (SELECT value FROM json_each(?))) OR (s.type IN ('int', 'double') AND s.value_num IN (SELECT value FROM json_each(?))) OR (s.type = 'bool' AND s.value_num IN (SELECT value FROM json_each(?))))))`,
    );
    expect(params).toEqual(["Tag", '["a","b"]', "[2]", "[1]"]);
  });

  it("compiles STARTS_WITH on a search attribute to a keyword GLOB", () => {
    expect(queryToSql("CustomerId STARTS_WITH 'c-'")).toEqual({
      sql: `(${SA_EXISTS} AND (s.type = 'keyword' AND s.value_text GLOB ?)))`,
      params: ["CustomerId", "c-*"],
    });
  });

  it("nests AND, OR and parentheses with their parameters in order", () => {
    const { sql, params } = queryToSql(
      "WorkflowType = 'loan' AND (ExecutionStatus = 'Running' OR StartTime > '2024-01-01')",
    );
    expect(sql).toBe("((e.workflow_type = ?) AND ((e.status = ?) OR (e.start_time > ?)))");
    expect(params).toEqual(["loan", "Running", Date.UTC(2024, 0, 1)]);
  });

  it("compiles a parsed AST the same as the text", () => {
    const text = "WorkflowId = 'a' OR Amount < 3";
    const ast = parseQuery(text);
    expect(ast).not.toBeNull();
    expect(compileQuery(ast!)).toEqual(queryToSql(text));
  });
});

describe("QueryError", () => {
  it.each([
    // [query, message]
    ["WorkflowId = 'x';", "unexpected token ';' at 16"],
    ["WorkflowId = 'x'; DROP TABLE executions", "unexpected token ';' at 16"],
    ["WorkflowId = 'x' -- comment", "unexpected token '--' at 17"],
    ["WorkflowId = 'x' /* c */", "unexpected token '/' at 17"],
    ["WorkflowId = 'x' OR 1=1", "expected a field name but found '1' at 20"],
    ["WorkflowId = 'x' OR 'a'='a'", "expected a field name but found 'a' at 20"],
    ["WorkflowId = 'x", "unterminated string starting at 13"],
    ["WorkflowId = 'x' 'y'", "unexpected token 'y' at 17"],
    ["WorkflowId = 'x' AND", "unexpected end of query at 20"],
    ["WorkflowId 'x'", "expected an operator but found 'x' at 11"],
    ["WorkflowId == 'x'", "expected a value but found '=' at 12"],
    ["(WorkflowId = 'x'", "expected ')' but found end of query at 17"],
    ["WorkflowId = 'x')", "unexpected token ')' at 16"],
    ["WorkflowId IN ()", "expected a value but found ')' at 15"],
    ["WorkflowId IN ('a',)", "expected a value but found ')' at 19"],
    ["WorkflowId IN 'a'", "expected '(' after IN but found 'a' at 14"],
    ["WorkflowId = x", "expected a value but found 'x' at 13"],
    ["WorkflowId = 5", "WorkflowId takes a string, not 5 (at 13)"],
    ["WorkflowId STARTS_WITH 5", "STARTS_WITH takes a string"],
    ["ExecutionStatus = 'Sleeping'", "unknown ExecutionStatus 'Sleeping' at 18"],
    ["ExecutionStatus > 'Running'", "operator '>' is not supported for ExecutionStatus (at 16)"],
    ["ExecutionStatus STARTS_WITH 'R'", "STARTS_WITH is not supported for ExecutionStatus"],
    ["StartTime > 'yesterday'", "StartTime takes an ISO-8601 datetime, not 'yesterday' (at 12)"],
    ["StartTime > '2024-02-30'", "StartTime takes an ISO-8601 datetime, not '2024-02-30'"],
    ["StartTime > 17", "StartTime takes an ISO-8601 datetime, not 17"],
    ["StartTime STARTS_WITH '2024'", "STARTS_WITH is not supported for StartTime"],
    ["HistoryLength > 'ten'", "HistoryLength takes an integer"],
    ["HistoryLength > 1.5", "HistoryLength takes an integer"],
    ["Vip > true", "operator '>' cannot compare a boolean (at 4)"],
    ["Amount = 1e999", "number out of range '1e999' at 9"],
    ["Amount = 12abc", "unexpected token '12abc' at 9"],
    ["`Bad Name` = 'x'", "invalid field name 'Bad Name' at 0"],
    ["`unterminated = 'x'", "unterminated field name starting at 0"],
    ["WorkflowId = 'x' AND AND WorkflowId = 'y'", "expected a field name but found 'AND' at 21"],
    ["WorkflowId = 'x' # c", "unexpected token '#' at 17"],
    ["WorkflowId = 'x\u0000'", "control character in string at 15"],
  ])("rejects %j: %s", (query, message) => {
    const err = errorOf(query);
    expect(err.message).toContain(message);
  });

  it("carries the position of the offending token", () => {
    const err = errorOf("WorkflowId = 'x'; DROP TABLE executions");
    expect(err.position).toBe(16);
    expect(err.token).toBe(";");
    expect(err.name).toBe("QueryError");
  });

  it("rejects a query longer than the limit", () => {
    const long = `WorkflowId = '${"a".repeat(MAX_QUERY_LENGTH)}'`;
    expect(errorOf(long).message).toContain(`longer than ${MAX_QUERY_LENGTH} characters`);
  });

  it("rejects nesting deeper than the limit", () => {
    const deep = `${"(".repeat(100)}WorkflowId = 'x'${")".repeat(100)}`;
    expect(errorOf(deep).message).toContain("nested too deeply");
  });

  it("rejects a query with too many values for one SQL statement", () => {
    const many = Array.from({ length: 60 }, (_, i) => `Attr${i} = ${i}`).join(" OR ");
    expect(errorOf(many).message).toContain("too complex");
  });
});
