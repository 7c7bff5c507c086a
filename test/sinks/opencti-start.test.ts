// OpenCTI sink start-up against a real test server: version gates, registration, auth.
import { OpenCtiSink, type OpenCtiSinkOptions } from '../../src/sinks/opencti';
import { type OpenCtiServerOptions, type OpenCtiTestServer, startOpenCtiServer } from '../support/opencti-server';
import { CONNECTOR_ID, TOKEN, bundleOf, ctx, failure, indicators, run } from './fixtures';

let server: OpenCtiTestServer;
let sink: OpenCtiSink;

async function setup(serverOptions: OpenCtiServerOptions = {}, sinkOptions: Partial<OpenCtiSinkOptions> = {}): Promise<void> {
  server = await startOpenCtiServer({ token: TOKEN, ...serverOptions });
  sink = new OpenCtiSink({ url: server.url, token: TOKEN, connectorId: CONNECTOR_ID, connectorName: 'TAXII 2.1 feeds', scope: ['indicator', 'malware'], timeoutMs: 5000, ...sinkOptions });
}

afterEach(async () => {
  await sink?.close();
  await server?.close();
});


describe('when OpenCTI is older than 6.3', () => {
  it('refuses to start, for good, saying what version is needed', async () => {
    await setup({ version: '6.2.0' });
    const err = await failure(sink.start());
    expect(err.code).toBe('OPENCTI_VERSION_UNSUPPORTED');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/OpenCTI 6\.2\.0 is not supported.*stixBundlePush.*6\.3\.0 or later/);
    expect(server.connectors.size).toBe(0);
  });
});

describe('version gates on work_id', () => {
  it.each([
    ['6.4.0', false],
    ['6.5.6', false],
    ['6.5.7', true],
    ['6.8.0', true],
    ['6.8.0-rc1', true],
  ])('OpenCTI %s: pushes carry work_id: %s', async (version, withWorkId) => {
    await setup({ version });
    await sink.start();
    expect(sink.sendsWorkId).toBe(withWorkId);
    const workId = await sink.beginRun(run);
    await sink.deliver(bundleOf(indicators(3)), { ...ctx, workId });
    expect(server.pushes).toHaveLength(1);
    expect(server.pushes[0].workId).toBe(withWorkId ? workId : undefined);
  });
});

describe('registration', () => {
  it('registers an external-import connector with its id, name and scope', async () => {
    await setup();
    await sink.start();
    expect(server.connectors.get(CONNECTOR_ID)).toMatchObject({
      name: 'TAXII 2.1 feeds',
      type: 'EXTERNAL_IMPORT',
      scope: ['indicator', 'malware'],
      auto: false,
      only_contextual: false,
      playbook_compatible: false,
      registrations: 1,
    });
    expect(sink.version).toBe('6.8.0');
  });

  it('hands back the state the platform kept from an earlier deployment', async () => {
    await setup();
    server.seedState(CONNECTOR_ID, '{"trendmicro:c1":"2026-02-01T00:00:00.123456Z"}');
    await sink.start();
    expect(sink.initialState()).toBe('{"trendmicro:c1":"2026-02-01T00:00:00.123456Z"}');
  });

  it('has no state to hand back for a new connector', async () => {
    await setup();
    await sink.start();
    expect(sink.initialState()).toBeNull();
  });

  it('starts once however often it is asked', async () => {
    await setup();
    await Promise.all([sink.start(), sink.start()]);
    await sink.start();
    expect(server.connectors.get(CONNECTOR_ID)?.registrations).toBe(1);
  });

  it('refuses a connector id that is not a UUID', () => {
    expect(() => new OpenCtiSink({ url: 'http://127.0.0.1:1', token: TOKEN, connectorId: 'taxii' })).toThrow(/not a UUID/);
  });
});

describe('when the token is refused', () => {
  const secret = 'wrong-secret-token-123';
  it.each<[string, OpenCtiServerOptions]>([
    ['a token the platform does not know (GraphQL AUTH_REQUIRED with HTTP 200)', { token: TOKEN }],
    ['HTTP 401 from a proxy in front', { token: secret, failRequests: 1, failStatus: 401 }],
  ])('%s: fails for good, in one line, without the token', async (_label, serverOptions) => {
    await setup(serverOptions, { token: secret });
    const err = await failure(sink.start());
    expect(err.code).toBe('OPENCTI_AUTH');
    expect(err.retryable).toBe(false);
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).not.toContain(secret);
    expect(err.message).toMatch(/OpenCTI refused the connector's token.*check opencti\.token/);
  });

  it('also fails a push for good when the platform answers 401', async () => {
    await setup({ failPushes: 1, failStatus: 401 });
    await sink.start();
    const err = await failure(sink.deliver(bundleOf(indicators(2)), ctx));
    expect(err.code).toBe('OPENCTI_AUTH');
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
  });
});

describe('health', () => {
  it('passes while OpenCTI answers, fails once it is gone', async () => {
    await setup();
    await expect(sink.health()).resolves.toBeUndefined();
    await server.close();
    const err = await failure(sink.health());
    expect(err.code).toBe('OPENCTI_NETWORK');
    expect(err.retryable).toBe(true);
  });
});
