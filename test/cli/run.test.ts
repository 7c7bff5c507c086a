// `taxii-connector run` as the container runs it: schedulers tick, objects arrive, and SIGTERM
// stops it cleanly (a second signal exits at once).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { idsInFileSink, removeDir } from '../support/pipeline-harness';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-prefix';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';

const ROOT = resolve(__dirname, '../..');

function start(config: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config', config, 'run'], { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout?.resume();
  return { child, stderr: () => err, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function until(check: () => boolean, what: string, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('taxii-connector run', () => {
  let server: TaxiiTestServer;
  const seeds = generateObjects(300);
  const prefix = uniquePrefix('cli-run');
  const dir = mkdtempSync(join(tmpdir(), 'taxii-run-'));
  const config = join(dir, 'config.yml');

  beforeAll(async () => {
    server = await startTaxiiServer({ objects: seeds });
    writeFileSync(
      config,
      stringify({
        connector: { duration_period: 'PT1H', shutdown_timeout_secs: 5 },
        redis: { url: REDIS_URL, prefix },
        sources: [{ name: 'lab', discovery_url: server.url, page_size: 100, added_after: '2000-01-01T00:00:00Z' }],
        sink: { type: 'file', path: join(dir, 'bundles') },
        ops: { listen: '127.0.0.1:0' },
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    await dropPrefix(prefix);
    removeDir(dir);
  });

  it('runs the first pass at start and stops on SIGTERM with exit code 0', async () => {
    const p = start(config);
    try {
      await until(() => p.stderr().includes('connector started'), 'start');
      await until(() => {
        try {
          return idsInFileSink(join(dir, 'bundles')).size === seeds.length;
        } catch {
          return false;
        }
      }, 'every object in the sink');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.stderr()).toContain('shutting down');
      expect(p.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  it('exits at once on a second signal while a job is still running', async () => {
    await dropPrefix(prefix); // a fresh start: the first pass runs again
    server.setFault({ kind: 'slow', delayMs: 20000, on: 'objects' });
    const p = start(config);
    try {
      const before = server.requestsTo('objects').length;
      await until(() => server.requestsTo('objects').length > before, 'a page request in flight');
      p.child.kill('SIGTERM');
      await until(() => p.stderr().includes('shutting down'), 'shutdown to begin');
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(130);
    } finally {
      server.clearFaults();
      p.child.kill('SIGKILL');
    }
  });
});
