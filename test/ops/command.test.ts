// The CLI serves the ops endpoints: `run` beside its roles and `ops` alone, each telling where it
// listens, answering /healthz and /metrics, and stopping on SIGTERM with exit code 0. Logs in the
// pretty format carry no secret.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { removeDir } from '../support/pipeline-harness';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-prefix';
import { get } from './ops-harness';

const ROOT = resolve(__dirname, '../..');
const TOKEN = 'cli-ops-feed-token-9d2e';
const PASSWORD = 'cli-ops-password-41b7';

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(config: string, role: string): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config', config, role], { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout?.resume();
  return { child, stderr: () => err, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function listeningUrl(p: Started): Promise<string> {
  const end = Date.now() + 20_000;
  for (;;) {
    const m = /ops server listening .*"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(p.stderr());
    if (m) return m[1];
    if (Date.now() > end) throw new Error(`the ops server did not start:\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(['ops', 'run'])('when `taxii-connector %s` starts', (role) => {
  const prefix = uniquePrefix(`cli-${role}`);
  const dir = mkdtempSync(join(tmpdir(), 'taxii-cli-ops-'));
  const config = join(dir, 'config.yml');

  beforeAll(() => {
    writeFileSync(
      config,
      stringify({
        connector: { log_format: 'pretty', shutdown_timeout_secs: 2 },
        redis: { url: REDIS_URL, prefix },
        // Nothing listens there: the scheduler logs the failure and the ops server keeps serving.
        sources: [{ name: 'lab', discovery_url: 'http://127.0.0.1:9/taxii2/', auth: { type: 'bearer', token: TOKEN } }],
        sink: { type: 'file', path: join(dir, 'bundles') },
        ops: { listen: '127.0.0.1:0', auth: { username: 'ops', password: PASSWORD } },
      }),
    );
  });

  afterAll(async () => {
    await dropPrefix(prefix);
    removeDir(dir);
  });

  it('serves /healthz and, with credentials, /metrics; then stops on SIGTERM', async () => {
    const p = start(config, role);
    try {
      const url = await listeningUrl(p);
      expect((await get(`${url}/healthz`)).status).toBe(200);
      expect((await get(`${url}/metrics`)).status).toBe(401);
      const metrics = await get(`${url}/metrics`, { user: 'ops', password: PASSWORD });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('taxii_connector_redis_up 1');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.stderr()).not.toContain(TOKEN);
      expect(p.stderr()).not.toContain(PASSWORD);
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
