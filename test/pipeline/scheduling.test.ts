// Scheduling and flow control: one job scheduler per (source, collection), removed with its source;
// a tick that finds the previous run going is skipped and counted; several sinks each get their own
// deliveries, and pages run ahead of the cursor by at most max_pages_in_flight.
import { startRun } from '../../src/pipeline/fetch-worker';
import { resolveTargets, syncSchedulers } from '../../src/pipeline/scheduler';
import { syncOnce } from '../../src/pipeline/sync';
import { startStixEndpoint, type StixEndpoint } from '../support/stix-endpoint';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, buildConfig, idsInFileSink, removeDir, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';

const A = '5a0c7f1e-2b3d-4c5e-8f9a-0b1c2d3e4f5a';
const B = '6b1d8e2f-3c4e-4d6f-9a0b-1c2d3e4f5a6b';

describe('job schedulers', () => {
  let server: TaxiiTestServer;
  let harness: Harness;
  beforeAll(async () => {
    server = await startTaxiiServer({ collections: [{ id: A, title: 'Alpha' }, { id: B, title: 'Beta' }] });
    const raw = baseRawConfig({ prefix: uniquePrefix('sched'), discoveryUrl: server.url });
    raw.connector = { duration_period: 'PT15M' };
    harness = await startHarness(buildConfig(raw));
  });
  afterAll(async () => {
    await harness.close();
    await server.close();
  });

  it('keeps one scheduler per collection, every duration_period, and removes those no longer configured', async () => {
    const { runtime } = harness;
    const stale = 'poll.gone.1234';
    await runtime.queues.fetch.upsertJobScheduler(stale, { every: 60_000 }, { name: 'poll', data: {} });
    const resolved = await resolveTargets(runtime);
    expect(resolved.targets.map((t) => t.title).sort()).toEqual(['Alpha', 'Beta']);
    await syncSchedulers(runtime, resolved);
    await syncSchedulers(runtime, resolved); // idempotent
    const schedulers = await runtime.queues.fetch.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key).sort()).toEqual([`poll.feed.${A}`, `poll.feed.${B}`]);
    expect(schedulers.every((s) => s.every === 15 * 60_000)).toBe(true);
    expect(schedulers.find((s) => s.key === `poll.feed.${A}`)?.template?.data).toEqual({ v: 1, source: 'feed', collection: A, apiRoot: server.apiRootUrl, title: 'Alpha' });
  });

  it('skips and counts a tick while the previous run of the collection is still going', async () => {
    const { runtime } = harness;
    const data = { v: 1, source: 'feed', collection: A, apiRoot: server.apiRootUrl, title: 'Alpha' };
    const first = await startRun(runtime, { id: 'tick-1', data } as unknown as Job);
    const second = await startRun(runtime, { id: 'tick-2', data } as unknown as Job);
    expect(first.skipped).toBe(false);
    expect(second).toEqual({ runId: first.runId, skipped: true });
    expect(await runtime.store.getStats('feed', A)).toMatchObject({ runs: 1, skippedTicks: 1 });
    // The same tick delivered twice (a crash after starting) resumes its run instead of skipping.
    expect(await startRun(runtime, { id: 'tick-1', data } as unknown as Job)).toEqual({ runId: first.runId, skipped: false });
  });
});

describe('with two sinks', () => {
  let server: TaxiiTestServer;
  let endpoint: StixEndpoint;
  let harness: Harness;
  let sinkDir: string;
  const seeds = generateObjects(400);
  beforeAll(async () => {
    server = await startTaxiiServer({ objects: seeds });
    endpoint = await startStixEndpoint();
    sinkDir = mkdtempSync(join(tmpdir(), 'taxii-two-sinks-'));
    const raw = baseRawConfig({ prefix: uniquePrefix('sinks'), discoveryUrl: server.url, pageSize: 100 });
    delete raw.sink;
    raw.sinks = [{ type: 'file', path: sinkDir }, { type: 'http', name: 'soc', url: endpoint.url }];
    raw.pipeline = { ...(raw.pipeline as object), max_attempts: 30, backoff_max_ms: 50 };
    harness = await startHarness(buildConfig(raw));
    await harness.start();
  });
  afterAll(async () => {
    await harness.close();
    await endpoint.close();
    await server.close();
    removeDir(sinkDir);
  });

  it("delivers to each once; one sink's outage neither blocks nor duplicates the other's deliveries", async () => {
    endpoint.replyNext({ status: 503, times: 12 });
    const pass = syncOnce(harness.runtime, {}, { pollMs: 20 });
    // The file sink has everything while the HTTP sink is still failing.
    for (let i = 0; i < 200 && idsInFileSink(sinkDir).size < seeds.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(idsInFileSink(sinkDir).size).toBe(seeds.length);
    const summary = await pass;
    expect(summary.ok).toBe(true);
    expect([...idsInFileSink(sinkDir).values()].every((n) => n === 1)).toBe(true);
    expect(endpoint.objects).toHaveLength(seeds.length);
    expect(new Set(endpoint.bundles.map((b) => b.id)).size).toBe(endpoint.bundles.length);
    expect(summary.totals.delivered).toBe(2 * seeds.length);
  });
});

describe('flow control', () => {
  it('never runs more than max_pages_in_flight pages ahead of the cursor', async () => {
    const server = await startTaxiiServer({ objects: generateObjects(600) });
    const endpoint = await startStixEndpoint();
    const raw = baseRawConfig({ prefix: uniquePrefix('inflight'), discoveryUrl: server.url, pageSize: 20 });
    raw.sink = { type: 'http', url: endpoint.url };
    raw.pipeline = { ...(raw.pipeline as object), max_pages_in_flight: 2, max_attempts: 100, backoff_max_ms: 30 };
    const harness = await startHarness(buildConfig(raw));
    try {
      await harness.start();
      endpoint.replyNext({ status: 503, times: 40 }); // slow deliveries down
      let ahead = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const run = await harness.runtime.store.getRun('feed', server.defaultCollectionId);
          if (run?.status === 'running') ahead = Math.max(ahead, run.pages - (run.doneUpTo + 1));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const summary = await syncOnce(harness.runtime, {}, { pollMs: 20 });
      sampling = false;
      await sampler;
      expect(summary.ok).toBe(true);
      expect(summary.totals.pages).toBe(30);
      expect(ahead).toBeGreaterThan(0);
      expect(ahead).toBeLessThanOrEqual(2);
      // Pages held at the gate do not use up their tokens: every page after the first is asked
      // for once, with its `next`, never by a resume from added_after.
      const requests = server.requestsTo('objects');
      expect(requests).toHaveLength(30);
      expect(requests.slice(1).every((r) => typeof r.query.next === 'string')).toBe(true);
    } finally {
      await harness.close();
      await endpoint.close();
      await server.close();
    }
  });
});
