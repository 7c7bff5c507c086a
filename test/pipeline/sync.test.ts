// End to end through real Redis and a real TAXII server: every valid object reaches the sink, the
// rejected ones are dead-lettered with reasons, and the cursor is the server's, page after page.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunEndSignal, syncOnce } from '../../src/pipeline/sync';
import { generateObjects, startTaxiiServer, type TaxiiSeed, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, buildConfig, idsInFileSink, removeDir, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';

const TOKEN = 'sync-test-token-5d1f';

function badObjects(after: string): TaxiiSeed[] {
  const base = { spec_version: '2.1', created: '2024-01-01T00:00:00Z', modified: '2024-01-01T00:00:00Z' };
  return [
    { date_added: after, object: { ...base, type: 'indicator', id: 'indicator--0b0f6a0e-8a41-4bfb-9e0e-0c4f5b6a7c01', pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' } },
    { date_added: after, object: { ...base, type: 'malware', id: 'malware--not-a-uuid', name: 'x', is_family: true } },
    { date_added: after, object: { ...base, type: 'indicator', id: 'indicator--0b0f6a0e-8a41-4bfb-9e0e-0c4f5b6a7c02', pattern: "[ipv4-addr:value = '1.2.3.4'", pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' } },
  ];
}

describe('sync --once over a 10,000 object collection', () => {
  let server: TaxiiTestServer;
  let harness: Harness;
  let sinkDir: string;
  const seeds = generateObjects(10_000);
  const bad = badObjects('2024-01-01T00:00:05.000001Z');

  beforeAll(async () => {
    server = await startTaxiiServer({ objects: [...seeds, ...bad], auth: { type: 'bearer', token: TOKEN } });
    sinkDir = mkdtempSync(join(tmpdir(), 'taxii-sync-'));
    const config = buildConfig(baseRawConfig({ prefix: uniquePrefix('sync'), discoveryUrl: server.url, token: TOKEN, sinkDir, pageSize: 400 }));
    harness = await startHarness(config);
    await harness.start();
  });

  afterAll(async () => {
    await harness.close();
    await server.close();
    removeDir(sinkDir);
  });

  it('delivers every valid object, dead-letters the rejected ones, and sets the cursor from the server', async () => {
    const summary = await syncOnce(harness.runtime, {});
    expect(summary.ok).toBe(true);
    const ids = idsInFileSink(sinkDir);
    for (const s of seeds) expect(ids.has(s.object.id as string)).toBe(true);
    expect(ids.size).toBe(seeds.length);
    expect(summary.totals).toMatchObject({ fetched: seeds.length + bad.length, delivered: seeds.length, rejected: bad.length, deadLettered: 0 });

    const entries = await harness.runtime.deadLetters.list();
    const rejections = entries.flatMap((e) => e.entry.rejections ?? []);
    expect(rejections.map((r) => r.reason).sort()).toEqual(['INVALID_ID', 'MISSING_PROPERTY', 'PATTERN_SYNTAX']);

    const objectRequests = server.requestsTo('objects');
    const lastHeader = objectRequests.length;
    expect(lastHeader).toBeGreaterThanOrEqual(Math.ceil((seeds.length + bad.length) / 400));
    const newest = [...seeds, ...bad].map((s) => s.date_added).sort().at(-1);
    const cursor = await harness.runtime.store.getCursor('feed', server.defaultCollectionId);
    expect(cursor).toMatchObject({ value: newest, exact: true });
  });

  it('fetches nothing on a second pass', async () => {
    const before = server.requestsTo('objects').length;
    const summary = await syncOnce(harness.runtime, {});
    expect(summary.ok).toBe(true);
    expect(summary.totals.fetched).toBe(0);
    const requests = server.requestsTo('objects').slice(before);
    expect(requests).toHaveLength(1);
    // A run that reached the end resumes exactly after the cursor: no overlap, nothing re-fetched.
    const newest = [...seeds, ...bad].map((x) => x.date_added).sort().at(-1);
    expect(requests[0].query.added_after).toBe(newest);
  });

  it('fetches exactly the objects added afterwards on the next pass', async () => {
    const later = generateObjects(120, { startDate: '2025-06-01T00:00:00.000000Z', seed: 7 });
    server.addObjects(server.defaultCollectionId, later);
    const summary = await syncOnce(harness.runtime, {});
    expect(summary.ok).toBe(true);
    expect(summary.totals.fetched).toBe(later.length);
    const ids = idsInFileSink(sinkDir);
    // The generator's first object is the same author identity in every batch: written once per batch.
    for (const s of later) expect(ids.get(s.object.id as string)).toBe(s.object.type === 'identity' ? 2 : 1);
    const cursor = await harness.runtime.store.getCursor('feed', server.defaultCollectionId);
    expect(cursor?.value).toBe(later.at(-1)?.date_added);
  });
});

describe('when a run ends in the process that waits for it', () => {
  it('is told at once, without waiting for the next look at Redis', async () => {
    const server = await startTaxiiServer({ objects: generateObjects(600), auth: { type: 'bearer', token: TOKEN } });
    const sinkDir = mkdtempSync(join(tmpdir(), 'taxii-sync-'));
    const ended = new RunEndSignal();
    const harness = await startHarness(buildConfig(baseRawConfig({ prefix: uniquePrefix('sync-ended'), discoveryUrl: server.url, token: TOKEN, sinkDir, pageSize: 200 })), {
      observer: { runEnded: () => ended.notify() },
    });
    try {
      await harness.start();
      const started = Date.now();
      // Runs are looked at once a minute: only the signal can end this within the test's time.
      const summary = await syncOnce(harness.runtime, {}, { ended, pollMs: 60_000 });
      expect(summary).toMatchObject({ ok: true, totals: { delivered: 600 } });
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await harness.close();
      await server.close();
      removeDir(sinkDir);
    }
  });
});

describe('RunEndSignal', () => {
  it('wakes a wait, keeps an end no wait saw for the next one, and otherwise waits its time', async () => {
    const signal = new RunEndSignal();
    const t0 = Date.now();
    const woken = signal.wait(60_000);
    signal.notify();
    await woken;
    signal.notify(); // nobody waits: the next wait returns at once
    await signal.wait(60_000);
    expect(Date.now() - t0).toBeLessThan(1000);
    const t1 = Date.now();
    await signal.wait(50);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(45);
  });
});
