// Pure parts of the OpenCTI sink: version gates, state comparison, backpressure threshold, packing
// to the body limit, and how GraphQL errors are classified.
import { graphqlBody, graphqlBodyBytes } from '../../src/sinks/opencti/client';
import { PUSH, PUSH_IN_WORK } from '../../src/sinks/opencti/documents';
import { graphQlFailure } from '../../src/sinks/opencti/errors';
import { isAboveThreshold, sameState } from '../../src/sinks/opencti/connector';
import { escapedBytes, packBySize, partBundleId } from '../../src/sinks/opencti/split';
import { PUSH_MIN_VERSION, WORK_ID_MIN_VERSION, atLeast, parseVersion } from '../../src/sinks/opencti/version';
import { indicator, indicators } from './fixtures';

describe('OpenCTI versions', () => {
  it.each([
    ['6.8.0', [6, 8, 0]],
    ['6.8', [6, 8, 0]],
    ['v6.5.7', [6, 5, 7]],
    ['6.8.0-rc1', [6, 8, 0]],
    ['6.10.2+build.7', [6, 10, 2]],
    [' 7.0.0 ', [7, 0, 0]],
  ])('reads %s as %j', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected);
  });

  it.each(['', 'latest', 'six', '6'])('cannot read "%s"', (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });

  it.each([
    ['6.2.12', false, false],
    ['6.3.0', true, false],
    ['6.4.0', true, false],
    ['6.5.6', true, false],
    ['6.5.7', true, true],
    ['6.5.10', true, true],
    ['6.10.0', true, true],
    ['6.8.0-rc1', true, true],
  ])('%s: push %s, work_id %s (compared numerically)', (text, push, workId) => {
    const v = parseVersion(text)!;
    expect(atLeast(v, PUSH_MIN_VERSION)).toBe(push);
    expect(atLeast(v, WORK_ID_MIN_VERSION)).toBe(workId);
  });
});

describe('connector state comparison', () => {
  it.each([
    [null, null, true],
    ['{"a":1,"b":2}', '{"b":2,"a":1}', true],
    ['{"a":1}', '{"a": 1}', true],
    ['{"a":1}', null, false],
    [null, '{}', false],
    ['{"a":1}', '{"a":2}', false],
    ['not json', 'not json', true],
    ['not json', 'other', false],
  ])('%j vs %j: same %s', (a, b, same) => {
    expect(sameState(a, b)).toBe(same);
  });
});

describe('backpressure threshold (decimal MB, as pycti counts)', () => {
  it.each([
    [0, 500, false],
    [499_999_999, 500, false],
    [500_000_000, 500, true],
    [800_000_000, 500, true],
    [1_500_000, 1, true],
  ])('%d bytes against %d MB: above %s', (bytes, mb, above) => {
    expect(isAboveThreshold(bytes, mb)).toBe(above);
  });
});

