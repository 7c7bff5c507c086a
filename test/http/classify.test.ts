// The one HTTP classification table and Retry-After parsing, checked as tables and against a real
// server's answers.
import { classifyStatus, parseRetryAfter, type HttpOutcomeKind } from '../../src/http/classify';
import { HttpClient } from '../../src/http/request';
import { taxiiFixture } from '../support/taxii-client';

const table: [number, HttpOutcomeKind, boolean][] = [
  [200, 'ok', false],
  [202, 'ok', false],
  [204, 'ok', false],
  [400, 'client', false],
  [401, 'auth', false],
  [403, 'auth', false],
  [404, 'not_found', false],
  [406, 'media_type', false],
  [408, 'timeout', true],
  [409, 'client', false],
  [410, 'not_found', false],
  [413, 'too_large', false],
  [415, 'media_type', false],
  [422, 'client', false],
  [429, 'rate_limited', true],
  [500, 'server', true],
  [501, 'server', false],
  [502, 'server', true],
  [503, 'server', true],
  [504, 'server', true],
  [505, 'server', false],
];

describe('classifyStatus', () => {
  it.each(table)('classifies HTTP %i as %s (retryable: %s)', (status, kind, retryable) => {
    expect(classifyStatus(status)).toEqual({ kind, retryable });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it.each<[string | undefined | null, number | undefined]>([
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 11:59:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
  ])('reads %p as %p ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('when a real server answers an error status', () => {
  const fx = taxiiFixture();
  const clients: HttpClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  const http = (): HttpClient => {
    const c = new HttpClient({ codePrefix: 'PEER', credentials: { type: 'none' }, timeoutMs: 2000, headers: { Accept: 'application/taxii+json;version=2.1' } });
    clients.push(c);
    return c;
  };

  it.each(table.filter(([s]) => s >= 400))('turns HTTP %i into PEER_HTTP_<status> of kind %s, retryable: %s', async (status, kind, retryable) => {
    const srv = await fx.server();
    srv.setFault({ kind: 'status', status });
    const client = http();
    const res = await client.send({ url: srv.url });
    expect(res.status).toBe(status);
    const err = client.statusError(res, `HTTP ${status}`);
    expect(err).toMatchObject({ code: `PEER_HTTP_${status}`, retryable, status, details: expect.objectContaining({ kind }) });
  });

  it('reports Retry-After given in seconds as retryAfterMs', async () => {
    const srv = await fx.server();
    srv.setFault({ kind: '429', retryAfterSecs: 12 });
    const client = http();
    const err = client.statusError(await client.send({ url: srv.url }), 'rate limited');
    expect(err).toMatchObject({ code: 'PEER_HTTP_429', retryable: true, retryAfterMs: 12_000 });
  });

  it('reports Retry-After given as an HTTP date as the time left until then', async () => {
    const srv = await fx.server();
    srv.setFault({ kind: '429', retryAfterDate: new Date(Date.now() + 60_000) });
    const client = http();
    const err = client.statusError(await client.send({ url: srv.url }), 'rate limited');
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});
