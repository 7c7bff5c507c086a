// /status after a sync: per collection the cursor, the last run and its counts, as JSON and as a
// self-contained HTML page that escapes whatever the feed named its collection, and no secret.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusReport } from '../../src/ops/status';
import { syncOnce } from '../../src/pipeline/sync';
import { baseRawConfig, buildConfig, removeDir, uniquePrefix } from '../support/pipeline-harness';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { get, startOpsHarness, type OpsHarness } from './ops-harness';

const TOKEN = 'status-feed-token-31c7a0';
const COLLECTION = '5e1f2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const HOSTILE_TITLE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

describe('when an operator opens /status after a sync', () => {
  let server: TaxiiTestServer;
  let h: OpsHarness;
  let sinkDir: string;
  const seeds = generateObjects(250);

  beforeAll(async () => {
    server = await startTaxiiServer({ collections: [{ id: COLLECTION, title: HOSTILE_TITLE, objects: seeds }], auth: { type: 'bearer', token: TOKEN } });
    sinkDir = mkdtempSync(join(tmpdir(), 'taxii-ops-status-'));
    h = await startOpsHarness(buildConfig(baseRawConfig({ prefix: uniquePrefix('ops-status'), discoveryUrl: server.url, token: TOKEN, sinkDir, pageSize: 100 })));
    await h.start();
    expect((await syncOnce(h.runtime, {})).ok).toBe(true);
  });

  afterAll(async () => {
    await h.close();
    await server.close();
    removeDir(sinkDir);
  });

  it('reports the cursor, the last run and its counts as JSON', async () => {
    const reply = await get(`${h.ops.url}/status.json`);
    expect(reply.status).toBe(200);
    const report = JSON.parse(reply.text) as StatusReport;
    const cursor = await h.runtime.store.getCursor('feed', COLLECTION);
    expect(report.sources.map((s) => s.name)).toEqual(['feed']);
    expect(report.sources[0].collections).toEqual([
      expect.objectContaining({
        collection: COLLECTION,
        title: HOSTILE_TITLE,
        cursor: cursor?.value,
        cursorExact: true,
        running: null,
        lastRun: expect.objectContaining({ status: 'done', objectsIn: seeds.length, objectsOut: seeds.length, rejected: 0, deadLettered: 0 }),
      }),
    ]);
    expect(report.sources[0].collections[0].lagSeconds).toBeGreaterThan(0);
    expect(report.deadLetterEntries).toBe(0);
    expect(Object.keys(report.queues).sort()).toEqual(['dead-letter', 'deliver', 'fetch']);
  });

  it('answers JSON on /status when asked with Accept: application/json', async () => {
    const reply = await get(`${h.ops.url}/status`, { accept: 'application/json' });
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect((JSON.parse(reply.text) as StatusReport).sources[0].collections[0].collection).toBe(COLLECTION);
  });

  it('renders a self-contained HTML page with every value escaped', async () => {
    const reply = await get(`${h.ops.url}/status`, { accept: 'text/html' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    expect(reply.headers.get('content-security-policy')).toContain("default-src 'none'");
    const cursor = await h.runtime.store.getCursor('feed', COLLECTION);
    expect(reply.text).toContain(cursor!.value);
    expect(reply.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(reply.text).not.toContain('<script');
    expect(reply.text).not.toContain('<img');
    // Nothing is loaded from elsewhere: no script, no stylesheet link, no remote URL.
    expect(reply.text).not.toMatch(/<link|src=["']?https?:|url\(/i);
  });

  it('serves no credential of the configuration on any page', async () => {
    for (const path of ['/status', '/status.json', '/metrics', '/readyz', '/dashboard/api/queues?activeQueue=fetch&status=completed']) {
      const reply = await get(`${h.ops.url}${path}`);
      expect(reply.status).toBe(200);
      expect(reply.text).not.toContain(TOKEN);
    }
  });
});
