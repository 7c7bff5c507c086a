// /readyz: ready while Redis answers and every sink's health() passes; 503 with a JSON list of what
// failed (redacted) when a sink refuses or does not answer in time.
import type { Sink } from '../../src/sinks/types';
import { baseRawConfig, buildConfig, uniquePrefix } from '../support/pipeline-harness';
import { startStixEndpoint, type StixEndpoint } from '../support/stix-endpoint';
import { get, startOpsHarness, type OpsHarness } from './ops-harness';

const SINK_TOKEN = 'sink-token-0c94e5d2b7';

interface ReadyBody {
  ready: boolean;
  checks: Array<{ check: string; ok: boolean; code?: string; message?: string }>;
  failed: Array<{ check: string; ok: boolean; code?: string; message?: string }>;
}

describe('when a sink health check fails', () => {
  let endpoint: StixEndpoint;
  let h: OpsHarness;

  beforeAll(async () => {
    endpoint = await startStixEndpoint({ authorization: `Bearer ${SINK_TOKEN}` });
    const raw = baseRawConfig({ prefix: uniquePrefix('ops-ready'), discoveryUrl: 'http://127.0.0.1:9/taxii2/' });
    raw.sink = { type: 'http', url: endpoint.url, auth: { type: 'bearer', token: SINK_TOKEN } };
    h = await startOpsHarness(buildConfig(raw));
  });

  afterAll(async () => {
    await h.close();
    await endpoint.close();
  });

  it('is ready while Redis and the sink answer', async () => {
    const reply = await get(`${h.ops.url}/readyz`);
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.text) as ReadyBody;
    expect(body.ready).toBe(true);
    expect(body.checks.map((c) => [c.check, c.ok])).toEqual([['redis', true], ['sink:http', true]]);
  });

  it('turns 503 and names the sink when it refuses the credentials, without showing them', async () => {
    endpoint.replyNext({ status: 401, body: JSON.stringify({ error: `token ${SINK_TOKEN} revoked` }) });
    const reply = await get(`${h.ops.url}/readyz`);
    expect(reply.status).toBe(503);
    const body = JSON.parse(reply.text) as ReadyBody;
    expect(body.ready).toBe(false);
    expect(body.failed).toEqual([expect.objectContaining({ check: 'sink:http', ok: false, code: 'SINK_HTTP_401' })]);
    expect(body.checks.find((c) => c.check === 'redis')?.ok).toBe(true);
    expect(reply.text).not.toContain(SINK_TOKEN);
  });

  it('is ready again once the sink recovers, while /healthz stayed 200 throughout', async () => {
    expect((await get(`${h.ops.url}/healthz`)).status).toBe(200);
    expect((await get(`${h.ops.url}/readyz`)).status).toBe(200);
  });
});

describe('when a sink health check hangs', () => {
  let h: OpsHarness;
  const hanging: Sink = {
    name: 'stuck',
    type: 'test',
    start: async () => undefined,
    deliver: async () => ({ delivered: 0, rejected: [] }),
    health: () => new Promise<void>(() => undefined),
    close: async () => undefined,
  };

  beforeAll(async () => {
    const raw = baseRawConfig({ prefix: uniquePrefix('ops-hang'), discoveryUrl: 'http://127.0.0.1:9/taxii2/' });
    h = await startOpsHarness(buildConfig(raw), { runtime: { sinks: [hanging] }, ops: { readinessTimeoutMs: 200 } });
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers 503 after the time limit, naming the check that timed out', async () => {
    const started = Date.now();
    const reply = await get(`${h.ops.url}/readyz`);
    expect(reply.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((JSON.parse(reply.text) as ReadyBody).failed).toEqual([expect.objectContaining({ check: 'sink:stuck', code: 'TIMEOUT' })]);
  });
});
