// Access through the real configuration: a redirect to another host never carries the
// Authorization header, and TLS verification is on by default — a self-signed TAXII server is
// refused (TAXII_TLS, not retried) by `discover` and `sync` unless `tls.ca_file` trusts it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { syncOnce } from '../../src/pipeline/sync';
import { baseRawConfig, buildConfig, idsInFileSink, removeDir, startHarness, uniquePrefix } from '../support/pipeline-harness';
import { recordFigures } from '../support/reliability-figures';
import { selfSigned, startTlsFront, type SelfSigned, type TlsFront } from '../support/reliability-tls';
import { dropPrefix, REDIS_URL } from '../support/redis-prefix';
import { runCli } from '../support/run-cli';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';

jest.setTimeout(60_000);

const TOKEN = 'access-test-token-6a1d0c';
const seeds = generateObjects(120);

describe('when the TAXII server redirects the objects to another host', () => {
  let first: TaxiiTestServer;
  let other: TaxiiTestServer;
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-redirect-'));
  const prefix = uniquePrefix('rel-redirect');
  beforeAll(async () => {
    first = await startTaxiiServer({ objects: seeds, auth: { type: 'bearer', token: TOKEN } });
    other = await startTaxiiServer({ objects: seeds });
    first.setFault({ kind: 'redirect', toOrigin: other.origin, status: 307, on: 'objects' });
  });
  afterAll(async () => {
    await first.close();
    await other.close();
    await dropPrefix(prefix);
    removeDir(dir);
  });

  it('sync --once follows it without sending the Authorization header there, and delivers everything', async () => {
    const config = join(dir, 'config.yml');
    const sinkDir = join(dir, 'bundles');
    writeFileSync(
      config,
      stringify({
        redis: { url: REDIS_URL, prefix },
        sources: [{ name: 'feed', discovery_url: first.url, auth: { type: 'bearer', token: '${FEED_TOKEN}' }, page_size: 50, added_after: '2000-01-01T00:00:00Z' }],
        sink: { type: 'file', path: sinkDir },
        pipeline: { backoff_base_ms: 20, lock_duration_secs: 2 },
      }),
    );
    const r = await runCli(['--config', config, 'sync', '--once'], { env: { FEED_TOKEN: TOKEN }, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(first.requestsTo('objects').every((q) => q.headers.authorization === `Bearer ${TOKEN}` && q.status === 307)).toBe(true);
    const landed = other.requestsTo('objects');
    expect(landed.length).toBe(first.requestsTo('objects').length);
    expect(landed.map((q) => q.headers.authorization)).toEqual(landed.map(() => undefined));
    expect(other.requests.every((q) => q.headers.authorization === undefined)).toBe(true);
    const ids = idsInFileSink(sinkDir);
    expect(seeds.filter((s) => !ids.has(String(s.object.id)))).toEqual([]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    recordFigures('redirect to another host', { redirected: landed.length, authorizationSentThere: landed.filter((q) => q.headers.authorization !== undefined).length, delivered: ids.size, expected: seeds.length });
  });
});

describe('when the TAXII server has a self-signed certificate', () => {
  let server: TaxiiTestServer;
  let front: TlsFront;
  let ownCert: SelfSigned;
  let otherName: SelfSigned;
  let otherFront: TlsFront;
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-tls-cfg-'));
  beforeAll(async () => {
    ownCert = selfSigned('IP:127.0.0.1', '127.0.0.1');
    otherName = selfSigned('DNS:taxii.example', 'taxii.example');
    // API roots as absolute paths: every URL the client derives stays on the TLS front.
    server = await startTaxiiServer({ objects: seeds, auth: { type: 'bearer', token: TOKEN }, apiRootsInDiscovery: 'path' });
    front = await startTlsFront(ownCert, server.port);
    otherFront = await startTlsFront(otherName, server.port);
  });
  afterAll(async () => {
    await front.close();
    await otherFront.close();
    await server.close();
    for (const d of [ownCert.dir, otherName.dir, dir]) removeDir(d);
  });

  const discoveryUrl = (f: TlsFront) => `${f.origin}/taxii2/`;
  const configFile = (name: string, f: TlsFront, tls?: Record<string, unknown>): string => {
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, stringify({ sources: [{ name: 'feed', discovery_url: discoveryUrl(f), auth: { type: 'bearer', token: TOKEN }, ...(tls ? { tls } : {}) }] }));
    return file;
  };

  describe('discover', () => {
    it('refuses it by default with TAXII_TLS, in one line, without retrying', async () => {
      const before = front.connections();
      const r = await runCli(['--config', configFile('default', front), 'discover']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/TLS verification failed for https:\/\/127\.0\.0\.1:\d+\/taxii2\/: .*certificate.* \[TAXII_TLS\]/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain(TOKEN);
      expect(front.connections() - before).toBe(1);
      expect(server.requests.filter((q) => q.kind === 'discovery')).toHaveLength(0);
    });

    it('lists the collections once tls.ca_file trusts the certificate', async () => {
      const r = await runCli(['--config', configFile('trusted', front, { ca_file: ownCert.certFile }), 'discover', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).apiRoots[0].collections.map((c: { id: string }) => c.id)).toEqual([server.defaultCollectionId]);
    });

    it('still refuses a trusted certificate made out to another host name', async () => {
      const r = await runCli(['--config', configFile('other-name', otherFront, { ca_file: otherName.certFile }), 'discover']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[TAXII_TLS]');
    });
  });

  describe('sync', () => {
    const pass = async (label: string, f: TlsFront, tls?: Record<string, unknown>) => {
      const sinkDir = mkdtempSync(join(tmpdir(), `taxii-rel-tls-${label}-`));
      const raw = baseRawConfig({ prefix: uniquePrefix(`rel-tls-${label}`), discoveryUrl: discoveryUrl(f), token: TOKEN, sinkDir, pageSize: 50 });
      if (tls) Object.assign((raw.sources as Array<Record<string, unknown>>)[0]!, { tls });
      const harness = await startHarness(buildConfig(raw));
      try {
        await harness.start();
        const connections = f.connections();
        const started = Date.now();
        const summary = await syncOnce(harness.runtime, {}, { pollMs: 25 });
        return { summary, ms: Date.now() - started, connections: f.connections() - connections, ids: idsInFileSink(sinkDir) };
      } finally {
        await harness.close();
        removeDir(sinkDir);
      }
    };

    it.each<[string, () => TlsFront, () => Record<string, unknown> | undefined]>([
      ['by default', () => front, () => undefined],
      ['with a trusted certificate made out to another host name', () => otherFront, () => ({ ca_file: otherName.certFile })],
    ])('fails the pass %s with TAXII_TLS at once, not retrying', async (label, f, tls) => {
      const r = await pass(label.replace(/\W+/g, '-').slice(0, 20), f(), tls());
      expect(r.summary.ok).toBe(false);
      expect(r.summary.collections[0]?.error).toMatch(/^TAXII_TLS: source "feed": TLS verification failed/);
      expect(r.connections).toBe(1);
      expect(r.ids.size).toBe(0);
      recordFigures(`TLS refused ${label}`, { connections: r.connections, failedMs: r.ms });
    });

    it('delivers everything once tls.ca_file trusts the certificate', async () => {
      const r = await pass('trusted', front, { ca_file: ownCert.certFile });
      expect(r.summary.ok).toBe(true);
      expect(seeds.filter((s) => !r.ids.has(String(s.object.id)))).toEqual([]);
      recordFigures('TLS with ca_file', { delivered: r.ids.size, expected: seeds.length, passMs: r.ms });
    });
  });
});
