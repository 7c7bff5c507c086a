// The connector's life on the platform: pings that store the state and reveal a reset, the ping
// loop, works per run, and the queue backlog read for backpressure.
import { OpenCtiSink, isAboveThreshold } from '../../src/sinks/opencti';
import type { ConnectorInfo } from '../../src/sinks/opencti';
import { type OpenCtiServerOptions, type OpenCtiTestServer, startOpenCtiServer } from '../support/opencti-server';
import { CONNECTOR_ID, TOKEN, run, summary } from './fixtures';

let server: OpenCtiTestServer;
let sink: OpenCtiSink;

const info: ConnectorInfo = { buffering: false, queueThresholdMb: 500, queueMessagesSizeMb: 12.5, nextRunAt: '2026-03-01T11:00:00.000Z', lastRunAt: '2026-03-01T10:00:00.000Z' };

async function setup(serverOptions: OpenCtiServerOptions = {}, pingIntervalMs = 40_000): Promise<void> {
  server = await startOpenCtiServer({ token: TOKEN, ...serverOptions });
  sink = new OpenCtiSink({ url: server.url, token: TOKEN, connectorId: CONNECTOR_ID, timeoutMs: 5000, pingIntervalMs });
  await sink.start();
}

afterEach(async () => {
  await sink?.close();
  await server?.close();
});

describe('pingConnector', () => {
  it('stores the state sent and reports the connector info under its real field names', async () => {
    await setup();
    const result = await sink.ping('{"trendmicro:c1":"2026-03-01T09:59:59.999999Z"}', info);
    expect(result).toEqual({ reset: false, state: '{"trendmicro:c1":"2026-03-01T09:59:59.999999Z"}' });
    expect(server.connectors.get(CONNECTOR_ID)?.state).toBe('{"trendmicro:c1":"2026-03-01T09:59:59.999999Z"}');
    expect(server.pings[0].connectorInfo).toEqual({
      run_and_terminate: false,
      buffering: false,
      queue_threshold: 500,
      queue_messages_size: 12.5,
      next_run_datetime: '2026-03-01T11:00:00.000Z',
      last_run_datetime: '2026-03-01T10:00:00.000Z',
    });
  });

  it.each([
    ['cleared', null],
    ['set to an earlier cursor', '{"trendmicro:c1":"2026-01-01T00:00:00Z"}'],
  ])('reports a state an administrator %s, then stores the adopted one', async (_label, adminState) => {
    await setup();
    await sink.ping('{"trendmicro:c1":"2026-03-01T00:00:00Z"}', info);
    server.resetStateTo(adminState);
    expect(await sink.ping('{"trendmicro:c1":"2026-03-01T00:00:00Z"}', info)).toEqual({ reset: true, state: adminState });
    expect(await sink.ping(adminState, info)).toEqual({ reset: false, state: adminState });
  });

  it('pings in a loop, hands a reset to the pipeline, and stops cleanly', async () => {
    await setup({}, 20);
    let state: string | null = '{"a":"1"}';
    const resets: Array<string | null> = [];
    const pinger = sink.startPinging(
      () => state,
      () => info,
      (adopted) => {
        resets.push(adopted);
        state = adopted;
      },
    );
    await waitFor(() => server.pings.length >= 2);
    server.resetStateTo('{"a":"0"}');
    await waitFor(() => resets.length === 1 && server.pings.length >= 5);
    await pinger.stop();
    const count = server.pings.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(server.pings.length).toBe(count);
    expect(resets).toEqual(['{"a":"0"}']);
    expect(server.connectors.get(CONNECTOR_ID)?.state).toBe('{"a":"0"}');
  });
});

describe('works', () => {
  it('opens one work per run, named after the source, collection and start time', async () => {
    await setup();
    const workId = await sink.beginRun(run);
    expect(server.works.get(workId!)).toMatchObject({ connectorId: CONNECTOR_ID, name: 'trendmicro/Threat Intelligence Feed @ 2026-03-01T10:00:00.000Z', status: 'wait' });
  });

  it.each([
    [0, false],
    [2, true],
  ])('closes the work with the counts; %d dead-lettered → inError %s', async (deadLettered, inError) => {
    await setup();
    const workId = await sink.beginRun(run);
    await sink.endRun(run, workId, summary(deadLettered));
    const work = server.works.get(workId!);
    expect(work).toMatchObject({ status: 'complete', inError });
    expect(work?.message).toBe(`3 pages, 120 objects fetched, ${118 - deadLettered} delivered, 2 rejected, ${deadLettered} dead-lettered`);
  });

  it('has nothing to close without a work', async () => {
    await setup();
    await expect(sink.endRun(run, undefined, summary())).resolves.toBeUndefined();
    expect(server.requests.filter((r) => r.operationName === 'TaxiiConnectorWorkToProcessed')).toHaveLength(0);
  });
});

describe('queue backlog', () => {
  it.each([
    [0, false],
    [120_000_000, false],
    [650_000_000, true],
  ])('reads %d bytes waiting on the platform; above 500 MB: %s', async (bytes, above) => {
    await setup({ queueBytes: bytes, queueMessages: 42 });
    expect(await sink.queueBacklogBytes()).toBe(bytes);
    expect(await sink.queueDetails()).toEqual({ messages: 42, bytes });
    expect(isAboveThreshold(bytes, 500)).toBe(above);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
