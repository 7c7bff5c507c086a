// Secrets stay secret through a sync full of failures: with a distinctive TAXII bearer token and
// OpenCTI token, after 503s and 429s that echo the token back, a 401, a sink that fails, a bundle
// the platform refuses and objects the validator rejects, neither token appears in any log line,
// any Redis key or value under the prefix (every type read), any dead-letter entry, any error
// message, the ops server's pages (dashboard API, status, metrics) or the real CLI's output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { createLogger } from '../../src/log';
import { startStateSync } from '../../src/pipeline/platform-state';
import { syncOnce, type SyncSummary } from '../../src/pipeline/sync';
import { get, startOpsHarness, type OpsHarness } from '../ops/ops-harness';
import { startOpenCtiServer, type OpenCtiTestServer } from '../support/opencti-server';
import { baseRawConfig, buildConfig, removeDir, uniquePrefix } from '../support/pipeline-harness';
import { recordFigures } from '../support/reliability-figures';
import { dropPrefix, REDIS_URL } from '../support/redis-prefix';
import { runCli } from '../support/run-cli';
import { generateObjects, startTaxiiServer, type TaxiiSeed, type TaxiiTestServer } from '../support/taxii-server';

jest.setTimeout(90_000);

const TAXII_TOKEN = 'S3CR3T-7f3a9c41-TAXII-TOKEN';
const OCTI_TOKEN = 'S3CR3T-51d2e8b7-OCTI-TOKEN';
const SECRETS = [TAXII_TOKEN, OCTI_TOKEN, Buffer.from(TAXII_TOKEN).toString('base64'), Buffer.from(OCTI_TOKEN).toString('base64')];
const CONNECTOR_ID = '2f6b8e1c-7a4d-4c3b-9e5f-0a1b2c3d4e5f';

/** The secrets found in a text (none expected). */
const leaks = (text: string): string[] => SECRETS.filter((s) => text.includes(s));

/** An error body that repeats the credentials back, as some gateways do. */
const ECHO = { title: 'Upstream failure', description: `request with Authorization: Bearer ${TAXII_TOKEN} failed (token ${TAXII_TOKEN})`, http_status: '503' };

