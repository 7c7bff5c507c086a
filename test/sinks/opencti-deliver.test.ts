// Delivering bundles to OpenCTI: the bundle as a JSON string, invalid bundles narrowed down to their
// bad objects, GraphQL errors as failures, 503 and network faults as retryable, body-size splitting.
import { OpenCtiSink, type OpenCtiSinkOptions } from '../../src/sinks/opencti';
import { graphqlBody } from '../../src/sinks/opencti/client';
import { PUSH, PUSH_IN_WORK } from '../../src/sinks/opencti/documents';
import { type OpenCtiServerOptions, type OpenCtiTestServer, startOpenCtiServer } from '../support/opencti-server';
import { CONNECTOR_ID, TOKEN, bundleOf, ctx, failure, indicator, indicators, run } from './fixtures';

let server: OpenCtiTestServer;
let sink: OpenCtiSink;

async function setup(serverOptions: OpenCtiServerOptions = {}, sinkOptions: Partial<OpenCtiSinkOptions> = {}): Promise<void> {
  server = await startOpenCtiServer({ token: TOKEN, ...serverOptions });
  sink = new OpenCtiSink({ url: server.url, token: TOKEN, connectorId: CONNECTOR_ID, timeoutMs: 5000, ...sinkOptions });
  await sink.start();
}

afterEach(async () => {
  await sink?.close();
  await server?.close();
});


const ids = (objects: Array<{ id: string }>): string[] => objects.map((o) => o.id);

describe('delivering a bundle', () => {
  it('pushes it whole, as a JSON string, under its own id', async () => {
    await setup();
    const bundle = bundleOf(indicators(25));
    expect(await sink.deliver(bundle, ctx)).toEqual({ delivered: 25, rejected: [] });
    expect(server.pushes).toHaveLength(1);
    expect(server.pushes[0].bundle).toEqual(bundle);
    expect(server.pushes[0].connectorId).toBe(CONNECTOR_ID);
  });

  it('starts by itself when a worker delivers before calling start()', async () => {
    server = await startOpenCtiServer({ token: TOKEN });
    sink = new OpenCtiSink({ url: server.url, token: TOKEN, connectorId: CONNECTOR_ID });
    await sink.deliver(bundleOf(indicators(1)), ctx);
    expect(server.connectors.has(CONNECTOR_ID)).toBe(true);
    expect(server.pushes).toHaveLength(1);
  });
});

describe('when OpenCTI calls a bundle invalid', () => {
  const objects = indicators(20);
  it.each([
    ['one bad object at the start', [0]],
    ['one bad object at the end', [19]],
    ['two bad objects apart', [3, 14]],
    ['three bad neighbours', [7, 8, 9]],
  ])('%s: dead-letters exactly those, delivers all others', async (_label, bad) => {
    const badIds = new Set(bad.map((i) => objects[i].id));
    await setup({ invalidBundleIds: badIds });
    const result = await sink.deliver(bundleOf(objects), ctx);
    expect(ids(result.rejected.map((r) => ({ id: r.id! })))).toEqual([...badIds]);
    expect(result.rejected.every((r) => r.reason === 'OPENCTI_INVALID_BUNDLE' && r.message === 'Invalid bundle')).toBe(true);
    expect(result.rejected[0].raw).toEqual(objects[bad[0]]);
    expect(result.delivered).toBe(20 - bad.length);
    expect(ids(server.objects).sort()).toEqual(ids(objects.filter((o) => !badIds.has(o.id))).sort());
  });

  it('rejects a lone bad object', async () => {
    const o = indicator(1);
    await setup({ invalidBundleIds: new Set([o.id]) });
    expect(await sink.deliver(bundleOf([o]), ctx)).toMatchObject({ delivered: 0, rejected: [{ id: o.id, type: 'indicator', reason: 'OPENCTI_INVALID_BUNDLE' }] });
  });

  it('stops narrowing when its budget is spent and rejects the rest whole, with the reason', async () => {
    await setup({ invalidBundleIds: new Set([objects[0].id]) }, { maxNarrowingPushes: 2 });
    const result = await sink.deliver(bundleOf(objects), ctx);
    expect(result.delivered).toBe(10);
    expect(result.rejected).toHaveLength(10);
    expect(result.rejected[0].message).toMatch(/^Invalid bundle \(refused in a part of 10 objects; narrowing budget spent\)$/);
  });
});

describe('when OpenCTI answers with GraphQL errors and HTTP 200', () => {
  it('is a failure: a platform without the work_id argument refuses the document for good', async () => {
    await setup({ version: '6.8.0', workIdArg: 'refuse' });
    const workId = await sink.beginRun(run);
    const err = await failure(sink.deliver(bundleOf(indicators(2)), { ...ctx, workId }));
    expect(err.code).toBe('OPENCTI_GRAPHQL_ERROR');
    expect(err.status).toBe(200);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/GRAPHQL_VALIDATION_FAILED: Unknown argument "work_id"/);
    expect(server.pushes).toHaveLength(0);
  });
});

describe('when OpenCTI is unavailable', () => {
  it('fails retryably on 503, honouring Retry-After, and succeeds on the next attempt', async () => {
    await setup({ failPushes: 1, retryAfterSecs: 7 });
    const err = await failure(sink.deliver(bundleOf(indicators(3)), ctx));
    expect(err).toMatchObject({ code: 'OPENCTI_HTTP_503', retryable: true, retryAfterMs: 7000, status: 503 });
    expect(await sink.deliver(bundleOf(indicators(3)), ctx)).toEqual({ delivered: 3, rejected: [] });
  });

  it('fails retryably when the connection is refused', async () => {
    await setup();
    await server.close();
    const err = await failure(sink.deliver(bundleOf(indicators(3)), ctx));
    expect(err).toMatchObject({ code: 'OPENCTI_NETWORK', retryable: true });
  });
});

