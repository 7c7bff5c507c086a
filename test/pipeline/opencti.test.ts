// The pipeline feeding an OpenCTI test server that checks every GraphQL document against the
// platform's signatures: objects pushed in one work per run, cursors kept as connector state and
// adopted after an administrator reset, and fetching paused while the platform's queue is full.
import { silentLogger } from '../../src/log';
import { startStateSync } from '../../src/pipeline/platform-state';
import { syncOnce } from '../../src/pipeline/sync';
import { OpenCtiSink } from '../../src/sinks/opencti';
import { startOpenCtiServer, type OpenCtiTestServer } from '../support/opencti-server';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, buildConfig, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';

const CONNECTOR_ID = '7d9c2b1e-4f3a-4c8e-9b6d-1a2b3c4d5e6f';
const OCTI_TOKEN = 'octi-test-token-31337';

function rawFor(prefix: string, taxii: TaxiiTestServer, octi: OpenCtiTestServer) {
  const raw = baseRawConfig({ prefix, discoveryUrl: taxii.url, pageSize: 1000 });
  raw.connector = { id: CONNECTOR_ID, name: 'TAXII test' };
  raw.opencti = { url: octi.url, token: OCTI_TOKEN, ping_interval_secs: 0.2 };
  raw.sink = { type: 'opencti' };
  return raw;
}

describe('when OpenCTI is the sink', () => {
  let taxii: TaxiiTestServer;
  let octi: OpenCtiTestServer;
  let harness: Harness;
  const seeds = generateObjects(10_000);
  const collection = () => taxii.defaultCollectionId;

  beforeAll(async () => {
    taxii = await startTaxiiServer({ objects: seeds });
    octi = await startOpenCtiServer({ version: '6.8.0', token: OCTI_TOKEN });
    harness = await startHarness(buildConfig(rawFor(uniquePrefix('octi'), taxii, octi)));
    await harness.start();
  });

  afterAll(async () => {
    await harness.close();
    await octi.close();
    await taxii.close();
  });

  it('registers, pushes every object inside one processed work, and stores the cursor through ping', async () => {
    const state = await startStateSync(harness.runtime);
    const summary = await syncOnce(harness.runtime, {});
    await state.flush();
    await state.stop();
    expect(summary.ok).toBe(true);
    expect(octi.connectors.get(CONNECTOR_ID)).toMatchObject({ name: 'TAXII test', type: 'EXTERNAL_IMPORT' });
    expect(new Set(octi.objects.map((o) => o.id)).size).toBe(seeds.length);
    const works = [...octi.works.values()];
    expect(works).toHaveLength(1);
    expect(works[0]).toMatchObject({ status: 'complete', inError: false });
    expect(works[0].name).toMatch(/^feed\/Test feed @ \d{4}-\d{2}-\d{2}T/);
    expect(new Set(octi.pushes.map((p) => p.workId))).toEqual(new Set([works[0].id]));
    const stored = JSON.parse(octi.connectors.get(CONNECTOR_ID)?.state ?? '{}');
    expect(stored).toEqual({ cursors: { [`feed/${collection()}`]: seeds.at(-1)?.date_added } });
  });

  it('adopts a state an administrator reset, and the next run starts over', async () => {
    const state = await startStateSync(harness.runtime);
    octi.resetStateTo(null, CONNECTOR_ID);
    for (let i = 0; i < 100 && (await harness.runtime.store.getCursor('feed', collection())); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await harness.runtime.store.getCursor('feed', collection())).toBeUndefined();
    const summary = await syncOnce(harness.runtime, {});
    await state.stop();
    expect(summary.totals.fetched).toBe(seeds.length);
    expect([...octi.works.values()]).toHaveLength(2);
  });

  it('seeds cursors missing in Redis from the state OpenCTI holds', async () => {
    const fresh = await startHarness(buildConfig(rawFor(uniquePrefix('octi-seed'), taxii, octi)));
    try {
      octi.seedState(CONNECTOR_ID, JSON.stringify({ cursors: { [`feed/${collection()}`]: seeds[4999].date_added } }));
      await fresh.start();
      const state = await startStateSync(fresh.runtime);
      await state.stop();
      expect(await fresh.runtime.store.getCursor('feed', collection())).toMatchObject({ value: seeds[4999].date_added });
    } finally {
      await fresh.close();
    }
  });
});

describe('when the OpenCTI ingestion queue is above the threshold', () => {
  it('holds fetching back until the queue drains, reporting buffering in the ping', async () => {
    const taxii = await startTaxiiServer({ objects: generateObjects(50) });
    const octi = await startOpenCtiServer({ version: '6.4.0', token: OCTI_TOKEN, queueBytes: 800_000_000 });
    const sink = new OpenCtiSink({ url: octi.url, token: OCTI_TOKEN, connectorId: CONNECTOR_ID, queueThresholdMb: 500, queueCheckIntervalMs: 50, pingIntervalMs: 100, logger: silentLogger });
    const harness = await startHarness(buildConfig(rawFor(uniquePrefix('octi-bp'), taxii, octi)), { sinks: [sink] });
    try {
      await harness.start();
      const state = await startStateSync(harness.runtime);
      const pass = syncOnce(harness.runtime, {});
      await new Promise((r) => setTimeout(r, 800));
      expect(taxii.requestsTo('objects')).toHaveLength(0);
      expect(octi.pings.some((p) => p.connectorInfo?.buffering === true)).toBe(true);
      octi.setQueueBytes(0);
      const summary = await pass;
      await state.stop();
      expect(summary.ok).toBe(true);
      expect(octi.objects).toHaveLength(50);
      // 6.4 has no work_id argument: pushes carry none.
      expect(octi.pushes.every((p) => p.workId === undefined || p.workId === null)).toBe(true);
    } finally {
      await harness.close();
      await octi.close();
      await taxii.close();
    }
  });
});

describe('when the platform takes its time over each bundle', () => {
  it('goes on requesting pages while the first bundles are still being pushed', async () => {
    const taxii = await startTaxiiServer({ objects: generateObjects(5000) });
    const octi = await startOpenCtiServer({ token: OCTI_TOKEN, pushDelayMs: 600 });
    const harness = await startHarness(buildConfig(rawFor(uniquePrefix('octi-slow'), taxii, octi)));
    try {
      await harness.start();
      const summary = await syncOnce(harness.runtime, {});
      expect(summary.ok).toBe(true);
      expect(new Set(octi.objects.map((o) => o.id)).size).toBe(5000);
      const pages = taxii.requestsTo('objects').map((r) => r.time);
      expect(pages).toHaveLength(5);
      expect(octi.pushTimes).toHaveLength(5);
      const firstAnswered = Math.min(...octi.pushTimes.map((p) => p.answered));
      // Pages are fetched ahead (max_pages_in_flight, 4 by default) instead of one by one behind each push;
      // and pushes overlap (deliver_concurrency) instead of queueing behind each other.
      expect(pages.filter((t) => t < firstAnswered)).toHaveLength(4);
      const overlapping = octi.pushTimes.filter((p) => p.arrived < firstAnswered);
      expect(overlapping.length).toBeGreaterThan(1);
    } finally {
      await harness.close();
      await octi.close();
      await taxii.close();
    }
  });
});
