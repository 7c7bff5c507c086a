// HTTP sink, TAXII mode, against a real writable TAXII 2.1 collection: the envelope and media types,
// status polling until complete, partial failures, the status deadline, and the collection checks.
import { HttpSink, type HttpSinkOptions, taxiiTarget } from '../../src/sinks/http';
import { matchFailures, sameTimestamp } from '../../src/sinks/http/taxii-status';
import { type TaxiiPushServer, type TaxiiPushServerOptions, startTaxiiPushServer } from '../support/taxii-push-server';
import { bundleOf, ctx, failure, indicator, indicators } from './fixtures';

const TAXII = 'application/taxii+json;version=2.1';
let server: TaxiiPushServer;
let sink: HttpSink;

async function setup(serverOptions: TaxiiPushServerOptions = {}, sinkOptions: Partial<HttpSinkOptions> = {}): Promise<void> {
  server = await startTaxiiPushServer(serverOptions);
  sink = new HttpSink({ name: 'octi-taxii', mode: 'taxii', url: server.collectionUrl, timeoutMs: 5000, statusPollMs: 5, statusPollMaxMs: 20, ...sinkOptions });
}

afterEach(async () => {
  await sink?.close();
  await server?.close();
});


describe('pushing to a TAXII collection', () => {
  it('posts an envelope with the TAXII media type, then polls the status until complete', async () => {
    await setup({ pollsUntilComplete: 3 });
    const objects = indicators(8);
    expect(await sink.deliver(bundleOf(objects), ctx)).toEqual({ delivered: 8, rejected: [] });
    expect(server.envelopes).toEqual([{ objects }]);
    const post = server.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/taxii2/root/collections/365fed99-08fa-fdcd-a1b3-fb247eb41d01/objects/');
    expect(post.headers['content-type']).toBe(TAXII);
    expect(post.headers.accept).toBe(TAXII);
    expect(post.status).toBe(202);
    const polls = server.requests.filter((r) => r.method === 'GET');
    expect(polls).toHaveLength(3);
    expect(polls.every((r) => /^\/taxii2\/root\/status\/[0-9a-f-]+\/$/.test(r.path) && r.headers.accept === TAXII)).toBe(true);
    expect(server.objects).toEqual(objects);
  });

  it('does not poll a status that is complete at once', async () => {
    await setup({ pollsUntilComplete: 0 });
    expect(await sink.deliver(bundleOf(indicators(2)), ctx)).toEqual({ delivered: 2, rejected: [] });
    expect(server.polls).toBe(0);
  });

  it('rejects exactly the objects the status lists as failures, with the server message', async () => {
    const objects = indicators(10);
    const failIds = new Map([
      [objects[2].id, 'pattern does not compile'],
      [objects[7].id, 'object too old for this collection'],
    ]);
    await setup({ failIds, pollsUntilComplete: 2 });
    const result = await sink.deliver(bundleOf(objects), ctx);
    expect(result.delivered).toBe(8);
    expect(result.rejected.map((r) => [r.id, r.reason, r.message])).toEqual([
      [objects[2].id, 'TAXII_PUSH_FAILED', 'pattern does not compile'],
      [objects[7].id, 'TAXII_PUSH_FAILED', 'object too old for this collection'],
    ]);
    expect(result.rejected[0].raw).toEqual(objects[2]);
    expect(server.objects).toHaveLength(8);
  });

  it('sends the configured credentials', async () => {
    await setup({ authorization: 'Bearer taxii-push-token' }, { credentials: { type: 'bearer', token: 'taxii-push-token' } });
    expect((await sink.deliver(bundleOf(indicators(1)), ctx)).delivered).toBe(1);
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer taxii-push-token')).toBe(true);
  });
});

describe('when the status stays pending past status_timeout_secs', () => {
  it('fails retryably, delivering nothing and rejecting nothing, so the bundle is pushed again', async () => {
    await setup({ pollsUntilComplete: Infinity }, { statusTimeoutMs: 150 });
    const err = await failure(sink.deliver(bundleOf(indicators(4)), ctx));
    expect(err).toMatchObject({ code: 'TAXII_PUSH_STATUS_TIMEOUT', retryable: true });
    expect(err.message).toMatch(/still pending after 0.15 s \(4 objects pending\)/);
    expect(server.polls).toBeGreaterThan(1);
  });
});

