// Tokenizer of the STIX 2.1 patterning language (STIX 2.1 §9; lexical rules of the OASIS
// STIXPattern grammar): keywords are case-sensitive, literals carry their source offset.
import { parseTimestamp } from '../timestamp';

export type TokenKind =
  | 'LBRACK' | 'RBRACK' | 'LPAREN' | 'RPAREN' | 'COLON' | 'DOT' | 'COMMA' | 'ASTERISK'
  | 'EQ' | 'NEQ' | 'LT' | 'LE' | 'GT' | 'GE'
  | 'KEYWORD' | 'IDENT' | 'STRING' | 'INT' | 'FLOAT' | 'BOOL' | 'TIMESTAMP' | 'HEX' | 'BINARY'
  | 'EOF';

export interface Token {
  kind: TokenKind;
  /** Character offset of the token's first character in the pattern. */
  start: number;
  /** The token's source text. */
  text: string;
  /** Decoded value: a string literal without quotes and escapes, a literal's content. */
  value: string;
}

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
const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'LAST', 'IN',
  'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES',
]);

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
  private pos = 0;

  constructor(private readonly src: string) {}

  next(): Token {
    this.skipTrivia();
    const src = this.src;
    const start = this.pos;
    if (start >= src.length) return { kind: 'EOF', start, text: '', value: '' };
    const c = src.charCodeAt(start);
    switch (c) {
      case 91: return this.punct('LBRACK', 1);
      case 93: return this.punct('RBRACK', 1);
      case 40: return this.punct('LPAREN', 1);
      case 41: return this.punct('RPAREN', 1);
      case 58: return this.punct('COLON', 1);
      case 44: return this.punct('COMMA', 1);
      case 42: return this.punct('ASTERISK', 1);
      case 61: return this.punct('EQ', src.charCodeAt(start + 1) === 61 ? 2 : 1);
      case 33:
        if (src.charCodeAt(start + 1) === 61) return this.punct('NEQ', 2);
        throw new PatternSyntaxError(start, "unexpected character '!'");
      case 60: {
        const n = src.charCodeAt(start + 1);
        if (n === 61) return this.punct('LE', 2);
        if (n === 62) return this.punct('NEQ', 2);
        return this.punct('LT', 1);
      }
      case 62: return src.charCodeAt(start + 1) === 61 ? this.punct('GE', 2) : this.punct('GT', 1);
      case 39: return this.string();
      case 46:
        if (isDigit(src.charCodeAt(start + 1))) return this.number();
        return this.punct('DOT', 1);
      default:
        break;
    }
    if (isDigit(c) || c === 43 || c === 45) return this.number();
    if (isIdentStart(c)) {
      if (src.charCodeAt(start + 1) === 39 && (c === 116 || c === 104 || c === 98)) return this.prefixedLiteral(c);
      let end = start + 1;
      while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
      this.pos = end;
      const text = src.slice(start, end);
      if (KEYWORDS.has(text)) return { kind: 'KEYWORD', start, text, value: text };
      if (text === 'true' || text === 'false') return { kind: 'BOOL', start, text, value: text };
      return { kind: 'IDENT', start, text, value: text };
    }
    throw new PatternSyntaxError(start, `unexpected character ${JSON.stringify(src[start])}`);
  }

  private punct(kind: TokenKind, length: number): Token {
    const start = this.pos;
    this.pos += length;
    const text = this.src.slice(start, this.pos);
    return { kind, start, text, value: text };
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
  private string(): Token {
    const src = this.src;
    const start = this.pos;
    let value = '';
    let chunk = start + 1;
    let i = start + 1;
    for (;;) {
      if (i >= src.length) throw new PatternSyntaxError(start, 'unterminated string literal');
      const c = src.charCodeAt(i);
      if (c === 39) break;
      if (c === 92) {
        const n = src.charCodeAt(i + 1);
        if (n !== 39 && n !== 92) throw new PatternSyntaxError(i, "invalid escape in string literal (only \\' and \\\\ are allowed)");
        value += src.slice(chunk, i) + src[i + 1];
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    value += src.slice(chunk, i);
    this.pos = i + 1;
    return { kind: 'STRING', start, text: src.slice(start, this.pos), value };
  }

  /** Integers `[+-]?(0|[1-9][0-9]*)` and floats `[+-]?[0-9]*\.[0-9]+`. */
  private number(): Token {
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
      this.pos = i;
      const text = src.slice(start, i);
      return { kind: 'FLOAT', start, text, value: text };
    }
    if (intEnd === intStart) throw new PatternSyntaxError(start, `unexpected character ${JSON.stringify(src[start])}`);
    if (src.charCodeAt(intStart) === 48 && intEnd - intStart > 1) {
      throw new PatternSyntaxError(start, 'integer literal with a leading zero');
    }
    this.pos = i;
    const text = src.slice(start, i);
    return { kind: 'INT', start, text, value: text };
  }

  /** `t'…'` timestamp, `h'…'` hex and `b'…'` base64 binary constants (STIX 2.1 §9). */
  private prefixedLiteral(prefix: number): Token {
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
    this.pos = close + 1;
    return { kind, start, text: src.slice(start, this.pos), value: content };
  }
}
