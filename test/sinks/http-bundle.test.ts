// HTTP sink, bundle mode, against a real STIX endpoint: what it posts, with which headers, and how
// the endpoint's statuses are classified.
import { HttpSink, type HttpSinkOptions } from '../../src/sinks/http';
import { type StixEndpoint, type StixEndpointOptions, startStixEndpoint } from '../support/stix-endpoint';
import { bundleOf, ctx, failure, indicators } from './fixtures';

let endpoint: StixEndpoint;
let sink: HttpSink;

async function setup(endpointOptions: StixEndpointOptions = {}, sinkOptions: Partial<HttpSinkOptions> = {}): Promise<void> {
  endpoint = await startStixEndpoint(endpointOptions);
  sink = new HttpSink({ name: 'siem', url: endpoint.url, timeoutMs: 5000, ...sinkOptions });
}

afterEach(async () => {
  await sink?.close();
  await endpoint?.close();
});


describe('posting bundles', () => {
  it('posts the bundle as JSON and counts every object delivered', async () => {
    await setup();
    const bundle = bundleOf(indicators(12));
    expect(await sink.deliver(bundle, ctx)).toEqual({ delivered: 12, rejected: [] });
    expect(endpoint.bundles).toEqual([bundle]);
    expect(endpoint.requests[0]).toMatchObject({ method: 'POST', path: '/bundles' });
  });

  it('posts a bundle as the pipeline stored it byte for byte, text or bytes, without reading it', async () => {
    await setup();
    const bundle = bundleOf(indicators(4).map((o) => ({ ...o, description: 'Ünïcödé "q" \\' })));
    const stored = JSON.stringify(bundle, null, '\t');
    expect(await sink.deliverText(Buffer.from(stored, 'utf8'), { id: bundle.id, objects: 4 }, ctx)).toEqual({ delivered: 4, rejected: [] });
    expect(await sink.deliverText(stored, { id: bundle.id, objects: 4 }, ctx)).toEqual({ delivered: 4, rejected: [] });
    expect(endpoint.requests.map((r) => r.body)).toEqual([stored, stored]);
    expect(endpoint.bundles).toEqual([bundle, bundle]);
  });

  it.each([
    ['the STIX media type by default', undefined, 'application/stix+json;version=2.1'],
    ['a configured content type', 'application/json', 'application/json'],
  ])('sends %s', async (_label, contentType, expected) => {
    await setup({}, { contentType });
    await sink.deliver(bundleOf(indicators(1)), ctx);
    expect(endpoint.requests[0].headers['content-type']).toBe(expected);
  });

  it.each<[string, HttpSinkOptions['credentials'], string | undefined]>([
    ['bearer', { type: 'bearer', token: 'sink-token-abc123' }, 'Bearer sink-token-abc123'],
    ['basic', { type: 'basic', username: 'svc', password: 'p@ss:w0rd' }, `Basic ${Buffer.from('svc:p@ss:w0rd').toString('base64')}`],
    ['none', { type: 'none' }, undefined],
  ])('authenticates with %s credentials and sends the extra headers', async (_label, credentials, authorization) => {
    await setup({ authorization }, { credentials, headers: { 'X-Tenant': 'blue' } });
    await sink.deliver(bundleOf(indicators(1)), ctx);
    expect(endpoint.requests[0].headers.authorization).toBe(authorization);
    expect(endpoint.requests[0].headers['x-tenant']).toBe('blue');
    expect(endpoint.bundles).toHaveLength(1);
  });
});

describe('when the endpoint refuses', () => {
  it.each<[string, number, Record<string, string>, string, boolean, number | undefined]>([
    ['is unavailable', 503, {}, 'SINK_HTTP_503', true, undefined],
    ['limits the rate', 429, { 'Retry-After': '3' }, 'SINK_HTTP_429', true, 3000],
    ['is down for maintenance until a date', 503, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() }, 'SINK_HTTP_503', true, 60_000],
    ['fails inside', 500, {}, 'SINK_HTTP_500', true, undefined],
    ['refuses the credentials', 401, {}, 'SINK_HTTP_401', false, undefined],
    ['forbids', 403, {}, 'SINK_HTTP_403', false, undefined],
    ['calls the body bad', 400, {}, 'SINK_HTTP_400', false, undefined],
    ['finds it too large', 413, {}, 'SINK_HTTP_413', false, undefined],
    ['does not implement it', 501, {}, 'SINK_HTTP_501', false, undefined],
  ])('%s (HTTP %i, headers %j) → %s, retryable %s', async (_label, status, headers, code, retryable, retryAfterMs) => {
    await setup();
    endpoint.replyNext({ status, headers });
    const err = await failure(sink.deliver(bundleOf(indicators(2)), ctx));
    expect(err).toMatchObject({ code, retryable, status });
    if (retryAfterMs === undefined) expect(err.retryAfterMs).toBeUndefined();
    else expect(err.retryAfterMs).toBeGreaterThan(retryAfterMs - 2000);
    expect(err.retryAfterMs ?? 0).toBeLessThanOrEqual(retryAfterMs ?? 0);
  });

  it('delivers once a run of 503s is over', async () => {
    await setup();
    endpoint.replyNext({ status: 503, times: 2 });
    const bundle = bundleOf(indicators(2));
    await failure(sink.deliver(bundle, ctx));
    await failure(sink.deliver(bundle, ctx));
    expect(await sink.deliver(bundle, ctx)).toEqual({ delivered: 2, rejected: [] });
    expect(endpoint.bundles).toEqual([bundle]);
  });

  it('keeps the credentials out of the error', async () => {
    await setup({ authorization: 'Bearer right' }, { credentials: { type: 'bearer', token: 'wrong-sink-token-xyz' } });
    const err = await failure(sink.deliver(bundleOf(indicators(1)), ctx));
    expect(err.code).toBe('SINK_HTTP_401');
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('wrong-sink-token-xyz');
  });
});

describe('health', () => {
  it('passes when the endpoint answers, even 405 to a GET', async () => {
    await setup();
    await expect(sink.health()).resolves.toBeUndefined();
    await expect(sink.start()).resolves.toBeUndefined();
    expect(endpoint.requests.map((r) => [r.method, r.status])).toEqual([['GET', 405], ['GET', 405]]);
  });

  it('fails on refused credentials, for good', async () => {
    await setup({ authorization: 'Bearer right' }, { credentials: { type: 'bearer', token: 'wrong' } });
    expect(await failure(sink.health())).toMatchObject({ code: 'SINK_HTTP_401', retryable: false });
  });

  it('fails when the endpoint cannot be reached', async () => {
    await setup();
    await endpoint.close();
    expect(await failure(sink.health())).toMatchObject({ code: 'SINK_NETWORK', retryable: true });
  });
});