describe('when the TAXII server refuses', () => {
  it.each<[string, TaxiiPushServerOptions, Partial<HttpSinkOptions>, string, boolean]>([
    ['the credentials', { authorization: 'Bearer right' }, { credentials: { type: 'bearer', token: 'wrong' } }, 'TAXII_PUSH_HTTP_401', false],
    ['writes to a read-only collection', { canWrite: false }, {}, 'TAXII_PUSH_HTTP_403', false],
  ])('%s: the push fails for good', async (_label, serverOptions, sinkOptions, code, retryable) => {
    await setup(serverOptions, sinkOptions);
    expect(await failure(sink.deliver(bundleOf(indicators(1)), ctx))).toMatchObject({ code, retryable });
  });

  it('refuses to start on a collection it cannot write to', async () => {
    await setup({ canWrite: false });
    expect(await failure(sink.start())).toMatchObject({ code: 'TAXII_PUSH_NOT_WRITABLE', retryable: false });
  });

  it('starts on a writable collection; health fails once the server is gone', async () => {
    await setup();
    await expect(sink.start()).resolves.toBeUndefined();
    await expect(sink.health()).resolves.toBeUndefined();
    await server.close();
    expect(await failure(sink.health())).toMatchObject({ code: 'TAXII_PUSH_NETWORK', retryable: true });
  });
});

describe('TAXII targets', () => {
  it.each([
    ['https://h/taxii2/root/collections/abc/', 'https://h/taxii2/root/', 'https://h/taxii2/root/collections/abc/objects/'],
    ['https://h/api1/collections/abc', 'https://h/api1/', 'https://h/api1/collections/abc/objects/'],
    ['https://h/collections/abc/?x=1', 'https://h/', 'https://h/collections/abc/objects/'],
  ])('%s: API root %s, objects at %s', (url, apiRoot, objects) => {
    expect(taxiiTarget(url)).toMatchObject({ apiRootUrl: apiRoot, objectsUrl: objects });
  });

  it.each(['https://h/taxii2/root/', 'https://h/taxii2/root/collections/'])('refuses %s: not a collection URL', (url) => {
    expect(() => taxiiTarget(url)).toThrow(/not a collection URL/);
  });
});

describe('matching status failures to sent objects', () => {
  const v1 = indicator(1, { modified: '2026-01-01T00:00:00.100Z' });
  const v2 = indicator(1, { modified: '2026-02-01T00:00:00Z' });
  const sco = { type: 'ipv4-addr', id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', value: '10.0.0.1' };

  it.each([
    ['by id and version', [{ id: v1.id, version: '2026-02-01T00:00:00Z', message: 'm' }], [v2]],
    ['at full precision, trailing zeros aside', [{ id: v1.id, version: '2026-01-01T00:00:00.1Z', message: 'm' }], [v1]],
    ['by id alone for an object without versions', [{ id: sco.id, version: '2026-03-01T00:00:00Z', message: 'm' }], [sco]],
    ['each version once', [{ id: v1.id, message: 'm' }, { id: v1.id, message: 'm' }], [v1, v2]],
  ])('%s', (_label, failures, expected) => {
    const { rejected, unmatched } = matchFailures([v1, v2, sco], failures);
    expect(rejected.map((r) => r.raw)).toEqual(expected);
    expect(unmatched).toEqual([]);
  });

  it('sets aside failures naming no sent object', () => {
    const failure = { id: 'indicator--00000000-0000-4000-8000-00000000ffff', version: '2026-01-01T00:00:00Z' };
    expect(matchFailures([v1], [failure])).toEqual({ rejected: [], unmatched: [failure] });
  });

  it.each([
    ['2026-01-01T00:00:00.100Z', '2026-01-01T00:00:00.1Z', true],
    ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00Z', true],
    ['2026-01-01T00:00:00.123456Z', '2026-01-01T00:00:00.123Z', false],
  ])('%s and %s are the same instant: %s', (a, b, same) => {
    expect(sameTimestamp(a, b)).toBe(same);
  });
});
