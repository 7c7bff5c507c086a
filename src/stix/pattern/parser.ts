// Recursive-descent parser of STIX 2.1 patterns (STIX 2.1 §9): observation expressions joined by
// AND / OR / FOLLOWEDBY with qualifiers, comparison expressions inside brackets. Precedence, from
// loosest: FOLLOWEDBY, OR, AND (observations); OR, AND (comparisons) — as in the OASIS grammar.
import { Lexer, PatternSyntaxError, type TokenKind } from './lexer';

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
/** The operators whose operand is one string literal. */
const STRING_OPERATORS = ['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'] as const;
/** Nesting limit, so a hostile pattern cannot exhaust the stack. */
const MAX_DEPTH = 200;

class Parser {
  /** The pattern's tokens, read one at a time: the current one is the parser's lookahead. */
  private readonly lex: Lexer;
  private depth = 0;

  constructor(src: string) {
    this.lex = new Lexer(src);
    this.lex.next();
  }

  parse(): ObservationExpression {
    const expression = this.observationExpressions();
    if (this.lex.kind !== 'EOF') this.fail('an observation operator, a qualifier or the end of the pattern');
    return expression;
  }

  private advance(): void {
    this.lex.next();
  }

  private isKeyword(word: string): boolean {
    return this.lex.kind === 'KEYWORD' && this.lex.is(word);
  }

  /** The current token's value (Lexer.value), then the next token. */
  private take(): string {
    const value = this.lex.value();
    this.advance();
    return value;
  }

  private expect(kind: TokenKind, what: string): void {
    if (this.lex.kind !== kind) this.fail(what);
    this.advance();
  }

  /** expect() of a token whose value is wanted: the value. */
  private expectValue(kind: TokenKind, what: string): string {
    if (this.lex.kind !== kind) this.fail(what);
    return this.take();
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(word);
    this.advance();
  }

  private fail(expected: string): never {
    const found = this.lex.kind === 'EOF' ? 'the end of the pattern' : `'${this.lex.text()}'`;
    throw new PatternSyntaxError(this.lex.start, `expected ${expected} but found ${found}`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new PatternSyntaxError(this.lex.start, 'pattern nested too deeply');
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
    if (this.lex.kind === 'LBRACK') {
      this.advance();
      expression = { kind: 'observation', comparison: this.comparisonOr() };
      this.expect('RBRACK', "']'");
    } else if (this.lex.kind === 'LPAREN') {
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
      const seconds = this.unsigned(true, 'a positive number of seconds');
      this.expectKeyword('SECONDS');
      return { kind: 'within', seconds };
    }
    if (this.isKeyword('REPEATS')) {
      this.advance();
      const times = this.unsigned(false, 'a positive integer');
      this.expectKeyword('TIMES');
      return { kind: 'repeats', times };
    }
    if (this.isKeyword('START')) {
      this.advance();
      const start = this.expectValue('TIMESTAMP', "a timestamp literal t'…'");
      this.expectKeyword('STOP');
      const stop = this.expectValue('TIMESTAMP', "a timestamp literal t'…'");
      return { kind: 'start-stop', start, stop };
    }
    return undefined;
  }

  /** A qualifier's number: an integer (or a float, when `float`) without a minus sign. */
  private unsigned(float: boolean, what: string): number {
    const lex = this.lex;
    if ((lex.kind !== 'INT' && (!float || lex.kind !== 'FLOAT')) || lex.text().startsWith('-')) this.fail(what);
    return Number(this.take());
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
    if (this.lex.kind === 'LPAREN') {
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
    const op = this.lex.kind;
    if (EQUALITY.has(op) || ORDERING.has(op)) {
      this.advance();
      const value = this.literal(ORDERING.has(op));
      return { kind: 'test', path, operator: OPERATOR_OF_TOKEN[op] as ComparisonOperator, negated, value };
    }
    if (op === 'KEYWORD') {
      if (this.lex.is('IN')) {
        this.advance();
        return { kind: 'test', path, operator: 'IN', negated, value: this.setLiteral() };
      }
      for (const operator of STRING_OPERATORS) {
        if (!this.lex.is(operator)) continue;
        this.advance();
        const value = this.expectValue('STRING', 'a string literal');
        return { kind: 'test', path, operator, negated, value: { type: 'string', value } };
      }
    }
    return this.fail('a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)');
  }

  /** `type:first.key[0].'quoted key'[*]` (STIX 2.1 §9, object paths). */
  private objectPath(): ObjectPath {
    const lex = this.lex;
    const objectType = this.expectValue('IDENT', 'an object type');
    this.expect('COLON', "':'");
    const steps: PathStep[] = [{ key: this.propertyName('a property name') }];
    for (;;) {
      if (lex.kind === 'DOT') {
        this.advance();
        steps.push({ key: this.propertyName('a property name (quote names that contain hyphens)') });
      } else if (lex.kind === 'LBRACK') {
        this.advance();
        steps.push(this.listIndex());
        this.expect('RBRACK', "']'");
      } else {
        return { objectType, steps };
      }
    }
  }

  /** `[0]` or `[*]` of an object path, after its `[`. */
  private listIndex(): PathStep {
    const lex = this.lex;
    let step: PathStep;
    if (lex.kind === 'ASTERISK') step = { index: '*' };
    else if (lex.kind === 'INT') step = { index: Number(lex.text()) };
    else this.fail("a list index or '*'");
    this.advance();
    return step;
  }

  /** A property name of an object path: quoted, or an identifier without hyphens. */
  private propertyName(what: string): string {
    const lex = this.lex;
    if (lex.kind !== 'STRING' && (lex.kind !== 'IDENT' || lex.hasHyphen())) this.fail(what);
    return this.take();
  }

  private literal(orderable: boolean): Literal {
    const type = LITERAL_TYPES[this.lex.kind];
    if (type === undefined || (orderable && type === 'bool')) this.fail(orderable ? 'an orderable literal' : 'a literal');
    return { type, value: this.take() };
  }

  /** `( literal, … )` or `()` (STIX 2.1 §9, set constants). */
  private setLiteral(): Literal[] {
    this.expect('LPAREN', "'(' starting a set");
    const values: Literal[] = [];
    if (this.lex.kind === 'RPAREN') {
      this.advance();
      return values;
    }
    for (;;) {
      values.push(this.literal(false));
      if (this.lex.kind === 'COMMA') {
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
