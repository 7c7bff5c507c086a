// Recursive-descent parser of STIX 2.1 patterns (STIX 2.1 §9): observation expressions joined by
// AND / OR / FOLLOWEDBY with qualifiers, comparison expressions inside brackets. Precedence, from
// loosest: FOLLOWEDBY, OR, AND (observations); OR, AND (comparisons) — as in the OASIS grammar.
import { Lexer, PatternSyntaxError, type Token, type TokenKind } from './lexer';

export type LiteralType = 'string' | 'int' | 'float' | 'bool' | 'timestamp' | 'hex' | 'binary';
export interface Literal {
  type: LiteralType;
  /** The literal's content: decoded string, digits, `true`/`false`, timestamp, hex or base64 text. */
  value: string;
}

export type PathStep = { key: string } | { index: number | '*' };
export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
}

export type ComparisonOperator =
  | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type ComparisonExpression =
  | { kind: 'and' | 'or'; left: ComparisonExpression; right: ComparisonExpression }
  | { kind: 'test'; path: ObjectPath; operator: ComparisonOperator; negated: boolean; value: Literal | Literal[] }
  | { kind: 'exists'; path: ObjectPath };

export type Qualifier =
  | { kind: 'within'; seconds: number }
  | { kind: 'repeats'; times: number }
  | { kind: 'start-stop'; start: string; stop: string };

export type ObservationExpression =
  | { kind: 'observation'; comparison: ComparisonExpression }
  | { kind: 'and' | 'or' | 'followedby'; left: ObservationExpression; right: ObservationExpression }
  | { kind: 'qualified'; expression: ObservationExpression; qualifier: Qualifier };

const EQUALITY: ReadonlySet<TokenKind> = new Set(['EQ', 'NEQ']);
const ORDERING: ReadonlySet<TokenKind> = new Set(['LT', 'LE', 'GT', 'GE']);
const OPERATOR_OF_TOKEN: Partial<Record<TokenKind, ComparisonOperator>> = {
  EQ: '=', NEQ: '!=', LT: '<', LE: '<=', GT: '>', GE: '>=',
};
const LITERAL_TYPES: Partial<Record<TokenKind, LiteralType>> = {
  STRING: 'string', INT: 'int', FLOAT: 'float', BOOL: 'bool', TIMESTAMP: 'timestamp', HEX: 'hex', BINARY: 'binary',
};
/** Nesting limit, so a hostile pattern cannot exhaust the stack. */
const MAX_DEPTH = 200;

