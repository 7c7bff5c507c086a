// Several worker processes on one Redis: a worker SIGKILLed mid-run (more than once) is replaced
// and the run finishes with nothing lost; two workers share a run without delivering a bundle twice.
import { syncOnce } from '../../src/pipeline/sync';
import { killWorker, spawnWorker, type ChildWorker } from '../support/child-workers';
import { startStixEndpoint, type StixEndpoint } from '../support/stix-endpoint';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, buildConfig, startHarness, uniquePrefix, type Harness, type RawConfig } from '../support/pipeline-harness';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setup {
  server: TaxiiTestServer;
  endpoint: StixEndpoint;
  harness: Harness;
  raw: RawConfig;
  children: ChildWorker[];
}

async function setup(label: string, objects: number, pageDelayMs: number): Promise<Setup> {
  const server = await startTaxiiServer({ objects: generateObjects(objects), pageDelayMs });
  const endpoint = await startStixEndpoint();
  const raw = baseRawConfig({ prefix: uniquePrefix(label), discoveryUrl: server.url, pageSize: 100 });
  raw.sink = { type: 'http', url: endpoint.url };
  raw.stix = { bundle_max_objects: 50 };
  // The test process only observes: it starts runs and watches them, the children do the work.
  const harness = await startHarness(buildConfig(raw));
  return { server, endpoint, harness, raw, children: [] };
}

async function teardown(s: Setup): Promise<void> {
  for (const c of s.children) await killWorker(c, 'SIGTERM');
  await s.harness.close();
  await s.endpoint.close();
  await s.server.close();
}

async function waitForPages(s: Setup, pages: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const run = await s.harness.runtime.store.getRun('feed', s.server.defaultCollectionId);
    if (run && run.pages >= pages) return;
    await sleep(50);
  }
  throw new Error(`run did not reach ${pages} pages`);
}

describe('when worker processes are killed in the middle of a run', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('kill', 3000, 60);
  });
  afterAll(() => teardown(s));

  it('lets new workers take over the stalled jobs and finish the run with every object delivered', async () => {
    s.children.push(await spawnWorker(s.raw));
    const pass = syncOnce(s.harness.runtime, {});
    await waitForPages(s, 6);
    await killWorker(s.children[0]);
    s.children.push(await spawnWorker(s.raw));
    await waitForPages(s, 14);
    await killWorker(s.children[1]);
    s.children.push(await spawnWorker(s.raw));
    const summary = await pass;
    expect(summary.collections[0].error).toBeUndefined();
    expect(summary.ok).toBe(true);
    const delivered = new Set(s.endpoint.objects.map((o) => o.id));
    expect(delivered.size).toBe(3000);
    expect(summary.totals.delivered).toBeGreaterThanOrEqual(3000);
    expect(await s.harness.runtime.deadLetters.count()).toBe(0);
  });
});

describe('when two worker processes share one Redis', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('two', 2000, 20);
  });
  afterAll(() => teardown(s));

  it('splits the work between them and delivers no bundle twice', async () => {
    s.children.push(await spawnWorker(s.raw), await spawnWorker(s.raw));
    const summary = await syncOnce(s.harness.runtime, {});
    expect(summary.ok).toBe(true);
    const bundleIds = s.endpoint.bundles.map((b) => b.id);
    expect(new Set(bundleIds).size).toBe(bundleIds.length);
    expect(new Set(s.endpoint.objects.map((o) => o.id)).size).toBe(2000);
    expect(s.endpoint.objects).toHaveLength(2000);
    const [a, b] = s.children.map((c) => new Set(c.completed.filter((j) => j.queue === 'deliver').map((j) => j.id)));
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    for (const id of a) expect(b.has(id)).toBe(false);
  });
});
