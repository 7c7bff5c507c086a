// Tokenizer of the STIX 2.1 patterning language (STIX 2.1 §9; lexical rules of the OASIS
// STIXPattern grammar): keywords are case-sensitive, literals carry their source offset. A cursor
// over the pattern, not a stream of token objects: the current token is its kind and bounds, its
// text and value cut out only when asked for. Every indicator of a page is checked: a token object
// and its text per token were 4 of the 29 MB that checking a 10,000-object page allocated.
import { parseTimestamp } from '../timestamp';

export type TokenKind =
  | 'LBRACK' | 'RBRACK' | 'LPAREN' | 'RPAREN' | 'COLON' | 'DOT' | 'COMMA' | 'ASTERISK'
  | 'EQ' | 'NEQ' | 'LT' | 'LE' | 'GT' | 'GE'
  | 'KEYWORD' | 'IDENT' | 'STRING' | 'INT' | 'FLOAT' | 'BOOL' | 'TIMESTAMP' | 'HEX' | 'BINARY'
  | 'EOF';

/** A syntax error, with the character offset where it was found. */
export class PatternSyntaxError extends Error {
  readonly offset: number;
  readonly detail: string;

  constructor(offset: number, detail: string) {
    super(`pattern syntax error at offset ${offset}: ${detail}`);
    this.name = 'PatternSyntaxError';
    this.offset = offset;
    this.detail = detail;
  }
}

/** STIX 2.1 §9 operator and qualifier keywords; `LAST` is reserved. */
const KEYWORDS = [
  'AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'LAST', 'IN',
  'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES',
];

/** The kind of the word from `start` to `end`: a keyword (all upper case), `true` or `false`, else an identifier. */
function wordKind(src: string, start: number, end: number): TokenKind {
  const c = src.charCodeAt(start);
  const length = end - start;
  if (c >= 65 && c <= 90) {
    for (const k of KEYWORDS) if (k.length === length && src.startsWith(k, start)) return 'KEYWORD';
    return 'IDENT';
  }
  if ((c === 116 && length === 4 && src.startsWith('true', start)) || (c === 102 && length === 5 && src.startsWith('false', start))) return 'BOOL';
  return 'IDENT';
}

const HEX_CONTENT = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64_CONTENT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;
/** Pattern timestamps are UTC with an upper-case `T` and `Z` (STIX 2.1 §9, timestamp constants). */
const PATTERN_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function isWhitespace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 45;
}

export class Lexer {
  /** The current token: its kind, and where it starts and ends in the pattern. */
  kind: TokenKind = 'EOF';
  start = 0;
  end = 0;
  private pos = 0;

  constructor(private readonly src: string) {}

  /** The current token's source text. */
  text(): string {
    return this.src.slice(this.start, this.end);
  }

  /** Whether the current token's text is `text`. */
  is(text: string): boolean {
    return this.end - this.start === text.length && this.src.startsWith(text, this.start);
  }

  /** Whether the current token is an identifier with a hyphen (a property name must be quoted then). */
  hasHyphen(): boolean {
    for (let i = this.start; i < this.end; i++) if (this.src.charCodeAt(i) === 45) return true;
    return false;
  }