class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  private depth = 0;

  constructor(src: string) {
    this.lexer = new Lexer(src);
    this.token = this.lexer.next();
  }

  parse(): ObservationExpression {
    const expression = this.observationExpressions();
    if (this.token.kind !== 'EOF') this.fail('an observation operator, a qualifier or the end of the pattern');
    return expression;
  }

  private advance(): Token {
    const t = this.token;
    this.token = this.lexer.next();
    return t;
  }

  private isKeyword(word: string): boolean {
    return this.token.kind === 'KEYWORD' && this.token.value === word;
  }

  private expect(kind: TokenKind, what: string): Token {
    if (this.token.kind !== kind) this.fail(what);
    return this.advance();
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(word);
    this.advance();
  }

  private fail(expected: string): never {
    const t = this.token;
    const found = t.kind === 'EOF' ? 'the end of the pattern' : `'${t.text}'`;
    throw new PatternSyntaxError(t.start, `expected ${expected} but found ${found}`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new PatternSyntaxError(this.token.start, 'pattern nested too deeply');
  }

  private observationExpressions(): ObservationExpression {
    let left = this.observationOr();
    while (this.isKeyword('FOLLOWEDBY')) {
      this.advance();
      left = { kind: 'followedby', left, right: this.observationOr() };
    }
    return left;
  }

  private observationOr(): ObservationExpression {
    let left = this.observationAnd();
    while (this.isKeyword('OR')) {
      this.advance();
      left = { kind: 'or', left, right: this.observationAnd() };
    }
    return left;
  }

  private observationAnd(): ObservationExpression {
    let left = this.observation();
    while (this.isKeyword('AND')) {
      this.advance();
      left = { kind: 'and', left, right: this.observation() };
    }
    return left;
  }

  /** `[ comparison ]` or `( observations )`, then any qualifiers (STIX 2.1 §9, pattern qualifiers). */
  private observation(): ObservationExpression {
    this.enter();
    let expression: ObservationExpression;
    if (this.token.kind === 'LBRACK') {
      this.advance();
      expression = { kind: 'observation', comparison: this.comparisonOr() };
      this.expect('RBRACK', "']'");
    } else if (this.token.kind === 'LPAREN') {
      this.advance();
      expression = this.observationExpressions();
      this.expect('RPAREN', "')'");
    } else {
      this.fail("'[' or '('");
    }
    for (;;) {
      const qualifier = this.qualifier();
      if (qualifier === undefined) break;
      expression = { kind: 'qualified', expression, qualifier };
    }
    this.depth--;
    return expression;
  }

  private qualifier(): Qualifier | undefined {
    if (this.isKeyword('WITHIN')) {
      this.advance();
      const t = this.token;
      if ((t.kind !== 'INT' && t.kind !== 'FLOAT') || t.text.startsWith('-')) this.fail('a positive number of seconds');
      this.advance();
      this.expectKeyword('SECONDS');
      return { kind: 'within', seconds: Number(t.text) };
    }
    if (this.isKeyword('REPEATS')) {
      this.advance();
      const t = this.token;
      if (t.kind !== 'INT' || t.text.startsWith('-')) this.fail('a positive integer');
      this.advance();
      this.expectKeyword('TIMES');
      return { kind: 'repeats', times: Number(t.text) };
    }
    if (this.isKeyword('START')) {
      this.advance();
      const start = this.expect('TIMESTAMP', "a timestamp literal t'…'").value;
      this.expectKeyword('STOP');
      const stop = this.expect('TIMESTAMP', "a timestamp literal t'…'").value;
      return { kind: 'start-stop', start, stop };
    }
    return undefined;
  }

  private comparisonOr(): ComparisonExpression {
    let left = this.comparisonAnd();
    while (this.isKeyword('OR')) {
      this.advance();
      left = { kind: 'or', left, right: this.comparisonAnd() };
    }
    return left;
  }

  private comparisonAnd(): ComparisonExpression {
    let left = this.propTest();
    while (this.isKeyword('AND')) {
      this.advance();
      left = { kind: 'and', left, right: this.propTest() };
    }
    return left;
  }

  private propTest(): ComparisonExpression {
    if (this.token.kind === 'LPAREN') {
      this.enter();
      this.advance();
      const inner = this.comparisonOr();
      this.expect('RPAREN', "')'");
      this.depth--;
      return inner;
    }
    if (this.isKeyword('EXISTS')) {
      this.advance();
      return { kind: 'exists', path: this.objectPath() };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isKeyword('NOT')) {
      this.advance();
      negated = true;
    }
    const op = this.token;
    if (EQUALITY.has(op.kind) || ORDERING.has(op.kind)) {
      this.advance();
      const value = this.literal(ORDERING.has(op.kind));
      return { kind: 'test', path, operator: OPERATOR_OF_TOKEN[op.kind] as ComparisonOperator, negated, value };
    }
    if (op.kind === 'KEYWORD') {
      switch (op.value) {
        case 'IN':
          this.advance();
          return { kind: 'test', path, operator: 'IN', negated, value: this.setLiteral() };
        case 'LIKE':
        case 'MATCHES':
        case 'ISSUBSET':
        case 'ISSUPERSET': {
          this.advance();
          const value = this.expect('STRING', 'a string literal');
          return { kind: 'test', path, operator: op.value, negated, value: { type: 'string', value: value.value } };
        }
        default:
          break;
      }
    }
    return this.fail('a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)');
  }

  /** `type:first.key[0].'quoted key'[*]` (STIX 2.1 §9, object paths). */
  private objectPath(): ObjectPath {
    const type = this.expect('IDENT', 'an object type');
    this.expect('COLON', "':'");
    const steps: PathStep[] = [];
    const first = this.token;
    if (first.kind === 'STRING' || (first.kind === 'IDENT' && !first.text.includes('-'))) {
      steps.push({ key: first.value });
      this.advance();
    } else {
      this.fail('a property name');
    }
    for (;;) {
      if (this.token.kind === 'DOT') {
        this.advance();
        const key = this.token;
        if (key.kind === 'STRING' || (key.kind === 'IDENT' && !key.text.includes('-'))) {
          steps.push({ key: key.value });
          this.advance();
        } else {
          this.fail('a property name (quote names that contain hyphens)');
        }
      } else if (this.token.kind === 'LBRACK') {
        this.advance();
        const index = this.token;
        if (index.kind === 'ASTERISK') steps.push({ index: '*' });
        else if (index.kind === 'INT') steps.push({ index: Number(index.text) });
        else this.fail("a list index or '*'");
        this.advance();
        this.expect('RBRACK', "']'");
      } else {
        return { objectType: type.text, steps };
      }
    }
  }

  private literal(orderable: boolean): Literal {
    const t = this.token;
    const type = LITERAL_TYPES[t.kind];
    if (type === undefined || (orderable && type === 'bool')) this.fail(orderable ? 'an orderable literal' : 'a literal');
    this.advance();
    return { type, value: t.value };
  }

  /** `( literal, … )` or `()` (STIX 2.1 §9, set constants). */
  private setLiteral(): Literal[] {
    this.expect('LPAREN', "'(' starting a set");
    const values: Literal[] = [];
    if (this.token.kind === 'RPAREN') {
      this.advance();
      return values;
    }
    for (;;) {
      values.push(this.literal(false));
      if (this.token.kind === 'COMMA') {
        this.advance();
        continue;
      }
      this.expect('RPAREN', "',' or ')'");
      return values;
    }
  }
}

/** Parses a STIX pattern; throws PatternSyntaxError (with the character offset) when invalid. */
export function parsePattern(pattern: string): ObservationExpression {
  return new Parser(pattern).parse();
}

/** The syntax error of `pattern`, or undefined when it parses. Never throws. */
export function findPatternError(pattern: string): PatternSyntaxError | undefined {
  try {
    parsePattern(pattern);
    return undefined;
  } catch (err) {
    if (err instanceof PatternSyntaxError) return err;
    return new PatternSyntaxError(0, err instanceof Error ? err.message : String(err));
  }
}

export { PatternSyntaxError };
