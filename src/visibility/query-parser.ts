/** @module Recursive-descent parser of the visibility query language (see query.ts for the grammar). */
import {
  type CompareOp,
  type FieldRef,
  type Literal,
  MAX_IN_VALUES,
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  QueryError,
  type QueryExpr,
} from "./query-ast";
import { FIELD_NAME, KEYWORDS, Lexer, show, type Token } from "./query-lexer";

function keyword(t: Token): string | null {
  if (t.kind !== "ident") return null;
  const upper = t.text.toUpperCase();
  return KEYWORDS.has(upper) ? upper : null;
}

class Parser {
  readonly #lex: Lexer;
  #depth = 0;

  constructor(src: string) {
    this.#lex = new Lexer(src);
  }

  parse(): QueryExpr | null {
    if (this.#lex.peek().kind === "eof") return null;
    const expr = this.#or();
    const t = this.#lex.peek();
    if (t.kind !== "eof") {
      throw new QueryError(
        `unexpected token ${show(t)} at ${t.pos} (expected AND, OR or the end of the query)`,
        t.pos,
        t.raw,
      );
    }
    return expr;
  }

  #or(): QueryExpr {
    let left = this.#and();
    while (keyword(this.#lex.peek()) === "OR") {
      this.#lex.next();
      left = { type: "or", left, right: this.#and() };
    }
    return left;
  }

  #and(): QueryExpr {
    let left = this.#primary();
    while (keyword(this.#lex.peek()) === "AND") {
      this.#lex.next();
      left = { type: "and", left, right: this.#primary() };
    }
    return left;
  }

  #primary(): QueryExpr {
    const t = this.#lex.next();
    if (t.kind === "punct" && t.text === "(") {
      if (++this.#depth > MAX_QUERY_DEPTH) {
        throw new QueryError(
          `query is nested too deeply at ${t.pos} (at most ${MAX_QUERY_DEPTH} levels of parentheses)`,
          t.pos,
          t.raw,
        );
      }
      const inner = this.#or();
      const close = this.#lex.next();
      if (close.kind !== "punct" || close.text !== ")") {
        throw new QueryError(
          `expected ')' but found ${show(close)} at ${close.pos}`,
          close.pos,
          close.raw,
        );
      }
      this.#depth--;
      return inner;
    }
    const field = this.#field(t);
    const opTok = this.#lex.next();
    const kw = keyword(opTok);
    if (kw === "IN") {
      const open = this.#lex.next();
      if (open.kind !== "punct" || open.text !== "(") {
        throw new QueryError(
          `expected '(' after IN but found ${show(open)} at ${open.pos}`,
          open.pos,
          open.raw,
        );
      }
      const values: Literal[] = [this.#literal()];
      for (;;) {
        const sep = this.#lex.next();
        if (sep.kind === "punct" && sep.text === ")") break;
        if (sep.kind !== "punct" || sep.text !== ",") {
          throw new QueryError(
            `expected ',' or ')' in the IN list but found ${show(sep)} at ${sep.pos}`,
            sep.pos,
            sep.raw,
          );
        }
        values.push(this.#literal());
        if (values.length > MAX_IN_VALUES) {
          throw new QueryError(
            `IN list at ${open.pos} has more than ${MAX_IN_VALUES} values`,
            open.pos,
            open.raw,
          );
        }
      }
      return { type: "in", field, values };
    }
    if (kw === "STARTS_WITH") {
      return { type: "startsWith", field, value: this.#literal(), opPos: opTok.pos };
    }
    if (opTok.kind !== "op") {
      throw new QueryError(
        `expected an operator but found ${show(opTok)} at ${opTok.pos} (=, !=, >, >=, <, <=, IN or STARTS_WITH)`,
        opTok.pos,
        opTok.raw,
      );
    }
    return {
      type: "compare",
      field,
      op: opTok.text as CompareOp,
      value: this.#literal(),
      opPos: opTok.pos,
    };
  }

  #field(t: Token): FieldRef {
    if (t.kind === "eof") throw new QueryError(`unexpected end of query at ${t.pos}`, t.pos);
    if (t.kind === "quotedIdent") {
      if (!FIELD_NAME.test(t.text)) {
        throw new QueryError(
          `invalid field name '${t.text}' at ${t.pos} (letters, digits and _, starting with a letter or _)`,
          t.pos,
          t.raw,
        );
      }
      return { name: t.text, pos: t.pos };
    }
    if (t.kind !== "ident" || keyword(t) !== null || !FIELD_NAME.test(t.text)) {
      throw new QueryError(`expected a field name but found ${show(t)} at ${t.pos}`, t.pos, t.raw);
    }
    return { name: t.text, pos: t.pos };
  }

  #literal(): Literal {
    const t = this.#lex.next();
    if (t.kind === "string") return { kind: "string", value: t.text, pos: t.pos, raw: t.raw };
    if (t.kind === "number") return { kind: "number", value: t.num!, pos: t.pos, raw: t.raw };
    const kw = keyword(t);
    if (kw === "TRUE" || kw === "FALSE") {
      return { kind: "bool", value: kw === "TRUE", pos: t.pos, raw: t.raw };
    }
    if (t.kind === "eof") throw new QueryError(`unexpected end of query at ${t.pos}`, t.pos);
    throw new QueryError(
      `expected a value but found ${show(t)} at ${t.pos} (a quoted string, a number, true or false)`,
      t.pos,
      t.raw,
    );
  }
}

/** Parses a query into its syntax tree; `null` for an empty query. Throws {@link QueryError}. */
export function parseQuery(query: string): QueryExpr | null {
  if (query.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      `query is longer than ${MAX_QUERY_LENGTH} characters (${query.length})`,
      MAX_QUERY_LENGTH,
    );
  }
  return new Parser(query).parse();
}