describe('when a bundle is larger than the request body limit', () => {
  const limit = 6000;
  it('splits it before sending, every request within the limit, every object delivered in order', async () => {
    await setup({ maxBodyBytes: limit }, { maxBodyBytes: limit });
    const objects = indicators(60);
    const result = await sink.deliver(bundleOf(objects), ctx);
    expect(result).toEqual({ delivered: 60, rejected: [] });
    expect(server.pushes.length).toBeGreaterThan(3);
    expect(Math.max(...server.pushes.map((p) => p.bodyBytes))).toBeLessThanOrEqual(limit);
    expect(ids(server.objects)).toEqual(ids(objects));
    expect(new Set(server.pushes.map((p) => p.bundle.id)).size).toBe(server.pushes.length);
    expect(server.requests.some((r) => r.status === 413)).toBe(false);
  });

  it('rejects an object that cannot fit alone and delivers the rest', async () => {
    await setup({ maxBodyBytes: limit }, { maxBodyBytes: limit });
    const huge = indicator(500, { description: 'é"'.repeat(3000) });
    const result = await sink.deliver(bundleOf([indicator(1), huge, indicator(2)]), ctx);
    expect(result.delivered).toBe(2);
    expect(result.rejected).toMatchObject([{ id: huge.id, reason: 'OPENCTI_OBJECT_TOO_LARGE' }]);
  });
});

describe.each([
  ['text', (t: string): string | Buffer => t],
  ['UTF-8 bytes', (t: string): string | Buffer => Buffer.from(t, 'utf8')],
])('delivering a bundle as the pipeline stored it (%s)', (_form, stored) => {
  const text = (objects: ReturnType<typeof indicators>) => {
    const bundle = bundleOf(objects);
    return { bundle, text: stored(JSON.stringify(bundle)), meta: { id: bundle.id, objects: objects.length } };
  };

  it('pushes the text in one request, byte for byte, when it fits', async () => {
    await setup();
    const b = text(indicators(30));
    expect(await sink.deliverText(b.text, b.meta, ctx)).toEqual({ delivered: 30, rejected: [] });
    expect(server.pushes).toHaveLength(1);
    expect(server.pushes[0].bundle).toEqual(b.bundle);
  });

  it('goes the long way when OpenCTI calls it invalid: only the bad objects are rejected', async () => {
    const objects = indicators(20);
    await setup({ invalidBundleIds: new Set([objects[5].id]) });
    const b = text(objects);
    const result = await sink.deliverText(b.text, b.meta, ctx);
    expect(result.rejected.map((r) => r.id)).toEqual([objects[5].id]);
    expect(result.delivered).toBe(19);
    expect(ids(server.objects).sort()).toEqual(ids(objects.filter((_, i) => i !== 5)).sort());
  });

  it('splits a text larger than the body limit, as deliver does', async () => {
    await setup({ maxBodyBytes: 6000 }, { maxBodyBytes: 6000 });
    const b = text(indicators(60));
    expect(await sink.deliverText(b.text, b.meta, ctx)).toEqual({ delivered: 60, rejected: [] });
    expect(Math.max(...server.pushes.map((p) => p.bodyBytes))).toBeLessThanOrEqual(6000);
  });
});

describe('pushing a bundle given as bytes', () => {
  const pushBodyOf = (text: string, workId: string | null | undefined) =>
    typeof workId === 'string' ? graphqlBody(PUSH_IN_WORK, { connectorId: CONNECTOR_ID, bundle: text, work_id: workId }) : graphqlBody(PUSH, { connectorId: CONNECTOR_ID, bundle: text });

  it('sends exactly the body the text would make: spacing, quotes, backslashes, control and non-ASCII characters escaped alike', async () => {
    await setup();
    const objects = indicators(5).map((o, i) => ({ ...o, description: `"q" \\ back\tslash \u0001 ✓ Ü 𝔘 \u2028 ${i}` }));
    const bundle = bundleOf(objects);
    const sent = JSON.stringify(bundle, null, '\t');
    expect(await sink.deliverText(Buffer.from(sent, 'utf8'), { id: bundle.id, objects: 5 }, ctx)).toEqual({ delivered: 5, rejected: [] });
    expect(server.pushes).toHaveLength(1);
    expect(server.pushes[0].bundle).toEqual(bundle);
    expect(server.pushes[0].bodyBytes).toBe(Buffer.byteLength(pushBodyOf(sent, server.pushes[0].workId)));
  });

  it('sends bytes that are not UTF-8 as their text, with replacement characters', async () => {
    await setup();
    const bundle = bundleOf([indicator(1, { description: 'bad: @' })]);
    const bytes = Buffer.from(JSON.stringify(bundle));
    bytes[bytes.indexOf('bad: @') + 5] = 0xff;
    expect(await sink.deliverText(bytes, { id: bundle.id, objects: 1 }, ctx)).toEqual({ delivered: 1, rejected: [] });
    expect((server.pushes[0].bundle.objects[0] as { description?: string }).description).toBe('bad: \uFFFD');
  });
});
