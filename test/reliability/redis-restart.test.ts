// Redis going away in the middle of a run: a redis-server of the test's own (append-only file in a
// temp folder) is stopped while pages are being fetched and delivered, kept down for a while, and
// started again on the same port with the same files. The workers reconnect by themselves and the
// run completes with every object delivered; the outage is told through the logger.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { syncOnce } from '../../src/pipeline/sync';
import { baseRawConfig, buildConfig, idsInFileSink, removeDir, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';
import { recordFigures } from '../support/reliability-figures';
import { startPrivateRedis, type PrivateRedis } from '../support/reliability-redis';
import { waitFor } from '../support/reliability-setup';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';

jest.setTimeout(90_000);

const DOWN_MS = 1500;
const OBJECTS = 2000;
const PAGE = 100;

/** Log lines of every scenario below, and what went to console.error instead of the logger. */
const logLines: string[] = [];
let consoleErrors: jest.SpyInstance;
beforeAll(() => {
  consoleErrors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterAll(() => consoleErrors.mockRestore());

describe.each<[string, 'shutdown' | 'kill', 'everysec' | 'always']>([
  ['shut down (SHUTDOWN, AOF saved)', 'shutdown', 'everysec'],
  ['killed (SIGKILL, appendfsync always)', 'kill', 'always'],
  ['killed (SIGKILL, appendfsync everysec)', 'kill', 'everysec'],
])('when Redis is %s in the middle of a run and restarted', (_label, how, appendfsync) => {
  let redis: PrivateRedis;
  let server: TaxiiTestServer;
  let harness: Harness;
  let sinkDir: string;
  const lines: string[] = [];
  const seeds = generateObjects(OBJECTS);

  beforeAll(async () => {
    redis = await startPrivateRedis({ appendfsync });
    server = await startTaxiiServer({ objects: seeds, pageDelayMs: 60 });
    sinkDir = mkdtempSync(join(tmpdir(), 'taxii-rel-redis-sink-'));
    const raw = baseRawConfig({ prefix: uniquePrefix('rel-redis'), discoveryUrl: server.url, sinkDir, pageSize: PAGE });
    raw.redis = { url: redis.url, prefix: (raw.redis as { prefix: string }).prefix };
    raw.pipeline = { ...(raw.pipeline as object), max_attempts: 10 };
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    harness = await startHarness(buildConfig(raw), { logger: createLogger({ level: 'warn', stream }) });
    await harness.start();
  });

  afterAll(async () => {
    // Whatever happened, Redis is up before the workers close (they would wait for it), then gone.
    await redis.start().catch(() => undefined);
    await harness?.close();
    await server?.close();
    await redis?.dispose();
    removeDir(sinkDir);
    logLines.push(...lines);
  });

  it('reconnects and completes the run with every object delivered', async () => {
    const { store } = harness.runtime;
    const collection = server.defaultCollectionId;
    const pass = syncOnce(harness.runtime, {}, { pollMs: 50 });
    await waitFor('five pages', async () => ((await store.getRun('feed', collection))?.pages ?? 0) >= 5);
    const pagesBefore = (await store.getRun('feed', collection))!.pages;
    await redis.stop(how);
    const requestsWhileDown = server.requestsTo('objects').length;
    await new Promise((r) => setTimeout(r, DOWN_MS));
    const requestsDuringOutage = server.requestsTo('objects').length - requestsWhileDown;
    const restarted = Date.now();
    await redis.start();
    await waitFor('a page after the restart', async () => ((await store.getRun('feed', collection))?.pages ?? 0) > pagesBefore, 30_000);
    const firstPageAfterMs = Date.now() - restarted;
    const summary = await pass;
    const completedAfterMs = Date.now() - restarted;
    expect(summary.collections[0]?.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    const ids = idsInFileSink(sinkDir);
    expect(seeds.filter((s) => !ids.has(String(s.object.id)))).toEqual([]);
    expect((await store.getCursor('feed', collection))?.value).toBe(seeds.at(-1)!.date_added);
    const redisWarnings = lines.filter((l) => /redis connection error|worker connection error/.test(l)).length;
    recordFigures(`Redis ${how} mid-run (appendfsync ${appendfsync})`, {
      pagesBeforeStop: pagesBefore,
      downMs: DOWN_MS,
      objectRequestsWhileDown: requestsDuringOutage,
      firstPageAfterRestartMs: firstPageAfterMs,
      completedAfterRestartMs: completedAfterMs,
      connectionWarnings: redisWarnings,
      delivered: ids.size,
      expected: OBJECTS,
      duplicates: summary.totals.fetched - OBJECTS,
    });
  });
});

describe('after the outages above', () => {
  it('told of them through the logger only, as warnings (no raw console output)', () => {
    expect(logLines.filter((l) => /redis connection error|worker connection error/.test(l)).length).toBeGreaterThan(0);
    expect(consoleErrors.mock.calls.map((c) => String(c[0]).split('\n')[0])).toEqual([]);
  });
});