  /**
   * The current token's decoded value: a string literal without its quotes and escapes, the
   * content of a `t'…'`, `h'…'` or `b'…'` literal, else the token's text.
   */
  value(): string {
    const { src, start, end } = this;
    switch (this.kind) {
      case 'STRING': {
        const raw = src.slice(start + 1, end - 1);
        return raw.includes('\\') ? raw.replace(/\\(['\\])/g, '$1') : raw;
      }
      case 'TIMESTAMP':
      case 'HEX':
      case 'BINARY':
        return src.slice(start + 2, end - 1);
      default:
        return this.text();
    }
  }

  /** Moves to the next token. */
  next(): void {
    this.skipTrivia();
    const src = this.src;
    const start = this.pos;
    this.start = start;
    if (start >= src.length) {
      this.token('EOF', start);
      return;
    }
    const c = src.charCodeAt(start);
    switch (c) {
      case 91: return this.token('LBRACK', start + 1);
      case 93: return this.token('RBRACK', start + 1);
      case 40: return this.token('LPAREN', start + 1);
      case 41: return this.token('RPAREN', start + 1);
      case 58: return this.token('COLON', start + 1);
      case 44: return this.token('COMMA', start + 1);
      case 42: return this.token('ASTERISK', start + 1);
      case 61: return this.token('EQ', src.charCodeAt(start + 1) === 61 ? start + 2 : start + 1);
      case 33:
        if (src.charCodeAt(start + 1) === 61) return this.token('NEQ', start + 2);
        throw new PatternSyntaxError(start, "unexpected character '!'");
      case 60: {
        const n = src.charCodeAt(start + 1);
        if (n === 61) return this.token('LE', start + 2);
        if (n === 62) return this.token('NEQ', start + 2);
        return this.token('LT', start + 1);
      }
      case 62: return src.charCodeAt(start + 1) === 61 ? this.token('GE', start + 2) : this.token('GT', start + 1);
      case 39: return this.string();
      case 46:
        if (isDigit(src.charCodeAt(start + 1))) return this.number();
        return this.token('DOT', start + 1);
      default:
        break;
    }
    if (isDigit(c) || c === 43 || c === 45) return this.number();
    if (isIdentStart(c)) {
      if (src.charCodeAt(start + 1) === 39 && (c === 116 || c === 104 || c === 98)) return this.prefixedLiteral(c);
      let end = start + 1;
      while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
      this.token(wordKind(src, start, end), end);
      return;
    }
    throw new PatternSyntaxError(start, `unexpected character ${JSON.stringify(src[start])}`);
  }

  /** The current token is `kind`, from `start` to `end`; the next one is looked for from `end`. */
  private token(kind: TokenKind, end: number): void {
    this.kind = kind;
    this.end = end;
    this.pos = end;
  }

  private skipTrivia(): void {
    const src = this.src;
    for (;;) {
      const c = src.charCodeAt(this.pos);
      if (isWhitespace(c)) {
        this.pos++;
      } else if (c === 47 && src.charCodeAt(this.pos + 1) === 42) {
        const end = src.indexOf('*/', this.pos + 2);
        if (end < 0) throw new PatternSyntaxError(this.pos, 'unterminated comment');
        this.pos = end + 2;
      } else if (c === 47 && src.charCodeAt(this.pos + 1) === 47) {
        while (this.pos < src.length && src.charCodeAt(this.pos) !== 10 && src.charCodeAt(this.pos) !== 13) this.pos++;
      } else {
        return;
      }
    }
  }

  /** STIX 2.1 §9 string constants: `'…'` where only `\'` and `\\` are escapes. */
  private string(): void {
    const src = this.src;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      if (i >= src.length) throw new PatternSyntaxError(start, 'unterminated string literal');
      const c = src.charCodeAt(i);
      if (c === 39) break;
      if (c === 92) {
        const n = src.charCodeAt(i + 1);
        if (n !== 39 && n !== 92) throw new PatternSyntaxError(i, "invalid escape in string literal (only \\' and \\\\ are allowed)");
        i += 2;
        continue;
      }
      i++;
    }
    this.token('STRING', i + 1);
  }

  /** Integers `[+-]?(0|[1-9][0-9]*)` and floats `[+-]?[0-9]*\.[0-9]+`. */
  private number(): void {
    const src = this.src;
    const start = this.pos;
    let i = start;
    const sign = src.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const intStart = i;
    while (isDigit(src.charCodeAt(i))) i++;
    const intEnd = i;
    if (src.charCodeAt(i) === 46 && isDigit(src.charCodeAt(i + 1))) {
      i++;
      while (isDigit(src.charCodeAt(i))) i++;
      this.token('FLOAT', i);
      return;
    }
    if (intEnd === intStart) throw new PatternSyntaxError(start, `unexpected character ${JSON.stringify(src[start])}`);
    if (src.charCodeAt(intStart) === 48 && intEnd - intStart > 1) {
      throw new PatternSyntaxError(start, 'integer literal with a leading zero');
    }
    this.token('INT', i);
  }

  /** `t'…'` timestamp, `h'…'` hex and `b'…'` base64 binary constants (STIX 2.1 §9). */
  private prefixedLiteral(prefix: number): void {
    const src = this.src;
    const start = this.pos;
    const close = src.indexOf("'", start + 2);
    if (close < 0) throw new PatternSyntaxError(start, 'unterminated literal');
    const content = src.slice(start + 2, close);
    let kind: TokenKind;
    if (prefix === 116) {
      kind = 'TIMESTAMP';
      if (!PATTERN_TIMESTAMP.test(content) || parseTimestamp(content) === undefined) {
        throw new PatternSyntaxError(start, `invalid timestamp literal t'${content}'`);
      }
    } else if (prefix === 104) {
      kind = 'HEX';
      if (!HEX_CONTENT.test(content)) throw new PatternSyntaxError(start, `invalid hex literal h'${content}'`);
    } else {
      kind = 'BINARY';
      if (!BASE64_CONTENT.test(content)) throw new PatternSyntaxError(start, `invalid base64 binary literal b'${content}'`);
    }
    this.token(kind, close + 1);
  }
}
