// The command line as users run it: discover, configuration errors, Redis down, sync --once, cursor.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-prefix';
import { runCli } from '../support/run-cli';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';

const TOKEN = 'cli-token-8c1e2f';
const dir = mkdtempSync(join(tmpdir(), 'taxii-cli-'));

describe('taxii-connector discover', () => {
  let server: TaxiiTestServer;
  beforeAll(async () => {
    server = await startTaxiiServer({
      auth: { type: 'bearer', token: TOKEN },
      collections: [
        { id: '91a7b528-80eb-42ed-a74d-c6fbd5a26116', title: 'Threat intel feed' },
        { id: '2c8e6f0a-5b4d-4e3c-9a1b-7d6e5f4c3b2a', title: 'Write-only inbox', canRead: false },
      ],
    });
  });
  afterAll(() => server.close());

  it('prints the API roots and their collections as a table', async () => {
    const r = await runCli(['discover', '--url', server.url, '--token', TOKEN]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`API root:`);
    expect(r.stdout).toMatch(/ID\s+TITLE\s+CAN_READ\s+CAN_WRITE/);
    expect(r.stdout).toMatch(/91a7b528-80eb-42ed-a74d-c6fbd5a26116\s+Threat intel feed\s+true/);
    expect(r.stdout).toMatch(/2c8e6f0a-5b4d-4e3c-9a1b-7d6e5f4c3b2a\s+Write-only inbox\s+false/);
  });

  it('prints JSON with --json, from a configured source', async () => {
    const config = join(dir, 'discover.yml');
    writeFileSync(config, stringify({ sources: [{ name: 'lab', discovery_url: server.url, auth: { type: 'bearer', token: '${LAB_TOKEN}' } }] }));
    const r = await runCli(['--config', config, 'discover', '--json'], { env: { LAB_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.apiRoots[0].collections.map((c: { title: string }) => c.title)).toEqual(['Threat intel feed', 'Write-only inbox']);
  });

  it('says which source and auth type failed on a wrong token, without the token', async () => {
    const r = await runCli(['discover', '--url', server.url, '--token', 'wrong-token-123456']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bearer/);
    expect(r.stderr).not.toContain('wrong-token-123456');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('configuration errors', () => {
  it('exit 2 with every bad key listed and no stack trace', async () => {
    const config = join(dir, 'bad.yml');
    writeFileSync(config, 'connector: { log_level: loud }\nsources:\n  - name: x\n    preset: trendmicro\n    region: mars\n    auth: { type: bearer }\n');
    const r = await runCli(['--config', config, 'sync', '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('connector.log_level');
    expect(r.stderr).toContain('sources[0].region');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('say in one line when Redis does not answer, naming the URL and how to start one', async () => {
    const r = await runCli(['sync', '--once'], { env: { TAXII_DISCOVERY_URL: 'http://127.0.0.1:9/taxii2/', REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('redis://127.0.0.1:1');
    expect(r.stderr).toContain('redis-server');
  });
});

describe('taxii-connector sync --once', () => {
  let server: TaxiiTestServer;
  const prefix = uniquePrefix('cli-sync');
  const seeds = generateObjects(250);
  let config: string;
  beforeAll(async () => {
    server = await startTaxiiServer({ objects: seeds, auth: { type: 'basic', username: 'biz-7', password: TOKEN } });
    config = join(dir, 'sync.yml');
    writeFileSync(
      config,
      stringify({
        redis: { url: REDIS_URL, prefix },
        sources: [{ name: 'lab', discovery_url: server.url, auth: { type: 'basic', username: 'biz-7', password: TOKEN }, page_size: 100, added_after: '2000-01-01T00:00:00Z' }],
        sink: { type: 'file', path: join(dir, 'bundles') },
        pipeline: { backoff_base_ms: 20, lock_duration_secs: 2 },
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    await dropPrefix(prefix);
  });

  it('prints a summary and exits 0 when every collection finished its pass', async () => {
    const r = await runCli(['--config', config, 'sync', '--once'], { timeoutMs: 60000 });
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok\s+lab\/Test feed: 3 pages, 250 fetched, 250 delivered, 0 rejected, 0 dead-lettered/);
    expect(r.stdout).toMatch(/total: 3 pages, 250 objects fetched, 250 delivered/);
  });

  it('shows, sets and resets the cursor', async () => {
    const shown = await runCli(['--config', config, 'cursor', 'show', '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)[0]).toMatchObject({ source: 'lab', collection: server.defaultCollectionId, cursor: { value: seeds.at(-1)?.date_added, exact: true } });
    expect((await runCli(['--config', config, 'cursor', 'set', 'lab', server.defaultCollectionId, 'not-a-time'])).code).toBe(2);
    expect((await runCli(['--config', config, 'cursor', 'set', 'lab', server.defaultCollectionId, seeds[99].date_added])).code).toBe(0);
    const again = await runCli(['--config', config, 'sync', '--once', '--json'], { timeoutMs: 60000 });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals.fetched).toBe(150);
    expect((await runCli(['--config', config, 'cursor', 'reset', 'lab', server.defaultCollectionId])).stdout).toContain('cursor removed');
  });

  it('exits 1 when a collection could not finish its pass', async () => {
    server.setFault({ kind: 'status', status: 403, on: 'objects' });
    const r = await runCli(['--config', config, 'sync', '--once'], { timeoutMs: 60000 });
    server.clearFaults();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED lab\/Test feed/);
  });
});
