// The STIX 2.1 patterning language (STIX 2.1 §9): hand-written lexer and recursive-descent parser.
export { parsePattern, findPatternError, PatternSyntaxError } from './parser';
export type {
  ObservationExpression, ComparisonExpression, ComparisonOperator, Qualifier, ObjectPath, PathStep, Literal, LiteralType,
} from './parser';
