// Crash-safety of the cursor: runs that end half-way resume without losing objects that share the
// boundary date_added, a used `next` token is never sent again, and server loops end a run cleanly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { startRun } from '../../src/pipeline/fetch-worker';
import { syncOnce } from '../../src/pipeline/sync';
import { shiftTimestamp } from '../../src/taxii';
import { generateObjects, startTaxiiServer, type TaxiiFault, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, buildConfig, idsInFileSink, removeDir, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';

interface Setup {
  server: TaxiiTestServer;
  harness: Harness;
  sinkDir: string;
}

async function setup(label: string, serverOptions: Parameters<typeof startTaxiiServer>[0], pageSize: number): Promise<Setup> {
  const server = await startTaxiiServer(serverOptions);
  const sinkDir = mkdtempSync(join(tmpdir(), `taxii-${label}-`));
  const harness = await startHarness(buildConfig(baseRawConfig({ prefix: uniquePrefix(label), discoveryUrl: server.url, sinkDir, pageSize })));
  await harness.start();
  return { server, harness, sinkDir };
}

async function teardown(s: Setup): Promise<void> {
  await s.harness.close();
  await s.server.close();
  removeDir(s.sinkDir);
}

describe('when a run fails with page boundaries inside groups sharing one date_added', () => {
  let s: Setup;
  const seeds = generateObjects(301, { sameDateGroups: 7 });
  beforeAll(async () => {
    s = await setup('boundary', { objects: seeds }, 10);
  });
  afterAll(() => teardown(s));

  it('keeps the cursor at the last finished page, then resumes with overlap and loses nothing', async () => {
    s.server.setFault({ kind: 'status', status: 400, on: 'objects', skip: 12 });
    const failed = await syncOnce(s.harness.runtime, {});
    expect(failed.ok).toBe(false);
    expect(failed.collections[0].error).toMatch(/TAXII_HTTP_400/);
    const cursor = await s.harness.runtime.store.getCursor('feed', s.server.defaultCollectionId);
    // 12 pages of 10 were delivered: the cursor is the 120th object's date_added, inside a group of 7.
    expect(cursor).toMatchObject({ value: seeds[119].date_added, exact: false });
    expect(seeds[120].date_added).toBe(seeds[119].date_added);
    expect((await s.harness.runtime.deadLetters.list()).map((e) => e.entry.kind)).toEqual(['page']);

    s.server.clearFaults();
    const before = s.server.requestsTo('objects').length;
    const resumed = await syncOnce(s.harness.runtime, {});
    expect(resumed.ok).toBe(true);
    expect(s.server.requestsTo('objects')[before].query.added_after).toBe(shiftTimestamp(seeds[119].date_added, -1));
    const ids = idsInFileSink(s.sinkDir);
    for (const seed of seeds) expect(ids.has(seed.object.id as string)).toBe(true);
    expect(await s.harness.runtime.store.getCursor('feed', s.server.defaultCollectionId)).toMatchObject({ value: seeds.at(-1)?.date_added, exact: true });
  });
});

describe('when a request carrying a server-side next cursor fails', () => {
  let s: Setup;
  const seeds = generateObjects(200);
  beforeAll(async () => {
    s = await setup('next', { objects: seeds, nextMode: 'cursor' }, 20);
  });
  afterAll(() => teardown(s));

  it.each<[string, TaxiiFault]>([
    ['a connection reset', { kind: 'reset', on: 'objects', skip: 3, times: 1 }],
    ['a 503', { kind: '5xx', status: 503, on: 'objects', skip: 5, times: 1 }],
  ])("never re-sends the failed request's token after %s, and delivers everything", async (_name, fault) => {
    await s.harness.runtime.store.resetCursor('feed', s.server.defaultCollectionId);
    const before = s.server.requestsTo('objects').length;
    s.server.setFault(fault);
    const summary = await syncOnce(s.harness.runtime, {});
    expect(summary.collections[0].error).toBeUndefined();
    expect(summary.ok).toBe(true);
    const requests = s.server.requestsTo('objects').slice(before);
    const failedAt = requests.findIndex((r) => r.status !== 200);
    const failed = requests[failedAt];
    expect(failed.query.next).toBeDefined();
    // The failed request's token is never sent again; the retry resumes from added_after.
    expect(requests.slice(failedAt + 1).some((r) => r.query.next === failed.query.next)).toBe(false);
    expect(requests[failedAt + 1].query.next).toBeUndefined();
    expect(requests[failedAt + 1].query.added_after).not.toBe(failed.query.added_after);
    const ids = idsInFileSink(s.sinkDir);
    for (const seed of seeds) expect(ids.has(seed.object.id as string)).toBe(true);
  });
});

describe('when the server says more without a next token (TAXII 2.1 §3.4)', () => {
  let s: Setup;
  const seeds = generateObjects(100);
  beforeAll(async () => {
    s = await setup('morenonext', { objects: seeds }, 10);
  });
  afterAll(() => teardown(s));

  it('goes on with added_after = X-TAXII-Date-Added-Last and delivers everything', async () => {
    s.server.setFault({ kind: 'more-without-next', on: 'objects', skip: 1, times: 3 });
    const summary = await syncOnce(s.harness.runtime, {});
    expect(summary.ok).toBe(true);
    const requests = s.server.requestsTo('objects');
    expect(requests[2].query.next).toBeUndefined();
    expect(requests[2].query.added_after).toBe(seeds[19].date_added);
    const ids = idsInFileSink(s.sinkDir);
    for (const seed of seeds) expect(ids.has(seed.object.id as string)).toBe(true);
  });
});

describe('when the TAXII server loops', () => {
  let s: Setup;
  const seeds = generateObjects(100);
  beforeAll(async () => {
    s = await setup('loop', { objects: seeds }, 10);
  });
  afterAll(() => teardown(s));

  it.each<[string, TaxiiFault, string]>([
    ['more without next up to an empty page', { kind: 'more-without-next', on: 'objects', skip: 2 }, 'TAXII_LOOP_MORE_WITHOUT_NEXT'],
    ['a repeated next', { kind: 'repeat-next', on: 'objects', skip: 2 }, 'TAXII_LOOP_REPEATED_NEXT'],
    ['the same page again', { kind: 'repeat-page', on: 'objects', skip: 2 }, 'TAXII_LOOP_IDENTICAL_PAGE'],
  ])('ends the run on %s with a clear error and a cursor that never passes what was delivered', async (_name, fault, code) => {
    await s.harness.runtime.store.resetCursor('feed', s.server.defaultCollectionId);
    s.server.setFault(fault);
    const before = s.server.requestsTo('objects').length;
    const summary = await syncOnce(s.harness.runtime, {});
    s.server.clearFaults();
    expect(summary.ok).toBe(false);
    expect(summary.collections[0].error).toContain(code);
    // The page that tripped the guard was the run's last request: the next page's job, enqueued
    // with the page, never asked for anything.
    const tripped = Number(/page (\d+)/.exec(summary.collections[0].error ?? '')?.[1]);
    expect(tripped).toBeGreaterThan(0);
    expect(s.server.requestsTo('objects').length - before).toBe(tripped + 1);
    const cursor = await s.harness.runtime.store.getCursor('feed', s.server.defaultCollectionId);
    const delivered = idsInFileSink(s.sinkDir);
    // Everything up to the cursor was delivered.
    for (const seed of seeds.filter((x) => cursor && x.date_added <= cursor.value)) expect(delivered.has(seed.object.id as string)).toBe(true);
    expect(cursor?.exact).not.toBe(true);
  });
});

describe('when a worker dies after receiving a page and before normalizing it', () => {
  it('normalizes the stored envelope without asking the server again, and loses nothing', async () => {
    const seeds = generateObjects(60);
    const server = await startTaxiiServer({ objects: seeds, nextMode: 'cursor' });
    const sinkDir = mkdtempSync(join(tmpdir(), 'taxii-received-'));
    const harness = await startHarness(buildConfig(baseRawConfig({ prefix: uniquePrefix('received'), discoveryUrl: server.url, sinkDir, pageSize: 20 })));
    try {
      const { runtime } = harness;
      const collection = server.defaultCollectionId;
      // The run starts and its first page is received and stored, as a worker would before dying.
      const [target] = (await runtime.reader('feed').resolveCollections(['*']));
      const { runId } = await startRun(runtime, { id: 'tick', data: { v: 1, source: 'feed', collection, apiRoot: target.apiRootUrl, title: target.title } } as unknown as Job);
      const run = await runtime.store.getRun('feed', collection);
      const page = await runtime.pageSource('feed').fetchPage({ apiRoot: target.apiRootUrl, collection, addedAfter: run?.startAfter });
      const envelope = JSON.parse(page.body.toString('utf8')) as { more?: boolean; next?: string };
      expect(envelope.more).toBe(true);
      await runtime.store.recordFetched('feed', collection, { runId: runId as string, page: 0, last: page.dateAddedLast, final: false, next: envelope.next, addedAfter: run?.startAfter, body: page.body });
      const requestsBefore = server.requestsTo('objects').length;

      // A new worker takes the page job over.
      await harness.start();
      for (let i = 0; i < 200 && (await runtime.store.getRun('feed', collection))?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await runtime.store.getRun('feed', collection))?.status).toBe('done');
      const requests = server.requestsTo('objects').slice(requestsBefore);
      expect(requests).toHaveLength(2); // pages 1 and 2: page 0 was never asked for again
      expect(requests.every((r) => r.query.next === envelope.next)).toBe(true);
      const ids = idsInFileSink(sinkDir);
      for (const seed of seeds) expect(ids.has(seed.object.id as string)).toBe(true);
    } finally {
      await harness.close();
      await server.close();
      removeDir(sinkDir);
    }
  });
});