describe('packing objects to the body limit', () => {
  const objects = indicators(30, 10); // equal sizes: two-digit numbers
  const empty = 200;

  it('keeps order and never exceeds the limit', () => {
    const max = empty + escapedBytes(objects[0]) * 4 + 3;
    const { parts, tooLarge } = packBySize(objects, empty, max);
    expect(tooLarge).toEqual([]);
    expect(parts.flat()).toEqual(objects);
    for (const part of parts) {
      const size = empty + part.reduce((n, o) => n + escapedBytes(o), 0) + part.length - 1;
      expect(size).toBeLessThanOrEqual(max);
    }
    expect(parts.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
  });

  it('sets aside an object that cannot fit alone', () => {
    const huge = indicator(99, { description: 'x'.repeat(5000) });
    const { parts, tooLarge } = packBySize([objects[0], huge, objects[1]], empty, 2000);
    expect(tooLarge).toEqual([huge]);
    expect(parts.flat()).toEqual([objects[0], objects[1]]);
  });

  it('counts escaping: quotes and non-ASCII cost what they cost in the body', () => {
    const o = indicator(1, { description: 'say "hi" — ünïcode' });
    expect(escapedBytes(o)).toBe(Buffer.byteLength(JSON.stringify(JSON.stringify(o))) - 2);
  });

  it('gives parts stable, distinct bundle ids', () => {
    const a = partBundleId('bundle--x', 'p0');
    expect(a).toMatch(/^bundle--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(partBundleId('bundle--x', 'p0')).toBe(a);
    expect(partBundleId('bundle--x', 'p1')).not.toBe(a);
  });
});

describe('GraphQL error classification', () => {
  it.each([
    [{ message: 'You must be logged in to do this.', extensions: { code: 'AUTH_REQUIRED' } }, 'OPENCTI_AUTH', false],
    [{ message: 'You are not allowed to do this.', extensions: { code: 'FORBIDDEN_ACCESS' } }, 'OPENCTI_AUTH', false],
    [{ message: 'You must be logged in' }, 'OPENCTI_AUTH', false],
    [{ message: 'Invalid bundle', extensions: { code: 'UNSUPPORTED_ERROR' } }, 'OPENCTI_INVALID_BUNDLE', false],
    [{ message: 'pattern is not valid', extensions: { code: 'VALIDATION_ERROR' } }, 'OPENCTI_INVALID_BUNDLE', false],
    [{ message: 'Unknown argument "work_id"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, 'OPENCTI_GRAPHQL_ERROR', false],
    [{ message: 'Connector not found', extensions: { code: 'FUNCTIONAL_ERROR', data: { http_status: 400 } } }, 'OPENCTI_GRAPHQL_ERROR', false],
    [{ message: 'A database error has occurred', extensions: { code: 'DATABASE_ERROR', data: { http_status: 500 } } }, 'OPENCTI_GRAPHQL_ERROR', true],
    [{ message: 'Execution timeout, too many concurrent call on the same entities', extensions: { code: 'LOCK_ERROR' } }, 'OPENCTI_GRAPHQL_ERROR', true],
  ])('%j → %s (retryable %s)', (error, code, retryable) => {
    const err = graphQlFailure('TaxiiConnectorPush', [error]);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.message).not.toMatch(/\n/);
  });
});

describe('a push body built from bundle bytes (graphqlBodyBytes)', () => {
  const variables = { connectorId: 'c-1', bundle: '', work_id: 'w-1' };
  const asText = (text: string) => Buffer.from(graphqlBody(PUSH_IN_WORK, { ...variables, bundle: text }), 'utf8');

  it.each([
    ['every ASCII character, controls included', Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join('')],
    ['quotes and backslashes in a row', '\\"\\\\""\\'],
    ['text that is not ASCII, line and paragraph separators included', 'Ünïcödé ✓ 𝔘 \u2028 \u2029 \u00a0 日本'],
    ['a pretty-printed bundle', JSON.stringify({ type: 'bundle', id: 'bundle--1', objects: [{ type: 'note', content: 'a\tb\nc "d" \\e' }] }, null, '\t')],
    ['nothing', ''],
    ['long runs that need escapes, past the room first set aside', `${'"'.repeat(10_000)}${'\u0001'.repeat(5000)}${'\\'.repeat(3000)}x`],
  ])('is byte for byte the body of the text: %s', (_what, text) => {
    expect(graphqlBodyBytes(PUSH_IN_WORK, variables, 'bundle', Buffer.from(text, 'utf8'))?.equals(asText(text))).toBe(true);
  });

  it('keeps the variables in their order, and leaves bytes that are not UTF-8 to the text path', () => {
    const bytes = Buffer.from('{"a":"é"}', 'utf8');
    expect(graphqlBodyBytes(PUSH, { connectorId: 'c-1', bundle: '' }, 'bundle', bytes)?.toString('utf8')).toBe(graphqlBody(PUSH, { connectorId: 'c-1', bundle: '{"a":"é"}' }));
    expect(graphqlBodyBytes(PUSH, { connectorId: 'c-1', bundle: '' }, 'bundle', Buffer.from([0x7b, 0xff, 0x7d]))).toBeUndefined();
  });
});