function badObjects(at: string): TaxiiSeed[] {
  const base = { spec_version: '2.1', created: '2024-01-01T00:00:00Z', modified: '2024-01-01T00:00:00Z' };
  return [
    { date_added: at, object: { ...base, type: 'malware', id: 'malware--not-a-uuid', name: 'bad id', is_family: true } },
    { date_added: at, object: { ...base, type: 'indicator', id: 'indicator--0b0f6a0e-8a41-4bfb-9e0e-0c4f5b6a7c02', pattern: "[ipv4-addr:value = '1.2.3.4'", pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' } },
  ];
}

interface Dump {
  keys: number;
  byType: Record<string, number>;
  text: string;
}

/** Every key under the prefix, read whole whatever its type, as one text. */
async function dumpPrefix(redis: Redis, prefix: string): Promise<Dump> {
  const out: string[] = [];
  const byType: Record<string, number> = {};
  let cursor = '0';
  let keys = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const key of batch) {
      keys += 1;
      const type = await redis.type(key);
      byType[type] = (byType[type] ?? 0) + 1;
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = `(unread type ${type})`;
      out.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return { keys, byType, text: out.join('\n') };
}

describe('when a sync with failures everywhere runs with distinctive tokens', () => {
  let taxii: TaxiiTestServer;
  let octi: OpenCtiTestServer;
  let h: OpsHarness;
  const lines: string[] = [];
  const seeds = generateObjects(400);
  const bad = badObjects('2024-01-01T00:00:00.300500Z');
  const refusedId = String(seeds[123]!.object.id);
  const later = generateObjects(60, { startDate: '2025-01-01T00:00:00.000000Z', seed: 4 }).slice(1);
  const summaries: SyncSummary[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-secrets-'));

  beforeAll(async () => {
    taxii = await startTaxiiServer({ objects: [...seeds, ...bad], auth: { type: 'bearer', token: TAXII_TOKEN } });
    octi = await startOpenCtiServer({ token: OCTI_TOKEN, failPushes: 2, failStatus: 400, invalidBundleIds: new Set([refusedId]) });
    const raw = baseRawConfig({ prefix: uniquePrefix('rel-secrets'), discoveryUrl: taxii.url, token: TAXII_TOKEN, pageSize: 50 });
    raw.connector = { id: CONNECTOR_ID, name: 'Secrets test', log_level: 'debug' };
    raw.opencti = { url: octi.url, token: OCTI_TOKEN, ping_interval_secs: 0.2 };
    raw.sink = { type: 'opencti' };
    raw.stix = { bundle_max_objects: 25 };
    raw.pipeline = { ...(raw.pipeline as object), max_attempts: 5 };
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    h = await startOpsHarness(buildConfig(raw), { runtime: { logger: createLogger({ level: 'debug', stream }) } });
    await h.start();
    const state = await startStateSync(h.runtime);
    // Pass 1: two 503s echoing the token, then a 429, on the first page; sink failures; a bundle the
    // platform refuses; objects the validator rejects.
    taxii.setFault({ kind: 'status', status: 503, body: ECHO, on: 'objects', times: 2 });
    taxii.addFault({ kind: '429', retryAfterSecs: 1, on: 'objects', skip: 2, times: 1 });
    summaries.push(await syncOnce(h.runtime, {}, { pollMs: 25 }));
    // Pass 2: the server refuses the token on a page and says so with the token in the body.
    taxii.clearFaults();
    taxii.addObjects(taxii.defaultCollectionId, later);
    taxii.setFault({ kind: 'status', status: 401, body: { ...ECHO, title: 'Unauthorized', http_status: '401' }, on: 'objects', skip: 0, times: 1 });
    summaries.push(await syncOnce(h.runtime, {}, { pollMs: 25 }));
    // Pass 3: the collection listing itself is refused.
    taxii.setFault({ kind: 'status', status: 401, body: { ...ECHO, title: 'Unauthorized', http_status: '401' }, on: 'collections', times: 1 });
    summaries.push(await syncOnce(h.runtime, {}, { pollMs: 25 }));
    taxii.clearFaults();
    await state.flush();
    await state.stop();
  });

  afterAll(async () => {
    await h.close();
    await octi.close();
    await taxii.close();
    removeDir(dir);
  });

  it('went through the failures it was meant to (503, 429, 401, sink errors, refusals, rejections)', async () => {
    const statuses = new Set(taxii.requests.map((r) => r.status));
    for (const s of [503, 429, 401]) expect(statuses).toContain(s);
    expect(octi.requests.filter((r) => r.status === 400)).toHaveLength(2);
    const kinds = (await h.runtime.deadLetters.list()).map((e) => e.entry.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['bundle', 'page', 'rejected']));
    expect(summaries.map((s) => s.ok)).toEqual([true, false, false]);
    expect(lines.length).toBeGreaterThan(20);
  });

  it('writes neither token in any log line', () => {
    const leaking = lines.filter((l) => leaks(l).length > 0);
    expect(leaking).toEqual([]);
  });

  it('keeps neither token in any Redis key or value under the prefix', async () => {
    const dump = await dumpPrefix(h.runtime.redis, h.prefix);
    expect(dump.keys).toBeGreaterThan(10);
    expect(leaks(dump.text)).toEqual([]);
    expect(dump.text).not.toContain('S3CR3T');
    recordFigures('secrets: Redis scan', { keys: dump.keys, types: Object.entries(dump.byType).map(([t, n]) => `${t}:${n}`).join(' '), logLines: lines.length, leaks: leaks(dump.text).length });
  });

  it('keeps neither token in dead-letter entries or error messages', async () => {
    const entries = await h.runtime.deadLetters.list();
    expect(leaks(JSON.stringify(entries))).toEqual([]);
    const errors = summaries.flatMap((s) => s.collections.map((c) => c.error ?? ''));
    expect(errors.filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(leaks(errors.join('\n'))).toEqual([]);
    const last = await h.runtime.store.getLastRun('feed', taxii.defaultCollectionId);
    expect(leaks(JSON.stringify(last))).toEqual([]);
    const failedJobs = [...(await h.runtime.queues.fetch.getFailed()), ...(await h.runtime.queues.deliver.getFailed())];
    expect(failedJobs.length).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(failedJobs.map((j) => ({ reason: j.failedReason, stack: j.stacktrace, data: j.data }))))).toEqual([]);
  });

  it('serves neither token on the dashboard, its API, /status, /status.json, /metrics or /readyz', async () => {
    const paths = ['/dashboard', '/status', '/status.json', '/metrics', '/readyz'];
    for (const queue of ['fetch', 'deliver', 'dead-letter']) {
      for (const status of ['latest', 'failed', 'completed', 'waiting', 'delayed', 'active']) paths.push(`/dashboard/api/queues?activeQueue=${queue}&status=${status}&page=1`);
    }
    let bytes = 0;
    for (const path of paths) {
      const reply = await get(`${h.ops.url}${path}`, { accept: path === '/status' ? 'text/html' : undefined });
      expect({ path, status: reply.status }).toEqual({ path, status: 200 });
      bytes += reply.text.length;
      expect({ path, leaks: leaks(reply.text) }).toEqual({ path, leaks: [] });
    }
    recordFigures('secrets: ops pages', { pages: paths.length, bytes });
  });

  it('prints neither token from the real CLI: sync --once at debug level, dlq list, config check', async () => {
    const prefix = uniquePrefix('rel-secrets-cli');
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      stringify({
        connector: { id: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'Secrets CLI', log_level: 'debug' },
        redis: { url: REDIS_URL, prefix },
        sources: [{ name: 'feed', discovery_url: taxii.url, auth: { type: 'bearer', token: '${FEED_TOKEN}' }, page_size: 100, added_after: '2000-01-01T00:00:00Z' }],
        opencti: { url: octi.url, token_file: join(dir, 'octi-token') },
        sink: { type: 'opencti' },
        pipeline: { backoff_base_ms: 20, backoff_max_ms: 100, max_attempts: 3, lock_duration_secs: 2 },
      }),
    );
    writeFileSync(join(dir, 'octi-token'), `${OCTI_TOKEN}\n`);
    try {
      taxii.setFault({ kind: 'status', status: 503, body: ECHO, on: 'objects', skip: 1 });
      const env = { FEED_TOKEN: TAXII_TOKEN };
      const runs = [
        await runCli(['--config', file, 'sync', '--once'], { env, timeoutMs: 60_000 }),
        await runCli(['--config', file, 'dlq', 'list', '--json'], { env }),
        await runCli(['--config', file, 'config', 'check'], { env }),
      ];
      taxii.clearFaults();
      expect(runs.map((r) => r.code)).toEqual([1, 0, 0]);
      expect(runs[0]!.stderr.split('\n').length).toBeGreaterThan(5);
      expect(runs[1]!.stdout).toContain('TAXII_HTTP_503');
      for (const r of runs) expect(leaks(`${r.stdout}\n${r.stderr}`)).toEqual([]);
    } finally {
      taxii.clearFaults();
      await dropPrefix(prefix);
    }
  });
});
