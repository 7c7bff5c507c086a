// The command line as `npm run build` makes it and the image runs it: dist/cli.js loading the
// bundle with its code cache, the normalizer thread from its own bundle, `sync --once` end to end.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { idsInFileSink, removeDir } from '../support/pipeline-harness';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-prefix';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';

const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');

function node(args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the built command line (npm run build)', () => {
  let server: TaxiiTestServer;
  const seeds = generateObjects(2500);
  const prefix = uniquePrefix('built');
  const dir = mkdtempSync(join(tmpdir(), 'taxii-built-'));

  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
    server = await startTaxiiServer({ objects: seeds });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await dropPrefix(prefix);
    removeDir(dir);
  });

  it('syncs a collection into files, every object once', async () => {
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      stringify({
        redis: { url: REDIS_URL, prefix },
        sources: [{ name: 'lab', discovery_url: server.url, page_size: 1000, added_after: '2000-01-01T00:00:00Z' }],
        sink: { type: 'file', path: join(dir, 'bundles') },
      }),
    );
    const r = await node(['dist/cli.js', '--config', config, 'sync', '--once', '--json']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, totals: { fetched: 2500, delivered: 2500, rejected: 0 } });
    const ids = idsInFileSink(join(dir, 'bundles'));
    expect(ids.size).toBe(2500);
    for (const seed of seeds) expect(ids.get(seed.object.id as string)).toBe(1);
  }, 60_000);

  it('loads without undici, and leaves the fetch API as Node made it', async () => {
    const probe = join(dir, 'fetch-probe.js');
    writeFileSync(
      probe,
      `process.on('exit', () => {
        const undiciLoaded = process.moduleLoadList.some((m) => m.includes('undici'));
        const types = ['fetch', 'Request', 'Response', 'FormData', 'Headers'].map((k) => typeof globalThis[k]);
        process.stderr.write('PROBE ' + JSON.stringify({ undiciLoaded, types }) + '\\n');
      });`,
    );
    const r = await node(['-r', probe, 'dist/cli.js', '--help']);
    expect(r.code).toBe(0);
    const line = /^PROBE (.*)$/m.exec(r.stderr);
    expect(line).not.toBeNull();
    expect(JSON.parse(line![1]!)).toEqual({ undiciLoaded: false, types: ['function', 'function', 'function', 'function', 'function'] });
  });

  it.each([
    ['with no code cache', undefined],
    ['with a code cache V8 refuses', Buffer.from('not a code cache')],
  ])('starts %s, compiling the bundle instead', async (_what, cache) => {
    const copy = mkdtempSync(join(dir, 'dist-'));
    for (const f of ['cli.js', 'cli.bundle.js']) copyFileSync(join(DIST, f), join(copy, f));
    if (cache) writeFileSync(join(copy, 'cli.bundle.js.cache'), cache);
    const r = await node([join(copy, 'cli.js'), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: taxii-connector');
    expect(r.stdout).toContain('sync');
  });
});
