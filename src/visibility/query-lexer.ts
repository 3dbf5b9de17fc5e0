/** @module Tokenizer of the visibility query language (see query.ts for the grammar). */
import { QueryError } from "./query-ast";

export type TokenKind = "ident" | "quotedIdent" | "string" | "number" | "op" | "punct" | "eof";
export interface Token {
  kind: TokenKind;
  /** The token's source text (strings and quoted names with their quotes). */
  raw: string;
  /** Decoded value for strings and quoted names, the number for numbers. */
  text: string;
  num?: number;
  pos: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD_TAIL = /^[A-Za-z0-9_.]+/;
export const KEYWORDS = new Set(["AND", "OR", "IN", "STARTS_WITH", "TRUE", "FALSE"]);

/** How a token is named in an error message: strings as written, anything else in quotes. */
export function show(t: Token): string {
  if (t.kind === "eof") return "end of query";
  if (t.kind === "string") return t.raw;
  return `'${t.raw}'`;
}

function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

export class Lexer {
  #pos = 0;
  #peeked: Token | null = null;

  constructor(readonly src: string) {}

  peek(): Token {
    this.#peeked ??= this.#read();
    return this.#peeked;
  }

  next(): Token {
    const t = this.peek();
    this.#peeked = null;
    return t;
  }

  #read(): Token {
    const src = this.src;
    while (this.#pos < src.length && /\s/.test(src[this.#pos]!)) this.#pos++;
    const pos = this.#pos;
    if (pos >= src.length) return { kind: "eof", raw: "", text: "", pos };
    const ch = src[pos]!;

    if (ch === "'" || ch === '"') return this.#string(ch, pos);
    if (ch === "`") return this.#quotedIdent(pos);
    if (IDENT_START.test(ch)) {
      let end = pos + 1;
      while (end < src.length && IDENT_PART.test(src[end]!)) end++;
      this.#pos = end;
      const raw = src.slice(pos, end);
      return { kind: "ident", raw, text: raw, pos };
    }
    if (/[0-9.]/.test(ch) || (ch === "-" && /[0-9.]/.test(src[pos + 1] ?? ""))) {
      return this.#number(pos);
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      this.#pos = pos + 1;
      return { kind: "punct", raw: ch, text: ch, pos };
    }
    const two = src.slice(pos, pos + 2);
    if (two === "!=" || two === ">=" || two === "<=") {
      this.#pos = pos + 2;
      return { kind: "op", raw: two, text: two, pos };
    }
    if (ch === "=" || ch === ">" || ch === "<") {
      this.#pos = pos + 1;
      return { kind: "op", raw: ch, text: ch, pos };
    }
    // Anything else is an error; name comment starters as a whole so the message is clear.
    const bad = two === "--" ? two : ch;
    throw new QueryError(`unexpected token '${bad}' at ${pos}`, pos, bad);
  }

  #string(quote: string, pos: number): Token {
    const src = this.src;
    let i = pos + 1;
    let text = "";
    while (i < src.length) {
      const ch = src[i]!;
      if (ch === quote) {
        this.#pos = i + 1;
        return { kind: "string", raw: src.slice(pos, i + 1), text, pos };
      }
      if (ch === "\\") {
        const esc = src[i + 1];
        if (esc === undefined) break;
        if (esc !== "\\" && esc !== "'" && esc !== '"') {
          throw new QueryError(
            `unknown escape '\\${esc}' at ${i}; only \\\\, \\' and \\" are escapes`,
            i,
            `\\${esc}`,
          );
        }
        text += esc;
        i += 2;
        continue;
      }
      if (isControl(ch)) throw new QueryError(`control character in string at ${i}`, i, ch);
      text += ch;
      i++;
    }
    throw new QueryError(`unterminated string starting at ${pos}`, pos, quote);
  }

  #quotedIdent(pos: number): Token {
    const end = this.src.indexOf("`", pos + 1);
    if (end < 0) throw new QueryError(`unterminated field name starting at ${pos}`, pos, "`");
    this.#pos = end + 1;
    const text = this.src.slice(pos + 1, end);
    return { kind: "quotedIdent", raw: this.src.slice(pos, end + 1), text, pos };
  }

  #number(pos: number): Token {
    const rest = this.src.slice(pos);
    const m = NUMBER.exec(rest);
    const tail = WORD_TAIL.exec(rest.slice(m?.[0].length ?? 0));
    if (!m || tail) {
      const raw = rest.slice(0, (m?.[0].length ?? 0) + (tail?.[0].length ?? 1));
      throw new QueryError(`unexpected token '${raw}' at ${pos}`, pos, raw);
    }
    const raw = m[0];
    const num = Number(raw);
    if (!Number.isFinite(num)) {
      throw new QueryError(`number out of range '${raw}' at ${pos}`, pos, raw);
    }
    this.#pos = pos + raw.length;
    return { kind: "number", raw, text: raw, num, pos };
  }
}
